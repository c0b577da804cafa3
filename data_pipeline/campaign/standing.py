"""How are we doing, and who is behind: the KPI cards with their change since the
previous report, and the groups' standing (红榜/黑榜 by the configured rule, rank,
consecutive reports on each list and the escalation due, 红/黄/绿牌). Pure: frames of
``metrics.counts`` and ``metrics.series`` in, figures out."""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..labels import CARDS, HONOUR, KPI_KEYS, UNRANKED, WARNING, pct, threshold
from ..metrics import COUNT_KEYS, METRIC_KEYS
from .settings import CampaignSettings

EMPTY_TOTALS = {"items": 0, "done": 0, "overdue": 0, "due_soon": 0, "long_term": 0,
                "completion_rate": None, "on_time_rate": None}


def metric_values(row) -> dict:
    """The ``METRIC_KEYS`` of one counts row as plain ints and floats (None for a rate
    without denominator)."""
    out = {}
    for k in METRIC_KEYS:
        v = row[k]
        out[k] = None if v is None or (isinstance(v, float) and v != v) else (float(v) if k.endswith("rate") else int(v))
    return out


def totals(by_group: pd.DataFrame) -> dict:
    """The ``METRIC_KEYS`` over all groups of ``metrics.counts(by_group=True)`` rows of one
    date (every item belongs to exactly one group, so the totals are the groups' sums);
    zero totals when there are none."""
    if by_group.empty:
        return dict(EMPTY_TOTALS)
    sums = {c: int(by_group[c].sum()) for c in COUNT_KEYS}
    return {"items": sums["items"], "done": sums["done"], "overdue": sums["overdue"], "due_soon": sums["due_soon"],
            "long_term": sums["long_term"],
            "completion_rate": sums["done"] / sums["items"] if sums["items"] else None,
            "on_time_rate": sums["done_on_time"] / sums["on_time_base"] if sums["on_time_base"] else None}


@dataclass(frozen=True)
class Kpis:
    """The KPI cards as of ``as_of``: ``values`` (``METRIC_KEYS``), the previous report
    date (the latest report date < ``as_of``, None when there is none), its values,
    and ``deltas`` = value - previous value for ``KPI_KEYS`` (None without a previous
    report or when either rate is None). Rates' deltas are fractions (0.012 = 1.2 个百分点)."""

    as_of: dt.date
    values: dict
    previous_date: dt.date | None
    previous: dict | None
    deltas: dict


def kpis(as_of: dt.date, values: dict, previous_date: dt.date | None, previous: dict | None) -> Kpis:
    deltas = {}
    for k in KPI_KEYS:
        if previous is None or values[k] is None or previous[k] is None:
            deltas[k] = None
        else:
            deltas[k] = values[k] - previous[k]
    return Kpis(as_of, values, previous_date, previous, deltas)


def previous_date(dates: Sequence[dt.date], as_of: dt.date) -> dt.date | None:
    """The latest of ``dates`` before ``as_of``."""
    earlier = [d for d in dates if d < as_of]
    return max(earlier) if earlier else None


def order_groups(names: Sequence[str], group_order: Sequence[str]) -> list[str]:
    """``names`` in the configured order; names not configured follow, sorted."""
    rank = {g: i for i, g in enumerate(group_order)}
    return sorted(names, key=lambda g: (rank.get(g, len(rank)), g))


def group_card(rate: float | None, overdue_share: float | None, s: CampaignSettings) -> tuple[str, str]:
    """(card, reason) of a group, by these rules, in order:
    - 红牌 when 整改率 < 黑榜线 (``warning_rate``) or 超期占比 (overdue / items) >
      ``red_overdue_share``;
    - 黄牌 when 整改率 < 红榜线 (``honour_rate``) or 超期占比 > ``yellow_overdue_share``;
    - 绿牌 otherwise. A group without items is 绿牌 ("暂无交办问题")."""
    red, yellow, green = CARDS
    if rate is None:
        return green, "暂无交办问题"
    share = overdue_share or 0.0
    reasons = []
    if rate < s.warning_rate:
        reasons.append(f"整改率{pct(rate)}，低于黑榜线{threshold(s.warning_rate)}")
    if share > s.red_overdue_share:
        reasons.append(f"超期占比{pct(share)}，高于{threshold(s.red_overdue_share)}")
    if reasons:
        return red, "；".join(reasons)
    if rate < s.honour_rate:
        reasons.append(f"整改率{pct(rate)}，低于红榜线{threshold(s.honour_rate)}")
    if share > s.yellow_overdue_share:
        reasons.append(f"超期占比{pct(share)}，高于{threshold(s.yellow_overdue_share)}")
    if reasons:
        return yellow, "；".join(reasons)
    return green, f"整改率{pct(rate)}，超期占比{pct(share)}"


def boards(df: pd.DataFrame, s: CampaignSettings, by: str | None = None) -> pd.DataFrame:
    """``ranked``, ``rank`` and ``board`` of each row of ``df`` (``group_name``, ``items``,
    ``completion_rate``; ``by``: a column such as ``as_of`` whose values are ranked apart),
    by these rules:

    - ranked: items >= ``min_items_to_rank``; others are 不排名 (listed, not ranked);
    - ``rank``: among the ranked groups with a rate, 1 + the number with a higher 整改率
      (equal rates share a rank: 1, 2, 2, 4); None when not ranked;
    - threshold rule (``badge_rule`` = threshold): 红榜 when 整改率 >= 红榜线, 黑榜 when
      < 黑榜线;
    - rank rule (``badge_rule`` = rank): 红榜 when rank <= ``badge_top_n``; 黑榜 when 1 +
      the number of ranked groups with a lower rate <= ``badge_bottom_n`` and the group is
      not on the 红榜 (ties are all listed; a group is never on both lists);
    - otherwise ``""``."""
    ranked, rank, board = _boards(df, s, by)
    return pd.DataFrame({"ranked": ranked, "rank": pd.array([None if v == 0 else int(v) for v in rank], dtype=object),
                         "board": board}, index=df.index)


_BOARD_CODES = ("", HONOUR, WARNING, UNRANKED)


def _boards(df: pd.DataFrame, s: CampaignSettings, by: str | None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """``boards`` as arrays: (ranked, rank with 0 for none, board labels)."""
    rate = pd.to_numeric(df["completion_rate"], errors="coerce").to_numpy(dtype="float64")
    ranked = (df["items"].to_numpy() >= s.min_items_to_rank)
    valid = ranked & ~np.isnan(rate)
    rank = np.zeros(len(df), dtype="int64")
    from_bottom = np.zeros(len(df), dtype="int64")
    keys = df[by].to_numpy() if by else np.zeros(len(df))
    _, codes = np.unique(keys, return_inverse=True) if len(df) else (None, np.zeros(0, dtype="int64"))
    order = np.argsort(codes, kind="stable")
    for rows in np.split(order, np.flatnonzero(np.diff(codes[order])) + 1):
        rows = rows[valid[rows]]
        if not len(rows):
            continue
        values = np.sort(rate[rows])
        rank[rows] = 1 + len(values) - np.searchsorted(values, rate[rows], side="right")
        from_bottom[rows] = 1 + np.searchsorted(values, rate[rows], side="left")
    if s.badge_rule == "rank":
        honour = valid & (rank <= s.badge_top_n)
        warning = valid & (from_bottom <= s.badge_bottom_n) & ~honour
    else:
        honour = valid & (rate >= s.honour_rate)
        warning = valid & (rate < s.warning_rate)
    code = np.where(~ranked, 3, np.where(honour, 1, np.where(warning, 2, 0)))
    return ranked, rank, [_BOARD_CODES[c] for c in code]


def streaks(history: pd.DataFrame, s: CampaignSettings) -> pd.DataFrame:
    """Per group of ``history`` (``metrics.series(by_group=True)`` rows: the counts by
    group at each report date), how many consecutive report dates, counting back from
    the last one, it has been on the 黑榜 (``warning_streak``) and on the 红榜
    (``honour_streak``), each date's lists made by today's rule (``boards``) among the
    groups of that date. A date on which the group had no items breaks a run. Columns
    ``group_name`` (sorted), ``warning_streak``, ``honour_streak``; empty without history."""
    if history.empty:
        return pd.DataFrame({"group_name": pd.Series(dtype=object), "warning_streak": pd.Series(dtype="int64"),
                             "honour_streak": pd.Series(dtype="int64")})
    _, _, board = _boards(history, s, "as_of")
    dates, d = np.unique(history["as_of"].to_numpy(), return_inverse=True)
    groups, g = np.unique(history["group_name"].to_numpy().astype(str), return_inverse=True)
    board = np.array(board, dtype=object)
    run = {}
    for name, which in (("warning_streak", WARNING), ("honour_streak", HONOUR)):
        on = np.zeros((len(dates), len(groups)), dtype=bool)
        on[d, g] = board == which
        run[name] = on[::-1].cumprod(axis=0).sum(axis=0).astype("int64")
    return pd.DataFrame({"group_name": list(groups), **run})


def escalation_for(streak: int, steps) -> str:
    """The action for a group ``streak`` consecutive reports on the 黑榜: that of the last
    step (by ``reports``) with ``reports`` <= ``streak``; ``""`` when none applies."""
    due = [e for e in sorted(steps, key=lambda e: e.reports) if e.reports <= streak]
    return due[-1].action if due else ""


def board_rules(s: CampaignSettings) -> tuple[str, str]:
    """(红榜 rule, 黑榜 rule) in words, as the pages and the 通报 print them."""
    if s.badge_rule == "rank":
        return f"整改率前{s.badge_top_n}名（含并列）", f"整改率后{s.badge_bottom_n}名（含并列，已上红榜的除外）"
    return f"整改率达到{threshold(s.honour_rate)}及以上", f"整改率低于{threshold(s.warning_rate)}"


STANDING_COLUMNS = ["group_name", *METRIC_KEYS, "overdue_share", "ranked", "rank", "board", "warning_streak",
                    "honour_streak", "escalation", "card", "reason"]


@dataclass(frozen=True)
class Standing:
    """Groups as of a date. ``table``: one row per group in the configured order with
    ``group_name``, ``METRIC_KEYS``, ``overdue_share`` (overdue / items), ``ranked``
    (items >= ``min_items_to_rank``), ``rank`` and ``board`` (红榜 / 黑榜 / "" / 不排名;
    ``boards``), ``warning_streak`` and ``honour_streak`` (``streaks``), ``escalation``
    (the step of ``escalation`` due for the 黑榜 run, ``""`` when none; ``escalation_for``),
    ``card`` and ``reason``. ``honour``: the 红榜, best first; ``warning``: the 黑榜,
    worst first (ties: more items first, then name); ``unranked``: groups with fewer
    items, in the configured order; ``escalated``: groups with an escalation, longest
    黑榜 run first, then as in ``warning``."""

    table: pd.DataFrame
    honour: list[str]
    warning: list[str]
    unranked: list[str]
    escalated: list[str] = dataclasses.field(default_factory=list)


def standing(by_group: pd.DataFrame, s: CampaignSettings, history: pd.DataFrame | None = None) -> Standing:
    """``Standing`` from ``metrics.counts(by_group=True)`` rows of one date; ``history``:
    the counts by group at the report dates up to it (``metrics.series(by_group=True)``)
    for the runs on each list; without it the date's own counts are the only report."""
    if by_group.empty:
        return Standing(pd.DataFrame(columns=STANDING_COLUMNS), [], [], [], [])
    order = order_groups(list(by_group["group_name"]), s.group_order)
    df = by_group.set_index("group_name").loc[order].reset_index()
    names, items, rates = order, df["items"].tolist(), df["completion_rate"].tolist()
    share = [o / n if n else None for o, n in zip(df["overdue"].tolist(), items)]
    ranked, rank, board = _boards(df, s, None)
    runs = streaks(by_group.assign(as_of=0) if history is None else history, s)
    warning_run = dict(zip(runs["group_name"], runs["warning_streak"].tolist()))
    honour_run = dict(zip(runs["group_name"], runs["honour_streak"].tolist()))
    cards = [group_card(rate, sh, s) for rate, sh in zip(rates, share)]
    columns = {c: df[c] for c in ("group_name", *METRIC_KEYS)}
    columns.update({
        "overdue_share": share, "ranked": ranked,
        "rank": pd.array([int(r) if r else None for r in rank], dtype=object), "board": board,
        "warning_streak": pd.array([warning_run.get(g, 0) for g in names], dtype="int64"),
        "honour_streak": pd.array([honour_run.get(g, 0) for g in names], dtype="int64"),
        "escalation": [escalation_for(warning_run.get(g, 0), s.escalation) for g in names],
        "card": [c for c, _ in cards], "reason": [r for _, r in cards]})
    table = pd.DataFrame(columns)[STANDING_COLUMNS]
    rows = list(zip(names, rates, items, board))
    honour = [g for _, _, g in sorted((-r, -n, g) for g, r, n, b in rows if b == HONOUR)]
    warning = [g for _, _, g in sorted((r, -n, g) for g, r, n, b in rows if b == WARNING)]
    worst = {g: i for i, g in enumerate(warning)}
    escalated = [g for _, _, g in sorted((-warning_run.get(g, 0), worst.get(g, len(worst)), g)
                                         for g, e in zip(names, columns["escalation"]) if e)]
    return Standing(table, honour, warning, [g for g, r in zip(names, ranked) if not r], escalated)
