"""Builders of small ledgers in every format the pipeline reads, for tests.

Each ``write_*`` takes a path and ``rows`` (a list of rows, each a list of cell values:
str, int, float, ``date`` or None) and writes them as they are, from cell A1. Run
``python tests/ledgers.py DIR`` to write the standard ledger in every format into DIR
and open them.
"""
from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path

import openpyxl

D = dt.date

# A ledger as an office writes it: title, a 填报单位/填报日期 line, a two-row header with
# merged cells, data, a 合计 row and footnotes.
TITLE = "临江区创建全国文明城市问题整改台账"
HEADER_TOP = ["序号", "问题编号", "问题描述", "具体点位", "问题类别", "责任单位", "交办日期", "整改时限", "整改情况", None, "备注"]
HEADER_SUB = [None, None, None, None, None, None, None, None, "整改状态", "完成时间", None]
DATA = [
    [1, "CC-001", "人行道板破损松动", "人民路12号", "道路设施", "道路维修组", D(2026, 2, 20), D(2026, 3, 1), "已整改", D(2026, 2, 28), None],
    [2, "CC-002", "路灯不亮", "中山路3号", "路灯照明", "道路维修组", D(2026, 2, 25), "7天", "整改中（协调施工队）", None, "待配件"],
    [3, "CC-003", "占道经营", "解放大道88号", "市容秩序", "市容环境组", D(2026, 3, 2), "立行立改", "未整改（待协调）", None, None],
    [4, "CC-004", "公益广告破损褪色", "建设街5号", "公益广告", "市容环境组", D(2026, 1, 10), "长期", "长期整改", None, None],
    [5, "CC-005", "垃圾桶满溢", "人民路40号", "环境卫生", "市容环境组", D(2026, 3, 1), "2026/3/8", "", D(2026, 3, 3), None],
]
FOOTER = [
    ["合计", None, "共5项，已整改2项", None, None, None, None, None, None, None, None],
    ["注：1. 整改状态填写“已整改/整改中/未整改/长期整改”。", None, None, None, None, None, None, None, None, None, None],
    ["2. 本表每周五下午5点前报送创城办。", None, None, None, None, None, None, None, None, None, None],
]


def standard_rows(report_line: str = "填报单位：创城办    填报日期：2026年3月6日") -> list[list]:
    """The standard ledger, as rows from A1 (title, report line, 2 header rows, 5 items, footer)."""
    return [[TITLE] + [None] * 10, [report_line] + [None] * 10, HEADER_TOP, HEADER_SUB,
            *[list(r) for r in DATA], *FOOTER]


STANDARD_MERGES = ["A1:K1", "A2:K2", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:E4", "F3:F4", "G3:G4", "H3:H4",
                   "I3:J3", "K3:K4", "A11:K11", "A12:K12"]


def write_xlsx(path: Path, rows: list[list], merges: list[str] = (), sheet: str = "Sheet1",
               more_sheets: dict[str, list[list]] | None = None) -> Path:
    """An .xlsx (or .xlsm by name) with real Excel dates; ``merges`` like ``"I3:J3"``."""
    wb = openpyxl.Workbook()
    sheets = {sheet: (rows, merges)}
    for name, other in (more_sheets or {}).items():
        sheets[name] = (other, ())
    first = True
    for name, (sheet_rows, sheet_merges) in sheets.items():
        ws = wb.active if first else wb.create_sheet()
        ws.title = name
        first = False
        for r, row in enumerate(sheet_rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    cell = ws.cell(r, c, value)
                    if isinstance(value, dt.date):
                        cell.number_format = "yyyy-mm-dd"
        for rng in sheet_merges:
            ws.merge_cells(rng)
    wb.save(path)
    return path


def write_xls(path: Path, rows: list[list], sheet: str = "Sheet1") -> Path:
    """A BIFF8 .xls as WPS and old Excel write it (xlwt)."""
    import xlwt
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(sheet)
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dt.date):
                ws.write(r, c, dt.datetime.combine(value, dt.time()), date_style)
            else:
                ws.write(r, c, value)
    wb.save(str(path))
    return path


def write_ods(path: Path, rows: list[list], sheet: str = "Sheet1") -> Path:
    """An OpenDocument spreadsheet (odfpy through pandas)."""
    import pandas as pd
    width = max(len(r) for r in rows)
    frame = pd.DataFrame([list(r) + [None] * (width - len(r)) for r in rows])
    frame.to_excel(path, engine="odf", header=False, index=False, sheet_name=sheet)
    return path


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    """A CSV as Excel exports it: dates as ``2026/3/5`` text; ``encoding`` may be
    ``utf-8``, ``utf-8-sig`` or ``gbk``."""
    def text(v):
        if v is None:
            return ""
        if isinstance(v, dt.date):
            return f"{v.year}/{v.month}/{v.day}"
        return str(v)
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows([[text(v) for v in row] for row in rows])
    return path


def flat_rows(header: list[str], data: list[list], report_line: str | None = "填报日期：2026年3月6日") -> list[list]:
    """A one-row-header ledger, optionally with a report-date line above it."""
    return ([[report_line]] if report_line else []) + [header] + [list(r) for r in data]


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "ledgers")
    out.mkdir(parents=True, exist_ok=True)
    rows = standard_rows()
    write_xlsx(out / "标准台账.xlsx", rows, STANDARD_MERGES)
    write_xls(out / "标准台账.xls", rows)
    write_ods(out / "标准台账.ods", rows)
    for enc in ("utf-8", "utf-8-sig", "gbk"):
        write_csv(out / f"标准台账_{enc}.csv", rows, enc)
    print(f"wrote ledgers to {out}")
