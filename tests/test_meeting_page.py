"""会议汇报 (pages/meeting.py) through the router with Streamlit's AppTest: the slide list
and every presented slide show exactly what ``python -m data_pipeline slides --json``
prints (both come from ``data_pipeline.meeting``), the buttons page through the deck,
the deck stays frozen while a new ledger arrives, and ledger text stays inert."""
from __future__ import annotations

import datetime as dt
import html
import json
import shutil
import subprocess
import sys

import pytest

import data_pipeline as dp
from tests import ledgers as L
from tests.apphelp import go, run_app, shown
from tests.conftest import ROOT


def twin(db, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "data_pipeline", "slides", "--db", str(db), "--json", *args],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert (out.returncode, out.stderr) == (0, ""), out.stderr
    return json.loads(out.stdout)


def bodies(at) -> str:
    return "\n".join(h.proto.body for h in at.get("html"))


def slide_text(slide: dict) -> list[str]:
    """What a presented slide must contain, as the page escapes it."""
    parts = [slide["title"], slide["message"], *slide["headers"], *(c for r in slide["rows"] for c in r)]
    return [html.escape(p, quote=True) for p in parts]


@pytest.fixture
def db(sample_db, tmp_path):
    path = tmp_path / "campaign.duckdb"
    shutil.copy(sample_db, path)
    return path


def test_slides_match_the_twin_and_page_through(monkeypatch, db):
    expected = twin(db, "--as-of", "2026-11-27")
    at = go(run_app(monkeypatch, db), "pages/meeting.py")
    assert at.title[0].value == "会议汇报"
    listed = [shown(m) for m in at.markdown if m.value[:1].isdigit()]
    assert listed == [f"{i}. **{s['title']}**：{s['message']}" for i, s in enumerate(expected["slides"], 1)]

    at.button(key="meeting_start").click().run()
    n = len(expected["slides"])
    for i, slide in enumerate(expected["slides"]):
        assert not at.exception, at.exception
        assert not at.title, "the presented slide has no page heading"
        body = bodies(at)
        missing = [p for p in slide_text(slide) if p not in body]
        assert not missing, (slide["title"], missing)
        assert at.markdown[-1].value == f"第{i + 1}页／共{n}页 ｜ 数据截至2026年11月27日"
        assert at.button(key="slide_prev").disabled == (i == 0)
        assert at.button(key="slide_next").disabled == (i == n - 1)
        if slide["key"] == "headline":
            for label, value, change in expected["kpis"]:
                assert all(html.escape(t) in body for t in (label, value, change))
        if i < n - 1:
            at.button(key="slide_next").click().run()
    at.button(key="slide_prev").click().run()
    assert html.escape(expected["slides"][-2]["title"]) in bodies(at)
    at.button(key="slide_exit").click().run()
    assert at.title[0].value == "会议汇报" and at.button(key="meeting_start")


def test_since_choice_and_first_report(monkeypatch, db):
    at = go(run_app(monkeypatch, db), "pages/meeting.py")
    at.selectbox(key="meeting_since").set_value(dt.date(2026, 11, 13)).run()
    expected = twin(db, "--as-of", "2026-11-27", "--since", "2026-11-13")
    listed = [shown(m) for m in at.markdown if m.value[:1].isdigit()]
    assert listed[3] == f"4. **本周变化**：{expected['slides'][3]['message']}"
    assert expected["slides"][3]["message"].startswith("与2026年11月13日相比")
    at.selectbox(key="meeting_as_of").set_value(dt.date(2026, 8, 7)).run()
    assert not at.exception
    assert "这是第一期台账，没有更早的台账可比较，全部问题算作新交办。" in [c.value for c in at.caption]


def test_the_presented_deck_stays_frozen(monkeypatch, db, tmp_path):
    at = go(run_app(monkeypatch, db), "pages/meeting.py")
    at.button(key="meeting_start").click().run()
    at.button(key="slide_next").click().run()
    before = bodies(at)
    assert "交办问题467项" in before
    rows = [["NEW-1", "新发现的问题", "市容环境组", "2026-12-20", "未整改", None]]
    con = dp.connect(str(db))
    try:
        dp.ingest_file(con, L.write_xlsx(tmp_path / "new.xlsx", L.flat_rows(
            ["问题编号", "问题描述", "责任单位", "整改时限", "整改情况", "完成时间"], rows, "填报日期：2026年12月4日")))
    finally:
        con.close()
    at.run()
    assert "交办问题467项" in bodies(at) and "数据截至2026年11月27日" in at.markdown[-1].value
    at.button(key="slide_exit").click().run()
    assert at.selectbox(key="meeting_as_of").options[0] == "2026年12月4日"


def test_ledger_text_stays_text(monkeypatch, tmp_path):
    db = tmp_path / "hostile.duckdb"
    evil = "<b>粗体</b>**组**"
    con = dp.connect(str(db))
    try:
        rows = [[f"X{i}", "<script>alert(1)</script>", evil, "2026-03-01", "未整改", None] for i in range(6)]
        dp.ingest_file(con, L.write_xlsx(tmp_path / "a.xlsx", L.flat_rows(
            ["问题编号", "问题描述", "责任单位", "整改时限", "整改情况", "完成时间"], rows, "填报日期：2026年3月6日")))
    finally:
        con.close()
    at = go(run_app(monkeypatch, db, no_sample=True), "pages/meeting.py")
    assert "\\<b\\>" in "".join(m.value for m in at.markdown)
    at.button(key="meeting_start").click().run()
    seen = []
    while True:
        body = bodies(at)
        assert "<b>粗体</b>" not in body and "<script>alert" not in body
        seen.append(body)
        if at.button(key="slide_next").disabled:
            break
        at.button(key="slide_next").click().run()
    assert html.escape(evil) in "".join(seen) and "&lt;script&gt;alert(1)&lt;/script&gt;" in "".join(seen)
