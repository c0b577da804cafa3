"""Helpers of the browser tests (``tests/test_browser*.py``): the dashboard served by a
real ``streamlit run app.py`` on a free localhost port, driven with Playwright through
Debian's Chromium (``/usr/bin/chromium``; never ``playwright install``).

Rules:
- Without Chromium a browser test skips with the reason ``NO_CHROMIUM``; in CI
  (``CI=true``) that is a failure (``conftest.require``). The fixtures below check it
  before starting anything; a test that starts its own server checks it with
  ``require_chromium()``.
- Pages are opened in a fresh browser context: ``zh-CN``, downloads accepted, the
  viewport given (default 1440x1000).
- A request "leaves the server" when its host or port differs from the server URL's
  (websockets included); ``data:``, ``blob:`` and ``about:`` URLs are the page's own.

A new browser test file uses them so::

    import pytest
    from tests.browserhelp import chromium, served  # noqa: F401  (module-scoped fixtures)
    from tests.browserhelp import open_page, settle, main_text, streamlit_server

    pytestmark = pytest.mark.browser

    def test_on_the_sample(chromium, served):          # served: URL of the sample campaign
        with open_page(chromium, served, 1280, 720) as (page, foreign):
            settle(page, "各工作组亮牌情况")
            assert foreign == []

    def test_on_a_database_of_its_own(chromium, tmp_path):
        db = ...                                        # build it with data_pipeline
        with streamlit_server(db, tmp_path, CAMPAIGN_NO_SAMPLE="1") as url:
            with open_page(chromium, url) as (page, foreign):
                ...
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import ROOT, require

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
NO_CHROMIUM = "没有安装 Chromium（Debian: apt-get install chromium），跳过浏览器端到端测试"
SHOTS = ROOT / "test-output" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
OFFICE_PASSCODE = "创城-浏览器-2026"
OWN_SCHEMES = ("data", "blob", "about")


def require_chromium() -> None:
    """Skip (fail in CI) when Chromium is not installed."""
    require(CHROMIUM is not None, NO_CHROMIUM)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(db: Path, folder: Path, **env_extra):
    """``streamlit run app.py`` on a free port against ``db``; yields its URL. ``env_extra``:
    environment variables for the server (``CAMPAIGN_OFFICE_PASSCODE``,
    ``CAMPAIGN_NO_SAMPLE``; without the latter the sample may be loaded). Its log goes to
    ``folder``; a traceback in it fails the test."""
    port = free_port()
    log_path = folder / f"streamlit_{port}.log"
    env = {**os.environ, "CAMPAIGN_DB": str(db), "PYTHONPATH": str(ROOT), **env_extra}
    if "CAMPAIGN_NO_SAMPLE" not in env_extra:
        env.pop("CAMPAIGN_NO_SAMPLE", None)
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.headless", "true", "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                        break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not start: {log_path.read_text()}")
                time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
    assert "Traceback" not in log_path.read_text()


@contextlib.contextmanager
def launch_chromium():
    """A headless Chromium (skips without it, fails in CI); closed on leaving."""
    require_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium for the module's tests."""
    with launch_chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def served(sample_db, tmp_path_factory):
    """The URL of a server, for the module's tests, on a copy of the sample campaign, with
    the office passcode ``OFFICE_PASSCODE``."""
    require_chromium()
    folder = tmp_path_factory.mktemp("served")
    db = folder / "campaign.duckdb"
    shutil.copy(sample_db, db)
    with streamlit_server(db, folder, CAMPAIGN_OFFICE_PASSCODE=OFFICE_PASSCODE) as url:
        yield url


def new_context(browser, width: int = 1440, height: int = 1000):
    """A fresh browser context (no cookies) at a ``width`` x ``height`` viewport."""
    return browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN", accept_downloads=True)


def record_foreign(page, url: str) -> list[str]:
    """The list of every request ``page`` makes from now on that leaves ``url``'s server
    (see the module rules); it grows while the page runs."""
    origin = urlparse(url)
    foreign: list[str] = []

    def record(address: str) -> None:
        u = urlparse(address)
        if u.scheme not in OWN_SCHEMES and (u.hostname, u.port) != (origin.hostname, origin.port):
            foreign.append(address)

    page.on("request", lambda request: record(request.url))
    page.on("websocket", lambda ws: record(ws.url))
    return foreign


@contextlib.contextmanager
def open_page(browser, url: str, width: int = 1440, height: int = 1000):
    """``url`` opened in a fresh context at ``width`` x ``height``; yields ``(page,
    foreign)``, ``foreign`` as ``record_foreign`` (recorded from before the first
    request). The context is closed on leaving."""
    context = new_context(browser, width, height)
    try:
        page = context.new_page()
        foreign = record_foreign(page, url)
        page.goto(url)
        yield page, foreign
    finally:
        context.close()


def settle(tab, text) -> None:
    """Wait until ``text`` (or a locator) is shown and the script run and charts are done."""
    (tab.get_by_text(text) if isinstance(text, str) else text).first.wait_for(timeout=60_000)
    tab.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    tab.wait_for_timeout(1500)


def main_text(tab) -> str:
    return tab.locator('[data-testid="stMain"]').inner_text()


def login(tab, name: str, passcode: str = OFFICE_PASSCODE) -> None:
    """Log in on 创城办登录 as ``name``; the app then opens 数据上传."""
    tab.get_by_role("link", name="创城办登录", exact=True).click()
    settle(tab, "创城办口令")
    tab.get_by_role("textbox", name="您的姓名", exact=True).fill(name)
    tab.get_by_role("textbox", name="创城办口令", exact=True).fill(passcode)
    tab.get_by_role("button", name="登录").click()
    settle(tab, "选择台账文件")
    assert main_text(tab).startswith("数据上传")
    assert f"当前身份：创城办（{name}）" in tab.locator('[data-testid="stSidebar"]').inner_text()
