"""The pieces pages are drawn with: the KPI card row, item tables with Chinese headers,
rate columns, the validation report, success messages across a rerun, and widgets that
keep their value while the user visits other pages. Every label and format comes from
``data_pipeline.labels``; nothing here computes a number."""
from __future__ import annotations

import re
from functools import partial
from pathlib import Path

import pandas as pd
import streamlit as st

from data_pipeline import labels, validation
from data_pipeline.campaign.settings import Phase
from data_pipeline.campaign.standing import Kpis

BAD_WHEN_UP = {"overdue", "due_soon"}
# Characters that start Markdown, GFM or Streamlit constructs (emphasis, links, images,
# code, tables, headings, lists, HTML, entities, math, :colour[]/:icon: directives,
# autolinks), a "1." that would start a list, and the dot of a "www." autolink.
_AUTOLINK = re.compile(r"(?i)(?:https?|ftp|mailto|www)[:.]|@")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]()#+\-!|<>~$:@&{}^=\"/])|(?<=^\d)(\.)|(?<=^\d\d)(\.)|(?<=[wW]{3})(\.)")


def md(text) -> str:
    """Ledger text (group, sheet and file names, cells above the header, names people
    typed) made inert for Streamlit's Markdown: every ASCII punctuation character is
    backslash-escaped (so ``![x](http://…)`` is no image, ``[x](…)`` no link, ``:red[x]``
    no colour, ``<b>`` no tag, ``$x$`` no formula) and line breaks become spaces (no
    list or heading can start). Use it for every piece of stored text put into
    ``st.markdown``/``caption``/``info``/widget labels."""
    # GFM links bare URLs even with escaped punctuation: an invisible word joiner after
    # "http:" / "www." stops that.
    text = _AUTOLINK.sub(lambda m: m.group(0) + "\u2060", " ".join(str(text).split()))
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), text)
DATE_COLUMNS = ("assigned_on", "deadline", "completed_on", "report_date", "done_on")


def kpi_row(k: Kpis, due_soon_days: int) -> None:
    """The six KPI cards with their change since the previous report (``持平`` when
    none; red when a bad count grows)."""
    cols = st.columns(len(labels.KPI_KEYS))
    for col, key in zip(cols, labels.KPI_KEYS):
        value = k.values[key]
        shown = labels.pct(value) if key.endswith("rate") else labels.count(value)
        text = labels.change(key, k.deltas[key])
        if text is None:
            color, arrow = "normal", "auto"
        elif text == "持平":
            color, arrow = "off", "off"
        else:
            color, arrow = ("inverse" if key in BAD_WHEN_UP else "normal"), "auto"
        col.metric(labels.KPI_LABELS[key], shown, text, delta_color=color, delta_arrow=arrow, border=True,
                   help=labels.KPI_HELP[key].format(n=due_soon_days))


def item_columns(columns: list[str]) -> dict:
    """``st.dataframe`` column configs with Chinese labels and ``3月6日`` dates."""
    cfg = {}
    for c in columns:
        label = labels.COLUMN_LABELS[c]
        if c in DATE_COLUMNS:
            cfg[c] = st.column_config.DateColumn(label, format=labels.DAY_FORMAT_JS)
        elif c == "days_overdue":
            cfg[c] = st.column_config.NumberColumn(label, format="%d天")
        else:
            cfg[c] = st.column_config.TextColumn(label)
    return cfg


def item_table(df: pd.DataFrame, columns: list[str], *, key: str | None = None, height="auto") -> None:
    st.dataframe(df[columns], column_config=item_columns(columns), column_order=columns, hide_index=True,
                 key=key, height=height, placeholder=labels.NONE)


def percent_column(label: str, help: str | None = None):
    """A sortable rate column; the frame holds the rate x 100 (``as_percent``)."""
    return st.column_config.NumberColumn(label, format=labels.PCT_FORMAT_COLUMN, help=help)


def as_percent(rates: pd.Series) -> pd.Series:
    """Rates (0.875) as the numbers a ``percent_column`` shows (87.5)."""
    return pd.to_numeric(rates, errors="coerce") * 100


def validation_report(notes, file_name: str, report_date, counts: dict, *, key: str) -> None:
    """A file's validation report (``data_pipeline.validation``) as a table, with its
    .xlsx download (made when clicked)."""
    if notes:
        st.dataframe(validation.notes_frame(notes), hide_index=True, column_config=validation.COLUMNS,
                     placeholder=labels.NONE)
    else:
        st.caption("没有拒收的行，也没有警告。")
    st.download_button("下载检查结果（.xlsx，可发回填报单位）",
                       partial(validation.report_xlsx, file_name, notes, report_date=report_date, counts=counts),
                       f"{Path(file_name).stem}_导入检查结果.xlsx", key=f"report|{key}",
                       icon=":material/download:")


_FLASH = "_flash"


def flash(text: str) -> None:
    """A success message for the next run (after ``st.rerun``)."""
    st.session_state[_FLASH] = text


def show_flash() -> None:
    text = st.session_state.pop(_FLASH, None)
    if text:
        st.success(text)


def keep(key: str, options: list | None = None) -> None:
    """Let a page's own widget ``key`` keep its value while the user visits other pages
    (Streamlit forgets the state of widgets not drawn in a run). Call before drawing
    the widget, and ``kept(key)`` after it."""
    ss = st.session_state
    if key not in ss and f"_kept_{key}" in ss:
        ss[key] = ss[f"_kept_{key}"]
    if options is not None and key in ss:
        value = ss[key]
        if isinstance(value, list):
            ss[key] = [x for x in value if x in options]
        elif value not in options:
            del ss[key]


def kept(key: str) -> None:
    st.session_state[f"_kept_{key}"] = st.session_state.get(key)


def _as_date(value):
    """A date cell of the phase editor (date, Timestamp or ISO text) as a date, else None."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    try:
        return pd.Timestamp(value).date()
    except (ValueError, TypeError):
        return None


def phase_editor(phases: list[Phase], *, key: str) -> list[Phase]:
    """The campaign phases as an editable table (name, start, end; rows can be added and
    deleted); returns the phases as edited, blank rows dropped, unchecked (the settings'
    ``validate_settings`` says what is wrong)."""
    frame = pd.DataFrame({"name": pd.Series([p.name for p in phases], dtype="object"),
                          "start": pd.Series([p.start for p in phases], dtype="object"),
                          "end": pd.Series([p.end for p in phases], dtype="object")})
    edited = st.data_editor(frame, num_rows="dynamic", hide_index=True, key=key, column_config={
        "name": st.column_config.TextColumn("阶段名称", required=True),
        "start": st.column_config.DateColumn("开始日期", format=labels.FULL_DAY_FORMAT_JS, required=True),
        "end": st.column_config.DateColumn("结束日期", format=labels.FULL_DAY_FORMAT_JS, required=True),
    })
    return [Phase(str(r["name"]).strip() if isinstance(r["name"], str) else "", _as_date(r["start"]),
                  _as_date(r["end"])) for _, r in edited.dropna(how="all").iterrows()]
