"""Every page's frame: the sidebar (as-of date and filters, kept across pages), the
page's ``View`` (what it draws from), its heading with the campaign's phase, the empty
state and the 示例数据 banners.

The router (``app.py``) draws the sidebar on every run, so its choices persist across
pages, and hands the ``View`` to the page for that run only. A page run on its own (a
test's ``AppTest.from_file("pages/overview.py")``) draws the sidebar itself, so its
inputs are the sidebar's widgets: ``as_of``, ``groups`` and ``categories``.
"""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass

import streamlit as st

from data_pipeline import figures, labels
from data_pipeline.campaign.settings import CampaignSettings
from data_pipeline.errors import DatabaseBusy
from data_pipeline.meeting import phase_line
from data_pipeline.metrics import Filters

from . import access, data, sessions
from .widgets import flash, md

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
    def settings(self) -> CampaignSettings:
        return self.status.settings

    @property
    def filters(self) -> Filters:
        """The sidebar's group and category filters."""
        return Filters(self.groups, self.categories)


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
    so the choices persist across pages; returns the page's ``View``."""
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
            as_of = st.selectbox("截至日期", dates, key="as_of", format_func=labels.full_day,
                                 help="各页数字都按这一期台账（及之前）的情况统计；默认是最新一期。")
            groups = st.multiselect("工作组", status.groups, key="groups", placeholder="全部工作组",
                                    help="只看选中的工作组；不选即全部。")
            categories = st.multiselect("问题类别", status.categories, key="categories", format_func=labels.category_label,
                                        placeholder="全部类别", help="只看选中的问题类别；不选即全部。")
            st.caption("截至日期和筛选条件对所有页面生效。")
    return View(db, version, status, as_of, tuple(groups) if groups else None,
                tuple(categories) if categories else None, busy)


def page_view(title: str, *, allow_empty: bool = False, heading: bool = True) -> View:
    """Start a page: its heading, the banners, and the empty state (which stops the
    page, unless ``allow_empty``) when there is no data yet. The ``View`` is the one the
    router made for this run, else (a page run on its own) the sidebar is drawn here.
    A new server's first request naming a page file is handed to the router first
    (``sessions.reroute_first_run``, see app.py). ``heading=False`` (a presented slide):
    no title, caption or banners, only the empty state."""
    sessions.reroute_first_run()
    view: View = st.session_state.get(_VIEW) or sidebar()
    s = view.settings
    if not heading:
        if view.status.empty:
            empty_state()
            st.stop()
        return view
    st.title(title)
    if view.busy:
        st.info("数据库正在写入新数据（可能正在导入台账），下面是写入前的数据，稍后刷新即可看到最新结果。")
    if view.status.empty:
        empty_state()
        if not allow_empty:
            st.stop()
        return view
    sample_banner(view)
    info = figures.phase(s, view.as_of)
    parts = [md(s.name), f"截至{labels.full_day(view.as_of)}", phase_line(info, md)]
    filters = []
    if view.groups:
        filters.append("工作组：" + "、".join(md(g) for g in view.groups))
    if view.categories:
        filters.append("类别：" + "、".join(md(labels.category_label(c)) for c in view.categories))
    if filters:
        parts.append("筛选 " + "；".join(filters))
    st.caption(" ｜ ".join(parts))
    return view


@contextmanager
def routed(view: View):
    """Hand ``view`` to the page the router runs, for this run only."""
    st.session_state[_VIEW] = view
    try:
        yield
    finally:
        st.session_state.pop(_VIEW, None)


def empty_state() -> None:
    st.info(
        "**还没有任何台账数据。**\n\n"
        "创城办登录后在“数据上传”页导入各工作组报来的问题整改台账（.xlsx/.xls/.csv，可一次选多个文件），"
        "导入后各页面即显示进度。")


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


