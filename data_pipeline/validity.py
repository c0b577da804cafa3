"""Which stored state of an item holds on which dates: the columns ``valid_until``,
``first_seen`` and ``first_done`` of ``item_states``, kept right by every change in the
change's own transaction (``store.write_batch``, ``store.remove_batches``, the schema
upgrade).

Rules, per item (``item_key``), its state rows ordered by (report date, batch, sheet,
row) — a later batch with the same report date supersedes an earlier one:
- ``valid_until``: the report date of the item's next state row, NULL for its last
  one. A row holds on the dates D with ``report_date <= D < valid_until``, so a row
  superseded on its own report date holds on no date (``metrics.holding``);
- ``first_seen``: the report date of the item's first state row;
- ``first_done``: the earliest report date, among this row and those before it, of a
  row whose status is done (NULL when none). For a done row it is the item's first
  report showing it done.

- absent fields: a row whose sheet had no column for a field (``absent_fields``, see
  ``normalise.KEPT_WHEN_ABSENT``) holds, in that column, the value of the item's latest
  earlier row (same order) whose sheet had the column, NULL when there is none.

``current_states`` holds a copy of every row whose ``valid_until`` is NULL (each item's
latest state), so that the rows holding on a date are the rows of ``current_states``
dated on or before it plus the rows of ``item_states`` whose validity spans it
(``metrics.holding``); both parts are found from the row groups' min/max statistics
without reading the rest of the history.

A change at report date ``since`` (a batch stored or removed) changes these columns only
for the rows of the items it touches that are dated ``since`` or later, and for each such
item's last row before ``since``, whose ``valid_until`` may move. ``refresh`` recomputes
exactly those rows, so the weekly ledger (the newest date) costs the size of that
ledger, not of the stored history.
"""
from __future__ import annotations

import datetime as dt

from .normalise import KEPT_WHEN_ABSENT

_ORDER = "report_date, batch_id, sheet, row_no"
EPOCH = dt.date(1, 1, 1)

_REFRESH = f"""
UPDATE item_states AS t
SET valid_until = r.valid_until, first_seen = r.first_seen, first_done = r.first_done
FROM (
    WITH k AS ({{keys}}),
    later AS (
        SELECT batch_id, sheet, row_no, item_key, report_date, status, FALSE AS seed,
               NULL::DATE AS seen0, NULL::DATE AS done0
        FROM item_states WHERE report_date >= $since AND item_key IN (SELECT item_key FROM k)),
    seed AS (
        SELECT batch_id, sheet, row_no, item_key, report_date, status, TRUE AS seed, first_seen, first_done
        FROM item_states
        WHERE report_date < $since AND (valid_until IS NULL OR valid_until >= $since)
          AND item_key IN (SELECT item_key FROM k)),
    w AS (
        SELECT *,
               lead(report_date) OVER (PARTITION BY item_key ORDER BY {_ORDER}) AS next_date,
               max(seen0) OVER (PARTITION BY item_key) AS seed_seen,
               max(done0) OVER (PARTITION BY item_key) AS seed_done,
               min(report_date) OVER (PARTITION BY item_key) AS earliest,
               min(CASE WHEN status = 'done' AND NOT seed THEN report_date END)
                   OVER (PARTITION BY item_key ORDER BY {_ORDER} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
                   AS done_so_far
        FROM (SELECT * FROM later UNION ALL SELECT * FROM seed))
    SELECT batch_id, sheet, row_no, next_date AS valid_until,
           CASE WHEN seed THEN seen0 ELSE coalesce(seed_seen, earliest) END AS first_seen,
           CASE WHEN seed THEN done0 ELSE least(seed_done, done_so_far) END AS first_done
    FROM w
) AS r
WHERE t.batch_id = r.batch_id AND t.sheet = r.sheet AND t.row_no = r.row_no
  AND (t.valid_until IS DISTINCT FROM r.valid_until OR t.first_seen IS DISTINCT FROM r.first_seen
       OR t.first_done IS DISTINCT FROM r.first_done)
"""


# The rows of the change's items that may inherit (dated ``since`` or later), and the
# item's last row before ``since`` (its values are already right): each column named in
# a row's ``absent_fields`` takes the value of the latest earlier row that had it. A
# struct wraps the value so that a present but empty cell (NULL) counts as a value.
_SCOPE = f"""
    k AS ({{keys}}),
    w AS (
        SELECT batch_id, sheet, row_no, item_key, report_date, absent_fields, FALSE AS seed, {{columns}}
        FROM item_states WHERE report_date >= $since AND item_key IN (SELECT item_key FROM k)
        UNION ALL
        SELECT batch_id, sheet, row_no, item_key, report_date, NULL, TRUE AS seed, {{columns}}
        FROM item_states
        WHERE report_date < $since AND (valid_until IS NULL OR valid_until >= $since)
          AND item_key IN (SELECT item_key FROM k))
"""
_ABSENT = f"""
WITH {_SCOPE.strip()}
SELECT DISTINCT unnest(absent_fields) FROM w WHERE NOT seed AND absent_fields IS NOT NULL
"""
_INHERIT = f"""
UPDATE item_states AS t SET {{assignments}}
FROM (
    WITH {_SCOPE.strip()}
    SELECT * FROM (
        SELECT batch_id, sheet, row_no, seed, absent_fields, {{inherited}}
        FROM w) WHERE NOT seed AND absent_fields IS NOT NULL
) AS r
WHERE t.batch_id = r.batch_id AND t.sheet = r.sheet AND t.row_no = r.row_no
"""
_INHERITED = (f"last_value(CASE WHEN seed OR NOT list_contains(coalesce(absent_fields, []), '{{c}}') "
              f"THEN struct_pack(v := {{c}}) END IGNORE NULLS) OVER (PARTITION BY item_key ORDER BY {_ORDER} "
              f"ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING).v AS {{c}}")


def _inherit(con, keys: str, params: dict) -> None:
    """Fill the absent fields of the rows in scope (``_INHERIT``), for the columns that
    are absent somewhere in it."""
    absent = [r[0] for r in con.execute(_ABSENT.format(keys=keys, columns="NULL AS unused"), params).fetchall()]
    columns = [c for c in KEPT_WHEN_ABSENT if c in absent]
    if not columns:
        return
    con.execute(_INHERIT.format(
        keys=keys, columns=", ".join(columns),
        inherited=", ".join(_INHERITED.format(c=c) for c in columns),
        assignments=", ".join(f"{c} = CASE WHEN list_contains(t.absent_fields, '{c}') THEN r.{c} ELSE t.{c} END"
                              for c in columns)), params)


# The items' latest states again, after ``_REFRESH``: the batch just stored holds most of
# them (a scan of its row groups), the rest are found among the items' rows.
_CURRENT = """
DELETE FROM current_states WHERE item_key IN (SELECT item_key FROM ({keys}));
INSERT INTO current_states BY NAME
SELECT * FROM item_states WHERE valid_until IS NULL AND item_key IN (SELECT item_key FROM ({keys}));
"""


def _refresh(con, keys: str, params: dict) -> None:
    _inherit(con, keys, params)
    con.execute(_REFRESH.format(keys=keys), params)
    for statement in _CURRENT.format(keys=keys).split(";"):
        if statement.strip():
            con.execute(statement, {k: v for k, v in params.items() if f"${k}" in statement})


def refresh_batch(con, batch_id: int, since: dt.date) -> None:
    """After the batch ``batch_id`` (report date ``since``) was stored."""
    _refresh(con, "SELECT DISTINCT item_key FROM item_states WHERE batch_id = $batch",
             {"batch": batch_id, "since": since})


def refresh_keys(con, keys: list[str], since: dt.date) -> None:
    """After rows of the items ``keys`` dated ``since`` were removed."""
    if keys:
        _refresh(con, "SELECT unnest($keys) AS item_key", {"keys": list(keys), "since": since})


def refresh_all(con) -> None:
    """Every row (a database from before these columns existed)."""
    _refresh(con, "SELECT DISTINCT item_key FROM item_states", {"since": EPOCH})
