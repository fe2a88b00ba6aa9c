"""Screenshots of the roster import's preview, in Chinese and English.

    .venv/bin/python scripts/screenshots_roster.py [--out docs/screenshots]

Seeds the test scenario into a temporary SQLite database, starts the server on 127.0.0.1,
uploads files of the roster corpus (tests/fixtures/rosters) in Debian's Chromium and saves
docs/screenshots/web-roster-errors-<zh|en>.png (the preview with problems and warnings: ID
numbers) and web-roster-mapping-<zh|en>.png (the columns as read, a column corrected and the
living-situation words to map).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from testkit.web_live_server import chromium, running_server, seeded_database  # noqa: E402
from testkit.web_scenario import build_scenario  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "rosters"


def shoot(base: str, scenario, out: Path) -> list[Path]:
    saved = []
    with chromium() as browser:
        for lang, locale in (("zh", "zh-CN"), ("en", "en-US")):
            context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 860},
                                          device_scale_factor=1)
            page = context.new_page()
            page.goto(f"{base}/login?lang={'zh_CN' if lang == 'zh' else 'en'}")
            page.fill("input[name=username]", "kunwu_sup")
            page.fill("input[name=password]", scenario.password)
            page.click("button[type=submit].primary")
            page.wait_for_selector(".who")

            page.goto(f"{base}/import")
            page.set_input_files("input[type=file]", str(CORPUS / "07_id_numbers.xlsx"))
            page.click("form[enctype] button.primary")
            page.wait_for_selector("#preview")
            path = out / f"web-roster-errors-{lang}.png"
            page.screenshot(path=str(path), full_page=True)
            saved.append(path)

            page.goto(f"{base}/import")
            page.set_input_files("input[type=file]", str(CORPUS / "08_living_words.csv"))
            page.click("form[enctype] button.primary")
            page.wait_for_selector("#column-mapping")
            page.select_option("select[name=living_code_1]", "alone")
            page.select_option("select[name=living_code_2]", "note")
            page.select_option("select[name=col_0]", "name")
            page.locator("#column-mapping").scroll_into_view_if_needed()
            path = out / f"web-roster-mapping-{lang}.png"
            page.screenshot(path=str(path), full_page=True)
            saved.append(path)
            context.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        database_url, scenario = seeded_database(Path(folder) / "server.db", build_scenario)
        with running_server(database_url, Path(folder) / "server.log") as base:
            for path in shoot(base, scenario, args.out):
                print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()
