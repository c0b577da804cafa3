"""Plotly figures with Chinese labels: percentages as ``87.5%``, dates as ``3月6日``,
phases drawn as shaded, named bands. Figures only draw the numbers they are given."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from data_pipeline import labels
from data_pipeline.campaign.settings import CampaignSettings, Phase

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
CARD_COLORS = {"红牌": "#c62828", "黄牌": "#f0a500", "绿牌": "#2e7d32"}
CARD_NAMES = {card: f"{card}：{meaning}" for card, meaning in labels.CARD_MEANINGS.items()}
PHASE_FILLS = ("#e3f2fd", "#fff3e0", "#e8f5e9", "#f3e5f5")
CONFIG = {"displayModeBar": False}


def _layout(fig: go.Figure, *, height: int = 380, percent_axis: str | None = None,
            legend: str = "bottom") -> go.Figure:
    """Common look; the legend goes above the plot (``top``) or under the x axis."""
    if legend == "top":
        place = {"yanchor": "bottom", "y": 1.0}
    else:
        place = {"yanchor": "top", "y": -34 / max(120, height - 80)}
    fig.update_layout(
        height=height, font={"family": FONT, "size": 13}, margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "xanchor": "left", "x": 0, "title": None, "traceorder": "normal", **place},
        hoverlabel={"font": {"family": FONT}}, separators=".,")
    if percent_axis:
        fig.update_layout({percent_axis: {"tickformat": ".0%", "hoverformat": ".1%"}})
    return fig


def _dates(fig: go.Figure) -> None:
    fig.update_xaxes(tickformat=labels.DAY_FORMAT_PLOTLY, hoverformat=labels.FULL_DAY_FORMAT_PLOTLY, title=None)


def phase_bands(fig: go.Figure, phases: list[Phase], first: dt.date, last: dt.date) -> None:
    """Each phase overlapping [first, last] as a shaded band named at its top."""
    for i, p in enumerate(sorted(phases, key=lambda p: p.start)):
        x0, x1 = max(p.start, first - dt.timedelta(days=3)), min(p.end, last + dt.timedelta(days=3))
        if x0 > x1:
            continue
        fig.add_vrect(x0=x0, x1=x1 + dt.timedelta(days=1), fillcolor=PHASE_FILLS[i % len(PHASE_FILLS)],
                      opacity=0.6, layer="below", line_width=0, annotation_text=p.name,
                      annotation_position="top left",
                      annotation_font={"family": FONT, "size": 13, "color": "#555"})


def group_rates_bar(table: pd.DataFrame, s: CampaignSettings) -> go.Figure:
    """Completion rate per group (``Standing.table``), best on top, coloured
    and named by card, with the 红榜线 and 黑榜线."""
    df = table.sort_values(["completion_rate", "group_name"], ascending=[True, False])
    fig = go.Figure()
    for card in labels.CARDS:
        part = df[df["card"] == card]
        if part.empty:
            continue
        fig.add_bar(
            y=part["group_name"], x=part["completion_rate"].astype(float), orientation="h", name=CARD_NAMES[card],
            marker_color=CARD_COLORS[card], text=[labels.pct(r) for r in part["completion_rate"]],
            textposition="inside", insidetextanchor="start", textfont={"color": "white", "size": 13},
            customdata=list(zip(part["done"], part["items"], part["overdue"])),
            hovertemplate="%{y}<br>整改率 %{x:.1%}<br>已整改 %{customdata[0]} / 交办 %{customdata[1]}"
                          "<br>超期 %{customdata[2]}<extra></extra>")
    for rate, name, dash in ((s.honour_rate, "红榜线", "dash"), (s.warning_rate, "黑榜线", "dot")):
        fig.add_vline(x=rate, line_dash=dash, line_color="#222", line_width=1.5)
        fig.add_scatter(x=[None], y=[None], mode="lines", name=f"{name} {labels.threshold(rate)}",
                        line={"dash": dash, "color": "#222", "width": 1.5})
    fig.update_yaxes(categoryorder="array", categoryarray=list(df["group_name"]), title=None)
    fig.update_xaxes(range=[0, 1.02], title=None)
    fig.update_layout(barmode="overlay", bargap=0.3)
    return _layout(fig, height=150 + 44 * len(df), percent_axis="xaxis", legend="top")


def burnup(series: pd.DataFrame, phases: list[Phase], *, height: int = 380) -> go.Figure:
    """Cumulative items assigned and done at each report (``weekly_series``)."""
    fig = go.Figure()
    fig.add_scatter(x=series["as_of"], y=series["items"], name="累计交办", mode="lines+markers",
                    line={"color": "#1f4e79", "width": 3}, hovertemplate="累计交办 %{y}项<extra></extra>")
    fig.add_scatter(x=series["as_of"], y=series["done"], name="累计整改", mode="lines+markers",
                    line={"color": "#2e7d32", "width": 3}, fill="tonexty", fillcolor="rgba(198,40,40,0.08)",
                    hovertemplate="累计整改 %{y}项<extra></extra>")
    _bands(fig, series, phases)
    top = int(series["items"].max()) if len(series) else 0
    fig.update_yaxes(title="问题数（项）", range=[0, max(5, top) * 1.15])
    fig.update_layout(hovermode="x unified")
    return _layout(fig, height=height)


def overdue_bars(series: pd.DataFrame, phases: list[Phase], *, height: int = 300) -> go.Figure:
    fig = go.Figure()
    fig.add_bar(x=series["as_of"], y=series["overdue"], name="超期", marker_color="#c62828",
                text=series["overdue"], textposition="outside", cliponaxis=False,
                hovertemplate="超期 %{y}项<extra></extra>")
    _bands(fig, series, phases)
    top = int(series["overdue"].max()) if len(series) else 0
    fig.update_yaxes(title="超期问题（项）", range=[0, max(5, top) * 1.22])
    fig.update_layout(hovermode="x unified", showlegend=False)
    return _layout(fig, height=height)


def group_rate_lines(series: pd.DataFrame, order: list[str], phases: list[Phase], s: CampaignSettings,
                     *, height: int = 420) -> go.Figure:
    """Completion rate per group at each report (``weekly_series(by_group=True)``)."""
    fig = go.Figure()
    for g in order:
        part = series[series["group_name"] == g]
        if part.empty:
            continue
        fig.add_scatter(x=part["as_of"], y=part["completion_rate"].astype(float), name=g, mode="lines+markers",
                        hovertemplate=f"{g} %{{y:.1%}}<extra></extra>")
    fig.add_hline(y=s.honour_rate, line_dash="dash", line_color="#444", line_width=1.2,
                  annotation_text=f"红榜线 {labels.threshold(s.honour_rate)}",
                  annotation_position="bottom left", annotation_font={"family": FONT, "size": 12})
    _bands(fig, series, phases)
    fig.update_yaxes(title="整改率", range=[0, 1.12], dtick=0.2)
    fig.update_layout(hovermode="x unified")
    _layout(fig, height=height, percent_axis="yaxis")
    fig.update_layout(legend={"orientation": "v", "x": 1.01, "xanchor": "left", "y": 1, "yanchor": "top"})
    return fig


def rate_line(series: pd.DataFrame, phases: list[Phase], s: CampaignSettings, *, height: int = 360) -> go.Figure:
    """Completion rate at each report (``weekly_series``) with the 红榜线."""
    fig = go.Figure()
    fig.add_scatter(x=series["as_of"], y=series["completion_rate"].astype(float), name="整改率",
                    mode="lines+markers", line={"color": "#1f4e79", "width": 3},
                    hovertemplate="整改率 %{y:.1%}<extra></extra>")
    fig.add_hline(y=s.honour_rate, line_dash="dash", line_color="#444", line_width=1.2,
                  annotation_text=f"红榜线 {labels.threshold(s.honour_rate)}",
                  annotation_position="bottom left", annotation_font={"family": FONT, "size": 12})
    _bands(fig, series, phases)
    fig.update_yaxes(title="整改率", range=[0, 1.12], dtick=0.2)
    fig.update_layout(hovermode="x unified", showlegend=False)
    return _layout(fig, height=height, percent_axis="yaxis")


def breakdown_bars(df: pd.DataFrame, by: str, label: str, *, top: int = 15) -> go.Figure:
    """Items per value of ``by`` (``GroupFigures.by_category``/``by_place``), split into done / open."""
    part = df.head(top).iloc[::-1]
    fig = go.Figure()
    fig.add_bar(y=part[by], x=part["done"], name="已整改", orientation="h", marker_color="#2e7d32",
                hovertemplate="%{y}<br>已整改 %{x}项<extra></extra>")
    fig.add_bar(y=part[by], x=part["not_done"], name="未完成", orientation="h", marker_color="#c62828",
                hovertemplate="%{y}<br>未完成 %{x}项<extra></extra>")
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title=None, type="category")
    fig.update_xaxes(title=None)
    return _layout(fig, height=90 + 30 * len(part), legend="top")


def _bands(fig: go.Figure, series: pd.DataFrame, phases: list[Phase]) -> None:
    _dates(fig)
    if series.empty:
        return
    first, last = pd.Timestamp(series["as_of"].min()).date(), pd.Timestamp(series["as_of"].max()).date()
    phase_bands(fig, phases, first, last)
