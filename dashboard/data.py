"""Database access for the pages: short-lived connections and cached reads.

- Every read opens a read-only connection (``data_pipeline.connect(..., read_only=True)``),
  runs its queries and closes it, so the CLI can write to the file in between; a
  connection is never shared between threads (DuckDB's rule).
- Figures (``data_pipeline.figures``) are cached with ``st.cache_data`` keyed on the database path, its
  ``data_version`` (bumped by every batch added or removed and every settings save)
  and the parameters: a new batch or new settings show on the next page view.
- DuckDB refuses, inside one process, a read-write connection while read-only ones are
  open (and the reverse), so this process's readers share a lock that the rare writer
  (first-start sample load, an upload, a removal, a settings save) takes alone.
- While another process writes (a CLI ingest), opening waits (``store.connect``
  retries); if it stays locked, ``DatabaseBusy`` reaches ``view.busy_guard``,
  which shows the last data this session saw, with a note.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

import data_pipeline as dp
from data_pipeline import audit, figures, mappings, preview, store
from data_pipeline.campaign import settings as campaign_settings
from data_pipeline.campaign.settings import CampaignSettings, load_settings
from data_pipeline.constants import default_db_path
from data_pipeline.metrics import Filters
from data_pipeline.sample import is_empty, load_sample, only_sample_loaded, remove_sample

CACHE = {"max_entries": 256, "show_spinner": False}
LIST_CACHE = {"max_entries": 4, "show_spinner": False}
VERSION_WAIT_SECONDS = 3.0


class _ReadWriteLock:
    def __init__(self):
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False

    @contextmanager
    def read(self):
        with self._cond:
            while self._writer:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def write(self):
        with self._cond:
            while self._writer or self._readers:
                self._cond.wait()
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


_LOCK = _ReadWriteLock()
# Time spent reading the database (cache misses only), for benchmarks/bench_pages.py.
STATS = {"reads": 0, "seconds": 0.0}


def db_path() -> str:
    """``CAMPAIGN_DB``, else ``data/campaign.duckdb`` (absolute)."""
    return str(Path(default_db_path()).resolve())


@contextmanager
def reading(db: str, wait_seconds: float = 15.0):
    with _LOCK.read():
        start = time.perf_counter()
        con = dp.connect(db, read_only=True, wait_seconds=wait_seconds)
        try:
            yield con
        finally:
            con.close()
            STATS["reads"] += 1
            STATS["seconds"] += time.perf_counter() - start


@contextmanager
def writing(db: str):
    with _LOCK.write():
        con = dp.connect(db)
        try:
            yield con
        finally:
            con.close()


def sample_disabled() -> bool:
    """``CAMPAIGN_NO_SAMPLE=1`` keeps an empty database empty (tests of the empty state)."""
    return os.environ.get("CAMPAIGN_NO_SAMPLE", "").strip().lower() in ("1", "true", "yes")


@st.cache_resource(show_spinner=False)
def first_start(db: str, no_sample: bool) -> int:
    """Once per process and database: create it, and load the sample campaign into it
    when it holds no batch (unless ``no_sample``). Returns the batches loaded."""
    with writing(db) as con:
        if no_sample or not is_empty(con):
            return 0
        return len(load_sample(con))


def data_version(db: str) -> int:
    with reading(db, VERSION_WAIT_SECONDS) as con:
        return dp.data_version(con)


@dataclass(frozen=True)
class Status:
    """What every page needs before drawing: is there data, is it only the sample,
    the report dates, the filter options and the settings."""

    empty: bool
    sample_only: bool
    sample_mixed: bool
    dates: list
    groups: list
    categories: list
    settings: CampaignSettings


@st.cache_data(**CACHE)
def status(db: str, version: int) -> Status:
    with reading(db) as con:
        settings = load_settings(con)
        groups, categories = figures.filter_options(con, settings)
        sample_batches = len(store.sample_batch_ids(con))
        return Status(is_empty(con), only_sample_loaded(con), sample_batches > 0 and not only_sample_loaded(con),
                      dp.report_dates(con), groups, categories, settings)


# The pages' figures (``data_pipeline.figures``), cached per database version, date,
# settings and filters. Figures with item lists are large at 50,000 items, so fewer of
# them are kept: the server's memory follows what was viewed lately, not every date.

@st.cache_data(**CACHE)
def overview(db: str, version: int, as_of: dt.date, settings: CampaignSettings, filters: Filters):
    with reading(db) as con:
        return figures.overview(con, as_of, settings, filters)


@st.cache_data(**CACHE)
def trend(db: str, version: int, as_of: dt.date, settings: CampaignSettings, filters: Filters):
    with reading(db) as con:
        return figures.trend(con, as_of, settings, filters)


@st.cache_data(**CACHE)
def changes(db: str, version: int, as_of: dt.date, since: dt.date | None, settings: CampaignSettings,
            filters: Filters):
    """``figures.changes`` (本周变化) from ``since`` (None: the report before) to ``as_of``."""
    with reading(db) as con:
        return figures.changes(con, as_of, since, settings, filters)


@st.cache_data(**CACHE)
def forecast(db: str, version: int, as_of: dt.date, settings: CampaignSettings, filters: Filters):
    """``figures.forecast`` (进度预测)."""
    with reading(db) as con:
        return figures.forecast(con, as_of, settings, filters)


@st.cache_data(**LIST_CACHE)
def group(db: str, version: int, as_of: dt.date, group_name: str, settings: CampaignSettings, filters: Filters):
    with reading(db) as con:
        return figures.group(con, as_of, group_name, settings, filters)


@st.cache_data(**LIST_CACHE)
def overdue(db: str, version: int, as_of: dt.date, settings: CampaignSettings, filters: Filters, min_days: int):
    with reading(db) as con:
        return figures.overdue(con, as_of, settings, filters, min_days=min_days)


@st.cache_data(**LIST_CACHE)
def meeting(db: str, version: int, as_of: dt.date, settings: CampaignSettings, filters: Filters,
            since: dt.date | None):
    """The 会议汇报 deck (``data_pipeline.meeting.meeting``)."""
    from data_pipeline import meeting as deck
    with reading(db) as con:
        return deck.meeting(con, as_of, settings, since, filters)


def report_file(db: str, fmt: str, as_of: dt.date, settings: CampaignSettings, since: dt.date | None,
                filters: Filters) -> bytes:
    """A 通报 file (``data_pipeline.reports.build``), built when its download is clicked
    (not cached: the bytes leave with the download)."""
    from data_pipeline import reports
    with reading(db) as con:
        return reports.build(con, fmt, as_of, settings, since, filters)


def save_settings(db: str, settings: CampaignSettings, actor: audit.Actor) -> list[str]:
    """Store the settings (a write connection, opened only for this)."""
    with writing(db) as con:
        return campaign_settings.save_settings(con, settings, actor)


# ---------------------------------------------------------------- uploads and batches (office)

def stored_batch(db: str, data: bytes):
    """(batch_id, file_name, report_date) of a stored file with the same bytes, or None."""
    with reading(db) as con:
        return store.find_batch_by_hash(con, hashlib.sha256(data).hexdigest())


@st.cache_data(**CACHE)
def remembered(db: str, version: int) -> dict:
    """``mappings.load``: the office's remembered column mappings."""
    with reading(db) as con:
        return mappings.load(con)


@st.cache_data(**CACHE)
def remembered_listing(db: str, version: int):
    with reading(db) as con:
        return mappings.listing(con)


def against_stored(db: str, parsed: dp.ParsedFile):
    """(``preview.superseded``, ``preview.kept_fields``): what the file changes in the
    stored history, for its preview."""
    with reading(db) as con:
        return preview.superseded(con, parsed), preview.kept_fields(con, parsed)


def commit(db: str, parsed: dp.ParsedFile, actor: audit.Actor, choices: dict,
           settings: CampaignSettings | None = None) -> dp.IngestResult:
    """Store a previewed file (one transaction, replacing the sample and saving
    ``settings`` when given: ``ingest.store_parsed``), then remember the column
    ``choices`` ({header: field}) the office made for it."""
    with writing(db) as con:
        result = dp.store_parsed(con, parsed, actor=actor, settings=settings)
        if choices and not result.duplicate:
            mappings.remember(con, choices, actor)
        return result


def forget_mapping(db: str, header_key: str, actor: audit.Actor) -> bool:
    with writing(db) as con:
        return mappings.forget(con, header_key, actor)


def remove_batches(db: str, batch_ids: list[int], actor: audit.Actor) -> list[int]:
    with writing(db) as con:
        return dp.remove_batches(con, batch_ids, actor)


def remove_sample_batches(db: str, actor: audit.Actor) -> list[int]:
    with writing(db) as con:
        return remove_sample(con, actor)


@st.cache_data(**CACHE)
def batches(db: str, version: int):
    """``store.list_batches``."""
    with reading(db) as con:
        return dp.list_batches(con)


@st.cache_data(**CACHE)
def batch_notes(db: str, version: int, batch_id: int):
    with reading(db) as con:
        return dp.batch_notes(con, batch_id)


def batch_file(db: str, batch_id: int) -> tuple[str, bytes] | None:
    """The original file of a batch (not cached: it can be large)."""
    with reading(db) as con:
        return dp.batch_file(con, batch_id)


def audit_entries(db: str, version: int):
    """``audit.entries``, newest first (not cached: log-ins are logged without bumping
    ``data_version``)."""
    with reading(db) as con:
        return audit.entries(con)
