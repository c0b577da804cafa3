"""Who is looking: the roles 创城办 (office) and 领导 (leaders), their passcodes, the
lock against guessing them, and the token that keeps a log-in across a reload.

Rules:
- Leaders view without logging in, unless a viewer passcode is configured; then every
  page first asks for it (the office passcode opens the dashboard too).
- The office logs in with the office passcode and a name (recorded on its uploads and
  in the audit log). Only the office uploads, removes batches, edits settings and
  reads the audit log; those pages are not even listed for anyone else (their URLs
  open 创城办登录, which then opens the page asked for).
- Passcodes come from the environment (``CAMPAIGN_OFFICE_PASSCODE``,
  ``CAMPAIGN_VIEWER_PASSCODE``), else ``.streamlit/secrets.toml`` (``office_passcode``,
  ``viewer_passcode``). No office passcode configured: nobody can log in as the office,
  so uploads are disabled (the login page says how to enable them).
- Passcodes are compared in constant time (``hmac.compare_digest``); a wrong one costs
  the caller a pause (``WRONG_PAUSE_SECONDS``).
- Guessing is stopped server-wide: every wrong passcode, at 创城办登录 or at the viewer
  gate (which also accepts the office passcode, so its guesses are guesses of both), is
  written to the audit log with the name typed (never the passcode), and 5 of them
  within 10 minutes, from any browser, lock passcode entry for 10 minutes
  (``data_pipeline.audit.lock_until``; a Chinese message says until when). The count
  lives in the database's audit log rather than in this process: it holds across
  sessions, tabs, restarts and several dashboard processes on one database, and the
  lock check, the comparison and the record of a failure happen in one write
  transaction, so parallel guesses cannot slip past the count.
- A reload keeps the role for a working day: a log-in sets a signed token in a cookie
  (``COOKIE``), read back from the browser's request when a new session starts. The
  token holds the role, the name, when it was issued, when it expires
  (``TOKEN_LIFETIME``) and a random id, signed with HMAC-SHA256 under a key derived
  from a random secret stored in the database and the role's current passcode: it
  never contains the passcode, a copy of the database alone cannot forge one, and
  changing the passcode invalidates every token. Expired, tampered or revoked tokens
  are ignored. 退出登录 revokes the token in the database (so a copied token stops
  working too) and clears the cookie.
- The role lives in the browser session (``st.session_state``); the server also keeps
  the ids of office sessions (``dashboard.sessions``), for its upload endpoint.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets as random
import time
from dataclasses import dataclass
from email.utils import formatdate

import duckdb
import streamlit as st

from data_pipeline import audit, store
from data_pipeline.audit import ROLE_ANONYMOUS, ROLE_OFFICE, Actor
from data_pipeline.errors import DatabaseBusy

from . import data, sessions

OFFICE, VIEWER = "office", "viewer"
_ENV = {OFFICE: "CAMPAIGN_OFFICE_PASSCODE", VIEWER: "CAMPAIGN_VIEWER_PASSCODE"}
_SECRET = {OFFICE: "office_passcode", VIEWER: "viewer_passcode"}
_ROLE, _NAME, _TOKEN, _RESTORED, _ASKED = "_role", "_office_name", "_token", "_token_checked", "_asked_for"
_WROTE = "_cookie_written"
WRONG_PAUSE_SECONDS = 1.0
TOKEN_LIFETIME = dt.timedelta(hours=10)
COOKIE = "campaign_login"
NAME_MAX = 40
_TOKEN_VERSION = "v1"

HOW_TO_ENABLE = (
    "创城办口令尚未设置，因此上传、删除批次和修改设置都已停用。部署人员可任选一种方式设置口令后重启看板：\n\n"
    "- 环境变量：`CAMPAIGN_OFFICE_PASSCODE=口令 python3 run.py dashboard`\n"
    "- 或在项目的 `.streamlit/secrets.toml` 中写一行：`office_passcode = \"口令\"`")
WRONG = "口令不正确。"
locked_message = audit.locked_message


def clock() -> dt.datetime:
    """Now, to the second (tests replace it)."""
    return dt.datetime.now().replace(microsecond=0)


def passcode(kind: str) -> str | None:
    """The configured passcode of ``kind`` (``OFFICE``/``VIEWER``), or None."""
    value = os.environ.get(_ENV[kind], "").strip()
    if value:
        return value
    try:
        value = str(st.secrets.get(_SECRET[kind], "") or "").strip()
    except Exception:   # no secrets.toml, or one that does not parse: not configured
        value = ""
    return value or None


def matches(given: str, kind: str) -> bool:
    """``given`` equals the configured passcode of ``kind`` (constant-time); False when
    none is configured."""
    expected = passcode(kind)
    if not expected:
        return False
    return hmac.compare_digest(given.strip().encode("utf-8"), expected.encode("utf-8"))


def is_office() -> bool:
    return st.session_state.get(_ROLE) == OFFICE


def actor() -> Actor:
    """The logged-in office user, for uploads and the audit log."""
    return Actor(ROLE_OFFICE, st.session_state.get(_NAME))


def office_name() -> str | None:
    return st.session_state.get(_NAME)


# ---------------------------------------------------------------- tokens


@dataclass(frozen=True)
class Token:
    """A signed log-in: ``text`` is what the cookie holds."""

    role: str
    name: str | None
    issued: dt.datetime
    expires: dt.datetime
    id: str
    text: str


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def token_key(secret: bytes, role: str) -> bytes | None:
    """The signing key of ``role``'s tokens: HMAC of the role's current passcode under
    the stored random secret; None while the role has no passcode."""
    code = passcode(role)
    if not code:
        return None
    return hmac.new(secret, f"campaign-token\0{role}\0{code}".encode("utf-8"), hashlib.sha256).digest()


def sign(secret: bytes, role: str, name: str | None, now: dt.datetime) -> Token | None:
    """A new token for ``role``/``name`` valid from ``now`` for ``TOKEN_LIFETIME``."""
    key = token_key(secret, role)
    if key is None:
        return None
    expires = now + TOKEN_LIFETIME
    token_id = random.token_hex(12)
    body = _b64(json.dumps({"r": role, "n": name, "i": int(now.timestamp()), "e": int(expires.timestamp()),
                            "j": token_id}, ensure_ascii=False).encode("utf-8"))
    head = f"{_TOKEN_VERSION}.{body}"
    mac = _b64(hmac.new(key, head.encode("ascii"), hashlib.sha256).digest())
    return Token(role, name, now, expires, token_id, f"{head}.{mac}")


def verify(text: str, secret: bytes | None, revoked: set[str], now: dt.datetime) -> Token | None:
    """The token ``text`` if it is well formed, signed with the current key of its role,
    issued at most a minute ahead of ``now``, not expired, no longer-lived than
    ``TOKEN_LIFETIME`` and not revoked; else None."""
    if not isinstance(text, str) or secret is None or len(text) > 2000:
        return None
    try:
        version, body, mac = text.split(".")
        claims = json.loads(_unb64(body))
        role, name = claims["r"], claims["n"]
        issued, expires = dt.datetime.fromtimestamp(claims["i"]), dt.datetime.fromtimestamp(claims["e"])
        token_id = claims["j"]
        given_mac = _unb64(mac)
    except (ValueError, KeyError, TypeError, OverflowError, OSError):
        return None
    if version != _TOKEN_VERSION or role not in (OFFICE, VIEWER):
        return None
    key = token_key(secret, role)
    if key is None:
        return None
    want = hmac.new(key, f"{version}.{body}".encode("ascii"), hashlib.sha256).digest()
    if not hmac.compare_digest(want, given_mac):
        return None
    if not (issued <= now + dt.timedelta(minutes=1) and now < expires and expires - issued <= TOKEN_LIFETIME):
        return None
    if not isinstance(token_id, str) or token_id in revoked or not (name is None or isinstance(name, str)):
        return None
    return Token(role, name, issued, expires, token_id, text)


def browser_cookie() -> str | None:
    """The token cookie the browser sent when this session started (Streamlit reads the
    cookies of the session's first request only), or None."""
    try:
        value = st.context.cookies.get(COOKIE)
    except Exception:   # no request behind this run (AppTest)
        return None
    return value if isinstance(value, str) and value else None


def _issue(con, role: str, name: str | None, now: dt.datetime) -> None:
    """Give this session a token for ``role`` (inside the caller's write transaction)."""
    token = sign(audit.ensure_token_secret(con), role, name, now)
    if token is None:
        st.session_state.pop(_TOKEN, None)
    else:
        st.session_state[_TOKEN] = token


def restore() -> None:
    """At a session's start (app.py, every run; acts once): take the role from a valid
    token cookie."""
    ss = st.session_state
    if ss.get(_RESTORED):
        return
    text = browser_cookie()
    if text is None or ss.get(_ROLE):
        ss[_RESTORED] = True
        return
    now = clock()
    try:
        with data.reading(data.db_path(), data.VERSION_WAIT_SECONDS) as con:
            token = verify(text, audit.token_secret(con), audit.revoked_tokens(con, now), now)
    except (DatabaseBusy, duckdb.Error):   # another program writing: try again on the next run
        return
    ss[_RESTORED] = True
    if token is not None:
        ss[_ROLE], ss[_TOKEN] = token.role, token
        if token.role == OFFICE:
            ss[_NAME] = token.name
            sessions.track(True)


def sync_cookie() -> None:
    """Make the browser's cookie hold this session's token, or nothing (app.py, every
    run): a tiny script in the sidebar, hidden like ``dashboard.chrome``'s. ``st.html``
    (not an iframe, unlike ``components.v1.html``) runs it in the app's own document, so
    ``document.cookie`` is the app origin's. Streamlit only knows the cookie the session
    started with, so once this session has written the cookie (log-in, log-out) the
    script is drawn on every run, with what it must hold."""
    ss = st.session_state
    token: Token | None = ss.get(_TOKEN)
    want = token.text if token is not None else None
    if want == browser_cookie() and not ss.get(_WROTE):
        return
    ss[_WROTE] = True
    if token is not None:
        expires = formatdate(token.expires.timestamp(), usegmt=True)
        value = json.dumps(f"{COOKIE}={token.text}; Path=/; Expires={expires}; SameSite=Strict")
    else:
        value = json.dumps(f"{COOKIE}=; Path=/; Max-Age=0; SameSite=Strict")
    with st.sidebar:
        st.html(f'<script data-chrome="login">document.cookie = {value} + '
                f'(location.protocol === "https:" ? "; Secure" : "");</script>', unsafe_allow_javascript=True)


# ---------------------------------------------------------------- log-in and log-out


@dataclass(frozen=True)
class Attempt:
    """What became of one passcode attempt: the role it opens (None: refused), whether
    the passcode was checked and wrong, and the end of the lock it met or started."""

    role: str | None
    wrong: bool = False
    locked_until: dt.datetime | None = None

    def message(self) -> str | None:
        """The Chinese message of a refusal (None on success)."""
        if self.role is not None:
            return None
        if self.locked_until is None:
            return WRONG
        lock = audit.locked_message(self.locked_until)
        return f"{WRONG}{lock}" if self.wrong else lock


def _attempt(kind: str, given: str, name: str | None) -> Attempt:
    """One passcode attempt at 创城办登录 (``OFFICE``) or the viewer gate (``VIEWER``), in
    one write transaction: the lock check, the comparison (skipped while locked), the
    audit entry and, on success, the token."""
    now = clock()
    typed = name[:NAME_MAX] if name else None
    where = "创城办登录" if kind == OFFICE else "查看口令"
    with data.writing(data.db_path()) as con, store.transaction(con):
        until = audit.lock_until(audit.login_failures(con, audit.lock_lookback(now)), now)
        if until is not None:
            audit.log(con, Actor(ROLE_ANONYMOUS, typed), audit.LOGIN_LOCKED,
                      f"{where}：登录已暂停，未核对口令", at=now)
            return Attempt(None, False, until)
        if kind == OFFICE:
            role = OFFICE if matches(given, OFFICE) else None
        else:
            role = VIEWER if (matches(given, VIEWER) or matches(given, OFFICE)) else None
        if role is None:
            audit.log(con, Actor(ROLE_ANONYMOUS, typed), audit.LOGIN_FAILED, f"{where}：口令错误", at=now)
            return Attempt(None, True, audit.lock_until(audit.login_failures(con, audit.lock_lookback(now)), now))
        _issue(con, role, name if role == OFFICE else None, now)
        return Attempt(role)


def lock_status() -> dt.datetime | None:
    """Until when passcode entry is locked now, or None."""
    now = clock()
    with data.reading(data.db_path()) as con:
        return audit.lock_until(audit.login_failures(con, audit.lock_lookback(now)), now)


def login_office(given: str, name: str) -> str | None:
    """Log in as the office; returns the error message, or None on success."""
    name = name.strip()
    if not passcode(OFFICE):
        return "创城办口令尚未设置，无法登录。"
    if not name:
        return "请填写您的姓名（会记入上传记录和操作日志）。"
    attempt = _attempt(OFFICE, given, name)
    if attempt.role is None:
        time.sleep(WRONG_PAUSE_SECONDS)
        return attempt.message()
    st.session_state[_ROLE] = OFFICE
    st.session_state[_NAME] = name
    sessions.track(True)
    return None


def logout() -> None:
    """Back to the leaders' view (a viewer passcode, if set, stays entered): the token
    is revoked in the database, the cookie cleared, the previews freed."""
    ss = st.session_state
    token: Token | None = ss.pop(_TOKEN, None)
    ss.pop(_NAME, None)
    now = clock()
    with data.writing(data.db_path()) as con, store.transaction(con):
        if token is not None:
            audit.revoke_token(con, token.id, token.expires, now)
        if passcode(VIEWER):
            _issue(con, VIEWER, None, now)
    ss[_ROLE] = VIEWER if passcode(VIEWER) else None
    sessions.track(False)
    sessions.release_uploads()


def viewer_gate() -> None:
    """With a viewer passcode configured, ask for it (or the office passcode) before
    anything is shown; stops the run until it is given."""
    if not passcode(VIEWER) or st.session_state.get(_ROLE) in (OFFICE, VIEWER):
        return
    st.title("创城进度看板")
    notice = st.empty()
    with st.form("viewer_login"):
        given = st.text_input("查看口令", type="password", help="向创城办索取。")
        submitted = st.form_submit_button("进入看板", type="primary")
    if submitted:
        try:
            attempt = _attempt(VIEWER, given, None)
        except DatabaseBusy:   # nothing checked, nothing counted: ask again
            notice.info("数据库正被另一个程序占用（可能正在导入台账），请稍后再试。")
            st.stop()
        if attempt.role is not None:
            st.session_state[_ROLE] = attempt.role
            st.rerun()
        time.sleep(WRONG_PAUSE_SECONDS)
        notice.error(attempt.message(), icon=":material/error:")
    else:
        try:
            locked = lock_status()
        except (DatabaseBusy, duckdb.Error):   # another program writing: the attempt will tell
            locked = None
        if locked is not None:
            notice.error(locked_message(locked), icon=":material/lock:")
    st.stop()


def ask_for(title: str | None) -> None:
    """The office page a non-office request asked for (app.py), named on 创城办登录."""
    st.session_state[_ASKED] = title


def asked_for() -> str | None:
    return st.session_state.get(_ASKED)


def sidebar_badge() -> None:
    """The role line at the bottom of the sidebar, with 退出登录 for the office."""
    with st.sidebar:
        st.divider()
        if is_office():
            st.caption(f"当前身份：创城办（{office_name()}）")
            if st.button("退出登录", key="logout", icon=":material/logout:"):
                logout()
                st.rerun()
        else:
            st.caption("当前身份：领导（只读）")
