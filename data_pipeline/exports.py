"""Files the office sends on: the 督办单 (.xlsx of overdue items). Built only when asked
for (the page's download button calls it when clicked).

Rules: headers are ``labels.COLUMN_LABELS``; dates are real Excel dates shown with the
year (``2026年3月6日``); ledger text is always written as text, never as a formula, even
when it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return.
"""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd

from .labels import COLUMN_LABELS, DAY_FORMAT_EXCEL

OVERDUE_COLUMNS = ["group_name", "assignee", "item_id", "description", "location", "category", "deadline",
                   "days_overdue", "status_label"]
DATE_COLUMNS = ("assigned_on", "deadline", "completed_on", "report_date", "done_on")
WIDTHS = {"description": 36, "location": 24, "group_name": 22, "item_id": 14, "notes": 24}


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


def write_row(ws, values) -> None:
    """Append ``values`` to ``ws``; every text is stored as text (``data_type`` "s"), so
    none becomes a formula."""
    row = ws.max_row + 1 if ws.max_row > 1 or ws.cell(1, 1).value is not None else 1
    for col, v in enumerate(values, start=1):
        cell = ws.cell(row, col)
        cell.value = v
        if isinstance(v, str):
            cell.data_type = "s"


def overdue_xlsx(df: pd.DataFrame, title: str, columns: list[str] = OVERDUE_COLUMNS) -> bytes:
    """``df[columns]`` as the 督办单: a merged title row, Chinese headers, one row per item,
    dates with the year."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    wb = Workbook()
    ws = wb.active
    ws.title = "督办单"
    write_row(ws, [title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    write_row(ws, [COLUMN_LABELS[c] for c in columns])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in df[columns].itertuples(index=False):
        write_row(ws, [cell_value(v) for v in row])
    for i, c in enumerate(columns, start=1):
        letter = ws.cell(2, i).column_letter
        ws.column_dimensions[letter].width = WIDTHS.get(c, 14 if c in DATE_COLUMNS else 12)
        if c in DATE_COLUMNS:
            for cell in ws[letter][2:]:
                if isinstance(cell.value, dt.date):
                    cell.number_format = DAY_FORMAT_EXCEL
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
