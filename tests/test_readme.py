"""The README works as written: every ``$ python3 run.py cli …`` example of its CLI
section runs from the repository root as given (through ``run.py``, which owns the
virtualenv) and prints what the README shows; ``run.py dashboard`` stops its server
when it is sent SIGTERM (a service manager stopping the dashboard)."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import ROOT
from tests.browserhelp import free_port

README = ROOT / "README.md"
# Parts of an output line that differ between runs: import time, the login name.
VOLATILE = [(re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d(?!\d)"), "<time>"), (re.compile(r"\S+（命令行）"), "<user>")]


def cli_examples() -> list[tuple[str, list[str]]]:
    """(command, expected output lines) of the README's CLI section, in order."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## CLI"):]
    block = section[section.index("```") + 3:]
    block = block[block.index("\n") + 1:block.index("```")]
    examples: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            examples.append((line[2:], []))
        elif examples and line.strip():
            examples[-1][1].append(line)
    return examples


def normal(line: str) -> str:
    for pattern, repl in VOLATILE:
        line = pattern.sub(repl, line)
    return line.rstrip()


def test_readme_cli_examples_run_as_written(tmp_path):
    examples = cli_examples()
    assert len(examples) >= 6 and all(cmd.startswith("python3 run.py cli ") for cmd, _ in examples)
    env = {**os.environ, "CAMPAIGN_DB": str(tmp_path / "readme.duckdb")}
    for command, expected in examples:
        done = subprocess.run(command, shell=True, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=300, executable="/bin/bash" if os.name != "nt" else None)
        assert done.returncode == 0, (command, done.stderr)
        out = [line for line in done.stdout.splitlines() if not line.startswith("[run.py]")]
        if "--json" in command:
            json.loads("\n".join(out))   # folded in the README: valid JSON is what is promised
            continue
        shown = [normal(line) for line in out]
        for line in expected:
            if "…" in line:
                continue
            assert normal(line) in shown, (command, line, shown)


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
def test_run_py_dashboard_stops_its_server_on_sigterm(tmp_path):
    port = free_port()
    env = {**os.environ, "CAMPAIGN_DB": str(tmp_path / "c.duckdb"), "CAMPAIGN_NO_SAMPLE": "1"}
    proc = subprocess.Popen([sys.executable, "run.py", "dashboard", "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/_stcore/health"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if urllib.request.urlopen(url, timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "dashboard did not start"
            time.sleep(0.3)
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
        with pytest.raises(OSError):
            urllib.request.urlopen(url, timeout=2)
    finally:
        if proc.poll() is None:
            proc.kill()
