"""What changed since the last report (本周变化): per group and in total, the items newly
assigned, newly done, newly overdue, reopened and still overdue, the change of 整改率 and
按期整改率 in percentage points, the rank at both dates and its change, and the runs on
the 红榜/黑榜 with the escalation due. Pure: frames of ``metrics`` in, figures out."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ..labels import TOTAL
from ..metrics import TRANSITION_KEYS
from .settings import CampaignSettings
from .standing import Standing, totals

CHANGE_COLUMNS = ["group_name", "is_total", "items", "done", "overdue", *TRANSITION_KEYS,
                  "completion_rate", "completion_rate_since", "completion_rate_change",
                  "on_time_rate", "on_time_rate_since", "on_time_rate_change",
                  "rank", "rank_since", "rank_change", "board", "warning_streak", "honour_streak", "escalation"]


# Columns holding None where there is no value (object columns; the others are counts,
# names and flags).
_MAYBE_NONE = {"completion_rate", "completion_rate_since", "completion_rate_change", "on_time_rate",
               "on_time_rate_since", "on_time_rate_change", "rank", "rank_since", "rank_change", "warning_streak",
               "honour_streak"}


@dataclass(frozen=True)
class Changes:
    """本周变化 from ``since`` to ``as_of`` (both report dates; ``since`` None when
    ``as_of`` is the first report). ``table``: one row per group known at ``as_of``, in
    the configured order, then the 合计 row (``is_total``), with ``CHANGE_COLUMNS``:

    - ``items``, ``done``, ``overdue``: the counts at ``as_of``;
    - ``metrics.TRANSITION_KEYS`` (``metrics.transitions``; the 合计 row: their sums);
    - ``completion_rate`` / ``on_time_rate`` at ``as_of``, ``…_since`` at ``since`` and
      ``…_change`` = now - then as a fraction (0.012 = 1.2 个百分点), None when either
      side has no rate (no items, no denominator, or no ``since``);
    - ``rank`` / ``rank_since`` by the standing's rule (``standing.boards``: 整改率, ties
      share a rank; None when not ranked then) and ``rank_change`` = rank_since - rank
      (positive: moved up), None when either is None; the 合计 row has none;
    - ``board``, ``warning_streak``, ``honour_streak``, ``escalation`` as in the standing
      at ``as_of`` (``standing.standing``: the runs of consecutive reports up to
      ``as_of``, by today's rule); the 合计 row: ``""`` and None.

    ``escalated``: the groups with an escalation due, as ``Standing.escalated``."""

    as_of: dt.date
    since: dt.date | None
    table: pd.DataFrame
    escalated: list[str]


def _delta(now, then):
    return None if now is None or then is None else now - then


def _rate(v):
    return None if v is None or (isinstance(v, float) and v != v) else float(v)


def changes(as_of: dt.date, since: dt.date | None, moves: pd.DataFrame, now: pd.DataFrame,
            then: pd.DataFrame, standing_now: Standing, standing_then: Standing) -> Changes:
    """``Changes`` from ``metrics.transitions`` (``moves``), the ``metrics.counts``
    rows by group at ``as_of`` (``now``) and at ``since`` (``then``, empty without
    ``since``), and the standings at both dates."""
    t = standing_now.table
    if t.empty:
        return Changes(as_of, since, pd.DataFrame(columns=CHANGE_COLUMNS), [])
    moved = {r["group_name"]: r for r in moves.to_dict("records")}
    before = {r["group_name"]: r for r in then.to_dict("records")}
    rank_then = dict(zip(standing_then.table["group_name"], standing_then.table["rank"]))
    rows = []
    for r in t.itertuples(index=False):
        g = r.group_name
        was = before.get(g)
        c_then = _rate(was["completion_rate"]) if was is not None else None
        o_then = _rate(was["on_time_rate"]) if was is not None else None
        c_now, o_now = _rate(r.completion_rate), _rate(r.on_time_rate)
        rank_now, rank_was = r.rank, rank_then.get(g)
        rows.append({
            "group_name": g, "is_total": False, "items": int(r.items), "done": int(r.done), "overdue": int(r.overdue),
            **{k: int(moved[g][k]) if g in moved else 0 for k in TRANSITION_KEYS},
            "completion_rate": c_now, "completion_rate_since": c_then, "completion_rate_change": _delta(c_now, c_then),
            "on_time_rate": o_now, "on_time_rate_since": o_then, "on_time_rate_change": _delta(o_now, o_then),
            "rank": rank_now, "rank_since": rank_was,
            "rank_change": None if rank_now is None or rank_was is None else int(rank_was) - int(rank_now),
            "board": r.board, "warning_streak": int(r.warning_streak), "honour_streak": int(r.honour_streak),
            "escalation": r.escalation})
    total_now, total_then = totals(now), totals(then) if not then.empty else None
    c_then = total_then["completion_rate"] if total_then else None
    o_then = total_then["on_time_rate"] if total_then else None
    rows.append({
        "group_name": TOTAL, "is_total": True, "items": total_now["items"], "done": total_now["done"],
        "overdue": total_now["overdue"], **{k: sum(row[k] for row in rows) for k in TRANSITION_KEYS},
        "completion_rate": total_now["completion_rate"], "completion_rate_since": c_then,
        "completion_rate_change": _delta(total_now["completion_rate"], c_then),
        "on_time_rate": total_now["on_time_rate"], "on_time_rate_since": o_then,
        "on_time_rate_change": _delta(total_now["on_time_rate"], o_then),
        "rank": None, "rank_since": None, "rank_change": None, "board": "", "warning_streak": None,
        "honour_streak": None, "escalation": ""})
    table = pd.DataFrame({c: pd.Series([row[c] for row in rows], dtype=object) if c in _MAYBE_NONE else
                          [row[c] for row in rows] for c in CHANGE_COLUMNS})
    return Changes(as_of, since, table, list(standing_now.escalated))
