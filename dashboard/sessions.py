"""What the server keeps per browser session, and who may use Streamlit's endpoints.

Rules:
- Uploads only for the office. Streamlit's upload endpoint
  (``PUT /_stcore/upload_file/<session_id>/<file_id>``) takes a file from any live
  session, and the file stays in the server's memory until that session ends. This
  process keeps the ids of the sessions logged in as the office (``track``: every run of
  app.py, and ``dashboard.access`` on log-in and log-out); ``install`` (once per
  process, from app.py) makes the endpoint refuse every other session *before it reads
  the request body* (HTTP 400), and drops any file still handed to the uploaded-file
  manager for such a session. Streamlit 1.67's upload route calls
  ``Runtime.is_active_session`` and nothing else does, so that method of the one
  Runtime object is what is wrapped (checked by ``tests/test_browser_access.py`` with a
  real server and an HTTP PUT).
- The set lives in this process (on its Runtime object), not in the database: a
  session id only means something to the server process holding that session.
- Previews are freed. The upload page's parsed files (``UPLOADS_KEY``) and this
  session's files in the uploaded-file manager are dropped when the office leaves
  数据上传 or logs out (``release_uploads``, from app.py). Files of sessions that have
  ended are dropped by ``sweep`` (on every run of any session): Streamlit frees them
  when it shuts a session down, but not when a disconnected session simply expires
  from its reconnect storage (``server.disconnectedSessionTTL``).
- A new server's first run: until ``st.navigation`` has run once in a process,
  Streamlit treats ``pages/`` as a v1 pages folder, so the first request for
  ``/zonglan`` would show "Page not found" and one for ``/upload`` would run that page
  file without the router (and its access rules). The pinyin aliases in ``pages/``
  (``_zonglan.py`` …) run the router in place (``run_router``); a page file run that
  way ends its run and reruns through the router (``reroute_first_run``).
"""
from __future__ import annotations

import runpy
import threading

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

UPLOADS_KEY = "_uploads"          # pages/upload.py: file id -> Upload (bytes, parsed file)
UPLOADER_KEY = "upload_files"     # pages/upload.py: the file_uploader's key

_GUARDED = "_campaign_upload_guard"


class _Registry:
    """The office session ids, kept on the Runtime object (one per server process), so a
    reload of this module in development does not split it from the wrappers."""

    def __init__(self, is_active=None):
        self.office: set[str] = set()
        self.lock = threading.Lock()
        self.is_active = is_active       # the Runtime's own check, before it was wrapped


_LOCAL = _Registry()   # without a server (AppTest): nothing to guard, kept for the record


def session_id() -> str | None:
    """The id of the browser session this run belongs to."""
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx else None


def _runtime() -> Runtime | None:
    """The server's Runtime; None under AppTest (whose runtime is a mock) or outside a
    server."""
    if not Runtime.exists():
        return None
    rt = Runtime.instance()
    return rt if type(rt) is Runtime else None


def _registry(rt) -> _Registry:
    return getattr(rt, _GUARDED, None) or _LOCAL


def is_office_session(sid: str | None, rt=None) -> bool:
    reg = _registry(rt or _runtime())
    with reg.lock:
        return sid in reg.office


def track(office: bool, sid: str | None = None, rt=None) -> None:
    """Record whether session ``sid`` (default: this run's) is logged in as the office,
    then ``sweep``. ``rt``: the Runtime (default: the server's)."""
    rt = rt or _runtime()
    sid = sid or session_id()
    reg = _registry(rt)
    if sid:
        with reg.lock:
            (reg.office.add if office else reg.office.discard)(sid)
    sweep(rt)


def install(rt=None) -> None:
    """Once per process (idempotent): the upload endpoint accepts files only for office
    sessions. ``rt``: the Runtime (default: the server's; nothing to do under AppTest)."""
    rt = rt or _runtime()
    if rt is None or getattr(rt, _GUARDED, None) is not None:
        return
    reg = _Registry(rt.is_active_session)
    manager = rt.uploaded_file_mgr
    add_file = manager.add_file

    def office(session_id: str) -> bool:
        with reg.lock:
            return session_id in reg.office

    def may_upload(session_id: str) -> bool:
        """The upload route's session check: a live session *of the office*."""
        return office(session_id) and reg.is_active(session_id)

    def add_office_file(session_id: str, file) -> None:
        if office(session_id):
            add_file(session_id, file)

    setattr(rt, _GUARDED, reg)
    rt.is_active_session = may_upload
    manager.add_file = add_office_file


def _session_exists(rt, sid: str) -> bool:
    """``sid`` is live or waiting to reconnect (when in doubt: it exists)."""
    info = getattr(getattr(rt, "_session_mgr", None), "get_session_info", None)
    try:
        if info is not None:
            return info(sid) is not None
        return _registry(rt).is_active(sid)
    except Exception:   # the session manager changed under us (another thread): keep it
        return True


def sweep(rt=None) -> None:
    """Forget sessions that no longer exist: their uploaded files are dropped from the
    server's memory and their ids from the office set."""
    rt = rt or _runtime()
    if rt is None or getattr(rt, _GUARDED, None) is None:
        return
    manager = rt.uploaded_file_mgr
    for sid in list(getattr(manager, "file_storage", {})):
        if not _session_exists(rt, sid):
            manager.remove_session_files(sid)
    reg = _registry(rt)
    with reg.lock:
        gone = [sid for sid in reg.office if not _session_exists(rt, sid)]
        reg.office.difference_update(gone)


def release_uploads(rt=None) -> bool:
    """Free this session's previews: the upload page's parsed files and the uploader's
    files in the server's memory. Returns whether anything was held."""
    ss = st.session_state
    held = ss.pop(UPLOADS_KEY, None) is not None
    if UPLOADER_KEY in ss:
        del ss[UPLOADER_KEY]
        held = True
    rt = rt or _runtime()
    sid = session_id()
    if rt is not None and sid and sid in getattr(rt.uploaded_file_mgr, "file_storage", {}):
        rt.uploaded_file_mgr.remove_session_files(sid)
        held = True
    return held


def in_first_run() -> bool:
    """This run is Streamlit's v1 pages-folder run (no ``st.navigation`` yet in this
    process: a new server's first request; also every AppTest run, until app.py's
    st.navigation)."""
    return bool(PagesManager.uses_pages_directory)


def run_router() -> None:
    """For the URL aliases ``pages/_<path>.py``: in the v1 run, run app.py here (as
    Streamlit runs it for ``/``), so its ``st.navigation`` opens the page of this URL
    path in this same run (no rerun: a button pressed stays pressed)."""
    ctx = get_script_run_ctx()
    if ctx is not None and in_first_run():
        runpy.run_path(ctx.main_script_path, run_name="__main__")


def reroute_first_run() -> None:
    """For page files (``view.page_view``, 创城办登录): when the first request of a new
    server named this file (``/upload``), end the run before anything is drawn and run
    again through app.py's router, which opens its default page for a path it does not
    know. Does nothing otherwise."""
    if in_first_run():
        PagesManager.uses_pages_directory = False
        st.rerun()
