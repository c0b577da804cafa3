"""Will we be ready for the evaluation: items still to fix to reach the target rate
(红榜线), the recent pace, and the verdict. Pure: totals in, figures out."""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from .phases import evaluation_phase
from .settings import CampaignSettings, Phase

# The pace is measured over this many report intervals up to the date.
PACE_REPORTS = 4


@dataclass(frozen=True)
class Readiness:
    """Will the campaign reach the target rate (红榜线) by the evaluation phase?

    - ``gap``: items still to fix so that 整改率 >= target, as of the date (0 when met);
    - ``weekly_pace``: how much faster fixing ran than the target needs, in items per
      week, over the last ``PACE_REPORTS`` report intervals up to the date: the fall of
      (target x items - done) per 7 days (None with fewer than two report dates);
    - ``weeks_needed`` = gap / weekly_pace (None when the pace is not positive);
    - ``days_to_evaluation``: evaluation phase start - date (None once it has started);
    - ``verdict``: ``no_data``, ``reached`` (target met), ``no_phase`` (no phases
      set), ``on_track`` (before the evaluation phase, weeks_needed <= weeks to its
      start), ``at_risk`` (before it, otherwise), ``behind`` (evaluation started or
      over, target not met)."""

    target: float
    evaluation: Phase | None
    days_to_evaluation: int | None
    items: int
    done: int
    gap: int
    weekly_pace: float | None
    weeks_needed: float | None
    verdict: str


def pace_date(dates: Sequence[dt.date], as_of: dt.date) -> dt.date | None:
    """The report date the pace is measured from: ``PACE_REPORTS`` report dates before
    the last one <= ``as_of`` (the earliest when there are fewer); None with fewer than
    two report dates up to ``as_of``."""
    upto = sorted(d for d in dates if d <= as_of)
    return upto[max(0, len(upto) - 1 - PACE_REPORTS)] if len(upto) >= 2 else None


def items_to_target(done: int, items: int, target: float) -> int:
    """The least n >= 0 with (done + n) / items >= target (rates compared as
    ``metrics`` computes them)."""
    if items == 0:
        return 0
    n = max(0, math.ceil(target * items) - done)
    while n > 0 and (done + n - 1) / items >= target:
        n -= 1
    while (done + n) / items < target and done + n < items:
        n += 1
    return n


def readiness(as_of: dt.date, now: dict, since: dt.date | None, then: dict | None,
              s: CampaignSettings) -> Readiness:
    """``Readiness`` as of ``as_of`` from the totals then (``now``: items, done) and at the
    pace date ``since`` (``then``; see ``pace_date``)."""
    evaluation = evaluation_phase(s.phases)
    days = (evaluation.start - as_of).days if evaluation and evaluation.start > as_of else None
    items, done = now["items"], now["done"]
    if items == 0:
        return Readiness(s.honour_rate, evaluation, days, 0, 0, 0, None, None, "no_data")
    gap = items_to_target(done, items, s.honour_rate)
    pace = None
    if then is not None and (as_of - since).days > 0:
        pace = ((s.honour_rate * then["items"] - then["done"]) - (s.honour_rate * items - done)) \
            / (as_of - since).days * 7
    needed = gap / pace if gap and pace and pace > 0 else (0.0 if gap == 0 else None)
    if gap == 0:
        verdict = "reached"
    elif evaluation is None:
        verdict = "no_phase"
    elif days is None:
        verdict = "behind"
    elif needed is not None and needed <= days / 7:
        verdict = "on_track"
    else:
        verdict = "at_risk"
    return Readiness(s.honour_rate, evaluation, days, items, done, gap, pace, needed, verdict)
