"""Factories for server-side records. Each returns what it is named for, flushed not committed."""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from server.models import Area, Assignment, Person, Resident
from server.sync.edits import create_resident
from shared import protocol as p

PASSWORD = "correct horse"
_codes = itertools.count(1)


@dataclass
class District:
    district: Area
    streets: list[Area] = field(default_factory=list)
    communities: list[Area] = field(default_factory=list)
    grids: list[Area] = field(default_factory=list)


def make_area(session: Session, level: str, name: str, parent: Area | None = None) -> Area:
    area = Area(level=level, name=name, code=f"{level[0].upper()}{next(_codes):05d}",
                parent_id=parent.id if parent else None)
    session.add(area)
    session.flush()
    return area


def make_district(session: Session, streets: int = 1, communities: int = 2,
                  grids: int = 2) -> District:
    """A district with ``streets`` × ``communities`` × ``grids`` areas below it."""
    tree = District(make_area(session, p.DISTRICT, "华龙区"))
    for s in range(streets):
        street = make_area(session, p.STREET, f"长庆路街道{s + 1}", tree.district)
        tree.streets.append(street)
        for c in range(communities):
            community = make_area(session, p.COMMUNITY, f"社区{s + 1}-{c + 1}", street)
            tree.communities.append(community)
            for g in range(grids):
                tree.grids.append(make_area(session, p.GRID, f"网格{s + 1}-{c + 1}-{g + 1}",
                                            community))
    return tree


def make_person(session: Session, username: str, role: str = p.VOLUNTEER, areas=(),
                display_name: str | None = None, starts_on: date = date(2020, 1, 1),
                ends_on: date | None = None, password: str = PASSWORD) -> Person:
    person = Person(username=username, display_name=display_name or username, role=role,
                    password_hash=generate_password_hash(password, method="pbkdf2:sha256:1000"))
    session.add(person)
    session.flush()
    for area in areas:
        assign(session, person, area, role, starts_on, ends_on)
    return person


def assign(session: Session, person: Person, area: Area, role: str | None = None,
           starts_on: date = date(2020, 1, 1), ends_on: date | None = None) -> Assignment:
    assignment = Assignment(person_id=person.id, area_id=area.id, role=role or person.role,
                            starts_on=starts_on, ends_on=ends_on)
    session.add(assignment)
    session.flush()
    return assignment


_names = itertools.cycle(["张利霞", "王秀英", "李桂兰", "刘德华", "陈玉珍", "杨淑芬"])


def make_resident(session: Session, grid: Area, **fields) -> Resident:
    values = {"name": next(_names), "sex": "F", "birth_year": 1942,
              "address": "长庆路12号院3号楼2单元401", "care_categories": [p.ALONE]}
    values.update(fields)
    return create_resident(session, None, grid.id, values)
