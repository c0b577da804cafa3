"""Helpers for driving the dashboard with Streamlit's AppTest."""
from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")
VIEW_PAGES = ["pages/overview.py", "pages/group.py", "pages/overdue.py", "pages/trend.py", "pages/changes.py",
              "pages/forecast.py", "pages/meeting.py"]
OFFICE_PAGES = ["pages/upload.py", "pages/history.py", "pages/audit_log.py"]   # and pages/settings.py
OFFICE_PASSCODE = "创城-2026"


def run_app(monkeypatch, path, *, no_sample=False, office_passcode: str | None = OFFICE_PASSCODE,
            viewer_passcode: str | None = None) -> AppTest:
    """The app on the database ``path``, with the passcodes in the environment (None:
    not configured), after its first run."""
    monkeypatch.setenv("CAMPAIGN_DB", str(path))
    if no_sample:
        monkeypatch.setenv("CAMPAIGN_NO_SAMPLE", "1")
    else:
        monkeypatch.delenv("CAMPAIGN_NO_SAMPLE", raising=False)
    for name, value in (("CAMPAIGN_OFFICE_PASSCODE", office_passcode), ("CAMPAIGN_VIEWER_PASSCODE", viewer_passcode)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def go(at: AppTest, page: str) -> AppTest:
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def login(at: AppTest, name: str = "王主任", passcode: str = OFFICE_PASSCODE) -> AppTest:
    """Log in as the office on 创城办登录 (which then opens 数据上传)."""
    go(at, "pages/login.py")
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_passcode").input(passcode)
    at.button[0].click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.title[0].value == "数据上传"
    return go(at, "pages/upload.py")   # AppTest's next run would start from the login page again


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "error", "success")
             for e in getattr(at, kind)]
    return "\n".join(parts)


def shown(element) -> str:
    """An element's Markdown as the reader sees it: the backslash escapes that keep
    ledger text inert (``dashboard.widgets.md``) removed."""
    return re.sub(r"\\(.)", r"\1", element.value)
