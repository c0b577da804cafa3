"""进度预测 (``figures.forecast``, ``campaign.forecast``) on histories built by hand where the
answer is known.

Ledgers (no deadlines), weekly on 03-06, 03-13, 03-20:
- 甲: 50 problems, 0 / 10 / 20 done: closes 10 a week, nothing new; 30 open on 03-20;
- 乙: 10, 15, 20 problems, 0 / 5 / 10 done: 5 new and 5 done a week; 10 open throughout;
- in total: 5 new and 15 done a week, 40 open on 03-20: done in exactly 4 weeks.
"""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from data_pipeline import figures, ingest_file, labels
from data_pipeline.campaign import forecast as cf
from data_pipeline.campaign import settings as c
from data_pipeline.metrics import Filters
from tests import ledgers as L

D = dt.date
W1, W2, W3 = D(2026, 3, 6), D(2026, 3, 13), D(2026, 3, 20)
HEADER = ["问题编号", "问题描述", "责任单位", "整改情况"]


def rows(group: str, prefix: str, items: int, done: int) -> list[list]:
    return [[f"{prefix}{i:03d}", f"{group}问题{i}", group, "已整改" if i <= done else "未整改"]
            for i in range(1, items + 1)]


@pytest.fixture
def history(tmp_path, con):
    for report, (a_done, b_items, b_done) in (("2026年3月6日", (0, 10, 0)), ("2026年3月13日", (10, 15, 5)),
                                              ("2026年3月20日", (20, 20, 10))):
        data = rows("甲", "A", 50, a_done) + rows("乙", "B", b_items, b_done)
        ingest_file(con, L.write_xlsx(tmp_path / f"{report}.xlsx", L.flat_rows(HEADER, data, f"填报日期：{report}")))
    return con


def evaluation_from(start: dt.date) -> c.CampaignSettings:
    return c.CampaignSettings(phases=[c.Phase("实施阶段", D(2026, 3, 1), start - dt.timedelta(days=1)),
                                      c.Phase("评估阶段", start, start + dt.timedelta(days=30))])


COLUMNS = ["group_name", "open", "weekly_new", "weekly_closed", "weekly_net", "outlook", "probability", "light",
           "p50", "p85", "reason"]


def test_known_answers_when_evaluation_starts_later(history):
    fig = figures.forecast(history, W3, evaluation_from(W3 + dt.timedelta(days=29)))
    assert (fig.as_of, fig.intervals, fig.runs, fig.horizon_weeks) == (W3, 2, 2000, 104)
    assert fig.method == "按最近2次台账间隔的每周新增与整改数随机抽样模拟2000次，估计各工作组全部整改完成的日期。"
    assert fig.table[COLUMNS].values.tolist() == [
        ["乙", 10, 5.0, 5.0, 0.0, "not_shrinking", 0.0, "红", None, None, ""],
        ["甲", 30, 0.0, 10.0, 10.0, "forecast", 1.0, "绿", W3 + dt.timedelta(days=21), W3 + dt.timedelta(days=21), ""],
        ["合计", 40, 5.0, 15.0, 10.0, "forecast", 1.0, "绿", W3 + dt.timedelta(days=28), W3 + dt.timedelta(days=28),
         ""]]
    assert fig.table["outlook_label"].tolist() == ["积压未减少", "预计可完成", "预计可完成"]
    assert fig.table["is_total"].tolist() == [False, False, True]


@pytest.mark.parametrize("days_after, p_group, p_total", [
    (22, 1.0, 0.0),    # 甲 done on day 21, before the start; the total on day 28
    (21, 0.0, 0.0),    # done on the day 评估 starts: not before it
    (14, 0.0, 0.0),
    (28, 1.0, 0.0),
    (29, 1.0, 1.0),
])
def test_probability_is_the_share_finishing_before_evaluation(history, days_after, p_group, p_total):
    t = figures.forecast(history, W3, evaluation_from(W3 + dt.timedelta(days=days_after))).table.set_index("group_name")
    assert (t.at["甲", "probability"], t.at["合计", "probability"]) == (p_group, p_total)
    assert t.at["甲", "p50"] == t.at["甲", "p85"] == W3 + dt.timedelta(days=21)


def test_without_an_evaluation_phase_the_dates_are_still_given(history):
    t = figures.forecast(history, W3, c.CampaignSettings()).table
    assert t[["group_name", "probability", "light", "p50", "reason"]].values.tolist() == [
        ["乙", None, None, None, "未设置评估阶段"], ["甲", None, None, W3 + dt.timedelta(days=21), "未设置评估阶段"],
        ["合计", None, None, W3 + dt.timedelta(days=28), "未设置评估阶段"]]
    started = figures.forecast(history, W3, evaluation_from(W3)).table
    assert started["reason"].tolist() == ["评估阶段已开始"] * 3
    assert started["probability"].tolist() == [None] * 3


def test_two_reports_are_not_enough(history):
    fig = figures.forecast(history, W2, evaluation_from(D(2026, 4, 30)))
    assert fig.method == "台账少于3期，无法预测"     # nothing simulated: no "最近1次台账间隔" sentence
    t = fig.table
    assert t[["group_name", "open", "outlook", "outlook_label", "probability", "p50", "reason"]].values.tolist() == [
        ["乙", 10, "insufficient", "数据不足", None, None, "台账少于3期，无法预测"],
        ["甲", 40, "insufficient", "数据不足", None, None, "台账少于3期，无法预测"],
        ["合计", 50, "insufficient", "数据不足", None, None, "台账少于3期，无法预测"]]
    assert figures.forecast(history, D(2026, 3, 1), c.CampaignSettings()).table["outlook"].tolist() == ["insufficient"]


def test_as_of_is_taken_at_the_report_date_and_filters_apply(history):
    s = evaluation_from(D(2026, 5, 1))
    assert figures.to_json(figures.forecast(history, D(2026, 3, 25), s)) == figures.to_json(figures.forecast(history, W3, s))
    only = figures.forecast(history, W3, s, Filters.of(["甲"])).table
    assert only[["group_name", "open", "p50"]].values.tolist() == [
        ["甲", 30, W3 + dt.timedelta(days=21)], ["合计", 30, W3 + dt.timedelta(days=21)]]


def series(*points) -> pd.DataFrame:
    """A ``metrics.series(by_group=True)`` frame: (date, group, items, done[, long_term])."""
    return pd.DataFrame([(*p, 0) if len(p) == 4 else p for p in points],
                        columns=["as_of", "group_name", "items", "done", "long_term"])


def test_intervals_of_any_length_count_as_weeks():
    d0 = D(2026, 1, 2)
    h = series((d0, "g", 50, 0), (d0 + dt.timedelta(days=14), "g", 50, 20), (d0 + dt.timedelta(days=28), "g", 50, 40))
    t = cf.forecast(h, d0 + dt.timedelta(days=28), ["g"], c.CampaignSettings()).table
    assert t.loc[0, ["weekly_closed", "weekly_net", "p50", "p85"]].tolist() == [
        10.0, 10.0, d0 + dt.timedelta(days=35), d0 + dt.timedelta(days=35)]


def test_only_the_recent_intervals_count_and_long_term_items_are_not_open():
    dates = [D(2026, 1, 2) + dt.timedelta(days=7 * i) for i in range(11)]
    done = [0, 50, 90] + [90] * 8                      # fast at first, then nothing for 8 weeks
    h = series(*[(d, "g", 100, n, 5 if i >= 2 else 0) for i, (d, n) in enumerate(zip(dates, done))])
    fig = cf.forecast(h, dates[-1], ["g"], c.CampaignSettings())
    assert fig.intervals == 8
    assert fig.table.loc[0, ["open", "weekly_closed", "outlook", "p50"]].tolist() == [5, 0.0, "not_shrinking", None]


def test_all_done_already():
    d = [D(2026, 1, 2) + dt.timedelta(days=7 * i) for i in range(3)]
    t = cf.forecast(series((d[0], "g", 4, 2), (d[1], "g", 4, 3), (d[2], "g", 4, 4)), d[2], ["g"],
                    evaluation_from(D(2026, 2, 1))).table
    assert t.loc[0, ["open", "outlook", "outlook_label", "probability", "light", "p50", "p85"]].tolist() == [
        0, "done", "已全部整改", 1.0, "绿", d[2], d[2]]


def test_too_slow_to_finish_within_two_years():
    dates = [D(2026, 1, 2) + dt.timedelta(days=7 * i) for i in range(9)]
    done = [0, 1, 1, 1, 1, 1, 1, 1, 1]               # one closed in eight weeks
    t = cf.forecast(series(*[(d, "g", 31, n) for d, n in zip(dates, done)]), dates[-1], ["g"],
                    evaluation_from(D(2026, 6, 1))).table
    assert t.loc[0, ["open", "outlook", "probability", "light", "p50", "p85"]].tolist() == [
        30, "forecast", 0.0, "红", None, None]
    assert labels.forecast_day(None, "forecast") == "两年内难以完成"
    assert labels.forecast_day(None, "not_shrinking") == "积压未减少"


def varied() -> pd.DataFrame:
    dates = [D(2026, 1, 2) + dt.timedelta(days=7 * i) for i in range(9)]
    items = [60, 64, 70, 71, 78, 80, 85, 86, 90]
    done = [0, 6, 9, 17, 20, 29, 31, 40, 44]
    return series(*[(d, g, n, k) for d, n, k in zip(dates, items, done) for g in ("g", "h")])


def test_same_seed_same_answer_and_groups_are_independent():
    h, as_of = varied(), D(2026, 2, 27)
    s = evaluation_from(D(2026, 8, 28))   # about the mean finish (46 open, 1.75 fewer a week)
    one = cf.forecast(h, as_of, ["g", "h"], s, seed=7)
    assert figures.to_json(one) == figures.to_json(cf.forecast(h, as_of, ["g", "h"], s, seed=7))
    alone = cf.forecast(h[h["group_name"] == "g"], as_of, ["g"], s, seed=7).table
    assert alone.iloc[0].tolist() == one.table.iloc[0].tolist()
    # g and h have the same history but draw from their own streams: the answers differ.
    assert one.table.loc[0, "probability"] != one.table.loc[1, "probability"]
    probs = {cf.forecast(h, as_of, ["g"], s, seed=seed).table.loc[0, "probability"] for seed in (1, 2, 3)}
    assert len(probs) > 1 and all(0.0 < p < 1.0 for p in probs)


@pytest.mark.parametrize("p, light", [(0.85, "绿"), (0.849, "黄"), (0.5, "黄"), (0.49, "红"), (0.0, "红")])
def test_lights_follow_the_settings(p, light):
    assert cf._light(p, c.CampaignSettings()) == light
    assert cf._light(0.6, c.CampaignSettings(forecast_green=0.6, forecast_yellow=0.3)) == "绿"


@pytest.mark.parametrize("weeks, q, want", [
    ([3, 3, 3, 3], 0.5, 3), ([1, 2, 3, 4], 0.5, 2), ([1, 2, 3, 4], 0.85, 4), ([1, -1, -1, -1], 0.5, None),
    ([1, 2, -1, -1], 0.5, 2), ([1, 2, -1, -1], 0.85, None)])
def test_quantile_week(weeks, q, want):
    import numpy as np
    assert cf._quantile_week(np.array(weeks), q) == want


def test_forecast_is_plain_json(history):
    data = figures.to_json(figures.forecast(history, W3, evaluation_from(D(2026, 4, 30))))
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["evaluation"] == {"name": "评估阶段", "start": "2026-04-30", "end": "2026-05-30"}
