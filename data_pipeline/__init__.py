"""The campaign ledger pipeline, in stages that the file names follow:
read -> layout -> normalise -> store (with validity) -> metrics -> figures.

Public API (what the dashboard and the CLI use)::

    con = connect()                                  # store.connect
    ingest_file(con, "台账.xlsx")                      # ingest.ingest_file -> IngestResult
    s = load_settings(con)                           # campaign.settings: the stored campaign settings
    figures.overview(con, as_of, s)                  # one function per page, see figures.py
"""
from . import figures
from .figures import summary
from .campaign.settings import load_settings
from .errors import DatabaseBusy, LedgerError
from .ingest import IngestResult, ParsedFile, ingest_bytes, ingest_file, parse_file, store_parsed
from .metrics import METRIC_KEYS, Filters, latest_report_date, report_dates
from .store import batch_file, batch_notes, connect, data_version, list_batches, remove_batch, remove_batches

__all__ = [
    "figures", "summary", "load_settings", "DatabaseBusy", "LedgerError", "IngestResult", "ParsedFile", "ingest_bytes",
    "ingest_file", "parse_file", "store_parsed", "METRIC_KEYS", "Filters", "latest_report_date", "report_dates",
    "batch_file", "batch_notes", "connect", "data_version", "list_batches", "remove_batch", "remove_batches",
]
