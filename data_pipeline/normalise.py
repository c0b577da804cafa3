"""Stage 3, normalise: the rows under a sheet's header -> items, skipped rows and
rejected rows, each remembered with its Excel row number.

Row rules, in this order (the first that applies decides):
1. blank rows are ignored (not stored, not counted);
2. a first non-empty cell starting with ``合计/小计/总计/累计/总数`` -> skipped (total row),
   unless the row holds a problem's content (``is_total_row``): ``累计三次发现占道经营``
   with a place, a deadline and a status is a problem row and goes on to the rules below;
3. a first non-empty cell starting with ``注/备注/说明/填表说明`` and a colon or a digit
   -> skipped (footnote); after a footnote, rows with a single non-empty cell are
   footnote lines too; ``填报人：``/``审核人：`` lines -> skipped (signatures);
4. a row repeating the header -> skipped;
5. a row whose only content is in the 序号/责任单位 columns -> skipped (empty template row);
6. no description and no id -> rejected;
7. a deadline or completion date that is not a date -> rejected (the reason quotes it);
   a deadline relative to an empty assigned date (``7天``, ``立行立改``) -> rejected;
8. otherwise an item. An unreadable assigned date or status text only warns, and so does
   an implausible date (``_believable``): an assigned date, deadline or completion date
   outside 2000-2100 (``values.plausible``), or a completion date after the report date.
   That date is stored as unknown (NULL); its text stays in the source row (and in
   ``deadline_text``). A relative deadline (``7天``) on an implausible assigned date is
   unknown too. A blank status with only an implausible completion date is unknown, not
   done (the rule below needs a completion date, and there is none).

Item fields:
- ``group``: the group column (``values.clean_group``); where there is no group column,
  or its cell is blank, the sheet's group (the ``填报单位`` above the header, else a
  sheet name that is not ``Sheet1``-like), else ``未分组`` (with a warning when the sheet
  has no group column).
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
from dataclasses import dataclass, field

from .layout import Layout
from .read import Sheet
from .constants import DEFAULT_SHEET_NAME, FOOTNOTE_MARKERS, SIGNATURE_MARKERS, TOTAL_MARKERS, UNGROUPED
from .values import (ASSIGNED_IMPLAUSIBLE, DONE, LONG_TERM, PLAUSIBLE_RANGE_TEXT, UNKNOWN, WHITESPACE, DateError,
                     Implausible, cell_text, classify_status, clean_group, clean_id, fold, parse_date, plausible,
                     deadline_rule, resolve_deadline)

# Item columns computed here ...
PARSED_COLUMNS = ("row_no", "item_key", "item_id", "group_name", "assigned_on", "deadline", "status",
                  "completed_on")
# ... and item columns that are the trimmed text of one source cell (stored column -> field).
TEXT_COLUMNS = {"seq": "seq", "description": "description", "location": "location", "grid": "grid",
                "category": "category", "assignee": "assignee", "deadline_text": "deadline",
                "status_text": "status", "measures": "measures", "verification": "verification",
                "source": "source", "notes": "notes"}
# Stored item columns an item keeps from its previous state when the sheet has no column
# for their field (stored column -> field): a field absent from a file's layout is not a
# blank (``validity`` fills them in). A column that is present but empty clears it.
KEPT_WHEN_ABSENT = {"description": "description", "location": "location", "grid": "grid",
                    "category": "category", "assignee": "assignee", "assigned_on": "assigned_on",
                    "deadline": "deadline", "deadline_text": "deadline", "completed_on": "completed_on",
                    "measures": "measures", "verification": "verification", "source": "source",
                    "notes": "notes"}
# First-cell markers of non-item rows; the named group says which rule matched.
_MARKER = re.compile(
    r"(?P<total>%s)|(?P<footnote>(?:%s)\s*(?:[:：]|\d|[（(]?[一二三四五六七八九十\d]))|(?P<signature>(?:%s)\s*[:：])"
    % ("|".join(TOTAL_MARKERS), "|".join(FOOTNOTE_MARKERS), "|".join(SIGNATURE_MARKERS)))
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
    items: dict[str, list] = field(default_factory=lambda: {c: [] for c in PARSED_COLUMNS})
    notes: list[Note] = field(default_factory=list)

    @property
    def item_count(self) -> int:
        return len(self.items["row_no"])

    def absent_columns(self) -> list[str]:
        """The ``KEPT_WHEN_ABSENT`` columns whose field this sheet has no column for."""
        fields = self.layout.fields if self.layout else {}
        return [c for c, f in KEPT_WHEN_ABSENT.items() if f not in fields]

    def text_columns(self) -> dict[str, int]:
        """Stored text column -> source column index, for the fields this sheet has."""
        fields = self.layout.fields if self.layout else {}
        return {c: fields[f] for c, f in TEXT_COLUMNS.items() if f in fields}

    def item_rows(self, limit: int | None = None) -> list[dict]:
        """Items as they will be stored (parsed and text columns), in sheet order."""
        by_row = dict(zip(self.row_no, self.cells))
        text = self.text_columns()
        out = []
        for k in range(min(self.item_count, limit if limit is not None else self.item_count)):
            row = {c: self.items[c][k] for c in PARSED_COLUMNS}
            cells = by_row[row["row_no"]]
            for c, j in text.items():
                row[c] = (cell_text(cells[j]) if j < len(cells) else "") or None
            out.append(row)
        return out

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


def _empty(v) -> bool:
    """An empty cell: None, ``""`` or text of white space only (also full-width)."""
    return v is None or v == "" or (v.__class__ is str and not v.strip(WHITESPACE))


def _blank(row) -> bool:
    for v in row:
        if not _empty(v):
            return False
    return True


def _first_filled(row):
    """The first cell of ``row`` that is not empty (``_empty``), None when it is blank."""
    for v in row:
        if v != "" and v is not None and (v.__class__ is not str or v.strip(WHITESPACE)):
            return v
    return None


def _filled(row) -> list:
    """The cells of ``row`` that are not ``""`` or None; when the first of them is white
    space only, the cells that are not empty (``_empty``)."""
    filled = [v for v in row if v != "" and v is not None]
    if filled and filled[0].__class__ is str and not filled[0].strip(WHITESPACE):
        filled = [v for v in filled if not _empty(v)]   # rare: cells of spaces only
    return filled


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
    problem_cols = frozenset(fields[f] for f in PROBLEM_FIELDS if f in fields)
    repeat_marks = _header_marks(rows, layout)

    candidates: list[int] = []
    in_footer = False
    for i in range(layout.header_last + 1, len(rows)):
        row = rows[i]
        first = _first_filled(row)
        if first is None:
            continue
        marker = _MARKER.match(first.lstrip()) if first.__class__ is str else None
        reason = ""
        if marker and marker.lastgroup == "total" and not is_total_row(row, problem_cols):
            marker = None      # a problem whose text starts like a total (累计三次发现…)
        if marker and marker.lastgroup == "total":
            reason = "合计/小计行"
        elif (marker and marker.lastgroup == "footnote") or (in_footer and len(_filled(row)) == 1):
            reason, in_footer = "表尾注释", True
        elif marker:
            reason = "落款行（填报人/审核人）"
        elif repeat_marks and _repeats_header(row, repeat_marks):
            reason = "重复的表头行"
        elif _has_key(row, key_cols):   # key columns are no template columns: not a template-only row
            candidates.append(i)
            continue
        elif len(_filled(row)) <= len(template_cols) and \
                all(j in template_cols for j, v in enumerate(row) if not _empty(v)):
            reason = "空白行（只有序号或单位）"
        if reason:
            _keep(result, i + 1, "skipped", reason, row)
            continue
        _keep(result, i + 1, "rejected", "缺少问题描述和问题编号，无法作为一条问题", row)
        result.notes.append(Note("rejected", sheet.name, i + 1, "", "缺少问题描述和问题编号，无法作为一条问题"))

    fallback = group or sheet_group(sheet.name, layout) or UNGROUPED   # for blank group cells
    _build_items(result, rows, candidates, fields, header_of, fallback, report_date)
    result.notes.sort(key=lambda n: n.row or 0)
    return result


# Columns whose content makes a row a problem, even when it starts like a total. Not here:
# seq, group and grid (totals and subtotals name them: ``小计 | 市容环境组``) and notes.
PROBLEM_FIELDS = ("item_id", "description", "location", "category", "assignee", "assigned_on", "deadline",
                  "status", "completed_on", "measures", "verification", "source")
# A count, as totals write them: ``12``, ``80%``, ``共5项，已整改2项``, ``3个``.
_COUNT = re.compile(r"^[\d\s.,，%％]+$|\d\s*(?:项|个|条|处|件|家|户|次|%|％)")
_TOTAL_LABEL = re.compile(r"^\s*(?:%s)[\s:：,，、。]*" % "|".join(TOTAL_MARKERS))
_BRACKETED = re.compile(r"[（(【\[].*?[）)】\]]")


def _problem_content(v) -> bool:
    """A cell a total row does not have: not empty, not a number, not a count text."""
    if _empty(v) or v.__class__ in (int, float, bool):
        return False
    return v.__class__ is not str or not _COUNT.search(v)


def is_total_row(row, problem_cols: frozenset[int]) -> bool:
    """A row whose first non-empty cell starts with a total marker (``合计``, ``小计``,
    ``累计``…): a total, unless it holds a problem's content in at least two cells of the
    ``PROBLEM_FIELDS`` columns (``problem_cols``). Content is anything but blanks,
    numbers and count texts (``共5项，已整改2项``, ``80%``); a date or ``整改中`` is content.
    The marker cell itself is content when it sits in such a column and still says
    something once the marker and any bracketed remark are taken off
    (``累计三次发现占道经营`` yes; ``合计``, ``合计：共5项``, ``小计（市容环境组）`` no).

    - ``合计 | | 共5项，已整改2项 | …`` -> total; ``小计 | 市容环境组 | 12 | 10 | 83%`` -> total;
    - ``累计三次发现占道经营 | 人民路 | 市容环境组 | 2026-03-10 | 整改中`` -> a problem row.
    """
    marker = None
    content = 0
    for j, v in enumerate(row):
        if marker is None:
            if not _empty(v):
                marker = j
                if j in problem_cols and v.__class__ is str:
                    rest = _BRACKETED.sub("", _TOTAL_LABEL.sub("", v, count=1)).strip(WHITESPACE)
                    content += bool(rest) and _problem_content(rest)
            continue
        if j in problem_cols and _problem_content(v):
            content += 1
        if content >= 2:
            return False
    return content < 2


def _repeats_header(row, marks) -> bool:
    for (j1, t1), (j2, t2) in marks:
        if row[j1] == t1 and row[j2] == t2:
            return True
    return False


def _has_key(row, key_cols) -> bool:
    for j in key_cols:
        if not _empty(row[j]):
            return True
    return False


def _header_marks(rows, layout: Layout) -> list[list[tuple[int, str]]]:
    """For each header row, two (column, text) pairs that a repeated header row shares."""
    marks = []
    for h in range(layout.header_first, layout.header_last + 1):
        named = [(j, v) for j, v in enumerate(rows[h]) if isinstance(v, str) and v.strip()
                 and not any(v == rows[h][c] for c in range(j))]
        if len(named) >= 2:
            marks.append(named[:2])
    return marks


class _Memo(dict):
    """value -> ``fn(value)``, computed on first use; a ``DateError`` becomes the
    ``DateError`` class itself as the result."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def __missing__(self, v):
        try:
            r = self.fn(v)
        except DateError:
            r = DateError
        self[v] = r
        return r


def _memo(fn, values) -> list:
    """``[fn(v) for v in values]``, computing ``fn`` once per distinct value (``_Memo``)."""
    return list(map(_Memo(fn).__getitem__, values))


def _text(values) -> list[str]:
    return [v.strip(WHITESPACE) if v.__class__ is str else cell_text(v) for v in values]


def _believable(date, latest: dt.date | None):
    """``date`` (a ``parse_date`` result) as stored, or ``Implausible`` when it cannot be
    right: outside ``values.plausible`` (2000-2100), or after ``latest`` (a completion
    date after the report date). None and ``DateError`` pass through."""
    if date is None or date is DateError:
        return date
    if not plausible(date) or (latest is not None and date > latest):
        return Implausible(date)
    return date


def _item_keys(ids: list[str], groups: list[str], text: dict, row_nos: list[int]) -> tuple[list, dict]:
    """Item keys (see module rules) and, for a repeated id, the row it first appeared in;
    a repeated id's key is None."""
    keys: list[str | None] = []
    first_row: dict[int, int] = {}
    seen_ids: dict[str, int] = {}
    seen_fp: dict[str, int] = {}
    for k, (g, i) in enumerate(zip(groups, ids)):
        if i:
            key = f"id:{g}|{i}"
            if key in seen_ids:
                first_row[k] = seen_ids[key]
                key = None
            else:
                seen_ids[key] = row_nos[k]
        else:
            base = "fp:" + hashlib.sha1("\x1f".join((fold(text["description"][k]), fold(text["location"][k]), g))
                                        .encode("utf-8")).hexdigest()[:20]
            count = seen_fp.get(base, 0) + 1
            seen_fp[base] = count
            key = base if count == 1 else f"{base}#{count}"
        keys.append(key)
    return keys, first_row


def _build_items(result: SheetResult, rows, candidates: list[int], fields: dict[str, int],
                 header_of: dict[str, str], group: str, report_date: dt.date) -> None:
    """Parse the candidate rows column by column (memoised: ledgers repeat their values),
    then decide row by row only where something is wrong. ``group``: the group of rows
    whose group cell is blank (or that have no group column)."""
    sheet = result.sheet
    n = len(candidates)
    picked = [rows[i] for i in candidates]
    columns = list(zip(*picked)) if picked else []
    blank = [""] * n

    def col(f):
        j = fields.get(f)
        return columns[j] if j is not None and j < len(columns) else blank

    text = {f: _text(col(f)) if f in fields else blank for f in ("item_id", "status")}
    if "item_id" not in fields or not all(text["item_id"]):
        for f in ("description", "location"):
            text[f] = _text(col(f)) if f in fields else blank
    row_nos = [i + 1 for i in candidates]
    groups = _memo(lambda v: clean_group(cell_text(v)) or group, col("group"))
    assigned = _memo(lambda v: _believable(parse_date(v, report_date), None), col("assigned_on"))
    completed = _memo(lambda v: _believable(parse_date(v, report_date), report_date), col("completed_on"))
    raw_deadline = col("deadline")
    rules = _memo(lambda v: deadline_rule(v, report_date), raw_deadline)
    deadlines = _memo(lambda ra: ra[0] if ra[0] is DateError else
                      resolve_deadline(ra[0], None if ra[1] is DateError else ra[1]), zip(rules, assigned))
    categories = _memo(classify_status, text["status"])
    ids = [clean_id(v) if v else "" for v in text["item_id"]]
    keys, first_row = _item_keys(ids, groups, text, row_nos)

    notes = result.notes
    rejected: set[int] = set()
    suspects = [k for k, (a, d, c, key, cat) in enumerate(zip(assigned, deadlines, completed, keys, categories))
                if a is DateError or d is DateError or d.needs_assigned or c is DateError or key is None
                or cat == UNKNOWN or a.__class__ is Implausible or d.implausible or c.__class__ is Implausible]
    for k in suspects:
        row_no = row_nos[k]
        if assigned[k] is DateError:
            notes.append(Note("warning", sheet, row_no, header_of["assigned_on"],
                              f"{header_of['assigned_on']}“{cell_text(col('assigned_on')[k])}”无法识别为日期，已留空"))
            assigned[k] = None
        elif assigned[k].__class__ is Implausible:
            column = header_of["assigned_on"]
            notes.append(Note("warning", sheet, row_no, column,
                              f"{column}“{cell_text(col('assigned_on')[k])}”不在{PLAUSIBLE_RANGE_TEXT}之间，"
                              "疑似填错，已留空"))
            assigned[k] = None
        if deadlines[k] is not DateError and deadlines[k].implausible:
            column, raw = header_of["deadline"], cell_text(raw_deadline[k])
            if deadlines[k].implausible == ASSIGNED_IMPLAUSIBLE:
                message = f"{column}“{raw}”要按交办日期推算，但交办日期有误，整改时限已留空"
            elif rules[k][0] == "days":
                message = f"{column}“{raw}”按交办日期推算出的日期不在{PLAUSIBLE_RANGE_TEXT}之间，整改时限已留空"
            else:
                message = f"{column}“{raw}”不在{PLAUSIBLE_RANGE_TEXT}之间，疑似填错，已留空"
            notes.append(Note("warning", sheet, row_no, column, message))
        if completed[k].__class__ is Implausible:
            column = header_of["completed_on"]
            date = completed[k].date
            message = f"{column}“{cell_text(col('completed_on')[k])}”" + (
                f"晚于截至日期{report_date:%Y-%m-%d}" if plausible(date) else f"不在{PLAUSIBLE_RANGE_TEXT}之间") + \
                "，疑似填错，已留空"
            if not text["status"][k]:
                blank = f"{header_of['status']}为空，" if "status" in header_of else ""
                message += f"；{blank}按“未知”统计（不算已整改）"
            notes.append(Note("warning", sheet, row_no, column, message))
            completed[k] = None
        if text["status"][k] and categories[k] == UNKNOWN:
            notes.append(Note("warning", sheet, row_no, header_of["status"],
                              f"{header_of['status']}“{text['status'][k]}”无法识别，按“未知”统计（不算已整改）"))
        reason = column = ""
        if deadlines[k] is DateError:
            column = header_of["deadline"]
            reason = f"{column}“{cell_text(raw_deadline[k])}”无法识别为日期"
        elif deadlines[k].needs_assigned:
            column = header_of["deadline"]
            reason = f"{column}“{cell_text(raw_deadline[k])}”要按交办日期推算，但交办日期为空"
        elif completed[k] is DateError:
            column = header_of["completed_on"]
            reason = f"{column}“{cell_text(col('completed_on')[k])}”无法识别为日期"
        elif keys[k] is None:
            column = header_of["item_id"]
            reason = f"{column}“{ids[k]}”与第{first_row[k]}行重复"
        if reason:
            rejected.add(k)
            _keep(result, row_no, "rejected", reason, picked[k])
            notes.append(Note("rejected", sheet, row_no, column, reason))

    keep = [k for k in range(n) if k not in rejected] if rejected else range(n)
    pick = (lambda values: [values[k] for k in keep]) if rejected else list
    result.row_no.extend(row_nos[k] for k in keep)
    result.kind.extend(["item"] * len(keep))
    result.reason.extend([""] * len(keep))
    result.cells.extend(picked[k] for k in keep)

    status = [LONG_TERM if d.long_term and c != DONE else c
              for c, d in zip(pick([cat if t else (DONE if done else UNKNOWN)
                                    for cat, t, done in zip(categories, text["status"], completed)]),
                              pick(deadlines))]

    items = result.items
    items["row_no"] = pick(row_nos)
    items["item_key"] = pick(keys)
    items["item_id"] = [i or None for i in pick(ids)]
    items["group_name"] = pick(groups)
    items["assigned_on"] = pick(assigned)
    items["deadline"] = [d.date for d in pick(deadlines)]
    items["status"] = status
    items["completed_on"] = pick(completed)
