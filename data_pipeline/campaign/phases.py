"""Where is the campaign: the phase a date falls in, the evaluation phase, and the
per-phase table (items assigned and fixed in each phase). Pure: frames in, figures out."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from ..labels import OUTSIDE_PHASES, PHASE_STATES
from .settings import Phase


@dataclass(frozen=True)
class PhaseInfo:
    """Where a date stands in the campaign. ``current`` is the phase containing it and
    ``days_left`` = its end - the date (0 on the last day). ``next`` is the first phase
    starting after the date and ``days_to_next`` = its start - the date. ``any_phases``:
    whether phases are set at all."""

    current: Phase | None
    days_left: int | None
    next: Phase | None
    days_to_next: int | None
    any_phases: bool = True


def phase_info(phases: Sequence[Phase], as_of: dt.date) -> PhaseInfo:
    current = next((p for p in phases if p.start <= as_of <= p.end), None)
    upcoming = sorted((p for p in phases if p.start > as_of), key=lambda p: p.start)
    nxt = upcoming[0] if upcoming else None
    return PhaseInfo(current, (current.end - as_of).days if current else None,
                     nxt, (nxt.start - as_of).days if nxt else None, bool(phases))


def evaluation_phase(phases: Sequence[Phase]) -> Phase | None:
    """The evaluation phase: the last phase whose name contains 评估, else the last
    phase by start date; None without phases."""
    if not phases:
        return None
    named = [p for p in phases if "评估" in p.name]
    return max(named or phases, key=lambda p: p.start)


def phase_state(p: Phase, as_of: dt.date) -> str:
    """已结束 (end < as_of), 未开始 (start > as_of), else 进行中."""
    return PHASE_STATES["past" if p.end < as_of else "future" if p.start > as_of else "current"]


PHASE_COLUMNS = ["phase", "start", "end", "state", "assigned", "done", "assigned_done", "completion_rate"]


def phase_table(counts: pd.DataFrame, phases: Sequence[Phase], as_of: dt.date) -> pd.DataFrame:
    """One row per phase (by start date) from ``metrics.phase_counts`` as of ``as_of``:
    ``phase``, ``start``, ``end``, ``state`` (``phase_state``), ``assigned``, ``done``,
    ``assigned_done`` and ``completion_rate`` = assigned_done / assigned (None when
    nothing was assigned). A last row ``阶段外`` counts what falls in no phase; it is there
    only when its assigned or done count is not 0. Without phases the table is empty."""
    if not phases:
        return pd.DataFrame(columns=PHASE_COLUMNS)
    by_name = {(None if pd.isna(r.phase) else r.phase): r for r in counts.itertuples()}
    rows = []

    def row(name, start, end, state, key):
        r = by_name.get(key)
        a, d, ad = (int(r.assigned), int(r.done), int(r.assigned_done)) if r is not None else (0, 0, 0)
        return [name, start, end, state, a, d, ad, ad / a if a else None]

    for p in sorted(phases, key=lambda p: p.start):
        rows.append(row(p.name, p.start, p.end, phase_state(p, as_of), p.name))
    outside = row(OUTSIDE_PHASES, None, None, "", None)
    if outside[4] or outside[5]:
        rows.append(outside)
    df = pd.DataFrame(rows, columns=PHASE_COLUMNS)
    df["completion_rate"] = pd.Series([r[-1] for r in rows], dtype=object)
    return df
