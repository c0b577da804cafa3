"""The office's upload workflow under AppTest: roles and passcodes, preview, mapping
override, commit, re-upload, remembered mappings, report date given by hand, removal,
the sample-removal offer and the audit log, with exact counts in the database after
each step; hostile files and the foreign-workbooks corpus refused next to the file."""
from __future__ import annotations

import datetime as dt

import pytest
from streamlit import config as st_config

import data_pipeline as dp
from data_pipeline import audit, mappings, parse_file
from data_pipeline.constants import UPLOAD_SUFFIXES
from tests import hostile
from tests import ledgers as L
from tests.apphelp import OFFICE_PAGES, VIEW_PAGES, go, login, run_app, texts, shown
from tests.conftest import CORPUS, require

D = dt.date
HEADER = ["问题编号", "问题描述", "责任单位", "整改时限", "处理结果", "备注"]
WEEK1 = [
    ["A-1", "路灯不亮", "市容环境组", D(2026, 3, 1), "已整改", None],
    ["A-2", "井盖缺失", "市容环境组", D(2026, 3, 10), "整改中", None],
    ["A-3", "占道经营", "交通秩序组", D(2026, 3, 2), "未整改", None],
    ["A-4", "广告牌破损", "交通秩序组", "下周", "未整改", "等材料"],
]
WEEK2 = [
    ["A-2", "井盖缺失", "市容环境组", D(2026, 3, 10), "已整改", None],
    ["A-3", "占道经营", "交通秩序组", D(2026, 3, 2), "整改中", None],
]


SETTINGS_HINT = ("本活动的名称和阶段时间（准备/实施/评估）还没有设置，看板暂时无法显示当前阶段和剩余天数。"
                 "请到“设置”页填写。")


def ledger(tmp_path, name: str, rows, report_line: str) -> bytes:
    return L.write_xlsx(tmp_path / name, L.flat_rows(HEADER, rows, report_line)).read_bytes()


def db_state(path) -> dict:
    con = dp.connect(path, read_only=True)
    try:
        one = lambda sql: con.execute(sql).fetchall()[0][0]  # noqa: E731
        return {"batches": one("SELECT count(*) FROM batches"), "items": one("SELECT count(*) FROM item_states"),
                "source_rows": one("SELECT count(*) FROM source_rows"),
                "mappings": dict(con.execute("SELECT header, field FROM column_mappings").fetchall())}
    finally:
        con.close()


def totals(path, as_of=None) -> dict:
    con = dp.connect(path, read_only=True)
    try:
        return dp.summary(con, as_of)["totals"]
    finally:
        con.close()


def audit_rows(path) -> list[tuple]:
    con = dp.connect(path, read_only=True)
    try:
        return con.execute("SELECT role, actor, action, batch_id, detail FROM audit_log ORDER BY rowid").fetchall()
    finally:
        con.close()


def upload(at, name: str, data: bytes):
    at.file_uploader[0].upload(name, data).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def selectbox(at, label: str):
    found = [s for s in at.selectbox if s.label == label]
    assert len(found) == 1, [s.label for s in at.selectbox]
    return found[0]


def metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


def button(at, label: str):
    found = [b for b in at.button if b.label == label]
    assert len(found) == 1, [b.label for b in at.button]
    return found[0]


def table(at, column: str):
    """The one shown table that has ``column``."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


@pytest.fixture
def empty_db(tmp_path):
    return tmp_path / "campaign.duckdb"


@pytest.fixture
def office(monkeypatch, empty_db):
    """The app on an empty database, logged in as the office (on 数据上传)."""
    return login(run_app(monkeypatch, empty_db, no_sample=True), name="王主任")


# ---------------------------------------------------------------- roles


def test_leader_without_passcode_sees_no_upload(monkeypatch, sample_db, tmp_path):
    at = run_app(monkeypatch, sample_db)
    for page in VIEW_PAGES + ["pages/login.py"]:
        go(at, page)
        assert not at.file_uploader, page
        assert "退出登录" not in [b.label for b in at.button]
    assert at.caption[-1].value == "当前身份：领导（只读）"
    for page in OFFICE_PAGES + ["pages/settings.py"]:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)
    # The login page asks for the passcode; a wrong one is refused.
    go(at, "pages/login.py")
    at.text_input(key="login_name").input("李四")
    at.text_input(key="login_passcode").input("猜一个")
    at.button[0].click().run()
    assert [shown(e) for e in at.error] == ["口令不正确。"]
    assert not at.file_uploader
    with pytest.raises(ValueError):
        at.switch_page("pages/upload.py")


def test_no_office_passcode_means_uploads_disabled(monkeypatch, sample_db):
    at = run_app(monkeypatch, sample_db, office_passcode=None)
    go(at, "pages/login.py")
    assert shown(at.warning[0]).startswith("创城办口令尚未设置，因此上传、删除批次和修改设置都已停用。")
    assert "CAMPAIGN_OFFICE_PASSCODE" in shown(at.warning[0]) and "office_passcode" in shown(at.warning[0])
    assert not at.text_input and not at.file_uploader


def test_passcode_from_secrets_toml(monkeypatch, sample_db, tmp_path):
    from dashboard import access
    monkeypatch.delenv("CAMPAIGN_OFFICE_PASSCODE", raising=False)
    monkeypatch.setattr(access.st, "secrets", {"office_passcode": "秘密"})
    assert access.passcode(access.OFFICE) == "秘密"
    assert access.matches(" 秘密 ", access.OFFICE) and not access.matches("秘", access.OFFICE)
    assert access.passcode(access.VIEWER) is None and not access.matches("", access.VIEWER)


def test_viewer_passcode_gates_every_page(monkeypatch, sample_db):
    at = run_app(monkeypatch, sample_db, viewer_passcode="看板2026")
    assert not at.metric and [t.value for t in at.title] == ["创城进度看板"]
    at.text_input[0].input("不对")
    at.button[0].click().run()
    assert [shown(e) for e in at.error] == ["口令不正确。"] and not at.metric
    at.text_input[0].input("看板2026")
    at.button[0].click().run()
    assert [m.label for m in at.metric][:6] == ["交办总数", "已整改", "整改率", "超期", "临期", "按期整改率"]
    assert at.caption[-1].value == "当前身份：领导（只读）"


# ---------------------------------------------------------------- the upload workflow


def test_preview_override_commit_reupload_and_remove(office, empty_db, tmp_path):
    at = office
    assert at.caption[-1].value == "当前身份：创城办（王主任）"
    week1 = ledger(tmp_path, "市容交通周报.xlsx", WEEK1, "填报日期：2026年3月6日")
    upload(at, "市容交通周报.xlsx", week1)
    assert SETTINGS_HINT not in [shown(i) for i in at.info]   # no settings hint before any data

    # Preview: nothing stored yet.
    assert db_state(empty_db)["batches"] == 0
    assert at.date_input[0].value == D(2026, 3, 6)
    assert "截至日期来源：工作表“Sheet1”表头上方：填报日期：2026年3月6日" in texts(at)
    assert metrics(at) == {"问题": "3", "跳过的行": "0", "拒收的行": "1", "警告": "0"}
    mapping = {s.label: s.value for s in at.selectbox if "列：" in s.label}
    assert mapping == {"A列：问题编号": "item_id", "B列：问题描述": "description", "C列：责任单位": "group",
                       "D列：整改时限": "deadline", "E列：处理结果": None, "F列：备注": "notes"}
    assert "未对应的列（不导入）：处理结果。" in texts(at)
    sheets = table(at, "header_rows")
    assert sheets.to_dict("records") == [{"sheet": "Sheet1", "used": "使用", "header_rows": "2",
                                          "groups": "市容环境组、交通秩序组", "items": 3, "skipped": 0,
                                          "rejected": 1, "warnings": 0}]
    assert table(at, "text").to_dict("records") == [{"sheet": "Sheet1", "row": 6, "column": "整改时限", "level": "拒收（未导入）",
                                             "text": "第6行：整改时限“下周”无法识别为日期"}]
    rows = table(at, "row_no")
    assert rows[["row_no", "item_id", "status"]].values.tolist() == [[3, "A-1", "未知"], [4, "A-2", "未知"],
                                                                      [5, "A-3", "未知"]]

    # The office maps 处理结果 to 整改情况: the file is read again.
    selectbox(at, "E列：处理结果").set_value("status").run()
    assert not at.exception
    rows = table(at, "row_no")
    assert rows[["item_id", "status", "status_text"]].values.tolist() == [
        ["A-1", "已整改", "已整改"], ["A-2", "整改中", "整改中"], ["A-3", "未整改", "未整改"]]
    assert "未对应的列（不导入）：无。" in texts(at)
    assert db_state(empty_db)["batches"] == 0

    # Commit: one batch, its rows and items; the mapping is remembered.
    button(at, "确认导入").click().run()
    assert not at.exception
    assert [shown(s) for s in at.success] == [
        "市容交通周报.xlsx：已导入批次#1（截至2026-03-06），问题3条，跳过0行，拒收1行，警告0条"]
    assert db_state(empty_db) == {"batches": 1, "items": 3, "source_rows": 6, "mappings": {"处理结果": "status"}}
    t = totals(empty_db)
    assert (t["items"], t["done"], t["overdue"], t["due_soon"], t["completion_rate"]) == (3, 1, 1, 0, 1 / 3)

    # The same file again: stored nothing.
    upload(at, "市容交通周报(1).xlsx", week1)
    assert [shown(i) for i in at.info] == [
        SETTINGS_HINT, "该文件与已导入的批次#1（“市容交通周报.xlsx”，截至2026-03-06）内容完全相同，无需重复导入。"]
    assert db_state(empty_db)["batches"] == 1

    # Next week's file with the same header needs no correction.
    at.file_uploader[0].clear().run()
    upload(at, "第二周.xlsx", ledger(tmp_path, "第二周.xlsx", WEEK2, "统计截至：2026年3月13日"))
    assert selectbox(at, "E列：处理结果").value == "status"
    assert metrics(at) == {"问题": "2", "跳过的行": "0", "拒收的行": "0", "警告": "0"}
    button(at, "确认导入").click().run()
    assert db_state(empty_db) == {"batches": 2, "items": 5, "source_rows": 10, "mappings": {"处理结果": "status"}}
    t = totals(empty_db)
    assert (t["items"], t["done"], t["overdue"], t["due_soon"]) == (3, 2, 1, 0)

    # Remove the second batch on 上传记录: the dashboard is back where it was.
    go(at, "pages/history.py")
    history = table(at, "batch_id")
    assert history[["batch_id", "file_name", "items", "rejected", "uploaded_by", "uploaded_role"]].values.tolist() == [
        [2, "第二周.xlsx", 2, 0, "王主任", "创城办"], [1, "市容交通周报.xlsx", 3, 1, "王主任", "创城办"]]
    at.selectbox(key="batch_pick").set_value(2).run()
    assert button(at, "删除此批次").disabled
    at.checkbox(key="confirm_remove|2").check().run()
    button(at, "删除此批次").click().run()
    assert not at.exception
    assert [shown(s) for s in at.success] == ["已删除批次#2（第二周.xlsx）。"]
    assert db_state(empty_db) == {"batches": 1, "items": 3, "source_rows": 6, "mappings": {"处理结果": "status"}}
    t = totals(empty_db)
    assert (t["items"], t["done"], t["overdue"], t["due_soon"]) == (3, 1, 1, 0)

    # Every change is in the audit log, shown to the office.
    assert audit_rows(empty_db) == [
        ("创城办", "王主任", "导入台账", 1, "文件“市容交通周报.xlsx”（截至2026-03-06）：问题3条，跳过0行，拒收1行，警告0条"),
        ("创城办", "王主任", "列对应", None, "记住列对应：“处理结果” → 整改情况"),
        ("创城办", "王主任", "导入台账", 2, "文件“第二周.xlsx”（截至2026-03-13）：问题2条，跳过0行，拒收0行，警告0条"),
        ("创城办", "王主任", "删除批次", 2, "批次#2：文件“第二周.xlsx”（截至2026-03-13，问题2条）"),
    ]
    go(at, "pages/audit_log.py")
    log = table(at, "logged_at")
    assert log["action"].tolist() == ["删除批次", "导入台账", "列对应", "导入台账"]


def test_report_date_given_by_hand(office, empty_db, tmp_path):
    at = office
    data = L.write_csv(tmp_path / "台账.csv", [HEADER[:4], *[r[:4] for r in WEEK1[:3]]], encoding="gbk").read_bytes()
    upload(at, "市容组台账.csv", data)
    assert [shown(e) for e in at.error] == [str(pytest.raises(dp.LedgerError, parse_file, data, "市容组台账.csv").value)]
    at.date_input[0].set_value(D(2026, 3, 6)).run()
    assert not at.error and "截至日期来源：手工指定" in texts(at)
    assert metrics(at)["问题"] == "3"
    button(at, "确认导入").click().run()
    con = dp.connect(empty_db, read_only=True)
    try:
        assert con.execute("SELECT report_date, report_date_source, items FROM batches").fetchall() == [
            (D(2026, 3, 6), "手工指定", 3)]
    finally:
        con.close()


def test_changing_the_detected_report_date(office, empty_db, tmp_path):
    at = office
    upload(at, "周报.xlsx", ledger(tmp_path, "周报.xlsx", WEEK1, "填报日期：2026年3月6日"))
    at.date_input[0].set_value(D(2026, 3, 5)).run()
    assert "截至日期来源：手工指定" in texts(at)
    button(at, "确认导入").click().run()
    assert shown(at.success[0]).startswith("周报.xlsx：已导入批次#1（截至2026-03-05）")


def test_several_files_at_once_and_bad_ones_beside_them(office, empty_db, tmp_path):
    at = office
    bad = {p.name: p.read_bytes() for p in (hostile.pdf_renamed_xlsx(tmp_path), hostile.zero_byte(tmp_path),
                                            hostile.corrupt_zip(tmp_path), hostile.no_header_xlsx(tmp_path),
                                            hostile.all_rows_rejected_xlsx(tmp_path),
                                            hostile.password_protected_xlsx(tmp_path))}
    good = {"一周.xlsx": ledger(tmp_path, "一周.xlsx", WEEK1, "填报日期：2026年3月6日"),
            "二周.xlsx": ledger(tmp_path, "二周.xlsx", WEEK2, "填报日期：2026年3月13日")}
    at.file_uploader[0].set_value([(n, d, "application/octet-stream") for n, d in {**bad, **good}.items()]).run()
    assert not at.exception
    expected = []
    for name, data in bad.items():
        with pytest.raises(dp.LedgerError) as refused:
            parse_file(data, name)
        expected.append(str(refused.value))
    assert [shown(e) for e in at.error] == expected
    assert db_state(empty_db)["batches"] == 0
    button(at, "全部导入（2个文件）").click().run()
    assert not at.exception
    assert db_state(empty_db)["batches"] == 2
    assert [shown(s) for s in at.success] == [
        "一周.xlsx：已导入批次#1（截至2026-03-06），问题3条，跳过0行，拒收1行，警告0条",
        "二周.xlsx：已导入批次#2（截至2026-03-13），问题2条，跳过0行，拒收0行，警告0条"]
    assert [shown(e) for e in at.error] == expected   # the refused files still say why


def test_a_file_over_the_size_limit_is_refused_before_parsing(office, empty_db, tmp_path, monkeypatch):
    at = office
    before = st_config.get_option("server.maxUploadSize")
    st_config.set_option("server.maxUploadSize", 1)
    try:
        monkeypatch.setattr(dp, "parse_file", lambda *a, **k: pytest.fail("parsed a file over the limit"))
        upload(at, "大文件.xlsx", b"PK\x03\x04" + b"\x00" * (1536 * 1024))
        assert [shown(e) for e in at.error] == ["文件“大文件.xlsx”：文件大小1.5MB，超过上限1MB，未导入"]
    finally:
        st_config.set_option("server.maxUploadSize", before)
    assert db_state(empty_db)["batches"] == 0


def test_the_first_real_ledger_replaces_the_sample_and_asks_for_name_and_phases(monkeypatch, sample_db, tmp_path):
    """While the sample is loaded, the preview says it will be removed and asks for the
    campaign's name and phases (prefilled); 确认导入 stores the file, removes the sample
    and saves the settings, in one transaction."""
    import shutil
    from data_pipeline.campaign.settings import load_settings
    from sample_data.generate import PHASES
    path = tmp_path / "campaign.duckdb"
    shutil.copy(sample_db, path)
    at = login(run_app(monkeypatch, path))
    upload(at, "周报.xlsx", ledger(tmp_path, "周报.xlsx", WEEK1, "填报日期：2026年11月27日"))
    assert "确认导入后，示例数据将同时删除。" in [shown(w) for w in at.warning]
    assert at.text_input(key="first_name").value == "创建全国文明城市"
    at.text_input(key="first_name").input("临江区创建全国文明城市").run()
    button(at, "确认导入").click().run()
    assert not at.exception
    assert db_state(path)["batches"] == 1
    assert "示例数据（34个批次）已同时删除" in shown(at.success[0])
    con = dp.connect(path, read_only=True)
    try:
        assert con.execute("SELECT file_name, sample FROM batches").fetchall() == [("周报.xlsx", False)]
        assert con.execute("SELECT count(*) FROM audit_log WHERE action = '删除批次' AND role = '创城办'").fetchall() \
            == [(34,)]
        s = load_settings(con)
        assert (s.name, [(p.name, p.start, p.end) for p in s.phases]) == (
            "临江区创建全国文明城市", list(PHASES))
    finally:
        con.close()
    assert not [w for w in at.warning if "示例数据" in shown(w)]
    assert not [i for i in at.info if "阶段" in shown(i)]


def test_an_empty_campaign_name_blocks_the_first_real_ledger(monkeypatch, sample_db, tmp_path):
    import shutil
    path = tmp_path / "campaign.duckdb"
    shutil.copy(sample_db, path)
    at = login(run_app(monkeypatch, path))
    upload(at, "周报.xlsx", ledger(tmp_path, "周报.xlsx", WEEK1, "填报日期：2026年11月27日"))
    at.text_input(key="first_name").input(" ").run()
    assert "活动设置：看板名称不能为空" in [shown(e) for e in at.error]
    assert button(at, "确认导入").disabled
    assert db_state(path)["batches"] == 34


def test_remembered_mapping_can_be_forgotten(office, empty_db, tmp_path):
    at = office
    con = dp.connect(empty_db)
    try:
        mappings.remember(con, {"处理结果": "status"}, audit.Actor("创城办", "王主任"))
    finally:
        con.close()
    at.run()
    assert table(at, "header").values.tolist() == [["处理结果", "整改情况", table(at, "header")["saved_at"][0],
                                                     "王主任"]]
    at.selectbox(key="forget_key").set_value("处理结果").run()
    button(at, "取消记住").click().run()
    assert db_state(empty_db)["mappings"] == {}
    assert audit_rows(empty_db)[-1][2:] == ("列对应", None, "取消记住的列对应：“处理结果” → 整改情况")


# ---------------------------------------------------------------- odd files through the page


def test_the_corpus_through_the_upload_page(monkeypatch, tmp_path):
    """Every foreign workbook is either previewed or refused with its message beside it;
    never a traceback."""
    require(CORPUS.is_dir(), f"the foreign-workbooks corpus is not at {CORPUS}")
    # The uploader refuses other names before the page sees them.
    files = sorted(p for p in CORPUS.iterdir() if p.is_file() and p.suffix.lower().lstrip(".") in UPLOAD_SUFFIXES)
    assert len(files) > 100
    at = login(run_app(monkeypatch, tmp_path / "c.duckdb", no_sample=True))
    at.default_timeout = 180
    for start in range(0, len(files), 25):
        chunk = files[start:start + 25]
        at.file_uploader[0].set_value([(p.name, p.read_bytes(), "application/octet-stream") for p in chunk]).run()
        assert not at.exception, [e.value for e in at.exception]
        previewed = sum(1 for b in at.button if b.label == "确认导入")
        refused = len(at.error)
        assert previewed + refused == len(chunk), [p.name for p in chunk]
        for e in at.error:
            assert "Traceback" not in e.value and "意外错误" not in e.value, e.value


def test_a_failed_commit_stores_nothing_and_can_be_retried(office, empty_db, tmp_path, monkeypatch):
    import duckdb

    from data_pipeline import ingest
    at = office
    upload(at, "周报.xlsx", ledger(tmp_path, "周报.xlsx", WEEK1, "填报日期：2026年3月6日"))
    real = ingest.write_batch

    def half_then_fail(con, record, actor=None):
        record.sheets[0].cells[:] = [None] * len(record.sheets[0].cells)   # as if storing had begun
        raise duckdb.IOException("disk full")
    monkeypatch.setattr(ingest, "write_batch", half_then_fail)
    button(at, "确认导入").click().run()
    assert not at.exception
    assert [shown(e) for e in at.error] == [
        "文件“周报.xlsx”未导入：保存时数据库出错（disk full），数据库保持导入前的状态，请稍后重试。"]
    assert db_state(empty_db)["batches"] == 0
    monkeypatch.setattr(ingest, "write_batch", real)
    button(at, "确认导入").click().run()
    assert [shown(s) for s in at.success] == [
        "周报.xlsx：已导入批次#1（截至2026-03-06），问题3条，跳过0行，拒收1行，警告0条"]
    assert db_state(empty_db)["items"] == 3


def test_a_same_date_file_says_what_it_supersedes_and_which_fields_it_keeps(office, empty_db, tmp_path):
    """A second file of the same date, with two of the first file's items and without the
    整改时限 column: the preview names the batch it supersedes and for how many items, and
    that the deadlines stay as they were; once stored, the overdue item stays overdue."""
    at = office
    first = [r[:4] + [r[4]] for r in WEEK1]
    data = L.write_xlsx(tmp_path / "一周.xlsx", L.flat_rows(["问题编号", "问题描述", "责任单位", "整改时限", "整改情况"],
                                                            first, "填报日期：2026年3月6日")).read_bytes()
    upload(at, "一周.xlsx", data)
    button(at, "确认导入").click().run()
    assert totals(empty_db)["overdue"] == 1                  # A-3, due 03-02
    rows = [["A-2", "井盖缺失", "市容环境组", "整改中"], ["A-3", "占道经营", "交通秩序组", "整改中"]]
    data = L.write_xlsx(tmp_path / "补报.xlsx", L.flat_rows(["问题编号", "问题描述", "责任单位", "整改情况"], rows,
                                                            "填报日期：2026年3月6日")).read_bytes()
    upload(at, "补报.xlsx", data)
    assert "同一截至日期已导入批次#1（“一周.xlsx”），其中2条问题也在本文件中：导入后这些问题以本文件为准。" in \
        [shown(i) for i in at.info]
    assert [c.value for c in at.caption if c.value.startswith("本文件没有")] == [
        "本文件没有“整改时限”列：这些问题沿用此前台账中的内容。"]
    [b for b in at.button if b.label == "确认导入"][-1].click().run()
    assert not at.exception
    assert totals(empty_db)["overdue"] == 1 and totals(empty_db)["items"] == 3    # A-4's 下周 was rejected
