"""Stage 1, read: a file's bytes -> sheets of raw cell values.

Rules:
- The format is decided by the content, not the extension: a zip holding
  ``xl/workbook.xml`` is .xlsx/.xlsm, ``xl/workbook.bin`` .xlsb, an ODF mimetype
  .ods; an OLE2 container is .xls (or an encrypted workbook); anything that
  decodes as text is CSV.
- Refused with a Chinese message (``LedgerError``), before any parsing: empty
  files, files over ``MAX_FILE_BYTES``, PDFs, images, HTML saved as .xls,
  password-protected workbooks, broken zips, and zips whose members inflate past
  ``MAX_UNCOMPRESSED_BYTES`` or by more than ``MAX_COMPRESSION_RATIO`` (bombs;
  calamine has no limit of its own).
- CSV encodings tried in order: UTF-8 with BOM, UTF-8, GB18030 (a superset of
  GBK, what Chinese Excel writes).
- Chart sheets and other non-worksheets are not read; hidden sheets are read
  like visible ones (offices hide finished groups' sheets, the rows still count).
- Cells come back as calamine gives them: ``""`` for empty, ``str``, ``float``,
  ``int``, ``bool``, ``date``/``datetime``/``time``/``timedelta``.
"""
from __future__ import annotations

import csv
import io
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


def check_size(size: int, limit: int = MAX_FILE_BYTES) -> None:
    """Refuse a file of ``size`` bytes over ``limit`` (before anything reads it)."""
    if size > limit:
        raise LedgerError(f"文件大小{size / 1048576:.1f}MB，超过上限{limit / 1048576:g}MB，未导入")


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


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 with BOM, UTF-8, then GB18030. Returns (text, encoding)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise LedgerError("文本文件的编码无法识别（不是UTF-8或GBK），请用Excel另存为.xlsx后上传") from None


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
