"""Screenshots of the tablet's requests tab (issue 14), in Chinese and English, at 800×1280:
the list (with a need ticked at a visit offered as a request, and a request raised with no
signal), and the request of docs/requests.md's "One request, every state" with its history (done again
after "not satisfied", before the last verdict).

    .venv/bin/python scripts/screenshots_requests_app.py [--out docs/screenshots]

Writes app-requests-<zh|en>.png and app-request-history-<zh|en>.png. The tablet is a
representative's, filled through a real (in-process) server; runs its own Xvfb.
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench.device import UNLOCK_CODE, flask_app, signed_in_service  # noqa: E402
from client.ui import i18n  # noqa: E402
from testkit.app_driver import AppDriver, tablet_screen  # noqa: E402

SHORT = {"zh_CN": "zh", "en": "en"}
PASSWORD = "correct horse"


def fill_tablet(workdir: Path) -> tuple[Path, str]:
    """李代表's tablet: the grid's requests, one walked through every state. Returns (data
    dir, the walked request's id)."""
    from sqlalchemy.orm import Session

    from screenshots_requests import walk_every_state
    from server.db import make_engine
    from server.migrate import upgrade
    from server.sync.batch import ChangeBatch
    from server.threelists import service
    from server.threelists.models import Department, DepartmentStaff
    from shared import protocol as p
    from shared import requests as r
    from shared.clock import utcnow
    from shared.requests import Actor, Move
    from testkit.factories import make_district, make_person, make_resident

    url = f"sqlite:///{workdir / 'server.db'}"
    upgrade(url)
    engine = make_engine(url)
    now = utcnow()
    with Session(engine, expire_on_commit=False) as session:
        tree = make_district(session, streets=1, communities=1, grids=1)
        grid = tree.grids[0]
        people = {key: make_person(session, username, role, areas, name, password=PASSWORD)
                  for key, username, role, areas, name in (
                      ("vol", "wang", p.VOLUNTEER, [grid], "王建国"),
                      ("rep", "li", p.REPRESENTATIVE, [grid], "李代表"),
                      ("sup", "zhang", p.SUPERVISOR, [tree.communities[0]], "张书记"),
                      ("clerk", "fang", r.DEPARTMENT, [], "住建局 周科长"))}
        housing = Department(code="housing", name="区住房和城乡建设局", active=True)
        session.add(housing)
        session.flush()
        session.add(DepartmentStaff(person_id=people["clerk"].id, department_id=housing.id))
        actor = {key: Actor(person.id, person.role, person.display_name,
                            housing.id if key == "clerk" else None)
                 for key, person in people.items()}
        residents = [make_resident(session, grid, name=name, address=address)
                     for name, address in (("张利霞", "长庆路12号院3号楼2单元401"),
                                           ("王秀英", "长庆路12号院5号楼1单元202"),
                                           ("李桂兰", "建设路51号院2号楼4单元202"))]
        # Done again after "not satisfied": at the door for the last verdict (a closed
        # request leaves the tablet's lists; the web view shows it closed).
        walk = walk_every_state(session, grid, residents[0], actor, housing.id,
                                now - timedelta(days=9), closed=False)
        moved = [walk]
        for hours, resident, text, category, steps in (
                (30, residents[1], "降压药快吃完了，子女不在身边，需要代买", "medicine",
                 [(actor["rep"], Move(r.CLAIM, {"plan": "明天上午去药店"}))]),
                (5, None, "楼道灯坏了，晚上看不清台阶", "repairs", []),
                (60, residents[2], "想申请社区助餐送餐上门", "meals",
                 [(actor["rep"], Move(r.CLAIM)),
                  (actor["sup"], Move(r.HAND_OVER, {
                      "department_id": housing.id, "working_days": 5,
                      "due_on": (now + timedelta(days=3)).date(), "text": "请协助办理"}))])):
            at = now - timedelta(hours=hours)
            item = service.raise_request(
                session, str(uuid4()), str(uuid4()), grid.id, actor["vol"],
                {"category": category, "description": text, "channel": "visit",
                 "resident_id": resident.id if resident else None},
                service.Made(at, at, service.VIA_TABLET))
            for who, move in steps:
                at += timedelta(hours=1)
                service.make_move(session, item, str(uuid4()), who, move,
                                  service.Made(at, at, service.VIA_TABLET))
            moved.append(item)
        batch = ChangeBatch(session)
        service.relog(session, batch, moved)
        service.stamp_versions(moved, batch.flush())
        session.commit()
        walk_id = walk.id
    engine.dispose()
    data_dir = workdir / "tablet"
    tablet = signed_in_service(data_dir, flask_app(url), username="li", password=PASSWORD,
                               device_name="李代表的平板")
    # With no signal: a visit with a need ticked (offered as a request), and a request raised.
    from client.requests import RequestDesk
    tablet.record_visit(residents[2].id, "met", needs=["cleaning"])
    RequestDesk(tablet).raise_request("safety_hazard", "三号楼燃气软管老化，有异味",
                                      grid_id=grid.id, channel="walk")
    tablet.close()
    return data_dir, walk_id


def uuid4() -> str:
    import uuid
    return str(uuid.uuid4())


def shoot(out: Path, language: str, data_dir: Path, walk_id: str, env: dict,
          workdir: Path) -> None:
    i18n.set_language(language)
    _ = i18n._
    short = SHORT[language]
    app = AppDriver(data_dir, language, env=env, log_path=workdir / f"app-{short}.log")
    try:
        app.wait_ready()
        app.unlock(UNLOCK_CODE)
        app.tap(_("Requests"), exact=True)
        app.wait_for_screen("requests")
        app.wait_for_text(_("Raise a request for it"))
        time.sleep(0.5)
        app.screenshot(out / f"app-requests-{short}.png")
        app.send(cmd="open", screen="requests", params={"focus": walk_id})
        history = _("History ({count})").format(count=9)
        app.wait_for_text(history)
        app.tap(history, exact=True)
        app.wait_for_text(_("Hide the history"))
        time.sleep(0.5)
        app.screenshot(out / f"app-request-history-{short}.png")
    finally:
        app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tablet_screen() as (env, workdir):
        data_dir, walk_id = fill_tablet(workdir)
        for language in ("zh_CN", "en"):
            shoot(out, language, data_dir, walk_id, env, workdir)
    for png in sorted(out.glob("app-request*.png")):
        print(png.relative_to(ROOT) if png.is_relative_to(ROOT) else png)


if __name__ == "__main__":
    main()
