"""The bundled sample campaign (``sample_data/``, made by ``sample_data/generate.py``).

The dashboard loads it on first start when the database is empty; its batches are
marked ``uploaded_by = SAMPLE_UPLOADER`` so pages can show a 示例数据 banner while
nothing else is loaded.
"""
from __future__ import annotations

from pathlib import Path

from .audit import ROLE_SYSTEM, Actor
from .ingest import IngestResult, ingest_file
from .store import remove_batches

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"
SAMPLE_UPLOADER = "示例数据"
_SUFFIXES = {".xlsx", ".xls", ".xlsm", ".ods", ".csv"}


def sample_files(directory: Path = SAMPLE_DIR) -> list[Path]:
    """The sample ledgers, in name order."""
    return sorted(p for p in directory.iterdir() if p.suffix.lower() in _SUFFIXES)


def load_sample(con, directory: Path = SAMPLE_DIR) -> list[IngestResult]:
    """Ingest every sample ledger (each in its own transaction, logged as the system's)."""
    return [ingest_file(con, p, actor=Actor(ROLE_SYSTEM, SAMPLE_UPLOADER)) for p in sample_files(directory)]


def remove_sample(con, actor: Actor | None = None) -> list[int]:
    """Remove every sample batch in one transaction (when real ledgers have arrived)."""
    ids = [r[0] for r in con.execute("SELECT batch_id FROM batches WHERE uploaded_by = ? ORDER BY batch_id",
                                     [SAMPLE_UPLOADER]).fetchall()]
    return remove_batches(con, ids, actor)


def is_empty(con) -> bool:
    return con.execute("SELECT count(*) FROM batches").fetchone()[0] == 0


def only_sample_loaded(con) -> bool:
    """True while every stored batch is sample data (and there is at least one)."""
    total, sample = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE uploaded_by = ?) FROM batches", [SAMPLE_UPLOADER]).fetchone()
    return total > 0 and total == sample
