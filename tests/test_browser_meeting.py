"""会议汇报 in a real browser at a 1280x720 projector: every slide fills the window without
being cut (nothing outside the viewport, nothing scrolls, no text clipped), the sidebar
and Streamlit's header are hidden, no English word shows and no request leaves the
server; the presenter's keys (PageDown/PageUp, arrows, space) and the on-screen buttons
page through the deck. A screenshot of each slide goes to
``test-output/screenshots/meeting_<n>.png``.

Skips locally without Chromium, required in CI (``tests.browserhelp``).
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.browserhelp import SHOTS, chromium, open_page, served, settle  # noqa: F401  (fixtures)
from tests.conftest import ROOT
from tests.test_browser_ui import VISIBLE_TEXT, latin_words

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 1280, 720

# Elements of the slide that are outside the window or clip their text.
CUT = """() => {
    const bad = [];
    const main = document.querySelector('[data-testid="stMain"]');
    if (main && main.scrollHeight > main.clientHeight + 1) bad.push('main scrolls: ' + main.scrollHeight);
    const root = document.scrollingElement;
    if (root.scrollHeight > window.innerHeight + 1) bad.push('page scrolls: ' + root.scrollHeight);
    document.querySelectorAll('[data-testid="stMain"] *').forEach(e => {
        const r = e.getBoundingClientRect();
        if (!r.width || !r.height) return;
        const st = getComputedStyle(e);
        if (st.visibility === 'hidden' || st.display === 'none') return;
        if (r.right > window.innerWidth + 1 || r.left < -1 || r.bottom > window.innerHeight + 1 || r.top < -1) {
            if (!e.closest('.js-plotly-plot') || e.classList.contains('js-plotly-plot'))
                bad.push((e.innerText || e.tagName).slice(0, 60) + ' @' + [r.left, r.top, r.right, r.bottom].map(Math.round));
        }
        const clips = (st.overflowX === 'hidden' || st.textOverflow === 'ellipsis') && e.children.length === 0;
        if (clips && e.scrollWidth > e.clientWidth + 1) bad.push('clipped: ' + e.innerText.slice(0, 60));
    });
    return bad.slice(0, 10);
}"""


def deck(db) -> dict:
    out = subprocess.run([sys.executable, "-m", "data_pipeline", "slides", "--db", str(db), "--json"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def at_slide(tab, n: int, total: int) -> None:
    tab.get_by_text(f"第{n}页／共{total}页").first.wait_for(timeout=30_000)
    settle(tab, tab.locator(".st-key-slide_next"))


def test_slides_fill_a_projector_and_follow_the_clicker(chromium, served, sample_db):
    expected = deck(sample_db)["slides"]
    total = len(expected)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with open_page(chromium, served + "/huibao", WIDTH, HEIGHT) as (tab, foreign):
        settle(tab, "导出通报")
        assert latin_words(tab.evaluate(VISIBLE_TEXT)) == set()
        tab.get_by_role("button", name="开始演示").click()
        at_slide(tab, 1, total)
        assert not tab.locator('[data-testid="stSidebar"]').is_visible()
        assert not tab.locator('header[data-testid="stHeader"]').is_visible()
        keys = ["PageDown", "ArrowRight", "Space", "ArrowDown"]
        for i, slide in enumerate(expected, 1):
            if slide["key"] in ("groups", "trend"):
                tab.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
                tab.wait_for_timeout(800)
            text = tab.locator('[data-testid="stMain"]').inner_text()
            assert slide["title"] in text and slide["message"] in text, i
            for row in slide["rows"]:
                assert all(cell in text for cell in row), (i, row)
            assert tab.evaluate(CUT) == [], (i, slide["title"])
            assert latin_words(tab.evaluate(VISIBLE_TEXT)) == set(), i
            tab.screenshot(path=str(SHOTS / f"meeting_{i}.png"))
            if i < total:
                tab.keyboard.press(keys[i % len(keys)])
                at_slide(tab, i + 1, total)
        # past the last slide nothing moves; back with PageUp, ArrowLeft and the button
        tab.keyboard.press("PageDown")
        tab.wait_for_timeout(1000)
        assert tab.get_by_text(f"第{total}页／共{total}页").count() == 1
        tab.keyboard.press("PageUp")
        at_slide(tab, total - 1, total)
        tab.keyboard.press("ArrowLeft")
        at_slide(tab, total - 2, total)
        tab.get_by_role("button", name="上一页").click()
        at_slide(tab, total - 3, total)
        tab.get_by_role("button", name="下一页").click()
        at_slide(tab, total - 2, total)
        tab.get_by_role("button", name="退出演示").click()
        settle(tab, "导出通报")
        assert tab.locator('[data-testid="stSidebar"]').is_visible()
        # keys typed on the preparation page do not page anything
        tab.keyboard.press("PageDown")
        assert tab.get_by_role("button", name="开始演示").is_visible()
        assert foreign == []


def test_downloads_from_the_meeting_page(chromium, served):
    with open_page(chromium, served + "/huibao", WIDTH, HEIGHT) as (tab, foreign):
        settle(tab, "导出通报")
        for label, name in (("下载会议汇报（PowerPoint）", "会议汇报_20261127.pptx"),
                            ("下载通报（Word）", "通报_20261127.docx"),
                            ("下载通报附表（Excel）", "通报附表_20261127.xlsx")):
            with tab.expect_download(timeout=60_000) as got:
                tab.get_by_role("button", name=label).click()
            download = got.value
            assert download.suggested_filename == name
            data = open(download.path(), "rb").read()
            assert data[:2] == b"PK" and len(data) > 5000, name
        assert foreign == []
