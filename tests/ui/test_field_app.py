"""A volunteer's day with the real app, a real window (Xvfb) and a real server process.

One app process runs through the tests of this module in order, as one person would: sign in,
find a resident by pinyin initials, record a visit with no signal, watch it sync by itself when
the server is back, read why a change was refused, and be sent back to sign-in when the tablet
is revoked. (They share the app to keep the suite quick; each says what it builds on.)
"""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from client.encryption import Keyring, cipher_module
from client.store import SqliteStore
from server.models import Area, Assignment, Device, Person, Visit
from shared import protocol as p
from testkit.factories import PASSWORD, make_district, make_person, make_resident
from testkit.app_driver import AppDriver
from testkit.app_world import app_and_server, killed_and_unlocked, server_database

pytestmark = pytest.mark.ui


@pytest.fixture(scope="module")
def world(tmp_path_factory, kivy_env):
    tmp = tmp_path_factory.mktemp("field-app")
    url, engine = server_database(tmp)
    with Session(engine, expire_on_commit=False) as session:
        district = make_district(session, streets=1, communities=1, grids=2)
        home, other = district.grids
        make_person(session, "xiaohong", areas=[home, other], display_name="李晓红")
        people = {name: make_resident(session, home, name=name, safety_devices=devices)
                  for name, devices in (("张利霞", []), ("王秀英", []),
                                        ("李桂兰", ["gas_alarm"]), ("陈玉珍", []))}
        people["刘德华"] = make_resident(session, other, name="刘德华", phone="13800000000")
        session.commit()
    with app_and_server(url, engine, tmp, kivy_env) as (server, app):
        world = {"url": url, "engine": engine, "server": server, "app": app, "tmp": tmp,
                 "env": kivy_env,
                 "ids": {name: r.id for name, r in people.items()}, "other_grid": other.id}
        yield world


def tap_resident(app: AppDriver, name: str) -> None:
    # the searched list, not the one from before the search (its rows are about to go)
    app.wait_until(lambda: [name in row["title"] for row in app.rows()["rows"]] == [True],
                   what=f"only {name} in the Today list")
    app.tap(name)
    app.wait_for_screen("resident")
    app.wait_for_text(name)


def test_sign_in_wrong_password_then_right(world):
    app = world["app"]
    app.wait_ready()
    assert app.screen() == "signin"
    app.type("server_url", world["server"].url)
    app.type("username", "xiaohong")
    app.type("password", "wrong password")
    app.type("device_name", "三号网格平板")
    app.tap("登录", exact=True)
    app.wait_for_text("用户名或密码不对")
    assert app.screen() == "signin"

    app.type("password", PASSWORD)
    app.tap("登录", exact=True)
    # First sign-in on this tablet: choose the unlock code.
    app.wait_for_screen("pin")
    app.wait_for_text("设定解锁密码")
    app.type("pin", "4821")
    app.type("pin_again", "4812")
    app.tap("保存解锁密码")
    app.wait_for_text("两次输入的不一样。")
    app.type("pin_again", "4821")
    app.tap("保存解锁密码")
    app.wait_for_screen("today")
    # The first sync starts by itself and fills the list.
    app.wait_until(lambda: len(app.rows()["rows"]) == 5, what="five residents")
    app.wait_for_text("在线 · 全部已上传")
    # Never visited, all five are due: one group, under its header with the count.
    app.wait_until(lambda: [row["header"] for row in app.rows()["rows"] if row["header"]] in
                   (["已逾期 · 5 位"], ["今天要访 · 5 位"]), what="one group header")
    app.wait_until(lambda: any(text.endswith(" · 5 位") for text in app.texts()),
                   what="the header drawn")


def test_the_app_locks_behind_the_unlock_code_when_idle(world):
    app = world["app"]
    app.send(cmd="idle", minutes=10)  # nobody touched it for ten minutes
    app.wait_for_screen("pin")
    app.wait_for_text("李晓红，请输入解锁密码。")
    assert not any("张利霞" in text for text in app.texts())  # nothing personal shows
    app.type("pin", "0000")
    app.tap("解锁", exact=True)
    app.wait_for_text("解锁密码不对，还可以试 4 次。")
    assert app.screen() == "pin"
    app.type("pin", "4821")
    app.tap("解锁", exact=True)
    app.wait_for_screen("today")
    app.wait_until(lambda: len(app.rows()["rows"]) == 5, what="the list again")


def test_find_by_pinyin_initials(world):
    app = world["app"]
    app.type("search", "zlx")
    app.wait_until(lambda: [row["title"].split()[0] for row in app.rows()["rows"]] == ["张利霞"],
                   what="only 张利霞")
    app.type("search", "")
    app.wait_until(lambda: len(app.rows()["rows"]) == 5, what="the whole list again")


def test_visit_without_signal_syncs_by_itself(world):
    app, server = world["app"], world["server"]
    server.stop()  # into the stairwell: no signal

    # A routine "met, all well" visit: row, Record a visit, Met, Save (four taps).
    app.type("search", "zlx")
    tap_resident(app, "张利霞")
    app.tap("记录走访")
    app.wait_for_screen("visit")
    app.tap("见到本人")
    app.tap("保存走访")
    app.wait_for_screen("today")
    app.wait_for_text("已保存：张利霞 的走访")
    app.wait_for_text("1 条待上传")  # on the row and in the status bar
    app.wait_until(lambda: app.state()["online"] is False and not app.state()["syncing"],
                   timeout=40, what="the app to notice there is no signal")
    assert app.state()["unsent"] == 1
    assert any("离线" in text for text in app.texts())

    # A change the server will refuse: an edit to a resident of a grid whose assignment is
    # then ended long ago (so even the grace period is over).
    app.type("search", "ldh")
    tap_resident(app, "刘德华")
    app.tap("修改资料")
    app.wait_for_screen("edit")
    app.type("phone", "13911112222")
    app.tap("保存修改")
    app.wait_for_screen("resident")
    app.back()
    app.type("search", "")
    with Session(world["engine"]) as session:
        person = session.scalar(select(Person).where(Person.username == "xiaohong"))
        for assignment in session.scalars(select(Assignment).where(
                Assignment.person_id == person.id, Assignment.area_id == world["other_grid"])):
            assignment.ends_on = date(2021, 1, 1)
        session.commit()

    server.start()  # back in signal: nobody taps anything
    app.wait_until(lambda: app.state()["unsent"] == 0 and not app.state()["syncing"],
                   timeout=60, what="the outbox to empty by itself")
    with Session(world["engine"]) as session:
        visits = session.scalars(select(Visit).where(
            Visit.resident_id == world["ids"]["张利霞"])).all()
    assert [visit.outcome for visit in visits] == [p.MET]


def test_refused_change_shows_its_reason(world):
    app = world["app"]
    app.tap("全部已上传")  # the status bar opens the Sync screen
    app.wait_for_screen("sync")
    app.wait_for_text("未保存成功的修改（1）")
    # (the resident's name is gone with its grid, evicted in the same sync)
    app.wait_for_text("修改资料：联系电话")
    # In the volunteer's words, with what to do; never the server's English sentence.
    with Session(world["engine"]) as session:  # the server names the grid; never its id
        grid_name = session.get(Area, world["other_grid"]).name
    app.wait_for_text(f"你已不再负责{grid_name}，这条修改没有保存。")
    app.wait_for_text("请联系社区核对你的负责区域")
    assert not any("assigned" in text or "原因：" in text for text in app.texts())
    # The grid left the tablet with its assignment; its resident is gone from the list.
    app.back()
    app.wait_until(lambda: len(app.rows()["rows"]) == 4, what="grid 2 evicted")


def local_rows(world, sql: str) -> list[tuple]:
    """Rows of the tablet's own (encrypted) store, read beside the running app."""
    database = world["tmp"] / "tablet" / "knockdoor-local.db"
    connection = Keyring(database, cipher_module()).connect()
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def settled(world) -> list[str]:
    return [row[0] for row in local_rows(
        world, "SELECT outcome FROM settled_rejections ORDER BY settled_at, seq")]


def refused_op_ids(world) -> list[str]:
    return [row[0] for row in local_rows(
        world, "SELECT op_id FROM outbox WHERE state = 'rejected'")]


def test_refused_change_sent_again_then_dismissed(world):
    # Builds on the refused phone edit above (its grid's assignment ended long ago).
    app = world["app"]
    app.tap("全部已上传")
    app.wait_for_screen("sync")
    app.wait_for_text("未保存成功的修改（1）")
    [first] = refused_op_ids(world)
    app.tap("重新上传这条修改")
    # Sent again as a new change, and refused again with the same reason.
    app.wait_until(lambda: settled(world) == ["resubmitted"] and
                   refused_op_ids(world) not in ([], [first]), timeout=60,
                   what="the change to be sent again and refused again")
    app.wait_for_text("未保存成功的修改（1）")
    app.tap("知道了，从列表移除")
    app.wait_for_text("未保存成功的修改（0）")
    assert settled(world) == ["resubmitted", "dismissed"] and refused_op_ids(world) == []
    app.back()


def test_a_half_filled_visit_asks_on_back_and_survives_the_app_being_killed(world):
    app = world["app"]
    app.type("search", "lgl")
    tap_resident(app, "李桂兰")
    app.tap("记录走访")
    app.wait_for_screen("visit")
    app.tap("见到本人")
    app.type("systolic", "185")
    app.type("diastolic", "100")
    app.tap("故障")  # her gas alarm (a row made for her devices)
    app.back()  # 返回 (or the tablet's back key) on a half-filled form asks first
    app.wait_for_text("这次走访还没有保存")
    assert app.screen() == "visit"
    app.tap("继续填写")
    assert app.screen() == "visit" and app.field("systolic") == "185"
    app.back()
    app.tap("保留草稿，返回")
    app.wait_for_screen("resident")

    app = killed_and_unlocked(world, "4821")  # the tablet dies on the stairs
    app.type("search", "lgl")
    tap_resident(app, "李桂兰")
    app.tap("记录走访")
    app.wait_for_screen("visit")
    app.wait_for_text("已恢复上次填写的内容")
    assert (app.field("systolic"), app.field("diastolic")) == ("185", "100")
    app.tap("保存走访")  # the outcome came back too: it saves
    app.wait_for_screen("today")
    app.wait_until(lambda: local_rows(world, "SELECT count(*) FROM drafts") == [(0,)],
                   what="the draft gone once saved")

    def delivered():
        with Session(world["engine"]) as session:  # one short read each time: no lock held
            return [(visit.details.get("readings"), visit.details.get("safety_checks"))
                    for visit in session.scalars(select(Visit).where(
                        Visit.resident_id == world["ids"]["李桂兰"]))]
    assert app.wait_until(delivered, timeout=40, what="the visit delivered") == [
        ({"systolic": 185, "diastolic": 100}, {"gas_alarm": "faulty"})]


def test_an_expired_sign_in_goes_back_to_sign_in_and_keeps_the_visit(world):
    app, server = world["app"], world["server"]
    server.stop()  # a visit with no signal...
    app.type("search", "wxy")
    tap_resident(app, "王秀英")
    app.tap("记录走访")
    app.wait_for_screen("visit")
    app.tap("见到本人")
    app.tap("保存走访")
    app.wait_for_screen("today")
    app.wait_for_text("1 条待上传")
    with Session(world["engine"]) as session:  # ...and a tablet not seen for years
        for device in session.scalars(select(Device)):
            device.last_seen_at = datetime(2020, 1, 1, tzinfo=timezone.utc)
        session.commit()
    server.start()  # back in signal: the sync is refused, not wiped
    app.wait_for_screen("signin", timeout=60)
    app.wait_for_text("这台平板很久没有联网了")
    with Session(world["engine"]) as session:
        assert session.scalars(select(Visit).where(
            Visit.resident_id == world["ids"]["王秀英"])).all() == []

    app.type("password", PASSWORD)  # the rest is remembered
    app.tap("登录", exact=True)
    app.choose_pin()

    def delivered():
        with Session(world["engine"]) as session:
            return [visit.outcome for visit in session.scalars(select(Visit).where(
                Visit.resident_id == world["ids"]["王秀英"]))]
    assert app.wait_until(delivered, timeout=40, what="the kept visit sent") == [p.MET]
    app.wait_until(lambda: app.state()["unsent"] == 0, what="nothing unsent")


def test_revoked_device_returns_to_sign_in_wiped(world):
    app = world["app"]
    with Session(world["engine"]) as session:
        for device in session.scalars(select(Device)):
            device.revoked_at = datetime.now(timezone.utc)
        session.commit()
    app.tap("全部已上传")
    app.wait_for_screen("sync")
    app.tap("马上上传")
    app.wait_for_screen("signin", timeout=30)
    app.wait_for_text("这台平板已被停用")
    store = SqliteStore(world["tmp"] / "tablet" / "knockdoor-local.db")
    try:
        with store.reading() as db:
            assert db.execute("SELECT count(*) FROM residents").fetchone()[0] == 0
            assert db.execute("SELECT count(*) FROM visits").fetchone()[0] == 0
            assert db.execute("SELECT value FROM meta WHERE key = 'token'").fetchone() is None
    finally:
        store.close()
