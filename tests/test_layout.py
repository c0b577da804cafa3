"""Header detection, column mapping and the lines above the header (data_pipeline.layout)."""
from __future__ import annotations

import datetime as dt

import pytest

from data_pipeline.layout import detect, field_for_header, find_date
from data_pipeline.read import Sheet

D = dt.date


def fields_of(layout) -> dict[str, str]:
    return {c.header: c.field for c in layout.columns}


@pytest.mark.parametrize("header, field", [
    ("问题描述", "description"), ("问 题 描 述", "description"), ("问题描述：", "description"),
    ("存在问题", "description"), ("交办编号", "item_id"), ("问题编号（必填）", "item_id"),
    ("整改时限(年月日)", "deadline"), ("责任单位", "group"), ("整改责任单位", "group"), ("牵头单位", "group"),
    ("所属网格", "grid"), ("片区", "grid"), ("销号时间", "completed_on"), ("进展情况", "status"),
    ("ＮＯ．", "seq"), ("序号", "seq"), ("地点", "location"), ("备注", "notes"), ("合计", None), ("", None),
])
def test_field_for_header(header, field):
    assert field_for_header(header) == field


def test_override_wins_over_alias():
    assert field_for_header("备注", {"备注": "measures"}) == "measures"
    assert field_for_header("备注", {"备注": None}) is None


def test_title_rows_and_report_line_above_header():
    sheet = Sheet("市容环境组", [
        ["临江区创建全国文明城市问题整改台账", "", ""],
        ["填报单位：市容环境组", "", "填报日期：2026年3月6日"],
        ["", "", ""],
        ["序号", "问题描述", "整改情况"],
        [1.0, "路灯不亮", "整改中"],
    ])
    layout = detect(sheet)
    assert (layout.header_first, layout.header_last) == (3, 3)
    assert fields_of(layout) == {"序号": "seq", "问题描述": "description", "整改情况": "status"}
    assert layout.title == "临江区创建全国文明城市问题整改台账"
    assert layout.unit == "市容环境组"
    assert layout.report_date == D(2026, 3, 6)
    assert layout.report_date_text == "填报日期：2026年3月6日"


def test_two_row_header_with_merged_cells():
    sheet = Sheet("台账", [
        ["序号", "问题描述", "整改情况", "", "备注"],
        ["", "", "整改状态", "完成时间", ""],
        [1.0, "路灯不亮", "已整改", D(2026, 3, 1), ""],
    ], merged=[((0, 0), (1, 0)), ((0, 1), (1, 1)), ((0, 2), (0, 3)), ((0, 4), (1, 4))])
    layout = detect(sheet)
    assert (layout.header_first, layout.header_last) == (0, 1)
    assert fields_of(layout) == {"序号": "seq", "问题描述": "description", "整改情况/整改状态": "status",
                                 "整改情况/完成时间": "completed_on", "备注": "notes"}
    assert layout.header_row_numbers == "1-2"


def test_two_row_header_without_merge_information():
    """.ods and .csv carry no merge ranges: a blank upper cell over a named lower cell
    joins the named upper cell on its left."""
    sheet = Sheet("台账", [
        ["问题编号", "问题描述", "整改情况", "", "备注"],
        ["", "", "整改状态", "完成时间", ""],
        ["A1", "路灯不亮", "已整改", "2026-03-01", ""],
    ])
    layout = detect(sheet)
    assert fields_of(layout)["整改情况/完成时间"] == "completed_on"
    assert fields_of(layout)["整改情况/整改状态"] == "status"


def test_parent_row_above_header_is_joined():
    sheet = Sheet("台账", [
        ["基本情况", "", "整改情况", ""],
        ["问题描述", "责任单位", "是否完成", "完成时间"],
        ["路灯不亮", "市容组", "是", "2026-03-01"],
    ])
    layout = detect(sheet)
    assert (layout.header_first, layout.header_last) == (0, 1)
    # "是否完成" is no alias: the column falls back to its parent 整改情况 -> status.
    assert fields_of(layout) == {"基本情况/问题描述": "description", "基本情况/责任单位": "group",
                                 "整改情况/是否完成": "status", "整改情况/完成时间": "completed_on"}


def test_duplicate_field_keeps_first_column():
    sheet = Sheet("台账", [["问题描述", "问题内容", "责任单位"], ["a", "b", "c"]])
    assert [(c.header, c.field) for c in detect(sheet).columns] == [
        ("问题描述", "description"), ("问题内容", None), ("责任单位", "group")]


@pytest.mark.parametrize("rows", [
    [["填表说明"], ["1. 每周五报送"], ["2. 不得改动表头"]],
    [["序号", "责任单位"], [1.0, "市容组"]],           # no description or id column
    [],
])
def test_no_header(rows):
    assert detect(Sheet("说明", rows)) is None


@pytest.mark.parametrize("line, expected", [
    (["统计截至：2026年3月27日"], D(2026, 3, 27)),
    (["截至3月27日 2026年创城问题清单"], D(2026, 3, 27)),
    (["填报日期：", D(2026, 3, 27)], D(2026, 3, 27)),     # the date in the next cell
    (["报送日期", "2026-03-27"], D(2026, 3, 27)),
    (["截止日期:2026.3.27"], D(2026, 3, 27)),
])
def test_report_date_above_header(line, expected):
    sheet = Sheet("台账", [line + [""] * (3 - len(line)), ["问题描述", "责任单位", "整改情况"], ["a", "b", "已整改"]])
    assert detect(sheet).report_date == expected


@pytest.mark.parametrize("name, expected", [
    ("台账20260410", D(2026, 4, 10)), ("台账2026-04-10", D(2026, 4, 10)), ("2026年4月10日问题清单", D(2026, 4, 10)),
    ("台账_2026_04_10", D(2026, 4, 10)), ("第12周台账", None),
])
def test_find_date_in_file_name(name, expected):
    assert find_date(name) == expected


def test_year_less_date_takes_year_from_context():
    assert find_date("截至3月27日", context="2025年创城台账") == D(2025, 3, 27)
    assert find_date("截至12月30日", today=D(2027, 1, 4)) == D(2026, 12, 30)


def test_override_of_a_two_row_column_uses_its_joined_header():
    sheet = Sheet("台账", [
        ["序号", "问题描述", "整改情况", "", "备注"],
        ["", "", "整改状态", "完成时间", ""],
        [1.0, "路灯不亮", "已整改", D(2026, 3, 1), ""],
    ], merged=[((0, 0), (1, 0)), ((0, 1), (1, 1)), ((0, 2), (0, 3)), ((0, 4), (1, 4))])
    layout = detect(sheet, {"整改情况完成时间": None, "备注": "measures"})
    assert fields_of(layout) == {"序号": "seq", "问题描述": "description", "整改情况/整改状态": "status",
                                 "整改情况/完成时间": None, "备注": "measures"}


def test_an_empty_unit_label_does_not_take_the_next_label():
    sheet = Sheet("问题整改台账", [
        ["××区创建全国文明城市问题整改台账", ""],
        ["填报单位：", "填报日期：2026年3月6日"],
        ["问题描述", "整改情况"],
        ["路灯不亮", "整改中"],
    ])
    layout = detect(sheet)
    assert (layout.unit, layout.report_date) == ("", D(2026, 3, 6))
    sheet.rows[1] = ["填报单位：", "市容环境组", "填报日期：", "2026年3月6日"]
    assert detect(sheet).unit == "市容环境组"
