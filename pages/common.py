"""Shared UI of the dashboard: the sidebar (as-of date and filters, kept across pages),
what a page needs to start (``page_view``), formatting (``87.5%``, ``3月6日``), the KPI
card row, tables with Chinese headers, the .xlsx download, the empty state and the
示例数据 banner. Numbers are never computed here: they come from ``pages.data``
(``data_pipeline``) and are only formatted.
"""
from __future__ import annotations

import datetime as dt
import io
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from data_pipeline import campaign, validation
from data_pipeline.errors import DatabaseBusy
from pages import access, data

# ---------------------------------------------------------------- formatting


def pct(rate) -> str:
    """``0.875`` -> ``87.5%``; None -> ``—``."""
    if rate is None or (isinstance(rate, float) and rate != rate):
        return "—"
    return f"{rate * 100:.1f}%"


def points(delta) -> str:
    """A rate change in percentage points: ``0.012`` -> ``+1.2个百分点``."""
    return f"{delta * 100:+.1f}个百分点"


def day(d) -> str:
    """``3月6日``."""
    d = pd.Timestamp(d)
    return f"{d.month}月{d.day}日"


def full_day(d) -> str:
    """``2026年3月6日``."""
    d = pd.Timestamp(d)
    return f"{d.year}年{d.month}月{d.day}日"


def count(n) -> str:
    return f"{int(n):,}"


def category_label(c: str) -> str:
    return c or "（未填写类别）"


# Chinese headers of item columns (``metrics.items_as_of`` + ``status_label``).
ITEM_LABELS = {
    "group_name": "工作组", "item_id": "问题编号", "description": "问题描述", "location": "点位", "grid": "网格",
    "category": "问题类别", "assignee": "责任人", "assigned_on": "交办日期", "deadline": "整改时限",
    "deadline_text": "时限原文", "status_label": "整改状态", "status_text": "整改情况原文",
    "days_overdue": "超期天数", "completed_on": "完成时间", "notes": "备注", "report_date": "所在台账日期",
    "file_name": "来源文件",
}


def item_columns(columns: list[str]) -> dict:
    """``st.dataframe`` column configs with Chinese labels and ``3月6日`` dates."""
    cfg = {}
    for c in columns:
        label = ITEM_LABELS[c]
        if c in ("assigned_on", "deadline", "completed_on", "report_date"):
            cfg[c] = st.column_config.DateColumn(label, format="M月D日")
        elif c == "days_overdue":
            cfg[c] = st.column_config.NumberColumn(label, format="%d天")
        else:
            cfg[c] = st.column_config.TextColumn(label)
    return cfg


def item_table(df: pd.DataFrame, columns: list[str], *, key: str | None = None, height="auto") -> None:
    st.dataframe(df[columns], column_config=item_columns(columns), column_order=columns, hide_index=True,
                 key=key, height=height, placeholder="—")


# ---------------------------------------------------------------- the page's context


@dataclass(frozen=True)
class View:
    """What a page draws from: the database, its version, the settings and the sidebar's
    choices. ``groups``/``categories`` are None for 全部, else tuples."""

    db: str
    version: int
    status: data.Status
    as_of: dt.date | None
    groups: tuple | None
    categories: tuple | None
    busy: bool

    @property
    def settings(self) -> campaign.CampaignSettings:
        return self.status.settings

    @property
    def due_soon_days(self) -> int:
        return self.status.settings.due_soon_days


_VIEW = "_view"
_LAST_VERSION = "_last_version"
_LATEST_SEEN = "_latest_seen"


def first_start() -> None:
    """Create the database and load the sample campaign when it is empty (app.py)."""
    db = data.db_path()
    try:
        with st.spinner("首次启动：正在载入示例数据，请稍候……"):
            data.first_start(db, data.sample_disabled())
    except DatabaseBusy:
        st.info("数据库正被另一个程序占用（可能正在导入台账），请稍后刷新页面。")
        st.stop()


def _current_version(db: str) -> tuple[int, bool]:
    try:
        version = data.data_version(db)
    except DatabaseBusy:
        last = st.session_state.get(_LAST_VERSION)
        if last is None:
            st.info("数据库正在写入新数据（可能正在导入台账），请稍后刷新页面。")
            st.stop()
        return last, True
    st.session_state[_LAST_VERSION] = version
    return version, False


@contextmanager
def busy_guard():
    """A page whose reads wait too long for another program's write (a long CLI
    ingest) says so instead of failing."""
    try:
        yield
    except DatabaseBusy:
        st.info("数据库正在写入新数据（可能正在导入台账），请稍后刷新页面。")


def sidebar() -> View:
    """The shared sidebar (as-of date, groups, categories), drawn by app.py on every run
    so the choices persist across pages. Stores and returns the page's ``View``."""
    db = data.db_path()
    version, busy = _current_version(db)
    status = data.status(db, version)
    as_of = groups = categories = None
    with st.sidebar:
        if status.dates:
            dates = sorted(status.dates, reverse=True)
            latest = dates[0]
            ss = st.session_state
            # Follow the newest report unless the user picked an older one.
            if ss.get("as_of") not in dates or (ss.get(_LATEST_SEEN) not in (None, latest)
                                                and ss.get("as_of") == ss.get(_LATEST_SEEN)):
                ss["as_of"] = latest
            ss[_LATEST_SEEN] = latest
            for key, options in (("groups", status.groups), ("categories", status.categories)):
                if key in ss:
                    ss[key] = [x for x in ss[key] if x in options]
            as_of = st.selectbox("截至日期", dates, key="as_of", format_func=full_day,
                                 help="各页数字都按这一期台账（及之前）的情况统计；默认是最新一期。")
            groups = st.multiselect("工作组", status.groups, key="groups", placeholder="全部工作组",
                                    help="只看选中的工作组；不选即全部。")
            categories = st.multiselect("问题类别", status.categories, key="categories", format_func=category_label,
                                        placeholder="全部类别", help="只看选中的问题类别；不选即全部。")
            st.caption("截至日期和筛选条件对所有页面生效。")
    view = View(db, version, status, as_of, tuple(groups) if groups else None,
                tuple(categories) if categories else None, busy)
    st.session_state[_VIEW] = view
    return view


def page_view(title: str, *, allow_empty: bool = False) -> View:
    """Start a page: its heading, the banners, and the empty state (which stops the
    page, unless ``allow_empty``) when there is no data yet."""
    view: View = st.session_state[_VIEW]
    s = view.settings
    st.title(f"{title}")
    if view.busy:
        st.info("数据库正在写入新数据（可能正在导入台账），下面是写入前的数据，稍后刷新即可看到最新结果。")
    if view.status.empty:
        empty_state()
        if not allow_empty:
            st.stop()
        return view
    sample_banner(view)
    info = campaign.phase_info(s.phases, view.as_of)
    parts = [s.name, f"截至{full_day(view.as_of)}"]
    if info.current:
        parts.append(f"当前阶段：{info.current.name}（{day(info.current.start)}至{day(info.current.end)}），"
                     f"还剩{info.days_left}天")
    elif info.next:
        parts.append(f"距{info.next.name}开始还有{info.days_to_next}天")
    elif s.phases:
        parts.append("各阶段均已结束")
    else:
        parts.append("尚未设置阶段时间（见“设置”页）")
    filters = []
    if view.groups:
        filters.append("工作组：" + "、".join(view.groups))
    if view.categories:
        filters.append("类别：" + "、".join(category_label(c) for c in view.categories))
    if filters:
        parts.append("筛选 " + "；".join(filters))
    st.caption(" ｜ ".join(parts))
    return view


def empty_state() -> None:
    st.info(
        "**还没有任何台账数据。**\n\n"
        "创城办登录后在“数据上传”页导入各工作组报来的问题整改台账（.xlsx/.xls/.csv，可一次选多个文件）；"
        "也可以在项目目录运行 `python -m data_pipeline ingest 台账1.xlsx 台账2.xlsx`。导入后各页面即显示进度。")


def sample_banner(view: View) -> None:
    if view.status.sample_only:
        st.warning(
            "**示例数据**：当前只载入了示例台账（临江区示例活动），页面上的数字仅供熟悉看板使用。"
            "创城办在“数据上传”页导入真实台账后，可一键删除示例数据。", icon=":material/info:")
    elif view.status.sample_mixed:
        st.warning(
            "数据库中既有真实台账，也还留着**示例数据**，示例数据会计入统计。"
            "创城办可在“上传记录”页删除全部示例数据。", icon=":material/warning:")


def offer_sample_removal(view: View) -> None:
    """Once real ledgers are in, offer the office to remove the sample batches (one
    transaction, with a confirmation)."""
    if not view.status.sample_mixed:
        return
    with st.container(border=True):
        st.markdown("**真实台账已经导入，示例数据还在数据库中并计入统计。**")
        sure = st.checkbox("确认删除全部示例数据（只删除示例批次，真实台账不受影响）", key="confirm_sample_removal")
        st.button("删除全部示例数据", disabled=not sure, key="remove_sample", icon=":material/delete:",
                  on_click=_remove_sample, args=(view.db,))


def _remove_sample(db: str) -> None:
    removed = data.remove_sample_batches(db, access.actor())
    st.session_state["confirm_sample_removal"] = False
    flash(f"已删除示例数据（{len(removed)}个批次），各页面已恢复为只统计真实台账。")


_FLASH = "_flash"


def flash(text: str) -> None:
    """A success message for the next run (after ``st.rerun``)."""
    st.session_state[_FLASH] = text


def show_flash() -> None:
    text = st.session_state.pop(_FLASH, None)
    if text:
        st.success(text)


def validation_report(notes, file_name: str, report_date, counts: dict, *, key: str) -> None:
    """A file's validation report (``data_pipeline.validation``) as a table, with its
    .xlsx download (made when clicked)."""
    if notes:
        st.dataframe(validation.notes_frame(notes), hide_index=True, column_config=validation.COLUMNS)
    else:
        st.caption("没有拒收的行，也没有警告。")
    st.download_button("下载检查结果（.xlsx，可发回填报单位）",
                       partial(validation.report_xlsx, file_name, notes, report_date=report_date, counts=counts),
                       f"{Path(file_name).stem}_导入检查结果.xlsx", key=f"report|{key}",
                       icon=":material/download:")


# ---------------------------------------------------------------- KPI cards

KPI_LABELS = {"items": "交办总数", "done": "已整改", "completion_rate": "整改率", "overdue": "超期",
              "due_soon": "临期", "on_time_rate": "按期整改率"}
KPI_HELP = {
    "items": "截至该日各台账中出现过的问题总数（同一问题只算一次，按最近一期的情况）。",
    "done": "状态为已整改/已销号等的问题数。",
    "completion_rate": "已整改 ÷ 交办总数。",
    "overdue": "未整改完成（不含长期整改）且整改时限早于截至日期的问题数。",
    "due_soon": "未整改完成、整改时限在截至日期起{n}天内的问题数。",
    "on_time_rate": "在时限内整改完成的问题 ÷（已到时限的问题 + 已整改的问题）。",
}
BAD_WHEN_UP = {"overdue", "due_soon"}


def kpi_row(k: campaign.Kpis, due_soon_days: int) -> None:
    cols = st.columns(len(campaign.KPI_KEYS))
    for col, key in zip(cols, campaign.KPI_KEYS):
        value = k.values[key]
        shown = pct(value) if key.endswith("rate") else count(value)
        delta = k.deltas[key]
        if delta is None:
            text, color, arrow = None, "normal", "auto"
        elif delta == 0:
            text, color, arrow = "持平", "off", "off"
        else:
            text = points(delta) if key.endswith("rate") else f"{delta:+,}"
            color, arrow = ("inverse" if key in BAD_WHEN_UP else "normal"), "auto"
        col.metric(KPI_LABELS[key], shown, text, delta_color=color, delta_arrow=arrow, border=True,
                   help=KPI_HELP[key].format(n=due_soon_days))


# ---------------------------------------------------------------- download


def xlsx_bytes(df: pd.DataFrame, columns: list[str], title: str, sheet: str = "督办单") -> bytes:
    """``df[columns]`` as an .xlsx: a merged title row, Chinese headers (``ITEM_LABELS``),
    one row per item, dates as ``3月6日`` (real Excel dates)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.append([ITEM_LABELS[c] for c in columns])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in df[columns].itertuples(index=False):
        values = []
        for v in row:
            if v is None or v is pd.NA or (isinstance(v, float) and v != v) or v is pd.NaT:
                values.append(None)
            elif isinstance(v, pd.Timestamp):
                values.append(v.date())
            elif hasattr(v, "item"):
                values.append(v.item())
            else:
                values.append(v)
        ws.append(values)
    widths = {"description": 36, "location": 24, "group_name": 22, "item_id": 14, "notes": 24}
    for i, c in enumerate(columns, start=1):
        letter = ws.cell(2, i).column_letter
        ws.column_dimensions[letter].width = widths.get(c, 12)
        if c in ("assigned_on", "deadline", "completed_on", "report_date"):
            for cell in ws[letter][2:]:
                cell.number_format = 'm"月"d"日"'
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def percent_column(label: str, help: str | None = None):
    """A sortable rate column; the frame holds the rate x 100 (``as_percent``)."""
    return st.column_config.NumberColumn(label, format="%.1f%%", help=help)


def as_percent(rates: pd.Series) -> pd.Series:
    """Rates (0.875) as the numbers a ``percent_column`` shows (87.5)."""
    return pd.to_numeric(rates, errors="coerce") * 100


def keep(key: str, options: list | None = None) -> None:
    """Let a page's own widget ``key`` keep its value while the user visits other pages
    (Streamlit forgets the state of widgets not drawn in a run). Call before drawing
    the widget, and ``kept(key)`` after it."""
    ss = st.session_state
    if key not in ss and f"_kept_{key}" in ss:
        ss[key] = ss[f"_kept_{key}"]
    if options is not None and key in ss:
        value = ss[key]
        if isinstance(value, list):
            ss[key] = [x for x in value if x in options]
        elif value not in options:
            del ss[key]


def kept(key: str) -> None:
    st.session_state[f"_kept_{key}"] = st.session_state.get(key)
