"""Campaign settings and the dashboard's figures (``data_pipeline.figures``, built by the
pure ``data_pipeline.campaign`` modules), with exact values on a small hand-built history
and on the sample campaign.

History (groups 甲 A1-A5, 乙 B1-B6, 丙 C1-C2; categories 道路设施 for A and C1, 市容秩序
for B, none for C2; grids 东城 for A, 西城 for B):
- 2026-03-06: A1 已整改 (assigned 03-02, due 03-05, done 03-04); A2 未整改 (03-02, due
  03-05); A3 整改中 (03-03, due 03-08); B1 已整改 (03-01, due 03-04, done 03-03); B2 已整改
  (03-01, due 03-04, done 03-05); B3 长期整改 (03-04, 长期); C1 未整改 (03-05, due 03-20).
- 2026-03-13: A2 已整改 done 03-12; A4 new 未整改 (03-11, due 03-12); B4 new 已整改 (03-12,
  due 03-19, done 03-13); B5 new 整改中 (03-12, due 03-15); C2 new 已整改, no assigned
  date, due 03-14, no completion date. Others unchanged.
- 2026-03-20: A3 已整改 done 03-18; A5 new 未整改 (03-19, due 03-25); B5 已整改 done 03-16;
  B6 new 已整改 (03-20, 立行立改, done 03-20). Others unchanged.
"""
from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest

import data_pipeline as dp
from data_pipeline import figures, ingest_file, metrics
from data_pipeline.campaign import items as ci
from data_pipeline.campaign import phases as cp
from data_pipeline.campaign import readiness as cr
from data_pipeline.campaign import settings as c
from data_pipeline.campaign import standing as cs
from data_pipeline.labels import KPI_KEYS
from data_pipeline.metrics import Filters
from tests import ledgers as L

D = dt.date
HEADER = ["问题编号", "问题描述", "点位", "网格", "问题类别", "责任单位", "责任人", "交办日期", "整改时限", "整改情况", "完成时间"]
ROAD, CITY = "道路设施", "市容秩序"
PHASES = [c.Phase("准备阶段", D(2026, 3, 1), D(2026, 3, 10)), c.Phase("实施阶段", D(2026, 3, 11), D(2026, 3, 20)),
          c.Phase("评估阶段", D(2026, 3, 21), D(2026, 3, 31))]
W1, W2, W3 = D(2026, 3, 6), D(2026, 3, 13), D(2026, 3, 20)


def a(n, status, assigned, due, done=None):
    return [f"A{n}", f"甲问题{n}", f"人民路{n}号", "东城", ROAD, "甲", "张三", assigned, due, status, done]


def b(n, status, assigned, due, done=None):
    return [f"B{n}", f"乙问题{n}", f"中山路{n}号", "西城", CITY, "乙", "李四", assigned, due, status, done]


def c1(status):
    return ["C1", "丙问题1", "解放路1号", None, ROAD, "丙", "王五", D(2026, 3, 5), D(2026, 3, 20), status, None]


C2 = ["C2", "丙问题2", "解放路2号", None, None, "丙", "王五", None, D(2026, 3, 14), "已整改", None]
A1 = a(1, "已整改", D(2026, 3, 2), D(2026, 3, 5), D(2026, 3, 4))
B1 = b(1, "已整改", D(2026, 3, 1), D(2026, 3, 4), D(2026, 3, 3))
B2 = b(2, "已整改", D(2026, 3, 1), D(2026, 3, 4), D(2026, 3, 5))
B3 = b(3, "长期整改", D(2026, 3, 4), "长期")
B4 = b(4, "已整改", D(2026, 3, 12), D(2026, 3, 19), D(2026, 3, 13))
A4 = a(4, "未整改", D(2026, 3, 11), D(2026, 3, 12))
WEEKS = {
    "w1.xlsx": ("2026年3月6日", [A1, a(2, "未整改", D(2026, 3, 2), D(2026, 3, 5)),
                              a(3, "整改中", D(2026, 3, 3), D(2026, 3, 8)), B1, B2, B3, c1("未整改")]),
    "w2.xlsx": ("2026年3月13日", [A1, a(2, "已整改", D(2026, 3, 2), D(2026, 3, 5), D(2026, 3, 12)),
                               a(3, "整改中", D(2026, 3, 3), D(2026, 3, 8)), A4, B1, B2, B3, B4,
                               b(5, "整改中", D(2026, 3, 12), D(2026, 3, 15)), c1("未整改"), C2]),
    "w3.xlsx": ("2026年3月20日", [A1, a(2, "已整改", D(2026, 3, 2), D(2026, 3, 5), D(2026, 3, 12)),
                               a(3, "已整改", D(2026, 3, 3), D(2026, 3, 8), D(2026, 3, 18)), A4,
                               a(5, "未整改", D(2026, 3, 19), D(2026, 3, 25)), B1, B2, B3, B4,
                               b(5, "已整改", D(2026, 3, 12), D(2026, 3, 15), D(2026, 3, 16)),
                               b(6, "已整改", D(2026, 3, 20), "立行立改", D(2026, 3, 20)), c1("未整改"), C2]),
}


def write_history(con, directory):
    for name, (report, rows) in WEEKS.items():
        ingest_file(con, L.write_xlsx(directory / name, L.flat_rows(HEADER, rows, f"填报日期：{report}")))
    return con


@pytest.fixture
def history(tmp_path, con):
    return write_history(con, tmp_path)


@pytest.fixture
def read_sample(sample_db):
    connection = dp.connect(sample_db, read_only=True)
    yield connection
    connection.close()


def settings(**kw) -> c.CampaignSettings:
    return c.CampaignSettings(**{"phases": PHASES, **kw})


def overview(con, day, s=None, groups=None, categories=None):
    return figures.overview(con, day, s or settings(), Filters.of(groups, categories))


def items_at(con, day, groups=None):
    return metrics.items_at(con, day, filters=Filters.of(groups), due_soon_days=3)


# ---------------------------------------------------------------- settings

def test_every_setting_has_a_chinese_label_and_help():
    help_ = c.setting_help()
    assert list(help_) == ["name", "phases", "honour_rate", "warning_rate", "due_soon_days", "min_items_to_rank",
                           "red_overdue_share", "yellow_overdue_share", "group_order", "badge_rule", "badge_top_n",
                           "badge_bottom_n", "escalation", "forecast_green", "forecast_yellow"]
    for key, (label, text) in help_.items():
        assert label and text, key
        assert any("\u4e00" <= ch <= "\u9fff" for ch in label + text), key


def test_generic_defaults_without_sample_data(history):
    assert c.load_settings(history) == c.CampaignSettings()
    assert c.CampaignSettings() == c.CampaignSettings(
        name="创建全国文明城市", phases=[], honour_rate=0.90, warning_rate=0.85, due_soon_days=3,
        min_items_to_rank=5, red_overdue_share=0.20, yellow_overdue_share=0.10, group_order=[],
        badge_rule="threshold", badge_top_n=3, badge_bottom_n=3,
        escalation=[c.Escalation(1, "通报批评"), c.Escalation(2, "约谈"), c.Escalation(3, "问责")],
        forecast_green=0.85, forecast_yellow=0.5)


def test_sample_settings_come_from_the_sample_campaign(read_sample):
    from sample_data.generate import GROUPS, PHASES as SAMPLE_PHASES
    s = c.load_settings(read_sample)
    assert s.name == "临江区创建全国文明城市（示例）"
    assert s.phases == [c.Phase(*p) for p in SAMPLE_PHASES]
    assert s.group_order == GROUPS


def test_sample_settings_leave_with_the_sample_when_real_data_is_added(sample_db, tmp_path):
    """The first real ledger replaces the sample, and its settings the office has not
    changed (``ingest``)."""
    path = tmp_path / "mixed.duckdb"
    shutil.copy(sample_db, path)
    con = dp.connect(path)
    try:
        ingest_file(con, L.write_xlsx(tmp_path / "w1.xlsx", L.flat_rows(HEADER, WEEKS["w1.xlsx"][1],
                                                                          "填报日期：2026年3月6日")))
        assert c.load_settings(con) == c.CampaignSettings()
        assert dp.report_dates(con) == [W1]
    finally:
        con.close()


def test_save_and_load_round_trip_and_bumps_data_version(history, db_path):
    new = settings(name="  临江区创城 ", honour_rate=0.92, warning_rate=0.8, due_soon_days=5, min_items_to_rank=3,
                   red_overdue_share=0.25, yellow_overdue_share=0.05, group_order=["乙", "甲"])
    before = dp.data_version(history)
    assert c.save_settings(history, new) == []
    assert dp.data_version(history) == before + 1
    history.close()
    ro = dp.connect(db_path, read_only=True)
    try:
        assert c.load_settings(ro) == settings(name="临江区创城", honour_rate=0.92, warning_rate=0.8, due_soon_days=5,
                                               min_items_to_rank=3, red_overdue_share=0.25,
                                               yellow_overdue_share=0.05, group_order=["乙", "甲"])
    finally:
        ro.close()


def test_badge_escalation_and_forecast_settings_round_trip(history, db_path):
    """The 红黑榜 rule, its 名额, the escalation steps (stored trimmed, by count) and the
    forecast lines are stored and read back; the audit log says what changed."""
    new = settings(badge_rule="rank", badge_top_n=2, badge_bottom_n=1,
                   escalation=[c.Escalation(3, " 问责 "), c.Escalation(1, "通报批评")],
                   forecast_green=0.9, forecast_yellow=0.6)
    assert c.save_settings(history, new, dp.audit.Actor("王主任", "创城办")) == []
    detail = history.execute("SELECT detail FROM audit_log ORDER BY logged_at DESC LIMIT 1").fetchone()[0]
    history.close()
    ro = dp.connect(db_path, read_only=True)
    try:
        got = c.load_settings(ro)
    finally:
        ro.close()
    assert (got.badge_rule, got.badge_top_n, got.badge_bottom_n, got.forecast_green, got.forecast_yellow) == (
        "rank", 2, 1, 0.9, 0.6)
    assert got.escalation == [c.Escalation(1, "通报批评"), c.Escalation(3, "问责")]
    assert got == settings(badge_rule="rank", badge_top_n=2, badge_bottom_n=1,
                           escalation=[c.Escalation(1, "通报批评"), c.Escalation(3, "问责")],
                           forecast_green=0.9, forecast_yellow=0.6)
    assert detail.endswith("红黑榜规则：按整改率线 → 按名次；红榜名额（按名次时）：3 → 2；黑榜名额（按名次时）：3 → 1；"
                           "连续上黑榜的督办措施：连续1期：通报批评；连续2期：约谈；连续3期及以上：问责 → "
                           "连续1–2期：通报批评；连续3期及以上：问责；进度预测绿色线（概率）：85% → 90%；"
                           "进度预测黄色线（概率）：50% → 60%")


def test_invalid_settings_are_not_stored(history):
    before = dp.data_version(history)
    bad = settings(honour_rate=1.2)
    assert c.save_settings(history, bad) == ["红榜线（整改率）应在0%到100%之间"]
    assert dp.data_version(history) == before
    assert c.load_settings(history) == c.CampaignSettings()


@pytest.mark.parametrize("change, errors", [
    ({"name": " "}, ["看板名称不能为空"]),
    ({"phases": [c.Phase("准备阶段", D(2026, 3, 1), D(2026, 3, 12)), c.Phase("实施阶段", D(2026, 3, 11), D(2026, 3, 20))]},
     ["阶段“准备阶段”（2026年3月1日至2026年3月12日）与“实施阶段”（2026年3月11日至2026年3月20日）时间重叠"]),
    ({"phases": [c.Phase("准备阶段", D(2026, 3, 1), D(2026, 3, 10)), c.Phase("实施阶段", D(2026, 3, 10), D(2026, 3, 20))]},
     ["阶段“准备阶段”（2026年3月1日至2026年3月10日）与“实施阶段”（2026年3月10日至2026年3月20日）时间重叠"]),
    ({"phases": [c.Phase("评估阶段", D(2026, 3, 31), D(2026, 3, 21))]},
     ["阶段“评估阶段”的开始日期（2026年3月31日）晚于结束日期（2026年3月21日）"]),
    ({"phases": [c.Phase("", D(2026, 3, 1), D(2026, 3, 2)), c.Phase("甲", D(2026, 3, 3), None)]},
     ["第1个阶段缺少名称", "阶段“甲”缺少开始或结束日期"]),
    ({"phases": [c.Phase("甲", D(2026, 3, 1), D(2026, 3, 2)), c.Phase("甲", D(2026, 3, 3), D(2026, 3, 4))]},
     ["阶段名称“甲”重复"]),
    ({"warning_rate": -0.01, "red_overdue_share": 1.5},
     ["黑榜线（整改率）应在0%到100%之间", "红牌超期占比应在0%到100%之间"]),
    ({"honour_rate": 0.8, "warning_rate": 0.85}, ["黑榜线（85%）不能高于红榜线（80%）"]),
    ({"yellow_overdue_share": 0.3}, ["黄牌超期占比（30%）不能高于红牌超期占比（20%）"]),
    ({"due_soon_days": -1, "min_items_to_rank": -2},
     ["临期天数应为0到365之间的整数", "参与排名的最少交办数应为不小于0的整数"]),
    ({"group_order": ["甲", "乙", "甲"]}, ["工作组显示顺序中有重复的工作组"]),
    ({"honour_rate": 1.0, "warning_rate": 0.0, "due_soon_days": 0, "min_items_to_rank": 0}, []),
    ({"badge_rule": "best"}, ["红黑榜规则应为“按整改率线”或“按名次”"]),
    ({"badge_top_n": -1, "badge_bottom_n": 2.5},
     ["红榜名额（按名次时）应为0到1000之间的整数", "黑榜名额（按名次时）应为0到1000之间的整数"]),
    ({"escalation": [c.Escalation(0, "约谈"), c.Escalation(2, " "), c.Escalation(2, "问责")]},
     ["第1项督办措施的连续上黑榜期数应为不小于1的整数", "第2项督办措施缺少措施名称", "连续上黑榜2期的督办措施重复"]),
    ({"forecast_green": 1.5}, ["进度预测绿色线（概率）应在0%到100%之间"]),
    ({"forecast_green": 0.4, "forecast_yellow": 0.5}, ["进度预测黄色线（50%）不能高于绿色线（40%）"]),
    ({"badge_rule": "rank", "badge_top_n": 0, "badge_bottom_n": 1000, "escalation": []}, []),
])
def test_validation_messages(change, errors):
    assert c.validate_settings(settings(**change)) == errors


# ---------------------------------------------------------------- phases

@pytest.mark.parametrize("day, current, days_left, nxt, days_to_next", [
    (D(2026, 2, 27), None, None, "准备阶段", 2),
    (D(2026, 3, 1), "准备阶段", 9, "实施阶段", 10),
    (D(2026, 3, 10), "准备阶段", 0, "实施阶段", 1),
    (D(2026, 3, 11), "实施阶段", 9, "评估阶段", 10),
    (D(2026, 3, 31), "评估阶段", 0, None, None),
    (D(2026, 4, 2), None, None, None, None),
])
def test_phase_info(day, current, days_left, nxt, days_to_next):
    info = figures.phase(settings(), day)
    assert (info.current.name if info.current else None, info.days_left,
            info.next.name if info.next else None, info.days_to_next) == (current, days_left, nxt, days_to_next)
    assert figures.phase(c.CampaignSettings(), day).any_phases is False


def test_evaluation_phase():
    assert cp.evaluation_phase(PHASES).name == "评估阶段"
    assert cp.evaluation_phase([PHASES[1], PHASES[0]]).name == "实施阶段"
    assert cp.evaluation_phase([c.Phase("迎检评估", D(2026, 1, 1), D(2026, 1, 2)), PHASES[1]]).name == "迎检评估"
    assert cp.evaluation_phase([]) is None


# ---------------------------------------------------------------- KPIs and groups

def test_kpis_with_changes_since_the_previous_report(history):
    k = overview(history, W3).kpis
    assert k.values == {"items": 13, "done": 9, "overdue": 1, "due_soon": 1, "long_term": 1,
                        "completion_rate": 9 / 13, "on_time_rate": 0.5}
    assert k.previous_date == W2
    assert k.previous == {"items": 11, "done": 6, "overdue": 2, "due_soon": 1, "long_term": 1,
                          "completion_rate": 6 / 11, "on_time_rate": 0.5}
    assert k.deltas == {"items": 2, "done": 3, "completion_rate": 9 / 13 - 6 / 11, "overdue": -1, "due_soon": 0,
                        "on_time_rate": 0.0}
    assert k.values == dp.summary(history, W3)["totals"]


def test_kpis_of_the_first_report_have_no_change(history):
    k = overview(history, W1).kpis
    assert (k.previous_date, k.previous) == (None, None)
    assert k.deltas == dict.fromkeys(KPI_KEYS)
    assert k.values == {"items": 7, "done": 3, "overdue": 1, "due_soon": 1, "long_term": 1,
                        "completion_rate": 3 / 7, "on_time_rate": 0.5}


def test_kpis_filtered_by_group_and_before_any_report(history):
    k = overview(history, W3, groups=["甲"]).kpis
    assert (k.values["items"], k.values["done"], k.values["overdue"]) == (5, 3, 1)
    assert k.deltas["items"] == 1 and k.deltas["done"] == 1
    empty = overview(history, D(2026, 3, 1)).kpis
    assert empty.values["items"] == 0 and empty.values["completion_rate"] is None
    assert empty.previous_date is None


def test_kpis_between_reports_compare_with_the_last_report_before(history):
    k = overview(history, D(2026, 3, 16)).kpis
    assert k.previous_date == W2
    assert (k.values["items"], k.values["overdue"]) == (11, 3)   # B5 (due 03-15) is overdue on 03-16
    assert k.deltas["overdue"] == 1


def test_standing_with_default_thresholds(history):
    st = overview(history, W3).standing
    assert st.table[["group_name", "items", "done", "overdue", "ranked", "board", "card", "reason"]].values.tolist() == [
        ["丙", 2, 1, 0, False, "不排名", "红牌", "整改率50.0%，低于黑榜线85%"],
        ["乙", 6, 5, 0, True, "黑榜", "红牌", "整改率83.3%，低于黑榜线85%"],
        ["甲", 5, 3, 1, True, "黑榜", "红牌", "整改率60.0%，低于黑榜线85%"],
    ]
    assert st.table["overdue_share"].tolist() == [0.0, 0.0, 0.2]
    assert (st.honour, st.warning, st.unranked) == ([], ["甲", "乙"], ["丙"])
    # Ranked from 5 items on: 乙 (5 items on 03-13, 60%) on the 黑榜 twice, 甲 (5 items on
    # 03-20) once; the longest run comes first.
    assert st.table[["group_name", "rank", "warning_streak", "honour_streak", "escalation"]].values.tolist() == [
        ["丙", None, 0, 0, ""], ["乙", 1, 2, 0, "约谈"], ["甲", 2, 1, 0, "通报批评"]]
    assert st.escalated == ["乙", "甲"]
    assert overview(history, W2).standing.table["escalation"].tolist() == ["", "通报批评", ""]


def test_standing_with_own_thresholds_and_order(history):
    s = settings(honour_rate=0.8, warning_rate=0.7, min_items_to_rank=2, group_order=["甲", "乙"])
    st = overview(history, W3, s).standing
    assert st.table[["group_name", "board", "card"]].values.tolist() == [
        ["甲", "黑榜", "红牌"], ["乙", "红榜", "绿牌"], ["丙", "黑榜", "红牌"]]
    assert (st.honour, st.warning, st.unranked) == (["乙"], ["丙", "甲"], [])
    assert overview(history, W3, s, groups=["乙"]).standing.honour == ["乙"]
    assert overview(history, D(2026, 3, 1), s).standing.table.empty


@pytest.mark.parametrize("rate, share, card, reason", [
    (0.84, 0.0, "红牌", "整改率84.0%，低于黑榜线85%"),
    (0.95, 0.25, "红牌", "超期占比25.0%，高于20%"),
    (0.5, 0.3, "红牌", "整改率50.0%，低于黑榜线85%；超期占比30.0%，高于20%"),
    (0.85, 0.0, "黄牌", "整改率85.0%，低于红榜线90%"),
    (0.95, 0.2, "黄牌", "超期占比20.0%，高于10%"),
    (0.9, 0.1, "绿牌", "整改率90.0%，超期占比10.0%"),
    (1.0, None, "绿牌", "整改率100.0%，超期占比0.0%"),
    (None, None, "绿牌", "暂无交办问题"),
])
def test_group_card_rules(rate, share, card, reason):
    assert cs.group_card(rate, share, c.CampaignSettings()) == (card, reason)


def test_order_groups():
    assert cs.order_groups(["甲", "乙", "丙", "丁"], ["乙", "戊", "甲"]) == ["乙", "甲", "丁", "丙"]


def test_filter_options(history):
    assert figures.filter_options(history, c.CampaignSettings()) == (["丙", "乙", "甲"], ["", "市容秩序", "道路设施"])
    assert figures.filter_options(history, settings(group_order=["甲", "乙"]))[0] == ["甲", "乙", "丙"]


def test_summary_uses_the_stored_settings(history):
    """The CLI's summary counts with the stored 临期天数 and lists groups in the stored order."""
    assert [g["group"] for g in dp.summary(history, W3)["groups"]] == ["丙", "乙", "甲"]
    assert dp.summary(history, W2)["totals"]["due_soon"] == 1
    assert c.save_settings(history, settings(due_soon_days=7, group_order=["甲", "乙"])) == []
    assert [g["group"] for g in dp.summary(history, W3)["groups"]] == ["甲", "乙", "丙"]
    assert dp.summary(history, W2)["totals"]["due_soon"] == 2


# ---------------------------------------------------------------- readiness

@pytest.mark.parametrize("done, items, target, n", [
    (9, 13, 0.9, 3), (27, 30, 0.9, 0), (26, 30, 0.9, 1), (0, 0, 0.9, 0), (0, 3, 1.0, 3), (5, 10, 0.5, 0),
    (1, 3, 0.9, 2), (85, 100, 0.85, 0), (84, 100, 0.85, 1),
])
def test_items_to_target(done, items, target, n):
    assert cr.items_to_target(done, items, target) == n


def test_readiness_at_risk(history):
    r = overview(history, W3).readiness
    # shortfall 0.9 x 7 - 3 = 3.3 on 03-06, 0.9 x 13 - 9 = 2.7 on 03-20: 0.6 in 14 days
    assert (r.evaluation.name, r.days_to_evaluation, r.items, r.done, r.gap, r.verdict) == (
        "评估阶段", 1, 13, 9, 3, "at_risk")
    assert r.weekly_pace == pytest.approx(0.3)
    assert r.weeks_needed == pytest.approx(10.0)


def test_readiness_on_track(history):
    phases = [PHASES[0], PHASES[1], c.Phase("评估阶段", D(2026, 4, 1), D(2026, 4, 30))]
    r = overview(history, W3, settings(phases=phases, honour_rate=0.7, warning_rate=0.6)).readiness
    # gap 1; shortfall 0.7 x 7 - 3 = 1.9 -> 0.7 x 13 - 9 = 0.1: 0.9 a week; 12 days to go
    assert (r.gap, r.days_to_evaluation, r.verdict) == (1, 12, "on_track")
    assert r.weekly_pace == pytest.approx(0.9)
    assert r.weeks_needed == pytest.approx(1 / 0.9)


@pytest.mark.parametrize("change, as_of, verdict, gap", [
    ({"honour_rate": 0.6, "warning_rate": 0.5}, W3, "reached", 0),
    ({"phases": []}, W3, "no_phase", 3),
    ({"phases": [c.Phase("评估阶段", D(2026, 3, 15), D(2026, 3, 31))]}, W3, "behind", 3),
    ({}, D(2026, 3, 1), "no_data", 0),
])
def test_readiness_verdicts(history, change, as_of, verdict, gap):
    r = overview(history, as_of, settings(**change)).readiness
    assert (r.verdict, r.gap) == (verdict, gap)


def test_readiness_pace_needs_two_reports(history):
    r = overview(history, W1).readiness
    assert (r.weekly_pace, r.weeks_needed, r.gap, r.verdict) == (None, None, 4, "at_risk")


def test_pace_date():
    dates = [D(2026, 1, d) for d in (2, 9, 16, 23, 30)] + [D(2026, 2, 6)]
    assert cr.pace_date(dates, D(2026, 2, 6)) == D(2026, 1, 9)       # four report intervals back
    assert cr.pace_date(dates, D(2026, 1, 20)) == D(2026, 1, 2)      # fewer: the first report
    assert cr.pace_date(dates, D(2026, 1, 5)) is None


# ---------------------------------------------------------------- item lists

def test_overdue_and_due_soon_lists(history):
    fig = figures.overdue(history, W2, settings())
    assert fig.overdue[["item_id", "group_name", "assignee", "days_overdue", "status_label"]].values.tolist() == [
        ["A3", "甲", "张三", 5, "整改中"], ["A4", "甲", "张三", 1, "未整改"]]
    assert [pd.Timestamp(d).date() for d in fig.overdue["deadline"]] == [D(2026, 3, 8), D(2026, 3, 12)]
    assert figures.overdue(history, W2, settings(), min_days=2).overdue["item_id"].tolist() == ["A3"]
    assert figures.overdue(history, W2, settings(), min_days=6).overdue.empty
    assert fig.due_soon[["item_id", "status_label"]].values.tolist() == [["B5", "整改中"]]
    later = figures.overdue(history, W3, settings())
    assert later.overdue[["item_id", "days_overdue"]].values.tolist() == [["A4", 8]]
    assert later.due_soon["item_id"].tolist() == ["C1"]
    assert figures.overdue(history, W3, settings(), Filters.of(["乙"])).overdue.empty


def test_overdue_profile(history):
    p = overview(history, W2).overdue
    assert (p.count, p.max_days, p.oldest_deadline) == (2, 5, D(2026, 3, 8))
    assert p.buckets == [("超期1–7天", 2), ("超期8–30天", 0), ("超期30天以上", 0)]
    none = overview(history, D(2026, 3, 1)).overdue
    assert (none.count, none.max_days, none.oldest_deadline) == (0, None, None)
    assert none.buckets == [("超期1–7天", 0), ("超期8–30天", 0), ("超期30天以上", 0)]
    assert overview(history, W3).overdue.buckets == [("超期1–7天", 0), ("超期8–30天", 1), ("超期30天以上", 0)]


def test_breakdown_by_category_and_grid(history):
    by_cat = ci.breakdown(metrics.breakdown(history, W3, "category", due_soon_days=3), "category")
    assert by_cat[["category", "items", "done", "not_done", "overdue", "due_soon"]].values.tolist() == [
        ["市容秩序", 6, 5, 1, 0, 0], ["道路设施", 6, 3, 3, 1, 1], ["未填写", 1, 1, 0, 0, 0]]
    assert by_cat["completion_rate"].tolist() == [5 / 6, 0.5, 1.0]
    by_grid = ci.breakdown(metrics.breakdown(history, W3, "grid", due_soon_days=3), "grid")
    assert by_grid[["grid", "items", "done"]].values.tolist() == [["西城", 6, 5], ["东城", 5, 3], ["未填写", 2, 1]]
    assert ci.breakdown(metrics.breakdown(history, D(2026, 3, 1), "grid", due_soon_days=3), "grid").empty


def test_group_figures(history):
    fig = figures.group(history, W3, "甲", settings())
    assert (fig.kpis.values["items"], fig.kpis.values["done"], fig.kpis.deltas["done"]) == (5, 3, 1)
    assert fig.series[["as_of", "items", "done"]].values.tolist() == [[W1, 3, 1], [W2, 4, 2], [W3, 5, 3]]
    assert fig.items["item_id"].tolist() == ["A4", "A1", "A2", "A3", "A5"]   # most days overdue, then deadline
    assert fig.place == "grid"
    assert fig.by_category[["category", "items"]].values.tolist() == [["道路设施", 5]]
    assert fig.by_place[["grid", "items", "done"]].values.tolist() == [["东城", 5, 3]]
    third = figures.group(history, W3, "丙", settings())
    assert third.place == "location"
    assert third.by_place["location"].tolist() == ["解放路1号", "解放路2号"]


def test_search_items(history):
    items = ci.labelled(items_at(history, W3))
    assert sorted(figures.find_items(items, "东城  未整改")["item_id"]) == ["A4", "A5"]
    assert figures.find_items(items, "b6")["item_id"].tolist() == ["B6"]
    assert len(figures.find_items(items, "")) == 13
    assert figures.find_items(items, "不存在的词").empty
    assert sorted(figures.find_items(items, "", ["长期整改", "整改中"])["item_id"]) == ["B3"]


def test_labelled_uses_the_status_labels(history):
    labels = ci.labelled(items_at(history, W3)).set_index("item_id")["status_label"]
    assert (labels["A1"], labels["A5"], labels["B3"]) == ("已整改", "未整改", "长期整改")


def test_trend_stops_at_the_as_of_date(history):
    t = figures.trend(history, W2, settings()).series
    assert t[["as_of", "items", "done", "overdue"]].values.tolist() == [[W1, 7, 3, 1], [W2, 11, 6, 2]]
    by_group = figures.trend(history, W2, settings(group_order=["乙"]))
    assert by_group.groups == ["乙", "丙", "甲"]
    assert by_group.by_group[["as_of", "group_name", "items"]].values.tolist() == [
        [W1, "丙", 1, ], [W1, "乙", 3], [W1, "甲", 3], [W2, "丙", 2], [W2, "乙", 5], [W2, "甲", 4]]


# ---------------------------------------------------------------- per phase

def phase_table(con, day, phases, **filters):
    return figures.trend(con, day, settings(phases=phases), Filters.of(**filters)).phases


def test_phase_table(history):
    t = phase_table(history, W3, PHASES)
    assert t.values.tolist() == [
        ["准备阶段", D(2026, 3, 1), D(2026, 3, 10), "已结束", 7, 3, 5, 5 / 7],
        ["实施阶段", D(2026, 3, 11), D(2026, 3, 20), "进行中", 6, 6, 4, 4 / 6],
        ["评估阶段", D(2026, 3, 21), D(2026, 3, 31), "未开始", 0, 0, 0, None],
    ]


def test_phase_table_counts_dates_outside_phases(history):
    t = phase_table(history, W3, [PHASES[1]])
    assert t.values.tolist() == [
        ["实施阶段", D(2026, 3, 11), D(2026, 3, 20), "进行中", 6, 6, 4, 4 / 6],
        ["阶段外", None, None, "", 7, 3, 5, 5 / 7],
    ]


def test_phase_table_as_of_an_earlier_report_and_filtered(history):
    # As of 03-13: C2 has no 交办日期 and first appears on 03-13 (实施); its done date
    # is that report's date (no completion date).
    t = phase_table(history, W2, PHASES, groups=["丙"])
    assert t[["phase", "state", "assigned", "done", "assigned_done"]].values.tolist() == [
        ["准备阶段", "已结束", 1, 0, 0], ["实施阶段", "进行中", 1, 1, 1], ["评估阶段", "未开始", 0, 0, 0]]
    assert phase_table(history, D(2026, 3, 1), PHASES)["assigned"].tolist() == [0, 0, 0]
    assert phase_table(history, W3, []).empty


# ---------------------------------------------------------------- the sample campaign

LATEST = D(2026, 11, 27)


def test_sample_kpis_equal_the_summary(read_sample):
    k = figures.overview(read_sample, LATEST, c.load_settings(read_sample)).kpis
    assert k.values == dp.summary(read_sample, LATEST)["totals"]
    prev = dp.summary(read_sample, D(2026, 11, 20))["totals"]
    assert k.previous_date == D(2026, 11, 20)
    assert k.deltas == {key: k.values[key] - prev[key] for key in KPI_KEYS}
    assert (k.values["items"], k.values["done"], k.values["overdue"]) == (467, 404, 45)


def test_sample_standing(read_sample):
    s = c.load_settings(read_sample)
    st = figures.overview(read_sample, LATEST, s).standing
    assert st.honour == ["宣传氛围营造组", "市容环境组"]
    assert st.warning == ["道路维修及路灯项目整改组", "其他项目推进整改组"]
    assert st.unranked == []
    assert dict(zip(st.table["group_name"], st.table["card"])) == {
        "工地围挡绿化整改组": "黄牌", "道路维修及路灯项目整改组": "红牌", "市容环境组": "绿牌", "交通秩序组": "黄牌",
        "其他项目推进整改组": "红牌", "宣传氛围营造组": "绿牌"}
    assert list(st.table["group_name"]) == s.group_order
    by_group = {g["group"]: g for g in dp.summary(read_sample, LATEST)["groups"]}
    for _, row in st.table.iterrows():
        assert row["items"] == by_group[row["group_name"]]["items"]
        assert row["completion_rate"] == by_group[row["group_name"]]["completion_rate"]


def test_sample_lists_match_the_metrics(read_sample):
    s = c.load_settings(read_sample)
    totals = dp.summary(read_sample, LATEST)["totals"]
    fig = figures.overdue(read_sample, LATEST, s)
    assert len(fig.overdue) == totals["overdue"] == 45
    assert fig.overdue["days_overdue"].is_monotonic_decreasing
    assert (fig.overdue.loc[0, "item_id"], fig.overdue.loc[0, "days_overdue"]) == ("QT-002", 92)
    assert len(fig.due_soon) == totals["due_soon"]
    by_cat = metrics.breakdown(read_sample, LATEST, "category", due_soon_days=3)
    assert (by_cat["items"].sum(), by_cat["done"].sum(), by_cat["overdue"].sum()) == (467, 404, 45)
    p = figures.overview(read_sample, LATEST, s).overdue
    assert (p.count, p.max_days, p.oldest_deadline) == (45, 92, D(2026, 8, 27))
    assert p.buckets == [("超期1–7天", 1), ("超期8–30天", 18), ("超期30天以上", 26)]


def test_sample_phase_table(read_sample):
    t = figures.trend(read_sample, LATEST, c.load_settings(read_sample)).phases
    assert t[["phase", "state", "assigned", "done", "assigned_done"]].values.tolist() == [
        ["准备阶段", "已结束", 66, 30, 61], ["实施阶段", "已结束", 381, 310, 333], ["评估阶段", "进行中", 20, 64, 10]]
    # every sample item is assigned, and done, inside a phase
    assert t["assigned"].sum() == 467 and t["done"].sum() == t["assigned_done"].sum() == 404


def test_sample_readiness(read_sample):
    s = c.load_settings(read_sample)
    r = figures.overview(read_sample, LATEST, s).readiness
    assert (r.verdict, r.gap, r.items, r.done, r.days_to_evaluation) == ("behind", 17, 467, 404, None)
    r = figures.overview(read_sample, D(2026, 10, 2), s).readiness
    assert (r.verdict, r.days_to_evaluation) == ("at_risk", 30)


def test_sample_series(read_sample):
    series = figures.trend(read_sample, LATEST, c.load_settings(read_sample)).series
    assert len(series) == 17
    for day in dp.report_dates(read_sample)[::4]:
        want = dp.summary(read_sample, day)["totals"]
        row = series[series["as_of"] == day].iloc[0]
        assert {k: row[k] for k in ("items", "done", "overdue", "long_term", "completion_rate", "on_time_rate")} == \
            {k: want[k] for k in ("items", "done", "overdue", "long_term", "completion_rate", "on_time_rate")}


def test_data_pipeline_never_imports_streamlit():
    import ast
    from pathlib import Path
    for path in sorted(Path(dp.__file__).parent.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] == "streamlit" for n in names), path.name


def test_figures_are_plain_json(history):
    import json
    for fig in (overview(history, W3), figures.group(history, W3, "甲", settings()),
                figures.overdue(history, W3, settings()), figures.trend(history, W3, settings())):
        data = figures.to_json(fig)
        assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert figures.to_json(overview(history, W3))["kpis"]["values"] == dp.summary(history, W3)["totals"]
