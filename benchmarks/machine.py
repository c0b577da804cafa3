"""What the benchmark tables say about the machine they ran on."""
from __future__ import annotations

import os
import platform
from importlib.metadata import PackageNotFoundError, version


def versions(*packages: str) -> str:
    """``Python 3.11.7, duckdb 2.0.1, …; Linux x86_64, 2 CPUs`` for the table's caption."""
    parts = [f"Python {platform.python_version()}"]
    for name in packages:
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name} (not installed)")
    return f"{', '.join(parts)}; {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs"


def load_average() -> float | None:
    """The 1-minute load average, when the OS tells (figures from a busy machine mislead)."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def verdict(ok: bool) -> str:
    return "PASS" if ok else "**MISS**"
