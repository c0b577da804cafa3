"""Timing a Streamlit script run with AppTest, as the page benchmarks measure it."""
from __future__ import annotations

import time


def timed_run(at, timeout: float = 120) -> float:
    """Run ``at`` (an AppTest) once; the seconds it took. A page exception is raised as a
    ``RuntimeError`` (a benchmark of a failing page measures nothing)."""
    start = time.perf_counter()
    at.run(timeout=timeout)
    seconds = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    return seconds
