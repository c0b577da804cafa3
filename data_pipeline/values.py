"""Cell values -> clean Python values. Pure functions, each rule pinned by a case table
in tests/test_values.py.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata


EXCEL_EPOCH = dt.date(1899, 12, 30)
# White space trimmed from text cells, here and in SQL (store.py): the same set both sides.
WHITESPACE = " \t\n\r\v\f\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u2028\u2029\u202f\u205f\u3000\ufeff"
_PUNCT = re.compile(r"[\s\u3000\u00a0_\-—–·・.,，。、;；:：'\"“”‘’`!！?？()\[\]{}<>《》【】（）〔〕/\\|*#＊]+")


def cell_text(value) -> str:
    """A cell as text: trimmed of ``WHITESPACE``; floats that are whole numbers lose
    ``.0``; dates are ISO; empty is ``""``.

    >>> cell_text(12.0), cell_text(dt.date(2026, 3, 5)), cell_text(None)
    ('12', '2026-03-05', '')
    """
    if value is None:
        return ""
    cls = value.__class__
    if cls is str:
        return value.strip(WHITESPACE)
    if cls is float:
        return str(int(value)) if value.is_integer() else repr(value)
    if cls is bool:
        return "是" if value else "否"
    if cls is dt.datetime:
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if cls is dt.date:
        return value.isoformat()
    return str(value).strip(WHITESPACE)


def fold(text: str) -> str:
    """Comparison form of a text: NFKC (full-width -> half-width), lower case,
    white space and punctuation removed. ``" 市容环境组 "`` and ``"市容 环境组。"`` fold alike."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text)).lower()


_SPACES = re.compile(r"\s+")


def clean_group(text: str) -> str:
    """A group name as shown: NFKC, all white space (also full-width) removed, trailing
    punctuation dropped. Empty -> ``""`` (the caller falls back to the sheet's group)."""
    text = unicodedata.normalize("NFKC", text)
    text = _SPACES.sub("", text)
    return text.strip("，,。.;；:：、")


def clean_id(text: str) -> str:
    """An item id: NFKC, white space removed, upper case (``"cc-001 "`` -> ``"CC-001"``)."""
    if text.isascii():
        return "".join(text.split()).upper()
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).upper()


# ---------------------------------------------------------------- dates

_FULL = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*[日号]?")
_MONTH_END = re.compile(r"^(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(底|末|下旬|中旬|上旬)")
_TRAILER = re.compile(r"(之前|以前|前|止|为止|完成|内|之内)$")


class DateError(ValueError):
    """Text that should be a date but is not."""


# The dates a ledger can mean: a date read outside them is a typo (``1900-01-05``,
# ``9999-12-31``, ``2206-03-01``) and is flagged, never used (see ``plausible``).
FIRST_PLAUSIBLE = dt.date(2000, 1, 1)
LAST_PLAUSIBLE = dt.date(2100, 12, 31)
PLAUSIBLE_RANGE_TEXT = f"{FIRST_PLAUSIBLE.year}年至{LAST_PLAUSIBLE.year}年"


def plausible(date: dt.date) -> bool:
    """A date a campaign ledger can mean: ``FIRST_PLAUSIBLE`` (2000-01-01) to
    ``LAST_PLAUSIBLE`` (2100-12-31), both included. ``parse_date`` reads any real
    date; the callers decide what an implausible one means (``normalise``: a warning and
    an unknown date; ``layout.find_date``: not a report date)."""
    return FIRST_PLAUSIBLE <= date <= LAST_PLAUSIBLE


class Implausible:
    """A date that was read but cannot be right (``plausible`` is false, or a completion
    date after the report date); ``date`` is what the cell said. ``normalise`` warns and
    stores the date as unknown."""

    __slots__ = ("date",)

    def __init__(self, date: dt.date):
        self.date = date


def excel_serial(number: float) -> dt.date:
    """Excel's 1900 date system: serial 1 = 1900-01-01, 45000 = 2023-03-15 (Excel's
    1900 leap-year bug is why the epoch is 1899-12-30)."""
    return EXCEL_EPOCH + dt.timedelta(days=int(number))


def nearest_year(month: int, day: int, near: dt.date) -> dt.date:
    """A year-less date placed in the year (``near``'s, one before or one after) that
    puts it closest to ``near``: ``12月28日`` reported on 2027-01-08 is 2026-12-28."""
    best = None
    for year in (near.year - 1, near.year, near.year + 1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if best is None or abs((candidate - near).days) < abs((best - near).days):
            best = candidate
    if best is None:
        raise DateError
    return best


def parse_date(value, near: dt.date) -> dt.date | None:
    """A cell as a date, or ``None`` when empty; ``DateError`` when it is not one.

    Accepted: Excel dates and datetimes; Excel serial numbers (20000-80000, also as
    digit text); ``20260305``; ``2026-03-05``, ``2026/3/5``, ``2026.3.5``,
    ``2026年3月5日`` (``号`` too, time of day ignored); ``3月5日``, ``3/5``, ``3.5``
    (year: see ``nearest_year`` with the report date); ``3月底``/``3月末`` (last day),
    ``3月下旬`` (last day), ``中旬`` (20th), ``上旬`` (10th). A trailing ``前``/``之前``/
    ``以前``/``止`` is ignored. Any real date is returned (``0001-01-01`` too); whether
    it is believable is ``plausible``'s question. Never raises anything but ``DateError``.
    """
    if value is None or value == "":
        return None
    cls = value.__class__
    if cls is dt.datetime:
        return value.date()
    if cls is dt.date:
        return value
    if cls in (float, int):
        if 20000 <= value <= 80000:
            return excel_serial(value)
        raise DateError
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None
    text = _TRAILER.sub("", text).strip()
    try:
        m = _FULL.match(text)
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        m = _COMPACT.match(text)
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        m = _MONTH_END.match(text)
        if m:
            month = int(m[2])
            year = int(m[1]) if m[1] else nearest_year(month, 1, near).year
            last = calendar.monthrange(year, month)[1]
            day = {"上旬": 10, "中旬": 20}.get(m[3], last)
            return dt.date(year, month, day)
        m = _MONTH_DAY.match(text)
        if m and m.end() == len(text):
            return nearest_year(int(m[1]), int(m[2]), near)
        if re.fullmatch(r"\d+(\.0+)?", text) and 20000 <= float(text) <= 80000:
            return excel_serial(float(text))
    except (ValueError, OverflowError):
        raise DateError from None
    raise DateError


# ---------------------------------------------------------------- deadlines

_DAYS = re.compile(r"^(\d+)\s*(?:个)?(天|日|个工作日|工作日)\s*(?:内|之内|以内)?(?:完成|整改到位|整改)?$")
_CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
           "十五": 15, "二十": 20, "三十": 30}
_CN_NUM_LONGEST_FIRST = sorted(_CN_NUM.items(), key=lambda kv: -len(kv[0]))
LONG_TERM_WORDS = ("长期", "持续", "常态")
_ON_THE_SPOT = frozenset(("立行立改", "立即整改", "即知即改", "立查立改", "马上整改", "即查即改"))
_BEYOND_ANY_DATE = 10 ** 9     # days: more than ``timedelta`` holds
_CN_DAYS_TAIL = re.compile(r"(个)?(天|日|个工作日|工作日)(内|之内|以内)?(完成)?")


# Why a deadline has no date although its cell says one (``Deadline.implausible``).
OUT_OF_RANGE = "out_of_range"            # the date read or computed is not ``plausible``
ASSIGNED_IMPLAUSIBLE = "assigned"        # relative to an assigned date that is not plausible


class Deadline:
    """Result of ``parse_deadline``: a date, or long-term (no date), or nothing.
    ``implausible``: ``""``, or why a date the cell gives is not used (``OUT_OF_RANGE``,
    ``ASSIGNED_IMPLAUSIBLE``); the date is then None."""

    __slots__ = ("date", "long_term", "needs_assigned", "implausible")

    def __init__(self, date=None, long_term=False, needs_assigned=False, implausible=""):
        self.date, self.long_term, self.needs_assigned = date, long_term, needs_assigned
        self.implausible = implausible


def deadline_rule(value, near: dt.date) -> tuple[str, object]:
    """What a deadline cell says, independent of the assigned date: ``("none", None)``,
    ``("date", d)``, ``("long_term", None)`` or ``("days", n)`` (assigned date + n; 0 for
    立行立改). ``DateError`` when it says none of these. See ``parse_deadline``."""
    if value is None or value == "":
        return "none", None
    if value.__class__ is str:
        text = _SPACES.sub("", unicodedata.normalize("NFKC", value))
        if any(w in text for w in LONG_TERM_WORDS):
            return "long_term", None
        if text in _ON_THE_SPOT:
            return "days", 0
        m = _DAYS.match(text)
        if m:   # more than 9 digits: a count beyond any date (and beyond int()'s limit)
            return "days", int(m[1]) if len(m[1]) <= 9 else _BEYOND_ANY_DATE
        for word, number in _CN_NUM_LONGEST_FIRST:
            if text.startswith(word) and _CN_DAYS_TAIL.fullmatch(text[len(word):]):
                return "days", number
    return "date", parse_date(value, near)


def resolve_deadline(rule: tuple[str, object], assigned: dt.date | Implausible | None) -> Deadline:
    """A ``deadline_rule`` applied to an assigned date (``Implausible`` when the assigned
    cell held a date that is not ``plausible``). Never raises:

    - a date, read or computed, outside ``plausible`` -> no date, ``OUT_OF_RANGE``
      (also ``99999999天``, or a relative deadline whose date Python cannot represent);
    - a relative deadline (``7天``, ``立行立改``) on an ``Implausible`` assigned date ->
      no date, ``ASSIGNED_IMPLAUSIBLE`` (a deadline computed from a wrong date is wrong
      too, even when it lands inside the range);
    - a relative deadline on no assigned date -> ``needs_assigned``.
    """
    kind, arg = rule
    if kind == "date":
        return Deadline(arg) if plausible(arg) else Deadline(implausible=OUT_OF_RANGE)
    if kind == "days":
        if assigned is None:
            return Deadline(needs_assigned=True)
        if assigned.__class__ is Implausible:
            return Deadline(implausible=ASSIGNED_IMPLAUSIBLE)
        try:
            date = assigned + dt.timedelta(days=arg)
        except OverflowError:
            return Deadline(implausible=OUT_OF_RANGE)
        return Deadline(date) if plausible(date) else Deadline(implausible=OUT_OF_RANGE)
    if kind == "long_term":
        return Deadline(long_term=True)
    return Deadline()


def parse_deadline(value, assigned: dt.date | None, near: dt.date) -> Deadline:
    """A deadline cell. Beyond every form of ``parse_date``:

    - ``立行立改`` / ``即知即改`` / ``立即整改``: the assigned date;
    - ``N天``, ``N日内``, ``N个工作日`` (calendar days; Chinese numerals up to 三十 too):
      assigned date + N days;
    - ``长期``, ``长期坚持``, ``持续整改``, ``常态化``: long-term, no date;
    - forms relative to the assigned date when that is empty: ``needs_assigned``;
    - a date outside 2000-2100 (read, or computed from the assigned date), or relative to
      an ``Implausible`` assigned date: no date, with ``implausible`` saying why
      (``resolve_deadline``).
    ``DateError`` for anything else (``下周``, ``尽快``).
    """
    return resolve_deadline(deadline_rule(value, near), assigned)


# ---------------------------------------------------------------- status

DONE, IN_PROGRESS, NOT_STARTED, LONG_TERM, UNKNOWN = "done", "in_progress", "not_started", "long_term", "unknown"

_NEGATED = re.compile(r"(未|尚未|暂未|没有|没|无法|不能|待|未能)(按期|按时|及时)?(整改|完成|开始|处理|落实|办结|销号|启动|协调|解决|动工|施工|整治|清理|修复|到位|办理|实施)")
_LONG = re.compile(r"长期|持续|常态|久久为功")
_PROGRESS = re.compile(r"整改中|处理中|推进中|进行中|施工中|实施中|办理中|协调中|修复中|清理中|落实中|整治中|"
                       r"正在|推进|部分|基本完成|大部分|初步|待验收|待复核|待销号|待复查|\d+\s*[%％]")
_DONE = re.compile(r"已整改|已完成|完成|已销号|销号|办结|已处理|已解决|清理完毕|整改到位|已落实|完毕|已修复|"
                   r"已清理|已拆除|已更换|已恢复|已规范|已整治|已到位|^是$|^[√✓✔]$|^ok$|^done$")
_NOT = re.compile(r"^(否|[×✗✘]|无进展|未|待定)$")


def classify_status(text: str) -> str:
    """The status category of a status text; the first rule that matches wins:

    1. a negated verb (``未/尚未/暂未/没有/待/无法`` + ``整改/完成/处理/…``) -> not_started
       (``未完成``, ``未整改（待协调）``, ``尚未整改``, ``待整改``);
    2. ``长期/持续/常态`` -> long_term (``长期整改``, ``持续整改``, ``长期坚持``);
    3. in-progress words (``整改中``, ``正在``, ``推进``, ``部分``, ``基本完成``, ``待验收``,
       a percentage) -> in_progress (``整改中（协调施工队）``, ``已完成80%``);
    4. done words (``已整改``, ``完成``, ``销号``, ``办结``, ``清理完毕``, ``是``, ``√``) -> done
       (``已整改，已清理完毕``);
    5. ``否``, ``×``, ``未`` -> not_started;
    6. anything else -> unknown (reported as a warning). Empty text is handled by the caller
       (done when a completion date is given, else unknown).
    """
    t = _SPACES.sub("", unicodedata.normalize("NFKC", text)).lower()
    if not t:
        return UNKNOWN
    if _NEGATED.search(t):
        return NOT_STARTED
    if _LONG.search(t):
        return LONG_TERM
    if _PROGRESS.search(t):
        return IN_PROGRESS
    if _DONE.search(t):
        return DONE
    if _NOT.search(t):
        return NOT_STARTED
    return UNKNOWN
