"""Column mappings the office corrected by hand, remembered for later files.

Rules:
- A mapping is keyed by the folded header text (``values.fold``: width, spaces and
  punctuation ignored), so next week's file with the same header needs no correction.
  A two-row header is one text, ``整改情况/整改状态``.
- It maps to a canonical field (``settings.COLUMN_ALIASES``) or to None: "do not
  import this column".
- What the office chose by hand is stored as it is (even when the alias table would
  give the same field); ``forget`` drops a mapping so the alias table applies again.
- ``load`` returns the ``overrides`` that ``ingest.parse_file`` and ``layout.detect``
  take. Saving and forgetting are logged in the audit log and bump ``data_version``
  (one transaction each), so cached readers see them.
"""
from __future__ import annotations

import datetime as dt

from . import audit
from .constants import COLUMN_ALIASES
from .labels import field_label
from .store import bump_data_version, transaction
from .values import fold


def load(con) -> dict[str, str | None]:
    """``{folded header: field or None}`` of every remembered mapping."""
    return dict(con.execute("SELECT header_key, field FROM column_mappings").fetchall())


def listing(con):
    """Remembered mappings for display: header, field, saved_at, saved_by (DataFrame)."""
    return con.execute("SELECT header_key, header, field, saved_at, saved_by FROM column_mappings "
                       "ORDER BY saved_at DESC, header").df()


def remember(con, choices: dict[str, str | None], actor: audit.Actor | None = None) -> list[str]:
    """Store the office's choices ``{header text: field or None}`` (see module rules) in
    one transaction; returns the changes made, e.g. ``“处理结果” → 整改情况``."""
    unknown = {f for f in choices.values() if f is not None and f not in COLUMN_ALIASES}
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    stored = load(con)
    changes = [(fold(h), h, f) for h, f in choices.items() if fold(h) and stored.get(fold(h), ...) != f]
    if not changes:
        return []
    lines = [f"“{h}” → {field_label(f)}" for _, h, f in changes]
    now = dt.datetime.now().replace(microsecond=0)
    with transaction(con):
        for key, header, f in changes:
            con.execute("INSERT OR REPLACE INTO column_mappings VALUES (?, ?, ?, ?, ?)",
                        [key, header, f, now, actor.name if actor else None])
        audit.log(con, actor, audit.MAPPING, "记住列对应：" + "；".join(lines))
        bump_data_version(con)
    return lines


def forget(con, header_key: str, actor: audit.Actor | None = None) -> bool:
    """Drop one remembered mapping (the alias table applies again). False when unknown."""
    with transaction(con):
        row = con.execute("SELECT header, field FROM column_mappings WHERE header_key = ?", [header_key]).fetchall()
        if row:
            con.execute("DELETE FROM column_mappings WHERE header_key = ?", [header_key])
            header, f = row[0]
            audit.log(con, actor, audit.MAPPING, f"取消记住的列对应：“{header}” → {field_label(f)}")
            bump_data_version(con)
    return bool(row)
