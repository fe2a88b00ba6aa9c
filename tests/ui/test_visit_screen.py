"""The visit screen with the real app (Xvfb) and a real server process: a routine visit stays a
handful of taps (counted), a dangerous reading is said at once on the screen, the checklist
takes only exceptions, a phone call takes no readings, an emergency needs what was done, and a
half-filled visit keeps its method, checklist and advice across the app being killed.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db import make_engine
from server.migrate import upgrade
from server.models import Visit
from shared import protocol as p
from shared.district_day import district_today, zone_or_default
from testkit.app_driver import AppDriver
from testkit.app_world import killed_and_unlocked
from testkit.factories import PASSWORD, make_district, make_person, make_resident
from testkit.live_server import LiveServer

pytestmark = pytest.mark.ui

PIN = "4821"
#: Taps of a routine visit (met, chat, normal blood pressure, save) from the Today list: the
#: row, 记录走访, 见到本人, the two blood-pressure fields, 聊天陪伴, 保存走访.
ROUTINE_TAPS = 7


@pytest.fixture(scope="module")
def world(tmp_path_factory, kivy_env):
    tmp = tmp_path_factory.mktemp("visit-screen")
    url = f"sqlite:///{tmp / 'server.db'}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        [home] = make_district(session, streets=1, communities=1, grids=1).grids
        make_person(session, "xiaoli", areas=[home], display_name="王晓丽")
        people = {name: make_resident(session, home, name=name, safety_devices=devices)
                  for name, devices in (("张利霞", []), ("王秀英", ["fall_alarm"]),
                                        ("李桂兰", []), ("陈玉珍", []))}
        session.commit()
    server = LiveServer(url).start()
    app = AppDriver(tmp / "tablet", "zh_CN", env=kivy_env, log_path=tmp / "app.log")
    world = {"engine": engine, "server": server, "app": app, "tmp": tmp, "env": kivy_env,
             "ids": {name: r.id for name, r in people.items()}}
    yield world
    world["app"].close()
    server.stop()
    engine.dispose()


def signed_in(world) -> AppDriver:
    app = world["app"]
    app.wait_ready()
    if app.screen() != "signin":
        return app
    app.type("server_url", world["server"].url)
    app.type("username", "xiaoli")
    app.type("password", PASSWORD)
    app.type("device_name", "一号网格平板")
    app.tap("登录", exact=True)
    app.wait_for_screen("pin")
    app.type("pin", PIN)
    app.type("pin_again", PIN)
    app.tap("保存解锁密码")
    app.wait_for_screen("today")
    app.wait_until(lambda: len(app.rows()["rows"]) == 4, what="four residents")
    return app


def open_visit(app: AppDriver, initials: str, name: str) -> None:
    """Find the resident (not counted: the search), tap the row and 记录走访."""
    app.type("search", initials)
    app.wait_until(lambda: [name in row["title"] for row in app.rows()["rows"]] == [True],
                   what=f"only {name} in the list")
    app.tap(name)
    app.wait_for_screen("resident")
    app.wait_for_text(name)
    app.tap("记录走访")
    app.wait_for_screen("visit")


def delivered(world, name: str) -> Visit:
    """The resident's one visit on the server, once the app has sent it by itself."""
    app = world["app"]
    app.wait_until(lambda: app.state()["unsent"] == 0 and not app.state()["syncing"],
                   timeout=60, what="the visit to be sent")

    def found():
        with Session(world["engine"]) as session:
            return session.scalars(select(Visit).where(
                Visit.resident_id == world["ids"][name])).all()
    [visit] = app.wait_until(found, timeout=30, what=f"{name}'s visit on the server")
    return visit


def test_a_routine_visit_is_seven_taps(world):
    app = signed_in(world)
    app.type("search", "zlx")
    app.wait_until(lambda: len(app.rows()["rows"]) == 1, what="only 张利霞")
    app.taps = 0
    app.tap("张利霞")
    app.wait_for_screen("resident")
    app.tap("记录走访")
    app.wait_for_screen("visit")
    app.tap("见到本人")
    app.type("systolic", "132")
    app.type("diastolic", "84")
    app.tap("聊天陪伴")
    app.tap("保存走访")
    app.wait_for_screen("today")
    app.wait_for_text("已保存：张利霞 的走访")
    print(f"\nroutine visit (met, chat, normal blood pressure, save): {app.taps} taps")
    assert app.taps == ROUTINE_TAPS
    visit = delivered(world, "张利霞")
    assert visit.outcome == p.MET
    assert visit.details["readings"] == {"systolic": 132, "diastolic": 84}
    assert visit.details["services"] == ["chat"]
    # untouched, the new parts say "a door visit, nothing to note": nothing extra is sent
    assert not visit.details.keys() & {"method", "checklist", "advice", "emergency_action"}


def visit_day(visit: Visit) -> date:
    return district_today(visit.visited_at, zone_or_default(None))


def test_a_dangerous_reading_is_said_at_once_and_proposes_tomorrow(world):
    app = signed_in(world)
    open_visit(app, "wxy", "王秀英")
    assert app.shows("走访方式")
    app.tap("见到本人")
    app.wait_for_text("走访内容")
    assert app.shows("无问题")  # the checklist, untouched
    app.type("systolic", "185")
    app.type("diastolic", "110")
    # said on the screen as it is typed, before anything is saved
    app.wait_for_text("收缩压 185 mmHg，偏高（警戒值 180）。")
    app.wait_for_text("舒张压 110 mmHg，偏高（警戒值 110）。")
    app.wait_for_text("请让老人休息5分钟后再测一次；如果仍然这样，请联系家人或拨打120。")
    assert app.screen() == "visit"
    app.tap("约明天回访")  # the proposal: one tap
    app.wait_for_text("已约明天回访")
    # an exception on the checklist, advice given, her fall alarm checked
    app.tap_id("home_safety_concern")
    app.type("home_safety_text", "燃气灶打火不灵")
    app.tap("防诈骗提醒")
    app.tap("正常", exact=True)
    app.tap("保存走访")
    app.wait_for_screen("today")
    visit = delivered(world, "王秀英")
    details = visit.details
    assert details["readings"] == {"systolic": 185, "diastolic": 110}
    assert details["checklist"] == {"home_safety": "燃气灶打火不灵"}
    assert details["advice"] == ["anti_fraud"]
    assert details["safety_checks"] == {"fall_alarm": "ok"}
    assert date.fromisoformat(details["follow_up_on"]) == visit_day(visit) + timedelta(days=1)
    assert "method" not in details  # a door visit, the default


def test_a_phone_call_takes_no_readings(world):
    app = signed_in(world)
    open_visit(app, "lgl", "李桂兰")
    app.tap("见到本人")
    app.wait_for_text("血压")
    app.tap("电话", exact=True)
    app.wait_until(lambda: not app.shows("血压"), what="the readings to go")
    assert app.shows("走访内容")  # the checklist is asked over the phone too
    app.tap("讲解政策")
    app.tap("保存走访")
    app.wait_for_screen("today")
    details = delivered(world, "李桂兰").details
    assert details["method"] == "phone" and details["advice"] == ["policy"]
    assert "readings" not in details and "safety_checks" not in details


def test_an_emergency_needs_what_was_done_and_survives_the_app_being_killed(world):
    app = signed_in(world)
    open_visit(app, "cyz", "陈玉珍")
    app.tap("保存走访")  # nothing chosen yet
    app.wait_for_text("请先选择上门情况。")
    app.tap("发现紧急情况并已处置")
    app.tap("保存走访")
    app.wait_for_text("请写下对紧急情况做了哪些处置。")
    assert app.screen() == "visit"
    app.type("emergency_action", "老人摔倒，已拨打120，通知了女儿")
    app.tap_id("health_concern")
    app.tap("保存走访")  # marked 有情况 but not written: asked for
    app.wait_for_text("请写明身体状况有什么情况，或点“无问题”。")
    app.type("health_text", "摔倒后右腿疼")
    app.tap("防诈骗提醒")
    app.back()
    app.tap("保留草稿，返回")
    app.wait_for_screen("resident")

    app = killed_and_unlocked(world, PIN)  # the tablet dies on the stairs
    open_visit(app, "cyz", "陈玉珍")
    app.wait_for_text("已恢复上次填写的内容")
    assert app.field("emergency_action") == "老人摔倒，已拨打120，通知了女儿"
    assert app.field("health_text") == "摔倒后右腿疼"
    app.tap("保存走访")
    app.wait_for_screen("today")
    visit = delivered(world, "陈玉珍")
    assert visit.outcome == p.EMERGENCY
    assert visit.details["emergency_action"] == "老人摔倒，已拨打120，通知了女儿"
    assert visit.details["checklist"] == {"health": "摔倒后右腿疼"}
    assert visit.details["advice"] == ["anti_fraud"]
