"""创城进度看板: the Streamlit entry point (``streamlit run app.py``). Only a router.

- Database: ``CAMPAIGN_DB``, else ``data/campaign.duckdb``. On the first start against
  an empty database the sample campaign (``sample_data/``) is loaded; set
  ``CAMPAIGN_NO_SAMPLE=1`` to keep an empty database empty (tests of the empty state).
- The shared sidebar (as-of date, group and category filters) is drawn here, on every
  run, so its choices persist across pages; the page gets them from
  ``dashboard.view.page_view`` (``dashboard`` is the Streamlit side's package;
  ``pages/`` holds the page scripts).
- Roles (``dashboard.access``): the 管理 pages (数据上传, 上传记录, 设置, 操作日志) are listed only
  for the logged-in office. For everyone else 创城办登录 is listed, and the office pages'
  URLs (``/shangchuan``, ``/jilu``, ``/shezhi``, ``/rizhi``) open 创城办登录 too, unlisted:
  a page's identity is its URL path, so after the log-in the same URL is the page asked
  for. For the office, ``/denglu`` opens 数据上传. A configured viewer passcode is asked
  for before anything else; a token cookie restores the role after a reload.
- Sessions (``dashboard.sessions``): the upload endpoint takes files only from office
  sessions; previews are freed whenever the page run is not 数据上传.
- URLs: every page path works on the first request to a new server. Pages are listed
  explicitly (``pages/`` is not auto-discovered once st.navigation is used), but until
  st.navigation has run once in a process, Streamlit treats ``pages/`` as a v1 pages
  folder: a URL is looked up among the file names there. So the URL paths (pinyin)
  differ from the page files' names, each has a one-line alias ``pages/_<path>.py``
  that hands that first run to this router (``sessions.reroute_first_run``), and every
  page does the same when the first request names its file (``/upload`` opens 总览,
  never the office page without this router). An unknown path opens 总览 with
  Streamlit's notice (in Chinese, ``dashboard.chrome``).
- To add a page: write ``pages/<name>.py`` (collect inputs -> call one
  ``data_pipeline.figures`` function through ``dashboard.data`` -> render), add an
  ``st.Page`` below and its alias ``pages/_<url path>.py``; an office-only page goes
  into ``OFFICE_PAGES``.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import access, chrome, sessions, view

ROOT = Path(__file__).resolve().parent
PAGES = ROOT / "pages"
# (file, title, icon, URL path) of the office's pages; the first opens after a log-in.
OFFICE_PAGES = [
    ("upload.py", "数据上传", ":material/upload_file:", "shangchuan"),
    ("history.py", "上传记录", ":material/history:", "jilu"),
    ("settings.py", "设置", ":material/settings:", "shezhi"),
    ("audit_log.py", "操作日志", ":material/receipt_long:", "rizhi"),
]
LOGIN = dict(title="创城办登录", icon=":material/login:")

st.set_page_config(page_title="创城进度看板", page_icon=str(chrome.ICON), layout="wide")
chrome.install()
sessions.install()
view.first_start()
access.restore()
access.viewer_gate()

office = access.is_office()
sessions.track(office)
if office:
    admin = [st.Page(PAGES / f, title=t, icon=i, url_path=u) for f, t, i, u in OFFICE_PAGES]
    upload = admin[0]
    admin.append(st.Page(lambda: st.switch_page(upload), url_path="denglu", visibility="hidden", **LOGIN))
else:
    admin = [st.Page(PAGES / "login.py", url_path="denglu", **LOGIN)]
    admin += [st.Page(PAGES / "login.py", url_path=u, visibility="hidden", **LOGIN) for _, _, _, u in OFFICE_PAGES]
# Streamlit serves the default page at "/" only; /zonglan (its name) switches to it.
overview = st.Page(PAGES / "overview.py", title="总览", icon=":material/dashboard:", url_path="shouye", default=True)
navigation = st.navigation({
    "进度看板": [
        overview,
        st.Page(lambda: st.switch_page(overview), title="总览", url_path="zonglan", visibility="hidden"),
        st.Page(PAGES / "group.py", title="工作组", icon=":material/groups:", url_path="gongzuozu"),
        st.Page(PAGES / "overdue.py", title="超期督办", icon=":material/alarm:", url_path="duban"),
        st.Page(PAGES / "trend.py", title="阶段趋势", icon=":material/monitoring:", url_path="qushi"),
        st.Page(PAGES / "changes.py", title="本周变化", icon=":material/compare_arrows:", url_path="bianhua"),
        st.Page(PAGES / "forecast.py", title="进度预测", icon=":material/event_upcoming:", url_path="yuce"),
        st.Page(PAGES / "meeting.py", title="会议汇报", icon=":material/slideshow:", url_path="huibao"),
    ],
    "管理": admin,
})
if not office:
    access.ask_for(next((t for _, t, _, u in OFFICE_PAGES if u == navigation.url_path), None))
if navigation.url_path != OFFICE_PAGES[0][3]:
    sessions.release_uploads()
access.sync_cookie()
page_view = view.sidebar()
access.sidebar_badge()
with view.busy_guard(), view.routed(page_view):
    navigation.run()
