"""The requests tab with the real app, a real window (Xvfb) and a real server process: a
representative claims a request with no signal; when the tablet is back in signal the claim
goes through by itself, and a claim another representative made first is shown as refused,
with who holds the request and since when."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db import make_engine
from server.migrate import upgrade
from server.sync.batch import ChangeBatch
from server.threelists import service
from server.threelists.models import ServiceRequest
from shared import protocol as p
from shared import requests as r
from shared.clock import utcnow
from testkit.factories import PASSWORD, make_district, make_person, make_resident
from testkit.live_server import LiveServer
from testkit.app_driver import AppDriver

pytestmark = pytest.mark.ui


def raise_request(session, grid_id, raiser, description, resident_id=None,
                  hours_ago: int = 0) -> str:
    now = utcnow() - timedelta(hours=hours_ago)
    item = service.raise_request(
        session, str(uuid.uuid4()), str(uuid.uuid4()), grid_id,
        r.Actor(raiser.id, raiser.role, raiser.display_name),
        {"category": "repairs", "description": description, "resident_id": resident_id,
         "channel": "visit"}, service.Made(now, now, service.VIA_WEB))
    batch = ChangeBatch(session)
    service.relog(session, batch, [item])
    service.stamp_versions([item], batch.flush())
    return item.id


@pytest.fixture(scope="module")
def world(tmp_path_factory, kivy_env):
    tmp = tmp_path_factory.mktemp("requests-app")
    url = f"sqlite:///{tmp / 'server.db'}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        grid = make_district(session, streets=1, communities=1, grids=1).grids[0]
        li = make_person(session, "lidaibiao", p.REPRESENTATIVE, [grid], "李代表")
        zhao = make_person(session, "zhaodaibiao", p.REPRESENTATIVE, [grid], "赵代表")
        zhang = make_resident(session, grid, name="张利霞")
        ids = {"light": raise_request(session, grid.id, li, "楼道灯坏了，晚上看不清台阶",
                                      zhang.id, hours_ago=2),
               "pipe": raise_request(session, grid.id, li, "厨房水管漏水")}
        session.commit()
    # 李代表 holds the light already: the pipe is the one request waiting to be claimed.
    _claim_directly({"engine": engine, "zhao": li}, ids["light"])
    server = LiveServer(url).start()
    app = AppDriver(tmp / "tablet", "zh_CN", env=kivy_env, log_path=tmp / "app.log")
    yield {"engine": engine, "server": server, "app": app, "ids": ids, "grid": grid.id,
           "zhao": zhao}
    app.close()
    server.stop()
    engine.dispose()


def test_claim_offline_then_see_who_was_first(world):
    app, server = world["app"], world["server"]
    app.wait_ready()
    app.type("server_url", server.url)
    app.type("username", "lidaibiao")
    app.type("password", PASSWORD)
    app.type("device_name", "李代表的平板")
    app.tap("登录", exact=True)
    app.wait_for_screen("pin")
    app.type("pin", "4821")
    app.type("pin_again", "4821")
    app.tap("保存解锁密码")
    app.wait_for_screen("today")
    app.wait_until(lambda: len(app.rows()["rows"]) == 1, what="the resident")
    # The Today row says the resident has an open request.
    app.wait_until(lambda: "1 条需求单未办结" in app.rows()["rows"][0]["subtitle"],
                   what="the badge of open requests")

    app.tap("需求单", exact=True)
    app.wait_for_screen("requests")
    app.wait_for_text("楼道灯坏了，晚上看不清台阶")
    app.wait_for_text("共 2 条需求单")

    server.stop()  # no signal
    # Meanwhile 赵代表 claims the leaking pipe from his own tablet.
    zhao_claims = _claim_directly(world, world["ids"]["pipe"])
    app.tap("认领", exact=True)  # the pipe's (the only request waiting to be claimed)
    app.wait_for_text("认领人：李代表")
    app.wait_for_text("1 条待上传")

    server.start()  # back in signal: nobody taps anything
    app.wait_until(lambda: app.state()["unsent"] == 0 and not app.state()["syncing"],
                   timeout=60, what="the claim to be sent")
    app.tap_id("tab_open")
    app.wait_for_text("未保存成功：认领", timeout=30)
    app.wait_for_text(f"赵代表在{zhao_claims}先认领了。您写的备注仍保留在需求单上。")
    app.wait_for_text("认领人：赵代表")
    app.tap("知道了，移除")
    app.wait_until(lambda: not app.shows("未保存成功：认领"), what="the refusal dismissed")


def _claim_directly(world, request_id: str) -> str:
    """A representative's claim (赵代表's unless ``world`` names another), as his tablet's push
    would make it; returns its time as the app shows it (today, district time)."""
    from client.ui.presenters.common import format_moment
    with Session(world["engine"]) as session:
        zhao = world["zhao"]
        item = service.lock(session, request_id)
        now = utcnow().replace(microsecond=0)
        service.make_move(session, item, str(uuid.uuid4()),
                          r.Actor(zhao.id, zhao.role, zhao.display_name), r.Move(r.CLAIM),
                          service.Made(now, now, service.VIA_TABLET))
        batch = ChangeBatch(session)
        service.relog(session, batch, [item])
        service.stamp_versions([item], batch.flush())
        session.commit()
        assert session.scalar(select(ServiceRequest.owner_id).where(
            ServiceRequest.id == request_id)) == zhao.id
    return format_moment(now)


def test_raise_a_request_from_a_need_ticked_at_a_visit(world):
    # Builds on the sign-in above.
    app = world["app"]
    app.back()
    app.wait_for_screen("today")
    app.tap("张利霞")
    app.wait_for_screen("resident")
    app.tap("记录走访")
    app.wait_for_screen("visit")
    app.tap("见到本人")
    app.tap("买药", exact=True)  # the need, in the vocabulary's word
    app.tap("保存走访")
    app.wait_for_screen("today")
    app.tap("需求单", exact=True)
    app.wait_for_screen("requests")
    app.wait_for_text("张利霞：买药（走访时勾选）")
    app.tap("为此提出需求单")  # one tap, prefilled
    app.wait_for_text("走访时发现：买药")
    app.wait_until(lambda: not app.shows("张利霞：买药（走访时勾选）"), what="the offer taken")
    app.wait_until(lambda: app.state()["unsent"] == 0 and not app.state()["syncing"],
                   timeout=60, what="the visit and the request to be sent")
    with Session(world["engine"]) as session:
        raised = session.scalars(select(ServiceRequest).where(
            ServiceRequest.category == "medicine")).all()
    assert [(item.channel, item.visit_id is not None) for item in raised] == [("visit", True)]
