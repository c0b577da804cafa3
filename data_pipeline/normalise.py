"""Stage 3, normalise: the rows under a sheet's header -> items, skipped rows and
rejected rows, each remembered with its Excel row number.

Row rules, in this order (the first that applies decides):
1. blank rows are ignored (not stored, not counted);
2. a first non-empty cell starting with ``合计/小计/总计/累计`` -> skipped (total row);
3. a first non-empty cell starting with ``注/备注/说明/填表说明`` and a colon or a digit
   -> skipped (footnote); after a footnote, rows with a single non-empty cell are
   footnote lines too; ``填报人：``/``审核人：`` lines -> skipped (signatures);
4. a row repeating the header -> skipped;
5. a row whose only content is in the 序号/责任单位 columns -> skipped (empty template row);
6. no description and no id -> rejected;
7. a deadline or completion date that is not a date -> rejected (the reason quotes it);
   a deadline relative to an empty assigned date (``7天``, ``立行立改``) -> rejected;
8. otherwise an item. An unreadable assigned date or status text only warns.

Item fields:
- ``group``: the group column (``values.clean_group``), else the sheet's group (the
  ``填报单位`` above the header, else a sheet name that is not ``Sheet1``-like, else
  ``未分组`` with a warning).
- ``status``: ``values.classify_status``; empty status text -> done when a completion
  date is given, else unknown; long-term when the deadline says ``长期`` and the item is
  not done.
- ``item_key`` (identity across weeks): ``id:<group>|<id>`` when the id column has a
  value, else ``fp:`` + a hash of the folded description, location and group. Ids are
  scoped by group because many offices number each group's sheet from 1. The same key
  twice in one file: a repeated id is rejected; a repeated fingerprint gets ``#2``, ``#3``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from .layout import Layout, field_for_header
from .read import Sheet
from .settings import DEFAULT_SHEET_NAME, FOOTNOTE_MARKERS, SIGNATURE_MARKERS, TOTAL_MARKERS, UNGROUPED
from .values import (DONE, LONG_TERM, UNKNOWN, DateError, cell_text, classify_status, clean_group, clean_id,
                     fold, parse_date, parse_deadline)

ITEM_COLUMNS = ("row_no", "item_key", "item_id", "seq", "description", "location", "grid", "category",
                "group_name", "assignee", "assigned_on", "deadline", "deadline_text", "status_text", "status",
                "completed_on", "measures", "verification", "source", "notes")
_TEXT_FIELDS = ("item_id", "seq", "description", "location", "grid", "category", "assignee",
                "status", "measures", "verification", "source", "notes")
_FOOTNOTE = re.compile(r"^(?:%s)\s*(?:[:：]|\d|[（(]?[一二三四五六七八九十\d])" % "|".join(FOOTNOTE_MARKERS))
_SIGNATURE = re.compile(r"^(?:%s)\s*[:：]" % "|".join(SIGNATURE_MARKERS))
_TOTAL = re.compile(r"^(?:%s)" % "|".join(TOTAL_MARKERS))
_DEFAULT_SHEET = re.compile(DEFAULT_SHEET_NAME, re.IGNORECASE)


@dataclass
class Note:
    """A message about a row or a sheet, for the ingest report."""

    level: str            # "rejected", "warning" or "skipped"
    sheet: str
    row: int | None       # Excel row number
    column: str           # source header text, "" when not about one column
    message: str          # plain Chinese, without the location

    def __str__(self) -> str:
        where = f"工作表“{self.sheet}”" + (f"第{self.row}行" if self.row else "")
        return f"{where}：{self.message}"


@dataclass
class SheetResult:
    """Everything one sheet contributes to a batch."""

    sheet: str
    layout: Layout | None
    group: str = ""
    # Stored source rows (non-blank): parallel lists.
    row_no: list[int] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)     # title/header/item/skipped/rejected/sheet_skipped
    reason: list[str] = field(default_factory=list)
    cells: list[list] = field(default_factory=list)
    items: dict[str, list] = field(default_factory=lambda: {c: [] for c in ITEM_COLUMNS})
    notes: list[Note] = field(default_factory=list)

    @property
    def item_count(self) -> int:
        return len(self.items["row_no"])

    def count(self, kind: str) -> int:
        return self.kind.count(kind)


def sheet_group(sheet_name: str, layout: Layout) -> str:
    """The group a sheet without a group column belongs to (see module rules)."""
    if layout.unit:
        return clean_group(layout.unit)
    name = clean_group(sheet_name)
    if name and not _DEFAULT_SHEET.match(name):
        return name
    return ""


def _blank(row) -> bool:
    for v in row:
        if v is not None and v != "":
            return False
    return True


def skipped_sheet(sheet: Sheet) -> SheetResult:
    """A sheet with no recognisable header: its rows are kept, none is an item."""
    result = SheetResult(sheet.name, None)
    for i, row in enumerate(sheet.rows):
        if not _blank(row):
            _keep(result, i + 1, "sheet_skipped", "", row)
    result.notes.append(Note("warning", sheet.name, None, "",
                             "没有找到台账表头（如“问题描述”“责任单位”“整改情况”等列名），整张工作表已跳过"))
    return result


def _keep(result: SheetResult, row_no: int, kind: str, reason: str, row) -> None:
    result.row_no.append(row_no)
    result.kind.append(kind)
    result.reason.append(reason)
    result.cells.append(row)


def normalise_sheet(sheet: Sheet, layout: Layout, report_date: dt.date) -> SheetResult:
    """Apply the module's row rules to ``sheet`` under ``layout``."""
    result = SheetResult(sheet.name, layout)
    rows = sheet.rows
    fields = layout.fields
    header_of = {c.field: c.header for c in layout.columns if c.field}

    for i in range(layout.header_last + 1):
        if not _blank(rows[i]):
            _keep(result, i + 1, "title" if i < layout.header_first else "header", "", rows[i])

    group = "" if "group" in fields else sheet_group(sheet.name, layout)
    if "group" not in fields and not group:
        result.notes.append(Note("warning", sheet.name, None, "",
                                 f"没有“责任单位”列，工作表名也不是单位名称，这些问题归入“{UNGROUPED}”"))
        group = UNGROUPED
    result.group = group

    template_cols = {fields[f] for f in ("seq", "group") if f in fields}
    key_cols = [fields[f] for f in ("description", "item_id") if f in fields]
    header_signature = {c.index: c.field for c in layout.columns if c.field}

    candidates: list[int] = []
    in_footer = False
    for i in range(layout.header_last + 1, len(rows)):
        row = rows[i]
        first = None
        filled = 0
        for v in row:
            if v is not None and v != "":
                filled += 1
                if first is None:
                    first = v
        if first is None:
            continue
        text = cell_text(first) if first.__class__ is not str else first.strip()
        reason = ""
        if _TOTAL.match(text):
            reason = "合计/小计行"
        elif _FOOTNOTE.match(text) or (in_footer and filled == 1):
            reason, in_footer = "表尾注释", True
        elif _SIGNATURE.match(text):
            reason = "落款行（填报人/审核人）"
        elif filled >= 2 and sum(1 for j, f in header_signature.items()
                                 if j < len(row) and isinstance(row[j], str)
                                 and field_for_header(row[j]) == f) >= 2:
            reason = "重复的表头行"
        elif all(j in template_cols for j, v in enumerate(row) if v is not None and v != ""):
            reason = "空白行（只有序号或单位）"
        if reason:
            _keep(result, i + 1, "skipped", reason, row)
            continue
        if not any(j < len(row) and row[j] is not None and row[j] != "" for j in key_cols):
            _keep(result, i + 1, "rejected", "缺少问题描述和问题编号，无法作为一条问题", row)
            result.notes.append(Note("rejected", sheet.name, i + 1, "", "缺少问题描述和问题编号，无法作为一条问题"))
            continue
        candidates.append(i)

    _build_items(result, rows, candidates, fields, header_of, group, report_date)
    return result


def _column(rows, idx: list[int], j: int | None) -> list:
    if j is None:
        return [""] * len(idx)
    return [rows[i][j] if j < len(rows[i]) else "" for i in idx]


def _build_items(result: SheetResult, rows, candidates: list[int], fields: dict[str, int],
                 header_of: dict[str, str], group: str, report_date: dt.date) -> None:
    """Column-wise parsing of the candidate rows (memoised: ledgers repeat their values)."""
    sheet = result.sheet
    col = {f: _column(rows, candidates, fields.get(f)) for f in _TEXT_FIELDS + ("group", "assigned_on",
                                                                                 "deadline", "completed_on")}
    text = {f: [v if v.__class__ is str and v == v.strip() else cell_text(v) for v in col[f]] for f in _TEXT_FIELDS}

    group_cache: dict = {}
    groups = []
    for v in col["group"]:
        g = group_cache.get(v)
        if g is None:
            g = group_cache[v] = clean_group(cell_text(v)) or group or UNGROUPED
        groups.append(g)

    status_cache: dict[str, str] = {}
    date_cache: dict = {}
    deadline_cache: dict = {}
    seen_ids: dict[str, int] = {}
    seen_fp: dict[str, int] = {}
    items = result.items
    warn = result.notes.append

    def date_of(value):
        """parse_date, memoised; DateError (the class) marks text that is no date."""
        d = date_cache.get(value, date_cache)
        if d is date_cache:
            try:
                d = parse_date(value, report_date)
            except DateError:
                d = DateError
            date_cache[value] = d
        return d

    for n, i in enumerate(candidates):
        row_no = i + 1
        reason = None
        bad_column = ""
        assigned = date_of(col["assigned_on"][n])
        if assigned is DateError:
            warn(Note("warning", sheet, row_no, header_of["assigned_on"],
                      f"{header_of['assigned_on']}“{cell_text(col['assigned_on'][n])}”无法识别为日期，已留空"))
            assigned = None
        raw_deadline = col["deadline"][n]
        key = (raw_deadline, assigned)
        dl = deadline_cache.get(key)
        if dl is None:
            try:
                dl = parse_deadline(raw_deadline, assigned, report_date)
            except DateError:
                dl = DateError
            deadline_cache[key] = dl
        if dl is DateError:
            bad_column = header_of["deadline"]
            reason = f"{bad_column}“{cell_text(raw_deadline)}”无法识别为日期"
        elif dl.needs_assigned:
            bad_column = header_of["deadline"]
            reason = f"{bad_column}“{cell_text(raw_deadline)}”要按交办日期推算，但交办日期为空"
        completed = date_of(col["completed_on"][n])
        if completed is DateError and reason is None:
            bad_column = header_of["completed_on"]
            reason = f"{bad_column}“{cell_text(col['completed_on'][n])}”无法识别为日期"

        item_id = clean_id(text["item_id"][n]) if text["item_id"][n] else ""
        g = groups[n]
        if reason is None:
            if item_id:
                item_key = f"id:{g}|{item_id}"
                if item_key in seen_ids:
                    bad_column = header_of["item_id"]
                    reason = f"{bad_column}“{item_id}”与第{seen_ids[item_key]}行重复"
                else:
                    seen_ids[item_key] = row_no
            else:
                base = "fp:" + hashlib.sha1("\x1f".join((fold(text["description"][n]), fold(text["location"][n]), g))
                                            .encode("utf-8")).hexdigest()[:20]
                count = seen_fp.get(base, 0) + 1
                seen_fp[base] = count
                item_key = base if count == 1 else f"{base}#{count}"
        if reason is not None:
            _keep(result, row_no, "rejected", reason, rows[i])
            warn(Note("rejected", sheet, row_no, bad_column, reason))
            continue

        status_text = text["status"][n]
        category = status_cache.get(status_text)
        if category is None:
            category = status_cache[status_text] = classify_status(status_text) if status_text else ""
        if status_text and category == UNKNOWN:
            warn(Note("warning", sheet, row_no, header_of["status"],
                      f"{header_of['status']}“{status_text}”无法识别，按“未知”统计（不算已整改）"))
        if not status_text:
            category = DONE if completed else UNKNOWN
        if dl.long_term and category != DONE:
            category = LONG_TERM

        _keep(result, row_no, "item", "", rows[i])
        items["row_no"].append(row_no)
        items["item_key"].append(item_key)
        items["item_id"].append(item_id or None)
        for f in ("seq", "description", "location", "grid", "category", "assignee",
                  "measures", "verification", "source", "notes"):
            items[f].append(text[f][n] or None)
        items["group_name"].append(g)
        items["assigned_on"].append(assigned)
        items["deadline"].append(dl.date)
        items["deadline_text"].append(cell_text(raw_deadline) or None)
        items["status_text"].append(status_text or None)
        items["status"].append(category)
        items["completed_on"].append(completed)
