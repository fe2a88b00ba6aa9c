"""Screenshots of every supervisor page, in Chinese and English.

    .venv/bin/python scripts/screenshots_web.py [--out docs/screenshots]

Seeds a small believable district into a temporary SQLite database, starts the server on
127.0.0.1, drives Debian's Chromium with Playwright and saves docs/screenshots/web-<page>-<zh|en>.png.
"""
from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path


from testkit.web_live_server import sign_in  # noqa: E402
from testkit.web_screenshots import pages_in_each_language, shoot_seeded, snap  # noqa: E402
from testkit.web_scenario import add_note, add_visit, build_scenario  # noqa: E402

from shared import protocol as p  # noqa: E402
from shared.clock import utcnow  # noqa: E402
from testkit.clock import today_in_china  # noqa: E402
from testkit.factories import make_resident  # noqa: E402

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["秀英", "桂兰", "玉兰", "淑珍", "凤英", "建国", "德明", "志强", "桂芳", "玉珍", "秀兰", "金花"]
STREETS = ["长庆路", "昆吾路", "绿城路", "濮上路", "中原路"]


def seed(session):
    """The test scenario, plus enough residents and visits to make the pages look lived in."""
    scenario = build_scenario(session)
    rng = random.Random(7)
    now = utcnow()
    volunteers = [scenario.people["vol_a"], scenario.people["vol_b"]]
    zhang = scenario.residents["zhang"]
    add_note(session, zhang, volunteers[0], now - timedelta(days=9),
             "女儿在外地工作，每周日晚上打电话。冰箱里常备降压药。")
    add_note(session, zhang, volunteers[1], now - timedelta(days=2),
             "血压偏高，已联系社区卫生服务站医生下周上门复查。")
    for grid_key in ("kunwu1", "kunwu2", "lvcheng1", "lvcheng2"):
        for number in range(7):
            situation = rng.choice([[p.ALONE], [p.EMPTY_NEST], [p.ALONE, p.CareCategory.SUBSISTENCE.value],
                                    [p.DISABLED]])
            resident = make_resident(
                session, scenario.grids[grid_key],
                name=rng.choice(SURNAMES) + rng.choice(GIVEN), sex=rng.choice("FM"),
                birth_year=rng.randint(1932, 1952),
                address=f"{rng.choice(STREETS)}{rng.randint(1, 60)}号院{rng.randint(1, 9)}号楼"
                        f"{rng.randint(1, 4)}单元{rng.randint(1, 6)}0{rng.randint(1, 4)}",
                care_categories=situation)
            session.flush()
            for days_ago in sorted(rng.sample(range(1, 30), rng.randint(0, 4)), reverse=True):
                when = now - timedelta(days=days_ago, hours=rng.randint(0, 6))
                outcome = rng.choices([p.MET, p.NO_ANSWER, p.AWAY], [8, 2, 1])[0]
                readings = {"systolic": rng.randint(115, 170), "diastolic": rng.randint(70, 100),
                            "pulse": rng.randint(60, 95)} if outcome == p.MET else None
                details = {"readings": readings} if readings else {}
                add_visit(session, resident, rng.choice(volunteers), when, outcome, **details)
    return scenario


def pages(scenario) -> list[tuple[str, str]]:
    return [
        ("dashboard", "/"),
        ("area", f"/areas/{scenario.communities['kunwu'].id}"),
        ("residents", "/residents?show=overdue"),
        ("grid", f"/grids/{scenario.grids['kunwu1'].id}"),
        ("resident", f"/residents/{scenario.residents['zhang'].id}"),
        ("visits", f"/visits?day={today_in_china() - timedelta(days=2)}"),
        ("health", "/health"),
        ("conflicts", "/conflicts"),
        ("people", "/people"),
        ("person", f"/people/{scenario.people['vol_b'].id}"),
        ("tablets", "/tablets"),
        ("export", "/export"),
        ("audit", "/audit"),
    ]


BAD_ROSTER = ("网格,姓名,性别,出生年份,地址,居住情况\n"
              "{grid},褚秀珍,女,1942,绿城路5号101,独居\n"
              "{grid},卫德明,男,一九四〇,绿城路5号102,空巢\n"
              "{grid},蒋桂香,女,1944,,独居\n"
              "{grid},韩凤英,女,1939,绿城路5号201,独居、高龄\n")


def shoot(base: str, scenario, out: Path) -> list[Path]:
    saved = []
    for lang, page in pages_in_each_language(base):
        saved.append(snap(page, out, f"web-login-{lang}.png"))
        sign_in(page, None, "street_sup", scenario.password)
        if lang == "zh":  # something in the audit log to show
            page.goto(f"{base}/residents/{scenario.residents['wang'].id}")
        for name, path_ in pages(scenario):
            page.goto(base + path_)
            saved.append(snap(page, out, f"web-{name}-{lang}.png"))
        page.goto(f"{base}/people/{scenario.people['vol_b'].id}")
        page.click("form[action$='/sign-in-sheet'] button")
        page.wait_for_selector("#sign-in-sheet")
        saved.append(snap(page, out, f"web-signin-sheet-{lang}.png"))
        page.goto(f"{base}/import")
        page.set_input_files("input[type=file]", {
            "name": "roster.csv", "mimeType": "text/csv",
            "buffer": BAD_ROSTER.format(grid=scenario.grids["kunwu2"].code).encode()})
        page.click("form[enctype] button.primary")
        page.wait_for_selector("#preview")
        saved.append(snap(page, out, f"web-import-{lang}.png"))
    return saved


def main() -> None:
    shoot_seeded(__doc__.splitlines()[0], seed, shoot)


if __name__ == "__main__":
    main()
