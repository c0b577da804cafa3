"""The Word 通报 (关于…问题整改情况的通报): the written report the office circulates after
the leading group's meeting, in the usual 公文 form, built only from the meeting deck
(``meeting.meeting``: ``figures.overview``, ``figures.ranking`` with its ``changes``,
``figures.overdue``), so every number is the one the dashboard, the slides and the Excel
通报 show. The office edits it before sending: every paragraph is a plain editable
paragraph in a named style (公文标题, 公文正文, 一级标题, 表格文字, ...), the tables are
real Word tables.

Content, in order (``notice_docx``):
- Title ``关于{campaign name}问题整改情况的通报`` (``TITLE``), then the 主送 line
  ``各工作组：``.
- The opening sentence: ``截至{report date}，共交办问题467项（较上期增加9项），已整改404项
  （较上期增加9项），整改率86.5%（较上期提高0.3个百分点），超期问题45项（较上期减少3项）。``
  from ``Overview.kpis`` (values and their change since the previous report, as the
  KPI cards, ``labels.change_words``; no brackets without a previous report), then
  ``现将有关情况通报如下：``.
- 一、总体情况: the phase line (``Meeting.phase_text``), 按期整改率, 临期 and 长期整改 counts
  (the KPIs); 本周变化 from the 合计 row of ``Meeting.changes`` (新交办, 新整改, 新增超期,
  整改后反弹 since ``since``, and the 整改率's change when ``since`` is not the previous
  report, whose change the opening gave; the first report says there is nothing to
  compare);
  then the caption and the 排名 table: exactly ``Meeting.ranking.table`` with the columns
  of ``labels.RANKING_HEADERS``: groups numbered 1.. in the table's (configured) order,
  counts ``labels.count``, rates ``labels.pct``, 排名 ``labels.count`` (``—`` not
  ranked), 较上期 ``labels.rank_change``; the 合计 row last, in bold, without 序号.
- 二、红榜 / 三、黑榜: the rule (``Meeting.rules``) and the groups of ``Standing.honour``
  (best first) / ``Standing.warning`` (worst first), each with its 整改率 and, on the
  黑榜, its run (``labels.streak`` of ``warning_streak``: ``连续3期``), on the 红榜 the
  run when longer than one report; an empty list says ``本期无工作组列入红榜/黑榜``. Groups
  with too few items (``Standing.unranked``) are named as not ranked.
- 四、督办问责: the escalation rule (``Meeting.escalation_rule``) and one paragraph per
  escalated group (``Meeting.escalations``, longest run first): run, rate and the action
  (``建议约谈``); none -> ``本期无…需要升级督办的工作组``.
- 五、下步要求: fixed standard requirements (``REQUIREMENTS``, no numbers), then
  ``附件：超期问题清单``.
- 落款, right-aligned: the office ``{campaign name}工作领导小组办公室`` (``OFFICE``: the
  领导小组办公室 is the 创城办's formal name, and the campaign name makes it right for
  创卫 and the other sister campaigns too) and the report date (the office changes it to
  the day of sending).
- The annex on a new page, in a landscape section: ``附件`` / ``超期问题清单`` and a
  table (``ANNEX_HEADERS``) of every item of ``Meeting.overdue_items`` (the whole list,
  most days overdue first), numbered 1..; 整改时限 ``labels.full_day``, 超期天数
  ``labels.count``; a missing value ``—``. No overdue item -> ``无超期问题。``.

Layout (GB/T 9704 公文 practice): A4 (11906 x 16838 twips), margins top 3.7 cm, bottom
3.5 cm, left 2.8 cm, right 2.6 cm; body 3号 (16 pt), first line indented two
characters, line spacing exactly 28 pt; title 2号 (22 pt) bold, centred; page numbers
``— 1 —`` centred in the footer (the annex section continues them). Table headers repeat
on every page; rows do not split across pages; headings and the table's caption stay
with what follows, 附件说明 and 落款 with the date (a 落款 never stands alone on a page).

Fonts: the 公文 fonts 仿宋_GB2312 and 方正小标宋简体 are missing on many machines (Word
then substitutes a Latin font for the whole text), so the names used are the ones every
Windows since Vista, WPS and macOS Office ship: ``仿宋`` (body, tables), ``黑体``
(一级标题, table headers), ``宋体`` bold (title, page numbers). Every run sets the
font for all four slots (``w:ascii``, ``w:hAnsi``, ``w:eastAsia``, ``w:cs``: digits and
Latin letters in the same face, as in 公文), and so do the document defaults and the
Normal style (their theme fonts removed; language zh-CN).

Ledger text (group names, descriptions, places, people, the campaign name) is written
as plain text: never interpreted (``=cmd``, ``<b>``, ``&`` stay literal), line breaks as
line breaks, the characters XML cannot hold (U+0000-U+0008, U+000B, U+000C,
U+000E-U+001F, U+FFFE, U+FFFF, lone surrogates) dropped (``clean``).

Speed: the two tables are written as WordprocessingML text (``_table_xml``: one
template string per cell of a row kind, the values escaped into it) and put into
``word/document.xml`` as the file is written (``_package``), not built cell by cell
through python-docx (or parsed into its tree and serialised again): 5,000 overdue
rows take a fraction of a second, 50,000 about two.
"""
from __future__ import annotations

import datetime as dt
import io
import re

from .xml_text import UNHOLDABLE
from . import labels
from .campaign.settings import CampaignSettings
from .labels import count, full_day, pct
from .meeting import Meeting, meeting
from .metrics import ALL, Filters

FONT_BODY = "仿宋"
FONT_HEADING = "黑体"
FONT_TITLE = "宋体"
SIZE_TITLE = 22        # 2号
SIZE_BODY = 16         # 3号
SIZE_CAPTION = 16
SIZE_ANNEX_TITLE = 18  # 小2号
SIZE_TABLE = 10.5      # 5号 (the annex)
SIZE_RANKING = 9       # 小5号: the 13 columns of the 排名 table on a portrait page
SIZE_PAGE_NUMBER = 14  # 4号
LINE_PITCH = 28        # points, exactly

# A4 and the 公文 margins.
PAGE_WIDTH_TWIPS, PAGE_HEIGHT_TWIPS = 11906, 16838
MARGINS_CM = {"top": 3.7, "bottom": 3.5, "left": 2.8, "right": 2.6}

TITLE = "关于{name}问题整改情况的通报"
ADDRESSEE = "各工作组："
OFFICE = "{name}工作领导小组办公室"
HEADINGS = ("一、总体情况", "二、红榜", "三、黑榜", "四、督办问责", "五、下步要求")
REQUIREMENTS = (
    "（一）压实整改责任。各工作组要对照超期问题清单（见附件），逐项明确整改措施、责任人和完成时限，"
    "能立行立改的立即整改，不能立即整改的制定计划、限时销号。",
    "（二）聚焦短板弱项。列入黑榜的工作组要深入分析整改滞后的原因，主要负责同志亲自研究部署，"
    "集中力量攻坚，尽快扭转被动局面。",
    "（三）如实填报台账。各工作组要按时报送问题整改台账，做到整改一项、销号一项，确保数据真实、准确、完整。",
)
ANNEX_LINE = "附件：超期问题清单"
ANNEX_TITLE = "超期问题清单"
ANNEX_HEADERS = ("序号", "工作组", "问题描述", "点位", "责任人", "整改时限", "超期天数")
NO_OVERDUE = "无超期问题。"

# Column widths (cm) and alignments: the 排名 table fills the portrait text width
# (21 - 2.8 - 2.6 = 15.6 cm), the annex the landscape one (24.3 cm).
RANKING_WIDTHS = {"seq": 0.9, "group_name": 2.6, "items": 1.0, "done": 1.0, "done_on_time": 1.0,
                  "done_late": 1.0, "open": 1.0, "overdue": 1.0, "long_term": 1.0, "completion_rate": 1.3,
                  "on_time_rate": 1.3, "rank": 0.8, "rank_change": 1.7}
ANNEX_WIDTHS = (1.3, 3.6, 7.6, 4.4, 2.0, 3.4, 2.0)
ANNEX_ALIGN = ("center", "left", "left", "left", "center", "center", "center")

# Style ids (ASCII, as Word writes them) and their names in the style gallery.
STYLES = {"title": ("GwTitle", "公文标题"), "body": ("GwBody", "公文正文"), "heading": ("GwHeading1", "一级标题"),
          "caption": ("GwCaption", "表格标题"), "table": ("GwTableText", "表格文字"),
          "table_center": ("GwTableCenter", "表格文字居中"),
          "signature": ("GwSignature", "落款"), "plain": ("GwPlain", "公文顶格")}

_ILLEGAL = UNHOLDABLE
_DIRTY = re.compile("[\x00-\x1f\ufffe\uffff\ud800-\udfff]")    # _ILLEGAL, CR, LF, tab


def clean(text) -> str:
    """Text as the document holds it: ``str`` of it, CR LF and CR as LF, the characters
    XML cannot hold dropped (module rules); None -> ``""``."""
    if text is None:
        return ""
    text = str(text)
    if not _DIRTY.search(text):
        return text
    return _ILLEGAL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _cell_text(v) -> str:
    """A text cell of the annex: the stored text (``clean``), ``—`` when blank."""
    if labels._missing(v):
        return labels.NONE
    text = clean(v)
    return text if text.strip() else labels.NONE


# ---------------------------------------------------------------- styles, runs, paragraphs


def _set_fonts(rpr, font: str) -> None:
    """All four font slots of ``rpr`` (a ``w:rPr``) to ``font``, theme fonts removed."""
    from docx.oxml.ns import qn
    rfonts = rpr.get_or_add_rFonts()
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        rfonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        rfonts.set(qn(f"w:{attr}"), font)


def _indent_chars(pf, chars: int, size: float) -> None:
    """First line indented ``chars`` characters (Word's ``firstLineChars``, with the
    same distance in points for readers that ignore it)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt
    pf.first_line_indent = Pt(chars * size)
    pf._element.get_or_add_pPr().get_or_add_ind().set(qn("w:firstLineChars"), str(chars * 100))


def _setup_styles(doc) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt
    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr, FONT_BODY)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")

    normal = styles["Normal"]
    _set_fonts(normal.element.get_or_add_rPr(), FONT_BODY)
    normal.font.size = Pt(SIZE_BODY)
    pf = normal.paragraph_format
    pf.space_before = pf.space_after = Pt(0)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(LINE_PITCH)
    pf.widow_control = False

    def add(key, font, size, *, bold=False, align=None, indent=0, line=LINE_PITCH, after=0, outline=None,
            keep=False):
        style_id, name = STYLES[key]
        st = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.element.set(qn("w:styleId"), style_id)
        st.base_style = normal
        st.quick_style = True
        _set_fonts(st.element.get_or_add_rPr(), font)
        st.font.size = Pt(size)
        st.font.bold = bold
        p = st.paragraph_format
        if align is not None:
            p.alignment = align
        if indent:
            _indent_chars(p, indent, size)
        if line is None:
            p.line_spacing_rule = WD_LINE_SPACING.SINGLE
        else:
            p.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            p.line_spacing = Pt(line)
        p.space_after = Pt(after)
        p.keep_with_next = keep
        if outline is not None:
            el = OxmlElement("w:outlineLvl")
            el.set(qn("w:val"), str(outline))
            p._element.get_or_add_pPr().append(el)
        return st

    add("title", FONT_TITLE, SIZE_TITLE, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, line=36, after=LINE_PITCH,
        outline=0)
    add("body", FONT_BODY, SIZE_BODY, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=2)
    add("plain", FONT_BODY, SIZE_BODY, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    add("heading", FONT_HEADING, SIZE_BODY, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=2, outline=1, keep=True)
    add("caption", FONT_HEADING, SIZE_CAPTION, align=WD_ALIGN_PARAGRAPH.CENTER, after=6, keep=True)
    add("table", FONT_BODY, SIZE_TABLE, line=None)
    add("table_center", FONT_BODY, SIZE_TABLE, line=None, align=WD_ALIGN_PARAGRAPH.CENTER)
    sig = add("signature", FONT_BODY, SIZE_BODY, align=WD_ALIGN_PARAGRAPH.RIGHT)
    sig.paragraph_format.right_indent = Pt(4 * SIZE_BODY)    # 右空四字


def _run(p, text: str, font: str = FONT_BODY, *, bold: bool | None = None, size: float | None = None):
    """A run of ``text`` (``clean``ed) in ``p`` with every font slot set to ``font``."""
    from docx.shared import Pt
    r = p.add_run(clean(text))
    _set_fonts(r._element.get_or_add_rPr(), font)
    if bold is not None:
        r.bold = bold
    if size is not None:
        r.font.size = Pt(size)
    return r


def _para(doc, key: str, text: str = "", font: str = FONT_BODY, **run):
    p = doc.add_paragraph(style=doc.styles[STYLES[key][1]])
    if text:
        _run(p, text, font, **run)
    return p


def _page_number_footer(section) -> None:
    """``— {PAGE} —`` centred in the footer of ``section``, as a PAGE field."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, "— ", FONT_TITLE, size=SIZE_PAGE_NUMBER)
    for kind in ("begin", "instr", "separate", "shown", "end"):
        r = _run(p, "1" if kind == "shown" else "", FONT_TITLE, size=SIZE_PAGE_NUMBER)
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = " PAGE "
            r._element.append(el)
        elif kind != "shown":
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            r._element.append(el)
    _run(p, " —", FONT_TITLE, size=SIZE_PAGE_NUMBER)


def _page(section, landscape: bool = False) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Twips
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    w, h = (PAGE_HEIGHT_TWIPS, PAGE_WIDTH_TWIPS) if landscape else (PAGE_WIDTH_TWIPS, PAGE_HEIGHT_TWIPS)
    section.page_width, section.page_height = Twips(w), Twips(h)
    section.top_margin = Cm(MARGINS_CM["top"])
    section.bottom_margin = Cm(MARGINS_CM["bottom"])
    section.left_margin = Cm(MARGINS_CM["left"])
    section.right_margin = Cm(MARGINS_CM["right"])
    section.header_distance = Cm(1.5)
    section.footer_distance = Cm(2.5)


# ---------------------------------------------------------------- tables


_MARKUP = re.compile("[&<>\n\t]")


def _esc(text: str) -> str:
    """``text`` (``clean``) as the character data of one run: XML escaped, line feeds as
    ``w:br`` and tabs as ``w:tab`` (what Word writes), in the same run."""
    if not _MARKUP.search(text):
        return text
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if "\n" in text:
        text = text.replace("\n", '</w:t><w:br/><w:t xml:space="preserve">')
    if "\t" in text:
        text = text.replace("\t", '</w:t><w:tab/><w:t xml:space="preserve">')
    return text


def _rpr(font: str, bold: bool = False, size: float | None = None) -> str:
    f = _esc(font)
    sz = f'<w:sz w:val="{round(size * 2)}"/><w:szCs w:val="{round(size * 2)}"/>' if size else ""
    return (f'<w:rPr><w:rFonts w:ascii="{f}" w:hAnsi="{f}" w:eastAsia="{f}" w:cs="{f}"/>'
            + ("<w:b/><w:bCs/>" if bold else "") + sz + "</w:rPr>")


def _table_xml(headers, rows, widths_cm, aligns, bold_rows=(), size: float | None = None) -> str:
    """A table as WordprocessingML (``w`` the document's prefix): a header row (黑体,
    repeated on every page) and ``rows`` (lists of text, ``clean``ed here, 仿宋;
    ``bold_rows``: indexes in bold), thin borders, fixed column widths (cm), centred,
    rows never split across pages; ``size``: the text's size in points (default the
    表格文字 style's). Each cell: its width, a paragraph in 表格文字 (centred or
    left, ``aligns``) and one run with its fonts."""
    twips = [round(w * 567) for w in widths_cm]
    styles = {"center": STYLES["table_center"][0], "left": STYLES["table"][0]}
    border = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                     for side in ("top", "left", "bottom", "right", "insideH", "insideV"))

    def starts(align_of, rpr):
        return [f'<w:tc><w:tcPr><w:tcW w:w="{t}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
                f'<w:p><w:pPr><w:pStyle w:val="{styles[a]}"/></w:pPr><w:r>{rpr}<w:t xml:space="preserve">'
                for t, a in zip(twips, align_of)]

    end = "</w:t></w:r></w:p></w:tc>"
    head = starts(["center"] * len(twips), _rpr(FONT_HEADING, size=size))
    out = [f'<w:tbl><w:tblPr><w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:jc w:val="center"/>'
           f'<w:tblBorders>{border}</w:tblBorders><w:tblLayout w:type="fixed"/>'
           '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
           '<w:tblLook w:val="0000" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
           'w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>',
           "".join(f'<w:gridCol w:w="{t}"/>' for t in twips), "</w:tblGrid>",
           '<w:tr><w:trPr><w:cantSplit/><w:tblHeader/><w:jc w:val="center"/></w:trPr>',
           "".join(s + _esc(clean(h)) + end for s, h in zip(head, headers)), "</w:tr>"]
    plain, bold = starts(aligns, _rpr(FONT_BODY, size=size)), starts(aligns, _rpr(FONT_BODY, True, size))
    emboldened = set(bold_rows)
    row_start = '<w:tr><w:trPr><w:cantSplit/><w:jc w:val="center"/></w:trPr>'
    for i, values in enumerate(rows):
        cells = bold if i in emboldened else plain
        out.append(row_start + "".join(s + _esc(clean(v)) + end for s, v in zip(cells, values)) + "</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def _table(doc, tables: list[str], *args, **kw) -> None:
    """Add a table (``_table_xml``'s arguments) at the end of ``doc``'s body. The body
    holds a placeholder (``_PLACEHOLDER``) and ``tables`` the XML, put in its place as
    the file is written (``_package``): parsing tens of megabytes into python-docx's
    tree, moving them into the document and serialising them again costs seconds for
    thousands of rows, the text itself a fraction of that (module rules: speed)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    mark = OxmlElement("w:customXml")
    mark.set(qn("w:element"), _PLACEHOLDER.format(i=len(tables)))
    doc.element.body.sectPr.addprevious(mark)
    tables.append(_table_xml(*args, **kw))


_PLACEHOLDER = "report-docx-table-{i}"
_DOCUMENT_PART = "word/document.xml"


def _package(doc, tables: list[str]) -> bytes:
    """The .docx of ``doc`` with each placeholder element replaced by its table."""
    import zipfile
    raw = io.BytesIO()
    doc.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == _DOCUMENT_PART:
                text = data.decode("utf-8")
                for i, xml in enumerate(tables):
                    mark = f'<w:customXml w:element="{_PLACEHOLDER.format(i=i)}"/>'
                    if text.count(mark) != 1:
                        raise RuntimeError(f"table placeholder {i} not found once in {_DOCUMENT_PART}")
                    text = text.replace(mark, xml)
                data = text.encode("utf-8")
                dst.writestr(info, data, compresslevel=1)    # tens of MB: fast, ~10% larger
            else:
                dst.writestr(info, data)
    return out.getvalue()


# ---------------------------------------------------------------- what the 通报 says


def _bracket(key: str, k) -> str:
    """``（较上期增加9项）`` for a KPI, ``""`` without a previous report."""
    words = labels.change_words(key, k.deltas.get(key)) if k.previous_date is not None else None
    return f"（较上期{words}）" if words else ""


def opening(m: Meeting) -> str:
    """The overall figures in one sentence (module rules)."""
    k = m.overview.kpis
    v = k.values
    return (f"截至{full_day(m.as_of)}，共交办问题{count(v['items'])}项{_bracket('items', k)}，"
            f"已整改{count(v['done'])}项{_bracket('done', k)}，整改率{pct(v['completion_rate'])}"
            f"{_bracket('completion_rate', k)}，超期问题{count(v['overdue'])}项{_bracket('overdue', k)}。"
            "现将有关情况通报如下：")


def overall(m: Meeting) -> list[str]:
    """一、总体情况's paragraphs: the phase and the other KPIs; 本周变化 in total."""
    k = m.overview.kpis
    v = k.values
    first = (f"{m.phase_text}。按期整改率{pct(v['on_time_rate'])}{_bracket('on_time_rate', k)}，"
             f"临期问题{count(v['due_soon'])}项，长期整改问题{count(v['long_term'])}项。")
    c = m.changes
    total = c.table[c.table["is_total"]]
    if total.empty:
        return [first]
    t = total.iloc[0]
    moves = (f"新交办问题{count(t['new_items'])}项，新整改{count(t['newly_done'])}项，"
             f"新增超期{count(t['newly_overdue'])}项，整改后反弹{count(t['reopened'])}项")
    if c.since is None:
        second = f"本期为首期台账，没有更早的台账可比较，全部问题算作新交办：{moves}。"
    else:
        second = f"与{full_day(c.since)}的台账相比，{moves}"
        words = labels.change_words("completion_rate", t["completion_rate_change"])
        if c.since != k.previous_date and words:     # the opening gave the change since the previous one
            second += f"，整改率{words}"
        second += "。"
    return [first, second + "各工作组整改情况见下表。"]


def _groups_row(m: Meeting) -> dict:
    return {r["group_name"]: r for r in m.overview.standing.table.to_dict("records")}


def honour_text(m: Meeting) -> str:
    """二、红榜: the rule and the 红榜 groups, best first, with rate (and run when > 1)."""
    st, rows = m.overview.standing, _groups_row(m)
    rule = m.rules[0]
    if not st.honour:
        return f"按照“{rule}”的标准，本期无工作组列入红榜。"
    named = []
    for g in st.honour:
        r = rows[g]
        run = f"，{labels.streak(r['honour_streak'])}上红榜" if r["honour_streak"] and r["honour_streak"] > 1 else ""
        named.append(f"{g}（整改率{pct(r['completion_rate'])}{run}）")
    return f"按照“{rule}”的标准，{'、'.join(named)}列入本期红榜，予以通报表扬。"


def warning_text(m: Meeting) -> str:
    """三、黑榜: the rule and the 黑榜 groups, worst first, with rate and run."""
    st, rows = m.overview.standing, _groups_row(m)
    rule = m.rules[1]
    if not st.warning:
        return f"按照“{rule}”的标准，本期无工作组列入黑榜。"
    named = [f"{g}（整改率{pct(rows[g]['completion_rate'])}，{labels.streak(rows[g]['warning_streak'])}上黑榜）"
             for g in st.warning]
    return f"按照“{rule}”的标准，{'、'.join(named)}列入本期黑榜。请上述工作组认真查找原因，加快整改进度。"


def unranked_text(m: Meeting, settings: CampaignSettings) -> str | None:
    """The groups not ranked (too few items), or None."""
    st = m.overview.standing
    if not st.unranked:
        return None
    return f"{'、'.join(st.unranked)}交办问题少于{count(settings.min_items_to_rank)}项，本期不参加红黑榜排名。"


def escalation_texts(m: Meeting) -> list[str]:
    """四、督办问责: the rule, then one paragraph per escalated group."""
    e = m.escalations
    if e.empty:
        return [f"按照督办问责规则（{m.escalation_rule}），本期无连续上黑榜需要升级督办的工作组。"]
    out = [f"按照督办问责规则（{m.escalation_rule}），以下工作组需升级督办："]
    for g, rate, n, action in zip(e["group_name"], e["completion_rate"], e["warning_streak"], e["escalation"]):
        out.append(f"{g}：{labels.streak(n)}上黑榜，整改率{pct(rate)}，建议{action}。")
    return out


def ranking_cells(m: Meeting) -> tuple[list[str], list[list[str]], list[int]]:
    """(headers, rows, indexes of the 合计 rows) of the 排名 table (module rules)."""
    keys = list(labels.RANKING_HEADERS)
    rows, totals, seq = [], [], 0
    for r in m.ranking.table.to_dict("records"):
        if r["is_total"]:
            totals.append(len(rows))
            no = ""
        else:
            seq += 1
            no = str(seq)
        cells = [no]
        for k in keys[1:]:
            v = r[k]
            if k == "group_name":
                cells.append(clean(v))
            elif k.endswith("rate"):
                cells.append(pct(v))
            elif k == "rank_change":
                cells.append(labels.rank_change(v))
            else:
                cells.append(count(v))
        rows.append(cells)
    return list(labels.RANKING_HEADERS.values()), rows, totals


def annex_rows(m: Meeting) -> list[list[str]]:
    """The annex table's rows (``ANNEX_HEADERS``), one per overdue item in the list's order."""
    df = m.overdue_items
    if df.empty:
        return []
    columns = zip(df["group_name"].tolist(), df["description"].tolist(), df["location"].tolist(),
                  df["assignee"].tolist(), df["deadline"].tolist(), df["days_overdue"].tolist())
    return [[str(i), _cell_text(g), _cell_text(d), _cell_text(loc), _cell_text(a), full_day(due), count(n)]
            for i, (g, d, loc, a, due, n) in enumerate(columns, start=1)]


# ---------------------------------------------------------------- the document


def notice_docx(m: Meeting, settings: CampaignSettings) -> bytes:
    """The Word 通报 of the deck ``m`` (module rules); ``settings``: the campaign's (for
    the least items a ranked group has)."""
    import docx
    from docx.enum.section import WD_SECTION
    doc = docx.Document()
    _setup_styles(doc)
    _page(doc.sections[0])
    _page_number_footer(doc.sections[0])
    name = m.name
    tables: list[str] = []
    doc.core_properties.title = clean(TITLE.format(name=name))
    doc.core_properties.author = clean(OFFICE.format(name=name))

    _para(doc, "title", TITLE.format(name=name), FONT_TITLE)
    _para(doc, "plain", ADDRESSEE)
    _para(doc, "body", opening(m))

    _para(doc, "heading", HEADINGS[0], FONT_HEADING)
    for text in overall(m):
        _para(doc, "body", text)
    _para(doc, "caption", f"{name}各工作组问题整改情况（截至{full_day(m.as_of)}）", FONT_HEADING)
    headers, rows, totals = ranking_cells(m)
    _table(doc, tables, headers, rows, [RANKING_WIDTHS[k] for k in labels.RANKING_HEADERS],
           ["center", "left", *["center"] * (len(headers) - 2)], totals, SIZE_RANKING)

    _para(doc, "heading", HEADINGS[1], FONT_HEADING)
    _para(doc, "body", honour_text(m))
    _para(doc, "heading", HEADINGS[2], FONT_HEADING)
    _para(doc, "body", warning_text(m))
    unranked = unranked_text(m, settings)
    if unranked:
        _para(doc, "body", unranked)
    _para(doc, "heading", HEADINGS[3], FONT_HEADING)
    for text in escalation_texts(m):
        _para(doc, "body", text)
    _para(doc, "heading", HEADINGS[4], FONT_HEADING)
    for text in REQUIREMENTS:
        _para(doc, "body", text)

    # 附件说明 and 落款 kept on one page with the date (a 落款 never stands alone).
    for text, key in (("", "body"), (ANNEX_LINE, "body"), ("", "body"), ("", "body"),
                      (OFFICE.format(name=name), "signature")):
        _para(doc, key, text).paragraph_format.keep_with_next = True
    signed = _para(doc, "signature", full_day(m.as_of))

    annex = doc.add_section(WD_SECTION.NEW_PAGE)
    # The break ends on the date's paragraph, not on an empty one python-docx adds.
    brk = doc.paragraphs[-1]._p
    signed._p.set_sectPr(brk.pPr.sectPr)
    brk.getparent().remove(brk)
    _page(annex, landscape=True)
    _para(doc, "plain", "附件", FONT_HEADING)
    _para(doc, "title", ANNEX_TITLE, FONT_TITLE, size=SIZE_ANNEX_TITLE)
    rows = annex_rows(m)
    if rows:
        _para(doc, "body", f"截至{full_day(m.as_of)}，超期问题共{count(m.overdue_count)}项，按超期天数从多到少排列。")
        _table(doc, tables, ANNEX_HEADERS, rows, ANNEX_WIDTHS, ANNEX_ALIGN)
    else:
        _para(doc, "body", NO_OVERDUE)
    return _package(doc, tables)


def report_docx(con, as_of: dt.date, settings: CampaignSettings, since: dt.date | None = None,
                filters: Filters = ALL) -> bytes:
    """The Word 通报 as of the latest report date on or before ``as_of`` (``meeting.meeting``
    with ``since`` and ``filters``; its ``NoReport`` / ``ValueError`` in Chinese)."""
    return notice_docx(meeting(con, as_of, settings, since, filters), settings)
