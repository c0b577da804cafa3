"""会议汇报: the leading group's meeting (``data_pipeline.meeting``). Before the meeting
the office picks the 截至 report date and the one to compare with, reads the slides'
messages and downloads the 通报 files (PowerPoint, Excel, Word; PDF when LibreOffice is
installed). 开始演示 freezes the deck at that date and presents it: one slide filling
the window, the sidebar and Streamlit's chrome hidden, 上一页/下一页 on screen and on the
keys a presenter's clicker sends (PageDown/PageUp, the arrows, the space bar); F or the
全屏 button toggles full screen. The frozen deck does not change while it is presented,
even if a ledger is uploaded meanwhile; 退出演示 ends it.
"""
from functools import partial

import streamlit as st

from dashboard import charts, data, slides, view, widgets
from data_pipeline import labels, reports

_DECK = "_meeting_deck"      # the frozen Meeting while presenting
_AT = "_meeting_slide"       # the slide shown
_PDF = "_meeting_pdf"        # {fmt: ((as_of, since, filters), bytes)} of PDFs made on this page


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


def present(v, m) -> None:
    st.html(slides.PRESENT_CSS)
    at = min(st.session_state.get(_AT, 0), len(m.slides) - 1)
    slide = m.slides[at]
    s = v.settings
    with st.container(key="slide"):
        if slide.key == "title":
            st.html(slides.cover_html(slide))
        else:
            st.html(slides.heading_html(slide))
        if slide.key == "headline":
            st.html(slides.cards_html(m))
        elif slide.key == "groups":
            left, right = st.columns([3, 2], gap="large")
            with left:
                table = m.overview.standing.table
                height = min(480, 220 + 50 * len(table))
                st.plotly_chart(charts.projector(charts.group_rates_bar(table, s), height=height),
                                config=charts.CONFIG, theme=None, key="slide_groups")
            with right:
                st.html(slides.lists_html(m))
        elif slide.key == "trend":
            st.plotly_chart(charts.projector(charts.rate_line(m.trend.series, m.phases, s, as_of=m.as_of),
                                             height=300), config=charts.CONFIG, theme=None, key="slide_trend")
            st.html(slides.phases_html(m))
        elif slide.rows is not None:
            st.html(slides.table_html(m, slide))
            note = {"forecast": m.forecast.method, "escalation": f"督办措施：{m.escalation_rule}",
                    "overdue": f"超期问题全部名单见“超期督办”页（共{labels.count(m.overdue_count)}项）。"}.get(slide.key)
            if note:
                st.html(slides.note_html(note))
    with st.container(key="slide_nav", horizontal=True):
        st.button("上一页", key="slide_prev", icon=":material/chevron_left:", on_click=move, args=(-1,),
                  disabled=at == 0)
        st.markdown(f"第{at + 1}页／共{len(m.slides)}页 ｜ 数据截至{labels.full_day(m.as_of)}")
        st.button("下一页", key="slide_next", icon=":material/chevron_right:", on_click=move, args=(1,),
                  disabled=at == len(m.slides) - 1)
        st.html('<button class="slide-fullscreen" type="button">全屏</button>')
        st.button("退出演示", key="slide_exit", icon=":material/close:", on_click=stop)
    st.html(slides.KEYS_SCRIPT, unsafe_allow_javascript=True)


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
