"""Every Chinese word and number format a user sees, written once: column and field
labels, status labels, the KPI cards' names and help, and the formats of rates,
thresholds, changes, counts and dates. Pages, the CLI and every export take them from
here; nothing else formats a number.

Format rules:
- a measured rate: one decimal, ``0.875`` -> ``87.5%``, ``0.88`` -> ``88.0%`` (``pct``);
  no rate (nothing to divide by) -> ``—``;
- a threshold as people write it: ``0.9`` -> ``90%``, ``0.875`` -> ``87.5%`` (``threshold``);
- a change of a rate in percentage points: ``+1.2个百分点`` (``points``); of a count:
  ``+5``, ``-6`` (``signed``); no change -> ``持平``;
- a count: ``1,234`` (``count``); another quantity: ``12.3`` (``decimal``);
- a date: ``3月6日`` (``day``), with the year ``2026年3月6日`` (``full_day``), ISO
  ``2026-03-06`` (``iso_day``) where a file or a machine reads it, ``20260306`` in a file
  name (``stamp``).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from .values import DONE, IN_PROGRESS, LONG_TERM, NOT_STARTED, UNKNOWN

NONE = "—"

# ---------------------------------------------------------------- words

STATUS_LABELS = {DONE: "已整改", IN_PROGRESS: "整改中", NOT_STARTED: "未整改", LONG_TERM: "长期整改", UNKNOWN: "未知"}

# Every item column a user sees (``metrics.ITEM_COLUMNS`` and preview tables).
COLUMN_LABELS = {
    "group_name": "工作组", "item_id": "问题编号", "seq": "序号", "description": "问题描述", "location": "点位",
    "grid": "网格", "category": "问题类别", "assignee": "责任人", "assigned_on": "交办日期", "deadline": "整改时限",
    "deadline_text": "时限原文", "status_label": "整改状态", "status": "整改状态", "status_text": "整改情况",
    "days_overdue": "超期天数", "completed_on": "完成时间", "measures": "整改措施", "verification": "复核情况",
    "source": "问题来源", "notes": "备注", "report_date": "所在台账日期", "file_name": "来源文件", "sheet": "工作表",
    "row_no": "行号", "done_on": "整改完成日期",
    # counts and figures
    "as_of": "截至", "items": "交办总数", "done": "已整改", "completion_rate": "整改率", "overdue": "超期",
    "due_soon": "临期", "long_term": "长期整改", "on_time_rate": "按期整改率", "card": "亮牌",
    "overdue_share": "超期占比", "reason": "说明", "phase": "阶段",
    # standing and 本周变化 (``figures.changes``)
    "board": "红黑榜", "rank": "排名", "rank_since": "上期排名", "rank_change": "排名变化",
    "warning_streak": "连续上黑榜", "honour_streak": "连续上红榜", "escalation": "督办措施",
    "new_items": "新交办", "newly_done": "新整改", "newly_overdue": "新增超期", "reopened": "整改后反弹",
    "still_overdue": "持续超期", "completion_rate_since": "上期整改率", "completion_rate_change": "整改率变化",
    "on_time_rate_since": "上期按期整改率", "on_time_rate_change": "按期整改率变化",
    # 进度预测 (``figures.forecast``)
    "open": "未整改", "weekly_new": "周均新增", "weekly_closed": "周均整改", "weekly_net": "周均净减少",
    "outlook_label": "预测结论", "probability": "按期完成概率", "light": "预测亮灯", "p50": "五成把握完成日期",
    "p85": "八成五把握完成日期",
}
# The ledger fields (``constants.COLUMN_ALIASES``) as the upload page names them: the
# label of the column each one fills.
FIELD_COLUMNS = {"item_id": "item_id", "seq": "seq", "description": "description", "location": "location",
                 "grid": "grid", "category": "category", "group": "group_name", "assignee": "assignee",
                 "assigned_on": "assigned_on", "deadline": "deadline", "status": "status_text",
                 "completed_on": "completed_on", "measures": "measures", "verification": "verification",
                 "source": "source", "notes": "notes"}
# The validation report's columns and the kinds of note.
NOTE_COLUMNS = {"sheet": "工作表", "row": "行号", "column": "列", "level": "类型", "text": "说明"}
NOTE_LEVELS = {"rejected": "拒收（未导入）", "warning": "警告", "skipped": "跳过"}
NOT_IMPORTED = "（不导入）"
NO_CATEGORY = "（未填写类别）"
UNFILLED = "未填写"


def field_label(field: str | None) -> str:
    """A ledger field's label; None -> ``（不导入）``."""
    return NOT_IMPORTED if field is None else COLUMN_LABELS[FIELD_COLUMNS[field]]


def category_label(category: str) -> str:
    """A category filter option; ``""`` (no category) -> ``（未填写类别）``."""
    return category or NO_CATEGORY


KPI_KEYS = ("items", "done", "completion_rate", "overdue", "due_soon", "on_time_rate")
KPI_LABELS = {k: COLUMN_LABELS[k] for k in (*KPI_KEYS, "long_term")}
KPI_HELP = {
    "items": "截至该日各台账中出现过的问题总数（同一问题只算一次，按最近一期的情况）。",
    "done": "状态为已整改/已销号等的问题数。",
    "completion_rate": "已整改 ÷ 交办总数。",
    "overdue": "未整改完成（不含长期整改）且整改时限早于截至日期的问题数。",
    "due_soon": "未整改完成、整改时限在截至日期起{n}天内的问题数。",
    "on_time_rate": "在时限内整改完成的问题 ÷（已到时限的问题 + 已整改的问题）。",
}
# Cards a group can get, worst first, and what each means.
CARDS = ("红牌", "黄牌", "绿牌")
CARD_MEANINGS = {"红牌": "落后较多，难以按期完成", "黄牌": "落后但可追赶", "绿牌": "进度正常"}
HONOUR, WARNING, UNRANKED = "红榜", "黑榜", "不排名"
# How groups get on the 红榜/黑榜 (``CampaignSettings.badge_rule``).
BADGE_RULES = {"threshold": "按整改率线", "rank": "按名次"}
TOTAL = "合计"
# 进度预测: its outlooks, lights (from the probability of finishing before 评估), the
# method in one sentence, and what a date beyond the horizon shows.
FORECAST_OUTLOOKS = {"forecast": "预计可完成", "done": "已全部整改", "not_shrinking": "积压未减少",
                     "insufficient": "数据不足"}
FORECAST_LIGHTS = ("红", "黄", "绿")
FORECAST_LIGHT_MEANINGS = {"红": "评估前全部整改的可能性低", "黄": "评估前全部整改没有把握", "绿": "评估前大概率全部整改"}
FORECAST_METHOD = "按最近{intervals}次台账间隔的每周新增与整改数随机抽样模拟{runs}次，估计各工作组全部整改完成的日期。"
FORECAST_BEYOND = "两年内难以完成"
FORECAST_NO_EVALUATION = "未设置评估阶段"
FORECAST_EVALUATION_STARTED = "评估阶段已开始"
FORECAST_TOO_FEW = "台账少于{n}期，无法预测"
PHASE_STATES = {"past": "已结束", "current": "进行中", "future": "未开始"}
OUTSIDE_PHASES = "阶段外"
# Days overdue: (label, lowest, highest), both ends included; None: no bound.
OVERDUE_BUCKETS = (("超期1–7天", 1, 7), ("超期8–30天", 8, 30), ("超期30天以上", 31, None))

# ---------------------------------------------------------------- formats


def _missing(value) -> bool:
    """None, NaN, pandas' NA or NaT."""
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def pct(rate) -> str:
    """A measured rate: ``0.875`` -> ``87.5%``; None -> ``—``."""
    return NONE if _missing(rate) else f"{rate * 100:.1f}%"


def threshold(rate: float) -> str:
    """A threshold as people write it: ``90%``, ``87.5%``."""
    return f"{rate * 100:.1f}%".replace(".0%", "%")


def points(delta: float) -> str:
    """A rate change in percentage points: ``0.012`` -> ``+1.2个百分点``."""
    return f"{delta * 100:+.1f}个百分点"


def count(n) -> str:
    """``1234`` -> ``1,234``; None -> ``—``."""
    return NONE if _missing(n) else f"{int(n):,}"


def decimal(x: float) -> str:
    """A measured quantity that is not a count (items per week, weeks): one decimal, ``12.3``."""
    return f"{x:.1f}"


def signed(n: int) -> str:
    """A change of a count: ``+5``, ``-6``."""
    return f"{int(n):+,}"


def unchanged(key: str, delta) -> bool:
    """Whether a change reads as none: a count change of 0, or a rate change that shows as
    0.0 percentage points (|delta| < 0.0005: ``+0.0个百分点`` would say it changed)."""
    return abs(delta) < 0.0005 if key.endswith("rate") else delta == 0


def change(key: str, delta) -> str | None:
    """The change shown under a KPI card: ``+5``, ``+1.2个百分点``, ``持平`` (``unchanged``);
    None when there is no previous report to compare with."""
    if delta is None:
        return None
    if unchanged(key, delta):
        return "持平"
    return points(delta) if key.endswith("rate") else signed(delta)


def change_words(key: str, delta) -> str | None:
    """A KPI's change as a sentence of the Word 通报 says it: a count ``增加9项``,
    ``减少1,234项``; a rate ``提高0.3个百分点``, ``下降1.2个百分点``; no change ``持平``;
    None when there is no previous report (or no rate) to compare with."""
    if _missing(delta):
        return None
    if unchanged(key, delta):
        return "持平"
    if key.endswith("rate"):
        return f"{'提高' if delta > 0 else '下降'}{abs(delta) * 100:.1f}个百分点"
    return f"{'增加' if delta > 0 else '减少'}{abs(int(delta)):,}项"


def rate_change(delta) -> str:
    """A rate change in a table: ``+1.2个百分点``, ``持平`` (``unchanged``); None (a side
    without rate) -> ``—``."""
    if _missing(delta):
        return NONE
    return "持平" if unchanged("rate", delta) else points(delta)


def rank_change(delta) -> str:
    """A change of rank (positive = moved up): ``上升2位``, ``下降1位``, ``持平``; None -> ``—``."""
    if _missing(delta):
        return NONE
    return "持平" if delta == 0 else f"上升{int(delta)}位" if delta > 0 else f"下降{-int(delta)}位"


def streak(n) -> str:
    """Consecutive reports on a list: ``连续3期``; 0 or None -> ``—``."""
    return NONE if _missing(n) or not n else f"连续{int(n)}期"


def escalation_steps(steps) -> str:
    """The escalation rule in words: ``连续1期：通报批评；连续2期：约谈；连续3期及以上：问责``
    (steps with ``reports`` and ``action``, in order of ``reports``; a step covers the
    counts up to the next one)."""
    steps = sorted(steps, key=lambda e: e.reports)
    out = []
    for i, e in enumerate(steps):
        upto = steps[i + 1].reports - 1 if i + 1 < len(steps) else None
        span = f"{e.reports}期及以上" if upto is None else f"{e.reports}期" if upto == e.reports else \
            f"{e.reports}–{upto}期"
        out.append(f"连续{span}：{e.action}")
    return "；".join(out)


def forecast_method(intervals: int, runs: int) -> str:
    """The forecast's method in one sentence (``FORECAST_METHOD``)."""
    return FORECAST_METHOD.format(intervals=intervals, runs=runs)


def forecast_day(d, outlook: str = "forecast") -> str:
    """A forecast date in a table: ``2026年3月6日``; without a date, the outlook's label
    (``积压未减少``, ``数据不足``), or for a forecast ``两年内难以完成`` (not reached
    within the horizon)."""
    if _date(d) is not None:
        return full_day(d)
    return FORECAST_BEYOND if outlook in ("forecast", "done") else FORECAST_OUTLOOKS[outlook]


def forecast_light(light) -> str:
    """A forecast light with its meaning: ``红：评估前全部整改的可能性低``; None -> ``—``."""
    return NONE if _missing(light) else f"{light}：{FORECAST_LIGHT_MEANINGS[light]}"


def _date(d) -> dt.date | None:
    if _missing(d):
        return None
    return d.date() if isinstance(d, dt.datetime) else d


def day(d) -> str:
    """``3月6日``; no date -> ``—``."""
    d = _date(d)
    return NONE if d is None else f"{d.month}月{d.day}日"


def full_day(d) -> str:
    """``2026年3月6日``; no date -> ``—``."""
    d = _date(d)
    return NONE if d is None else f"{d.year}年{d.month}月{d.day}日"


def iso_day(d) -> str:
    """``2026-03-06``; no date -> ``—``."""
    d = _date(d)
    return NONE if d is None else d.isoformat()


def stamp(d) -> str:
    """A date in a file name: ``20260306``."""
    return _date(d).strftime("%Y%m%d")


def period(start, end) -> str:
    """``3月1日至3月10日``; without dates ``—``."""
    return NONE if _date(start) is None else f"{day(start)}至{day(end)}"


def full_period(start, end) -> str:
    """``2026年3月1日至2026年3月10日``."""
    return f"{full_day(start)}至{full_day(end)}"


# Number formats for Streamlit's and Excel's own renderers, written as the rules above.
DAY_FORMAT_JS = "M月D日"            # st.column_config.DateColumn
FULL_DAY_FORMAT_JS = "YYYY年M月D日"
DAY_FORMAT_PLOTLY = "%-m月%-d日"
FULL_DAY_FORMAT_PLOTLY = "%Y年%-m月%-d日"
DAY_FORMAT_EXCEL = 'yyyy"年"m"月"d"日"'
# A rate in an exported workbook: a number shown with one decimal (0.875 -> 87.5%).
RATE_FORMAT_EXCEL = "0.0%"
# The 通报's sheets (``report_xlsx``): names, and the 排名 sheet's headers in order
# (key: the ``campaign.ranking`` column; ``seq``: the row number).
REPORT_SHEETS = {"ranking": "排名", "overdue": "超期问题", "changes": "本周变化", "forecast": "进度预测"}
RANKING_HEADERS = {"seq": "序号", "group_name": "工作组", "items": "交办总数", "done": "已整改",
                   "done_on_time": "其中按期", "done_late": "其中超期完成", "open": "未整改", "overdue": "其中超期",
                   "long_term": "长期整改", "completion_rate": "整改率", "on_time_rate": "按期整改率", "rank": "排名",
                   "rank_change": "较上期"}
PCT_FORMAT_COLUMN = "%.1f%%"         # st.column_config.NumberColumn over rate x 100
PCT_FORMAT_PLOTLY = ".1%"
