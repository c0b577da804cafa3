"""Constants of the pipeline: column aliases, row markers, limits. No logic here.

To teach the pipeline a new column name, add it to ``COLUMN_ALIASES`` under its
canonical field; matching ignores white space, full-/half-width differences and
punctuation (see ``layout.normalise_header``).
"""
from __future__ import annotations

import os
from pathlib import Path

# Canonical field -> header texts seen in ledgers (GLOSSARY.md is the source).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "item_id": ("问题编号", "交办编号", "编号", "交办单号", "案件编号", "工单号", "问题序号编号", "督办编号", "台账编号"),
    "seq": ("序号", "排序", "No", "行号"),
    "description": ("问题描述", "存在问题", "问题内容", "问题", "具体问题", "问题情况", "主要问题",
                    "问题表现", "发现问题", "问题名称", "存在的问题", "督查问题"),
    "location": ("点位", "具体点位", "地点", "具体位置", "问题地点", "位置", "地址", "问题点位", "详细地址", "问题位置", "点位地址"),
    "grid": ("网格", "所属网格", "片区", "街道", "所属街道", "社区", "所属社区", "所属区域", "区域", "街道社区"),
    "category": ("问题类别", "类别", "问题类型", "类型", "脏乱差类型", "问题分类", "分类", "测评项目", "测评点位类型"),
    "group": ("责任单位", "整改责任单位", "牵头单位", "工作组", "责任组", "责任部门", "承办单位",
              "主责单位", "整改单位", "责任科室", "所属工作组"),
    "assignee": ("责任人", "负责人", "联系人", "包保责任人", "整改责任人", "具体责任人"),
    "assigned_on": ("交办日期", "交办时间", "发现时间", "发现日期", "督查时间", "下发时间", "派遣时间",
                    "督查日期", "检查时间", "检查日期"),
    "deadline": ("整改时限", "完成时限", "整改期限", "限期", "时限", "办结时限", "整改时间要求",
                 "限定完成时间", "要求完成时间", "计划完成时间", "限期整改时间"),
    "status": ("整改情况", "整改状态", "整改进度", "进展情况", "完成情况", "办理状态", "整改进展",
               "目前进展", "办理情况", "处理情况", "状态", "进度"),
    "completed_on": ("完成时间", "完成日期", "销号时间", "整改完成时间", "办结时间", "销号日期",
                     "实际完成时间", "整改完成日期", "办结日期"),
    "measures": ("整改措施", "处置措施", "整改方案"),
    "verification": ("复核情况", "复查情况", "核查结果", "复核结果", "复查结果"),
    "source": ("问题来源", "来源", "发现渠道"),
    "notes": ("备注", "说明"),
}

# A header row needs at least this many distinct recognised fields ...
MIN_HEADER_FIELDS = 2
# ... one of which must identify a problem.
KEY_FIELDS = ("description", "item_id")
# How far down a sheet the header is looked for.
HEADER_SCAN_ROWS = 40

# First-cell markers of rows that are not items.
TOTAL_MARKERS = ("合计", "小计", "总计", "累计", "总数")
FOOTNOTE_MARKERS = ("注", "备注", "说明", "填表说明", "填报说明", "附注")
SIGNATURE_MARKERS = ("填报人", "审核人", "制表人", "联系电话", "负责人签字", "单位负责人", "分管领导", "签发人")

# Sheet names that say nothing about the group.
DEFAULT_SHEET_NAME = r"^(sheet|工作表|表|sheet_?)\s*\d*$"
UNGROUPED = "未分组"

# File name endings the upload page accepts (the formats ``read`` handles).
UPLOAD_SUFFIXES = ("xlsx", "xlsm", "xls", "xlsb", "ods", "csv")

# Safety limits for files users upload.
MAX_FILE_BYTES = 50 * 1024 * 1024            # same figure as .streamlit/config.toml maxUploadSize
MAX_UNCOMPRESSED_BYTES = 600 * 1024 * 1024   # sum of a zip's members once inflated
MAX_COMPRESSION_RATIO = 200                  # a member inflating more than this (and > 20 MB) is a bomb
MAX_CELLS = 3_000_000                        # cells in one workbook (a 100,000-row ledger has ~1.5 million)

DEFAULT_DUE_SOON_DAYS = 3


def default_db_path() -> Path:
    """``CAMPAIGN_DB`` from the environment, else ``data/campaign.duckdb``."""
    return Path(os.environ.get("CAMPAIGN_DB") or "data/campaign.duckdb")

# The name the bundled sample's batches are uploaded under (shown as 上传人); what makes a
# batch a sample batch is ``batches.sample``, which only ``sample.load_sample`` sets.
SAMPLE_UPLOADER = "示例数据"
