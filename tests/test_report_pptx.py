"""The PowerPoint 汇报 (``report_pptx``): every slide, chart series and table cell read
back from the file equals the meeting deck (``data_pipeline.meeting``), on the sample
campaign and on a hand-built history with hostile ledger text and tables longer than a
slide.

Hand-built history (``hostile``): groups ``=HYPERLINK("http://x")``, ``<b>x</b>``,
``甲\\x01组`` and 第1组..第9组 with 5 items each (items k = 0..4, deadline 3月(1+k)日; at
03-06 the first g % 5 are done, at 03-13 one more), and 丙组 with 2 open items (not
ranked); every description ``=HYPERLINK("http://x") <b>x</b> 问\\x01题…``. 13 groups:
本周变化 and 进度预测 take 14 rows (with 合计) and continue on a second slide.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import zipfile

import openpyxl
import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.util import Emu

from data_pipeline import ingest_file, labels
from data_pipeline import meeting as M
from data_pipeline.campaign import settings as c
from data_pipeline.campaign.settings import load_settings
from data_pipeline.report_pptx import FONT, deck_pptx, report_pptx
from tests import ledgers as L

D = dt.date
AS_OF = D(2026, 11, 27)
HEADER = ["问题编号", "问题描述", "责任单位", "整改时限", "整改情况", "完成时间"]
FORMULA, MARKUP, CONTROL = '=HYPERLINK("http://x")', "<b>x</b>", "甲\x01组"
DESCRIPTION = f"{FORMULA} {MARKUP} 问\x01题"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"



@pytest.fixture
def hostile(tmp_path, con):
    groups = [FORMULA, MARKUP, CONTROL] + [f"第{i}组" for i in range(1, 10)]
    for w, day in enumerate([D(2026, 3, 6), D(2026, 3, 13)]):
        rows = []
        for g, name in enumerate(groups):
            for k in range(5):
                done = k < g % 5 + w
                rows.append([f"G{g}-{k}", f"{DESCRIPTION}{g}-{k}", name, D(2026, 3, 1 + k),
                             "已整改" if done else "未整改", D(2026, 3, 5) if done else None])
        rows += [[f"C-{k}", f"丙组的问题{k}", "丙组", D(2026, 3, 20), "未整改", None] for k in range(2)]
        ingest_file(con, L.write_csv(tmp_path / f"w{w}.csv",
                                     L.flat_rows(HEADER, rows, f"填报日期：{day.year}年{day.month}月{day.day}日")))
    return con


HOSTILE_SETTINGS = c.CampaignSettings(name="测试\x01城", phases=[c.Phase("准备阶段", D(2026, 3, 1), D(2026, 3, 10)),
                                                              c.Phase("实施阶段", D(2026, 3, 11), D(2026, 4, 30))])


def _open(data: bytes):
    return Presentation(io.BytesIO(data))


def _tables(slide) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in shape.table.rows]
            for shape in slide.shapes if shape.has_table]


def _charts(slide):
    return [shape.chart for shape in slide.shapes if shape.has_chart]


def _texts(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def _deck(con, as_of, settings, since=None):
    m = M.meeting(con, as_of, settings, since)
    return m, _open(deck_pptx(m))


def _rates(values) -> list:
    return [None if labels._missing(v) else float(v) for v in values]


# ---------------------------------------------------------------- the sample campaign


def test_slides_follow_the_deck(sample):
    m, prs = _deck(sample, AS_OF, load_settings(sample))
    assert (prs.slide_width, prs.slide_height) == (Emu(12192000), Emu(6858000))       # 16:9
    assert [s.shapes.title.text for s in prs.slides] == [s.title for s in m.slides]
    assert [s.title for s in m.slides] == ["临江区创建全国文明城市（示例）工作推进情况汇报", "总体进展", "各工作组整改率", "本周变化",
                                           "整改进度趋势", "进度预测", "超期最久的问题", "督办问责"]
    for slide, sl in zip(prs.slides, m.slides):
        assert sl.message in _texts(slide)
    assert prs.slides[0].placeholders[1].text == "截至2026年11月27日 ｜ 当前阶段：评估阶段（11月1日至12月31日），还剩34天"


def test_kpi_cards(sample):
    m, prs = _deck(sample, AS_OF, load_settings(sample))
    cards = _texts(prs.slides[1])[2:]
    assert cards == ["\n".join(cell) for cell in M.kpi_cells(m)]
    assert cards[0] == "交办总数\n467\n较上期+9"
    assert cards[2] == "整改率\n86.5%\n较上期+0.3个百分点"


def test_group_bars_equal_the_figure(sample):
    m, prs = _deck(sample, AS_OF, load_settings(sample))
    (chart,) = _charts(prs.slides[2])
    bars = M.group_bars(m)
    assert chart.chart_type == XL_CHART_TYPE.BAR_CLUSTERED
    plot = chart.plots[0]
    assert list(plot.categories) == bars["group_name"].tolist()
    (series,) = plot.series
    assert list(series.values) == _rates(bars["completion_rate"])
    assert series.name == "整改率"
    assert plot.data_labels.number_format == "0.0%" and not plot.data_labels.number_format_is_linked
    assert chart.category_axis.reverse_order                   # first group drawn on top
    colours = [str(series.points[i].format.fill.fore_color.rgb) for i in range(len(bars))]
    assert colours == [{"红榜": "C62828", "黑榜": "303030", "": "7F9CC0", "不排名": "BFBFBF"}[b] for b in bars["board"]]
    assert dict(zip(bars["group_name"], bars["board"]))["市容环境组"] == "红榜"
    assert _texts(prs.slides[2])[2] == ("红榜（整改率达到90%及以上）\n宣传氛围营造组、市容环境组\n黑榜（整改率低于85%）\n"
                                         "道路维修及路灯项目整改组、其他项目推进整改组\n图中红色为红榜，黑色为黑榜，灰色为不排名")
    assert m.rules == ("整改率达到90%及以上", "整改率低于85%")
    # The embedded workbook (Edit Data) holds the same names and rates.
    ws = openpyxl.load_workbook(io.BytesIO(chart.part.chart_workbook.xlsx_part.blob)).active
    assert [ws.cell(i, 1).value for i in range(2, len(bars) + 2)] == bars["group_name"].tolist()
    assert [ws.cell(i, 2).value for i in range(2, len(bars) + 2)] == _rates(bars["completion_rate"])
    assert ws.cell(1, 2).value == "整改率" and ws.cell(2, 2).number_format == "0.0%"


def test_trend_line_and_phases_equal_the_figure(sample):
    m, prs = _deck(sample, AS_OF, load_settings(sample))
    slide = prs.slides[4]
    (chart,) = _charts(slide)
    points = M.trend_points(m)
    assert chart.chart_type == XL_CHART_TYPE.LINE_MARKERS
    assert list(chart.plots[0].categories) == [labels.day(d) for d in points["as_of"]]
    assert list(chart.plots[0].categories)[:2] == ["8月7日", "8月14日"] and len(points) == 17
    assert list(chart.plots[0].series[0].values) == _rates(points["completion_rate"])
    assert chart.plots[0].data_labels.number_format == "0.0%"
    assert _tables(slide) == [[["阶段", "起止日期", "进展", "整改率"],
                               ["准备阶段", "8月1日至8月31日", "已结束", "92.4%"],
                               ["实施阶段", "9月1日至10月31日", "已结束", "87.4%"],
                               ["评估阶段", "11月1日至12月31日", "进行中", "50.0%"]]]


def test_tables_equal_table_cells(sample):
    m, prs = _deck(sample, AS_OF, load_settings(sample))
    shown = 0
    for slide, sl in zip(prs.slides, m.slides):
        if sl.key not in M.TABLE_SLIDES:
            continue
        headers, rows = M.table_cells(m, sl)
        (table,) = _tables(slide)
        assert table == [headers] + rows
        shown += 1
        shape = next(s for s in slide.shapes if s.has_table)
        for cell in shape.table.rows[0].cells:
            assert all(r.font.bold for p in cell.text_frame.paragraphs for r in p.runs)
            assert str(cell.fill.fore_color.rgb) == "D9D9D9"
        last = shape.table.rows[len(rows)].cells
        is_total = rows[-1][0] == "合计"
        assert all(bool(r.font.bold) == is_total for cell in last for p in cell.text_frame.paragraphs for r in p.runs)
        assert is_total == (sl.key in ("changes", "forecast"))
    assert shown == 4
    changes = _tables(prs.slides[3])[0]
    assert changes[-1] == ["合计", "9", "9", "1", "0", "44", "86.5%", "+0.3个百分点", "—"]
    overdue = _tables(prs.slides[6])[0]
    assert overdue[1] == ["1", "其他项目推进整改组", "无障碍设施缺失", "文化路幸福小区东侧", "2026年8月27日", "92天"]
    assert len(overdue) == 11
    assert m.forecast.method in _texts(prs.slides[5])
    assert f"督办规则：{m.escalation_rule}" in _texts(prs.slides[7])
    assert m.escalation_rule == "连续1期：通报批评；连续2期：约谈；连续3期及以上：问责"


def test_every_run_in_the_cjk_font(sample):
    data = report_pptx(sample, AS_OF, load_settings(sample))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        slides = [n for n in z.namelist() if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)]
        charts = [n for n in z.namelist() if re.fullmatch(r"ppt/charts/chart\d+\.xml", n)]
        assert len(slides) == 8 and len(charts) == 2
        from lxml import etree
        runs = 0
        for name in slides:
            for r in etree.fromstring(z.read(name)).iter(f"{A}r"):
                rpr = r.find(f"{A}rPr")
                assert rpr.find(f"{A}ea").get("typeface") == FONT
                assert rpr.find(f"{A}latin").get("typeface") == FONT
                runs += 1
        assert runs > 100
        for name in charts:
            props = list(etree.fromstring(z.read(name)).iter(f"{A}defRPr"))
            assert props and all(p.find(f"{A}ea").get("typeface") == FONT for p in props)
        theme = z.read("ppt/theme/theme1.xml").decode()
        assert f'<a:ea typeface="{FONT}"/>' in theme and 'typeface="Calibri"' not in theme


def test_properties_and_no_library_text(sample):
    data = report_pptx(sample, AS_OF, load_settings(sample))
    prs = _open(data)
    core = prs.core_properties
    assert core.title == "临江区创建全国文明城市（示例）工作推进情况汇报"
    assert (core.author, core.last_modified_by, core.comments) == ("", "", "")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert not [n for n in z.namelist() if "thumbnail" in n]
        text = b"".join(z.read(n) for n in z.namelist() if n.endswith((".xml", ".rels")))
    assert b"python-pptx" not in text and b"Steve Canny" not in text and b"(4:3)" not in text


def test_everything_inside_the_slide(sample, hostile):
    for con, day, s in ((sample, AS_OF, load_settings(sample)), (hostile, D(2026, 3, 13), HOSTILE_SETTINGS)):
        prs = _open(report_pptx(con, day, s))
        for slide in prs.slides:
            for shape in slide.shapes:
                height = sum(r.height for r in shape.table.rows) if shape.has_table else shape.height
                assert shape.left >= 0 and shape.top >= 0
                assert shape.left + shape.width <= prs.slide_width
                assert shape.top + height <= prs.slide_height
                if shape.has_table:
                    assert sum(col.width for col in shape.table.columns) <= shape.width + 10


def test_a_group_without_items_has_no_bar(sample):
    m = M.meeting(sample, AS_OF, load_settings(sample))
    st = m.overview.standing
    table = st.table.copy()
    table["completion_rate"] = table["completion_rate"].astype(object)
    table.loc[1, "completion_rate"] = None
    m = dataclasses.replace(m, overview=dataclasses.replace(m.overview, standing=dataclasses.replace(st, table=table)))
    (chart,) = _charts(_open(deck_pptx(m)).slides[2])
    values = list(chart.plots[0].series[0].values)
    assert values[1] is None
    assert values == _rates(M.group_bars(m)["completion_rate"])


def test_since_and_report_pptx_as_the_deck(sample):
    s = load_settings(sample)
    prs = _open(report_pptx(sample, D(2026, 11, 30), s, D(2026, 11, 13)))
    m = M.meeting(sample, D(2026, 11, 30), s, D(2026, 11, 13))
    assert m.as_of == AS_OF
    assert [sl.shapes.title.text for sl in prs.slides] == [x.title for x in m.slides]
    assert _texts(prs.slides[3])[1] == m.slides[3].message
    assert m.slides[3].message.startswith("与2026年11月13日相比")
    assert _tables(prs.slides[3]) == [[M.table_cells(m, m.slides[3])[0]] + M.table_cells(m, m.slides[3])[1]]


def test_no_escalation_no_table(sample):
    s = dataclasses.replace(load_settings(sample), warning_rate=0.0)
    m, prs = _deck(sample, AS_OF, s)
    last = prs.slides[len(m.slides) - 1]
    assert last.shapes.title.text == "督办问责"
    assert _tables(last) == []
    assert _texts(last) == ["督办问责", "本期没有连续上黑榜需要升级督办的工作组", f"督办规则：{m.escalation_rule}"]


# ---------------------------------------------------------------- hostile text, long tables


def test_hostile_text_is_literal_and_control_characters_dropped(hostile):
    m, prs = _deck(hostile, D(2026, 3, 13), HOSTILE_SETTINGS)
    assert prs.slides[0].shapes.title.text == "测试城工作推进情况汇报"
    assert prs.core_properties.title == "测试城工作推进情况汇报"
    (chart,) = _charts(prs.slides[2])
    names = M.group_bars(m)["group_name"].tolist()
    assert CONTROL in names
    assert list(chart.plots[0].categories) == [n.replace("\x01", "") for n in names]
    assert {FORMULA, MARKUP, "甲组", "丙组"} <= set(chart.plots[0].categories)
    board = dict(zip(names, M.group_bars(m)["board"]))
    assert board["丙组"] == "不排名"
    assert str(chart.plots[0].series[0].points[names.index("丙组")].format.fill.fore_color.rgb) == "BFBFBF"
    # The chart's workbook: the formula-looking name is a text cell.
    wb = openpyxl.load_workbook(io.BytesIO(chart.part.chart_workbook.xlsx_part.blob))
    cells = [cell for row in wb.active.iter_rows() for cell in row if cell.value is not None]
    assert not [cell for cell in cells if cell.data_type == "f"]
    assert [cell.value for cell in cells if cell.value == FORMULA] == [FORMULA]
    overdue = next(i for i, sl in enumerate(m.slides) if sl.key == "overdue")
    (table,) = _tables(prs.slides[overdue])
    headers, rows = M.table_cells(m, m.slides[overdue])
    assert table == [headers] + [[cell.replace("\x01", "") for cell in row] for row in rows]
    assert table[1][2] == f"{FORMULA} {MARKUP} 问题0-1"
    assert table[1][1] == FORMULA
    with zipfile.ZipFile(io.BytesIO(deck_pptx(m))) as z:
        xml = z.read(f"ppt/slides/slide{overdue + 1}.xml").decode()
    assert "&lt;b&gt;x&lt;/b&gt;" in xml and "<b>" not in xml and "_x0001_" not in xml
    groups_text = "".join(_texts(prs.slides[2]))
    assert "\x01" not in groups_text and "甲组" in groups_text and MARKUP in groups_text


def test_long_tables_continue_on_a_second_slide(hostile):
    m, prs = _deck(hostile, D(2026, 3, 13), HOSTILE_SETTINGS)
    titles = [s.shapes.title.text for s in prs.slides]
    assert titles == ["测试城工作推进情况汇报", "总体进展", "各工作组整改率", "本周变化", "本周变化（续1）", "整改进度趋势",
                      "进度预测", "进度预测（续1）", "超期最久的问题", "督办问责"]
    assert titles == [s.title.replace("\x01", "") for s in m.slides]
    first, second = _tables(prs.slides[3])[0], _tables(prs.slides[4])[0]
    assert len(first) == 11 and len(second) == 5                # header + 10, header + 3 + 合计
    assert first[0] == second[0] == ["工作组", "新交办", "新整改", "新增超期", "整改后反弹", "持续超期", "整改率", "整改率变化",
                                     "排名变化"]
    assert second[1:] == [[c.replace("\x01", "") for c in r] for r in M.table_cells(m, m.slides[4])[1]]
    assert second[-1] == ["合计", "0", "12", "0", "0", "27", "53.2%", "+19.4个百分点", "—"]
    shape = next(s for s in prs.slides[4].shapes if s.has_table)
    assert all(r.font.bold for cell in shape.table.rows[4].cells for p in cell.text_frame.paragraphs for r in p.runs)
    assert not any(r.font.bold for cell in shape.table.rows[3].cells for p in cell.text_frame.paragraphs for r in p.runs)
    sizes = [{r.font.size for row in next(s for s in prs.slides[i].shapes if s.has_table).table.rows
              for cell in row.cells for p in cell.text_frame.paragraphs for r in p.runs} for i in (3, 4)]
    assert len(sizes[0]) == 1 and sizes[0] == sizes[1]           # one font size on both pages
    forecast = _tables(prs.slides[7])[0]
    assert forecast[-1] == ["合计", "29", "—", "—", "—", "数据不足", "数据不足"]
    assert m.forecast.method in _texts(prs.slides[6]) and m.forecast.method in _texts(prs.slides[7])
    (line,) = _charts(prs.slides[5])
    assert list(line.plots[0].categories) == ["3月6日", "3月13日"]
    assert list(line.plots[0].series[0].values) == _rates(M.trend_points(m)["completion_rate"])
    assert _tables(prs.slides[5])[0][1:] == [["准备阶段", "3月1日至3月10日", "已结束", "53.2%"],
                                             ["实施阶段", "3月11日至4月30日", "进行中", labels.NONE]]
