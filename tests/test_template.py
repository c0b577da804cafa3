"""The blank standard ledger (data_pipeline.template): its workbook as Excel sees it, and
the pipeline reading it blank and filled in, through a real DuckDB file."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

import data_pipeline as dp
from data_pipeline import LedgerError, ingest_bytes, parse_file
from data_pipeline.layout import detect
from data_pipeline.read import read_workbook
from data_pipeline.constants import COLUMN_ALIASES
from data_pipeline.template import (DATE_FORMAT, STATUS_CHOICES, TEMPLATE_FIELDS, TEMPLATE_HEADERS, TEMPLATE_NAME,
                                    TITLE, template_bytes)
from data_pipeline.values import classify_status

D = dt.date
HEADERS = ("问题编号", "问题描述", "点位", "网格", "问题类别", "责任单位", "责任人", "交办日期", "整改时限",
           "整改情况", "完成时间", "整改措施", "复核情况", "问题来源", "备注")
DATE_COLUMNS = ("H", "I", "K")       # 交办日期, 整改时限, 完成时间
STATUS_COLUMN = "J"
SKIPPED_GUIDE = "工作表“填写说明”：没有找到台账表头（如“问题描述”“责任单位”“整改情况”等列名），整张工作表已跳过"


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


@pytest.fixture(scope="module")
def blank() -> bytes:
    return template_bytes()


def test_fields_and_headers():
    assert TEMPLATE_NAME == "标准模板.xlsx"
    assert TEMPLATE_FIELDS == ("item_id", "description", "location", "grid", "category", "group", "assignee",
                               "assigned_on", "deadline", "status", "completed_on", "measures", "verification",
                               "source", "notes")
    assert TEMPLATE_HEADERS == HEADERS == tuple(COLUMN_ALIASES[f][0] for f in TEMPLATE_FIELDS)


@pytest.mark.parametrize("choice, category", [
    ("已整改", "done"), ("整改中", "in_progress"), ("未整改", "not_started"), ("长期整改", "long_term")])
def test_every_status_choice_classifies(choice, category):
    assert classify_status(choice) == category


def test_status_choices_in_order():
    assert STATUS_CHOICES == ("已整改", "整改中", "未整改", "长期整改")


def test_same_bytes_every_call(blank):
    assert template_bytes() == blank


def test_ledger_sheet(blank):
    book = load(blank)
    assert book.sheetnames == ["问题整改台账", "填写说明"]
    ws = book.active
    assert ws.title == "问题整改台账"
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:O1"]
    assert (ws["A1"].value, ws["A1"].font.b) == (TITLE, True) == ("××区创建全国文明城市问题整改台账", True)
    assert [[c.value for c in row] for row in ws["A2:B3"]] == [["填报单位：", None], ["填报日期：", None]]
    assert ws["B3"].number_format == DATE_FORMAT == "yyyy-mm-dd"
    assert tuple(c.value for c in ws[4]) == HEADERS
    assert all(c.font.b for c in ws[4])
    assert ws.freeze_panes == "A5"
    # Every header fits its column (a Chinese character is two width units).
    assert all(ws.column_dimensions[c.column_letter].width >= 2 * len(c.value) + 2 for c in ws[4])
    # 1,000 empty data rows, rows 5-1004, dates formatted on the date columns only.
    assert ws.max_row == 1004
    assert all(c.value is None for row in ws.iter_rows(min_row=5) for c in row)
    formats = {(c.column_letter, c.number_format) for row in ws.iter_rows(min_row=5) for c in row}
    assert formats == {(col, DATE_FORMAT if col in DATE_COLUMNS else "General") for col in "ABCDEFGHIJKLMNO"}


def test_status_drop_down(blank):
    ws = load(blank)["问题整改台账"]
    [dv] = ws.data_validations.dataValidation
    assert (dv.type, dv.formula1, str(dv.sqref), dv.allow_blank) == ("list", '"已整改,整改中,未整改,长期整改"', "J5:J1004", True)
    assert dv.formula1.strip('"').split(",") == list(STATUS_CHOICES)
    assert (dv.showErrorMessage, dv.errorStyle, dv.errorTitle, dv.error) == (
        True, "stop", "整改情况填写有误", "整改情况只能选择：已整改、整改中、未整改、长期整改。具体进展请写在“整改措施”或“备注”列。")
    assert (dv.showInputMessage, dv.promptTitle, dv.prompt) == (True, "整改情况", "请从下拉框选择：已整改、整改中、未整改、长期整改")


def test_guide_sheet(blank):
    ws = load(blank)["填写说明"]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    # One row per column, header in column A, in template order.
    column_a = [row[0].value for row in ws.iter_rows()]
    start = column_a.index("列名")
    assert [c.value for c in ws[start + 1]] == ["列名", "填写要求", "示例"]
    assert tuple(column_a[start + 1:start + 16]) == HEADERS
    for needed in (*STATUS_CHOICES, "立行立改", "7天", "3月底前", "长期", "2026-03-10", "20260306", "填报日期",
                   "工作表名称", "每周保持不变", "不要修改", "××区", "完成时间：算作已整改"):
        assert needed in text, needed


def test_blank_template_layout(blank):
    ledger, guide = read_workbook(blank, TEMPLATE_NAME).sheets
    layout = detect(ledger)
    assert (layout.header_first, layout.header_last) == (3, 3)
    assert [(c.index, c.header, c.field) for c in layout.columns] == list(zip(range(15), HEADERS, TEMPLATE_FIELDS))
    assert (layout.title, layout.unit, layout.report_date) == (TITLE, "", None)
    assert detect(guide) is None


def test_blank_template_is_refused(blank, con):
    with pytest.raises(LedgerError) as no_date:
        parse_file(blank, TEMPLATE_NAME)
    assert str(no_date.value) == ("文件“标准模板.xlsx”：找不到截至日期：表头上方没有“填报日期/统计截至”，文件名里也没有日期。"
                                  "请在文件中注明填报日期，或导入时指定截至日期（命令行 --report-date）")
    with pytest.raises(LedgerError) as dated_name:
        parse_file(blank, "标准模板20260306.xlsx")
    assert str(dated_name.value) == "文件“标准模板20260306.xlsx”：找到了表头，但下面没有任何问题行，未导入"
    with pytest.raises(LedgerError) as stored:
        ingest_bytes(con, blank, TEMPLATE_NAME, report_date=D(2026, 3, 6))
    assert str(stored.value) == "文件“标准模板.xlsx”：找到了表头，但下面没有任何问题行，未导入"
    assert con.execute("SELECT count(*) FROM batches").fetchone() == (0,)


ROWS = [
    {"item_id": "CC-001", "description": "人行道板破损松动", "location": "人民路12号", "group": "道路维修组",
     "assigned_on": D(2026, 2, 20), "deadline": D(2026, 3, 1), "status": "已整改", "completed_on": D(2026, 2, 28)},
    {"item_id": "CC-002", "description": "路灯不亮", "location": "中山路3号", "group": "道路维修组",
     "assigned_on": D(2026, 3, 2), "deadline": "7天", "status": "整改中", "notes": "待配件"},
    {"item_id": "CC-003", "description": "占道经营", "location": "解放大道88号", "group": "市容环境组",
     "assigned_on": D(2026, 3, 2), "deadline": "立行立改", "status": "未整改"},
    {"item_id": "CC-004", "description": "公益广告破损褪色", "location": "建设街5号", "group": "市容环境组",
     "assigned_on": D(2026, 1, 10), "deadline": "长期", "status": "长期整改"},
]
PARSED = ("row_no", "item_key", "group_name", "assigned_on", "deadline", "status", "completed_on",
          "deadline_text", "status_text", "notes")
EXPECTED = [
    (5, "id:道路维修组|CC-001", "道路维修组", D(2026, 2, 20), D(2026, 3, 1), "done", D(2026, 2, 28),
     "2026-03-01", "已整改", None),
    (6, "id:道路维修组|CC-002", "道路维修组", D(2026, 3, 2), D(2026, 3, 9), "in_progress", None, "7天", "整改中", "待配件"),
    (7, "id:市容环境组|CC-003", "市容环境组", D(2026, 3, 2), D(2026, 3, 2), "not_started", None, "立行立改", "未整改", None),
    (8, "id:市容环境组|CC-004", "市容环境组", D(2026, 1, 10), None, "long_term", None, "长期", "长期整改", None),
]
# The ways a user writes the report date: a date in the cell right of the label, text
# there, or typed after the colon in the label's own cell.
DATE_ENTRIES = [
    ("B3", D(2026, 3, 6), "填报日期：2026-03-06"),
    ("B3", "2026.3.6", "填报日期：2026.3.6"),
    ("A3", "填报日期：2026年3月6日", "填报日期：2026年3月6日"),
]


def filled(blank: bytes, date_cell: str, date_value) -> bytes:
    """The template as a work group fills it in: title, unit, report date and ``ROWS``."""
    book = load(blank)
    ws = book["问题整改台账"]
    ws["A1"] = "临江区创建全国文明城市问题整改台账"
    ws["B2"] = "临江区创城办"
    ws[date_cell] = date_value
    for r, row in enumerate(ROWS, start=5):
        for field, value in row.items():
            ws.cell(r, TEMPLATE_FIELDS.index(field) + 1, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("date_cell, date_value, source", DATE_ENTRIES)
def test_filled_template_parses(blank, date_cell, date_value, source):
    parsed = parse_file(filled(blank, date_cell, date_value), "道路维修组台账.xlsx")
    assert (parsed.report_date, parsed.report_date_source) == (D(2026, 3, 6), f"工作表“问题整改台账”表头上方：{source}")
    ledger, guide = parsed.sheets
    layout = ledger.layout
    assert [(c.header, c.field) for c in layout.columns] == list(zip(HEADERS, TEMPLATE_FIELDS))
    assert (layout.title, layout.unit) == ("临江区创建全国文明城市问题整改台账", "临江区创城办")
    assert (parsed.items, parsed.skipped, parsed.rejected, parsed.warnings) == (4, 0, 0, 1)
    assert [str(n) for n in parsed.notes] == [SKIPPED_GUIDE]
    assert (guide.sheet, guide.layout) == ("填写说明", None)
    assert [tuple(row[c] for c in PARSED) for row in ledger.item_rows()] == EXPECTED


def test_filled_template_ingests(blank, con):
    result = ingest_bytes(con, filled(blank, "B3", D(2026, 3, 6)), "道路维修组台账.xlsx")
    assert result.line() == "道路维修组台账.xlsx：已导入批次#1（截至2026-03-06），问题4条，跳过0行，拒收0行，警告1条"
    assert con.execute("SELECT sheets_used, sheets_skipped FROM batches").fetchone() == (["问题整改台账"], ["填写说明"])
    assert dp.summary(con, D(2026, 3, 6)) == {
        "as_of": "2026-03-06",
        "totals": {"items": 4, "done": 1, "overdue": 1, "due_soon": 1, "long_term": 1,
                   "completion_rate": 0.25, "on_time_rate": 0.5},
        "groups": [
            {"group": "市容环境组", "items": 2, "done": 0, "overdue": 1, "due_soon": 0, "long_term": 1,
             "completion_rate": 0.0, "on_time_rate": 0.0},
            {"group": "道路维修组", "items": 2, "done": 1, "overdue": 0, "due_soon": 1, "long_term": 0,
             "completion_rate": 0.5, "on_time_rate": 1.0},
        ],
    }
