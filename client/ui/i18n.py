"""Every word the app shows goes through here: gettext catalogs, Simplified Chinese by default.

No Kivy import: the presenters and their tests use it too. ``_`` always translates with the
language chosen *now*, so a screen built after ``set_language`` speaks the new language.

Compiled catalogs (.mo) are built, never committed (``make catalogs``, i.e.
``python -m client.ui.i18n``, compiles them from the .po files with babel, a desktop tool; the
Android build only needs the .mo files), and compiled at start-up when missing or stale.
"""
from __future__ import annotations

import functools
import gettext
from pathlib import Path

from shared.punctuation import chinese_marks

DOMAIN = "knockdoor"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"
#: What each language calls itself, for the settings screen (never translated).
LANGUAGE_NAMES = {"zh_CN": "简体中文", "en": "English"}

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = DEFAULT_LANGUAGE


def stale_catalogs(force: bool = False) -> list[Path]:
    """The .po files whose .mo is missing or older (all of them, with ``force``)."""
    return [po_path for po_path in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
            if force or not po_path.with_suffix(".mo").exists()
            or po_path.with_suffix(".mo").stat().st_mtime < po_path.stat().st_mtime]


def compile_catalogs(force: bool = False) -> list[Path]:
    """Compile every .po that is newer than its .mo (or all, with ``force``). Needs babel,
    imported only when there is something to compile (never on a normal start)."""
    stale = stale_catalogs(force)
    if not stale:
        return []
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po_path in stale:
        mo_path = po_path.with_suffix(".mo")
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parts[-3])
        with mo_path.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        written.append(mo_path)
    return written


def _ensure_compiled() -> None:
    """A developer who edited a .po gets it compiled at start-up; a device without babel
    simply uses the committed .mo files."""
    try:
        compile_catalogs()
    except (ImportError, OSError):
        pass


def set_language(language: str | None) -> str:
    global _translation, _language
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    _ensure_compiled()  # a few stat() calls; babel only when a .po changed
    _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)
    _language = language
    return language


def language() -> str:
    return _language


def _(message: str) -> str:
    return _chinese(_language, message)


@functools.lru_cache(maxsize=4096)
def _chinese_cached(language_: str, message: str, translation_id: int) -> str:
    return chinese_marks(_translation.gettext(message))


def _chinese(language_: str, message: str) -> str:
    """Chinese takes full-width marks, whatever the catalog was typed with (LANGUAGE.md)."""
    if language_ == "en":
        return _translation.gettext(message)
    return _chinese_cached(language_, message, id(_translation))


set_language(DEFAULT_LANGUAGE)

if __name__ == "__main__":
    for path in compile_catalogs(force=True):
        print(f"compiled {path}")


def extract_messages(root: Path | None = None) -> dict[str, list[str]]:
    """Every string the app passes through ``_`` or marks with ``N_``, with where it is used
    (for the catalogs' completeness test and for updating the .po files)."""
    import ast
    import re

    root = root or Path(__file__).resolve().parent
    found: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                    node.func.id in ("_", "N_") and node.args and \
                    isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value,
                                                                          str):
                found.setdefault(node.args[0].value, []).append(
                    f"{path.relative_to(root)}:{node.lineno}")
    kv_call = re.compile(r"""\b_\(\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*\)""")
    for path in sorted(root.rglob("*.kv")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in kv_call.finditer(line):
                text = match.group(1) if match.group(1) is not None else match.group(2)
                found.setdefault(text, []).append(f"{path.relative_to(root)}:{number}")
    return found
