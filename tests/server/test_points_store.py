"""The stored duty-points ledger (server/points_store.py, issue 15): it follows the change log
and rebuilds only the parts a change touches, and what it holds always equals the shared core's
ledger computed from scratch from the same facts (the tablet's figure), through new visits,
voids, request moves, a resident's record changing, a resident moving grid, a deadline passing
with nothing happening, and a new version of the rules."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import select

from server import points, points_store
from server.district import district_zone
from server.models import PointsEntry, Resident
from server.sync.batch import ChangeBatch
from server.sync.locks import load_for_update
from server.sync.moves import move_resident
from server.threelists import service
from server.threelists.models import Department
from shared import points as sp
from shared import protocol as p
from shared import requests as r
from shared.requests import Move
from testkit.web_scenario import add_visit, build_scenario

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=timezone.utc)
FIRST, LAST = date(2000, 1, 1), date(2099, 12, 31)


@pytest.fixture
def world(db_session):
    with time_machine.travel(NOW, tick=False) as traveller:
        scenario = build_scenario(db_session)
        db_session.commit()
        yield scenario, traveller


def stored(session, now) -> list[sp.Entry]:
    grids = set(session.scalars(select(Resident.grid_id)))
    return points_store.entries(session, grids, FIRST, LAST, now)


def from_scratch(session, now) -> list[sp.Entry]:
    grids = set(session.scalars(select(Resident.grid_id)))
    return sp.compute_ledger(points.load_facts(session, grids).items, points.rule_book(session),
                             district_zone(), now)


def same(session, now) -> list[sp.Entry]:
    got = stored(session, now)
    session.commit()
    assert got == from_scratch(session, now)
    return got


def part_ids(session, part: str) -> set[int]:
    return set(session.scalars(select(PointsEntry.id).where(PointsEntry.part == part)))


def void(session, resident, author, visit_id, at) -> None:
    batch = ChangeBatch(session)
    batch.add_visit({"id": str(uuid.uuid4()), "resident_id": resident.id,
                     "grid_id": resident.grid_id, "author_id": author.id, "device_id": None,
                     "visited_at": at, "device_time": at, "recorded_at": at, "outcome": None,
                     "details": {}, "corrects_id": visit_id, "correction": p.VOID},
                    author.display_name, resident)
    batch.flush()


def test_the_store_follows_every_change_and_rebuilds_only_what_it_touches(world, db_session):
    scenario, traveller = world
    s, people, residents = db_session, scenario.people, scenario.residents
    first = same(s, NOW)
    assert first and sum(e.points for e in first if e.person_id == str(people["vol_a"].id)) == 12
    li_part, zhang_part = "r:" + residents["li"].id, "r:" + residents["zhang"].id
    li_rows, zhang_rows = part_ids(s, li_part), part_ids(s, zhang_part)

    # a new visit rebuilds its resident's part only
    visit = add_visit(s, residents["zhang"], people["vol_b"], NOW - timedelta(hours=3))
    s.commit()
    same(s, NOW)
    assert part_ids(s, li_part) == li_rows and part_ids(s, zhang_part) != zhang_rows

    # a void takes the points back
    void(s, residents["zhang"], people["vol_b"], visit, NOW - timedelta(hours=2))
    s.commit()
    entries = same(s, NOW)
    assert [e.note for e in entries if e.source_id == visit] == [sp.facts.VOIDED]

    # the resident's record changes (no longer living alone): their bonus goes
    zhang = load_for_update(s, Resident, residents["zhang"].id)
    zhang.care_categories = []
    batch = ChangeBatch(s)
    batch.touch_resident(zhang)
    batch.flush()
    s.commit()
    same(s, NOW)

    # a resident moves grid with their history: the points count where they are now
    wang = load_for_update(s, Resident, residents["wang"].id)
    move_resident(s, people["admin"], wang, scenario.grids["kunwu2"].id, via="web", now=NOW)
    s.commit()
    same(s, NOW)
    assert set(s.scalars(select(PointsEntry.grid_id).where(
        PointsEntry.part == "r:" + wang.id))) == {scenario.grids["kunwu2"].id}


def test_a_task_and_its_deadline_passing_with_nothing_happening(world, db_session):
    scenario, traveller = world
    s, people = db_session, scenario.people
    boss = service.actor_for(s, people["kunwu_sup"])
    housing = Department(code="housing", name="区住建局", active=True)
    s.add(housing)
    s.flush()
    made = service.Made(NOW - timedelta(days=3), NOW, service.VIA_WEB)
    item = service.raise_request(s, str(uuid.uuid4()), str(uuid.uuid4()),
                                 scenario.grids["kunwu1"].id, service.actor_for(s, people["vol_a"]),
                                 {"category": "repairs", "resident_id": scenario.residents["li"].id},
                                 made)
    service.make_move(s, item, str(uuid.uuid4()), boss,
                      Move(r.ASSIGN, {"assignee_id": people["vol_b"].id}), made)
    service.make_move(s, item, str(uuid.uuid4()), boss,
                      Move(r.HAND_OVER, {"department_id": housing.id, "due_on": date(2026, 11, 21)}),
                      made)
    batch = ChangeBatch(s)
    service.relog(s, batch, [item])
    service.stamp_versions([item], batch.flush())
    s.commit()
    kinds = [e.kind for e in same(s, NOW) if e.source_id == item.id]
    assert kinds == [sp.rules.REQUEST_RAISED]
    # two days on, the deadline has passed and nothing was done: the owner is charged
    later = NOW + timedelta(days=2)
    traveller.move_to(later)
    charged = [(e.kind, e.person_id) for e in same(s, later) if e.source_id == item.id]
    assert charged == [(sp.rules.REQUEST_RAISED, str(people["vol_a"].id)),
                       (sp.rules.TASK_OVERDUE, str(people["vol_b"].id))]


def test_a_new_version_of_the_rules_rebuilds_and_leaves_past_days_alone(world, db_session):
    scenario, traveller = world
    s = db_session
    before = same(s, NOW)
    rules = sp.rules_to_dict(sp.default_rules(date(2026, 11, 21)))
    rules.update(version=2, amounts={**rules["amounts"], "visit_met": 5})
    points.add_rules(s, rules, date(2026, 11, 20), scenario.people["admin"].id)
    s.commit()
    add_visit(s, scenario.residents["li"], scenario.people["vol_b"], NOW + timedelta(days=2))
    s.commit()
    later = NOW + timedelta(days=3)
    traveller.move_to(later)
    after = same(s, later)
    assert [e for e in after if e.day < date(2026, 11, 21)] == before
    assert [e.points for e in after if e.day >= date(2026, 11, 21)] == [5]
