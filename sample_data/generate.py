"""Deterministic sample campaign for the 创城 (创建全国文明城市) dashboard.

Running ``python sample_data/generate.py [--out DIR]`` writes, for 17 weekly
report dates (every Friday from 2026-08-07 to 2026-11-27), the ledgers (台账)
that six work groups hand to the campaign office, in two office layouts:

* Layout A, one workbook per week ``YYYYMMDD_创城问题整改台账.xlsx`` for
  工地围挡绿化整改组, 道路维修及路灯项目整改组, 其他项目推进整改组 and
  宣传氛围营造组: a ``填报说明`` sheet, then one sheet per group with a merged
  title, a 填报单位/填报日期 line, a two-row merged header (整改情况 over
  整改状态 | 完成时间), real Excel dates, text deadlines such as 立行立改 or
  9月底前, a 合计 row and two footnote rows. Closed items are sometimes
  dropped from later weeks.
* Layout B, one flat sheet per week ``市容交通督查问题清单（截至M月D日）.xlsx``
  for 市容环境组 and 交通秩序组: title, ``统计截至：2026年M月D日`` (the only
  place holding the year), a one-row header with other names, dates as text
  in mixed forms, messy group names, sometimes a blank row and 小计 rows. The
  week of 2026-10-16 is a GBK-encoded CSV instead
  (``市容交通督查问题清单_2026-10-16.csv``, report date in the file name).

It also writes ``campaign.json``, the sample campaign's settings (name, phases, group
order), which the dashboard stores when it loads the sample, and ``EXPECTED.json``: ground-truth counts per group (items, done,
long_term, in_progress, not_started, overdue) for the latest report date plus
per-week items/done, computed from the in-memory model, not from the files.

The only randomness is ``random.Random(2026)``; workbook properties and zip
entry timestamps are fixed, so two runs in one environment give byte-identical
files (openpyxl serialises differently when lxml is installed, so the test compares
the workbooks' cells and merged ranges rather than their bytes). Tests can
call ``generate(out_dir)``; the app can reuse GROUPS, PHASES and REPORT_DATES.
"""

import argparse
import calendar
import csv
import io
import json
import random
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.writer.excel import ExcelWriter

# --- Public campaign constants ---------------------------------------------

GROUPS = [
    "工地围挡绿化整改组",
    "道路维修及路灯项目整改组",
    "市容环境组",
    "交通秩序组",
    "其他项目推进整改组",
    "宣传氛围营造组",
]
# (phase name, first day, last day), in order.
PHASES = [
    ("准备阶段", date(2026, 8, 1), date(2026, 8, 31)),
    ("实施阶段", date(2026, 9, 1), date(2026, 10, 31)),
    ("评估阶段", date(2026, 11, 1), date(2026, 12, 31)),
]
# Every Friday from 2026-08-07 to 2026-11-27 (17 weeks).
REPORT_DATES = [date(2026, 8, 7) + timedelta(weeks=i) for i in range(17)]

LAYOUT_A_GROUPS = [GROUPS[0], GROUPS[1], GROUPS[4], GROUPS[5]]
LAYOUT_B_GROUPS = [GROUPS[2], GROUPS[3]]
CSV_WEEK = date(2026, 10, 16)  # layout B arrives as a GBK CSV this week
MOCK_EVALUATION_WEEKS = {date(2026, 9, 25), date(2026, 10, 23)}  # 模拟测评 spikes

# --- Internal constants ------------------------------------------------------

SEED = 2026
DISTRICT = "临江区"
FIXED_TIMESTAMP = datetime(2026, 11, 27, 17, 0, 0)
STATUS_WORDS = {
    "not_started": ["未整改", "未整改", "待整改", "未整改（待协调）"],
    "in_progress": ["整改中", "整改中", "正在整改", "整改中（协调施工队）"],
    "done": ["已整改", "已整改", "已完成", "已整改，已清理完毕", "已销号"],
    "long_term": ["长期整改"],
}
CATEGORIES = ["done", "long_term", "in_progress", "not_started"]
STREETS = ["人民路", "中山路", "解放大道", "建设街", "文化路", "滨江路",
           "胜利街", "和平路", "新华路", "朝阳路", "青年路", "学府路"]
LANDMARKS = ["万达广场", "市第一中学", "人民医院", "火车站", "农贸市场", "市政府",
             "体育中心", "图书馆", "公交总站", "中心公园", "幸福小区", "阳光花园小区"]
SIDES = ["门口", "东侧", "西侧", "对面", "北门", "南门"]
PROJECTS = ["锦绣华府", "滨江壹号", "地铁2号线", "城南污水管网", "市民中心", "翠湖湾"]
STREET_OFFICES = ["东城街道", "西城街道", "南湖街道", "北山街道"]
NOTES = ["已督促责任单位限期整改", "群众投诉反映", "复查未通过，重新交办",
         "已约谈责任单位负责人", "已纳入督办清单", "已现场核实"]
STUCK_NOTES = ["涉及多部门，需协调", "待资金拨付", "产权不清，正在协调", "需协调供电部门"]
LONG_TERM_NOTES = ["纳入年度计划，分批实施", "结合老旧小区改造实施"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林高罗郑梁谢宋"
GIVEN_NAMES = ["伟", "芳", "强", "洋", "静", "军", "磊", "敏", "涛", "婷", "刚", "丽",
               "建国", "海燕", "志强", "晓东", "春梅", "文斌", "红霞", "国庆"]


@dataclass(frozen=True)
class GroupProfile:
    """How a work group behaves: id code, volume, speed and problem types."""

    code: str
    volume: float  # multiplier on the number of new items per week
    speed: float  # weekly chance that a started item gets finished
    stuck: float  # share of items that never get finished
    long_term: float  # share of items that become 长期整改
    drop: float  # share of closed items later dropped from the sheet
    problems: tuple  # (category, description template with optional {n})


PROFILES = {
    "工地围挡绿化整改组": GroupProfile("WD", 1.0, 0.5, 0.08, 0.03, 0.25, (
        ("工地围挡", "施工围挡破损、未设置公益广告"), ("工地围挡", "工地出入口未硬化，车辆带泥上路"),
        ("工地围挡", "工地裸土未覆盖防尘网"), ("工地围挡", "围挡底部积存建筑垃圾"),
        ("工地围挡", "围挡倾斜，存在安全隐患"), ("绿化管理", "绿化带黄土裸露"),
        ("绿化管理", "行道树缺株{n}棵，未补植"), ("绿化管理", "绿篱缺损，有踩踏痕迹"),
        ("绿化管理", "树池缺少盖板"))),
    "道路维修及路灯项目整改组": GroupProfile("DL", 1.1, 0.3, 0.07, 0.06, 0.2, (
        ("道路设施", "人行道板破损松动"), ("道路设施", "路面坑洼，约{n}处"),
        ("道路设施", "窨井盖破损、缺失"), ("道路设施", "盲道被占用、断头"),
        ("道路设施", "道路护栏损坏"), ("路灯照明", "路灯不亮"),
        ("路灯照明", "{n}盏路灯不亮，夜间照明不足"), ("路灯照明", "路灯灯杆倾斜"),
        ("路灯照明", "路灯检修口盖板缺失，线路裸露"))),
    "市容环境组": GroupProfile("SR", 1.3, 0.6, 0.03, 0.0, 0.0, (
        ("市容秩序", "占道经营"), ("市容秩序", "店外经营，商品摆放至人行道"),
        ("市容秩序", "乱贴乱画小广告"), ("市容秩序", "流动摊贩聚集"),
        ("市容秩序", "空中线缆凌乱"), ("环境卫生", "垃圾桶满溢"),
        ("环境卫生", "垃圾未及时清运"), ("环境卫生", "背街小巷卫生死角"),
        ("环境卫生", "公厕保洁不到位，有异味"))),
    "交通秩序组": GroupProfile("JT", 1.0, 0.5, 0.07, 0.0, 0.0, (
        ("交通秩序", "非机动车乱停放"), ("交通秩序", "机动车违停占用人行道"),
        ("交通秩序", "共享单车堆积，约{n}十辆"), ("交通秩序", "行人闯红灯现象多发"),
        ("交通秩序", "交通标线模糊不清"), ("交通秩序", "交通信号灯故障"),
        ("交通秩序", "电动车驾乘人员未戴头盔"))),
    "其他项目推进整改组": GroupProfile("QT", 0.8, 0.3, 0.09, 0.04, 0.5, (
        ("环境卫生", "农贸市场地面湿滑、生熟不分"), ("环境卫生", "老旧小区楼道杂物堆放"),
        ("市容秩序", "小区内飞线充电"), ("道路设施", "公交站台破损"),
        ("道路设施", "无障碍设施缺失"), ("绿化管理", "游园绿地被占用堆放杂物"),
        ("公益广告", "农贸市场内未设置文明宣传栏"))),
    "宣传氛围营造组": GroupProfile("XC", 0.7, 0.7, 0.01, 0.0, 0.3, (
        ("公益广告", "公益广告破损褪色"), ("公益广告", "公益广告数量不足，少于{n}处"),
        ("公益广告", "社会主义核心价值观宣传牌缺失"),
        ("公益广告", "宣传栏内容过期未更新"), ("公益广告", "“讲文明树新风”公益广告被遮挡"))),
}
# Three responsible persons per group, spread over the name lists.
PEOPLE = {g: [SURNAMES[(i * 5 + k * 3) % len(SURNAMES)]
              + GIVEN_NAMES[(i * 7 + k * 4) % len(GIVEN_NAMES)] for k in range(3)]
          for i, g in enumerate(GROUPS)}


@dataclass
class Item:
    """One problem with its fixed attributes and its weekly life cycle."""

    id: str
    group: str
    description: str
    location: str
    grid: str
    category: str
    assignee: str
    assigned: date
    deadline: date | None  # resolved due date (None for 长期)
    deadline_text: str | None  # text written instead of a date, if any
    first_week: int
    start_week: int | None = None
    done_week: int | None = None
    long_term_week: int | None = None
    drop_week: int | None = None  # first week the closed item is left off
    completed_on: date | None = None
    show_completed: bool = True  # offices sometimes leave 完成时间 empty
    blank_status: bool = False  # done, status left empty, 完成时间 filled
    note: str = ""
    words: dict = field(default_factory=dict)  # category -> status text
    date_styles: dict = field(default_factory=dict)  # field -> layout B style

    def state(self, week: int) -> str:
        """Return the status category in the given week index."""
        if self.long_term_week is not None and week >= self.long_term_week:
            return "long_term"
        if self.done_week is not None and week >= self.done_week:
            return "done"
        if self.start_week is not None and week >= self.start_week:
            return "in_progress"
        return "not_started"

    def visible(self, week: int) -> bool:
        """Whether the item appears on the sheet of the given week."""
        return self.first_week <= week and (self.drop_week is None or week < self.drop_week)

    def last_known_state(self, week: int) -> str:
        """State at the last week (<= week) in which the item was reported."""
        last = week if self.drop_week is None else min(week, self.drop_week - 1)
        return self.state(last)

    def status_text(self, week: int) -> str:
        """Status wording as the office writes it in that week."""
        state = self.state(week)
        return "" if state == "done" and self.blank_status else self.words[state]

    def completed_cell(self, week: int) -> date | None:
        """Completion date shown in that week, if any."""
        if self.state(week) == "done" and (self.show_completed or self.blank_status):
            return self.completed_on
        return None


# --- Building the in-memory model -------------------------------------------

def phase_of(day: date) -> str:
    """Return the phase name a date falls into."""
    return next(name for name, start, end in PHASES if start <= day <= end)


def cn_date(day: date, with_year: bool = True) -> str:
    """Format a date as Chinese text, e.g. 2026年8月7日."""
    text = f"{day.month}月{day.day}日"
    return f"{day.year}年{text}" if with_year else text


def text_date(day: date, style: str) -> str:
    """Format a date in one of the text forms seen in layout B sheets."""
    return {"slash": f"{day.year}/{day.month}/{day.day}", "dot": f"{day.year}.{day.month}.{day.day}",
            "cn": cn_date(day), "short": cn_date(day, with_year=False), "iso": day.isoformat()}[style]


def make_location(rng: random.Random, category: str) -> str:
    """Build a plausible 点位 from streets, numbers and landmarks."""
    street = rng.choice(STREETS)
    if category == "工地围挡":
        return f"{street}{rng.choice(PROJECTS)}项目工地"
    form = rng.randrange(4)
    if form == 0:
        return f"{street}{rng.randint(1, 300)}号"
    if form == 1:
        return f"{street}与{rng.choice([s for s in STREETS if s != street])}交叉口"
    if form == 2:
        return f"{street}{rng.choice(LANDMARKS)}{rng.choice(SIDES)}"
    return f"{street}{rng.choice('东西南北')}段"


def pick_deadline(rng: random.Random, assigned: date, long_term: bool,
                  quick: bool) -> tuple[date | None, str | None]:
    """Choose a deadline: mostly a date, sometimes text (resolved per glossary)."""
    if long_term and rng.random() < 0.6:
        return None, "长期"
    if quick and rng.random() < 0.6:
        return assigned, "立行立改"
    r = rng.random()
    if r < 0.08:
        return assigned + timedelta(days=7), "7天"
    if r < 0.16:
        return assigned + timedelta(days=15), "15日内"
    if r < 0.24:
        month = min(12, assigned.month + (assigned.day > 20))
        last_day = calendar.monthrange(assigned.year, month)[1]
        return date(assigned.year, month, last_day), f"{month}月底前"
    return assigned + timedelta(days=rng.choice([3, 5, 7, 7, 10, 15, 15, 20, 30])), None


def make_item(rng: random.Random, group: str, seq: int, week: int) -> Item:
    """Create one new problem found in the week ending REPORT_DATES[week]."""
    profile, report_date = PROFILES[group], REPORT_DATES[week]
    category, template = rng.choice(profile.problems)
    assigned = report_date - timedelta(days=rng.randint(0, 6))
    layout_b = group in LAYOUT_B_GROUPS
    roll, quick = rng.random(), rng.random() < 0.15
    long_term = roll < profile.long_term
    stuck = profile.long_term <= roll < profile.long_term + profile.stuck
    deadline, deadline_text = pick_deadline(rng, assigned, long_term, quick)
    item = Item(
        id=f"DC-{profile.code}-{seq:03d}" if layout_b else f"{profile.code}-{seq:03d}",
        group=group, description=template.format(n=rng.randint(2, 6)),
        location=make_location(rng, category),
        grid=f"网格{rng.randint(1, 16):02d}" if layout_b else rng.choice(STREET_OFFICES),
        category=category, assignee=rng.choice(PEOPLE[group]), assigned=assigned,
        deadline=deadline, deadline_text=deadline_text, first_week=week,
        words={state: rng.choice(words) for state, words in STATUS_WORDS.items()},
        date_styles={f: rng.choice(["slash", "dot", "cn", "short", "iso", "iso"])
                     for f in ("assigned", "deadline", "completed")})
    if group not in (GROUPS[0], GROUPS[1]) and "（协调施工队）" in item.words["in_progress"]:
        item.words["in_progress"] = "整改中"  # only construction groups coordinate crews
    if long_term:
        item.start_week, item.long_term_week = week, week + rng.randint(0, 2)
        item.note = rng.choice(LONG_TERM_NOTES)
    elif stuck:
        item.start_week = week + 1 if rng.random() < 0.6 else None
        item.note = rng.choice(STUCK_NOTES) if rng.random() < 0.7 else ""
    else:
        item.start_week = week if quick or rng.random() < 0.6 else week + 1
        delay = 0
        if not quick:
            delay = 1
            while rng.random() > profile.speed:
                delay += 1
        item.done_week = max(week + delay, item.start_week)
        item.note = rng.choice(NOTES) if rng.random() < 0.2 else ""
    if report_date in MOCK_EVALUATION_WEEKS and not item.note and rng.random() < 0.5:
        item.note = "模拟测评发现"
    if item.done_week is not None and item.done_week < len(REPORT_DATES):
        done = item.done_week
        low = assigned if done == week else max(assigned, REPORT_DATES[done - 1] + timedelta(days=1))
        item.completed_on = low + timedelta(days=rng.randint(0, (REPORT_DATES[done] - low).days))
        item.show_completed = rng.random() < 0.9
        item.blank_status = rng.random() < 0.04
        if not layout_b and rng.random() < profile.drop:
            item.drop_week = done + 2
    return item


def new_item_count(rng: random.Random, group: str, day: date) -> int:
    """Number of new problems a group receives in the week ending ``day``."""
    low, high = {"准备阶段": (1, 4), "实施阶段": (3, 9), "评估阶段": (0, 2)}[phase_of(day)]
    count = rng.randint(low, high)
    if day in MOCK_EVALUATION_WEEKS:
        count += rng.randint(5, 10)
    return min(20, round(count * PROFILES[group].volume))


def build_items(rng: random.Random) -> list[Item]:
    """Simulate all weeks and return every item ever reported."""
    items, counters = [], {group: 0 for group in GROUPS}
    for week, day in enumerate(REPORT_DATES):
        for group in GROUPS:
            for _ in range(new_item_count(rng, group, day)):
                counters[group] += 1
                items.append(make_item(rng, group, counters[group], week))
    return items


# --- Writing files -----------------------------------------------------------

THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
A_HEADERS = ["序号", "问题编号", "问题描述", "具体点位", "所属网格", "问题类别", "责任人",
             "交办日期", "整改时限", "整改情况", None, "备注"]
A_WIDTHS = [6, 10, 30, 26, 10, 10, 8, 12, 12, 16, 12, 22]
B_HEADERS = ["交办编号", "存在问题", "地点", "片区", "类型", "责任单位", "负责人",
             "发现时间", "完成时限", "进展情况", "销号时间", "说明"]


def save_workbook(wb: Workbook, path: Path) -> None:
    """Save a workbook with fixed properties and zip timestamps (reproducible)."""
    wb.properties.creator = "创城办"
    wb.properties.created = wb.properties.modified = FIXED_TIMESTAMP
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()  # save_workbook() would reset .modified
    fixed = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIMESTAMP.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, src.read(info.filename))
    path.write_bytes(fixed.getvalue())


def write_group_sheet(ws, group: str, items: list[Item], week: int) -> None:
    """Fill one layout-A group sheet: title, unit/date line, 2-row header, rows, 合计, 注."""
    last_col = len(A_HEADERS)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_col)
    ws.cell(1, 1, f"{DISTRICT}创建全国文明城市问题整改台账").font = Font(bold=True, size=16)
    ws.cell(1, 1).alignment = CENTER
    ws.merge_cells("A2:E2")
    ws.merge_cells("I2:L2")
    ws.cell(2, 1, f"填报单位：{group}")
    ws.cell(2, 9, f"填报日期：{cn_date(REPORT_DATES[week])}").alignment = Alignment(horizontal="right")
    for col, title in enumerate(A_HEADERS, start=1):
        if title is not None and title != "整改情况":
            ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
        ws.cell(3, col, title)
    ws.merge_cells("J3:K3")
    ws.cell(4, 10, "整改状态")
    ws.cell(4, 11, "完成时间")
    for row in (3, 4):
        for col in range(1, last_col + 1):
            cell = ws.cell(row, col)
            cell.font, cell.alignment, cell.border = Font(bold=True), CENTER, BORDER
    shown = [it for it in items if it.group == group and it.visible(week)]
    row = 5
    for seq, it in enumerate(shown, start=1):
        values = [seq, it.id, it.description, it.location, it.grid, it.category, it.assignee,
                  it.assigned, it.deadline_text or it.deadline, it.status_text(week),
                  it.completed_cell(week), it.note or None]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row, col, value)
            cell.border = BORDER
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
        row += 1
    done = sum(it.state(week) == "done" for it in shown)
    ws.cell(row, 1, "合计").border = BORDER
    ws.cell(row, 3, f"共{len(shown)}项，已整改{done}项").border = BORDER
    for offset, text in enumerate(["注：1. 整改状态填写“已整改/整改中/未整改/长期整改”。",
                                   "2. 本表每周五下午5点前报送创城办。"], start=1):
        ws.merge_cells(start_row=row + offset, start_column=1, end_row=row + offset, end_column=last_col)
        ws.cell(row + offset, 1, text).font = Font(size=9)
    for col, width in enumerate(A_WIDTHS, start=1):
        ws.column_dimensions[chr(64 + col)].width = width


def write_layout_a(items: list[Item], week: int, out_dir: Path) -> Path:
    """Write the weekly layout-A workbook (填报说明 + one sheet per group)."""
    wb = Workbook()
    guide = wb.active
    guide.title = "填报说明"
    for row, text in enumerate(["填报说明", "1. 各工作组每周五下午5点前将本组台账报送创城办。",
                                "2. 问题编号由创城办统一编制，不得修改。",
                                "3. 已整改的问题须填写完成时间，长期整改的须注明整改计划。",
                                "4. 请勿修改表头和工作表名称。"], start=1):
        guide.cell(row, 1, text)
    guide["A1"].font = Font(bold=True, size=14)
    guide.column_dimensions["A"].width = 60
    for group in LAYOUT_A_GROUPS:
        write_group_sheet(wb.create_sheet(group), group, items, week)
    path = out_dir / f"{REPORT_DATES[week]:%Y%m%d}_创城问题整改台账.xlsx"
    save_workbook(wb, path)
    return path


def messy_group_name(rng: random.Random, group: str) -> str:
    """Return the group name, sometimes with stray half- or full-width spaces."""
    if rng.random() < 0.8:
        return group
    return rng.choice([f"{group} ", f"\u3000{group}", f" {group}", f"{group}\u3000"])


def layout_b_rows(rng: random.Random, items: list[Item], week: int) -> list[list]:
    """Data rows of the weekly layout-B list, with optional 小计 and blank rows."""
    rows, subtotals = [], week % 3 == 2
    for group in LAYOUT_B_GROUPS:
        shown = [it for it in items if it.group == group and it.visible(week)]
        for it in shown:
            deadline = it.deadline_text or text_date(it.deadline, it.date_styles["deadline"])
            completed = it.completed_cell(week)
            rows.append([it.id, it.description, it.location, it.grid, it.category,
                         messy_group_name(rng, group), it.assignee,
                         text_date(it.assigned, it.date_styles["assigned"]), deadline,
                         it.status_text(week),
                         text_date(completed, it.date_styles["completed"]) if completed else None,
                         it.note or None])
        if subtotals:
            done = sum(it.state(week) == "done" for it in shown)
            rows.append(["小计", f"{group}共{len(shown)}项，已销号{done}项"] + [None] * 10)
    if len(rows) > 6 and rng.random() < 0.4:
        rows.insert(rng.randint(3, len(rows) - 3), [None] * len(B_HEADERS))
    return rows


def write_layout_b(rng: random.Random, items: list[Item], week: int, out_dir: Path) -> Path:
    """Write the weekly layout-B list as .xlsx (or as GBK CSV in CSV_WEEK)."""
    day, rows = REPORT_DATES[week], layout_b_rows(rng, items, week)
    if day == CSV_WEEK:
        text = io.StringIO()
        csv.writer(text).writerows([B_HEADERS] + rows)
        path = out_dir / f"市容交通督查问题清单_{day.isoformat()}.csv"
        path.write_bytes(text.getvalue().encode("gbk"))
        return path
    wb = Workbook()
    ws = wb.active
    ws.title = "督查问题清单"
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(B_HEADERS))
    ws.cell(1, 1, "督查问题清单").font = Font(bold=True, size=16)
    ws.cell(1, 1).alignment = CENTER
    ws.cell(2, 1, f"统计截至：{cn_date(day)}")
    for row in [B_HEADERS] + rows:
        ws.append(row)
    for col in range(1, len(B_HEADERS) + 1):
        ws.cell(3, col).font = Font(bold=True)
        ws.column_dimensions[chr(64 + col)].width = 24 if col in (2, 3) else 13
    path = out_dir / f"市容交通督查问题清单（截至{day.month}月{day.day}日）.xlsx"
    save_workbook(wb, path)
    return path


def counts(items: list[Item], week: int, report_date: date) -> dict:
    """Ground-truth counts for items ever reported up to ``week`` (last known state)."""
    result = {"items": 0, **{state: 0 for state in CATEGORIES}, "overdue": 0}
    for it in items:
        if it.first_week > week:
            continue
        state = it.last_known_state(week)
        result["items"] += 1
        result[state] += 1
        if state in ("in_progress", "not_started") and it.deadline and it.deadline < report_date:
            result["overdue"] += 1
    result["completion_rate"] = round(result["done"] / result["items"], 4) if result["items"] else 0.0
    return result


def expected(items: list[Item]) -> dict:
    """Build the EXPECTED.json content from the in-memory model."""
    last = len(REPORT_DATES) - 1
    by_group = {g: counts([it for it in items if it.group == g], last, REPORT_DATES[last]) for g in GROUPS}
    weekly = {}
    for week, day in enumerate(REPORT_DATES):
        row = {g: {k: v for k, v in counts([it for it in items if it.group == g], week, day).items()
                   if k in ("items", "done")} for g in GROUPS}
        total = counts(items, week, day)
        row["total"] = {"items": total["items"], "done": total["done"]}
        weekly[day.isoformat()] = row
    return {
        "seed": SEED,
        "report_date": REPORT_DATES[last].isoformat(),
        "definitions": {
            "done": "已整改/已完成/已整改，已清理完毕/已销号, or empty status with a completion date",
            "long_term": "长期整改",
            "overdue": "not done and not long_term, resolved deadline < report_date "
                       "(立行立改 = assigned date, N天/N日内 = assigned + N days, X月底前 = month end, 长期 = none)",
            "items": "every item ever reported; one dropped from later sheets keeps its last reported state",
        },
        "groups": by_group,
        "total": counts(items, last, REPORT_DATES[last]),
        "weekly": weekly,
    }


def generate(out_dir: Path) -> list[Path]:
    """Generate all sample files into ``out_dir`` and return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    items = build_items(rng)
    paths = []
    for week in range(len(REPORT_DATES)):
        paths.append(write_layout_a(items, week, out_dir))
        paths.append(write_layout_b(rng, items, week, out_dir))
    expected_path = out_dir / "EXPECTED.json"
    text = json.dumps(expected(items), ensure_ascii=False, indent=2) + "\n"
    expected_path.write_text(text, encoding="utf-8")
    settings_path = out_dir / "campaign.json"
    settings_path.write_text(json.dumps(campaign_settings(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return paths + [expected_path, settings_path]


def campaign_settings() -> dict:
    """The sample campaign's settings, as the settings table stores them."""
    return {"name": f"{DISTRICT}创建全国文明城市（示例）",
            "phases": [[name, start.isoformat(), end.isoformat()] for name, start, end in PHASES],
            "group_order": list(GROUPS)}


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent,
                        help="output directory (default: this script's folder)")
    for path in generate(parser.parse_args().out):
        print(path)


if __name__ == "__main__":
    main()
