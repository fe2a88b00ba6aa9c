"""Screenshots of the three lists' web pages (issue 14), in Chinese and English: the requests
board, a request walked through every state with its timeline, the hand-over, a department's
inbox and one of its requests, the three rates, and the dashboard's three-rates card.

    .venv/bin/python scripts/screenshots_requests.py [--out docs/screenshots]

Same seeded district as scripts/screenshots_web.py, plus two departments with an account each,
a representative, a dozen requests at every stage (moved through the real rule and service)
and the request of docs/requests.md's "One request, every state".
"""
from __future__ import annotations

import random
import sys
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from screenshots_web import seed  # noqa: E402

from server.sync.batch import ChangeBatch  # noqa: E402
from server.threelists import service  # noqa: E402
from server.threelists.models import Department, DepartmentStaff  # noqa: E402
from server.threelists.workdays import WorkCalendar  # noqa: E402
from server import district  # noqa: E402
from shared import protocol as p  # noqa: E402
from shared import requests as r  # noqa: E402
from shared.clock import utcnow  # noqa: E402
from shared.requests import Actor, Move  # noqa: E402
from testkit.factories import make_person  # noqa: E402
from testkit.web_live_server import sign_in  # noqa: E402
from testkit.web_screenshots import pages_in_each_language, shoot_seeded, snap  # noqa: E402

#: What the request of "One request, every state" (docs/requests.md) is about.
WALK = "卫生间漏水，楼下邻居反映天花板渗水"


def _walk(session, item, steps, at):
    for actor, move, hours in steps:
        at += timedelta(hours=hours)
        if at >= utcnow() or r.check(service.state_of(item), actor, move) is not None:
            break
        via = service.VIA_TABLET if actor.role in p.FIELD_ROLES else service.VIA_WEB
        service.make_move(session, item, str(uuid.uuid4()), actor, move,
                          service.Made(at, at, via))
    return at


def walk_every_state(session, grid, resident, actor, department_id, start, closed=True):
    """The request of "One request, every state", moved through the real rule and service:
    ``actor`` maps vol, rep, sup and clerk to their Actor; ``closed`` False stops before the
    last verdict (done again, waiting for the resident)."""
    item = service.raise_request(
        session, str(uuid.uuid4()), str(uuid.uuid4()), grid.id, actor["vol"],
        {"category": "repairs", "description": WALK, "channel": "visit",
         "resident_id": resident.id}, service.Made(start, start, service.VIA_TABLET))
    handed = start + timedelta(hours=25)
    steps = [(actor["rep"], Move(r.CLAIM, {"plan": "先上门看漏点"}), 3),
             (actor["rep"], Move(r.PROGRESS, {"text": "漏点在楼上管道，需要住建局处理"}), 20),
             (actor["sup"], Move(r.HAND_OVER, {
                 "department_id": department_id, "working_days": 3,
                 "due_on": WorkCalendar().due_after(district.today(handed), 3),
                 "text": "请派人上门维修"}), 2),
             (actor["clerk"], Move(r.ACCEPT), 18),
             (actor["clerk"], Move(r.DEPT_PROGRESS, {"text": "已派维修工"}), 4),
             (actor["clerk"], Move(r.DEPT_DONE, {"text": "管道已更换"}), 30),
             (actor["vol"], Move(r.VERDICT, {"verdict": r.NOT_SATISFIED, "text": "还在渗水"}), 20),
             (actor["rep"], Move(r.FINISH, {"text": "又请维修工补了防水"}), 40),
             (actor["vol"], Move(r.VERDICT, {"verdict": r.SATISFIED, "text": "不漏了"}), 30)]
    _walk(session, item, steps if closed else steps[:-1], start)
    return item


def seed_requests(session):
    scenario = seed(session)
    now = utcnow()
    housing = Department(code="housing", name="区住房和城乡建设局", active=True)
    property_ = Department(code="property", name="物业服务中心", active=True)
    session.add_all([housing, property_])
    session.flush()
    clerk = make_person(session, "fang", r.DEPARTMENT, display_name="住建局 周科长",
                        password=scenario.password)
    session.add(DepartmentStaff(person_id=clerk.id, department_id=housing.id))
    rep = make_person(session, "rep_k", p.REPRESENTATIVE, [scenario.grids["kunwu1"]],
                      display_name="黄代表", password=scenario.password)
    actor = {name: Actor(person.id, person.role, person.display_name, department)
             for name, person, department in (
                 ("vol", scenario.people["vol_a"], None), ("rep", rep, None),
                 ("sup", scenario.people["kunwu_sup"], None), ("clerk", clerk, housing.id))}
    due = WorkCalendar()

    def hand_over(days, at):
        return Move(r.HAND_OVER, {"department_id": housing.id, "working_days": days,
                                  "due_on": due.due_after(district.today(at), days),
                                  "text": "请派人上门维修"})

    def raised(grid, description, category, resident, at):
        item = service.raise_request(
            session, str(uuid.uuid4()), str(uuid.uuid4()), grid.id, actor["vol"],
            {"category": category, "description": description, "channel": "visit",
             "resident_id": resident.id if resident else None},
            service.Made(at, at, service.VIA_TABLET))
        return item

    # The walk: every state, over nine days.
    walk = walk_every_state(session, scenario.grids["kunwu1"], scenario.residents["zhang"],
                            actor, housing.id, now - timedelta(days=9))
    moved = [walk]
    # Forty more over five months, left at every stage.
    rng = random.Random(14)
    texts = [("楼道灯坏了，晚上看不清台阶", "repairs"), ("降压药快吃完了，需要代买", "medicine"),
             ("燃气软管老化，有异味", "safety_hazard"), ("想申请助餐送餐上门", "meals"),
             ("高龄津贴还没办下来", "paperwork"), ("卫生间扶手松动", "repairs")]
    residents = list(scenario.residents.values())
    for number in range(40):
        text, category = texts[number % len(texts)]
        at = now - timedelta(days=rng.uniform(1, 20) if number < 12 else rng.uniform(20, 150))
        # 黄代表 works 昆吾社区第1网格; the other grid's requests wait for a claim.
        grid = "kunwu1" if number % 6 else "kunwu2"
        item = raised(scenario.grids[grid], text, category,
                      rng.choice([x for x in residents if x.grid_id == scenario.grids[grid].id]),
                      at)
        # One long job (30 working days) reaches into next year: a provisional deadline.
        days = 30 if number == 8 else rng.choice([2, 5])
        plan = [(actor["rep"], Move(r.CLAIM, {"plan": "先上门了解情况"}), 5),
                (actor["sup"], hand_over(days, at), 6),
                (actor["clerk"], Move(r.ACCEPT), 8),
                (actor["clerk"], Move(r.DEPT_DONE, {"text": "已处理完毕"}), 30),
                (actor["vol"], Move(r.VERDICT, {"verdict": r.SATISFIED}), 20)]
        _walk(session, item, plan[:number % 6], at)
        moved.append(item)
    batch = ChangeBatch(session)
    service.relog(session, batch, moved)
    service.stamp_versions(moved, batch.flush())
    claimed = next(m for m in moved[1:] if m.state == r.CLAIMED)
    scenario.requests = {"walk": walk.id, "claimed": claimed.id,
                         "handed": next(m.id for m in moved if m.state == r.HANDED_OVER)}
    return scenario


def shoot(base: str, scenario, out: Path) -> list[Path]:
    saved = []
    ids = scenario.requests
    five_months = (district.today() - timedelta(days=150)).isoformat()
    for lang, page in pages_in_each_language(base):
        sign_in(page, None, "kunwu_sup", scenario.password)
        for name, path_ in (("requests", "/requests?state=all"),
                            ("request-every-state", f"/requests/{ids['walk']}"),
                            ("request-hand-over", f"/requests/{ids['claimed']}"),
                            ("request-rates", f"/requests/rates?by=grid&from={five_months}")):
            page.goto(base + path_)
            saved.append(snap(page, out, f"web-{name}-{lang}.png"))
        page.goto(base + "/")
        card = page.locator("#request-rates")
        path = out / f"web-dashboard-rates-{lang}.png"
        card.screenshot(path=str(path))
        saved.append(path)
        context = page.context
        context.clear_cookies()
        page.goto(f"{base}/login?lang={'zh_CN' if lang == 'zh' else 'en'}")
        page.fill("input[name=username]", "fang")
        page.fill("input[name=password]", scenario.password)
        page.click("button[type=submit].primary")
        page.wait_for_url("**/inbox")
        saved.append(snap(page, out, f"web-inbox-{lang}.png"))
        page.goto(f"{base}/inbox/{ids['handed']}")
        saved.append(snap(page, out, f"web-inbox-request-{lang}.png"))
    return saved


def main() -> None:
    shoot_seeded(__doc__.splitlines()[0], seed_requests, shoot)


if __name__ == "__main__":
    main()
