"""设置 (office only): campaign name, phase dates, thresholds and group display order, stored in the
database (``data_pipeline.campaign.settings.save_settings`` validates them). Saved settings take
effect on the next page view (this page reruns at once)."""
import pandas as pd
import streamlit as st

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
        yellow_overdue_share=round(yellow / 100, 6), group_order=list(ordered))
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
