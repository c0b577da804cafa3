"""Bad input: a clear Chinese message, nothing stored, never a traceback or a hang.

Each hostile file (``tests/hostile.py``) is refused with an exact message, and the
database is exactly as before: the row count of every table and ``data_version``. A
crash in the middle of writing a batch rolls the whole batch back. On the command
line, a file that cannot be read gets one line on stderr and a non-zero exit, and the
other files are still ingested.
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import openpyxl
import pytest
import xlwt

import data_pipeline as dp
from data_pipeline import store
from data_pipeline.errors import LedgerError

from . import hostile
from .conftest import ROOT

TABLES = ("batches", "batch_files", "source_rows", "item_states", "batch_notes")

# Builder in tests/hostile.py -> the exact message of the refusal.
REFUSED = {
    "pdf_renamed_xlsx":
        "文件“整改台账（扫描件）.xlsx”：这是PDF文件，不是电子表格，请上传Excel台账（.xlsx/.xls）或CSV",
    "png_renamed_xlsx":
        "文件“整改台账截图.xlsx”：这是图片文件，不是电子表格，请上传Excel台账（.xlsx/.xls）或CSV",
    "zero_byte":
        "文件“空文件.xlsx”：文件是空的（0字节），请重新导出后上传",
    "whitespace_csv":
        "文件“空白.csv”：在工作表“空白”中都没有找到台账表头（需要“问题描述”或“问题编号”等列名），未导入",
    "html_saved_as_xls":
        "文件“网页导出台账.xls”：文件内容是网页或XML格式，不是真正的Excel文件，请用Excel或WPS打开后“另存为”.xlsx再上传",
    "word_docx_renamed":
        "文件“整改报告.xlsx”：这是Word文档，不是电子表格，请上传Excel台账",
    "password_protected_xlsx":
        "文件“加密台账.xlsx”：工作簿设置了打开密码，请取消密码后再上传",
    "truncated_xlsx":
        "文件“截断台账.xlsx”：文件已损坏（压缩包不完整或被截断），请用Excel重新保存后上传",
    "corrupt_zip":
        "文件“损坏台账.xlsx”：文件已损坏（压缩包不完整或被截断），请用Excel重新保存后上传",
    "corrupt_member_xlsx":
        "文件“内容损坏台账.xlsx”工作表“台账”：文件已损坏或内容不完整，无法按xlsx格式读取，请用Excel或WPS打开后重新保存再上传",
    "zip_bomb_xlsx":
        "文件“压缩炸弹.xlsx”：文件解压后异常庞大（疑似“压缩炸弹”），已拒绝读取",
    "zip_bomb_many_members_xlsx":
        "文件“压缩炸弹（多个工作表）.xlsx”：文件解压后超过600MB，超出可处理范围，请拆分后上传",
    "lying_sizes_zip_bomb_xlsx":
        "文件“压缩炸弹（虚报大小）.xlsx”工作表“台账”：文件已损坏或内容不完整，无法按xlsx格式读取，请用Excel或WPS打开后重新保存再上传",
    "no_header_xlsx":
        "文件“无表头.xlsx”：在工作表“签到”、“纪要”中都没有找到台账表头（需要“问题描述”或“问题编号”等列名），未导入",
    "all_rows_rejected_xlsx":
        "文件“全部拒收.xlsx”：全部3行都无法作为问题导入（例如工作表“台账”第3行：整改时限“下周”无法识别为日期），未导入",
    "no_report_date_xlsx":
        "文件“无日期台账.xlsx”：找不到截至日期：表头上方没有“填报日期/统计截至”，文件名里也没有日期。"
        "请在文件中注明填报日期，或导入时指定截至日期（命令行 --report-date）",
}

GOOD_HEADER = ["问题编号", "问题描述", "责任单位", "整改时限", "整改情况"]
GOOD_ONE = ("好台账一.xlsx", "填报日期：2026年3月6日", [
    ["CC-001", "人行道板破损", "道路维修组", "2026-03-10", "整改中"],
    ["CC-002", "路灯不亮", "道路维修组", "2026-03-12", "已整改"],
    ["CC-003", "占道经营", "市容环境组", "2026-03-08", "未整改"],
])
GOOD_TWO = ("好台账二.xlsx", "填报日期：2026年3月13日", [
    ["CC-001", "人行道板破损", "道路维修组", "2026-03-10", "已整改"],
    ["CC-004", "垃圾桶满溢", "市容环境组", "2026-03-16", "整改中"],
])


def write_good_ledger(directory: Path, spec: tuple[str, str, list[list[str]]]) -> Path:
    """A small valid ledger (openpyxl): a 填报日期 line, the header, ``rows``."""
    name, report_line, rows = spec
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    for row in [[report_line], GOOD_HEADER, *rows]:
        ws.append(row)
    path = directory / name
    wb.save(path)
    return path


def snapshot(con) -> dict[str, int]:
    """Row count of every table, and ``data_version``."""
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    return {**counts, "data_version": dp.data_version(con)}


@pytest.fixture(scope="session")
def hostile_file(tmp_path_factory):
    """``hostile_file(name)``: the path of the file built by ``hostile.<name>``, built once
    per session (the bombs and the million-row sheet take seconds)."""
    directory = tmp_path_factory.mktemp("hostile")
    built: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in built:
            built[name] = getattr(hostile, name)(directory)
        return built[name]
    return get


@pytest.fixture
def seeded(con, tmp_path):
    """The ``con`` database holding one good batch, so "as before" is not just empty."""
    result = dp.ingest_file(con, write_good_ledger(tmp_path, GOOD_ONE))
    assert (result.batch_id, result.items) == (1, 3)
    return con


# ---------------------------------------------------------------- the library

@pytest.mark.parametrize("name", REFUSED)
def test_refused_with_exact_message_and_nothing_stored(name, seeded, hostile_file):
    path = hostile_file(name)
    before = snapshot(seeded)
    with pytest.raises(LedgerError) as refused:
        dp.ingest_file(seeded, path)
    assert str(refused.value) == REFUSED[name]
    assert refused.value.file == path.name
    assert snapshot(seeded) == before


def test_every_small_and_big_builder_is_covered():
    """Each hostile builder is pinned by a test here: a new one cannot go untested."""
    elsewhere = {"million_empty_rows_xlsx", "whitespace_rows_xlsx", "repeated_cells_ods", "blank_lines_csv"}
    assert set(hostile.SMALL) | set(hostile.BIG) == set(REFUSED) | elsewhere


def test_report_date_given_makes_undated_file_ingest(con, hostile_file):
    result = dp.ingest_file(con, hostile_file("no_report_date_xlsx"), report_date=dt.date(2026, 3, 6))
    assert (result.items, result.skipped, result.rejected, result.warnings) == (3, 0, 0, 0)
    assert con.execute("SELECT report_date, report_date_source FROM batches").fetchall() == [
        (dt.date(2026, 3, 6), "手工指定")]


def test_million_empty_formatted_rows_ingest_the_real_rows(hostile_file, tmp_path):
    """The three real rows are stored, the million bordered empty ones are not, under
    1 GB (run in a child to measure it; killed if it hangs). Its speed is measured by
    ``benchmarks/bench_ingest.py``, not here."""
    db = tmp_path / "million.duckdb"
    outcome = hostile.ingest_in_child(hostile_file("million_empty_rows_xlsx"), db)
    assert outcome.error == ""
    assert (outcome.ok, outcome.items, outcome.batches) == (True, hostile.MILLION_ROWS_ITEMS, 1)
    assert outcome.message == "百万空行台账.xlsx：已导入批次#1（截至2026-03-06），问题3条，跳过0行，拒收0行，警告0条"
    assert outcome.peak_kb < hostile.MEMORY_LIMIT_KB, f"peak memory {outcome.peak_kb // 1024} MB"
    con = dp.connect(db, read_only=True)
    try:
        assert snapshot(con) == {"batches": 1, "batch_files": 1, "source_rows": 5, "item_states": 3,
                                 "batch_notes": 0, "data_version": 1}
    finally:
        con.close()


def test_rows_of_white_space_are_blank_rows(con, hostile_file):
    """Normalise rule 1 (blank rows are ignored) holds for rows whose cells hold only
    spaces or full-width spaces: they are not items."""
    result = dp.ingest_file(con, hostile_file("whitespace_rows_xlsx"))
    assert (result.items, result.rejected) == (3, 0)
    assert con.execute("SELECT item_id FROM item_states ORDER BY row_no").fetchall() == [
        ("CC-001",), ("CC-002",), ("CC-003",)]


@pytest.mark.parametrize("name, items", [
    ("blank_lines_csv", 1),        # one real row, then 16 MB of empty lines: must ingest
    ("repeated_cells_ods", None),  # 1 KB file, five million cells: refusing is as good as ingesting
])
def test_small_file_large_sheet_within_limits(name, items, hostile_file, tmp_path):
    """Ingested with ``items`` items (None: any, or a clear refusal), within 10 s and 1 GB."""
    path = hostile_file(name)
    outcome = hostile.ingest_in_child(path, tmp_path / "limits.duckdb")
    assert not outcome.timed_out, f"{name}: still running after {hostile.TIME_LIMIT_S:g} s " \
                                  f"(peak memory so far {outcome.peak_kb // 1024} MB)"
    assert outcome.error == ""
    assert outcome.peak_kb < hostile.MEMORY_LIMIT_KB, f"peak memory {outcome.peak_kb // 1024} MB"
    if items is not None:
        assert (outcome.ok, outcome.items, outcome.batches) == (True, items, 1), outcome.message
    elif outcome.ok:
        assert outcome.items > 0 and outcome.batches == 1
    else:
        assert hostile.unclear(outcome.message, path.name) == "" and outcome.batches == 0, outcome.message


def test_password_check_does_not_refuse_a_good_xls_mentioning_encrypted(con, tmp_path):
    """An .xls stores text with Chinese characters as UTF-16: a cell reading
    ``Encrypted 门禁卡失效`` is no open password."""
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("台账")
    for r, row in enumerate([["填报日期：2026年3月6日"], GOOD_HEADER,
                             ["CC-001", "Encrypted 门禁卡失效", "道路维修组", "2026-03-10", "整改中"]]):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    path = tmp_path / "门禁台账.xls"
    wb.save(str(path))
    result = dp.ingest_file(con, path)
    assert (result.items, result.rejected) == (1, 0)


# ---------------------------------------------------------------- one transaction per file

def _fail_in_worker(original):
    """An ``_item_sql`` whose SQL fails inside the writer thread, after the batch row
    and the source rows of this batch were written; the error says how many were."""
    def item_sql(sheet):
        original(sheet)
        return ("SELECT error(concat('写入中断：本批次已写入源行', count(*), '行')) FROM source_rows "
                "WHERE batch_id = $batch AND $sheet IS NOT NULL AND $report_date IS NOT NULL")
    return item_sql


def _raise(exc: BaseException):
    def item_sql(sheet):
        raise exc
    return item_sql


@pytest.mark.parametrize("patch, raised, text", [
    (_fail_in_worker, duckdb.InvalidInputException, "Invalid Input Error: 写入中断：本批次已写入源行4行"),
    (lambda original: _raise(RuntimeError("模拟崩溃")), RuntimeError, "模拟崩溃"),
    (lambda original: _raise(KeyboardInterrupt()), KeyboardInterrupt, ""),
], ids=["sql-error-in-writer-thread", "exception-while-preparing-items", "ctrl-c"])
def test_failure_mid_write_leaves_database_as_before(patch, raised, text, seeded, tmp_path, monkeypatch):
    """Nothing of the batch is stored, a later ingest of the same file works, and the
    error that broke the write is the one raised."""
    path = write_good_ledger(tmp_path, GOOD_TWO)
    before = snapshot(seeded)
    monkeypatch.setattr(store, "_item_sql", patch(store._item_sql))
    with pytest.raises(BaseException) as crashed:
        dp.ingest_file(seeded, path)
    assert snapshot(seeded) == before

    monkeypatch.undo()
    result = dp.ingest_file(seeded, path)
    assert (result.duplicate, result.items) == (False, 2)
    assert snapshot(seeded) == {"batches": 2, "batch_files": 2, "source_rows": before["source_rows"] + 4,
                                "item_states": 5, "batch_notes": 0, "data_version": before["data_version"] + 1}
    assert (type(crashed.value), str(crashed.value)) == (raised, text)


# ---------------------------------------------------------------- the command line

def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("CAMPAIGN_DB", None)
    return subprocess.run([sys.executable, "-m", "data_pipeline", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def stored_files(db: Path) -> list[tuple]:
    con = dp.connect(db, read_only=True)
    try:
        return con.execute("SELECT batch_id, file_name, items FROM batches ORDER BY batch_id").fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("name", ["pdf_renamed_xlsx", "zip_bomb_xlsx", "corrupt_member_xlsx", "no_report_date_xlsx"])
def test_cli_bad_file_among_good_ones(name, hostile_file, tmp_path):
    good = write_good_ledger(tmp_path, GOOD_ONE)
    good2 = write_good_ledger(tmp_path, GOOD_TWO)
    bad = hostile_file(name)
    db = tmp_path / "cli.duckdb"
    done = run_cli("ingest", str(good), str(bad), str(good2), "--db", str(db), cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr == f"失败 {REFUSED[name]}\n"
    assert done.stderr.startswith(f"失败 文件“{bad.name}”") and "Traceback" not in done.stderr
    assert done.stdout == (
        "导入 好台账一.xlsx：已导入批次#1（截至2026-03-06），问题3条，跳过0行，拒收0行，警告0条\n"
        "导入 好台账二.xlsx：已导入批次#2（截至2026-03-13），问题2条，跳过0行，拒收0行，警告0条\n")
    assert stored_files(db) == [(1, "好台账一.xlsx", 3), (2, "好台账二.xlsx", 2)]


def test_cli_report_date_makes_undated_file_ingest(hostile_file, tmp_path):
    db = tmp_path / "cli.duckdb"
    done = run_cli("ingest", str(hostile_file("no_report_date_xlsx")), "--report-date", "2026-03-06",
                   "--db", str(db), cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "导入 无日期台账.xlsx：已导入批次#1（截至2026-03-06），问题3条，跳过0行，拒收0行，警告0条\n"
    assert stored_files(db) == [(1, "无日期台账.xlsx", 3)]
