"""总览: where the campaign stands as of the sidebar's date: phase and days left, the KPI
cards with their change since the previous report, whether the target will be reached
by the evaluation phase, how long items have been overdue, completion by group with the
target line, 红榜/黑榜 and each group's 红/黄/绿牌 (``figures.overview``)."""
import pandas as pd
import streamlit as st

from dashboard import charts, data, view, widgets
from data_pipeline import labels
from data_pipeline.campaign.readiness import PACE_REPORTS
from data_pipeline.campaign.standing import board_rules

v = view.page_view("总览")
s = v.settings
fig = data.overview(v.db, v.version, v.as_of, s, v.filters)

k = fig.kpis
widgets.kpi_row(k, s.due_soon_days)
if k.previous_date:
    st.caption(f"箭头和增减数是与上一期台账（{labels.full_day(k.previous_date)}）相比的变化。")

# Will the campaign be ready for 评估?
r = fig.readiness
target = labels.threshold(r.target)
pace = ""
if r.weekly_pace is not None:
    pace = (f"近{PACE_REPORTS}期台账中，距目标的差距平均每周缩小{labels.decimal(r.weekly_pace)}项" if r.weekly_pace > 0
            else f"近{PACE_REPORTS}期台账中，距目标的差距没有缩小（平均每周扩大{labels.decimal(-r.weekly_pace)}项）")
ev = r.evaluation
if r.verdict == "no_data":
    st.info("所选范围内没有问题，请调整左侧的工作组或问题类别筛选。")
elif r.verdict == "reached":
    st.success(f"**整改率已达到目标{target}**。"
               + (f"{widgets.md(ev.name)}{labels.day(ev.start)}开始。" if ev and r.days_to_evaluation else ""))
elif r.verdict == "no_phase":
    st.info(f"整改率距目标{target}还需整改{r.gap}项。尚未设置阶段时间，无法判断能否在评估前达标（见“设置”页）。")
elif r.verdict == "behind":
    st.error(f"**{widgets.md(ev.name)}已于{labels.day(ev.start)}开始，整改率仍未达到目标{target}，还需整改{r.gap}项**。"
             + (f"{pace}，照此约需{labels.decimal(r.weeks_needed)}周。" if r.weeks_needed is not None else (pace + "。" if pace else "")))
elif r.verdict == "on_track":
    st.success(f"**按目前进度，{widgets.md(ev.name)}（{labels.day(ev.start)}开始，还有{r.days_to_evaluation}天）前能达到"
               f"目标整改率{target}**。还需整改{r.gap}项；{pace}，约需{labels.decimal(r.weeks_needed)}周。")
else:
    st.warning(f"**按目前进度，{widgets.md(ev.name)}（{labels.day(ev.start)}开始，还有{r.days_to_evaluation}天）前难以达到"
               f"目标整改率{target}**。还需整改{r.gap}项"
               + (f"；{pace}，照此约需{labels.decimal(r.weeks_needed)}周。" if r.weeks_needed is not None else
                  (f"；{pace}。" if pace else "。")))

# Overdue: how many and since when.
p = fig.overdue
due_soon = k.values["due_soon"]
if p.count:
    parts = "、".join(f"{label}{n}项" for label, n in reversed(p.buckets) if n)
    st.markdown(f"**超期问题{p.count}项**：{parts}。拖得最久的已超期**{p.max_days}天**"
                f"（整改时限{labels.day(p.oldest_deadline)}）。另有临期{due_soon}项"
                f"（{s.due_soon_days}天内到期）。名单见“超期督办”页。")
else:
    st.markdown(f"**没有超期问题**。临期{due_soon}项（{s.due_soon_days}天内到期）。")

st.divider()
standing = fig.standing
table = standing.table
left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader("各工作组整改率")
    st.caption("颜色表示亮牌（规则见下表上方说明），竖线为红榜线和黑榜线"
               + ("（按名次评榜时，这两条线只用于亮牌）。" if s.badge_rule == "rank" else "。"))
    if table.empty:
        st.info("所选范围内没有问题。")
    else:
        st.plotly_chart(charts.group_rates_bar(table, s), config=charts.CONFIG, key="rates_bar")
with right:
    by_name = table.set_index("group_name") if not table.empty else None

    def _listed(g: str, run: str) -> str:
        """A listed group: name, 整改率, and its run on the list (with the escalation due
        on the 黑榜)."""
        r = by_name.loc[g]
        extra = [labels.streak(r[run])] if r[run] else []
        if run == "warning_streak" and r["escalation"]:
            extra.append(widgets.md(r["escalation"]))
        return f"**{widgets.md(g)}** {labels.pct(r['completion_rate'])}" + (f"（{'，'.join(extra)}）" if extra else "")

    honour_rule, warning_rule = board_rules(s)
    for title, rule, groups, run in ((labels.HONOUR, honour_rule, standing.honour, "honour_streak"),
                                     (labels.WARNING, warning_rule, standing.warning, "warning_streak")):
        st.subheader(title)
        st.caption(rule)
        st.markdown("\n".join(f"{i}. {_listed(g, run)}" for i, g in enumerate(groups, 1)) if groups else "（暂无）")
    if standing.escalated:
        st.subheader("升级督办")
        st.caption(f"按连续上黑榜的期数：{widgets.md(labels.escalation_steps(s.escalation))}。")
        st.markdown("\n".join(f"- **{widgets.md(g)}**：{widgets.md(by_name.loc[g, 'escalation'])}"
                              f"（{labels.streak(by_name.loc[g, 'warning_streak'])}上黑榜）" for g in standing.escalated))
    if standing.unranked:
        st.caption(f"交办问题不足{s.min_items_to_rank}项、不参与排名：")
        st.markdown("、".join(f"{widgets.md(g)}（{labels.pct(by_name.loc[g, 'completion_rate'])}）"
                             for g in standing.unranked))

st.subheader("各工作组亮牌情况")
st.caption(f"红牌：整改率低于{labels.threshold(s.warning_rate)}或超期占比高于{labels.threshold(s.red_overdue_share)}；"
           f"黄牌：整改率低于{labels.threshold(s.honour_rate)}或超期占比高于{labels.threshold(s.yellow_overdue_share)}；"
           "其余为绿牌。超期占比 = 超期 ÷ 交办总数。")
if not table.empty:
    shown = pd.DataFrame({
        "group_name": table["group_name"].map(widgets.md), "card": table["card"], "completion_rate": table["completion_rate"].map(labels.pct),
        "items": table["items"].map(labels.count), "done": table["done"].map(labels.count),
        "overdue": table["overdue"].map(labels.count), "overdue_share": table["overdue_share"].map(labels.pct),
        "board": table["board"].map(lambda b: b or labels.NONE),
        "warning_streak": table["warning_streak"].map(labels.streak),
        "honour_streak": table["honour_streak"].map(labels.streak),
        "escalation": table["escalation"].map(lambda e: widgets.md(e) if e else labels.NONE),
        "reason": table["reason"]}).set_index("group_name").rename(columns=labels.COLUMN_LABELS)
    shown.index.name = labels.COLUMN_LABELS["group_name"]
    st.table(shown)
