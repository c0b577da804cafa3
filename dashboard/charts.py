"""Plotly figures with Chinese labels: percentages as ``87.5%``, dates as ``3月6日``,
phases drawn as shaded, named bands. Figures only draw the numbers they are given.

Rules every figure here follows:

- **Time axes show the report dates** (``time_axis``). The x axis is a date axis whose
  ticks are set by hand (``tickmode="array"``: ``tickvals`` the report dates,
  ``ticktext`` their labels from ``labels.day``), rather than a category axis: a date
  axis keeps the real spacing between reports (a missed week shows as a gap, not as
  one more step), lets the phase bands be drawn at their true dates, and lines up
  charts whose series have different dates (one group's series starts later); hand-set
  ticks make every tick a report date, which plotly's automatic date ticks (``11月1日``,
  ``11月15日``) are not. When there are more than ``MAX_DATE_TICKS`` report dates,
  every k-th one is labelled, counted back from the latest so the as-of date always is;
  when the series spans more than one calendar year, the first tick of each year shows
  its year (``2026年1月2日``). The axis runs from one report interval before the first
  report to the as-of date, never after it.
- **Bars are one report interval wide**: the report interval is the median gap between
  consecutive report dates (``REPORT_CADENCE`` when there is a single report), a bar
  is never wider than the gap to the report before it (no overlap after a missed
  week), and a report's bar covers the interval that ends on its date (the period its
  ledger reports on), so the newest bar ends on the as-of date.
- **Phase bands** are clipped to the visible range; a band showing less than
  ``NAMED_BAND_SHARE`` of it is drawn without its name (it would overflow the band).
- **Colours carry meaning**: a group's line colour is ``group_style``: a function of
  its place in the campaign's list of all groups (the configured group order, then
  the others by name: ``figures.filter_options``), never of which groups a filter
  shows, so a group has the same colour on every page and chart. ``GROUP_PALETTE``
  has 16 colours (pairwise CIE76 ΔE >= 27); the 17th group on takes them again with a
  dashed, then dotted line. Completion bars keep the 红/黄/绿牌 colour of each group's
  card (``standing.group_card``, from the 红榜线/黑榜线 and overdue shares) and shade
  it by rank within the card: the worst group of a card darkest, so the worst still
  shows when every group has the same card.
- **Ledger text is text** (``plain``): every group name, category, place or phase name
  put into a figure (trace names, category axes, hover text, annotations) is escaped
  (``&``, ``<``, ``>``), because plotly renders ``<b>``, ``<a href>``, ``<br>`` in all of
  them. Hover texts are built here (``labels`` formats) and shown through a fixed
  ``HOVER`` template, so no ledger text is ever read as a template (``%{y}``) or tag.
- **Legends go below the plot**, horizontal, at the bottom left of the figure (placed
  relative to the figure, so plotly grows the bottom margin to fit them and they never
  overlap the tick labels), so a narrow (390 px) screen keeps the plot's full width;
  axes grow the margins for their labels (``automargin``) and the right margin holds
  half of the last date label, so nothing is cut at 1280x720.
- Missing values show nothing (no marker, no bar) or ``—`` in text (``labels``).
"""
from __future__ import annotations

import datetime as dt
import html
import math
import statistics
from dataclasses import dataclass
from typing import Sequence

import pandas as pd
import plotly.graph_objects as go

from data_pipeline import labels
from data_pipeline.campaign.settings import CampaignSettings, Phase

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
CARD_COLORS = {"红牌": "#c62828", "黄牌": "#f0a500", "绿牌": "#2e7d32"}
CARD_NAMES = {card: f"{card}：{meaning}" for card, meaning in labels.CARD_MEANINGS.items()}
PHASE_FILLS = ("#e3f2fd", "#fff3e0", "#e8f5e9", "#f3e5f5")
CONFIG = {"displayModeBar": False}
# Group line colours: the Tableau 10, then six more chosen to stay apart from them and
# from each other (pairwise CIE76 ΔE >= 27), all dark enough to read on white.
GROUP_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                 "#7f7f7f", "#bcbd22", "#0000cd", "#4b0082", "#556b2f", "#ff1493", "#b03060", "#b8860b")
GROUP_DASHES = ("solid", "dash", "dot")
# The most labelled report dates on a time axis: at 390 px wide (a phone) this many
# ``10月30日`` labels fit side by side at the chart font size.
MAX_DATE_TICKS = 5
# The report interval assumed when a series has a single report (ledgers are weekly).
REPORT_CADENCE = dt.timedelta(days=7)
# A phase band narrower than this share of the visible range is drawn without its name.
NAMED_BAND_SHARE = 0.12
# Rank shading of completion bars: the best group of a card is its colour mixed with
# this much white; the worst is the card colour itself.
LIGHTEST_TINT = 0.55
# Room right of the plot for half of the last tick label (the as-of date sits on the
# axis's end; plotly hides a label that would pass the figure's edge).
RIGHT_MARGIN = 40
# Every hover shows the text built for it (``customdata``) and nothing else.
HOVER = "%{customdata}<extra></extra>"
MS_PER_DAY = 86_400_000


def _missing(value) -> bool:
    """None, NaN, pandas' NA or NaT."""
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def plain(value) -> str:
    """Stored text (a group, category, place or phase name) as a figure must hold it to
    show it literally: ``&``, ``<`` and ``>`` escaped (plotly reads the entities back as
    characters and renders no tag); a missing value -> ``—``. Use it for every piece of
    ledger or settings text put into a figure."""
    if _missing(value):
        return labels.NONE
    return html.escape(str(value), quote=False)


# ---------------------------------------------------------------- time axes


@dataclass(frozen=True)
class TimeAxis:
    """A time axis over report ``dates`` (ascending, unique) up to ``as_of``: the report
    interval (``width``), the visible range and the ticks (see the module's rules)."""

    dates: tuple
    as_of: dt.date
    width: dt.timedelta

    @property
    def start(self) -> dt.date:
        return self.dates[0] - self.width

    @property
    def ticks(self) -> list[dt.date]:
        """Every k-th report date, counted back from the latest, at most ``MAX_DATE_TICKS``."""
        k = math.ceil(len(self.dates) / MAX_DATE_TICKS)
        return list(self.dates[::-1][::k][::-1])

    def tick_labels(self) -> list[str]:
        """``3月6日``; when the dates span years, the first tick of each year with its year."""
        ticks = self.ticks
        spans_years = self.dates[0].year != self.dates[-1].year
        seen: set[int] = set()
        shown = []
        for d in ticks:
            shown.append(labels.full_day(d) if spans_years and d.year not in seen else labels.day(d))
            seen.add(d.year)
        return shown

    def bar_widths(self) -> list[float]:
        """Each report's bar width in milliseconds: the report interval, at most the gap to
        the report before it."""
        widths = [self.width] + [min(self.width, b - a) for a, b in zip(self.dates, self.dates[1:])]
        return [w.days * MS_PER_DAY for w in widths]


def time_axis(dates, as_of: dt.date | None = None) -> TimeAxis | None:
    """The time axis of a series with report ``dates`` (any order, repeats allowed) shown
    as of ``as_of`` (default: the latest date; dates after it are not shown). None when
    there is no date."""
    days = sorted({_day(d) for d in dates if not _missing(d)})
    if as_of is not None:
        days = [d for d in days if d <= as_of]
    if not days:
        return None
    gaps = [(b - a).days for a, b in zip(days, days[1:])]
    width = dt.timedelta(days=statistics.median_low(gaps)) if gaps else REPORT_CADENCE
    return TimeAxis(tuple(days), as_of or days[-1], width)


def _day(d) -> dt.date:
    return pd.Timestamp(d).date()


def _upto(series: pd.DataFrame, axis: TimeAxis | None) -> pd.DataFrame:
    """The rows of ``series`` on the axis's dates (none after the as-of date)."""
    if axis is None or series.empty:
        return series.iloc[0:0]
    return series[[_day(d) <= axis.as_of for d in series["as_of"]]]


def _time_layout(fig: go.Figure, axis: TimeAxis | None, phases: list[Phase]) -> None:
    """The x axis of a time chart (ticks, range) and its phase bands."""
    fig.update_xaxes(tickformat=labels.DAY_FORMAT_PLOTLY, hoverformat=labels.FULL_DAY_FORMAT_PLOTLY, title=None)
    if axis is None:
        return
    fig.update_xaxes(type="date", tickmode="array", tickvals=[d.isoformat() for d in axis.ticks],
                     ticktext=axis.tick_labels(), range=[axis.start.isoformat(), axis.as_of.isoformat()],
                     ticks="outside", ticklen=4)
    phase_bands(fig, phases, axis.start, axis.as_of)


def phase_bands(fig: go.Figure, phases: list[Phase], first: dt.date, last: dt.date) -> None:
    """Each phase overlapping [first, last] as a shaded band clipped to it (a phase's last
    day is inside it, so its band ends at the next midnight), named at its top when it
    shows at least ``NAMED_BAND_SHARE`` of the range. A phase keeps its colour (its
    place among the phases by start date) however it is clipped."""
    span = max((last - first).days, 1)
    for i, p in enumerate(sorted(phases, key=lambda p: p.start)):
        x0, x1 = max(p.start, first), min(p.end + dt.timedelta(days=1), last)
        if x0 >= x1:
            continue
        named = (x1 - x0).days / span >= NAMED_BAND_SHARE
        fig.add_vrect(x0=x0.isoformat(), x1=x1.isoformat(), fillcolor=PHASE_FILLS[i % len(PHASE_FILLS)],
                      opacity=0.6, layer="below", line_width=0,
                      **({"annotation_text": plain(p.name), "annotation_position": "top left",
                          "annotation_font": {"family": FONT, "size": 13, "color": "#555"}} if named else {}))


# ---------------------------------------------------------------- colours


def group_style(group: str, all_groups: Sequence[str]) -> dict:
    """A group's line (``{"color", "dash"}``) from its place in ``all_groups`` (the
    campaign's groups in the configured order, then the others: ``figures.filter_options``);
    a group not in it comes after all of them."""
    groups = list(all_groups)
    i = groups.index(group) if group in groups else len(groups)
    n = len(GROUP_PALETTE)
    return {"color": GROUP_PALETTE[i % n], "dash": GROUP_DASHES[(i // n) % len(GROUP_DASHES)]}


def _mix(color: str, white: float) -> str:
    """``color`` (``#rrggbb``) mixed with ``white`` (0..1) parts of white."""
    rgb = [int(color[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * white):02x}" for c in rgb)


def _ink(color: str) -> str:
    """White or dark text, whichever reads better on ``color`` (WCAG relative luminance)."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(int(color[i:i + 2], 16) / 255) for i in (1, 3, 5))
    lum = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "white" if (1.05 / (lum + 0.05)) >= ((lum + 0.05) / (0.0133 + 0.05)) else "#222"


def rank_shades(color: str, n: int) -> list[str]:
    """``n`` shades of ``color``, worst first: the card colour itself, then lighter, the
    best mixed with ``LIGHTEST_TINT`` white."""
    if n <= 1:
        return [color] * n
    return [_mix(color, LIGHTEST_TINT * i / (n - 1)) for i in range(n)]


# ---------------------------------------------------------------- layout


def _layout(fig: go.Figure, *, height: int = 380, percent_axis: str | None = None) -> go.Figure:
    """Common look: the legend horizontal under the x axis's labels, axes growing the
    margins for their labels and titles."""
    fig.update_layout(
        height=height, font={"family": FONT, "size": 13}, margin={"l": 10, "r": RIGHT_MARGIN, "t": 30, "b": 10},
        legend={"orientation": "h", "xref": "container", "xanchor": "left", "x": 0, "yref": "container",
                "yanchor": "bottom", "y": 0, "title": None, "traceorder": "normal"},
        hoverlabel={"font": {"family": FONT}}, separators=".,")
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    if percent_axis:
        fig.update_layout({percent_axis: {"tickformat": ".0%", "hoverformat": ".1%"}})
    return fig


def _target_line(fig: go.Figure, s: CampaignSettings) -> None:
    fig.add_hline(y=s.honour_rate, line_dash="dash", line_color="#444", line_width=1.2,
                  annotation_text=f"红榜线 {labels.threshold(s.honour_rate)}",
                  annotation_position="bottom left", annotation_font={"family": FONT, "size": 12})


def _counts(name: str, values) -> list[str]:
    return [f"{name} {labels.count(v)}项" for v in values]


def _rates(name: str, values) -> list[str]:
    return [f"{name} {labels.pct(v)}" for v in values]


def _float(values) -> list:
    """Rates as floats with None for a missing one (a gap in the line)."""
    return [None if _missing(v) else float(v) for v in values]


# ---------------------------------------------------------------- figures


def group_rates_bar(table: pd.DataFrame, s: CampaignSettings) -> go.Figure:
    """Completion rate per group (``Standing.table``), best on top, coloured and named
    by card and shaded by rank within the card (worst darkest), with the 红榜线 and
    黑榜线."""
    df = table.sort_values(["completion_rate", "group_name"], ascending=[True, False])
    fig = go.Figure()
    for card in labels.CARDS:
        part = df[df["card"] == card]
        if part.empty:
            continue
        shades = rank_shades(CARD_COLORS[card], len(part))
        names = [plain(g) for g in part["group_name"]]
        fig.add_bar(
            y=names, x=_float(part["completion_rate"]), orientation="h", name=CARD_NAMES[card],
            marker={"color": shades}, text=[labels.pct(r) for r in part["completion_rate"]],
            textposition="inside", insidetextanchor="start",
            textfont={"color": [_ink(c) for c in shades], "size": 13},
            customdata=[f"{g}<br>{labels.COLUMN_LABELS['completion_rate']} {labels.pct(r)}<br>"
                        f"已整改 {labels.count(d)} / 交办 {labels.count(n)}<br>超期 {labels.count(o)}项<br>{card}"
                        for g, r, d, n, o in zip(names, part["completion_rate"], part["done"], part["items"],
                                                 part["overdue"])],
            hovertemplate=HOVER)
    for rate, name, dash in ((s.honour_rate, "红榜线", "dash"), (s.warning_rate, "黑榜线", "dot")):
        fig.add_vline(x=rate, line_dash=dash, line_color="#222", line_width=1.5)
        fig.add_scatter(x=[None], y=[None], mode="lines", name=f"{name} {labels.threshold(rate)}",
                        line={"dash": dash, "color": "#222", "width": 1.5}, hoverinfo="skip")
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=[plain(g) for g in df["group_name"]],
                     title=None)
    fig.update_xaxes(range=[0, 1.02], title=None)
    fig.update_layout(barmode="overlay", bargap=0.3)
    return _layout(fig, height=170 + 44 * len(df), percent_axis="xaxis")


def burnup(series: pd.DataFrame, phases: list[Phase], *, as_of: dt.date | None = None,
           height: int = 380) -> go.Figure:
    """Cumulative items assigned and done at each report (``weekly_series``) up to
    ``as_of`` (default: the latest report in it)."""
    axis = time_axis(series["as_of"], as_of)
    series = _upto(series, axis)
    x = [_day(d).isoformat() for d in series["as_of"]]
    fig = go.Figure()
    fig.add_scatter(x=x, y=list(series["items"]), name="累计交办", mode="lines+markers",
                    line={"color": "#1f4e79", "width": 3}, customdata=_counts("累计交办", series["items"]),
                    hovertemplate=HOVER, cliponaxis=False)
    fig.add_scatter(x=x, y=list(series["done"]), name="累计整改", mode="lines+markers",
                    line={"color": "#2e7d32", "width": 3}, fill="tonexty", fillcolor="rgba(198,40,40,0.08)",
                    customdata=_counts("累计整改", series["done"]), hovertemplate=HOVER, cliponaxis=False)
    _time_layout(fig, axis, phases)
    top = int(series["items"].max()) if len(series) else 0
    fig.update_yaxes(title="问题数（项）", range=[0, max(5, top) * 1.15])
    fig.update_layout(hovermode="x unified")
    return _layout(fig, height=height)


def overdue_bars(series: pd.DataFrame, phases: list[Phase], *, as_of: dt.date | None = None,
                 height: int = 300) -> go.Figure:
    """Overdue items at each report (``weekly_series``) up to ``as_of``, one bar a report
    interval wide ending on its report date."""
    axis = time_axis(series["as_of"], as_of)
    series = _upto(series, axis)
    days = [_day(d) for d in series["as_of"]]
    widths = dict(zip(axis.dates, axis.bar_widths())) if axis else {}
    fig = go.Figure()
    fig.add_bar(x=[d.isoformat() for d in days], y=list(series["overdue"]), name="超期", marker_color="#c62828",
                marker_line={"color": "white", "width": 1},
                width=[widths[d] for d in days], offset=[-widths[d] for d in days],
                text=[labels.count(n) for n in series["overdue"]], textposition="outside", cliponaxis=False,
                customdata=_counts("超期", series["overdue"]), hovertemplate=HOVER)
    _time_layout(fig, axis, phases)
    top = int(series["overdue"].max()) if len(series) else 0
    fig.update_yaxes(title="超期问题（项）", range=[0, max(5, top) * 1.22])
    fig.update_layout(hovermode="x unified", showlegend=False)
    return _layout(fig, height=height)


def group_rate_lines(series: pd.DataFrame, order: list[str], phases: list[Phase], s: CampaignSettings,
                     *, all_groups: Sequence[str] | None = None, as_of: dt.date | None = None,
                     height: int = 380) -> go.Figure:
    """Completion rate per group at each report (``weekly_series(by_group=True)``), the
    groups of ``order`` in that order, each in its ``group_style`` among ``all_groups``
    (default ``order``; pages pass every group of the campaign so colours do not
    depend on the filters). The figure grows with the number of groups, so the legend
    below it leaves the plot its height on a narrow screen."""
    axis = time_axis(series["as_of"], as_of)
    series = _upto(series, axis)
    every = list(all_groups) if all_groups is not None else list(order)
    fig = go.Figure()
    shown = 0
    for g in order:
        part = series[series["group_name"] == g]
        if part.empty:
            continue
        shown += 1
        name = plain(g)
        style = group_style(g, every)
        fig.add_scatter(x=[_day(d).isoformat() for d in part["as_of"]], y=_float(part["completion_rate"]),
                        name=name, mode="lines+markers", line={"width": 2, **style},
                        marker={"color": style["color"], "size": 6},
                        customdata=_rates(name, part["completion_rate"]), hovertemplate=HOVER, cliponaxis=False)
    _target_line(fig, s)
    _time_layout(fig, axis, phases)
    fig.update_yaxes(title="整改率", range=[0, 1.12], dtick=0.2)
    fig.update_layout(hovermode="x unified")
    return _layout(fig, height=height + 24 * math.ceil(shown / 2), percent_axis="yaxis")


def rate_line(series: pd.DataFrame, phases: list[Phase], s: CampaignSettings, *, as_of: dt.date | None = None,
              color: str = "#1f4e79", height: int = 360) -> go.Figure:
    """Completion rate at each report (``weekly_series``) with the 红榜线; ``color``: the
    group's ``group_style`` colour on 工作组."""
    axis = time_axis(series["as_of"], as_of)
    series = _upto(series, axis)
    fig = go.Figure()
    fig.add_scatter(x=[_day(d).isoformat() for d in series["as_of"]], y=_float(series["completion_rate"]),
                    name="整改率", mode="lines+markers", line={"color": color, "width": 3},
                    customdata=_rates("整改率", series["completion_rate"]), hovertemplate=HOVER, cliponaxis=False)
    _target_line(fig, s)
    _time_layout(fig, axis, phases)
    fig.update_yaxes(title="整改率", range=[0, 1.12], dtick=0.2)
    fig.update_layout(hovermode="x unified", showlegend=False)
    return _layout(fig, height=height, percent_axis="yaxis")


def breakdown_bars(df: pd.DataFrame, by: str, label: str, *, top: int = 15) -> go.Figure:
    """Items per value of ``by`` (``GroupFigures.by_category``/``by_place``), split into
    done / open; ``label`` names the values in the hover text."""
    part = df.head(top).iloc[::-1]
    values = [plain(v) for v in part[by]]
    fig = go.Figure()
    for column, name, color in (("done", "已整改", "#2e7d32"), ("not_done", "未完成", "#c62828")):
        fig.add_bar(y=values, x=list(part[column]), name=name, orientation="h", marker_color=color,
                    customdata=[f"{plain(label)}：{v}<br>{name} {labels.count(n)}项"
                                for v, n in zip(values, part[column])],
                    hovertemplate=HOVER)
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title=None, type="category", categoryorder="array", categoryarray=values)
    fig.update_xaxes(title=None)
    return _layout(fig, height=130 + 30 * len(part))


# 本周变化's bars: (column of ``Changes.table``, colour), top to bottom within a group.
CHANGE_BARS = (("new_items", "#1f4e79"), ("newly_done", "#2e7d32"), ("newly_overdue", "#c62828"),
               ("reopened", "#ef6c00"))
LIGHT_COLORS = {"红": "#c62828", "黄": "#f0a500", "绿": "#2e7d32"}


def change_bars(table: pd.DataFrame) -> go.Figure:
    """本周变化 per group (``Changes.table`` without the 合计 row): items newly assigned,
    newly done, newly overdue and reopened as grouped horizontal bars, the groups top
    to bottom in the table's order, the four bars of a group top to bottom in the order
    of ``CHANGE_BARS`` (so is the legend), each labelled with its count."""
    part = table[~table["is_total"].astype(bool)]
    names = [plain(g) for g in part["group_name"]]
    top = max([int(part[c].max()) for c, _ in CHANGE_BARS if len(part)] + [0])
    fig = go.Figure()
    # Horizontal grouped bars stack a group's traces bottom-up: add them in reverse and
    # reverse the legend, so both read in CHANGE_BARS' order.
    for column, color in reversed(CHANGE_BARS):
        name = labels.COLUMN_LABELS[column]
        fig.add_bar(y=names, x=[int(n) for n in part[column]], name=name, orientation="h", marker_color=color,
                    text=[labels.count(n) for n in part[column]], textposition="outside", cliponaxis=False,
                    customdata=[f"{g}<br>{name} {labels.count(n)}项" for g, n in zip(names, part[column])],
                    hovertemplate=HOVER)
    fig.update_yaxes(title=None, type="category", categoryorder="array", categoryarray=names[::-1])
    fig.update_xaxes(title="问题数（项）", range=[0, max(5, top) * 1.15], rangemode="tozero")
    fig.update_layout(barmode="group", bargap=0.25, bargroupgap=0.05)
    _layout(fig, height=150 + 80 * len(part))
    fig.update_layout(legend_traceorder="reversed")
    return fig


def forecast_bars(table: pd.DataFrame, s: CampaignSettings) -> go.Figure:
    """进度预测: the probability of finishing before 评估 per group and in total
    (``Forecast.table``; rows without probability are left out), top to bottom in the
    table's order, coloured and named by light (``labels.FORECAST_LIGHT_MEANINGS``),
    with the green and yellow lines of the settings."""
    part = table[[not _missing(p) for p in table["probability"]]]
    order = [plain(g) for g in part["group_name"]]
    fig = go.Figure()
    for light in labels.FORECAST_LIGHTS:
        rows = part[part["light"] == light]
        if rows.empty:
            continue
        color = LIGHT_COLORS[light]
        names = [plain(g) for g in rows["group_name"]]
        fig.add_bar(y=names, x=_float(rows["probability"]), orientation="h", name=labels.forecast_light(light),
                    marker_color=color, text=[labels.pct(p) for p in rows["probability"]],
                    textposition="inside", insidetextanchor="start",
                    textfont={"color": _ink(color), "size": 13},
                    customdata=[f"{g}<br>{labels.COLUMN_LABELS['probability']} {labels.pct(p)}<br>"
                                f"{labels.COLUMN_LABELS['open']} {labels.count(n)}项<br>{labels.forecast_light(light)}"
                                for g, p, n in zip(names, rows["probability"], rows["open"])],
                    hovertemplate=HOVER)
    for rate, name, dash in ((s.forecast_green, "绿色线", "dash"), (s.forecast_yellow, "黄色线", "dot")):
        fig.add_vline(x=rate, line_dash=dash, line_color="#222", line_width=1.5)
        fig.add_scatter(x=[None], y=[None], mode="lines", name=f"{name} {labels.threshold(rate)}",
                        line={"dash": dash, "color": "#222", "width": 1.5}, hoverinfo="skip")
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=order[::-1], title=None)
    fig.update_xaxes(range=[0, 1.02], title=None)
    fig.update_layout(barmode="overlay", bargap=0.3)
    return _layout(fig, height=170 + 44 * len(part), percent_axis="xaxis")


def projector(fig: go.Figure, *, height: int) -> go.Figure:
    """``fig`` for a slide on 会议汇报: ``height`` pixels, text large enough to read at
    the back of a room (18 px axes and legend, 17 px bar labels), hover off (a presenter
    does not hover)."""
    fig.update_layout(height=height, font={"family": FONT, "size": 18}, hovermode=False,
                      margin={"l": 10, "r": RIGHT_MARGIN, "t": 20, "b": 10})
    fig.update_traces(hoverinfo="skip", hovertemplate=None)
    fig.update_traces(textfont_size=17, selector={"type": "bar"})
    for a in fig.layout.annotations:
        a.font.size = 16
    return fig
