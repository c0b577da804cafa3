"""Stage 1, read: a file's bytes -> sheets of raw cell values.

Rules:
- The format is decided by the content, not the extension: a zip holding
  ``xl/workbook.xml`` is .xlsx/.xlsm, ``xl/workbook.bin`` .xlsb, an ODF mimetype
  .ods; an OLE2 container is .xls (or an encrypted workbook); anything that
  decodes as text is CSV.
- A file on disk is read only by ``read_file_bytes``: only a regular file (or a
  symlink to one), checked with ``os.stat`` before it is opened, and at most
  ``MAX_FILE_BYTES + 1`` bytes of it; a directory, FIFO, device or socket, or a file
  over the limit, is refused without reading it into memory.
- Refused with a Chinese message (``LedgerError``), before any parsing: empty
  files, files over ``MAX_FILE_BYTES``, PDFs, images, HTML saved as .xls,
  password-protected workbooks, broken zips, and zips whose members inflate past
  ``MAX_UNCOMPRESSED_BYTES`` or by more than ``MAX_COMPRESSION_RATIO`` (bombs;
  calamine has no limit of its own).
- CSV encodings tried in order: UTF-8 with BOM (or UTF-16 with BOM), UTF-8,
  GB18030 (a superset of GBK, what Chinese Excel writes). The whole file must decode
  in one of them, strictly: a byte that fits none, or a file mixing UTF-8 and GBK
  lines, is refused naming the line and byte (``decode_text``); text is never stored
  with replacement characters.
- Chart sheets and other non-worksheets are not read; hidden sheets are read
  like visible ones (offices hide finished groups' sheets, the rows still count).
- Cells come back as calamine gives them: ``""`` for empty, ``str``, ``float``,
  ``int``, ``bool``, ``date``/``datetime``/``time``/``timedelta``.
"""
from __future__ import annotations

import csv
import errno
import io
import os
import re
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine as calamine

from .errors import LedgerError
from .constants import MAX_CELLS, MAX_COMPRESSION_RATIO, MAX_FILE_BYTES, MAX_UNCOMPRESSED_BYTES

Cell = object
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Excel's row limit; a CSV with more lines is no ledger.
MAX_CSV_LINES = 1_048_576
_PASSWORD = "工作簿设置了打开密码，请取消密码后再上传"


@dataclass
class Sheet:
    """One worksheet: ``rows[i][j]`` is the cell at Excel row ``i + 1``, column ``j + 1``."""

    name: str
    rows: list[list[Cell]]
    # Merged ranges as ((first_row, first_col), (last_row, last_col)), 0-based inclusive.
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)


@dataclass
class Workbook:
    file_name: str
    kind: str                 # "xlsx", "xlsb", "xls", "ods" or "csv"
    sheets: list[Sheet]
    encoding: str | None = None  # CSV only


def check_size(size: int, limit: int | None = None) -> None:
    """Refuse a file of ``size`` bytes over ``limit`` (default ``MAX_FILE_BYTES``),
    before anything reads it."""
    limit = MAX_FILE_BYTES if limit is None else limit
    if size > limit:
        raise LedgerError(f"文件大小{size / 1048576:.1f}MB，超过上限{limit / 1048576:g}MB，未导入")


# What a path that is not a regular file is, by ``stat`` file type, and what to do.
_NOT_A_FILE = (
    (stat.S_ISDIR, "文件夹", "不是台账文件；请指定文件夹里的台账文件（例如 {path}/*.xlsx）"),
    (stat.S_ISFIFO, "命名管道（FIFO）", "不是普通文件，未读取"),
    (stat.S_ISCHR, "设备文件（如/dev/zero、/dev/urandom）", "不是普通文件，未读取"),
    (stat.S_ISBLK, "磁盘设备", "不是普通文件，未读取"),
    (stat.S_ISSOCK, "套接字（socket）", "不是普通文件，未读取"),
)


def file_type_name(mode: int) -> str | None:
    """What a ``stat`` mode that is not a regular file is (``文件夹``, ``命名管道（FIFO）``,
    ``设备文件…``); ``None`` for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((kind for test, kind, _ in _NOT_A_FILE if test(mode)), "特殊文件")


_OS_ERRORS = {
    errno.ENOENT: "“{path}”不存在，请检查文件名和所在文件夹",
    errno.EACCES: "没有读取“{path}”的权限",
    errno.EPERM: "没有读取“{path}”的权限",
    errno.ENOTDIR: "路径“{path}”中有一级不是文件夹",
    errno.ELOOP: "“{path}”是循环的符号链接，找不到真正的文件",
    errno.ENAMETOOLONG: "路径“{path}”太长",
    errno.EIO: "读取“{path}”时磁盘出错",
}


def _os_error(exc: OSError, path: str) -> LedgerError:
    if exc.errno == errno.ENOENT and os.path.islink(path):
        return LedgerError(f"“{path}”是符号链接，但它指向的文件不存在")
    text = _OS_ERRORS.get(exc.errno, "无法读取“{path}”（错误代码" + errno.errorcode.get(exc.errno or 0, "未知") + "）")
    return LedgerError(text.format(path=path))


def _regular(mode: int, size: int, path: str, limit: int) -> None:
    kind = file_type_name(mode)
    if kind:
        advice = next((a for test, _, a in _NOT_A_FILE if test(mode)), "不是普通文件，未读取")
        raise LedgerError(f"“{path}”是{kind}，" + advice.format(path=path.rstrip("/\\") or path))
    check_size(size, limit)


def read_file_bytes(path: str | os.PathLike, limit: int | None = None) -> bytes:
    """The bytes of the file at ``path``; every read of a ledger from disk goes here.

    Rules (``LedgerError`` with a Chinese reason naming ``path``, nothing read):
    - Only a regular file is read; a symlink is followed, so one pointing at a regular
      file is fine. A directory, FIFO, character or block device (``/dev/zero``) or
      socket is refused after ``os.stat``, before the path is opened, so nothing can
      block or stream forever.
    - A file over ``limit`` bytes (default ``MAX_FILE_BYTES``) by ``os.stat`` is refused
      before it is read. The file is then opened without blocking and checked again
      on the open descriptor (the path may have been swapped), and at most
      ``limit + 1`` bytes are read: a file that grew past the limit since ``stat`` is
      refused too, so memory never holds more than ``limit + 1`` bytes of it.
    - A path that cannot be opened (missing, no permission, broken symlink) is named
      with the cause in Chinese."""
    limit = MAX_FILE_BYTES if limit is None else limit
    shown = os.fspath(path)
    try:
        st = os.stat(path)
    except OSError as exc:
        raise _os_error(exc, shown) from None
    except ValueError:   # a NUL in the path
        raise LedgerError(f"路径“{shown}”含有无效字符") from None
    _regular(st.st_mode, st.st_size, shown, limit)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _os_error(exc, shown) from None
    try:
        st = os.fstat(fd)
        _regular(st.st_mode, st.st_size, shown, limit)
        chunks, got, want = [], 0, st.st_size + 1   # the expected size in one read, then EOF
        while got <= limit:
            chunk = os.read(fd, min(want, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
            want = 1 << 20                  # short read, or it grew since stat: on, to limit + 1
        data = b"".join(chunks)               # one chunk: the same object, no copy
    except OSError as exc:
        raise _os_error(exc, shown) from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise LedgerError(f"文件读取时仍在变大，已超过上限{limit / 1048576:g}MB，未导入")
    return data


def sniff(data: bytes, file_name: str) -> str:
    """Name the format of ``data`` or raise ``LedgerError`` saying why it is no spreadsheet."""
    if not data:
        raise LedgerError("文件是空的（0字节），请重新导出后上传")
    check_size(len(data))
    head = data[:16]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _sniff_zip(data)
    if head.startswith(_OLE_MAGIC):
        return "xls"
    if head.startswith(b"%PDF"):
        raise LedgerError("这是PDF文件，不是电子表格，请上传Excel台账（.xlsx/.xls）或CSV")
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"RIFF", b"II*\x00", b"MM\x00*")):
        raise LedgerError("这是图片文件，不是电子表格，请上传Excel台账（.xlsx/.xls）或CSV")
    if head.startswith((b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")):
        raise LedgerError("这是压缩包，不是电子表格，请解压后上传其中的台账文件")
    text_start = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text_start.startswith((b"<html", b"<!doctype", b"<table", b"<?xml", b"mime-version")):
        raise LedgerError("文件内容是网页或XML格式，不是真正的Excel文件，请用Excel或WPS打开后“另存为”.xlsx再上传")
    if b"\x00" in data[:4096]:
        raise LedgerError("无法识别的文件格式，请上传.xlsx、.xls、.xlsm、.ods或.csv文件")
    return "csv"


def _sniff_zip(data: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise LedgerError("文件已损坏（压缩包不完整或被截断），请用Excel重新保存后上传") from None
    names = {m.filename.replace("\\", "/").lstrip("/") for m in members}
    total = 0
    for m in members:
        total += m.file_size
        if m.file_size > 20 * 1024 * 1024 and m.file_size > MAX_COMPRESSION_RATIO * max(m.compress_size, 1):
            raise LedgerError("文件解压后异常庞大（疑似“压缩炸弹”），已拒绝读取")
    if total > MAX_UNCOMPRESSED_BYTES:
        raise LedgerError(f"文件解压后超过{MAX_UNCOMPRESSED_BYTES // 1048576}MB，超出可处理范围，请拆分后上传")
    if "EncryptedPackage" in names:
        raise LedgerError(_PASSWORD)
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "mimetype" in names or "META-INF/manifest.xml" in names:
        if b"encryption-data" in _member(archive, "META-INF/manifest.xml"):
            raise LedgerError(_PASSWORD)
        if b"opendocument.spreadsheet" in _member(archive, "mimetype") or "content.xml" in names:
            return "ods"
    content_types = _member(archive, "[Content_Types].xml")
    if b"spreadsheetml.sheet.main" in content_types or b"sheet.macroEnabled.main" in content_types \
            or b"spreadsheetml.template.main" in content_types:
        return "xlsx"   # the workbook part lives elsewhere than xl/workbook.xml
    if b"sheet.binary.macroEnabled.main" in content_types:
        return "xlsb"
    if "word/document.xml" in names:
        raise LedgerError("这是Word文档，不是电子表格，请上传Excel台账")
    if "ppt/presentation.xml" in names:
        raise LedgerError("这是PPT演示文稿，不是电子表格，请上传Excel台账")
    raise LedgerError("这是一个压缩包，但不是Excel工作簿，请解压后上传其中的台账文件")


def _member(archive: zipfile.ZipFile, name: str, limit: int = 1 << 20) -> bytes:
    """The first ``limit`` bytes of a small zip member, ``b""`` when absent or unreadable."""
    for info in archive.infolist():
        if info.filename.replace("\\", "/").lstrip("/") == name:
            try:
                with archive.open(info) as fh:
                    return fh.read(limit)
            except Exception:
                return b""
    return b""


_RESAVE = "请用Excel或WPS打开原始台账，另存为“CSV UTF-8（逗号分隔）”或Excel工作簿（.xlsx）后重新上传"


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes whole and strictly. Returns (text, encoding).

    Rules: a UTF-8 BOM means UTF-8 (``utf-8-sig``), a UTF-16 BOM UTF-16; otherwise
    UTF-8, else GB18030 (GBK's superset). Refused (``LedgerError``, naming the line and
    the byte, counted from 1, and saying how to re-save): a byte no encoding accepts,
    a BOM'd file that does not decode as its BOM says, and a file mixing lines that
    are UTF-8 (with a character beyond U+07FF, e.g. Chinese) with lines that are only
    GBK; decoding such a file as GB18030 would store the UTF-8 lines as mojibake.
    Nothing is ever decoded with replacement characters."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise _encoding_error(data, bom=True) or LedgerError(
                f"文件开头标明是UTF-8编码，但从文件第{exc.start + 4}个字节起的内容无法按UTF-8解码，未导入。{_RESAVE}") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise LedgerError(f"文件开头标明是UTF-16编码，但从文件第{exc.start + 1}个字节起的内容无法按UTF-16解码，"
                              f"未导入。{_RESAVE}") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        as_utf8 = exc
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and not _has_utf8_line(data):
        return text, "gb18030"
    line = data.count(b"\n", 0, as_utf8.start) + 1   # the fallback is not expected: _encoding_error finds it
    raise _encoding_error(data, bom=False) or LedgerError(
        f"第{line}行（从文件第{as_utf8.start + 1}个字节起）的内容既不是UTF-8也不是GBK编码的文字，"
        f"无法识别，未导入。{_RESAVE}")


def _first_non_ascii(chunk: bytes) -> int:
    return re.search(rb"[\x80-\xff]", chunk).start()


# The start of a UTF-8 character beyond U+07FF (three or four bytes), e.g. any Chinese
# character (one character class: an alternation makes the scan five times slower).
_UTF8_WIDE = re.compile(rb"[\xe0-\xf4][\x80-\xbf]{2}")


def _has_utf8_line(data: bytes) -> bool:
    """Whether a line of ``data`` is valid UTF-8 with a character beyond U+07FF (the
    test ``_encoding_error`` applies to every line), looking only at lines where such
    a byte sequence occurs: fast on a GBK file."""
    pos = 0
    while match := _UTF8_WIDE.search(data, pos):
        start = data.rfind(b"\n", 0, match.start()) + 1
        end = data.find(b"\n", match.end())
        end = len(data) if end < 0 else end
        try:
            data[start:end].decode("utf-8")
            return True
        except UnicodeDecodeError:
            pos = end + 1
    return False


def _encoding_error(data: bytes, *, bom: bool) -> LedgerError | None:
    """Why ``data`` (not UTF-8 as a whole) cannot be decoded whole, line by line
    (``decode_text``'s rules); ``None`` when every line is ASCII or GBK. A line
    break is never inside a UTF-8 or GB18030 character, so lines decode alone. The byte
    named is a mixed line's first non-ASCII byte, or where an undecodable line fails
    (as UTF-8 when the file has UTF-8 lines or a BOM, else as GBK)."""
    first_utf8 = first_gbk = None      # (line, byte) of the first line of each kind
    line, pos = 1, 3 if bom else 0
    while pos <= len(data):
        end = data.find(b"\n", pos)
        end = len(data) if end < 0 else end
        chunk = data[pos:end]
        if not chunk.isascii():
            try:
                chunk.decode("utf-8")
                if first_utf8 is None and max(chunk) >= 0xE0:
                    first_utf8 = (line, pos + _first_non_ascii(chunk) + 1)
            except UnicodeDecodeError as as_utf8:
                try:
                    chunk.decode("gb18030")
                    if first_gbk is None:
                        first_gbk = (line, pos + _first_non_ascii(chunk) + 1)
                except UnicodeDecodeError as as_gbk:
                    at = as_utf8.start if bom or first_utf8 else as_gbk.start
                    return LedgerError(f"第{line}行（从文件第{pos + at + 1}个字节起）的内容既不是UTF-8"
                                       f"也不是GBK编码的文字，无法识别，未导入。{_RESAVE}")
        if bom and first_gbk:
            return LedgerError(f"文件开头标明是UTF-8编码，但第{first_gbk[0]}行（从文件第{first_gbk[1]}个字节起）"
                               f"是GBK编码，同一文件混用了两种编码，无法确定正确的文字，未导入。{_RESAVE}")
        if first_utf8 and first_gbk:
            kinds = sorted([(*first_utf8, "UTF-8"), (*first_gbk, "GBK")])
            which = "，".join(f"第{n}行（从文件第{at}个字节起）是{name}编码" for n, at, name in kinds)
            return LedgerError(f"同一文件混用了两种编码：{which}，无法确定正确的文字，未导入。{_RESAVE}")
        line, pos = line + 1, end + 1
    return None


def read_csv(data: bytes, file_name: str) -> Workbook:
    """Rows of a CSV file. Blank lines (also ``,,,,``) at the end are dropped; blank lines
    in between stay as empty rows so row numbers match the file's line numbers."""
    text, encoding = decode_text(data)
    text = text.rstrip("\r\n\t ,;\u3000")
    if text.count("\n") >= MAX_CSV_LINES:
        raise LedgerError(f"CSV文件超过{MAX_CSV_LINES:,}行（Excel的最大行数），请检查文件内容")
    sample = text[:8192]
    delimiter = ","
    if sample.count("\t") > sample.count(",") and sample.count("\t") > sample.count(";"):
        delimiter = "\t"
    elif sample.count(";") > sample.count(","):
        delimiter = ";"
    try:
        rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise LedgerError(f"CSV文件格式有误：{exc}") from None
    width = max((len(r) for r in rows), default=0)
    for r in rows:
        if any(r):
            r.extend([""] * (width - len(r)))
        else:
            r.clear()
    stem = file_name.rsplit(".", 1)[0]
    return Workbook(file_name, "csv", [Sheet(stem, rows)], encoding=encoding)


def read_workbook(data: bytes, file_name: str) -> Workbook:
    """Read every worksheet of ``data`` (any supported format) into memory.

    calamine reads from a temporary file named with the sniffed suffix: it picks its
    reader (and reports a password) by extension, which a user's file name may get
    wrong. The cell count is checked before a sheet becomes Python objects."""
    kind = sniff(data, file_name)
    if kind == "csv":
        return read_csv(data, file_name)
    with tempfile.TemporaryDirectory(prefix="ledger-") as tmp:
        path = Path(tmp) / f"workbook.{kind}"
        path.write_bytes(data)
        try:
            book = calamine.CalamineWorkbook.from_path(str(path))
        except calamine.PasswordError:
            raise LedgerError(_PASSWORD) from None
        except Exception:  # calamine raises several exception types for broken files
            if kind == "xls" and "EncryptedPackage".encode("utf-16-le") in data[:1 << 20]:
                raise LedgerError(_PASSWORD) from None   # an encrypted .xlsx inside an OLE container
            raise LedgerError(_broken(kind)) from None
        with book:
            return Workbook(file_name, kind, _sheets(book, kind))


def _sheets(book, kind: str) -> list[Sheet]:
    sheets: list[Sheet] = []
    cells = 0
    for meta in book.sheets_metadata:
        if meta.typ != calamine.SheetTypeEnum.WorkSheet:
            continue
        try:
            sheet = book.get_sheet_by_name(meta.name)
            cells += sheet.height * sheet.width
            if cells > MAX_CELLS:
                raise LedgerError(f"工作表“{meta.name}”的数据区域过大（累计超过{MAX_CELLS // 10000}万个单元格），"
                                  "请删除多余的行列后上传")
            rows = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
        except LedgerError:
            raise
        except calamine.PasswordError:
            raise LedgerError(_PASSWORD) from None
        except Exception:
            raise LedgerError(_broken(kind), sheet=meta.name) from None
        sheets.append(Sheet(meta.name, rows, list(merged)))
    return sheets


def _broken(kind: str) -> str:
    return f"文件已损坏或内容不完整，无法按{kind}格式读取，请用Excel或WPS打开后重新保存再上传"
