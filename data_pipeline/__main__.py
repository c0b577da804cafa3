"""Command line: ``python -m data_pipeline {ingest,summary,batches,remove-batch}``.

A thin skin over the library: each command opens the database and calls one function.
Errors users can cause print one Chinese line (no traceback) and exit non-zero.
Changes (ingest, remove-batch) are written to the audit log as the role 命令行 with the
operating-system user.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from . import connect, ingest_file, list_batches, remove_batch, summary
from .audit import cli_actor
from .errors import LedgerError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为YYYY-MM-DD，例如2026-03-06，而不是“{text}”") from None


def _percent(rate) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def cmd_ingest(args) -> int:
    con = connect(args.db)
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
    con = connect(args.db, read_only=True)
    try:
        data = summary(con, args.as_of, due_soon_days=args.due_soon_days)
    finally:
        con.close()
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return EXIT_OK
    if data["as_of"] is None:
        print("数据库中还没有任何台账。先导入：python -m data_pipeline ingest 台账.xlsx")
        return EXIT_OK
    rows = [("工作组", "交办总数", "已整改", "整改率", "超期", "临期", "长期整改", "按期整改率")]
    for g in data["groups"] + [{"group": "合计", **data["totals"]}]:
        rows.append((g["group"], str(g["items"]), str(g["done"]), _percent(g["completion_rate"]),
                     str(g["overdue"]), str(g["due_soon"]), str(g["long_term"]), _percent(g["on_time_rate"])))
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
    con = connect(args.db, read_only=True)
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
    con = connect(args.db)
    try:
        removed = remove_batch(con, args.batch_id, cli_actor())
    finally:
        con.close()
    if not removed:
        print(f"没有编号为{args.batch_id}的批次（用 batches 命令查看现有批次）", file=sys.stderr)
        return EXIT_FAILED
    print(f"已删除批次#{args.batch_id}及其全部行和问题状态")
    return EXIT_OK


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
    p.add_argument("--due-soon-days", type=int, default=3, metavar="N", help="临期天数（默认3天）")
    p.add_argument("--json", action="store_true", help="输出JSON")
    p.set_defaults(func=cmd_summary)

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


if __name__ == "__main__":
    sys.exit(main())
