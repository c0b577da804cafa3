"""What the browser gets around the pages: Chinese for the English that Streamlit's own
frontend writes, its developer chrome hidden, and a tab icon served by this server.

Rules:
- Streamlit's frontend has no Chinese locale, so its own words (the file uploader's
  "Drag and drop files here" / "Upload" / "50MB per file", the running indicator's "Stop",
  the multiselect's "Select all", the date picker's month names, "Page not found") are
  replaced in the page by a small script (``TRANSLATIONS`` / ``PATTERNS``). It only
  ever replaces a whole text node (or a placeholder/aria-label/title attribute) whose
  trimmed text equals a known English phrase, so ledger text that happens to be English
  is never touched. The script is installed once per browser tab.
- The ⋮ menu (developer settings, screencast, "About") and the "Deploy" button are
  hidden; leaders print with the browser's own print command.
- The tab icon is a PNG beside this module (``ICON``), served by Streamlit itself: an
  intranet has no internet, and Streamlit fetches emoji and material-symbol favicons
  from a CDN.
- Nothing here loads anything from outside the server.
"""
from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

ICON = Path(__file__).resolve().parent / "icon.png"

# English phrase (whole text node, trimmed) -> Chinese.
TRANSLATIONS = {
    # file uploader
    "Drag and drop file here": "将文件拖到这里",
    "Drag and drop files here": "将文件拖到这里（可多选）",
    "Drag and drop a file here": "将文件拖到这里",
    "Browse files": "选择文件",
    "Upload": "选择文件",
    "Add files": "添加文件",
    "Remove file": "移除文件",
    "Uploading...": "正在上传……",
    # running indicator, connection
    "Running...": "正在计算……",
    "Stop": "停止",
    "Rerun": "重新运行",
    "Always rerun": "总是重新运行",
    "Connecting": "正在连接",
    "Connection error": "连接中断",
    "Please wait...": "请稍候……",
    "Page not found": "页面不存在",
    "Skip to main content": "跳到正文",
    "Close": "关闭",
    "Dismiss": "关闭",
    # selectbox / multiselect
    "Select all": "全选",
    "Clear all": "全部清除",
    "No results": "没有匹配的选项",
    "No options to select": "没有可选项",
    "No options to select.": "没有可选项",
    "Choose an option": "请选择",
    "Choose options": "请选择",
    "Press Enter to apply": "按回车键确认",
    "Press Enter to submit form": "按回车键提交",
    "Press Enter to submit": "按回车键提交",
    # dataframe menus and toolbar
    "Sort ascending": "升序排列",
    "Sort descending": "降序排列",
    "Format": "格式",
    "Autosize": "自动列宽",
    "Pin column": "固定此列",
    "Unpin column": "取消固定",
    "Hide column": "隐藏此列",
    "Download as CSV": "下载为CSV",
    "Search": "搜索",
    "Fullscreen": "全屏",
    "Close fullscreen": "退出全屏",
    "Show/hide columns": "显示或隐藏列",
    "Add row": "添加一行",
    "Delete row(s)": "删除选中行",
    "Delete row": "删除此行",
    # date picker
    "Previous month.": "上个月", "Next month.": "下个月", "Previous month": "上个月", "Next month": "下个月",
    "Su": "日", "Mo": "一", "Tu": "二", "We": "三", "Th": "四", "Fr": "五", "Sa": "六",
    **{m: f"{i}月" for i, m in enumerate(
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
         "November", "December"], 1)},
}
# (regex over a whole trimmed text node, replacement with $1 groups).
PATTERNS = [
    (r"^(\d+(?:\.\d+)?\s*[KMG]?B) per file$", "每个文件不超过$1"),
    (r"^(.*)The page that you have requested does not seem to exist(.*)$", "您要打开的页面不存在，已打开首页。"),
    (r"^You have requested page (.*)$", "您要打开的页面不存在，已打开首页。"),
    (r"^Select all (\d+) matches$", "全选（$1项）"),
    (r"^(\d+) options? available\.?$", "共$1个选项"),
    (r"^(\d+) results? available\.?$", "共$1个选项"),
    (r"^(January|February|March|April|May|June|July|August|September|October|November|December) (\d{4})$",
     "$2年$1"),
]

CSS = """
<style>
/* the ⋮ menu and Streamlit's deploy button: developer tools, in English */
[data-testid="stMainMenu"], [data-testid="stAppDeployButton"], #MainMenu { display: none !important; }
/* the element holding the translator script takes no room */
.element-container:has(> .stHtml script[data-chrome]),
[data-testid="stElementContainer"]:has(script[data-chrome]) { display: none !important; }
/* tables scroll sideways on phones instead of wrapping a character per line */
[data-testid="stMarkdownContainer"] table { display: block; overflow-x: auto; }
/* KPI cards: values and labels shrink with the window instead of being cut */
[data-testid="stMetricValue"] { font-size: clamp(1.2rem, 2.1vw, 2.25rem); }
[data-testid="stMetric"] * {
    overflow: visible !important; text-overflow: clip !important; white-space: normal !important; }
[data-testid="stMetricDelta"] { height: auto !important; max-width: 100%; }
[data-testid="stMetricLabel"] { min-height: 1.5rem; }
</style>
"""


def _script() -> str:
    table = json.dumps(TRANSLATIONS, ensure_ascii=False)
    patterns = json.dumps([[p, r] for p, r in PATTERNS], ensure_ascii=False)
    return """
<script data-chrome="1">
(() => {
  const w = window.parent && window.parent.document ? window.parent : window;
  if (w.__campaignChrome) return;
  w.__campaignChrome = true;
  const words = %s;
  const patterns = %s.map(([p, r]) => [new RegExp(p), r]);
  const swap = (text) => {
    const t = text.trim();
    if (!t || !/[A-Za-z]/.test(t)) return null;
    if (Object.prototype.hasOwnProperty.call(words, t)) return words[t];
    for (const [re, r] of patterns) {
      const m = t.match(re);
      if (m) return r.replace(/\\$(\\d)/g, (_, i) => words[m[+i]] || m[+i] || "");
    }
    return null;
  };
  const fix = (root) => {
    if (root.nodeType === 3) {
      const s = swap(root.nodeValue);
      if (s !== null) root.nodeValue = s;
      return;
    }
    if (root.nodeType !== 1) return;
    for (const a of ["placeholder", "aria-label", "title"]) {
      const v = root.getAttribute && root.getAttribute(a);
      const s = v && swap(v);
      if (s) root.setAttribute(a, s);
    }
    const walker = w.document.createTreeWalker(root, 5);
    let n;
    while ((n = walker.nextNode())) {
      if (n.nodeType === 3) {
        const s = swap(n.nodeValue);
        if (s !== null) n.nodeValue = s;
      } else {
        for (const a of ["placeholder", "aria-label", "title"]) {
          const v = n.getAttribute(a);
          const s = v && swap(v);
          if (s) n.setAttribute(a, s);
        }
      }
    }
  };
  new w.MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "characterData") fix(r.target);
      else if (r.type === "attributes") fix(r.target);
      else r.addedNodes.forEach(fix);
    }
  }).observe(w.document.body, {subtree: true, childList: true, characterData: true, attributes: true,
                                attributeFilter: ["placeholder", "aria-label", "title"]});
  fix(w.document.body);
  w.document.documentElement.lang = "zh-CN";
})();
</script>
""" % (table, patterns)


def install() -> None:
    """On every run (app.py): the CSS, and the translator script (which installs itself
    only once per tab)."""
    st.html(CSS)
    with st.sidebar:
        st.html(_script(), unsafe_allow_javascript=True)
