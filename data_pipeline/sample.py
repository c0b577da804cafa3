"""The bundled sample campaign (the package ``sample_data``, made by
``sample_data/generate.py``), found through ``importlib.resources`` so that it works
from an installed package as well as from a clone.

The dashboard loads it on first start when the database is empty. Its batches are
stored with ``batches.sample`` set (only here: an uploader's name cannot make a batch
a sample batch) so pages can show a 示例数据 banner, and its settings
(``sample_data/campaign.json``: name, phases, group order) are stored with it, in the
same transaction, for keys the office has not set. Removing the sample removes those
settings too when they still hold the sample's values; the first real file stored
removes the sample (``ingest.store_parsed``).
"""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from .audit import ROLE_SYSTEM, Actor
from .campaign.settings import forget_values, store_values
from .constants import SAMPLE_UPLOADER
from .store import bump_data_version, remove_batches, sample_batch_ids, transaction
SETTINGS_FILE = "campaign.json"
_SUFFIXES = {".xlsx", ".xls", ".xlsm", ".ods", ".csv"}


def sample_dir() -> Path:
    """The folder of the sample ledgers (inside the installed ``sample_data`` package)."""
    return Path(str(resources.files("sample_data")))


def sample_files(directory: Path | None = None) -> list[Path]:
    """The sample ledgers, in name order."""
    return sorted(p for p in (directory or sample_dir()).iterdir() if p.suffix.lower() in _SUFFIXES)


def sample_settings(directory: Path | None = None) -> dict:
    """The sample campaign's settings, as ``campaign.settings.store_values`` takes them."""
    return json.loads(((directory or sample_dir()) / SETTINGS_FILE).read_text(encoding="utf-8"))


def load_sample(con, directory: Path | None = None) -> list:
    """Ingest every sample ledger and store the sample's settings, in one transaction
    (logged as the system's). Returns the ``ingest.IngestResult`` of each ledger."""
    from .ingest import ingest_file      # ingest removes the sample when real files come
    with transaction(con):
        results = [ingest_file(con, p, actor=Actor(ROLE_SYSTEM, SAMPLE_UPLOADER), sample=True)
                   for p in sample_files(directory)]
        store_values(con, sample_settings(directory), only_missing=True)
        bump_data_version(con)
    return results


def remove_sample(con, actor: Actor | None = None) -> list[int]:
    """Remove every sample batch, and the sample's settings the office has not changed,
    in one transaction (when real ledgers have arrived)."""
    ids = sample_batch_ids(con)
    with transaction(con):
        removed = remove_batches(con, ids, actor)
        forget_values(con, sample_settings())
        bump_data_version(con)
    return removed


def is_empty(con) -> bool:
    return con.execute("SELECT count(*) FROM batches").fetchone()[0] == 0


def only_sample_loaded(con) -> bool:
    """True while every stored batch is sample data (and there is at least one)."""
    total, sample = con.execute("SELECT count(*), count(*) FILTER (WHERE sample) FROM batches").fetchone()
    return total > 0 and total == sample


def has_sample(con) -> bool:
    """True while any sample batch is stored."""
    return bool(sample_batch_ids(con))
