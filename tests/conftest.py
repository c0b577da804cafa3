"""Shared fixtures. ``../shared`` (the workplace's corpus of foreign workbooks) exists in
CI and on the team's machines, not in a user's clone: tests needing it skip there with a
reason, and fail in CI (``CI=true``) where it must be present."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

import data_pipeline as dp

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "foreign-workbooks"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition: bool, reason: str) -> None:
    """Skip locally when ``condition`` is false; in CI that is a failure."""
    if not condition:
        if IN_CI:
            pytest.fail(f"required in CI: {reason}")
        pytest.skip(reason)


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "campaign.duckdb"


@pytest.fixture
def sample(sample_db):
    """A read-only connection to the sample campaign (``sample_db``)."""
    connection = dp.connect(sample_db, read_only=True)
    yield connection
    connection.close()


@pytest.fixture
def con(db_path):
    """A fresh campaign database in a real DuckDB file."""
    connection = dp.connect(db_path)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """A database file with the whole sample campaign ingested (read-only use, please)."""
    from data_pipeline.sample import load_sample
    path = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    connection = dp.connect(path)
    load_sample(connection)
    connection.close()
    return path
