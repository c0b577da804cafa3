"""操作日志 (office only): the audit log, newest first (``data_pipeline.audit``): every
upload, removal, settings change and remembered column mapping, with role and name."""
import streamlit as st

from dashboard import data, view

v = view.page_view("操作日志", allow_empty=True)
log = data.audit_entries(v.db, v.version)
if log.empty:
    st.caption("还没有任何操作记录。")
    st.stop()
actions = sorted(log["action"].unique())
picked = st.multiselect("操作类型", actions, key="audit_actions", placeholder="全部操作")
shown = log[log["action"].isin(picked)] if picked else log
st.caption(f"共{len(shown)}条记录。")
st.dataframe(shown, hide_index=True, key="audit_table", placeholder="—", column_config={
    "logged_at": st.column_config.DatetimeColumn("时间", format="YYYY-MM-DD HH:mm:ss"),
    "role": "身份", "actor": "操作人", "action": "操作",
    "batch_id": st.column_config.NumberColumn("批次", format="#%d"),
    "detail": st.column_config.TextColumn("内容", width="large")})
