"""What the upload page shows before storing (data_pipeline.preview) and the validation
report (data_pipeline.validation), the .xlsx opened and read back."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl

import data_pipeline as dp
from data_pipeline import parse_file, preview, validation
from tests import ledgers as L

D = dt.date
HEADER = ["问题编号", "问题描述", "责任单位", "整改时限", "完成时间", "整改情况", "处理人"]
ROWS = [
    ["A-1", "路灯不亮", "市容环境组", D(2026, 3, 1), D(2026, 2, 27), "已整改", "张"],
    ["A-2", "井盖缺失", "市容环境组", "下周", None, "整改中", "李"],
    ["A-3", "占道经营", "交通秩序组", D(2026, 3, 2), "上周五", "已整改", "王"],
    ["A-4", "广告牌破损", "交通秩序组", D(2026, 3, 9), None, "看情况", "赵"],
    [None, None, None, None, None, "整改中", "钱"],
]


def parsed(tmp_path):
    path = L.write_xlsx(tmp_path / "市容周报.xlsx", L.flat_rows(HEADER, ROWS), more_sheets={"填报说明": [["请按时报送"]]})
    return parse_file(path.read_bytes(), path.name)


def test_column_letters():
    assert [preview.column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


def test_preview_tables(tmp_path):
    p = parsed(tmp_path)
    assert preview.sheet_table(p).to_dict("records") == [
        {"sheet": "Sheet1", "used": True, "header_rows": "2", "groups": "市容环境组、交通秩序组", "items": 2,
         "skipped": 0, "rejected": 3, "warnings": 1},
        {"sheet": "填报说明", "used": False, "header_rows": "", "groups": "", "items": 0, "skipped": 0,
         "rejected": 0, "warnings": 1}]
    columns = preview.column_table(p)
    assert columns.astype(object).where(columns.notna(), None).values.tolist() == [
        ["Sheet1", "A", "问题编号", "item_id"], ["Sheet1", "B", "问题描述", "description"],
        ["Sheet1", "C", "责任单位", "group"], ["Sheet1", "D", "整改时限", "deadline"],
        ["Sheet1", "E", "完成时间", "completed_on"], ["Sheet1", "F", "整改情况", "status"],
        ["Sheet1", "G", "处理人", None]]
    rows = preview.first_rows(p, 1)
    assert rows[["sheet", "row_no", "item_key", "item_id", "group_name", "deadline", "status", "completed_on",
                 "description", "status_text"]].values.tolist() == [
        ["Sheet1", 3, "id:市容环境组|A-1", "A-1", "市容环境组", D(2026, 3, 1), "done", D(2026, 2, 27), "路灯不亮",
         "已整改"]]
    assert len(preview.first_rows(p, 10)) == 2


EXPECTED_NOTES = [
    ("Sheet1", 4, "整改时限", "拒收（未导入）", "第4行：整改时限“下周”无法识别为日期"),
    ("Sheet1", 5, "完成时间", "拒收（未导入）", "第5行：完成时间“上周五”无法识别为日期"),
    ("Sheet1", 6, "整改情况", "警告", "第6行：整改情况“看情况”无法识别，按“未知”统计（不算已整改）"),
    ("Sheet1", 7, "", "拒收（未导入）", "第7行：缺少问题描述和问题编号，无法作为一条问题"),
    ("填报说明", None, "", "警告", "没有找到台账表头（如“问题描述”“责任单位”“整改情况”等列名），整张工作表已跳过"),
]


def test_notes_frame(tmp_path):
    frame = validation.notes_frame(parsed(tmp_path).notes)
    assert list(frame.columns) == list(validation.COLUMNS)
    got = sorted((r.sheet, None if r.row is None else int(r.row), r.column, r.level, r.text)
                 for r in frame.astype(object).where(frame.notna(), None).itertuples())
    assert got == sorted(EXPECTED_NOTES, key=lambda t: (t[0], t[1] or 0))


def test_report_xlsx_reads_back(tmp_path):
    p = parsed(tmp_path)
    data = validation.report_xlsx(p.file_name, p.notes, report_date=p.report_date,
                                  counts={"items": p.items, "skipped": p.skipped, "rejected": p.rejected,
                                          "warnings": p.warnings})
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = [tuple(c.value for c in r) for r in ws.iter_rows()]
    assert ws.title == "导入检查结果"
    assert rows[0][0] == "“市容周报.xlsx”导入检查结果（截至2026年3月6日）"
    assert rows[1][0] == "问题2条，跳过0行，拒收3行，警告2条"
    assert rows[2] == ("工作表", "行号", "列", "类型", "说明")
    body = [tuple(v if v != "" else "" for v in r) for r in rows[3:3 + len(EXPECTED_NOTES)]]
    assert sorted(body, key=lambda t: (t[0], t[1] or 0)) == \
        sorted([(s, r, c or None, lv, t) for s, r, c, lv, t in EXPECTED_NOTES], key=lambda t: (t[0], t[1] or 0))
    assert rows[-1][0].startswith("“拒收”的行没有导入")
    assert ws.freeze_panes == "A4" and ws.auto_filter.ref == f"A3:E{3 + len(EXPECTED_NOTES)}"
    assert "A1:E1" in {str(r) for r in ws.merged_cells.ranges}


def test_stored_notes_round_trip(con, tmp_path):
    p = parsed(tmp_path)
    result = dp.store_parsed(con, p)
    assert validation.stored_notes(dp.batch_notes(con, result.batch_id)) == \
        sorted(p.notes, key=lambda n: (n.sheet, n.row or 0))


def test_report_without_notes(tmp_path):
    ws = openpyxl.load_workbook(io.BytesIO(validation.report_xlsx("a.xlsx", []))).active
    assert [c.value for c in ws[2]][0] == "共0条提示" and ws["E4"].value == "没有拒收的行，也没有警告。"
