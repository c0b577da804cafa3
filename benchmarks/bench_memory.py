"""Memory benchmark: the dashboard server's resident memory after leaders have looked at
every page at many dates, on the large history.

Usage::

    python benchmarks/bench_memory.py [--items 50000] [--weeks 52] [--dates 25] [--cache DIR]

Setup: ``make_ledgers.cached_database`` (default 52 weekly ledgers of 50,000 problems),
copied; a real server (``streamlit run app.py``) on a free local port against the copy;
Debian's Chromium (``/usr/bin/chromium``) driven by Playwright.

The browser opens 总览, picks the first of ``--dates`` report dates (newest first) in
the sidebar's 截至日期, then visits 总览, 工作组, 超期督办 and 阶段趋势, each until its
script run has ended; then the next date. The server's resident memory (VmRSS from
/proc, the process and its children) is printed after the start, after each five dates
and at the end, held against 600 MB. Every wait is bounded; the server is stopped at the
end whatever happens.

The exit code is 0 even when the target is missed (a report, not a test).
"""
from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import make_ledgers
from machine import verdict, versions

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PAGES = [("总览", "各工作组亮牌情况"), ("工作组", "分类统计"), ("超期督办", "临期问题"), ("阶段趋势", "分阶段统计")]
TARGET_MB = 600


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its descendants, in MB (from /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                children = (task / "children").read_text().split()
                todo.extend(int(c) for c in children)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total / 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(db: Path, log: Path):
    """(url, pid) of ``streamlit run app.py`` against ``db``; stopped on exit."""
    port = free_port()
    env = {**os.environ, "CAMPAIGN_DB": str(db), "CAMPAIGN_NO_SAMPLE": "1"}
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                                 "--server.headless", "true", "--server.address", "127.0.0.1",
                                 "--server.fileWatcherType", "none"], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                with contextlib.suppress(OSError):
                    if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                        break
                if proc.poll() is not None:
                    raise RuntimeError(f"streamlit did not start: {log.read_text()}")
                time.sleep(0.3)
            yield url, proc.pid
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()


def settle(tab, text: str) -> None:
    tab.get_by_text(text).first.wait_for(timeout=120_000)
    tab.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=50000, help="problems per weekly ledger (default 50000)")
    parser.add_argument("--weeks", type=int, default=52, help="weekly ledgers (default 52)")
    parser.add_argument("--dates", type=int, default=25, help="report dates to visit every page at (default 25)")
    parser.add_argument("--cache", type=Path, default=make_ledgers.DEFAULT_CACHE, help="cache folder")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    source, _, _ = make_ledgers.cached_database(args.cache, args.weeks, args.items)
    lines = [f"Server memory, {args.weeks} weekly ledgers x {args.items:,} problems, every leaders' page at "
             f"{args.dates} report dates:", "", "| after | resident memory (server) |", "| --- | ---: |"]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench_memory_") as tmp:
        db = Path(tmp) / "campaign.duckdb"
        shutil.copy(source, db)
        import data_pipeline as dp
        con = dp.connect(db, read_only=True)
        try:
            dates = sorted(dp.report_dates(con), reverse=True)[:args.dates]
        finally:
            con.close()
        with server(db, Path(tmp) / "streamlit.log") as (url, pid), sync_playwright() as p:
            lines.append(f"| start | {rss_mb(pid):.0f} MB |")
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            try:
                tab = browser.new_page(viewport={"width": 1440, "height": 1000})
                tab.goto(url)
                settle(tab, PAGES[0][1])
                lines.append(f"| 总览 once | {rss_mb(pid):.0f} MB |")
                for i, day in enumerate(dates, 1):
                    for title, marker in PAGES:
                        tab.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
                        settle(tab, marker)
                        if title == PAGES[0][0]:
                            label = f"{day.year}年{day.month}月{day.day}日"
                            tab.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
                            tab.keyboard.type(label)   # the long option list is virtualised: filter it
                            tab.get_by_role("option", name=label).click()
                            settle(tab, marker)
                    if i % 5 == 0 or i == len(dates):
                        lines.append(f"| {i} dates x 4 pages | {rss_mb(pid):.0f} MB |")
                        print(lines[-1], flush=True)
            finally:
                browser.close()
            final = rss_mb(pid)
    lines += ["", f"At the end: {final:.0f} MB, target < {TARGET_MB} MB: {verdict(final < TARGET_MB)} "
                  f"({time.perf_counter() - started:.0f} s in all)", "", versions("streamlit", "duckdb")]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
