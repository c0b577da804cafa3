"""工作组: one group's KPIs, its trend, its items (sortable, searchable) and its
breakdowns by problem category and by grid (or location when no grid is filled)
(``figures.group``)."""
import streamlit as st

from dashboard import charts, data, view, widgets
from data_pipeline import figures, labels

v = view.page_view("工作组")
s = v.settings
options = list(v.groups) if v.groups else list(v.status.groups)
widgets.keep("group_pick", options)
pick = st.selectbox("选择工作组", options, key="group_pick",
                    help="可选的工作组受左侧“工作组”筛选限制。")
widgets.kept("group_pick")
fig = data.group(v.db, v.version, v.as_of, pick, s, v.filters)

k = fig.kpis
widgets.kpi_row(k, s.due_soon_days)
if k.previous_date:
    st.caption(f"增减数与上一期台账（{labels.full_day(k.previous_date)}）相比。")

if fig.series.empty:
    st.info("所选范围内还没有这个工作组的问题。")
else:
    left, right = st.columns(2, gap="large")
    with left:
        st.subheader("整改率走势")
        color = charts.group_style(pick, v.status.groups)["color"]
        st.plotly_chart(charts.rate_line(fig.series, s.phases, s, as_of=fig.as_of, color=color), config=charts.CONFIG,
                        key="group_rate")
    with right:
        st.subheader("超期问题数")
        st.plotly_chart(charts.overdue_bars(fig.series, s.phases, as_of=fig.as_of, height=360),
                        config=charts.CONFIG, key="group_overdue")

st.subheader("问题清单")
items = fig.items
left, right = st.columns([3, 2])
widgets.keep("group_search")
search = left.text_input("搜索", key="group_search", placeholder="输入编号、描述、点位、网格、责任人等关键词，多个词用空格分开")
widgets.kept("group_search")
status_options = list(dict.fromkeys(items["status_label"]))
widgets.keep("group_status", status_options)
statuses = right.multiselect(labels.COLUMN_LABELS["status_label"], status_options, key="group_status", placeholder="全部状态")
widgets.kept("group_status")
found = figures.find_items(items, search, statuses)
st.caption(f"显示{labels.count(len(found))}项（点击列名可排序）。超期天数只对尚未整改完成的超期问题显示。")
widgets.item_table(found, ["item_id", "description", "status_label", "deadline", "days_overdue", "location", "grid",
                           "category", "assignee", "completed_on"], key="group_items")

st.subheader("分类统计")
cols = st.columns(2, gap="large")
for col, by, table in ((cols[0], "category", fig.by_category), (cols[1], fig.place, fig.by_place)):
    label = labels.COLUMN_LABELS[by]
    with col:
        st.markdown(f"**按{label}**")
        if table.empty:
            st.info("没有问题。")
            continue
        st.plotly_chart(charts.breakdown_bars(table, by, label), config=charts.CONFIG, key=f"breakdown_{by}")
        shown = table.assign(completion_rate=widgets.as_percent(table["completion_rate"]))
        columns = [by, "items", "done", "overdue", "completion_rate"]
        st.dataframe(shown[columns], hide_index=True, column_order=columns, key=f"breakdown_table_{by}",
                     placeholder=labels.NONE, column_config={
            by: st.column_config.TextColumn(label), "items": st.column_config.NumberColumn("交办"),
            "done": st.column_config.NumberColumn("已整改"), "overdue": st.column_config.NumberColumn("超期"),
            "completion_rate": widgets.percent_column(labels.COLUMN_LABELS["completion_rate"])})
