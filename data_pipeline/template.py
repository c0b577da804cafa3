"""The blank standard ledger (标准模板.xlsx) the office hands out to work groups.

Rules:
- Sheet ``问题整改台账`` (first, active) is a ledger the pipeline reads without help:
  row 1 a merged bold title (``××区…``: the office replaces ``××``); row 2
  ``填报单位：`` and row 3 ``填报日期：``, each label in column A with the value typed in
  column B (or after the colon in the same cell: ``layout`` reads both); row 4 the one
  header row, each header the first alias of its field in ``COLUMN_ALIASES``; data rows
  from row 5. The two labels sit on rows of their own, each with the cell to its right
  free for the value.
- The data rows (``DATA_ROWS`` of them) carry a date format on the date columns and a
  drop-down of ``STATUS_CHOICES`` on the status column (blank allowed, anything else
  refused with a Chinese message). No example rows: they would be ingested as problems.
- Sheet ``填写说明``: instructions, one row per template column (header in column A,
  never the headers side by side in one row), so ``layout.detect`` finds no table there
  and ingest skips the sheet (with the pipeline's usual skipped-sheet warning).
- ``STATUS_CHOICES`` are the dashboard's own labels (``labels.STATUS_LABELS``) of the
  four categories, so each classifies back into its category.
- Same bytes on every call: fixed document dates and zip member times.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import NamedTuple

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from .constants import COLUMN_ALIASES
from .labels import STATUS_LABELS
from .values import DONE, IN_PROGRESS, LONG_TERM, NOT_STARTED, UNKNOWN
from .xlsx_safe import put, sheet_title, write_row

TEMPLATE_NAME = "标准模板.xlsx"
LEDGER_SHEET = "问题整改台账"
GUIDE_SHEET = "填写说明"
TITLE = "××区创建全国文明城市问题整改台账"
UNIT_LABEL = "填报单位："
DATE_LABEL = "填报日期："

# Excel row numbers (1-based) of the ledger sheet.
TITLE_ROW, UNIT_ROW, DATE_ROW, HEADER_ROW = 1, 2, 3, 4
FIRST_DATA_ROW = HEADER_ROW + 1
DATA_ROWS = 1000
LAST_DATA_ROW = FIRST_DATA_ROW + DATA_ROWS - 1
DATE_FORMAT = "yyyy-mm-dd"


class _Column(NamedTuple):
    width: int      # Excel column width (characters; a Chinese character counts 2)
    what: str       # what to write, for the 填写说明 sheet
    example: str


# Template columns in sheet order, by canonical field.
_COLUMNS: dict[str, _Column] = {
    "item_id": _Column(14, "每个问题一个编号，同一问题每周保持不变（不要每周重新编号），同一张表内不能重复。"
                           "问题编号和问题描述至少填一项。", "CC-001"),
    "description": _Column(36, "写清楚存在什么问题。", "人行道板破损松动"),
    "location": _Column(24, "问题所在的具体位置。", "人民路12号"),
    "grid": _Column(14, "所属网格、街道或社区。", "人民路街道第3网格"),
    "category": _Column(12, "问题的类别。", "道路设施"),
    "group": _Column(18, "负责整改的工作组或单位，每一行都要填写。", "道路维修组"),
    "assignee": _Column(10, "具体负责整改的人。", "张三"),
    "assigned_on": _Column(13, "问题交办或发现的日期，填日期。", "2026-03-02"),
    "deadline": _Column(13, "填日期；也可以写“立行立改”（当天完成，即交办日期）、“7天”（交办日期后7天）、"
                            "“3月底前”（3月31日）、“长期”（长期整改，不算超期）。"
                            "写“立行立改”或“7天”时必须同时填写交办日期。",
                        "2026-03-10、立行立改、7天、3月底前、长期"),
    "status": _Column(12, "从下拉框选择，见下面“整改情况怎么统计”。具体进展写在整改措施或备注里。", "整改中"),
    "completed_on": _Column(13, "整改完成（销号）的日期，填日期。", "2026-03-05"),
    "measures": _Column(30, "已采取或计划采取的整改措施。", "已联系施工队，本周内更换"),
    "verification": _Column(16, "创城办复核的结果。", "已复核，合格"),
    "source": _Column(12, "问题从哪里来。", "第3次督查"),
    "notes": _Column(16, "其他需要说明的情况。", "需协调供电部门"),
}
TEMPLATE_FIELDS: tuple[str, ...] = tuple(_COLUMNS)
TEMPLATE_HEADERS: tuple[str, ...] = tuple(COLUMN_ALIASES[f][0] for f in TEMPLATE_FIELDS)
DATE_FIELDS = ("assigned_on", "deadline", "completed_on")

# Status category -> what it means, in drop-down order.
_STATUS_MEANINGS = {
    DONE: "问题已整改到位，计入整改率。",
    IN_PROGRESS: "正在整改，尚未完成。",
    NOT_STARTED: "还没有开始整改。",
    LONG_TERM: "需要长期坚持、已有整改计划的问题，不算超期。",
}
STATUS_CHOICES: tuple[str, ...] = tuple(STATUS_LABELS[c] for c in _STATUS_MEANINGS)

# Fixed so that every call yields the same bytes (zip times cannot predate 1980).
_FIXED_TIME = dt.datetime(2026, 1, 1)
_BOLD = Font(bold=True)
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_UNDERLINE = Border(bottom=_THIN)


def template_bytes() -> bytes:
    """The blank standard ledger as .xlsx bytes (see module rules)."""
    book = Workbook()
    ledger = book.active
    ledger.title = sheet_title(LEDGER_SHEET)
    _write_ledger(ledger)
    _write_guide(book.create_sheet(sheet_title(GUIDE_SHEET, book.sheetnames)))
    book.active = 0
    return _save(book)


def _column_letter(field: str) -> str:
    return get_column_letter(TEMPLATE_FIELDS.index(field) + 1)


def _write_ledger(ws: Worksheet) -> None:
    _write_preamble(ws)
    _write_header(ws)
    for field in DATE_FIELDS:
        letter = _column_letter(field)
        for row in range(FIRST_DATA_ROW, LAST_DATA_ROW + 1):
            ws[f"{letter}{row}"].number_format = DATE_FORMAT
    ws.add_data_validation(_status_validation())
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"


def _write_preamble(ws: Worksheet) -> None:
    """Title, 填报单位 and 填报日期 rows."""
    last = get_column_letter(len(TEMPLATE_FIELDS))
    ws.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    title = put(ws, TITLE_ROW, 1, TITLE)
    title.font = Font(bold=True, size=16)
    title.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[TITLE_ROW].height = 32
    for row, label in ((UNIT_ROW, UNIT_LABEL), (DATE_ROW, DATE_LABEL)):
        put(ws, row, 1, label).font = _BOLD
        value = ws.cell(row, 2)
        value.border = _UNDERLINE
        value.alignment = Alignment(horizontal="left")
    ws.cell(DATE_ROW, 2).number_format = DATE_FORMAT


def _write_header(ws: Worksheet) -> None:
    fill = PatternFill("solid", fgColor="D9D9D9")
    for j, (field, header) in enumerate(zip(TEMPLATE_FIELDS, TEMPLATE_HEADERS), start=1):
        cell = put(ws, HEADER_ROW, j, header)
        cell.font, cell.fill, cell.border = _BOLD, fill, _BOX
        cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.column_dimensions[get_column_letter(j)].width = _COLUMNS[field].width
    ws.row_dimensions[HEADER_ROW].height = 24


def _status_validation() -> DataValidation:
    """The drop-down of ``STATUS_CHOICES`` over the status cells of the data rows."""
    header = COLUMN_ALIASES["status"][0]
    words = "、".join(STATUS_CHOICES)
    validation = DataValidation(
        type="list", formula1='"' + ",".join(STATUS_CHOICES) + '"', allow_blank=True,
        showErrorMessage=True, errorStyle="stop", errorTitle=f"{header}填写有误",
        error=f"{header}只能选择：{words}。具体进展请写在“{COLUMN_ALIASES['measures'][0]}”"
              f"或“{COLUMN_ALIASES['notes'][0]}”列。",
        showInputMessage=True, promptTitle=header, prompt=f"请从下拉框选择：{words}")
    letter = _column_letter("status")
    validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}{LAST_DATA_ROW}")
    return validation


_GUIDE_TITLE = "标准台账填写说明"
_GUIDE_TABLE_HEADER = ["列名", "填写要求", "示例"]


def _guide_sections() -> list[tuple[str, list[list[str]]]]:
    """The 填写说明 sheet: (heading, rows), each row a list of cells from column A."""
    h = {f: COLUMN_ALIASES[f][0] for f in ("item_id", "group", "status", "completed_on", "deadline")}
    return [
        ("一、表头上方", [
            ["1. 标题：把“××区”改成本区（单位）名称。"],
            [f"2. {UNIT_LABEL}在右边的格子里填写本单位名称。"],
            [f"3. {DATE_LABEL}必须填写，即本期台账统计截至的日期，在右边的格子里填写，如2026-03-06或2026年3月6日。"],
            ["   不填时，文件名里必须带日期（如“道路维修组台账20260306.xlsx”），否则无法导入。"],
            [f"4. 不要修改第{HEADER_ROW}行的表头文字；从第{FIRST_DATA_ROW}行起一行填写一个问题，不需要的列留空即可。"],
        ]),
        ("二、各列填写要求", [_GUIDE_TABLE_HEADER] + [
            [header, _COLUMNS[f].what, _COLUMNS[f].example] for f, header in zip(TEMPLATE_FIELDS, TEMPLATE_HEADERS)]),
        (f"三、{h['status']}怎么统计", [[f"{STATUS_LABELS[c]}：{meaning}"] for c, meaning in _STATUS_MEANINGS.items()] + [
            [f"{h['status']}为空但填写了{h['completed_on']}：算作{STATUS_LABELS[DONE]}；"
             f"两项都空：算作“{STATUS_LABELS[UNKNOWN]}”（不算已整改）。"],
            [f"{h['deadline']}写“长期”且尚未整改完成：算作{STATUS_LABELS[LONG_TERM]}。"],
        ]),
        ("四、每周报送和多个工作组", [
            [f"1. {h['item_id']}每周保持不变，系统靠它把各周台账里的同一个问题对应起来。"],
            [f"2. 一个文件可以有多张工作表，例如每个工作组一张：复制“{LEDGER_SHEET}”工作表即可。"],
            [f"3. 有“{h['group']}”列时，按每一行的{h['group']}统计。一张表只放一个单位的问题时，也可以删去“{h['group']}”列，"
             "这时按“填报单位”统计；填报单位也没填，就以工作表名称作为单位名称，请把工作表改名为单位名称（如“市容环境组”）。"],
            [f"4. 本“{GUIDE_SHEET}”工作表导入时会自动跳过，可以保留。"],
        ]),
    ]


def _write_guide(ws: Worksheet) -> None:
    at = write_row(ws, [_GUIDE_TITLE], 1)
    ws.cell(at, 1).font = Font(bold=True, size=14)
    for heading, rows in _guide_sections():
        at = write_row(ws, [heading], at + 2)
        ws.cell(at, 1).font = _BOLD
        for row in rows:
            at = write_row(ws, row, at + 1)
            for cell in ws[at]:
                cell.alignment = Alignment(wrap_text=len(row) > 1, vertical="top")
                if row is _GUIDE_TABLE_HEADER:
                    cell.font = _BOLD
    for j, width in enumerate((14, 70, 30), start=1):
        ws.column_dimensions[get_column_letter(j)].width = width


def _save(book: Workbook) -> bytes:
    """``book`` as .xlsx bytes, the same for the same content (openpyxl's own save
    stamps the current time into the document properties and the zip)."""
    book.properties.creator = "创城办"
    book.properties.created = book.properties.modified = _FIXED_TIME
    raw = io.BytesIO()
    ExcelWriter(book, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)).save()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, _FIXED_TIME.timetuple()[:6])
            dst.writestr(member, src.read(info), zipfile.ZIP_DEFLATED)
    return out.getvalue()
