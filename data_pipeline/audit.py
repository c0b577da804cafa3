"""The audit log: who changed the data or the settings, when, and what.

Rules:
- Every change is logged in the change's own transaction (``log`` is called between
  the change's ``begin`` and ``commit``), so a change and its log entry are stored, or
  rolled back, together.
- An entry names the role (``ROLE_OFFICE`` for the dashboard's 创城办 login,
  ``ROLE_CLI`` for ``python -m data_pipeline``, ``ROLE_SYSTEM`` for the sample load on
  first start), the person's name when known, the action, the batch when there is
  one, and a plain-Chinese detail.
- Entries are never changed or deleted (removing a batch keeps the entry of its upload).
"""
from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass

ROLE_OFFICE = "创城办"
ROLE_CLI = "命令行"
ROLE_SYSTEM = "系统"

UPLOAD = "导入台账"
REMOVE = "删除批次"
SETTINGS = "修改设置"
MAPPING = "列对应"


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a role and, when known, a name."""

    role: str
    name: str | None = None


def cli_actor() -> Actor:
    """The command line's actor: the operating-system user."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError):
        name = None
    return Actor(ROLE_CLI, name)


def log(con, actor: Actor | None, action: str, detail: str, batch_id: int | None = None) -> None:
    """Append one entry (inside the caller's transaction). No actor: nothing is logged
    (library calls from tests and scripts that do not say who they are)."""
    if actor is None:
        return
    con.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?)",
                [dt.datetime.now().replace(microsecond=0), actor.role, actor.name, action, batch_id, detail])


def entries(con):
    """The log, newest first, as a DataFrame (logged_at, role, actor, action, batch_id, detail)."""
    return con.execute("SELECT logged_at, role, actor, action, batch_id, detail FROM audit_log "
                       "ORDER BY logged_at DESC, rowid DESC").df()
