"""会议汇报: the leading group's meeting (``data_pipeline.meeting``). Before the meeting
the office picks the 截至 report date and the one to compare with, reads the slides'
messages and downloads the 通报 files (PowerPoint, Excel, Word; PDF when LibreOffice is
installed). 开始演示 freezes the deck at that date and presents it: one slide filling
the window, the sidebar and Streamlit's chrome hidden, 上一页/下一页 on screen and on the
keys a presenter's clicker sends (PageDown/PageUp, the arrows, the space bar); F or the
全屏 button toggles full screen. The frozen deck does not change while it is presented,
even if a ledger is uploaded meanwhile; 退出演示 ends it.
"""
import html
from functools import partial

import streamlit as st

from dashboard import charts, data, view, widgets
from data_pipeline import labels, meeting, reports

_DECK = "_meeting_deck"      # the frozen Meeting while presenting
_AT = "_meeting_slide"       # the slide shown
_PDF = "_meeting_pdf"        # {fmt: (file name, bytes)} of PDFs made on this page

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


# ---------------------------------------------------------------- presenting


def start(deck) -> None:
    st.session_state[_DECK] = deck
    st.session_state[_AT] = 0


def stop() -> None:
    st.session_state.pop(_DECK, None)
    st.session_state.pop(_AT, None)


def move(step: int) -> None:
    deck = st.session_state.get(_DECK)
    if deck is not None:
        st.session_state[_AT] = max(0, min(len(deck.slides) - 1, st.session_state.get(_AT, 0) + step))


def heading(slide) -> None:
    st.html(f'<p class="slide-title">{esc(slide.title)}</p><p class="slide-message">{esc(slide.message)}</p>')


def table_html(m, slide) -> str:
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
    out = []
    for key, (label, value, change) in zip(labels.KPI_KEYS, meeting.kpi_cells(m)):
        delta = m.overview.kpis.deltas[key]
        tone = ""
        if delta is not None and not labels.unchanged(key, delta):
            tone = "bad" if (delta > 0) == (key in widgets.BAD_WHEN_UP) else "good"
        out.append(f'<div class="slide-card"><div class="label">{esc(label)}</div>'
                   f'<div class="value">{esc(value)}</div><div class="change {tone}">{esc(change)}</div></div>')
    return f'<div class="slide-cards">{"".join(out)}</div>'


def lists_html(m) -> str:
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
    p = m.trend.phases
    if p.empty:
        return '<p class="slide-note">尚未设置阶段时间。</p>'
    rows = "".join(
        f"<tr><td>{esc(r.phase)}</td><td>{esc(labels.period(r.start, r.end))}</td><td>{esc(r.state or labels.NONE)}</td>"
        f'<td class="num">{esc(labels.count(r.assigned))}</td><td class="num">{esc(labels.count(r.assigned_done))}</td>'
        f'<td class="num">{esc(labels.pct(r.completion_rate))}</td></tr>' for r in p.itertuples())
    return ('<table class="slide-table"><thead><tr><th>阶段</th><th>起止日期</th><th>进展</th><th>本阶段交办</th>'
            f"<th>其中已整改</th><th>整改率</th></tr></thead><tbody>{rows}</tbody></table>")


def present(v, m) -> None:
    st.html(PRESENT_CSS)
    at = min(st.session_state.get(_AT, 0), len(m.slides) - 1)
    slide = m.slides[at]
    s = v.settings
    with st.container(key="slide"):
        if slide.key == "title":
            st.html(f'<div class="slide-cover"><p class="slide-title">{esc(slide.title)}</p>'
                    f'<p class="slide-message">{esc(slide.message)}</p></div>')
        else:
            heading(slide)
        if slide.key == "headline":
            st.html(cards_html(m))
        elif slide.key == "groups":
            left, right = st.columns([3, 2], gap="large")
            with left:
                table = m.overview.standing.table
                height = min(480, 220 + 50 * len(table))
                st.plotly_chart(charts.projector(charts.group_rates_bar(table, s), height=height),
                                config=charts.CONFIG, theme=None, key="slide_groups")
            with right:
                st.html(lists_html(m))
        elif slide.key == "trend":
            st.plotly_chart(charts.projector(charts.rate_line(m.trend.series, m.phases, s, as_of=m.as_of),
                                             height=300), config=charts.CONFIG, theme=None, key="slide_trend")
            st.html(phases_html(m))
        elif slide.rows is not None:
            st.html(table_html(m, slide))
            note = {"forecast": m.forecast.method, "escalation": f"督办措施：{m.escalation_rule}",
                    "overdue": f"超期问题全部名单见“超期督办”页（共{labels.count(m.overdue_count)}项）。"}.get(slide.key)
            if note:
                st.html(f'<p class="slide-note">{esc(note)}</p>')
    with st.container(key="slide_nav", horizontal=True):
        st.button("上一页", key="slide_prev", icon=":material/chevron_left:", on_click=move, args=(-1,),
                  disabled=at == 0)
        st.markdown(f"第{at + 1}页／共{len(m.slides)}页 ｜ 数据截至{labels.full_day(m.as_of)}")
        st.button("下一页", key="slide_next", icon=":material/chevron_right:", on_click=move, args=(1,),
                  disabled=at == len(m.slides) - 1)
        st.html('<button class="slide-fullscreen" type="button">全屏</button>')
        st.button("退出演示", key="slide_exit", icon=":material/close:", on_click=stop)
    st.html(KEYS_SCRIPT, unsafe_allow_javascript=True)


# ---------------------------------------------------------------- preparing


def prepare(v) -> None:
    s = v.settings
    dates = [d for d in v.status.dates if d <= v.as_of] or list(v.status.dates)
    left, right = st.columns(2)
    day = left.selectbox("截至台账日期", list(reversed(dates)), format_func=labels.full_day, key="meeting_as_of",
                       help="汇报和通报中的数字都按这一期台账计算；默认是左侧所选日期的那一期。")
    earlier = [d for d in reversed(v.status.dates) if d < day]
    since = right.selectbox("与哪一期台账比较", earlier, format_func=labels.full_day, key="meeting_since",
                         help="本周变化和排名升降都与这一期相比；默认是上一期。") if earlier else None
    if not earlier:
        st.caption("这是第一期台账，没有更早的台账可比较，全部问题算作新交办。")
    m = data.meeting(v.db, v.version, day, s, v.filters, since)

    st.button("开始演示", key="meeting_start", type="primary", icon=":material/slideshow:", on_click=start,
              args=(m,), help="隐藏侧栏，一页一张幻灯片；用翻页笔或键盘的翻页键、方向键、空格键翻页。")
    st.caption("演示期间数字固定在所选日期，不随新上传的台账变化；退出演示后重新开始即可更新。")

    st.subheader("汇报内容")
    for i, sl in enumerate(m.slides, 1):
        st.markdown(f"{i}. **{widgets.md(sl.title)}**：{widgets.md(sl.message)}")

    st.subheader("导出通报")
    st.caption("文件中的数字与本页、各页面一致；导出后可在WPS或Office中修改再下发。")
    cols = st.columns(3)
    for col, fmt, label in zip(cols, reports.FORMATS, ("下载通报附表（Excel）", "下载会议汇报（PowerPoint）",
                                                       "下载通报（Word）")):
        col.download_button(label, partial(data.report_file, v.db, fmt, m.as_of, s, m.since, v.filters),
                            file_name=reports.file_name(fmt, m.as_of), mime=reports.MIME[fmt],
                            icon=":material/download:", on_click="ignore", key=f"meeting_{fmt}")
    pdf_files(v, m)


def pdf_files(v, m) -> None:
    """PDFs are made on request (LibreOffice takes a few seconds each), then offered."""
    if reports.libreoffice() is None:
        st.caption(reports.MISSING + "。")
        return
    made = st.session_state.setdefault(_PDF, {})
    cols = st.columns(3)
    for col, fmt, label in zip(cols, reports.FORMATS, ("通报附表", "会议汇报", "通报")):
        name = reports.file_name(fmt, m.as_of, pdf=True)
        ident = (m.as_of, m.since, v.filters)
        with col:
            if made.get(fmt, (None,))[0] == ident:
                st.download_button(f"下载{label}PDF", made[fmt][1], file_name=name, mime=reports.MIME["pdf"],
                                   icon=":material/picture_as_pdf:", on_click="ignore", key=f"meeting_pdf_{fmt}")
            elif st.button(f"生成{label}PDF", key=f"meeting_make_pdf_{fmt}", icon=":material/picture_as_pdf:"):
                with st.spinner("正在用LibreOffice转换PDF……"):
                    try:
                        made[fmt] = (ident, reports.to_pdf(
                            data.report_file(v.db, fmt, m.as_of, v.settings, m.since, v.filters), fmt))
                    except reports.PdfUnavailable as exc:
                        st.error(str(exc))
                    else:
                        st.rerun()


deck = st.session_state.get(_DECK)
v = view.page_view("会议汇报", heading=deck is None)
if deck is not None:
    present(v, deck)
else:
    prepare(v)
