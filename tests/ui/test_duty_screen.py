"""我的履职 with the real app in a real window (Xvfb) against a real server process: after the
first sync the screen shows the points the shared core gives from what the tablet pulled, the
same as the server's (issue 15)."""
from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from server.db import make_engine
from server.migrate import upgrade
from shared import protocol as p
from shared.clock import utcnow
from shared.district_day import day_start, district_today, zone_named
from testkit.app_driver import AppDriver
from testkit.factories import PASSWORD, make_district, make_person, make_resident
from testkit.live_server import LiveServer
from testkit.web_scenario import add_visit

pytestmark = pytest.mark.ui
CHINA = zone_named("Asia/Shanghai")


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_my_duty_shows_this_months_points_offline(tmp_path, kivy_env, lang):
    url = f"sqlite:///{tmp_path / 'server.db'}"
    upgrade(url)
    engine = make_engine(url)
    # Midnight of the district's today: always today, this month and this year, whatever the hour.
    at = day_start(district_today(utcnow(), CHINA), CHINA)
    with Session(engine) as session:
        district = make_district(session, streets=1, communities=1, grids=1)
        person = make_person(session, "xiaohong", areas=[district.grids[0]],
                             display_name="李晓红")
        for name, situation in (("张利霞", [p.ALONE]), ("王秀英", [])):
            resident = make_resident(session, district.grids[0], name=name,
                                     living_situation=situation, birth_year=1950)
            session.flush()
            add_visit(session, resident, person, at)  # through the change log, as a push
        session.commit()
    server = LiveServer(url).start()
    app = AppDriver(tmp_path / "tablet", lang, env=kivy_env, log_path=tmp_path / "app.log")
    try:
        app.wait_ready()
        app.type("server_url", server.url)
        app.type("username", "xiaohong")
        app.type("password", PASSWORD)
        app.type("device_name", "平板")
        app.tap("登录" if lang == "zh_CN" else "Sign in", exact=True)
        app.wait_for_screen("pin")
        app.type("pin", "4821")
        app.type("pin_again", "4821")
        app.tap("保存解锁密码" if lang == "zh_CN" else "Save unlock code")
        app.wait_for_screen("today")
        app.wait_until(lambda: len(app.rows()["rows"]) == 2, what="two residents")
        server.stop()  # offline from here on
        app.tap("我的履职" if lang == "zh_CN" else "My duty", exact=True)
        app.wait_for_screen("duty")
        if lang == "zh_CN":
            app.wait_for_text("本月积分：5")  # 2 + 1 (张利霞 lives alone) + 2
            app.wait_for_text("走访见到本人：4")
        else:
            app.wait_for_text("Points this month: 5")
        # docs/screenshots/app-duty-*.png were copied from here once (a test leaves the tree be)
        app.screenshot(tmp_path / f"app-duty-{'zh' if lang == 'zh_CN' else 'en'}.png")
    finally:
        app.close()
        server.stop()
        engine.dispose()
