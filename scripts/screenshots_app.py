"""Screenshots of every screen of the tablet app, in Chinese and English, at 800×1280.

Writes ``docs/screenshots/app-<screen>-<zh|en>.png`` for the screens signin, today, resident,
visit (with its dangerous-reading warning and quick checklist: visit-warning, visit-checklist),
note, edit, sync, settings, pin (the unlock code) and duty (我的履职), and the same at the
largest text size as ``app-<screen>-<zh|en>-large.png``. The tablet is filled through a real
(in-process) server with a visit history, one conflict involving this tablet's edit and one
change the server refused, so every part of every screen has something to show; 我的履职 is a
representative's tablet of its own (visits, requests she holds, an adjustment, the ranking).
Runs its own Xvfb. ``--only duty`` shoots 我的履职 alone; ``--language`` one language.

    .venv/bin/python scripts/screenshots_app.py [--out docs/screenshots] [--only duty]
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.device import (FAR_AWAY_SERVER, UNLOCK_CODE, flask_app, record_history,  # noqa: E402
                          seed_server, signed_in_service)
from client.ui import i18n  # noqa: E402
from client.ui.presenters.settings import TEXT_SIZES  # noqa: E402
from shared import vocabulary  # noqa: E402
from testkit.app_driver import AppDriver, tablet_screen  # noqa: E402

SHORT = {"zh_CN": "zh", "en": "en"}


def fill_tablet(workdir: Path) -> tuple[Path, str]:
    """A tablet with 40 residents, history, a conflict and a refused change.
    Returns (data dir, the name of the resident with the conflict)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from client.service import FieldService
    from client.transport import FlaskTransport
    from server.db import make_engine
    from server.models import Assignment
    from testkit.factories import make_person

    url = f"sqlite:///{workdir / 'server.db'}"
    district, person = seed_server(url, 40, grids=3)
    engine = make_engine(url)
    with Session(engine) as session:  # a second volunteer on the same grids, another tablet
        make_person(session, "volunteer2", areas=district.grids, display_name="王建国")
        session.commit()
    app = flask_app(url)
    data_dir = workdir / "tablet"
    tablet = signed_in_service(data_dir, app)
    record_history(tablet)
    other = FieldService(workdir / "other-tablet",
                         transport_factory=lambda _url: FlaskTransport(app))
    other.sign_in(FAR_AWAY_SERVER, "volunteer2", "correct horse", "网格平板 B")
    other.sync()

    residents = tablet.today_list()
    in_grid = {}
    for summary in residents:
        in_grid.setdefault(summary.grid_id, []).append(summary)
    first_grid, last_grid = sorted(in_grid)[0], sorted(in_grid)[-1]
    # Both tablets change the same phone number without seeing each other: a conflict.
    target = in_grid[first_grid][0]
    tablet.edit_resident(target.id, {"phone": "13911112222"})
    other.edit_resident(target.id, {"phone": "13700001111"})
    tablet.add_note(target.id, "女儿下周回来看她，药已经买好。")
    other.sync()
    # An edit to a grid whose assignment then ends long ago: refused, with a reason.
    refused = in_grid[last_grid][0]
    tablet.edit_resident(refused.id, {"care_notes": "最近腿疼，需要陪同去医院。"})
    with Session(engine) as session:
        for assignment in session.scalars(select(Assignment).where(
                Assignment.area_id == last_grid, Assignment.person_id == person.id)):
            assignment.ends_on = date(2021, 1, 1)
        session.commit()
    report = tablet.sync()
    assert report.ok and report.rejected == 1, report
    # A visit recorded offline, so the bar shows something unsent.
    tablet.record_visit(in_grid[first_grid][1].id, "no_answer")
    tablet.close()
    other.close()
    engine.dispose()
    return data_dir, target.name


def shoot(out: Path, language: str, data_dir: Path, conflict_name: str, env: dict,
          workdir: Path, large: bool = False) -> None:
    """Every screen; ``large``: at the largest text size (Settings → 特大), named
    ``app-<screen>-<zh|en>-large.png``."""
    i18n.set_language(language)
    _ = i18n._
    short = SHORT[language] + ("-large" if large else "")
    scale = next(s for code, _t, s in TEXT_SIZES if code == "huge") if large else 1.0

    def path(screen: str) -> Path:
        return out / f"app-{screen}-{short}.png"

    # Sign in, on a fresh tablet, filled in but not sent.
    fresh = workdir / f"fresh-{short}"
    app = AppDriver(fresh, language, env=env, log_path=workdir / f"signin-{short}.log")
    try:
        app.wait_ready()
        app.send(cmd="font_scale", scale=scale)
        app.type("server_url", "http://knockdoor.local:8000")
        app.type("username", "lixiaohong")
        app.type("password", "secret")
        app.type("device_name", "三号网格平板" if language == "zh_CN" else "Grid 3 tablet")
        app.send(cmd="tap_id", id="server_url")
        time.sleep(0.3)
        app.screenshot(path("signin"))
    finally:
        app.close()

    app = AppDriver(data_dir, language, env=env, log_path=workdir / f"app-{short}.log")
    try:
        app.wait_ready()
        app.send(cmd="font_scale", scale=scale)
        app.wait_for_screen("pin")  # a started app asks for the unlock code
        app.type("pin", UNLOCK_CODE[:2])
        time.sleep(0.3)
        app.screenshot(path("pin"))
        app.type("pin", UNLOCK_CODE)
        app.send(cmd="tap_id", id="submit")
        app.wait_for_screen("today")
        app.wait_until(lambda: len(app.rows()["rows"]) > 20, what="the Today list")
        time.sleep(0.5)
        app.screenshot(path("today"))

        app.type("search", conflict_name)
        app.wait_until(lambda: [conflict_name in r["title"] for r in app.rows()["rows"]]
                       == [True], what="the search result")  # not the unfiltered list
        app.tap(conflict_name)
        app.wait_for_screen("resident")
        app.wait_for_text(conflict_name)
        time.sleep(0.4)
        app.screenshot(path("resident"))

        app.tap_id("record_visit")
        app.wait_for_screen("visit")
        app.tap(vocabulary.label("outcome", "met", language))
        app.tap(vocabulary.label("mood", "good", language))
        app.type("pulse", "72")
        app.type("diastolic", "85")
        app.type("systolic", "135")
        # Typing scrolled each field into view; the picture is of the form's top: the outcome
        # buttons and the readings.
        # (A scroll still settling from the last tap can undo one request: ask until the
        # outcome buttons are on screen.)
        def at_top() -> bool:
            app.send(cmd="scroll", id="scroll", to=1)
            time.sleep(0.4)
            return app.shows(_("What happened at the door?")) and \
                app.shows(vocabulary.label("outcome", "met", language))
        app.wait_until(at_top, what="the top of the visit form", interval=0.1)
        time.sleep(0.4)
        app.screenshot(path("visit"))
        # A dangerous reading: said at once, with a one-tap visit tomorrow (issue 12).
        app.type("systolic", "185")
        app.type("diastolic", "110")
        app.wait_for_text(_("Come back tomorrow"))
        time.sleep(0.6)
        app.screenshot(path("visit-warning"))
        app.tap(_("Come back tomorrow"))
        # The quick checklist: one exception written, the rest "no problem"; advice given
        # first, so that the picture is of the whole checklist.
        app.tap(vocabulary.label("advice", "anti_fraud", language))
        app.tap_id("health_concern")
        app.type("health_text", "右膝疼，走路要扶墙；已约社区医生" if language == "zh_CN"
                 else "Right knee hurts, walks holding the wall; community doctor booked")
        time.sleep(0.6)
        app.screenshot(path("visit-checklist"))
        app.back()  # a half-filled visit asks first
        app.wait_for_text(_("This visit is not saved yet"))
        time.sleep(0.3)
        app.screenshot(path("visit-back"))
        app.tap(_("Throw it away and go back"))
        app.wait_for_screen("resident")

        app.tap(_("Add a note"))
        app.wait_for_screen("note")
        app.type("text", "老人说最近睡得不好，想找社区医生看看。" if language == "zh_CN"
                 else "Says she sleeps badly lately; would like the community doctor to call.")
        time.sleep(0.3)
        app.screenshot(path("note"))
        app.back()

        app.tap(_("Edit details"))
        app.wait_for_screen("edit")
        time.sleep(0.4)
        app.screenshot(path("edit"))
        app.back()

        app.send(cmd="open", screen="sync")
        app.wait_for_text(_("Refused by the server ({count})").format(count=1))
        time.sleep(0.4)
        app.screenshot(path("sync"))

        app.send(cmd="open", screen="settings")
        time.sleep(0.5)
        app.screenshot(path("settings"))

    finally:
        app.close()


def fill_duty_tablet(workdir: Path) -> Path:
    """A representative's tablet for 我的履职 (issue 15): weeks of visits and some today, two
    requests she holds (one handed to a department with a deadline), a supervisor's adjustment,
    and her community's ranking shown. Returns its data dir."""
    import uuid
    from datetime import timedelta

    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from client.requests import RequestDesk
    from server import points
    from server.db import make_engine
    from server.models import Person, Resident
    from server.sync.batch import ChangeBatch
    from server.threelists import service, workdays
    from server.threelists.models import Department, ServiceRequest
    from shared import protocol as p
    from shared import requests as r
    from shared.clock import utcnow
    from shared.district_day import district_today, zone_named
    from shared.requests import Actor, Move
    from testkit.factories import make_person
    from testkit.web_scenario import add_visit

    url = f"sqlite:///{workdir / 'duty-server.db'}"
    district, volunteer = seed_server(url, 24, grids=1, username="volunteer-duty")
    engine = make_engine(url)
    with Session(engine) as session:
        grid = district.grids[0]
        rep = make_person(session, "daibiao", p.REPRESENTATIVE, [grid], "张卫东",
                          password="correct horse")
        other = make_person(session, "daibiao2", p.REPRESENTATIVE, [grid], "刘芳")
        boss = make_person(session, "zhuren", p.SUPERVISOR, [grid], "王主任")
        session.add(Department(code="property", name="物业服务中心", active=True))
        residents = list(session.scalars(select(Resident).order_by(Resident.name)))
        now = utcnow()
        for index, resident in enumerate(residents[:6]):
            add_visit(session, resident, other if index % 2 else session.get(
                Person, volunteer.id), now - timedelta(hours=2 + index))
        points.set_show_ranking(session, True, boss.id)
        points.add_adjustment(session, rep.id, 3, "协助社区开展防诈骗宣传", boss.id,
                              now - timedelta(hours=1))
        rep_id, rep_name = rep.id, rep.display_name
        session.commit()
    app = flask_app(url)
    data_dir = workdir / "duty-tablet"
    tablet = signed_in_service(data_dir, app, username="daibiao")
    record_history(tablet, seed=5)
    residents = tablet.today_list()
    for summary in residents[6:10]:  # this month's work: met today
        tablet.record_visit(summary.id, "met")
    desk = RequestDesk(tablet)
    for summary, category, text in ((residents[6], "repairs", "厨房水管漏水，地面常湿"),
                                    (residents[7], "medicine", "降压药快吃完了，需要代买")):
        request_id = desk.raise_request(category, text, resident_id=summary.id)
        desk.claim(request_id, plan="这周内上门处理")
    assert tablet.sync().ok
    with Session(engine) as session:
        item = session.scalars(select(ServiceRequest).where(
            ServiceRequest.category == "repairs")).one()
        department = session.scalars(select(Department)).one()
        today = district_today(utcnow(), zone_named("Asia/Shanghai"))
        service.make_move(session, item, str(uuid.uuid4()),
                          Actor(rep_id, p.REPRESENTATIVE, rep_name), Move(r.HAND_OVER, {
                              "department_id": department.id, "working_days": 5,
                              "due_on": workdays.calendar(session).due_after(today, 5),
                              "text": "请物业派人维修"}),
                          service.Made(utcnow(), utcnow(), service.VIA_WEB))
        batch = ChangeBatch(session)
        service.relog(session, batch, [item])
        service.stamp_versions([item], batch.flush())
        session.commit()
    assert tablet.sync().ok
    tablet.close()
    engine.dispose()
    return data_dir


def shoot_duty(out: Path, language: str, data_dir: Path, env: dict, workdir: Path,
               large: bool = False) -> None:
    """我的履职, offline (the tablet synced while filling it)."""
    i18n.set_language(language)
    _ = i18n._
    short = SHORT[language] + ("-large" if large else "")
    scale = next(s for code, _t, s in TEXT_SIZES if code == "huge") if large else 1.0
    app = AppDriver(data_dir, language, env=env, log_path=workdir / f"duty-{short}.log")
    try:
        app.wait_ready()
        app.send(cmd="font_scale", scale=scale)
        app.unlock(UNLOCK_CODE)
        app.send(cmd="open", screen="duty")
        app.wait_for_text(_("My open tasks"))
        time.sleep(0.6)
        app.screenshot(out / f"app-duty-{short}.png")
    finally:
        app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--only", choices=["duty"], help="shoot this screen alone")
    parser.add_argument("--language", choices=tuple(SHORT), action="append",
                        help="only this language (repeatable; both by default)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tablet_screen() as (env, workdir):
        languages = args.language or tuple(SHORT)
        if args.only is None:
            data_dir, conflict_name = fill_tablet(workdir)
            for language in languages:
                shoot(out, language, data_dir, conflict_name, env, workdir)
                shoot(out, language, data_dir, conflict_name, env, workdir, large=True)
        duty_dir = fill_duty_tablet(workdir)
        for language in languages:
            shoot_duty(out, language, duty_dir, env, workdir)
            shoot_duty(out, language, duty_dir, env, workdir, large=True)
    for png in sorted(out.glob("app-*.png")):
        print(png.relative_to(ROOT) if png.is_relative_to(ROOT) else png)


if __name__ == "__main__":
    main()
