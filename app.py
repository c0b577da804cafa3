"""创城进度看板: the Streamlit entry point (``streamlit run app.py``). Only a router.

- Database: ``CAMPAIGN_DB``, else ``data/campaign.duckdb``. On the first start against
  an empty database the sample campaign (``sample_data/``) is loaded; set
  ``CAMPAIGN_NO_SAMPLE=1`` to keep an empty database empty (tests of the empty state).
- The shared sidebar (as-of date, group and category filters) is drawn here, on every
  run, so its choices persist across pages; pages read them with
  ``pages.common.page_view``.
- Pages are listed explicitly (``pages/`` is not auto-discovered once st.navigation is
  used). Their URL paths (pinyin) must differ from the file names: while Streamlit
  still treats ``pages/`` as a v1 pages folder (a new server's first run, every
  AppTest run) a URL equal to a file name would run that page file without this
  router. To add a page: write ``pages/<name>.py`` (collect inputs -> call
  ``pages.data`` / ``data_pipeline`` -> render) and add an ``st.Page`` below. The
  管理 section is where office-only pages (e.g. a later 数据上传) belong.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:  # `pages.common` must import under AppTest too
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from pages import common  # noqa: E402

st.set_page_config(page_title="创城进度看板", page_icon=":material/dashboard:", layout="wide")

common.first_start()

PAGES = ROOT / "pages"
navigation = st.navigation({
    "进度看板": [
        st.Page(PAGES / "overview.py", title="总览", icon=":material/dashboard:", url_path="zonglan", default=True),
        st.Page(PAGES / "group.py", title="工作组", icon=":material/groups:", url_path="gongzuozu"),
        st.Page(PAGES / "overdue.py", title="超期督办", icon=":material/alarm:", url_path="duban"),
        st.Page(PAGES / "trend.py", title="阶段趋势", icon=":material/monitoring:", url_path="qushi"),
    ],
    "管理": [
        st.Page(PAGES / "settings.py", title="设置", icon=":material/settings:", url_path="shezhi"),
    ],
})
common.sidebar()
with common.busy_guard():
    navigation.run()
