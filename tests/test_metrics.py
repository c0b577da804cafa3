"""Exact metric values on a small hand-built history (data_pipeline.metrics).

History (group 甲: items 1-4, 9; group 乙: items 5-8):
- 2026-03-06: 1 未整改 due 03-05; 2 整改中 due 03-06; 3 未整改 due 03-09; 4 未整改 due 03-10;
  5 已整改 due 03-01 done 02-28; 6 已整改 due 03-01 done 03-04; 7 长期整改; 8 已整改, no deadline.
- 2026-03-13, file A: 1 已整改 (no completion date); 2 已整改 done 03-08; 9 new, 未整改 due 03-14.
- 2026-03-13, file B (same report date, ingested later): 2 整改中; 3 已整改 done 03-09.
Items 3-8 are missing from file A and keep their last known state.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

import data_pipeline as dp
from data_pipeline import ingest_file, metrics, validity
from data_pipeline.campaign.settings import CampaignSettings
from data_pipeline.metrics import Filters
from tests import ledgers as L

D = dt.date
HEADER = ["问题编号", "问题描述", "问题类别", "责任单位", "整改时限", "整改情况", "完成时间"]
ROAD, CITY = "道路设施", "市容秩序"


@pytest.fixture
def history(tmp_path, con):
    def put(name, report, rows):
        path = L.write_xlsx(tmp_path / name, L.flat_rows(HEADER, rows, f"填报日期：{report}"))
        return ingest_file(con, path)
    put("w1.xlsx", "2026年3月6日", [
        ["1", "a", ROAD, "甲", D(2026, 3, 5), "未整改", None],
        ["2", "b", ROAD, "甲", D(2026, 3, 6), "整改中", None],
        ["3", "c", ROAD, "甲", D(2026, 3, 9), "未整改", None],
        ["4", "d", ROAD, "甲", D(2026, 3, 10), "未整改", None],
        ["5", "e", CITY, "乙", D(2026, 3, 1), "已整改", D(2026, 2, 28)],
        ["6", "f", CITY, "乙", D(2026, 3, 1), "已整改", D(2026, 3, 4)],
        ["7", "g", CITY, "乙", "长期", "长期整改", None],
        ["8", "h", CITY, "乙", None, "已整改", None],
    ])
    put("w2a.xlsx", "2026年3月13日", [
        ["1", "a", ROAD, "甲", D(2026, 3, 5), "已整改", None],
        ["2", "b", ROAD, "甲", D(2026, 3, 6), "已整改", D(2026, 3, 8)],
        ["9", "i", ROAD, "甲", D(2026, 3, 14), "未整改", None],
    ])
    put("w2b.xlsx", "2026年3月13日", [
        ["2", "b", ROAD, "甲", D(2026, 3, 6), "整改中", None],
        ["3", "c", ROAD, "甲", D(2026, 3, 9), "已整改", D(2026, 3, 9)],
    ])
    return con


def totals(con, as_of, due_soon_days=3, groups=None, categories=None):
    return dp.summary(con, as_of, CampaignSettings(due_soon_days=due_soon_days), Filters.of(groups, categories))["totals"]


def test_first_week(history):
    assert dp.summary(history, D(2026, 3, 6)) == {
        "as_of": "2026-03-06",
        "totals": {"items": 8, "done": 3, "overdue": 1, "due_soon": 2, "long_term": 1,
                   "completion_rate": 0.375, "on_time_rate": 0.5},
        "groups": [
            {"group": "乙", "items": 4, "done": 3, "overdue": 0, "due_soon": 0, "long_term": 1,
             "completion_rate": 0.75, "on_time_rate": 2 / 3},
            {"group": "甲", "items": 4, "done": 0, "overdue": 1, "due_soon": 2, "long_term": 0,
             "completion_rate": 0.0, "on_time_rate": 0.0},
        ],
    }


def test_second_week_with_superseding_file_and_missing_items(history):
    assert totals(history, D(2026, 3, 13)) == {
        "items": 9, "done": 5, "overdue": 2, "due_soon": 1, "long_term": 1,
        "completion_rate": 5 / 9, "on_time_rate": 3 / 7}


def test_latest_report_date_is_the_default(history):
    assert dp.summary(history)["as_of"] == "2026-03-13"
    assert dp.summary(history) == dp.summary(history, D(2026, 3, 13))


def test_between_reports_the_last_report_holds(history):
    # Deadlines are judged against the as-of date, states against the last report.
    assert totals(history, D(2026, 3, 10)) == {
        "items": 8, "done": 3, "overdue": 3, "due_soon": 1, "long_term": 1,
        "completion_rate": 0.375, "on_time_rate": 2 / 6}


def test_before_any_report_nothing_is_known(history):
    assert dp.summary(history, D(2026, 3, 5)) == {
        "as_of": "2026-03-05", "groups": [],
        "totals": {"items": 0, "done": 0, "overdue": 0, "due_soon": 0, "long_term": 0,
                   "completion_rate": None, "on_time_rate": None}}


def test_empty_database(con):
    assert dp.summary(con) == {
        "as_of": None, "groups": [],
        "totals": {"items": 0, "done": 0, "overdue": 0, "due_soon": 0, "long_term": 0,
                   "completion_rate": None, "on_time_rate": None}}
    assert metrics.series(con).empty


def test_due_soon_threshold_is_configurable(history):
    assert totals(history, D(2026, 3, 6), due_soon_days=7)["due_soon"] == 3
    assert totals(history, D(2026, 3, 6), due_soon_days=0)["due_soon"] == 1


def test_filters(history):
    assert totals(history, D(2026, 3, 6), groups=["乙"]) == {
        "items": 4, "done": 3, "overdue": 0, "due_soon": 0, "long_term": 1,
        "completion_rate": 0.75, "on_time_rate": 2 / 3}
    assert totals(history, D(2026, 3, 13), categories=[ROAD])["items"] == 5
    assert totals(history, D(2026, 3, 13), groups=["甲"], categories=[CITY])["items"] == 0


def test_weekly_series(history):
    series = metrics.series(history)
    assert list(series.as_of) == [D(2026, 3, 6), D(2026, 3, 13)]
    assert series[["items", "done", "overdue", "long_term"]].values.tolist() == [[8, 3, 1, 1], [9, 5, 2, 1]]
    assert "due_soon" not in series     # it depends on the campaign's 临期天数: counted per date only
    assert list(series.completion_rate) == [0.375, 5 / 9]
    by_group = metrics.series(history, by_group=True)
    assert by_group[["as_of", "group_name", "items", "done"]].values.tolist() == [
        [D(2026, 3, 6), "乙", 4, 3], [D(2026, 3, 6), "甲", 4, 0],
        [D(2026, 3, 13), "乙", 4, 3], [D(2026, 3, 13), "甲", 5, 2]]
    assert metrics.series(history, D(2026, 3, 12))["as_of"].tolist() == [D(2026, 3, 6)]


def test_counts_at_several_dates_equal_counts_at_each(history):
    """One query for many dates counts exactly what it counts for each date alone."""
    dates = [D(2026, 3, 5), D(2026, 3, 6), D(2026, 3, 10), D(2026, 3, 13), D(2026, 3, 20)]
    together = metrics.counts(history, dates, by_group=True, due_soon_days=3).set_index(["as_of", "group_name"])
    for day in dates:
        alone = metrics.counts(history, [day], by_group=True, due_soon_days=3).set_index(["as_of", "group_name"])
        assert alone.equals(together.loc[together.index.get_level_values(0) == day]), day


def test_items_at_flags(history):
    items = metrics.items_at(history, D(2026, 3, 13), due_soon_days=3).set_index("item_id")
    assert items.loc[["2", "4"], "days_overdue"].tolist() == [7, 3]
    assert sorted(items.index[items.is_overdue]) == ["2", "4"]
    assert items.index[items.is_due_soon].tolist() == ["9"]
    assert items.loc["1", "done_on"] == D(2026, 3, 13)      # first report showing it done
    assert items.loc["3", "done_on"] == D(2026, 3, 9)       # its completion date
    assert sorted(items.index[items.done_on_time]) == ["3", "5", "8"]
    assert items.loc["2", "file_name"] == "w2b.xlsx"        # the later file of the same date wins
    assert items.loc["5", "file_name"] == "w1.xlsx"         # missing later: last known state
    assert metrics.items_at(history, D(2026, 3, 13), kind="overdue", due_soon_days=3)["item_id"].tolist() == ["4", "2"]
    assert metrics.items_at(history, D(2026, 3, 13), kind="due_soon", due_soon_days=3)["item_id"].tolist() == ["9"]


# ---------------------------------------------------------------- validity columns

def _validity(con):
    """Everything derived from the stored states: the validity columns, the current
    states and the counts per report date."""
    return (con.execute("SELECT batch_id, sheet, row_no, valid_until, first_seen, first_done FROM item_states "
                        "ORDER BY ALL").fetchall(),
            con.execute("SELECT * FROM current_states ORDER BY batch_id, sheet, row_no").fetchall(),
            con.execute("SELECT * FROM report_counts ORDER BY ALL").fetchall())


def _recomputed(con):
    """What ``_validity`` returns, computed from scratch, for comparison."""
    con.execute("BEGIN")
    try:
        con.execute("UPDATE item_states SET valid_until = NULL, first_seen = NULL, first_done = NULL")
        con.execute("DELETE FROM current_states")
        validity.refresh_all(con)
        metrics.store_report_counts(con, validity.EPOCH)
        return _validity(con)
    finally:
        con.execute("ROLLBACK")


def test_derived_tables_agree_with_the_states(history):
    """current_states holds the rows without successor; report_counts holds ``counts``
    at every report date."""
    assert history.execute("SELECT batch_id, sheet, row_no FROM current_states ORDER BY ALL").fetchall() == \
        history.execute("SELECT batch_id, sheet, row_no FROM item_states WHERE valid_until IS NULL ORDER BY ALL").fetchall()
    for day in dp.report_dates(history):
        want = metrics.counts(history, [day], by_group=True, due_soon_days=3)
        got = metrics.series(history, day, by_group=True)
        got = got[got["as_of"] == day].reset_index(drop=True)
        assert got[["group_name", *metrics.SERIES_KEYS]].equals(want[["group_name", *metrics.SERIES_KEYS]])


def test_validity_columns(history):
    rows = history.execute("SELECT file_name, item_id, valid_until, first_seen, first_done FROM item_states "
                           "JOIN batches USING (batch_id) ORDER BY batch_id, row_no").fetchall()
    w1, w2 = D(2026, 3, 6), D(2026, 3, 13)
    assert rows == [
        ("w1.xlsx", "1", w2, w1, None), ("w1.xlsx", "2", w2, w1, None), ("w1.xlsx", "3", w2, w1, None),
        ("w1.xlsx", "4", None, w1, None), ("w1.xlsx", "5", None, w1, w1), ("w1.xlsx", "6", None, w1, w1),
        ("w1.xlsx", "7", None, w1, None), ("w1.xlsx", "8", None, w1, w1),
        ("w2a.xlsx", "1", None, w1, w2),
        ("w2a.xlsx", "2", w2, w1, w2),          # superseded on its own report date: holds on no date
        ("w2a.xlsx", "9", None, w2, None),
        ("w2b.xlsx", "2", None, w1, w2),        # keeps the first report that showed it done (file A)
        ("w2b.xlsx", "3", None, w1, w2),
    ]
    assert _validity(history) == _recomputed(history)


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 0, 2), (0, 2, 1)])
def test_validity_does_not_depend_on_upload_order(tmp_path, order):
    """Uploading the ledgers in any order (an older week after a newer one) gives the
    same figures as uploading them in date order, and the columns equal a recompute."""
    weeks = [("w1.xlsx", "2026年3月6日", [["1", "a", ROAD, "甲", D(2026, 3, 5), "未整改", None],
                                         ["2", "b", ROAD, "甲", D(2026, 3, 6), "已整改", None]]),
             ("w2.xlsx", "2026年3月13日", [["1", "a", ROAD, "甲", D(2026, 3, 5), "已整改", None],
                                          ["2", "b", ROAD, "甲", D(2026, 3, 6), "整改中", None]]),
             ("w3.xlsx", "2026年3月20日", [["1", "a", ROAD, "甲", D(2026, 3, 5), "已整改", D(2026, 3, 18)],
                                          ["3", "c", ROAD, "甲", D(2026, 3, 25), "未整改", None]])]
    results = []
    for attempt in ("in_order", "shuffled"):
        con = dp.connect(tmp_path / f"{attempt}.duckdb")
        for i in (range(3) if attempt == "in_order" else order):
            name, report, rows = weeks[i]
            ingest_file(con, L.write_xlsx(tmp_path / name, L.flat_rows(HEADER, rows, f"填报日期：{report}")))
        assert _validity(con) == _recomputed(con)
        results.append(metrics.series(con, by_group=True).values.tolist())
        results.append([metrics.items_at(con, d, due_soon_days=3).drop(columns=["batch_id"]).values.tolist()
                        for d in (D(2026, 3, 6), D(2026, 3, 13), D(2026, 3, 20))])
        con.close()
    assert results[:2] == results[2:]


def test_removing_a_batch_returns_every_column_to_before(history, tmp_path):
    before = _validity(history)
    extra = L.write_xlsx(tmp_path / "w3.xlsx", L.flat_rows(HEADER, [
        ["1", "a", ROAD, "甲", D(2026, 3, 5), "已整改", None], ["4", "d", ROAD, "甲", D(2026, 3, 10), "已整改", None]],
        "填报日期：2026年3月20日"))
    batch = ingest_file(history, extra).batch_id
    assert _validity(history) == _recomputed(history)
    assert _validity(history) != before
    dp.remove_batch(history, batch)
    assert _validity(history) == before
    # removing a batch in the middle of the history (file A of 03-13)
    dp.remove_batch(history, 2)
    assert _validity(history) == _recomputed(history)
    assert totals(history, D(2026, 3, 13))["items"] == 8
