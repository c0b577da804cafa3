"""Command line: ``python -m data_pipeline {ingest,summary,batches,remove-batch}``, the
pages' data twins ``{overview,groups,overdue,trend}``, the meeting figures
``{changes,forecast}`` (本周变化, 进度预测), ``slides`` (会议汇报's twin) and ``report``
(the 通报 files: xlsx, pptx, docx, all; ``--pdf``).

A thin skin over the library: each command opens the database and calls one function.
The twins call the page's own figure function (``figures``) with the stored campaign
settings and print what the page shows (``--json``: all of it, as JSON).
Errors users can cause print one Chinese line (no traceback) and exit non-zero.
Every path given is checked before it is opened: ``ingest`` reads only regular files
within ``MAX_FILE_BYTES`` (``read.read_file_bytes``); ``--db`` must be a regular file
or missing, and so must ``report --out`` (a folder, FIFO or device is refused, so
nothing blocks or reads forever).
Changes (ingest, remove-batch) are written to the audit log as the role 命令行 with the
operating-system user.
"""
from __future__ import annotations

import argparse
import datetime as dt
import errno
import json
import os
import stat
import sys
from dataclasses import replace
from pathlib import Path

import duckdb

from . import connect, figures, ingest_file, labels, list_batches, meeting, remove_batch, reports
from .audit import cli_actor
from .campaign.settings import load_settings
from .constants import default_db_path
from .errors import LedgerError
from .read import file_type_name
from .metrics import Filters, latest_report_date

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
# The pages' data twins: (command, page title, what it shows).
PAGES = (("overview", "总览", "关键指标及变化、评估前能否达标、超期时长、各工作组整改率与红黑榜、亮牌"),
         ("groups", "工作组", "一个工作组的关键指标、走势、问题清单和分类统计"),
         ("overdue", "超期督办", "超期问题清单和临期问题清单"),
         ("trend", "阶段趋势", "每期台账的累计交办、整改、整改率和超期数，各工作组整改率，分阶段统计"))


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为YYYY-MM-DD，例如2026-03-06，而不是“{text}”") from None


def _open(db: str | None, *, read_only: bool = False):
    """The campaign database ``--db`` names (``store.connect``). A path that exists but
    is not a regular file (a folder, a FIFO, ``/dev/zero``) is refused before DuckDB
    opens it (it could block or read forever), and a file DuckDB cannot open (not a
    database, no permission) with a Chinese line; a missing file is created."""
    path = Path(db) if db else default_db_path()
    try:
        kind = file_type_name(os.stat(path).st_mode)
    except FileNotFoundError:
        kind = None
    except OSError:
        raise LedgerError(f"无法访问数据库路径“{path}”（没有权限或路径有误）；请用 --db 指定一个.duckdb文件") from None
    if kind:
        raise LedgerError(f"数据库路径“{path}”是{kind}，不是数据库文件；请用 --db 指定一个.duckdb文件")
    try:
        return connect(path, read_only=read_only)
    except duckdb.IOException as exc:
        text = str(exc)
        if "not a valid DuckDB database" in text:
            why = "不是本系统的数据库文件（DuckDB格式）"
        elif "version number" in text:
            why = "是其他版本的DuckDB创建的，无法打开"
        elif "Permission denied" in text:
            why = "没有读写权限"
        else:
            why = "无法打开（请检查文件是否完好、磁盘空间和权限）"
        raise LedgerError(f"数据库“{path}”{why}；请用 --db 指定正确的.duckdb文件") from None


def cmd_ingest(args) -> int:
    con = _open(args.db)
    failed = 0
    try:
        for path in args.files:
            try:
                result = ingest_file(con, path, report_date=args.report_date, actor=cli_actor())
            except LedgerError as exc:
                failed += 1
                print(f"失败 {exc}", file=sys.stderr)
                continue
            print(("已存在 " if result.duplicate else "导入 ") + result.line())
            for note in result.notes[:args.show_notes]:
                print(f"    {'拒收' if note.level == 'rejected' else '警告'} {note}")
            hidden = len(result.notes) - args.show_notes
            if hidden > 0:
                print(f"    ……另有{hidden}条提示未显示（用 --show-notes N 查看更多）")
    finally:
        con.close()
    return EXIT_FAILED if failed else EXIT_OK


def cmd_summary(args) -> int:
    con = _open(args.db, read_only=True)
    try:
        settings = load_settings(con)
        if args.due_soon_days is not None:
            settings = replace(settings, due_soon_days=args.due_soon_days)
        data = figures.summary(con, args.as_of, settings)
    finally:
        con.close()
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return EXIT_OK
    if data["as_of"] is None:
        print(NO_DATA)
        return EXIT_OK
    rows = [tuple(labels.COLUMN_LABELS[c] for c in ("group_name", "items", "done", "completion_rate", "overdue",
                                                    "due_soon", "long_term", "on_time_rate"))]
    for g in data["groups"] + [{"group": "合计", **data["totals"]}]:
        rows.append((g["group"], str(g["items"]), str(g["done"]), labels.pct(g["completion_rate"]),
                     str(g["overdue"]), str(g["due_soon"]), str(g["long_term"]), labels.pct(g["on_time_rate"])))
    print(f"截至 {data['as_of']}")
    print(_table(rows))
    return EXIT_OK


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _table(rows) -> str:
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, r in enumerate(rows):
        cells = [r[0] + " " * (widths[0] - _width(r[0]))]
        cells += [" " * (widths[i] - _width(r[i])) + r[i] for i in range(1, len(r))]
        lines.append("  ".join(cells))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _who(name, role) -> str:
    """``王主任（创城办）``; ``—`` when the batch was stored without saying who."""
    name = name if isinstance(name, str) else ""
    role = role if isinstance(role, str) else ""
    if name and role:
        return f"{name}（{role}）"
    return name or role or "—"


def cmd_batches(args) -> int:
    con = _open(args.db, read_only=True)
    try:
        df = list_batches(con)
    finally:
        con.close()
    if df.empty:
        print("还没有导入任何批次。")
        return EXIT_OK
    rows = [("批次", "截至日期", "问题", "跳过", "拒收", "警告", "导入时间", "导入人", "文件")]
    for r in df.itertuples():
        rows.append((str(r.batch_id), f"{r.report_date:%Y-%m-%d}", str(r.items), str(r.skipped), str(r.rejected),
                     str(r.warnings), f"{r.ingested_at:%Y-%m-%d %H:%M}", _who(r.uploaded_by, r.uploaded_role),
                     r.file_name))
    print(_table(rows))
    return EXIT_OK


def cmd_remove_batch(args) -> int:
    con = _open(args.db)
    try:
        removed = remove_batch(con, args.batch_id, cli_actor())
    finally:
        con.close()
    if not removed:
        print(f"没有编号为{args.batch_id}的批次（用 batches 命令查看现有批次）", file=sys.stderr)
        return EXIT_FAILED
    print(f"已删除批次#{args.batch_id}及其全部行和问题状态")
    return EXIT_OK


NO_DATA = "数据库中还没有任何台账。先导入：python -m data_pipeline ingest 台账.xlsx"


def cmd_page(args) -> int:
    """A page's data twin: the figures of 总览 (overview), 工作组 (groups), 超期督办
    (overdue) or 阶段趋势 (trend) as of ``--as-of`` (default: the latest report date),
    with the stored settings and the sidebar's filters (``--group``/``--category``)."""
    con = _open(args.db, read_only=True)
    try:
        settings = load_settings(con)
        as_of = args.as_of or latest_report_date(con)
        if as_of is None:
            print(json.dumps({"as_of": None}) if args.json else NO_DATA)
            return EXIT_OK
        filters = Filters.of(args.group, args.category)
        if args.command == "groups":
            options = list(filters.groups or figures.filter_options(con, settings)[0])
            fig = figures.group(con, as_of, options[0], settings, Filters(None, filters.categories)) \
                if options else None
        elif args.command == "overdue":
            fig = figures.overdue(con, as_of, settings, filters, min_days=args.min_days)
        else:
            fig = getattr(figures, args.command)(con, as_of, settings, filters)
    finally:
        con.close()
    if args.json:
        print(json.dumps(figures.to_json(fig), ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"{settings.name}，截至{labels.full_day(as_of)}")
    for line in _page_lines(args.command, fig):
        print(line)
    return EXIT_OK


def _kpi_lines(k) -> list[str]:
    out = []
    for key in labels.KPI_KEYS:
        value = k.values[key]
        shown = labels.pct(value) if key.endswith("rate") else labels.count(value)
        change = labels.change(key, k.deltas[key])
        out.append(f"{labels.KPI_LABELS[key]}：{shown}" + (f"（{change}）" if change else ""))
    return ["；".join(out)]


def _header(*columns: str) -> tuple[str, ...]:
    return tuple(labels.COLUMN_LABELS[c] for c in columns)


def _page_lines(command: str, fig) -> list[str]:
    """The twin's figures as short Chinese lines (``--json`` prints everything)."""
    if fig is None:
        return ["没有工作组。"]
    if command == "overview":
        t = fig.standing.table
        rows = [_header("group_name", "card", "completion_rate", "items", "done", "overdue")] + [
            (r.group_name, r.card, labels.pct(r.completion_rate), labels.count(r.items), labels.count(r.done),
             labels.count(r.overdue)) for r in t.itertuples()]
        return _kpi_lines(fig.kpis) + [f"红榜：{'、'.join(fig.standing.honour) or '（暂无）'}",
                                       f"黑榜：{'、'.join(fig.standing.warning) or '（暂无）'}", _table(rows)]
    if command == "groups":
        return [fig.group] + _kpi_lines(fig.kpis)
    if command == "overdue":
        rows = [_header("group_name", "item_id", "assignee", "deadline", "days_overdue")] + [
            (r.group_name, r.item_id or labels.NONE, r.assignee or labels.NONE, labels.full_day(r.deadline),
             f"{r.days_overdue}天") for r in fig.overdue.itertuples()]
        return [f"超期问题{len(fig.overdue)}项，临期问题{len(fig.due_soon)}项", _table(rows)]
    rows = [_header("as_of", "items", "done", "completion_rate", "overdue")] + [
        (labels.full_day(r.as_of), labels.count(r.items), labels.count(r.done), labels.pct(r.completion_rate),
         labels.count(r.overdue)) for r in fig.series.itertuples()]
    return [_table(rows)]


# The meeting figures (``figures.changes``, ``figures.forecast``): (command, title, what it shows).
MEETING = (("changes", "本周变化", "两期台账之间各工作组新交办、新整改、新增超期、整改后反弹、持续超期，整改率和排名的变化，"
                                   "连续上红榜/黑榜期数和督办措施"),
           ("forecast", "进度预测", "各工作组和全部问题在评估阶段开始前整改完成的概率，五成和八成五把握的完成日期"),
           ("slides", "会议汇报", "会议汇报页的每张幻灯片：标题、要点和表格"))


def _cell(value, shown=labels.count) -> str:
    return labels.NONE if value is None else shown(value)


def cmd_meeting(args) -> int:
    """``changes`` (本周变化 between ``--since`` and ``--as-of``) or ``forecast`` (进度预测
    as of ``--as-of``): the figure function with the stored settings and the filters;
    ``--json`` prints ``figures.to_json`` of it."""
    con = _open(args.db, read_only=True)
    try:
        settings = load_settings(con)
        as_of = args.as_of or latest_report_date(con)
        if as_of is None:
            print(json.dumps({"as_of": None}) if args.json else NO_DATA)
            return EXIT_OK
        filters = Filters.of(args.group, args.category)
        try:
            if args.command == "changes":
                fig = figures.changes(con, as_of, args.since, settings, filters)
            elif args.command == "slides":
                fig = meeting.meeting(con, as_of, settings, args.since, filters)
            else:
                fig = figures.forecast(con, as_of, settings, filters)
        except ValueError as exc:
            print(f"失败 {exc}", file=sys.stderr)
            return EXIT_USAGE
    finally:
        con.close()
    if args.json:
        data = meeting.deck_json(fig) if args.command == "slides" else figures.to_json(fig)
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"{settings.name}，截至{labels.full_day(fig.as_of)}")
    lines = {"changes": _changes_lines, "forecast": _forecast_lines, "slides": _slides_lines}[args.command](fig)
    for line in lines:
        print(line)
    return EXIT_OK


def _slides_lines(m) -> list[str]:
    out = []
    for i, sl in enumerate(m.slides, 1):
        out += ["", f"{i}. {sl.title}", f"   {sl.message}"]
        headers, rows = meeting.table_cells(m, sl)
        if headers:
            out += ["   " + line for line in _table([headers, *rows]).splitlines()]
    return out


def _changes_lines(fig) -> list[str]:
    if fig.table.empty:
        return ["所选范围内没有问题。"]
    head = [f"与{labels.full_day(fig.since)}的台账相比" if fig.since else "没有更早的台账可比较，全部问题算作新交办"]
    rows = [_header("group_name", "new_items", "newly_done", "newly_overdue", "reopened", "still_overdue",
                    "completion_rate", "completion_rate_change", "on_time_rate_change", "rank", "rank_change",
                    "board", "warning_streak", "escalation")]
    for r in fig.table.itertuples():
        rows.append((r.group_name, *(labels.count(getattr(r, k)) for k in
                                     ("new_items", "newly_done", "newly_overdue", "reopened", "still_overdue")),
                     labels.pct(r.completion_rate), labels.rate_change(r.completion_rate_change),
                     labels.rate_change(r.on_time_rate_change), _cell(r.rank), labels.rank_change(r.rank_change),
                     r.board or labels.NONE, labels.streak(r.warning_streak), r.escalation or labels.NONE))
    return head + [_table(rows)]


def _forecast_lines(fig) -> list[str]:
    ev = fig.evaluation
    head = [fig.method, f"{ev.name}{labels.full_day(ev.start)}开始" if ev else labels.FORECAST_NO_EVALUATION]
    rows = [_header("group_name", "open", "weekly_new", "weekly_closed", "outlook_label", "probability", "light",
                    "p50", "p85")]
    for r in fig.table.itertuples():
        rows.append((r.group_name, labels.count(r.open), _cell(r.weekly_new, labels.decimal),
                     _cell(r.weekly_closed, labels.decimal), r.outlook_label, labels.pct(r.probability),
                     r.light or labels.NONE, labels.forecast_day(r.p50, r.outlook),
                     labels.forecast_day(r.p85, r.outlook)))
    return head + [_table(rows)]




_WRITE_ERRORS = {errno.ENOENT: "所在文件夹不存在", errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限",
                 errno.ENOSPC: "磁盘空间不足", errno.EROFS: "磁盘是只读的", errno.ENOTDIR: "路径中有一级不是文件夹"}


def _check_out(out: str) -> None:
    """``--out`` must be a regular file or not exist yet: a folder, FIFO (writing would
    block until something reads it) or device (``/dev/null`` would swallow the report)
    is refused before anything is computed."""
    try:
        kind = file_type_name(os.stat(out).st_mode)
    except OSError:
        return            # missing, or unreachable: writing says why
    if kind:
        raise LedgerError(f"输出路径“{out}”是{kind}，不能写入通报；"
                          "请用 --out 指定一个文件名（导出到文件夹请用 --format all）")


def cmd_report(args) -> int:
    """``report``: the 通报 files as of ``--as-of`` with the stored settings
    (``reports.build``): ``--format`` xlsx, pptx, docx, or all (then ``--out`` is a
    folder, made when missing, and the files are named by ``reports.file_name``);
    ``--pdf`` writes each one's PDF beside it (LibreOffice, ``reports.to_pdf``; refused
    before anything is computed when LibreOffice is missing). Every file is built before
    any is written, so a failure leaves nothing half-exported."""
    fmt = args.format.lower()
    if fmt not in (*reports.FORMATS, "all"):
        print(f"失败 不支持的格式“{args.format}”，可选：{'、'.join(reports.FORMATS)}、all", file=sys.stderr)
        return EXIT_USAGE
    formats = reports.FORMATS if fmt == "all" else (fmt,)
    if args.pdf and reports.libreoffice() is None:
        print(f"失败 {reports.MISSING}", file=sys.stderr)
        return EXIT_USAGE
    if fmt == "all":
        _check_folder(args.out)
    else:
        _check_out(args.out)
    con = _open(args.db, read_only=True)
    try:
        settings = load_settings(con)
        try:
            built = {f: reports.build(con, f, args.as_of, settings, args.since) for f in formats}
        except ValueError as exc:
            print(f"失败 {exc}", file=sys.stderr)
            return EXIT_USAGE
        day = figures.report_date_at(con, args.as_of) or args.as_of
    finally:
        con.close()
    files = []
    for f, data in built.items():
        target = Path(args.out) / reports.file_name(f, day) if fmt == "all" else Path(args.out)
        files.append((target, data))
        if args.pdf:
            try:
                files.append((target.with_suffix(".pdf"), reports.to_pdf(data, f)))
            except reports.PdfUnavailable as exc:
                raise LedgerError(str(exc)) from None
    if fmt == "all":
        try:
            Path(args.out).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LedgerError(f"无法创建文件夹“{args.out}”：{_write_error(exc)}") from None
    for target, data in files:
        try:
            target.write_bytes(data)
        except OSError as exc:
            raise LedgerError(f"无法写入文件“{target}”：{_write_error(exc)}") from None
        print(f"已导出{reports.DESCRIPTIONS['pdf' if target.suffix == '.pdf' else target.suffix[1:]]}：{target}")
    return EXIT_OK


def _write_error(exc: OSError) -> str:
    return _WRITE_ERRORS.get(exc.errno, "错误代码" + errno.errorcode.get(exc.errno or 0, "未知"))


def _check_folder(out: str) -> None:
    """``--format all``: ``--out`` must be a folder or not exist yet."""
    try:
        mode = os.stat(out).st_mode
    except OSError:
        return
    if not stat.S_ISDIR(mode):
        kind = file_type_name(mode) or "文件"
        raise LedgerError(f"输出路径“{out}”是{kind}，--format all 需要一个文件夹")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m data_pipeline",
        description="创城问题整改台账：导入Excel台账到DuckDB，并计算整改率等指标。",
        epilog="例：python -m data_pipeline ingest sample_data/*.xlsx && python -m data_pipeline summary",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    db_help = "DuckDB数据库文件（默认：环境变量CAMPAIGN_DB，否则data/campaign.duckdb）"
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("ingest", help="导入一个或多个台账文件",
                       description="导入台账文件（.xlsx/.xlsm/.xls/.ods/.csv），每个文件一个批次、一个事务。",
                       epilog="例：python -m data_pipeline ingest 台账20260306.xlsx --report-date 2026-03-06",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("files", nargs="+", metavar="FILE", help="台账文件")
    p.add_argument("--db", help=db_help)
    p.add_argument("--report-date", type=_date, metavar="YYYY-MM-DD",
                   help="截至日期（不指定时从表头上方的“填报日期”或文件名中识别）")
    p.add_argument("--show-notes", type=int, default=5, metavar="N", help="每个文件显示的警告/拒收条数（默认5）")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("summary", help="按工作组汇总整改率、超期、临期",
                       description="截至某日的各项指标：交办总数、已整改、超期、临期、长期整改、整改率、按期整改率。",
                       epilog="例：python -m data_pipeline summary --as-of 2026-11-27 --json",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", help=db_help)
    p.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD", help="截至日期（默认最近一次填报日期）")
    p.add_argument("--due-soon-days", type=int, metavar="N", help="临期天数（默认按“设置”页保存的临期天数）")
    p.add_argument("--json", action="store_true", help="输出JSON")
    p.set_defaults(func=cmd_summary)

    for name, title, what in PAGES:
        p = sub.add_parser(name, help=f"“{title}”页的数据（{what}）",
                           description=f"“{title}”页显示的全部数字：{what}。按数据库中保存的设置计算，与看板页面一致。",
                           epilog=f"例：python -m data_pipeline {name} --as-of 2026-11-27 --json",
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        p.add_argument("--db", help=db_help)
        p.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD", help="截至日期（默认最近一次填报日期）")
        p.add_argument("--group", action="append", metavar="工作组",
                       help="只看这个工作组（可重复）；groups 命令显示第一个" if name == "groups" else
                       "只看这个工作组（可重复，同左侧“工作组”筛选）")
        p.add_argument("--category", action="append", metavar="类别", help="只看这个问题类别（可重复）")
        if name == "overdue":
            p.add_argument("--min-days", type=int, default=0, metavar="N", help="只列超期达到N天的问题（默认0）")
        p.add_argument("--json", action="store_true", help="输出JSON")
        p.set_defaults(func=cmd_page)

    for name, title, what in MEETING:
        p = sub.add_parser(name, help=f"{title}（{what}）", description=f"{title}：{what}。按数据库中保存的设置计算。",
                           epilog=f"例：python -m data_pipeline {name} --as-of 2026-11-27"
                                  + (" --since 2026-11-13" if name in ("changes", "slides") else "") + " --json",
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        p.add_argument("--db", help=db_help)
        p.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD",
                       help="截至日期（默认最近一次填报日期；按此日或之前最近一期台账计算）")
        if name in ("changes", "slides"):
            p.add_argument("--since", type=_date, metavar="YYYY-MM-DD",
                           help="与哪一天的台账比较（默认截至日期的上一期台账）")
        p.add_argument("--group", action="append", metavar="工作组", help="只看这个工作组（可重复）")
        p.add_argument("--category", action="append", metavar="类别", help="只看这个问题类别（可重复）")
        p.add_argument("--json", action="store_true", help="输出JSON")
        p.set_defaults(func=cmd_meeting)

    p = sub.add_parser("report", help="导出通报（Excel通报附表、PowerPoint会议汇报、Word通报）",
                       description="导出截至某日的通报文件，数字与看板一致。按数据库中保存的设置计算。\n"
                                   "xlsx：排名、超期问题、本周变化、进度预测；pptx：会议汇报幻灯片；"
                                   "docx：关于问题整改情况的通报；all：三个文件都导出到 --out 文件夹。",
                       epilog="例：python -m data_pipeline report --as-of 2026-11-27 --format xlsx --out 通报.xlsx\n"
                              "    python -m data_pipeline report --as-of 2026-11-27 --format all --out 通报",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", help=db_help)
    p.add_argument("--as-of", type=_date, required=True, metavar="YYYY-MM-DD", help="截至日期")
    p.add_argument("--since", type=_date, metavar="YYYY-MM-DD", help="与哪一天的台账比较（默认截至日期的上一期台账）")
    p.add_argument("--format", default="xlsx", metavar="FORMAT", help="文件格式：xlsx、pptx、docx或all（默认xlsx）")
    p.add_argument("--out", required=True, metavar="FILE", help="输出文件（--format all 时为输出文件夹）")
    p.add_argument("--pdf", action="store_true", help="同时导出PDF（需要安装LibreOffice）")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("batches", help="列出已导入的批次",
                       description="列出已导入的批次（文件、截至日期、行数统计）。",
                       epilog="例：python -m data_pipeline batches --db data/campaign.duckdb",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", help=db_help)
    p.set_defaults(func=cmd_batches)

    p = sub.add_parser("remove-batch", help="删除一个批次",
                       description="删除一个批次及其全部源行、问题状态和提示，其他批次不变。",
                       epilog="例：python -m data_pipeline remove-batch 12",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("batch_id", type=int, metavar="ID", help="批次编号（见 batches 命令）")
    p.add_argument("--db", help=db_help)
    p.set_defaults(func=cmd_remove_batch)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except LedgerError as exc:
        print(f"失败 {exc}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:
        # The reader stopped early (``... | head``): not an error; silence the final flush.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
