"""创城进度看板: the Streamlit entry point (``streamlit run app.py``). Only a router.

- Database: ``CAMPAIGN_DB``, else ``data/campaign.duckdb``. On the first start against
  an empty database the sample campaign (``sample_data/``) is loaded; set
  ``CAMPAIGN_NO_SAMPLE=1`` to keep an empty database empty (tests of the empty state).
- The shared sidebar (as-of date, group and category filters) is drawn here, on every
  run, so its choices persist across pages; the page gets them from
  ``dashboard.view.page_view`` (``dashboard`` is the Streamlit side's package;
  ``pages/`` holds only page scripts).
- Roles (``dashboard.access``): the 管理 pages (数据上传, 上传记录, 设置, 操作日志) are listed only
  for the logged-in office; everyone else sees 创城办登录 there. A configured viewer
  passcode is asked for before anything else.
- Pages are listed explicitly (``pages/`` is not auto-discovered once st.navigation is
  used). Their URL paths (pinyin) must differ from the file names: while Streamlit
  still treats ``pages/`` as a v1 pages folder (a new server's first run, every
  AppTest run) a URL equal to a file name would run that page file without this
  router. To add a page: write ``pages/<name>.py`` (collect inputs -> call one
  ``data_pipeline.figures`` function through ``dashboard.data`` -> render) and add an ``st.Page`` below; an
  office-only page goes into ``admin``.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import access, chrome, view

ROOT = Path(__file__).resolve().parent

st.set_page_config(page_title="创城进度看板", page_icon=str(chrome.ICON), layout="wide")
chrome.install()

access.viewer_gate()
view.first_start()

PAGES = ROOT / "pages"
if access.is_office():
    upload = st.Page(PAGES / "upload.py", title="数据上传", icon=":material/upload_file:", url_path="shangchuan")
    admin = [
        upload,
        st.Page(PAGES / "history.py", title="上传记录", icon=":material/history:", url_path="jilu"),
        st.Page(PAGES / "settings.py", title="设置", icon=":material/settings:", url_path="shezhi"),
        st.Page(PAGES / "audit_log.py", title="操作日志", icon=":material/receipt_long:", url_path="rizhi"),
    ]
else:
    admin = [st.Page(PAGES / "login.py", title="创城办登录", icon=":material/login:", url_path="denglu")]
navigation = st.navigation({
    "进度看板": [
        st.Page(PAGES / "overview.py", title="总览", icon=":material/dashboard:", url_path="zonglan", default=True),
        st.Page(PAGES / "group.py", title="工作组", icon=":material/groups:", url_path="gongzuozu"),
        st.Page(PAGES / "overdue.py", title="超期督办", icon=":material/alarm:", url_path="duban"),
        st.Page(PAGES / "trend.py", title="阶段趋势", icon=":material/monitoring:", url_path="qushi"),
    ],
    "管理": admin,
})
if access.is_office() and access.just_logged_in():
    st.switch_page(upload)
page_view = view.sidebar()
access.sidebar_badge()
with view.busy_guard(), view.routed(page_view):
    navigation.run()
