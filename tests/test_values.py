"""Case tables pinning each cleaning rule of data_pipeline.values."""
from __future__ import annotations

import datetime as dt

import pytest

from data_pipeline.values import (DateError, cell_text, classify_status, clean_group, clean_id, fold,
                                  parse_date, parse_deadline)

D = dt.date
REPORT = D(2026, 3, 6)

TEST_CASES_DATE = [
    (dt.datetime(2026, 3, 5, 14, 30), D(2026, 3, 5)),
    (D(2026, 3, 5), D(2026, 3, 5)),
    (46086.0, D(2026, 3, 5)),            # Excel serial number
    (46086, D(2026, 3, 5)),
    ("46086", D(2026, 3, 5)),
    ("20260305", D(2026, 3, 5)),
    ("2026-03-05", D(2026, 3, 5)),
    ("2026/3/5", D(2026, 3, 5)),
    ("2026.3.5", D(2026, 3, 5)),
    ("2026年3月5日", D(2026, 3, 5)),
    ("2026年3月5号", D(2026, 3, 5)),
    ("２０２６年３月５日", D(2026, 3, 5)),  # full-width digits
    ("2026-3-5 10:00", D(2026, 3, 5)),
    (" 2026/3/5 ", D(2026, 3, 5)),
    ("3月5日", D(2026, 3, 5)),           # year from the report date
    ("3/5", D(2026, 3, 5)),
    ("12月28日", D(2025, 12, 28)),        # nearest to 2026-03-06 is last December
    ("2026年3月5日前", D(2026, 3, 5)),
    ("3月底", D(2026, 3, 31)),
    ("2月末", D(2026, 2, 28)),
    ("3月上旬", D(2026, 3, 10)),
    ("3月中旬", D(2026, 3, 20)),
    ("3月下旬", D(2026, 3, 31)),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize("value, expected", TEST_CASES_DATE)
def test_parse_date(value, expected):
    assert parse_date(value, REPORT) == expected


@pytest.mark.parametrize("value", ["下周", "尽快", "2026-13-01", "2月30日", "abc", 12.0, True, "2026年"])
def test_parse_date_rejects(value):
    with pytest.raises(DateError):
        parse_date(value, REPORT)


ASSIGNED = D(2026, 3, 1)
TEST_CASES_DEADLINE = [
    # value, assigned, (date, long_term, needs_assigned)
    ("立行立改", ASSIGNED, (D(2026, 3, 1), False, False)),
    ("即知即改", ASSIGNED, (D(2026, 3, 1), False, False)),
    ("7天", ASSIGNED, (D(2026, 3, 8), False, False)),
    ("15日内", ASSIGNED, (D(2026, 3, 16), False, False)),
    ("3个工作日", ASSIGNED, (D(2026, 3, 4), False, False)),
    ("十天", ASSIGNED, (D(2026, 3, 11), False, False)),
    ("十五日内", ASSIGNED, (D(2026, 3, 16), False, False)),
    ("9月底前", ASSIGNED, (D(2026, 9, 30), False, False)),
    ("9月底", ASSIGNED, (D(2026, 9, 30), False, False)),
    ("2026年4月底前", ASSIGNED, (D(2026, 4, 30), False, False)),
    ("长期", ASSIGNED, (None, True, False)),
    ("长期坚持", ASSIGNED, (None, True, False)),
    ("持续整改", None, (None, True, False)),
    ("常态化", None, (None, True, False)),
    ("2026/3/20", None, (D(2026, 3, 20), False, False)),
    (D(2026, 3, 20), None, (D(2026, 3, 20), False, False)),
    ("立行立改", None, (None, False, True)),
    ("7天", None, (None, False, True)),
    ("", ASSIGNED, (None, False, False)),
]


@pytest.mark.parametrize("value, assigned, expected", TEST_CASES_DEADLINE)
def test_parse_deadline(value, assigned, expected):
    d = parse_deadline(value, assigned, REPORT)
    assert (d.date, d.long_term, d.needs_assigned) == expected


@pytest.mark.parametrize("value", ["下周", "尽快完成", "年底前后"])
def test_parse_deadline_rejects(value):
    with pytest.raises(DateError):
        parse_deadline(value, ASSIGNED, REPORT)


TEST_CASES_STATUS = [
    ("已整改", "done"), ("已完成", "done"), ("完成", "done"), ("整改完成", "done"), ("已销号", "done"),
    ("销号", "done"), ("已办结", "done"), ("办结", "done"), ("已整改，已清理完毕", "done"), ("超期完成", "done"),
    ("是", "done"), ("√", "done"), (" 已 整 改 ", "done"),
    ("整改中", "in_progress"), ("正在整改", "in_progress"), ("推进中", "in_progress"),
    ("整改中（协调施工队）", "in_progress"), ("已完成80%", "in_progress"), ("基本完成", "in_progress"),
    ("部分完成", "in_progress"), ("待验收", "in_progress"),
    ("未整改", "not_started"), ("尚未整改", "not_started"), ("未完成", "not_started"), ("未开始", "not_started"),
    ("待整改", "not_started"), ("未整改（待协调）", "not_started"), ("逾期未完成", "not_started"), ("否", "not_started"),
    ("长期整改", "long_term"), ("持续整改", "long_term"), ("长期坚持", "long_term"),
    ("见附件", "unknown"), ("", "unknown"),
]


@pytest.mark.parametrize("text, category", TEST_CASES_STATUS)
def test_classify_status(text, category):
    assert classify_status(text) == category


TEST_CASES_TEXT = [
    (12.0, "12"), (12.5, "12.5"), (D(2026, 3, 5), "2026-03-05"), (dt.datetime(2026, 3, 5), "2026-03-05"),
    (dt.datetime(2026, 3, 5, 8, 30), "2026-03-05 08:30:00"), (None, ""), ("\u3000 人民路 \n", "人民路"),
    (True, "是"), (7, "7"),
]


@pytest.mark.parametrize("value, text", TEST_CASES_TEXT)
def test_cell_text(value, text):
    assert cell_text(value) == text


@pytest.mark.parametrize("raw, clean", [
    (" 市容环境组 ", "市容环境组"), ("\u3000交通秩序组", "交通秩序组"), ("市容 环境组。", "市容环境组"),
    ("ＡＢ组", "AB组"), ("", ""),
])
def test_clean_group(raw, clean):
    assert clean_group(raw) == clean


@pytest.mark.parametrize("raw, clean", [("cc-001 ", "CC-001"), ("ＣＣ－００１", "CC-001"), ("A 12", "A12")])
def test_clean_id(raw, clean):
    assert clean_id(raw) == clean


@pytest.mark.parametrize("a, b", [("问题 描述", "问题描述"), ("（整改）时限", "整改时限"), ("ＡＢ：c", "abc")])
def test_fold_ignores_space_width_punctuation(a, b):
    assert fold(a) == fold(b)
