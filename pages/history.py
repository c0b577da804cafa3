"""上传记录 (office only): every stored batch, newest report first; for one batch its
original file (download), its validation report (table and .xlsx) and its removal.

Downloads are made when clicked (``st.download_button`` with a callable): an original
file exists outside the database only from the office's click until Streamlit drops
the download at the office's next runs, under an unguessable URL handed to that session
alone; the page itself is served only to the office (app.py). Removing a batch (after a confirmation) deletes its rows and item states in one
transaction; every page then shows exactly what it showed before the batch came in.
"""

import streamlit as st

from data_pipeline import labels, validation
from dashboard import access, data, view, widgets


def remove(batch_id: int, file_name: str) -> None:
    """Remove the batch (a button callback: runs before the page is drawn again)."""
    removed = data.remove_batches(v.db, [batch_id], access.actor())
    widgets.flash(f"已删除批次#{batch_id}（{widgets.md(file_name)}）。" if removed else f"批次#{batch_id}已不存在。")
    st.session_state["batch_pick"] = None


v = view.page_view("上传记录", allow_empty=True)
widgets.show_flash()
view.offer_sample_removal(v)

batches = data.batches(v.db, v.version)
if batches.empty:
    st.caption("还没有导入任何批次。")
    st.stop()

st.dataframe(batches, hide_index=True, key="batch_table", placeholder="—", column_order=[
    "batch_id", "file_name", "report_date", "items", "skipped", "rejected", "warnings", "uploaded_by", "uploaded_role",
    "ingested_at", "report_date_source"], column_config={
    "batch_id": st.column_config.NumberColumn("批次", format="#%d"),
    "file_name": "文件名",
    "report_date": st.column_config.DateColumn("截至日期", format="YYYY-MM-DD"),
    "items": "问题", "skipped": "跳过", "rejected": "拒收", "warnings": "警告",
    "uploaded_by": "上传人", "uploaded_role": "身份",
    "ingested_at": st.column_config.DatetimeColumn("上传时间", format="YYYY-MM-DD HH:mm"),
    "report_date_source": "截至日期来源"})

choices = {int(r.batch_id): f"#{r.batch_id} {r.file_name}（截至{labels.iso_day(r.report_date)}，问题{r.items}条）"
          for r in batches.itertuples()}
chosen = st.selectbox("查看或删除一个批次", list(choices), format_func=choices.get, index=None, key="batch_pick",
                      placeholder="选择批次……")
if chosen is None:
    st.stop()
row = batches.set_index("batch_id").loc[chosen]
with st.container(border=True):
    st.markdown(f"**批次#{chosen}：{widgets.md(row.file_name)}**")
    used = "、".join(map(widgets.md, row.sheets_used)) or "无"
    skipped = "、".join(map(widgets.md, row.sheets_skipped))
    st.caption(f"截至{labels.iso_day(row.report_date)}（{widgets.md(row.report_date_source)}）｜ 使用的工作表：{used}"
               + (f" ｜ 跳过的工作表：{skipped}" if skipped else ""))
    st.download_button("下载原始文件", lambda: data.batch_file(v.db, chosen)[1], row.file_name,
                       key=f"original|{chosen}", icon=":material/download:")
    notes = validation.stored_notes(data.batch_notes(v.db, v.version, chosen))
    with st.expander(f"检查结果（{len(notes)}条）"):
        widgets.validation_report(notes, row.file_name, row.report_date,
                                 {k: int(row[k]) for k in ("items", "skipped", "rejected", "warnings")}, key=str(chosen))

    sure = st.checkbox(f"确认删除批次#{chosen}（删除后各页面恢复到导入它之前的样子；原始文件也一并删除）",
                       key=f"confirm_remove|{chosen}")
    st.button("删除此批次", disabled=not sure, key=f"remove|{chosen}", icon=":material/delete:",
              on_click=remove, args=(chosen, row.file_name))
