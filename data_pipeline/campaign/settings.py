"""The campaign's settings: what they are, their defaults, their rules, and how they are
stored (the ``settings`` table that ``store`` declares: one JSON value per key).

Each setting is declared once, in ``CampaignSettings``, with its default, a Chinese label
and a Chinese help text. A key never saved takes its default. The sample campaign's
settings are data (``sample_data/campaign.json``), stored when the sample is loaded.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, fields, replace

from .. import audit, labels
from ..constants import DEFAULT_DUE_SOON_DAYS
from ..store import bump_data_version, transaction


@dataclass(frozen=True)
class Phase:
    """A campaign phase (准备/实施/评估…); ``start`` and ``end`` are both inside it."""

    name: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class Escalation:
    """A step of the escalation of groups on the 黑榜: from ``reports`` consecutive reports
    on the 黑榜 on, the group gets ``action`` (通报批评, 约谈, 问责 …)."""

    reports: int
    action: str


BADGE_RULES = ("threshold", "rank")
DEFAULT_ESCALATION = [Escalation(1, "通报批评"), Escalation(2, "约谈"), Escalation(3, "问责")]


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
    badge_rule: str = _setting("threshold", "红黑榜规则",
                               "“按整改率线”：整改率达到红榜线的工作组上红榜、低于黑榜线的上黑榜；“按名次”：整改率"
                               "前若干名上红榜、后若干名上黑榜，并列的都列出，已上红榜的不再上黑榜。")
    badge_top_n: int = _setting(3, "红榜名额（按名次时）", "按名次评榜时，整改率排在前面这么多名（含并列）的工作组上红榜。")
    badge_bottom_n: int = _setting(3, "黑榜名额（按名次时）", "按名次评榜时，整改率排在最后这么多名（含并列）的工作组上黑榜。")
    escalation: list = _setting(DEFAULT_ESCALATION, "连续上黑榜的督办措施",
                                "工作组连续多期台账上黑榜时采取的措施，例如连续1期通报批评、连续2期约谈、连续3期及以上问责；"
                                "取次数不超过连续期数的最后一级。")
    forecast_green: float = _setting(0.85, "进度预测绿色线（概率）",
                                     "按期完成（评估阶段开始前全部整改）的概率达到此值时显示绿色。")
    forecast_yellow: float = _setting(0.50, "进度预测黄色线（概率）",
                                      "按期完成的概率达到此值、但低于绿色线时显示黄色；更低显示红色。")


def setting_help() -> dict[str, tuple[str, str]]:
    """``{setting: (label, help)}`` for every setting, in declaration order."""
    return {f.name: (f.metadata["label"], f.metadata["help"]) for f in fields(CampaignSettings)}


def _encode(key: str, value) -> str:
    if key == "phases":
        value = [[p.name, p.start.isoformat(), p.end.isoformat()] for p in value]
    elif key == "escalation":
        value = [[e.reports, e.action] for e in value]
    return json.dumps(value, ensure_ascii=False)


def _decode(key: str, value):
    if key == "phases":
        return [Phase(n, dt.date.fromisoformat(s), dt.date.fromisoformat(e)) for n, s, e in value]
    if key == "escalation":
        return [Escalation(n, a) for n, a in value]
    return value



def load_settings(con) -> CampaignSettings:
    """The stored settings; a key never saved takes its default. Works on a read-only
    connection."""
    known = {f.name for f in fields(CampaignSettings)}
    stored = {k: _decode(k, json.loads(v)) for k, v in con.execute("SELECT key, value FROM settings").fetchall()
              if k in known}
    return replace(CampaignSettings(), **stored)


def store_values(con, values: dict, *, only_missing: bool = False) -> None:
    """Store ``values`` ({setting: value as JSON holds it}) inside the caller's
    transaction; with ``only_missing`` keys already stored keep their value."""
    verb = "INSERT OR IGNORE" if only_missing else "INSERT OR REPLACE"
    for key, value in values.items():
        con.execute(f"{verb} INTO settings VALUES (?, ?)", [key, json.dumps(value, ensure_ascii=False)])


def forget_values(con, values: dict) -> None:
    """Remove the stored keys of ``values`` that still hold exactly these values (so they
    take their defaults again), inside the caller's transaction."""
    for key, value in values.items():
        con.execute("DELETE FROM settings WHERE key = ? AND value = ?", [key, json.dumps(value, ensure_ascii=False)])


def validate_settings(s: CampaignSettings) -> list[str]:
    """Problems with ``s``, each a Chinese sentence; empty when it can be saved.

    Rules: a non-empty name; each phase has a name, names are distinct, start <= end,
    and no two phases share a day; rates are in [0, 1]; 黑榜线 <= 红榜线; 黄牌超期占比
    <= 红牌超期占比; 临期天数 in 0..365; 最少交办数 >= 0; group names are distinct; the 红黑榜
    rule is threshold or rank, its 名额 integers in 0..1000; each escalation step has a
    count >= 1 (distinct counts) and an action; the forecast lines are in [0, 1] with
    yellow <= green."""
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
            errors.append(f"阶段“{name}”的开始日期（{labels.full_day(p.start)}）晚于结束日期（{labels.full_day(p.end)}）")
    dated = sorted((p for p in s.phases if isinstance(p.start, dt.date) and isinstance(p.end, dt.date)
                    and p.start <= p.end), key=lambda p: p.start)
    for a, b in zip(dated, dated[1:]):
        if b.start <= a.end:
            errors.append(f"阶段“{a.name}”（{labels.full_period(a.start, a.end)}）与“{b.name}”"
                          f"（{labels.full_period(b.start, b.end)}）时间重叠")
    for key in ("honour_rate", "warning_rate", "red_overdue_share", "yellow_overdue_share"):
        value = getattr(s, key)
        if not isinstance(value, (int, float)) or not 0 <= value <= 1:
            errors.append(f"{label[key]}应在0%到100%之间")
    rates_ok = not any(e.endswith("应在0%到100%之间") for e in errors)
    if rates_ok and s.warning_rate > s.honour_rate:
        errors.append(f"黑榜线（{labels.threshold(s.warning_rate)}）不能高于红榜线（{labels.threshold(s.honour_rate)}）")
    if rates_ok and s.yellow_overdue_share > s.red_overdue_share:
        errors.append(f"黄牌超期占比（{labels.threshold(s.yellow_overdue_share)}）"
                      f"不能高于红牌超期占比（{labels.threshold(s.red_overdue_share)}）")
    if not isinstance(s.due_soon_days, int) or not 0 <= s.due_soon_days <= 365:
        errors.append("临期天数应为0到365之间的整数")
    if not isinstance(s.min_items_to_rank, int) or s.min_items_to_rank < 0:
        errors.append("参与排名的最少交办数应为不小于0的整数")
    if len(set(s.group_order)) != len(s.group_order):
        errors.append("工作组显示顺序中有重复的工作组")
    if s.badge_rule not in BADGE_RULES:
        errors.append(f"红黑榜规则应为{'或'.join('“' + labels.BADGE_RULES[r] + '”' for r in BADGE_RULES)}")
    for key in ("badge_top_n", "badge_bottom_n"):
        value = getattr(s, key)
        if not _whole(value) or not 0 <= value <= 1000:
            errors.append(f"{label[key]}应为0到1000之间的整数")
    counts: list[int] = []
    for i, e in enumerate(s.escalation, start=1):
        if not _whole(e.reports) or e.reports < 1:
            errors.append(f"第{i}项督办措施的连续上黑榜期数应为不小于1的整数")
        elif e.reports in counts:
            errors.append(f"连续上黑榜{e.reports}期的督办措施重复")
        else:
            counts.append(e.reports)
        if not isinstance(e.action, str) or not e.action.strip():
            errors.append(f"第{i}项督办措施缺少措施名称")
    bad = [key for key in ("forecast_green", "forecast_yellow")
           if not isinstance(getattr(s, key), (int, float)) or not 0 <= getattr(s, key) <= 1]
    errors += [f"{label[key]}应在0%到100%之间" for key in bad]
    if not bad and s.forecast_yellow > s.forecast_green:
        errors.append(f"进度预测黄色线（{labels.threshold(s.forecast_yellow)}）"
                      f"不能高于绿色线（{labels.threshold(s.forecast_green)}）")
    return errors


def _whole(value) -> bool:
    """An int that is not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def _shown(key: str, value) -> str:
    """A setting's value as the audit log shows it."""
    if key == "phases":
        return "；".join(f"{p.name} {labels.full_period(p.start, p.end)}" for p in value) or "（无）"
    if key.endswith(("_rate", "_share")) or key.startswith("forecast_"):
        return labels.threshold(value)
    if key == "badge_rule":
        return labels.BADGE_RULES.get(value, str(value))
    if key == "escalation":
        return labels.escalation_steps(value) or "（无）"
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
    ``data_version`` so cached pages refresh. Names and actions are stored trimmed, the
    escalation steps by their count. Returns the problems found (``validate_settings``);
    when there are any, nothing is stored."""
    s = replace(s, name=str(s.name).strip(),
                phases=[Phase(str(p.name).strip(), p.start, p.end) for p in s.phases],
                escalation=[Escalation(e.reports, e.action.strip() if isinstance(e.action, str) else "")
                            for e in s.escalation])
    errors = validate_settings(s)
    if errors:
        return errors
    s = replace(s, escalation=sorted(s.escalation, key=lambda e: e.reports))
    changes = settings_changes(load_settings(con), s)
    with transaction(con):
        for f in fields(CampaignSettings):
            con.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", [f.name, _encode(f.name, getattr(s, f.name))])
        audit.log(con, actor, audit.SETTINGS, changes or "保存设置（无改动）")
        bump_data_version(con)
    return []
