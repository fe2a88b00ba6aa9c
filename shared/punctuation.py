"""Text built in code, punctuated for its language (LANGUAGE.md, rule 2).

Chinese takes full-width punctuation: 、 between the items of a list, ：after a label, （） around
a unit or an aside, no space after a full-width mark. English takes ", ", ": " and " (…)". Every
join, label-with-value and header-with-unit that code builds for a person goes through here, so
one place knows the rule. Pure: the caller says which language (``"zh_CN"`` or ``"en"``).
"""
from __future__ import annotations

from collections.abc import Iterable

ENGLISH = "en"


def _english(locale: str | None) -> bool:
    return bool(locale) and locale.lower().startswith("en")


def items(parts: Iterable, locale: str | None) -> str:
    """``独居、空巢`` or ``Living alone, empty nest``: the items of a list (empties dropped)."""
    kept = [str(part) for part in parts if part is not None and str(part) != ""]
    return (", " if _english(locale) else "、").join(kept)


def labelled(label: str, value, locale: str | None) -> str:
    """``跌倒报警器：正常`` or ``Fall alarm: working``."""
    return f"{label}: {value}" if _english(locale) else f"{label}：{value}"


def with_unit(label: str, unit: str | None, locale: str | None) -> str:
    """``收缩压（mmHg）`` or ``Systolic (mmHg)``; the label alone when there is no unit."""
    if not unit:
        return label
    return f"{label} ({unit})" if _english(locale) else f"{label}（{unit}）"


def clauses(parts: Iterable[str], locale: str | None) -> str:
    """Clauses of one sentence: ``…，…`` or ``…; …``."""
    kept = [part.strip() for part in parts if part and part.strip()]
    return ("; " if _english(locale) else "，").join(kept)


def alternatives(parts: Iterable[str], locale: str | None) -> str:
    """Separate statements in one line (several errors): ``…；…`` or ``…; …``."""
    kept = [part.strip() for part in parts if part and part.strip()]
    return ("; " if _english(locale) else "；").join(kept)


def range_of(first, last, locale: str | None) -> str:
    """``2026-11-01至2026-11-30`` or ``2026-11-01 to 2026-11-30``."""
    return f"{first} to {last}" if _english(locale) else f"{first}至{last}"


#: Half-width marks and their full-width forms, for text typed or built half-width.
_FULL_WIDTH = str.maketrans({",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "?": "？",
                             "!": "！"})


def full_width(text: str) -> str:
    """Chinese text with its half-width punctuation made full-width (digits and letters kept).

    ``1,234`` and ``09:30`` keep their marks: a comma or colon between two digits is part of a
    number or a time, not of the sentence.
    """
    out = []
    for index, char in enumerate(text):
        before = text[index - 1] if index else ""
        after = text[index + 1] if index + 1 < len(text) else ""
        if char in ",:" and before.isdigit() and after.isdigit():
            out.append(char)
        else:
            out.append(char.translate(_FULL_WIDTH))
    return "".join(out)


def _cjk(char: str) -> bool:
    return "\u3000" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef"


_MARKS = {",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "?": "？", "!": "！"}


def chinese_marks(text: str) -> str:
    """A Chinese sentence's half-width marks made full-width where they touch Chinese text
    (``覆盖率:`` → ``覆盖率：``, ``高龄(80岁以上)`` → ``高龄（80岁以上）``); marks between Latin
    letters, digits or format fields (``%(count)s``, ``{time}``, ``09:30``) stay as they are.
    The web view and the app pass every Chinese catalog string through this, so a catalog
    written with half-width marks still reads right (LANGUAGE.md rule 2)."""
    out = list(text)
    for index, char in enumerate(text):
        if char not in _MARKS:
            continue
        before = text[index - 1] if index else ""
        after = text[index + 1] if index + 1 < len(text) else ""
        if char == "(" and before == "%":
            continue  # a format field: %(name)s
        if char == ")" and text.rfind("%(", 0, index) > text.rfind(")", 0, index):
            continue  # closes a format field
        touches = _cjk(before) or _cjk(after)
        if char == ")" and not touches:
            opened = text.rfind("(", 0, index)
            touches = opened > 0 and _cjk(text[opened - 1])  # 高龄(80岁以上)
        if char == "(" and not touches:
            closed = text.find(")", index)
            touches = closed > 0 and _cjk(text[closed - 1])
        if touches:
            out[index] = _MARKS[char]
    return "".join(out)
