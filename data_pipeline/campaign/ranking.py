"""The 通报's ranking table (排名): per group and in total, the counts offices print
(交办总数, 已整改 with 其中按期 / 其中超期完成, 未整改 with 其中超期, 长期整改), the two
rates, the rank and its change since the previous report. Pure: the ``metrics.counts``
rows by group and the 本周变化 figure (``campaign.changes.Changes``) in, a table out.

Rules, per group at the report date (``metrics`` definitions):
- ``done_on_time``: items done on or before their deadline (a done item without
  deadline is on time); ``done_late`` = ``done`` - ``done_on_time``;
- ``open`` (未整改) = ``items`` - ``done`` - ``long_term`` (neither done nor long-term,
  ``metrics.OPEN``); ``overdue`` (其中超期) is part of it;
- ``completion_rate``, ``on_time_rate``, ``rank`` and ``rank_change`` (positive: moved
  up) are those of ``Changes.table``;
- the 合计 row (``is_total``): every count the groups' sum (every item belongs to one
  group), the rates those of ``Changes`` (``standing.totals``), no rank.
"""
from __future__ import annotations

import pandas as pd

from .changes import Changes

RANKING_COUNTS = ("items", "done", "done_on_time", "done_late", "open", "overdue", "long_term")
RANKING_COLUMNS = ["group_name", "is_total", *RANKING_COUNTS, "completion_rate", "on_time_rate", "rank",
                   "rank_change"]


def ranking(fig: Changes, now: pd.DataFrame) -> pd.DataFrame:
    """The ranking table (``RANKING_COLUMNS``): the rows of ``fig.table`` in its order
    (groups in the configured order, then 合计), counts from ``now`` (``metrics.counts``
    by group at ``fig.as_of``)."""
    if fig.table.empty:
        return pd.DataFrame(columns=RANKING_COLUMNS)
    by = now.set_index("group_name")
    sums = {k: int(now[k].sum()) for k in ("items", "done", "done_on_time", "overdue", "long_term")}
    rows = []
    for r in fig.table.itertuples(index=False):
        c = sums if r.is_total else {k: int(by.at[r.group_name, k]) for k in sums}
        rows.append({"group_name": r.group_name, "is_total": bool(r.is_total), **c,
                     "done_late": c["done"] - c["done_on_time"], "open": c["items"] - c["done"] - c["long_term"],
                     "completion_rate": r.completion_rate, "on_time_rate": r.on_time_rate,
                     "rank": None if r.rank is None else int(r.rank),
                     "rank_change": None if r.rank_change is None else int(r.rank_change)})
    table = pd.DataFrame(rows, columns=RANKING_COLUMNS)
    for col in ("completion_rate", "on_time_rate", "rank", "rank_change"):
        table[col] = pd.Series([row[col] for row in rows], dtype=object)
    return table
