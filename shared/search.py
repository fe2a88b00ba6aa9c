"""How residents are found: the one search rule of the tablet and the web view.

A query finds a resident by

* the name's pinyin: full (zhanglixia), initials (zlx), or a mix (zhanglx, zhang lx, zhangLX),
  from the start of the name or from the given name (lixia); ü typed as v, u or just its
  initial (吕: lv, lu, l). The first character(s) are read as a surname (翟 zhai, 单 shan,
  曾 zeng, 尉迟 yuchi: shared/surnames.py); every character also matches by any of its other
  readings, so a polyphonic given name (乐 le/yue, 长 chang/zhang) is found either way;
* a part of the name or of the address in characters (利霞, 建设路, 3号楼 — but 3号楼 does
  not find 13号楼);
* building-unit-room (3-2-401, or 3-2) against an address like 建设路51号院3号楼2单元401;
* the last four digits of the phone.

:func:`rank` orders what matches: the exact name first, then the initials of the whole
name, then everything else. Matching reads precomputed keys (:func:`search_keys`), stored
with the resident on the tablet and on the server, so a search over thousands of residents
needs no pinyin work. The keys begin with :data:`KEY_FORMAT`: keys of another format are
stale and are recomputed (:func:`keys_are_current`).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .surnames import SURNAMES

#: The first field of every key string; a change of the key layout changes it.
KEY_FORMAT = "k2"

EXACT, INITIALS, FUZZY = 0, 1, 2

#: The resident fields the keys are made of: a change to one of them remakes the keys.
SEARCHED_FIELDS = frozenset({"name", "address", "phone"})

_BUILDING = re.compile(r"(\d+)\s*(?:号楼|栋|幢|座|号?楼(?!层))")
_UNIT = re.compile(r"(\d+)\s*单元")
_DIGITS = re.compile(r"\d+")
_CODE_QUERY = re.compile(r"\d+(?:-\d+){1,2}")


def _is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or \
        "\U00020000" <= char <= "\U0003134f"


@lru_cache(maxsize=8192)
def _char_readings(char: str) -> tuple[str, ...]:
    """Every toneless reading of one character, ü as v (pypinyin's heteronym data)."""
    from pypinyin import Style, pinyin  # imported when first needed: it is slow to load

    readings = pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore")
    return tuple(dict.fromkeys(r.lower() for r in (readings[0] if readings else ()) if r))


def _with_u_for_v(readings) -> tuple[str, ...]:
    """吕 lv is also typed lu."""
    out = list(readings)
    out += [r.replace("v", "u") for r in readings if "v" in r]
    return tuple(dict.fromkeys(out))


def _syllables(name: str) -> list[tuple[str, ...]]:
    """Per character of the name, its readings, the most likely first."""
    chars = [c for c in unicodedata.normalize("NFKC", name) if c.isalnum()]
    syllables: list[tuple[str, ...]] = []
    surname = next((s for s in (("".join(chars[:2])), "".join(chars[:1])) if s in SURNAMES),
                   "") if chars else ""
    surname_readings = SURNAMES[surname].split() if surname else []
    for index, char in enumerate(chars):
        if _is_han(char):
            readings = _char_readings(char)
            if index < len(surname_readings):  # the surname's own reading first
                readings = (surname_readings[index],) + readings
            syllables.append(_with_u_for_v(tuple(dict.fromkeys(readings))) or ("?",))
        else:
            syllables.append((char.lower(),))
    return syllables


def address_codes(address: str) -> list[str]:
    """建设路51号院3号楼2单元401 -> ['3-2-401']; 3号楼401室 -> ['3-401']."""
    text = unicodedata.normalize("NFKC", address or "")
    building = None
    for building in _BUILDING.finditer(text):
        pass  # the last one: 51号院 before it is a compound, not a building
    unit = _UNIT.search(text, building.end() if building else 0)
    parts = [m.group(1) for m in (building, unit) if m]
    after = max((m.end() for m in (building, unit) if m), default=None)
    if after is None:
        return []
    room = _DIGITS.search(text, after)
    if room:
        parts.append(room.group(0))
    return ["-".join(parts)] if len(parts) > 1 else []


def _phone_tail(phone: str | None) -> str:
    digits = "".join(c for c in unicodedata.normalize("NFKC", phone or "") if c.isdigit())
    return digits[-4:] if len(digits) >= 4 else ""


def search_keys(name: str, address: str = "", phone: str | None = None) -> str:
    """One string holding what a query is matched against, besides the name and address
    themselves: the readings of each character, the building-unit-room codes of the address
    and the phone's last four digits. ``k2|zhai/di li xia|3-2-401|1234``."""
    syllables = " ".join("/".join(readings) for readings in _syllables(name))
    return "|".join((KEY_FORMAT, syllables, " ".join(address_codes(address)),
                     _phone_tail(phone)))


KEYS_PREFIX = KEY_FORMAT + "|"


def keys_are_current(keys: str | None) -> bool:
    return keys is not None and keys.startswith(KEYS_PREFIX)


@lru_cache(maxsize=16384)
def _parse(keys: str) -> tuple[tuple[tuple[str, ...], ...], frozenset[str], tuple[str, ...], str]:
    """(readings per character, the first letters of them all, address codes, phone tail)."""
    _format, syllables, codes, phone = (keys.split("|") + ["", "", "", ""])[:4]
    chars = tuple(tuple(part.split("/")) for part in syllables.split()) if syllables else ()
    letters = frozenset(reading[0] for readings in chars for reading in readings)
    return chars, letters, tuple(codes.split()), phone


def pinyin_initials(text: str) -> str:
    """'张利霞' -> 'zlx'."""
    return "".join(readings[0][0] for readings in _syllables(text))


def pinyin_full(text: str) -> str:
    """'张利霞' -> 'zhanglixia' (each character's first reading)."""
    return "".join(readings[0] for readings in _syllables(text))


def _consumes(query: str, at: int, chars, index: int) -> bool:
    """Whether query[at:] is typed by chars[index:], each character by the start (one letter
    or more) of one of its readings."""
    if at == len(query):
        return True
    if index == len(chars):
        return False
    rest = query[at:]
    for reading in chars[index]:
        common = 0
        for a, b in zip(reading, rest):
            if a != b:
                break
            common += 1
        for length in range(common, 0, -1):
            if _consumes(query, at + length, chars, index + 1):
                return True
    return False


def _spelled_in_full(query: str, chars) -> bool:
    """Every character by one whole reading, the whole name: zhanglixia."""
    def spell(at: int, index: int) -> bool:
        if index == len(chars):
            return at == len(query)
        return any(query.startswith(reading, at) and spell(at + len(reading), index + 1)
                   for reading in chars[index])
    return spell(0, 0)


def _pinyin_rank(query: str, chars) -> int | None:
    if not chars:
        return None
    if any(r[0] == query[0] for r in chars[0]):  # from the start of the name
        if len(query) >= len(chars) and _spelled_in_full(query, chars):
            return EXACT
        if len(query) == len(chars) and all(any(r[0] == letter for r in readings)
                                            for letter, readings in zip(query, chars)):
            return INITIALS
    for start in range(len(chars)):
        if any(r[0] == query[0] for r in chars[start]) and _consumes(query, 0, chars, start):
            return FUZZY
    return None


def _find_bounded(needle: str, haystack: str) -> bool:
    """``needle`` in ``haystack``, a number in it not glued to more digits: 3号楼 is not in
    13号楼, 401 is not in 1401."""
    start = haystack.find(needle)
    while start != -1:
        end = start + len(needle)
        if not (needle[0].isdigit() and start > 0 and haystack[start - 1].isdigit()) and \
                not (needle[-1].isdigit() and end < len(haystack) and haystack[end].isdigit()):
            return True
        start = haystack.find(needle, start + 1)
    return False


@lru_cache(maxsize=16384)
def normalise_query(query: str) -> str:
    """Full-width to half-width, lower case, no surrounding spaces (names and addresses are
    folded the same way to be compared)."""
    return unicodedata.normalize("NFKC", query or "").strip().lower()


@lru_cache(maxsize=256)
def _prepared(query: str) -> tuple[str, str, bool, bool]:
    """(the query folded, its letters for pinyin or "", a phone tail?, a building code?)"""
    text = normalise_query(query)
    letters = text.replace(" ", "").replace("'", "")
    return (text, letters if letters.isascii() and letters.isalpha() else "",
            text.isdigit() and len(text) == 4, bool(_CODE_QUERY.fullmatch(text)))


def rank(query: str, name: str, address: str, keys: str | None) -> int | None:
    """How well a resident matches ``query``: EXACT, INITIALS, FUZZY, or None for no match.
    ``query`` as typed (it is normalised here); ``keys`` from :func:`search_keys` (stale or
    missing keys are recomputed from the name and address)."""
    text, letters, phone_like, code_like = _prepared(query)
    if not text:
        return FUZZY
    if not keys_are_current(keys):
        keys = search_keys(name, address)
    chars, first_letters, codes, phone = _parse(keys)
    folded = normalise_query(name)
    if text == folded:
        return EXACT
    if letters and letters[0] in first_letters:
        best = _pinyin_rank(letters, chars)
        if best is not None:
            return best
    if text in folded:
        return FUZZY
    if phone_like and text == phone:
        return FUZZY
    if code_like and any(code == text or code.startswith(text + "-") for code in codes):
        return FUZZY
    if _find_bounded(text, normalise_query(address)):
        return FUZZY
    return None


def matches(query: str, name: str, address: str, keys: str | None) -> bool:
    return rank(query, name, address, keys) is not None
