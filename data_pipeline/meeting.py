"""The leading group's meeting (会议汇报): the deck the 会议汇报 page presents and the
PowerPoint and Word 通报 are written from, built only from the figure functions
(``figures.overview``, ``figures.ranking`` with its ``changes``, ``figures.trend``,
``figures.forecast``, ``figures.overdue``), so every number is the one the other pages,
the CLI and the Excel 通报 show.

Rules:
- Frozen at one report date: the latest report date on or before the asked date
  (``figures.report_date_at``); every figure of the deck is taken at that date, so a
  deck made before the meeting does not move when a later ledger arrives. ``since``:
  the report date 本周变化 and 较上期 compare with (default: the one before).
- The slides, in order (``SLIDE_TITLES``), one message each (``Slide.message``, a
  sentence of the slide's own figures):
  title (campaign, 截至 date, phase and days left); headline (the KPI values with their
  change); groups (completion by group with the 红榜/黑榜 rules and lists); changes
  (本周变化 per group); trend (整改率 across the report dates and the phases); forecast
  (进度预测 per group); overdue (the ``LONGEST`` longest-overdue items); escalation (the
  groups to be escalated, longest 黑榜 run first).
- A table slide shows at most ``ROWS_PER_SLIDE`` rows; longer tables continue on the
  next slides, titled ``本周变化（续1）`` and so on, so nothing is cut on a 1280x720
  projector. ``Slide.rows`` is the (start, stop) of the rows it shows.
- Ledger text (group names, descriptions) is carried as stored; each renderer makes it
  inert for its own format (the page escapes Markdown, the files write it as text).
"""
from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd

from . import figures, labels
from .campaign.forecast import MIN_REPORTS, Forecast
from .campaign.phases import PhaseInfo
from .campaign.settings import CampaignSettings, load_settings
from .campaign.standing import board_rules
from .labels import count, full_day, pct
from .metrics import ALL, Filters

LONGEST = 10            # the longest-overdue items listed
ROWS_PER_SLIDE = 10     # table rows on one slide
DESCRIPTION_CHARS = 40  # a description on a slide: at most this many characters, then …

SLIDE_TITLES = {"title": "汇报", "headline": "总体进展", "groups": "各工作组整改率", "changes": "本周变化",
                "trend": "整改进度趋势", "forecast": "进度预测", "overdue": "超期最久的问题",
                "escalation": "督办问责"}
TABLE_SLIDES = ("changes", "forecast", "overdue", "escalation")
ESCALATION_COLUMNS = ["group_name", "completion_rate", "rank", "warning_streak", "escalation"]


@dataclasses.dataclass(frozen=True)
class Slide:
    """One slide: ``key`` (``SLIDE_TITLES``), ``title``, ``message`` (its one sentence)
    and, for a table slide, ``rows`` = (start, stop) of the table rows it shows."""

    key: str
    title: str
    message: str
    rows: tuple[int, int] | None = None


@dataclasses.dataclass(frozen=True)
class Meeting:
    """The deck as of ``as_of`` (a report date; see the module rules). ``asked``: the
    date asked for; ``name``: the campaign; ``phases`` (the settings'); ``phase`` and ``phase_text`` (``phase_line``);
    ``rules``: (红榜 rule, 黑榜 rule) in words; ``escalation_rule`` (``labels.escalation_steps``);
    the figures ``overview``, ``ranking`` (its ``changes`` is 本周变化), ``trend``,
    ``forecast``; ``overdue_count``, ``overdue_items`` (``figures.overdue``'s list, most
    days overdue first) and ``longest`` (its first ``LONGEST``, with ``short_description``);
    ``escalations`` (``ESCALATION_COLUMNS`` of the escalated groups, in
    ``Standing.escalated`` order); ``slides``."""

    as_of: dt.date
    since: dt.date | None
    asked: dt.date
    name: str
    phases: list
    phase: PhaseInfo
    phase_text: str
    rules: tuple[str, str]
    escalation_rule: str
    overview: figures.Overview
    ranking: figures.Ranking
    trend: figures.TrendFigures
    forecast: Forecast
    overdue_count: int
    overdue_items: pd.DataFrame
    longest: pd.DataFrame
    escalations: pd.DataFrame
    slides: list[Slide]

    @property
    def changes(self):
        return self.ranking.changes

    def table(self, key: str) -> pd.DataFrame:
        """The whole table a table slide ``key`` pages through: 本周变化 and 进度预测 with
        their 合计 row, the longest-overdue items, the escalations."""
        return {"changes": self.ranking.changes.table, "forecast": self.forecast.table,
                "overdue": self.longest, "escalation": self.escalations}[key]

    def slide_table(self, slide: Slide) -> pd.DataFrame:
        """The rows of its table that ``slide`` shows (empty for a slide without table)."""
        if slide.rows is None:
            return pd.DataFrame()
        start, stop = slide.rows
        return self.table(slide.key).iloc[start:stop].reset_index(drop=True)


class NoReport(ValueError):
    """No report on or before the asked date: nothing to present (a Chinese message)."""


def phase_line(info: PhaseInfo, escape=str) -> str:
    """Where the date stands among the phases, as every page's heading says it:
    ``当前阶段：实施阶段（3月1日至10月31日），还剩12天``; ``escape`` is applied to phase
    names (the pages escape Markdown)."""
    if info.current:
        return (f"当前阶段：{escape(info.current.name)}（{labels.period(info.current.start, info.current.end)}），"
                f"还剩{info.days_left}天")
    if info.next:
        return f"距{escape(info.next.name)}开始还有{info.days_to_next}天"
    if info.any_phases:
        return "各阶段均已结束"
    return "尚未设置阶段时间（见“设置”页）"


def short_description(text) -> str:
    """A description on a slide: at most ``DESCRIPTION_CHARS`` characters, longer ones cut
    with …; blank -> ``labels.NONE``."""
    text = "" if text is None or (isinstance(text, float) and text != text) else " ".join(str(text).split())
    if not text:
        return labels.NONE
    return text if len(text) <= DESCRIPTION_CHARS else text[:DESCRIPTION_CHARS - 1] + "…"


def meeting(con, as_of: dt.date, settings: CampaignSettings | None = None, since: dt.date | None = None,
            filters: Filters = ALL) -> Meeting:
    """The deck (``Meeting``) at the latest report date on or before ``as_of``;
    ``NoReport`` when there is none, ``ValueError`` (Chinese) when ``since`` is not
    before it (``figures.changes``)."""
    s = settings or load_settings(con)
    day = figures.report_date_at(con, as_of)
    if day is None:
        raise NoReport(f"{full_day(as_of)}及以前没有台账，无法生成汇报")
    rank = figures.ranking(con, day, since, s, filters)
    over = figures.overview(con, day, s, filters)
    late = figures.overdue(con, day, s, filters).overdue
    longest = late.head(LONGEST).reset_index(drop=True)
    longest = longest.assign(short_description=[short_description(t) for t in longest["description"]])
    table = over.standing.table.set_index("group_name")
    escalated = over.standing.escalated
    escalations = (table.loc[escalated].reset_index()[ESCALATION_COLUMNS] if escalated
                   else pd.DataFrame(columns=ESCALATION_COLUMNS))
    info = figures.phase(s, day)
    deck = Meeting(day, rank.since, as_of, s.name, list(s.phases), info, phase_line(info), board_rules(s),
                   labels.escalation_steps(s.escalation), over, rank, figures.trend(con, day, s, filters),
                   figures.forecast(con, day, s, filters), len(late), late, longest, escalations, [])
    return dataclasses.replace(deck, slides=_slides(deck))


# ---------------------------------------------------------------- the slides' messages


def _slides(m: Meeting) -> list[Slide]:
    out = [Slide("title", f"{m.name}工作推进情况汇报", f"截至{full_day(m.as_of)} ｜ {m.phase_text}"),
           Slide("headline", SLIDE_TITLES["headline"], _headline(m)),
           Slide("groups", SLIDE_TITLES["groups"], _groups(m)),
           Slide("trend", SLIDE_TITLES["trend"], _trend(m))]
    messages = {"changes": _changes(m), "forecast": _forecast(m), "overdue": _overdue(m),
                "escalation": _escalation(m)}
    for key in TABLE_SLIDES:
        n = len(m.table(key))
        pages = max(1, -(-n // ROWS_PER_SLIDE))
        for i in range(pages):
            title = SLIDE_TITLES[key] + (f"（续{i}）" if i else "")
            out.append(Slide(key, title, messages[key], (i * ROWS_PER_SLIDE, min(n, (i + 1) * ROWS_PER_SLIDE))))
    order = list(SLIDE_TITLES)
    return sorted(out, key=lambda sl: order.index(sl.key))


def _headline(m: Meeting) -> str:
    k = m.overview.kpis
    v, d = k.values, k.deltas
    text = f"交办问题{count(v['items'])}项，已整改{count(v['done'])}项，整改率{pct(v['completion_rate'])}"
    if k.previous_date is not None and d["completion_rate"] is not None:
        text += f"（较上期{labels.rate_change(d['completion_rate'])}）"
    text += f"；超期{count(v['overdue'])}项"
    if k.previous_date is not None and d["overdue"] is not None:
        text += f"（较上期{labels.change('overdue', d['overdue'])}）"
    return text


def _names(groups) -> str:
    return "、".join(groups) if groups else "暂无"


def _groups(m: Meeting) -> str:
    st = m.overview.standing
    return f"{labels.HONOUR}：{_names(st.honour)}；{labels.WARNING}：{_names(st.warning)}"


def _changes(m: Meeting) -> str:
    c = m.changes
    if c.table.empty:
        return "没有台账"
    t = c.table[c.table["is_total"]].iloc[0]
    parts = (f"新交办{count(t['new_items'])}项，新整改{count(t['newly_done'])}项，新增超期{count(t['newly_overdue'])}项，"
             f"整改后反弹{count(t['reopened'])}项")
    if c.since is None:
        return f"没有更早的台账可比较，全部问题算作新交办：{parts}"
    return f"与{full_day(c.since)}相比：{parts}；整改率{labels.rate_change(t['completion_rate_change'])}"


def _trend(m: Meeting) -> str:
    series = m.trend.series
    if series.empty:
        return "没有台账"
    first, last = series.iloc[0], series.iloc[-1]
    if len(series) == 1:
        return f"{full_day(last['as_of'])}整改率{pct(last['completion_rate'])}，只有一期台账"
    return (f"整改率从{full_day(first['as_of'])}的{pct(first['completion_rate'])}"
            f"到{full_day(last['as_of'])}的{pct(last['completion_rate'])}，共{len(series)}期台账")


def _forecast(m: Meeting) -> str:
    f = m.forecast
    total = f.table[f.table["is_total"]]
    if total.empty:
        return "没有台账"
    t = total.iloc[0]
    outlook = t["outlook"]
    if outlook == "insufficient":
        return labels.FORECAST_TOO_FEW.format(n=MIN_REPORTS)
    if outlook == "done":
        return "全部问题已整改"
    ev = f.evaluation
    if t["probability"] is not None and not pd.isna(t["probability"]) and ev is not None:
        text = f"全部问题在{ev.name}开始前整改完成的可能性为{pct(t['probability'])}（{t['light']}）；"
    else:
        text = f"{t['reason']}；" if t["reason"] else ""
    if outlook == "not_shrinking":
        return text + "每周新增与整改大致相当，积压未减少，无法给出完成日期"
    return (text + f"五成把握在{labels.forecast_day(t['p50'], outlook)}前、"
            f"八成五把握在{labels.forecast_day(t['p85'], outlook)}前全部整改")


def _overdue(m: Meeting) -> str:
    p = m.overview.overdue
    if not p.count:
        return "没有超期问题"
    shown = min(LONGEST, m.overdue_count)
    return f"超期问题{count(p.count)}项，最久的已超期{p.max_days}天；列出超期最久的{shown}项"


def _escalation(m: Meeting) -> str:
    e = m.escalations
    if e.empty:
        return "本期没有连续上黑榜需要升级督办的工作组"
    if len(e) <= 2:
        return "；".join(f"{g}连续{int(n)}期上黑榜，建议{a}" for g, n, a in
                        zip(e["group_name"], e["warning_streak"], e["escalation"]))
    by_action = e["escalation"].value_counts(sort=False)
    return (f"{len(e)}个工作组连续上黑榜，建议" + "、".join(f"{a}{n}个" for a, n in by_action.items()))


# ---------------------------------------------------------------- what a slide shows, as text


def _text(v, row) -> str:
    return labels.NONE if labels._missing(v) or v == "" else str(v)


def _count(v, row) -> str:
    return count(v)


def _pct(v, row) -> str:
    return pct(v)


def _days(v, row) -> str:
    return f"{int(v)}天"


def _forecast_day(v, row) -> str:
    return labels.forecast_day(v, row["outlook"])


def _weekly(v, row) -> str:
    return labels.NONE if labels._missing(v) else labels.decimal(v)


# A table slide's columns: (column, header, format(value, row) -> text).
SLIDE_COLUMNS = {
    "changes": (("group_name", "工作组", _text), ("new_items", "新交办", _count), ("newly_done", "新整改", _count),
                ("newly_overdue", "新增超期", _count), ("reopened", "整改后反弹", _count),
                ("still_overdue", "持续超期", _count), ("completion_rate", "整改率", _pct),
                ("completion_rate_change", "整改率变化", lambda v, r: labels.rate_change(v)),
                ("rank_change", "排名变化", lambda v, r: labels.rank_change(v))),
    "forecast": (("group_name", "工作组", _text), ("open", "未整改", _count), ("weekly_net", "周均净减少", _weekly),
                 ("probability", "评估前完成概率", _pct), ("light", "预测亮灯", _text),
                 ("p50", "五成把握完成", _forecast_day), ("p85", "八成五把握完成", _forecast_day)),
    "overdue": (("seq", "序号", _text), ("group_name", "工作组", _text), ("short_description", "问题描述", _text),
                ("location", "点位", _text), ("deadline", "整改时限", lambda v, r: full_day(v)),
                ("days_overdue", "超期天数", _days)),
    "escalation": (("group_name", "工作组", _text), ("completion_rate", "整改率", _pct),
                   ("warning_streak", "连续上黑榜", lambda v, r: labels.streak(v)), ("escalation", "建议措施", _text)),
}


# The columns drawn right-aligned, as numbers, wherever a slide's table is drawn.
NUMERIC_COLUMNS = {"seq", "new_items", "newly_done", "newly_overdue", "reopened", "still_overdue", "completion_rate",
                   "completion_rate_change", "open", "weekly_net", "probability", "days_overdue"}


def numeric_columns(key: str) -> list[bool]:
    """Per column of table slide ``key`` (``SLIDE_COLUMNS``): is it a number column."""
    return [c in NUMERIC_COLUMNS for c, _, _ in SLIDE_COLUMNS[key]]


def table_cells(m: Meeting, slide: Slide) -> tuple[list[str], list[list[str]]]:
    """(headers, rows) of ``slide``'s table as every renderer shows it
    (``SLIDE_COLUMNS``): text cells, ``labels.NONE`` for a missing value; the
    longest-overdue rows numbered from 1 across continuation slides. ``([], [])`` for a
    slide without table."""
    if slide.rows is None:
        return [], []
    columns = SLIDE_COLUMNS[slide.key]
    df = m.slide_table(slide)
    if slide.key == "overdue":
        df = df.assign(seq=range(slide.rows[0] + 1, slide.rows[0] + 1 + len(df)))
    rows = [[fmt(r[c], r) for c, _, fmt in columns] for r in df.to_dict("records")]
    return [h for _, h, _ in columns], rows


def kpi_cells(m: Meeting) -> list[tuple[str, str, str]]:
    """The headline slide's cards: (label, value, change since the previous report or
    ``""``) for ``labels.KPI_KEYS``, as the KPI cards word them (``labels.change``)."""
    k = m.overview.kpis
    out = []
    for key in labels.KPI_KEYS:
        v = k.values[key]
        shown = pct(v) if key.endswith("rate") else count(v)
        delta = labels.change(key, k.deltas[key])
        out.append((labels.KPI_LABELS[key], shown, f"较上期{delta}" if delta else ""))
    return out


def group_bars(m: Meeting) -> pd.DataFrame:
    """The groups slide's bars: ``group_name``, ``completion_rate`` (None without items),
    ``board`` (红榜/黑榜/""/不排名), in the configured group order."""
    t = m.overview.standing.table
    return t[["group_name", "completion_rate", "board"]].reset_index(drop=True)


def trend_points(m: Meeting) -> pd.DataFrame:
    """The trend slide's line: ``as_of`` (each report date up to the deck's) and
    ``completion_rate``, with ``phase`` (the phase the date falls in, ``""`` outside)."""
    df = m.trend.series[["as_of", "completion_rate"]].reset_index(drop=True)
    return df.assign(phase=[next((p.name for p in m.phases if p.start <= d <= p.end), "")
                            for d in map(labels._date, df["as_of"])])


def deck_json(m: Meeting) -> dict:
    """The CLI's ``meeting --json`` (what the 会议汇报 page shows): ``as_of``, ``since``,
    ``asked``, and per slide its ``key``, ``title``, ``message``, table ``headers`` and
    ``rows`` (``table_cells``); ``kpis`` (``kpi_cells``), ``groups`` (``group_bars``),
    ``trend`` (``trend_points``), ``rules`` and ``escalation_rule``."""
    to_json = figures.to_json
    slides = []
    for sl in m.slides:
        headers, rows = table_cells(m, sl)
        slides.append({"key": sl.key, "title": sl.title, "message": sl.message, "headers": headers, "rows": rows})
    return {"as_of": m.as_of.isoformat(), "since": m.since.isoformat() if m.since else None,
            "asked": m.asked.isoformat(), "slides": slides,
            "kpis": [list(c) for c in kpi_cells(m)], "groups": to_json(group_bars(m)),
            "trend": to_json(trend_points(m)), "rules": list(m.rules), "escalation_rule": m.escalation_rule}
