"""The bundled sample campaign: deterministic, and the pipeline's numbers equal what the
generator knows about its own data."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import openpyxl

import data_pipeline as dp
from data_pipeline.sample import only_sample_loaded, sample_dir, sample_files
from sample_data.generate import generate


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
