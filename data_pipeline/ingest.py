"""The whole pipeline for one file: read -> layout -> normalise -> store.

``parse_file`` does everything but storing (the upload page previews with it);
``ingest_file`` stores what ``parse_file`` produced, in one transaction.

Report date of a file, first found wins: the explicit ``report_date``; a date labelled
``填报日期/统计截至/截至…`` above a sheet's header (when sheets disagree, the latest, with
a warning); a date in the file name (``20260410``, ``2026-04-10``, ``2026年4月10日``);
else the file is refused. Only a date in 2000-2100 is a report date (an explicit one
outside it refuses the file; one found in the file is passed over).
A file is refused (``LedgerError``, nothing stored) when no sheet has a recognisable
header, when it has no item rows, or when every candidate row is rejected.

The sample never mixes with real data: storing the first real file (any file not stored
as the sample) removes the sample's batches in the same transaction, and the sample's
settings the office has not changed, unless the caller passes the campaign's settings,
which are then saved in that transaction too (the upload page asks for them).
"""
from __future__ import annotations

import datetime as dt
import gc
import hashlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import sample as sample_campaign
from .audit import Actor
from .campaign.settings import CampaignSettings, forget_values, save_settings
from .errors import LedgerError, ReportDateMissing
from .layout import detect, fill_down, find_date
from .normalise import Note, SheetResult, normalise_sheet, skipped_sheet
from .read import read_file_bytes, read_workbook
from .values import PLAUSIBLE_RANGE_TEXT, plausible
from .store import BatchRecord, find_batch_by_hash, remove_batches, sample_batch_ids, transaction, write_batch


@dataclass
class ParsedFile:
    """A file read and normalised, not yet stored."""

    file_name: str
    kind: str
    content: bytes
    content_hash: str
    report_date: dt.date
    report_date_source: str
    sheets: list[SheetResult]
    notes: list[Note] = field(default_factory=list)   # file-level and row-level, in order

    @property
    def used(self) -> list[SheetResult]:
        return [s for s in self.sheets if s.layout is not None]

    @property
    def items(self) -> int:
        return sum(s.item_count for s in self.sheets)

    @property
    def skipped(self) -> int:
        return sum(s.count("skipped") for s in self.sheets)

    @property
    def rejected(self) -> int:
        return sum(s.count("rejected") for s in self.sheets)

    @property
    def warnings(self) -> int:
        return sum(1 for n in self.notes if n.level == "warning")


@dataclass
class IngestResult:
    file_name: str
    batch_id: int
    report_date: dt.date
    items: int
    skipped: int
    rejected: int
    warnings: int
    duplicate: bool = False       # the same bytes were stored before; nothing changed
    notes: list[Note] = field(default_factory=list)
    sample_removed: list[int] = field(default_factory=list)   # sample batches removed with it

    def line(self) -> str:
        """One line for the CLI and the upload page."""
        if self.duplicate:
            return (f"{self.file_name}：与已导入的批次#{self.batch_id}内容完全相同，未重复导入")
        text = (f"{self.file_name}：已导入批次#{self.batch_id}（截至{self.report_date:%Y-%m-%d}），"
                f"问题{self.items}条，跳过{self.skipped}行，拒收{self.rejected}行，警告{self.warnings}条")
        if self.sample_removed:
            text += f"；示例数据（{len(self.sample_removed)}个批次）已同时删除"
        return text


@contextmanager
def collector_paused():
    """Python's cyclic garbage collector off for the block, back on after it (unless it
    was off already: blocks may nest, also across threads). A ledger is a million cells
    in lists; while they are made, checked and converted, the collector would walk
    them again and again for nothing (~0.4 s of a 100,000-row ingest). Cycles made
    meanwhile are collected once it is back on."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def parse_file(data: bytes, file_name: str, *, report_date: dt.date | None = None,
               overrides: dict[str, str | None] | None = None) -> ParsedFile:
    """Read, detect and normalise ``data``; raise ``LedgerError`` (with the file name)
    when it cannot become a batch."""
    try:
        with collector_paused():
            return _parse(data, file_name, report_date, overrides)
    except LedgerError as exc:
        raise exc.located(file=file_name) from None


def _parse(data, file_name, report_date, overrides) -> ParsedFile:
    book = read_workbook(data, file_name)
    layouts: list[tuple] = []
    for sheet in book.sheets:
        layout = detect(sheet, overrides)
        if layout:
            fill_down(sheet, layout.header_last + 1)
        layouts.append((sheet, layout))
    found = [(s, lay) for s, lay in layouts if lay is not None]
    if not found:
        names = "、".join(f"“{s.name}”" for s in book.sheets) or "（无工作表）"
        raise LedgerError(f"在工作表{names}中都没有找到台账表头（需要“问题描述”或“问题编号”等列名），未导入")

    notes: list[Note] = []
    date, source = _report_date(report_date, found, file_name, notes)
    sheets: list[SheetResult] = []
    for sheet, lay in layouts:
        result = normalise_sheet(sheet, lay, date) if lay else skipped_sheet(sheet)
        sheets.append(result)
        notes.extend(result.notes)

    parsed = ParsedFile(file_name, book.kind, data, hashlib.sha256(data).hexdigest(), date, source, sheets, notes)
    if parsed.items == 0:
        if parsed.rejected:
            first = next(n for n in notes if n.level == "rejected")
            raise LedgerError(f"全部{parsed.rejected}行都无法作为问题导入（例如{first}），未导入")
        raise LedgerError("找到了表头，但下面没有任何问题行，未导入")
    return parsed


def _report_date(explicit, found: list[tuple], file_name: str, notes: list[Note]) -> tuple[dt.date, str]:
    """The report date and where it was found (module rules). Only a date in 2000-2100
    (``values.plausible``) can be one: an explicit date outside it refuses the file (every
    completion date is checked against it); ``layout.find_date`` passes over others."""
    if explicit:
        if not plausible(explicit):
            raise LedgerError(f"指定的截至日期{explicit.isoformat()}不在{PLAUSIBLE_RANGE_TEXT}之间，请改正后重新导入")
        return explicit, "手工指定"
    dated = [(lay.report_date, s.name, lay.report_date_text) for s, lay in found if lay.report_date]
    if dated:
        dates = sorted({d for d, _, _ in dated})
        date, sheet, text = max(dated, key=lambda t: t[0])
        if len(dates) > 1:
            listed = "、".join(f"{d:%Y-%m-%d}" for d in dates)
            notes.append(Note("warning", sheet, None, "", f"各工作表的填报日期不一致（{listed}），按最晚的{date:%Y-%m-%d}计"))
        return date, f"工作表“{sheet}”表头上方：{text}"
    stem = Path(file_name).stem
    titles = " ".join(lay.title for _, lay in found)
    date = find_date(stem, context=stem + " " + titles)
    if date:
        return date, f"文件名：{file_name}"
    raise ReportDateMissing("找不到截至日期：表头上方没有“填报日期/统计截至”，文件名里也没有日期。"
                      "请在文件中注明填报日期，或导入时指定截至日期（命令行 --report-date）")


def ingest_bytes(con, data: bytes, file_name: str, *, report_date: dt.date | None = None,
                 overrides: dict[str, str | None] | None = None, actor: Actor | None = None,
                 sample: bool = False) -> IngestResult:
    """Parse and store one file. A byte-identical file already stored is not stored
    again (``duplicate=True``). ``actor``: who uploads it (the batch's ``uploaded_by``
    is its name; the upload is written to the audit log). ``sample``: a file of the
    bundled sample (``sample.load_sample``)."""
    content_hash = hashlib.sha256(data).hexdigest()
    existing = find_batch_by_hash(con, content_hash)
    if existing:
        return IngestResult(file_name, existing[0], existing[2], 0, 0, 0, 0, duplicate=True)
    with collector_paused():
        parsed = parse_file(data, file_name, report_date=report_date, overrides=overrides)
        return store_parsed(con, parsed, actor=actor, sample=sample)


def store_parsed(con, parsed: ParsedFile, *, actor: Actor | None = None, sample: bool = False,
                 settings: CampaignSettings | None = None) -> IngestResult:
    """Store a ``ParsedFile`` as a batch (one transaction). A ``ParsedFile`` can be
    stored once: storing releases its cells. A real file replaces the sample (module
    docstring); ``settings``, when given, are saved in the same transaction (invalid
    ones: ``LedgerError`` naming the problems, nothing stored)."""
    existing = find_batch_by_hash(con, parsed.content_hash)
    if existing:
        return IngestResult(parsed.file_name, existing[0], existing[2], 0, 0, 0, 0, duplicate=True)
    record = BatchRecord(
        file_name=parsed.file_name, content=parsed.content, content_hash=parsed.content_hash,
        file_kind=parsed.kind, report_date=parsed.report_date, report_date_source=parsed.report_date_source,
        sheets_used=[s.sheet for s in parsed.used],
        sheets_skipped=[s.sheet for s in parsed.sheets if s.layout is None],
        sheets=parsed.sheets, notes=parsed.notes, uploaded_by=actor.name if actor else None, sample=sample)
    with collector_paused(), transaction(con):
        removed = [] if sample else remove_batches(con, sample_batch_ids(con), actor)
        if settings is not None:
            errors = save_settings(con, settings, actor)
            if errors:
                raise LedgerError("活动设置有误，未导入：" + "；".join(errors), file=parsed.file_name)
        elif removed:
            forget_values(con, sample_campaign.sample_settings())
        batch_id = write_batch(con, record, actor)
    return IngestResult(parsed.file_name, batch_id, parsed.report_date, parsed.items, parsed.skipped,
                        parsed.rejected, parsed.warnings, notes=parsed.notes, sample_removed=removed)


def ingest_file(con, path: str | Path, *, report_date: dt.date | None = None,
                file_name: str | None = None, actor: Actor | None = None, sample: bool = False) -> IngestResult:
    """``ingest_bytes`` on a file on disk (named by its base name unless ``file_name``).
    The file is read by ``read.read_file_bytes``: only a regular file within
    ``MAX_FILE_BYTES``, checked before it is read (else ``LedgerError``, nothing stored)."""
    path = Path(path)
    name = file_name or path.name or str(path)
    try:
        data = read_file_bytes(path)
    except LedgerError as exc:
        raise exc.located(file=name) from None
    return ingest_bytes(con, data, name, report_date=report_date, actor=actor, sample=sample)
