"""Builders of hostile files: what users upload instead of a ledger.

Each builder takes a directory, writes one file into it and returns the file's path.
The bytes are deterministic (fixed zip timestamps, seeded noise), except the
password-protected workbook, whose encryption salt is random by design of the format.

Small and fast to build, except those in ``BIG`` (up to a few seconds each; tests
build them once per session). The big ones are streamed to disk, never held in memory.

``ingest_in_child`` runs one ingest in a forked child under a time limit and reports
its peak memory: for files that could hang or exhaust the machine. ``unclear`` says
why a refusal message is not a clear one.

Run ``python tests/hostile.py DIR`` to write every one of them into DIR and look at them.
"""
from __future__ import annotations

import builtins
import datetime as dt
import io
import json
import os
import random
import re
import select
import signal
import struct
import sys
import time
import traceback
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

# Fixed zip entry time, so the same builder writes the same bytes every time.
ZIP_TIME = (2026, 3, 6, 9, 0, 0)

LEDGER_HEADER = ["问题编号", "问题描述", "责任单位", "整改时限", "整改情况"]
REPORT_LINE = "填报日期：2026年3月6日"
# The real rows on top of the million empty ones: they must be ingested.
MILLION_ROWS_ITEMS = 3
EMPTY_ROWS = 1_000_000
# The bombs: one member inflating ~700 MB, and 33 members of 19 MiB (each under the
# 20 MB floor of the ratio check, together over MAX_UNCOMPRESSED_BYTES).
BOMB_BYTES = 700 * 1000 * 1000
MANY_MEMBERS, MEMBER_BYTES = 33, 19 * 1024 * 1024

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


# ---------------------------------------------------------------- a minimal .xlsx writer

def _zinfo(name: str, level: int | None = None) -> zipfile.ZipInfo:
    """A deflated zip entry with the fixed time; ``level`` 1-9 (None: zlib's default)."""
    info = zipfile.ZipInfo(name, ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    if level is not None:  # the attribute is public from Python 3.13 on
        setattr(info, "compress_level" if hasattr(zipfile.ZipInfo, "compress_level") else "_compresslevel", level)
    return info


def _column(j: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    name = ""
    j += 1
    while j:
        j, rest = divmod(j - 1, 26)
        name = chr(65 + rest) + name
    return name


def _t(text: str) -> str:
    """A ``<t>`` element; white space at either end is kept, as Excel writes it."""
    if text != text.strip():
        return f'<t xml:space="preserve">{escape(text)}</t>'
    return f"<t>{escape(text)}</t>"


def row_xml(r: int, values: list[str | None]) -> str:
    """One ``<row>`` of inline strings at Excel row ``r`` (1-based); None is no cell."""
    cells = "".join(f'<c r="{_column(j)}{r}" t="inlineStr"><is>{_t(v)}</is></c>'
                    for j, v in enumerate(values) if v is not None)
    return f'<row r="{r}">{cells}</row>'


def _sheet_xml(rows: list[list[str | None]]) -> bytes:
    body = "".join(row_xml(r, values) for r, values in enumerate(rows, start=1))
    return (f'{_XML_DECL}<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><sheetData>{body}'
            f"</sheetData></worksheet>").encode("utf-8")


_STYLES = (f'{_XML_DECL}<styleSheet xmlns="{_MAIN_NS}">'
           '<fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>'
           '<fills count="2"><fill><patternFill patternType="none"/></fill>'
           '<fill><patternFill patternType="gray125"/></fill></fills>'
           '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
           '<border><left style="thin"/><right style="thin"/><top style="thin"/><bottom style="thin"/><diagonal/>'
           '</border></borders>'
           '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
           '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
           '<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1"/></cellXfs>'
           '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
           '</styleSheet>').encode("utf-8")
# Style index of a thin border on all four sides (cellXfs entry 1).
BORDERED = 1


def write_xlsx(path: Path, sheets: dict[str, Iterable[bytes] | bytes], level: int | None = None) -> Path:
    """An .xlsx with one worksheet per entry of ``sheets`` (name -> the sheet's XML,
    whole or as chunks, streamed into the zip; ``level``: their deflate level).
    Inline strings, no shared strings."""
    names = list(sheets)
    content_types = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        f'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(names) + 1))
    parts = {
        "[Content_Types].xml":
            f'{_XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{content_types}</Types>",
        "_rels/.rels":
            f'{_XML_DECL}<Relationships xmlns="{_PKG_REL_NS}"><Relationship Id="rId1" '
            f'Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml":
            f'{_XML_DECL}<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><sheets>'
            + "".join(f'<sheet name="{escape(n)}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1))
            + "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels":
            f'{_XML_DECL}<Relationships xmlns="{_PKG_REL_NS}">'
            + "".join(f'<Relationship Id="rId{i}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                      for i in range(1, len(names) + 1))
            + f'<Relationship Id="rId{len(names) + 1}" Type="{_REL_NS}/styles" Target="styles.xml"/>'
            "</Relationships>",
    }
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in parts.items():
            archive.writestr(_zinfo(name), text.encode("utf-8"))
        archive.writestr(_zinfo("xl/styles.xml"), _STYLES)
        for i, name in enumerate(names, start=1):
            xml = sheets[name]
            with archive.open(_zinfo(f"xl/worksheets/sheet{i}.xml", level), "w") as member:
                for chunk in ([xml] if isinstance(xml, bytes) else xml):
                    member.write(chunk)
    return path


def ledger_xlsx(path: Path, rows: list[list[str | None]], sheet: str = "台账") -> Path:
    """A one-sheet .xlsx holding ``rows`` (text) from A1."""
    return write_xlsx(path, {sheet: _sheet_xml(rows)})


def small_ledger_rows() -> list[list[str | None]]:
    """A valid three-item ledger: report line, header, rows."""
    return [[REPORT_LINE], LEDGER_HEADER,
            ["CC-001", "人行道板破损", "道路维修组", "2026-03-10", "整改中"],
            ["CC-002", "路灯不亮", "道路维修组", "2026-03-12", "已整改"],
            ["CC-003", "占道经营", "市容环境组", "2026-03-08", "未整改"]]


# ---------------------------------------------------------------- not a spreadsheet

def pdf_renamed_xlsx(directory: Path) -> Path:
    """A (minimal, valid) PDF saved under an .xlsx name."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path = directory / "整改台账（扫描件）.xlsx"
    path.write_bytes(bytes(out))
    return path


def png_renamed_xlsx(directory: Path) -> Path:
    """A real 2x2 PNG (a screenshot of a ledger, say) saved under an .xlsx name."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    pixels = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(pixels, 9)) + chunk(b"IEND", b""))
    path = directory / "整改台账截图.xlsx"
    path.write_bytes(png)
    return path


def zero_byte(directory: Path) -> Path:
    """An empty file (a failed download)."""
    path = directory / "空文件.xlsx"
    path.write_bytes(b"")
    return path


def whitespace_csv(directory: Path) -> Path:
    """A CSV of white space only: spaces, tabs, a full-width space, CRLF line ends."""
    path = directory / "空白.csv"
    path.write_bytes(" \r\n\t \r\n\u3000\r\n   \r\n".encode("utf-8"))
    return path


def html_saved_as_xls(directory: Path) -> Path:
    """An HTML table with an .xls name, as many web systems "export to Excel"
    (UTF-8 BOM and a blank line before ``<html``)."""
    rows = "".join("<tr>" + "".join(f"<td>{escape(v or '')}</td>" for v in row) + "</tr>"
                   for row in small_ledger_rows())
    html = ('\ufeff\r\n<html xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel"><head>'
            '<meta http-equiv="Content-Type" content="application/vnd.ms-excel; charset=utf-8"></head>'
            f"<body><table>{rows}</table></body></html>")
    path = directory / "网页导出台账.xls"
    path.write_bytes(html.encode("utf-8"))
    return path


def word_docx_renamed(directory: Path) -> Path:
    """A (minimal, valid) Word document saved under an .xlsx name."""
    path = directory / "整改报告.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(_zinfo("[Content_Types].xml"), (
            f'{_XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>').encode("utf-8"))
        archive.writestr(_zinfo("_rels/.rels"), (
            f'{_XML_DECL}<Relationships xmlns="{_PKG_REL_NS}"><Relationship Id="rId1" '
            f'Type="{_REL_NS}/officeDocument" Target="word/document.xml"/></Relationships>').encode("utf-8"))
        archive.writestr(_zinfo("word/document.xml"), (
            f'{_XML_DECL}<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>关于创城问题整改情况的报告</w:t></w:r></w:p></w:body></w:document>")
            .encode("utf-8"))
    return path


# ---------------------------------------------------------------- broken or locked workbooks

def password_protected_xlsx(directory: Path) -> Path:
    """A valid ledger encrypted with an open password (msoffcrypto-tool): an OLE2
    container holding ``EncryptedPackage``."""
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = ledger_xlsx(directory / "_plain_for_encryption.xlsx", small_ledger_rows())
    path = directory / "加密台账.xlsx"
    with plain.open("rb") as source, path.open("wb") as target:
        OOXMLFile(source).encrypt("创城2026", target)
    plain.unlink()
    return path


def _small_ledger_bytes(directory: Path) -> bytes:
    scratch = ledger_xlsx(directory / "_scratch.xlsx", small_ledger_rows())
    data = scratch.read_bytes()
    scratch.unlink()
    return data


def truncated_xlsx(directory: Path) -> Path:
    """A valid ledger .xlsx cut in half (an interrupted download): no central directory."""
    data = _small_ledger_bytes(directory)
    path = directory / "截断台账.xlsx"
    path.write_bytes(data[:len(data) // 2])
    return path


def corrupt_zip(directory: Path) -> Path:
    """A zip local-file signature followed by 4 KB of (seeded) noise."""
    path = directory / "损坏台账.xlsx"
    path.write_bytes(b"PK\x03\x04" + random.Random(42).randbytes(4096))
    return path


def corrupt_member_xlsx(directory: Path) -> Path:
    """A valid zip directory whose sheet member's compressed data is overwritten with
    noise: the zip opens, the sheet cannot be inflated (CRC/inflate error in the reader)."""
    data = bytearray(_small_ledger_bytes(directory))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
    start = info.header_offset + 30 + name_len + extra_len
    data[start:start + info.compress_size] = random.Random(7).randbytes(info.compress_size)
    path = directory / "内容损坏台账.xlsx"
    path.write_bytes(bytes(data))
    return path


# ---------------------------------------------------------------- bombs and huge sheets

def _repeat(unit: bytes, total: int, chunk: int = 1 << 20) -> Iterator[bytes]:
    """``unit`` repeated up to ``total`` bytes, in chunks of about ``chunk`` bytes."""
    block = unit * max(1, chunk // len(unit))
    written = 0
    while written + len(block) <= total:
        yield block
        written += len(block)
    yield unit * ((total - written) // len(unit))


def zip_bomb_xlsx(directory: Path) -> Path:
    """A real .xlsx whose sheet XML inflates to ~700 MB (2 MB on disk, about 340:1): a
    run of rows that would each become a cell if it were parsed. Streamed: ~1 MB in
    memory."""
    head = f'{_XML_DECL}<worksheet xmlns="{_MAIN_NS}"><sheetData>'.encode("utf-8")
    tail = b"</sheetData></worksheet>"
    unit = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'

    def xml():
        yield head
        yield from _repeat(unit, BOMB_BYTES)
        yield tail
    return write_xlsx(directory / "压缩炸弹.xlsx", {"台账": xml()})


def zip_bomb_many_members_xlsx(directory: Path) -> Path:
    """A real .xlsx of 33 sheets of 19 MiB each (white space inside ``sheetData``):
    no single member passes the ratio check's 20 MB floor, together they inflate past
    ``MAX_UNCOMPRESSED_BYTES``."""
    head = f'{_XML_DECL}<worksheet xmlns="{_MAIN_NS}"><sheetData>'.encode("utf-8")
    tail = b"</sheetData></worksheet>"

    def xml():
        yield head
        yield from _repeat(b" ", MEMBER_BYTES - len(head) - len(tail))
        yield tail
    return write_xlsx(directory / "压缩炸弹（多个工作表）.xlsx",
                      {f"第{i}组": xml() for i in range(1, MANY_MEMBERS + 1)})


def million_empty_rows_xlsx(directory: Path) -> Path:
    """A real ledger of ``MILLION_ROWS_ITEMS`` items, then ``EMPTY_ROWS`` rows of empty
    cells with a thin border (someone formatted the whole column range): this one
    must ingest its real rows."""
    top = small_ledger_rows()
    assert len(top) - 2 == MILLION_ROWS_ITEMS
    width = len(LEDGER_HEADER)
    letters = [_column(j) for j in range(width)]
    empty_row = (f'<row r="{{0}}" spans="1:{width}">'
                 + "".join(f'<c r="{c}{{0}}" s="{BORDERED}"/>' for c in letters) + "</row>").format
    first, end = len(top) + 1, len(top) + 1 + EMPTY_ROWS

    def xml():
        yield (f'{_XML_DECL}<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
               f'<dimension ref="A1:{letters[-1]}{end - 1}"/><sheetData>').encode("utf-8")
        yield "".join(row_xml(r, v) for r, v in enumerate(top, start=1)).encode("utf-8")
        for lo in range(first, end, 10_000):
            yield "".join(map(empty_row, range(lo, min(lo + 10_000, end)))).encode("ascii")
        yield b"</sheetData></worksheet>"
    return write_xlsx(directory / "百万空行台账.xlsx", {"台账": xml()}, level=1)


def lying_sizes_zip_bomb_xlsx(directory: Path) -> Path:
    """A real .xlsx whose zip directory understates its sheet: declared to inflate to
    100 KB, it inflates to ~100 MB of cell rows. A size check that trusts the
    directory passes it; the zip reader must stop at the declared size."""
    unit = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'

    def xml():
        yield f'{_XML_DECL}<worksheet xmlns="{_MAIN_NS}"><sheetData>'.encode("utf-8")
        yield from _repeat(unit, 100 * 1000 * 1000)
        yield b"</sheetData></worksheet>"
    path = write_xlsx(directory / "压缩炸弹（虚报大小）.xlsx", {"台账": xml()}, level=9)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    declared = struct.pack("<I", 100 * 1000)
    assert not info.flag_bits & 0x08  # sizes are in the headers, no data descriptor
    data[info.header_offset + 22:info.header_offset + 26] = declared        # local header
    name = info.filename.encode()
    central = data.find(b"PK\x01\x02", info.header_offset + 30 + info.compress_size)
    while data[central + 46:central + 46 + len(name)] != name:
        central = data.find(b"PK\x01\x02", central + 4)
        assert central != -1
    data[central + 24:central + 28] = declared                              # central directory entry
    path.write_bytes(bytes(data))
    return path


def repeated_cells_ods(directory: Path) -> Path:
    """A 1 KB .ods: a valid three-item ledger whose last row, holding the number 1 in
    five cells, is repeated 1,000,000 times (``table:number-rows-repeated``): five
    million cells from a file that passes every zip size check."""
    def row(values):
        cells = "".join(f'<table:table-cell office:value-type="string"><text:p>{escape(v)}</text:p>'
                        "</table:table-cell>" for v in values)
        return f"<table:table-row>{cells}</table:table-row>"
    width = len(LEDGER_HEADER)
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    content = (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {ns} office:version="1.2">'
               '<office:body><office:spreadsheet><table:table table:name="台账">'
               + "".join(row(r) for r in small_ledger_rows())
               + f'<table:table-row table:number-rows-repeated="{EMPTY_ROWS}"><table:table-cell '
               f'office:value-type="float" office:value="1" table:number-columns-repeated="{width}">'
               "<text:p>1</text:p></table:table-cell></table:table-row>"
               "</table:table></office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    path = directory / "重复单元格.ods"
    with zipfile.ZipFile(path, "w") as archive:
        mimetype = zipfile.ZipInfo("mimetype", ZIP_TIME)  # stored, first, as ODF requires
        archive.writestr(mimetype, b"application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr(_zinfo("META-INF/manifest.xml"), manifest.encode("utf-8"))
        archive.writestr(_zinfo("content.xml"), content.encode("utf-8"))
    return path


def blank_lines_csv(directory: Path) -> Path:
    """A valid one-item CSV ledger followed by 16,000,000 empty lines (16 MB, under the
    upload limit)."""
    path = directory / "空行台账.csv"
    with path.open("wb") as out:
        out.write(("\r\n".join(",".join(v or "" for v in row) for row in small_ledger_rows()[:3])
                   + "\r\n").encode("utf-8"))
        for block in _repeat(b"\n", 16 * 1000 * 1000):
            out.write(block)
    return path


# ---------------------------------------------------------------- spreadsheets that are no ledger

def no_header_xlsx(directory: Path) -> Path:
    """Two sheets of text, neither with a recognisable ledger header."""
    first = _sheet_xml([["创城工作会议签到表"], ["姓名", "单位", "联系电话"], ["张三", "市容环境组", "13800000000"]])
    second = _sheet_xml([["会议纪要"], ["一、通报上周督查情况"], ["二、部署本周工作"]])
    return write_xlsx(directory / "无表头.xlsx", {"签到": first, "纪要": second})


def all_rows_rejected_xlsx(directory: Path) -> Path:
    """A good header and report date; every row's 整改时限 is text, not a date."""
    rows = [[REPORT_LINE], LEDGER_HEADER,
            ["CC-001", "人行道板破损", "道路维修组", "下周", "整改中"],
            ["CC-002", "路灯不亮", "道路维修组", "尽快", "未整改"],
            ["CC-003", "占道经营", "市容环境组", "尽快完成", "整改中"]]
    return ledger_xlsx(directory / "全部拒收.xlsx", rows)


def no_report_date_xlsx(directory: Path) -> Path:
    """A valid ledger with a title but no 填报日期 above the header and no date in
    its file name."""
    rows = [["临江区创建全国文明城市问题整改台账"], *small_ledger_rows()[1:]]
    return ledger_xlsx(directory / "无日期台账.xlsx", rows)


def whitespace_rows_xlsx(directory: Path) -> Path:
    """A valid three-item ledger followed by two rows whose every cell holds only white
    space (a space, a full-width space): rows a person sees as empty."""
    rows = [*small_ledger_rows(), [" "] * 4 + ["\u3000"], ["\u3000"] * 5]
    return ledger_xlsx(directory / "空格行台账.xlsx", rows)


# ---------------------------------------------------------------- an ingest under limits

TIME_LIMIT_S = 10.0
MEMORY_LIMIT_KB = 1024 * 1024    # 1 GB of peak resident memory


@dataclass
class ChildOutcome:
    """What became of one ``ingest_in_child``."""

    ok: bool             # stored as a batch
    items: int
    batches: int         # batches in the child's database afterwards (-1: unknown)
    message: str         # ``IngestResult.line()``, or ``str(LedgerError)``
    error: str           # traceback of any other exception, or how the child ended
    seconds: float
    peak_kb: int         # the child's peak resident memory (``ru_maxrss``, KB on Linux)
    timed_out: bool


def ingest_in_child(path: Path, db_path: Path, *, report_date: dt.date | None = None,
                    timeout: float = TIME_LIMIT_S) -> ChildOutcome:
    """Ingest ``path`` into a new database ``db_path`` in a forked child, killed after
    ``timeout`` seconds; the parent reads the outcome from a pipe and the child's
    peak memory from ``os.wait4``. Forking after the imports costs milliseconds.

    The child's peak memory includes what it shared with the parent at the fork (the
    parent's resident set), so it is an upper bound of what the ingest needs."""
    import data_pipeline as dp  # imported in the parent, before the fork

    read_end, write_end = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 0
        try:
            os.close(read_end)
            try:
                con = dp.connect(db_path)
                try:
                    result = dp.ingest_file(con, path, report_date=report_date)
                    payload = {"ok": True, "items": result.items, "message": result.line(), "error": ""}
                except dp.LedgerError as exc:
                    payload = {"ok": False, "items": 0, "message": str(exc), "error": ""}
                payload["batches"] = con.execute("SELECT count(*) FROM batches").fetchone()[0]
                con.close()
            except BaseException:  # also pyo3's PanicException, which is no Exception
                payload = {"ok": False, "items": 0, "message": "", "error": traceback.format_exc(), "batches": -1}
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            while data:
                data = data[os.write(write_end, data):]
        except BaseException:
            code = 3
        finally:
            os._exit(code)

    os.close(write_end)
    chunks: list[bytes] = []
    timed_out = False
    try:
        while True:
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() - started > timeout:
                os.kill(pid, signal.SIGKILL)
                _, status, usage = os.wait4(pid, 0)
                timed_out = True
                break
            if select.select([read_end], [], [], 0.01)[0]:
                chunks.append(os.read(read_end, 1 << 16))
        seconds = time.monotonic() - started
        while chunk := os.read(read_end, 1 << 16):
            chunks.append(chunk)
    finally:
        os.close(read_end)

    if timed_out:
        ended = f"still running after {timeout:g} s, killed"
    elif os.WIFSIGNALED(status):
        ended = f"child killed by signal {os.WTERMSIG(status)}"
    else:
        ended = f"child exited with code {os.WEXITSTATUS(status)}" if os.WEXITSTATUS(status) else ""
    if timed_out or not chunks:
        return ChildOutcome(False, 0, -1, "", ended or "child wrote no outcome", seconds, usage.ru_maxrss,
                            timed_out)
    payload = json.loads(b"".join(chunks))
    return ChildOutcome(payload["ok"], payload["items"], payload["batches"], payload["message"],
                        payload["error"] or ended, seconds, usage.ru_maxrss, False)


# ---------------------------------------------------------------- what a clear refusal looks like

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


# ---------------------------------------------------------------- registry

SMALL: dict[str, Callable[[Path], Path]] = {f.__name__: f for f in (
    pdf_renamed_xlsx, png_renamed_xlsx, zero_byte, whitespace_csv, html_saved_as_xls, word_docx_renamed,
    password_protected_xlsx, truncated_xlsx, corrupt_zip, corrupt_member_xlsx, no_header_xlsx,
    all_rows_rejected_xlsx, no_report_date_xlsx, whitespace_rows_xlsx, repeated_cells_ods)}
BIG: dict[str, Callable[[Path], Path]] = {f.__name__: f for f in (
    zip_bomb_xlsx, zip_bomb_many_members_xlsx, lying_sizes_zip_bomb_xlsx, million_empty_rows_xlsx,
    blank_lines_csv)}


def write_all(directory: Path) -> list[Path]:
    """Write every hostile file into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    return [build(directory) for build in {**SMALL, **BIG}.values()]


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/hostile.py DIR")
    for written in write_all(Path(sys.argv[1])):
        print(written)
