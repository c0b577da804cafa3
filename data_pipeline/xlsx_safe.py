"""The one rule for putting text into an .xlsx the product writes (the 督办单, the
validation report, the standard template): every writer stores its cells with ``put``,
``store`` or ``write_row`` and names its sheets with ``sheet_title``.

Rules:
- **Text is text, never a formula.** Every ``str`` is stored as a string cell
  (``data_type`` ``"s"``, never ``"f"``), whatever it starts with: ledger text such as
  ``=HYPERLINK("http://x","y")`` or ``=cmd|' /C calc'!A0`` stays inert in Excel, WPS and
  LibreOffice. A text starting with one of ``FORMULA_START`` (``=``, ``+``, ``-``,
  ``@``, tab, carriage return) is also marked "quote prefix" (what Excel sets for a cell
  typed as ``'=...``), so it stays text when someone edits the cell and presses Enter.
  The text itself is stored unchanged (no apostrophe added), except the control
  characters an .xlsx cannot hold (U+0000-U+001F other than tab, line feed and carriage
  return), which are dropped.
- **Numbers and dates stay numbers and dates**: ``int``, ``float``, ``date`` are stored
  as they are (the writer sets the date's number format); ``None`` is an empty cell.
- **Sheet titles** (``sheet_title``): the characters Excel refuses in a sheet name
  (``[ ] : * ? / \\``) and control characters removed; leading ``FORMULA_START``
  characters, apostrophes and white space removed, trailing apostrophes and white space
  too; at most ``MAX_SHEET_TITLE`` (31) characters; ``History`` (reserved by Excel) and
  names already taken (compared case-insensitively, as Excel does) get ``（2）``,
  ``（3）``... within the 31; nothing left -> ``fallback``.
"""
from __future__ import annotations

import datetime as dt
import re

from .xml_text import UNHOLDABLE

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SHEET_FORBIDDEN = "[]:*?/\\"
MAX_SHEET_TITLE = 31
_RESERVED_TITLES = {"history"}
_ILLEGAL = UNHOLDABLE
_SHEET_DROP = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")
_SHEET_TRIM_START = "".join(FORMULA_START) + "' \u3000\u00a0\n\v\f"
_SHEET_TRIM_END = "' \u3000\u00a0\t\r\n\v\f"


def put(ws, row: int, column: int, value):
    """Store ``value`` in ``ws`` at (``row``, ``column``), 1-based, by the module rules;
    returns the cell."""
    return store(ws.cell(row, column), value)


def store(cell, value):
    """Store ``value`` in the openpyxl ``cell`` by the module rules; returns the cell."""
    if isinstance(value, str):
        text = _ILLEGAL.sub("", value)
        cell.value = text
        cell.data_type = "s"
        if text.startswith(FORMULA_START):
            cell.quotePrefix = True
    else:
        if isinstance(value, dt.datetime) and value.time() == dt.time():
            value = value.date()
        cell.value = value
    return cell


def write_row(ws, values, row: int | None = None) -> int:
    """Store ``values`` from column A of ``row`` (default: the row after the last used
    one, 1 on an empty sheet) by the module rules; returns the row number."""
    if row is None:
        row = ws.max_row + 1 if ws.max_row > 1 or ws.cell(1, 1).value is not None else 1
    for column, value in enumerate(values, start=1):
        put(ws, row, column, value)
    return row


def sheet_title(text: str, taken=(), fallback: str = "工作表") -> str:
    """A valid, unique sheet title made from ``text`` (see the module rules); ``taken``:
    the titles already in the workbook."""
    used = {t.casefold() for t in taken}
    base = _SHEET_DROP.sub("", str(text)).lstrip(_SHEET_TRIM_START).rstrip(_SHEET_TRIM_END)
    base = base[:MAX_SHEET_TITLE].rstrip(_SHEET_TRIM_END) or fallback
    title, n = base, 1
    while title.casefold() in used or title.casefold() in _RESERVED_TITLES:
        n += 1
        suffix = f"（{n}）"
        title = base[:MAX_SHEET_TITLE - len(suffix)].rstrip(_SHEET_TRIM_END) + suffix
    return title
