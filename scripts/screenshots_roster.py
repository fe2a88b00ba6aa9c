"""Screenshots of the roster import's preview, in Chinese and English.

    .venv/bin/python scripts/screenshots_roster.py [--out docs/screenshots]

Seeds the test scenario into a temporary SQLite database, starts the server on 127.0.0.1,
uploads files of the roster corpus (tests/fixtures/rosters) in Debian's Chromium and saves
docs/screenshots/web-roster-errors-<zh|en>.png (the preview with problems and warnings: ID
numbers) and web-roster-mapping-<zh|en>.png (the columns as read, a column corrected and the
living-situation words to map).
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from testkit.web_live_server import sign_in  # noqa: E402
from testkit.web_screenshots import pages_in_each_language, shoot_seeded, snap  # noqa: E402
from testkit.web_scenario import build_scenario  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "rosters"


def shoot(base: str, scenario, out: Path) -> list[Path]:
    saved = []
    for lang, page in pages_in_each_language(base):
        sign_in(page, None, "kunwu_sup", scenario.password)

        page.goto(f"{base}/import")
        page.set_input_files("input[type=file]", str(CORPUS / "07_id_numbers.xlsx"))
        page.click("form[enctype] button.primary")
        page.wait_for_selector("#preview")
        saved.append(snap(page, out, f"web-roster-errors-{lang}.png"))

        page.goto(f"{base}/import")
        page.set_input_files("input[type=file]", str(CORPUS / "08_living_words.csv"))
        page.click("form[enctype] button.primary")
        page.wait_for_selector("#column-mapping")
        page.select_option("select[name=living_code_1]", "alone")
        page.select_option("select[name=living_code_2]", "note")
        page.select_option("select[name=col_0]", "name")
        page.locator("#column-mapping").scroll_into_view_if_needed()
        saved.append(snap(page, out, f"web-roster-mapping-{lang}.png"))
    return saved


def main() -> None:
    shoot_seeded(__doc__.splitlines()[0], build_scenario, shoot)


if __name__ == "__main__":
    main()
