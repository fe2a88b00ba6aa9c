"""Screenshots of issue 12's supervisor pages (the monthly report, a campaign, the call list),
in Chinese and English, on the same seeded district as scripts/screenshots_web.py.

    .venv/bin/python scripts/screenshots_reports.py [--out docs/screenshots]
"""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from screenshots_web import seed

from server.models import Resident
from shared import protocol as p
from shared.clock import utcnow
from testkit.clock import today_in_china
from testkit.web_live_server import sign_in
from testkit.web_screenshots import pages_in_each_language, shoot_seeded, snap


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
    for lang, page in pages_in_each_language(base):
        sign_in(page, None, "kunwu_sup", scenario.password)
        for name, path_ in pages:
            page.goto(base + path_)
            saved.append(snap(page, out, f"web-{name}-{lang}.png"))
    return saved


def main() -> None:
    shoot_seeded(__doc__.splitlines()[0], seed_with_campaign, shoot)


if __name__ == "__main__":
    main()
