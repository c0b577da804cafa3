"""The CLI contract: command names, output lines, the JSON shape, exit codes."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from data_pipeline import audit
from tests import ledgers as L

from .conftest import ROOT


def run(*args, db=None):
    cmd = [sys.executable, "-m", "data_pipeline", *args] + (["--db", str(db)] if db else [])
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=120)


@pytest.fixture
def ledger(tmp_path):
    return L.write_xlsx(tmp_path / "台账.xlsx", L.standard_rows(), L.STANDARD_MERGES)


def test_ingest_summary_batches_remove(tmp_path, ledger):
    db = tmp_path / "c.duckdb"
    out = run("ingest", str(ledger), db=db)
    assert (out.returncode, out.stderr) == (0, "")
    assert out.stdout == "导入 台账.xlsx：已导入批次#1（截至2026-03-06），问题5条，跳过3行，拒收0行，警告0条\n"

    again = run("ingest", str(ledger), db=db)
    assert again.stdout == "已存在 台账.xlsx：与已导入的批次#1内容完全相同，未重复导入\n"

    summary = json.loads(run("summary", "--json", db=db).stdout)
    assert summary == {
        "as_of": "2026-03-06",
        "totals": {"items": 5, "done": 2, "overdue": 2, "due_soon": 0, "long_term": 1,
                   "completion_rate": 0.4, "on_time_rate": 0.5},
        "groups": [
            {"group": "市容环境组", "items": 3, "done": 1, "overdue": 1, "due_soon": 0, "long_term": 1,
             "completion_rate": 1 / 3, "on_time_rate": 0.5},
            {"group": "道路维修组", "items": 2, "done": 1, "overdue": 1, "due_soon": 0, "long_term": 0,
             "completion_rate": 0.5, "on_time_rate": 0.5},
        ],
    }
    table = run("summary", "--as-of", "2026-03-06", db=db).stdout.splitlines()
    assert table[0] == "截至 2026-03-06"
    assert table[-1].split() == ["合计", "5", "2", "40.0%", "2", "0", "1", "50.0%"]

    listing = run("batches", db=db).stdout.splitlines()
    assert listing[0].split() == ["批次", "截至日期", "问题", "跳过", "拒收", "警告", "导入时间", "导入人", "文件"]
    assert listing[2].split()[:6] == ["1", "2026-03-06", "5", "3", "0", "0"]
    assert listing[2].split()[-2:] == [f"{audit.cli_actor().name}（命令行）", ledger.name]

    removed = run("remove-batch", "1", db=db)
    assert (removed.returncode, removed.stdout) == (0, "已删除批次#1及其全部行和问题状态\n")
    assert run("batches", db=db).stdout == "还没有导入任何批次。\n"
    missing = run("remove-batch", "1", db=db)
    assert (missing.returncode, missing.stderr) == (1, "没有编号为1的批次（用 batches 命令查看现有批次）\n")


def test_db_from_environment(tmp_path, ledger, monkeypatch):
    db = tmp_path / "env.duckdb"
    monkeypatch.setenv("CAMPAIGN_DB", str(db))
    assert run("ingest", str(ledger)).returncode == 0
    assert db.exists()


def test_report_date_option_and_bad_date(tmp_path, ledger):
    db = tmp_path / "c.duckdb"
    out = run("ingest", str(ledger), "--report-date", "2026-03-13", db=db)
    assert "（截至2026-03-13）" in out.stdout
    bad = run("ingest", str(ledger), "--report-date", "3月13日", db=db)
    assert bad.returncode == 2
    assert "日期格式应为YYYY-MM-DD，例如2026-03-06，而不是“3月13日”" in bad.stderr


COMMANDS = ["ingest", "summary", "batches", "remove-batch", "overview", "groups", "overdue", "trend", "changes",
            "forecast"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command):
    out = run(command, "--help")
    assert out.returncode == 0
    assert "例：python -m data_pipeline " + command in out.stdout


def test_top_level_help_lists_commands():
    out = run("--help").stdout
    for command in COMMANDS:
        assert command in out


def test_summary_on_empty_database(tmp_path):
    db = tmp_path / "empty.duckdb"
    assert json.loads(run("summary", "--json", db=db).stdout)["as_of"] is None
    assert run("summary", db=db).stdout == "数据库中还没有任何台账。先导入：python -m data_pipeline ingest 台账.xlsx\n"


@pytest.mark.parametrize("command", ["overview", "groups", "overdue", "trend"])
def test_page_twins_print_their_figure_as_json(sample_db, command):
    """Each twin prints exactly its page's figure function's output, with the stored settings."""
    import data_pipeline as dp
    from data_pipeline import figures
    from data_pipeline.metrics import Filters
    args = {"overview": [], "groups": ["--group", "交通秩序组"], "overdue": ["--min-days", "30"], "trend": []}[command]
    out = run(command, "--as-of", "2026-10-30", "--category", "道路设施", *args, "--json", db=sample_db)
    assert (out.returncode, out.stderr) == (0, "")
    con = dp.connect(sample_db, read_only=True)
    try:
        s = dp.load_settings(con)
        day = dp.report_dates(con)[-5]
        assert day.isoformat() == "2026-10-30"
        filters = Filters.of(None, ["道路设施"])
        want = {"overview": lambda: figures.overview(con, day, s, filters),
                "groups": lambda: figures.group(con, day, "交通秩序组", s, filters),
                "overdue": lambda: figures.overdue(con, day, s, filters, min_days=30),
                "trend": lambda: figures.trend(con, day, s, filters)}[command]()
    finally:
        con.close()
    assert json.loads(out.stdout) == figures.to_json(want)


def test_page_twins_in_text(sample_db):
    lines = run("overview", db=sample_db).stdout.splitlines()
    assert lines[0] == "临江区创建全国文明城市（示例），截至2026年11月27日"
    assert lines[1] == ("交办总数：467（+9）；已整改：404（+9）；整改率：86.5%（+0.3个百分点）；超期：45（-3）；"
                        "临期：3（持平）；按期整改率：45.5%（-0.2个百分点）")
    assert lines[2:4] == ["红榜：宣传氛围营造组、市容环境组", "黑榜：道路维修及路灯项目整改组、其他项目推进整改组"]
    assert run("groups", db=sample_db).stdout.splitlines()[1] == "工地围挡绿化整改组"   # the first in the stored order
    overdue = run("overdue", "--min-days", "60", db=sample_db).stdout.splitlines()
    assert overdue[1].startswith("超期问题") and overdue[4].split()[:2] == ["其他项目推进整改组", "QT-002"]
    trend = run("trend", "--as-of", "2026-08-14", db=sample_db).stdout.splitlines()
    assert [line.split()[0] for line in trend[3:]] == ["2026年8月7日", "2026年8月14日"]


def test_page_twins_on_empty_database(tmp_path):
    out = run("overview", "--json", db=tmp_path / "empty.duckdb")
    assert (out.returncode, json.loads(out.stdout)) == (0, {"as_of": None})
    assert run("trend", db=tmp_path / "empty.duckdb").stdout == \
        "数据库中还没有任何台账。先导入：python -m data_pipeline ingest 台账.xlsx\n"


def test_summary_follows_the_stored_settings(sample_db):
    """The stored 临期天数 and group order, unless --due-soon-days is given."""
    data = json.loads(run("summary", "--json", db=sample_db).stdout)
    assert [g["group"] for g in data["groups"]] == ["工地围挡绿化整改组", "道路维修及路灯项目整改组", "市容环境组",
                                                    "交通秩序组", "其他项目推进整改组", "宣传氛围营造组"]
    assert data["totals"]["due_soon"] == 3
    assert json.loads(run("summary", "--json", "--due-soon-days", "30", db=sample_db).stdout)["totals"]["due_soon"] > 3


# ---------------------------------------------------------------- 本周变化 and 进度预测


@pytest.mark.parametrize("args, as_of, since", [
    ([], "2026-11-27", "2026-11-20"),
    (["--since", "2026-11-06"], "2026-11-27", "2026-11-06"),
    (["--as-of", "2026-10-31", "--group", "交通秩序组"], "2026-10-30", "2026-10-23"),   # 10-31: the 10-30 report
])
def test_changes_prints_its_figure_as_json(sample_db, args, as_of, since):
    import datetime as dt

    import data_pipeline as dp
    from data_pipeline import figures
    from data_pipeline.metrics import Filters
    out = run("changes", *args, "--json", db=sample_db)
    assert (out.returncode, out.stderr) == (0, "")
    opts = dict(zip(args[::2], args[1::2]))
    con = dp.connect(sample_db, read_only=True)
    try:
        want = figures.changes(con, dt.date.fromisoformat(opts.get("--as-of", "2026-11-27")),
                               dt.date.fromisoformat(opts["--since"]) if "--since" in opts else None,
                               dp.load_settings(con), Filters.of([opts["--group"]] if "--group" in opts else None))
    finally:
        con.close()
    data = json.loads(out.stdout)
    assert data == figures.to_json(want)
    assert (data["as_of"], data["since"]) == (as_of, since)


def test_forecast_prints_its_figure_as_json(sample_db):
    import datetime as dt

    import data_pipeline as dp
    from data_pipeline import figures
    out = run("forecast", "--as-of", "2026-10-16", "--json", db=sample_db)
    assert (out.returncode, out.stderr) == (0, "")
    con = dp.connect(sample_db, read_only=True)
    try:
        want = figures.forecast(con, dt.date(2026, 10, 16), dp.load_settings(con))
    finally:
        con.close()
    assert json.loads(out.stdout) == figures.to_json(want)
    assert json.loads(out.stdout)["table"][-1]["group_name"] == "合计"


def test_changes_and_forecast_in_text(sample_db):
    lines = run("changes", db=sample_db).stdout.splitlines()
    assert lines[:2] == ["临江区创建全国文明城市（示例），截至2026年11月27日", "与2026年11月20日的台账相比"]
    assert lines[2].split() == ["工作组", "新交办", "新整改", "新增超期", "整改后反弹", "持续超期", "整改率", "整改率变化",
                                "按期整改率变化", "排名", "排名变化", "红黑榜", "连续上黑榜", "督办措施"]
    assert lines[5].split() == ["道路维修及路灯项目整改组", "2", "2", "0", "0", "11", "74.4%", "+0.7个百分点",
                                "-0.5个百分点", "6", "下降1位", "黑榜", "连续15期", "问责"]
    assert lines[-1].split() == ["合计", "9", "9", "1", "0", "44", "86.5%", "+0.3个百分点", "-0.2个百分点", "—", "—",
                                 "—", "—", "—"]
    first = run("changes", "--as-of", "2026-08-07", db=sample_db).stdout.splitlines()
    assert first[1] == "没有更早的台账可比较，全部问题算作新交办"
    fc = run("forecast", "--as-of", "2026-10-16", db=sample_db).stdout.splitlines()
    assert fc[1:3] == ["按最近8次台账间隔的每周新增与整改数随机抽样模拟2000次，估计各工作组全部整改完成的日期。",
                       "评估阶段2026年11月1日开始"]
    assert fc[3].split() == ["工作组", "未整改", "周均新增", "周均整改", "预测结论", "按期完成概率", "预测亮灯",
                             "五成把握完成日期", "八成五把握完成日期"]
    assert fc[-1].split() == ["合计", "83", "36.6", "28.1", "积压未减少", "0.0%", "红", "积压未减少", "积压未减少"]


def test_changes_refuses_a_since_not_before_as_of(sample_db, tmp_path):
    out = run("changes", "--as-of", "2026-11-20", "--since", "2026-11-25", db=sample_db)
    assert (out.returncode, out.stdout) == (2, "")
    assert out.stderr == "失败 比较的台账日期（2026年11月20日）应早于截至日期（2026年11月20日）\n"
    empty = tmp_path / "empty.duckdb"
    assert json.loads(run("forecast", "--json", db=empty).stdout) == {"as_of": None}
    assert run("changes", db=empty).stdout == "数据库中还没有任何台账。先导入：python -m data_pipeline ingest 台账.xlsx\n"
