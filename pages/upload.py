"""数据上传 (office only): the week's ledgers in through the browser.

For each file chosen, before anything is stored: a file over the size limit
(``server.maxUploadSize`` in .streamlit/config.toml, checked here again by the size the
uploader reports, before its bytes are read) or one the pipeline refuses gets its
Chinese message; a file already stored
says which batch holds it; any other file is read (``data_pipeline.parse_file``, with
the remembered column mappings) and previewed: report date and where it was found,
counts, the column mapping (each header can be mapped to another field or to 不导入),
the sheets used and skipped, the first rows as they will be stored, and the
validation report (downloadable .xlsx), which stored batch of the same date it
supersedes (and for how many items), and which fields the file has no column for (the
items keep their last values). A changed report date or mapping reads the file again.
确认导入 stores it in one transaction and remembers the mapping choices for later files
with the same headers. Each file is independent of the others. The files and their
previews are held only while the office stays on this page (``dashboard.sessions``
frees them when it leaves, logs out or the session ends).

While the sample is loaded, the page asks for the campaign's name and phases (prefilled,
editable); the first file committed removes the sample and saves them in its own
transaction (``ingest.store_parsed``), so leaders never see sample and real data mixed
or a campaign without phases.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field, replace

import duckdb
import pandas as pd
import streamlit as st

import data_pipeline as dp
from data_pipeline import labels, preview
from data_pipeline.campaign.settings import CampaignSettings, validate_settings
from data_pipeline.sample import sample_settings
from data_pipeline.errors import LedgerError, ReportDateMissing
from data_pipeline.read import check_size
from data_pipeline.constants import COLUMN_ALIASES, UPLOAD_SUFFIXES
from data_pipeline.template import TEMPLATE_NAME, template_bytes
from data_pipeline.labels import COLUMN_LABELS, STATUS_LABELS, field_label
from data_pipeline.values import fold
from dashboard import access, data, sessions, view, widgets

PREVIEW_ROWS = 10
FIELD_OPTIONS = [None, *COLUMN_ALIASES]          # None: 不导入
MAPPING_COLUMNS_PER_ROW = 4
PREVIEW_COLUMNS = ["sheet", "row_no", "group_name", "item_id", "description", "location", "grid", "category",
                   "assignee", "assigned_on", "deadline", "deadline_text", "status", "status_text", "completed_on",
                   "notes"]


@dataclass
class Upload:
    """One file in the uploader and what has become of it."""

    name: str
    data: bytes | None
    report_date: dt.date | None = None            # chosen on this page
    choices: dict = field(default_factory=dict)   # header text -> field, chosen on this page
    parsed: dp.ParsedFile | None = None
    parsed_with: tuple | None = None              # the inputs of ``parsed``
    error: str | None = None
    date_missing: bool = False
    stored_as: tuple | None = None                # (batch_id, file_name, report_date) with the same bytes
    supersedes: pd.DataFrame | None = None        # preview.superseded, read with ``parsed``
    kept: list = field(default_factory=list)      # preview.kept_fields, read with ``parsed``
    result: dp.IngestResult | None = None         # once committed
    commit_error: str | None = None

    @property
    def ready(self) -> bool:
        return self.parsed is not None and self.result is None


def overrides_for(u: Upload, remembered: dict) -> dict:
    return {**remembered, **{fold(h): f for h, f in u.choices.items()}}


def read_file(u: Upload, overrides: dict, key: tuple) -> None:
    """Parse ``u`` (``parse_file``); a refusal becomes ``u.error``, never a traceback."""
    u.parsed, u.parsed_with, u.error, u.date_missing, u.supersedes = None, key, None, False, None
    try:
        u.parsed = dp.parse_file(u.data, u.name, report_date=u.report_date, overrides=overrides)
        u.supersedes, u.kept = data.against_stored(data.db_path(), u.parsed)
    except ReportDateMissing as exc:
        u.error, u.date_missing = str(exc), True
    except LedgerError as exc:
        u.error = str(exc)
    except Exception as exc:  # a reader bug must not show a traceback to the office (the log has it)
        logging.getLogger(__name__).exception("reading %s failed", u.name)
        u.error = (f"文件“{u.name}”：读取时出现意外错误，未导入。"
                   "请用Excel或WPS打开后另存为.xlsx再上传；仍不行请把文件发给技术人员。")


def prepare(files, uploads: dict, db: str, remembered: dict, limit: int) -> None:
    """Bring ``uploads`` in line with the uploader: new files are checked and read,
    files whose report date or mapping changed are read again, removed ones dropped."""
    current = {f.file_id: f for f in files}
    for fid in [k for k in uploads if k not in current]:
        del uploads[fid]
    for fid, f in current.items():
        if fid not in uploads:
            u = uploads[fid] = Upload(f.name, None)
            try:
                check_size(f.size, limit)
            except LedgerError as exc:
                u.error = str(exc.located(file=f.name))
                continue
            u.data = f.getvalue()
            u.stored_as = data.stored_batch(db, u.data)
    todo = []
    for fid, u in uploads.items():
        if u.data is None or u.stored_as or u.result:
            continue
        overrides = overrides_for(u, remembered)
        key = (u.report_date, tuple(sorted(overrides.items(), key=lambda kv: kv[0])))
        if key != u.parsed_with:
            todo.append((u, overrides, key))
    if not todo:
        return
    bar = st.progress(0.0)
    for i, (u, overrides, key) in enumerate(todo):
        bar.progress(i / len(todo), text=f"正在识别第{i + 1}/{len(todo)}个文件：{widgets.md(u.name)}")
        read_file(u, overrides, key)
    bar.empty()


def commit(u: Upload, db: str, settings: CampaignSettings | None) -> None:
    """Store ``u``; ``settings``: the campaign settings to save with it (the first real
    file, while the sample is loaded)."""
    with st.spinner(f"正在导入“{widgets.md(u.name)}”……"):
        try:
            u.result = data.commit(db, u.parsed, access.actor(), u.choices, settings)
            u.parsed, u.commit_error = None, None
        except (LedgerError, duckdb.Error) as exc:
            # Nothing was stored (one transaction); storing may have released some of the
            # parsed cells, so the file is read again.
            u.commit_error = str(exc) if isinstance(exc, LedgerError) else \
                f"文件“{u.name}”未导入：保存时数据库出错（{exc}），数据库保持导入前的状态，请稍后重试。"
            u.parsed, u.parsed_with = None, None


# ---------------------------------------------------------------- rendering


def show_mapping(fid: str, u: Upload) -> None:
    columns = preview.column_table(u.parsed)
    headers = columns.assign(key=columns["header"].map(fold)).groupby("key", sort=False).agg(
        header=("header", "first"), letters=("column", lambda s: "、".join(dict.fromkeys(s))),
        sheets=("sheet", "nunique"), field=("field", "first"))
    st.caption("左边是台账里的列名，下拉框是系统对应到的字段；认错了就改，选“（不导入）”则忽略该列。"
               "改动在导入时记住，以后同样列名的文件会自动照此对应。")
    conflicts = []
    rows = list(headers.itertuples())
    for start in range(0, len(rows), MAPPING_COLUMNS_PER_ROW):
        cols = st.columns(MAPPING_COLUMNS_PER_ROW)
        for col, r in zip(cols, rows[start:start + MAPPING_COLUMNS_PER_ROW]):
            detected = None if pd.isna(r.field) else r.field
            chosen = u.choices.get(r.header, detected)
            where = f"{r.letters}列" + (f"（{r.sheets}个工作表）" if r.sheets > 1 else "")
            key = f"map|{fid}|{r.Index}"
            col.selectbox(f"{where}：{widgets.md(r.header)}", FIELD_OPTIONS, index=FIELD_OPTIONS.index(chosen),
                          format_func=field_label, key=key, on_change=choose, args=(u, r.header, key))
            if chosen and chosen != detected:
                conflicts.append(f"“{widgets.md(r.header)}”选了“{field_label(chosen)}”，但该字段已由前面的列占用"
                                 "（同一字段只取第一列），请先把那一列改为（不导入）。")
    for text in conflicts:
        st.warning(text)
    fields = set(headers["field"].dropna())
    st.caption("未对应的列（不导入）：" + ("、".join(widgets.md(h) for h, f in zip(headers["header"], headers["field"])
                                           if pd.isna(f)) or "无") + "。")
    if "description" not in fields and "item_id" not in fields:
        st.warning("没有一列对应到“问题描述”或“问题编号”，问题无法识别。")


def choose(u: Upload, header: str, key: str) -> None:
    u.choices[header] = st.session_state[key]


def set_date(u: Upload, key: str) -> None:
    u.report_date = st.session_state[key]


def show_preview(fid: str, u: Upload) -> None:
    p = u.parsed
    c1, c2 = st.columns([1, 3])
    key = f"date|{fid}"
    c1.date_input("截至日期", value=p.report_date, key=key, on_change=set_date, args=(u, key),
                  format="YYYY-MM-DD", help="这批台账反映的是哪一天的情况。识别错了可在此改正。")
    c2.caption(f"截至日期来源：{p.report_date_source}")
    m = st.columns(4)
    m[0].metric("问题", labels.count(p.items), border=True)
    m[1].metric("跳过的行", labels.count(p.skipped), border=True,
                help="合计、注释、落款、重复表头等非问题行，不计入统计。")
    m[2].metric("拒收的行", labels.count(p.rejected), border=True, help="无法作为问题导入的行，见“检查结果”。")
    m[3].metric("警告", labels.count(p.warnings), border=True, help="已导入但需要核对的情况，见“检查结果”。")

    for r in (u.supersedes.itertuples() if u.supersedes is not None else ()):
        st.info(f"同一截至日期已导入批次#{r.batch_id}（“{widgets.md(r.file_name)}”），其中{labels.count(r.items)}条问题也在本文件中："
                "导入后这些问题以本文件为准。", icon=":material/swap_horiz:")
    if u.kept:
        st.caption("本文件没有" + "、".join(f"“{field_label(f)}”" for f in u.kept) +
                   "列：这些问题沿用此前台账中的内容。")
    notes = p.notes
    t_map, t_sheets, t_rows, t_notes = st.tabs(
        ["列对应", "工作表", f"前{PREVIEW_ROWS}行（导入后的样子）", f"检查结果（{len(notes)}条）"])
    with t_map:
        show_mapping(fid, u)
    with t_sheets:
        sheets = preview.sheet_table(p)
        sheets["used"] = sheets["used"].map({True: "使用", False: "跳过（无台账表头）"})
        st.dataframe(sheets, hide_index=True, placeholder=labels.NONE, column_config={
            "sheet": "工作表", "used": "处理", "header_rows": "表头所在行", "groups": "工作组",
            "items": "问题", "skipped": "跳过", "rejected": "拒收", "warnings": "警告"})
    with t_rows:
        rows = preview.first_rows(p, PREVIEW_ROWS)
        rows["status"] = rows["status"].map(STATUS_LABELS)
        shown = [c for c in PREVIEW_COLUMNS if rows[c].notna().any()]
        st.dataframe(rows[shown], hide_index=True, placeholder="—", column_config={
            c: (st.column_config.DateColumn(COLUMN_LABELS[c], format="YYYY-MM-DD")
                if c in ("assigned_on", "deadline", "completed_on") else COLUMN_LABELS[c]) for c in shown})
    with t_notes:
        widgets.validation_report(notes, u.name, p.report_date, {"items": p.items, "skipped": p.skipped,
                                                                "rejected": p.rejected, "warnings": p.warnings},
                                 key=fid)


def first_real_settings(v: view.View) -> CampaignSettings | None:
    """While the sample is loaded: the campaign name and phases for the first real file,
    asked here (prefilled with the stored settings, the sample's name replaced by the
    default), returned with the other stored settings; None when the sample is gone."""
    if not (v.status.sample_only or v.status.sample_mixed):
        return None
    s = v.settings
    with st.container(border=True):
        st.markdown("**首次导入真实台账**")
        st.caption("确认导入第一份真实台账时，示例数据会在同一步中删除，看板从此只统计真实台账。"
                   "请先填写本活动的名称和各阶段起止日期（之后可在“设置”页修改）。")
        default_name = CampaignSettings().name if s.name == sample_settings().get("name") else s.name
        name = st.text_input("看板名称", value=default_name, key="first_name")
        phases = widgets.phase_editor(s.phases, key="first_phases")
    chosen = replace(s, name=name.strip(), phases=phases)
    for error in validate_settings(chosen):
        st.error(f"活动设置：{widgets.md(error)}", icon=":material/error:")
    return chosen


def show_upload(fid: str, u: Upload, settings: CampaignSettings | None) -> None:
    with st.container(border=True):
        st.markdown(f"**{widgets.md(u.name)}**")
        if u.result is not None:
            if u.result.duplicate:
                st.info(widgets.md(u.result.line()), icon=":material/content_copy:")
            else:
                st.success(widgets.md(u.result.line()), icon=":material/check_circle:")
            return
        if u.stored_as:
            batch_id, name, date = u.stored_as
            st.info(f"该文件与已导入的批次#{batch_id}（“{widgets.md(name)}”，截至{labels.iso_day(date)}）内容完全相同，无需重复导入。",
                    icon=":material/content_copy:")
            return
        if u.error:
            st.error(widgets.md(u.error), icon=":material/error:")
            if u.date_missing:
                key = f"date|{fid}"
                st.date_input("请指定截至日期后重新识别", value=None, key=key, on_change=set_date, args=(u, key),
                              format="YYYY-MM-DD")
            return
        show_preview(fid, u)
        if settings is not None:
            st.warning("确认导入后，示例数据将同时删除。", icon=":material/delete:")
        if u.commit_error:
            st.error(widgets.md(u.commit_error))
        blocked = settings is not None and bool(validate_settings(settings))
        if st.button("确认导入", key=f"commit|{fid}", type="primary", icon=":material/upload:", disabled=blocked):
            commit(u, data.db_path(), settings)
            st.rerun()


v = view.page_view("数据上传", allow_empty=True)
widgets.show_flash()
view.offer_sample_removal(v)
if not v.status.empty and not v.status.sample_only and not v.settings.phases:
    st.info("本活动的名称和阶段时间（准备/实施/评估）还没有设置，看板暂时无法显示当前阶段和剩余天数。"
            "请到“设置”页填写。", icon=":material/settings:")

with st.expander("使用说明、标准模板与已记住的列对应"):
    st.markdown(
        "1. 选择本周各工作组报来的台账（可一次选多个；支持 .xlsx/.xlsm/.xls/.xlsb/.ods/.csv）。\n"
        "2. 逐个核对系统识别的结果：截至日期、问题数、列对应、前几行；有拒收或警告的，可下载检查结果发回填报单位。\n"
        "3. 点“确认导入”。导入后各页面的数字立即更新；导错了可在“上传记录”页删除该批次。")
    st.download_button(f"下载{TEMPLATE_NAME}", template_bytes, TEMPLATE_NAME, icon=":material/download:",
                       on_click="ignore",
                       help="给需要的工作组：列名规范、整改状态有下拉选项，导入时无需任何调整。")
    known = data.remembered_listing(v.db, v.version)
    if known.empty:
        st.caption("还没有记住的列对应。")
    else:
        st.dataframe(known.assign(field=known["field"].map(field_label)).drop(columns="header_key"),
                     hide_index=True, placeholder=labels.NONE, column_config={
                         "header": "台账列名", "field": "对应字段",
                         "saved_at": st.column_config.DatetimeColumn("记住时间", format="YYYY-MM-DD HH:mm"),
                         "saved_by": "操作人"})
        c1, c2 = st.columns([3, 1])
        forget = c1.selectbox("取消一条记住的对应（恢复系统默认识别）", known["header_key"], index=None,
                              format_func=dict(zip(known["header_key"], known["header"])).get, key="forget_key")
        if c2.button("取消记住", disabled=forget is None, key="forget"):
            data.forget_mapping(v.db, forget, access.actor())
            st.rerun()

limit_mb = st.get_option("server.maxUploadSize")
files = st.file_uploader(f"选择台账文件（可多选，单个不超过{limit_mb}MB）", type=list(UPLOAD_SUFFIXES), accept_multiple_files=True,
                         key=sessions.UPLOADER_KEY, help="离开本页后，尚未确认导入的文件不再保留，需要时重新选择。")
uploads: dict = st.session_state.setdefault(sessions.UPLOADS_KEY, {})
prepare(files or [], uploads, v.db, data.remembered(v.db, v.version), limit_mb * 1024 * 1024)

ready = [u for u in uploads.values() if u.ready]
first = first_real_settings(v) if ready else None
if len(ready) > 1 and st.button(f"全部导入（{len(ready)}个文件）", type="primary", key="commit_all",
                                icon=":material/upload:"):
    settings = first
    for u in ready:
        commit(u, v.db, settings)
        if u.result is not None:
            settings = None          # the sample is gone, the settings saved
        elif settings is not None:
            break                    # the sample is still there: nothing else goes in without the settings
    st.rerun()
for fid, u in uploads.items():
    show_upload(fid, u, first)
