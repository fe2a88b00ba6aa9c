"""How residents are found: by name, address, or the initials of the name's pinyin."""
from __future__ import annotations



def pinyin_initials(text: str) -> str:
    """'张利霞' -> 'zlx'. Non-Chinese characters are kept lower-cased."""
    from pypinyin import Style, lazy_pinyin  # imported when first needed: it is slow to load

    return "".join(part[0] for part in lazy_pinyin(text, style=Style.FIRST_LETTER) if part).lower()


def pinyin_full(text: str) -> str:
    """'张利霞' -> 'zhanglixia'."""
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(text)).lower()


def search_keys(name: str) -> str:
    """One lower-case string to match a query against: initials, then full pinyin."""
    return f"{pinyin_initials(name)} {pinyin_full(name)}"


def matches(query: str, name: str, address: str, keys: str) -> bool:
    query = query.strip().lower()
    if not query:
        return True
    if query in name or query in (address or "").lower():
        return True
    if query.isascii():
        return any(key.startswith(query) for key in keys.split())
    return False
