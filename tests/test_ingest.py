"""Reading every format, the row rules, groups, report dates and provenance, through
the real pipeline into a real DuckDB file."""
from __future__ import annotations

import datetime as dt

import pytest

import data_pipeline as dp
from data_pipeline import LedgerError, ingest_file, metrics, parse_file, store
from tests import ledgers as L

D = dt.date
PARSED = ("row_no", "item_key", "item_id", "group_name", "assigned_on", "deadline", "status", "completed_on",
          "seq", "description", "location", "category", "status_text", "notes")

EXPECTED_STANDARD = [
    (5, "id:道路维修组|CC-001", "CC-001", "道路维修组", D(2026, 2, 20), D(2026, 3, 1), "done", D(2026, 2, 28),
     "1", "人行道板破损松动", "人民路12号", "道路设施", "已整改", None),
    (6, "id:道路维修组|CC-002", "CC-002", "道路维修组", D(2026, 2, 25), D(2026, 3, 4), "in_progress", None,
     "2", "路灯不亮", "中山路3号", "路灯照明", "整改中（协调施工队）", "待配件"),
    (7, "id:市容环境组|CC-003", "CC-003", "市容环境组", D(2026, 3, 2), D(2026, 3, 2), "not_started", None,
     "3", "占道经营", "解放大道88号", "市容秩序", "未整改（待协调）", None),
    (8, "id:市容环境组|CC-004", "CC-004", "市容环境组", D(2026, 1, 10), None, "long_term", None,
     "4", "公益广告破损褪色", "建设街5号", "公益广告", "长期整改", None),
    (9, "id:市容环境组|CC-005", "CC-005", "市容环境组", D(2026, 3, 1), D(2026, 3, 8), "done", D(2026, 3, 3),
     "5", "垃圾桶满溢", "人民路40号", "环境卫生", None, None),
]


def write(fmt: str, path_stem, rows, merges=()):
    if fmt == "xlsx":
        return L.write_xlsx(path_stem.with_suffix(".xlsx"), rows, merges)
    if fmt == "xlsm":
        return L.write_xlsx(path_stem.with_suffix(".xlsm"), rows, merges)
    if fmt == "xls":
        return L.write_xls(path_stem.with_suffix(".xls"), rows)
    if fmt == "ods":
        return L.write_ods(path_stem.with_suffix(".ods"), rows)
    return L.write_csv(path_stem.with_suffix(".csv"), rows, encoding=fmt)


def stored_items(con, batch_id):
    cols = ", ".join(PARSED)
    return con.execute(f"SELECT {cols} FROM item_states WHERE batch_id = ? ORDER BY row_no", [batch_id]).fetchall()


@pytest.mark.parametrize("fmt", ["xlsx", "xlsm", "xls", "ods", "utf-8", "utf-8-sig", "gbk"])
def test_every_format_gives_the_same_items(fmt, tmp_path, con):
    path = write(fmt, tmp_path / "台账", L.standard_rows(), L.STANDARD_MERGES)
    result = ingest_file(con, path)
    assert (result.report_date, result.items, result.skipped, result.rejected, result.warnings) == \
        (D(2026, 3, 6), 5, 3, 0, 0)
    assert stored_items(con, result.batch_id) == EXPECTED_STANDARD


def test_gb18030_csv_with_rare_characters(tmp_path, con):
    rows = L.flat_rows(["问题描述", "责任单位", "整改情况"], [["䶮字路灯不亮", "市容环境组", "已整改"]])
    path = L.write_csv(tmp_path / "台账.csv", rows, encoding="gb18030")
    result = ingest_file(con, path)
    assert con.execute("SELECT description FROM item_states").fetchall() == [("䶮字路灯不亮",)]
    assert result.items == 1


HEADER = ["序号", "问题编号", "问题描述", "责任单位", "交办日期", "整改时限", "整改情况", "完成时间"]


def messy_rows():
    return L.flat_rows(HEADER, [
        [1, "A-1", "路灯不亮", "市容组", D(2026, 3, 1), "7天", "整改中", None],       # row 3: item
        [None] * 8,                                                                    # row 4: blank
        [2, "A-2", "井盖缺失", "市容组", "下周一", "2026/3/10", "未整改", None],        # row 5: item, warning
        ["小计", None, "2项", None, None, None, None, None],                           # row 6: skipped
        HEADER,                                                                        # row 7: repeated header
        [3, None, None, "市容组", None, None, None, None],                              # row 8: template row
        [4, None, None, "市容组", D(2026, 3, 1), "2026/3/9", "已整改", None],           # row 9: rejected
        [5, "A-5", "占道经营", "市容组", D(2026, 3, 1), "下周", "未整改", None],          # row 10: rejected
        [6, "A-6", "乱贴小广告", "市容组", None, "立行立改", "未整改", None],             # row 11: rejected
        [7, "A-7", "绿化带裸土", "市容组", D(2026, 3, 1), "3月5日", "已整改", "昨天"],     # row 12: rejected
        [8, "A-1", "路灯不亮（重复）", "市容组", D(2026, 3, 1), "7天", "整改中", None],  # row 13: rejected
        [9, "A-9", "墙面涂鸦", "市容组", D(2026, 3, 1), "2026-03-20", "见附件", None],    # row 14: item, warning
        ["合计", None, "共9项", None, None, None, None, None],                          # row 15: skipped
        ["注：整改时限按交办单填写。"],                                                  # row 16: footnote
        ["2. 每周五报送。"],                                                            # row 17: footnote line
        ["填报人：张三", None, None, "审核人：李四"],                                     # row 18: signature
    ])


def test_row_rules(tmp_path, con):
    result = ingest_file(con, L.write_xlsx(tmp_path / "台账.xlsx", messy_rows()))
    assert (result.items, result.skipped, result.rejected, result.warnings) == (3, 7, 5, 2)
    kinds = con.execute("SELECT row_no, kind, reason FROM source_rows ORDER BY row_no").fetchall()
    assert kinds == [
        (1, "title", None), (2, "header", None), (3, "item", None), (5, "item", None),
        (6, "skipped", "合计/小计行"), (7, "skipped", "重复的表头行"), (8, "skipped", "空白行（只有序号或单位）"),
        (9, "rejected", "缺少问题描述和问题编号，无法作为一条问题"),
        (10, "rejected", "整改时限“下周”无法识别为日期"),
        (11, "rejected", "整改时限“立行立改”要按交办日期推算，但交办日期为空"),
        (12, "rejected", "完成时间“昨天”无法识别为日期"),
        (13, "rejected", "问题编号“A-1”与第3行重复"),
        (14, "item", None), (15, "skipped", "合计/小计行"), (16, "skipped", "表尾注释"), (17, "skipped", "表尾注释"),
        (18, "skipped", "落款行（填报人/审核人）"),
    ]
    notes = con.execute("SELECT level, row_no, column_name, message FROM batch_notes ORDER BY row_no").fetchall()
    assert notes == [
        ("warning", 5, "交办日期", "交办日期“下周一”无法识别为日期，已留空"),
        ("rejected", 9, None, "缺少问题描述和问题编号，无法作为一条问题"),
        ("rejected", 10, "整改时限", "整改时限“下周”无法识别为日期"),
        ("rejected", 11, "整改时限", "整改时限“立行立改”要按交办日期推算，但交办日期为空"),
        ("rejected", 12, "完成时间", "完成时间“昨天”无法识别为日期"),
        ("rejected", 13, "问题编号", "问题编号“A-1”与第3行重复"),
        ("warning", 14, "整改情况", "整改情况“见附件”无法识别，按“未知”统计（不算已整改）"),
    ]
    assert con.execute("SELECT row_no, status, deadline FROM item_states ORDER BY row_no").fetchall() == [
        (3, "in_progress", D(2026, 3, 8)), (5, "not_started", D(2026, 3, 10)), (14, "unknown", D(2026, 3, 20))]
    # Every non-blank source row is kept verbatim.
    assert con.execute("SELECT cells FROM source_rows WHERE row_no = 10").fetchone()[0] == \
        ["5", "A-5", "占道经营", "市容组", "2026-03-01", "下周", "未整改", ""]


def test_one_sheet_per_group(tmp_path, con):
    """No group column: the 填报单位 above the header names the group, else the sheet name;
    a Sheet1-like name gives 未分组 and a warning; an instructions sheet is skipped."""
    header = ["问题编号", "问题描述", "整改情况"]
    path = L.write_xlsx(tmp_path / "台账20260306.xlsx", [["填报单位：道路维修组"], header, ["1", "坑槽", "已整改"]],
                        sheet="第一页", more_sheets={
                            " 市容环境组 ": [header, ["1", "占道", "整改中"], ["2", "乱堆", "未整改"]],
                            "Sheet3": [header, ["1", "涂鸦", "已整改"]],
                            "填报说明": [["1. 每周五前报送"], ["2. 不要修改表头"]],
                        })
    result = ingest_file(con, path)
    assert con.execute("SELECT group_name, item_key FROM item_states ORDER BY sheet, row_no").fetchall() == [
        ("市容环境组", "id:市容环境组|1"), ("市容环境组", "id:市容环境组|2"), ("未分组", "id:未分组|1"),
        ("道路维修组", "id:道路维修组|1")]
    assert [str(n) for n in result.notes] == [
        "工作表“Sheet3”：没有“责任单位”列，工作表名也不是单位名称，这些问题归入“未分组”",
        "工作表“填报说明”：没有找到台账表头（如“问题描述”“责任单位”“整改情况”等列名），整张工作表已跳过"]
    assert con.execute("SELECT sheets_used, sheets_skipped FROM batches").fetchone() == (
        ["第一页", " 市容环境组 ", "Sheet3"], ["填报说明"])
    assert con.execute("SELECT count(*) FROM source_rows WHERE kind = 'sheet_skipped'").fetchone()[0] == 2


def test_group_merged_down_over_rows(tmp_path, con):
    rows = L.flat_rows(["问题描述", "责任单位", "整改情况"], [
        ["坑槽", "道路维修组", "已整改"], ["井盖", None, "整改中"], ["路灯", None, "未整改"], ["占道", "市容组", "已整改"]])
    ingest_file(con, L.write_xlsx(tmp_path / "台账.xlsx", rows, merges=["B3:B5"]))
    assert con.execute("SELECT description, group_name FROM item_states ORDER BY row_no").fetchall() == [
        ("坑槽", "道路维修组"), ("井盖", "道路维修组"), ("路灯", "道路维修组"), ("占道", "市容组")]
    # The source row stays as read apart from the merged value, shown as Excel shows it.
    assert con.execute("SELECT cells FROM source_rows WHERE row_no = 4").fetchone()[0] == ["井盖", "道路维修组", "整改中"]


def test_report_date_sources(tmp_path, con):
    rows = L.flat_rows(["问题描述", "责任单位", "整改情况"], [["坑槽", "道路维修组", "已整改"]], report_line=None)
    by_name = ingest_file(con, L.write_xlsx(tmp_path / "台账2026-04-10.xlsx", rows))
    assert by_name.report_date == D(2026, 4, 10)
    assert con.execute("SELECT report_date_source FROM batches WHERE batch_id = ?", [by_name.batch_id]).fetchone() \
        == ("文件名：台账2026-04-10.xlsx",)
    explicit = ingest_file(con, L.write_xlsx(tmp_path / "台账.xlsx", rows + [["井盖", "道路维修组", "已整改"]]),
                           report_date=D(2026, 4, 17))
    assert explicit.report_date == D(2026, 4, 17)
    with pytest.raises(LedgerError) as exc:
        ingest_file(con, L.write_xlsx(tmp_path / "无日期.xlsx", rows + [["x", "y", "z"]]))
    assert str(exc.value) == ("文件“无日期.xlsx”：找不到截至日期：表头上方没有“填报日期/统计截至”，文件名里也没有日期。"
                              "请在文件中注明填报日期，或导入时指定截至日期（命令行 --report-date）")


def test_sheets_with_different_report_dates_take_the_latest(tmp_path):
    header = ["问题描述", "整改情况"]
    path = L.write_xlsx(tmp_path / "t.xlsx", [["填报日期：2026年3月6日"], header, ["a", "已整改"]], sheet="甲组",
                        more_sheets={"乙组": [["填报日期：2026年3月13日"], header, ["b", "已整改"]]})
    parsed = parse_file(path.read_bytes(), path.name)
    assert parsed.report_date == D(2026, 3, 13)
    assert [str(n) for n in parsed.notes] == ["工作表“乙组”：各工作表的填报日期不一致（2026-03-06、2026-03-13），按最晚的2026-03-13计"]


def test_items_without_id_are_identified_by_description_location_group(tmp_path, con):
    header = ["问题描述", "点位", "责任单位", "整改情况"]
    week1 = L.flat_rows(header, [["路灯不亮", "人民路1号", "市容组", "未整改"], ["路灯不亮", "人民路1号", "市容组", "未整改"],
                                 ["路灯不亮", "人民路2号", "市容组", "未整改"]], "填报日期：2026年3月6日")
    week2 = L.flat_rows(header, [["路灯 不亮", "人民路1号 ", "市容组", "已整改"]], "填报日期：2026年3月13日")
    ingest_file(con, L.write_xlsx(tmp_path / "w1.xlsx", week1))
    ingest_file(con, L.write_xlsx(tmp_path / "w2.xlsx", week2))
    keys = con.execute("SELECT item_key FROM item_states ORDER BY batch_id, row_no").fetchall()
    first, second, third, again = [k[0] for k in keys]
    assert second == first + "#2" and third != first and again == first
    assert dp.summary(con)["totals"]["done"] == 1


def test_provenance_of_every_item(tmp_path, con):
    path = L.write_xlsx(tmp_path / "台账.xlsx", L.standard_rows(), L.STANDARD_MERGES)
    ingest_file(con, path)
    items = metrics.items_at(con, D(2026, 3, 6), due_soon_days=3).sort_values("row_no")
    assert list(zip(items.file_name, items.sheet, items.row_no, items.item_id)) == [
        ("台账.xlsx", "Sheet1", 5, "CC-001"), ("台账.xlsx", "Sheet1", 6, "CC-002"),
        ("台账.xlsx", "Sheet1", 7, "CC-003"), ("台账.xlsx", "Sheet1", 8, "CC-004"), ("台账.xlsx", "Sheet1", 9, "CC-005")]


def test_same_bytes_twice_change_nothing(tmp_path, con):
    path = L.write_xlsx(tmp_path / "台账.xlsx", L.standard_rows(), L.STANDARD_MERGES)
    first = ingest_file(con, path)
    version = dp.data_version(con)
    again = ingest_file(con, path, file_name="改名后.xlsx")
    assert again.duplicate and again.batch_id == first.batch_id
    assert again.line() == f"改名后.xlsx：与已导入的批次#{first.batch_id}内容完全相同，未重复导入"
    assert dp.data_version(con) == version
    assert con.execute("SELECT count(*) FROM batches").fetchone()[0] == 1


def test_remove_batch_restores_the_state_before(tmp_path, con):
    header = ["问题编号", "问题描述", "责任单位", "整改情况"]
    w1 = L.write_xlsx(tmp_path / "w1.xlsx", L.flat_rows(header, [["1", "坑槽", "甲组", "未整改"]], "填报日期：2026年3月6日"))
    w2 = L.write_xlsx(tmp_path / "w2.xlsx", L.flat_rows(header, [["1", "坑槽", "甲组", "已整改"], ["2", "井盖", "甲组", "未整改"]],
                                                         "填报日期：2026年3月13日"))
    ingest_file(con, w1)
    before = dp.summary(con, D(2026, 3, 20))
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("batches", "batch_files", "source_rows", "item_states", "batch_notes")}
    second = ingest_file(con, w2)
    assert dp.summary(con, D(2026, 3, 20))["totals"]["done"] == 1
    assert dp.remove_batch(con, second.batch_id) is True
    assert dp.summary(con, D(2026, 3, 20)) == before
    assert {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in counts} == counts
    assert dp.remove_batch(con, second.batch_id) is False


def test_original_file_is_kept(tmp_path, con):
    path = L.write_xlsx(tmp_path / "台账.xlsx", L.standard_rows(), L.STANDARD_MERGES)
    result = ingest_file(con, path)
    assert dp.batch_file(con, result.batch_id) == ("台账.xlsx", path.read_bytes())


def test_preview_rows_equal_the_stored_rows(tmp_path, con):
    """``SheetResult.item_rows`` (what an upload preview shows) is what ``store`` writes."""
    path = L.write_xlsx(tmp_path / "台账.xlsx", L.standard_rows(), L.STANDARD_MERGES)
    parsed = parse_file(path.read_bytes(), path.name)
    preview = [tuple(r[c] for c in PARSED) for r in parsed.used[0].item_rows()]
    assert preview == EXPECTED_STANDARD
    assert [r["row_no"] for r in parsed.used[0].item_rows(limit=2)] == [5, 6]
    result = dp.store_parsed(con, parsed)
    assert stored_items(con, result.batch_id) == preview


def test_row_numbers_are_excel_row_numbers_when_the_table_starts_lower(tmp_path, con):
    rows = [[None] * 4] * 3 + [[None, None, "问题描述", "责任单位"], [None, None, "路灯不亮", "甲组"]]
    ingest_file(con, L.write_xlsx(tmp_path / "台账2026-03-06.xlsx", rows))
    assert con.execute("SELECT sheet, row_no, description FROM item_states").fetchall() == [("Sheet1", 5, "路灯不亮")]
    assert con.execute("SELECT row_no, kind, cells FROM source_rows ORDER BY row_no").fetchall() == [
        (4, "header", ["", "", "问题描述", "责任单位"]), (5, "item", ["", "", "路灯不亮", "甲组"])]


def test_blank_group_cells_take_the_sheets_group(tmp_path):
    rows = L.flat_rows(["问题描述", "责任单位", "整改情况"], [["路灯不亮", "道路维修组", "已整改"], ["井盖缺失", None, "整改中"]],
                       report_line="填报单位：市容环境组    填报日期：2026年3月6日")
    parsed = parse_file(L.write_xlsx(tmp_path / "a.xlsx", rows).read_bytes(), "a.xlsx")
    assert parsed.sheets[0].items["group_name"] == ["道路维修组", "市容环境组"]
    rows[0] = ["填报日期：2026年3月6日"]
    parsed = parse_file(L.write_xlsx(tmp_path / "b.xlsx", rows, sheet="Sheet1").read_bytes(), "b.xlsx")
    assert parsed.sheets[0].items["group_name"] == ["道路维修组", "未分组"] and parsed.warnings == 0


def test_source_rows_keep_cells_holding_the_line_separator(tmp_path, con):
    """A cell holding U+001F (what joins a source row's cells into one line) is kept
    verbatim too: its row is stored as a list; the other rows are unaffected."""
    path = tmp_path / "台账2026-03-06.csv"
    path.write_text("问题描述,责任单位,整改情况\n坑槽\x1f井盖, 甲组 ,已整改\n路灯,乙组,\x1e\n", encoding="utf-8")
    ingest_file(con, path)
    assert con.execute("SELECT row_no, cells FROM source_rows ORDER BY row_no").fetchall() == [
        (1, ["问题描述", "责任单位", "整改情况"]), (2, ["坑槽\x1f井盖", " 甲组 ", "已整改"]), (3, ["路灯", "乙组", "\x1e"])]
    assert con.execute("SELECT count(*) FROM source_lines WHERE cells IS NOT NULL").fetchone()[0] == 1
    assert con.execute("SELECT description, group_name, status_text FROM item_states ORDER BY row_no").fetchall() == [
        ("坑槽\x1f井盖", "甲组", "已整改"), ("路灯", "乙组", "\x1e")]


def test_schema_1_database_is_converted(db_path, tmp_path):
    """A database written before source rows became lines (schema 1) opens for writing
    as the current schema: its source rows read as before, and new batches are stored and removed."""
    import duckdb
    old = duckdb.connect(str(db_path))
    old.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    old.execute("INSERT INTO meta VALUES ('schema_version', '1'), ('data_version', '3')")
    old.execute("CREATE TABLE source_rows (batch_id INTEGER NOT NULL, sheet VARCHAR NOT NULL, row_no INTEGER NOT NULL, "
                "kind VARCHAR NOT NULL, reason VARCHAR, cells VARCHAR[] NOT NULL)")
    old.execute("INSERT INTO source_rows VALUES (7, 'Sheet1', 2, 'item', NULL, ['路灯', '甲组'])")
    old.close()
    con = dp.connect(db_path)
    try:
        assert con.execute("SELECT key, value FROM meta ORDER BY key").fetchall() == [
            ("data_version", "3"), ("schema_version", store.SCHEMA_VERSION)]
        assert con.execute("SELECT batch_id, row_no, kind, cells FROM source_rows").fetchall() == [
            (7, 2, "item", ["路灯", "甲组"])]
        path = L.write_xlsx(tmp_path / "台账2026-03-06.xlsx", [["问题描述", "责任单位"], ["坑槽", "乙组"]])
        result = ingest_file(con, path)
        assert con.execute("SELECT cells FROM source_rows WHERE batch_id = ? ORDER BY row_no",
                           [result.batch_id]).fetchall() == [(["问题描述", "责任单位"],), (["坑槽", "乙组"],)]
        assert dp.remove_batch(con, result.batch_id)
        assert con.execute("SELECT count(*) FROM source_rows").fetchone()[0] == 1
    finally:
        con.close()


def test_schema_2_database_gets_its_validity_columns(db_path, tmp_path):
    """A database from before the validity columns (schema 2) gets them on its first
    open, filled exactly as ingesting would have."""
    con = dp.connect(db_path)
    for week, (report, status) in enumerate((("2026年3月6日", "未整改"), ("2026年3月13日", "已整改")), start=1):
        ingest_file(con, L.write_xlsx(tmp_path / f"w{week}.xlsx", L.flat_rows(
            ["问题编号", "问题描述", "责任单位", "整改情况"], [["A1", "坑槽", "甲组", status]], f"填报日期：{report}")))
    before = con.execute("SELECT batch_id, valid_until, first_seen, first_done FROM item_states ORDER BY 1").fetchall()
    for column in ("valid_until", "first_seen", "first_done", "absent_fields"):
        con.execute(f"ALTER TABLE item_states DROP COLUMN {column}")
    con.execute("DROP TABLE current_states")
    con.execute("DROP TABLE report_counts")
    con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    con.close()
    ro = dp.connect(db_path, read_only=True)      # a read-only open upgrades it first
    try:
        assert ro.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == store.SCHEMA_VERSION
        assert ro.execute("SELECT batch_id, valid_until, first_seen, first_done FROM item_states "
                          "ORDER BY 1").fetchall() == before == [
            (1, D(2026, 3, 13), D(2026, 3, 6), None), (2, None, D(2026, 3, 6), D(2026, 3, 13))]
    finally:
        ro.close()


def test_schema_3_database_gets_absent_fields(db_path, tmp_path):
    """A database from before ``absent_fields`` (schema 3) gets the column, NULL in its
    rows (their blanks stay blanks), and keeps its figures; later files fill in."""
    con = dp.connect(db_path)
    ingest_file(con, L.write_xlsx(tmp_path / "w1.xlsx", L.flat_rows(
        ["问题编号", "问题描述", "问题类别", "责任单位", "整改情况"], [["A1", "坑槽", "道路设施", "甲组", "未整改"]],
        "填报日期：2026年3月6日")))
    for table in ("item_states", "current_states"):
        con.execute(f"ALTER TABLE {table} DROP COLUMN absent_fields")
    con.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    con.close()
    con = dp.connect(db_path)
    try:
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == store.SCHEMA_VERSION
        assert con.execute("SELECT category, absent_fields FROM current_states").fetchall() == [("道路设施", None)]
        ingest_file(con, L.write_xlsx(tmp_path / "w2.xlsx", L.flat_rows(
            ["问题编号", "问题描述", "责任单位", "整改情况"], [["A1", "坑槽", "甲组", "已整改"]], "填报日期：2026年3月13日")))
        assert con.execute("SELECT category, status FROM current_states").fetchall() == [("道路设施", "done")]
    finally:
        con.close()
