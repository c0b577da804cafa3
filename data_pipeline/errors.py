"""Errors a user can cause, each with a Chinese message naming where it happened.

Pages and the CLI print ``str(error)``; tests assert it exactly.
"""
from __future__ import annotations


class LedgerError(Exception):
    """A file (or part of one) that cannot be ingested.

    ``reason`` is the plain-Chinese cause; ``file``, ``sheet``, ``row`` (as Excel
    numbers rows, 1-based) and ``column`` say where, when known.
    """

    def __init__(self, reason: str, *, file: str | None = None, sheet: str | None = None,
                 row: int | None = None, column: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column

    def located(self, **where) -> "LedgerError":
        """Fill in location fields that are still unknown; returns self."""
        for key, value in where.items():
            if getattr(self, key) is None:
                setattr(self, key, value)
        return self

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(f"文件“{self.file}”")
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.row:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(f"“{self.column}”列")
        where = "".join(parts)
        return f"{where}：{self.reason}" if where else self.reason


class ReportDateMissing(LedgerError):
    """No report date in the file or its name, and none given: the upload page asks
    for one instead of refusing the file."""


class DatabaseBusy(LedgerError):
    """The DuckDB file stayed locked by another process past the retry window."""
