"""A registered business scope split into its items.

Licences read either "道路普通货物运输；仓储服务（不含危险化学品）；…。" or, since 2021,
"一般项目：…；许可项目：…。（依法须经批准的项目…）"; items are separated by ；;、，, or 。.
Qualifiers in brackets (不含危险化学品) and the closing remark are dropped, as are the 一般项目 /
许可项目 headings, so that the same business reads as the same item however it was registered.
`sql/queries/scope_findings.sql` splits the same way in SQL (the tests hold the two together).
"""

from __future__ import annotations

import re

BRACKETS = re.compile(r"[（(][^（）()]*[）)]")
HEADINGS = re.compile(r"(一般项目|许可项目|经营范围)[:：]")
SEPARATORS = re.compile(r"[；;、，,。\s]+")
MIN_ITEM_CHARS = 2


def items(text: object) -> list[str]:
    """The items of a scope, in order, each once (an empty list for a missing scope)."""
    if not isinstance(text, str) or not text.strip():
        return []
    previous = None
    while previous != text:  # nested brackets, innermost first
        previous, text = text, BRACKETS.sub("", text)
    text = HEADINGS.sub("；", text)
    seen: dict[str, None] = {}
    for part in SEPARATORS.split(text):
        part = part.strip()
        if len(part) >= MIN_ITEM_CHARS:
            seen.setdefault(part, None)
    return list(seen)


def document(text: object) -> str:
    """The scope as the vectoriser reads it: its items separated by spaces, so that character
    n-grams (char_wb) never run across two items."""
    return " ".join(items(text))
