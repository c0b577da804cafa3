"""The 本周变化 and 进度预测 pages (``pages/changes.py``, ``pages/forecast.py``) and the
红榜/黑榜 wording, runs and escalation on 总览, under Streamlit's AppTest, on histories
built by hand where every shown value is known:

Ledgers (no deadlines), weekly on 03-06, 03-13, 03-20 (the first ``reports`` of them):
- 甲: 50 problems, 0 / 10 / 20 done: closes 10 a week, nothing new;
- 乙: 10, 15, 20 problems, 0 / 5 / 10 done: 5 new and 5 done a week;
- with ``hostile``, five groups named like Markdown/HTML, 6 problems each, 1 done.
评估 starts on 04-18 (甲 is done on 04-10, 甲+乙 on 04-17).

The pages' exact agreement with the CLI twins on the sample is in ``test_twins``."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import shutil

import plotly.io as pio
import pytest

import data_pipeline as dp
from dashboard import charts, widgets
from data_pipeline import labels
from data_pipeline.campaign import settings as c
from tests import ledgers as L
from tests.apphelp import go, run_app, texts
from tests.conftest import ROOT

D = dt.date
W1, W2, W3 = D(2026, 3, 6), D(2026, 3, 13), D(2026, 3, 20)
REPORTS = ((W1, 0, 10, 0), (W2, 10, 15, 5), (W3, 20, 20, 10))
HOSTILE = ["![图](http://127.0.0.9:9/track.png)组", "[点我](http://evil.invalid/)组", "<b>粗体</b>组", ":red[红色]组",
           "$x^2$组"]
HEADER = ["问题编号", "问题描述", "责任单位", "整改情况"]
EVALUATION = D(2026, 4, 18)
PAGES = ["pages/changes.py", "pages/forecast.py"]
RED, GREEN = labels.forecast_light("红"), labels.forecast_light("绿")


def rows(group: str, prefix: str, items: int, done: int) -> list[list]:
    return [[f"{prefix}{i:03d}", f"问题{i}", group, "已整改" if i <= done else "未整改"] for i in range(1, items + 1)]


def campaign(folder, reports: int = 3, *, hostile: bool = False, **settings):
    """The database of the module docstring with its settings (``settings`` override)."""
    path = folder / "campaign.duckdb"
    con = dp.connect(path)
    try:
        for day, a_done, b_items, b_done in REPORTS[:reports]:
            data = rows("甲", "A", 50, a_done) + rows("乙", "B", b_items, b_done)
            if hostile:
                data += [r for k, g in enumerate(HOSTILE) for r in rows(g, f"H{k}-", 6, 1)]
            report = f"{day.year}年{day.month}月{day.day}日"
            dp.ingest_file(con, L.write_xlsx(folder / f"{report}.xlsx", L.flat_rows(HEADER, data, f"填报日期：{report}")))
        phases = [c.Phase("实施阶段", D(2026, 3, 1), EVALUATION - dt.timedelta(days=1)),
                  c.Phase("评估阶段", EVALUATION, EVALUATION + dt.timedelta(days=30))]
        assert c.save_settings(con, c.CampaignSettings(**{"name": "测试活动", "phases": phases, **settings})) == []
    finally:
        con.close()
    return path


def table_of(at, first: str):
    found = [d.value for d in at.dataframe if d.value.columns[0] == "group_name" and d.value.columns[1] == first]
    assert len(found) == 1
    return found[0]


def cells(df) -> list[list]:
    """A shown table's rows with missing values (NaN) as None."""
    return [[None if isinstance(v, float) and v != v else v for v in row] for row in df.values.tolist()]


def chart(at, i: int = 0):
    return pio.from_json(at.get("plotly_chart")[i].proto.spec)


# ---------------------------------------------------------------- one report, two reports


def test_first_report_has_nothing_to_compare_with(monkeypatch, tmp_path):
    at = go(run_app(monkeypatch, campaign(tmp_path, 1), no_sample=True), "pages/changes.py")
    assert at.selectbox(key="changes_as_of").options == ["2026年3月6日"]
    none = at.selectbox(key="changes_since_none")
    assert (none.label, none.value, none.disabled) == ("比较的台账日期", "没有更早的台账", True)
    assert at.markdown[0].value == ("没有更早的台账可比较，全部问题算作新交办：新交办**60**项，新整改**0**项，新增超期**0**项，"
                                    "整改后反弹**0**项，持续超期**0**项；整改率0.0%，按期整改率—。")
    assert at.markdown[1].value == "**需升级督办**：**甲**连续1期上黑榜，通报批评；**乙**连续1期上黑榜，通报批评。"
    assert cells(table_of(at, "new_items")) == [
        ["乙", 10, 0, 0, 0, 0, 0.0, "—", None, "—", 1, "—", "黑榜", "连续1期", "—", "通报批评"],
        ["甲", 50, 0, 0, 0, 0, 0.0, "—", None, "—", 1, "—", "黑榜", "连续1期", "—", "通报批评"],
        ["合计", 60, 0, 0, 0, 0, 0.0, "—", None, "—", None, "—", "—", "—", "—", "—"]]
    bars = chart(at)
    assert {t.name: (list(t.y), list(t.x)) for t in bars.data} == {
        "新交办": (["乙", "甲"], [10, 50]), "新整改": (["乙", "甲"], [0, 0]), "新增超期": (["乙", "甲"], [0, 0]),
        "整改后反弹": (["乙", "甲"], [0, 0])}


@pytest.mark.parametrize("reports", [1, 2])
def test_forecast_with_fewer_than_three_reports_says_insufficient_data(monkeypatch, tmp_path, reports):
    at = go(run_app(monkeypatch, campaign(tmp_path, reports), no_sample=True), "pages/forecast.py")
    assert [i.value for i in at.info] == ["**数据不足**：台账少于3期，无法预测。再有几期台账后即可预测。"]
    assert not any(c.value.startswith("预测方法") for c in at.caption)   # nothing was simulated
    assert at.markdown[0].value == "评估阶段2026年4月18日开始；按期完成概率是在这一天之前全部整改完成的可能性。"
    assert not at.get("plotly_chart") and not at.warning
    open_now = {1: [10, 50, 60], 2: [10, 40, 50]}[reports]
    assert cells(table_of(at, "open")) == [
        [g, n, "—", "—", "—", "数据不足", None, "—", "数据不足", "数据不足", "台账少于3期，无法预测"]
        for g, n in zip(["乙", "甲", "合计"], open_now)]


# ---------------------------------------------------------------- three reports: known answers


def test_changes_between_two_chosen_reports(monkeypatch, tmp_path):
    at = go(run_app(monkeypatch, campaign(tmp_path), no_sample=True), "pages/changes.py")
    assert (at.selectbox(key="changes_as_of").value, at.selectbox(key="changes_since").value) == (W3, W2)
    assert at.selectbox(key="changes_since").options == ["2026年3月13日", "2026年3月6日"]
    assert at.markdown[0].value == ("与2026年3月13日的台账相比：新交办**5**项，新整改**15**项，新增超期**0**项，整改后反弹**0**项，"
                                    "持续超期**0**项；整改率42.9%（+19.8个百分点），按期整改率100.0%（持平）。")
    assert cells(table_of(at, "new_items"))[:2] == [
        ["乙", 5, 5, 0, 0, 0, 50.0, "+16.7个百分点", 100.0, "持平", 1, "持平", "黑榜", "连续3期", "—", "问责"],
        ["甲", 0, 10, 0, 0, 0, 40.0, "+20.0个百分点", 100.0, "持平", 2, "持平", "黑榜", "连续3期", "—", "问责"]]
    at.selectbox(key="changes_since").set_value(W1).run()
    assert not at.exception
    assert at.markdown[0].value == ("与2026年3月6日的台账相比：新交办**10**项，新整改**30**项，新增超期**0**项，整改后反弹**0**项，"
                                    "持续超期**0**项；整改率42.9%（+42.9个百分点），按期整改率100.0%。")   # none on 03-06
    assert {t.name: list(t.x) for t in chart(at).data} == {"新交办": [10, 0], "新整改": [10, 20], "新增超期": [0, 0],
                                                           "整改后反弹": [0, 0]}


def test_the_pickers_follow_the_sidebar_and_keep_a_chosen_date(monkeypatch, tmp_path):
    at = go(run_app(monkeypatch, campaign(tmp_path), no_sample=True), "pages/changes.py")
    # The sidebar's date moves the page's 截至, and the default comparison with it.
    at.selectbox(key="as_of").set_value(W2).run()
    assert (at.selectbox(key="changes_as_of").value, at.selectbox(key="changes_since").value) == (W2, W1)
    assert at.selectbox(key="changes_since").options == ["2026年3月6日"]
    # The page's 截至 moves the sidebar's date (every page shows the same date).
    at.selectbox(key="changes_as_of").set_value(W3).run()
    assert at.selectbox(key="as_of").value == W3 and "截至2026年3月20日" in at.caption[0].value
    assert at.selectbox(key="changes_since").value == W2
    # A comparison chosen by hand stays while it is before 截至, also across pages.
    at.selectbox(key="changes_since").set_value(W1).run()
    go(at, "pages/trend.py")
    go(at, "pages/changes.py")
    assert at.selectbox(key="changes_since").value == W1
    at.selectbox(key="as_of").set_value(W2).run()
    assert at.selectbox(key="changes_since").value == W1
    at.selectbox(key="as_of").set_value(W1).run()
    assert at.selectbox(key="changes_since_none").value == "没有更早的台账"
    at.selectbox(key="as_of").set_value(W3).run()
    assert at.selectbox(key="changes_since").value == W2      # the hand-picked date was gone: default again


def test_forecast_with_known_answers(monkeypatch, tmp_path):
    at = go(run_app(monkeypatch, campaign(tmp_path), no_sample=True), "pages/forecast.py")
    assert [c.value for c in at.caption if c.value.startswith("预测方法")] == [
        "预测方法：按最近2次台账间隔的每周新增与整改数随机抽样模拟2000次，估计各工作组全部整改完成的日期。"]
    assert [m.value for m in at.markdown] == [
        "评估阶段2026年4月18日开始；按期完成概率是在这一天之前全部整改完成的可能性。",
        f"全部问题在评估阶段开始前整改完成的可能性为**100.0%**（{GREEN}）；预计全部整改完成的日期："
        "五成把握**2026年4月17日**，八成五把握**2026年4月17日**。"]
    assert cells(table_of(at, "open")) == [
        ["乙", 10, "5.0", "5.0", "0.0", "积压未减少", 0.0, RED, "积压未减少", "积压未减少", "—"],
        ["甲", 30, "0.0", "10.0", "10.0", "预计可完成", 100.0, GREEN, "2026年4月10日", "2026年4月10日", "—"],
        ["合计", 40, "5.0", "15.0", "10.0", "预计可完成", 100.0, GREEN, "2026年4月17日", "2026年4月17日", "—"]]
    bars = chart(at)
    assert [(t.name, list(t.y), list(t.x)) for t in bars.data if t.type == "bar"] == [
        (RED, ["乙"], [0.0]), (GREEN, ["甲", "合计"], [1.0, 1.0])]
    assert [t.name for t in bars.data if t.type == "scatter"] == ["绿色线 85%", "黄色线 50%"]
    assert [c.value for c in at.caption if c.value.startswith("按期完成概率")] == [
        "按期完成概率不低于85%亮绿灯，不低于50%亮黄灯，其余亮红灯（见“设置”页）。"]
    # Only 乙: the backlog is not shrinking, no date; a red light is a warning.
    at.multiselect(key="groups").set_value(["乙"]).run()
    assert at.warning[0].value == (f"全部问题在评估阶段开始前整改完成的可能性为**0.0%**（{RED}）；周均新增5.0项、周均整改5.0项，"
                                   "**积压未减少**，无法给出完成日期。")


def test_forecast_without_or_after_the_evaluation_phase(monkeypatch, tmp_path):
    path = campaign(tmp_path, phases=[])
    at = go(run_app(monkeypatch, path, no_sample=True), "pages/forecast.py")
    assert [m.value for m in at.markdown] == [
        "尚未设置评估阶段（见“设置”页）：只给出完成日期，不计算评估前全部整改的概率。",
        "全部问题预计全部整改完成的日期：五成把握**2026年4月17日**，八成五把握**2026年4月17日**。"]
    assert not at.get("plotly_chart")
    assert table_of(at, "open")["reason"].tolist() == ["未设置评估阶段"] * 3
    con = dp.connect(path)
    try:
        s = dp.load_settings(con)
        c.save_settings(con, dataclasses.replace(s, phases=[c.Phase("迎检阶段", D(2026, 3, 15), D(2026, 4, 30))]))
    finally:
        con.close()
    at.run()
    assert at.markdown[0].value == "迎检阶段已于2026年3月15日开始：不再计算评估前全部整改的概率，只给出完成日期。"
    assert table_of(at, "open")["reason"].tolist() == ["评估阶段已开始"] * 3


# ---------------------------------------------------------------- 总览: the rank rule, runs and escalation


def test_overview_words_the_rank_rule_and_shows_runs_and_escalation(monkeypatch, sample_db, tmp_path):
    path = tmp_path / "campaign.duckdb"
    shutil.copy(sample_db, path)
    con = dp.connect(path)
    try:
        s = dp.load_settings(con)
        assert c.save_settings(con, dataclasses.replace(s, badge_rule="rank", badge_top_n=2, badge_bottom_n=2)) == []
    finally:
        con.close()
    at = run_app(monkeypatch, path)
    captions = [x.value for x in at.caption]
    assert "颜色表示亮牌（规则见下表上方说明），竖线为红榜线和黑榜线（按名次评榜时，这两条线只用于亮牌）。" in captions
    i = captions.index("整改率前2名（含并列）")
    assert captions[i + 1] == "整改率后2名（含并列，已上红榜的除外）"
    assert [m.value for m in at.markdown if m.value.startswith(("1. ", "- "))] == [
        "1. **宣传氛围营造组** 98.3%（连续14期）\n2. **市容环境组** 95.2%（连续9期）",
        "1. **道路维修及路灯项目整改组** 74.4%（连续15期，问责）\n2. **其他项目推进整改组** 74.6%（连续12期，问责）",
        "- **道路维修及路灯项目整改组**：问责（连续15期上黑榜）\n- **其他项目推进整改组**：问责（连续12期上黑榜）"]
    table = at.table[0].value
    assert table[["红黑榜", "连续上黑榜", "连续上红榜", "督办措施"]].values.tolist() == [
        ["—", "—", "—", "—"], ["黑榜", "连续15期", "—", "问责"], ["红榜", "—", "连续9期", "—"], ["—", "—", "—", "—"],
        ["黑榜", "连续12期", "—", "问责"], ["红榜", "—", "连续14期", "—"]]
    go(at, "pages/changes.py")
    assert at.caption[1].value == ("红榜：整改率前2名（含并列）；黑榜：整改率后2名（含并列，已上红榜的除外）。"
                                   "连续上黑榜的督办措施：连续1期：通报批评；连续2期：约谈；连续3期及以上：问责。")
    assert table_of(at, "new_items")["warning_streak"].tolist() == ["—", "连续15期", "—", "—", "连续12期", "—", "—"]


# ---------------------------------------------------------------- states every page handles


def test_empty_database_and_filters_that_match_nothing(monkeypatch, tmp_path, sample_db):
    at = run_app(monkeypatch, tmp_path / "empty.duckdb", no_sample=True)
    for page in PAGES:
        go(at, page)
        assert at.info[0].value.startswith("**还没有任何台账数据。**") and not at.dataframe, page
    path = tmp_path / "campaign.duckdb"
    shutil.copy(sample_db, path)
    at = run_app(monkeypatch, path)
    at.multiselect(key="groups").set_value(["交通秩序组"]).run()
    at.multiselect(key="categories").set_value(["公益广告"]).run()
    for page in PAGES:
        go(at, page)
        assert at.info[0].value == "所选范围内没有问题，请调整左侧的工作组或问题类别筛选。", page
        assert not at.dataframe and not at.get("plotly_chart")


@pytest.mark.parametrize("as_of", [D(2026, 8, 7), D(2026, 8, 14), D(2026, 10, 2), D(2026, 11, 27)])
def test_no_english_none_nan_or_field_name_on_the_pages(monkeypatch, sample_db, tmp_path, as_of):
    path = tmp_path / "campaign.duckdb"
    shutil.copy(sample_db, path)
    at = run_app(monkeypatch, path)
    at.selectbox(key="as_of").set_value(as_of).run()
    for page in PAGES + ["pages/overview.py"]:
        go(at, page)
        shown = [texts(at)] + [str(v) for t in at.table for v in t.value.values.ravel()]
        for frame in at.dataframe:
            config = json.loads(frame.proto.columns)
            shown += [config[col]["label"] for col in frame.value.columns]
            shown += [config[col].get("help") or "" for col in frame.value.columns]
            shown += [v for v in frame.value.values.ravel() if isinstance(v, str)]
        for spec in (json.loads(ch.proto.spec) for ch in at.get("plotly_chart")):
            shown += [t.get("name") or "" for t in spec["data"]]
            shown += [x for t in spec["data"] for x in (t.get("customdata") or []) + (t.get("text") or [])
                      if isinstance(x, str)]
        for text in shown:
            assert not re.search(r"None|nan|NaN|null|[A-Za-z_]{2,}", text.replace("<br>", "")), (page, text)


def test_a_page_runs_on_its_own(monkeypatch, tmp_path):
    """No router: the page draws the sidebar itself; its 截至 is the sidebar's."""
    from streamlit.testing.v1 import AppTest
    monkeypatch.setenv("CAMPAIGN_DB", str(campaign(tmp_path)))
    monkeypatch.setenv("CAMPAIGN_NO_SAMPLE", "1")
    at = AppTest.from_file(str(ROOT / "pages" / "changes.py"), default_timeout=60)
    at.session_state["as_of"] = W2
    at.run()
    assert not at.exception, at.exception
    assert (at.title[0].value, at.selectbox(key="changes_as_of").value) == ("本周变化", W2)
    assert at.markdown[0].value.startswith("与2026年3月6日的台账相比：新交办**5**项，新整改**15**项")


# ---------------------------------------------------------------- ledger text stays inert


def test_hostile_group_names_and_actions_stay_text(monkeypatch, tmp_path):
    action = "[点我](http://evil.invalid/)约谈"
    path = campaign(tmp_path, hostile=True, escalation=[c.Escalation(1, "通报批评"), c.Escalation(3, action)])
    con = dp.connect(path, read_only=True)
    try:
        stored = [g for g in dp.figures.filter_options(con, dp.load_settings(con))[0] if g not in ("甲", "乙")]
    finally:
        con.close()
    assert len(stored) == 5 and "red[红色]组" in stored     # as stored (leading ':' trimmed)
    at = run_app(monkeypatch, path, no_sample=True)
    for page in ["pages/overview.py"] + PAGES:
        go(at, page)
        markdown = [e.value for kind in ("markdown", "caption", "info", "warning", "success") for e in getattr(at, kind)]
        markdown += [str(v) for t in at.table for v in [*t.value.index, *t.value.values.ravel()]]
        for raw in stored + [action]:
            assert not any(raw in m for m in markdown), (page, raw)     # never unescaped
        for spec in (json.loads(ch.proto.spec) for ch in at.get("plotly_chart")):
            strings = [s for t in spec["data"] for s in list(t.get("y") or []) + list(t.get("customdata") or [])
                       if isinstance(s, str)]
            assert "<b>粗体</b>组" not in " ".join(strings) and charts.plain("<b>粗体</b>组") in strings, page
        for frame in at.dataframe:
            assert set(stored) <= set(frame.value["group_name"]), page   # tables hold the names as stored
        if page == "pages/overview.py":
            lists = [m.value for m in at.markdown if m.value.startswith(("1. ", "- "))]
            assert f"**{widgets.md('<b>粗体</b>组')}** 16.7%（连续3期，{widgets.md(action)}）" in lists[0]
            assert f"- **{widgets.md('<b>粗体</b>组')}**：{widgets.md(action)}（连续3期上黑榜）" in lists[1]
            assert at.table[0].value.loc[widgets.md("<b>粗体</b>组"), "督办措施"] == widgets.md(action)
        if page == "pages/changes.py":
            escalated = next(m.value for m in at.markdown if m.value.startswith("**需升级督办**"))
            assert f"**{widgets.md('[点我](http://evil.invalid/)组')}**连续3期上黑榜，{widgets.md(action)}" in escalated
            assert table_of(at, "new_items")["escalation"].tolist()[:5] == [action] * 5
