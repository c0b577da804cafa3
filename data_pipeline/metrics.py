"""Stage 5, metrics: every counting query, and the only SQL over item states. The layers
above (``campaign``, ``figures``) are pure: they turn these frames into figures.

State of an item as of date D: its state row that holds on D (``validity``: the row of
the latest batch whose report date is <= D; ties on report date: the later batch wins).
Items known as of D are those with such a row; an item missing from a later ledger keeps
its last known state. A query for one date reads only the rows holding on that date
(``holding``), and the weekly series reads the counts stored per report date
(``report_counts``), whatever the length of the stored history.

Definitions, as of D, over items known as of D (``due_soon_days`` = N):
- ``items``: count;
- ``done``: status category done; ``long_term``: status category long_term;
- ``overdue``: not done, not long-term, deadline < D;
- ``due_soon``: not done, not long-term, D <= deadline <= D + N days;
- ``completion_rate`` = done / items;
- ``on_time_rate`` = items done on or before their deadline / items whose deadline
  < D or that are done. An item's done date is its completion date, else the report
  date of the first batch that shows it done; a done item without deadline is on time.
Rates are ``None`` when their denominator is 0.

Filters (``Filters``): groups and categories; a missing category counts as ``""``.
"""
from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

METRIC_KEYS = ("items", "done", "overdue", "due_soon", "long_term", "completion_rate", "on_time_rate")
COUNT_KEYS = ("items", "done", "overdue", "due_soon", "long_term", "done_on_time", "on_time_base")



def holding(param: str = "as_of", where: str = "") -> str:
    """SQL of the state rows holding on the date ``$<param>``, with that date as the
    column ``as_of``: the items' latest states dated on or before it
    (``current_states``) and the earlier states whose validity spans it
    (``item_states``); see ``validity``. Both parts are found from the row groups'
    statistics, so the query reads about the rows it returns, not the whole history."""
    return (f"SELECT *, CAST(${param} AS DATE) AS as_of FROM item_states "
            f"WHERE report_date <= ${param} AND valid_until > ${param} {where} "
            f"UNION ALL SELECT *, CAST(${param} AS DATE) AS as_of FROM current_states "
            f"WHERE report_date <= ${param} {where}")

# Per-row rules, over state rows with the column ``as_of`` (the date counted at).
OPEN = "status NOT IN ('done', 'long_term')"
DONE_ON = "coalesce(completed_on, first_done)"
OVERDUE = f"{OPEN} AND deadline < as_of"
DUE_SOON = f"{OPEN} AND deadline >= as_of AND deadline <= as_of + $due_soon"
ON_TIME = f"status = 'done' AND (deadline IS NULL OR {DONE_ON} <= deadline)"

_AGGREGATES = f"""
    sum(n) AS items,
    coalesce(sum(n) FILTER (WHERE status = 'done'), 0) AS done,
    coalesce(sum(n) FILTER (WHERE {OVERDUE}), 0) AS overdue,
    coalesce(sum(n) FILTER (WHERE {DUE_SOON}), 0) AS due_soon,
    coalesce(sum(n) FILTER (WHERE status = 'long_term'), 0) AS long_term,
    coalesce(sum(n) FILTER (WHERE on_time), 0) AS done_on_time,
    coalesce(sum(n) FILTER (WHERE deadline < as_of OR status = 'done'), 0) AS on_time_base
"""


@dataclass(frozen=True)
class Filters:
    """Which items a figure counts: ``groups`` and ``categories`` (tuples), None for all.
    A missing category is ``""``."""

    groups: tuple | None = None
    categories: tuple | None = None

    @classmethod
    def of(cls, groups: Sequence[str] | None = None, categories: Sequence[str] | None = None) -> "Filters":
        return cls(tuple(groups) if groups else None, tuple(categories) if categories else None)

    def only(self, group: str) -> "Filters":
        """The same filters for one group."""
        return Filters((group,), self.categories)

    def sql(self, category: str = "coalesce(category, '')") -> tuple[str, dict]:
        """The ``AND ...`` condition over state rows (``category``: the SQL of a row's
        category, ``""`` when missing) and its parameters."""
        where, params = "", {}
        if self.groups:
            where += " AND group_name IN (SELECT unnest($groups))"
            params["groups"] = list(self.groups)
        if self.categories:
            where += f" AND {category} IN (SELECT unnest($categories))"
            params["categories"] = list(self.categories)
        return where, params


ALL = Filters()


def _frame(con, sql: str, params: dict) -> pd.DataFrame:
    """Query result as a DataFrame whose DATE columns hold ``datetime.date`` (None when
    empty), as pages and exports show them."""
    with warnings.catch_warnings():
        # DuckDB notes that execute() + Arrow copies the rows once; results here are
        # small, and execute() works whatever the connection ran before.
        warnings.simplefilter("ignore", UserWarning)
        table = con.execute(sql, params).to_arrow_table()
    return table.to_pandas()


def report_dates(con) -> list[dt.date]:
    """Distinct report dates of the stored batches, oldest first."""
    return [r[0] for r in con.execute("SELECT DISTINCT report_date FROM batches ORDER BY 1").fetchall()]


def latest_report_date(con) -> dt.date | None:
    return con.execute("SELECT max(report_date) FROM batches").fetchone()[0]


def filter_options(con) -> tuple[list[str], list[str]]:
    """(groups, categories) of every stored item state, both sorted; a missing category
    is ``""``."""
    groups = [r[0] for r in con.execute("SELECT DISTINCT group_name FROM item_states ORDER BY 1").fetchall()]
    cats = [r[0] for r in con.execute("SELECT DISTINCT coalesce(category, '') FROM item_states ORDER BY 1").fetchall()]
    return groups, cats


def _rates(df: pd.DataFrame) -> pd.DataFrame:
    """Add ``completion_rate`` and ``on_time_rate`` (object columns: None where the
    denominator is 0)."""
    for rate, num, den in (("completion_rate", "done", "items"), ("on_time_rate", "done_on_time", "on_time_base")):
        df[rate] = (df[num] / df[den].astype("float64")).astype(object).where(df[den] > 0, None)
    return df


def _counts_sql(dates: Sequence[dt.date], keys: Sequence[str], where: str) -> tuple[str, dict]:
    """The counting query at each of ``dates`` (the rows holding on each, counted
    together), grouped by ``as_of`` and the columns ``keys``."""
    params = {f"d{i}": d for i, d in enumerate(sorted(set(dates)))}
    rows = " UNION ALL ".join(f"({holding(p, where)})" for p in params)
    by = ", ".join(["as_of", *keys])
    sql = f"""SELECT {by}, {_AGGREGATES}
              FROM (SELECT * REPLACE (coalesce(category, '') AS category), {ON_TIME} AS on_time, 1 AS n
                    FROM ({rows}))
              GROUP BY {by} ORDER BY {by}"""
    return sql, params


def counts(con, dates: Sequence[dt.date], *, by_group: bool = False, filters: Filters = ALL,
           due_soon_days: int) -> pd.DataFrame:
    """The counts (``COUNT_KEYS``) and rates at each of ``dates``: one row per date (or
    per date and group, sorted by group name) that has an item, with ``as_of``,
    [``group_name``], ``COUNT_KEYS``, ``completion_rate``, ``on_time_rate``. Reads the
    rows holding on each date only (``holding``)."""
    cols = ["as_of", *(["group_name"] if by_group else []), *COUNT_KEYS, "completion_rate", "on_time_rate"]
    if not dates:
        return pd.DataFrame(columns=cols)
    where, params = filters.sql()
    sql, date_params = _counts_sql(dates, ["group_name"] if by_group else [], where)
    df = _frame(con, sql, {**params, **date_params, "due_soon": int(due_soon_days)})
    for c in COUNT_KEYS:
        df[c] = df[c].fillna(0).astype("int64")
    return _rates(df)[cols]


# The counts stored per report date (``report_counts``): all but ``due_soon``, which
# depends on the campaign's 临期天数.
SERIES_KEYS = ("items", "done", "overdue", "long_term", "done_on_time", "on_time_base")


def store_report_counts(con, since: dt.date) -> None:
    """Recount ``report_counts`` for every report date on or after ``since`` (inside the
    caller's transaction, after ``validity`` was refreshed): a change at ``since``
    changes no earlier date. The counts are ``counts``' own, per group and category."""
    con.execute("DELETE FROM report_counts WHERE as_of >= $since", {"since": since})
    dates = [d for d in report_dates(con) if d >= since]
    if not dates:
        return
    sql, params = _counts_sql(dates, ["group_name", "category"], "")
    keys = ", ".join(SERIES_KEYS)
    con.execute(f"INSERT INTO report_counts SELECT as_of, group_name, category, {keys} FROM ({sql})",
                {**params, "due_soon": 0})


def series(con, until: dt.date | None = None, *, by_group: bool = False, filters: Filters = ALL) -> pd.DataFrame:
    """The counts at every report date up to and including ``until`` (``SERIES_KEYS``
    and the rates; no ``due_soon``): one row per date, or per date and group, read from
    ``report_counts``, so its cost follows the number of dates and groups."""
    cols = ["as_of", *(["group_name"] if by_group else []), *SERIES_KEYS, "completion_rate", "on_time_rate"]
    where, params = filters.sql(category="category")
    params["until"] = until or dt.date.max
    keys = "as_of, group_name" if by_group else "as_of"
    sums = ", ".join(f"sum({k}) AS {k}" for k in SERIES_KEYS)
    df = _frame(con, f"SELECT {keys}, {sums} FROM report_counts WHERE as_of <= $until {where} "
                     f"GROUP BY {keys} ORDER BY {keys}", params)
    for c in SERIES_KEYS:
        df[c] = df[c].fillna(0).astype("int64")
    return _rates(df)[cols]


TRANSITION_KEYS = ("new_items", "newly_done", "newly_overdue", "reopened", "still_overdue")


def transitions(con, since: dt.date | None, as_of: dt.date, *, filters: Filters = ALL) -> pd.DataFrame:
    """What changed from ``since`` to ``as_of`` (``since`` < ``as_of``; None: nothing was
    known before), per group (sorted by name), over the items known as of ``as_of``,
    each compared with its own state holding on ``since`` (none when it was not known
    then), both read with ``holding`` (so only the rows valid on the two dates):

    - ``new_items``: not known at ``since``, i.e. first seen after it;
    - ``newly_done``: done at ``as_of``, not done at ``since`` (or not known then);
    - ``reopened``: done at ``since``, not done at ``as_of`` (回头看: fixed, then found
      unfixed again; an item fixed and found unfixed between the two dates, but not done
      on either, is not counted);
    - ``newly_overdue``: overdue at ``as_of``, not overdue at ``since`` (``OVERDUE``,
      each judged at its own date);
    - ``still_overdue``: overdue at both.

    So items(as_of) = items(since) + new_items, done(as_of) = done(since) + newly_done -
    reopened, and overdue(as_of) = newly_overdue + still_overdue. The filters apply on
    both dates (an item whose category entered the filter after ``since`` counts as
    not known then)."""
    cols = ["group_name", *TRANSITION_KEYS]
    where, params = filters.sql()
    params["as_of"] = as_of
    if since is None:
        before = "SELECT NULL::VARCHAR AS item_key, FALSE AS done, FALSE AS overdue WHERE FALSE"
    else:
        params["since"] = since
        before = f"SELECT item_key, status = 'done' AS done, {OVERDUE} AS overdue FROM ({holding('since', where)})"
    df = _frame(con, f"""
        WITH a AS (SELECT item_key, group_name, status = 'done' AS done, {OVERDUE} AS overdue
                   FROM ({holding("as_of", where)})),
             s AS ({before})
        SELECT a.group_name,
               count(*) FILTER (WHERE s.item_key IS NULL) AS new_items,
               count(*) FILTER (WHERE a.done AND NOT coalesce(s.done, FALSE)) AS newly_done,
               count(*) FILTER (WHERE a.overdue AND NOT coalesce(s.overdue, FALSE)) AS newly_overdue,
               count(*) FILTER (WHERE s.done AND NOT a.done) AS reopened,
               count(*) FILTER (WHERE a.overdue AND s.overdue) AS still_overdue
        FROM a LEFT JOIN s USING (item_key)
        GROUP BY a.group_name ORDER BY a.group_name""", params)
    for c in TRANSITION_KEYS:
        df[c] = df[c].astype("int64")
    return df[cols]


def overdue_ages(con, as_of: dt.date, buckets: Sequence[tuple[int, int | None]], *,
                 filters: Filters = ALL) -> dict:
    """How long the items overdue as of ``as_of`` have been overdue: ``count``,
    ``max_days`` (as_of - deadline), ``oldest_deadline`` and ``buckets``: the count for
    each (lowest, highest) number of days overdue, both included (highest None: no
    bound)."""
    where, params = filters.sql()
    params["as_of"] = as_of
    cases = ", ".join(f"count(*) FILTER (WHERE days >= {int(lo)}" + (f" AND days <= {int(hi)}" if hi else "") + ")"
                      for lo, hi in buckets)
    row = con.execute(f"""
        SELECT count(*), max(days), min(deadline), {cases}
        FROM (SELECT deadline, date_diff('day', deadline, as_of) AS days
              FROM ({holding("as_of", where)})
              WHERE {OVERDUE})""", params).fetchone()
    return {"count": int(row[0]), "max_days": None if row[1] is None else int(row[1]), "oldest_deadline": row[2],
            "buckets": [int(n) for n in row[3:]]}


def phase_counts(con, as_of: dt.date, phases: Sequence[tuple[str, dt.date, dt.date]], *,
                 filters: Filters = ALL) -> pd.DataFrame:
    """Per phase (name, start, end), over the items known as of ``as_of``: ``assigned``
    (assigned date in the phase), ``done`` (done date in it, items done as of
    ``as_of``) and ``assigned_done`` (assigned in it and done), plus a row with phase
    None for the items whose dates fall in no phase (the phases must not overlap).

    An item's assigned date is its 交办日期, else the report date of its first batch; its
    done date is ``DONE_ON`` (completion date, else the first report showing it done)."""
    cols = ["phase", "assigned", "done", "assigned_done"]
    where, params = filters.sql()
    params.update({"as_of": as_of, "names": [p[0] for p in phases], "starts": [p[1] for p in phases],
                   "ends": [p[2] for p in phases]})
    if not phases:
        return pd.DataFrame(columns=cols)
    sql = f"""
        WITH c AS (
            SELECT status = 'done' AS is_done, CASE WHEN status = 'done' THEN {DONE_ON} END AS done_on,
                   coalesce(assigned_on, first_seen) AS assigned
            FROM ({holding("as_of", where)})),
        p AS (SELECT unnest($names) AS phase, unnest($starts)::DATE AS p_start, unnest($ends)::DATE AS p_end),
        per AS (
            SELECT p.phase,
                   count(*) FILTER (WHERE c.assigned BETWEEN p.p_start AND p.p_end) AS assigned,
                   count(*) FILTER (WHERE c.done_on BETWEEN p.p_start AND p.p_end) AS done,
                   count(*) FILTER (WHERE c.assigned BETWEEN p.p_start AND p.p_end AND c.is_done) AS assigned_done
            FROM p LEFT JOIN c ON TRUE GROUP BY p.phase),
        total AS (SELECT count(assigned) AS assigned, count(done_on) AS done,
                         count(assigned) FILTER (WHERE is_done) AS assigned_done FROM c)
        SELECT * FROM per
        UNION ALL
        SELECT NULL, t.assigned - sum(per.assigned), t.done - sum(per.done), t.assigned_done - sum(per.assigned_done)
        FROM total t, per GROUP BY t.assigned, t.done, t.assigned_done"""
    df = _frame(con, sql, params)
    for col in cols[1:]:
        df[col] = df[col].astype("int64")
    return df[cols]


def breakdown(con, as_of: dt.date, by: str, *, filters: Filters = ALL, due_soon_days: int) -> pd.DataFrame:
    """Counts per value of ``by`` (``category``, ``grid`` or ``location``) over the items
    known as of ``as_of``: ``items``, ``done``, ``not_done`` (items - done), ``overdue``,
    ``due_soon``, ``completion_rate``; an empty value is ``""``. Most items first, then
    value."""
    if by not in ("category", "grid", "location"):
        raise ValueError(by)
    where, params = filters.sql()
    params.update({"as_of": as_of, "due_soon": int(due_soon_days)})
    df = _frame(con, f"""
        SELECT coalesce({by}, '') AS value, count(*) AS items, count(*) FILTER (WHERE status = 'done') AS done,
               count(*) FILTER (WHERE {OVERDUE}) AS overdue, count(*) FILTER (WHERE {DUE_SOON}) AS due_soon
        FROM ({holding("as_of", where)})
        GROUP BY ALL ORDER BY items DESC, value""", params)
    for c in ("items", "done", "overdue", "due_soon"):
        df[c] = df[c].astype("int64")
    df["not_done"] = df["items"] - df["done"]
    df["completion_rate"] = (df["done"] / df["items"]).astype(object)
    return df[["value", "items", "done", "not_done", "overdue", "due_soon", "completion_rate"]]


# The columns of an item list, as SQL over the rows holding on the date (``c``) joined to
# their batch (``b``).
_ITEM_SQL = {
    **{c: f"c.{c}" for c in ("item_key", "item_id", "seq", "description", "location", "grid", "category",
                              "group_name", "assignee", "assigned_on", "deadline", "deadline_text", "status_text",
                              "status", "completed_on", "measures", "verification", "source", "notes", "report_date",
                              "batch_id")},
    "file_name": "b.file_name", "sheet": "c.sheet", "row_no": "c.row_no",
    "is_overdue": OVERDUE,
    "days_overdue": f"CASE WHEN {OVERDUE} THEN date_diff('day', deadline, as_of) END",
    "is_due_soon": DUE_SOON,
    "done_on": f"CASE WHEN status = 'done' THEN {DONE_ON} END",
    "done_on_time": ON_TIME,
}
ITEM_COLUMNS = tuple(_ITEM_SQL)
# Which items ``items_at`` lists.
ITEM_KINDS = {"all": "TRUE", "overdue": OVERDUE, "due_soon": DUE_SOON}


def items_at(con, as_of: dt.date, *, kind: str = "all", filters: Filters = ALL, due_soon_days: int,
             columns: Sequence[str] = ITEM_COLUMNS) -> pd.DataFrame:
    """The items known as of ``as_of`` (``kind``: all, overdue or due_soon), each with
    its current state, provenance (batch, file name, sheet, row) and the per-item flags
    behind the counts: ``is_overdue``, ``days_overdue`` (D - deadline, for overdue
    items), ``is_due_soon``, ``done_on``, ``done_on_time``; ``columns`` of
    ``ITEM_COLUMNS`` (all by default: a long list needs fewer). Sorted by group, then
    report date, sheet and row."""
    where, params = filters.sql()
    params.update({"as_of": as_of, "due_soon": int(due_soon_days)})
    select = ", ".join(f"{_ITEM_SQL[c]} AS {c}" for c in columns)
    join = "JOIN batches b USING (batch_id)" if "file_name" in columns else ""
    sql = f"""
        SELECT {select}
        FROM ({holding("as_of", where)}) c {join}
        WHERE {ITEM_KINDS[kind]}
        ORDER BY c.group_name, c.report_date, c.sheet, c.row_no
    """
    df = _frame(con, sql, params)
    for c in ("is_overdue", "is_due_soon", "done_on_time"):
        if c in df:
            df[c] = df[c].fillna(False).astype(bool)
    if "days_overdue" in df:
        df["days_overdue"] = df["days_overdue"].astype("Int64")
    if "row_no" in df:
        df["row_no"] = df["row_no"].astype("int64")
    return df
