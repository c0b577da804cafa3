"""The ingest on every workbook of ``../shared/corpus/foreign-workbooks``: odd real-world
files from the calamine reader's own test suite (broken, encrypted, strange encodings,
formulas, pictures, pivots, denial-of-service cases; also its LICENSE text, read as CSV).

Each must be ingested or refused with a clear Chinese message, within 10 s and 1 GB,
storing nothing when refused. Each ingest runs in a forked child (``hostile.ingest_in_child``)
so a hang can be killed and its peak memory measured.
"""
from __future__ import annotations

import builtins
import datetime as dt
import re
import time

import pytest

import data_pipeline as dp

from . import hostile
from .conftest import CORPUS, require

MIN_FILES = 100
REPORT_DATE = dt.date(2026, 3, 6)
FILES = sorted(p.name for p in CORPUS.iterdir() if p.is_file()) if CORPUS.is_dir() else ["(no corpus)"]

_QUOTED = re.compile(r"“[^”]*”")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_PYTHON_WORDS = re.compile(r"Traceback|Error|Exception|panicked|File \"|line \d+")
_EXCEPTION_NAMES = sorted(name for name, value in vars(builtins).items()
                          if isinstance(value, type) and issubclass(value, BaseException))


def unclear(message: str, file_name: str) -> str:
    """Why ``message`` is not a clear refusal of ``file_name`` ("" when it is): it must
    be ``LedgerError``'s ``文件“…”[工作表“…”][第N行][“…”列]：reason``, and the reason, once
    the user's own words in “…” are set aside, Chinese with no trace of Python."""
    where = re.match(rf"文件“{re.escape(file_name)}”(工作表“[^”]*”)?(第\d+行)?(“[^”]*”列)?：", message)
    if not where:
        return "does not start with the file name"
    reason = _QUOTED.sub("", message[where.end():])
    if not _CJK.search(reason):
        return "not Chinese"
    if _PYTHON_WORDS.search(reason):
        return "contains Python error text"
    named = [n for n in _EXCEPTION_NAMES if re.search(rf"\b{n}\b", reason)]
    return f"names exception classes {named}" if named else ""


def test_corpus_is_there():
    """An empty or missing mount must not pass silently."""
    require(CORPUS.is_dir(), f"corpus not found at {CORPUS}")
    assert len(FILES) >= MIN_FILES


@pytest.mark.corpus
@pytest.mark.parametrize("name", FILES)
def test_foreign_workbook_ingests_or_is_refused_clearly(name, tmp_path):
    require(CORPUS.is_dir(), f"corpus not found at {CORPUS}")
    outcome = hostile.ingest_in_child(CORPUS / name, tmp_path / "corpus.duckdb", report_date=REPORT_DATE)
    if outcome.timed_out:
        pytest.fail(f"{name}: still running after {hostile.TIME_LIMIT_S:g} s")
    if outcome.error:
        pytest.fail(f"{name}: the ingest crashed instead of refusing the file:\n{outcome.error}")
    assert outcome.peak_kb < hostile.MEMORY_LIMIT_KB, f"{name}: peak memory {outcome.peak_kb // 1024} MB"
    if outcome.ok:
        assert outcome.items > 0 and outcome.batches == 1
        assert outcome.message.startswith(f"{name}：已导入批次#1（截至2026-03-06），问题{outcome.items}条")
    else:
        assert unclear(outcome.message, name) == "", outcome.message
        assert outcome.batches == 0


@pytest.mark.parametrize("message, reason", [
    ("文件“a.xlsx”：文件已损坏", ""),
    ("文件“a.xlsx”工作表“ValueError”：没有找到台账表头", ""),
    ("文件“b.xlsx”：文件已损坏", "does not start with the file name"),
    ("文件“a.xlsx”：Cannot detect file format", "not Chinese"),
    ("文件“a.xlsx”：“问题描述”", "not Chinese"),
    ("文件“a.xlsx”", "does not start with the file name"),
    ("文件“a.xlsx”：读取失败 CalamineError: bad zip", "contains Python error text"),
    ("文件“a.xlsx”：读取失败（Traceback）", "contains Python error text"),
    ("文件“a.xlsx”：读取失败 KeyboardInterrupt", "names exception classes ['KeyboardInterrupt']"),
])
def test_unclear_tells_a_clear_message_from_a_leaked_error(message, reason):
    assert unclear(message, "a.xlsx") == reason


def _crash(con, path, **kwargs):
    raise ValueError("boom")


def _hang(con, path, **kwargs):
    time.sleep(60)


def _hog(con, path, **kwargs):
    hog = bytearray(300 * 1024 * 1024)
    hog[::4096] = b"x" * len(hog[::4096])  # touch every page
    raise dp.LedgerError("内存测试", file=path.name)


@pytest.mark.parametrize("fake, timeout, check", [
    (_crash, 10, lambda o: not o.ok and o.error.rstrip().endswith("ValueError: boom")),
    (_hang, 0.5, lambda o: o.timed_out and o.error == "still running after 0.5 s, killed" and o.seconds < 5),
    (_hog, 10, lambda o: o.message == "文件“x.csv”：内存测试" and o.peak_kb > 300 * 1024),
], ids=["crash", "hang", "memory"])
def test_child_harness_sees_crashes_hangs_and_memory(fake, timeout, check, tmp_path, monkeypatch):
    """The corpus test can fail: a crash, a hang and a memory hog are all reported."""
    path = tmp_path / "x.csv"
    path.write_text("a,b\n")
    monkeypatch.setattr(dp, "ingest_file", fake)
    outcome = hostile.ingest_in_child(path, tmp_path / "x.duckdb", timeout=timeout)
    assert check(outcome), outcome
