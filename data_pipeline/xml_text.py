"""Text an Office file can hold. The .xlsx, .pptx and .docx writers all store text in XML
1.0, which cannot hold some characters that ledger cells may carry.

Rule: the characters XML 1.0 cannot hold are dropped (``holdable``): the C0 control
characters other than tab, LF and CR, lone surrogates, U+FFFE and U+FFFF. What tab, CR
and LF become is each writer's own rule (a text cell keeps them, a slide makes them a
space, the Word 通报 a line break).
"""
from __future__ import annotations

import re

UNHOLDABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def holdable(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold."""
    return UNHOLDABLE.sub("", text)
