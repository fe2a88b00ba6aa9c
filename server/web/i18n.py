"""Translations for the web view: gettext catalogs, Simplified Chinese by default.

The ``.po`` files under ``translations/`` are the source; they are compiled in memory with
Babel when the app starts, so there is no build step to forget and no stale ``.mo`` file.
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from flask import g, request

from shared.punctuation import chinese_marks

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
DEFAULT_LOCALE = "zh_CN"
LOCALES = ("zh_CN", "en")
#: What a person picks on the page, mapped to the catalog; also the <html lang>.
HTML_LANG = {"zh_CN": "zh-CN", "en": "en"}
LANG_COOKIE = "lang"


@lru_cache(maxsize=None)
def catalog(locale: str) -> Translations:
    """The compiled catalog of ``locale`` (compiled once per process)."""
    po_path = TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as po_file:
        messages = read_po(po_file, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, messages)
    buffer.seek(0)
    return Translations(buffer)


def compile_all() -> None:
    for locale in LOCALES:
        catalog(locale)


def normalise_locale(value: str | None) -> str | None:
    if not value:
        return None
    value = value.replace("-", "_").lower()
    if value.startswith("en"):
        return "en"
    if value.startswith("zh"):
        return "zh_CN"
    return None


def choose_locale() -> str:
    """``?lang=`` first, then the cookie it sets, then Accept-Language; Chinese otherwise."""
    chosen = normalise_locale(request.args.get("lang")) or normalise_locale(request.cookies.get(LANG_COOKIE))
    if chosen:
        return chosen
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"])
    return normalise_locale(best) or DEFAULT_LOCALE


def current_locale() -> str:
    if "locale" not in g:
        g.locale = choose_locale()
    return g.locale


@contextmanager
def in_locale(locale: str):
    """Words in ``locale`` for a moment (e.g. to know what either language calls a code)."""
    saved = g.get("locale")
    g.locale = locale
    try:
        yield
    finally:
        if saved is None:
            g.pop("locale", None)
        else:
            g.locale = saved


@lru_cache(maxsize=4096)
def _translated(locale: str, message: str) -> str:
    text = catalog(locale).ugettext(message)
    # Chinese takes full-width marks, whatever the catalog was typed with (LANGUAGE.md rule 2).
    return text if locale == "en" else chinese_marks(text)


def gettext(message: str, **variables) -> str:
    text = _translated(current_locale(), message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables) -> str:
    text = catalog(current_locale()).ungettext(singular, plural, n)
    if current_locale() != "en":
        text = chinese_marks(text)
    variables.setdefault("num", n)
    return text % variables


_ = gettext
