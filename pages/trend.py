"""阶段趋势: one point per weekly report up to the as-of date: cumulative items assigned
vs done (burn-up), completion rate per group, overdue count, with the phases as shaded
bands; and the per-phase table (``figures.trend``)."""
import streamlit as st

from dashboard import charts, data, view, widgets
from data_pipeline import labels

v = view.page_view("阶段趋势")
s = v.settings
fig = data.trend(v.db, v.version, v.as_of, s, v.filters)
if fig.series.empty:
    st.info("所选范围内还没有问题。")
    st.stop()
if not s.phases:
    st.caption("尚未设置阶段时间，图中不画阶段（见“设置”页）。")

st.subheader("累计交办与累计整改")
st.caption("每个点是一期台账。两条线之间的阴影是尚未整改的问题；阴影越窄，离全部整改越近。")
st.plotly_chart(charts.burnup(fig.series, s.phases, as_of=fig.as_of), config=charts.CONFIG, key="burnup")

st.subheader("各工作组整改率")
st.plotly_chart(charts.group_rate_lines(fig.by_group, fig.groups, s.phases, s, all_groups=v.status.groups,
                                        as_of=fig.as_of), config=charts.CONFIG, key="group_rates")

st.subheader("超期问题数")
st.plotly_chart(charts.overdue_bars(fig.series, s.phases, as_of=fig.as_of), config=charts.CONFIG,
                key="overdue_bars")

st.subheader("分阶段统计")
phases = fig.phases
if phases.empty:
    st.info("尚未设置阶段时间（见“设置”页）。")
else:
    shown = phases.assign(period=[labels.period(a, b) for a, b in zip(phases["start"], phases["end"])],
                          completion_rate=widgets.as_percent(phases["completion_rate"]))
    columns = ["phase", "period", "state", "assigned", "done", "assigned_done", "completion_rate"]
    st.dataframe(shown[columns], hide_index=True, column_order=columns, key="phase_table", placeholder=labels.NONE,
                 column_config={
        "phase": st.column_config.TextColumn("阶段"),
        "period": st.column_config.TextColumn("起止日期"),
        "state": st.column_config.TextColumn("进展"),
        "assigned": st.column_config.NumberColumn("本阶段交办", help="交办日期（没有交办日期的，按首次出现的台账日期）在本阶段内的问题数。"),
        "done": st.column_config.NumberColumn("本阶段完成整改", help="完成日期（没有完成日期的，按首次显示已整改的台账日期）在本阶段内的问题数，不论何时交办。"),
        "assigned_done": st.column_config.NumberColumn("本阶段交办中已整改", help="本阶段交办的问题中，截至所选日期已整改的数量。"),
        "completion_rate": widgets.percent_column("本阶段交办问题整改率", help="本阶段交办中已整改 ÷ 本阶段交办。"),
    })
    st.caption(f"统计截至{labels.full_day(v.as_of)}；进行中的阶段只算到这一天。")
