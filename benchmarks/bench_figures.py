"""Figure benchmark: every page's figure function (``data_pipeline.figures``) over a year
of weekly ledgers, at two sizes, and how its cost grows with the size.

Usage::

    python benchmarks/bench_figures.py [--sizes 5000,50000] [--weeks 52] [--runs N] [--cache DIR]

Setup: ``make_ledgers.cached_database`` (once per size; reused from ``--cache``, default
``benchmarks/.cache/``): ``--weeks`` weekly ledgers of N problems each (problems fixed
and closed leave the ledger, new ones take their place), written as CSV and ingested
through ``data_pipeline.ingest_file``. The time to generate and to ingest is printed.

Measured on a connection opened read-only as the dashboard opens it (the opening is
timed apart), each the median of ``--runs`` calls after one warm-up call, at the latest
report date and at the middle one: ``overview``, ``group`` (the first group),
``overdue``, ``trend``, ``summary``, ``changes`` (since the report before) and
``forecast`` (2,000 runs), with the stored settings. Targets: < 100 ms at
5,000 problems a week, < 300 ms at 50,000; the ratio of the two sizes is printed per
figure (goal: < 3x for 10x the history).

A second table holds the number of problems fixed (the largest size) and varies the
history: the same figures after 13 and after 52 weeks, at each one's latest date, to
show that a one-date figure costs what its answer holds, not what is stored.

The exit code is 0 even when a target is missed (a report, not a test); misses print
``MISS``. Tables are Markdown, to be quoted in the README.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import make_ledgers
from machine import load_average, verdict, versions

TARGET_MS = {5000: 100.0, 50000: 300.0}
FIGURES = ("overview", "group", "overdue", "trend", "summary", "changes", "forecast")


def _median_ms(call, runs: int) -> float:
    call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def measure(db: Path, runs: int, dates: str = "latest+middle") -> dict:
    """{(figure, which date): ms} plus the connection time and the database's size."""
    import data_pipeline as dp
    from data_pipeline import figures
    connect_ms = _median_ms(lambda: dp.connect(db, read_only=True).close(), runs)
    con = dp.connect(db, read_only=True)
    try:
        s = dp.load_settings(con)
        report = dp.report_dates(con)
        group = figures.filter_options(con, s)[0][0]
        calls = {"overview": lambda d: figures.overview(con, d, s), "group": lambda d: figures.group(con, d, group, s),
                 "overdue": lambda d: figures.overdue(con, d, s), "trend": lambda d: figures.trend(con, d, s),
                 "summary": lambda d: figures.summary(con, d, s), "changes": lambda d: figures.changes(con, d, None, s),
                 "forecast": lambda d: figures.forecast(con, d, s)}
        at = {"latest": report[-1], "middle": report[len(report) // 2]}
        if dates == "latest":
            at.pop("middle")
        out = {(name, which): _median_ms(lambda: call(day), runs) for name, call in calls.items()
               for which, day in at.items()}
        states, items = con.execute("SELECT count(*), count(DISTINCT item_key) FROM item_states").fetchone()
        known = len(figures.group(con, report[-1], group, s).items)
    finally:
        con.close()
    return {"ms": out, "connect_ms": connect_ms, "states": states, "items": items, "group_items": known,
            "dates": at}


def truncated(source: Path, directory: Path, weeks: int) -> Path:
    """A copy of ``source`` holding only its first ``weeks`` report dates (later batches
    removed through ``store.remove_batches``, which keeps every derived table right)."""
    import data_pipeline as dp
    path = directory / f"first_{weeks}_weeks.duckdb"
    shutil.copy(source, path)
    con = dp.connect(path)
    try:
        keep = dp.report_dates(con)[:weeks]
        later = [r[0] for r in con.execute("SELECT batch_id FROM batches WHERE report_date > ? "
                                           "ORDER BY report_date DESC", [keep[-1]]).fetchall()]
        dp.remove_batches(con, later)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="5000,50000", help="problems per weekly ledger (default 5000,50000)")
    parser.add_argument("--weeks", type=int, default=52, help="weekly ledgers (default 52)")
    parser.add_argument("--runs", type=int, default=7, help="timed calls per figure (default 7)")
    parser.add_argument("--cache", type=Path, default=make_ledgers.DEFAULT_CACHE, help="cache folder")
    args = parser.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",")]

    results, built = {}, {}
    for n in sizes:
        print(f"Preparing {args.weeks} weekly ledgers x {n:,} problems ...", flush=True)
        source, generated, ingested = make_ledgers.cached_database(args.cache, args.weeks, n)
        built[n] = (generated, ingested)
        with tempfile.TemporaryDirectory(prefix="bench_figures_") as tmp:
            db = Path(tmp) / "campaign.duckdb"
            shutil.copy(source, db)
            results[n] = measure(db, args.runs)

    lines = []
    for n in sizes:
        r, (generated, ingested) = results[n], built[n]
        lines.append(f"- {args.weeks} x {n:,}: {r['states']:,} item states, {r['items']:,} distinct problems "
                     f"(the first group lists {r['group_items']:,} at the latest date); ledgers "
                     + ("cached" if generated is None else f"generated in {generated:.0f} s") + ", database "
                     + ("cached" if ingested is None else f"ingested in {ingested:.0f} s")
                     + f"; opening a read-only connection {r['connect_ms']:.0f} ms")
    head = ["figure", "date"] + [f"{n:,} a week" for n in sizes] + [f"target ({n:,})" for n in sizes]
    if len(sizes) == 2:
        head.append(f"{sizes[1] // sizes[0]}x the history costs")
    lines += ["", "| " + " | ".join(head) + " |", "|" + " --- |" * 2 + " ---: |" * len(sizes) + " --- |" * len(sizes)
              + (" ---: |" if len(sizes) == 2 else "")]
    for name in FIGURES:
        for which in ("latest", "middle"):
            ms = [results[n]["ms"][(name, which)] for n in sizes]
            cells = [f"`{name}`", which] + [f"{m:.0f} ms" for m in ms]
            cells += [verdict(m < TARGET_MS.get(n, 300.0)) for m, n in zip(ms, sizes)]
            if len(sizes) == 2:
                cells.append(f"{ms[1] / ms[0]:.1f}x")
            lines.append("| " + " | ".join(cells) + " |")

    # The same problems a week, a shorter history.
    n = sizes[-1]
    source, _, _ = make_ledgers.cached_database(args.cache, args.weeks, n)
    short_weeks = max(2, args.weeks // 4)
    with tempfile.TemporaryDirectory(prefix="bench_figures_") as tmp:
        short = measure(truncated(source, Path(tmp), short_weeks), args.runs, dates="latest")
    lines += ["", f"History length at {n:,} problems a week (each at its latest date):", "",
              f"| figure | {short_weeks} weeks ({short['states']:,} states) | {args.weeks} weeks "
              f"({results[n]['states']:,} states) | ratio |", "| --- | ---: | ---: | ---: |"]
    for name in FIGURES:
        a, b = short["ms"][(name, "latest")], results[n]["ms"][(name, "latest")]
        lines.append(f"| `{name}` | {a:.0f} ms | {b:.0f} ms | {b / a:.1f}x |")
    load = load_average()
    lines += ["", versions("duckdb", "pandas") + (f"; load average {load:.2f}" if load is not None else "")]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
