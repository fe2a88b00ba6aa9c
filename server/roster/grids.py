"""Grid names as communities write them: 第一网格, 1网格, 兴隆社区第1网格, 网格1, a grid code."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .text import compact

_CHINESE_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
                   "六": 6, "七": 7, "八": 8, "九": 9}
_NUMBER = re.compile(r"第?([0-9]+|[零〇一二两三四五六七八九十]+)号?网格|网格([0-9]+|[一二三四五六七八九十]+)号?")


@dataclass(frozen=True)
class GridChoice:
    id: int
    code: str
    name: str
    community: str  # the name of the grid's community ("" if none)


def chinese_number(text: str) -> int | None:
    """12, 十二, 二十一, 一二 → a number; None if it is not one."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _sep, ones = text.partition("十")
        value = (_CHINESE_DIGITS.get(tens, -100) if tens else 1) * 10
        value += _CHINESE_DIGITS.get(ones, -100) if ones else 0
        return value if value > 0 else None
    if all(char in _CHINESE_DIGITS for char in text):
        return int("".join(str(_CHINESE_DIGITS[char]) for char in text))
    return None


def grid_number(text: str) -> int | None:
    match = _NUMBER.search(compact(text))
    if not match:
        return None
    return chinese_number(match[1] or match[2])


def match_grid(label: str, grids: list[GridChoice]) -> list[GridChoice]:
    """The grids of the supervisor's area that ``label`` can mean (one, or several if it is
    ambiguous, or none). Exact code or name first; then the grid's number, within the
    community the label names if it names one."""
    typed = compact(label)
    exact = [g for g in grids if typed.lower() == g.code.lower() or typed == compact(g.name)]
    if exact:
        return exact
    match = _NUMBER.search(typed)
    number = chinese_number(match[1] or match[2]) if match else None
    if number is None:
        return []
    found = [g for g in grids if grid_number(g.name) == number]
    community = typed[:match.start()]  # 兴隆社区 of 兴隆社区第1网格
    if community:
        return [g for g in found if g.community and (
            community in compact(g.community) or compact(g.community) in community)]
    return found
