"""Stage 4, store: the DuckDB file, its schema, and batches written in one transaction.

Tables:
- ``batches``: one row per ingested file (name, sha256, report date and where it came
  from, counts, uploader, time, and ``sample``: whether it is the bundled sample's, set
  only by ``sample.load_sample``, never by a name).
- ``batch_files``: the original bytes of each batch, so it can be downloaded again.
- ``source_rows`` (a view of the table ``source_lines``): every non-blank row of every
  sheet, verbatim as text (``cells``, one text per column), with its sheet, Excel row
  number, what it became (title/header/item/skipped/rejected/sheet_skipped) and why.
  ``source_lines`` holds a row's cells as one ``line``, joined by ``SEP`` (U+001F), or,
  when a cell holds ``SEP`` itself, as the list ``cells``: one text per row compresses
  (zstd) and stores several times faster than a list of texts.
- ``item_states``: one row per item per batch: the item's state in that report, with
  ``valid_until``, ``first_seen`` and ``first_done``, which say on which dates the row
  holds (``validity``; kept right by every write and removal, in its transaction), and
  ``absent_fields``: the columns its sheet had no column for (``normalise.KEPT_WHEN_ABSENT``,
  NULL when none), which hold the item's value from its previous state instead.
- ``current_states``: a copy of the ``item_states`` rows that have no successor (each
  item's latest state), and ``report_counts``: the counts at each report date per group
  and category (``metrics.store_report_counts``). Both are derived, kept right in the
  same transaction as every change, so a page reads the current states and the weekly
  series without scanning the history.
- ``batch_notes``: warnings and rejections with sheet, row, column and message.
- ``audit_log``: every change (upload, removal, settings, remembered column mappings)
  with the role and name of who made it, written in the change's own transaction
  (``audit.log``).
- ``column_mappings``: header texts the office mapped to a field by hand, applied to
  later files (``mappings``).
- ``settings``: the campaign's settings, one JSON value per key
  (``campaign.settings``).
- ``meta``: ``schema_version`` and ``data_version`` (bumped by every change, so readers
  can tell their cache is stale).

Schema versions: 1 kept source rows in a table ``source_rows`` with a ``cells`` list and
had no ``audit_log`` or ``column_mappings``; 2 keeps source rows in ``source_lines``, with
the view ``source_rows`` reading as before. Opening a version-1 database converts it
(its rows keep their lists) and adds the new tables; a read-only open of an older file
first opens it once for writing to do so. 3 adds the validity columns of
``item_states``, ``current_states`` and ``report_counts`` (filled on conversion) and
declares ``settings``. 4 adds ``absent_fields`` (NULL in rows stored before: their
blanks stay blanks) and ``batches.sample`` (true for the batches the system loaded as
the sample).

Rules: a byte-identical file (same sha256) is not stored twice; a batch is written, or
removed, in one transaction; a file locked by another process is retried for a while.
"""
from __future__ import annotations

import datetime as dt
import time
from bisect import bisect_left, bisect_right
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import audit, metrics, validity
from .errors import DatabaseBusy
from .normalise import PARSED_COLUMNS, TEXT_COLUMNS, Note
from .constants import SAMPLE_UPLOADER, default_db_path
from .values import WHITESPACE, cell_text

SCHEMA_VERSION = "4"   # 2: source lines, audit_log, column_mappings; 3: validity columns; 4: absent_fields

# The columns of a stored item state (``item_states``, and ``current_states``, its copy of
# the rows with no successor).
STATE_COLUMNS = """
    batch_id INTEGER NOT NULL, report_date DATE NOT NULL, sheet VARCHAR NOT NULL, row_no INTEGER NOT NULL,
    item_key VARCHAR NOT NULL, item_id VARCHAR, seq VARCHAR, description VARCHAR, location VARCHAR,
    grid VARCHAR, category VARCHAR, group_name VARCHAR NOT NULL, assignee VARCHAR, assigned_on DATE,
    deadline DATE, deadline_text VARCHAR, status_text VARCHAR, status VARCHAR NOT NULL, completed_on DATE,
    measures VARCHAR, verification VARCHAR, source VARCHAR, notes VARCHAR,
    valid_until DATE, first_seen DATE, first_done DATE, absent_fields VARCHAR[]
"""
SCHEMA = """
CREATE SEQUENCE IF NOT EXISTS batch_id_seq START 1;
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS batches (
    batch_id INTEGER PRIMARY KEY,
    file_name VARCHAR NOT NULL,
    content_hash VARCHAR NOT NULL,
    file_kind VARCHAR NOT NULL,
    report_date DATE NOT NULL,
    report_date_source VARCHAR NOT NULL,
    ingested_at TIMESTAMP NOT NULL,
    uploaded_by VARCHAR,
    items INTEGER NOT NULL,
    skipped INTEGER NOT NULL,
    rejected INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    sheets_used VARCHAR[] NOT NULL,
    sheets_skipped VARCHAR[] NOT NULL,
    sample BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE TABLE IF NOT EXISTS batch_files (batch_id INTEGER PRIMARY KEY, content BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS item_states ({STATE_COLUMNS});
CREATE TABLE IF NOT EXISTS current_states ({STATE_COLUMNS});
CREATE TABLE IF NOT EXISTS report_counts (
    as_of DATE NOT NULL, group_name VARCHAR NOT NULL, category VARCHAR NOT NULL, items BIGINT NOT NULL,
    done BIGINT NOT NULL, overdue BIGINT NOT NULL, long_term BIGINT NOT NULL, done_on_time BIGINT NOT NULL,
    on_time_base BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS settings (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS audit_log (
    logged_at TIMESTAMP NOT NULL, role VARCHAR NOT NULL, actor VARCHAR, action VARCHAR NOT NULL,
    batch_id INTEGER, detail VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS column_mappings (
    header_key VARCHAR PRIMARY KEY, header VARCHAR NOT NULL, field VARCHAR,
    saved_at TIMESTAMP NOT NULL, saved_by VARCHAR
);
CREATE TABLE IF NOT EXISTS batch_notes (
    batch_id INTEGER NOT NULL, level VARCHAR NOT NULL, sheet VARCHAR, row_no INTEGER,
    column_name VARCHAR, message VARCHAR NOT NULL
);
""".replace("{STATE_COLUMNS}", STATE_COLUMNS)
SEP = "\x1f"              # joins the cells of a source row into its line
# Exactly one of line and cells is set (see the module docstring).
SOURCE_LINES = """
CREATE TABLE source_lines (
    batch_id INTEGER NOT NULL, sheet VARCHAR NOT NULL, row_no INTEGER NOT NULL,
    kind VARCHAR NOT NULL, reason VARCHAR, line VARCHAR{compression}, cells VARCHAR[]
)"""
SOURCE_ROWS = f"""
CREATE VIEW IF NOT EXISTS source_rows AS
SELECT batch_id, sheet, row_no, kind, reason, coalesce(cells, string_split(line, chr({ord(SEP)}))) AS cells
FROM source_lines"""

CHUNK_ROWS = 16_384       # rows per insert: at most a row group (see connect), else DuckDB rewrites them at checkpoint
ROW_GROUP_ROWS = 16_384
_ITEM_TYPES = {"row_no": pa.int32(), "assigned_on": pa.date32(), "deadline": pa.date32(),
               "completed_on": pa.date32()}


def connect(path: str | Path | None = None, *, read_only: bool = False, wait_seconds: float = 15.0):
    """Open the campaign database (``path``, else ``CAMPAIGN_DB``, else
    ``data/campaign.duckdb``), creating it and its schema when missing.

    DuckDB lets one process write a file at a time: while another process holds it,
    opening is retried for ``wait_seconds`` before ``DatabaseBusy`` is raised.

    The file is attached with row groups of ``ROW_GROUP_ROWS``: a transaction that
    appends a full row group writes (and compresses) it right away instead of at
    commit, so a big batch is written while the next chunk is being prepared and is
    not held in memory."""
    path = Path(path) if path else default_db_path()
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    if read_only and not path.exists():
        connect(path).close()
    deadline = time.monotonic() + wait_seconds
    delay = 0.05
    while True:
        try:
            con = duckdb.connect()
            options = f"ROW_GROUP_SIZE {ROW_GROUP_ROWS}" + (", READ_ONLY" if read_only else "")
            con.execute(f"ATTACH ? AS campaign ({options})".replace("?", _sql_string(str(path))))
            con.execute("USE campaign")
            break
        except duckdb.IOException as exc:
            con.close()
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                if "lock" in str(exc).lower():
                    raise DatabaseBusy("数据库正被另一个程序占用，请稍后再试") from None
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
    if not read_only:
        ensure_schema(con)
    elif _stored_schema_version(con) != SCHEMA_VERSION:
        # A file from an older version: bring its schema up to date once, then read.
        con.close()
        connect(path, wait_seconds=wait_seconds).close()
        return connect(path, read_only=True, wait_seconds=wait_seconds)
    return con


_OPEN_TRANSACTIONS: dict[int, int] = {}    # id(connection) -> depth of nested ``transaction`` blocks


@contextmanager
def transaction(con):
    """``with transaction(con): ...``: commit when the block ends, roll back (and
    re-raise) on any error, so a change is stored whole or not at all. A block inside
    another one on the same connection joins it: both are stored, or neither."""
    depth = _OPEN_TRANSACTIONS.get(id(con), 0)
    if depth:
        _OPEN_TRANSACTIONS[id(con)] = depth + 1
        try:
            yield
        finally:
            _OPEN_TRANSACTIONS[id(con)] = depth
        return
    con.begin()
    _OPEN_TRANSACTIONS[id(con)] = 1
    try:
        yield
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        del _OPEN_TRANSACTIONS[id(con)]


def _sql_string(text: str) -> str:
    """A SQL string literal (ATTACH takes no parameters)."""
    return "'" + text.replace("'", "''") + "'"


def ensure_schema(con) -> None:
    """Create what is missing (every statement is ``IF NOT EXISTS``: tables added by a
    later version appear in an older file), convert a version-1 database (see the
    module docstring) and record ``SCHEMA_VERSION``. Each step is kept or undone
    whole, so an interrupted run resumes."""
    con.execute(SCHEMA)
    if _table_type(con, "source_lines") is None:
        try:
            con.execute(SOURCE_LINES.format(compression=" USING COMPRESSION zstd"))
        except duckdb.Error:     # a file of a storage version without zstd (written by DuckDB < 1.2)
            con.execute(SOURCE_LINES.format(compression=""))
    if _table_type(con, "source_rows") == "BASE TABLE":
        with transaction(con):
            con.execute("INSERT INTO source_lines SELECT batch_id, sheet, row_no, kind, reason, NULL, cells "
                        "FROM source_rows")
            con.execute("DROP TABLE source_rows")
            con.execute(SOURCE_ROWS)
            con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [SCHEMA_VERSION])
    con.execute(SOURCE_ROWS)
    if "valid_until" not in _columns(con, "item_states"):
        with transaction(con):
            for column in VALIDITY_COLUMNS:
                con.execute(f"ALTER TABLE item_states ADD COLUMN {column} DATE")
            if "absent_fields" not in _columns(con, "item_states"):
                con.execute("ALTER TABLE item_states ADD COLUMN absent_fields VARCHAR[]")
            validity.refresh_all(con)
            metrics.store_report_counts(con, validity.EPOCH)
    if "sample" not in _columns(con, "batches"):
        with transaction(con):
            con.execute("ALTER TABLE batches ADD COLUMN sample BOOLEAN NOT NULL DEFAULT FALSE")
            con.execute("UPDATE batches SET sample = TRUE WHERE uploaded_by = ? AND batch_id IN "
                        "(SELECT batch_id FROM audit_log WHERE role = ? AND action = ?)",
                        [SAMPLE_UPLOADER, audit.ROLE_SYSTEM, audit.UPLOAD])
    for table in ("item_states", "current_states"):
        if "absent_fields" not in _columns(con, table):
            con.execute(f"ALTER TABLE {table} ADD COLUMN absent_fields VARCHAR[]")
    con.execute("INSERT INTO meta VALUES ('data_version', '0') ON CONFLICT DO NOTHING")
    con.execute("INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT DO UPDATE SET value = excluded.value",
                [SCHEMA_VERSION])


VALIDITY_COLUMNS = ("valid_until", "first_seen", "first_done")


def _columns(con, table: str) -> set[str]:
    return {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_catalog = current_database() "
        "AND table_schema = current_schema() AND table_name = ?", [table]).fetchall()}


def _table_type(con, name: str) -> str | None:
    """``BASE TABLE``, ``VIEW`` or None: what ``name`` is in the open database."""
    row = con.execute("SELECT table_type FROM information_schema.tables WHERE table_catalog = current_database() "
                      "AND table_schema = current_schema() AND table_name = ?", [name]).fetchall()
    return row[0][0] if row else None


def _stored_schema_version(con) -> str | None:
    if _table_type(con, "meta") is None:
        return None
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
    return row[0][0] if row else None


def data_version(con) -> int:
    """A number that changes whenever batches are added or removed (for cache keys)."""
    row = con.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
    return int(row[0]) if row else 0


def bump_data_version(con) -> None:
    """Mark the data as changed (call inside the transaction that changes it)."""
    con.execute("UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) WHERE key = 'data_version'")


def find_batch_by_hash(con, content_hash: str):
    """(batch_id, file_name, report_date) of a stored file with this sha256, or None."""
    return con.execute("SELECT batch_id, file_name, report_date FROM batches WHERE content_hash = ?",
                       [content_hash]).fetchone()


@dataclass
class BatchRecord:
    """What ``write_batch`` stores for one file."""

    file_name: str
    content: bytes
    content_hash: str
    file_kind: str
    report_date: dt.date
    report_date_source: str
    sheets_used: list[str]
    sheets_skipped: list[str]
    sheets: list = field(default_factory=list)   # normalise.SheetResult
    notes: list[Note] = field(default_factory=list)
    uploaded_by: str | None = None
    sample: bool = False


def _source_texts(rows, width: int) -> list[str]:
    """The cells of ``rows`` as one flat list of texts, row after row, each row padded
    with ``""`` to ``width``: text as it is, any other value as ``values.cell_text``
    writes it (dates memoised: ledgers repeat them)."""
    dates: dict = {}

    def text(v):
        cls = v.__class__
        if cls is float:
            return str(int(v)) if v.is_integer() else repr(v)
        if cls is dt.date or cls is dt.datetime:
            t = dates.get(v)
            if t is None:
                t = dates[v] = cell_text(v)
            return t
        return cell_text(v)

    if any(len(r) != width for r in rows):
        rows = [list(r) + [""] * (width - len(r)) for r in rows]
    return [v if v.__class__ is str else text(v) for row in rows for v in row]


def _source_arrays(texts: list[str], width: int) -> tuple[pa.Array, pa.Array, pa.Array]:
    """``texts``, the cells of rows (``width`` per row, row after row), as Arrow arrays:
    every cell, and the ``line`` and ``cells`` columns of ``source_lines``. The texts
    are joined by ``SEP`` and encoded at once, then cut with numpy where ``SEP`` is
    (UTF-8 encodes no other character with its byte); when a text holds ``SEP``
    itself, row by row."""
    rows = len(texts) // width
    raw = np.frombuffer(SEP.join(texts).encode(), np.uint8)
    seps = np.flatnonzero(raw == ord(SEP))
    if len(seps) != len(texts) - 1:
        return _source_arrays_row_by_row(texts, width)
    return _cut(raw, seps), _cut(raw, seps[width - 1::width]), pa.nulls(rows, pa.list_(pa.string()))


def _cut(raw: np.ndarray, cuts: np.ndarray) -> pa.Array:
    """The pieces of the UTF-8 text ``raw`` between the separator bytes at ``cuts``
    (ascending; the separators dropped) as a string array."""
    n = len(cuts) + 1
    offsets = np.empty(n + 1, np.int32)
    offsets[0] = 0
    offsets[1:n] = cuts - np.arange(n - 1)      # each piece starts after the separators before it
    offsets[n] = len(raw) - (n - 1)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(np.delete(raw, cuts)))


def _source_arrays_row_by_row(texts: list[str], width: int) -> tuple[pa.Array, pa.Array, pa.Array]:
    """``_source_arrays`` when some text holds ``SEP``: its row gets a list of cells."""
    rows = [texts[k:k + width] for k in range(0, len(texts), width)]
    plain = [not any(SEP in t for t in row) for row in rows]
    return (pa.array(texts, pa.string()),
            pa.array([SEP.join(row) if p else None for row, p in zip(rows, plain)], pa.string()),
            pa.array([None if p else row for row, p in zip(rows, plain)], pa.list_(pa.string())))


def _item_texts(texts: pa.Array, width: int, rows: np.ndarray, text_columns: dict[str, int]) -> dict[str, pa.Array]:
    """The text columns (``TEXT_COLUMNS``) of the items in ``rows`` (positions of rows
    in ``texts``, the cells ``width`` per row): the cell trimmed of ``values.WHITESPACE``
    (so ``values.cell_text`` of the value read), null when empty or when the sheet has
    no such column."""
    out = {}
    for c in TEXT_COLUMNS:
        j = text_columns.get(c)
        if j is None or j >= width:
            out[c] = pa.nulls(len(rows), pa.string())
            continue
        text = pc.utf8_trim(texts.take(rows * width + j), WHITESPACE)
        out[c] = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    return out


def _item_sql(sheet) -> str:
    """SQL storing one chunk of items of ``sheet`` (``_items``: ``PARSED_COLUMNS`` and
    ``TEXT_COLUMNS``)."""
    columns = ", ".join((*PARSED_COLUMNS, *TEXT_COLUMNS))
    absent = sheet.absent_columns()
    listed = "[" + ", ".join(_sql_string(c) for c in absent) + "]" if absent else "NULL"
    return (f"INSERT INTO item_states (batch_id, report_date, sheet, {columns}, absent_fields) "
            f"SELECT $batch, $report_date, $sheet, {columns}, {listed}::VARCHAR[] FROM _items")


_SOURCE_SQL = "INSERT INTO source_lines SELECT $batch, sheet, row_no, kind, reason, line, cells FROM _chunk"


def _chunks(sheet):
    """The sheet's source rows in row order, ``CHUNK_ROWS`` at a time (the remainder
    first: DuckDB commits a short last insert of a transaction markedly slower than a
    short first one), as (source table, items table or None). A source row has one
    text per column of the sheet (rows of one sheet have one width, shorter ones are
    padded with ``""``); the items table holds the items among these rows, parsed
    columns and text columns. Cells are released once converted."""
    order = sorted(range(len(sheet.row_no)), key=sheet.row_no.__getitem__)
    width = max(map(len, sheet.cells), default=0)
    text_columns = sheet.text_columns()
    item_rows = sheet.items["row_no"]          # ascending
    first = len(order) % CHUNK_ROWS or CHUNK_ROWS
    for lo, hi in zip([0, *range(first, len(order), CHUNK_ROWS)], range(first, len(order) + 1, CHUNK_ROWS)):
        idx = order[lo:hi]
        texts, lines, lists = _source_arrays(_source_texts([sheet.cells[i] for i in idx], width), width)
        for i in idx:
            sheet.cells[i] = None
        kinds = [sheet.kind[i] for i in idx]
        row_nos = [sheet.row_no[i] for i in idx]
        source = pa.table({
            "sheet": pa.array([sheet.sheet] * len(idx), pa.string()),
            "row_no": pa.array(row_nos, pa.int32()),
            "kind": pa.array(kinds, pa.string()),
            "reason": pa.array([sheet.reason[i] or None for i in idx], pa.string()),
            "line": lines,
            "cells": lists,
        })
        a, b = bisect_left(item_rows, row_nos[0]), bisect_right(item_rows, row_nos[-1])
        items = None
        if b > a:
            rows = np.array([k for k, kind in enumerate(kinds) if kind == "item"])
            items = pa.table({**{c: pa.array(sheet.items[c][a:b], _ITEM_TYPES.get(c, pa.string()))
                                 for c in PARSED_COLUMNS},
                              **_item_texts(texts, width, rows, text_columns)})
        yield source, items


def write_batch(con, record: BatchRecord, actor: audit.Actor | None = None) -> int:
    """Store one batch in a single transaction and return its id. On any error nothing
    of it is stored. ``actor`` (who uploads it) is written to the audit log in the same
    transaction.

    A single worker thread runs the inserts (DuckDB releases the GIL, and writes full
    row groups as they come, see ``connect``): the batch row and the file, then the rows
    in chunks (``_chunks``), each while this thread converts the next; at most two
    chunks are converted and not yet stored. Only the worker touches ``con`` until the
    transaction ends. The sheets' raw cells are released as they are converted (a
    100,000-row sheet holds ~150 MB of Python objects): a record is stored once."""
    items = sum(s.item_count for s in record.sheets)
    skipped = sum(s.count("skipped") for s in record.sheets)
    rejected = sum(s.count("rejected") for s in record.sheets)
    warnings = sum(1 for n in record.notes if n.level == "warning")
    notes = record.notes
    note_table = pa.table({
        "level": pa.array([n.level for n in notes], pa.string()),
        "sheet": pa.array([n.sheet for n in notes], pa.string()),
        "row_no": pa.array([n.row for n in notes], pa.int32()),
        "column_name": pa.array([n.column or None for n in notes], pa.string()),
        "message": pa.array([n.message for n in notes], pa.string()),
    })

    def store_chunk(source_sql: str, _chunk: pa.Table, item_sql: str, _items, params: dict) -> None:
        # The SQL names the tables by these parameters' names (a DuckDB replacement
        # scan), which holds them for the statement only: a registered view would keep
        # every chunk in memory until the transaction ends.
        con.execute(source_sql, {"batch": params["batch"]})
        if _items is not None:
            con.execute(item_sql, params)

    def store_batch(batch_id: int) -> None:
        con.execute(
            "INSERT INTO batches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [batch_id, record.file_name, record.content_hash, record.file_kind, record.report_date,
             record.report_date_source, dt.datetime.now().replace(microsecond=0), record.uploaded_by,
             items, skipped, rejected, warnings, record.sheets_used, record.sheets_skipped, record.sample])
        con.execute("INSERT INTO batch_files VALUES (?, ?)", [batch_id, record.content])

    pending: list = []
    with transaction(con), _cancel_on_error(pending):
        batch_id = con.execute("SELECT nextval('batch_id_seq')").fetchone()[0]
        with ThreadPoolExecutor(max_workers=1) as worker:
            pending.append(worker.submit(store_batch, batch_id))
            for sheet in record.sheets:
                item_sql = _item_sql(sheet) if sheet.item_count else ""
                params = {"batch": batch_id, "report_date": record.report_date, "sheet": sheet.sheet}
                for source, item_table in _chunks(sheet):
                    if len(pending) >= 2:
                        pending[-2].result()
                    pending.append(worker.submit(store_chunk, _SOURCE_SQL, source, item_sql, item_table, params))
            pending.append(worker.submit(
                store_chunk, "INSERT INTO batch_notes SELECT $batch, level, sheet, row_no, column_name, message "
                             "FROM _chunk", note_table, "", None, {"batch": batch_id}))
            for f in pending:
                f.result()
        validity.refresh_batch(con, batch_id, record.report_date)
        metrics.store_report_counts(con, record.report_date)
        audit.log(con, actor, audit.UPLOAD,
                  f"文件“{record.file_name}”（截至{record.report_date:%Y-%m-%d}）：问题{items}条，"
                  f"跳过{skipped}行，拒收{rejected}行，警告{warnings}条", batch_id)
        bump_data_version(con)
    return batch_id


@contextmanager
def _cancel_on_error(pending: list):
    """Cancel the inserts not yet started when the batch fails."""
    try:
        yield
    except BaseException:
        for f in pending:
            f.cancel()
        raise


def remove_batches(con, batch_ids, actor: audit.Actor | None = None) -> list[int]:
    """Delete batches and everything they stored, in one transaction, each with its
    audit-log entry when ``actor`` is given. Returns the ids that existed."""
    removed = []
    with transaction(con):
        for batch_id in batch_ids:
            found = con.execute("SELECT file_name, report_date, items FROM batches WHERE batch_id = ?",
                                [batch_id]).fetchall()
            if not found:
                continue
            keys = [r[0] for r in con.execute("SELECT DISTINCT item_key FROM item_states WHERE batch_id = ?",
                                              [batch_id]).fetchall()]
            for table in ("item_states", "source_lines", "batch_notes", "batch_files", "batches"):
                con.execute(f"DELETE FROM {table} WHERE batch_id = ?", [batch_id])
            name, date, items = found[0]
            validity.refresh_keys(con, keys, date)
            metrics.store_report_counts(con, date)
            audit.log(con, actor, audit.REMOVE, f"批次#{batch_id}：文件“{name}”（截至{date:%Y-%m-%d}，问题{items}条）",
                      batch_id)
            removed.append(batch_id)
        if removed:
            bump_data_version(con)
    return removed


def remove_batch(con, batch_id: int, actor: audit.Actor | None = None) -> bool:
    """``remove_batches`` for one batch. False when unknown."""
    return bool(remove_batches(con, [batch_id], actor))


def list_batches(con):
    """All batches, newest report first, as a DataFrame; ``uploaded_role`` is the role
    the audit log recorded for the upload (None for batches stored without one)."""
    return con.execute("""
        SELECT b.batch_id, file_name, report_date, items, skipped, rejected, warnings,
               uploaded_by, ingested_at, report_date_source, file_kind, sheets_used, sheets_skipped, sample,
               a.role AS uploaded_role
        FROM batches b
        LEFT JOIN (SELECT batch_id, any_value(role) AS role FROM audit_log WHERE action = ? GROUP BY batch_id) a
          USING (batch_id)
        ORDER BY report_date DESC, b.batch_id DESC""", [audit.UPLOAD]).df()


def sample_batch_ids(con) -> list[int]:
    """The batches of the bundled sample (``batches.sample``), oldest first."""
    return [r[0] for r in con.execute("SELECT batch_id FROM batches WHERE sample ORDER BY batch_id").fetchall()]


def batch_file(con, batch_id: int) -> tuple[str, bytes] | None:
    """(file name, original bytes) of a batch."""
    row = con.execute("SELECT b.file_name, f.content FROM batches b JOIN batch_files f USING (batch_id) "
                      "WHERE batch_id = ?", [batch_id]).fetchone()
    return (row[0], bytes(row[1])) if row else None


def batch_notes(con, batch_id: int):
    return con.execute("SELECT level, sheet, row_no, column_name, message FROM batch_notes "
                       "WHERE batch_id = ? ORDER BY sheet, row_no NULLS FIRST", [batch_id]).df()
