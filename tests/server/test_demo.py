"""The demo district: its shape, its realism, and that it only goes into an empty database."""
from __future__ import annotations

import re
import uuid
from collections import Counter
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from server.demo import (DEMO_PASSWORD, STREETS, SURNAMES, DemoDataExists, build_plan,
                         field_usernames, seed_demo)
from server import points_store
from server.models import (Area, Assignment, CaseNote, ChangeLogEntry, LogHead, Person,
                           PointsEntry, Resident, Visit)
from server.threelists.models import Department, DepartmentStaff, ServiceRequest
from shared import protocol as p
from shared import requests as rq
from shared.district_day import district_today, zone_named
from shared.district_rules import follows_up, moderate_or_worse
from shared.due import OVERDUE, due_status
from shared.schemas import NoteDataSchema, ResidentDataSchema, VisitDataSchema

NOW = datetime(2026, 11, 20, 6, 30, tzinfo=timezone.utc)
MOBILE = re.compile(r"^1[358]\d{9}$")
LANDLINE = re.compile(r"^0393-\d{7}$")


@pytest.fixture(scope="module")
def plan():
    return build_plan(7, NOW)


def test_the_same_seed_gives_the_same_district(plan):
    assert build_plan(7, NOW) == plan
    other = build_plan(8, NOW)
    assert [r.fields for r in other.residents] != [r.fields for r in plan.residents]


def test_every_planned_record_is_valid_wire_data(plan):
    residents, visits, notes = ResidentDataSchema(), VisitDataSchema(), NoteDataSchema()
    for resident in plan.residents:
        residents.load(resident.fields)
    some_id = str(uuid.uuid4())
    for visit in plan.visits:
        visits.load({"resident_id": some_id, "outcome": visit.outcome, **visit.details})
        assert visit.visited_at <= visit.recorded_at <= NOW
    for note in plan.notes:
        notes.load({"resident_id": some_id, "text": note.text})


def test_the_roster_looks_like_a_real_one(plan):
    residents = [r.fields for r in plan.residents]
    assert len(residents) >= 1200
    per_grid = Counter(r.grid for r in plan.residents)
    assert len(per_grid) >= 24 and min(per_grid.values()) >= 50

    assert all(r["name"][0] in SURNAMES and 2 <= len(r["name"]) <= 3 for r in residents)
    surnames = Counter(r["name"][0] for r in residents)
    assert surnames.most_common(1)[0][0] in "王李张刘"  # weighted, not uniform
    women = sum(r["sex"] == "F" for r in residents) / len(residents)
    assert 0.55 <= women <= 0.7
    assert all(1930 <= r["birth_year"] <= 1960 for r in residents)
    alone = sum(p.ALONE in r["care_categories"] for r in residents) / len(residents)
    assert 0.28 <= alone <= 0.42

    addresses = [r["address"] for r in residents]
    assert len(set(addresses)) == len(addresses)
    streets = tuple(street for street, _ in STREETS)
    for address in addresses:
        assert address.startswith(streets)
        assert re.search(r"\d+号楼\d单元\d0\d$", address), address
    for r in residents:
        assert r["phone"] is None or MOBILE.match(r["phone"]) or LANDLINE.match(r["phone"])
        if r["emergency_contact"]:
            assert re.match(r"^\w{2,3}\((儿子|女儿|侄子|外甥女|邻居)\)$", r["emergency_contact"])
            assert MOBILE.match(r["emergency_phone"])
    assert sum(bool(r["care_notes"]) for r in residents) > len(residents) // 10
    assert sum(bool(r["safety_devices"]) for r in residents) > len(residents) // 2


def test_grids_of_one_community_share_its_roads(plan):
    areas = {area.key: area for area in plan.areas}
    for resident in plan.residents:
        grid = areas[resident.grid]
        street = areas[areas[grid.parent].parent]
        assert resident.fields["address"].startswith(street.name)


def test_the_history_covers_a_year(plan):
    ages = [(NOW - visit.visited_at).days for visit in plan.visits]
    assert 350 <= max(ages) <= 366 + 7 and min(ages) == 0
    # every month of the year has its visits, about as many as the next (no cliff at 5 weeks)
    per_month = Counter(age // 30 for age in ages if age < 360)
    assert len(per_month) == 12 and min(per_month.values()) > 0.5 * max(per_month.values())
    outcomes = Counter(visit.outcome for visit in plan.visits)
    assert outcomes[p.MET] > 0.8 * len(plan.visits)
    assert outcomes[p.NO_ANSWER] > 0 and outcomes[p.AWAY] > 0
    with_readings = [v for v in plan.visits if "readings" in v.details]
    assert len(with_readings) > len(plan.visits) // 2


def test_seed_demo_builds_the_district(engine):
    with Session(engine) as session, session.begin():
        summary = seed_demo(session, 7, NOW)

    with Session(engine) as session:
        levels = Counter(session.scalars(select(Area.level)))
        assert levels[p.DISTRICT] == 1
        assert 3 <= levels[p.STREET] <= 4
        assert levels[p.GRID] >= 24
        assert summary.grids == levels[p.GRID]

        residents = session.scalars(select(Resident)).all()
        assert len(residents) == summary.residents >= 1200
        per_grid = Counter(r.grid_id for r in residents)
        assert len(per_grid) == levels[p.GRID] and min(per_grid.values()) >= 50

        # Every grid has at least one field worker; 30+ of them, one tablet each.
        grid_ids = set(session.scalars(select(Area.id).where(Area.level == p.GRID)))
        staffed = set(session.scalars(
            select(Assignment.area_id).join(Person, Person.id == Assignment.person_id)
            .where(Person.role.in_(p.FIELD_ROLES), Assignment.ends_on.is_(None))))
        assert staffed >= grid_ids
        field_workers = session.scalars(select(Person).where(Person.role.in_(p.FIELD_ROLES))).all()
        assert len(field_workers) == summary.field_workers >= 30
        assert all(person.username.startswith("vol-") for person in field_workers)
        assert field_usernames() == sorted(person.username for person in field_workers)

        # A supervisor for every community and every street, and one admin.
        supervised = set(session.scalars(
            select(Assignment.area_id).join(Person, Person.id == Assignment.person_id)
            .where(Person.role == p.SUPERVISOR)))
        upper = set(session.scalars(select(Area.id).where(
            Area.level.in_((p.STREET, p.COMMUNITY)))))
        assert supervised == upper
        admin = session.scalar(select(Person).where(Person.username == "admin"))
        assert admin.role == p.ADMIN
        assert check_password_hash(admin.password_hash, DEMO_PASSWORD)
        assert session.scalar(select(Person).where(Person.username == "sup-1")).role == \
            p.SUPERVISOR

        # The history leaves work to do: open follow-ups (only for residents the district
        # follows up) and overdue people.
        china = zone_named("Asia/Shanghai")
        today = district_today(NOW, china)
        follow_ups = [r for r in residents if r.follow_up_since is not None]
        assert follow_ups and len(follow_ups) == summary.open_follow_ups
        assert all(follows_up(r.care_categories, r.birth_year, r.risk_tier, today)
                   for r in follow_ups)
        overdue = [r for r in residents if due_status(
            status=r.status, care_categories=r.care_categories, birth_year=r.birth_year,
            visit_cadence_days=r.visit_cadence_days, last_met=r.last_met_at,
            since=r.created_at, today=today, zone=china, risk_tier=r.risk_tier).status == OVERDUE]
        assert overdue and len(overdue) == summary.overdue
        assert len(overdue) < len(residents) // 4
        assert sum(r.last_met_at is not None for r in residents) > 0.95 * len(residents)
        # On the roster before their first visit (the monthly report counts from that day).
        first_visit = dict(session.execute(select(Visit.resident_id, func.min(Visit.visited_at))
                                           .group_by(Visit.resident_id)).all())
        assert all(r.created_at < first_visit.get(r.id, NOW) for r in residents)

        # Everything is in the change log, as if it had been synced.
        visits = session.scalar(select(func.count()).select_from(Visit))
        notes = session.scalar(select(func.count()).select_from(CaseNote))
        # High risk weekly, key groups monthly, the rest quarterly: a year of history
        assert visits == summary.visits > 12 * len(residents)
        assert notes == summary.notes > 0
        requests = session.scalar(select(func.count()).select_from(ServiceRequest))
        logged = session.scalar(select(func.count()).select_from(ChangeLogEntry))
        assert logged == len(residents) + visits + notes + requests
        assert session.get(LogHead, 1).position == logged

        # The three lists: requests in every state, each timeline a legal walk of the rule,
        # and a department account per department.
        assert set(session.scalars(select(ServiceRequest.state))) == set(rq.STATES)
        # A year of them: the old ones (almost all) closed or withdrawn, as in a programme that
        # works; two or so a grid a month.
        raised = session.execute(select(ServiceRequest.raised_at, ServiceRequest.state)).all()
        assert max((NOW - at).days for at, _state in raised) > 330
        assert len(raised) > 1.5 * 12 * len(grid_ids)
        old = [state for at, state in raised if (NOW - at).days > 60]
        assert sum(state in (rq.CLOSED, rq.WITHDRAWN) for state in old) > 0.9 * len(old)

        # The duty points of the year are believable: every field worker earned some, from
        # visits and from requests, and nobody runs away from the rest.
        year = points_store.sums(session, grid_ids, date(NOW.year, 1, 1),
                                 date(NOW.year, 12, 31), NOW)[0]
        earned = {int(k): v for k, v in year.items() if k.isdigit()}
        assert {w.id for w in field_workers} <= {k for k, v in earned.items() if v > 50}
        field_points = sorted(earned[w.id] for w in field_workers)
        assert field_points[-1] < 4 * field_points[len(field_points) // 2]  # no runaway
        kinds = set(session.scalars(select(PointsEntry.kind)))
        assert {"visit_met", "visit_vulnerable", "follow_up_closed", "request_raised",
                "task_on_time", "verdict_satisfied", "verdict_not_satisfied"} <= kinds
        staff = session.scalar(select(func.count()).select_from(DepartmentStaff))
        assert staff == session.scalar(select(func.count()).select_from(Department)) >= 5

    table = summary.logins_table()
    for username in ("admin", "sup-1", "street-1", "vol-01", "dept-housing", DEMO_PASSWORD):
        assert username in table
    assert len(summary.logins) == summary.people + staff


def test_seed_demo_refuses_a_database_with_data(engine):
    with Session(engine) as session, session.begin():
        session.add(Area(level=p.DISTRICT, name="别的区", code="X1"))
    with Session(engine) as session, session.begin():
        with pytest.raises(DemoDataExists):
            seed_demo(session, 7)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Resident)) == 0


def test_the_demo_district_shows_every_category_tier_level_and_method(plan):
    residents = [r.fields for r in plan.residents]
    assert {c for r in residents for c in r["care_categories"]} == set(p.CARE_CATEGORIES)
    assert {r["risk_tier"] for r in residents} == set(p.RISK_TIERS)
    assert {r["ability_level"] for r in residents} == set(p.ABILITY_LEVELS)
    assert {r["birth_year"] <= NOW.year - 80 for r in residents} == {True, False}  # 高龄 both ways
    assert {v.details.get("method", p.DOOR) for v in plan.visits} == set(p.VISIT_METHODS)
    assert {v.outcome for v in plan.visits} >= {p.MET, p.NO_ANSWER, p.AWAY, p.HOSPITALISED,
                                                 p.EMERGENCY}
    assert {d for r in residents for d in r["safety_devices"]} == set(p.SAFETY_DEVICES)


def test_the_demo_district_contradicts_itself_nowhere(plan):
    """What a supervisor would catch: facts that disagree with each other or with the age."""
    for r in plan.residents:
        fields = r.fields
        categories, ability, age = (fields["care_categories"], fields["ability_level"],
                                    NOW.year - fields["birth_year"])
        assert "aged_80_plus" not in categories  # computed from the birth year, never stored
        assert not ({p.ALONE, p.EMPTY_NEST} <= set(categories))  # alone or with a spouse
        impaired = {p.DISABLED, "severe_disability"} & set(categories)
        assert bool(impaired) == moderate_or_worse(ability), fields  # 失能 means moderate+
        if ability in ("severe", "complete") or (p.ALONE in categories and
                                                  (age >= 80 or impaired)):
            assert fields["risk_tier"] == "high", fields
        if fields["risk_tier"] == "routine":
            assert not impaired and p.ALONE not in categories and age < 80
        assert fields["risk_reason"]
        assert set(fields["device_details"]) == set(fields["safety_devices"])
        assert fields["ability_assessed_on"] <= NOW.date().isoformat()
    # a year of history: every visit by someone already working in that grid on that day
    people = {person.username: person for person in plan.people}
    for visit in plan.visits:
        author = people[visit.author]
        assert plan.residents[visit.resident].grid in author.areas
        assert author.starts_on <= visit.visited_at.date(), (author, visit.visited_at)
    for visit in plan.visits:
        method = visit.details.get("method", p.DOOR)
        if method != p.DOOR:  # a phone or video call takes no readings and checks no devices
            assert "readings" not in visit.details and "safety_checks" not in visit.details
        if visit.outcome == p.EMERGENCY:
            assert visit.details["emergency_action"]


def test_the_demo_people_and_places_follow_the_programme(plan):
    from shared.grid_code import parse_grid_code

    grids = [area for area in plan.areas if area.level == p.GRID]
    codes = [area.code for area in grids]
    assert len(set(codes)) == len(codes)
    assert all(parse_grid_code(code).division == "410902" for code in codes)
    deputies = [person for person in plan.people if person.role == p.REPRESENTATIVE]
    assert deputies and all(person.representative_level in p.REPRESENTATIVE_LEVELS
                            for person in deputies)
    assert all(person.representative_level is None for person in plan.people
               if person.role != p.REPRESENTATIVE)
    field = {person.username: person for person in plan.people if person.role in p.FIELD_ROLES}
    assert plan.pairings and all(username in field for _index, username in plan.pairings)
    for index, username in plan.pairings:  # paired with someone who works the resident's grid
        assert plan.residents[index].grid in field[username].areas
