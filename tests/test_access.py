"""Access and sessions under AppTest and against Streamlit's own upload manager: the lock
after 5 wrong passcodes from any session (written to the audit log, never the passcode),
the signed token that restores the office after a reload (expired, tampered, revoked or
re-keyed tokens ignored), 退出登录, uploads accepted only for office sessions, previews
freed off the upload page, and the size check before a file's bytes are read."""
from __future__ import annotations

import base64
import datetime as dt
import json
import re
import shutil
from email.utils import formatdate
from pathlib import Path

import pytest
from streamlit import config as st_config
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFile, UploadedFileRec

import data_pipeline as dp
from dashboard import access, sessions
from data_pipeline import audit
from tests.apphelp import OFFICE_PASSCODE, go, login, run_app, shown

T0 = dt.datetime(2026, 11, 30, 9, 0, 0)
MIN = dt.timedelta(minutes=1)
LOCKED_UNTIL_0915 = "10分钟内口令已输错5次，为防止猜测，登录已暂停，请于09:15以后再试。"


@pytest.fixture
def db(sample_db, tmp_path) -> Path:
    path = tmp_path / "campaign.duckdb"
    shutil.copy(sample_db, path)
    return path


class Clock:
    """``access.clock`` under the test's control."""

    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    c = Clock(T0)
    monkeypatch.setattr(access, "clock", c)
    monkeypatch.setattr(access, "WRONG_PAUSE_SECONDS", 0)
    return c


@pytest.fixture
def cookie(monkeypatch):
    """What the browser sends as the token cookie when a session starts."""
    jar = {"value": None}
    monkeypatch.setattr(access, "browser_cookie", lambda: jar["value"])
    return jar


def login_rows(path) -> list[tuple]:
    con = dp.connect(path, read_only=True)
    try:
        return con.execute("SELECT logged_at, role, actor, action, detail FROM audit_log WHERE action LIKE '登录%' "
                           "ORDER BY rowid").fetchall()
    finally:
        con.close()


def try_login(at, name: str, passcode: str):
    go(at, "pages/login.py")
    return submit(at, name, passcode)


def submit(at, name: str, passcode: str):
    """Fill in and send the login form the session shows."""
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_passcode").input(passcode)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def role_line(at) -> str:
    return [c.value for c in at.caption if c.value.startswith("当前身份")][-1]


def cookie_scripts(at) -> list[str]:
    return [h.proto.body for h in at.html if 'data-chrome="login"' in h.proto.body]


def token_in(script: str) -> str:
    return re.search(rf"{access.COOKIE}=([^;]*);", script).group(1)


# ---------------------------------------------------------------- the lock rule


@pytest.mark.parametrize("minutes, now, until", [
    ([0, 1, 2, 3], 4, None),                           # four wrong passcodes: no lock
    ([0, 1, 2, 3, 5], 5, 15),                          # the fifth within 10 minutes locks for 10 minutes
    ([0, 1, 2, 3, 5], 14.9, 15),
    ([0, 1, 2, 3, 5], 15, None),                       # and then it is over
    ([0, 3, 6, 9, 10], 10, None),                      # five, but over exactly 10 minutes: no lock
    ([0, 3, 6, 9, 9.9], 10, 19.9),
    ([0, 1, 2, 3, 5, 16, 17, 18, 19], 19, None),      # after a lock, five new ones are needed
    ([0, 1, 2, 3, 5, 16, 17, 18, 19, 20], 20, 30),
])
def test_five_wrong_passcodes_within_ten_minutes_lock_for_ten_minutes(minutes, now, until):
    at = [T0 + m * MIN for m in minutes]
    assert audit.lock_until(at, T0 + now * MIN) == (None if until is None else T0 + until * MIN)


def test_the_lock_message_says_until_when():
    assert audit.locked_message(T0 + 15 * MIN) == LOCKED_UNTIL_0915
    # a lock ending within a minute is rounded up, so trying at the time given works
    assert audit.locked_message(T0 + 14 * MIN + dt.timedelta(seconds=1)).endswith("请于09:15以后再试。")


# ---------------------------------------------------------------- the lock in the app


def test_wrong_passcodes_from_several_sessions_lock_the_office_login(monkeypatch, db, clock):
    first, second = run_app(monkeypatch, db), run_app(monkeypatch, db)
    for i, at in enumerate([first, first, first, second]):
        clock.now = T0 + i * MIN
        try_login(at, f"猜测者{i}", f"猜{i}")
        assert [shown(e) for e in at.error] == ["口令不正确。"]
    clock.now = T0 + 5 * MIN
    try_login(second, "猜测者4", "猜4")
    assert [shown(e) for e in second.error] == ["口令不正确。" + LOCKED_UNTIL_0915]
    # Now even the right passcode is refused, without being checked, in a session that
    # still shows the form ...
    clock.now = T0 + 6 * MIN
    submit(first, "王主任", OFFICE_PASSCODE)
    assert [shown(e) for e in first.error] == [LOCKED_UNTIL_0915]
    assert role_line(first) == "当前身份：领导（只读）" and not first.file_uploader
    # ... and a new one says so before anything is typed.
    fresh = run_app(monkeypatch, db)
    go(fresh, "pages/login.py")
    assert [shown(e) for e in fresh.error] == [LOCKED_UNTIL_0915]
    assert login_rows(db) == [
        *[(T0 + i * MIN, "未登录", f"猜测者{i}", "登录失败", "创城办登录：口令错误") for i in range(4)],
        (T0 + 5 * MIN, "未登录", "猜测者4", "登录失败", "创城办登录：口令错误"),
        (T0 + 6 * MIN, "未登录", "王主任", "登录被锁定", "创城办登录：登录已暂停，未核对口令"),
    ]
    con = dp.connect(db, read_only=True)
    try:
        logged = " ".join(str(v) for row in con.execute("SELECT * FROM audit_log").fetchall() for v in row)
    finally:
        con.close()
    assert OFFICE_PASSCODE not in logged and "猜4" not in logged   # passcodes are never written down
    # Ten minutes after the fifth wrong passcode the office logs in again.
    clock.now = T0 + 15 * MIN
    login(fresh)
    assert role_line(fresh) == "当前身份：创城办（王主任）"


def test_wrong_viewer_passcodes_count_towards_the_same_lock(monkeypatch, db, clock):
    """The viewer gate also accepts the office passcode, so its wrong entries are guesses
    of the office passcode too."""
    at = run_app(monkeypatch, db, viewer_passcode="看板2026")
    for i in range(5):
        clock.now = T0 + i * MIN
        at.text_input[0].input(f"不对{i}")
        at.button[0].click().run()
    assert [shown(e) for e in at.error] == ["口令不正确。" + audit.locked_message(T0 + 14 * MIN)]
    at.run()
    assert [shown(e) for e in at.error] == [audit.locked_message(T0 + 14 * MIN)]
    assert [r[3:] for r in login_rows(db)] == [("登录失败", "查看口令：口令错误")] * 5
    office = run_app(monkeypatch, db, viewer_passcode="看板2026")
    assert [shown(e) for e in office.error] == [audit.locked_message(T0 + 14 * MIN)]
    clock.now = T0 + 14 * MIN
    office.run()
    office.text_input[0].input(OFFICE_PASSCODE)      # the office passcode opens the gate
    office.button[0].click().run()
    assert [m.label for m in office.metric][:1] == ["交办总数"]


# ---------------------------------------------------------------- the token


def logged_in_with_token(monkeypatch, db, cookie) -> tuple:
    at = login(run_app(monkeypatch, db))
    scripts = cookie_scripts(at)
    expires = formatdate((access.clock() + dt.timedelta(hours=10)).timestamp(), usegmt=True)
    assert len(scripts) == 1 and f"; Path=/; Expires={expires}; SameSite=Strict" in scripts[0]
    return at, token_in(scripts[0])


def test_a_reload_keeps_the_office_logged_in(monkeypatch, db, clock, cookie):
    at, token = logged_in_with_token(monkeypatch, db, cookie)
    assert token == at.session_state["_token"].text and OFFICE_PASSCODE not in token
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert (claims["r"], claims["n"], claims["e"] - claims["i"]) == ("office", "王主任", 10 * 3600)
    # F5: a new session whose request carries the cookie.
    cookie["value"] = token
    clock.now = T0 + dt.timedelta(hours=9, minutes=59)
    reloaded = go(run_app(monkeypatch, db), "pages/upload.py")
    assert role_line(reloaded) == "当前身份：创城办（王主任）" and reloaded.file_uploader
    assert cookie_scripts(reloaded) == []         # the browser already holds it
    # Without the cookie a new session is a leader's.
    cookie["value"] = None
    assert role_line(run_app(monkeypatch, db)) == "当前身份：领导（只读）"


def _forged(token: str, **changes) -> str:
    version, body, mac = token.split(".")
    claims = {**json.loads(base64.urlsafe_b64decode(body + "==")), **changes}
    return ".".join([version, base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode(), mac])


@pytest.mark.parametrize("case", ["expired", "another name", "longer life", "bad signature", "garbage",
                                  "passcode changed", "viewer token for the office"])
def test_expired_tampered_or_rekeyed_tokens_are_ignored(monkeypatch, db, clock, cookie, case):
    _, token = logged_in_with_token(monkeypatch, db, cookie)
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    if case == "expired":
        clock.now = T0 + dt.timedelta(hours=10)
    elif case == "another name":
        token = _forged(token, n="李四")
    elif case == "longer life":
        token = _forged(token, e=claims["e"] + 3600)
    elif case == "bad signature":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif case == "garbage":
        token = "v1.!!!.###"
    elif case == "passcode changed":
        monkeypatch.setenv("CAMPAIGN_OFFICE_PASSCODE", "新口令-2027")
    elif case == "viewer token for the office":
        token = _forged(token, r="viewer")
    cookie["value"] = token
    at = run_app(monkeypatch, db, office_passcode="新口令-2027" if case == "passcode changed" else OFFICE_PASSCODE)
    assert role_line(at) == "当前身份：领导（只读）"
    assert len(cookie_scripts(at)) == 1 and "Max-Age=0" in cookie_scripts(at)[0]   # the stale cookie is cleared


def test_logout_ends_the_login_and_revokes_its_token(monkeypatch, db, clock, cookie):
    at, token = logged_in_with_token(monkeypatch, db, cookie)
    at.button(key="logout").click().run()
    assert role_line(at) == "当前身份：领导（只读）" and not at.file_uploader
    assert ["Max-Age=0" in s for s in cookie_scripts(at)] == [True]     # the cookie this session set is cleared
    # A copy of the token (another tab, a copied cookie) no longer works.
    cookie["value"] = token
    other = run_app(monkeypatch, db)
    assert role_line(other) == "当前身份：领导（只读）"
    assert cookie_scripts(other) == [f'<script data-chrome="login">document.cookie = '
                                     f'"{access.COOKIE}=; Path=/; Max-Age=0; SameSite=Strict" + '
                                     '(location.protocol === "https:" ? "; Secure" : "");</script>']
    con = dp.connect(db, read_only=True)
    try:
        assert audit.revoked_tokens(con, clock.now) == {at_token_id(token)}
        assert audit.revoked_tokens(con, T0 + dt.timedelta(hours=10)) == set()   # kept only while it could be used
    finally:
        con.close()
    # Logging in again gives a new token that works.
    again = login(run_app(monkeypatch, db))
    cookie["value"] = token_in(cookie_scripts(again)[0])
    assert role_line(run_app(monkeypatch, db)) == "当前身份：创城办（王主任）"


def at_token_id(token: str) -> str:
    return json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))["j"]


def test_a_restored_session_logs_out_for_good(monkeypatch, db, clock, cookie):
    """After a reload the session was opened by the cookie; 退出登录 must not be undone by
    the same cookie on the next run."""
    _, token = logged_in_with_token(monkeypatch, db, cookie)
    cookie["value"] = token
    at = run_app(monkeypatch, db)
    assert role_line(at) == "当前身份：创城办（王主任）"
    at.button(key="logout").click().run()
    at.run()
    assert role_line(at) == "当前身份：领导（只读）"
    assert ["Max-Age=0" in s for s in cookie_scripts(at)] == [True]


# ---------------------------------------------------------------- uploads and previews


class FakeRuntime:
    """The two things ``sessions.install`` wraps, with Streamlit's real upload manager."""

    def __init__(self):
        self.live: set[str] = set()
        self.uploaded_file_mgr = MemoryUploadedFileManager("/_stcore/upload_file")
        self._session_mgr = self

    def is_active_session(self, sid: str) -> bool:
        return sid in self.live

    def get_session_info(self, sid: str):
        return object() if sid in self.live else None


def rec(file_id: str, size: int) -> UploadedFileRec:
    return UploadedFileRec(file_id, f"{file_id}.xlsx", "application/octet-stream", b"x" * size)


def test_only_office_sessions_may_upload_and_ended_sessions_are_swept():
    rt = FakeRuntime()
    rt.live |= {"leader", "office"}
    sessions.install(rt)
    sessions.install(rt)                                  # once is enough
    sessions.track(True, "office", rt)
    assert not rt.is_active_session("leader") and rt.is_active_session("office")
    rt.uploaded_file_mgr.add_file("leader", rec("a", 1000))
    rt.uploaded_file_mgr.add_file("office", rec("b", 2000))
    assert {sid: [len(f.data) for f in files.values()]
            for sid, files in rt.uploaded_file_mgr.file_storage.items()} == {"office": [2000]}
    sessions.track(False, "office", rt)                   # logged out
    assert not rt.is_active_session("office")
    # The session ends without Streamlit freeing its files (expired reconnect storage).
    sessions.track(True, "office", rt)
    rt.live.discard("office")
    sessions.sweep(rt)
    assert dict(rt.uploaded_file_mgr.file_storage) == {} and not sessions.is_office_session("office", rt)


def test_leaving_the_upload_page_frees_the_previews(monkeypatch, db, clock, cookie, tmp_path):
    from tests import ledgers as L
    at = login(run_app(monkeypatch, db))
    data = L.write_xlsx(tmp_path / "周报.xlsx", L.standard_rows(), L.STANDARD_MERGES).read_bytes()
    at.file_uploader[0].upload("周报.xlsx", data).run()
    assert [b.label for b in at.button if b.label == "确认导入"] == ["确认导入"]
    held = at.session_state[sessions.UPLOADS_KEY]
    assert [u.name for u in held.values()] == ["周报.xlsx"] and next(iter(held.values())).parsed is not None
    go(at, "pages/overview.py")
    assert sessions.UPLOADS_KEY not in at.session_state
    go(at, "pages/upload.py")
    assert [b.label for b in at.button if b.label == "确认导入"] == []


def test_logout_frees_the_previews(monkeypatch, db, clock, cookie, tmp_path):
    from tests import ledgers as L
    at = login(run_app(monkeypatch, db))
    data = L.write_xlsx(tmp_path / "周报.xlsx", L.standard_rows(), L.STANDARD_MERGES).read_bytes()
    at.file_uploader[0].upload("周报.xlsx", data).run()
    assert sessions.UPLOADS_KEY in at.session_state
    at.button(key="logout").click().run()
    assert sessions.UPLOADS_KEY not in at.session_state


def test_a_file_over_the_limit_is_refused_by_its_size_before_its_bytes_are_read(monkeypatch, db, clock, cookie):
    at = login(run_app(monkeypatch, db))
    before = st_config.get_option("server.maxUploadSize")
    st_config.set_option("server.maxUploadSize", 1)
    try:
        for method in ("getvalue", "read", "getbuffer"):
            monkeypatch.setattr(UploadedFile, method, lambda self, *a: pytest.fail("read a file over the limit"))
        at.file_uploader[0].upload("大文件.xlsx", b"PK\x03\x04" + b"\x00" * (1536 * 1024)).run()
        assert not at.exception, [e.value for e in at.exception]
        assert [shown(e) for e in at.error] == ["文件“大文件.xlsx”：文件大小1.5MB，超过上限1MB，未导入"]
    finally:
        st_config.set_option("server.maxUploadSize", before)


def test_the_viewer_passcode_is_asked_once_per_working_day(monkeypatch, db, clock, cookie):
    at = run_app(monkeypatch, db, viewer_passcode="看板2026")
    at.text_input[0].input("看板2026")
    at.button[0].click().run()
    assert [m.label for m in at.metric][:1] == ["交办总数"]
    cookie["value"] = token_in(cookie_scripts(at)[0])
    reloaded = run_app(monkeypatch, db, viewer_passcode="看板2026")
    assert [m.label for m in reloaded.metric][:1] == ["交办总数"]
    assert role_line(reloaded) == "当前身份：领导（只读）"
    # A new viewer passcode makes every earlier token worthless.
    changed = run_app(monkeypatch, db, viewer_passcode="看板2027")
    assert [t.value for t in changed.title] == ["创城进度看板"] and not changed.metric
