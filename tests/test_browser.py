"""End to end in a real browser: ``streamlit run app.py`` on a free localhost port against
a copy of the sample database, driven with Playwright through Debian's Chromium
(``/usr/bin/chromium``; never ``playwright install``). Visits every page, checks key
Chinese texts and the KPI numbers (= ``data_pipeline.summary``), downloads the 督办单,
ingests a ledger from the CLI while serving, and saves a full-page screenshot of each
page to ``test-output/screenshots/<page>.png``. The office pages are reached by logging in
on 创城办登录 (the passcode is ``OFFICE_PASSCODE``); one test uploads a sample ledger
through 数据上传 and checks that the overview's KPI cards move by exactly what the library
computes.

Server, browser and log-in helpers: ``tests.browserhelp``. Skips locally when Chromium
is missing; in CI (``CI=true``) that is a failure.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

import data_pipeline as dp
from data_pipeline import labels
from tests import ledgers as L
from data_pipeline.audit import ROLE_OFFICE, UPLOAD
from data_pipeline.sample import sample_files
from tests.browserhelp import (OFFICE_PASSCODE, SHOTS, launch_chromium, login, main_text, new_context,
                               require_chromium, settle, streamlit_server)

from tests.conftest import ROOT

pytestmark = pytest.mark.browser

# (file name of the screenshot, link in the sidebar, a text the page shows once drawn);
# 设置 is listed only for the logged-in office.
PAGES = [("overview", "总览", "各工作组亮牌情况"), ("group", "工作组", "分类统计"), ("overdue", "超期督办", "临期问题"),
         ("trend", "阶段趋势", "分阶段统计")]
OFFICE_PAGES = [("settings", "设置", "工作组显示顺序")]
KPI_LABELS = ["交办总数", "已整改", "整改率", "超期", "临期", "按期整改率"]
COUNT_KEYS = ["items", "done", "overdue", "due_soon"]
RAW_NAMES = ("group_name", "completion_rate", "on_time_rate", "days_overdue", "status_label", "item_id", "None",
             "NaN", "Choose an option", "Traceback", "Error")


@pytest.fixture(scope="module")
def server(sample_db, tmp_path_factory):
    require_chromium()
    folder = tmp_path_factory.mktemp("browser")
    db = folder / "campaign.duckdb"
    shutil.copy(sample_db, db)
    with streamlit_server(db, folder, CAMPAIGN_OFFICE_PASSCODE=OFFICE_PASSCODE) as url:
        yield {"url": url, "db": db, "folder": folder}


@pytest.fixture(scope="module")
def browser(server):
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture
def page(browser, server):
    context = new_context(browser)
    tab = context.new_page()
    tab.goto(server["url"])
    tab.get_by_text("交办总数").first.wait_for(timeout=60_000)
    yield tab
    context.close()


def kpis(tab) -> list[str]:
    return [t.strip() for t in tab.locator('[data-testid="stMetricValue"]').all_inner_texts()]


def screenshot(tab, name: str) -> Path:
    """The whole page: the main area scrolls inside the window, so the window grows
    to its height first."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = tab.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    tab.set_viewport_size({"width": 1440, "height": max(1000, int(height))})
    tab.wait_for_timeout(1000)
    path = SHOTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    tab.set_viewport_size({"width": 1440, "height": 1000})
    return path


def metrics(tab) -> list[tuple[str, str]]:
    """(label, value) of every ``st.metric`` on the page, in order."""
    return [tuple(pair) for pair in tab.evaluate("""() => Array.from(
        document.querySelectorAll('[data-testid="stMetric"]'), m => [
            (m.querySelector('[data-testid="stMetricLabel"]')?.innerText ?? '').trim(),
            (m.querySelector('[data-testid="stMetricValue"]')?.innerText ?? '').trim()])""")]


def card_texts(totals: dict) -> list[str]:
    """The six KPI cards as the overview shows them (``dashboard.widgets.kpi_row``)."""
    pct = lambda r: labels.NONE if r is None else f"{r * 100:.1f}%"  # noqa: E731
    return [f"{totals['items']:,}", f"{totals['done']:,}", pct(totals['completion_rate']),
            f"{totals['overdue']:,}", f"{totals['due_soon']:,}", pct(totals['on_time_rate'])]


def totals(db, as_of=None, groups=None, categories=None) -> dict:
    con = dp.connect(db, read_only=True)
    try:
        return dp.summary(con, as_of, filters=dp.Filters.of(groups, categories))["totals"]
    finally:
        con.close()


def expected(db, as_of=None, **kw) -> list[str]:
    return card_texts(totals(db, as_of, **kw))


def wait_for_cards(tab, want: list[str], timeout: float = 60) -> list[tuple[str, str]]:
    """The KPI cards once they show ``want`` (Streamlit redraws asynchronously; stale
    elements of the previous run may linger for a moment); on timeout what they show."""
    deadline = time.monotonic() + timeout
    while True:
        shown = metrics(tab)
        if shown == list(zip(KPI_LABELS, want)) or time.monotonic() > deadline:
            return shown
        tab.wait_for_timeout(300)


def test_every_page(page, server):
    assert page.get_by_role("link", name="设置", exact=True).count() == 0   # office only
    for name, link, marker in PAGES + OFFICE_PAGES:
        if (name, link, marker) == OFFICE_PAGES[0]:
            login(page, "王主任")
        page.get_by_role("link", name=link, exact=True).click()
        settle(page, marker)
        text = main_text(page)
        assert text.startswith(link), name
        assert "示例数据" in text and "截至2026年11月27日" in text, name
        for raw in RAW_NAMES:
            assert raw not in text, (name, raw)
        assert page.locator('[data-testid="stException"]').count() == 0, name
        if name == "overview":
            assert kpis(page) == expected(server["db"]) == ["467", "404", "86.5%", "45", "3", "45.5%"]
            assert "超期问题45项" in text and "拖得最久的已超期92天" in text
            assert "评估阶段已于11月1日开始" in text and "还需整改17项" in text
            assert page.locator(".js-plotly-plot").count() == 1
        elif name == "group":
            assert kpis(page) == expected(server["db"], groups=["工地围挡绿化整改组"])
            assert page.locator(".js-plotly-plot").count() == 4
        elif name == "overdue":
            assert "超期问题（45项）" in text and "临期问题（3项）" in text
        elif name == "trend":
            assert page.locator(".js-plotly-plot").count() == 3
            plot = page.locator(".js-plotly-plot").first.inner_text()
            assert "准备阶段" in plot and "实施阶段" in plot and "评估阶段" in plot and "11月27日" in plot
        elif name == "settings":
            assert "保存设置" in text
        assert screenshot(page, name).stat().st_size > 20_000


def test_as_of_date_and_filter_persist_across_pages(page, server):
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name="2026年10月2日").click()
    settle(page, "截至2026年10月2日")
    assert kpis(page) == expected(server["db"], dt.date(2026, 10, 2))
    page.get_by_role("link", name="阶段趋势", exact=True).click()
    settle(page, "分阶段统计")
    assert "截至2026年10月2日" in main_text(page)
    page.get_by_role("link", name="总览", exact=True).click()
    settle(page, "各工作组亮牌情况")
    assert kpis(page) == expected(server["db"], dt.date(2026, 10, 2))


def test_download_of_the_overdue_list(page, server):
    page.get_by_role("link", name="超期督办", exact=True).click()
    settle(page, "临期问题")
    with page.expect_download() as info:
        page.get_by_text("下载督办单（Excel，即上表所列问题）").click()
    path = server["folder"] / "督办单.xlsx"
    info.value.save_as(path)
    assert info.value.suggested_filename == "超期问题督办单_20261127.xlsx"
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][0] == "临江区创建全国文明城市（示例）超期问题督办单（截至2026年11月27日）"
    assert rows[1] == ("工作组", "责任人", "问题编号", "问题描述", "点位", "问题类别", "整改时限", "超期天数", "整改状态")
    assert len(rows) - 2 == 45 and rows[2][2] == "QT-002" and rows[2][7] == 92


def test_deep_link(browser, server, page):
    # (after the first run; see app.py on URL paths)
    tab = page.context.new_page()
    tab.goto(server["url"] + "/duban")
    settle(tab, "临期问题")
    assert main_text(tab).startswith("超期督办")


def test_cli_ingest_while_serving_shows_after_refresh(page, server, tmp_path):
    rows = [["XN-001", "新发现的问题", "道路设施", "新增工作组", dt.date(2026, 12, 10), "未整改"]]
    ledger = L.write_xlsx(tmp_path / "新台账.xlsx", L.flat_rows(
        ["问题编号", "问题描述", "问题类别", "责任单位", "整改时限", "整改情况"], rows, "填报日期：2026年12月4日"))
    done = subprocess.run([sys.executable, "-m", "data_pipeline", "ingest", str(ledger), "--db", str(server["db"])],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    page.reload()
    settle(page, "截至2026年12月4日")
    assert kpis(page) == expected(server["db"], dt.date(2026, 12, 4))
    assert page.locator('[data-testid="stException"]').count() == 0


def test_empty_database_says_how_to_load_data(browser, tmp_path):
    with streamlit_server(tmp_path / "empty.duckdb", tmp_path, CAMPAIGN_NO_SAMPLE="1") as url:
        context = new_context(browser)
        tab = context.new_page()
        try:
            tab.goto(url)
            settle(tab, "还没有任何台账数据")
            text = main_text(tab)
            assert "“数据上传”页" in text and "python" not in text and "示例数据" not in text
            screenshot(tab, "empty")
        finally:
            context.close()


def held_out_ledger():
    """The newest layout-A workbook of the sample (``YYYYMMDD_创城问题整改台账.xlsx``)."""
    return max((p for p in sample_files() if re.fullmatch(r"\d{8}_.+\.xlsx", p.name)), key=lambda p: p.name)


def db_stats(db) -> dict:
    con = dp.connect(db, read_only=True)
    try:
        return {"latest": dp.latest_report_date(con), "totals": dp.summary(con)["totals"],
                "batches": con.execute("SELECT count(*) FROM batches").fetchone()[0]}
    finally:
        con.close()


def test_upload_through_the_page_moves_the_overview_by_exactly_the_ledger(browser, tmp_path):
    """The sample minus its newest layout-A ledger; the office uploads that ledger on
    数据上传; the overview's six cards go from the library's figures without it to the
    library's figures with it, and the batch and audit entry carry the typed name."""
    require_chromium()
    held = held_out_ledger()
    db, after_db = tmp_path / "campaign.duckdb", tmp_path / "after.duckdb"
    con = dp.connect(db)
    try:
        for path in sample_files():
            if path != held:
                dp.ingest_file(con, path)   # real ledgers (a real upload would replace a sample)
    finally:
        con.close()
    shutil.copy(db, after_db)
    con = dp.connect(after_db)
    try:
        dp.ingest_file(con, held)
    finally:
        con.close()
    before, after = db_stats(db), db_stats(after_db)
    want_before, want_after = card_texts(before["totals"]), card_texts(after["totals"])
    change = {k: after["totals"][k] - before["totals"][k] for k in COUNT_KEYS}
    assert want_before != want_after and any(change.values())   # else the test would prove nothing
    parsed = dp.parse_file(held.read_bytes(), held.name)
    uploader = "测试员李娜"

    with streamlit_server(db, tmp_path, CAMPAIGN_NO_SAMPLE="1", CAMPAIGN_OFFICE_PASSCODE=OFFICE_PASSCODE) as url:
        context = new_context(browser)
        tab = context.new_page()
        try:
            tab.goto(url)
            settle(tab, "各工作组亮牌情况")
            assert f"截至{before['latest'].year}年{before['latest'].month}月{before['latest'].day}日" in main_text(tab)
            assert wait_for_cards(tab, want_before) == list(zip(KPI_LABELS, want_before))

            login(tab, uploader)
            tab.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(held))
            confirm = tab.get_by_role("button").filter(has_text="确认导入")
            settle(tab, confirm)
            shown = dict(metrics(tab))
            assert shown["问题"] == f"{parsed.items:,}", shown
            assert shown["跳过的行"] == f"{parsed.skipped:,}" and shown["拒收的行"] == f"{parsed.rejected:,}"
            assert shown["警告"] == f"{parsed.warnings:,}"
            assert held.name in main_text(tab)
            screenshot(tab, "upload_preview")

            confirm.click()
            done = tab.get_by_text(re.compile(r"已导入批次#\d+"))   # IngestResult.line(), as the CLI says it
            settle(tab, done)
            message = done.first.inner_text()
            assert held.name in message and f"问题{parsed.items}条" in message, message
            shown_batch = int(re.search(r"已导入批次#(\d+)", message).group(1))
            assert tab.locator('[data-testid="stException"]').count() == 0
            screenshot(tab, "upload_done")

            tab.get_by_role("link", name="总览", exact=True).click()
            settle(tab, "各工作组亮牌情况")
            assert f"截至{after['latest'].year}年{after['latest'].month}月{after['latest'].day}日" in main_text(tab)
            cards = wait_for_cards(tab, want_after)
            assert cards == list(zip(KPI_LABELS, want_after))
            for key, (_, was), (_, now) in zip(["items", "done", None, "overdue", "due_soon", None],
                                               zip(KPI_LABELS, want_before), cards):
                if key:
                    assert int(now.replace(",", "")) - int(was.replace(",", "")) == change[key], key
            assert tab.locator('[data-testid="stException"]').count() == 0
            screenshot(tab, "overview_after_upload")

            # 上传记录: the original file comes back byte for byte; removing the batch
            # returns the overview exactly to where it was.
            tab.get_by_role("link", name="上传记录", exact=True).click()
            settle(tab, "查看或删除一个批次")
            tab.locator('[data-testid="stSelectbox"]').filter(has_text="查看或删除一个批次").locator("input").click()
            tab.get_by_role("option", name=re.compile(rf"^#{shown_batch} ")).click()
            settle(tab, "下载原始文件")
            with tab.expect_download() as info:
                tab.get_by_role("button", name=re.compile("下载原始文件")).click()
            assert info.value.suggested_filename == held.name
            assert Path(info.value.path()).read_bytes() == held.read_bytes()
            tab.get_by_text(f"确认删除批次#{shown_batch}").click()
            tab.get_by_role("button", name=re.compile("删除此批次")).click()
            settle(tab, f"已删除批次#{shown_batch}（{held.name}）。")
            screenshot(tab, "history_after_removal")
            tab.get_by_role("link", name="总览", exact=True).click()
            settle(tab, "各工作组亮牌情况")
            assert wait_for_cards(tab, want_before) == list(zip(KPI_LABELS, want_before))
        finally:
            context.close()

    con = dp.connect(db, read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM batches").fetchone()[0] == before["batches"]
        log = con.execute("SELECT role, actor, action, batch_id, detail FROM audit_log WHERE role = ? ORDER BY rowid",
                          [ROLE_OFFICE]).fetchall()
        assert [r[:4] for r in log] == [(ROLE_OFFICE, uploader, UPLOAD, shown_batch),
                                        (ROLE_OFFICE, uploader, "删除批次", shown_batch)]
        assert f"问题{parsed.items}条" in log[0][4] and held.name in log[1][4]
        assert dp.summary(con)["totals"] == before["totals"]
    finally:
        con.close()
