"""Each page shows exactly what its CLI data twin prints
(``python -m data_pipeline overview|groups|overdue|trend|changes|forecast --as-of D [--group G] --json``):
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
                                      labels.pct(r["overdue_share"]), r["board"] or "—", labels.streak(r["warning_streak"]),
                                      labels.streak(r["honour_streak"]), r["escalation"] or "—", r["reason"]]
                                     for r in rows]
    by_name = {r["group_name"]: r for r in rows}

    def listed(g, run):
        r = by_name[g]
        extra = [labels.streak(r[run])] if r[run] else []
        extra += [r["escalation"]] if run == "warning_streak" and r["escalation"] else []
        return f"**{g}** {labels.pct(r['completion_rate'])}" + (f"（{'，'.join(extra)}）" if extra else "")

    lists = [m.value for m in app.markdown if m.value.startswith("1. ") or m.value == "（暂无）"]
    assert lists == ["\n".join(f"{i}. {listed(g, run)}" for i, g in enumerate(board, 1)) or "（暂无）"
                     for board, run in ((want["standing"]["honour"], "honour_streak"),
                                        (want["standing"]["warning"], "warning_streak"))]
    assert want["standing"]["escalated"]
    assert [m.value for m in app.markdown if m.value.startswith("- ")] == ["\n".join(
        f"- **{g}**：{by_name[g]['escalation']}（{labels.streak(by_name[g]['warning_streak'])}上黑榜）"
        for g in want["standing"]["escalated"])]
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


# ---------------------------------------------------------------- 本周变化 and 进度预测


def group_args() -> list[str]:
    return sum((["--group", g] for g in GROUPS), [])


def plain_cells(values) -> list:
    """A shown column's values with a missing one (NaN, None) as None."""
    return [None if v is None or (isinstance(v, float) and v != v) else v for v in values]


def percent_cells(rates) -> list:
    return [None if r is None else r * 100 for r in rates]


def test_changes_page_equals_its_twin(app, db):
    go(app, "pages/changes.py")
    assert app.selectbox(key="changes_as_of").value == DAY
    assert app.selectbox(key="changes_since").value == dt.date(2026, 10, 23)   # the report before
    assert twin(db, "changes", "--as-of", DAY.isoformat(), *group_args())["since"] == "2026-10-23"
    app.selectbox(key="changes_since").set_value(dt.date(2026, 10, 16)).run()
    assert not app.exception
    want = twin(db, "changes", "--as-of", DAY.isoformat(), "--since", "2026-10-16",
                *group_args())
    rows, total = want["table"], want["table"][-1]
    assert [r["group_name"] for r in rows] == GROUPS + ["合计"] and total["is_total"]

    def with_change(rate, delta):
        return labels.pct(rate) + (f"（{labels.rate_change(delta)}）" if delta is not None else "")

    sentence = next(m.value for m in app.markdown if m.value.startswith("与"))
    assert sentence == (
        f"与2026年10月16日的台账相比：新交办**{total['new_items']}**项，新整改**{total['newly_done']}**项，"
        f"新增超期**{total['newly_overdue']}**项，整改后反弹**{total['reopened']}**项，持续超期**{total['still_overdue']}**项；"
        f"整改率{with_change(total['completion_rate'], total['completion_rate_change'])}，"
        f"按期整改率{with_change(total['on_time_rate'], total['on_time_rate_change'])}。")
    by_name = {r["group_name"]: r for r in rows}
    assert want["escalated"]
    assert next(m.value for m in app.markdown if m.value.startswith("**需升级督办**")) == "**需升级督办**：" + "；".join(
        f"**{g}**{labels.streak(by_name[g]['warning_streak'])}上黑榜，{by_name[g]['escalation']}"
        for g in want["escalated"]) + "。"

    bars = pio.from_json(app.get("plotly_chart")[0].proto.spec)
    assert sorted(t.name for t in bars.data) == sorted(labels.COLUMN_LABELS[c] for c in
                                                       ("new_items", "newly_done", "newly_overdue", "reopened"))
    key = {labels.COLUMN_LABELS[c]: c for c in ("new_items", "newly_done", "newly_overdue", "reopened")}
    for trace in bars.data:
        assert list(trace.y) == GROUPS
        assert array(trace.x) == [r[key[trace.name]] for r in rows[:-1]]

    table = frame(app, "group_name", "new_items")
    assert table["group_name"].tolist() == [r["group_name"] for r in rows]
    for c in ("new_items", "newly_done", "newly_overdue", "reopened", "still_overdue"):
        assert table[c].tolist() == [r[c] for r in rows], c
    for c in ("completion_rate", "on_time_rate"):
        assert plain_cells(table[c]) == percent_cells([r[c] for r in rows]), c
    for c in ("completion_rate_change", "on_time_rate_change"):
        assert table[c].tolist() == [labels.rate_change(r[c]) for r in rows], c
    assert plain_cells(table["rank"]) == [r["rank"] for r in rows]
    assert table["rank_change"].tolist() == [labels.rank_change(r["rank_change"]) for r in rows]
    assert table["board"].tolist() == [r["board"] or "—" for r in rows]
    assert table["warning_streak"].tolist() == [labels.streak(r["warning_streak"]) for r in rows]
    assert table["honour_streak"].tolist() == [labels.streak(r["honour_streak"]) for r in rows]
    assert table["escalation"].tolist() == [r["escalation"] or "—" for r in rows]


def test_forecast_page_equals_its_twin(app, db):
    go(app, "pages/forecast.py")
    want = twin(db, "forecast", "--as-of", DAY.isoformat(), *group_args())
    rows, total = want["table"], want["table"][-1]
    assert [r["group_name"] for r in rows] == GROUPS + ["合计"]
    assert [c.value for c in app.caption if c.value.startswith("预测方法")] == [f"预测方法：{want['method']}"]
    ev = want["evaluation"]
    assert (ev["name"], ev["start"]) == ("评估阶段", "2026-11-01")
    assert f"{ev['name']}2026年11月1日开始；按期完成概率是在这一天之前全部整改完成的可能性。" in [m.value for m in app.markdown]
    assert total["outlook"] == "not_shrinking" and total["light"] == "红"
    assert app.warning[-1].value == (
        f"全部问题在评估阶段开始前整改完成的可能性为**{labels.pct(total['probability'])}**"
        f"（{labels.forecast_light(total['light'])}）；周均新增{labels.decimal(total['weekly_new'])}项、周均整改"
        f"{labels.decimal(total['weekly_closed'])}项，**积压未减少**，无法给出完成日期。")

    bars = pio.from_json(app.get("plotly_chart")[0].proto.spec)
    lights = [t for t in bars.data if t.type == "bar"]
    assert {t.name for t in lights} == {labels.forecast_light(r["light"]) for r in rows}
    for t in lights:
        mine = [r for r in rows if labels.forecast_light(r["light"]) == t.name]
        assert list(t.y) == [r["group_name"] for r in mine]
        assert array(t.x) == [r["probability"] for r in mine]

    table = frame(app, "group_name", "open")
    assert table["group_name"].tolist() == [r["group_name"] for r in rows]
    assert table["open"].tolist() == [r["open"] for r in rows]
    for c in ("weekly_new", "weekly_closed", "weekly_net"):
        assert table[c].tolist() == [labels.decimal(r[c]) for r in rows], c
    assert table["outlook_label"].tolist() == [r["outlook_label"] for r in rows]
    assert plain_cells(table["probability"]) == percent_cells([r["probability"] for r in rows])
    assert table["light"].tolist() == [labels.forecast_light(r["light"]) for r in rows]
    for c in ("p50", "p85"):
        assert table[c].tolist() == [labels.forecast_day(r[c] and day(r[c]), r["outlook"]) for r in rows], c
    assert table["reason"].tolist() == [r["reason"] or "—" for r in rows]
