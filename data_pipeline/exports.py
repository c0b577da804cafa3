"""Files the office sends on: the 督办单 (.xlsx of overdue items). Built only when asked
for (the page's download button calls it when clicked, from the figures it shows).

Rules:
- Sheet ``督办单``: row 1 the title (merged over the table), row 2 the headers
  (``labels.COLUMN_LABELS``), one row per item from row 3, in the order given. When the
  items belong to more than one 工作组, one more sheet per group follows (same layout,
  that group's items, titled ``title（group）``), named by ``xlsx_safe.sheet_title`` from
  the group name, in order of first appearance.
- Every cell goes through ``xlsx_safe``: ledger text is always text, never a formula,
  even when it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return;
  computed numbers (超期天数) are numbers; dates are real Excel dates shown with the year
  (``labels.DAY_FORMAT_EXCEL``: ``2026年3月6日``).
- Made to print (``table_layout``): A4 landscape, fitted to one page wide (as many pages
  tall as needed), the header row repeated on every page, thin borders around every
  table cell, header row frozen, an autofilter over the table, fixed readable column
  widths (``WIDTHS``), long texts wrapped.
"""
from __future__ import annotations

import datetime as dt
import io
from copy import copy

import pandas as pd

from .labels import COLUMN_LABELS, DAY_FORMAT_EXCEL
from .xlsx_safe import put, sheet_title, store

OVERDUE_COLUMNS = ["group_name", "assignee", "item_id", "description", "location", "category", "deadline",
                   "days_overdue", "status_label"]
DATE_COLUMNS = ("assigned_on", "deadline", "completed_on", "report_date", "done_on")
# Column widths in Excel's units (a Chinese character is about 2); the 督办单's columns
# add up to about one A4 landscape page at 90 %.
WIDTHS = {"group_name": 20, "assignee": 10, "item_id": 12, "description": 36, "location": 22, "category": 12,
          "days_overdue": 9, "status_label": 10, "notes": 24, "measures": 30, "grid": 14, "deadline_text": 14}
WRAPPED = ("group_name", "description", "location", "category", "notes", "measures", "grid", "deadline_text")
MAIN_SHEET = "督办单"
TITLE_ROW, HEADER_ROW = 1, 2


def cell_value(v):
    """A frame value as openpyxl writes it: None for missing, dates as dates, numpy
    scalars as Python numbers."""
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if hasattr(v, "item"):
        return v.item()
    return v


def table_layout(ws, header_row: int, last_row: int, n_columns: int) -> None:
    """Print and screen setup of a sheet whose table has its header at ``header_row``
    and its last row at ``last_row`` (see the module rules)."""
    from openpyxl.utils import get_column_letter
    last = get_column_letter(n_columns)
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.freeze_panes = f"A{header_row + 1}"
    ws.auto_filter.ref = f"A{header_row}:{last}{max(last_row, header_row)}"


def overdue_xlsx(df: pd.DataFrame, title: str, columns: list[str] = OVERDUE_COLUMNS) -> bytes:
    """``df[columns]`` as the 督办单 (see the module rules): the whole list on sheet
    ``督办单``, and one sheet per group when there are several."""
    from openpyxl import Workbook
    wb = Workbook()
    table = df[columns]
    overdue_sheet(wb.active, MAIN_SHEET, title, table, columns)
    if "group_name" in df.columns:
        groups = df["group_name"]
        names = list(dict.fromkeys(cell_value(g) for g in groups))
        if len(names) > 1:
            key = groups.map(cell_value)
            for name in names:
                label = "" if name is None else str(name)
                ws = wb.create_sheet(sheet_title(label, wb.sheetnames, fallback="未分组"))
                mine = key.isna() if name is None else key == name
                overdue_sheet(ws, ws.title, f"{title}（{label or '未分组'}）", table[mine.to_numpy()], columns)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def box_border():
    """The thin border drawn around every table cell."""
    from openpyxl.styles import Border, Side
    thin = Side(style="thin")
    return Border(left=thin, right=thin, top=thin, bottom=thin)


def title_row(ws, title: str, n_columns: int, row: int = TITLE_ROW) -> None:
    """``title`` at column A of ``row``, merged over the table's ``n_columns``: bold
    14 pt, centred, the row 28 points high."""
    from openpyxl.styles import Alignment, Font
    put(ws, row, 1, title)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=n_columns)
    ws.cell(row, 1).font = Font(bold=True, size=14)
    ws.cell(row, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[row].height = 28


def header_row(ws, row: int, headers) -> None:
    """``headers`` from column A of ``row`` (text through ``xlsx_safe``), each bold on
    light grey (``D9D9D9``), centred, wrapped, with the thin border (``box_border``)."""
    from openpyxl.styles import Alignment, Font, PatternFill
    box, fill = box_border(), PatternFill("solid", fgColor="D9D9D9")
    for column, text in enumerate(headers, start=1):
        cell = put(ws, row, column, text)
        cell.font, cell.fill, cell.border = Font(bold=True), fill, box
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def overdue_sheet(ws, name: str, title: str, table: pd.DataFrame, columns: list[str]) -> None:
    """``table`` (its ``columns``, in order) as one 督办单 sheet named ``name`` (see the
    module rules): ``title`` on row 1, the headers (``labels.COLUMN_LABELS``) on row 2,
    one row per item from row 3, bordered, dates with the year, ``WIDTHS``, laid out to
    print (``table_layout``). Also the 超期问题 sheet of the Excel 通报."""
    from openpyxl.cell import Cell
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter
    ws.title = name
    n = len(columns)
    title_row(ws, title, n)
    header_row(ws, HEADER_ROW, [COLUMN_LABELS[c] for c in columns])
    box = box_border()
    # Each column's cell style is made once and copied to its cells (openpyxl's style
    # setters cost ~0.1 ms a cell): (style of a text/number cell, style of a date cell).
    protos = []
    for c in columns:
        cell = Cell(ws)   # not placed in the sheet: only its style is used
        cell.border = box
        cell.alignment = Alignment(vertical="top", wrap_text=c in WRAPPED)
        plain = copy(cell._style)
        cell.number_format = DAY_FORMAT_EXCEL
        protos.append((plain, copy(cell._style) if c in DATE_COLUMNS else plain))
    row = HEADER_ROW
    for values in table.itertuples(index=False):
        row += 1
        for j, (v, (plain, dated)) in enumerate(zip(values, protos), start=1):
            v = cell_value(v)
            cell = ws.cell(row, j)
            cell._style = copy(dated if isinstance(v, dt.date) else plain)
            store(cell, v)
    for j, c in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(j)].width = WIDTHS.get(c, 14 if c in DATE_COLUMNS else 12)
    table_layout(ws, HEADER_ROW, row, n)
