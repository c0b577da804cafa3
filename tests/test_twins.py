"""Each page shows exactly what its CLI data twin prints
(``python -m data_pipeline overview|groups|overdue|trend --as-of D [--group G] --json``):
both come from one ``data_pipeline.figures`` function. The page is driven through the
router, and also run on its own with its inputs (the sidebar's widgets)."""
from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys

import pandas as pd
import plotly.io as pio
import pytest
from streamlit.testing.v1 import AppTest

from data_pipeline import labels
from tests.apphelp import go, run_app
from tests.conftest import ROOT
from tests.test_app import array, frame

DAY = dt.date(2026, 10, 30)
GROUPS = ["市容环境组", "交通秩序组", "其他项目推进整改组"]


def twin(db, command: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "data_pipeline", command, "--db", str(db), "--json", *args],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert (out.returncode, out.stderr) == (0, ""), out.stderr
    return json.loads(out.stdout)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def card_values(kpis: dict) -> list[tuple[str, str, str | None]]:
    """The KPI cards as ``widgets.kpi_row`` draws them from a twin's ``kpis``."""
    return [(labels.KPI_LABELS[k], labels.pct(kpis["values"][k]) if k.endswith("rate") else
             labels.count(kpis["values"][k]), labels.change(k, kpis["deltas"][k])) for k in labels.KPI_KEYS]


def shown_cards(at) -> list[tuple[str, str, str | None]]:
    return [(m.label, m.value, m.delta or None) for m in at.metric]


@pytest.fixture
def db(sample_db, tmp_path):
    path = tmp_path / "campaign.duckdb"
    shutil.copy(sample_db, path)
    return path


@pytest.fixture
def app(monkeypatch, db):
    at = run_app(monkeypatch, db)
    at.selectbox(key="as_of").set_value(DAY).run()
    at.multiselect(key="groups").set_value(GROUPS).run()
    assert not at.exception
    return at


def test_overview_equals_its_twin(app, db):
    want = twin(db, "overview", "--as-of", DAY.isoformat(), *sum((["--group", g] for g in GROUPS), []))
    assert shown_cards(app) == card_values(want["kpis"])
    table = app.table[0].value
    rows = want["standing"]["table"]
    assert list(table.index) == [r["group_name"] for r in rows] == GROUPS
    assert table.values.tolist() == [[r["card"], labels.pct(r["completion_rate"]), labels.count(r["items"]),
                                      labels.count(r["done"]), labels.count(r["overdue"]),
                                      labels.pct(r["overdue_share"]), r["reason"]] for r in rows]
    rate = {r["group_name"]: r["completion_rate"] for r in rows}
    lists = [m.value for m in app.markdown if m.value.startswith("1. ") or m.value == "（暂无）"]
    assert lists == ["\n".join(f"{i}. **{g}** {labels.pct(rate[g])}" for i, g in enumerate(board, 1)) or "（暂无）"
                     for board in (want["standing"]["honour"], want["standing"]["warning"])]
    p = want["overdue"]
    line = next(m.value for m in app.markdown if m.value.startswith("**超期问题"))
    assert line.startswith(f"**超期问题{p['count']}项**：")
    assert f"拖得最久的已超期**{p['max_days']}天**（整改时限{labels.day(day(p['oldest_deadline']))}）" in line
    for label, n in p["buckets"]:
        assert (f"{label}{n}项" in line) == (n > 0)
    r = want["readiness"]
    assert f"还需整改{r['gap']}项" in (app.error or app.warning or app.success or app.info)[-1].value


def test_group_page_equals_its_twin(app, db):
    go(app, "pages/group.py")
    app.selectbox(key="group_pick").set_value("交通秩序组").run()
    want = twin(db, "groups", "--as-of", DAY.isoformat(), "--group", "交通秩序组")
    assert want["group"] == "交通秩序组"
    assert shown_cards(app) == card_values(want["kpis"])
    items = frame(app, "item_id", "description")
    assert items["item_id"].tolist() == [r["item_id"] for r in want["items"]]
    assert [None if d is None or d is pd.NA or d != d else d for d in items["days_overdue"]] == [
        r["days_overdue"] for r in want["items"]]
    by_cat = frame(app, "category")
    assert by_cat[["category", "items", "done", "overdue"]].values.tolist() == [
        [r["category"], r["items"], r["done"], r["overdue"]] for r in want["by_category"]]
    place = want["place"]
    assert frame(app, place)[place].tolist() == [r[place] for r in want["by_place"]]
    charts = [pio.from_json(c.proto.spec) for c in app.get("plotly_chart")]
    assert array(charts[0].data[0].y) == [r["completion_rate"] for r in want["series"]]


def test_overdue_page_equals_its_twin(app, db):
    go(app, "pages/overdue.py")
    app.number_input(key="overdue_min_days").set_value(20).run()
    want = twin(db, "overdue", "--as-of", DAY.isoformat(), "--min-days", "20",
                *sum((["--group", g] for g in GROUPS), []))
    table = frame(app, "group_name", "assignee", "item_id", "description", "location", "category", "deadline",
                  "days_overdue")
    assert table[["item_id", "days_overdue"]].values.tolist() == [[r["item_id"], r["days_overdue"]]
                                                                  for r in want["overdue"]]
    assert app.subheader[0].value == f"超期问题（{len(want['overdue'])}项）"
    assert app.subheader[1].value == f"临期问题（{len(want['due_soon'])}项）"
    if want["due_soon"]:
        soon = [d.value for d in app.dataframe if "days_overdue" not in d.value.columns][0]
        assert soon["item_id"].tolist() == [r["item_id"] for r in want["due_soon"]]


def test_trend_page_equals_its_twin(app, db):
    go(app, "pages/trend.py")
    want = twin(db, "trend", "--as-of", DAY.isoformat(), *sum((["--group", g] for g in GROUPS), []))
    burnup, by_group, overdue = [pio.from_json(c.proto.spec) for c in app.get("plotly_chart")]
    assert array(burnup.data[0].y) == [r["items"] for r in want["series"]]
    assert array(burnup.data[1].y) == [r["done"] for r in want["series"]]
    assert array(overdue.data[0].y) == [r["overdue"] for r in want["series"]]
    assert [t.name for t in by_group.data if t.name in want["groups"]] == want["groups"]
    phases = frame(app, "phase")
    assert phases[["phase", "state", "assigned", "done", "assigned_done"]].values.tolist() == [
        [r["phase"], r["state"], r["assigned"], r["done"], r["assigned_done"]] for r in want["phases"]]


@pytest.mark.parametrize("page, command", [("overview", "overview"), ("group", "groups"), ("trend", "trend")])
def test_a_page_runs_on_its_own_with_its_inputs(monkeypatch, db, page, command):
    """No router: the page draws the sidebar itself; its inputs are the sidebar's widgets."""
    monkeypatch.setenv("CAMPAIGN_DB", str(db))
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=60)
    at.session_state["as_of"] = DAY
    at.session_state["categories"] = ["道路设施"]
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == {"overview": "总览", "group": "工作组", "trend": "阶段趋势"}[page]
    assert "截至2026年10月30日" in at.caption[0].value
    want = twin(db, command, "--as-of", DAY.isoformat(), "--category", "道路设施")
    if command == "trend":
        burnup = pio.from_json(at.get("plotly_chart")[0].proto.spec)
        assert array(burnup.data[0].y) == [r["items"] for r in want["series"]]
    else:
        assert shown_cards(at) == card_values(want["kpis"])
    at.session_state["as_of"] = dt.date(2026, 10, 2)
    at.run()
    assert "截至2026年10月2日" in at.caption[0].value
