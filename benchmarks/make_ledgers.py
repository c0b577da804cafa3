"""Deterministic ledgers (台账) for the benchmarks.

Usage::

    python benchmarks/make_ledgers.py [--rows N] [--weeks N] [--items N]
                                      [--cache DIR] [--writer openpyxl|xlsxwriter] [--force]

writes (or finds already written) into ``--cache`` (default ``benchmarks/.cache/``):

* ``big_ledger_v1_<rows>.xlsx``: one office ledger of ``--rows`` problems
  (default 100,000), see ``write_big_ledger``;
* ``weekly_v1_<weeks>x<items>/``: ``--weeks`` weekly ledgers (default 52) of the
  same ``--items`` problems (default 5,000) evolving week by week, see
  ``weekly_ledgers``;

and prints how long each took. ``bench_ingest.py``, ``bench_figures.py``,
``bench_pages.py`` and ``bench_memory.py`` call the same functions
(``cached_database`` ingests the weekly ledgers into a database), so running this first
only saves them the wait.

The look of a ledger: a merged title row, a 填报单位/填报日期 line, the header
序号|问题编号|问题描述|具体点位|所属网格|问题类别|责任单位|责任人|交办日期|整改时限|整改情况|完成时间|备注,
the data rows (real Excel dates in 交办日期/完成时间; deadlines as real dates,
``2026/3/5`` text, ``7天``, ``立行立改``, ``9月底前``, ``长期``; the status texts
已整改, 整改中, 未整改, 长期整改, 已整改，已清理完毕, 整改中（协调施工队）; six groups;
Chinese descriptions from a few characters to a long paragraph), then a 合计 row
and a 注： footnote.

Writers (``--writer``), both fed the same cell values from ``random.Random(42)``:

* ``openpyxl`` (write-only mode). openpyxl 3.1 stores
  every text inline in the sheet XML as ``&#NNNNN;`` character references: the
  100,000-row sheet is ~115 MB of XML, which calamine parses ~35% slower than the
  same cells as Excel or WPS store them.
* ``csv``: UTF-8 CSV as WPS exports it (the same cells; merges dropped): the weekly
  histories use it, so the 52 x 50,000 one is written and ingested in minutes.
* ``xlsxwriter`` (default; a dev dependency): a shared-string table and UTF-8, as
  Excel and WPS write. Its
  ``constant_memory`` mode would store strings inline again, so it is not used (the
  normal mode is also faster here: ~9 s and ~300 MB for 100,000 rows).

The cache names carry the writer, so figures from the two are never mixed up.
Files and folders are written under a temporary name and renamed when complete.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SEED = 42
# Bump when the generated content changes, so stale caches are not reused.
GENERATOR_VERSION = 1
DEFAULT_CACHE = Path(__file__).resolve().parent / ".cache"
WRITERS = ("openpyxl", "xlsxwriter", "csv")

HEADER = ["序号", "问题编号", "问题描述", "具体点位", "所属网格", "问题类别", "责任单位", "责任人",
          "交办日期", "整改时限", "整改情况", "完成时间", "备注"]
WIDTH = len(HEADER)
OFFICE = "临江区创建全国文明城市工作领导小组办公室"

GROUPS = ["工地围挡、绿化整改组", "道路维修及路灯项目整改组", "市容管理组", "交通管理组",
          "其他项目推进整改组", "宣传推广组"]
# Group -> (category, problem) pairs; "{n}" becomes a small number.
PROBLEMS = {
    GROUPS[0]: [("工地围挡", "施工围挡破损、未设置公益广告"), ("工地围挡", "工地出入口未硬化，车辆带泥上路"),
                ("工地围挡", "工地裸土未覆盖防尘网"), ("工地围挡", "围挡底部积存建筑垃圾"),
                ("绿化管理", "行道树缺株{n}棵，未补植"), ("绿化管理", "绿化带黄土裸露"),
                ("绿化管理", "树池缺少盖板")],
    GROUPS[1]: [("道路设施", "人行道板破损松动"), ("道路设施", "路面坑洼，约{n}处"),
                ("道路设施", "窨井盖破损、缺失"), ("道路设施", "盲道被占用、断头"),
                ("路灯照明", "{n}盏路灯不亮，夜间照明不足"), ("路灯照明", "路灯灯杆倾斜"),
                ("路灯照明", "路灯检修口盖板缺失，线路裸露")],
    GROUPS[2]: [("市容秩序", "占道经营"), ("市容秩序", "店外经营，商品摆放至人行道"),
                ("市容秩序", "乱贴乱画小广告"), ("市容秩序", "空中线缆凌乱"),
                ("环境卫生", "垃圾桶满溢"), ("环境卫生", "背街小巷卫生死角"),
                ("环境卫生", "公厕保洁不到位，有异味")],
    GROUPS[3]: [("交通秩序", "非机动车乱停放"), ("交通秩序", "机动车违停占用人行道"),
                ("交通秩序", "共享单车堆积，约{n}十辆"), ("交通秩序", "交通标线模糊不清"),
                ("交通秩序", "交通信号灯故障"), ("交通秩序", "电动车驾乘人员未戴头盔")],
    GROUPS[4]: [("环境卫生", "农贸市场地面湿滑、生熟不分"), ("环境卫生", "老旧小区楼道杂物堆放"),
                ("市容秩序", "小区内飞线充电"), ("道路设施", "公交站台破损"),
                ("道路设施", "无障碍设施缺失"), ("绿化管理", "游园绿地被占用堆放杂物")],
    GROUPS[5]: [("公益广告", "公益广告破损褪色"), ("公益广告", "公益广告数量不足，少于{n}处"),
                ("公益广告", "社会主义核心价值观宣传牌缺失"), ("公益广告", "宣传栏内容过期未更新"),
                ("公益广告", "“讲文明树新风”公益广告被遮挡")],
}
DETAILS = ["群众多次投诉", "影响市容市貌", "存在安全隐患", "复查时仍未整改到位", "模拟测评时被扣分",
           "12345热线转办", "已多次督促", "周边居民反映强烈", "涉及多个部门，需协调处置",
           "夜间问题尤为突出", "雨天积水严重", "位于迎检线路上，须重点整治", "属反复出现的顽疾",
           "现场照片已上传督查群", "请责任单位拍照反馈整改前后对比情况"]
STREETS = ["人民路", "中山路", "解放大道", "建设街", "文化路", "滨江路", "胜利街", "和平路",
           "新华路", "朝阳路", "青年路", "学府路", "长江路", "黄河路", "光明街", "振兴路"]
LANDMARKS = ["万达广场", "市第一中学", "人民医院", "火车站", "农贸市场", "市政府", "体育中心",
             "图书馆", "公交总站", "中心公园", "幸福小区", "阳光花园小区", "实验小学", "汽车站"]
SIDES = ["门口", "东侧", "西侧", "对面", "北门", "南门", "路口", "沿线"]
OFFICES = ["东城街道", "西城街道", "南湖街道", "北山街道", "滨江街道", "城关镇"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林高罗郑梁谢宋"
GIVEN = ["伟", "芳", "强", "洋", "静", "军", "磊", "敏", "涛", "婷", "建国", "海燕", "志强", "晓东", "春梅"]
NOTES = ["已督促责任单位限期整改", "群众投诉反映", "复查未通过，重新交办", "已约谈责任单位负责人",
         "已纳入督办清单", "已现场核实", "待资金拨付", "需协调供电部门"]

DONE, IN_PROGRESS, NOT_STARTED, LONG_TERM = "done", "in_progress", "not_started", "long_term"
STATUS_TEXTS = {
    DONE: ["已整改", "已整改", "已整改", "已整改，已清理完毕"],
    IN_PROGRESS: ["整改中", "整改中", "整改中（协调施工队）"],
    NOT_STARTED: ["未整改"],
    LONG_TERM: ["长期整改"],
}
# How a deadline is written (weights): a real date, "2026/3/5" text, "7天", "立行立改", "9月底前".
DEADLINE_FORMS = (("date", 40), ("slash", 22), ("days", 16), ("on_the_spot", 10), ("month_end", 12))

BIG_REPORT_DATE = dt.date(2026, 11, 27)
BIG_FIRST_ASSIGNED = dt.date(2026, 6, 1)
WEEKLY_FIRST_REPORT = dt.date(2026, 1, 2)   # a Friday


# ---------------------------------------------------------------- items


@dataclass
class Item:
    """One problem as the office tracks it."""

    item_id: str
    description: str
    location: str
    grid: str
    category: str
    group: str
    assignee: str
    assigned: dt.date
    deadline_form: str            # one of DEADLINE_FORMS' names, or "long_term"
    deadline: dt.date | None      # the date the deadline text stands for
    days: int                     # N of "N天"
    state: str
    status_text: str
    completed: dt.date | None
    note: str | None

    def deadline_cell(self, report_date: dt.date):
        """The 整改时限 cell as the office writes it."""
        form = self.deadline_form
        if form == "long_term":
            return "长期"
        if form == "date":
            return self.deadline
        if form == "slash":
            return f"{self.deadline.year}/{self.deadline.month}/{self.deadline.day}"
        if form == "days":
            return f"{self.days}天"
        if form == "on_the_spot":
            return "立行立改"
        # "9月底前"; with the year once the month is far from the report date, as offices do
        # (the pipeline would otherwise place a bare month in the nearest year).
        if abs((self.deadline - report_date).days) > 150:
            return f"{self.deadline.year}年{self.deadline.month}月底前"
        return f"{self.deadline.month}月底前"

    def row(self, seq: int, report_date: dt.date) -> list:
        """The ledger row of this item (``None`` for an empty cell)."""
        return [seq, self.item_id, self.description, self.location, self.grid, self.category, self.group,
                self.assignee, self.assigned, self.deadline_cell(report_date), self.status_text,
                self.completed, self.note]


def _month_end(day: dt.date) -> dt.date:
    nxt = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _description(rng: random.Random, template: str, location: str) -> str:
    """A problem description: a few characters up to a long paragraph."""
    text = template.replace("{n}", str(rng.randint(2, 9)))
    roll = rng.random()
    if roll < 0.25:
        return text
    if roll < 0.97:
        clauses = rng.sample(DETAILS, rng.randint(1, 3))
        return f"{location}{text}，" + "，".join(clauses)
    clauses = rng.sample(DETAILS, 8)   # the occasional long paragraph (~150 characters)
    return f"经督查发现，{location}{text}，" + "，".join(clauses) + "。请责任单位高度重视，立即组织力量整改，并于时限内反馈整改结果。"


def new_item(rng: random.Random, item_id: str, assigned: dt.date, state: str) -> Item:
    """A new problem assigned on ``assigned`` in ``state``."""
    group = rng.choice(GROUPS)
    category, template = rng.choice(PROBLEMS[group])
    location = f"{rng.choice(STREETS)}{rng.choice(LANDMARKS)}{rng.choice(SIDES)}"
    office = rng.choice(OFFICES)
    days = rng.choice((3, 7, 7, 15, 30))
    if state == LONG_TERM:
        form, deadline = "long_term", None
    else:
        form = rng.choices([f for f, _ in DEADLINE_FORMS], [w for _, w in DEADLINE_FORMS])[0]
        if form == "days":
            deadline = assigned + dt.timedelta(days=days)
        elif form == "on_the_spot":
            deadline = assigned
        elif form == "month_end":
            deadline = _month_end(assigned + dt.timedelta(days=rng.randint(5, 60)))
        else:
            deadline = assigned + dt.timedelta(days=rng.randint(3, 45))
    return Item(
        item_id=item_id,
        description=_description(rng, template, location),
        location=location,
        grid=f"{office}第{rng.randint(1, 12)}网格",
        category=category,
        group=group,
        assignee=rng.choice(SURNAMES) + rng.choice(GIVEN),
        assigned=assigned,
        deadline_form=form,
        deadline=deadline,
        days=days,
        state=state,
        status_text=rng.choice(STATUS_TEXTS[state]),
        completed=None,
        note=rng.choice(NOTES) if rng.random() < 0.3 else None,
    )


def finish(rng: random.Random, item: Item, earliest: dt.date, latest: dt.date) -> None:
    """Mark ``item`` done some day in [earliest, latest]; 5% leave 完成时间 empty."""
    item.state = DONE
    item.status_text = rng.choice(STATUS_TEXTS[DONE])
    earliest = max(earliest, item.assigned)
    span = max((latest - earliest).days, 0)
    item.completed = None if rng.random() < 0.05 else earliest + dt.timedelta(days=rng.randint(0, span))


# ---------------------------------------------------------------- writers


def _column_letter(index: int) -> str:
    return chr(ord("A") + index)


class _OpenpyxlSheet:
    """Row-by-row writer on openpyxl's write-only workbook."""

    def __init__(self, path: Path, sheet_name: str):
        from openpyxl import Workbook
        self.path = path
        self.book = Workbook(write_only=True)
        self.book.properties.creator = "创城办"
        self.book.properties.created = self.book.properties.modified = dt.datetime(2026, 11, 27, 17, 0)
        self.sheet = self.book.create_sheet(sheet_name)
        self.rows = 0

    def append(self, values: list, merges: tuple = ()) -> None:
        """Write the next row; ``merges`` are (first column, last column) spans of it."""
        self.sheet.append(values)
        self.rows += 1
        for c0, c1 in merges:
            self.sheet.merged_cells.add(f"{_column_letter(c0)}{self.rows}:{_column_letter(c1)}{self.rows}")

    def close(self) -> None:
        self.book.save(self.path)


class _XlsxwriterSheet:
    """Row-by-row writer on xlsxwriter (shared strings, as Excel writes them)."""

    def __init__(self, path: Path, sheet_name: str):
        import xlsxwriter
        self.book = xlsxwriter.Workbook(str(path), {"default_date_format": "yyyy-mm-dd"})
        self.book.set_properties({"author": "创城办", "created": dt.datetime(2026, 11, 27, 17, 0)})
        self.sheet = self.book.add_worksheet(sheet_name)
        self.merge_format = self.book.add_format({})
        self.rows = 0

    def append(self, values: list, merges: tuple = ()) -> None:
        """Write the next row; ``merges`` are (first column, last column) spans of it."""
        r = self.rows
        merged = set()
        for c0, c1 in merges:
            self.sheet.merge_range(r, c0, r, c1, values[c0], self.merge_format)
            merged.update(range(c0, c1 + 1))
        for c, value in enumerate(values):
            if value is not None and c not in merged:
                self.sheet.write(r, c, value)
        self.rows += 1

    def close(self) -> None:
        self.book.close()


class _CsvSheet:
    """Row-by-row UTF-8 CSV (what offices export from WPS): the same cells, merges
    dropped, dates as ``2026-03-05``. Several times faster to write than an .xlsx, which
    keeps the 52 x 50,000 history within minutes."""

    def __init__(self, path: Path, sheet_name: str):
        import csv
        self.file = open(path, "w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.file)

    def append(self, values: list, merges: tuple = ()) -> None:
        self.writer.writerow(["" if v is None else v.isoformat() if isinstance(v, dt.date) else v for v in values])

    def close(self) -> None:
        self.file.close()


def available_writer(preferred: str = "openpyxl") -> str:
    """``preferred`` when importable, else openpyxl (which the project locks)."""
    if preferred == "csv":
        return "csv"
    if preferred == "xlsxwriter":
        try:
            import xlsxwriter  # noqa: F401
            return "xlsxwriter"
        except ImportError:
            print("xlsxwriter is not installed; writing with openpyxl (write-only)", file=sys.stderr)
    return "openpyxl"


def _open_sheet(path: Path, writer: str):
    cls = {"xlsxwriter": _XlsxwriterSheet, "csv": _CsvSheet}.get(available_writer(writer), _OpenpyxlSheet)
    return cls(path, "问题整改台账")


def write_ledger(path: Path, items: list[Item], report_date: dt.date, writer: str = "openpyxl") -> None:
    """One ledger file: title, 填报单位/填报日期 line, header, ``items``, 合计 row, footnote."""
    sheet = _open_sheet(path, writer)
    title = f"临江区创建全国文明城市问题整改台账（截至{report_date.month}月{report_date.day}日）"
    sheet.append([title] + [None] * (WIDTH - 1), merges=((0, WIDTH - 1),))
    preamble = [None] * WIDTH
    preamble[0] = f"填报单位：{OFFICE}"
    preamble[9] = f"填报日期：{report_date.year}年{report_date.month}月{report_date.day}日"
    sheet.append(preamble, merges=((0, 5), (9, WIDTH - 1)))
    sheet.append(list(HEADER))
    for seq, item in enumerate(items, 1):
        sheet.append(item.row(seq, report_date))
    done = sum(1 for i in items if i.state == DONE)
    total = [None] * WIDTH
    total[0], total[2], total[10] = "合计", f"共{len(items)}个问题", f"已整改{done}个"
    sheet.append(total)
    footnote = "注：1.整改时限为“长期”的问题按长期整改统计；2.已整改问题须附整改前后照片；3.本表每周五下午报送创城办。"
    sheet.append([footnote] + [None] * (WIDTH - 1), merges=((0, WIDTH - 1),))
    sheet.close()


# ---------------------------------------------------------------- ledgers


def big_ledger_items(rows: int, rng: random.Random | None = None) -> list[Item]:
    """``rows`` problems assigned between 2026-06-01 and the report date 2026-11-27, in
    the state a late-campaign ledger shows (about 64% done, most of it on time)."""
    rng = rng or random.Random(SEED)
    span = (BIG_REPORT_DATE - BIG_FIRST_ASSIGNED).days
    states = [DONE, IN_PROGRESS, NOT_STARTED, LONG_TERM]
    weights = [64, 20, 10, 6]
    items = []
    for n in range(1, rows + 1):
        assigned = BIG_FIRST_ASSIGNED + dt.timedelta(days=rng.randint(0, span))
        state = rng.choices(states, weights)[0]
        item = new_item(rng, f"CC2026-{n:06d}", assigned, NOT_STARTED if state == DONE else state)
        if state == DONE:   # 80% fixed by the deadline, the rest up to three weeks late
            due = item.deadline or assigned + dt.timedelta(days=30)
            latest = due if rng.random() < 0.8 else due + dt.timedelta(days=21)
            finish(rng, item, assigned, min(latest, BIG_REPORT_DATE))
        items.append(item)
    return items


def write_big_ledger(path: str | Path, rows: int = 100_000, writer: str = "openpyxl") -> Path:
    """Write the big office ledger of ``rows`` problems (report date 2026-11-27) to ``path``."""
    path = Path(path)
    write_ledger(path, big_ledger_items(rows), BIG_REPORT_DATE, writer)
    return path


def weekly_report_dates(weeks: int) -> list[dt.date]:
    """Every Friday from 2026-01-02, ``weeks`` of them."""
    return [WEEKLY_FIRST_REPORT + dt.timedelta(weeks=w) for w in range(weeks)]


def weekly_batches(weeks: int = 52, items: int = 5000, rng: random.Random | None = None):
    """Yield (report date, items) for each week: the same ``items`` problems evolving.

    Each week not-started problems start (35%) or are fixed outright (15%), problems in
    progress are fixed (30%), long-term ones are finished (4%); most fixes (80%) land by
    the deadline when it falls in that week or later. A problem closed in an earlier week
    leaves the ledger (25% a week) while a new one, assigned that week, takes its place
    at the bottom. The item lists yielded are live: copy what you keep."""
    rng = rng or random.Random(SEED)
    dates = weekly_report_dates(weeks)
    counter = 0

    def fresh(assigned_from: dt.date, report: dt.date, weights) -> Item:
        nonlocal counter
        counter += 1
        assigned = assigned_from + dt.timedelta(days=rng.randint(0, max((report - assigned_from).days, 0)))
        state = rng.choices([DONE, IN_PROGRESS, NOT_STARTED, LONG_TERM], weights)[0]
        item = new_item(rng, f"CC-{counter:06d}", assigned, NOT_STARTED if state == DONE else state)
        if state == DONE:
            finish(rng, item, assigned, report)
        return item

    def fix(item: Item, start: dt.date, report: dt.date) -> None:
        latest = report
        if item.deadline and item.deadline >= start and rng.random() < 0.8:
            latest = min(report, item.deadline)
        finish(rng, item, start, latest)

    first = dates[0]
    current = [fresh(first - dt.timedelta(days=60), first, (30, 30, 35, 5)) for _ in range(items)]
    yield first, current
    for previous, report in zip(dates, dates[1:]):
        start = previous + dt.timedelta(days=1)
        kept = []
        replaced = 0
        for item in current:
            if item.state == DONE:
                if rng.random() < 0.25:
                    replaced += 1
                    continue
            elif item.state == NOT_STARTED:
                roll = rng.random()
                if roll < 0.15:
                    fix(item, start, report)
                elif roll < 0.50:
                    item.state, item.status_text = IN_PROGRESS, rng.choice(STATUS_TEXTS[IN_PROGRESS])
            elif item.state == IN_PROGRESS and rng.random() < 0.30:
                fix(item, start, report)
            elif item.state == LONG_TERM and rng.random() < 0.04:
                fix(item, start, report)
            kept.append(item)
        kept.extend(fresh(start, report, (10, 30, 57, 3)) for _ in range(replaced))
        current = kept
        yield report, current


def weekly_file_name(report_date: dt.date, writer: str = "openpyxl") -> str:
    return f"{report_date:%Y%m%d}_创城问题整改台账.{'csv' if writer == 'csv' else 'xlsx'}"


def weekly_ledgers(directory: str | Path, weeks: int = 52, items: int = 5000,
                   writer: str = "openpyxl") -> list[Path]:
    """Write ``weeks`` weekly ledgers of ``items`` problems each into ``directory``
    (``YYYYMMDD_创城问题整改台账.xlsx``, oldest first) and return their paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for report, current in weekly_batches(weeks, items):
        path = directory / weekly_file_name(report, writer)
        write_ledger(path, current, report, writer)
        paths.append(path)
    return paths


# ---------------------------------------------------------------- cache


def big_ledger_path(cache: Path, rows: int, writer: str = "openpyxl") -> Path:
    return Path(cache) / f"big_ledger_v{GENERATOR_VERSION}_{rows}_{writer}.xlsx"


def weekly_dir(cache: Path, weeks: int, items: int, writer: str = "openpyxl") -> Path:
    return Path(cache) / f"weekly_v{GENERATOR_VERSION}_{weeks}x{items}_{writer}"


def cached_big_ledger(cache: str | Path = DEFAULT_CACHE, rows: int = 100_000, writer: str = "openpyxl",
                      force: bool = False) -> tuple[Path, float | None]:
    """(path, seconds spent generating; None when reused) of the big ledger in ``cache``."""
    writer = available_writer(writer)
    path = big_ledger_path(Path(cache), rows, writer)
    if path.exists() and not force:
        return path, None
    path.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    fd, tmp = tempfile.mkstemp(suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        write_big_ledger(tmp, rows, writer)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path, time.perf_counter() - start


def cached_weekly_ledgers(cache: str | Path = DEFAULT_CACHE, weeks: int = 52, items: int = 5000,
                          writer: str = "openpyxl", force: bool = False) -> tuple[list[Path], float | None]:
    """(paths, seconds spent generating; None when reused) of the weekly ledgers in ``cache``."""
    writer = available_writer(writer)
    target = weekly_dir(Path(cache), weeks, items, writer)
    if target.is_dir() and not force:
        return sorted(p for p in target.iterdir() if p.suffix in (".xlsx", ".csv")), None
    target.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
    try:
        weekly_ledgers(tmp, weeks, items, writer)
        os.chmod(tmp, 0o755)
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return sorted(p for p in target.iterdir() if p.suffix in (".xlsx", ".csv")), time.perf_counter() - start


def cached_database(cache: str | Path = DEFAULT_CACHE, weeks: int = 52, items: int = 5000, writer: str = "csv",
                    rebuild: bool = False) -> tuple[Path, float | None, float | None]:
    """(path, seconds spent generating the ledgers, seconds spent ingesting them; None
    when cached) of a database holding ``weeks`` weekly ledgers of ``items`` problems,
    ingested as files through ``data_pipeline.ingest_file`` (the real path). Its name
    carries the generator and schema versions. Benchmarks work on a copy."""
    import data_pipeline as dp
    from data_pipeline.store import SCHEMA_VERSION
    path = Path(cache) / f"history_{weeks}x{items}_{writer}_v{GENERATOR_VERSION}_s{SCHEMA_VERSION}.duckdb"
    files, generated = cached_weekly_ledgers(cache, weeks, items, writer)
    if path.exists() and not rebuild:
        return path, generated, None
    start = time.perf_counter()
    tmp = path.with_suffix(".building")
    tmp.unlink(missing_ok=True)
    con = dp.connect(tmp)
    try:
        for f in files:
            dp.ingest_file(con, f)
    finally:
        con.close()
    os.replace(tmp, path)
    return path, generated, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="problems in the big ledger (default 100000)")
    parser.add_argument("--weeks", type=int, default=52, help="weekly ledgers (default 52)")
    parser.add_argument("--items", type=int, default=5000, help="problems per weekly ledger (default 5000)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="cache folder (default benchmarks/.cache)")
    parser.add_argument("--writer", choices=WRITERS, default="xlsxwriter", help="xlsx writer (default xlsxwriter: Excel-like shared strings)")
    parser.add_argument("--force", action="store_true", help="regenerate even when cached")
    args = parser.parse_args(argv)

    path, seconds = cached_big_ledger(args.cache, args.rows, args.writer, args.force)
    print(f"big ledger    {path}  {path.stat().st_size / 1e6:.1f} MB  "
          + (f"generated in {seconds:.1f} s" if seconds is not None else "cached"))
    paths, seconds = cached_weekly_ledgers(args.cache, args.weeks, args.items, args.writer, args.force)
    size = sum(p.stat().st_size for p in paths)
    print(f"weekly ledgers {len(paths)} files in {paths[0].parent}  {size / 1e6:.1f} MB  "
          + (f"generated in {seconds:.1f} s" if seconds is not None else "cached"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
