"""Every .xlsx the product writes (督办单, validation report, standard template, Excel 通报), built
from a database holding hostile ledger text and read back: no formula anywhere, text
exactly as stored, valid sheet names; the 督办单 laid out to print; downloads built only
when clicked (AppTest)."""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

import data_pipeline as dp
from data_pipeline import exports, figures, labels, template, validation
from data_pipeline.normalise import Note
from data_pipeline.xlsx_safe import FORMULA_START, MAX_SHEET_TITLE, sheet_title
from tests import hostile as H
from tests.apphelp import go, login, run_app

D = dt.date
AS_OF = D(2026, 3, 6)
HYPERLINK = '=HYPERLINK("http://x","y")'
CMD = "=cmd|' /C calc'!A0"
# Ledger text as hostile users write it: each formula start, the two classic payloads,
# things that look like numbers, names Excel refuses as sheet titles.
HOSTILE = ["=组", "+组", "-组", "@组", "\t组", "\r组", HYPERLINK, CMD, "-5", "+86 138 0000 0000", "@SUM(A1:A2)",
           "'引号组'", "组[1]:*?/\\", "=" + "很长的工作组名称" * 5, "History"]
LEDGER_HEADER = ["问题编号", "问题描述", "具体点位", "问题类别", "责任单位", "责任人", "整改时限", "整改情况"]
FILE_NAME = f"{HYPERLINK}.xlsx"
SHEET_FORBIDDEN = set("[]:*?/\\")


# ---------------------------------------------------------------- checks on a saved file

def formula_free(data: bytes) -> openpyxl.Workbook:
    """The workbook in ``data``, after asserting it holds no formula: no ``<f>`` in any
    sheet's XML, no cell of type "f", and every text that starts like a formula marked
    quote-prefixed (Excel keeps it text when edited)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = archive.read(name).decode("utf-8")
                assert not re.search(r"<f[ >/]", xml), name
                assert 't="str"' not in xml and 't="e"' not in xml, name
    book = openpyxl.load_workbook(io.BytesIO(data))
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                    assert cell.quotePrefix, (ws.title, cell.coordinate, cell.value)
    return book


def assert_valid_sheet_names(book: openpyxl.Workbook) -> None:
    names = book.sheetnames
    assert len({n.casefold() for n in names}) == len(names), names
    for name in names:
        assert 0 < len(name) <= MAX_SHEET_TITLE, name
        assert not SHEET_FORBIDDEN & set(name), name
        assert not name.startswith((*FORMULA_START, "'")) and not name.endswith("'"), name
        assert name.casefold() != "history" and not re.search(r"[\x00-\x1f]", name), name


def as_read_back(v):
    """A frame value as openpyxl reads the saved cell back."""
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, (pd.Timestamp, dt.datetime)):
        return dt.datetime.combine(v.date(), dt.time())
    if isinstance(v, dt.date):
        return dt.datetime.combine(v, dt.time())
    if hasattr(v, "item"):
        return v.item()
    return v


def values(ws) -> list[tuple]:
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


# ---------------------------------------------------------------- a database of hostile text

def hostile_ledger(directory: Path) -> bytes:
    """Three sheets named like formulas: one with a 责任单位 column whose every text cell
    is hostile (plus a row rejected for a formula-like deadline and one with a control
    character), one whose group is its sheet name, one with no table (a whole-sheet
    warning)."""
    rows = [[H.REPORT_LINE], LEDGER_HEADER]
    for i, text in enumerate(HOSTILE):
        rows.append([f"H-{i}", text, text, text, text, text, "2026-03-01", "整改中"])
    rows.append(["H-X", "控制\x01字符", "点位", "类别", "控制组", "张三", "2026-03-02", "未整改"])
    rows.append(["H-R", "=SUM(1,2)", "点位", "类别", "控制组", "张三", CMD, "整改中"])
    by_sheet = [[H.REPORT_LINE], ["问题编号", "问题描述", "整改时限", "整改情况"], ["P-1", "@x", "2026-03-02", "未整改"]]
    sheets = {CMD: H._sheet_xml(rows), "+表": H._sheet_xml(by_sheet), "@说明": H._sheet_xml([["请按时报送"]])}
    return H.write_xlsx(directory / "hostile.xlsx", sheets).read_bytes()


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    """(database path, batch id, the file's bytes) with the hostile ledger stored."""
    directory = tmp_path_factory.mktemp("hostile")
    data = hostile_ledger(directory)
    path = directory / "campaign.duckdb"
    con = dp.connect(path)
    try:
        result = dp.ingest_bytes(con, data, FILE_NAME)
    finally:
        con.close()
    return path, result.batch_id, data


@pytest.fixture
def con(hostile_db):
    connection = dp.connect(hostile_db[0], read_only=True)
    yield connection
    connection.close()


def overdue_list(con) -> pd.DataFrame:
    return figures.overdue(con, AS_OF, dp.load_settings(con)).overdue


def test_the_hostile_text_is_stored_as_written(con):
    """The ledger's formula-like texts reach the figures unchanged (leading white space
    is trimmed by the pipeline, so tab/CR starts are tested on the writer below)."""
    late = overdue_list(con)
    stored = set(late["description"])
    assert {"=组", "+组", "-组", "@组", HYPERLINK, CMD, "-5", "+86 138 0000 0000", "@SUM(A1:A2)", "@x",
            "控制\x01字符"} <= stored
    assert {"=组", "+组", "-组", "@组", HYPERLINK, "+表"} <= set(late["group_name"])
    assert {"=组", CMD, "-5"} <= set(late["assignee"]) and {"=组", CMD} <= set(late["location"])
    assert len(late) == len(HOSTILE) + 2


# ---------------------------------------------------------------- the 督办单

def test_overdue_sheet_holds_no_formula_and_the_exact_text(con):
    late = overdue_list(con)
    title = f"{HYPERLINK}超期问题督办单（截至{labels.full_day(AS_OF)}）"
    book = formula_free(exports.overdue_xlsx(late, title))
    assert_valid_sheet_names(book)
    ws = book["督办单"]
    rows = values(ws)
    assert rows[0][0] == title
    assert list(rows[1]) == [labels.COLUMN_LABELS[c] for c in exports.OVERDUE_COLUMNS]
    want = [tuple(as_read_back(v) for v in r) for r in late[exports.OVERDUE_COLUMNS].itertuples(index=False)]
    # the control character an .xlsx cannot hold is dropped, nothing else changes
    want = [tuple("控制字符" if v == "控制\x01字符" else v for v in r) for r in want]
    assert rows[2:] == want
    assert {"=组", HYPERLINK, CMD, "-5", "@SUM(A1:A2)"} <= {r[3] for r in rows[2:]}
    assert all(isinstance(r[7], int) and isinstance(r[6], dt.datetime) for r in rows[2:])


def test_one_sheet_per_group_named_safely(con):
    late = overdue_list(con)
    book = formula_free(exports.overdue_xlsx(late, "督办单"))
    assert_valid_sheet_names(book)
    groups = list(dict.fromkeys(late["group_name"]))
    assert len(book.sheetnames) == 1 + len(groups)
    taken = ["督办单"]
    for group, name in zip(groups, book.sheetnames[1:]):
        assert name == sheet_title(group, taken, fallback="未分组")
        taken.append(name)
        rows = values(book[name])
        assert rows[0][0] == f"督办单（{group}）"
        mine = late[late["group_name"] == group]
        assert [r[2] for r in rows[2:]] == list(mine["item_id"])
        assert [r[0] for r in rows[2:]] == [group] * len(mine)
    # in the list's order (most days overdue first, then by group): formula starts, quotes
    # and forbidden characters gone, long names cut to 31, clashes and History numbered
    assert book.sheetnames == [
        "督办单", "引号组", "8613800000000", "组", "5", "组（2）", 'HYPERLINK("httpx","y")', "cmd|'Ccalc'!A0",
        "很长的工作组名称" * 3 + "很长的工作组名", "组（3）", "SUM(A1A2)", "组（4）", "History（2）", "组（5）", "组1", "表",
        "控制组"]
    assert groups[:3] == ["'引号组'", "+8613800000000", "+组"] and groups[-5:] == ["History", "组", "组[1]:*?/\\", "+表",
                                                                                  "控制组"]


@pytest.mark.parametrize("text, taken, title", [
    ("市容环境组", [], "市容环境组"),
    ("=HYPERLINK(\"http://x\",\"y\")", [], 'HYPERLINK("httpx","y")'),
    ("=cmd|' /C calc'!A0", [], "cmd|' C calc'!A0"),
    ("+-@\t\r组", [], "组"),
    ("'引号组'", [], "引号组"),
    ("a[b]c:d*e?f/g\\h", [], "abcdefgh"),
    ("交通秩序组", ["交通秩序组"], "交通秩序组（2）"),
    ("abc", ["ABC", "abc（2）"], "abc（3）"),
    ("History", [], "History（2）"),
    ("长" * 40, [], "长" * 31),
    ("长" * 40, ["长" * 31], "长" * 28 + "（2）"),
    ("==", [], "工作表"),
    ("[]", ["工作表"], "工作表（2）"),
    ("a\x01b", [], "ab"),
])
def test_sheet_title(text, taken, title):
    assert sheet_title(text, taken) == title


def test_tab_cr_and_control_characters_on_the_writer():
    """Texts the pipeline would trim, given straight to the writer: kept exactly, as
    text; control characters dropped; numbers and dates stay numbers and dates."""
    texts = ["\t制表符开头", "\r回车开头", "=1+1", "+1", "-1", "@A1", "正常\r\n两行", "坏\x01\x1f字"]
    frame = pd.DataFrame({
        "group_name": ["=组"] * len(texts), "assignee": texts, "item_id": [f"T-{i}" for i in range(len(texts))],
        "description": texts, "location": [None] * len(texts), "category": [float("nan")] * len(texts),
        "deadline": pd.to_datetime([D(2026, 3, 1)] * len(texts)),
        "days_overdue": pd.array(range(len(texts)), dtype="Int64"), "status_label": ["整改中"] * len(texts)})
    book = formula_free(exports.overdue_xlsx(frame, "\t=标题"))
    rows = values(book.active)
    assert rows[0][0] == "\t=标题"
    kept = texts[:-1] + ["坏字"]
    assert [r[1] for r in rows[2:]] == kept and [r[3] for r in rows[2:]] == kept
    assert [r[4] for r in rows[2:]] == [None] * len(texts) and [r[5] for r in rows[2:]] == [None] * len(texts)
    assert [r[7] for r in rows[2:]] == list(range(len(texts)))
    assert [r[6] for r in rows[2:]] == [dt.datetime(2026, 3, 1)] * len(texts)
    assert book.sheetnames == ["督办单"]   # one group: no per-group sheet


def test_overdue_sheet_prints(con):
    late = overdue_list(con)
    data = exports.overdue_xlsx(late, "督办单")
    book = openpyxl.load_workbook(io.BytesIO(data))
    n = len(exports.OVERDUE_COLUMNS)
    for ws in book.worksheets:
        last = ws.max_row
        setup = ws.page_setup
        assert (int(setup.paperSize), setup.orientation) == (9, "landscape")     # 9 = A4
        assert (int(setup.fitToWidth), int(setup.fitToHeight)) == (1, 0)
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
        assert ws.print_title_rows == "$2:$2"
        assert ws.freeze_panes == "A3"
        assert ws.auto_filter.ref == f"A2:I{last}"
        for row in ws.iter_rows(min_row=2, max_row=last, max_col=n):
            for cell in row:
                b = cell.border
                assert (b.left.style, b.right.style, b.top.style, b.bottom.style) == ("thin",) * 4, cell.coordinate
        deadline = exports.OVERDUE_COLUMNS.index("deadline") + 1
        for r in range(3, last + 1):
            cell = ws.cell(r, deadline)
            assert cell.is_date and cell.number_format == labels.DAY_FORMAT_EXCEL == 'yyyy"年"m"月"d"日"'
        widths = [ws.column_dimensions[openpyxl.utils.get_column_letter(j)].width for j in range(1, n + 1)]
        assert widths == [20, 10, 12, 36, 22, 12, 14, 9, 10]
        description = exports.OVERDUE_COLUMNS.index("description") + 1
        assert all(ws.cell(r, description).alignment.wrap_text for r in range(3, last + 1))
        assert ws.cell(2, 1).font.b and "A1:I1" in {str(m) for m in ws.merged_cells.ranges}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook_xml = archive.read("xl/workbook.xml").decode()
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert '<definedName name="_xlnm.Print_Titles" localSheetId="0">\'督办单\'!$2:$2</definedName>' in workbook_xml
    assert re.search(r'<pageSetup [^>]*orientation="landscape"[^>]*paperSize="9"[^>]*fitToHeight="0"', sheet_xml)


def test_empty_overdue_list(con):
    late = overdue_list(con).iloc[0:0]
    book = formula_free(exports.overdue_xlsx(late, "督办单"))
    assert book.sheetnames == ["督办单"]
    assert values(book.active) == [("督办单",) + (None,) * 8,
                                   tuple(labels.COLUMN_LABELS[c] for c in exports.OVERDUE_COLUMNS)]
    assert book.active.auto_filter.ref == "A2:I2"


# ---------------------------------------------------------------- validation report, template

def test_validation_report_of_the_stored_batch(con, hostile_db):
    _, batch_id, _ = hostile_db
    notes = validation.stored_notes(dp.batch_notes(con, batch_id))
    assert {(n.sheet, n.row) for n in notes} == {(CMD, len(HOSTILE) + 4), ("@说明", None)}
    data = validation.report_xlsx(FILE_NAME, notes, report_date=AS_OF,
                                  counts={"items": len(HOSTILE) + 2, "skipped": 0, "rejected": 1, "warnings": 1})
    book = formula_free(data)
    assert_valid_sheet_names(book)
    assert book.sheetnames == ["导入检查结果"]
    rows = values(book.active)
    assert rows[0][0] == f"“{FILE_NAME}”导入检查结果（截至2026年3月6日）"
    body = rows[3:3 + len(notes)]
    assert [r[0] for r in body] == [n.sheet for n in notes]
    assert [r[4] for r in body] == [validation.note_text(n) for n in notes]
    assert f"第{len(HOSTILE) + 4}行：整改时限“{CMD}”无法识别为日期" in [r[4] for r in body]
    assert book.active.print_title_rows == "$3:$3" and book.active.page_setup.orientation == "landscape"


def test_validation_report_before_storing(hostile_db):
    parsed = dp.parse_file(hostile_db[2], FILE_NAME)
    book = formula_free(validation.report_xlsx(parsed.file_name, parsed.notes, report_date=parsed.report_date))
    assert {r[0] for r in values(book.active)[3:3 + len(parsed.notes)]} == {CMD, "@说明"}


def test_report_with_hostile_texts_in_every_field():
    notes = [Note("rejected", t, 5, t, f"{t}说明") for t in HOSTILE] + \
            [Note("warning", t, None, "", t) for t in HOSTILE]
    rows = values(formula_free(validation.report_xlsx(f"{CMD}.xlsx", notes)).active)
    body = rows[3:3 + len(notes)]
    assert [r[0] for r in body] == HOSTILE * 2 and [r[2] for r in body[:len(HOSTILE)]] == HOSTILE
    assert [r[4] for r in body[len(HOSTILE):]] == HOSTILE
    assert [r[1] for r in body] == [5] * len(HOSTILE) + [None] * len(HOSTILE)


def test_excel_report_holds_no_formula(con):
    """The Excel 通报 (``report_xlsx``, which writes its 超期问题 sheet with the 督办单's
    writer) on the hostile database."""
    from data_pipeline.report_xlsx import report_xlsx
    settings = dp.load_settings(con)
    book = formula_free(report_xlsx(con, AS_OF, settings))
    assert_valid_sheet_names(book)
    ranking = figures.ranking(con, AS_OF, None, settings).table
    groups = [r[1] for r in values(book["排名"])[2:2 + len(ranking)]]
    assert groups == list(ranking["group_name"]) and {"=组", HYPERLINK, "+表"} <= set(groups)
    late = overdue_list(con)
    assert [r[3] for r in values(book["超期问题"])[2:]] == \
        ["控制字符" if d == "控制\x01字符" else d for d in late["description"]]


def test_template_holds_no_formula():
    book = formula_free(template.template_bytes())
    assert_valid_sheet_names(book)
    assert book.sheetnames == [template.LEDGER_SHEET, template.GUIDE_SHEET]


# ---------------------------------------------------------------- built only when clicked

@pytest.fixture
def sample_copy(sample_db, tmp_path) -> Path:
    path = tmp_path / "campaign.duckdb"
    shutil.copy(sample_db, path)
    return path


@pytest.fixture
def builds(monkeypatch):
    """Counts calls of each export builder, and records every deferred download the
    pages register (file name -> its callable, the latest)."""
    calls = {"overdue_xlsx": 0, "report_xlsx": 0, "template_bytes": 0}
    for module, name in ((exports, "overdue_xlsx"), (validation, "report_xlsx"), (template, "template_bytes")):
        real = getattr(module, name)

        def counting(*args, _real=real, _name=name, **kwargs):
            calls[_name] += 1
            return _real(*args, **kwargs)
        monkeypatch.setattr(module, name, counting)
    deferred: dict[str, object] = {}
    real_add = MediaFileManager.add_deferred

    def recording(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        deferred[file_name] = data_callable
        return real_add(self, data_callable, mimetype, coordinates, file_name, **kwargs)
    monkeypatch.setattr(MediaFileManager, "add_deferred", recording)
    return calls, deferred


def assert_deferred(at) -> None:
    """Every download button of the run hands Streamlit a callable (no file yet)."""
    assert at.download_button
    for button in at.download_button:
        assert button.proto.HasField("deferred_file_id") and button.proto.url == "", button.label


def test_overdue_download_is_built_only_when_clicked(monkeypatch, sample_copy, builds):
    calls, deferred = builds
    at = run_app(monkeypatch, sample_copy)
    go(at, "pages/overdue.py")
    assert_deferred(at)
    assert at.download_button[0].proto.ignore_rerun
    at.number_input(key="overdue_min_days").set_value(30).run()
    assert not at.exception
    assert calls["overdue_xlsx"] == 0
    shown = next(d.value for d in at.dataframe if list(d.value.columns[:3]) == exports.OVERDUE_COLUMNS[:3])
    build = deferred["超期问题督办单_20261127.xlsx"]
    book = formula_free(build())
    assert calls["overdue_xlsx"] == 1
    rows = values(book["督办单"])
    con = dp.connect(sample_copy, read_only=True)
    try:
        name = dp.load_settings(con).name
    finally:
        con.close()
    assert rows[0][0] == f"{name}超期问题督办单（截至2026年11月27日）"
    assert [r[2] for r in rows[2:]] == list(shown["item_id"])
    assert [r[7] for r in rows[2:]] == list(shown["days_overdue"])
    assert all(r[7] >= 30 for r in rows[2:]) and len(rows) - 2 == len(shown) > 0


def test_office_downloads_are_built_only_when_clicked(monkeypatch, sample_copy, builds):
    calls, deferred = builds
    at = login(run_app(monkeypatch, sample_copy))
    assert_deferred(at)
    go(at, "pages/history.py")
    con = dp.connect(sample_copy, read_only=True)
    try:
        batch_id = int(dp.list_batches(con)["batch_id"].iloc[0])
    finally:
        con.close()
    at.selectbox(key="batch_pick").set_value(batch_id).run()
    assert not at.exception
    assert_deferred(at)
    assert calls == {"overdue_xlsx": 0, "report_xlsx": 0, "template_bytes": 0}
    blank = deferred[template.TEMPLATE_NAME]()
    assert calls["template_bytes"] == 1 and formula_free(blank).sheetnames[0] == template.LEDGER_SHEET
    report = next(f for n, f in deferred.items() if n.endswith("_导入检查结果.xlsx"))
    formula_free(report())
    assert calls["report_xlsx"] == 1


def test_text_xml_cannot_hold_is_dropped_in_every_workbook():
    """The .xlsx, .pptx and .docx writers share one rule (``xml_text.holdable``)."""
    import openpyxl
    from data_pipeline import xml_text, xlsx_safe
    wb = openpyxl.Workbook()
    cell = xlsx_safe.put(wb.active, 1, 1, "甲\x01组\ud800\uffff\t乙")
    assert cell.value == "甲组\t乙" == xml_text.holdable("甲\x01组\ud800\uffff\t乙")
    out = io.BytesIO()
    wb.save(out)
    assert openpyxl.load_workbook(io.BytesIO(out.getvalue())).active["A1"].value == "甲组\t乙"
