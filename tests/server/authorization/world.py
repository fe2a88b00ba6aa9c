"""The world the matrix runs in: two areas, each with its targets, and the names that must not
leak from one to the other."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from testkit.web_helpers import api_login
from testkit.web_scenario import build_scenario

from server.models import Alert, Assignment, AuditEntry, Conflict, Device, Pairing, Person
from server.provisioning import create_code
from server.threelists.service import Made, raise_request
from server.web.timeutil import local_today
from shared import protocol as p
from shared.clock import utcnow
from shared.requests import Actor as RequestActor
from testkit.factories import assign, make_person

from tests.server.authorization.expected import USERNAMES

@dataclass
class Side:
    """One area's targets: what ``in`` or ``out`` points at."""

    community: object
    grid: object
    resident: object
    other_grid: object  # a second grid of the same community, for new assignments
    conflict: object
    person: object  # a volunteer placed here, managed by the matrix's changes
    device: object
    assignment: object
    day_resident: str  # a resident visited yesterday (the visits page)
    request: object = None  # a request of the three lists raised in this grid
    markers: dict[str, str] = field(default_factory=dict)
    alert: object = None  # a dangerous reading raised for ``resident``
    pairing: object = None  # ``resident``'s pairing, for web.end_pairing


@dataclass
class World:
    scenario: object
    kunwu: Side
    pushang: Side
    revoked_token: str
    revoked_device_id: str
    foreign: dict[str, tuple[str, ...]]
    db: object = None
    codes: dict[str, str] = field(default_factory=dict)  # username -> a sign-in sheet's code


def build_world(db_session, client) -> World:
    s = build_scenario(db_session)
    target_in = make_person(db_session, "target_in", p.VOLUNTEER,
                            [s.grids["kunwu1"], s.grids["kunwu2"]], display_name="孙立新")
    target_out = make_person(db_session, "target_out", p.VOLUNTEER, [s.grids["pushang1"]],
                             display_name="钱志强")
    # Once helped in 昆吾社区 (finding 2): that past assignment gives 昆吾's supervisor nothing.
    assign(db_session, target_out, s.grids["kunwu1"], ends_on=local_today() - timedelta(days=30))
    make_person(db_session, "revoked_vol", p.VOLUNTEER, [s.grids["kunwu1"]],
                display_name="马文斌")
    devices = {}
    for person in (target_in, target_out):
        devices[person.id] = Device(id=str(uuid.uuid4()), person_id=person.id,
                                    name=f"平板-{person.display_name}",
                                    token_hash=uuid.uuid4().hex)
        db_session.add(devices[person.id])
    zhao = s.residents["zhao"]
    conflict_out = Conflict(id=str(uuid.uuid4()), grid_id=zhao.grid_id, resident_id=zhao.id,
                            field="phone", kept_value="13700000009", lost_value="13700000008",
                            kept_by=dict(s.conflict.kept_by), lost_by=dict(s.conflict.lost_by),
                            detected_at=utcnow(), status="open")
    db_session.add(conflict_out)
    alerts = {}
    for resident in (s.residents["zhang"], zhao):
        alerts[resident.id] = Alert(kind="reading", resident_id=resident.id,
                                    grid_id=resident.grid_id, detail={"dangers": [
                                        {"reading": "systolic", "value": 185, "direction": "high",
                                         "limit": 180}]}, raised_at=utcnow())
        db_session.add(alerts[resident.id])
    for resident in (s.residents["zhang"], zhao):
        db_session.add(AuditEntry(action="view_resident", person_id=s.people["admin"].id,
                                  entity=p.RESIDENT, entity_id=resident.id,
                                  grid_id=resident.grid_id, detail={}))
    db_session.commit()
    revoked_device_id = str(uuid.uuid4())
    revoked_token = api_login(client, "revoked_vol", s.password, revoked_device_id)
    db_session.get(Device, revoked_device_id).revoked_at = utcnow()
    # One sign-in sheet's code per account, made before any request (auth.provision).
    codes = {username: create_code(db_session, db_session.scalar(
        select(Person).where(Person.username == username)), None, utcnow())[0]
        for username in [*USERNAMES.values(), "vol_a"]}
    db_session.commit()

    def assignment_of(person, grid):
        return db_session.scalars(select(Assignment).where(
            Assignment.person_id == person.id, Assignment.area_id == grid.id)).one()

    requests = {}
    for key, grid, description in (("kunwu", s.grids["kunwu1"], "昆吾矩阵需求：楼道灯坏了"),
                                   ("pushang", s.grids["pushang1"], "濮上矩阵需求：水管漏水")):
        requests[key] = raise_request(
            db_session, str(uuid.uuid4()), str(uuid.uuid4()), grid.id,
            RequestActor(s.people["admin"].id, p.ADMIN, "区管理员"),
            {"category": "repairs", "description": description, "channel": "web"},
            Made(utcnow(), utcnow(), "web"))
    db_session.commit()
    kunwu = Side(s.communities["kunwu"], s.grids["kunwu1"], s.residents["zhang"],
                 s.grids["kunwu2"], s.conflict, target_in, devices[target_in.id],
                 assignment_of(target_in, s.grids["kunwu1"]), "王秀英")
    pushang = Side(s.communities["pushang"], s.grids["pushang1"], zhao, s.grids["pushang2"],
                   conflict_out, target_out, devices[target_out.id],
                   assignment_of(target_out, s.grids["pushang1"]), "赵桂芳")
    # Names and numbers that must never reach someone who may not see that area.
    foreign = {"kunwu": ("张利霞", "王秀英", "昆吾", "孙立新", "13800000001"),
               "pushang": ("赵桂芳", "濮上", "钱志强", "侯胜涛", "13700000009")}
    kunwu.alert, pushang.alert = alerts[kunwu.resident.id], alerts[zhao.id]
    for side in (kunwu, pushang):
        # with another visitor than the one web.pair_resident pairs, so both effects are new
        side.pairing = Pairing(resident_id=side.resident.id, person_id=s.people["admin"].id,
                               starts_on=local_today())
        db_session.add(side.pairing)
    db_session.commit()
    kunwu.request, pushang.request = requests["kunwu"], requests["pushang"]
    return World(s, kunwu, pushang, revoked_token, revoked_device_id, foreign, db_session, codes)

