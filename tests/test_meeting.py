"""The meeting deck (``data_pipeline.meeting``): slides, messages and table cells with
exact values on the hand-built history of ``tests/test_changes.py`` (13 items in groups
甲 (5), 乙 (6), 丙 (2, too few to rank) over 2026-03-06/13/20), paging of long tables,
the frozen date, and the ``slides --json`` twin.

Worked by hand from that history:
- 03-20: 13 items, 12 done (A5 整改中) = 92.3%; 03-13: 8 of 13 done = 61.5% (+30.8 pp);
  overdue 03-13: A2 (d 03-04, 9 days), A4 (d 03-10), B6 (d 03-12) = 3; 03-20: none.
- 03-13 -> 03-20: nothing new, A2, A4, B6, C1 done = 4 newly done.
- 03-06: 6 of 11 done = 54.5%.
- 黑榜 (< 85%): 甲 40%, 40%, 80% at the three dates: 3 reports in a row -> 问责;
  乙 80%, 83.3%, then 100% (红榜 at 03-20).
"""
from __future__ import annotations

import datetime as dt
import json

import pytest

from data_pipeline import ingest_file, meeting
from data_pipeline.__main__ import main
from data_pipeline.campaign.settings import load_settings
from tests import ledgers as L
from tests.test_changes import HEADER, W1, W2, W3, WEEKS

D = dt.date


@pytest.fixture
def history(tmp_path, con):
    for i, (report, rows) in enumerate(WEEKS.items()):
        ingest_file(con, L.write_xlsx(tmp_path / f"w{i}.xlsx", L.flat_rows(HEADER, rows, f"填报日期：{report}")))
    return con


def deck(con, as_of, since=None):
    return meeting.meeting(con, as_of, load_settings(con), since)


def test_slides_and_their_messages(history):
    m = deck(history, W3)
    assert (m.as_of, m.since, m.asked) == (W3, W2, W3)
    assert [(s.key, s.title) for s in m.slides] == [
        ("title", f"{m.name}工作推进情况汇报"),
        ("headline", "总体进展"), ("groups", "各工作组整改率"), ("changes", "本周变化"), ("trend", "整改进度趋势"),
        ("forecast", "进度预测"), ("overdue", "超期最久的问题"), ("escalation", "督办问责")]
    said = {s.key: s.message for s in m.slides}
    assert said["title"].startswith("截至2026年3月20日 ｜ ")
    assert said["headline"] == "交办问题13项，已整改12项，整改率92.3%（较上期+30.8个百分点）；超期0项（较上期-3）"
    assert said["groups"] == "红榜：乙；黑榜：甲"
    assert said["changes"] == ("与2026年3月13日相比：新交办0项，新整改4项，新增超期0项，整改后反弹0项；"
                               "整改率+30.8个百分点")
    assert said["trend"] == "整改率从2026年3月6日的54.5%到2026年3月20日的92.3%，共3期台账"
    assert said["overdue"] == "没有超期问题"
    assert said["escalation"] == "甲连续3期上黑榜，建议问责"


def test_table_cells(history):
    m = deck(history, W3)
    slides = {s.key: s for s in m.slides}
    headers, rows = meeting.table_cells(m, slides["changes"])
    assert headers == ["工作组", "新交办", "新整改", "新增超期", "整改后反弹", "持续超期", "整改率", "整改率变化",
                       "排名变化"]
    # No configured order: groups sorted by name (丙 U+4E19, 乙 U+4E59, 甲 U+7532).
    assert [r[:4] for r in rows] == [["丙", "0", "1", "0"], ["乙", "0", "1", "0"], ["甲", "0", "2", "0"],
                                     ["合计", "0", "4", "0"]]
    assert rows[-1][6:8] == ["92.3%", "+30.8个百分点"]
    assert meeting.table_cells(m, slides["escalation"]) == (
        ["工作组", "整改率", "连续上黑榜", "建议措施"], [["甲", "80.0%", "连续3期", "问责"]])
    assert meeting.table_cells(m, slides["overdue"]) == (["序号", "工作组", "问题描述", "点位", "整改时限", "超期天数"], [])
    assert meeting.table_cells(m, slides["title"]) == ([], [])
    assert meeting.kpi_cells(m)[:3] == [("交办总数", "13", "较上期持平"), ("已整改", "12", "较上期+4"),
                                        ("整改率", "92.3%", "较上期+30.8个百分点")]


def test_overdue_items_at_the_middle_report(history):
    m = deck(history, W2)
    said = {s.key: s.message for s in m.slides}
    assert said["overdue"] == "超期问题3项，最久的已超期9天；列出超期最久的3项"
    rows = meeting.table_cells(m, next(s for s in m.slides if s.key == "overdue"))[1]
    assert [(r[0], r[2], r[4], r[5]) for r in rows] == [
        ("1", "甲的问题A2", "2026年3月4日", "9天"), ("2", "甲的问题A4", "2026年3月10日", "3天"),
        ("3", "乙的问题B6", "2026年3月12日", "1天")]


def test_frozen_at_the_report_on_or_before_the_date(history):
    m = deck(history, D(2026, 3, 25))
    assert (m.as_of, m.asked) == (W3, D(2026, 3, 25))
    assert deck(history, D(2026, 3, 16)).as_of == W2
    with pytest.raises(meeting.NoReport, match="2026年3月1日及以前没有台账，无法生成汇报"):
        deck(history, D(2026, 3, 1))
    first = deck(history, W1)
    assert first.since is None
    assert {s.key: s.message for s in first.slides}["changes"].startswith("没有更早的台账可比较，全部问题算作新交办：新交办11项")


def test_long_tables_continue_on_more_slides(tmp_path, con):
    groups = [f"第{i:02d}组" for i in range(1, 13)]
    rows = [[f"{g}-{k}", f"{g}的问题{k}", g, D(2026, 3, 1), "未整改", None] for g in groups for k in range(2)]
    ingest_file(con, L.write_xlsx(tmp_path / "a.xlsx", L.flat_rows(HEADER, rows, "填报日期：2026年3月6日")))
    m = deck(con, D(2026, 3, 6))
    changes = [s for s in m.slides if s.key == "changes"]
    assert [(s.title, s.rows) for s in changes] == [("本周变化", (0, 10)), ("本周变化（续1）", (10, 13))]
    assert [r[0] for r in meeting.table_cells(m, changes[1])[1]] == ["第11组", "第12组", "合计"]
    overdue = [s for s in m.slides if s.key == "overdue"]
    assert [s.rows for s in overdue] == [(0, 10)] and m.overdue_count == 24
    assert [r[0] for r in meeting.table_cells(m, overdue[0])[1]] == [str(i) for i in range(1, 11)]


def test_short_description():
    assert meeting.short_description("  盲道\n被占用 ") == "盲道 被占用"
    assert meeting.short_description(None) == "—"
    long = "问" * 50
    assert meeting.short_description(long) == "问" * 39 + "…"
    assert len(meeting.short_description("问" * 40)) == 40


def test_cli_twin_prints_the_deck(history, db_path, capsys):
    history.close()
    assert main(["slides", "--db", str(db_path), "--as-of", "2026-03-20", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    import data_pipeline as dp
    con = dp.connect(str(db_path), read_only=True)
    try:
        expected = meeting.deck_json(deck(con, W3))
    finally:
        con.close()
    assert printed == expected
    assert [s["title"] for s in printed["slides"]][1:] == ["总体进展", "各工作组整改率", "本周变化", "整改进度趋势",
                                                           "进度预测", "超期最久的问题", "督办问责"]
    assert main(["slides", "--db", str(db_path), "--as-of", "2026-03-01"]) == 2
    assert capsys.readouterr().err.strip() == "失败 2026年3月1日及以前没有台账，无法生成汇报"
