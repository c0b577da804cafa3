"""Stage 5, metrics: the only place numbers are computed. The dashboard, the CLI and
every export call these functions.

State of an item as of date D: its row in the latest batch whose report date is <= D
(ties on report date: the later batch wins). Items known as of D are those with any
such row; an item missing from a later ledger keeps its last known state.

Definitions, as of D, over items known as of D (``due_soon_days`` = N, default 3):
- ``items``: count;
- ``done``: status category done; ``long_term``: status category long_term;
- ``overdue``: not done, not long-term, deadline < D;
- ``due_soon``: not done, not long-term, D <= deadline <= D + N days;
- ``completion_rate`` = done / items;
- ``on_time_rate`` = items done on or before their deadline / items whose deadline
  < D or that are done. An item's done date is its completion date, else the report
  date of the first batch that shows it done; a done item without deadline is on time.
Rates are ``None`` when their denominator is 0.
"""
from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Sequence

import pandas as pd

from .settings import DEFAULT_DUE_SOON_DAYS

METRIC_KEYS = ("items", "done", "overdue", "due_soon", "long_term", "completion_rate", "on_time_rate")

# Each state row's key and the columns the counts need, with the date its validity
# ends (the next report of the same item) and the item's first report showing it done.
# The windows run over these few columns only; item lists join the full rows back.
_VALIDITY = """
    SELECT batch_id, sheet, row_no, report_date, status, deadline, completed_on, group_name, category,
           lead(report_date) OVER (PARTITION BY item_key ORDER BY report_date, batch_id) AS valid_until,
           min(CASE WHEN status = 'done' THEN report_date END) OVER (PARTITION BY item_key) AS first_done
    FROM item_states
"""
_HOLDS = "v.report_date <= d.as_of AND (v.valid_until IS NULL OR d.as_of < v.valid_until)"

REPORT_DATES_SQL = "SELECT DISTINCT report_date AS as_of FROM batches"


def states_sql(dates_sql: str, where: str = "", *, full: bool = True) -> str:
    """SQL of every item's state as of each date that ``dates_sql`` yields (column
    ``as_of``), plus ``open`` (not done, not long-term) and ``done_on``; ``where`` is
    ``filter_sql``'s condition. With ``full`` every ``item_states`` column, else only
    those the counts need (status, deadline, completed_on, group_name, category,
    report_date, batch_id, sheet, row_no). Every figure in ``data_pipeline`` is computed
    over this (the counts here over ``_counted_states_sql``, the same rows collapsed)."""
    if not full:
        return f"""
            WITH v AS ({_VALIDITY}), d AS ({dates_sql})
            SELECT d.as_of, v.*, v.status NOT IN ('done', 'long_term') AS open,
                   coalesce(v.completed_on, v.first_done) AS done_on
            FROM d JOIN v ON {_HOLDS}
            WHERE TRUE {where}
        """
    return f"""
        WITH v AS ({_VALIDITY}), d AS ({dates_sql}),
        cur AS (SELECT d.as_of, v.batch_id, v.sheet, v.row_no, v.first_done
                FROM d JOIN v ON {_HOLDS} WHERE TRUE {where})
        SELECT cur.as_of, st.*,
               st.status NOT IN ('done', 'long_term') AS open,
               coalesce(st.completed_on, cur.first_done) AS done_on
        FROM cur JOIN item_states st USING (batch_id, sheet, row_no)
    """


# The per-item rules behind the counts, over ``states_sql``'s columns.
OVERDUE_SQL = "open AND deadline < as_of"
DUE_SOON_SQL = "open AND deadline >= as_of AND deadline <= as_of + $due_soon"
ON_TIME_SQL = "status = 'done' AND (deadline IS NULL OR done_on <= deadline)"



def _counted_states_sql(dates_sql: str, where: str, collapse: bool) -> str:
    """``states_sql(full=False)`` for counting, each row with ``on_time`` (``ON_TIME_SQL``,
    which does not depend on the date) and a weight ``n``. With ``collapse`` (for many
    dates) the state rows are first collapsed to one row per distinct (group, validity,
    status, deadline, on time), ``n`` counting them (weekly ledgers repeat these a lot),
    and then joined to the dates; else ``n`` is 1."""
    if not collapse:
        return f"SELECT *, {ON_TIME_SQL} AS on_time, 1 AS n FROM ({states_sql(dates_sql, where, full=False)})"
    return f"""
        WITH v AS ({_VALIDITY}), d AS ({dates_sql}),
        r AS (SELECT group_name, report_date, valid_until, status, deadline, {ON_TIME_SQL} AS on_time,
                     count(*) AS n
              FROM (SELECT v.*, coalesce(v.completed_on, v.first_done) AS done_on FROM v WHERE TRUE {where})
              GROUP BY ALL)
        SELECT d.as_of, v.*, v.status NOT IN ('done', 'long_term') AS open
        FROM d JOIN r AS v ON {_HOLDS}
    """


_AGGREGATES = f"""
    sum(n) AS items,
    sum(n) FILTER (WHERE status = 'done') AS done,
    sum(n) FILTER (WHERE {OVERDUE_SQL}) AS overdue,
    sum(n) FILTER (WHERE {DUE_SOON_SQL}) AS due_soon,
    sum(n) FILTER (WHERE status = 'long_term') AS long_term,
    sum(n) FILTER (WHERE on_time) AS done_on_time,
    sum(n) FILTER (WHERE deadline < as_of OR status = 'done') AS on_time_base
"""


def filter_sql(groups: Sequence[str] | None, categories: Sequence[str] | None) -> tuple[str, dict]:
    """The ``where`` condition (and its parameters) for ``states_sql`` that keeps the
    given groups and categories; no filter when a list is empty or None."""
    where, params = "", {}
    if groups:
        where += " AND v.group_name IN (SELECT unnest($groups))"
        params["groups"] = list(groups)
    if categories:
        where += " AND coalesce(v.category, '') IN (SELECT unnest($categories))"
        params["categories"] = list(categories)
    return where, params


_COUNTS = ("items", "done", "overdue", "due_soon", "long_term", "done_on_time", "on_time_base")


def _rates(df: pd.DataFrame) -> pd.DataFrame:
    """Add ``completion_rate`` and ``on_time_rate`` (object columns: None where the
    denominator is 0)."""
    for rate, num, den in (("completion_rate", "done", "items"), ("on_time_rate", "done_on_time", "on_time_base")):
        df[rate] = (df[num] / df[den].astype("float64")).astype(object).where(df[den] > 0, None)
    return df


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


def _metrics(con, dates_sql: str, date_params: dict, by_group: bool, groups, categories,
             due_soon_days: int, collapse: bool) -> pd.DataFrame:
    where, params = filter_sql(groups, categories)
    params.update(date_params)
    params["due_soon"] = int(due_soon_days)
    keys = "as_of, group_name" if by_group else "as_of"
    sql = f"SELECT {keys}, {_AGGREGATES} FROM ({_counted_states_sql(dates_sql, where, collapse)}) GROUP BY {keys} ORDER BY {keys}"
    df = _frame(con, sql, params)
    if df.empty:
        return df.assign(completion_rate=pd.Series(dtype=object), on_time_rate=pd.Series(dtype=object))
    for c in _COUNTS:
        df[c] = df[c].fillna(0).astype("int64")
    return _rates(df)


def metrics_as_of(con, as_of: dt.date, *, by_group: bool = False, groups: Sequence[str] | None = None,
                  categories: Sequence[str] | None = None,
                  due_soon_days: int = DEFAULT_DUE_SOON_DAYS) -> pd.DataFrame:
    """The metrics as of ``as_of``: one row (or one per group, sorted by group name) with
    ``as_of``, [``group_name``], the ``METRIC_KEYS`` and the helper counts
    ``done_on_time``/``on_time_base``. Empty when nothing is known yet."""
    return _metrics(con, "SELECT CAST($as_of AS DATE) AS as_of", {"as_of": as_of}, by_group,
                    groups, categories, due_soon_days, collapse=False)


def weekly_series(con, *, by_group: bool = False, groups: Sequence[str] | None = None,
                  categories: Sequence[str] | None = None,
                  due_soon_days: int = DEFAULT_DUE_SOON_DAYS) -> pd.DataFrame:
    """``metrics_as_of`` at every report date, in one query (one row per date, or per
    date and group)."""
    return _metrics(con, REPORT_DATES_SQL, {}, by_group,
                    groups, categories, due_soon_days, collapse=True)


def metric_values(row) -> dict:
    """The ``METRIC_KEYS`` of one metrics row as plain ints and floats (None for a rate
    without denominator), as ``summary`` returns them."""
    out = {}
    for k in METRIC_KEYS:
        v = row[k]
        out[k] = None if v is None or (isinstance(v, float) and v != v) else (float(v) if k.endswith("rate") else int(v))
    return out


EMPTY_TOTALS = {"items": 0, "done": 0, "overdue": 0, "due_soon": 0, "long_term": 0,
                "completion_rate": None, "on_time_rate": None}


def summary(con, as_of: dt.date | None = None, *, due_soon_days: int = DEFAULT_DUE_SOON_DAYS,
            groups: Sequence[str] | None = None, categories: Sequence[str] | None = None) -> dict:
    """The CLI's ``summary --json`` shape: ``{"as_of", "totals": {METRIC_KEYS},
    "groups": [{"group", METRIC_KEYS...}]}``; ``as_of`` defaults to the latest report
    date (``None`` with zero totals when the database is empty)."""
    as_of = as_of or latest_report_date(con)
    if as_of is None:
        return {"as_of": None, "totals": dict(EMPTY_TOTALS), "groups": []}
    per_group = metrics_as_of(con, as_of, by_group=True, groups=groups, categories=categories,
                              due_soon_days=due_soon_days)
    # Every state row belongs to exactly one group, so the totals are the groups' sums.
    total = _rates(per_group[list(_COUNTS)].sum().to_frame().T) if len(per_group) else None
    return {
        "as_of": as_of.isoformat(),
        "totals": metric_values(total.iloc[0]) if total is not None else dict(EMPTY_TOTALS),
        "groups": [{"group": r["group_name"], **metric_values(r)} for _, r in per_group.iterrows()],
    }


def items_as_of(con, as_of: dt.date, *, groups: Sequence[str] | None = None,
                categories: Sequence[str] | None = None,
                due_soon_days: int = DEFAULT_DUE_SOON_DAYS) -> pd.DataFrame:
    """Every item known as of ``as_of`` with its current state, provenance (batch,
    file name, sheet, row) and the per-item flags behind the metrics: ``is_overdue``,
    ``days_overdue`` (D - deadline, for overdue items), ``is_due_soon``, ``done_on``,
    ``done_on_time``. Sorted by group, then sheet row."""
    where, params = filter_sql(groups, categories)
    params.update({"as_of": as_of, "due_soon": int(due_soon_days)})
    sql = f"""
        SELECT c.item_key, c.item_id, c.seq, c.description, c.location, c.grid, c.category,
               c.group_name, c.assignee, c.assigned_on, c.deadline, c.deadline_text, c.status_text, c.status,
               c.completed_on, c.measures, c.verification, c.source, c.notes,
               c.report_date, c.batch_id, b.file_name, c.sheet, c.row_no,
               {OVERDUE_SQL} AS is_overdue,
               CASE WHEN {OVERDUE_SQL} THEN date_diff('day', deadline, as_of) END AS days_overdue,
               {DUE_SOON_SQL} AS is_due_soon,
               CASE WHEN status = 'done' THEN done_on END AS done_on,
               {ON_TIME_SQL} AS done_on_time
        FROM ({states_sql("SELECT CAST($as_of AS DATE) AS as_of", where)}) c
        JOIN batches b USING (batch_id)
        ORDER BY c.group_name, c.report_date, c.sheet, c.row_no
    """
    df = _frame(con, sql, params)
    for c in ("is_overdue", "is_due_soon", "done_on_time"):
        df[c] = df[c].fillna(False).astype(bool)
    df["days_overdue"] = df["days_overdue"].astype("Int64")
    df["row_no"] = df["row_no"].astype("int64")
    return df
