"""How are we doing, and who is behind: the KPI cards with their change since the
previous report, and the groups' standing (红榜/黑榜, 红/黄/绿牌). Pure: frames of
``metrics.counts`` in, figures out."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

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


STANDING_COLUMNS = ["group_name", *METRIC_KEYS, "overdue_share", "ranked", "board", "card", "reason"]


@dataclass(frozen=True)
class Standing:
    """Groups as of a date. ``table``: one row per group in the configured order with
    ``group_name``, ``METRIC_KEYS``, ``overdue_share`` (overdue / items), ``ranked``
    (items >= ``min_items_to_rank``), ``board`` (红榜 / 黑榜 / "" / 不排名), ``card`` and
    ``reason``. ``honour``: ranked groups with 整改率 >= 红榜线, best first; ``warning``:
    ranked groups with 整改率 < 黑榜线, worst first (ties: more items first, then name);
    ``unranked``: groups with fewer items, in the configured order."""

    table: pd.DataFrame
    honour: list[str]
    warning: list[str]
    unranked: list[str]


def standing(by_group: pd.DataFrame, s: CampaignSettings) -> Standing:
    """``Standing`` from ``metrics.counts(by_group=True)`` rows of one date."""
    if by_group.empty:
        return Standing(pd.DataFrame(columns=STANDING_COLUMNS), [], [], [])
    df = by_group.set_index("group_name").loc[order_groups(list(by_group["group_name"]), s.group_order)].reset_index()
    df["overdue_share"] = [o / n if n else None for o, n in zip(df["overdue"], df["items"])]
    df["ranked"] = df["items"] >= s.min_items_to_rank
    boards, cards, reasons = [], [], []
    for rate, share, ranked in zip(df["completion_rate"], df["overdue_share"], df["ranked"]):
        card, reason = group_card(rate, share, s)
        cards.append(card)
        reasons.append(reason)
        if not ranked:
            boards.append(UNRANKED)
        elif rate is not None and rate >= s.honour_rate:
            boards.append(HONOUR)
        elif rate is not None and rate < s.warning_rate:
            boards.append(WARNING)
        else:
            boards.append("")
    df["board"], df["card"], df["reason"] = boards, cards, reasons
    df = df[STANDING_COLUMNS].reset_index(drop=True)
    honour = df[df["board"] == HONOUR].sort_values(["completion_rate", "items", "group_name"],
                                                   ascending=[False, False, True])
    warning = df[df["board"] == WARNING].sort_values(["completion_rate", "items", "group_name"],
                                                     ascending=[True, False, True])
    return Standing(df, list(honour["group_name"]), list(warning["group_name"]),
                    list(df.loc[~df["ranked"], "group_name"]))
