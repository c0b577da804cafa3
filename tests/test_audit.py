"""The audit log, remembered column mappings and batch removal (data_pipeline.audit,
mappings, store.remove_batches), in a real DuckDB file."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

import data_pipeline as dp
from data_pipeline import audit, mappings, parse_file
from data_pipeline.campaign import settings as campaign
from data_pipeline.sample import load_sample, remove_sample
from tests import ledgers as L
from tests.conftest import ROOT

D = dt.date
OFFICE = audit.Actor(audit.ROLE_OFFICE, "王主任")
HEADER = ["问题编号", "问题描述", "责任单位", "处理结果"]
ROWS = [["A-1", "路灯不亮", "市容环境组", "已整改"], ["A-2", "井盖缺失", "市容环境组", "整改中"]]


def log(con) -> list[tuple]:
    return con.execute("SELECT role, actor, action, batch_id, detail FROM audit_log ORDER BY rowid").fetchall()


def counts(con) -> tuple:
    return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
                 for t in ("batches", "batch_files", "source_rows", "item_states", "batch_notes"))


def test_upload_and_removal_are_logged_in_their_transaction(con, tmp_path):
    path = L.write_xlsx(tmp_path / "周报.xlsx", L.standard_rows(), L.STANDARD_MERGES)
    result = dp.ingest_file(con, path, actor=OFFICE)
    assert con.execute("SELECT uploaded_by FROM batches").fetchall() == [("王主任",)]
    assert dp.remove_batches(con, [result.batch_id, 99], OFFICE) == [result.batch_id]
    assert counts(con) == (0, 0, 0, 0, 0)
    assert log(con) == [
        ("创城办", "王主任", "导入台账", 1, "文件“周报.xlsx”（截至2026-03-06）：问题5条，跳过3行，拒收0行，警告0条"),
        ("创城办", "王主任", "删除批次", 1, "批次#1：文件“周报.xlsx”（截至2026-03-06，问题5条）"),
    ]
    assert dp.remove_batches(con, [99], OFFICE) == [] and len(log(con)) == 2


def test_a_failed_upload_leaves_no_log_entry(con, tmp_path, monkeypatch):
    path = L.write_xlsx(tmp_path / "周报.xlsx", L.standard_rows(), L.STANDARD_MERGES)
    real_log = audit.log

    def failing_log(*args, **kwargs):
        real_log(*args, **kwargs)
        raise RuntimeError("disk full")
    monkeypatch.setattr(audit, "log", failing_log)
    with pytest.raises(RuntimeError):
        dp.ingest_file(con, path, actor=OFFICE)
    assert counts(con) == (0, 0, 0, 0, 0) and log(con) == []


def test_library_calls_without_an_actor_log_nothing(con, tmp_path):
    dp.ingest_file(con, L.write_xlsx(tmp_path / "周报.xlsx", L.standard_rows(), L.STANDARD_MERGES))
    assert log(con) == []


def test_settings_changes_are_logged_with_what_changed(con):
    new = campaign.CampaignSettings(honour_rate=0.92, due_soon_days=5,
                                    phases=[campaign.Phase("准备阶段", D(2026, 3, 1), D(2026, 4, 30))])
    assert campaign.save_settings(con, new, OFFICE) == []
    assert campaign.save_settings(con, new, OFFICE) == []
    assert campaign.save_settings(con, campaign.CampaignSettings(honour_rate=2.0), OFFICE) == [
        "红榜线（整改率）应在0%到100%之间"]
    assert log(con) == [
        ("创城办", "王主任", "修改设置", None,
         "阶段时间：（无） → 准备阶段 2026年3月1日至2026年4月30日；红榜线（整改率）：90% → 92%；临期天数：3 → 5"),
        ("创城办", "王主任", "修改设置", None, "保存设置（无改动）"),
    ]


def test_the_cli_logs_as_the_command_line(tmp_path):
    db = tmp_path / "c.duckdb"
    path = L.write_xlsx(tmp_path / "周报.xlsx", L.standard_rows(), L.STANDARD_MERGES)
    for args in (["ingest", str(path)], ["remove-batch", "1"]):
        done = subprocess.run([sys.executable, "-m", "data_pipeline", *args, "--db", str(db)], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    con = dp.connect(db, read_only=True)
    try:
        rows = log(con)
        user = audit.cli_actor().name
        assert [(r[0], r[1], r[2], r[3]) for r in rows] == [("命令行", user, "导入台账", 1),
                                                            ("命令行", user, "删除批次", 1)]
        assert con.execute("SELECT count(*) FROM batches").fetchall() == [(0,)]
    finally:
        con.close()


def test_remembered_mappings_apply_to_later_files(con, tmp_path):
    data = L.write_xlsx(tmp_path / "a.xlsx", L.flat_rows(HEADER, ROWS)).read_bytes()
    before = parse_file(data, "a.xlsx")
    assert [(c.header, c.field) for c in before.used[0].layout.columns][-1] == ("处理结果", None)
    assert mappings.remember(con, {"处理结果": "status", "备注": None}, OFFICE) == [
        "“处理结果” → 整改情况", "“备注” → （不导入）"]
    assert mappings.remember(con, {"处理结果": "status"}, OFFICE) == []     # nothing new
    overrides = mappings.load(con)
    assert overrides == {"处理结果": "status", "备注": None}
    after = parse_file(data, "a.xlsx", overrides=overrides)
    assert [(c.header, c.field) for c in after.used[0].layout.columns][-1] == ("处理结果", "status")
    assert after.used[0].items["status"] == ["done", "in_progress"]
    # Width, spaces and punctuation do not matter.
    spaced = L.write_xlsx(tmp_path / "b.xlsx", L.flat_rows(["问题编号", "问题描述", "责任单位", "处理 结果："], ROWS))
    assert parse_file(spaced.read_bytes(), "b.xlsx", overrides=overrides).used[0].items["status"] == \
        ["done", "in_progress"]
    assert mappings.forget(con, "处理结果", OFFICE) and not mappings.forget(con, "处理结果", OFFICE)
    assert mappings.load(con) == {"备注": None}
    assert [r[2:] for r in log(con)] == [
        ("列对应", None, "记住列对应：“处理结果” → 整改情况；“备注” → （不导入）"),
        ("列对应", None, "取消记住的列对应：“处理结果” → 整改情况")]
    with pytest.raises(ValueError):
        mappings.remember(con, {"处理结果": "no_such_field"})


def test_mapping_changes_bump_the_data_version(con):
    v0 = dp.data_version(con)
    mappings.remember(con, {"处理结果": "status"})
    mappings.forget(con, "处理结果")
    assert dp.data_version(con) == v0 + 2


def test_the_first_real_ledger_removes_the_sample_with_audit_entries(con, tmp_path):
    load_sample(con)
    real = dp.ingest_file(con, L.write_xlsx(tmp_path / "周报.xlsx", L.standard_rows(), L.STANDARD_MERGES),
                          actor=OFFICE)
    assert len(real.sample_removed) == 34
    assert remove_sample(con, OFFICE) == []
    assert con.execute("SELECT batch_id FROM batches").fetchall() == [(real.batch_id,)]
    assert con.execute("SELECT count(*) FROM audit_log WHERE action = '删除批次'").fetchall() == [(34,)]
    assert con.execute("SELECT count(DISTINCT batch_id) FROM item_states").fetchall() == [(1,)]


def test_list_batches_shows_the_uploaders_role(con, tmp_path):
    load_sample(con)
    batches = dp.list_batches(con)
    assert set(map(tuple, batches[["uploaded_by", "uploaded_role", "sample"]].values)) == {("示例数据", "系统", True)}
    dp.ingest_file(con, L.write_xlsx(tmp_path / "周报.xlsx", L.standard_rows(), L.STANDARD_MERGES), actor=OFFICE)
    batches = dp.list_batches(con)
    assert batches[["file_name", "uploaded_by", "uploaded_role", "sample"]].values.tolist() == [
        ["周报.xlsx", "王主任", "创城办", False]]


def test_a_database_from_the_previous_version_is_upgraded_on_first_read(db_path, tmp_path):
    """Schema 1 had no audit_log and no column_mappings: a read-only open adds them."""
    from data_pipeline.store import SCHEMA_VERSION
    con = dp.connect(db_path)
    dp.ingest_file(con, L.write_xlsx(tmp_path / "周报.xlsx", L.standard_rows(), L.STANDARD_MERGES))
    con.execute("DROP TABLE audit_log")
    con.execute("DROP TABLE column_mappings")
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    version = dp.data_version(con)
    con.close()
    con = dp.connect(db_path, read_only=True)
    try:
        assert dp.list_batches(con)["uploaded_role"].tolist() == [None]
        assert mappings.load(con) == {}
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall() == [(SCHEMA_VERSION,)]
        assert dp.data_version(con) == version
    finally:
        con.close()
