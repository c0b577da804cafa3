"""The ingest on every workbook of ``../shared/corpus/foreign-workbooks``: odd real-world
files from the calamine reader's own test suite (broken, encrypted, strange encodings,
formulas, pictures, pivots, denial-of-service cases; also its LICENSE text, read as CSV).

Each must be ingested or refused with a clear Chinese message (``hostile.unclear``),
within 10 s and 1 GB, storing nothing when refused; the refusals in ``EXPECTED`` are
pinned exactly. Each ingest runs in a forked child (``hostile.ingest_in_child``) so a
hang can be killed and its peak memory measured.
"""
from __future__ import annotations

import datetime as dt
import time

import pytest

import data_pipeline as dp

from . import hostile
from .conftest import CORPUS, require

MIN_FILES = 100
REPORT_DATE = dt.date(2026, 3, 6)
# Files whose refusal is known exactly; any other file: ingested, or any clear refusal.
_NO_HEADER = "在工作表“{}”中都没有找到台账表头（需要“问题描述”或“问题编号”等列名），未导入"
_PASSWORD = "工作簿设置了打开密码，请取消密码后再上传"
EXPECTED = {
    "pass_protected.xlsx": _PASSWORD,
    "pass_protected.xlsb": _PASSWORD,
    "pass_protected.ods": _PASSWORD,
    "issue_530.xlsx": _NO_HEADER.format("出勤分类组织汇总表"),  # zip member names with backslashes
    "minimal_package.xlsx": _NO_HEADER.format("Sheet1"),         # workbook.xml at the package root
    "LICENSE-MIT.md": _NO_HEADER.format("LICENSE-MIT"),           # a text file, read as CSV
}
FILES = sorted(p.name for p in CORPUS.iterdir() if p.is_file()) if CORPUS.is_dir() else ["(no corpus)"]


def test_corpus_is_there():
    """An empty or missing mount must not pass silently."""
    require(CORPUS.is_dir(), f"corpus not found at {CORPUS}")
    assert len(FILES) >= MIN_FILES
    assert set(EXPECTED) <= set(FILES)


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
    if name in EXPECTED:
        assert (outcome.ok, outcome.message) == (False, f"文件“{name}”：{EXPECTED[name]}")
    if outcome.ok:
        assert outcome.items > 0 and outcome.batches == 1
        assert outcome.message.startswith(f"{name}：已导入批次#1（截至2026-03-06），问题{outcome.items}条")
    else:
        assert hostile.unclear(outcome.message, name) == "", outcome.message
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
    assert hostile.unclear(message, "a.xlsx") == reason


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
    # (the harness kills the child after the timeout: ``timed_out`` says it did)
    (_hang, 0.5, lambda o: o.timed_out and o.error == "still running after 0.5 s, killed"),
    (_hog, 10, lambda o: o.message == "文件“x.csv”：内存测试" and o.peak_kb > 300 * 1024),
], ids=["crash", "hang", "memory"])
def test_child_harness_sees_crashes_hangs_and_memory(fake, timeout, check, tmp_path, monkeypatch):
    """The corpus test can fail: a crash, a hang and a memory hog are all reported."""
    path = tmp_path / "x.csv"
    path.write_text("a,b\n")
    monkeypatch.setattr(dp, "ingest_file", fake)
    outcome = hostile.ingest_in_child(path, tmp_path / "x.duckdb", timeout=timeout)
    assert check(outcome), outcome
