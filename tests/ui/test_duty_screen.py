"""我的履职 with the real app in a real window (Xvfb) against a real server process: after the
first sync, offline, the screen shows the points the shared core gives from what the tablet
pulled (visits, a request, a supervisor's adjustment), my open tasks (a tap opens the request
first on the Requests screen), my three rates, and my place in my community's ranking, which
the district shows (issue 15)."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from server import points
from server.db import make_engine
from server.migrate import upgrade
from server.sync.batch import ChangeBatch
from server.threelists import service
from server.threelists.models import Department
from shared import protocol as p
from shared import requests as r
from shared.clock import utcnow
from shared.district_day import day_start, district_today, zone_named
from shared.requests import Actor, Move
from testkit.app_driver import AppDriver
from testkit.factories import PASSWORD, make_district, make_person, make_resident
from testkit.live_server import LiveServer
from testkit.web_scenario import add_visit

pytestmark = pytest.mark.ui
CHINA = zone_named("Asia/Shanghai")


def seed(url: str) -> None:
    """李晓红 (a representative) met two residents and raised and claimed two requests (one
    handed to a department with a deadline) at midnight of the district's today (always today,
    this month and this year, whatever the hour); her supervisor added 3 points; 王建国 of the
    same grid met a third resident; the district shows rankings."""
    engine = make_engine(url)
    at = day_start(district_today(utcnow(), CHINA), CHINA)
    with Session(engine) as session:
        district = make_district(session, streets=1, communities=1, grids=1)
        grid = district.grids[0]
        person = make_person(session, "xiaohong", p.REPRESENTATIVE, [grid], "李晓红")
        other = make_person(session, "jianguo", p.REPRESENTATIVE, [grid], "王建国")
        boss = make_person(session, "boss", p.SUPERVISOR, [grid], "刘主任")
        residents = {}
        for name, categories in (("张利霞", [p.ALONE]), ("王秀英", []), ("陈玉珍", [])):
            residents[name] = make_resident(session, grid, name=name,
                                            care_categories=categories, birth_year=1950)
        session.flush()
        for name, who in (("张利霞", person), ("王秀英", person), ("陈玉珍", other)):
            add_visit(session, residents[name], who, at)  # through the change log, as a push
        department = Department(code="property", name="物业服务中心", active=True)
        session.add(department)
        session.flush()
        me = Actor(person.id, person.role, person.display_name)
        made = service.Made(at, at, service.VIA_TABLET)
        touched = []
        for description, resident, hand_over in (("厨房水管漏水", "张利霞", True),
                                                 ("楼道灯坏了", None, False)):
            item = service.raise_request(
                session, str(uuid.uuid4()), str(uuid.uuid4()), grid.id, me,
                {"category": "repairs", "description": description, "channel": "visit",
                 "resident_id": residents[resident].id if resident else None}, made)
            service.make_move(session, item, str(uuid.uuid4()), me, Move(r.CLAIM), made)
            if hand_over:
                service.make_move(session, item, str(uuid.uuid4()), me, Move(r.HAND_OVER, {
                    "department_id": department.id, "working_days": 5,
                    "due_on": district_today(utcnow(), CHINA) + timedelta(days=7)}), made)
            touched.append(item)
        batch = ChangeBatch(session)
        service.relog(session, batch, touched)
        service.stamp_versions(touched, batch.flush())
        points.add_adjustment(session, person.id, 3, "协助社区排查燃气隐患", boss.id, at)
        points.set_show_ranking(session, True, boss.id)
        session.commit()
    engine.dispose()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_my_duty_offline_points_tasks_rates_and_ranking(tmp_path, kivy_env, lang):
    zh = lang == "zh_CN"
    url = f"sqlite:///{tmp_path / 'server.db'}"
    upgrade(url)
    seed(url)
    server = LiveServer(url).start()
    app = AppDriver(tmp_path / "tablet", lang, env=kivy_env, log_path=tmp_path / "app.log")
    try:
        app.wait_ready()
        app.type("server_url", server.url)
        app.type("username", "xiaohong")
        app.type("password", PASSWORD)
        app.type("device_name", "平板")
        app.tap("登录" if zh else "Sign in", exact=True)
        app.wait_for_screen("pin")
        app.type("pin", "4821")
        app.type("pin_again", "4821")
        app.tap("保存解锁密码" if zh else "Save unlock code")
        app.wait_for_screen("today")
        app.wait_until(lambda: len(app.rows()["rows"]) == 3, what="three residents")
        server.stop()  # offline from here on
        app.tap("我的履职" if zh else "My duty", exact=True)
        app.wait_for_screen("duty")
        # Visits 2 + 1 (张利霞 lives alone) + 2, two requests raised 2, the supervisor's 3.
        if zh:
            app.wait_for_text("本月积分：10")
            for text in ("走访见到本人：4", "主管调整：3", "提出需求单：2", "维修  张利霞",
                         "响应率：100%（2/2 件）", "办结率：—（0/0 件）",
                         "第 1 名　李晓红：10 分（我）", "第 2 名　王建国：2 分",
                         "协助社区排查燃气隐患"):
                app.wait_for_text(text)
        else:
            app.wait_for_text("Points this month: 10")
            for text in ("Adjustment by a supervisor: 3", "Repairs  张利霞",
                         "Response rate: 100% (2 of 2)", "1. 李晓红: 10 (me)"):
                app.wait_for_text(text)
        # docs/screenshots/app-duty-*.png come from scripts/screenshots_app.py (a test leaves
        # the tree be); this one is for whoever reads a failure.
        app.screenshot(tmp_path / f"app-duty-{'zh' if zh else 'en'}.png")
        # The task with the deadline comes first (the driver lists a box's widgets from the
        # bottom up, as Kivy keeps them: the last listed is the top one); a tap on the other
        # opens it first on the Requests screen.
        tasks = [t for t in app.texts() if ("维修" if zh else "Repairs") in t]
        assert len(tasks) == 2 and "张利霞" in tasks[-1], tasks
        app.tap(tasks[0], exact=True)
        app.wait_for_screen("requests")
        app.wait_for_text("楼道灯坏了")
        shown = app.texts()
        assert shown.index("楼道灯坏了") > shown.index("厨房水管漏水"), shown
    finally:
        app.close()
        server.stop()
