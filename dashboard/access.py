"""Who is looking: the roles 创城办 (office) and 领导 (leaders), and their passcodes.

Rules:
- Leaders view without logging in, unless a viewer passcode is configured; then every
  page first asks for it (the office passcode opens the dashboard too).
- The office logs in with the office passcode and a name (recorded on its uploads and
  in the audit log). Only the office uploads, removes batches, edits settings and
  reads the audit log; those pages are not even listed for anyone else.
- Passcodes come from the environment (``CAMPAIGN_OFFICE_PASSCODE``,
  ``CAMPAIGN_VIEWER_PASSCODE``), else ``.streamlit/secrets.toml`` (``office_passcode``,
  ``viewer_passcode``). No office passcode configured: nobody can log in as the office,
  so uploads are disabled (the login page says how to enable them).
- Passcodes are compared in constant time (``hmac.compare_digest``); a wrong one costs
  the caller a pause, which slows guessing.
- The role lives in the browser session (``st.session_state``): a new tab or a reload
  after the server restarts asks again.
"""
from __future__ import annotations

import hmac
import os
import time

import streamlit as st

from data_pipeline.audit import ROLE_OFFICE, Actor

OFFICE, VIEWER = "office", "viewer"
_ENV = {OFFICE: "CAMPAIGN_OFFICE_PASSCODE", VIEWER: "CAMPAIGN_VIEWER_PASSCODE"}
_SECRET = {OFFICE: "office_passcode", VIEWER: "viewer_passcode"}
_ROLE, _NAME, _JUST_IN = "_role", "_office_name", "_just_logged_in"
WRONG_PAUSE_SECONDS = 1.0

HOW_TO_ENABLE = (
    "创城办口令尚未设置，因此上传、删除批次和修改设置都已停用。部署人员可任选一种方式设置口令后重启看板：\n\n"
    "- 环境变量：`CAMPAIGN_OFFICE_PASSCODE=口令 python3 run.py dashboard`\n"
    "- 或在项目的 `.streamlit/secrets.toml` 中写一行：`office_passcode = \"口令\"`")


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


def login_office(given: str, name: str) -> str | None:
    """Log in as the office; returns the error message, or None on success."""
    name = name.strip()
    if not passcode(OFFICE):
        return "创城办口令尚未设置，无法登录。"
    if not name:
        return "请填写您的姓名（会记入上传记录和操作日志）。"
    if not matches(given, OFFICE):
        time.sleep(WRONG_PAUSE_SECONDS)
        return "口令不正确。"
    st.session_state[_ROLE] = OFFICE
    st.session_state[_NAME] = name
    st.session_state[_JUST_IN] = True
    return None


def just_logged_in() -> bool:
    """True once, on the first run after the office logged in (to open 数据上传)."""
    return bool(st.session_state.pop(_JUST_IN, False))


def logout() -> None:
    """Back to the leaders' view (a viewer passcode, if set, stays entered)."""
    st.session_state[_ROLE] = VIEWER if passcode(VIEWER) else None
    st.session_state.pop(_NAME, None)


def viewer_gate() -> None:
    """With a viewer passcode configured, ask for it (or the office passcode) before
    anything is shown; stops the run until it is given."""
    if not passcode(VIEWER) or st.session_state.get(_ROLE) in (OFFICE, VIEWER):
        return
    st.title("创城进度看板")
    with st.form("viewer_login"):
        given = st.text_input("查看口令", type="password", help="向创城办索取。")
        submitted = st.form_submit_button("进入看板", type="primary")
    if submitted:
        if matches(given, VIEWER) or matches(given, OFFICE):
            st.session_state[_ROLE] = VIEWER
            st.rerun()
        time.sleep(WRONG_PAUSE_SECONDS)
        st.error("口令不正确。")
    st.stop()


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
