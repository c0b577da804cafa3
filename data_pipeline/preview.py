"""What the upload page shows about a parsed file before it is stored.

- ``sheet_table``: every sheet, used or skipped, with its header rows, group and counts.
- ``column_table``: every header cell of every used sheet, its Excel column letter and
  the field it maps to (None: not imported), so the office can correct the mapping.
- ``first_rows``: the first items exactly as ``store.write_batch`` will store them.
"""
from __future__ import annotations

import pandas as pd
from openpyxl.utils import get_column_letter

from .ingest import ParsedFile
from .normalise import PARSED_COLUMNS, TEXT_COLUMNS


def column_letter(index: int) -> str:
    """0 -> ``A``, 26 -> ``AA`` (as Excel names columns)."""
    return get_column_letter(index + 1)


def sheet_table(parsed: ParsedFile) -> pd.DataFrame:
    """sheet, used, header_rows (``3-4``), groups (of its items, in order of appearance),
    items, skipped, rejected, warnings."""
    rows = []
    for s in parsed.sheets:
        rows.append({
            "sheet": s.sheet, "used": s.layout is not None,
            "header_rows": s.layout.header_row_numbers if s.layout else "",
            "groups": "、".join(dict.fromkeys(s.items["group_name"])),
            "items": s.item_count, "skipped": s.count("skipped"), "rejected": s.count("rejected"),
            "warnings": sum(1 for n in s.notes if n.level == "warning"),
        })
    return pd.DataFrame(rows, columns=["sheet", "used", "header_rows", "groups", "items", "skipped", "rejected",
                                       "warnings"])


def column_table(parsed: ParsedFile) -> pd.DataFrame:
    """sheet, column (``A``), header (as written; two-row headers joined by ``/``), field."""
    rows = [{"sheet": s.sheet, "column": column_letter(c.index), "header": c.header, "field": c.field}
            for s in parsed.used for c in s.layout.columns]
    return pd.DataFrame(rows, columns=["sheet", "column", "header", "field"])


def first_rows(parsed: ParsedFile, limit: int = 10) -> pd.DataFrame:
    """Up to ``limit`` items from the first used sheets, as stored, with their sheet."""
    rows = []
    for s in parsed.used:
        for item in s.item_rows(limit - len(rows)):
            rows.append({"sheet": s.sheet, **item})
        if len(rows) >= limit:
            break
    return pd.DataFrame(rows, columns=["sheet", *PARSED_COLUMNS, *TEXT_COLUMNS])
