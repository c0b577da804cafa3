"""The Excel 通报 (``report_xlsx``) and ``python -m data_pipeline report``: every ranking
row and the 合计 row equal the figure functions on the sample, formats and print setup,
no formula anywhere, hostile ledger text stays text."""
from __future__ import annotations

import datetime as dt
import io
import shutil

import openpyxl
import pytest

import data_pipeline as dp
from data_pipeline import figures
from data_pipeline.__main__ import main
from data_pipeline.campaign.settings import load_settings
from data_pipeline.report_xlsx import report_xlsx

AS_OF = dt.date(2026, 11, 27)
HOSTILE = '=HYPERLINK("http://x","y")'



def _book(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def test_ranking_rows_equal_the_figures(sample):
    s = load_settings(sample)
    wb = _book(report_xlsx(sample, AS_OF, s))
    assert wb.sheetnames == ["排名", "超期问题", "本周变化", "进度预测"]
    ws = wb["排名"]
    assert ws.cell(1, 1).value == f"{s.name}工作组整改情况排名（截至2026年11月27日）"
    assert [c.value for c in ws[2]] == ["序号", "工作组", "交办总数", "已整改", "其中按期", "其中超期完成", "未整改",
                                        "其中超期", "长期整改", "整改率", "按期整改率", "排名", "较上期"]
    ov = figures.overview(sample, AS_OF, s)
    ch = figures.changes(sample, AS_OF, None, s)
    groups = ov.standing.table.to_dict("records")
    change = {r["group_name"]: r for r in ch.table.to_dict("records")}
    counts = dp.metrics.counts(sample, [AS_OF], by_group=True, due_soon_days=s.due_soon_days).set_index("group_name")
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert len(rows) == len(groups) + 1
    for i, (g, row) in enumerate(zip(groups, rows), start=1):
        name = g["group_name"]
        on_time = int(counts.at[name, "done_on_time"])
        assert row == (i, name, g["items"], g["done"], on_time, g["done"] - on_time,
                       g["items"] - g["done"] - g["long_term"], g["overdue"], g["long_term"],
                       pytest.approx(g["completion_rate"]), pytest.approx(g["on_time_rate"]), g["rank"],
                       change[name]["rank_change"])
    t = ov.kpis.values
    on_time = int(counts["done_on_time"].sum())
    assert rows[-1] == (None, "合计", t["items"], t["done"], on_time, t["done"] - on_time,
                        t["items"] - t["done"] - t["long_term"], t["overdue"], t["long_term"],
                        pytest.approx(t["completion_rate"]), pytest.approx(t["on_time_rate"]), None, None)
    # The sample's exact totals at 2026-11-27 (其中按期 + 其中超期完成 = 已整改).
    assert rows[-1][2:9] == (467, 404, 206, 198, 52, 45, 11)
    assert [r[1] for r in rows[:-1]] == ov.standing.table["group_name"].tolist()    # stored order


def test_formats_freeze_print_setup(sample):
    wb = _book(report_xlsx(sample, AS_OF, load_settings(sample)))
    ws = wb["排名"]
    last = ws.max_row
    for col in (10, 11):
        assert all(ws.cell(r, col).number_format == "0.0%" for r in range(3, last + 1))
    assert ws.cell(3, 13).number_format == "+0;-0;0"
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref == f"A2:M{last}"
    assert int(ws.page_setup.paperSize) == 9           # A4
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$2:$2"
    assert ws.cell(3, 3).border.left.style == "thin"
    assert wb["本周变化"].cell(4, 11).number_format == "+0.0%;-0.0%;0.0%"
    fc = figures.forecast(sample, AS_OF, load_settings(sample))
    assert wb["进度预测"].cell(2, 1).value == fc.method
    late = figures.overdue(sample, AS_OF, load_settings(sample)).overdue
    assert wb["超期问题"].max_row == 2 + len(late)
    assert [c.value for c in wb["超期问题"][3]][2] == late["item_id"].iloc[0]


def test_no_formula_and_hostile_text_stays_text(sample_db, tmp_path):
    path = tmp_path / "hostile.duckdb"
    shutil.copy(sample_db, path)
    con = dp.connect(path)
    try:
        for table in ("current_states", "item_states"):
            con.execute(f"UPDATE {table} SET description = ?", [HOSTILE])
        data = report_xlsx(con, AS_OF, load_settings(con))
    finally:
        con.close()
    wb = _book(data)
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
    assert cells and not [c.coordinate for c in cells if c.data_type == "f"]
    described = [c for c in wb["超期问题"]["D"][2:]]
    assert described and all(c.value == HOSTILE and c.data_type == "s" for c in described)


def _values(data: bytes):
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in _book(data)}


def test_cli_writes_the_same_workbook(sample, sample_db, tmp_path, capsys):
    out = tmp_path / "通报.xlsx"
    code = main(["report", "--db", str(sample_db), "--as-of", "2026-11-27", "--since", "2026-11-13",
                 "--format", "xlsx", "--out", str(out)])
    assert code == 0 and out.exists()
    assert _values(out.read_bytes()) == _values(report_xlsx(sample, AS_OF, load_settings(sample),
                                                            dt.date(2026, 11, 13)))
    assert "与2026年11月13日的台账相比" in _values(out.read_bytes())["本周变化"][1]


def test_cli_bad_format_and_date(sample_db, tmp_path, capsys):
    out = tmp_path / "x"
    assert main(["report", "--db", str(sample_db), "--as-of", "2026-11-27", "--format", "pdf",
                 "--out", str(out)]) == 2
    assert "不支持的格式“pdf”" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["report", "--db", str(sample_db), "--as-of", "2026-13-01", "--out", str(out)])
    assert exc.value.code == 2
    assert "日期格式应为YYYY-MM-DD" in capsys.readouterr().err
    assert main(["report", "--db", str(sample_db), "--as-of", "2026-11-13", "--since", "2026-11-27",
                 "--out", str(out)]) == 2
    assert "应早于截至日期" in capsys.readouterr().err
