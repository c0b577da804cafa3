"""本周变化 (``figures.changes``) and the 红榜/黑榜 rules it shares with the standing
(``campaign.standing``: threshold and rank rules, runs on each list, escalation), with
exact values on a hand-built history.

History (groups 甲 A1-A5, 乙 B1-B6, 丙 C1-C2; d = 整改时限, done = 完成时间):
- 2026-03-06: A1 已整改 d 03-05 done 03-04; A2 未整改 d 03-04; A3 未整改 d 03-10; A4 已整改
  d 03-10 done 03-05; A5 整改中 d 03-20; B1 已整改 d 03-01 done 02-28; B2 已整改 d 03-01
  done 03-03; B3 已整改 d 03-10 done 03-02; B4 已整改, no deadline; B5 未整改 d 03-05;
  C1 未整改 d 03-30.
- 2026-03-13: A3 已整改 done 03-12; A4 未整改 again (回头看: reopened); B5 已整改 done 03-09;
  B6 new 未整改 d 03-12; C2 new 已整改 d 03-12 done 03-11. Others unchanged.
- 2026-03-20: A2 已整改 done 03-18; A4 已整改 done 03-15; B6 已整改 done 03-14; C1 已整改
  done 03-19. Others unchanged.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from data_pipeline import figures, ingest_file, labels, metrics
from data_pipeline.campaign import settings as c
from data_pipeline.campaign import standing as cs
from data_pipeline.metrics import Filters
from tests import ledgers as L

D = dt.date
W1, W2, W3 = D(2026, 3, 6), D(2026, 3, 13), D(2026, 3, 20)
HEADER = ["问题编号", "问题描述", "责任单位", "整改时限", "整改情况", "完成时间"]


def row(key, status, due, done=None):
    group = {"A": "甲", "B": "乙", "C": "丙"}[key[0]]
    return [key, f"{group}的问题{key}", group, due, status, done]


FIXED = [row("A1", "已整改", D(2026, 3, 5), D(2026, 3, 4)), row("B1", "已整改", D(2026, 3, 1), D(2026, 2, 28)),
         row("B2", "已整改", D(2026, 3, 1), D(2026, 3, 3)), row("B3", "已整改", D(2026, 3, 10), D(2026, 3, 2)),
         row("B4", "已整改", None), row("A5", "整改中", D(2026, 3, 20))]
WEEKS = {
    "2026年3月6日": FIXED + [row("A2", "未整改", D(2026, 3, 4)), row("A3", "未整改", D(2026, 3, 10)),
                          row("A4", "已整改", D(2026, 3, 10), D(2026, 3, 5)), row("B5", "未整改", D(2026, 3, 5)),
                          row("C1", "未整改", D(2026, 3, 30))],
    "2026年3月13日": FIXED + [row("A2", "未整改", D(2026, 3, 4)), row("A3", "已整改", D(2026, 3, 10), D(2026, 3, 12)),
                           row("A4", "未整改", D(2026, 3, 10)), row("B5", "已整改", D(2026, 3, 5), D(2026, 3, 9)),
                           row("B6", "未整改", D(2026, 3, 12)), row("C1", "未整改", D(2026, 3, 30)),
                           row("C2", "已整改", D(2026, 3, 12), D(2026, 3, 11))],
    "2026年3月20日": FIXED + [row("A2", "已整改", D(2026, 3, 4), D(2026, 3, 18)),
                           row("A3", "已整改", D(2026, 3, 10), D(2026, 3, 12)),
                           row("A4", "已整改", D(2026, 3, 10), D(2026, 3, 15)),
                           row("B5", "已整改", D(2026, 3, 5), D(2026, 3, 9)),
                           row("B6", "已整改", D(2026, 3, 12), D(2026, 3, 14)),
                           row("C1", "已整改", D(2026, 3, 30), D(2026, 3, 19)),
                           row("C2", "已整改", D(2026, 3, 12), D(2026, 3, 11))],
}


@pytest.fixture
def history(tmp_path, con):
    for i, (report, rows) in enumerate(WEEKS.items()):
        ingest_file(con, L.write_xlsx(tmp_path / f"w{i}.xlsx", L.flat_rows(HEADER, rows, f"填报日期：{report}")))
    return con


def settings(**kw) -> c.CampaignSettings:
    return c.CampaignSettings(**kw)


def table(fig, *columns) -> list[list]:
    return fig.table[list(columns)].values.tolist()


MOVES = ("new_items", "newly_done", "newly_overdue", "reopened", "still_overdue")


# ---------------------------------------------------------------- transitions


def test_changes_since_the_previous_report(history):
    fig = figures.changes(history, W2, settings=settings())
    assert (fig.as_of, fig.since) == (W2, W1)
    assert table(fig, "group_name", "is_total", "items", "done", "overdue", *MOVES) == [
        ["丙", False, 2, 1, 0, 1, 1, 0, 0, 0],
        ["乙", False, 6, 5, 1, 1, 1, 1, 0, 0],
        ["甲", False, 5, 2, 2, 0, 1, 1, 1, 1],
        ["合计", True, 13, 8, 3, 2, 3, 2, 1, 1],
    ]


def test_rate_changes_in_points_and_none_when_a_side_has_no_rate(history):
    fig = figures.changes(history, W2, settings=settings())
    assert table(fig, "completion_rate", "completion_rate_since", "completion_rate_change") == [
        [0.5, 0.0, 0.5], [5 / 6, 0.8, 5 / 6 - 0.8], [0.4, 0.4, 0.0], [8 / 13, 6 / 11, 8 / 13 - 6 / 11]]
    # 丙 had no item past its deadline or done on 03-06: no 按期整改率 then.
    assert table(fig, "on_time_rate", "on_time_rate_since", "on_time_rate_change") == [
        [1.0, None, None], [0.5, 0.6, 0.5 - 0.6], [0.25, 2 / 3, 0.25 - 2 / 3], [5 / 11, 0.625, 5 / 11 - 0.625]]
    assert [labels.rate_change(v) for v in fig.table["on_time_rate_change"]] == [
        "—", "-10.0个百分点", "-41.7个百分点", "-17.0个百分点"]


def test_identities_hold_against_the_counts(history):
    for as_of, since in ((W2, W1), (W3, W2), (W3, W1)):
        fig = figures.changes(history, as_of, since, settings())
        now, then = (figures.summary(history, d, settings())["totals"] for d in (as_of, since))
        total = fig.table.iloc[-1]
        assert total["items"] == then["items"] + total["new_items"]
        assert total["done"] == then["done"] + total["newly_done"] - total["reopened"]
        assert now["overdue"] == total["newly_overdue"] + total["still_overdue"]


def test_reopened_counts_items_done_at_since_and_not_done_now(history):
    # A4: done on 03-06, not done on 03-13 (reopened), done again on 03-20.
    assert figures.changes(history, W2, settings=settings()).table.set_index("group_name").at["甲", "reopened"] == 1
    w3 = figures.changes(history, W3, settings=settings()).table.set_index("group_name")
    assert w3.loc["甲", list(MOVES)].tolist() == [0, 2, 0, 0, 0]      # A2 and A4 done again
    # 03-06 -> 03-20: A4 is done at both dates, so it is neither newly done nor reopened.
    long = figures.changes(history, W3, W1, settings()).table.set_index("group_name")
    assert long.loc["甲", list(MOVES)].tolist() == [0, 2, 0, 0, 0]    # A2, A3
    assert long.loc["合计", list(MOVES)].tolist() == [2, 6, 0, 0, 0]


def test_first_report_compares_with_nothing(history):
    fig = figures.changes(history, W1, settings=settings())
    assert fig.since is None
    assert table(fig, "group_name", *MOVES, "completion_rate_change", "rank_since") == [
        ["丙", 1, 0, 0, 0, 0, None, None], ["乙", 5, 4, 1, 0, 0, None, None], ["甲", 5, 2, 1, 0, 0, None, None],
        ["合计", 11, 6, 2, 0, 0, None, None]]


def test_dates_are_taken_at_report_dates(history):
    between = figures.changes(history, D(2026, 3, 16), D(2026, 3, 8), settings())
    assert (between.as_of, between.since) == (W2, W1)
    assert figures.to_json(between) == figures.to_json(figures.changes(history, W2, W1, settings()))
    assert figures.changes(history, D(2026, 3, 1), settings=settings()).table.empty
    with pytest.raises(ValueError, match="^比较的台账日期（2026年3月13日）应早于截至日期（2026年3月13日）$"):
        figures.changes(history, D(2026, 3, 16), W2, settings())


def test_changes_filtered_by_group(history):
    fig = figures.changes(history, W2, settings=settings(), filters=Filters.of(["甲"]))
    assert table(fig, "group_name", *MOVES, "rank") == [["甲", 0, 1, 1, 1, 1, 1], ["合计", 0, 1, 1, 1, 1, None]]


def test_transitions_query(history):
    assert metrics.transitions(history, W1, W2).values.tolist() == [
        ["丙", 1, 1, 0, 0, 0], ["乙", 1, 1, 1, 0, 0], ["甲", 0, 1, 1, 1, 1]]
    assert metrics.transitions(history, None, W1)["new_items"].tolist() == [1, 5, 5]


# ---------------------------------------------------------------- ranks, lists, runs, escalation


def test_ranks_runs_and_escalation_with_the_threshold_rule(history):
    fig = figures.changes(history, W2, settings=settings())
    assert table(fig, "group_name", "rank", "rank_since", "rank_change", "board", "warning_streak", "honour_streak",
                 "escalation") == [
        ["丙", None, None, None, "不排名", 0, 0, ""],
        ["乙", 1, 1, 0, "黑榜", 2, 0, "约谈"],
        ["甲", 2, 2, 0, "黑榜", 2, 0, "约谈"],
        ["合计", None, None, None, "", None, None, ""]]
    assert fig.escalated == ["甲", "乙"]            # same run: worst rate first
    w3 = figures.changes(history, W3, settings=settings())
    assert table(w3, "group_name", "board", "warning_streak", "honour_streak", "escalation") == [
        ["丙", "不排名", 0, 0, ""], ["乙", "红榜", 0, 1, ""], ["甲", "黑榜", 3, 0, "问责"], ["合计", "", None, None, ""]]
    assert w3.escalated == ["甲"]


def test_ranks_and_runs_with_the_rank_rule(history):
    s = settings(badge_rule="rank", badge_top_n=1, badge_bottom_n=1, min_items_to_rank=1)
    fig = figures.changes(history, W3, settings=s)
    # 03-13: 乙 5/6, 丙 1/2, 甲 2/5; 03-20: 乙 and 丙 100% (tied first), 甲 80%.
    assert table(fig, "group_name", "rank", "rank_since", "rank_change", "board", "warning_streak",
                 "honour_streak", "escalation") == [
        ["丙", 1, 2, 1, "红榜", 0, 1, ""], ["乙", 1, 1, 0, "红榜", 0, 3, ""], ["甲", 3, 3, 0, "黑榜", 2, 0, "约谈"],
        ["合计", None, None, None, "", None, None, ""]]
    st = figures.overview(history, W3, s).standing
    assert (st.honour, st.warning, st.escalated) == (["乙", "丙"], ["甲"], ["甲"])
    # A group on the 红榜 is never on the 黑榜 too, however many places the 黑榜 has.
    wide = figures.overview(history, W3, settings(badge_rule="rank", badge_top_n=1, badge_bottom_n=3,
                                                  min_items_to_rank=1)).standing
    assert (wide.honour, wide.warning) == (["乙", "丙"], ["甲"])
    w1 = figures.overview(history, W1, s).standing
    assert (w1.honour, w1.warning) == (["乙"], ["丙"])    # 丙 0% on 03-06


def frame(rows, by_date=False):
    cols = (["as_of"] if by_date else []) + ["group_name", "items", "completion_rate"]
    return pd.DataFrame(rows, columns=cols)


@pytest.mark.parametrize("rule, top, bottom, boards, ranks", [
    ("threshold", 3, 3, ["红榜", "红榜", "", "黑榜", "黑榜", "不排名"], [1, 1, 3, 4, 4, None]),
    ("rank", 1, 1, ["红榜", "红榜", "", "黑榜", "黑榜", "不排名"], [1, 1, 3, 4, 4, None]),
    ("rank", 2, 1, ["红榜", "红榜", "", "黑榜", "黑榜", "不排名"], [1, 1, 3, 4, 4, None]),
    ("rank", 3, 3, ["红榜", "红榜", "红榜", "黑榜", "黑榜", "不排名"], [1, 1, 3, 4, 4, None]),
    ("rank", 0, 0, ["", "", "", "", "", "不排名"], [1, 1, 3, 4, 4, None]),
])
def test_board_rules(rule, top, bottom, boards, ranks):
    df = frame([["a", 10, 0.95], ["b", 20, 0.95], ["c", 10, 0.88], ["d", 10, 0.5], ["e", 10, 0.5], ["f", 2, 1.0]])
    got = cs.boards(df, settings(badge_rule=rule, badge_top_n=top, badge_bottom_n=bottom))
    assert got["board"].tolist() == boards
    assert got["rank"].tolist() == ranks
    assert got["ranked"].tolist() == [True] * 5 + [False]


def test_streaks_count_back_from_the_last_report_and_break_on_a_gap():
    d1, d2, d3, d4 = (D(2026, 3, d) for d in (6, 13, 20, 27))
    history = frame([[d1, "x", 10, 0.5], [d2, "x", 10, 0.88], [d3, "x", 10, 0.5], [d4, "x", 10, 0.6],
                     [d2, "y", 10, 0.5], [d3, "y", 10, 0.5], [d4, "y", 10, 0.5],
                     [d1, "z", 10, 0.5], [d2, "z", 2, 0.5], [d3, "z", 10, 0.95], [d4, "z", 10, 0.95],
                     [d1, "w", 10, 0.5], [d2, "w", 10, 0.5], [d4, "w", 10, 0.5]], by_date=True)
    got = cs.streaks(history, settings())
    assert got.values.tolist() == [["w", 1, 0], ["x", 2, 0], ["y", 3, 0], ["z", 0, 2]]


@pytest.mark.parametrize("streak, steps, action", [
    (0, c.DEFAULT_ESCALATION, ""), (1, c.DEFAULT_ESCALATION, "通报批评"), (2, c.DEFAULT_ESCALATION, "约谈"),
    (3, c.DEFAULT_ESCALATION, "问责"), (9, c.DEFAULT_ESCALATION, "问责"),
    (1, [c.Escalation(4, "问责"), c.Escalation(2, "约谈")], ""), (3, [c.Escalation(4, "问责"), c.Escalation(2, "约谈")], "约谈"),
    (5, [], ""),
])
def test_escalation_for(streak, steps, action):
    assert cs.escalation_for(streak, steps) == action


def test_custom_escalation(history):
    s = settings(escalation=[c.Escalation(2, "书面检查"), c.Escalation(3, "约谈主要负责人")])
    fig = figures.changes(history, W3, settings=s)
    assert dict(zip(fig.table["group_name"], fig.table["escalation"])) == {
        "丙": "", "乙": "", "甲": "约谈主要负责人", "合计": ""}
    assert figures.changes(history, W1, settings=s).escalated == []


def test_board_rules_in_words():
    assert cs.board_rules(settings()) == ("整改率达到90%及以上", "整改率低于85%")
    assert cs.board_rules(settings(badge_rule="rank", badge_top_n=2, badge_bottom_n=1)) == (
        "整改率前2名（含并列）", "整改率后1名（含并列，已上红榜的除外）")


@pytest.mark.parametrize("value, shown", [(2, "上升2位"), (-1, "下降1位"), (0, "持平"), (None, "—")])
def test_rank_change_label(value, shown):
    assert labels.rank_change(value) == shown


def test_escalation_steps_label():
    assert labels.escalation_steps(c.DEFAULT_ESCALATION) == "连续1期：通报批评；连续2期：约谈；连续3期及以上：问责"
    assert labels.escalation_steps([c.Escalation(4, "问责"), c.Escalation(2, "约谈")]) == \
        "连续2–3期：约谈；连续4期及以上：问责"
    assert (labels.streak(3), labels.streak(0)) == ("连续3期", "—")


def test_changes_are_plain_json(history):
    import json
    data = figures.to_json(figures.changes(history, W2, settings=settings()))
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["since"] == "2026-03-06" and data["table"][-1]["group_name"] == "合计"


# ---------------------------------------------------------------- the 设置 page


def test_settings_page_stores_the_rank_rule_escalation_and_forecast_lines(monkeypatch, sample_db, tmp_path):
    import shutil

    import data_pipeline as dp
    from tests.apphelp import go, login, run_app
    path = tmp_path / "campaign.duckdb"
    shutil.copy(sample_db, path)
    at = go(login(run_app(monkeypatch, path)), "pages/settings.py")
    assert at.selectbox(key="set_badge_rule").value == "threshold"
    assert at.selectbox(key="set_badge_rule").options == ["按整改率线", "按名次"]
    at.selectbox(key="set_badge_rule").set_value("rank")
    at.number_input(key="set_top_n").set_value(2)
    at.number_input(key="set_bottom_n").set_value(1)
    at.number_input(key="set_forecast_green").set_value(90.0)
    at.number_input(key="set_forecast_yellow").set_value(60.0)
    at.form_submit_button[0].click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.success[0].value == "设置已保存，各页面已按新设置显示。"
    con = dp.connect(path, read_only=True)
    try:
        s = dp.load_settings(con)
    finally:
        con.close()
    assert (s.badge_rule, s.badge_top_n, s.badge_bottom_n, s.forecast_green, s.forecast_yellow) == (
        "rank", 2, 1, 0.9, 0.6)
    assert s.escalation == c.DEFAULT_ESCALATION
    at.number_input(key="set_forecast_yellow").set_value(95.0)
    at.form_submit_button[0].click().run()
    assert at.error[0].value == "**设置未保存：**\n- 进度预测黄色线（95%）不能高于绿色线（90%）"


@pytest.mark.parametrize("delta,table,card,words", [
    (0.0, "持平", "持平", "持平"),
    (0.00004, "持平", "持平", "持平"),          # shows as 0.0 points: no change, not "+0.0个百分点"
    (-0.00049, "持平", "持平", "持平"),
    (0.0005, "+0.1个百分点", "+0.1个百分点", "提高0.1个百分点"),
    (-0.012, "-1.2个百分点", "-1.2个百分点", "下降1.2个百分点"),
    (None, "—", None, None),
])
def test_a_rate_change_that_rounds_to_nothing_reads_as_unchanged(delta, table, card, words):
    assert labels.rate_change(delta) == table
    assert labels.change("completion_rate", delta) == card
    assert labels.change_words("on_time_rate", delta) == words
