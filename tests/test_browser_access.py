"""Access and sessions in a real browser against a real ``streamlit run``:

- every page URL works on the first request to a new server, with no dialog; an office
  page's URL opens 创城办登录 for anyone else and, after the log-in, the page asked for;
  a page file's name (``/upload``) or an unknown path opens 总览;
- a reload (F5) keeps the office logged in; 退出登录 ends it, clears the cookie, and a
  copy of the old cookie no longer logs anyone in;
- a leader's session cannot send a file to Streamlit's upload endpoint (HTTP PUT with
  the session id the server gave the page), an office session can, and loses it on
  logging out;
- 上传记录's original file is not reachable without an office session, and its download
  URL stops working once the office moves on.

Uses the server and browser helpers of ``browserhelp``; skips locally without
Chromium, required in CI.
"""
from __future__ import annotations

import datetime as dt
import http.client
import re
import shutil
import urllib.request
import uuid
from urllib.parse import urlparse

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests import ledgers as L

from tests.browserhelp import chromium, served  # noqa: F401  (module-scoped fixtures)
from tests.browserhelp import OFFICE_PASSCODE, login, main_text, new_context, settle, streamlit_server

pytestmark = pytest.mark.browser

OFFICE_URLS = {"/shangchuan": ("数据上传", "选择台账文件"), "/jilu": ("上传记录", "查看或删除一个批次"),
               "/shezhi": ("设置", "工作组显示顺序"), "/rizhi": ("操作日志", "操作类型")}
# path -> (title the page starts with, a text it shows once drawn, path the address bar keeps)
FIRST_REQUESTS = {
    "/zonglan": ("总览", "各工作组亮牌情况", "/"),
    "/gongzuozu": ("工作组", "分类统计", "/gongzuozu"),
    "/duban": ("超期督办", "临期问题", "/duban"),
    "/qushi": ("阶段趋势", "分阶段统计", "/qushi"),
    "/denglu": ("创城办登录", "创城办口令", "/denglu"),
    **{path: ("创城办登录", "创城办口令", path) for path in OFFICE_URLS},
    "/upload": ("总览", "各工作组亮牌情况", "/"),         # a page file's name: never that page without the router
}
LATIN = re.compile(r"[A-Za-z]{2,}")


class Tab:
    """A browser context and its page, with the session ids the server sent it."""

    def __init__(self, chromium, url: str):
        self.url = url
        self.context = new_context(chromium)
        self.page = self.context.new_page()
        self.session_ids: list[str] = []
        self.page.on("websocket", self._watch)

    def _watch(self, ws) -> None:
        def frame(payload):
            if isinstance(payload, (bytes, bytearray)):
                try:
                    msg = ForwardMsg.FromString(bytes(payload))
                except Exception:
                    return
                if msg.WhichOneof("type") == "new_session":
                    self.session_ids.append(msg.new_session.initialize.session_id)
        ws.on("framereceived", frame)

    def cookie(self, name: str) -> str | None:
        return next((c["value"] for c in self.context.cookies() if c["name"] == name), None)

    def put_file(self, size: int) -> int:
        """PUT a file of ``size`` bytes to the upload endpoint for this tab's session, as
        the file uploader would (multipart body, the tab's XSRF cookie and header);
        returns the HTTP status."""
        sid, xsrf = self.session_ids[-1], self.cookie("_streamlit_xsrf") or ""
        boundary = uuid.uuid4().hex
        body = b"".join([f"--{boundary}\r\n".encode(),
                         'Content-Disposition: form-data; name="file"; filename="ledger.xlsx"\r\n'.encode(),
                         b"Content-Type: application/octet-stream\r\n\r\n", b"P" * size,
                         f"\r\n--{boundary}--\r\n".encode()])
        host = urlparse(self.url)
        con = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
        try:
            con.request("PUT", f"/_stcore/upload_file/{sid}/{uuid.uuid4()}", body=body, headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}", "X-Xsrftoken": xsrf,
                "Cookie": f"_streamlit_xsrf={xsrf}", "Origin": self.url})
            return con.getresponse().status
        finally:
            con.close()

    def close(self) -> None:
        self.context.close()


def role_line(page) -> str:
    return page.locator('[data-testid="stSidebar"]').get_by_text(re.compile("^当前身份")).inner_text()


def dialogs(page) -> list[str]:
    return page.locator('[role="dialog"]').all_inner_texts()


def log_in_here(page, name: str) -> None:
    """Fill in 创城办登录 where it is shown (``browserhelp.login`` clicks its link first)."""
    page.get_by_role("textbox", name="您的姓名", exact=True).fill(name)
    page.get_by_role("textbox", name="创城办口令", exact=True).fill(OFFICE_PASSCODE)
    page.get_by_role("button", name="登录").click()


# ---------------------------------------------------------------- URLs


@pytest.mark.parametrize("path", list(FIRST_REQUESTS))
def test_every_url_works_on_the_first_request_to_a_new_server(chromium, sample_db, tmp_path, path):
    title, marker, shown_path = FIRST_REQUESTS[path]
    db = tmp_path / "campaign.duckdb"
    shutil.copy(sample_db, db)
    with streamlit_server(db, tmp_path, CAMPAIGN_OFFICE_PASSCODE=OFFICE_PASSCODE) as url:
        tab = Tab(chromium, url)
        try:
            tab.page.goto(url + path)
            settle(tab.page, marker)
            assert main_text(tab.page).startswith(title), main_text(tab.page)[:80]
            assert dialogs(tab.page) == []
            assert tab.page.url == url + shown_path
            if path == "/upload":
                assert tab.page.locator('[data-testid="stFileUploader"]').count() == 0
            if path in OFFICE_URLS:
                page_title, page_marker = OFFICE_URLS[path]
                assert f"“{page_title}”页仅供创城办使用，登录后打开。" in main_text(tab.page)
                assert role_line(tab.page) == "当前身份：领导（只读）"
                log_in_here(tab.page, "王主任")
                settle(tab.page, page_marker)
                assert main_text(tab.page).startswith(page_title) and tab.page.url == url + path
                assert role_line(tab.page) == "当前身份：创城办（王主任）"
                assert dialogs(tab.page) == []
        finally:
            tab.close()


def test_an_unknown_path_opens_the_overview_with_a_chinese_notice(chromium, served):
    tab = Tab(chromium, served)
    try:
        tab.page.goto(served + "/no-such-page")
        settle(tab.page, "各工作组亮牌情况")
        assert main_text(tab.page).startswith("总览")
        notices = dialogs(tab.page)
        assert notices and all(not LATIN.search(text) for text in notices), notices
    finally:
        tab.close()


# ---------------------------------------------------------------- reload and logout


def test_a_reload_keeps_the_office_logged_in_and_logout_ends_it(chromium, served):
    tab = Tab(chromium, served)
    try:
        tab.page.goto(served)
        settle(tab.page, "各工作组亮牌情况")
        login(tab.page, "王主任")
        token = tab.cookie("campaign_login")
        assert token and OFFICE_PASSCODE not in token
        for _ in range(2):   # F5 on 数据上传, twice
            tab.page.reload()
            settle(tab.page, "选择台账文件")
            assert main_text(tab.page).startswith("数据上传")
            assert role_line(tab.page) == "当前身份：创城办（王主任）"
        tab.page.get_by_role("link", name="设置", exact=True).click()
        settle(tab.page, "工作组显示顺序")
        tab.page.get_by_role("button", name=re.compile("退出登录")).click()
        settle(tab.page, "创城办口令")        # /shezhi now asks for the log-in again
        assert role_line(tab.page) == "当前身份：领导（只读）"
        tab.page.wait_for_function("() => !document.cookie.includes('campaign_login=')", timeout=30_000)
        assert tab.cookie("campaign_login") is None
        tab.page.reload()
        settle(tab.page, "创城办口令")
        assert role_line(tab.page) == "当前身份：领导（只读）"
        assert tab.page.get_by_role("link", name="上传记录", exact=True).count() == 0
    finally:
        tab.close()
    # A copy of the token taken before 退出登录 logs nobody in.
    thief = Tab(chromium, served)
    try:
        host = re.match(r"https?://([^:/]+)", served).group(1)
        thief.context.add_cookies([{"name": "campaign_login", "value": token, "domain": host, "path": "/"}])
        thief.page.goto(served + "/shangchuan")
        settle(thief.page, "创城办口令")
        assert role_line(thief.page) == "当前身份：领导（只读）"
        assert thief.page.locator('[data-testid="stFileUploader"]').count() == 0
    finally:
        thief.close()


# ---------------------------------------------------------------- the upload endpoint


def test_only_an_office_session_can_send_files_to_the_upload_endpoint(chromium, served):
    leader, office = Tab(chromium, served), Tab(chromium, served)
    try:
        for tab in (leader, office):
            tab.page.goto(served)
            settle(tab.page, "各工作组亮牌情况")
            assert tab.session_ids, "the server sent no session id"
        for _ in range(5):                    # today: 5 x 40 MB accepted and kept in memory
            assert leader.put_file(40 * 1024 * 1024) == 400
        login(office.page, "王主任")
        assert office.put_file(1024) == 204    # the same request from the office's session is taken
        assert leader.put_file(1024) == 400
        office.page.get_by_role("button", name=re.compile("退出登录")).click()
        settle(office.page, "创城办口令")
        assert office.put_file(1024) == 400    # and refused once it has logged out
    finally:
        leader.close()
        office.close()


# ---------------------------------------------------------------- original files


def test_original_files_are_reachable_only_through_an_office_session(chromium, served):
    leader = Tab(chromium, served)
    try:
        leader.page.goto(served + "/jilu")
        settle(leader.page, "创城办口令")
        assert leader.page.get_by_text("下载原始文件").count() == 0
    finally:
        leader.close()
    office = Tab(chromium, served)
    try:
        office.page.goto(served + "/jilu")
        settle(office.page, "创城办口令")
        log_in_here(office.page, "王主任")
        settle(office.page, "查看或删除一个批次")
        office.page.locator('[data-testid="stSelectbox"]').filter(has_text="查看或删除一个批次").locator("input").click()
        office.page.get_by_role("option").first.click()
        settle(office.page, "下载原始文件")
        with office.page.expect_download() as info:
            office.page.get_by_role("button", name=re.compile("下载原始文件")).click()
        media = info.value.url
        assert "/media/" in media and info.value.path().stat().st_size > 1000
        for link, marker in (("总览", "各工作组亮牌情况"), ("上传记录", "查看或删除一个批次")):
            office.page.get_by_role("link", name=link, exact=True).click()
            settle(office.page, marker)
    finally:
        office.close()
    outsider = Tab(chromium, served)
    try:
        assert outsider.page.request.get(media).status == 404
    finally:
        outsider.close()


# ---------------------------------------------------------------- previews


def uploaded_bytes(url: str) -> int:
    """What Streamlit's uploaded-file manager holds, from the server's own metrics."""
    text = urllib.request.urlopen(url + "/_stcore/metrics", timeout=10).read().decode()
    return sum(int(float(m.group(1))) for m in re.finditer(r'UploadedFileManager[^}]*}\s+(\S+)', text))


def test_leaving_the_upload_page_frees_the_uploaded_file(chromium, served, tmp_path):
    ledger = L.write_xlsx(tmp_path / "新台账.xlsx", L.flat_rows(
        ["问题编号", "问题描述", "责任单位", "整改时限", "整改情况"],
        [[f"XN-{i:03d}", f"新发现的问题{i}", "市容环境组", dt.date(2026, 12, 10), "未整改"] for i in range(200)],
        "填报日期：2026年12月4日"))
    tab = Tab(chromium, served)
    try:
        tab.page.goto(served)
        settle(tab.page, "各工作组亮牌情况")
        login(tab.page, "王主任")
        tab.page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(ledger))
        settle(tab.page, tab.page.get_by_role("button").filter(has_text="确认导入"))
        assert uploaded_bytes(served) >= ledger.stat().st_size
        tab.page.get_by_role("link", name="总览", exact=True).click()
        settle(tab.page, "各工作组亮牌情况")
        deadline = 60
        while uploaded_bytes(served) and deadline:   # the metrics are cached for a moment
            tab.page.wait_for_timeout(1000)
            deadline -= 1
        assert uploaded_bytes(served) == 0
        tab.page.get_by_role("link", name="数据上传", exact=True).click()
        settle(tab.page, "选择台账文件")
        assert tab.page.get_by_role("button").filter(has_text="确认导入").count() == 0
    finally:
        tab.close()
