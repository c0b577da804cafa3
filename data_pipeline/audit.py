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

Log-ins (the dashboard's passcodes, ``dashboard.access``) are recorded here too, because
the record is what enforces the rules:
- Every wrong passcode (创城办登录 or the viewer gate, which also accepts the office
  passcode) is an entry ``LOGIN_FAILED`` with role ``ROLE_ANONYMOUS`` and the name typed
  (never the passcode); an attempt refused during a lock is ``LOGIN_LOCKED``. Neither
  bumps ``data_version`` (they change no figure).
- The lock (``lock_until``) is computed from the ``LOGIN_FAILED`` entries, so it holds
  for every browser session, every dashboard process on the database and across
  restarts: ``LOCK_AFTER`` wrong passcodes within ``LOCK_WINDOW`` lock passcode entry
  for ``LOCK_FOR`` from the last of them. Refused attempts do not prolong it.
- The key material of the dashboard's log-in tokens lives in the ``settings`` table
  beside the campaign settings (which ignore these keys): a random secret
  (``SECRET_KEY``, made once) and the tokens revoked by 退出登录 (``REVOKED_KEY``,
  token id -> expiry, pruned as they expire).
"""
from __future__ import annotations

import datetime as dt
import getpass
import json
import secrets
from dataclasses import dataclass

ROLE_OFFICE = "创城办"
ROLE_CLI = "命令行"
ROLE_SYSTEM = "系统"
ROLE_ANONYMOUS = "未登录"

UPLOAD = "导入台账"
REMOVE = "删除批次"
SETTINGS = "修改设置"
MAPPING = "列对应"
LOGIN_FAILED = "登录失败"
LOGIN_LOCKED = "登录被锁定"

LOCK_AFTER = 5
LOCK_WINDOW = dt.timedelta(minutes=10)
LOCK_FOR = dt.timedelta(minutes=10)
SECRET_KEY = "session.secret"
REVOKED_KEY = "session.revoked"


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


def log(con, actor: Actor | None, action: str, detail: str, batch_id: int | None = None, *,
        at: dt.datetime | None = None) -> None:
    """Append one entry (inside the caller's transaction), stamped ``at`` (default: now,
    to the second). No actor: nothing is logged (library calls from tests and scripts
    that do not say who they are)."""
    if actor is None:
        return
    when = (at or dt.datetime.now()).replace(microsecond=0)
    con.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?)",
                [when, actor.role, actor.name, action, batch_id, detail])


def entries(con):
    """The log, newest first, as a DataFrame (logged_at, role, actor, action, batch_id, detail)."""
    return con.execute("SELECT logged_at, role, actor, action, batch_id, detail FROM audit_log "
                       "ORDER BY logged_at DESC, rowid DESC").df()


# ---------------------------------------------------------------- log-ins


def login_failures(con, since: dt.datetime) -> list[dt.datetime]:
    """When the wrong passcodes since ``since`` were given, oldest first."""
    rows = con.execute("SELECT logged_at FROM audit_log WHERE action = ? AND logged_at >= ? ORDER BY logged_at",
                       [LOGIN_FAILED, since]).fetchall()
    return [r[0] for r in rows]


def lock_until(failures: list[dt.datetime], now: dt.datetime) -> dt.datetime | None:
    """Until when passcode entry is locked at ``now``, or None.

    A wrong passcode that is the ``LOCK_AFTER``-th within ``LOCK_WINDOW`` (itself
    included) starts a lock of ``LOCK_FOR``; the latest such lock still running at
    ``now`` is returned. ``failures`` must cover ``LOCK_WINDOW + LOCK_FOR`` before
    ``now`` (``lock_lookback``) and be sorted."""
    until = None
    for i in range(LOCK_AFTER - 1, len(failures)):
        if failures[i] - failures[i - LOCK_AFTER + 1] < LOCK_WINDOW:
            end = failures[i] + LOCK_FOR
            if end > now:
                until = end
    return until


def lock_lookback(now: dt.datetime) -> dt.datetime:
    """The oldest failure that can still matter to ``lock_until`` at ``now``."""
    return now - LOCK_WINDOW - LOCK_FOR


def locked_message(until: dt.datetime) -> str:
    """The Chinese message of a lock that ends at ``until`` (``HH:MM``, rounded up to the
    minute so that trying at the time given works)."""
    end = until if until.second == 0 and until.microsecond == 0 else \
        until.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    minutes = int(LOCK_WINDOW.total_seconds() // 60)
    return (f"{minutes}分钟内口令已输错{LOCK_AFTER}次，为防止猜测，登录已暂停，"
            f"请于{end:%H:%M}以后再试。")


def token_secret(con) -> bytes | None:
    """The random secret of the dashboard's log-in tokens, or None before the first
    log-in (works on a read-only connection)."""
    row = con.execute("SELECT value FROM settings WHERE key = ?", [SECRET_KEY]).fetchone()
    return bytes.fromhex(json.loads(row[0])) if row else None


def ensure_token_secret(con) -> bytes:
    """``token_secret``, made (32 random bytes) and stored in the caller's transaction
    when there is none yet."""
    con.execute("INSERT OR IGNORE INTO settings VALUES (?, ?)", [SECRET_KEY, json.dumps(secrets.token_hex(32))])
    return token_secret(con)


def revoked_tokens(con, now: dt.datetime) -> set[str]:
    """The ids of tokens revoked by 退出登录 that have not expired at ``now``."""
    row = con.execute("SELECT value FROM settings WHERE key = ?", [REVOKED_KEY]).fetchone()
    stored = json.loads(row[0]) if row else {}
    return {token for token, expires in stored.items() if dt.datetime.fromisoformat(expires) > now}


def revoke_token(con, token_id: str, expires: dt.datetime, now: dt.datetime) -> None:
    """Revoke one token until its expiry (inside the caller's transaction); expired
    revocations are dropped."""
    row = con.execute("SELECT value FROM settings WHERE key = ?", [REVOKED_KEY]).fetchone()
    stored = {t: e for t, e in (json.loads(row[0]) if row else {}).items() if dt.datetime.fromisoformat(e) > now}
    stored[token_id] = expires.isoformat()
    con.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", [REVOKED_KEY, json.dumps(stored)])
