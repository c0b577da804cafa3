"""The Excel 通报: one workbook of the figures the office circulates, built only from the
figure functions (``figures.ranking``, ``figures.overdue``, ``figures.changes``,
``figures.forecast``), so every number is the one the dashboard and the CLI show.

Rules:
- Sheets, in order (``labels.REPORT_SHEETS``): 排名, 超期问题, 本周变化, 进度预测.
- 排名: row 1 the title (campaign name, 工作组整改情况排名, 截至 the report date), row 2
  the headers (``labels.RANKING_HEADERS``), one row per group in the configured (stored)
  order, not by rank (the 排名 column gives the rank), numbered from 1, then the 合计 row
  (no 序号, no rank). Cells hold the computed values, never a formula: counts as
  numbers, rates as numbers shown ``0.0%`` (``labels.RATE_FORMAT_EXCEL``), rank and
  较上期 (rank change, positive = moved up, ``+0;-0;0``) as numbers; a missing value
  (no rate, not ranked, no earlier report) is an empty cell.
- 超期问题: the 督办单's rows (``exports``' sheet writer, ``exports.OVERDUE_COLUMNS``) of
  ``figures.overdue`` at ``as_of``.
- 本周变化: ``figures.changes`` (``--since`` as given), its 合计 row included; rate
  changes are fractions shown ``+0.0%``.
- 进度预测: ``figures.forecast``, with the method sentence (``Forecast.method``) and the
  evaluation line above the table; forecast dates as dates, a missing date as
  ``labels.forecast_day``'s text.
- Every cell goes through ``xlsx_safe`` (text is never a formula) and every sheet is
  laid out to print as the 督办单 (``exports.table_layout``: A4 landscape, one page
  wide, header repeated and frozen, autofilter) with thin borders.
"""
from __future__ import annotations

import datetime as dt
import io

from . import exports, figures, labels
from .campaign.settings import CampaignSettings
from .metrics import ALL, Filters
from .xlsx_safe import put, sheet_title

RANK_CHANGE_FORMAT = "+0;-0;0"
POINTS_FORMAT = "+0.0%;-0.0%;0.0%"
CHANGE_SHEET_COLUMNS = ("group_name", "items", "done", "overdue", "new_items", "newly_done", "newly_overdue",
                        "reopened", "still_overdue", "completion_rate", "completion_rate_change", "on_time_rate",
                        "on_time_rate_change", "rank", "rank_since", "rank_change", "board", "warning_streak",
                        "escalation")
FORECAST_SHEET_COLUMNS = ("group_name", "open", "weekly_new", "weekly_closed", "weekly_net", "outlook_label",
                          "probability", "light", "p50", "p85", "reason")
RATES = ("completion_rate", "on_time_rate", "probability")


def _value(v):
    """A figure's value as a cell holds it: None/NaN/NA -> empty, numpy -> Python."""
    return exports.cell_value(v)


def _table(ws, title: str, headers: list[str], rows: list[list], formats: dict[int, str],
           above: list[str] = ()) -> None:
    """Title row, ``above`` lines, header row and ``rows`` on ``ws``, styled as the
    督办单 (``exports.title_row``, ``exports.header_row``, ``exports.box_border``);
    ``formats``: column (1-based) -> number format of its numeric cells."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter
    n = len(headers)
    exports.title_row(ws, title, n)
    header = exports.TITLE_ROW + 1
    for line in above:
        put(ws, header, 1, line)
        ws.merge_cells(start_row=header, start_column=1, end_row=header, end_column=n)
        ws.cell(header, 1).alignment = Alignment(wrap_text=True, vertical="center")
        ws.row_dimensions[header].height = 32
        header += 1
    exports.header_row(ws, header, headers)
    box = exports.box_border()
    row = header
    for values in rows:
        row += 1
        for j, v in enumerate(values, start=1):
            cell = put(ws, row, j, _value(v))
            cell.border = box
            if isinstance(cell.value, dt.date):
                cell.number_format = labels.DAY_FORMAT_EXCEL
            elif j in formats and isinstance(cell.value, (int, float)):
                cell.number_format = formats[j]
    for j, h in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(j)].width = 22 if j == 2 or h == labels.COLUMN_LABELS["group_name"] \
            else max(10, 2 * len(h) + 2)
    exports.table_layout(ws, header, row, n)


def _ranking_sheet(ws, fig: figures.Ranking, settings: CampaignSettings) -> None:
    from openpyxl.styles import Font
    keys = list(labels.RANKING_HEADERS)
    rows, seq = [], 0
    for r in fig.table.to_dict("records"):
        if not r["is_total"]:
            seq += 1
        rows.append([None if r["is_total"] else seq, *(r[k] for k in keys[1:])])
    formats = {keys.index(k) + 1: labels.RATE_FORMAT_EXCEL for k in RATES if k in keys}
    formats[keys.index("rank_change") + 1] = RANK_CHANGE_FORMAT
    day = labels.full_day(fig.as_of) if fig.as_of else labels.NONE
    _table(ws, f"{settings.name}工作组整改情况排名（截至{day}）", list(labels.RANKING_HEADERS.values()), rows, formats)
    if rows and fig.table["is_total"].iloc[-1]:
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)


def _changes_sheet(ws, fig, settings: CampaignSettings) -> None:
    cols = list(CHANGE_SHEET_COLUMNS)
    rows = [[r[c] for c in cols] for r in fig.table.to_dict("records")]
    formats = {cols.index(k) + 1: labels.RATE_FORMAT_EXCEL for k in ("completion_rate", "on_time_rate")}
    formats.update({cols.index(k) + 1: POINTS_FORMAT for k in ("completion_rate_change", "on_time_rate_change")})
    formats[cols.index("rank_change") + 1] = RANK_CHANGE_FORMAT
    since = (f"与{labels.full_day(fig.since)}的台账相比" if fig.since
             else "没有更早的台账可比较，全部问题算作新交办")
    day = labels.full_day(fig.as_of) if fig.as_of else labels.NONE
    _table(ws, f"{settings.name}本周变化（截至{day}）", [labels.COLUMN_LABELS[c] for c in cols], rows, formats,
           [since])


def _forecast_sheet(ws, fig, settings: CampaignSettings) -> None:
    cols = list(FORECAST_SHEET_COLUMNS)
    rows = []
    for r in fig.table.to_dict("records"):
        row = [r[c] for c in cols]
        for k in ("p50", "p85"):
            if _value(r[k]) is None:
                row[cols.index(k)] = labels.forecast_day(None, r["outlook"])
        rows.append(row)
    formats = {cols.index("probability") + 1: labels.RATE_FORMAT_EXCEL}
    formats.update({cols.index(k) + 1: "0.0" for k in ("weekly_new", "weekly_closed", "weekly_net")})
    ev = fig.evaluation
    evaluation = f"{ev.name}{labels.full_day(ev.start)}开始" if ev else labels.FORECAST_NO_EVALUATION
    _table(ws, f"{settings.name}进度预测（截至{labels.full_day(fig.as_of)}）", [labels.COLUMN_LABELS[c] for c in cols],
           rows, formats, [fig.method, evaluation])


def report_xlsx(con, as_of: dt.date, settings: CampaignSettings, since: dt.date | None = None,
                filters: Filters = ALL) -> bytes:
    """The Excel 通报 as of ``as_of`` (see the module rules); ``since``: the report date
    本周变化 and 较上期 compare with (default: the previous one). ``ValueError`` (Chinese)
    as ``figures.changes``."""
    from openpyxl import Workbook
    rank = figures.ranking(con, as_of, since, settings, filters)
    late = figures.overdue(con, as_of, settings, filters)
    ahead = figures.forecast(con, as_of, settings, filters)
    wb = Workbook()
    names = labels.REPORT_SHEETS
    ws = wb.active
    ws.title = sheet_title(names["ranking"], ())
    _ranking_sheet(ws, rank, settings)
    ws = wb.create_sheet(sheet_title(names["overdue"], wb.sheetnames))
    exports.overdue_sheet(ws, ws.title, f"{settings.name}超期问题督办单（截至{labels.full_day(as_of)}）",
                          late.overdue[exports.OVERDUE_COLUMNS], exports.OVERDUE_COLUMNS)
    _changes_sheet(wb.create_sheet(sheet_title(names["changes"], wb.sheetnames)), rank.changes, settings)
    _forecast_sheet(wb.create_sheet(sheet_title(names["forecast"], wb.sheetnames)), ahead, settings)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
