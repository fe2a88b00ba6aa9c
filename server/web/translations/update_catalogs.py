"""Extract every message of the web view into the catalogs, keeping existing translations.

    .venv/bin/python -m server.web.translations.update_catalogs

New messages get an empty translation in zh_CN (to fill in) and themselves in en. The tests
check that no message is left untranslated.
"""
from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_python
from babel.messages.pofile import read_po, write_po

WEB = Path(__file__).parents[1]
LOCALES = ("zh_CN", "en")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}
#: The roster reader (server/roster) speaks to the import page: its messages, the Problem("…")
#: and Unreadable("…") messages of its pure parsers and the msgids it marks N_("…") belong to
#: this catalog.
ROSTER = WEB.parent / "roster"
ROSTER_KEYWORDS = {**KEYWORDS, "Problem": None, "Unreadable": None, "N_": None}
#: The error pages (server/errors.py) speak the web view's words too.
ERRORS = WEB.parent / "errors.py"


def extract() -> Catalog:
    found = Catalog(project="knockdoor")
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    options_map = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(WEB), method_map, options_map, keywords=KEYWORDS):
        found.add(message, None, [(filename, lineno)])
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROSTER), [("**.py", "python")], keywords=ROSTER_KEYWORDS):
        found.add(message, None, [(f"roster/{filename}", lineno)])
    with ERRORS.open("rb") as source:
        for lineno, _function, message, _comments in extract_python(source, KEYWORDS, [], {}):
            found.add(message, None, [(f"../{ERRORS.name}", lineno)])
    return found


def po_path(locale: str) -> Path:
    return WEB / "translations" / locale / "LC_MESSAGES" / "messages.po"


def update(translations: dict[str, dict[str, str]] | None = None) -> None:
    found = extract()
    for locale in LOCALES:
        path = po_path(locale)
        old = read_po(path.open("rb"), locale=locale) if path.exists() else Catalog(locale=locale)
        catalog = Catalog(locale=locale, project="knockdoor", charset="utf-8", fuzzy=False)
        for message in found:
            if not message.id:
                continue
            known = old.get(message.id)
            text = (translations or {}).get(locale, {}).get(message.id) or \
                (known.string if known else "") or (message.id if locale == "en" else "")
            catalog.add(message.id, text, locations=message.locations)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            write_po(out, catalog, width=100, omit_header=False, sort_output=False)


if __name__ == "__main__":
    update()
