"""When will the open items be done (进度预测): per group and in total, the probability that
every open item is done before the 评估 phase starts, and the dates by which that happens
with 50% and 85% probability, by Monte Carlo over the recent weekly history. Pure: the
weekly series in, figures out.

Method (``forecast``):
- the history is the counts at the report dates up to the date (``metrics.series``); an
  item is *open* when neither done nor long-term (``metrics.OPEN``): open = items - done
  - long_term. With fewer than ``MIN_REPORTS`` report dates the outlook is 数据不足;
- the last ``INTERVALS`` intervals between consecutive report dates (all when fewer)
  each give a pair (new items, items closed): new = the rise of ``items``, closed = new
  - the rise of open (items done or turned long-term, less those reopened), both scaled
  to 7 days (x 7 / the interval's days), so intervals of any length count as weeks;
- each run starts from the open items at the date and, week after week, draws one of the
  pairs at random (with replacement) and subtracts closed - new, until nothing is open
  (the finish: the date + 7 x the weeks taken) or ``HORIZON_WEEKS`` have passed (no
  finish);
- ``probability``: the share of runs that finish before the 评估 phase starts (finish <
  its start day); None when no 评估 phase is set or it has started (``reason`` says
  which);
- ``p50`` / ``p85``: the earliest date by which at least 50% / 85% of the runs have
  finished; None when that is beyond the horizon, or the backlog is not shrinking;
- outlook: ``done`` (nothing open: the dates are the date itself), ``not_shrinking`` (the
  mean of closed - new per week is not above 0: the backlog does not shrink on average,
  so no date is given; the probability is still the runs'), ``insufficient``, else
  ``forecast``;
- ``light``: 绿 when the probability >= ``forecast_green``, 黄 when >= ``forecast_yellow``,
  else 红; None without probability.

Runs draw from a numpy ``Generator`` seeded with (``seed``, the group's name), so the same
data and seed give the same answer, and a group's answer does not depend on which other
groups are shown.
"""
from __future__ import annotations

import datetime as dt
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import labels
from ..labels import FORECAST_LIGHTS, FORECAST_OUTLOOKS, TOTAL
from .phases import evaluation_phase
from .settings import CampaignSettings, Phase

INTERVALS = 8           # report intervals resampled (the most recent ones; at most 255)
MIN_REPORTS = 3         # fewer report dates: 数据不足
HORIZON_WEEKS = 104     # two years
DEFAULT_RUNS = 2000
DEFAULT_SEED = 20260306
_EPS = 1e-9             # weekly values are scaled floats: "nothing open" allows for rounding

FORECAST_COLUMNS = ["group_name", "is_total", "open", "weekly_new", "weekly_closed", "weekly_net", "outlook",
                    "outlook_label", "probability", "light", "p50", "p85", "reason"]


@dataclass(frozen=True)
class Forecast:
    """进度预测 as of ``as_of`` (a report date). ``evaluation``: the 评估 phase (None when
    not set); ``intervals``: how many report intervals were resampled; ``runs``, ``seed``,
    ``horizon_weeks``: the simulation's; ``method``: the method in one sentence
    (``labels.forecast_method``; with too few reports ``labels.FORECAST_TOO_FEW``). ``table``: one row per group in the configured order,
    then the 合计 row (``is_total``), with ``FORECAST_COLUMNS``: ``open`` items at
    ``as_of``; ``weekly_new``, ``weekly_closed`` and ``weekly_net`` (= closed - new): the
    means over the intervals, per week (None when 数据不足); ``outlook`` and its label;
    ``probability``, ``light``, ``p50``, ``p85`` and ``reason`` (why there is no
    probability, else ``""``), as the module docstring says."""

    as_of: dt.date
    evaluation: Phase | None
    intervals: int
    runs: int
    seed: int
    horizon_weeks: int
    method: str
    table: pd.DataFrame


def _quantile_week(weeks: np.ndarray, q: float) -> int | None:
    """The least w such that at least a share ``q`` of ``weeks`` (finish weeks; -1: no
    finish) is <= w; None when that share is not reached."""
    done = np.sort(weeks[weeks >= 0])
    need = math.ceil(round(q * len(weeks), 9))
    return int(done[need - 1]) if 0 < need <= len(done) else (0 if need == 0 else None)


CHUNK_WEEKS = 13        # weeks drawn at a time; the simulation stops once every run has finished


def _simulate(backlog: float, net: np.ndarray, runs: int, rng: np.random.Generator) -> np.ndarray:
    """The finish week of each run (1-based; -1: not within ``HORIZON_WEEKS``). Weeks are
    drawn ``CHUNK_WEEKS`` at a time (arrays week x run), for the runs not finished yet."""
    weeks = np.full(runs, -1, dtype="int64")
    alive = np.arange(runs)
    left = np.full(runs, float(backlog))
    for start in range(0, HORIZON_WEEKS, CHUNK_WEEKS):
        span = min(CHUNK_WEEKS, HORIZON_WEEKS - start)
        draws = rng.integers(0, len(net), size=(span, len(alive)), dtype=np.uint8)
        remaining = left[None, :] - np.cumsum(net[draws], axis=0)
        finished = remaining <= _EPS
        now = finished.any(axis=0)
        weeks[alive[now]] = start + finished[:, now].argmax(axis=0) + 1
        alive, left = alive[~now], remaining[-1, ~now]
        if not len(alive):
            break
    return weeks


def _stream(seed: int, key: str) -> np.random.Generator:
    return np.random.default_rng([int(seed), zlib.crc32(key.encode("utf-8"))])


def _light(p: float | None, s: CampaignSettings) -> str | None:
    if p is None:
        return None
    red, yellow, green = FORECAST_LIGHTS
    return green if p >= s.forecast_green else yellow if p >= s.forecast_yellow else red


def forecast(history: pd.DataFrame, as_of: dt.date, groups: Sequence[str], s: CampaignSettings, *,
             runs: int = DEFAULT_RUNS, seed: int = DEFAULT_SEED) -> Forecast:
    """``Forecast`` from ``metrics.series(by_group=True)`` rows up to ``as_of`` (a report
    date) for ``groups`` (in the order shown)."""
    dates = sorted(set(history["as_of"])) if not history.empty else []
    used = dates[-(INTERVALS + 1):]
    enough = len(dates) >= MIN_REPORTS
    evaluation = evaluation_phase(s.phases)
    if evaluation is None:
        no_probability = labels.FORECAST_NO_EVALUATION
    elif evaluation.start <= as_of:
        no_probability = labels.FORECAST_EVALUATION_STARTED
    else:
        no_probability = ""
    # Finishing in week w means done on as_of + 7w; before 评估: as_of + 7w < its start.
    in_time = (evaluation.start - as_of).days - 1 if not no_probability else None

    # items and open items at the dates used, per group (columns: ``groups``, then the total)
    items = np.zeros((max(len(used), 1), len(groups) + 1))
    open_ = np.zeros_like(items)
    if used:
        recent = history[history["as_of"].isin(used)]
        at = {d: i for i, d in enumerate(used)}
        col = {g: j for j, g in enumerate(groups)}
        keep = recent["group_name"].isin(col).to_numpy()
        i = recent["as_of"].map(at).to_numpy()[keep]
        j = recent["group_name"].map(col).to_numpy()[keep].astype("int64")
        n = recent["items"].to_numpy(dtype="float64")
        o = n - recent["done"].to_numpy(dtype="float64") - recent["long_term"].to_numpy(dtype="float64")
        np.add.at(items, (i, j), n[keep])
        np.add.at(open_, (i, j), o[keep])
        total = recent.assign(o=o).groupby("as_of")[["items", "o"]].sum().reindex(used)   # every group of history
        items[:, -1], open_[:, -1] = total["items"].to_numpy(dtype="float64"), total["o"].to_numpy(dtype="float64")

    days = np.array([(b - a).days for a, b in zip(used, used[1:])], dtype="float64")
    rows = []
    for j, (name, key) in enumerate([*((g, f"group:{g}") for g in groups), (TOTAL, "total")]):
        backlog = int(round(open_[-1, j]))
        row = {"group_name": name, "is_total": key == "total", "open": backlog, "weekly_new": None,
               "weekly_closed": None, "weekly_net": None, "probability": None, "light": None, "p50": None,
               "p85": None, "reason": ""}
        if not enough:
            row.update(outlook="insufficient", reason=labels.FORECAST_TOO_FEW.format(n=MIN_REPORTS))
        else:
            new = np.diff(items[:, j]) * 7 / days
            closed = new - np.diff(open_[:, j]) * 7 / days
            net = closed - new
            row.update(weekly_new=float(new.mean()), weekly_closed=float(closed.mean()), weekly_net=float(net.mean()))
            if backlog == 0:
                weeks = np.zeros(runs, dtype="int64")
                row["outlook"] = "done"
            else:
                weeks = _simulate(backlog, net, runs, _stream(seed, key))
                row["outlook"] = "forecast" if row["weekly_net"] > _EPS else "not_shrinking"
            if row["outlook"] != "not_shrinking":
                for col, q in (("p50", 0.5), ("p85", 0.85)):
                    w = _quantile_week(weeks, q)
                    row[col] = None if w is None else as_of + dt.timedelta(days=7 * w)
            if no_probability:
                row["reason"] = no_probability
            else:
                row["probability"] = float(np.mean((weeks >= 0) & (7 * weeks <= in_time)))
                row["light"] = _light(row["probability"], s)
        row["outlook_label"] = FORECAST_OUTLOOKS[row["outlook"]]
        rows.append(row)
    table = pd.DataFrame(rows, columns=FORECAST_COLUMNS)
    for col in ("weekly_new", "weekly_closed", "weekly_net", "probability", "light", "p50", "p85"):
        table[col] = pd.Series([r[col] for r in rows], dtype=object)
    n = max(len(used) - 1, 0)
    # Nothing is simulated with too few reports: the sentence says so instead of a method.
    method = labels.forecast_method(n, runs) if enough else labels.FORECAST_TOO_FEW.format(n=MIN_REPORTS)
    return Forecast(as_of, evaluation, n, int(runs), int(seed), HORIZON_WEEKS, method, table)
