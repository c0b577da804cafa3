"""The campaign ledger pipeline: read -> layout -> normalise -> store -> metrics.

Public API (what the dashboard and the CLI use)::

    con = connect()                                  # store.connect
    ingest_file(con, "台账.xlsx")                      # ingest.ingest_file -> IngestResult
    summary(con)                                     # metrics.summary -> the CLI's JSON shape
    weekly_series(con, by_group=True)                # metrics.weekly_series -> DataFrame
"""
from .errors import DatabaseBusy, LedgerError
from .ingest import IngestResult, ParsedFile, ingest_bytes, ingest_file, parse_file, store_parsed
from .metrics import (METRIC_KEYS, items_as_of, latest_report_date, metrics_as_of, report_dates, summary,
                      weekly_series)
from .store import batch_file, batch_notes, connect, data_version, list_batches, remove_batch, remove_batches

__all__ = [
    "DatabaseBusy", "LedgerError", "IngestResult", "ParsedFile", "ingest_bytes", "ingest_file", "parse_file",
    "store_parsed", "METRIC_KEYS", "items_as_of", "latest_report_date", "metrics_as_of", "report_dates",
    "summary", "weekly_series", "batch_file", "batch_notes", "connect", "data_version", "list_batches",
    "remove_batch", "remove_batches",
]
