"""设置 (office only): campaign name, phase dates, thresholds, the 红榜/黑榜 rule and the escalation
of groups on the 黑榜, the forecast's colour lines and group display order, stored in the
database (``data_pipeline.campaign.settings.save_settings`` validates them). Saved settings take
effect on the next page view (this page reruns at once)."""
import pandas as pd
import streamlit as st

from data_pipeline import labels
from data_pipeline.campaign import settings as campaign
from data_pipeline.errors import DatabaseBusy
from dashboard import access, data, view, widgets

v = view.page_view("设置", allow_empty=True)
s = v.settings
HELP = campaign.setting_help()


def label(key: str) -> str:
    return HELP[key][0]


def tip(key: str) -> str:
    return HELP[key][1]


def whole(value):
    """A count typed into a table cell: an int when it is a whole number (else as typed,
    for ``validate_settings`` to name)."""
    if value is None or pd.isna(value):
        return None
    return int(value) if float(value).is_integer() else value


flash = st.session_state.pop("_settings_saved", None)
if flash:
    st.success(flash)

with st.form("settings_form"):
    name = st.text_input(label("name"), value=s.name, help=tip("name"), key="set_name")

    st.markdown(f"**{label('phases')}**")
    st.caption(tip("phases") + " 可在表格末行添加阶段，选中行后可删除。")
    new_phases = widgets.phase_editor(s.phases, key="set_phases")

    st.markdown("**红黑榜与亮牌**")
    c1, c2, c3, c4 = st.columns(4)
    honour = c1.number_input(label("honour_rate") + "（%）", 0.0, 100.0, round(s.honour_rate * 100, 2), 0.5,
                             format="%.1f", help=tip("honour_rate"), key="set_honour")
    warning = c2.number_input(label("warning_rate") + "（%）", 0.0, 100.0, round(s.warning_rate * 100, 2), 0.5,
                              format="%.1f", help=tip("warning_rate"), key="set_warning")
    red = c3.number_input(label("red_overdue_share") + "（%）", 0.0, 100.0, round(s.red_overdue_share * 100, 2), 1.0,
                          format="%.1f", help=tip("red_overdue_share"), key="set_red")
    yellow = c4.number_input(label("yellow_overdue_share") + "（%）", 0.0, 100.0,
                             round(s.yellow_overdue_share * 100, 2), 1.0, format="%.1f",
                             help=tip("yellow_overdue_share"), key="set_yellow")
    c5, c6, _, _ = st.columns(4)
    due_soon = c5.number_input(label("due_soon_days") + "（天）", 0, 365, int(s.due_soon_days), 1,
                               help=tip("due_soon_days"), key="set_due_soon")
    min_items = c6.number_input(label("min_items_to_rank") + "（项）", 0, 100000, int(s.min_items_to_rank), 1,
                                help=tip("min_items_to_rank"), key="set_min_items")

    st.markdown("**红黑榜规则与督办措施**")
    r1, r2, r3 = st.columns(3)
    rule = r1.selectbox(label("badge_rule"), list(campaign.BADGE_RULES), index=list(campaign.BADGE_RULES).index(
        s.badge_rule) if s.badge_rule in campaign.BADGE_RULES else 0, format_func=labels.BADGE_RULES.get,
        help=tip("badge_rule"), key="set_badge_rule")
    top_n = r2.number_input(label("badge_top_n") + "（个）", 0, 1000, int(s.badge_top_n), 1, help=tip("badge_top_n"),
                            key="set_top_n")
    bottom_n = r3.number_input(label("badge_bottom_n") + "（个）", 0, 1000, int(s.badge_bottom_n), 1,
                               help=tip("badge_bottom_n"), key="set_bottom_n")
    st.caption(tip("escalation") + " 可在表格末行添加一级，选中行后可删除。")
    steps = st.data_editor(
        pd.DataFrame({"reports": pd.Series([e.reports for e in s.escalation], dtype="Int64"),
                      "action": pd.Series([e.action for e in s.escalation], dtype="object")}),
        num_rows="dynamic", hide_index=True, key="set_escalation", column_config={
            "reports": st.column_config.NumberColumn("连续上黑榜期数", min_value=1, step=1, required=True),
            "action": st.column_config.TextColumn("督办措施", required=True)})

    st.markdown("**进度预测**")
    f1, f2, _, _ = st.columns(4)
    green = f1.number_input(label("forecast_green") + "（%）", 0.0, 100.0, round(s.forecast_green * 100, 2), 5.0,
                            format="%.1f", help=tip("forecast_green"), key="set_forecast_green")
    yellow_p = f2.number_input(label("forecast_yellow") + "（%）", 0.0, 100.0, round(s.forecast_yellow * 100, 2), 5.0,
                               format="%.1f", help=tip("forecast_yellow"), key="set_forecast_yellow")

    st.markdown(f"**{label('group_order')}**")
    st.caption(tip("group_order") + " 修改“顺序”一列的数字即可调整。")
    groups = list(dict.fromkeys([*s.group_order, *v.status.groups]))
    order = st.data_editor(pd.DataFrame({"group": groups, "position": list(range(1, len(groups) + 1))}),
                           hide_index=True, key="set_groups", disabled=["group"], column_config={
                               "group": st.column_config.TextColumn("工作组"),
                               "position": st.column_config.NumberColumn("顺序", min_value=1, step=1, required=True)})
    submitted = st.form_submit_button("保存设置", type="primary")

if submitted:
    ordered = order.assign(_i=range(len(order))).sort_values(["position", "_i"], na_position="last")["group"]
    new = campaign.CampaignSettings(
        name=name, phases=new_phases, honour_rate=round(honour / 100, 6), warning_rate=round(warning / 100, 6),
        due_soon_days=int(due_soon), min_items_to_rank=int(min_items), red_overdue_share=round(red / 100, 6),
        yellow_overdue_share=round(yellow / 100, 6), group_order=list(ordered), badge_rule=rule,
        badge_top_n=int(top_n), badge_bottom_n=int(bottom_n),
        escalation=[campaign.Escalation(whole(r["reports"]), r["action"] if isinstance(r["action"], str) else "")
                    for _, r in steps.dropna(how="all").iterrows()],
        forecast_green=round(green / 100, 6), forecast_yellow=round(yellow_p / 100, 6))
    try:
        errors = data.save_settings(v.db, new, access.actor())
    except DatabaseBusy as exc:
        errors = [str(exc)]
    if errors:
        st.error("**设置未保存：**\n" + "\n".join(f"- {widgets.md(e)}" for e in errors))
    else:
        st.session_state["_settings_saved"] = "设置已保存，各页面已按新设置显示。"
        st.rerun()

with st.expander("各项设置的说明"):
    st.markdown("\n".join(f"- **{lab}**：{text}" for lab, text in HELP.values()))
