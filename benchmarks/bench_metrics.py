"""Metrics benchmark: the dashboard's queries over a year of weekly ledgers.

Usage::

    python benchmarks/bench_metrics.py [--weeks N] [--items N] [--cache DIR]
                                       [--writer openpyxl|xlsxwriter] [--runs N] [--db PATH] [--explain]

Setup: ``make_ledgers.weekly_ledgers`` writes (once; reused from ``--cache``, default
``benchmarks/.cache/``) 52 weekly ledgers of the same 5,000 problems evolving week by
week (statuses progress; closed problems leave and new ones take their place), and
they are ingested, as real files through ``data_pipeline.ingest_file``, into a new
database (a temporary one, or ``--db PATH``, which is overwritten): 52 batches,
260,000 item states. Generating the files takes ~30 s once, ingesting them ~13 s per
run; building the batches through the store API directly would save little and
skip the parsing the dashboard's data really goes through.

Measured, on a connection opened read-only as the dashboard opens it, each the median
of ``--runs`` (default 10) calls after one warm-up call:

* ``summary(con)`` (as of the latest report date);
* ``weekly_series(con)`` and ``weekly_series(con, by_group=True)``;
* ``metrics_as_of(con, D)`` and ``items_as_of(con, D)`` at the middle report date D.

Each is held against the issue's 200 ms. The table is Markdown, to be quoted in the
README. The exit code is 0 even when a target is missed (this is a report, not a
test); misses print ``MISS``. The machine's load average is printed with the table:
DuckDB uses every core, so other work on the machine shows directly in the figures.

``--explain`` adds, per call, DuckDB's own profile of the call's last query (for
``summary`` that is the per-group one of its two): wall time, CPU time and the
operators that took most of it (operator time is summed over threads).
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

try:
    from benchmarks import make_ledgers
    from benchmarks.machine import load_average, verdict, versions
except ImportError:   # run as ``python benchmarks/bench_metrics.py``
    import make_ledgers
    from machine import load_average, verdict, versions

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 200.0


def _import_pipeline():
    """``data_pipeline``, importable also when the script runs without PYTHONPATH."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import data_pipeline
    return data_pipeline


def build_database(db: Path, files: list[Path]) -> tuple[float, dict]:
    """Ingest ``files`` (oldest first) into a new database at ``db``; return the seconds
    it took and a few counts to check the data is what it should be."""
    dp = _import_pipeline()
    for suffix in ("", ".wal"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    start = time.perf_counter()
    con = dp.connect(db)
    try:
        for path in files:
            result = dp.ingest_file(con, path)
            if result.rejected or result.duplicate:
                raise RuntimeError(f"unexpected ingest result: {result.line()}")
        seconds = time.perf_counter() - start
        batches, states, items = con.execute(
            "SELECT count(DISTINCT batch_id), count(*), count(DISTINCT item_key) FROM item_states").fetchone()
    finally:
        con.close()
    return seconds, {"batches": batches, "states": states, "items": items, "db_mb": db.stat().st_size / 1e6}


def time_call(fn, runs: int) -> tuple[list[float], object]:
    """Milliseconds of ``runs`` calls of ``fn`` after one warm-up call, and its result."""
    result = fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times, result


def _size(result) -> str:
    """Rows of a DataFrame result, or groups of a ``summary``."""
    if isinstance(result, dict):
        return f"{len(result.get('groups', []))} groups"
    return f"{len(result):,} row" + ("" if len(result) == 1 else "s")


def measure(db: Path, runs: int) -> tuple[list[tuple[str, list[float], str]], dict]:
    """Time the dashboard's calls on a read-only connection to ``db``."""
    dp = _import_pipeline()
    con = dp.connect(db, read_only=True)
    try:
        dates = dp.report_dates(con)
        mid = dates[len(dates) // 2]
        calls = [
            ("summary(con)", lambda: dp.summary(con)),
            ("weekly_series(con)", lambda: dp.weekly_series(con)),
            ("weekly_series(con, by_group=True)", lambda: dp.weekly_series(con, by_group=True)),
            (f"metrics_as_of(con, {mid:%Y-%m-%d})", lambda: dp.metrics_as_of(con, mid)),
            (f"items_as_of(con, {mid:%Y-%m-%d})", lambda: dp.items_as_of(con, mid)),
        ]
        rows = []
        for name, fn in calls:
            times, result = time_call(fn, runs)
            rows.append((name, times, _size(result)))
        latest = dp.summary(con)
    finally:
        con.close()
    return rows, {"first": dates[0], "last": dates[-1], "mid": mid, "latest": latest}


def _operators(node: dict, out: list) -> list:
    """(name, seconds) of every operator under ``node`` of a DuckDB JSON profile (the
    key names differ between DuckDB versions; both spellings are read)."""
    for child in node.get("children", []):
        name = child.get("name") or child.get("operator_name") or child.get("operator_type") or "?"
        timing = child.get("timing", child.get("operator_timing", 0.0)) or 0.0
        out.append((name.strip(), float(timing)))
        _operators(child, out)
    return out


def explain(db: Path, top: int = 4) -> list[tuple[str, float, float, list[tuple[str, float]]]]:
    """Per call: (name, wall s, CPU s, the ``top`` operators by time) from DuckDB's JSON
    profile of the call's last query."""
    dp = _import_pipeline()
    con = dp.connect(db, read_only=True)
    out = []
    with tempfile.TemporaryDirectory(prefix="bench-explain-") as tmp:
        profile = Path(tmp) / "profile.json"
        try:
            mid = dp.report_dates(con)[len(dp.report_dates(con)) // 2]
            calls = [("summary(con)", lambda: dp.summary(con)),
                     ("weekly_series(con)", lambda: dp.weekly_series(con)),
                     ("weekly_series(con, by_group=True)", lambda: dp.weekly_series(con, by_group=True)),
                     (f"metrics_as_of(con, {mid:%Y-%m-%d})", lambda: dp.metrics_as_of(con, mid)),
                     (f"items_as_of(con, {mid:%Y-%m-%d})", lambda: dp.items_as_of(con, mid))]
            for name, fn in calls:
                fn()   # warm
                con.execute("SET enable_profiling = 'json'")
                con.execute(f"SET profiling_output = '{profile}'")
                fn()
                con.execute("SET enable_profiling = 'no_output'")   # keep the file of fn's last query
                data = json.loads(profile.read_text())
                query = data.get("query") if isinstance(data.get("query"), dict) else data
                wall = float(query.get("total_time", query.get("latency", 0.0)) or 0.0)
                cpu = float(query.get("cpu_time", 0.0) or 0.0)
                root = {"children": data.get("operator") or data.get("children") or []}
                ops = sorted(_operators(root, []), key=lambda t: -t[1])[:top]
                out.append((name, wall, cpu, ops))
        finally:
            con.close()
    return out


def explain_report(rows) -> str:
    lines = ["", "DuckDB profile of each call's last query (operator time summed over threads):", "",
             "| call | query wall | query CPU | operators taking most time |", "| --- | ---: | ---: | --- |"]
    for name, wall, cpu, ops in rows:
        total = sum(t for _, t in ops) or 1.0
        top = ", ".join(f"{op} {t * 1000:.0f} ms" for op, t in ops)
        lines.append(f"| `{name}` | {wall * 1000:.0f} ms | {cpu * 1000:.0f} ms | {top} |")
    return "\n".join(lines)


def _load_text(start: float | None, end: float | None) -> str:
    if start is None or end is None:
        return ""
    return f", load average {start:.2f} before timing and {end:.2f} after"


def report(weeks: int, items: int, runs: int, build_seconds: float, counts: dict,
           rows: list[tuple[str, list[float], str]], info: dict, load_start: float | None) -> str:
    """The Markdown block the README quotes."""
    totals = info["latest"]["totals"]
    lines = [
        f"### Metrics benchmark: {weeks} weekly batches of {items:,} items",
        "",
        f"{counts['batches']} batches ({info['first']:%Y-%m-%d} to {info['last']:%Y-%m-%d}), "
        f"{counts['states']:,} item states, {counts['items']:,} distinct items, database {counts['db_mb']:.0f} MB, "
        f"built by ingesting the {weeks} ledger files in {build_seconds:.1f} s. "
        f"Latest: {totals['items']:,} items known, {totals['done']:,} done, {totals['overdue']:,} overdue.",
        f"{versions('duckdb', 'pandas', 'pyarrow')}"
        f"{_load_text(load_start, load_average())}. "
        f"Read-only connection; median of {runs} calls after 1 warm-up.",
        "",
        "| call | result | median | min | max | target | result |",
        "| --- | ---: | ---: | ---: | ---: | ---: | :---: |",
    ]
    for name, times, size in rows:
        median = statistics.median(times)
        lines.append(f"| `{name}` | {size} | {median:.0f} ms | {min(times):.0f} ms | {max(times):.0f} ms "
                     f"| < {TARGET_MS:g} ms | {verdict(median < TARGET_MS)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--weeks", type=int, default=52, help="weekly batches (default 52)")
    parser.add_argument("--items", type=int, default=5000, help="items per batch (default 5000)")
    parser.add_argument("--cache", type=Path, default=make_ledgers.DEFAULT_CACHE,
                        help="folder of generated ledgers (default benchmarks/.cache)")
    parser.add_argument("--writer", choices=make_ledgers.WRITERS, default="xlsxwriter",
                        help="xlsx writer of the generated ledgers (default xlsxwriter: Excel-like shared strings)")
    parser.add_argument("--runs", type=int, default=10, help="timed calls per function (default 10)")
    parser.add_argument("--db", type=Path, help="build the database here (overwritten) instead of a temporary file")
    parser.add_argument("--explain", action="store_true", help="also print DuckDB's profile of each call")
    args = parser.parse_args(argv)

    files, generated = make_ledgers.cached_weekly_ledgers(args.cache, args.weeks, args.items, args.writer)
    where = files[0].parent if files else args.cache
    print(f"ledgers: {len(files)} files in {where} "
          + (f"(generated in {generated:.1f} s)" if generated is not None else "(cached)"), flush=True)
    tmp = None if args.db else Path(tempfile.mkdtemp(prefix="bench-metrics-"))
    db = args.db or tmp / "campaign.duckdb"
    try:
        build_seconds, counts = build_database(db, files)
        print(f"database: {db} built in {build_seconds:.1f} s", flush=True)
        load_start = load_average()
        rows, info = measure(db, args.runs)
        print()
        print(report(args.weeks, args.items, args.runs, build_seconds, counts, rows, info, load_start))
        if args.explain:
            print(explain_report(explain(db)))
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
