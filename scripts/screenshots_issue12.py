"""Screenshots of issue 12's supervisor pages (the monthly report, a campaign, the call list),
in Chinese and English, on the same seeded district as scripts/screenshots_web.py.

    .venv/bin/python scripts/screenshots_issue12.py [--out docs/screenshots]
"""
from __future__ import annotations

import argparse
import tempfile
from datetime import timedelta
from pathlib import Path

from screenshots_web import ROOT, chromium, running_server, seed, seeded_database

from server.models import Resident
from shared import protocol as p
from shared.clock import utcnow
from testkit.clock import today_in_china


def seed_with_campaign(session):
    from server.campaigns import start_campaign
    scenario = seed(session)
    for resident in session.query(Resident):  # on the roster for months: a report to show
        resident.created_at = utcnow() - timedelta(days=200)
    kunwu = scenario.communities["kunwu"]
    grids = {scenario.grids["kunwu1"].id, scenario.grids["kunwu2"].id}
    scenario.campaign = start_campaign(
        session, area_id=kunwu.id, grid_ids=grids, kind="heatwave",
        note="今天最高气温39度，请逐户查看独居老人，提醒多喝水、午后别出门。", categories=[p.ALONE],
        allowed_categories=p.LIVING_SITUATIONS, person_id=scenario.people["kunwu_sup"].id,
        now=utcnow())
    return scenario


def shoot(base: str, scenario, out: Path) -> list[Path]:
    saved = []
    last_month = today_in_china().replace(day=1) - timedelta(days=1)
    pages = [("report", f"/reports/monthly?month={last_month:%Y-%m}"), ("campaigns", "/campaigns"),
             ("campaign", f"/campaigns/{scenario.campaign.id}"), ("calls", "/calls"),
             ("dashboard-campaign-and-month", "/")]
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
            for name, path_ in pages:
                page.goto(base + path_)
                path = out / f"web-{name}-{lang}.png"
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
        database_url, scenario = seeded_database(Path(folder) / "server.db", seed_with_campaign)
        with running_server(database_url, Path(folder) / "server.log") as base:
            for path in shoot(base, scenario, args.out):
                print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()
