"""The harness every web screenshot script shares: a seeded district served on 127.0.0.1, a
Chromium page per language signed in, and a full-page picture saved under a name."""
from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from testkit.web_live_server import chromium, running_server, seeded_database

ROOT = Path(__file__).resolve().parents[1]
#: (the picture's suffix, the browser's locale, the ?lang= of the login page)
LANGUAGES = (("zh", "zh-CN", "zh_CN"), ("en", "en-US", "en"))


def pages_in_each_language(base: str) -> Iterator[tuple[str, object]]:
    """One browser page per language, each in its own context, left on the login page."""
    with chromium() as browser:
        for lang, locale, query in LANGUAGES:
            context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 860},
                                          device_scale_factor=1)
            page = context.new_page()
            page.goto(f"{base}/login?lang={query}")
            yield lang, page
            context.close()


def snap(page, out: Path, name: str) -> Path:
    """The whole page as ``out/<name>``."""
    path = out / name
    page.screenshot(path=str(path), full_page=True)
    return path


def shoot_seeded(description: str, seed: Callable,
                 shoot: Callable[[str, object, Path], list[Path]]) -> None:
    """The command line of a screenshot script: ``--out`` (docs/screenshots by default), a fresh
    SQLite database seeded by ``seed(session)``, the server on it, then ``shoot(base, scenario,
    out)``; prints what was saved."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        database_url, scenario = seeded_database(Path(folder) / "server.db", seed)
        with running_server(database_url, Path(folder) / "server.log") as base:
            for path in shoot(base, scenario, args.out):
                print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
