"""File intake: what is read from disk, and how much of it (``read.read_file_bytes``),
and CSV text decoded whole or not at all (``read.decode_text``).

A path that is no regular file (folder, FIFO, device, socket) is refused before it is
opened, a file over the limit before it is read, and one growing past the limit while
read after at most ``limit + 1`` bytes. A CSV whose bytes do not all decode in one
encoding (a byte neither UTF-8 nor GBK, UTF-8 and GBK lines mixed) is refused naming
the line and byte. Each refusal: the exact Chinese message, nothing stored, and on the
command line one line on stderr, exit code 1, no traceback, and the other files stored.
"""
from __future__ import annotations

import os
import socket
import sys
import tempfile
import threading
import tracemalloc
from pathlib import Path

import pytest

import data_pipeline as dp
from data_pipeline import read
from data_pipeline.errors import LedgerError

from .test_bad_input import GOOD_ONE, GOOD_TWO, run_cli, snapshot, stored_files, write_good_ledger

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs, sockets and /dev/zero are POSIX")
MB = 1048576
RESAVE = "请用Excel或WPS打开原始台账，另存为“CSV UTF-8（逗号分隔）”或Excel工作簿（.xlsx）后重新上传"
GOOD_LINES = ("导入 好台账一.xlsx：已导入批次#1（截至2026-03-06），问题3条，跳过0行，拒收0行，警告0条\n"
              "导入 好台账二.xlsx：已导入批次#2（截至2026-03-13），问题2条，跳过0行，拒收0行，警告0条\n")


@pytest.fixture
def seeded(con, tmp_path):
    dp.ingest_file(con, write_good_ledger(tmp_path, GOOD_ONE))
    return con


def sparse(path: Path, size: int) -> Path:
    """A file of ``size`` zero bytes that takes no disk space."""
    path.touch()
    os.truncate(path, size)
    return path


@pytest.fixture
def short_dir():
    """A directory with a short path (a Unix socket's path is limited to ~100 bytes)."""
    with tempfile.TemporaryDirectory(prefix="intake-", dir="/tmp" if os.path.isdir("/tmp") else None) as d:
        yield Path(d)


@pytest.fixture
def unblock_fifos():
    """``unblock(path)``: should anything open the FIFO (a regression), every few
    seconds a writer and a reader open and close it, so the reader sees end-of-file
    (the writer a broken pipe) and the test fails instead of hanging."""
    stop = threading.Event()
    paths: list[Path] = []

    def writer():
        while not stop.wait(3):
            for p in paths:
                for mode in (os.O_WRONLY, os.O_RDONLY):   # unblocks a reader, then a writer
                    try:
                        os.close(os.open(p, mode | os.O_NONBLOCK))
                    except OSError:
                        pass     # nobody is reading: fine
    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    yield paths.append
    stop.set()
    thread.join()


# ---------------------------------------------------------------- size before reading

def test_a_sparse_gigabyte_file_is_refused_before_it_is_read(seeded, tmp_path):
    path = sparse(tmp_path / "超大台账.xlsx", 1024 * MB)
    before = snapshot(seeded)
    tracemalloc.start()
    try:
        with pytest.raises(LedgerError) as refused:
            dp.ingest_file(seeded, path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(refused.value) == "文件“超大台账.xlsx”：文件大小1024.0MB，超过上限50MB，未导入"
    assert peak < MB          # today the whole gigabyte is read first
    assert snapshot(seeded) == before


def test_limit_is_checked_by_stat_and_reads_stop_at_limit_plus_one(monkeypatch, tmp_path):
    """No ``os.read`` at all for a file over the limit; a file at the limit is read
    whole in one read of its size (plus the read that sees end-of-file)."""
    monkeypatch.setattr(read, "MAX_FILE_BYTES", MB)
    asked: list[int] = []
    real_read = os.read
    monkeypatch.setattr(read.os, "read", lambda fd, n: asked.append(n) or real_read(fd, n))
    with pytest.raises(LedgerError) as refused:
        read.read_file_bytes(sparse(tmp_path / "大.csv", 3 * MB))
    assert (str(refused.value), asked) == ("文件大小3.0MB，超过上限1MB，未导入", [])
    at_limit = tmp_path / "正好.csv"
    at_limit.write_bytes(b"x" * MB)
    assert read.read_file_bytes(at_limit) == b"x" * MB
    assert asked == [MB + 1, 1]      # the second read returns b"": end of file


def test_a_file_growing_while_read_is_refused_after_limit_plus_one_bytes(monkeypatch, tmp_path):
    """The file grows by 10x the limit right after it was checked on the open
    descriptor: no more than ``limit + 1`` bytes are ever asked for."""
    limit = 64 * 1024
    path = tmp_path / "在写入的台账.csv"
    path.write_bytes(b"a,b\n" * 100)
    real_fstat, real_read = os.fstat, os.read
    asked: list[int] = []

    def fstat_then_grow(fd):
        st = real_fstat(fd)
        with open(path, "ab") as fh:
            fh.write(b"z" * (10 * limit))
        return st
    with monkeypatch.context() as m:
        m.setattr(read.os, "fstat", fstat_then_grow)
        m.setattr(read.os, "read", lambda fd, n: asked.append(n) or real_read(fd, n))
        with pytest.raises(LedgerError) as refused:
            read.read_file_bytes(path, limit)
    assert str(refused.value) == "文件读取时仍在变大，已超过上限0.0625MB，未导入"
    assert asked == [401, limit + 1 - 401]
    assert sum(asked) == limit + 1


def test_a_symlink_to_a_ledger_is_read(con, tmp_path):
    target = write_good_ledger(tmp_path, GOOD_ONE)
    link = tmp_path / "本周台账.xlsx"
    link.symlink_to(target)
    assert read.read_file_bytes(link) == target.read_bytes()
    result = dp.ingest_file(con, link)
    assert (result.file_name, result.items) == ("本周台账.xlsx", 3)


@POSIX
def test_paths_that_are_no_regular_file_are_refused_before_opening(seeded, tmp_path, short_dir, unblock_fifos,
                                                                   monkeypatch):
    fifo = tmp_path / "管道.csv"
    os.mkfifo(fifo)
    unblock_fifos(fifo)
    folder = tmp_path / "台账文件夹"
    folder.mkdir()
    sock_path = short_dir / "s.csv"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    broken = tmp_path / "失效链接.xlsx"
    broken.symlink_to(tmp_path / "不存在.xlsx")
    cases = {
        folder: f"文件“台账文件夹”：“{folder}”是文件夹，不是台账文件；请指定文件夹里的台账文件（例如 {folder}/*.xlsx）",
        fifo: f"文件“管道.csv”：“{fifo}”是命名管道（FIFO），不是普通文件，未读取",
        Path("/dev/zero"): "文件“zero”：“/dev/zero”是设备文件（如/dev/zero、/dev/urandom），不是普通文件，未读取",
        sock_path: f"文件“s.csv”：“{sock_path}”是套接字（socket），不是普通文件，未读取",
        broken: f"文件“失效链接.xlsx”：“{broken}”是符号链接，但它指向的文件不存在",
        tmp_path / "没有.xlsx": f"文件“没有.xlsx”：“{tmp_path / '没有.xlsx'}”不存在，请检查文件名和所在文件夹",
    }
    opened: list[str] = []
    real_open = os.open
    monkeypatch.setattr(read.os, "open", lambda p, *a: opened.append(str(p)) or real_open(p, *a))
    before = snapshot(seeded)
    try:
        for path, message in cases.items():
            with pytest.raises(LedgerError) as refused:
                dp.ingest_file(seeded, path)
            assert str(refused.value) == message
    finally:
        sock.close()
    assert opened == []
    assert snapshot(seeded) == before


# ---------------------------------------------------------------- CSV encoding

HEAD_LINES = "填报日期：2026年3月6日\n问题编号,问题描述,责任单位,整改时限,整改情况\n"
UTF8_LINE = "CC-001,人行道板,道路维修,2026-03-10,整改\n"     # even runs of Chinese: GB18030 accepts these bytes
GBK_LINE = "CC-002,路灯不亮,道路维修组,2026-03-12,已整改\n"

# name -> (bytes, the reason of the refusal)
BAD_CSV = {
    # Decoded as GB18030 today: line 3 stored as 浜鸿\ue511閬撴澘 (mojibake).
    "GBK表头UTF-8内容.csv": (HEAD_LINES.encode("gbk") + UTF8_LINE.encode() + GBK_LINE.encode("gbk"),
                         "同一文件混用了两种编码：第1行（从文件第1个字节起）是GBK编码，第3行（从文件第76个字节起）是UTF-8编码，"
                         f"无法确定正确的文字，未导入。{RESAVE}"),
    "UTF-8表头GBK内容.csv": (HEAD_LINES.encode() + UTF8_LINE.encode() + GBK_LINE.encode("gbk"),
                          "同一文件混用了两种编码：第1行（从文件第1个字节起）是UTF-8编码，第4行（从文件第155个字节起）是GBK编码，"
                          f"无法确定正确的文字，未导入。{RESAVE}"),
    # Stored today with U+FFFD in place of line 4's Chinese.
    "带BOM混GBK.csv": (b"\xef\xbb\xbf" + (HEAD_LINES + UTF8_LINE).encode() + GBK_LINE.encode("gbk"),
                     "文件开头标明是UTF-8编码，但第4行（从文件第158个字节起）是GBK编码，同一文件混用了两种编码，"
                     f"无法确定正确的文字，未导入。{RESAVE}"),
    "坏字节.csv": (HEAD_LINES.encode() + b"CC-001,\xff\xfe\xff,x,2026-03-10,\n",
                "第3行（从文件第104个字节起）的内容既不是UTF-8也不是GBK编码的文字，无法识别，未导入。" + RESAVE),
    "GBK坏字节.csv": (HEAD_LINES.encode("gbk") + GBK_LINE.encode("gbk") + b"CC-003,\x80\x80,x,2026-03-10,\n",
                   "第4行（从文件第121个字节起）的内容既不是UTF-8也不是GBK编码的文字，无法识别，未导入。" + RESAVE),
}


def test_the_byte_offsets_are_where_decoding_fails():
    """The offsets in ``BAD_CSV`` are where the bytes stop being what the message says."""
    gbk_head, utf8_head = HEAD_LINES.encode("gbk"), (HEAD_LINES + UTF8_LINE).encode()
    assert (len(gbk_head), len(gbk_head + b"CC-001,"), len(utf8_head + b"CC-002,")) == (68, 75, 154)
    assert BAD_CSV["坏字节.csv"][0].index(b"\xff") + 1 == 104
    assert BAD_CSV["GBK坏字节.csv"][0].index(b"\x80") + 1 == 121


@pytest.mark.parametrize("name", BAD_CSV)
def test_csv_not_decodable_whole_is_refused(name, seeded, tmp_path):
    data, reason = BAD_CSV[name]
    path = tmp_path / name
    path.write_bytes(data)
    before = snapshot(seeded)
    with pytest.raises(LedgerError) as refused:
        dp.ingest_file(seeded, path)
    assert str(refused.value) == f"文件“{name}”：{reason}"
    assert snapshot(seeded) == before


def test_utf16_is_decoded_strictly_too():
    """``sniff`` refuses a file with NUL bytes (UTF-16 text) before decoding; called
    directly, ``decode_text`` is as strict in UTF-16 as in the others."""
    with pytest.raises(LedgerError) as refused:
        read.decode_text(b"\xff\xfe" + HEAD_LINES.encode("utf-16-le") + b"\x00\xd8")
    assert str(refused.value) == f"文件开头标明是UTF-16编码，但从文件第83个字节起的内容无法按UTF-16解码，未导入。{RESAVE}"


@pytest.mark.parametrize("encoding, bom", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gbk", b""),
                                           ("gb18030", b""), ("utf-16-le", b"\xff\xfe")])
def test_csv_in_one_encoding_decodes_exactly(encoding, bom):
    text = HEAD_LINES + UTF8_LINE + GBK_LINE + "CC-003,䶮𠀀,x,2026-03-10,\n" * (encoding in ("gb18030", "utf-8"))
    assert read.decode_text(bom + text.encode(encoding))[0] == text


# ---------------------------------------------------------------- the command line

def _limited_memory():
    """A regression reading /dev/zero fails with MemoryError instead of filling the
    machine (a normal run's address space is ~2.5 GB, DuckDB's threads included)."""
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (8 << 30, 8 << 30))


def run_limited(*args: str, cwd: Path):
    import subprocess
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    env.pop("CAMPAIGN_DB", None)
    return subprocess.run([sys.executable, "-m", "data_pipeline", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120, preexec_fn=_limited_memory)


@POSIX
def test_cli_refuses_every_unreadable_path_among_good_files(tmp_path, unblock_fifos):
    good, good2 = write_good_ledger(tmp_path, GOOD_ONE), write_good_ledger(tmp_path, GOOD_TWO)
    fifo = tmp_path / "管道.xlsx"
    os.mkfifo(fifo)
    unblock_fifos(fifo)
    folder = tmp_path / "文件夹"
    folder.mkdir()
    big = sparse(tmp_path / "超大台账.xlsx", 1024 * MB)
    mixed = tmp_path / "GBK表头UTF-8内容.csv"
    mixed.write_bytes(BAD_CSV[mixed.name][0])
    db = tmp_path / "cli.duckdb"
    done = run_limited("ingest", str(good), "/dev/zero", str(fifo), str(folder), str(big), str(mixed), str(good2),
                       "--db", str(db), cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr == (
        "失败 文件“zero”：“/dev/zero”是设备文件（如/dev/zero、/dev/urandom），不是普通文件，未读取\n"
        f"失败 文件“管道.xlsx”：“{fifo}”是命名管道（FIFO），不是普通文件，未读取\n"
        f"失败 文件“文件夹”：“{folder}”是文件夹，不是台账文件；请指定文件夹里的台账文件（例如 {folder}/*.xlsx）\n"
        "失败 文件“超大台账.xlsx”：文件大小1024.0MB，超过上限50MB，未导入\n"
        f"失败 文件“{mixed.name}”：{BAD_CSV[mixed.name][1]}\n")
    assert "Traceback" not in done.stderr
    assert done.stdout == GOOD_LINES
    assert stored_files(db) == [(1, "好台账一.xlsx", 3), (2, "好台账二.xlsx", 2)]


@POSIX
@pytest.mark.parametrize("kind", ["folder", "fifo", "device", "not_a_database"])
@pytest.mark.parametrize("command", ["summary", "ingest"])
def test_cli_db_path_that_is_no_database_is_refused(kind, command, tmp_path, unblock_fifos):
    """``--db`` is a path too: a folder, FIFO or device is refused before DuckDB opens
    it (a FIFO would block it forever), a file that is no database by DuckDB."""
    target = {"folder": tmp_path / "库", "fifo": tmp_path / "库.duckdb", "device": Path("/dev/zero"),
              "not_a_database": tmp_path / "台账.duckdb"}[kind]
    if kind == "folder":
        target.mkdir()
    elif kind == "fifo":
        os.mkfifo(target)
        unblock_fifos(target)
    elif kind == "not_a_database":
        target.write_bytes(b"\x00" * 8192)
    args = ["ingest", str(write_good_ledger(tmp_path, GOOD_ONE))] if command == "ingest" else ["summary"]
    done = run_limited(*args, "--db", str(target), cwd=tmp_path)
    what = {"folder": "是文件夹", "fifo": "是命名管道（FIFO）", "device": "是设备文件（如/dev/zero、/dev/urandom）"}
    assert (done.returncode, done.stdout) == (1, "")
    if kind in what:
        assert done.stderr == f"失败 数据库路径“{target}”{what[kind]}，不是数据库文件；请用 --db 指定一个.duckdb文件\n"
    else:
        assert done.stderr == f"失败 数据库“{target}”不是本系统的数据库文件（DuckDB格式）；请用 --db 指定正确的.duckdb文件\n"
        assert target.read_bytes() == b"\x00" * 8192


def test_cli_reads_a_symlinked_ledger(tmp_path):
    link = tmp_path / "链接台账.xlsx"
    link.symlink_to(write_good_ledger(tmp_path, GOOD_ONE))
    db = tmp_path / "cli.duckdb"
    done = run_cli("ingest", str(link), "--db", str(db), cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    assert stored_files(db) == [(1, "链接台账.xlsx", 3)]


@POSIX
@pytest.mark.parametrize("kind", ["folder", "fifo", "device"])
def test_cli_report_out_that_is_no_file_is_refused_before_computing(kind, tmp_path, unblock_fifos):
    """``report --out`` is checked before the database is opened: a FIFO would block the
    write until something reads it, ``/dev/null`` would swallow the report."""
    out = {"folder": tmp_path / "通报", "fifo": tmp_path / "通报.xlsx", "device": Path("/dev/null")}[kind]
    if kind == "folder":
        out.mkdir()
    elif kind == "fifo":
        os.mkfifo(out)
        unblock_fifos(out)
    db = tmp_path / "不会打开.duckdb"
    done = run_limited("report", "--as-of", "2026-03-06", "--out", str(out), "--db", str(db), cwd=tmp_path)
    what = {"folder": "文件夹", "fifo": "命名管道（FIFO）", "device": "设备文件（如/dev/zero、/dev/urandom）"}[kind]
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (f"失败 输出路径“{out}”是{what}，不能写入通报；"
                           "请用 --out 指定一个文件名（导出到文件夹请用 --format all）\n")
    assert not db.exists()


def test_cli_report_into_a_missing_folder_says_so(sample_db, tmp_path):
    out = tmp_path / "没有的文件夹" / "通报.xlsx"
    done = run_cli("report", "--as-of", "2026-11-27", "--out", str(out), "--db", str(sample_db), cwd=tmp_path)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == f"失败 无法写入文件“{out}”：所在文件夹不存在\n"
