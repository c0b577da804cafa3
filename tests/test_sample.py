"""The bundled sample campaign: deterministic, and the pipeline's numbers equal what the
generator knows about its own data."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import openpyxl
import pytest

import data_pipeline as dp
from data_pipeline.sample import only_sample_loaded, sample_dir, sample_files
from sample_data.generate import generate

D = dt.date


def content(path):
    """What a file says: CSV and JSON bytes; for a workbook, each sheet's cell values and
    merged ranges (the bytes of an .xlsx also depend on whether lxml is installed)."""
    if path.suffix != ".xlsx":
        return hashlib.sha256(path.read_bytes()).hexdigest()
    book = openpyxl.load_workbook(path)
    return [(ws.title, list(ws.iter_rows(values_only=True)), sorted(str(r) for r in ws.merged_cells.ranges))
            for ws in book.worksheets]


def test_generator_reproduces_the_committed_files(tmp_path):
    written = generate(tmp_path)
    assert sorted(p.name for p in written) == sorted([p.name for p in sample_files()] + ["EXPECTED.json",
                                                                                          "campaign.json"])
    for path in written:
        if path.suffix == ".json":
            assert path.read_bytes() == (sample_dir() / path.name).read_bytes(), path.name
        else:
            assert content(path) == content(sample_dir() / path.name), path.name


def test_sample_spans_phases_layouts_and_formats():
    files = sample_files()
    assert len(files) >= 20
    assert {p.suffix for p in files} == {".xlsx", ".csv"}


def test_pipeline_matches_generator_ground_truth(sample_db):
    expected = json.loads((sample_dir() / "EXPECTED.json").read_text(encoding="utf-8"))
    con = dp.connect(sample_db, read_only=True)
    try:
        summary = dp.summary(con)
        assert summary["as_of"] == expected["report_date"]
        got = {g["group"]: {k: g[k] for k in ("items", "done", "long_term", "overdue")} for g in summary["groups"]}
        want = {name: {k: g[k] for k in ("items", "done", "long_term", "overdue")}
                for name, g in expected["groups"].items()}
        assert got == want
        assert only_sample_loaded(con)
        batches = dp.list_batches(con)
        assert batches.rejected.sum() == 0
        assert len(dp.report_dates(con)) == 17
    finally:
        con.close()


def test_sample_settings_are_stored_with_the_sample_and_leave_with_it(sample_db, tmp_path):
    import shutil
    from data_pipeline.campaign.settings import CampaignSettings, Phase, load_settings, save_settings
    from data_pipeline.sample import remove_sample
    from sample_data.generate import GROUPS, PHASES
    path = tmp_path / "copy.duckdb"
    shutil.copy(sample_db, path)
    con = dp.connect(path)
    try:
        s = load_settings(con)
        assert (s.name, s.phases, s.group_order) == ("临江区创建全国文明城市（示例）", [Phase(*p) for p in PHASES], GROUPS)
        # the office renames the campaign; the sample's phases and order are untouched
        assert save_settings(con, CampaignSettings(name="临江区创城", phases=s.phases, group_order=s.group_order)) == []
        remove_sample(con)
        after = load_settings(con)
        assert (after.name, after.phases, after.group_order) == ("临江区创城", [], [])
        assert dp.summary(con)["groups"] == []
    finally:
        con.close()


def test_sample_is_found_from_an_installed_package():
    from importlib import resources
    assert sample_dir() == Path(str(resources.files("sample_data")))
    assert (sample_dir() / "campaign.json").is_file()


def test_sample_loads_from_a_non_editable_install(tmp_path):
    """Installed as a package (not from the clone), the sample campaign is still found."""
    import subprocess
    import sys
    from tests.conftest import ROOT
    target = tmp_path / "site"
    built = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                            str(ROOT)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    code = ("import data_pipeline, pathlib; from data_pipeline.sample import sample_files, sample_settings; "
            "print(pathlib.Path(data_pipeline.__file__).parent.parent, len(sample_files()), sample_settings()['name'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=60,
                         env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [str(target), "34", "临江区创建全国文明城市（示例）"]


def _copy(sample_db, tmp_path):
    import shutil
    path = tmp_path / "copy.duckdb"
    shutil.copy(sample_db, path)
    return dp.connect(path)


def _real_ledger(tmp_path):
    from tests import ledgers as L
    return L.write_xlsx(tmp_path / "真实台账.xlsx", L.standard_rows())


def test_first_real_ledger_replaces_the_sample_in_its_transaction(sample_db, tmp_path):
    from data_pipeline.audit import ROLE_OFFICE, Actor
    from data_pipeline.campaign.settings import CampaignSettings, Phase, load_settings
    con = _copy(sample_db, tmp_path)
    try:
        parsed = dp.parse_file(_real_ledger(tmp_path).read_bytes(), "真实台账.xlsx")
        mine = CampaignSettings(name="临江区创城", phases=[Phase("准备阶段", D(2026, 1, 1), D(2026, 6, 30))])
        result = dp.store_parsed(con, parsed, actor=Actor(ROLE_OFFICE, "王主任"), settings=mine)
        n = len(sample_files())
        assert len(result.sample_removed) == n and f"示例数据（{n}个批次）已同时删除" in result.line()
        summary = dp.summary(con)
        assert summary["totals"]["items"] == 5 and summary["as_of"] == "2026-03-06"
        s = load_settings(con)
        assert (s.name, s.phases) == ("临江区创城", mine.phases)
        assert dp.list_batches(con).file_name.tolist() == ["真实台账.xlsx"]
        assert not only_sample_loaded(con)
    finally:
        con.close()


def test_invalid_settings_store_nothing(sample_db, tmp_path):
    from data_pipeline.campaign.settings import CampaignSettings, Phase
    con = _copy(sample_db, tmp_path)
    try:
        parsed = dp.parse_file(_real_ledger(tmp_path).read_bytes(), "真实台账.xlsx")
        bad = CampaignSettings(name="临江区创城", phases=[Phase("准备阶段", D(2026, 6, 30), D(2026, 1, 1))])
        with pytest.raises(dp.LedgerError, match="活动设置有误.*晚于结束日期"):
            dp.store_parsed(con, parsed, settings=bad)
        assert only_sample_loaded(con) and len(dp.list_batches(con)) == len(sample_files())
    finally:
        con.close()


def test_a_login_name_cannot_make_real_batches_sample_batches(sample_db, tmp_path):
    """An office user called 示例数据 uploads a real ledger: it is real (it replaces the
    sample, and removing the sample later leaves it)."""
    from data_pipeline.audit import ROLE_OFFICE, Actor
    from data_pipeline.sample import SAMPLE_UPLOADER, remove_sample
    con = _copy(sample_db, tmp_path)
    try:
        result = dp.ingest_file(con, _real_ledger(tmp_path), actor=Actor(ROLE_OFFICE, SAMPLE_UPLOADER))
        assert len(result.sample_removed) == len(sample_files())
        assert con.execute("SELECT uploaded_by, sample FROM batches").fetchall() == [(SAMPLE_UPLOADER, False)]
        assert remove_sample(con) == []
        assert dp.summary(con)["totals"]["items"] == 5
    finally:
        con.close()
