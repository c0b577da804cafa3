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


# A field absent from a file's layout is not a blank: the item keeps its last value.
FULL = ["问题编号", "问题描述", "具体点位", "问题类别", "责任单位", "责任人", "整改时限", "整改情况"]
ABSENT_WEEKS = [
    ("f1.xlsx", "2026年3月6日", FULL, [["1", "a", "东街", ROAD, "甲", "张三", D(2026, 3, 5), "未整改"],
                                       ["2", "b", "西街", CITY, "甲", "李四", D(2026, 3, 20), "未整改"]]),
    # no 点位/类别/责任人/时限 columns: both items keep them
    ("f2.xlsx", "2026年3月13日", ["问题编号", "问题描述", "责任单位", "整改情况"],
     [["1", "a", "甲", "整改中"], ["2", "b", "甲", "整改中"], ["3", "c", "甲", "未整改"]]),
    # 责任人 present but empty for item 1: cleared; 类别 still absent: kept
    ("f3.xlsx", "2026年3月20日", ["问题编号", "问题描述", "责任单位", "责任人", "整改情况"],
     [["1", "a", "甲", None, "整改中"], ["2", "b", "甲", "王五", "整改中"]]),
]
ABSENT_COLUMNS = ["item_id", "location", "category", "assignee", "deadline"]


def _absent_history(con, tmp_path, order=(0, 1, 2)):
    batches = {}
    for i in order:
        name, report, header, rows = ABSENT_WEEKS[i]
        path = L.write_xlsx(tmp_path / name, L.flat_rows(header, rows, f"填报日期：{report}"))
        batches[name] = ingest_file(con, path).batch_id
    return batches


def _states(con, day):
    df = metrics.items_at(con, day, due_soon_days=3)[ABSENT_COLUMNS].sort_values("item_id").astype(object)
    return df.where(df.notna(), None).values.tolist()


def _inherited(con):
    return con.execute("SELECT batch_id, row_no, location, category, assignee, deadline, deadline_text "
                       "FROM item_states ORDER BY ALL").fetchall()


def _inherited_recomputed(con):
    """The filled-in columns computed from scratch: absent cells emptied, then refreshed."""
    con.execute("BEGIN")
    try:
        for c in ("location", "category", "assignee", "deadline", "deadline_text"):
            con.execute(f"UPDATE item_states SET {c} = NULL WHERE list_contains(absent_fields, '{c}')")
        validity.refresh_all(con)
        return _inherited(con)
    finally:
        con.execute("ROLLBACK")


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 2, 0)])
def test_absent_field_keeps_the_last_value(tmp_path, order):
    con = dp.connect(tmp_path / "absent.duckdb")
    _absent_history(con, tmp_path, order)
    assert _states(con, D(2026, 3, 6)) == [["1", "东街", ROAD, "张三", D(2026, 3, 5)],
                                           ["2", "西街", CITY, "李四", D(2026, 3, 20)]]
    assert _states(con, D(2026, 3, 13)) == [["1", "东街", ROAD, "张三", D(2026, 3, 5)],
                                            ["2", "西街", CITY, "李四", D(2026, 3, 20)],
                                            ["3", None, None, None, None]]     # new: nothing to keep
    assert _states(con, D(2026, 3, 20)) == [["1", "东街", ROAD, None, D(2026, 3, 5)],
                                            ["2", "西街", CITY, "王五", D(2026, 3, 20)],
                                            ["3", None, None, None, None]]
    assert _inherited(con) == _inherited_recomputed(con)
    # counts follow: item 1 stays overdue and in its category
    assert totals(con, D(2026, 3, 13))["overdue"] == 1
    assert totals(con, D(2026, 3, 13), categories=[ROAD])["items"] == 1
    con.close()


def test_absent_field_after_removing_the_batch_it_came_from(tmp_path, con):
    batches = _absent_history(con, tmp_path)
    dp.remove_batch(con, batches["f1.xlsx"])
    assert _states(con, D(2026, 3, 13)) == [["1", None, None, None, None], ["2", None, None, None, None],
                                            ["3", None, None, None, None]]
    assert _inherited(con) == _inherited_recomputed(con)
    ingest_file(con, tmp_path / "f1.xlsx")
    assert _states(con, D(2026, 3, 20))[1] == ["2", "西街", CITY, "王五", D(2026, 3, 20)]


def test_same_date_file_without_columns_keeps_them(tmp_path, sample_db):
    """The sample's latest ledger again as a CSV of the same date without 类别/责任人/点位:
    the overdue list and the category counts stay as they were."""
    import shutil
    path = tmp_path / "s.duckdb"
    shutil.copy(sample_db, path)
    con = dp.connect(path)
    latest = dp.latest_report_date(con)
    before = metrics.items_at(con, latest, due_soon_days=3)
    by_category = metrics.breakdown(con, latest, "category", due_soon_days=3)
    from data_pipeline.labels import STATUS_LABELS
    rows = [[r.item_id, r.description, r.group_name,
             r.status_text if isinstance(r.status_text, str) else STATUS_LABELS[r.status]]
            for r in before.itertuples() if r.item_id]
    csv = L.write_csv(tmp_path / f"复核{latest:%Y%m%d}.csv", [["问题编号", "问题描述", "责任单位", "整改情况"], *rows])
    ingest_file(con, csv, report_date=latest, sample=True)   # (a real file would replace the sample)
    after = metrics.items_at(con, latest, due_soon_days=3)
    keep = ["item_key", "category", "assignee", "location", "deadline"]
    assert after[keep].sort_values("item_key").values.tolist() == before[keep].sort_values("item_key").values.tolist()
    assert metrics.breakdown(con, latest, "category", due_soon_days=3).equals(by_category)
    con.close()
