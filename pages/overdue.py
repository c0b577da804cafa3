"""超期督办: every overdue item, most days overdue first, with group, responsible person,
deadline and days overdue; then the items due soon (``figures.overdue``). Filters by
group, category and minimum days overdue (within the sidebar's filters); the filtered
overdue list downloads as an .xlsx 督办单 (``exports.overdue_xlsx``), built only when the
button is clicked (deferred data), from the very list the page shows."""
from functools import partial

import streamlit as st

from dashboard import data, view, widgets
from data_pipeline import exports, labels
from data_pipeline.metrics import Filters

v = view.page_view("超期督办")
s = v.settings
group_options = list(v.groups) if v.groups else list(v.status.groups)
category_options = list(v.categories) if v.categories else list(v.status.categories)
c1, c2, c3 = st.columns([3, 3, 2])
widgets.keep("overdue_groups", group_options)
widgets.keep("overdue_categories", category_options)
widgets.keep("overdue_min_days")
groups = c1.multiselect("工作组", group_options, key="overdue_groups", placeholder="全部工作组")
categories = c2.multiselect("问题类别", category_options, key="overdue_categories", placeholder="全部类别",
                            format_func=labels.category_label)
min_days = c3.number_input("最少超期天数", min_value=0, max_value=3650, step=1, key="overdue_min_days",
                           help="只列出超期达到这个天数的问题；0 = 全部超期问题。")
for key in ("overdue_groups", "overdue_categories", "overdue_min_days"):
    widgets.kept(key)

filters = Filters(tuple(groups) if groups else v.groups, tuple(categories) if categories else v.categories)
fig = data.overdue(v.db, v.version, v.as_of, s, filters, int(min_days))

st.subheader(f"超期问题（{labels.count(len(fig.overdue))}项）")
st.caption(f"截至{labels.full_day(v.as_of)}尚未整改完成、已过整改时限的问题（长期整改的不算），超期最久的排在最前。")
if fig.overdue.empty:
    st.success("没有符合条件的超期问题。")
else:
    widgets.item_table(fig.overdue, exports.OVERDUE_COLUMNS, key="overdue_table",
                       height=min(600, 38 + 35 * len(fig.overdue)))
    title = f"{s.name}超期问题督办单（截至{labels.full_day(v.as_of)}）"
    # Deferred: Streamlit calls the builder only when the button is clicked, on the list
    # shown above; a click needs no rerun.
    st.download_button("下载督办单（Excel，即上表所列问题）", partial(exports.overdue_xlsx, fig.overdue, title),
                       icon=":material/download:", on_click="ignore",
                       file_name=f"超期问题督办单_{labels.stamp(v.as_of)}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key="overdue_download")

st.subheader(f"临期问题（{labels.count(len(fig.due_soon))}项）")
st.caption(f"尚未整改完成、整改时限在{labels.day(v.as_of)}起{s.due_soon_days}天内的问题，最先到期的排在最前。")
if fig.due_soon.empty:
    st.info("没有临期问题。")
else:
    widgets.item_table(fig.due_soon, ["group_name", "assignee", "item_id", "description", "location", "category",
                                      "deadline", "status_label"], key="due_soon_table")
