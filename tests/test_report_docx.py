"""The Word 通报 (``report_docx``): opened with python-docx and read against the figure
functions (``meeting.meeting``) on the sample campaign and on small hand-built
histories: the overall sentence, the 红榜/黑榜 and escalation paragraphs, every cell of
the 排名 table and of the overdue annex, fonts for East Asian text on every run, the
公文 page, empty cases, hostile ledger text kept literal.

Hand-built history (``history``; groups 东城组 D1-D5, 西城组 X1-X5, and a third group
with one item, too few to be ranked, named ``GROUP``: hostile text; d = 整改时限):
- 2026-03-06: D1 已整改 d 03-10 done 03-04; D2 未整改 d 03-01; D3 未整改 d 03-02; D4 整改中
  d 03-20; D5 已整改 d 03-05 done 03-05 (东城组 2/5); X1-X4 已整改 d 03-10; X5 未整改
  d 03-04 (西城组 4/5); N1 未整改 d 03-03. 红榜 none, 黑榜 东城组 and 西城组 (first run).
- 2026-03-13: D3 已整改 done 03-12 (东城组 3/5: 黑榜 again, 约谈); X5 已整改 done 03-10
  (西城组 5/5: 红榜); overdue D2 (12 days), N1 (10 days).
- 2026-03-20: D4 已整改 done 03-18 (东城组 4/5).
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import docx
import pytest
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml.ns import qn

import data_pipeline as dp
from data_pipeline import labels, meeting
from data_pipeline.campaign.settings import CampaignSettings, load_settings
from data_pipeline.report_docx import notice_docx, report_docx
from tests import ledgers as L

D = dt.date
AS_OF = D(2026, 11, 27)
W1, W2 = D(2026, 3, 6), D(2026, 3, 13)
HEADER = ["问题编号", "问题描述", "点位", "责任单位", "责任人", "整改时限", "整改情况", "完成时间"]
GROUP = "=cmd|'/C'!A0<b>南</b>&组\x01"
DESCRIPTION = "<b>粗体</b>=1+1\x01坏\n第二行"
LOCATION = '=HYPERLINK("http://x","y")'
FONTS = {"仿宋", "黑体", "宋体"}



def _doc(data: bytes):
    return docx.Document(io.BytesIO(data))


def _texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def _cells(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def _after(texts: list[str], heading: str) -> str:
    return texts[texts.index(heading) + 1]


def _runs(doc):
    """Every run of the document body and of the footer (the page number)."""
    parts = [doc.element.body, doc.sections[0].footer._element]
    return [r for part in parts for r in part.iter(qn("w:r"))]


def _ranking_rows(m) -> list[list[str]]:
    """The 排名 table as the 通报 must print it, from the figure."""
    rows, seq = [], 0
    for r in m.ranking.table.to_dict("records"):
        if not r["is_total"]:
            seq += 1
        rows.append(["" if r["is_total"] else str(seq), r["group_name"].replace("\x01", ""),
                     *(labels.count(r[k]) for k in ("items", "done", "done_on_time", "done_late", "open", "overdue",
                                                    "long_term")),
                     labels.pct(r["completion_rate"]), labels.pct(r["on_time_rate"]), labels.count(r["rank"]),
                     labels.rank_change(r["rank_change"])])
    return rows


# ---------------------------------------------------------------- the sample campaign


@pytest.fixture(scope="module")
def sample_notice(sample_db):
    """(settings, deck, the 通报 opened) of the sample at ``AS_OF``, built once (read only)."""
    con = dp.connect(sample_db, read_only=True)
    try:
        s = load_settings(con)
        return s, meeting.meeting(con, AS_OF, s), _doc(report_docx(con, AS_OF, s))
    finally:
        con.close()


def test_title_addressee_and_overall_sentence(sample_notice):
    s, m, doc = sample_notice
    texts = _texts(doc)
    assert s.name == "临江区创建全国文明城市（示例）"
    assert texts[0] == "关于临江区创建全国文明城市（示例）问题整改情况的通报"
    assert doc.paragraphs[0].style.name == "公文标题"
    assert texts[1] == "各工作组："
    k = m.overview.kpis
    v = k.values
    assert (labels.count(v["items"]), labels.count(v["done"]), labels.pct(v["completion_rate"]),
            labels.count(v["overdue"])) == ("467", "404", "86.5%", "45")
    assert (k.deltas["items"], k.deltas["done"], k.deltas["overdue"]) == (9, 9, -3)
    assert labels.change_words("completion_rate", k.deltas["completion_rate"]) == "提高0.3个百分点"
    assert texts[2] == ("截至2026年11月27日，共交办问题467项（较上期增加9项），已整改404项（较上期增加9项），"
                        "整改率86.5%（较上期提高0.3个百分点），超期问题45项（较上期减少3项）。现将有关情况通报如下：")
    assert [t for t in texts if t[:2] in ("一、", "二、", "三、", "四、", "五、")] == [
        "一、总体情况", "二、红榜", "三、黑榜", "四、督办问责", "五、下步要求"]
    assert all(p.style.name == "一级标题" for p in doc.paragraphs if p.text in ("一、总体情况", "五、下步要求"))
    overall = texts[texts.index("一、总体情况") + 1:texts.index("一、总体情况") + 3]
    assert overall == [
        f"{m.phase_text}。按期整改率45.5%（较上期下降0.2个百分点），临期问题3项，长期整改问题11项。",
        "与2026年11月20日的台账相比，新交办问题9项，新整改9项，新增超期1项，整改后反弹0项。各工作组整改情况见下表。"]
    assert m.phase_text == "当前阶段：评估阶段（11月1日至12月31日），还剩34天"


def test_honour_warning_and_escalation_paragraphs(sample_notice):
    s, m, doc = sample_notice
    texts = _texts(doc)
    st = m.overview.standing
    assert (st.honour, st.warning, st.unranked) == (["宣传氛围营造组", "市容环境组"],
                                                    ["道路维修及路灯项目整改组", "其他项目推进整改组"], [])
    assert m.rules == ("整改率达到90%及以上", "整改率低于85%")
    honour = _after(texts, "二、红榜")
    assert honour == ("按照“整改率达到90%及以上”的标准，宣传氛围营造组（整改率98.3%，连续4期上红榜）、"
                      "市容环境组（整改率95.2%，连续3期上红榜）列入本期红榜，予以通报表扬。")
    warning = _after(texts, "三、黑榜")
    assert warning == ("按照“整改率低于85%”的标准，道路维修及路灯项目整改组（整改率74.4%，连续15期上黑榜）、"
                       "其他项目推进整改组（整改率74.6%，连续15期上黑榜）列入本期黑榜。请上述工作组认真查找原因，加快整改进度。")
    # The names, in the lists' order, are exactly the standing's.
    assert re.findall(r"([^，、（]+组)（整改率", honour) == st.honour
    assert re.findall(r"([^，、（]+组)（整改率", warning) == st.warning
    start = texts.index("四、督办问责")
    assert texts[start + 1] == ("按照督办问责规则（连续1期：通报批评；连续2期：约谈；连续3期及以上：问责），"
                                "以下工作组需升级督办：")
    e = m.escalations
    assert e["group_name"].tolist() == st.escalated == ["道路维修及路灯项目整改组", "其他项目推进整改组"]
    assert texts[start + 2:start + 4] == [
        f"{g}：{labels.streak(n)}上黑榜，整改率{labels.pct(r)}，建议{a}。"
        for g, r, n, a in zip(e["group_name"], e["completion_rate"], e["warning_streak"], e["escalation"])]
    assert texts[start + 2:start + 4] == ["道路维修及路灯项目整改组：连续15期上黑榜，整改率74.4%，建议问责。",
                                          "其他项目推进整改组：连续15期上黑榜，整改率74.6%，建议问责。"]
    assert texts[start + 4] == "五、下步要求"
    assert not re.search(r"\d", "".join(texts[start + 5:start + 8]))     # fixed requirements, no numbers
    assert "附件：超期问题清单" in texts
    assert texts[texts.index("附件") - 2:texts.index("附件")] == [
        "临江区创建全国文明城市（示例）工作领导小组办公室", "2026年11月27日"]
    assert all(p.alignment == 2 or p.style.paragraph_format.alignment == 2
               for p in doc.paragraphs if p.text == "2026年11月27日")


def test_ranking_table_equals_the_figure(sample_notice):
    s, m, doc = sample_notice
    table = doc.tables[0]
    rows = _cells(table)
    assert rows[0] == list(labels.RANKING_HEADERS.values()) == [
        "序号", "工作组", "交办总数", "已整改", "其中按期", "其中超期完成", "未整改", "其中超期", "长期整改", "整改率",
        "按期整改率", "排名", "较上期"]
    assert rows[1:] == _ranking_rows(m)
    assert len(rows) == 1 + 6 + 1
    assert rows[1] == ["1", "工地围挡绿化整改组", "88", "76", "38", "38", "12", "10", "0", "86.4%", "44.2%", "4", "持平"]
    assert rows[2][-1] == "下降1位" and rows[5][-1] == "上升1位"
    assert rows[-1] == ["", "合计", "467", "404", "206", "198", "52", "45", "11", "86.5%", "45.5%", "—", "—"]
    bold = [[r.bold for c in row.cells for p in c.paragraphs for r in p.runs] for row in table.rows[1:]]
    assert bold[-1] and all(b is True for b in bold[-1])
    assert not any(b for row in bold[:-1] for b in row)
    caption = doc.paragraphs[_texts(doc).index("一、总体情况") + 3]
    assert caption.text == "临江区创建全国文明城市（示例）各工作组问题整改情况（截至2026年11月27日）"
    # The table stands right after its caption in the body, before 二、红榜.
    body = list(doc.element.body)
    assert body.index(table._tbl) == body.index(caption._p) + 1
    assert doc.tables[0]._tbl.find(qn("w:tr")).find(qn("w:trPr")).find(qn("w:tblHeader")) is not None


def test_annex_lists_every_overdue_item_on_a_new_page(sample_notice):
    s, m, doc = sample_notice
    late = m.overdue_items
    assert m.overdue_count == len(late) == 45
    texts = _texts(doc)
    assert texts[texts.index("附件"):texts.index("附件") + 3] == [
        "附件", "超期问题清单", "截至2026年11月27日，超期问题共45项，按超期天数从多到少排列。"]
    rows = _cells(doc.tables[1])
    assert rows[0] == ["序号", "工作组", "问题描述", "点位", "责任人", "整改时限", "超期天数"]
    assert len(rows) == 1 + len(late)
    want = [[str(i), g, d, loc if loc else "—", a if a else "—", labels.full_day(due), str(n)]
            for i, (g, d, loc, a, due, n) in enumerate(zip(late["group_name"], late["description"], late["location"],
                                                          late["assignee"], late["deadline"], late["days_overdue"]),
                                                      start=1)]
    assert rows[1:] == want
    assert rows[1] == ["1", "其他项目推进整改组", "无障碍设施缺失", "文化路幸福小区东侧", "宋建国", "2026年8月27日", "92"]
    assert [int(r[6]) for r in rows[1:]] == late["days_overdue"].tolist()
    assert [int(r[6]) for r in rows[1:]] == sorted((int(r[6]) for r in rows[1:]), reverse=True)
    # The annex is its own section: a new page, landscape A4; the letter before it portrait A4.
    letter, annex = doc.sections
    assert annex.start_type == WD_SECTION.NEW_PAGE
    assert annex.orientation == WD_ORIENT.LANDSCAPE and letter.orientation == WD_ORIENT.PORTRAIT
    assert (annex.page_width.twips, annex.page_height.twips) == (16838, 11906)
    # The break is on the date's paragraph: no empty paragraph closes the letter.
    sect_p = [p for p in doc.paragraphs if p._p.find(qn("w:pPr")) is not None
              and p._p.find(qn("w:pPr")).find(qn("w:sectPr")) is not None]
    assert [p.text for p in sect_p] == ["2026年11月27日"]


def test_fonts_on_every_run_styles_and_page(sample_notice):
    s, m, doc = sample_notice
    runs = _runs(doc)
    assert len(runs) > 45 * 7
    fonts = [r.find(qn("w:rPr")).find(qn("w:rFonts")) if r.find(qn("w:rPr")) is not None else None for r in runs]
    assert all(f is not None and f.get(qn("w:eastAsia")) in FONTS for f in fonts)
    assert all(f.get(qn("w:ascii")) == f.get(qn("w:eastAsia")) == f.get(qn("w:hAnsi")) for f in fonts)
    by_text = {}
    for p in doc.paragraphs:
        for r in p.runs:
            by_text.setdefault(p.text, r._r.find(qn("w:rPr")).find(qn("w:rFonts")).get(qn("w:eastAsia")))
    assert by_text[_texts(doc)[0]] == "宋体" and by_text["一、总体情况"] == "黑体" and by_text["各工作组："] == "仿宋"
    normal = doc.styles["Normal"].element.find(qn("w:rPr")).find(qn("w:rFonts"))
    assert normal.get(qn("w:eastAsia")) == "仿宋" and normal.get(qn("w:eastAsiaTheme")) is None
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋"
    assert defaults.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    # Body: 3号, first line indented two characters, exactly 28 pt; title 2号 bold, centred.
    body = doc.styles["公文正文"]
    assert body.font.size.pt == 16 and body.paragraph_format.first_line_indent.pt == 32
    assert body.paragraph_format.line_spacing.pt == 28
    assert body.element.find(qn("w:pPr")).find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"
    title = doc.styles["公文标题"]
    assert title.font.size.pt == 22 and title.font.bold and title.paragraph_format.alignment == 1
    letter = doc.sections[0]
    assert (letter.page_width.twips, letter.page_height.twips) == (11906, 16838)      # A4 portrait
    assert [round(x.cm, 2) for x in (letter.top_margin, letter.bottom_margin, letter.left_margin,
                                     letter.right_margin)] == [3.7, 3.5, 2.8, 2.6]
    footer = letter.footer._element
    assert [t.text for t in footer.iter(qn("w:instrText"))] == [" PAGE "]
    assert "".join(t.text for t in footer.iter(qn("w:t"))) == "— 1 —"
    assert doc.sections[1].footer.is_linked_to_previous


def test_notice_docx_is_report_docx_of_the_deck(sample):
    s = load_settings(sample)
    m = meeting.meeting(sample, AS_OF, s)
    a, b = _doc(notice_docx(m, s)), _doc(report_docx(sample, AS_OF, s))
    assert _texts(a) == _texts(b)
    assert [_cells(t) for t in a.tables] == [_cells(t) for t in b.tables]


# ---------------------------------------------------------------- hand-built histories


def row(key, status, due, done=None, group=None, description=None, location="点位", assignee="张三"):
    group = group or {"D": "东城组", "X": "西城组"}[key[0]]
    return [key, description or f"{group}的问题{key}", location, group, assignee, due, status, done]


def _n1():
    return row("N1", "未整改", D(2026, 3, 3), group=GROUP, description=DESCRIPTION, location=LOCATION, assignee=None)


WEEKS = {
    "2026年3月6日": [row("D1", "已整改", D(2026, 3, 10), D(2026, 3, 4)), row("D2", "未整改", D(2026, 3, 1)),
                  row("D3", "未整改", D(2026, 3, 2)), row("D4", "整改中", D(2026, 3, 20)),
                  row("D5", "已整改", D(2026, 3, 5), D(2026, 3, 5)),
                  *[row(f"X{i}", "已整改", D(2026, 3, 10), D(2026, 3, 1)) for i in range(1, 5)],
                  row("X5", "未整改", D(2026, 3, 4)), _n1()],
    "2026年3月13日": [row("D1", "已整改", D(2026, 3, 10), D(2026, 3, 4)), row("D2", "未整改", D(2026, 3, 1)),
                   row("D3", "已整改", D(2026, 3, 2), D(2026, 3, 12)), row("D4", "整改中", D(2026, 3, 20)),
                   row("D5", "已整改", D(2026, 3, 5), D(2026, 3, 5)),
                   *[row(f"X{i}", "已整改", D(2026, 3, 10), D(2026, 3, 1)) for i in range(1, 5)],
                   row("X5", "已整改", D(2026, 3, 4), D(2026, 3, 10)), _n1()],
}
WEEKS["2026年3月20日"] = [r if r[0] != "D4" else row("D4", "已整改", D(2026, 3, 20), D(2026, 3, 18))
                       for r in WEEKS["2026年3月13日"]]


@pytest.fixture
def history(tmp_path, con):
    for i, (report, rows) in enumerate(WEEKS.items()):
        dp.ingest_file(con, L.write_csv(tmp_path / f"w{i}.csv", L.flat_rows(HEADER, rows, f"填报日期：{report}")))
    return con


def test_history_paragraphs_and_escalation(history):
    s = CampaignSettings()
    stored = {g for (g,) in history.execute("SELECT DISTINCT group_name FROM current_states").fetchall()}
    assert stored == {"东城组", "西城组", GROUP}                 # the hostile name as written
    m = meeting.meeting(history, W2, s)
    st = m.overview.standing
    assert (st.honour, st.warning, st.unranked, st.escalated) == (["西城组"], ["东城组"], [GROUP], ["东城组"])
    texts = _texts(_doc(report_docx(history, W2, s)))
    shown = GROUP.replace("\x01", "")
    assert texts[0] == "关于创建全国文明城市问题整改情况的通报"
    assert texts[2] == ("截至2026年3月13日，共交办问题11项（较上期持平），已整改8项（较上期增加2项），"
                        "整改率72.7%（较上期提高18.2个百分点），超期问题2项（较上期减少2项）。现将有关情况通报如下：")
    assert _after(texts, "二、红榜") == "按照“整改率达到90%及以上”的标准，西城组（整改率100.0%）列入本期红榜，予以通报表扬。"
    warning = texts.index("三、黑榜")
    assert texts[warning + 1] == ("按照“整改率低于85%”的标准，东城组（整改率60.0%，连续2期上黑榜）列入本期黑榜。"
                                  "请上述工作组认真查找原因，加快整改进度。")
    assert texts[warning + 2] == f"{shown}交办问题少于5项，本期不参加红黑榜排名。"
    assert _after(texts, "四、督办问责").endswith("以下工作组需升级督办：")
    assert texts[texts.index("四、督办问责") + 2] == "东城组：连续2期上黑榜，整改率60.0%，建议约谈。"
    assert texts[texts.index("四、督办问责") + 3] == "五、下步要求"


def test_history_tables_with_hostile_text_literal(history):
    s = CampaignSettings()
    m = meeting.meeting(history, W2, s)
    data = report_docx(history, W2, s)
    doc = _doc(data)
    shown = GROUP.replace("\x01", "")
    ranking = _cells(doc.tables[0])
    assert ranking[1:] == _ranking_rows(m)
    assert [r[1] for r in ranking[1:]] == [shown, "东城组", "西城组", "合计"]      # "=" sorts first
    by_name = {r[1]: r for r in ranking[1:]}
    assert by_name[shown][2:] == ["1", "0", "0", "0", "1", "1", "0", "0.0%", "0.0%", "—", "—"]
    assert by_name["合计"] == ["", "合计", "11", "8", "6", "2", "3", "2", "0", "72.7%", "60.0%", "—", "—"]
    annex = _cells(doc.tables[1])
    assert annex[1:] == [
        ["1", "东城组", "东城组的问题D2", "点位", "张三", "2026年3月1日", "12"],
        ["2", shown, "<b>粗体</b>=1+1坏\n第二行", LOCATION, "—", "2026年3月3日", "10"]]
    assert m.overdue_items["days_overdue"].tolist() == [12, 10]
    # Literal in the XML too: escaped markup, a real line break, no control character.
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert "&lt;b&gt;粗体&lt;/b&gt;=1+1坏</w:t><w:br/>" in xml
    assert "\x01" not in xml and "<b>" not in xml
    assert "=cmd|'/C'!A0&lt;b&gt;南&lt;/b&gt;&amp;组" in xml
    assert all(r.find(qn("w:rPr")).find(qn("w:rFonts")).get(qn("w:eastAsia")) in FONTS for r in _runs(doc))


def test_since_an_earlier_report_gives_the_rate_change_since_then(history):
    s = CampaignSettings()
    texts = _texts(_doc(report_docx(history, D(2026, 3, 22), s, since=W1)))
    # The report date on or before the asked day; the opening compares with the previous report.
    assert texts[2] == ("截至2026年3月20日，共交办问题11项（较上期持平），已整改9项（较上期增加1项），"
                        "整改率81.8%（较上期提高9.1个百分点），超期问题2项（较上期持平）。现将有关情况通报如下：")
    assert _after(texts, "一、总体情况").startswith("尚未设置阶段时间")
    # 本周变化 compares with ``since``, an earlier report than the previous one: its rate change is given.
    assert texts[texts.index("一、总体情况") + 2] == (
        "与2026年3月6日的台账相比，新交办问题0项，新整改3项，新增超期0项，整改后反弹0项，整改率提高27.3个百分点。"
        "各工作组整改情况见下表。")
    # Since the previous report, the opening already says the rate's change.
    texts = _texts(_doc(report_docx(history, D(2026, 3, 15), s, since=W1)))
    assert texts[texts.index("一、总体情况") + 2] == (
        "与2026年3月6日的台账相比，新交办问题0项，新整改2项，新增超期0项，整改后反弹0项。各工作组整改情况见下表。")


@pytest.fixture
def quiet(tmp_path, con):
    """One report: 甲组 7 of 8 done (87.5%: neither list), 乙组 2 done (too few to rank),
    nothing overdue."""
    rows = ([row(f"J{i}", "已整改", D(2026, 3, 10), D(2026, 3, 1), group="甲组") for i in range(1, 8)]
            + [row("J8", "整改中", D(2026, 3, 20), group="甲组")]
            + [row(f"Y{i}", "已整改", D(2026, 3, 1), D(2026, 3, 1), group="乙组") for i in (1, 2)])
    dp.ingest_file(con, L.write_csv(tmp_path / "q.csv", L.flat_rows(HEADER, rows, "填报日期：2026年3月6日")))
    return con


def test_empty_lists_no_escalation_no_overdue_first_report(quiet):
    s = CampaignSettings(name="创建国家卫生城市")
    m = meeting.meeting(quiet, W1, s)
    st = m.overview.standing
    assert (st.honour, st.warning, st.unranked, st.escalated, m.overdue_count) == ([], [], ["乙组"], [], 0)
    doc = _doc(report_docx(quiet, W1, s))
    texts = _texts(doc)
    assert texts[0] == "关于创建国家卫生城市问题整改情况的通报"
    assert texts[2] == ("截至2026年3月6日，共交办问题10项，已整改9项，整改率90.0%，超期问题0项。"
                        "现将有关情况通报如下：")
    assert texts[texts.index("一、总体情况") + 2] == (
        "本期为首期台账，没有更早的台账可比较，全部问题算作新交办：新交办问题10项，新整改9项，新增超期0项，"
        "整改后反弹0项。各工作组整改情况见下表。")
    assert _after(texts, "二、红榜") == "按照“整改率达到90%及以上”的标准，本期无工作组列入红榜。"
    assert _after(texts, "三、黑榜") == "按照“整改率低于85%”的标准，本期无工作组列入黑榜。"
    assert texts[texts.index("三、黑榜") + 2] == "乙组交办问题少于5项，本期不参加红黑榜排名。"
    assert _after(texts, "四、督办问责") == ("按照督办问责规则（连续1期：通报批评；连续2期：约谈；连续3期及以上：问责），"
                                       "本期无连续上黑榜需要升级督办的工作组。")
    assert texts[texts.index("附件") - 2] == "创建国家卫生城市工作领导小组办公室"
    assert texts[texts.index("附件"):] == ["附件", "超期问题清单", "无超期问题。"]
    assert len(doc.tables) == 1
    assert _cells(doc.tables[0])[1:] == _ranking_rows(m)
    assert _cells(doc.tables[0])[2] == ["2", "甲组", "8", "7", "7", "0", "1", "0", "0", "87.5%", "100.0%", "1", "—"]


def test_no_report_is_a_chinese_error(quiet):
    with pytest.raises(meeting.NoReport, match="^2026年3月1日及以前没有台账，无法生成汇报$"):
        report_docx(quiet, D(2026, 3, 1), CampaignSettings())
