from __future__ import annotations

from dataclasses import dataclass

import pytest

from shared import protocol as p
from testkit.factories import PASSWORD, District, make_district, make_person, make_resident
from testkit.ops import ApiDevice


@dataclass
class Neighbourhood:
    """Two grids in one community, a volunteer on each, a resident in each."""

    tree: District
    grid_a: object
    grid_b: object
    alice: object  # volunteer on grid A
    bob: object  # volunteer on grid A too
    carol: object  # volunteer on grid B
    resident_a: object
    resident_b: object


@pytest.fixture
def neighbourhood(db_session) -> Neighbourhood:
    tree = make_district(db_session, streets=1, communities=1, grids=2)
    grid_a, grid_b = tree.grids
    hood = Neighbourhood(
        tree, grid_a, grid_b,
        make_person(db_session, "alice", p.VOLUNTEER, [grid_a], "王秀英"),
        make_person(db_session, "bob", p.GRID_WORKER, [grid_a], "李建国"),
        make_person(db_session, "carol", p.VOLUNTEER, [grid_b], "陈玉珍"),
        make_resident(db_session, grid_a, name="张利霞"),
        make_resident(db_session, grid_b, name="刘桂兰"))
    db_session.commit()
    return hood


@pytest.fixture
def device_for(client):
    """``device_for("alice")``: a signed-in device of that person."""
    return lambda username, **kw: ApiDevice(client, username, PASSWORD, **kw)
