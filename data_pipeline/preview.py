"""What the upload page shows about a parsed file before it is stored.

- ``sheet_table``: every sheet, used or skipped, with its header rows, group and counts.
- ``column_table``: every header cell of every used sheet, its Excel column letter and
  the field it maps to (None: not imported), so the office can correct the mapping.
- ``first_rows``: the first items exactly as ``store.write_batch`` will store them.
- ``superseded``: the stored batches of the same report date that hold some of the
  file's items (the file's states supersede theirs: a later batch of a date wins).
- ``kept_fields``: the fields some used sheet has no column for, whose stored values the
  items keep from their previous state (``normalise.KEPT_WHEN_ABSENT``).
"""
from __future__ import annotations

import pandas as pd
from openpyxl.utils import get_column_letter

import pyarrow as pa

from .ingest import ParsedFile
from .normalise import KEPT_WHEN_ABSENT, PARSED_COLUMNS, TEXT_COLUMNS


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


def superseded(con, parsed: ParsedFile) -> pd.DataFrame:
    """batch_id, file_name, items (how many of this file's items it holds): the stored
    batches with the file's report date that share items with it, oldest first."""
    keys = pa.table({"item_key": pa.array([k for s in parsed.used for k in s.items["item_key"]], pa.string())})
    return con.execute(
        "SELECT batch_id, file_name, count(DISTINCT item_key) AS items FROM item_states JOIN batches USING (batch_id) "
        "WHERE item_states.report_date = $day AND item_key IN (SELECT item_key FROM keys) "
        "GROUP BY batch_id, file_name ORDER BY batch_id", {"day": parsed.report_date}).df() \
        if keys.num_rows else pd.DataFrame(columns=["batch_id", "file_name", "items"])


def kept_fields(con, parsed: ParsedFile) -> list[str]:
    """The fields (``KEPT_WHEN_ABSENT`` values, in its order) that a used sheet with
    items has no column for and that the stored states of the file's items hold a value
    of: what the items keep from their previous state."""
    absent = {c for s in parsed.used if s.item_count for c in s.absent_columns()}
    keys = pa.table({"item_key": pa.array([k for s in parsed.used for k in s.items["item_key"]], pa.string())})
    columns = [c for c in KEPT_WHEN_ABSENT if c in absent]
    if not columns or not keys.num_rows:
        return []
    held = con.execute("SELECT " + ", ".join(f"count({c})" for c in columns) +
                       " FROM current_states WHERE item_key IN (SELECT item_key FROM keys)").fetchone()
    return list(dict.fromkeys(KEPT_WHEN_ABSENT[c] for c, n in zip(columns, held) if n))
