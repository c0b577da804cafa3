"""Stage 2, layout: where in a sheet the header is, what each column means, and what
the lines above the header say (report date, reporting unit).

Rules:
- Merged ranges: for finding the header every cell of a merged range reads as its
  top-left cell (``整改情况`` merged over two columns); below the header a value merged
  down over several rows (a ``责任单位`` for many problems) is repeated in each row.
- A header cell names a field when its folded text (``values.fold``) equals a folded
  alias in ``COLUMN_ALIASES``, or does so once bracketed remarks are dropped
  (``整改时限（必填）`` -> ``整改时限``), or when it names one field twice: every part
  between ``/``, ``、``, brackets, ``及/和/或/与`` names the same field (``点位/地址``,
  ``问题点位（地址）`` -> location; ``责任单位/责任人`` names two -> unmapped).
- The header row is the first row among the top ``HEADER_SCAN_ROWS`` with the most
  distinct recognised fields; it needs ``MIN_HEADER_FIELDS`` of them, one of them
  ``description`` or ``item_id``. No such row -> the sheet has no table (skipped with a
  warning).
- Two-row headers: the row below (or above) the header row joins it when it reads like a
  header (text only, no numbers or dates, at least half its cells naming a field); a row
  above must also share a column with it (see ``_joins_above``). Each column is then named by its
  lower cell when that names a field, else by both joined, else by the upper cell
  (``整改情况`` over ``整改状态 | 完成时间`` -> status, completed_on).
- Overrides (the office's remembered corrections, keyed by folded header text) win over
  the alias table; a two-row column is looked up by its joined text (``整改情况/整改状态``)
  first.
- The first column naming a field gets it; later ones are reported as unmapped.
- Above the header: ``填报日期/统计截至/截至/截止/报送日期/统计时间`` followed by a date (in
  the same cell or the next one) is the report date; ``填报单位/报送单位/责任单位`` gives the
  sheet's group when there is no group column (its value in the same cell or the next
  one, unless the next one is another label such as ``填报日期：``).
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from .read import Sheet
from .constants import COLUMN_ALIASES, HEADER_SCAN_ROWS, KEY_FIELDS, MIN_HEADER_FIELDS
from .values import DateError, cell_text, fold, nearest_year, parse_date, plausible

_ALIAS_INDEX: dict[str, str] = {fold(alias): f for f, aliases in COLUMN_ALIASES.items() for alias in aliases}
_BRACKETS = re.compile(r"[（(【\[〔].*?[）)】\]〕]")
_DATE_LABEL = re.compile(r"(填报日期|填报时间|统计截至|统计截止|截至|截止|报送日期|报送时间|统计时间|统计日期|数据截至|更新日期|日期)"
                         r"(?:日期|时间)?\s*[:：]?\s*(.*)$")
_UNIT_LABEL = re.compile(r"(填报单位|报送单位|责任单位|填报部门|单位名称|工作组)\s*[:：]\s*(.*)$")
# Between the parts of a header that names one field twice: ``点位/地址``, ``地点、点位``,
# ``问题点位（地址）``, ``点位及地址``.
_COMBINED_SPLIT = re.compile(r"[/\\|、,;()（）【】\[\]〔〕]|及|和|或|与")
_YEAR = re.compile(r"(20\d\d)\s*年")
_LABEL_CELL = re.compile(r"^\s*[^:：\d]{1,8}[:：]")   # ``填报日期：…``: a label, not a value


def field_for_header(text: str, overrides: dict[str, str | None] | None = None) -> str | None:
    """The canonical field a header text names, or None.

    ``overrides`` maps folded header texts to a field (or None to ignore the column); it
    is checked first (the upload page's remembered corrections)."""
    key = fold(text)
    if not key:
        return None
    if overrides and key in overrides:
        return overrides[key]
    return _alias_field(text, key) or _combined_field(text)


def _alias_field(text: str, key: str) -> str | None:
    """The field of a header by the alias table, also once bracketed remarks are dropped."""
    found = _ALIAS_INDEX.get(key)
    if found is None and _BRACKETS.search(text):
        found = _ALIAS_INDEX.get(fold(_BRACKETS.sub("", unicodedata.normalize("NFKC", text))))
    return found


def _combined_field(text: str) -> str | None:
    """A header naming one field twice (``点位/地址``, ``地点、点位``, ``问题点位（地址）``,
    ``整改时限或完成时限``): the field when every part names the same one, else None
    (``责任单位/责任人`` names two fields: left unmapped for the office to choose)."""
    text = unicodedata.normalize("NFKC", text)
    parts = [p for p in _COMBINED_SPLIT.split(text) if fold(p)]
    if len(parts) < 2:
        return None
    found = {_alias_field(p, fold(p)) for p in parts}
    return found.pop() if len(found) == 1 and None not in found else None


@dataclass
class Column:
    index: int          # 0-based column
    header: str         # the header text as written (two-row headers joined by "/")
    field: str | None   # canonical field, None when unmapped


@dataclass
class Layout:
    """What ``detect`` found in one sheet."""

    sheet: str
    header_first: int                 # 0-based index of the first header row
    header_last: int                  # 0-based index of the last header row
    columns: list[Column]
    report_date: dt.date | None = None
    report_date_text: str = ""        # the cell it came from, as written
    unit: str = ""                    # 填报单位 above the header
    title: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def fields(self) -> dict[str, int]:
        """field -> column index, for mapped columns."""
        return {c.field: c.index for c in self.columns if c.field}

    @property
    def header_row_numbers(self) -> str:
        """Excel row numbers of the header, e.g. ``"3-4"``."""
        a, b = self.header_first + 1, self.header_last + 1
        return str(a) if a == b else f"{a}-{b}"


def header_view(sheet: Sheet) -> list[list]:
    """The top ``HEADER_SCAN_ROWS`` rows with every merged range filled from its top-left
    cell (a copy: the sheet's rows stay as read)."""
    view = [list(r) for r in sheet.rows[:HEADER_SCAN_ROWS]]
    for (r0, c0), (r1, c1) in sheet.merged:
        if r0 >= len(view) or c0 >= len(view[r0]):
            continue
        value = view[r0][c0]
        if value is None or value == "":
            continue
        for r in range(r0, min(r1, len(view) - 1) + 1):
            row = view[r]
            for c in range(c0, min(c1, len(row) - 1) + 1):
                if row[c] is None or row[c] == "":
                    row[c] = value
    return view


def fill_down(sheet: Sheet, first_row: int) -> None:
    """Below ``first_row``: a value merged down over several rows is repeated in each of
    them, in the range's first column, as Excel shows it (in place). Merges across
    columns only (a footnote spanning the table) are left alone."""
    rows = sheet.rows
    for (r0, c0), (r1, _c1) in sheet.merged:
        if r1 <= r0 or r0 < first_row or r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        if value is None or value == "":
            continue
        for r in range(r0 + 1, min(r1, len(rows) - 1) + 1):
            if rows[r][c0] is None or rows[r][c0] == "":
                rows[r][c0] = value


def _row_fields(row, overrides) -> list[str | None]:
    return [field_for_header(v, overrides) if isinstance(v, str) else None for v in row]


def _score(fields: list[str | None]) -> int:
    distinct = {f for f in fields if f}
    if len(distinct) < MIN_HEADER_FIELDS or not distinct & set(KEY_FIELDS):
        return 0
    return len(distinct)


_NUMBER_OR_DATE = re.compile(r"^[\d\s./\-:年月日号]+$")


def _header_like(row, fields) -> bool:
    """A row that could be the other half of a two-row header: text only, nothing that
    looks like a number or a date, and at least half of its cells name a field."""
    values = [v for v in row if v is not None and v != ""]
    if not values or not all(isinstance(v, str) and not _NUMBER_OR_DATE.match(v) for v in values):
        return False
    return 2 * sum(1 for f in fields if f) >= len(values)


def _joins_above(upper, lower, upper_fields) -> bool:
    """The row above the best header row belongs to it: header-like, and either a row of
    parents naming fewer than two fields, or sharing a column with it (a header cell
    merged down over both rows reads the same in both, or is blank below)."""
    if not _header_like(upper, upper_fields):
        return False
    if _score(upper_fields) == 0:
        return True
    return any(f and j < len(lower) and (lower[j] == upper[j] or lower[j] in (None, ""))
               for j, f in enumerate(upper_fields))


def _join(upper: list, lower: list, overrides) -> list[tuple[str, str | None]]:
    """Name the columns of a two-row header (see module rules)."""
    width = max(len(upper), len(lower))
    out = []
    for j in range(width):
        top = cell_text(upper[j]) if j < len(upper) else ""
        sub = cell_text(lower[j]) if j < len(lower) else ""
        if sub and top and sub != top:
            text = f"{top}/{sub}"
            if overrides and fold(text) in overrides:
                f = overrides[fold(text)]
            else:
                f = (field_for_header(sub, overrides) or field_for_header(top + sub, overrides)
                     or field_for_header(top, overrides))
            out.append((text, f))
        else:
            text = sub or top
            out.append((text, field_for_header(text, overrides)))
    return out


def _fill_parents(upper: list, lower: list) -> list:
    """Without merge information (.ods, .csv): a blank upper cell over a named lower cell
    belongs to the nearest named upper cell on its left, when that one has a lower cell too."""
    upper = list(upper) + [""] * (len(lower) - len(upper))
    for j in range(1, len(upper)):
        if upper[j] in (None, "") and j < len(lower) and lower[j] not in (None, "") \
                and upper[j - 1] not in (None, "") and lower[j - 1] not in (None, ""):
            upper[j] = upper[j - 1]
    return upper


def detect(sheet: Sheet, overrides: dict[str, str | None] | None = None) -> Layout | None:
    """Find the header of ``sheet``; None when it has no table. Merged cells are read
    filled (``header_view``); the sheet itself is not changed."""
    rows = scan = header_view(sheet)
    scored = [(_score(fs), i, fs) for i, fs in ((i, _row_fields(r, overrides)) for i, r in enumerate(scan))]
    best_score, best, best_fields = max(scored, key=lambda t: (t[0], -t[1]), default=(0, 0, []))
    if best_score == 0:
        return None

    first = last = best
    names = [(cell_text(v), f) for v, f in zip(rows[best], best_fields)]
    below = best + 1
    above = best - 1
    if below < len(rows) and _header_like(rows[below], _row_fields(rows[below], overrides)):
        names = _join(_fill_parents(rows[best], rows[below]), rows[below], overrides)
        last = below
    elif above >= 0 and _joins_above(rows[above], rows[best], _row_fields(rows[above], overrides)):
        names = _join(_fill_parents(rows[above], rows[best]), rows[best], overrides)
        first = above

    columns: list[Column] = []
    taken: set[str] = set()
    for j, (text, f) in enumerate(names):
        if not text:
            continue
        if f in taken:
            f = None
        if f:
            taken.add(f)
        columns.append(Column(j, text, f))

    layout = Layout(sheet.name, first, last, columns)
    _read_preamble(rows[:first], layout)
    return layout


def _read_preamble(rows: list[list], layout: Layout) -> None:
    """Title, reporting unit and report date from the rows above the header."""
    for row in rows:
        cells = [v for v in row if v is not None and v != ""]
        for k, value in enumerate(cells):
            text = cell_text(value)
            if not layout.title and isinstance(value, str) and len(text) >= 6 and not _DATE_LABEL.search(text):
                layout.title = text
            unit = _UNIT_LABEL.search(unicodedata.normalize("NFKC", text)) if isinstance(value, str) else None
            if unit and not layout.unit:
                rest = re.split(r"\s{2,}|填报日期|统计截至|截至|日期", unit[2])[0].strip()
                if not rest and k + 1 < len(cells) and isinstance(cells[k + 1], str) \
                        and not _LABEL_CELL.match(cells[k + 1]):
                    rest = cells[k + 1].strip()
                layout.unit = rest
            if layout.report_date:
                continue
            m = _DATE_LABEL.search(unicodedata.normalize("NFKC", text)) if isinstance(value, str) else None
            if not m:
                continue
            candidate = m[2].strip()
            if not candidate and k + 1 < len(cells):
                candidate = cells[k + 1]
            found = find_date(candidate, context=" ".join(cell_text(c) for r in rows for c in r))
            if found:
                layout.report_date = found
                layout.report_date_text = text if m[2].strip() else f"{text}{cell_text(candidate)}"


_DATE_IN_TEXT = re.compile(r"(20\d\d)\s*[-/.年_]?\s*(\d{1,2})\s*[-/.月_]?\s*(\d{1,2})\s*日?|(\d{1,2})\s*月\s*(\d{1,2})\s*日")


def find_date(value, context: str = "", today: dt.date | None = None) -> dt.date | None:
    """A date inside a cell or a file name (``填报日期：2026年3月6日``, ``截至3月27日``,
    ``台账20260410.xlsx``, ``2026-04-10``). A year-less date takes the year written
    elsewhere in ``context`` (a title or file name), else the year that puts it nearest
    to today. A date outside ``values.plausible`` (2000-2100) is no report date: None for
    a date cell, the next date in a text."""
    if isinstance(value, (dt.date, float, int)) and not isinstance(value, bool):
        try:
            found = parse_date(value, today or dt.date.today())
        except DateError:
            return None
        return found if found and plausible(found) else None
    text = unicodedata.normalize("NFKC", str(value))
    for m in _DATE_IN_TEXT.finditer(text):
        try:
            if m[1]:
                found = dt.date(int(m[1]), int(m[2]), int(m[3]))
            else:
                month, day = int(m[4]), int(m[5])
                year = _YEAR.search(unicodedata.normalize("NFKC", context))
                found = dt.date(int(year[1]), month, day) if year else \
                    nearest_year(month, day, today or dt.date.today())
        except (ValueError, DateError):
            continue
        if plausible(found):
            return found
    return None
