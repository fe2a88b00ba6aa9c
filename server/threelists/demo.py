"""The demo district's three lists: departments and their accounts, and five weeks of requests
in every state, walked through the same rule and service as real ones (so every timeline is
legal and the dashboard's three rates show real numbers). Called by server.demo.seed_demo."""
from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import protocol as p
from shared import requests as r
from shared.requests import Actor, Move

from .. import district
from ..models import Area, Assignment, Person, Resident
from ..sync.batch import ChangeBatch
from . import service, workdays
from .models import Department, DepartmentStaff, ServiceRequest

DEPARTMENTS = [("housing", "区住房和城乡建设局", "住建局 周科长"),
               ("health", "区卫生健康委员会", "卫健委 孙主任"),
               ("civil", "区民政局", "民政局 郑科长"),
               ("street_office", "街道办事处", "街道办 冯主任"),
               ("property", "物业服务中心", "物业 韩经理")]
#: Which department a category usually goes to.
HANDLED_BY = {"repairs": "property", "safety_hazard": "housing", "medical": "health",
              "medicine": "health", "paperwork": "civil", "dispute": "street_office",
              "meals": "civil", "cleaning": "property", "errands": "civil",
              "other": "street_office"}
DESCRIPTIONS = {
    "meals": ["老人腿脚不便，想申请社区助餐送餐上门", "午饭常凑合，希望能订老年餐"],
    "medicine": ["降压药快吃完了，子女不在身边，需要帮忙代买", "需要定期取慢性病药"],
    "medical": ["最近头晕，想请家庭医生上门看看", "希望安排一次上门体检"],
    "repairs": ["厨房水管漏水，地面常湿", "楼道灯坏了，晚上看不清台阶", "卫生间扶手松动"],
    "errands": ["需要帮忙缴纳水电费", "想请人帮忙取快递"],
    "cleaning": ["家里多年没大扫除，需要保洁上门", "冬天前想擦洗窗户"],
    "safety_hazard": ["燃气软管老化，有异味", "电线私拉乱接，存在隐患"],
    "dispute": ["楼上漏水到家里，和邻居协商不成", "邻居装修噪音影响休息"],
    "paperwork": ["高龄津贴还没办下来，想问进度", "需要办理居住证明"],
    "other": ["想参加社区老年活动，不知道怎么报名"],
}
#: The stage each request is left at (closed ones most often, as in a programme that works).
TARGETS = [r.RAISED, r.CLAIMED, r.IN_PROGRESS, r.HANDED_OVER, r.ACCEPTED, r.DEPT_IN_PROGRESS,
           r.DONE, r.RETURNED, r.REOPENED, r.CLOSED, r.CLOSED, r.CLOSED, r.CLOSED, r.WITHDRAWN]


def seed_requests(session: Session, rng: random.Random, now: datetime,
                  password_hash: str) -> list[tuple[str, str, str, str]]:
    """Departments, their staff and the requests; returns the staff's logins
    (username, role, name, scope)."""
    departments, staff, logins = {}, {}, []
    for code, name, clerk in DEPARTMENTS:
        department = Department(code=code, name=name, active=True)
        session.add(department)
        session.flush()
        person = Person(username=f"dept-{code}", display_name=clerk, role=r.DEPARTMENT,
                        password_hash=password_hash, active=True, created_at=now)
        session.add(person)
        session.flush()
        session.add(DepartmentStaff(person_id=person.id, department_id=department.id))
        departments[code] = department
        staff[code] = Actor(person.id, r.DEPARTMENT, clerk, department.id)
        logins.append((person.username, r.DEPARTMENT, clerk, name))
    areas = {a.id: a for a in session.scalars(select(Area))}
    people: dict[int, list[Person]] = {}
    for person, area_id in session.execute(select(Person, Assignment.area_id).join(
            Assignment, Assignment.person_id == Person.id)):
        people.setdefault(area_id, []).append(person)
    residents: dict[int, list[Resident]] = {}
    for resident in session.scalars(select(Resident).order_by(Resident.address)):
        residents.setdefault(resident.grid_id, []).append(resident)
    touched: list[ServiceRequest] = []
    for grid in sorted((a for a in areas.values() if a.level == p.GRID), key=lambda a: a.code):
        community = areas[grid.parent_id]
        supervisors = [x for x in people.get(community.id, ()) if x.role == p.SUPERVISOR]
        field = [x for x in people.get(grid.id, ()) if x.role in p.FIELD_ROLES]
        if not supervisors or not field:
            continue
        boss = _actor(supervisors[0])
        reps = [_actor(x) for x in field if x.role == p.REPRESENTATIVE]
        for _ in range(rng.randint(4, 8)):
            touched.append(_walk(session, rng, now, grid, boss, [_actor(x) for x in field],
                                 reps, residents.get(grid.id, []), departments, staff))
    batch = ChangeBatch(session)
    service.relog(session, batch, touched)
    service.stamp_versions(touched, batch.flush())
    return logins


def _actor(person: Person) -> Actor:
    return Actor(person.id, person.role, person.display_name)


def _walk(session, rng, now, grid, boss, field, reps, residents, departments, staff):
    """One request raised some day in the last five weeks and walked towards a stage."""
    category = rng.choice(list(DESCRIPTIONS))
    at = now - timedelta(days=rng.uniform(1, 34), hours=rng.uniform(0, 6))
    resident = rng.choice(residents) if residents and category != "safety_hazard" else None
    raiser = rng.choice(field)
    item = service.raise_request(
        session, _id(rng), _id(rng), grid.id, raiser,
        {"category": category, "description": rng.choice(DESCRIPTIONS[category]),
         "urgency": rng.choice(["normal"] * 5 + ["urgent"]),
         "resident_id": resident.id if resident else None,
         "channel": rng.choice(["visit", "visit", "phone", "walk"])},
        service.Made(at, at, service.VIA_TABLET))
    target = rng.choice(TARGETS)
    department = departments[HANDLED_BY[category]]
    clerk = staff[HANDLED_BY[category]]
    owner = rng.choice(reps) if reps else None
    via_department = owner is None or rng.random() < 0.6
    steps: list[tuple[Actor, Move]] = []
    if owner is not None:
        steps += [(owner, Move(r.CLAIM, {"plan": "先上门了解情况"})),
                  (owner, Move(r.PROGRESS, {"text": "已上门查看，正在联系"}))]
    if target == r.WITHDRAWN:
        steps = [(boss, Move(r.WITHDRAW, {"reason": "与另一条需求重复"}))]
    elif via_department:
        days = rng.choice([3, 5, 5, 10])
        steps += [(owner or boss, Move(r.HAND_OVER, {
            "department_id": department.id, "working_days": days,
            "due_on": workdays.WorkCalendar().due_after(district.today(at), days), "text": "请协助办理"}))]
        if target == r.RETURNED:
            steps += [(clerk, Move(r.CANNOT, {"reason": "不属于本部门职责，请转其他部门"}))]
        else:
            steps += [(clerk, Move(r.ACCEPT)),
                      (clerk, Move(r.DEPT_PROGRESS, {"text": "已安排人员处理"})),
                      (clerk, Move(r.DEPT_DONE, {"text": "已处理完毕"}))]
    else:
        steps += [(owner, Move(r.FINISH, {"text": "已办好"}))]
    if target in (r.CLOSED, r.REOPENED):
        verdict = r.NOT_SATISFIED if target == r.REOPENED else rng.choice(
            [r.SATISFIED] * 6 + [r.PARTLY] * 2 + [r.NOT_SATISFIED])
        steps += [(rng.choice(field), Move(r.VERDICT, {"verdict": verdict}))]
        if verdict == r.NOT_SATISFIED and target == r.CLOSED and owner is not None:
            steps += [(owner, Move(r.FINISH, {"text": "重新处理了"})),
                      (rng.choice(field), Move(r.VERDICT, {"verdict": r.SATISFIED}))]
    for actor, move in steps:
        if item.state == target:
            break
        at += timedelta(hours=rng.uniform(2, 60))
        if at >= now:
            break
        if r.check(service.state_of(item), actor, move) is not None:
            break
        service.make_move(session, item, _id(rng), actor, move,
                          service.Made(at, at, service.VIA_TABLET if actor.role in
                                       p.FIELD_ROLES else service.VIA_WEB))
    return item


def _id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))
