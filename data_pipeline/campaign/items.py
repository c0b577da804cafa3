"""Which problems: the overdue and due-soon lists, the item search, how long items have
been overdue, and the breakdowns by category and place. Pure: frames of
``metrics.items_at``/``metrics.breakdown`` in, figures out."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ..labels import OVERDUE_BUCKETS, STATUS_LABELS, UNFILLED


def labelled(items: pd.DataFrame) -> pd.DataFrame:
    """``items`` with ``status_label`` (``labels.STATUS_LABELS``)."""
    return items.assign(status_label=items["status"].map(STATUS_LABELS).fillna(STATUS_LABELS["unknown"]))


SEARCH_COLUMNS = ("item_id", "description", "location", "grid", "category", "assignee", "status_text", "notes")


def search_items(items: pd.DataFrame, text: str = "", statuses=()) -> pd.DataFrame:
    """Rows of ``items`` where any of ``SEARCH_COLUMNS`` contains every word of ``text``
    (words split on white space, case-insensitive) and, when ``statuses`` (status
    labels) are given, whose ``status_label`` is one of them."""
    words = [w.lower() for w in str(text or "").split()]
    found = items
    if words and not items.empty:
        hay = items[list(SEARCH_COLUMNS)].fillna("").astype(str).agg(" ".join, axis=1).str.lower()
        mask = pd.Series(True, index=items.index)
        for w in words:
            mask &= hay.str.contains(w, regex=False)
        found = items[mask]
    if statuses:
        found = found[found["status_label"].isin(list(statuses))]
    return found


def by_urgency(items: pd.DataFrame) -> pd.DataFrame:
    """Most days overdue first, then earliest deadline (items not overdue after them)."""
    return items.sort_values(["days_overdue", "deadline"], ascending=[False, True], na_position="last")


def overdue_list(items: pd.DataFrame, *, min_days: int = 0) -> pd.DataFrame:
    """Overdue items (``is_overdue``) with ``days_overdue >= min_days``, most days
    overdue first (ties: earlier deadline, group, item id), with ``status_label``."""
    df = labelled(items[items["is_overdue"]])
    df = df[df["days_overdue"].astype("int64") >= int(min_days)] if not df.empty else df
    return df.sort_values(["days_overdue", "deadline", "group_name", "item_id"],
                          ascending=[False, True, True, True], na_position="last").reset_index(drop=True)


def due_soon_list(items: pd.DataFrame) -> pd.DataFrame:
    """Items due soon (``is_due_soon``), earliest deadline first, with ``status_label``."""
    df = labelled(items[items["is_due_soon"]])
    return df.sort_values(["deadline", "group_name", "item_id"], na_position="last").reset_index(drop=True)


@dataclass(frozen=True)
class OverdueProfile:
    """How long overdue items have been overdue: ``count``, ``max_days`` and the
    earliest ``oldest_deadline`` among them, and ``buckets`` [(label, count)] by
    ``labels.OVERDUE_BUCKETS`` (days overdue, both ends included)."""

    count: int
    max_days: int | None
    oldest_deadline: dt.date | None
    buckets: list


def overdue_profile(ages: dict) -> OverdueProfile:
    """``OverdueProfile`` from ``metrics.overdue_ages`` (asked with ``OVERDUE_BUCKETS``)."""
    return OverdueProfile(ages["count"], ages["max_days"], ages["oldest_deadline"],
                          [(label, n) for (label, _, _), n in zip(OVERDUE_BUCKETS, ages["buckets"])])


def breakdown(counts: pd.DataFrame, by: str) -> pd.DataFrame:
    """``metrics.breakdown`` with its value column named ``by`` and an empty value shown
    as 未填写: ``by``, ``items``, ``done``, ``not_done``, ``overdue``, ``due_soon``,
    ``completion_rate``; most items first, then name."""
    df = counts.rename(columns={"value": by})
    df[by] = df[by].replace("", UNFILLED)
    return df.sort_values(["items", by], ascending=[False, True]).reset_index(drop=True)


def place_field(has_grid: bool) -> str:
    """The place a group's items are broken down by: ``grid`` when any item has one,
    else ``location``."""
    return "grid" if has_grid else "location"
