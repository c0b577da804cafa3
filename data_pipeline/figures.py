"""Stage 6, figures: one function per thing a page shows, each one hop from its queries
(``metrics``) and built by the pure ``campaign`` modules. The pages, the CLI twins
(``python -m data_pipeline overview|groups|overdue|trend|changes|forecast --json``), the
tests and the exports call these and nothing else, so a number has one path.

Every function takes the connection, the as-of date, the campaign settings and the
filters (``metrics.Filters``) and returns a plain dataclass of values and DataFrames;
``to_json`` turns any of them into what the CLI prints.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np
import pandas as pd

from . import metrics
from .campaign import changes as change_figures
from .campaign import forecast as forecast_figures
from .campaign import items as item_lists
from .campaign import ranking as ranking_figures
from .campaign.phases import PhaseInfo, phase_info, phase_table
from .campaign.readiness import Readiness, pace_date, readiness
from .campaign.settings import CampaignSettings, load_settings
from .campaign.changes import Changes
from .campaign.forecast import Forecast
from .campaign.standing import Kpis, Standing, kpis, order_groups, previous_date, standing, totals
from .labels import OVERDUE_BUCKETS, full_day
from .metrics import ALL, Filters


def phase(settings: CampaignSettings, as_of: dt.date) -> PhaseInfo:
    """Where ``as_of`` stands among the campaign's phases (every page's heading)."""
    return phase_info(settings.phases, as_of)


def filter_options(con, settings: CampaignSettings) -> tuple[list[str], list[str]]:
    """(groups in the configured order, categories sorted; ``""`` = no category): what
    the filters offer."""
    groups, categories = metrics.filter_options(con)
    return order_groups(groups, settings.group_order), categories


def report_date_at(con, day: dt.date) -> dt.date | None:
    """The latest report date on or before ``day`` (None when there is none): the date the
    figures comparing report dates (``changes``, ``forecast``) are counted at."""
    earlier = [d for d in metrics.report_dates(con) if d <= day]
    return earlier[-1] if earlier else None


# ---------------------------------------------------------------- 总览


@dataclasses.dataclass(frozen=True)
class Overview:
    """总览 as of ``as_of``: the KPI cards with their change since the previous report,
    readiness for the evaluation, how long items have been overdue, and the groups'
    standing (红榜/黑榜, cards)."""

    as_of: dt.date
    kpis: Kpis
    readiness: Readiness
    overdue: item_lists.OverdueProfile
    standing: Standing


def overview(con, as_of: dt.date, settings: CampaignSettings, filters: Filters = ALL) -> Overview:
    dates = metrics.report_dates(con)
    prev, since = previous_date(dates, as_of), pace_date(dates, as_of)
    wanted = [d for d in (as_of, prev, since) if d is not None]
    counts = metrics.counts(con, wanted, by_group=True, filters=filters, due_soon_days=settings.due_soon_days)

    def at(d):
        return counts[counts["as_of"] == d].drop(columns="as_of").reset_index(drop=True)

    now = totals(at(as_of))
    k = kpis(as_of, now, prev, totals(at(prev)) if prev else None)
    r = readiness(as_of, now, since, totals(at(since)) if since else None, settings)
    ages = metrics.overdue_ages(con, as_of, [(lo, hi) for _, lo, hi in OVERDUE_BUCKETS], filters=filters)
    history = metrics.series(con, as_of, by_group=True, filters=filters)
    return Overview(as_of, k, r, item_lists.overdue_profile(ages), standing(at(as_of), settings, history))


# ---------------------------------------------------------------- 工作组


@dataclasses.dataclass(frozen=True)
class GroupFigures:
    """工作组 as of ``as_of`` for one group: its KPI cards, its weekly series up to
    ``as_of``, its items (``GROUP_ITEM_COLUMNS`` and ``status_label``; most days overdue
    first, then earliest deadline) and its breakdowns by category and by place (``place``: grid when any item
    has one, else location)."""

    as_of: dt.date
    group: str
    kpis: Kpis
    series: pd.DataFrame
    items: pd.DataFrame
    by_category: pd.DataFrame
    place: str
    by_place: pd.DataFrame


# The item columns 工作组 shows and searches (the rest stay in the database: a group can
# have tens of thousands of items).
GROUP_ITEM_COLUMNS = ("item_key", "item_id", "description", "location", "grid", "category", "assignee", "deadline",
                      "status_text", "status", "completed_on", "notes", "is_overdue", "days_overdue", "is_due_soon")


def group(con, as_of: dt.date, group_name: str, settings: CampaignSettings, filters: Filters = ALL) -> GroupFigures:
    only = filters.only(group_name)
    n = settings.due_soon_days
    series = metrics.series(con, as_of, filters=only)
    dates = metrics.report_dates(con)
    prev = previous_date(dates, as_of)
    counts = metrics.counts(con, [d for d in (as_of, prev) if d], by_group=True, filters=only, due_soon_days=n)
    now = totals(counts[counts["as_of"] == as_of])
    k = kpis(as_of, now, prev, totals(counts[counts["as_of"] == prev]) if prev else None)
    items = item_lists.by_urgency(item_lists.labelled(
        metrics.items_at(con, as_of, filters=only, due_soon_days=n, columns=GROUP_ITEM_COLUMNS)))
    place = item_lists.place_field(bool(items["grid"].fillna("").ne("").any()))
    return GroupFigures(
        as_of, group_name, k, series, items.reset_index(drop=True),
        item_lists.breakdown(metrics.breakdown(con, as_of, "category", filters=only, due_soon_days=n), "category"),
        place, item_lists.breakdown(metrics.breakdown(con, as_of, place, filters=only, due_soon_days=n), place))


def find_items(items: pd.DataFrame, text: str = "", statuses=()) -> pd.DataFrame:
    """The items a search on 工作组 shows (``campaign.items.search_items``)."""
    return item_lists.search_items(items, text, statuses)


# ---------------------------------------------------------------- 超期督办


@dataclasses.dataclass(frozen=True)
class OverdueFigures:
    """超期督办 as of ``as_of``: the overdue items overdue at least ``min_days`` days
    (most days overdue first) and the items due soon (earliest deadline first), both
    with ``status_label``."""

    as_of: dt.date
    min_days: int
    overdue: pd.DataFrame
    due_soon: pd.DataFrame


# The item columns of the overdue and due-soon lists (with where each row came from).
LIST_ITEM_COLUMNS = ("item_key", "item_id", "description", "location", "grid", "category", "group_name", "assignee",
                     "assigned_on", "deadline", "deadline_text", "status_text", "status", "is_overdue", "days_overdue",
                     "is_due_soon", "report_date", "file_name", "sheet", "row_no")


def overdue(con, as_of: dt.date, settings: CampaignSettings, filters: Filters = ALL, *,
            min_days: int = 0) -> OverdueFigures:
    n = settings.due_soon_days
    late = metrics.items_at(con, as_of, kind="overdue", filters=filters, due_soon_days=n, columns=LIST_ITEM_COLUMNS)
    soon = metrics.items_at(con, as_of, kind="due_soon", filters=filters, due_soon_days=n, columns=LIST_ITEM_COLUMNS)
    return OverdueFigures(as_of, int(min_days), item_lists.overdue_list(late, min_days=min_days),
                          item_lists.due_soon_list(soon))


# ---------------------------------------------------------------- 阶段趋势


@dataclasses.dataclass(frozen=True)
class TrendFigures:
    """阶段趋势 as of ``as_of``: the weekly series up to ``as_of`` (``metrics.series``: the
    counts at each report date, without 临期), the same per group (``groups``: the groups in it, in the
    configured order) and the per-phase table."""

    as_of: dt.date
    series: pd.DataFrame
    by_group: pd.DataFrame
    groups: list
    phases: pd.DataFrame


def trend(con, as_of: dt.date, settings: CampaignSettings, filters: Filters = ALL) -> TrendFigures:
    by_group = metrics.series(con, as_of, by_group=True, filters=filters)
    counts = metrics.phase_counts(con, as_of, [(p.name, p.start, p.end) for p in settings.phases], filters=filters)
    return TrendFigures(as_of, metrics.series(con, as_of, filters=filters), by_group,
                        order_groups(list(dict.fromkeys(by_group["group_name"])), settings.group_order),
                        phase_table(counts, settings.phases, as_of))


# ---------------------------------------------------------------- 本周变化


def changes(con, as_of: dt.date, since: dt.date | None = None, settings: CampaignSettings | None = None,
            filters: Filters = ALL) -> Changes:
    """本周变化 (``campaign.changes.Changes``) between two report dates: ``as_of`` is
    taken at the latest report date on or before it (``report_date_at``), ``since``
    likewise, by default the report date before that one (None when it is the first).
    ``settings`` default to the stored ones. No report on or before ``as_of``: an empty
    table. ``ValueError`` (a Chinese message) when ``since``'s report date is not before
    ``as_of``'s."""
    settings = settings or load_settings(con)
    dates = metrics.report_dates(con)
    day = previous_date(dates, as_of + dt.timedelta(days=1))
    if day is None:
        return Changes(as_of, None, pd.DataFrame(columns=change_figures.CHANGE_COLUMNS), [])
    then = previous_date(dates, (day if since is None else since + dt.timedelta(days=1)))
    if then is not None and then >= day:
        raise ValueError(f"比较的台账日期（{full_day(then)}）应早于截至日期（{full_day(day)}）")
    n = settings.due_soon_days
    counts = metrics.counts(con, [d for d in (day, then) if d], by_group=True, filters=filters, due_soon_days=n)
    now = counts[counts["as_of"] == day].drop(columns="as_of").reset_index(drop=True)
    before = counts[counts["as_of"] == then].drop(columns="as_of").reset_index(drop=True)
    history = metrics.series(con, day, by_group=True, filters=filters)
    return change_figures.changes(
        day, then, metrics.transitions(con, then, day, filters=filters), now, before,
        standing(now, settings, history), standing(before, settings))


@dataclasses.dataclass(frozen=True)
class Ranking:
    """The 通报's 排名 between two report dates, as ``changes`` takes them: ``changes``
    (the 本周变化 figure it is built from) and ``table`` (``campaign.ranking.ranking``:
    one row per group in the configured order, then 合计)."""

    as_of: dt.date | None
    since: dt.date | None
    changes: Changes
    table: pd.DataFrame


def ranking(con, as_of: dt.date, since: dt.date | None = None, settings: CampaignSettings | None = None,
            filters: Filters = ALL) -> Ranking:
    """排名 (``Ranking``): ``changes`` with the same arguments (the same ``ValueError``),
    and the counts by group at its report date; ``as_of`` None when there is no report
    on or before ``as_of``."""
    settings = settings or load_settings(con)
    fig = changes(con, as_of, since, settings, filters)
    day = report_date_at(con, as_of)
    now = (metrics.counts(con, [day], by_group=True, filters=filters, due_soon_days=settings.due_soon_days)
           if day else pd.DataFrame())
    return Ranking(day, fig.since, fig, ranking_figures.ranking(fig, now))


# ---------------------------------------------------------------- 进度预测


def forecast(con, as_of: dt.date, settings: CampaignSettings | None = None, filters: Filters = ALL, *,
             runs: int = forecast_figures.DEFAULT_RUNS, seed: int = forecast_figures.DEFAULT_SEED) -> Forecast:
    """进度预测 (``campaign.forecast.Forecast``) as of the latest report date on or before
    ``as_of`` (``report_date_at``), from the weekly series up to it (``metrics.series``,
    per group), with ``runs`` simulation runs seeded with ``seed``; ``settings`` default
    to the stored ones."""
    settings = settings or load_settings(con)
    day = report_date_at(con, as_of) or as_of
    history = metrics.series(con, day, by_group=True, filters=filters)
    groups = order_groups(list(dict.fromkeys(history["group_name"])), settings.group_order)
    return forecast_figures.forecast(history, day, groups, settings, runs=runs, seed=seed)


# ---------------------------------------------------------------- the CLI's summary


def summary(con, as_of: dt.date | None = None, settings: CampaignSettings | None = None,
            filters: Filters = ALL) -> dict:
    """The CLI's ``summary --json``: ``{"as_of", "totals": {METRIC_KEYS}, "groups":
    [{"group", METRIC_KEYS...}]}``, groups in the configured order; ``as_of`` defaults
    to the latest report date (``None`` with zero totals when the database is empty),
    ``settings`` to the stored ones."""
    settings = settings or load_settings(con)
    as_of = as_of or metrics.latest_report_date(con)
    if as_of is None:
        return {"as_of": None, "totals": totals(pd.DataFrame()), "groups": []}
    by_group = metrics.counts(con, [as_of], by_group=True, filters=filters, due_soon_days=settings.due_soon_days)
    table = standing(by_group.drop(columns="as_of"), settings).table
    return {"as_of": as_of.isoformat(), "totals": totals(by_group),
            "groups": [{"group": r["group_name"], **{k: _plain(r[k]) for k in metrics.METRIC_KEYS}}
                       for _, r in table.iterrows()]}


# ---------------------------------------------------------------- JSON


def _plain(v):
    """A value as JSON holds it: dates ISO, numpy scalars as Python, NaN/NA as None."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (pd.Timestamp, dt.datetime)):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def to_json(obj):
    """A figure (dataclass, DataFrame, dict, list, value) as plain JSON data: a DataFrame
    becomes a list of row objects."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_json(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, pd.DataFrame):
        return [{k: to_json(v) for k, v in row.items()} for row in obj.to_dict("records")]
    if isinstance(obj, dict):
        return {str(k): to_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_json(v) for v in obj]
    return _plain(obj)
