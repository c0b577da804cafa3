"""超期督办: every overdue item, most days overdue first, with group, responsible person,
deadline and days overdue; then the items due soon. Filters by group, category and
minimum days overdue (within the sidebar's filters); the filtered overdue list downloads
as an .xlsx 督办单."""
import streamlit as st

from data_pipeline import campaign
from pages import common, data

v = common.page_view("超期督办")
s = v.settings
group_options = list(v.groups) if v.groups else list(v.status.groups)
category_options = list(v.categories) if v.categories else list(v.status.categories)
c1, c2, c3 = st.columns([3, 3, 2])
common.keep("overdue_groups", group_options)
common.keep("overdue_categories", category_options)
common.keep("overdue_min_days")
groups = c1.multiselect("工作组", group_options, key="overdue_groups", placeholder="全部工作组")
categories = c2.multiselect("问题类别", category_options, key="overdue_categories", placeholder="全部类别",
                            format_func=common.category_label)
min_days = c3.number_input("最少超期天数", min_value=0, max_value=3650, step=1, key="overdue_min_days",
                           help="只列出超期达到这个天数的问题；0 = 全部超期问题。")
for key in ("overdue_groups", "overdue_categories", "overdue_min_days"):
    common.kept(key)

items = data.items(v.db, v.version, v.as_of, tuple(groups) if groups else v.groups,
                   tuple(categories) if categories else v.categories, s.due_soon_days)
overdue = campaign.overdue_list(items, min_days=int(min_days))
due_soon = campaign.due_soon_list(items)

COLUMNS = ["group_name", "assignee", "item_id", "description", "location", "category", "deadline", "days_overdue",
           "status_label"]
st.subheader(f"超期问题（{len(overdue)}项）")
st.caption(f"截至{common.full_day(v.as_of)}尚未整改完成、已过整改时限的问题（长期整改的不算），超期最久的排在最前。")
if overdue.empty:
    st.success("没有符合条件的超期问题。")
else:
    common.item_table(overdue, COLUMNS, key="overdue_table", height=min(600, 38 + 35 * len(overdue)))
    title = f"{s.name}超期问题督办单（截至{common.full_day(v.as_of)}）"
    st.download_button("下载督办单（Excel，即上表所列问题）", common.xlsx_bytes(overdue, COLUMNS, title),
                       icon=":material/download:",
                       file_name=f"超期问题督办单_{v.as_of:%Y%m%d}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key="overdue_download")

st.subheader(f"临期问题（{len(due_soon)}项）")
st.caption(f"尚未整改完成、整改时限在{common.day(v.as_of)}起{s.due_soon_days}天内的问题，最先到期的排在最前。")
if due_soon.empty:
    st.info("没有临期问题。")
else:
    common.item_table(due_soon, ["group_name", "assignee", "item_id", "description", "location", "category",
                                 "deadline", "status_label"], key="due_soon_table")
