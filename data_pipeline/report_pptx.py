"""The PowerPoint 汇报 (``report_pptx``): the 会议汇报 deck (``meeting.meeting``) as native,
editable slides, so the office can adjust it before the meeting. Every number and every
sentence comes from ``data_pipeline.meeting`` (``Slide.title``/``message``,
``table_cells``, ``kpi_cells``, ``group_bars``, ``trend_points``, ``Meeting.rules``,
``escalation_rule``, ``forecast.method``, ``trend.phases``) and ``labels``; this module
only lays them out.

Rules:
- One slide per ``Meeting.slides`` entry, in the same order, its title in the title
  placeholder and its message under it; 16:9 (13.333 x 7.5 in). The title slide holds the
  title and the message (截至 date, phase) large and centred.
- headline: the six ``kpi_cells`` cards (label, value, change) in a 3 x 2 grid.
- groups: a native clustered bar chart of 整改率 per group (``group_bars``), categories
  in the configured order read top to bottom (the category axis is reversed, the value
  axis kept at the bottom), values shown ``0.0%``; each bar coloured by its board
  (``BOARD_COLOURS``: 红榜 red, 黑榜 near black, others neutral blue, 不排名 grey). A group
  without items has no rate: its value is left empty (no bar, no label), never 0. Beside
  it the 红榜/黑榜 rules (``Meeting.rules``) and lists (and the groups not ranked).
- trend: a native line chart (with markers) of 整改率 at each report date
  (``trend_points``), categories ``labels.day`` (``labels.full_day`` when the dates span
  more than one year), ``0.0%`` data labels (at most ``TREND_LABELS`` dates and values
  labelled: every k-th, ending with the latest); beside it, when phases are set, a table of the phases
  (阶段, 起止日期 ``labels.period``, 进展, 整改率 ``labels.pct``).
- changes, forecast, overdue, escalation: real tables with ``table_cells``' headers and
  rows exactly; header row bold on grey; a last row whose first cell is 合计 bold. The
  forecast slide has ``Forecast.method`` as a footnote, the escalation slide the
  escalation rule. A table slide without rows (no overdue item, no group to escalate)
  shows its message only.
- Fit: nothing runs off a slide. Every text box and table has a fixed place, and its
  font size is the largest of a list that fits its box by an estimate of the text's
  width (``_em``: CJK one em, Latin about 0.6 em) and a line height of ``LINE`` em (the
  taller of Microsoft YaHei and Noto Sans CJK); table column widths follow the cells'
  text and rows are measured with wrapping (a 10-row page fits at 14-16 pt).
- Fonts: every run (and every chart text) names ``FONT`` = "Microsoft YaHei" for both
  Latin (``a:latin``) and East Asian (``a:ea``) text, with the GB2312 charset
  (``charset="-122"``) and ``lang="zh-CN"``; the theme's fonts are set to it too, so text
  the office adds matches. Why this font: PowerPoint and WPS on Windows (the offices'
  machines) have 微软雅黑 = Microsoft YaHei (the English name is what PowerPoint stores and
  matches either way); on Linux LibreOffice substitutes the installed CJK sans (Noto Sans
  CJK SC), helped by the charset; PowerPoint for Mac substitutes a CJK sans.
- Ledger text (group names, descriptions, locations) is written as plain text
  (python-pptx escapes XML): ``=HYPERLINK(...)`` or ``<b>x</b>`` show literally. Control
  characters XML cannot hold (U+0000-U+0008, U+000B, U+000C, U+000E-U+001F, as
  ``xlsx_safe`` drops them) and lone surrogates are dropped, tab/CR/LF become a space.
  The charts' embedded workbooks (what "Edit Data" opens) are written through
  ``xlsx_safe``: a category named ``=...`` is a text cell, never a formula.
- Core properties: title = the deck's title, subject = its first message; author and
  last-modified-by empty; no python-pptx text or thumbnail is left in the file.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata

import openpyxl
from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_MARKER_STYLE
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.util import Inches, Pt

from .xml_text import UNHOLDABLE
from . import labels
from . import meeting as meeting_module
from .campaign.settings import CampaignSettings
from .meeting import Meeting, Slide, group_bars, kpi_cells, table_cells, trend_points
from .metrics import ALL, Filters
from .xlsx_safe import put

FONT = "Microsoft YaHei"
FONT_CHARSET = "-122"          # GB2312, what PowerPoint writes for 微软雅黑
FONT_PITCH = "34"
LANG = "zh-CN"
LINE = 1.45                    # line height in em (Noto Sans CJK ~1.45, YaHei ~1.32)
SLIDE_W_IN, SLIDE_H_IN = 13.333, 7.5
SLIDE_W_EMU, SLIDE_H_EMU = 12192000, 6858000
MARGIN = 0.5
WIDTH = SLIDE_W_IN - 2 * MARGIN
TITLE_BOX = (MARGIN, 0.3, WIDTH, 0.85)
MESSAGE_BOX = (MARGIN, 1.15, WIDTH, 0.95)
BODY_TOP, BODY_BOTTOM = 2.2, 6.95
FOOT_BOX = (MARGIN, 6.95, WIDTH, 0.45)
TITLE_SIZES = (32, 30, 28, 26, 24, 22, 20)
MESSAGE_SIZES = (22, 20, 18, 16, 15, 14, 13, 12, 11, 10)
TABLE_SIZES = (20, 18, 16, 15, 14, 13, 12, 11, 10, 9, 8)
FOOT_SIZES = (13, 12, 11, 10, 9, 8)
TREND_LABELS = 8              # at most this many dates (and data labels) along the trend
ONE_LINE_MIN = 13             # pt: a table at least this large is laid out without wrapping
AUTOSPACE = 0.25               # em between CJK and Latin text
PAD_W, PAD_H = 0.08, 0.04      # table cell margins (in)
BOX_PAD_W, BOX_PAD_H = 0.1, 0.05  # text box insets (python-pptx / PowerPoint default)

DARK, GREY, LIGHT = "262626", "595959", "F2F2F2"
HEADER_FILL, STRIPE_FILL, WHITE = "D9D9D9", "F5F5F5", "FFFFFF"
BOARD_COLOURS = {labels.HONOUR: "C62828", labels.WARNING: "303030", "": "7F9CC0", labels.UNRANKED: "BFBFBF"}
LINE_COLOUR = "1F4E79"
LEFT_HEADERS = {"工作组", "问题描述", "点位", "建议措施", "阶段"}
RATE_FORMAT = labels.RATE_FORMAT_EXCEL     # 0.0%, as every export shows a rate
AXIS_FORMAT = "0%"

_DROP = UNHOLDABLE
_SPACE = re.compile(r"\r\n|[\t\n\r]")
_TOKEN = re.compile(r"[!-~]+|.", re.S)      # a run of printable ASCII wraps as one word


def clean(text) -> str:
    """Ledger or figure text as a slide holds it (module rules): unholdable control
    characters dropped, tab/CR/LF a space."""
    return _SPACE.sub(" ", _DROP.sub("", "" if text is None else str(text)))


# ---------------------------------------------------------------- measuring text


def _char_em(ch: str) -> float:
    """A character's estimated advance in em: the wider of Microsoft YaHei and of what
    LibreOffice draws instead (Noto Sans CJK for CJK, DejaVu Sans for Latin)."""
    if unicodedata.east_asian_width(ch) in "WF":
        return 1.0
    if ch in " il.,:;|!'`":
        return 0.34
    if ch in "mwMW@%—":
        return 0.92
    return 0.74 if ch.isupper() else 0.64


def _ascii_run(token: str) -> bool:
    return token[0] != " " and token[0] <= "~"


def _em(text: str) -> float:
    """The estimated width of ``text`` in em, with the space LibreOffice and PowerPoint
    put between CJK and Latin text (``AUTOSPACE`` each side of a Latin word in CJK)."""
    tokens = _TOKEN.findall(text)
    cjk = any(unicodedata.east_asian_width(t[0]) in "WF" for t in tokens)
    return sum(sum(_char_em(ch) for ch in t) + (2 * AUTOSPACE if cjk and _ascii_run(t) else 0) for t in tokens)


def _lines(text: str, width_pt: float, size: float) -> int:
    """How many lines ``text`` takes at ``size`` pt in ``width_pt`` (greedy wrap: CJK
    between any two characters, ASCII words whole unless longer than a line)."""
    if width_pt <= 0:
        return 10 ** 6
    tokens = _TOKEN.findall(text)
    cjk = any(unicodedata.east_asian_width(t[0]) in "WF" for t in tokens)
    lines, used = 1, 0.0
    for token in tokens:
        w = (sum(_char_em(ch) for ch in token) + (2 * AUTOSPACE if cjk and _ascii_run(token) else 0)) * size
        if used + w <= width_pt:
            used += w
            continue
        if w <= width_pt:
            lines, used = lines + 1, (0.0 if token == " " else w)
            continue
        for ch in token:                       # a word longer than a line breaks anywhere
            cw = _char_em(ch) * size
            if used + cw > width_pt and used > 0:
                lines, used = lines + 1, 0.0
            used += cw
    return lines


def _fit(paragraphs, width_in: float, height_in: float, sizes) -> float:
    """The largest of ``sizes`` at which ``paragraphs`` ((text, size factor) pairs) fit
    the box (its insets taken off); the smallest size when none does."""
    width_pt = (width_in - 2 * BOX_PAD_W) * 72
    height_pt = (height_in - 2 * BOX_PAD_H) * 72
    for size in sizes:
        used = sum(_lines(t, width_pt, size * f) * size * f * LINE for t, f in paragraphs)
        if used <= height_pt:
            return size
    return sizes[-1]


def _table_layout(headers, rows, width_in: float, height_in: float, sizes=TABLE_SIZES):
    """(font size, column widths, row heights) in pt/in for a table in the box. Each
    cell's natural width is its text's (header bold); two candidates: the largest size at
    which every cell fits on one line (widths spread to the box) and the box's height
    holds the rows, and the largest at which the cells, wrapped in columns shrunk toward
    equal shares (``_share``), fit the height. The one-line layout is taken when its size
    is at least ``ONE_LINE_MIN`` pt or no larger than the wrapped one; the smallest size,
    wrapped, when nothing fits."""
    table = [list(headers)] + [list(r) for r in rows]
    n = len(headers)
    bold = [1.06 if i == 0 or (i == len(rows) and r[0] == labels.TOTAL) else 1.0 for i, r in enumerate(table)]

    def layout(size, wrap, force=False):
        natural = [max(_em(r[j]) * bold[i] for i, r in enumerate(table)) * size * 1.03 / 72
                   + 2 * PAD_W + 0.02 for j in range(n)]
        if not wrap and sum(natural) > width_in:
            return None
        widths = _share(natural, width_in)
        heights = []
        for i, r in enumerate(table):
            lines = 1 if not wrap else max(_lines(r[j], (widths[j] - 2 * PAD_W - 0.02) * 72, size * bold[i])
                                           for j in range(n))
            heights.append(lines * size * LINE / 72 + 2 * PAD_H)
        return (size, widths, heights) if force or sum(heights) <= height_in else None

    one_line = next((x for x in (layout(z, False) for z in sizes) if x), None)
    if one_line and one_line[0] >= ONE_LINE_MIN:
        return one_line
    wrapped = next((x for x in (layout(z, True) for z in sizes) if x), None)
    if one_line and (wrapped is None or wrapped[0] <= one_line[0]):
        return one_line
    return wrapped or layout(sizes[-1], True, force=True)


def _share(natural: list[float], total: float) -> list[float]:
    """Column widths summing to ``total``: the natural widths spread out when they fit,
    else narrow columns keep theirs and the wide ones share the rest equally."""
    need = sum(natural)
    if need <= total:
        return [w * total / need for w in natural]
    widths = [0.0] * len(natural)
    left, cols = total, sorted(range(len(natural)), key=lambda j: natural[j])
    for i, j in enumerate(cols):
        share = left / (len(cols) - i)
        widths[j] = min(natural[j], share)
        left -= widths[j]
    return widths


# ---------------------------------------------------------------- fonts and text


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour)


def _font(font, size: float | None = None, bold: bool | None = None, colour: str | None = None) -> None:
    """Set ``font`` (a python-pptx Font over an ``a:rPr``/``a:defRPr``): size, bold,
    colour, and ``FONT`` for Latin and East Asian text (module rules)."""
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if colour is not None:
        font.color.rgb = _rgb(colour)
    font.name = FONT
    rpr = font._rPr
    rpr.set("lang", LANG)
    rpr.set("altLang", "en-US")
    latin = rpr.find(qn("a:latin"))
    latin.set("pitchFamily", FONT_PITCH)
    latin.set("charset", FONT_CHARSET)
    ea = rpr.find(qn("a:ea"))
    if ea is None:
        ea = OxmlElement("a:ea")
        latin.addnext(ea)
    ea.set("typeface", FONT)
    ea.set("pitchFamily", FONT_PITCH)
    ea.set("charset", FONT_CHARSET)


def _run(paragraph, text: str, size: float, bold: bool = False, colour: str = DARK):
    run = paragraph.add_run()
    run.text = clean(text)
    _font(run.font, size, bold, colour)
    return run


def _frame(tf, anchor=None, wrap: bool = True):
    tf.word_wrap = wrap
    tf.auto_size = MSO_AUTO_SIZE.NONE
    tf.vertical_anchor = anchor if anchor is not None else MSO_ANCHOR.TOP
    tf.margin_left = tf.margin_right = Inches(BOX_PAD_W)
    tf.margin_top = tf.margin_bottom = Inches(BOX_PAD_H)
    return tf


def _place(shape, box) -> None:
    x, y, w, h = box
    shape.left, shape.top, shape.width, shape.height = Inches(x), Inches(y), Inches(w), Inches(h)


def _paragraphs(tf, parts, align=None) -> None:
    """Fill ``tf`` with paragraphs; ``parts``: one list of runs (text, size, bold, colour)
    per paragraph."""
    tf.clear()
    for i, runs in enumerate(parts):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.alignment = align if align is not None else PP_ALIGN.LEFT
        p.line_spacing = 1.0
        for text, size, bold, colour in runs:
            _run(p, text, size, bold, colour)


def _textbox(slide, box, parts, align=None, anchor=None):
    x, y, w, h = box
    shape = slide.shapes.add_textbox(Inches(x), Inches(y), Inches(w), Inches(h))
    _frame(shape.text_frame, anchor)
    _paragraphs(shape.text_frame, parts, align)
    return shape


# ---------------------------------------------------------------- the deck


def report_pptx(con, as_of: dt.date, settings: CampaignSettings, since: dt.date | None = None,
                filters: Filters = ALL) -> bytes:
    """The PowerPoint 汇报 as of ``as_of`` (``meeting.meeting``: the latest report date on
    or before it; ``since`` as 本周变化 takes it); ``meeting.NoReport`` / ``ValueError``
    (Chinese) as ``meeting.meeting`` raises them."""
    return deck_pptx(meeting_module.meeting(con, as_of, settings, since, filters))


def deck_pptx(m: Meeting) -> bytes:
    """The .pptx bytes of the deck ``m`` (module rules)."""
    prs = Presentation()
    _widescreen(prs)
    _theme_fonts(prs)
    for slide in m.slides:
        if slide.key == "title":
            _title_slide(prs, slide)
            continue
        s = _content_slide(prs, slide)
        {"headline": _headline, "groups": _groups, "trend": _trend}.get(slide.key, _table_slide)(s, m, slide)
    _properties(prs, m)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def _widescreen(prs) -> None:
    """16:9, with the master's and layouts' own shapes widened to match (so a slide the
    office adds is laid out for the new width)."""
    old = prs.slide_width
    prs.slide_width, prs.slide_height = SLIDE_W_EMU, SLIDE_H_EMU
    k = SLIDE_W_EMU / old
    for owner in (prs.slide_master, *prs.slide_layouts):
        for shape in owner.shapes:
            if shape._element.xfrm is not None:
                shape.left, shape.width = int(shape.left * k), int(shape.width * k)


def _theme_fonts(prs) -> None:
    """The theme's major and minor fonts (Latin, East Asian, 简体中文) set to ``FONT``."""
    theme = prs.slide_master.part.part_related_by(RT.THEME)
    root = etree.fromstring(theme.blob)
    ns = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
    for el in root.xpath("//a:fontScheme/*/a:latin | //a:fontScheme/*/a:ea | "
                         "//a:fontScheme/*/a:font[@script='Hans']", namespaces=ns):
        el.set("typeface", FONT)
    theme._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _properties(prs, m: Meeting) -> None:
    """Core properties (module rules); the template's thumbnail dropped, app.xml's
    slide format named right."""
    core = prs.core_properties
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    core.title = clean(m.slides[0].title)
    core.subject = clean(m.slides[0].message)
    core.author = core.last_modified_by = core.comments = core.keywords = core.category = ""
    core.created = core.modified = now
    core.revision = 1
    pkg = prs.part.package
    for rid, rel in list(pkg._rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            pkg._rels.pop(rid)
        elif rel.reltype == RT.EXTENDED_PROPERTIES:
            part = rel.target_part
            part._blob = part.blob.replace(b"On-screen Show (4:3)", b"Widescreen").replace(
                b"Microsoft Macintosh PowerPoint", b"Microsoft Office PowerPoint")


def _title_slide(prs, slide: Slide) -> None:
    s = prs.slides.add_slide(prs.slide_layouts[0])
    title, sub = s.placeholders[0], s.placeholders[1]
    box = (0.8, 1.6, SLIDE_W_IN - 1.6, 2.2)
    _place(title, box)
    size = _fit([(clean(slide.title), 1.0)], box[2], box[3], (44, 40, 36, 32, 28, 24, 20))
    _frame(title.text_frame, MSO_ANCHOR.BOTTOM)
    _paragraphs(title.text_frame, [[(slide.title, size, True, DARK)]], PP_ALIGN.CENTER)
    bar = s.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(SLIDE_W_IN / 2 - 1.5), Inches(3.98), Inches(3.0),
                             Inches(0.06))
    bar.fill.solid()
    bar.fill.fore_color.rgb = _rgb(BOARD_COLOURS[labels.HONOUR])
    bar.line.fill.background()
    box = (0.8, 4.25, SLIDE_W_IN - 1.6, 1.8)
    _place(sub, box)
    size = _fit([(clean(slide.message), 1.0)], box[2], box[3], (28, 26, 24, 22, 20, 18, 16, 14))
    _frame(sub.text_frame, MSO_ANCHOR.TOP)
    _paragraphs(sub.text_frame, [[(slide.message, size, False, GREY)]], PP_ALIGN.CENTER)


def _content_slide(prs, slide: Slide):
    """A slide of the Title Only layout with the slide's title and message."""
    s = prs.slides.add_slide(prs.slide_layouts[5])
    title = s.shapes.title
    _place(title, TITLE_BOX)
    _frame(title.text_frame, MSO_ANCHOR.MIDDLE)
    size = _fit([(clean(slide.title), 1.0)], TITLE_BOX[2], TITLE_BOX[3], TITLE_SIZES)
    _paragraphs(title.text_frame, [[(slide.title, size, True, DARK)]])
    size = _fit([(clean(slide.message), 1.0)], MESSAGE_BOX[2], MESSAGE_BOX[3], MESSAGE_SIZES)
    _textbox(s, MESSAGE_BOX, [[(slide.message, size, False, GREY)]])
    return s


def _headline(s, m: Meeting, slide: Slide) -> None:
    """Six cards in a 3 x 2 grid: label, value (large, bold), change."""
    cards = kpi_cells(m)
    cols, gap = 3, 0.3
    top, height = BODY_TOP + 0.1, BODY_BOTTOM - BODY_TOP - 0.1
    rows = -(-len(cards) // cols)
    w = (WIDTH - gap * (cols - 1)) / cols
    h = (height - gap * (rows - 1)) / rows
    sizes = [_fit([(clean(label), 20 / 48), (clean(value), 1.0), (clean(change) or " ", 18 / 48)], w, h,
                  (48, 44, 40, 36, 32, 28, 24, 20)) for label, value, change in cards]
    size = min(sizes)                                         # one value size for all cards
    for i, (label, value, change) in enumerate(cards):
        x, y = MARGIN + (i % cols) * (w + gap), top + (i // cols) * (h + gap)
        card = s.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, Inches(x), Inches(y), Inches(w), Inches(h))
        card.adjustments[0] = 0.08
        card.fill.solid()
        card.fill.fore_color.rgb = _rgb(LIGHT)
        card.line.fill.background()
        card.shadow.inherit = False
        _frame(card.text_frame, MSO_ANCHOR.MIDDLE)
        _paragraphs(card.text_frame, [[(label, size * 20 / 48, False, GREY)], [(value, size, True, DARK)],
                                      [(change, size * 18 / 48, False, GREY)]], PP_ALIGN.CENTER)


def _chart_fonts(chart, size: float) -> None:
    _font(chart.font, size, colour=DARK)


def _groups(s, m: Meeting, slide: Slide) -> None:
    """The bar chart of 整改率 per group and the 红榜/黑榜 rules and lists."""
    bars = group_bars(m)
    names = [clean(g) for g in bars["group_name"]]
    rates = [None if labels._missing(r) else float(r) for r in bars["completion_rate"]]
    n = max(1, len(names))
    size = 16 if n <= 8 else 14 if n <= 12 else 12 if n <= 18 else 10 if n <= 26 else 8 if n <= 36 else 6
    chart_box = (MARGIN, BODY_TOP, 7.9, BODY_BOTTOM - BODY_TOP)
    if names:
        data = _SafeChartData(number_format=RATE_FORMAT)
        data.categories = names
        data.add_series(labels.KPI_LABELS["completion_rate"], rates)
        chart = _add_chart(s, XL_CHART_TYPE.BAR_CLUSTERED, chart_box, data)
        _chart_fonts(chart, size)
        plot = chart.plots[0]
        plot.gap_width = 50
        plot.vary_by_categories = False
        plot.has_data_labels = True
        dl = plot.data_labels
        dl.number_format, dl.number_format_is_linked = RATE_FORMAT, False
        dl.position = XL_LABEL_POSITION.OUTSIDE_END
        _font(dl.font, size, colour=DARK)
        series = plot.series[0]
        series.invert_if_negative = False
        for i, board in enumerate(bars["board"]):
            fill = series.points[i].format.fill
            fill.solid()
            fill.fore_color.rgb = _rgb(BOARD_COLOURS.get(board, BOARD_COLOURS[""]))
        cat = chart.category_axis
        cat.reverse_order = True                               # the first group on top
        _font(cat.tick_labels.font, size, colour=DARK)
        val = chart.value_axis
        val.minimum_scale, val.maximum_scale, val.major_unit = 0.0, 1.0, 0.2
        val.has_major_gridlines = True
        val.tick_labels.number_format, val.tick_labels.number_format_is_linked = AXIS_FORMAT, False
        _font(val.tick_labels.font, size, colour=GREY)
        _value_axis_at_bottom(chart)
    st = m.overview.standing
    honour_rule, warning_rule = m.rules
    parts = [((f"{labels.HONOUR}（{honour_rule}）", True, BOARD_COLOURS[labels.HONOUR]),),
             (("、".join(st.honour) or "暂无", False, DARK),),
             ((f"{labels.WARNING}（{warning_rule}）", True, BOARD_COLOURS[labels.WARNING]),),
             (("、".join(st.warning) or "暂无", False, DARK),)]
    if st.unranked:
        parts += [((f"{labels.UNRANKED}（交办问题较少）", True, GREY),), (("、".join(st.unranked), False, DARK),)]
    parts += [(("图中红色为红榜，黑色为黑榜，灰色为不排名", False, GREY),)]
    box = (8.7, BODY_TOP + 0.1, SLIDE_W_IN - MARGIN - 8.7, BODY_BOTTOM - BODY_TOP - 0.1)
    factors = [0.8 if i == len(parts) - 1 else 1.0 for i in range(len(parts))]
    text = _fit([(clean(runs[0][0]), f) for runs, f in zip(parts, factors)], box[2], box[3],
                (20, 18, 16, 15, 14, 13, 12, 11, 10, 9, 8))
    _textbox(s, box, [[(t, text * f, b, c) for t, b, c in runs] for runs, f in zip(parts, factors)])


def _value_axis_at_bottom(chart) -> None:
    """With the category axis reversed, the value axis crosses it at its last category,
    so it stays at the bottom (``c:valAx/c:crosses`` = max)."""
    for val in chart._chartSpace.findall(".//" + qn("c:valAx")):
        crosses = val.find(qn("c:crosses"))
        if crosses is not None:
            crosses.set("val", "max")


def _add_chart(s, kind, box, data):
    x, y, w, h = box
    chart = s.shapes.add_chart(kind, Inches(x), Inches(y), Inches(w), Inches(h), data).chart
    chart.has_legend = False
    chart.has_title = False
    return chart


def _trend(s, m: Meeting, slide: Slide) -> None:
    """The line of 整改率 at each report date and, with phases, the phases' table. With
    more than ``TREND_LABELS`` dates, every k-th date (and the last) is labelled, on the
    axis and with its value, so labels never overlap."""
    points = trend_points(m)
    phases = m.trend.phases
    split = 7.2
    chart_box = (MARGIN, BODY_TOP, WIDTH if phases.empty else split, BODY_BOTTOM - BODY_TOP)
    if len(points):
        days = [labels._date(d) for d in points["as_of"]]
        show = labels.day if len({d.year for d in days}) == 1 else labels.full_day
        data = _SafeChartData(number_format=RATE_FORMAT)
        data.categories = [show(d) for d in days]
        data.add_series(labels.KPI_LABELS["completion_rate"],
                        [None if labels._missing(r) else float(r) for r in points["completion_rate"]])
        chart = _add_chart(s, XL_CHART_TYPE.LINE_MARKERS, chart_box, data)
        n = len(days)
        size = 14 if n <= TREND_LABELS else 12
        skip = -(-n // TREND_LABELS)
        _chart_fonts(chart, size)
        plot = chart.plots[0]
        series = plot.series[0]
        series.smooth = False
        series.format.line.color.rgb = _rgb(LINE_COLOUR)
        series.format.line.width = Pt(2.5)
        series.marker.style = XL_MARKER_STYLE.CIRCLE
        series.marker.size = 7
        series.marker.format.fill.solid()
        series.marker.format.fill.fore_color.rgb = _rgb(LINE_COLOUR)
        series.marker.format.line.color.rgb = _rgb(LINE_COLOUR)
        plot.has_data_labels = True
        dl = plot.data_labels
        dl.number_format, dl.number_format_is_linked = RATE_FORMAT, False
        dl.position = XL_LABEL_POSITION.ABOVE
        _font(dl.font, size, colour=DARK)
        if skip > 1:
            dl.show_value = False
            for i in sorted({*range(n - 1, -1, -skip)}):
                label = series.points[i].data_label
                label.position = XL_LABEL_POSITION.ABOVE
                _font(label.font, size, colour=DARK)
            _tick_skip(chart, skip)
        _font(chart.category_axis.tick_labels.font, size, colour=DARK)
        _rotate_ticks(chart, -45 if n > TREND_LABELS else 0)
        val = chart.value_axis
        val.minimum_scale, val.maximum_scale, val.major_unit = 0.0, 1.0, 0.2
        val.has_major_gridlines = True
        val.tick_labels.number_format, val.tick_labels.number_format_is_linked = AXIS_FORMAT, False
        _font(val.tick_labels.font, size, colour=GREY)
    if not phases.empty:
        headers, rows = phase_cells(m)
        x = MARGIN + split + 0.2
        box = (x, BODY_TOP + 0.2, SLIDE_W_IN - MARGIN - x, BODY_BOTTOM - BODY_TOP - 0.2)
        _table(s, headers, rows, box, sizes=(16, 15, 14, 13, 12, 11, 10, 9, 8))


def _rotate_ticks(chart, degrees: int) -> None:
    """The category labels turned by ``degrees`` (so a date never wraps)."""
    if degrees:
        body = chart._chartSpace.find(".//" + qn("c:catAx")).find(qn("c:txPr")).find(qn("a:bodyPr"))
        body.set("rot", str(degrees * 60000))
        body.set("vert", "horz")


def _tick_skip(chart, skip: int) -> None:
    """Label every ``skip``-th category, counted so the last one is labelled."""
    cat = chart._chartSpace.find(".//" + qn("c:catAx"))
    for tag in ("c:tickLblSkip", "c:tickMarkSkip"):
        el = cat.find(qn(tag))
        if el is None:
            el = OxmlElement(tag)
            no_multi = cat.find(qn("c:noMultiLvlLbl"))
            (no_multi.addprevious if no_multi is not None else cat.append)(el)
        el.set("val", str(skip))


def phase_cells(m: Meeting) -> tuple[list[str], list[list[str]]]:
    """The trend slide's phases table: 阶段, 起止日期 (``labels.period``), 进展 (the phase's
    state), 整改率 (``labels.pct`` of the phase's assigned items done); ``labels.NONE`` for
    a missing value (the 阶段外 row has no period or state)."""
    rows = [[clean(r["phase"]), labels.period(r["start"], r["end"]), r["state"] or labels.NONE,
             labels.pct(r["completion_rate"])] for r in m.trend.phases.to_dict("records")]
    return ["阶段", "起止日期", "进展", labels.KPI_LABELS["completion_rate"]], rows


def _table_slide(s, m: Meeting, slide: Slide) -> None:
    """A table slide: its rows (``table_cells``) at the size every page of the same
    table fits (so a table continued on 续 slides keeps one font size), and its
    footnote."""
    headers, rows = table_cells(m, slide)
    foot = {"forecast": m.forecast.method, "escalation": m.escalation_rule}.get(slide.key)
    bottom = BODY_BOTTOM if foot else SLIDE_H_IN - 0.35
    box = (MARGIN, BODY_TOP, WIDTH, bottom - BODY_TOP)
    if rows:
        pages = [table_cells(m, sl) for sl in m.slides if sl.key == slide.key]
        cap = min([_table_layout(*_clean_cells(h, r), box[2], box[3])[0] for h, r in pages if r],
                  default=TABLE_SIZES[0])
        _table(s, headers, rows, box, sizes=tuple(z for z in TABLE_SIZES if z <= cap))
    if foot:
        text = clean(foot) if slide.key == "forecast" else f"督办规则：{clean(foot)}"
        size = _fit([(text, 1.0)], FOOT_BOX[2], FOOT_BOX[3], FOOT_SIZES)
        _textbox(s, FOOT_BOX, [[(text, size, False, GREY)]])


def _clean_cells(headers, rows):
    return [clean(h) for h in headers], [[clean(c) for c in r] for r in rows]


def _table(s, headers, rows, box, sizes=TABLE_SIZES):
    """A real table of text cells in ``box``: sized by ``_table_layout``, header bold on
    grey, stripes, a last 合计 row bold."""
    headers, rows = _clean_cells(headers, rows)
    x, y, w, h = box
    size, widths, heights = _table_layout(headers, rows, w, h, sizes)
    shape = s.shapes.add_table(len(rows) + 1, len(headers), Inches(x), Inches(y), Inches(w),
                               Inches(sum(heights)))
    table = shape.table
    table.first_row, table.horz_banding = True, False
    for j, width in enumerate(widths):
        table.columns[j].width = Inches(width)
    for i, height in enumerate(heights):
        table.rows[i].height = Inches(height)
    total_row = len(rows) if rows and rows[-1][0] == labels.TOTAL else None
    for i, values in enumerate([headers] + rows):
        bold = i == 0 or i == total_row
        fill = HEADER_FILL if i == 0 else STRIPE_FILL if i % 2 == 0 else WHITE
        for j, value in enumerate(values):
            cell = table.cell(i, j)
            cell.fill.solid()
            cell.fill.fore_color.rgb = _rgb(fill)
            cell.margin_left = cell.margin_right = Inches(PAD_W)
            cell.margin_top = cell.margin_bottom = Inches(PAD_H)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            tf = cell.text_frame
            tf.word_wrap = True
            p = tf.paragraphs[0]
            p.alignment = PP_ALIGN.LEFT if headers[j] in LEFT_HEADERS and i > 0 else PP_ALIGN.CENTER
            _run(p, value, size, bold, DARK)
    return shape


# ---------------------------------------------------------------- charts' embedded workbooks


class _SafeChartData(CategoryChartData):
    """Category chart data whose embedded workbook is written through ``xlsx_safe``
    (python-pptx's own writer stores a text starting with ``=`` as a formula), in
    python-pptx's layout: categories from A2, each series' name in row 1 and its values
    below."""

    @property
    def xlsx_blob(self):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Sheet1"
        for i, category in enumerate(self.categories, start=2):
            put(ws, i, 1, category.label)
        for j, series in enumerate(self, start=2):
            put(ws, 1, j, series.name)
            for i, value in enumerate(series.values, start=2):
                put(ws, i, j, value).number_format = series.number_format
        ws.column_dimensions["A"].width = 24
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()
