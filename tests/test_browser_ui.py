"""In a real browser, what offices on an intranet and leaders at a projector see:

- no English word on any page (Streamlit's own texts included), outside a short
  allow-list (file extensions, units, product names) and commands shown as code;
- no request leaves the server (every request a page makes is to the app's own origin);
- at 1280x720 and 1366x768 with the sidebar open no KPI value or label is cut; at
  390 px wide the charts keep their legend below the plot and tables scroll instead of
  wrapping; a screenshot at each size goes to ``test-output/screenshots/``;
- ledger text that looks like Markdown or HTML (group names with ``![img](…)``,
  ``[x](…)``, ``<b>``) stays text: no image is fetched, no link or bold appears.

Uses the server and browser helpers of ``browserhelp``; skips locally without
Chromium, required in CI.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest

import data_pipeline as dp
from data_pipeline.values import clean_group
from tests import ledgers as L
from tests.browserhelp import chromium, served  # noqa: F401  (module-scoped fixtures)
from tests.browserhelp import SHOTS, login, main_text, open_page, settle, streamlit_server
from tests.test_browser import OFFICE_PAGES, PAGES

pytestmark = pytest.mark.browser

# Latin words a Chinese office UI may show: file types, units, product names.
ALLOWED_WORDS = {"xlsx", "xls", "xlsm", "xlsb", "ods", "csv", "pdf", "mb", "kb", "gb", "excel", "wps", "powerpoint",
                 "word", "office", "libreoffice"}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
SIZES = [(1280, 720), (1366, 768)]
# The leaders' pages visited here: test_browser's, then 本周变化 and 进度预测; their URL paths.
UI_PAGES = PAGES + [("changes", "本周变化", "变化明细"), ("forecast", "进度预测", "各工作组预测"),
                    ("meeting", "会议汇报", "导出通报")]
UI_PATHS = ["zonglan", "gongzuozu", "duban", "qushi", "bianhua", "yuce", "huibao"]

VISIBLE_TEXT = """() => {
    // innerText of the page (screen-reader texts included) without code (commands and file names shown as code)
    const clone = document.body.cloneNode(true);
    // (material icons are glyphs drawn from their ligature names, not words)
    clone.querySelectorAll('code, pre, script, style, noscript, [data-testid="stIconMaterial"], [data-testid="stAlertDynamicIcon"], [translate="no"][aria-hidden="true"]')
        .forEach(e => e.remove());
    const box = document.createElement('div');
    box.style.position = 'absolute'; box.style.left = '-100000px';
    box.appendChild(clone); document.body.appendChild(box);
    const text = box.innerText; box.remove();
    return text;
}"""


def latin_words(text: str) -> set[str]:
    return {w for w in LATIN_WORD.findall(text) if w.lower() not in ALLOWED_WORDS}


def test_no_english_and_no_request_leaves_the_server(chromium, served):
    with open_page(chromium, served) as (tab, foreign):
        settle(tab, "交办总数")
        found = {}
        for name, link, marker in UI_PAGES + [("login", "创城办登录", "创城办口令")]:
            tab.get_by_role("link", name=link, exact=True).click()
            settle(tab, marker)
            found[name] = latin_words(tab.evaluate(VISIBLE_TEXT))
        # a multiselect opened shows its options (Streamlit adds "Select all")
        tab.get_by_role("link", name="总览", exact=True).click()
        settle(tab, "各工作组亮牌情况")
        tab.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.click()
        tab.get_by_role("option").first.wait_for()
        found["multiselect"] = latin_words(tab.evaluate(VISIBLE_TEXT))
        tab.keyboard.press("Escape")
        login(tab, "王主任")   # lands on 数据上传: the file uploader's texts
        upload_text = tab.evaluate(VISIBLE_TEXT)
        found["upload"] = latin_words(upload_text)
        assert "选择文件" in upload_text and "每个文件不超过50MB" in upload_text
        for name, link, marker in OFFICE_PAGES + [("history", "上传记录", "查看或删除一个批次"),
                                                  ("audit_log", "操作日志", "操作类型")]:
            tab.get_by_role("link", name=link, exact=True).click()
            settle(tab, marker)
            found[name] = latin_words(tab.evaluate(VISIBLE_TEXT))
        assert {k: sorted(v) for k, v in found.items() if v} == {}
        assert foreign == []
        # the tab icon is the app's own
        icon = tab.evaluate("document.querySelector('link[rel~=\"icon\"]')?.href || ''")
        assert icon.startswith(served), icon


def uncut(tab) -> list[str]:
    """Texts of KPI values, labels and changes that do not fit their box (cut or ellipsised)."""
    return tab.evaluate("""() => {
        const bad = [];
        document.querySelectorAll('[data-testid="stMetric"]').forEach(card => {
            const box = card.getBoundingClientRect();
            for (const e of [card, ...card.querySelectorAll('*')]) {
                const st = getComputedStyle(e);
                const clips = st.overflowX !== 'visible' || st.textOverflow === 'ellipsis';
                const r = e.getBoundingClientRect();
                if ((clips && e.scrollWidth > e.clientWidth + 1) || r.right > box.right + 1 || r.left < box.left - 1) {
                    bad.push(e.innerText || e.outerHTML.slice(0, 80)); break; }
            }
        });
        return bad;
    }""")


@pytest.mark.parametrize("width,height", SIZES)
def test_projector_sizes_cut_no_kpi(chromium, served, width, height):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with open_page(chromium, served, width, height) as (tab, _):
        settle(tab, "交办总数")
        assert tab.locator('[data-testid="stSidebar"]').is_visible()
        for name, link, marker in UI_PAGES[:2] + UI_PAGES[4:]:
            tab.get_by_role("link", name=link, exact=True).click()
            settle(tab, marker)
            assert uncut(tab) == [], (name, width)
            assert "…" not in " ".join(tab.locator('[data-testid="stMetric"]').all_inner_texts())
            tab.screenshot(path=str(SHOTS / f"{name}_{width}x{height}.png"))


def test_phone_width_legend_below_and_tables_scroll(chromium, served):
    with open_page(chromium, served, 390, 844) as (tab, _):
        settle(tab, "交办总数")
        for (name, link, marker), path in zip(UI_PAGES, UI_PATHS):
            tab.goto(f"{served}/{path}")
            settle(tab, marker)
            assert tab.locator('[role="dialog"]').count() == 0, (path, tab.locator('[role="dialog"]').all_inner_texts())
            legends = tab.evaluate("""() => Array.from(document.querySelectorAll('.js-plotly-plot'), p => {
                const legend = p.querySelector('.legend'), plot = p.querySelector('.cartesianlayer, .pielayer');
                if (!legend || !plot) return null;
                return [legend.getBoundingClientRect().top, plot.getBoundingClientRect().bottom,
                        legend.getBoundingClientRect().width, p.getBoundingClientRect().width];
            }).filter(x => x)""")
            for top, plot_bottom, legend_width, width in legends:
                assert top >= plot_bottom - 2 and legend_width <= width + 1, (name, top, plot_bottom)
            # static tables: no cell narrower than two characters
            narrow = tab.evaluate("""() => Array.from(document.querySelectorAll(
                    '[data-testid="stTable"] td, [data-testid="stTable"] th'))
                .filter(c => c.innerText.trim().length > 1 && c.getBoundingClientRect().width
                        < 2 * parseFloat(getComputedStyle(c).fontSize)).map(c => c.innerText)""")
            assert narrow == [], (name, narrow[:5])
            tab.screenshot(path=str(SHOTS / f"{name}_390.png"), full_page=True)


def test_ledger_text_that_looks_like_markdown_or_html_stays_text(chromium, tmp_path):
    hostile = ["![图](http://127.0.0.9:9/track.png)组", "[点我](http://evil.invalid/)组", "<b>粗体</b>组",
               ":red[红色]组", "$x^2$组"]
    rows = [[f"H-{i}", f"问题{i}", "道路设施", g, dt.date(2026, 12, 10), "未整改" if i % 2 else "已整改"]
            for i, g in enumerate(hostile * 2)]
    ledger = L.write_xlsx(tmp_path / "台账.xlsx", L.flat_rows(
        ["问题编号", "问题描述", "问题类别", "责任单位", "整改时限", "整改情况"], rows, "填报日期：2026年12月4日"))
    db = tmp_path / "campaign.duckdb"
    con = dp.connect(db)
    try:
        dp.ingest_file(con, ledger)
    finally:
        con.close()
    with streamlit_server(db, tmp_path, CAMPAIGN_NO_SAMPLE="1") as url:
        with open_page(chromium, url) as (tab, foreign):
            settle(tab, "各工作组亮牌情况")
            main = tab.locator('[data-testid="stMain"]')
            tab.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
            # The pages put a word joiner (U+2060) after "http:" so no bare URL becomes a link.
            text = main_text(tab).replace("\u2060", "")
            shown = [clean_group(g) for g in hostile]   # as stored (leading punctuation trimmed)
            assert shown[1].startswith("[") and shown[2].startswith("<b>")
            for g in shown:
                assert g in text, g
            assert main.locator("img").count() == 0
            assert main.locator("a[href*='evil']").count() == 0, main.evaluate("m => Array.from(m.querySelectorAll('a[href*=evil]'), a => a.parentElement.parentElement.outerHTML.slice(0, 300))")
            assert main.locator("b", has_text="粗体").count() == 0
            assert main.locator("[data-testid='stMarkdownContainer'] .katex").count() == 0
            # the sidebar filter caption shows the names too
            tab.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.click()
            tab.get_by_role("option", name=shown[0]).click()
            tab.keyboard.press("Escape")
            settle(tab, "筛选")
            assert shown[0] in main_text(tab)
            assert main.locator("img").count() == 0
            assert foreign == []
