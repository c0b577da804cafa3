"""进度预测: when the open items will be done (``figures.forecast``), as of the sidebar's
date, per group and in total: the probability that they are all done before the 评估
phase starts with its 红/黄/绿 light, the dates with 50% and 85% chance, 积压未减少
(items arrive as fast as they are done: no date) or 数据不足 (fewer than three reports),
the method in one sentence and the 评估 phase it is measured against. The sidebar's
group and category filters apply."""
import pandas as pd
import streamlit as st

from dashboard import charts, data, view, widgets
from data_pipeline import labels

v = view.page_view("进度预测")
s = v.settings
fig = data.forecast(v.db, v.version, v.as_of, s, v.filters)
table = fig.table
if table[~table["is_total"]].empty:   # only the 合计 row: no group in range
    st.info("所选范围内没有问题，请调整左侧的工作组或问题类别筛选。")
    st.stop()

t = table[table["is_total"]].iloc[0]
outlook = t["outlook"]
if outlook != "insufficient":    # nothing was simulated: no method to state
    st.caption(f"预测方法：{fig.method}")
ev = fig.evaluation
if ev is None:
    st.markdown("尚未设置评估阶段（见“设置”页）：只给出完成日期，不计算评估前全部整改的概率。")
elif ev.start <= fig.as_of:
    st.markdown(f"{widgets.md(ev.name)}已于{labels.full_day(ev.start)}开始：不再计算评估前全部整改的概率，只给出完成日期。")
else:
    st.markdown(f"{widgets.md(ev.name)}{labels.full_day(ev.start)}开始；按期完成概率是在这一天之前全部整改完成的可能性。")

if outlook == "insufficient":
    st.info(f"**{labels.FORECAST_OUTLOOKS['insufficient']}**：{t['reason']}。再有几期台账后即可预测。")
elif outlook == "done":
    st.success("**全部问题已整改。**")
else:
    chance = ""
    if t["probability"] is not None and ev is not None:
        chance = (f"在{widgets.md(ev.name)}开始前整改完成的可能性为**{labels.pct(t['probability'])}**"
                  f"（{labels.forecast_light(t['light'])}）；")
    if outlook == "not_shrinking":
        text = (f"全部问题{chance}周均新增{labels.decimal(t['weekly_new'])}项、周均整改"
                f"{labels.decimal(t['weekly_closed'])}项，**{t['outlook_label']}**，无法给出完成日期。")
    else:
        text = (f"全部问题{chance}预计全部整改完成的日期：五成把握**{labels.forecast_day(t['p50'], outlook)}**，"
                f"八成五把握**{labels.forecast_day(t['p85'], outlook)}**。")
    (st.warning if outlook == "not_shrinking" or t["light"] == labels.FORECAST_LIGHTS[0] else st.markdown)(text)

if any(p is not None for p in table["probability"]):
    st.subheader("评估前全部整改的概率")
    st.caption(f"按期完成概率不低于{labels.threshold(s.forecast_green)}亮绿灯，不低于{labels.threshold(s.forecast_yellow)}"
               "亮黄灯，其余亮红灯（见“设置”页）。")
    st.plotly_chart(charts.forecast_bars(table, s), config=charts.CONFIG, key="forecast_bars")

st.subheader("各工作组预测")
shown = pd.DataFrame({
    "group_name": table["group_name"], "open": table["open"],
    **{c: table[c].map(lambda x: labels.NONE if x is None else labels.decimal(x))
       for c in ("weekly_new", "weekly_closed", "weekly_net")},
    "outlook_label": table["outlook_label"],
    "probability": widgets.as_percent(table["probability"]),
    "light": table["light"].map(labels.forecast_light),
    "p50": [labels.forecast_day(d, o) for d, o in zip(table["p50"], table["outlook"])],
    "p85": [labels.forecast_day(d, o) for d, o in zip(table["p85"], table["outlook"])],
    "reason": table["reason"].map(lambda r: r or labels.NONE)})
columns = list(shown.columns)
L = labels.COLUMN_LABELS
st.dataframe(shown, hide_index=True, column_order=columns, key="forecast_table", placeholder=labels.NONE,
             column_config={
    "group_name": st.column_config.TextColumn(L["group_name"]),
    "open": st.column_config.NumberColumn(L["open"], format="%d", help="截至本期未整改完成的问题（长期整改的不算）。"),
    "weekly_new": st.column_config.TextColumn(L["weekly_new"], help="最近几次台账间隔中，平均每周新交办的问题数。"),
    "weekly_closed": st.column_config.TextColumn(L["weekly_closed"], help="最近几次台账间隔中，平均每周整改完成的问题数。"),
    "weekly_net": st.column_config.TextColumn(L["weekly_net"], help="周均整改减周均新增；不大于0即积压未减少。"),
    "outlook_label": st.column_config.TextColumn(L["outlook_label"]),
    "probability": widgets.percent_column(L["probability"], help="评估阶段开始前全部整改完成的可能性。"),
    "light": st.column_config.TextColumn(L["light"]),
    "p50": st.column_config.TextColumn(L["p50"], help="有一半的模拟在这一天前全部整改完成。"),
    "p85": st.column_config.TextColumn(L["p85"], help="有八成五的模拟在这一天前全部整改完成。"),
    "reason": st.column_config.TextColumn(L["reason"], help="为什么没有按期完成概率。"),
})
