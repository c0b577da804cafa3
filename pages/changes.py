"""本周变化: what changed between two report dates (``figures.changes``), per group and in
total: items newly assigned, newly done, newly overdue, reopened and still overdue, the
change of 整改率 and 按期整改率 in percentage points, the rank and its change, the 红榜/
黑榜, the consecutive reports on each list and the escalation due.

Rules of the two date pickers (report dates only):
- 截至 is the sidebar's as-of date: the picker shows it, and picking another date here
  moves the sidebar's date too (every page then shows that date, as the sidebar says);
- 比较的台账日期 offers the report dates before 截至, the one just before by default; a
  date picked by hand is kept while it stays before 截至, and the default follows 截至
  otherwise. At the first report there is nothing earlier: every item counts as newly
  assigned, and the page says so.
The sidebar's group and category filters apply."""
import pandas as pd
import streamlit as st

from dashboard import charts, data, view, widgets
from data_pipeline import labels
from data_pipeline.campaign.standing import board_rules

AS_OF, SINCE, SINCE_DEFAULT = "changes_as_of", "changes_since", "_changes_since_default"


def _follow_sidebar() -> None:
    st.session_state["as_of"] = st.session_state[AS_OF]


v = view.page_view("本周变化")
s = v.settings
ss = st.session_state
dates = sorted(v.status.dates, reverse=True)
earlier = [d for d in dates if d < v.as_of]
ss[AS_OF] = v.as_of
widgets.keep(SINCE, earlier)
if earlier:
    if SINCE not in ss or ss[SINCE] == ss.get(SINCE_DEFAULT):
        ss[SINCE] = earlier[0]
    ss[SINCE_DEFAULT] = earlier[0]

c1, c2 = st.columns(2)
c1.selectbox("截至", dates, key=AS_OF, format_func=labels.full_day, on_change=_follow_sidebar,
             help="本期台账的日期；与左侧的截至日期相同，在这里改也会改左侧的日期。")
if earlier:
    since = c2.selectbox("比较的台账日期", earlier, key=SINCE, format_func=labels.full_day,
                         help="与哪一期台账相比；默认是截至日期的上一期。")
else:
    since = None
    c2.selectbox("比较的台账日期", ["没有更早的台账"], disabled=True, key="changes_since_none")
widgets.kept(SINCE)

try:
    fig = data.changes(v.db, v.version, v.as_of, since, s, v.filters)
except ValueError as exc:   # not reachable from the pickers (only earlier dates are offered)
    st.error(str(exc))
    st.stop()
table = fig.table
if table.empty:
    st.info("所选范围内没有问题，请调整左侧的工作组或问题类别筛选。")
    st.stop()

# The totals in a sentence.
t = table[table["is_total"]].iloc[0]


def _with_change(rate, delta) -> str:
    return labels.pct(rate) + (f"（{labels.rate_change(delta)}）" if fig.since and delta is not None else "")


head = (f"与{labels.full_day(fig.since)}的台账相比" if fig.since else "没有更早的台账可比较，全部问题算作新交办")
st.markdown(f"{head}：新交办**{labels.count(t['new_items'])}**项，新整改**{labels.count(t['newly_done'])}**项，"
            f"新增超期**{labels.count(t['newly_overdue'])}**项，整改后反弹**{labels.count(t['reopened'])}**项，"
            f"持续超期**{labels.count(t['still_overdue'])}**项；整改率{_with_change(t['completion_rate'], t['completion_rate_change'])}，"
            f"按期整改率{_with_change(t['on_time_rate'], t['on_time_rate_change'])}。")
groups = table[~table["is_total"]].set_index("group_name")
if fig.escalated:
    st.markdown("**需升级督办**：" + "；".join(
        f"**{widgets.md(g)}**{labels.streak(groups.loc[g, 'warning_streak'])}上黑榜，{widgets.md(groups.loc[g, 'escalation'])}"
        for g in fig.escalated) + "。")
honour_rule, warning_rule = board_rules(s)
st.caption(f"红榜：{honour_rule}；黑榜：{warning_rule}。连续上黑榜的督办措施：{widgets.md(labels.escalation_steps(s.escalation)) or '（无）'}。")

st.subheader("各工作组本期变化")
st.caption("新交办：比较的那期台账中还没有的问题；新整改：那期未整改、本期已整改；新增超期：那期未超期、本期超期；"
           "整改后反弹：那期已整改、本期又未整改（回头看发现）。")
st.plotly_chart(charts.change_bars(table), config=charts.CONFIG, key="change_bars")

st.subheader("变化明细")
COUNTS = ["new_items", "newly_done", "newly_overdue", "reopened", "still_overdue"]
shown = pd.DataFrame({
    "group_name": table["group_name"], **{c: table[c] for c in COUNTS},
    "completion_rate": widgets.as_percent(table["completion_rate"]),
    "completion_rate_change": table["completion_rate_change"].map(labels.rate_change),
    "on_time_rate": widgets.as_percent(table["on_time_rate"]),
    "on_time_rate_change": table["on_time_rate_change"].map(labels.rate_change),
    "rank": table["rank"], "rank_change": table["rank_change"].map(labels.rank_change),
    "board": table["board"].map(lambda b: b or labels.NONE),
    "warning_streak": table["warning_streak"].map(labels.streak),
    "honour_streak": table["honour_streak"].map(labels.streak),
    "escalation": table["escalation"].map(lambda e: e or labels.NONE)})
columns = list(shown.columns)
L = labels.COLUMN_LABELS
st.dataframe(shown, hide_index=True, column_order=columns, key="changes_table", placeholder=labels.NONE,
             column_config={
    "group_name": st.column_config.TextColumn(L["group_name"]),
    **{c: st.column_config.NumberColumn(L[c], format="%d") for c in COUNTS},
    "completion_rate": widgets.percent_column(L["completion_rate"], help="截至本期：已整改 ÷ 交办总数。"),
    "completion_rate_change": st.column_config.TextColumn(L["completion_rate_change"], help="本期减比较的那期，单位是百分点。"),
    "on_time_rate": widgets.percent_column(L["on_time_rate"], help=labels.KPI_HELP["on_time_rate"]),
    "on_time_rate_change": st.column_config.TextColumn(L["on_time_rate_change"], help="本期减比较的那期，单位是百分点。"),
    "rank": st.column_config.NumberColumn(L["rank"], format="%d", help="按整改率排名，并列同名次；交办问题太少的不排名。"),
    "rank_change": st.column_config.TextColumn(L["rank_change"], help="与比较的那期相比。"),
    "board": st.column_config.TextColumn(L["board"]),
    "warning_streak": st.column_config.TextColumn(L["warning_streak"], help="截至本期，连续几期台账上黑榜。"),
    "honour_streak": st.column_config.TextColumn(L["honour_streak"], help="截至本期，连续几期台账上红榜。"),
    "escalation": st.column_config.TextColumn(L["escalation"], help="按连续上黑榜的期数（见“设置”页）。"),
})
