"""The 会议汇报 slides as the browser draws them (``pages/meeting.py`` presents them): the
projector stylesheet that hides the sidebar and Streamlit's header, the presenter's key
script, and the HTML of each slide's parts.

Rules:
- Every text comes from ``data_pipeline.meeting`` (or ``labels``) and is HTML-escaped
  (``esc``), so ledger text stays text; the parts are given to ``st.html``.
- Type is sized for the back of a room at 1280x720: slide titles 2.4rem, messages
  1.45rem, tables 1.2rem (1.45rem up to 7 rows), and a slide fills the window without
  scrolling (``tests/test_browser_meeting.py`` checks it).
- The key script is installed once per browser tab and acts only while the slide
  buttons are on the page; keys typed into a field are left alone.
"""
from __future__ import annotations

import html

from data_pipeline import labels, meeting

from .widgets import BAD_WHEN_UP

PRESENT_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stStatusWidget"] { display: none !important; }
[data-testid="stMain"] { margin-left: 0 !important; }
[data-testid="stMainBlockContainer"], .block-container {
    padding: 1rem 2.2rem 0.4rem !important; max-width: 100% !important; }
.st-key-slide { min-height: calc(100vh - 5.2rem); gap: 0.4rem; }
.slide-title { font-size: 2.4rem; font-weight: 700; line-height: 1.25; margin: 0; color: #14213d; }
.slide-message { font-size: 1.45rem; line-height: 1.45; margin: 0.2rem 0 0.5rem; color: #333; }
.slide-cover { display: flex; flex-direction: column; justify-content: center; align-items: center;
    min-height: calc(100vh - 7rem); text-align: center; gap: 1.5rem; }
.slide-cover .slide-title { font-size: 3.2rem; }
.slide-cover .slide-message { font-size: 1.8rem; }
.slide-cards { display: grid; grid-template-columns: repeat(3, 1fr); gap: 1rem 1.4rem; margin-top: 0.6rem; }
.slide-card { border: 1px solid #d0d7de; border-radius: 0.6rem; padding: 1.1rem 1.4rem; }
.slide-card .label { font-size: 1.5rem; color: #444; }
.slide-card .value { font-size: 3.6rem; font-weight: 700; line-height: 1.2; color: #14213d; }
.slide-card .change { font-size: 1.4rem; color: #555; min-height: 1.6rem; }
.slide-card .change.bad { color: #c62828; }
.slide-card .change.good { color: #2e7d32; }
table.slide-table { width: 100%; border-collapse: collapse; font-size: 1.2rem; line-height: 1.35; }
table.slide-table.roomy { font-size: 1.45rem; }
table.slide-table th { background: #e8edf3; font-weight: 700; text-align: center; }
table.slide-table th, table.slide-table td { border: 1px solid #c8d0d8; padding: 0.28rem 0.5rem;
    overflow-wrap: anywhere; }
table.slide-table td.num { text-align: right; white-space: nowrap; }
table.slide-table tr.total td { font-weight: 700; background: #f6f8fa; }
.slide-note { font-size: 1.1rem; color: #555; margin-top: 0.4rem; }
.slide-lists p { font-size: 1.35rem; line-height: 1.6; }
.slide-lists .name { font-weight: 700; }
.st-key-slide_nav { align-items: center; justify-content: center; gap: 1rem; }
.st-key-slide_nav p { font-size: 1.2rem; margin: 0; }
.slide-fullscreen { font: inherit; font-size: 1rem; padding: 0.35rem 0.9rem; border-radius: 0.5rem;
    border: 1px solid #c8d0d8; background: #fff; cursor: pointer; }
</style>
"""

# The presenter's keys: clickers send PageDown/PageUp (some arrows or the space bar);
# F toggles full screen. Installed once per tab; keys typed into a field are left alone,
# and nothing happens unless the slide buttons are on the page.
KEYS_SCRIPT = """
<script data-chrome="1">
(() => {
  const w = window.parent && window.parent.document ? window.parent : window;
  if (w.__campaignSlideKeys) return;
  w.__campaignSlideKeys = true;
  const d = w.document;
  const keys = {PageDown: "slide_next", ArrowRight: "slide_next", ArrowDown: "slide_next", " ": "slide_next",
                PageUp: "slide_prev", ArrowLeft: "slide_prev", ArrowUp: "slide_prev"};
  const full = () => {
    if (d.fullscreenElement) d.exitFullscreen();
    else if (d.documentElement.requestFullscreen) d.documentElement.requestFullscreen().catch(() => {});
  };
  d.addEventListener("keydown", (e) => {
    const t = e.target;
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    if (!d.querySelector(".st-key-slide_next")) return;
    if (e.key === "f" || e.key === "F") { e.preventDefault(); full(); return; }
    const key = keys[e.key];
    if (!key) return;
    e.preventDefault();
    const b = d.querySelector(".st-key-" + key + " button");
    if (b && !b.disabled) b.click();
  }, true);
  d.addEventListener("click", (e) => {
    if (e.target && e.target.closest && e.target.closest(".slide-fullscreen")) full();
  });
})();
</script>
"""

def esc(text) -> str:
    """Ledger text inside the slide's HTML: escaped, so it stays text."""
    return html.escape(str(text), quote=True)


def cover_html(slide) -> str:
    """The title slide: its title and message, centred in the window."""
    return f'<div class="slide-cover">{heading_html(slide)}</div>'


def note_html(text: str) -> str:
    """A footnote under a slide's table."""
    return f'<p class="slide-note">{esc(text)}</p>'


def heading_html(slide) -> str:
    """A slide's title and its message."""
    return f'<p class="slide-title">{esc(slide.title)}</p><p class="slide-message">{esc(slide.message)}</p>'


def table_html(m, slide) -> str:
    """A table slide's rows (``meeting.table_cells``): numbers right-aligned, 合计 bold,
    larger type for short tables."""
    headers, rows = meeting.table_cells(m, slide)
    numbers = meeting.numeric_columns(slide.key)
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for r in rows:
        total = ' class="total"' if r and r[0] == labels.TOTAL else ""
        cells = "".join(f'<td class="num">{esc(c)}</td>' if number else f"<td>{esc(c)}</td>"
                        for number, c in zip(numbers, r))
        body.append(f"<tr{total}>{cells}</tr>")
    roomy = " roomy" if len(rows) <= 7 else ""
    return (f'<table class="slide-table{roomy}"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def cards_html(m) -> str:
    """The headline slide's six cards (``meeting.kpi_cells``), the change red when it is
    bad news (``BAD_WHEN_UP``), green when good."""
    out = []
    for key, (label, value, change) in zip(labels.KPI_KEYS, meeting.kpi_cells(m)):
        delta = m.overview.kpis.deltas[key]
        tone = ""
        if delta is not None and not labels.unchanged(key, delta):
            tone = "bad" if (delta > 0) == (key in BAD_WHEN_UP) else "good"
        out.append(f'<div class="slide-card"><div class="label">{esc(label)}</div>'
                   f'<div class="value">{esc(value)}</div><div class="change {tone}">{esc(change)}</div></div>')
    return f'<div class="slide-cards">{"".join(out)}</div>'


def lists_html(m) -> str:
    """The groups slide's 红榜/黑榜 with their rules, rates and 黑榜 runs, and the
    unranked groups."""
    st_ = m.overview.standing
    rate = dict(zip(st_.table["group_name"], st_.table["completion_rate"]))
    run = dict(zip(st_.table["group_name"], st_.table["warning_streak"]))
    lines = []
    for title, rule, groups in ((labels.HONOUR, m.rules[0], st_.honour), (labels.WARNING, m.rules[1], st_.warning)):
        names = "、".join(f'<span class="name">{esc(g)}</span>（{esc(labels.pct(rate[g]))}'
                         + (f"，{esc(labels.streak(run[g]))}" if title == labels.WARNING and run[g] > 1 else "")
                         + "）" for g in groups) or "暂无"
        lines.append(f"<p><b>{esc(title)}</b>（{esc(rule)}）：{names}</p>")
    if st_.unranked:
        lines.append(f"<p>交办问题较少、不参与排名：{'、'.join(esc(g) for g in st_.unranked)}</p>")
    return f'<div class="slide-lists">{"".join(lines)}</div>'


def phases_html(m) -> str:
    """The trend slide's per-phase table (``TrendFigures.phases``)."""
    p = m.trend.phases
    if p.empty:
        return '<p class="slide-note">尚未设置阶段时间。</p>'
    rows = "".join(
        f"<tr><td>{esc(r.phase)}</td><td>{esc(labels.period(r.start, r.end))}</td><td>{esc(r.state or labels.NONE)}</td>"
        f'<td class="num">{esc(labels.count(r.assigned))}</td><td class="num">{esc(labels.count(r.assigned_done))}</td>'
        f'<td class="num">{esc(labels.pct(r.completion_rate))}</td></tr>' for r in p.itertuples())
    return ('<table class="slide-table"><thead><tr><th>阶段</th><th>起止日期</th><th>进展</th><th>本阶段交办</th>'
            f"<th>其中已整改</th><th>整改率</th></tr></thead><tbody>{rows}</tbody></table>")
