"""The campaign on top of the ledger: its settings, and the figures the leaders' dashboard
shows (phase, KPI changes, 红榜/黑榜 and 红/黄/绿牌, overdue lists, the per-phase table).

Every count comes from ``metrics.py`` (``metrics_as_of``, ``weekly_series``,
``items_as_of``) or from SQL here over metrics' own current-state SQL
(``metrics.states_sql``: ``overdue_ages``, ``phase_series``); this module only combines
them. No streamlit.

Most figures come in two forms that tests hold equal: ``f(con, as_of, ...)`` for any
date (``metrics_as_of`` queries), and a form computed from series covering every
report date (``kpis_from_series``, ``standing_from_series``, ``readiness_from_series``,
``overdue_profile_at``, ``phase_table_at``), which the dashboard caches so that changing
its as-of date costs no query.

Settings live in the ``settings`` table of the campaign database (one JSON value per
key), created here on first save. Each setting is declared once, in
``CampaignSettings``, with its default, a Chinese label and a Chinese help text.
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace

import pandas as pd

from . import audit
from .metrics import (EMPTY_TOTALS, METRIC_KEYS, OVERDUE_SQL, REPORT_DATES_SQL, filter_sql, items_as_of,
                      metric_values, metrics_as_of, report_dates, states_sql, weekly_series)
from .sample import SAMPLE_DIR, only_sample_loaded
from .settings import DEFAULT_DUE_SOON_DAYS
from .store import bump_data_version, transaction
from .values import STATUS_LABELS


# ---------------------------------------------------------------- settings

@dataclass(frozen=True)
class Phase:
    """A campaign phase (准备/实施/评估…); ``start`` and ``end`` are both inside it."""

    name: str
    start: dt.date
    end: dt.date


def _setting(default, label: str, help: str):
    meta = {"label": label, "help": help}
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class CampaignSettings:
    """Every setting of the campaign, with its default and Chinese label and help
    (``setting_help()``). Rates are fractions (0.9 = 90%)."""

    name: str = _setting("创建全国文明城市", "看板名称",
                         "显示在每页标题上的活动名称，例如“临江区创建全国文明城市”。")
    phases: list = _setting([], "阶段时间",
                            "各阶段（准备、实施、评估等）的名称和起止日期，起止两天都算在阶段内；阶段之间不能重叠。")
    honour_rate: float = _setting(0.90, "红榜线（整改率）", "整改率达到或超过此值的工作组上红榜，也是整改率的目标线。")
    warning_rate: float = _setting(0.85, "黑榜线（整改率）", "整改率低于此值的工作组上黑榜，并亮红牌。")
    due_soon_days: int = _setting(DEFAULT_DUE_SOON_DAYS, "临期天数",
                                  "尚未整改、整改时限在截至日期当天到其后N天之内的问题算临期。")
    min_items_to_rank: int = _setting(5, "参与排名的最少交办数",
                                      "交办问题少于此数的工作组照常列出，但不参与红榜、黑榜排名。")
    red_overdue_share: float = _setting(0.20, "红牌超期占比",
                                        "超期问题占该组交办总数的比例高于此值时亮红牌（整改率低于黑榜线也亮红牌）。")
    yellow_overdue_share: float = _setting(0.10, "黄牌超期占比",
                                           "未亮红牌、但超期占比高于此值或整改率低于红榜线时亮黄牌。")
    group_order: list = _setting([], "工作组显示顺序",
                                 "表格和图例中工作组的先后顺序；没有列出的工作组排在后面，按名称排序。")


def setting_help() -> dict[str, tuple[str, str]]:
    """``{setting: (label, help)}`` for every setting, in declaration order."""
    return {f.name: (f.metadata["label"], f.metadata["help"]) for f in fields(CampaignSettings)}


SETTINGS_TABLE = "CREATE TABLE IF NOT EXISTS settings (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)"


def _sample_defaults() -> CampaignSettings:
    """Defaults while only the sample campaign is loaded: its phases and group order
    (``sample_data/generate.py``: ``PHASES``, ``GROUPS``, ``DISTRICT``)."""
    spec = importlib.util.spec_from_file_location("_sample_generate", SAMPLE_DIR / "generate.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    return CampaignSettings(name=f"{gen.DISTRICT}创建全国文明城市（示例）",
                            phases=[Phase(n, s, e) for n, s, e in gen.PHASES], group_order=list(gen.GROUPS))


def default_settings(con) -> CampaignSettings:
    """The sample campaign's settings while the database holds only sample data, else
    the generic defaults (no phases)."""
    return _sample_defaults() if only_sample_loaded(con) else CampaignSettings()


def _encode(key: str, value) -> str:
    if key == "phases":
        value = [[p.name, p.start.isoformat(), p.end.isoformat()] for p in value]
    return json.dumps(value, ensure_ascii=False)


def _decode(key: str, text: str):
    value = json.loads(text)
    if key == "phases":
        return [Phase(n, dt.date.fromisoformat(s), dt.date.fromisoformat(e)) for n, s, e in value]
    return value


def _has_settings_table(con) -> bool:
    return con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'settings'").fetchone()[0] > 0


def load_settings(con) -> CampaignSettings:
    """The stored settings; a key never saved takes its default (``default_settings``).
    Works on a read-only connection."""
    base = default_settings(con)
    if not _has_settings_table(con):
        return base
    known = {f.name for f in fields(CampaignSettings)}
    stored = {k: _decode(k, v) for k, v in con.execute("SELECT key, value FROM settings").fetchall() if k in known}
    return replace(base, **stored)


def _pct(rate: float) -> str:
    """A threshold as people write it: ``90%``, ``87.5%``."""
    return f"{rate * 100:.1f}%".replace(".0%", "%")


def _measured(rate: float) -> str:
    """A measured rate, always with one decimal as on every page: ``88.0%``."""
    return f"{rate * 100:.1f}%"


def _day(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def validate_settings(s: CampaignSettings) -> list[str]:
    """Problems with ``s``, each a Chinese sentence; empty when it can be saved.

    Rules: a non-empty name; each phase has a name, names are distinct, start <= end,
    and no two phases share a day; rates are in [0, 1]; 黑榜线 <= 红榜线; 黄牌超期占比
    <= 红牌超期占比; 临期天数 in 0..365; 最少交办数 >= 0; group names are distinct."""
    errors: list[str] = []
    label = {k: v[0] for k, v in setting_help().items()}
    if not str(s.name).strip():
        errors.append("看板名称不能为空")
    names: list[str] = []
    for i, p in enumerate(s.phases, start=1):
        name = str(p.name).strip()
        if not name:
            errors.append(f"第{i}个阶段缺少名称")
        elif name in names:
            errors.append(f"阶段名称“{name}”重复")
        names.append(name)
        if not isinstance(p.start, dt.date) or not isinstance(p.end, dt.date):
            errors.append(f"阶段“{name or i}”缺少开始或结束日期")
        elif p.start > p.end:
            errors.append(f"阶段“{name}”的开始日期（{_day(p.start)}）晚于结束日期（{_day(p.end)}）")
    dated = sorted((p for p in s.phases if isinstance(p.start, dt.date) and isinstance(p.end, dt.date)
                    and p.start <= p.end), key=lambda p: p.start)
    for a, b in zip(dated, dated[1:]):
        if b.start <= a.end:
            errors.append(f"阶段“{a.name}”（{_day(a.start)}至{_day(a.end)}）与“{b.name}”"
                          f"（{_day(b.start)}至{_day(b.end)}）时间重叠")
    for key in ("honour_rate", "warning_rate", "red_overdue_share", "yellow_overdue_share"):
        value = getattr(s, key)
        if not isinstance(value, (int, float)) or not 0 <= value <= 1:
            errors.append(f"{label[key]}应在0%到100%之间")
    rates_ok = not any(e.endswith("应在0%到100%之间") for e in errors)
    if rates_ok and s.warning_rate > s.honour_rate:
        errors.append(f"黑榜线（{_pct(s.warning_rate)}）不能高于红榜线（{_pct(s.honour_rate)}）")
    if rates_ok and s.yellow_overdue_share > s.red_overdue_share:
        errors.append(f"黄牌超期占比（{_pct(s.yellow_overdue_share)}）不能高于红牌超期占比（{_pct(s.red_overdue_share)}）")
    if not isinstance(s.due_soon_days, int) or not 0 <= s.due_soon_days <= 365:
        errors.append("临期天数应为0到365之间的整数")
    if not isinstance(s.min_items_to_rank, int) or s.min_items_to_rank < 0:
        errors.append("参与排名的最少交办数应为不小于0的整数")
    if len(set(s.group_order)) != len(s.group_order):
        errors.append("工作组显示顺序中有重复的工作组")
    return errors


def _shown(key: str, value) -> str:
    """A setting's value as the audit log shows it."""
    if key == "phases":
        return "；".join(f"{p.name} {_day(p.start)}至{_day(p.end)}" for p in value) or "（无）"
    if key.endswith(("_rate", "_share")):
        return _pct(value)
    if isinstance(value, list):
        return "、".join(value) or "（无）"
    return str(value)


def settings_changes(old: CampaignSettings, new: CampaignSettings) -> str:
    """What changed from ``old`` to ``new``, e.g. ``红榜线：90% → 92%``; ``""`` when nothing."""
    label = {k: v[0] for k, v in setting_help().items()}
    return "；".join(f"{label[f.name]}：{_shown(f.name, getattr(old, f.name))} → {_shown(f.name, getattr(new, f.name))}"
                    for f in fields(CampaignSettings) if getattr(old, f.name) != getattr(new, f.name))


def save_settings(con, s: CampaignSettings, actor: audit.Actor | None = None) -> list[str]:
    """Validate and store every setting (one transaction, with an audit-log entry
    listing what changed when ``actor`` is given) and bump the database's
    ``data_version`` so cached pages refresh. Returns the problems found
    (``validate_settings``); when there are any, nothing is stored."""
    s = replace(s, name=str(s.name).strip(),
                phases=[Phase(str(p.name).strip(), p.start, p.end) for p in s.phases])
    errors = validate_settings(s)
    if errors:
        return errors
    changes = settings_changes(load_settings(con), s)
    con.execute(SETTINGS_TABLE)
    with transaction(con):
        for f in fields(CampaignSettings):
            con.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", [f.name, _encode(f.name, getattr(s, f.name))])
        audit.log(con, actor, audit.SETTINGS, changes or "保存设置（无改动）")
        bump_data_version(con)
    return []


# ---------------------------------------------------------------- phases

@dataclass(frozen=True)
class PhaseInfo:
    """Where a date stands in the campaign. ``current`` is the phase containing it and
    ``days_left`` = its end - the date (0 on the last day). ``next`` is the first phase
    starting after the date and ``days_to_next`` = its start - the date."""

    current: Phase | None
    days_left: int | None
    next: Phase | None
    days_to_next: int | None


def phase_info(phases: Sequence[Phase], as_of: dt.date) -> PhaseInfo:
    current = next((p for p in phases if p.start <= as_of <= p.end), None)
    upcoming = sorted((p for p in phases if p.start > as_of), key=lambda p: p.start)
    nxt = upcoming[0] if upcoming else None
    return PhaseInfo(current, (current.end - as_of).days if current else None,
                     nxt, (nxt.start - as_of).days if nxt else None)


def evaluation_phase(phases: Sequence[Phase]) -> Phase | None:
    """The evaluation phase: the last phase whose name contains 评估, else the last
    phase by start date; None without phases."""
    if not phases:
        return None
    named = [p for p in phases if "评估" in p.name]
    return max(named or phases, key=lambda p: p.start)


# ---------------------------------------------------------------- KPIs

KPI_KEYS = ("items", "done", "completion_rate", "overdue", "due_soon", "on_time_rate")


@dataclass(frozen=True)
class Kpis:
    """The KPI cards as of ``as_of``: ``values`` (``METRIC_KEYS``), the previous report
    date (the latest report date < ``as_of``, None when there is none), its values,
    and ``deltas`` = value - previous value for ``KPI_KEYS`` (None without a previous
    report or when either rate is None). Rates' deltas are fractions (0.012 = 1.2 个百分点)."""

    as_of: dt.date
    values: dict
    previous_date: dt.date | None
    previous: dict | None
    deltas: dict


def _totals(con, as_of, groups, categories, due_soon_days) -> dict:
    df = metrics_as_of(con, as_of, groups=groups, categories=categories, due_soon_days=due_soon_days)
    return metric_values(df.iloc[0]) if len(df) else dict(EMPTY_TOTALS)


def totals_at(series: pd.DataFrame, as_of: dt.date) -> dict:
    """The ``METRIC_KEYS`` of ``series`` (``weekly_series``, not by group) at the report
    date ``as_of``; zero totals when it has no row for that date (nothing known, or
    nothing matching the filters)."""
    rows = series[series["as_of"] == as_of] if len(series) else series
    return metric_values(rows.iloc[0]) if len(rows) else dict(EMPTY_TOTALS)


def previous_report_date(con, as_of: dt.date) -> dt.date | None:
    earlier = [d for d in report_dates(con) if d < as_of]
    return earlier[-1] if earlier else None


def kpis(con, as_of: dt.date, *, groups: Sequence[str] | None = None, categories: Sequence[str] | None = None,
         due_soon_days: int = DEFAULT_DUE_SOON_DAYS) -> Kpis:
    """``Kpis`` as of any date (two ``metrics_as_of`` queries)."""
    values = _totals(con, as_of, groups, categories, due_soon_days)
    prev_date = previous_report_date(con, as_of)
    prev = _totals(con, prev_date, groups, categories, due_soon_days) if prev_date else None
    return _kpis(as_of, values, prev_date, prev)


def kpis_from_series(series: pd.DataFrame, dates: Sequence[dt.date], as_of: dt.date) -> Kpis:
    """``Kpis`` as of the report date ``as_of`` from ``weekly_series`` (same filters)
    and the report dates: no query, so the dashboard changes its date at no cost."""
    earlier = [d for d in dates if d < as_of]
    prev_date = earlier[-1] if earlier else None
    return _kpis(as_of, totals_at(series, as_of), prev_date, totals_at(series, prev_date) if prev_date else None)


def _kpis(as_of, values, prev_date, prev) -> Kpis:
    deltas = {}
    for k in KPI_KEYS:
        if prev is None or values[k] is None or prev[k] is None:
            deltas[k] = None
        else:
            deltas[k] = values[k] - prev[k]
    return Kpis(as_of, values, prev_date, prev, deltas)


# ---------------------------------------------------------------- groups

def order_groups(names: Sequence[str], group_order: Sequence[str]) -> list[str]:
    """``names`` in the configured order; names not configured follow, sorted."""
    rank = {g: i for i, g in enumerate(group_order)}
    return sorted(names, key=lambda g: (rank.get(g, len(rank)), g))


CARDS = ("红牌", "黄牌", "绿牌")


def group_card(rate: float | None, overdue_share: float | None, s: CampaignSettings) -> tuple[str, str]:
    """(card, reason) of a group, by these rules, in order:
    - 红牌 when 整改率 < 黑榜线 (``warning_rate``) or 超期占比 (overdue / items) >
      ``red_overdue_share``;
    - 黄牌 when 整改率 < 红榜线 (``honour_rate``) or 超期占比 > ``yellow_overdue_share``;
    - 绿牌 otherwise. A group without items is 绿牌 ("暂无交办问题")."""
    if rate is None:
        return "绿牌", "暂无交办问题"
    share = overdue_share or 0.0
    reasons = []
    if rate < s.warning_rate:
        reasons.append(f"整改率{_measured(rate)}，低于黑榜线{_pct(s.warning_rate)}")
    if share > s.red_overdue_share:
        reasons.append(f"超期占比{_measured(share)}，高于{_pct(s.red_overdue_share)}")
    if reasons:
        return "红牌", "；".join(reasons)
    if rate < s.honour_rate:
        reasons.append(f"整改率{_measured(rate)}，低于红榜线{_pct(s.honour_rate)}")
    if share > s.yellow_overdue_share:
        reasons.append(f"超期占比{_measured(share)}，高于{_pct(s.yellow_overdue_share)}")
    if reasons:
        return "黄牌", "；".join(reasons)
    return "绿牌", f"整改率{_measured(rate)}，超期占比{_measured(share)}"


@dataclass(frozen=True)
class Standing:
    """Groups as of a date. ``table``: one row per group in the configured order with
    ``group_name``, ``METRIC_KEYS``, ``overdue_share`` (overdue / items), ``ranked``
    (items >= ``min_items_to_rank``), ``board`` (红榜 / 黑榜 / "" / 不排名), ``card`` and
    ``reason``. ``honour``: ranked groups with 整改率 >= 红榜线, best first; ``warning``:
    ranked groups with 整改率 < 黑榜线, worst first (ties: more items first, then name);
    ``unranked``: groups with fewer items, in the configured order."""

    table: pd.DataFrame
    honour: list[str]
    warning: list[str]
    unranked: list[str]


def standing(con, as_of: dt.date, s: CampaignSettings, *, groups: Sequence[str] | None = None,
             categories: Sequence[str] | None = None) -> Standing:
    """``Standing`` as of any date (one ``metrics_as_of(by_group=True)`` query)."""
    return _standing(metrics_as_of(con, as_of, by_group=True, groups=groups, categories=categories,
                                   due_soon_days=s.due_soon_days), s)


def standing_from_series(series: pd.DataFrame, as_of: dt.date, s: CampaignSettings) -> Standing:
    """``Standing`` at the report date ``as_of`` from ``weekly_series(by_group=True)``
    (computed with ``s.due_soon_days``)."""
    return _standing(series[series["as_of"] == as_of] if len(series) else series, s)


def _standing(df: pd.DataFrame, s: CampaignSettings) -> Standing:
    cols = ["group_name", *METRIC_KEYS, "overdue_share", "ranked", "board", "card", "reason"]
    if df.empty:
        return Standing(pd.DataFrame(columns=cols), [], [], [])
    df = df.set_index("group_name").loc[order_groups(list(df["group_name"]), s.group_order)].reset_index()
    df["overdue_share"] = [o / n if n else None for o, n in zip(df["overdue"], df["items"])]
    df["ranked"] = df["items"] >= s.min_items_to_rank
    boards, cards, reasons = [], [], []
    for rate, share, ranked in zip(df["completion_rate"], df["overdue_share"], df["ranked"]):
        card, reason = group_card(rate, share, s)
        cards.append(card)
        reasons.append(reason)
        if not ranked:
            boards.append("不排名")
        elif rate is not None and rate >= s.honour_rate:
            boards.append("红榜")
        elif rate is not None and rate < s.warning_rate:
            boards.append("黑榜")
        else:
            boards.append("")
    df["board"], df["card"], df["reason"] = boards, cards, reasons
    df = df[cols].reset_index(drop=True)
    honour = df[df["board"] == "红榜"].sort_values(["completion_rate", "items", "group_name"],
                                                   ascending=[False, False, True])
    warning = df[df["board"] == "黑榜"].sort_values(["completion_rate", "items", "group_name"],
                                                    ascending=[True, False, True])
    return Standing(df, list(honour["group_name"]), list(warning["group_name"]),
                    list(df.loc[~df["ranked"], "group_name"]))


# ---------------------------------------------------------------- readiness

@dataclass(frozen=True)
class Readiness:
    """Will the campaign reach the target rate (红榜线) by the evaluation phase?

    - ``gap``: items still to fix so that 整改率 >= target, as of the date (0 when met);
    - ``weekly_pace``: how much faster fixing ran than the target needs, in items per
      week, over the last ``PACE_REPORTS`` report intervals up to the date: the fall of
      (target x items - done) per 7 days (None with fewer than two report dates);
    - ``weeks_needed`` = gap / weekly_pace (None when the pace is not positive);
    - ``days_to_evaluation``: evaluation phase start - date (None once it has started);
    - ``verdict``: ``no_data``, ``reached`` (target met), ``no_phase`` (no phases
      set), ``on_track`` (before the
      evaluation phase, weeks_needed <= weeks to its start), ``at_risk`` (before it,
      otherwise), ``behind`` (evaluation started or over, target not met)."""

    target: float
    evaluation: Phase | None
    days_to_evaluation: int | None
    items: int
    done: int
    gap: int
    weekly_pace: float | None
    weeks_needed: float | None
    verdict: str


PACE_REPORTS = 4


def items_to_target(done: int, items: int, target: float) -> int:
    """The least n >= 0 with (done + n) / items >= target (rates compared as
    ``metrics`` computes them)."""
    if items == 0:
        return 0
    n = max(0, math.ceil(target * items) - done)
    while n > 0 and (done + n - 1) / items >= target:
        n -= 1
    while (done + n) / items < target and done + n < items:
        n += 1
    return n


def readiness(con, as_of: dt.date, s: CampaignSettings, *, groups: Sequence[str] | None = None,
              categories: Sequence[str] | None = None) -> Readiness:
    """``Readiness`` as of any date (two ``metrics_as_of`` queries)."""
    dates = [d for d in report_dates(con) if d <= as_of]
    first = dates[max(0, len(dates) - 1 - PACE_REPORTS)] if len(dates) >= 2 else None
    then = _totals(con, first, groups, categories, s.due_soon_days) if first else None
    return _readiness(as_of, _totals(con, as_of, groups, categories, s.due_soon_days), first, then, s)


def readiness_from_series(series: pd.DataFrame, dates: Sequence[dt.date], as_of: dt.date,
                          s: CampaignSettings) -> Readiness:
    """``Readiness`` at the report date ``as_of`` from ``weekly_series`` (same filters)."""
    dates = [d for d in dates if d <= as_of]
    first = dates[max(0, len(dates) - 1 - PACE_REPORTS)] if len(dates) >= 2 else None
    return _readiness(as_of, totals_at(series, as_of), first, totals_at(series, first) if first else None, s)


def _readiness(as_of, now: dict, first, then: dict | None, s: CampaignSettings) -> Readiness:
    evaluation = evaluation_phase(s.phases)
    days = (evaluation.start - as_of).days if evaluation and evaluation.start > as_of else None
    items, done = now["items"], now["done"]
    if items == 0:
        return Readiness(s.honour_rate, evaluation, days, 0, 0, 0, None, None, "no_data")
    gap = items_to_target(done, items, s.honour_rate)
    pace = None
    if then is not None and (as_of - first).days > 0:
        pace = ((s.honour_rate * then["items"] - then["done"]) - (s.honour_rate * items - done)) \
            / (as_of - first).days * 7
    needed = gap / pace if gap and pace and pace > 0 else (0.0 if gap == 0 else None)
    if gap == 0:
        verdict = "reached"
    elif evaluation is None:
        verdict = "no_phase"
    elif days is None:
        verdict = "behind"
    elif needed is not None and needed <= days / 7:
        verdict = "on_track"
    else:
        verdict = "at_risk"
    return Readiness(s.honour_rate, evaluation, days, items, done, gap, pace, needed, verdict)


# ---------------------------------------------------------------- item lists

def labelled(items: pd.DataFrame) -> pd.DataFrame:
    """``items`` (``metrics.items_as_of``) with ``status_label`` (``values.STATUS_LABELS``)."""
    out = items.copy()
    out["status_label"] = out["status"].map(STATUS_LABELS).fillna(STATUS_LABELS["unknown"])
    return out


SEARCH_COLUMNS = ("item_id", "description", "location", "grid", "category", "assignee", "status_text", "notes")


def search_items(items: pd.DataFrame, text: str) -> pd.DataFrame:
    """Rows of ``items`` where any of ``SEARCH_COLUMNS`` contains every word of ``text``
    (words split on white space, case-insensitive); all rows for empty text."""
    words = [w.lower() for w in str(text or "").split()]
    if not words or items.empty:
        return items
    hay = items[list(SEARCH_COLUMNS)].fillna("").astype(str).agg(" ".join, axis=1).str.lower()
    mask = pd.Series(True, index=items.index)
    for w in words:
        mask &= hay.str.contains(w, regex=False)
    return items[mask]


def overdue_list(items: pd.DataFrame, *, min_days: int = 0) -> pd.DataFrame:
    """Overdue items (``is_overdue``) with ``days_overdue >= min_days``, most days
    overdue first (ties: earlier deadline, group, item id), with ``status_label``."""
    df = labelled(items[items["is_overdue"]])
    df = df[df["days_overdue"].astype("int64") >= int(min_days)] if not df.empty else df
    return df.sort_values(["days_overdue", "deadline", "group_name", "item_id"],
                          ascending=[False, True, True, True], na_position="last").reset_index(drop=True)


def due_soon_list(items: pd.DataFrame) -> pd.DataFrame:
    """Items due soon (``is_due_soon``), earliest deadline first, with ``status_label``."""
    df = labelled(items[items["is_due_soon"]])
    return df.sort_values(["deadline", "group_name", "item_id"], na_position="last").reset_index(drop=True)


OVERDUE_BUCKETS = (("超期1–7天", 1, 7), ("超期8–30天", 8, 30), ("超期30天以上", 31, None))


@dataclass(frozen=True)
class OverdueProfile:
    """How long overdue items have been overdue: ``count``, ``max_days`` and the
    earliest ``oldest_deadline`` among them, and ``buckets`` [(label, count)] by
    ``OVERDUE_BUCKETS`` (days overdue, both ends included)."""

    count: int
    max_days: int | None
    oldest_deadline: dt.date | None
    buckets: list


def overdue_profile(items: pd.DataFrame) -> OverdueProfile:
    """``OverdueProfile`` of ``items`` (``metrics.items_as_of``)."""
    df = items[items["is_overdue"]]
    days = df["days_overdue"].astype("int64") if not df.empty else pd.Series(dtype="int64")
    buckets = [(label, int(((days >= lo) & ((days <= hi) if hi else True)).sum())) for label, lo, hi in OVERDUE_BUCKETS]
    oldest = pd.Timestamp(df["deadline"].min()).date() if not df.empty else None
    return OverdueProfile(len(df), int(days.max()) if len(days) else None, oldest, buckets)


def overdue_ages(con, *, groups: Sequence[str] | None = None, categories: Sequence[str] | None = None) -> pd.DataFrame:
    """``OverdueProfile`` figures at every report date, in one query: ``as_of``,
    ``overdue``, ``max_days``, ``oldest_deadline`` and one column per
    ``OVERDUE_BUCKETS`` label. Overdue and days overdue are ``metrics``' own (its
    current-state SQL; ``overdue`` equals ``weekly_series``' column). Dates without an
    overdue item have no row."""
    where, params = filter_sql(groups, categories)
    buckets = ", ".join(
        f"count(*) FILTER (WHERE days >= {lo}" + (f" AND days <= {hi}" if hi else "") + f") AS b{i}"
        for i, (_, lo, hi) in enumerate(OVERDUE_BUCKETS))
    sql = f"""
        SELECT as_of, count(*) AS overdue, max(days) AS max_days, min(deadline) AS oldest_deadline, {buckets}
        FROM (SELECT as_of, deadline, date_diff('day', deadline, as_of) AS days
              FROM ({states_sql(REPORT_DATES_SQL, where, full=False)})
              WHERE {OVERDUE_SQL})
        GROUP BY as_of ORDER BY as_of"""
    df = con.execute(sql, params).fetchdf()
    df = df.rename(columns={f"b{i}": label for i, (label, _, _) in enumerate(OVERDUE_BUCKETS)})
    df["as_of"] = [pd.Timestamp(d).date() for d in df["as_of"]]
    df["oldest_deadline"] = [pd.Timestamp(d).date() for d in df["oldest_deadline"]]
    return df


def overdue_profile_at(ages: pd.DataFrame, as_of: dt.date) -> OverdueProfile:
    """``OverdueProfile`` at the report date ``as_of`` from ``overdue_ages``."""
    rows = ages[ages["as_of"] == as_of] if len(ages) else ages
    if not len(rows):
        return OverdueProfile(0, None, None, [(label, 0) for label, _, _ in OVERDUE_BUCKETS])
    r = rows.iloc[0]
    return OverdueProfile(int(r["overdue"]), int(r["max_days"]), r["oldest_deadline"],
                          [(label, int(r[label])) for label, _, _ in OVERDUE_BUCKETS])


def breakdown(items: pd.DataFrame, by: str) -> pd.DataFrame:
    """Counts per value of ``by`` (``category``, ``grid`` or ``location``) over
    ``items``: ``items``, ``done``, ``not_done`` (items - done), ``overdue``, ``due_soon``,
    ``completion_rate``;
    an empty value becomes 未填写. Most items first, then name."""
    cols = [by, "items", "done", "not_done", "overdue", "due_soon", "completion_rate"]
    if items.empty:
        return pd.DataFrame(columns=cols)
    df = items.assign(**{by: items[by].fillna("").replace("", "未填写")})
    out = df.groupby(by, sort=False).agg(items=("item_key", "size"), done=("status", lambda s: int((s == "done").sum())),
                                         overdue=("is_overdue", "sum"), due_soon=("is_due_soon", "sum")).reset_index()
    for c in ("items", "done", "overdue", "due_soon"):
        out[c] = out[c].astype("int64")
    out["not_done"] = out["items"] - out["done"]
    out["completion_rate"] = out["done"] / out["items"]
    return out.sort_values(["items", by], ascending=[False, True]).reset_index(drop=True)[cols]


def filter_options(con, group_order: Sequence[str] = ()) -> tuple[list[str], list[str]]:
    """(groups in the configured order, categories sorted) of every stored item state;
    a missing category is ``""`` (as ``metrics`` filters it)."""
    groups = [r[0] for r in con.execute("SELECT DISTINCT group_name FROM item_states").fetchall()]
    cats = [r[0] for r in con.execute("SELECT DISTINCT coalesce(category, '') FROM item_states ORDER BY 1").fetchall()]
    return order_groups(groups, group_order), cats


def trend(con, as_of: dt.date, *, by_group: bool = False, groups: Sequence[str] | None = None,
          categories: Sequence[str] | None = None, due_soon_days: int = DEFAULT_DUE_SOON_DAYS) -> pd.DataFrame:
    """``metrics.weekly_series`` up to and including ``as_of``."""
    return until(weekly_series(con, by_group=by_group, groups=groups, categories=categories,
                               due_soon_days=due_soon_days), as_of)


def until(series: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The rows of a ``weekly_series`` up to and including ``as_of``."""
    return series[series["as_of"] <= as_of].reset_index(drop=True) if len(series) else series


# ---------------------------------------------------------------- per phase

OUTSIDE_PHASES = "阶段外"


def phase_table(con, as_of: dt.date, phases: Sequence[Phase], *, groups: Sequence[str] | None = None,
                categories: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per phase (by start date) over the items known as of ``as_of`` (after
    the group/category filters, which apply to each item's state as of that date):

    - an item's assigned date is its 交办日期 (``assigned_on`` as of ``as_of``), or,
      when that is empty, the report date of the first batch (<= ``as_of``) showing it;
    - its done date is ``items_as_of``'s ``done_on`` (completion date, else the report
      date of the first batch showing it done), for items done as of ``as_of``;
    - ``assigned``: items whose assigned date falls in the phase (start and end
      included); ``done``: items whose done date falls in it; ``assigned_done``: items
      assigned in the phase and done as of ``as_of``; ``completion_rate`` =
      assigned_done / assigned (None when nothing was assigned);
    - ``state``: 已结束 (end < as_of), 进行中, 未开始 (start > as_of).

    A last row ``阶段外`` counts items whose dates fall in no phase; it is there only
    when one of its counts is not 0. Without phases the table is empty."""
    if not phases:
        return phase_table_from(pd.DataFrame(), pd.DataFrame(), as_of, phases)
    items = items_as_of(con, as_of, groups=groups, categories=categories)
    return phase_table_from(items, first_seen(con, as_of), as_of, phases)


def first_seen(con, as_of: dt.date) -> pd.DataFrame:
    """``item_key`` and ``first_seen``: the report date of the first batch (<= ``as_of``)
    showing each item."""
    return con.execute("SELECT item_key, min(report_date) AS first_seen FROM item_states "
                       "WHERE report_date <= ? GROUP BY item_key", [as_of]).fetchdf()


def phase_table_from(items: pd.DataFrame, first: pd.DataFrame, as_of: dt.date, phases: Sequence[Phase]) -> pd.DataFrame:
    """``phase_table`` from ``items_as_of`` and ``first_seen`` at ``as_of``."""
    cols = ["phase", "start", "end", "state", "assigned", "done", "assigned_done", "completion_rate"]
    if not phases:
        return pd.DataFrame(columns=cols)
    if items.empty:
        assigned = done = pd.Series(dtype="datetime64[us]")
        is_done = pd.Series(dtype=bool)
    else:
        items = items.merge(first, on="item_key", how="left")
        assigned = pd.to_datetime(items["assigned_on"]).fillna(pd.to_datetime(items["first_seen"]))
        is_done = items["status"] == "done"
        done = pd.to_datetime(items["done_on"]).where(is_done)
    rows = []
    in_any_a = pd.Series(False, index=assigned.index)
    in_any_d = pd.Series(False, index=done.index)
    for p in sorted(phases, key=lambda p: p.start):
        a = (assigned >= pd.Timestamp(p.start)) & (assigned <= pd.Timestamp(p.end))
        d = (done >= pd.Timestamp(p.start)) & (done <= pd.Timestamp(p.end))
        in_any_a |= a
        in_any_d |= d
        state = "已结束" if p.end < as_of else ("未开始" if p.start > as_of else "进行中")
        rows.append(_phase_row(p.name, p.start, p.end, state, a, d, is_done))
    outside = _phase_row(OUTSIDE_PHASES, None, None, "", ~in_any_a & assigned.notna(), ~in_any_d & done.notna(), is_done)
    if outside[4] or outside[5]:
        rows.append(outside)
    df = pd.DataFrame(rows, columns=cols)
    df["completion_rate"] = pd.Series([r[-1] for r in rows], dtype=object)
    return df


def phase_series(con, phases: Sequence[Phase], *, groups: Sequence[str] | None = None,
                 categories: Sequence[str] | None = None) -> pd.DataFrame:
    """``phase_table``'s counts at every report date, in one query over ``metrics``'
    current-state SQL: ``as_of``, ``phase``, ``assigned``, ``done``, ``assigned_done``,
    with the phase ``阶段外`` holding what falls in no phase (the phases must not
    overlap, as ``validate_settings`` ensures). An item's first appearance is its
    first report date overall, which is <= any date it is known at."""
    cols = ["as_of", "phase", "assigned", "done", "assigned_done"]
    if not phases:
        return pd.DataFrame(columns=cols)
    where, params = filter_sql(groups, categories)
    params.update({"names": [p.name for p in phases], "starts": [p.start for p in phases],
                   "ends": [p.end for p in phases]})
    sql = f"""
        WITH c AS (
            SELECT cur.as_of, cur.status = 'done' AS is_done, CASE WHEN cur.status = 'done' THEN cur.done_on END AS done_on,
                   coalesce(cur.assigned_on, f.first_seen) AS assigned
            FROM ({states_sql(REPORT_DATES_SQL, where)}) cur
            JOIN (SELECT item_key, min(report_date) AS first_seen FROM item_states GROUP BY item_key) f USING (item_key)),
        p AS (SELECT unnest($names) AS phase, unnest($starts)::DATE AS p_start, unnest($ends)::DATE AS p_end),
        per AS (
            SELECT c.as_of, p.phase,
                   count(*) FILTER (WHERE c.assigned BETWEEN p.p_start AND p.p_end) AS assigned,
                   count(*) FILTER (WHERE c.done_on BETWEEN p.p_start AND p.p_end) AS done,
                   count(*) FILTER (WHERE c.assigned BETWEEN p.p_start AND p.p_end AND c.is_done) AS assigned_done
            FROM c CROSS JOIN p GROUP BY c.as_of, p.phase),
        total AS (
            SELECT as_of, count(assigned) AS assigned, count(done_on) AS done,
                   count(assigned) FILTER (WHERE is_done) AS assigned_done
            FROM c GROUP BY as_of)
        SELECT * FROM per
        UNION ALL
        SELECT t.as_of, '{OUTSIDE_PHASES}', t.assigned - sum(per.assigned), t.done - sum(per.done),
               t.assigned_done - sum(per.assigned_done)
        FROM total t JOIN per USING (as_of) GROUP BY t.as_of, t.assigned, t.done, t.assigned_done
        ORDER BY 1, 2"""
    df = con.execute(sql, params).fetchdf()
    df["as_of"] = [pd.Timestamp(d).date() for d in df["as_of"]]
    for col in ("assigned", "done", "assigned_done"):
        df[col] = df[col].astype("int64")
    return df[cols]


def phase_table_at(series: pd.DataFrame, as_of: dt.date, phases: Sequence[Phase]) -> pd.DataFrame:
    """``phase_table`` at the report date ``as_of`` from ``phase_series`` (same
    phases and filters)."""
    cols = ["phase", "start", "end", "state", "assigned", "done", "assigned_done", "completion_rate"]
    if not phases:
        return pd.DataFrame(columns=cols)
    at = series[series["as_of"] == as_of].set_index("phase") if len(series) else pd.DataFrame()
    count = lambda name, col: int(at.loc[name, col]) if name in at.index else 0  # noqa: E731
    rows = []
    for p in sorted(phases, key=lambda p: p.start):
        state = "已结束" if p.end < as_of else ("未开始" if p.start > as_of else "进行中")
        a, d, ad = count(p.name, "assigned"), count(p.name, "done"), count(p.name, "assigned_done")
        rows.append([p.name, p.start, p.end, state, a, d, ad, ad / a if a else None])
    a, d, ad = (count(OUTSIDE_PHASES, c) for c in ("assigned", "done", "assigned_done"))
    if a or d:
        rows.append([OUTSIDE_PHASES, None, None, "", a, d, ad, ad / a if a else None])
    df = pd.DataFrame(rows, columns=cols)
    df["completion_rate"] = pd.Series([r[-1] for r in rows], dtype=object)
    return df


def _phase_row(name, start, end, state, a, d, is_done):
    assigned, done, assigned_done = int(a.sum()), int(d.sum()), int((a & is_done).sum())
    return [name, start, end, state, assigned, done, assigned_done, assigned_done / assigned if assigned else None]


__all__ = [
    "CampaignSettings", "Phase", "setting_help", "load_settings", "save_settings", "validate_settings",
    "default_settings", "PhaseInfo", "phase_info", "evaluation_phase",
    "Kpis", "KPI_KEYS", "kpis", "previous_report_date", "order_groups", "group_card", "CARDS", "Standing",
    "standing", "Readiness", "readiness", "items_to_target", "labelled", "search_items", "overdue_list",
    "due_soon_list", "OverdueProfile", "overdue_profile", "breakdown", "filter_options", "trend", "phase_table",
    "totals_at", "kpis_from_series", "standing_from_series", "readiness_from_series", "overdue_ages",
    "overdue_profile_at", "until", "first_seen", "phase_table_from", "phase_series", "phase_table_at",
]
