"""The dashboard under Streamlit's AppTest: every page on an empty database and on the
sample campaign, and the exact numbers shown after changing the as-of date and the
filters (they must equal data_pipeline's metrics)."""
from __future__ import annotations

import base64
import datetime as dt
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import plotly.io as pio
import pytest
from streamlit.testing.v1 import AppTest

import data_pipeline as dp
from data_pipeline import exports, figures, labels
from data_pipeline.metrics import Filters
from tests import ledgers as L
from tests.apphelp import OFFICE_PAGES, VIEW_PAGES, go, login, run_app, texts, shown
from tests.conftest import ROOT

PAGES = VIEW_PAGES + ["pages/settings.py"]
LATEST, EARLIER = dt.date(2026, 11, 27), dt.date(2026, 10, 2)
KPI_LABELS = ["交办总数", "已整改", "整改率", "超期", "临期", "按期整改率"]
OVERDUE_COLUMNS = ["group_name", "assignee", "item_id", "description", "location", "category", "deadline",
                   "days_overdue", "status_label"]
DUE_SOON_COLUMNS = ["group_name", "assignee", "item_id", "description", "location", "category", "deadline",
                    "status_label"]


def pct(rate) -> str:
    return f"{rate * 100:.1f}%"


def expected_cards(totals: dict) -> list[str]:
    return [str(totals["items"]), str(totals["done"]), pct(totals["completion_rate"]), str(totals["overdue"]),
            str(totals["due_soon"]), pct(totals["on_time_rate"])]


def summary(path, as_of=None, groups=None, categories=None) -> dict:
    con = dp.connect(path, read_only=True)
    try:
        return dp.summary(con, as_of, filters=Filters.of(groups, categories))
    finally:
        con.close()


def overdue_figure(path, as_of, groups, min_days=0):
    con = dp.connect(path, read_only=True)
    try:
        return figures.overdue(con, as_of, dp.load_settings(con), Filters.of(groups), min_days=min_days)
    finally:
        con.close()


def cards(at) -> list[str]:
    assert [m.label for m in at.metric] == KPI_LABELS
    return [m.value for m in at.metric]


def array(values) -> list:
    """A plotly trace's values (JSON may carry them as base64 typed arrays)."""
    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def frame(at, *columns: str):
    """The shown table whose columns start with ``columns`` (AppTest exposes no key
    for a table without selection)."""
    found = [d.value for d in at.dataframe if list(d.value.columns[:len(columns)]) == list(columns)]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


@pytest.fixture
def sample_copy(sample_db, tmp_path) -> Path:
    path = tmp_path / "campaign.duckdb"
    shutil.copy(sample_db, path)
    return path


@pytest.fixture
def app(monkeypatch, sample_copy) -> AppTest:
    return run_app(monkeypatch, sample_copy)


# ---------------------------------------------------------------- empty database

def test_every_page_on_an_empty_database(monkeypatch, tmp_path):
    at = login(run_app(monkeypatch, tmp_path / "empty.duckdb", no_sample=True))
    for page in VIEW_PAGES + OFFICE_PAGES:
        go(at, page)
        assert [shown(i) for i in at.info][0].startswith("**还没有任何台账数据。**")
        assert "“数据上传”页" in shown(at.info[0]) and "python" not in shown(at.info[0])
        assert not at.metric and not at.warning
    go(at, "pages/settings.py")
    assert at.form_submit_button  # settings can be edited before any data arrives
    go(at, "pages/upload.py")
    assert at.file_uploader  # and the first ledgers uploaded


def test_first_start_loads_the_sample_campaign(monkeypatch, tmp_path):
    path = tmp_path / "new" / "campaign.duckdb"
    at = run_app(monkeypatch, path)
    assert shown(at.warning[0]).startswith("**示例数据**")
    assert cards(at) == ["467", "404", "86.5%", "45", "3", "45.5%"]
    con = dp.connect(path, read_only=True)
    try:
        assert len(dp.list_batches(con)) == 34
    finally:
        con.close()


# ---------------------------------------------------------------- sample campaign

def test_every_page_runs_on_the_sample(app):
    login(app)
    for page in PAGES + OFFICE_PAGES:
        go(app, page)
        assert app.warning[0].value.startswith("**示例数据**"), page
        assert "截至2026年11月27日" in app.caption[0].value


def test_overview_numbers_equal_the_metrics(app, sample_copy):
    totals = summary(sample_copy, LATEST)["totals"]
    assert cards(app) == expected_cards(totals) == ["467", "404", "86.5%", "45", "3", "45.5%"]
    prev = summary(sample_copy, dt.date(2026, 11, 20))["totals"]
    assert [m.delta for m in app.metric] == [
        f"{totals['items'] - prev['items']:+d}", f"{totals['done'] - prev['done']:+d}",
        f"{(totals['completion_rate'] - prev['completion_rate']) * 100:+.1f}个百分点",
        f"{totals['overdue'] - prev['overdue']:+d}", "持平",
        f"{(totals['on_time_rate'] - prev['on_time_rate']) * 100:+.1f}个百分点"]
    assert [m.delta for m in app.metric] == ["+9", "+9", "+0.3个百分点", "-3", "持平", "-0.2个百分点"]
    head = app.caption[0].value
    assert head == "临江区创建全国文明城市（示例） ｜ 截至2026年11月27日 ｜ 当前阶段：评估阶段（11月1日至12月31日），还剩34天"
    assert app.error[0].value.startswith("**评估阶段已于11月1日开始，整改率仍未达到目标90%，还需整改17项**")
    overdue = next(m.value for m in app.markdown if m.value.startswith("**超期问题"))
    assert overdue.startswith("**超期问题45项**：超期30天以上26项、超期8–30天18项、超期1–7天1项。拖得最久的已超期**92天**（整改时限8月27日）")
    lists = [m.value for m in app.markdown if m.value.startswith("1. ")]
    assert lists == ["1. **宣传氛围营造组** 98.3%（连续4期）\n2. **市容环境组** 95.2%（连续3期）",
                     "1. **道路维修及路灯项目整改组** 74.4%（连续15期，问责）\n2. **其他项目推进整改组** 74.6%（连续15期，问责）"]
    assert [c.value for c in app.caption[3:5]] == ["整改率达到90%及以上", "整改率低于85%"]
    assert [m.value for m in app.markdown if m.value.startswith("- ")] == [
        "- **道路维修及路灯项目整改组**：问责（连续15期上黑榜）\n- **其他项目推进整改组**：问责（连续15期上黑榜）"]
    assert app.caption[5].value == "按连续上黑榜的期数：连续1期：通报批评；连续2期：约谈；连续3期及以上：问责。"
    table = app.table[0].value
    assert list(table.columns) == ["亮牌", "整改率", "交办总数", "已整改", "超期", "超期占比", "红黑榜", "连续上黑榜",
                                   "连续上红榜", "督办措施", "说明"]
    by_group = {g["group"]: g for g in summary(sample_copy, LATEST)["groups"]}
    assert list(table.index) == ["工地围挡绿化整改组", "道路维修及路灯项目整改组", "市容环境组", "交通秩序组",
                                 "其他项目推进整改组", "宣传氛围营造组"]
    for group, row in table.iterrows():
        assert row["整改率"] == pct(by_group[group]["completion_rate"])
        assert row["交办总数"] == str(by_group[group]["items"])
        assert row["超期"] == str(by_group[group]["overdue"])
    assert table.loc["道路维修及路灯项目整改组", "亮牌"] == "红牌"
    assert table.loc["交通秩序组", "说明"] == "整改率88.0%，低于红榜线90%；超期占比10.7%，高于10%"
    assert table.loc["道路维修及路灯项目整改组", ["红黑榜", "连续上黑榜", "连续上红榜", "督办措施"]].tolist() == [
        "黑榜", "连续15期", "—", "问责"]
    assert table.loc["交通秩序组", ["红黑榜", "连续上黑榜", "连续上红榜", "督办措施"]].tolist() == ["—", "—", "—", "—"]
    assert table.loc["宣传氛围营造组", ["红黑榜", "连续上红榜"]].tolist() == ["红榜", "连续4期"]


def test_changing_the_as_of_date_and_a_group_filter(app, sample_copy):
    app.selectbox(key="as_of").set_value(EARLIER).run()
    assert not app.exception
    assert cards(app) == expected_cards(summary(sample_copy, EARLIER)["totals"]) == [
        "257", "166", "64.6%", "47", "12", "46.7%"]
    assert "截至2026年10月2日" in app.caption[0].value
    assert "当前阶段：实施阶段（9月1日至10月31日），还剩29天" in app.caption[0].value
    assert app.caption[1].value == "箭头和增减数是与上一期台账（2026年9月25日）相比的变化。"

    app.multiselect(key="groups").set_value(["市容环境组", "交通秩序组"]).run()
    assert not app.exception
    want = summary(sample_copy, EARLIER, groups=["市容环境组", "交通秩序组"])["totals"]
    assert cards(app) == expected_cards(want)
    assert list(app.table[0].value.index) == ["市容环境组", "交通秩序组"]

    app.multiselect(key="categories").set_value(["交通秩序"]).run()
    want = summary(sample_copy, EARLIER, groups=["市容环境组", "交通秩序组"], categories=["交通秩序"])["totals"]
    assert cards(app) == expected_cards(want)


def test_filters_persist_across_pages(app, sample_copy):
    app.selectbox(key="as_of").set_value(EARLIER).run()
    app.multiselect(key="groups").set_value(["交通秩序组"]).run()
    go(app, "pages/trend.py")
    assert app.selectbox(key="as_of").value == EARLIER
    assert app.multiselect(key="groups").value == ["交通秩序组"]
    go(app, "pages/group.py")
    assert app.selectbox(key="group_pick").value == "交通秩序组"
    assert app.selectbox(key="group_pick").options == ["交通秩序组"]
    want = summary(sample_copy, EARLIER, groups=["交通秩序组"])["totals"]
    assert cards(app) == expected_cards(want)


def test_group_page(app, sample_copy):
    go(app, "pages/group.py")
    assert app.selectbox(key="group_pick").value == "工地围挡绿化整改组"
    app.selectbox(key="group_pick").set_value("道路维修及路灯项目整改组").run()
    assert not app.exception
    group = next(g for g in summary(sample_copy, LATEST)["groups"] if g["group"] == "道路维修及路灯项目整改组")
    assert cards(app) == expected_cards(group) == ["78", "58", "74.4%", "11", "0", "32.9%"]
    items = frame(app, "item_id", "description")
    assert len(items) == 78
    want = overdue_figure(sample_copy, LATEST, ["道路维修及路灯项目整改组"]).overdue
    # overdue first, most days first
    assert list(items["item_id"].head(11)) == list(want["item_id"])
    assert list(items["days_overdue"].head(3)) == [65, 62, 56]
    assert set(items["status_label"]) <= {"已整改", "整改中", "未整改", "长期整改"}
    app.text_input(key="group_search").set_value("路灯 不亮").run()
    found = frame(app, "item_id", "description")
    assert len(found) > 0 and all("路灯" in d and "不亮" in d for d in found["description"])
    by_cat = frame(app, "category")
    assert by_cat["items"].sum() == 78 and by_cat["done"].sum() == 58 and by_cat["overdue"].sum() == 11
    # the sample's layout-A groups fill 所属网格 with street offices
    assert set(frame(app, "grid")["grid"]) == {"东城街道", "西城街道", "南湖街道", "北山街道"}


def test_overdue_page_and_its_download(app, sample_copy):
    go(app, "pages/overdue.py")
    table = frame(app, *OVERDUE_COLUMNS)
    assert len(table) == summary(sample_copy, LATEST)["totals"]["overdue"] == 45
    assert list(table["days_overdue"]) == sorted(table["days_overdue"], reverse=True)
    assert app.subheader[0].value == "超期问题（45项）"
    assert app.subheader[1].value == "临期问题（3项）"
    assert len(frame(app, *DUE_SOON_COLUMNS)) == 3

    app.number_input(key="overdue_min_days").set_value(30).run()
    app.multiselect(key="overdue_groups").set_value(["其他项目推进整改组"]).run()
    assert not app.exception
    want = overdue_figure(sample_copy, LATEST, ["其他项目推进整改组"], min_days=30).overdue
    shown = frame(app, *OVERDUE_COLUMNS)
    assert list(shown["item_id"]) == list(want["item_id"]) and len(shown) == 7
    assert app.subheader[0].value == "超期问题（7项）"

    columns = list(shown.columns)
    book = openpyxl.load_workbook(io.BytesIO(exports.overdue_xlsx(shown, "督办单", columns)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "督办单"
    assert list(rows[1]) == [labels.COLUMN_LABELS[c] for c in columns]
    assert [r[columns.index("item_id")] for r in rows[2:]] == list(want["item_id"])
    assert [r[columns.index("days_overdue")] for r in rows[2:]] == list(want["days_overdue"])
    assert app.download_button[0].label == "下载督办单（Excel，即上表所列问题）"


def test_trend_page(app, sample_copy):
    go(app, "pages/trend.py")
    table = frame(app, "phase")
    con = dp.connect(sample_copy, read_only=True)
    try:
        want = figures.trend(con, LATEST, dp.load_settings(con)).phases
    finally:
        con.close()
    assert table[["phase", "state", "assigned", "done", "assigned_done"]].values.tolist() == \
        want[["phase", "state", "assigned", "done", "assigned_done"]].values.tolist()
    assert table["period"].tolist() == ["8月1日至8月31日", "9月1日至10月31日", "11月1日至12月31日"]
    charts = [pio.from_json(c.proto.spec) for c in app.get("plotly_chart")]
    assert len(charts) == 3
    burnup = charts[0]
    assert [t.name for t in burnup.data] == ["累计交办", "累计整改"]
    assert array(burnup.data[0].y)[-1] == 467 and array(burnup.data[1].y)[-1] == 404
    assert [a.text for a in burnup.layout.annotations] == ["准备阶段", "实施阶段", "评估阶段"]
    assert burnup.layout.xaxis.tickformat == "%-m月%-d日"


def test_settings_change_takes_effect(app, sample_copy):
    go(login(app), "pages/settings.py")
    app.number_input(key="set_honour").set_value(80.0)
    app.number_input(key="set_warning").set_value(75.0)
    app.form_submit_button[0].click().run()
    assert not app.exception and not app.error
    assert app.success[0].value == "设置已保存，各页面已按新设置显示。"
    go(app, "pages/overview.py")
    lists = [m.value for m in app.markdown if m.value.startswith("1. ")]
    assert lists == ["1. **宣传氛围营造组** 98.3%（连续5期）\n2. **市容环境组** 95.2%（连续5期）\n"
                     "3. **交通秩序组** 88.0%（连续4期）\n4. **工地围挡绿化整改组** 86.4%（连续3期）",
                     "1. **道路维修及路灯项目整改组** 74.4%（连续15期，问责）\n2. **其他项目推进整改组** 74.6%（连续15期，问责）"]
    assert [c.value for c in app.caption[3:5]] == ["整改率达到80%及以上", "整改率低于75%"]
    con = dp.connect(sample_copy, read_only=True)
    try:
        assert (dp.load_settings(con).honour_rate, dp.load_settings(con).warning_rate) == (0.8, 0.75)
    finally:
        con.close()


def test_invalid_settings_are_refused(app, sample_copy):
    go(login(app), "pages/settings.py")
    app.number_input(key="set_honour").set_value(80.0)
    app.number_input(key="set_warning").set_value(85.0)
    app.form_submit_button[0].click().run()
    assert app.error[0].value == "**设置未保存：**\n- 黑榜线（85%）不能高于红榜线（80%）"
    con = dp.connect(sample_copy, read_only=True)
    try:
        assert dp.load_settings(con).honour_rate == 0.9
    finally:
        con.close()


def test_tables_and_charts_have_chinese_labels(app):
    """No raw column name (group_name, completion_rate…) reaches the screen."""
    for page in VIEW_PAGES:
        go(app, page)
        for frame in app.dataframe:
            config = json.loads(frame.proto.columns)
            shown = [c for c in frame.value.columns]
            for column in shown:
                label = config.get(column, {}).get("label", column)
                assert any("\u4e00" <= ch <= "\u9fff" for ch in label), (page, column, label)
        for chart in app.get("plotly_chart"):
            spec = json.loads(chart.proto.spec)
            for trace in spec["data"]:
                assert trace.get("showlegend") is False or any("\u4e00" <= ch <= "\u9fff" for ch in trace["name"]), \
                    (page, trace.get("name"))
        body = texts(app)
        for raw in ("group_name", "completion_rate", "on_time_rate", "days_overdue", "status_label", "None", "nan"):
            assert raw not in body, (page, raw)


# ---------------------------------------------------------------- new data while serving

def test_cli_ingest_while_serving_shows_on_next_run(app, sample_copy, tmp_path):
    before = app.metric[0].value
    rows = [["XN-001", "新发现的问题", "道路设施", "新增工作组", dt.date(2026, 12, 10), "未整改"],
            ["XN-002", "另一个问题", "道路设施", "新增工作组", dt.date(2026, 12, 1), "已整改"]]
    ledger = L.write_xlsx(tmp_path / "新台账.xlsx", L.flat_rows(
        ["问题编号", "问题描述", "问题类别", "责任单位", "整改时限", "整改情况"], rows, "填报日期：2026年12月4日"))
    done = subprocess.run([sys.executable, "-m", "data_pipeline", "ingest", str(ledger), "--db", str(sample_copy)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("导入 新台账.xlsx：已导入批次") and "示例数据（" in done.stdout   # replaced
    app.run()
    assert not app.exception
    assert app.selectbox(key="as_of").value == dt.date(2026, 12, 4)
    assert cards(app) == expected_cards(summary(sample_copy, dt.date(2026, 12, 4))["totals"])
    assert before != "2" and app.metric[0].value == "2"   # the sample is gone with the first real ledger
    assert not any("示例数据" in w.value for w in app.warning)
    assert not app.error   # no sample phases any more: no readiness verdict, only the info to set phases


def write_ledger(tmp_path, name="新台账.xlsx", report="2026年12月4日"):
    rows = [["XN-001", "新发现的问题", "道路设施", "新增工作组", dt.date(2026, 12, 10), "未整改"]]
    return L.write_xlsx(tmp_path / name, L.flat_rows(
        ["问题编号", "问题描述", "问题类别", "责任单位", "整改时限", "整改情况"], rows, f"填报日期：{report}"))


def test_cli_ingest_waits_for_a_dashboard_read(app, sample_copy, tmp_path):
    """The CLI retries while the dashboard holds its read lock, then succeeds."""
    import threading

    from dashboard import data
    ready, release = threading.Event(), threading.Event()

    def read_until_released():
        with data.reading(str(sample_copy)):
            ready.set()
            release.wait(60)

    reader = threading.Thread(target=read_until_released)
    reader.start()
    ready.wait()
    cli = subprocess.Popen([sys.executable, "-m", "data_pipeline", "ingest", str(write_ledger(tmp_path)),
                            "--db", str(sample_copy)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
    try:
        cli.wait(timeout=3)
        waited = False
    except subprocess.TimeoutExpired:
        waited = True     # still retrying while the read lasts
    release.set()
    reader.join()
    out, err = cli.communicate(timeout=120)
    assert waited
    assert (cli.returncode, err) == (0, "")
    assert out.startswith("导入 新台账.xlsx：已导入批次")
    app.run()
    assert not app.exception
    assert app.selectbox(key="as_of").value == dt.date(2026, 12, 4)


def test_dashboard_shows_last_data_while_the_cli_writes(app, sample_copy):
    """While another process holds the write lock, the page shows the last data it had,
    with a note, and no error."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time, duckdb; c = duckdb.connect(sys.argv[1]); print('locked', flush=True); "
                               "time.sleep(8)", str(sample_copy)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        app.run()
        assert not app.exception
        assert [e.value[:13] for e in app.error] == ["**评估阶段已于11月1日"]   # the readiness line only
        assert app.info[0].value.startswith("数据库正在写入新数据")
        assert cards(app) == ["467", "404", "86.5%", "45", "3", "45.5%"]
    finally:
        holder.kill()
        holder.wait()
    app.run()
    assert not app.info and cards(app) == ["467", "404", "86.5%", "45", "3", "45.5%"]


def test_filters_that_match_nothing(app):
    app.multiselect(key="groups").set_value(["交通秩序组"]).run()
    app.multiselect(key="categories").set_value(["公益广告"]).run()
    login(app)
    for page in PAGES:
        go(app, page)
        if page == "pages/overview.py":
            assert cards(app) == ["0", "0", "—", "0", "0", "—"]
            assert app.info[0].value == "所选范围内没有问题，请调整左侧的工作组或问题类别筛选。"
