"""Chinese typography for the web view: full-width punctuation in Chinese text (，：；（）！？),
none inside English. Catalog entries are written that way (tests/web/test_chinese_typography.py
checks the Chinese catalog); what pages join from pieces goes through :func:`colon`."""
from __future__ import annotations

import re

from .i18n import current_locale

#: Characters that make a neighbour "Chinese": ideographs and CJK / full-width punctuation.
CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}")
FULL_WIDTH = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}


def colon() -> str:
    """A label's colon: ``：`` in Chinese, ``: `` in English."""
    return "：" if current_locale() != "en" else ": "


def list_separator() -> str:
    """Between the items of a list: ``、`` in Chinese, ``, `` in English."""
    return "、" if current_locale() != "en" else ", "


def _is_cjk(char: str) -> bool:
    return bool(char) and re.match(f"[{CJK}]", char) is not None


def ascii_punctuation_in_chinese(text: str) -> list[str]:
    """The ASCII punctuation marks of ``text`` that touch a Chinese character (placeholders
    set aside): each with its neighbours, for an assertion message."""
    plain = PLACEHOLDER.sub("X", text)
    found = []
    for index, char in enumerate(plain):
        if char in FULL_WIDTH:
            before = plain[index - 1] if index else ""
            after = plain[index + 1] if index + 1 < len(plain) else ""
            if _is_cjk(before) or _is_cjk(after.strip() or after):
                found.append(plain[max(0, index - 3):index + 4])
    return found


def to_full_width(text: str) -> str:
    """``text`` with the ASCII punctuation that touches Chinese made full-width (and the spaces
    around it dropped); brackets are changed in pairs. Placeholders are left alone."""
    pieces = PLACEHOLDER.split(text)
    holders = PLACEHOLDER.findall(text)
    plain = "\u0000".join(pieces)  # one NUL per placeholder, restored below
    chars = list(plain)
    stack = []
    pairs = []
    for index, char in enumerate(chars):
        if char == "(":
            stack.append(index)
        elif char == ")" and stack:
            pairs.append((stack.pop(), index))

    def near_cjk(index: int) -> bool:
        return any(0 <= j < len(chars) and _is_cjk(chars[j]) for j in (index - 1, index + 1))

    for opening, closing in pairs:
        if near_cjk(opening) or near_cjk(closing):
            chars[opening], chars[closing] = "（", "）"
    for index, char in enumerate(chars):
        if char in ",:;!?" and near_cjk(index):
            chars[index] = FULL_WIDTH[char]
    result = "".join(chars)
    result = re.sub(r" *([，：；！？（）]) *", r"\1", result)
    for holder in holders:
        result = result.replace("\u0000", holder, 1)
    return result
