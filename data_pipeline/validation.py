"""The validation report: every rejected row and warning of a file, in words the group
that filled the ledger can act on, as a table and as an .xlsx to send back.

Rules:
- One line per note, in the order the file produced them: sheet, row number as Excel
  shows it (empty for a note about a whole sheet or file), the column's header as
  written, the kind (拒收 = not imported, 警告 = imported with a caveat, 跳过), and the
  reason prefixed by its row: ``第12行：整改时限“下周”无法识别为日期``.
- The .xlsx has a title naming the file and its report date, a line of counts, the
  table with a header row (filterable, frozen, repeated on every printed page; A4
  landscape, one page wide: ``exports.table_layout``), and a last line saying what to do.
  Every cell goes through ``xlsx_safe``: ledger text (file and sheet names, headers,
  messages quoting cells) is text, never a formula, whatever it starts with; row
  numbers are numbers.
"""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd

from .exports import table_layout
from .labels import NOTE_COLUMNS as COLUMNS
from .labels import NOTE_LEVELS as LEVEL_LABELS
from .labels import full_day
from .normalise import Note
from .xlsx_safe import sheet_title, write_row

REPORT_SHEET = "导入检查结果"


def note_text(note: Note) -> str:
    """``第12行：整改时限“下周”无法识别为日期`` (no row: the message alone)."""
    return f"第{note.row}行：{note.message}" if note.row else note.message


def notes_frame(notes: list[Note]) -> pd.DataFrame:
    """The report as a DataFrame with the columns of ``COLUMNS`` (English keys)."""
    return pd.DataFrame({
        "sheet": [n.sheet or "" for n in notes],
        "row": pd.array([n.row for n in notes], dtype="Int64"),
        "column": [n.column or "" for n in notes],
        "level": [LEVEL_LABELS.get(n.level, n.level) for n in notes],
        "text": [note_text(n) for n in notes],
    }, columns=list(COLUMNS))


def stored_notes(frame: pd.DataFrame) -> list[Note]:
    """``store.batch_notes`` rows back as ``Note`` objects."""
    def text(v) -> str:
        return "" if v is None or pd.isna(v) else str(v)
    return [Note(r.level, text(r.sheet), None if pd.isna(r.row_no) else int(r.row_no), text(r.column_name), r.message)
            for r in frame.itertuples(index=False)]


def report_xlsx(file_name: str, notes: list[Note], *, report_date: dt.date | None = None,
                counts: dict[str, int] | None = None) -> bytes:
    """The report as an .xlsx (see module rules). ``counts``: items, skipped, rejected,
    warnings."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(REPORT_SHEET)
    when = f"（截至{full_day(report_date)}）" if report_date else ""
    write_row(ws, [f"“{file_name}”导入检查结果{when}"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    if counts:
        write_row(ws, [f"问题{counts['items']}条，跳过{counts['skipped']}行，拒收{counts['rejected']}行，"
                       f"警告{counts['warnings']}条"])
    else:
        write_row(ws, [f"共{len(notes)}条提示"])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(COLUMNS))
    header_row = write_row(ws, list(COLUMNS.values()))
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    wrap = Alignment(vertical="top", wrap_text=True)
    for n in notes:
        row = write_row(ws, [n.sheet or "", n.row, n.column or "", LEVEL_LABELS.get(n.level, n.level), note_text(n)])
        ws.cell(row, len(COLUMNS)).alignment = wrap
    if not notes:
        write_row(ws, ["", None, "", "", "没有拒收的行，也没有警告。"])
    last = ws.max_row
    table_layout(ws, header_row, last, len(COLUMNS))
    write_row(ws, ["“拒收”的行没有导入：请按说明改正台账后重新报送；“警告”的行已导入，但请核对。"], last + 2)
    for letter, width in zip("ABCDE", (16, 8, 16, 14, 70)):
        ws.column_dimensions[letter].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
