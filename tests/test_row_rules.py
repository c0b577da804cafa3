"""Row rules found in real use: implausible dates are flagged and stored as unknown (never
used, never a traceback), a problem whose text starts like a total is still a problem,
and headers naming one field twice (``点位/地址``) map to that field."""
from __future__ import annotations

import datetime as dt

import pytest

from data_pipeline import LedgerError, ingest_file, parse_file
from data_pipeline.layout import detect, field_for_header, find_date
from data_pipeline.normalise import normalise_sheet
from data_pipeline.read import Sheet
from data_pipeline.values import (ASSIGNED_IMPLAUSIBLE, OUT_OF_RANGE, Implausible, parse_date, parse_deadline,
                                  plausible)
from tests import ledgers as L

D = dt.date
REPORT = D(2026, 3, 6)
ASSIGNED = D(2026, 3, 1)


# ---------------------------------------------------------------- dates, value by value

@pytest.mark.parametrize("date, expected", [
    (D(1999, 12, 31), False), (D(2000, 1, 1), True), (D(2026, 3, 6), True), (D(2100, 12, 31), True),
    (D(2101, 1, 1), False), (D(1, 1, 1), False), (D(9999, 12, 31), False),
])
def test_plausible(date, expected):
    assert plausible(date) is expected


@pytest.mark.parametrize("value, expected", [
    ("9999-12-31", D(9999, 12, 31)), ("0001-01-01", D(1, 1, 1)), ("1900/1/5", D(1900, 1, 5)),
    (30000.0, D(1982, 2, 18)),       # an Excel serial inside the serial window, before 2000
])
def test_parse_date_reads_extreme_dates_without_judging_them(value, expected):
    assert parse_date(value, REPORT) == expected


TEST_CASES_IMPLAUSIBLE_DEADLINE = [
    # value, assigned, (date, long_term, needs_assigned, implausible)
    ("7天", D(9999, 12, 31), (None, False, False, OUT_OF_RANGE)),         # OverflowError before
    ("30天", D(9999, 12, 20), (None, False, False, OUT_OF_RANGE)),
    ("立行立改", D(9999, 12, 31), (None, False, False, OUT_OF_RANGE)),    # a date, but not plausible
    ("7天", D(1, 1, 1), (None, False, False, OUT_OF_RANGE)),
    ("7天", D(2100, 12, 28), (None, False, False, OUT_OF_RANGE)),          # lands in 2101
    ("99999999999天", ASSIGNED, (None, False, False, OUT_OF_RANGE)),       # beyond timedelta
    ("9" * 5000 + "天", ASSIGNED, (None, False, False, OUT_OF_RANGE)),     # beyond int()'s digit limit
    ("1000000天", ASSIGNED, (None, False, False, OUT_OF_RANGE)),           # year 4764
    ("7天", Implausible(D(1999, 12, 28)), (None, False, False, ASSIGNED_IMPLAUSIBLE)),  # 2000-01-04: still no
    ("立行立改", Implausible(D(9999, 12, 31)), (None, False, False, ASSIGNED_IMPLAUSIBLE)),
    ("1900-01-05", ASSIGNED, (None, False, False, OUT_OF_RANGE)),
    ("2150/1/5", None, (None, False, False, OUT_OF_RANGE)),
    (D(9999, 12, 31), None, (None, False, False, OUT_OF_RANGE)),
    (dt.datetime(1900, 1, 1, 8, 0), None, (None, False, False, OUT_OF_RANGE)),
    (30000.0, None, (None, False, False, OUT_OF_RANGE)),
    # what stays as it was
    ("7天", ASSIGNED, (D(2026, 3, 8), False, False, "")),
    ("2026/3/20", Implausible(D(9999, 12, 31)), (D(2026, 3, 20), False, False, "")),
    ("长期", Implausible(D(9999, 12, 31)), (None, True, False, "")),
    ("7天", None, (None, False, True, "")),
    ("2000-01-01", None, (D(2000, 1, 1), False, False, "")),
    ("2100-12-31", None, (D(2100, 12, 31), False, False, "")),
]


@pytest.mark.parametrize("value, assigned, expected", TEST_CASES_IMPLAUSIBLE_DEADLINE)
def test_implausible_deadlines_have_no_date_and_never_raise(value, assigned, expected):
    d = parse_deadline(value, assigned, REPORT)
    assert (d.date, d.long_term, d.needs_assigned, d.implausible) == expected


@pytest.mark.parametrize("value, expected", [
    (D(9999, 1, 1), None), (dt.datetime(1900, 1, 1), None), (30000.0, None), (45000.0, D(2023, 3, 15)),
    (D(2026, 3, 6), D(2026, 3, 6)),
])
def test_an_implausible_date_is_no_report_date(value, expected):
    assert find_date(value) == expected


# ---------------------------------------------------------------- dates, through the pipeline

HEADER = ["问题编号", "问题描述", "责任单位", "交办日期", "整改时限", "整改情况", "完成时间"]
DATA = [
    ["A-1", "路灯不亮", "市容组", D(9999, 12, 31), "7天", "整改中", None],               # row 3
    ["A-2", "井盖缺失", "市容组", ASSIGNED, D(1900, 1, 5), "整改中", None],              # row 4
    ["A-3", "占道经营", "市容组", D(1999, 12, 28), "7天", "未整改", None],               # row 5
    ["A-4", "乱贴广告", "市容组", ASSIGNED, D(2150, 1, 5), "整改中", None],              # row 6
    ["A-5", "垃圾满溢", "市容组", ASSIGNED, D(2026, 3, 5), "已整改", D(2026, 5, 5)],     # row 7
    ["A-6", "绿化裸土", "市容组", ASSIGNED, D(2026, 3, 5), "", D(2026, 5, 5)],           # row 8
    ["A-7", "墙面涂鸦", "市容组", ASSIGNED, D(2026, 3, 5), "", D(2026, 3, 3)],           # row 9
    ["A-8", "护栏破损", "市容组", ASSIGNED, "99999999天", "整改中", None],              # row 10
    ["A-9", "门头破旧", "市容组", ASSIGNED, D(2026, 3, 5), "已整改", D(1999, 5, 1)],     # row 11
    ["A-10", "路面积水", "市容组", "9999/12/31", "立行立改", "整改中", None],           # row 12: text cell
]


def shown(date: dt.date, fmt: str) -> str:
    """A date cell as the message quotes it: ISO from a date cell, as written from a CSV."""
    return f"{date.year}/{date.month}/{date.day}" if fmt == "csv" else date.isoformat()


def expected_notes(fmt: str) -> list[tuple]:
    far = "不在2000年至2100年之间，疑似填错，已留空"
    return [
        ("warning", 3, "交办日期", f"交办日期“{shown(D(9999, 12, 31), fmt)}”{far}"),
        ("warning", 3, "整改时限", "整改时限“7天”要按交办日期推算，但交办日期有误，整改时限已留空"),
        ("warning", 4, "整改时限", f"整改时限“{shown(D(1900, 1, 5), fmt)}”{far}"),
        ("warning", 5, "交办日期", f"交办日期“{shown(D(1999, 12, 28), fmt)}”{far}"),
        ("warning", 5, "整改时限", "整改时限“7天”要按交办日期推算，但交办日期有误，整改时限已留空"),
        ("warning", 6, "整改时限", f"整改时限“{shown(D(2150, 1, 5), fmt)}”{far}"),
        ("warning", 7, "完成时间", f"完成时间“{shown(D(2026, 5, 5), fmt)}”晚于截至日期2026-03-06，疑似填错，已留空"),
        ("warning", 8, "完成时间", f"完成时间“{shown(D(2026, 5, 5), fmt)}”晚于截至日期2026-03-06，疑似填错，已留空；"
                                   "整改情况为空，按“未知”统计（不算已整改）"),
        ("warning", 10, "整改时限", "整改时限“99999999天”按交办日期推算出的日期不在2000年至2100年之间，整改时限已留空"),
        ("warning", 11, "完成时间", f"完成时间“{shown(D(1999, 5, 1), fmt)}”{far}"),
        ("warning", 12, "交办日期", f"交办日期“9999/12/31”{far}"),
        ("warning", 12, "整改时限", "整改时限“立行立改”要按交办日期推算，但交办日期有误，整改时限已留空"),
    ]


EXPECTED_ITEMS = [   # row_no, assigned_on, deadline, deadline_text, status, completed_on
    (3, None, None, "7天", "in_progress", None),
    (4, ASSIGNED, None, "1900-01-05", "in_progress", None),
    (5, None, None, "7天", "not_started", None),
    (6, ASSIGNED, None, "2150-01-05", "in_progress", None),
    (7, ASSIGNED, D(2026, 3, 5), "2026-03-05", "done", None),
    (8, ASSIGNED, D(2026, 3, 5), "2026-03-05", "unknown", None),    # blank status, implausible completion
    (9, ASSIGNED, D(2026, 3, 5), "2026-03-05", "done", D(2026, 3, 3)),   # blank status + completion: done
    (10, ASSIGNED, None, "99999999天", "in_progress", None),
    (11, ASSIGNED, D(2026, 3, 5), "2026-03-05", "done", None),
    (12, None, None, "立行立改", "in_progress", None),
]


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods", "csv"])
def test_implausible_dates_warn_and_are_stored_unknown(fmt, tmp_path, con):
    writer = {"xlsx": L.write_xlsx, "xls": L.write_xls, "ods": L.write_ods, "csv": L.write_csv}[fmt]
    path = writer(tmp_path / f"台账.{fmt}", L.flat_rows(HEADER, DATA))
    result = ingest_file(con, path)
    assert (result.items, result.skipped, result.rejected, result.warnings) == (10, 0, 0, 12)
    assert [(n.level, n.row, n.column, n.message) for n in result.notes] == expected_notes(fmt)
    stored = con.execute("SELECT level, row_no, column_name, message FROM batch_notes").fetchall()
    assert sorted(stored) == sorted(expected_notes(fmt))
    items = con.execute("SELECT row_no, assigned_on, deadline, deadline_text, status, completed_on "
                        "FROM item_states ORDER BY row_no").fetchall()
    text_dates = {4: shown(D(1900, 1, 5), fmt), 6: shown(D(2150, 1, 5), fmt)}
    exp = [r if r[0] not in text_dates else r[:3] + (text_dates[r[0]],) + r[4:] for r in EXPECTED_ITEMS]
    if fmt == "csv":
        exp = [r[:3] + (r[3].replace("2026-03-05", "2026/3/5"),) + r[4:] for r in exp]
    assert items == exp
    # The source row keeps the cell as the file gave it.
    assert con.execute("SELECT cells[4] FROM source_rows WHERE row_no = 3").fetchone()[0] == shown(D(9999, 12, 31), fmt)


def test_excel_serial_numbers_out_of_range(tmp_path):
    """A serial inside the window Excel dates are read from (20000-80000) but before 2000 is an
    implausible date (a warning); a huge number is no date at all (rejected, as before)."""
    rows = L.flat_rows(HEADER, [["A-1", "路灯不亮", "市容组", ASSIGNED, 30000.0, "整改中", None],
                                ["A-2", "井盖缺失", "市容组", 30000, "7天", "整改中", 1e12],
                                ["A-3", "占道经营", "市容组", ASSIGNED, 1e12, "整改中", None]])
    parsed = parse_file(L.write_xlsx(tmp_path / "台账.xlsx", rows).read_bytes(), "台账.xlsx")
    assert [str(n) for n in parsed.notes] == [
        "工作表“Sheet1”第3行：整改时限“30000”不在2000年至2100年之间，疑似填错，已留空",
        "工作表“Sheet1”第4行：交办日期“30000”不在2000年至2100年之间，疑似填错，已留空",
        "工作表“Sheet1”第4行：整改时限“7天”要按交办日期推算，但交办日期有误，整改时限已留空",
        "工作表“Sheet1”第4行：完成时间“1000000000000”无法识别为日期",
        "工作表“Sheet1”第5行：整改时限“1000000000000”无法识别为日期",
    ]
    assert (parsed.items, parsed.rejected) == (1, 2)


def test_explicit_report_date_outside_the_range_refuses_the_file(tmp_path):
    path = L.write_xlsx(tmp_path / "台账.xlsx", L.flat_rows(HEADER, DATA[1:2], report_line=None))
    with pytest.raises(LedgerError) as err:
        parse_file(path.read_bytes(), "台账.xlsx", report_date=D(2150, 1, 1))
    assert str(err.value) == "文件“台账.xlsx”：指定的截至日期2150-01-01不在2000年至2100年之间，请改正后重新导入"


def test_implausible_report_date_above_the_header_is_passed_over(tmp_path):
    rows = [["填报日期：", D(9999, 1, 1)]] + L.flat_rows(HEADER, DATA[6:7], report_line=None)
    parsed = parse_file(L.write_xlsx(tmp_path / "x.xlsx", rows).read_bytes(), "台账20260306.xlsx")
    assert (parsed.report_date, parsed.report_date_source) == (REPORT, "文件名：台账20260306.xlsx")


# ---------------------------------------------------------------- totals and problems

TOTALS_HEADER = ["序号", "问题描述", "具体点位", "责任单位", "整改时限", "整改情况", "备注"]
TEST_CASES_TOTAL = [
    # the row under one item -> (kind, reason)
    (["合计", None, "共5项，已整改2项", None, None, None, None], ("skipped", "合计/小计行")),
    (["小计", None, None, "市容环境组", None, "已整改3项", None], ("skipped", "合计/小计行")),
    (["总计", None, 12, None, None, "83%", None], ("skipped", "合计/小计行")),
    ([None, "合计", None, None, None, None, None], ("skipped", "合计/小计行")),
    ([None, "合计：共9项", None, None, None, "已整改8项", "含长期整改1项"], ("skipped", "合计/小计行")),
    ([None, "小计（市容环境组）", None, "市容环境组", None, 10, None], ("skipped", "合计/小计行")),
    ([None, "累计", None, None, 5, 3, "60%"], ("skipped", "合计/小计行")),
    ([None, "总数", "12处", "市容环境组", None, "已整改10个", None], ("skipped", "合计/小计行")),
    ([None, "累计三次发现占道经营", "人民路12号", "市容环境组", "2026-03-10", "整改中", None], ("item", "")),
    ([None, "累计三次发现占道经营", None, "市容环境组", None, "未整改", None], ("item", "")),
    ([None, "总数不清的共享单车乱停放", "火车站广场", None, None, None, None], ("item", "")),
    ([None, "合计", "人民路12号", "市容环境组", D(2026, 3, 10), "整改中", None], ("item", "")),
    ([7, "累计三次发现占道经营", "人民路12号", "市容环境组", "2026-03-10", "整改中", None], ("item", "")),
]


@pytest.mark.parametrize("row, expected", TEST_CASES_TOTAL)
def test_total_rows_and_problem_rows_that_start_like_a_total(row, expected):
    sheet = Sheet("市容环境组", [["填报日期：2026年3月6日"], TOTALS_HEADER,
                                 [1, "路灯不亮", "中山路3号", "市容环境组", "2026-03-10", "整改中", None], row])
    result = normalise_sheet(sheet, detect(sheet), REPORT)
    k = result.row_no.index(4)
    assert (result.kind[k], result.reason[k]) == expected
    assert result.item_count == (2 if expected[0] == "item" else 1)


def test_problem_row_starting_like_a_total_is_stored_with_its_fields(tmp_path, con):
    rows = L.flat_rows(TOTALS_HEADER, [[1, "路灯不亮", "中山路3号", "市容环境组", "2026-03-10", "整改中", None],
                                       [None, "累计三次发现占道经营", "人民路12号", "市容环境组", "2026-03-12", "未整改", None],
                                       ["合计", None, "共2项", None, None, None, None]])
    result = ingest_file(con, L.write_xlsx(tmp_path / "台账.xlsx", rows))
    assert (result.items, result.skipped, result.rejected) == (2, 1, 0)
    assert con.execute("SELECT row_no, description, location, deadline, status FROM item_states ORDER BY row_no"
                       ).fetchall() == [(3, "路灯不亮", "中山路3号", D(2026, 3, 10), "in_progress"),
                                        (4, "累计三次发现占道经营", "人民路12号", D(2026, 3, 12), "not_started")]


# ---------------------------------------------------------------- headers naming one field twice

@pytest.mark.parametrize("header, field", [
    ("点位/地址", "location"), ("地点/点位", "location"), ("点位／地址", "location"), ("点位、地址", "location"),
    ("问题点位（地址）", "location"), ("地址（点位）", "location"), ("点位及地址", "location"),
    ("具体点位/详细地址", "location"), ("点位地址", "location"), ("整改时限/完成时限", "deadline"),
    ("完成时间（销号时间）", "completed_on"),
    # two fields: ambiguous, left for the office to map
    ("责任单位/责任人", None), ("问题描述/点位", None), ("序号/编号", None), ("完成时间/完成情况", None),
    ("是/否", None),
])
def test_header_naming_one_field_twice(header, field):
    assert field_for_header(header) == field


def test_slash_location_header_through_the_pipeline(tmp_path, con):
    rows = L.flat_rows(["问题描述", "点位/地址", "责任单位/责任人", "整改情况"],
                       [["路灯不亮", "中山路3号", "市容环境组 张三", "整改中"]])
    parsed = parse_file(L.write_xlsx(tmp_path / "台账.xlsx", rows).read_bytes(), "台账.xlsx")
    assert [(c.header, c.field) for c in parsed.used[0].layout.columns] == [
        ("问题描述", "description"), ("点位/地址", "location"), ("责任单位/责任人", None), ("整改情况", "status")]
    assert parsed.sheets[0].item_rows()[0]["location"] == "中山路3号"
