"""The plotly figures of ``dashboard.charts`` built from the pages' own figure functions
(``data_pipeline.figures``) and read back as the JSON the browser gets: time axes with
ticks at report dates and nothing after the as-of date, bars one report interval wide,
phase bands clipped, group colours fixed by the campaign's group list, rank shading,
ledger text escaped, legends below, and no ``None``/``nan``/raw field name."""
from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import re
import shutil

import numpy as np
import pytest

import data_pipeline as dp
from dashboard import charts
from data_pipeline import figures
from data_pipeline.campaign.settings import Phase
from data_pipeline.metrics import Filters
from tests import ledgers as L
from tests.apphelp import go, run_app

D = dt.date
DAY_MS = 86_400_000
WEEK_MS = 7 * DAY_MS
LATEST, EARLIER = D(2026, 11, 27), D(2026, 10, 30)
SAMPLE_GROUPS = ["工地围挡绿化整改组", "道路维修及路灯项目整改组", "市容环境组", "交通秩序组", "其他项目推进整改组",
                 "宣传氛围营造组"]
BOLD, LINK, TEMPLATE = "<b>粗体</b>组", '<a href="http://x">链接</a>', "%{y}组"
IMG = '<img src="http://x/a.png">'
LINK_STORED = '<ahref="http://x">链接</a>'   # group names are stored without spaces
HOSTILE_DATES = [D(2025, 12, 12), D(2025, 12, 19), D(2025, 12, 26), D(2026, 1, 2), D(2026, 1, 5), D(2026, 1, 16),
                 D(2026, 1, 23)]


def as_json(fig) -> dict:
    return json.loads(fig.to_json())


def values(v) -> list:
    """A trace array from figure JSON (plotly may send typed arrays as base64)."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).tolist()
    return list(v)


def strings(obj):
    """Every string value in a JSON tree."""
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from strings(v)


# Where a figure holds text a user reads.
SHOWN_KEYS = {"name", "text", "customdata", "ticktext", "hovertext"}


def shown_texts(spec: dict) -> list[str]:
    """The texts of a figure a user reads: trace names, texts, hover texts, tick labels,
    titles and annotations (the template's own strings left out)."""
    found: list[str] = []

    def walk(obj, key=None):
        if isinstance(obj, dict):
            for k, v in obj.items():
                if k == "template":
                    continue
                if k == "title" and isinstance(v, dict):
                    found.extend(strings(v.get("text", "")))
                elif k == "annotations":
                    found.extend(a.get("text", "") for a in v)
                else:
                    walk(v, k)
        elif isinstance(obj, list):
            for v in obj:
                walk(v, key)
        elif isinstance(obj, str) and key in SHOWN_KEYS:
            found.append(obj)

    walk(spec)
    return found


@pytest.fixture(scope="module")
def sample(sample_db):
    con = dp.connect(sample_db, read_only=True)
    yield con, dp.load_settings(con)
    con.close()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """Weekly ledgers across a year end (a missed week, an extra report three days after
    another) whose group and category names look like HTML and plotly templates."""
    folder = tmp_path_factory.mktemp("hostile")
    con = dp.connect(folder / "campaign.duckdb")
    header = ["问题编号", "问题描述", "问题类别", "责任单位", "整改时限", "整改情况", "备注"]
    groups = [BOLD, LINK, TEMPLATE, "普通组"]
    for n, day in enumerate(HOSTILE_DATES):
        rows = [[f"H-{g}-{i}", f"问题{i}", IMG if i % 2 else "道路&设施", g, D(2026, 3, 1),
                 "已整改" if i < (n + k) % 5 else "整改中", f"第{n + 1}期"]
                for k, g in enumerate(groups) for i in range(4)]
        path = L.write_csv(folder / f"台账{n}.csv", L.flat_rows(header, rows, None))
        dp.ingest_file(con, path, report_date=day)
    yield con, dp.load_settings(con)
    con.close()


def time_figures(con, s, as_of, filters=Filters.of()):
    """Every time-axis figure of 阶段趋势 and 工作组 as of ``as_of``."""
    t = figures.trend(con, as_of, s, filters)
    every, _ = figures.filter_options(con, s)
    g = figures.group(con, as_of, t.groups[0], s, filters)
    return {"burnup": charts.burnup(t.series, s.phases, as_of=as_of),
            "group_lines": charts.group_rate_lines(t.by_group, t.groups, s.phases, s, all_groups=every, as_of=as_of),
            "overdue": charts.overdue_bars(t.series, s.phases, as_of=as_of),
            "group_rate": charts.rate_line(g.series, s.phases, s, as_of=as_of),
            "group_overdue": charts.overdue_bars(g.series, s.phases, as_of=as_of)}


# ---------------------------------------------------------------- time axes


def test_ticks_are_report_dates_up_to_the_as_of_date(sample):
    con, s = sample
    dates = [d for d in dp.report_dates(con) if d <= EARLIER]
    assert len(dates) == 13
    for name, fig in time_figures(con, s, EARLIER).items():
        x = as_json(fig)["layout"]["xaxis"]
        # 13 dates, at most 5 labelled: every 3rd, counted back from the as-of date.
        assert x["tickmode"] == "array", name
        assert x["tickvals"] == ["2026-08-07", "2026-08-28", "2026-09-18", "2026-10-09", "2026-10-30"], name
        assert x["ticktext"] == ["8月7日", "8月28日", "9月18日", "10月9日", "10月30日"], name
        assert set(x["tickvals"]) <= {d.isoformat() for d in dates}
        # One report interval before the first report, up to the as-of date and not after.
        assert x["range"] == ["2026-07-31", "2026-10-30"], name


def test_every_report_date_is_a_tick_when_few(sample):
    con, s = sample
    as_of = D(2026, 8, 28)
    x = as_json(charts.burnup(figures.trend(con, as_of, s).series, s.phases, as_of=as_of))["layout"]["xaxis"]
    assert x["tickvals"] == ["2026-08-07", "2026-08-14", "2026-08-21", "2026-08-28"]
    assert x["ticktext"] == ["8月7日", "8月14日", "8月21日", "8月28日"]


def test_nothing_is_drawn_after_the_as_of_date(sample):
    """Even given a longer series, a chart draws only the reports up to its as-of date."""
    con, s = sample
    t = figures.trend(con, LATEST, s)
    for fig in (charts.burnup(t.series, s.phases, as_of=EARLIER), charts.overdue_bars(t.series, s.phases, as_of=EARLIER),
                charts.group_rate_lines(t.by_group, t.groups, s.phases, s, as_of=EARLIER),
                charts.rate_line(t.series, s.phases, s, as_of=EARLIER)):
        spec = as_json(fig)
        xs = [x for trace in spec["data"] for x in trace["x"]]
        assert xs and max(xs) == "2026-10-30"
        assert spec["layout"]["xaxis"]["range"][1] == "2026-10-30"
    bars = as_json(charts.overdue_bars(t.series, s.phases, as_of=EARLIER))["data"][0]
    assert values(bars["y"]) == t.series["overdue"].tolist()[:13]


def test_bars_are_one_report_interval_wide_and_end_on_their_report(sample):
    con, s = sample
    for name in ("overdue", "group_overdue"):
        bars = as_json(time_figures(con, s, LATEST)[name])["data"][0]
        n = len(bars["x"])
        assert n == 17
        assert values(bars["width"]) == [WEEK_MS] * n
        assert values(bars["offset"]) == [-WEEK_MS] * n      # each bar spans the week ending on its report


def test_year_end_irregular_reports(hostile):
    """Dates across a year: the first tick of each year shows its year; the report
    interval is the median gap (7 days); a bar is never wider than the gap before it."""
    con, s = hostile
    fig = time_figures(con, s, HOSTILE_DATES[-1])
    x = as_json(fig["burnup"])["layout"]["xaxis"]
    assert x["tickvals"] == ["2025-12-12", "2025-12-26", "2026-01-05", "2026-01-23"]
    assert x["ticktext"] == ["2025年12月12日", "12月26日", "2026年1月5日", "1月23日"]
    assert x["range"] == ["2025-12-05", "2026-01-23"]
    bars = as_json(fig["overdue"])["data"][0]
    assert bars["x"] == [d.isoformat() for d in HOSTILE_DATES]
    assert values(bars["width"]) == [7 * DAY_MS, 7 * DAY_MS, 7 * DAY_MS, 7 * DAY_MS, 3 * DAY_MS, 7 * DAY_MS,
                                     7 * DAY_MS]
    # Within one year no tick shows a year.
    x = as_json(time_figures(con, s, D(2025, 12, 26))["burnup"])["layout"]["xaxis"]
    assert x["ticktext"] == ["12月12日", "12月19日", "12月26日"]


def test_phase_bands_are_clipped_to_the_visible_range(sample):
    con, s = sample
    for name, fig in time_figures(con, s, EARLIER).items():
        spec = as_json(fig)["layout"]
        bands = [(b["x0"], b["x1"]) for b in spec["shapes"] if b["type"] == "rect"]
        # 准备 8/1–8/31 (ends at the midnight after its last day), 实施 9/1–10/31 cut at
        # the as-of date; 评估 (from 11/1) not yet visible.
        assert bands == [("2026-08-01", "2026-09-01"), ("2026-09-01", "2026-10-30")], name
        assert [a["text"] for a in spec["annotations"] if a["text"].endswith("阶段")] == ["准备阶段", "实施阶段"]
    # A phase showing only its first days is drawn without a name that would overflow it.
    later = dataclasses.replace(s, phases=[Phase("实施阶段", D(2026, 10, 27), D(2026, 10, 31))])
    spec = as_json(charts.burnup(figures.trend(con, EARLIER, later).series, later.phases, as_of=EARLIER))["layout"]
    assert [(b["x0"], b["x1"]) for b in spec["shapes"]] == [("2026-10-27", "2026-10-30")]
    assert not spec.get("annotations")


# ---------------------------------------------------------------- colours


def line_colors(fig) -> dict:
    return {t["name"]: t["line"]["color"] for t in as_json(fig)["data"] if t.get("mode") == "lines+markers"}


def test_group_colours_are_distinct_and_follow_the_campaign_group_list(sample):
    con, s = sample
    every, _ = figures.filter_options(con, s)
    assert every == SAMPLE_GROUPS
    colors = line_colors(time_figures(con, s, LATEST)["group_lines"])
    assert list(colors) == SAMPLE_GROUPS
    assert list(colors.values()) == list(charts.GROUP_PALETTE[:6])
    # Under a filter showing two groups, each keeps its colour.
    two = Filters.of(["其他项目推进整改组", "市容环境组"])
    t = figures.trend(con, LATEST, s, two)
    filtered = line_colors(charts.group_rate_lines(t.by_group, t.groups, s.phases, s, all_groups=every))
    assert filtered == {"市容环境组": charts.GROUP_PALETTE[2], "其他项目推进整改组": charts.GROUP_PALETTE[4]}
    # The group page draws a group's rate in its colour.
    assert charts.group_style("其他项目推进整改组", every) == {"color": charts.GROUP_PALETTE[4], "dash": "solid"}


def test_palette_stays_distinct_for_many_groups():
    groups = [f"第{i}组" for i in range(40)]
    styles = [charts.group_style(g, groups) for g in groups]
    assert len({st["color"] for st in styles[:16]}) == 16
    assert len({(st["color"], st["dash"]) for st in styles}) == 40
    assert styles[16] == {"color": charts.GROUP_PALETTE[0], "dash": "dash"}
    assert charts.group_style("新组", groups[:3]) == {"color": charts.GROUP_PALETTE[3], "dash": "solid"}


def test_pages_colour_a_group_the_same_under_a_filter(monkeypatch, sample_db, tmp_path):
    path = tmp_path / "campaign.duckdb"
    shutil.copy(sample_db, path)
    at = run_app(monkeypatch, path)
    at.session_state["groups"] = ["交通秩序组", "宣传氛围营造组"]
    go(at, "pages/trend.py")
    lines = json.loads(at.get("plotly_chart")[1].proto.spec)
    assert {t["name"]: t["line"]["color"] for t in lines["data"] if t.get("mode") == "lines+markers"} == {
        "交通秩序组": charts.GROUP_PALETTE[3], "宣传氛围营造组": charts.GROUP_PALETTE[5]}
    go(at, "pages/group.py")
    at.selectbox(key="group_pick").set_value("宣传氛围营造组").run()
    rate = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert rate["data"][0]["line"]["color"] == charts.GROUP_PALETTE[5]


def luminance(color: str) -> int:
    return sum(int(color[i:i + 2], 16) for i in (1, 3, 5))


def test_completion_bars_shade_by_rank_when_every_group_has_the_same_card(sample):
    con, s = sample
    strict = dataclasses.replace(s, honour_rate=0.99, warning_rate=0.99)
    table = figures.overview(con, LATEST, strict).standing.table
    assert set(table["card"]) == {"红牌"}
    spec = as_json(charts.group_rates_bar(table, strict))
    bars = [t for t in spec["data"] if t["type"] == "bar"]
    assert len(bars) == 1
    bar = bars[0]
    # Worst first: 道路维修 74.4%, 其他项目 74.6%, 工地围挡 86.4%, 交通秩序 88.0%, 市容 95.2%, 宣传 98.3%.
    assert bar["y"] == ["道路维修及路灯项目整改组", "其他项目推进整改组", "工地围挡绿化整改组", "交通秩序组", "市容环境组",
                        "宣传氛围营造组"]
    shades = bar["marker"]["color"]
    assert shades[0] == charts.CARD_COLORS["红牌"]
    assert len(set(shades)) == 6
    assert [luminance(c) for c in shades] == sorted(luminance(c) for c in shades)   # darker = worse
    assert shades[-1] == "#e59e9e"   # #c62828 mixed with 55% white: 198 + 57 * .55 = 229, 40 + 215 * .55 = 158


def test_completion_bars_keep_card_colours(sample):
    con, s = sample
    spec = as_json(charts.group_rates_bar(figures.overview(con, LATEST, s).standing.table, s))
    bars = {t["name"]: t for t in spec["data"] if t["type"] == "bar"}
    assert list(bars) == ["红牌：落后较多，难以按期完成", "黄牌：落后但可追赶", "绿牌：进度正常"]
    for card, color in charts.CARD_COLORS.items():
        bar = bars[charts.CARD_NAMES[card]]
        assert len(bar["y"]) == 2 and bar["marker"]["color"][0] == color


# ---------------------------------------------------------------- ledger text is text


def all_figures(con, s, as_of):
    every, categories = figures.filter_options(con, s)
    figs = list(time_figures(con, s, as_of).values())
    figs.append(charts.group_rates_bar(figures.overview(con, as_of, s).standing.table, s))
    for g in every:
        gf = figures.group(con, as_of, g, s)
        figs += [charts.breakdown_bars(gf.by_category, "category", "问题类别"),
                 charts.breakdown_bars(gf.by_place, gf.place, "点位"),
                 charts.rate_line(gf.series, s.phases, s, as_of=as_of)]
    return [as_json(f) for f in figs]


def test_ledger_text_is_escaped_in_every_figure(hostile):
    con, s = hostile
    s = dataclasses.replace(s, phases=[Phase("<i>攻坚</i>阶段", D(2025, 12, 1), D(2026, 1, 31))])
    specs = all_figures(con, s, HOSTILE_DATES[-1])
    texts = [t for spec in specs for t in shown_texts(spec)]
    joined = "\n".join(texts)
    for escaped in ("&lt;b&gt;粗体&lt;/b&gt;组", "&lt;ahref=\"http://x\"&gt;链接&lt;/a&gt;", "%{y}组",
                    "&lt;img src=\"http://x/a.png\"&gt;", "道路&amp;设施", "&lt;i&gt;攻坚&lt;/i&gt;阶段"):
        assert escaped in joined, escaped
    every = [t for spec in specs for t in strings(spec)]
    for raw in (BOLD, LINK_STORED, IMG, "<i>", "道路&设施"):
        assert not any(raw in t for t in every), raw
    # Group names on the completion bars' axis, in order, escaped.
    bar = specs[5]
    assert set(bar["layout"]["yaxis"]["categoryarray"]) == {"&lt;b&gt;粗体&lt;/b&gt;组",
                                                            "&lt;ahref=\"http://x\"&gt;链接&lt;/a&gt;", "%{y}组", "普通组"}
    # No hover template holds ledger text: every one is the fixed template.
    templates = {t.get("hovertemplate") for spec in specs for t in spec["data"] if t.get("hoverinfo") != "skip"}
    assert templates == {charts.HOVER}


def test_plain():
    assert charts.plain(BOLD) == "&lt;b&gt;粗体&lt;/b&gt;组"
    assert charts.plain(LINK) == "&lt;a href=\"http://x\"&gt;链接&lt;/a&gt;"
    assert charts.plain("A&B") == "A&amp;B"
    assert charts.plain(None) == charts.plain(float("nan")) == "—"


# ---------------------------------------------------------------- legends, labels


def test_legends_below_the_plot(sample):
    con, s = sample
    for spec in all_figures(con, s, LATEST):
        legend = spec["layout"]["legend"]
        assert (legend["orientation"], legend["xref"], legend["x"], legend["yref"], legend["y"], legend["yanchor"]) == \
            ("h", "container", 0, "container", 0, "bottom")
        assert spec["layout"]["xaxis"]["automargin"] and spec["layout"]["yaxis"]["automargin"]


@pytest.mark.parametrize("as_of", [D(2026, 8, 7), EARLIER, LATEST])
def test_no_none_nan_or_field_name_in_any_figure(sample, as_of):
    con, s = sample
    for spec in all_figures(con, s, as_of):
        for text in shown_texts(spec):
            assert not re.search(r"None|nan|NaN|null|undefined", text), text
            # No Latin word at all: Chinese labels only (the hover template and the line
            # breaks built into hover texts aside).
            assert not re.search(r"[A-Za-z_]{2,}", text.replace("<br>", "")), text
