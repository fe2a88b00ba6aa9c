from __future__ import annotations

from dataclasses import dataclass

import pytest

from client.service import FieldService
from client.transport import FlaskTransport
from shared import protocol as p
from testkit.factories import make_district, make_person, make_resident


@dataclass
class Grid:
    grid: object
    other_grid: object
    residents: list
    volunteer: object


@pytest.fixture
def grid(db_session) -> Grid:
    tree = make_district(db_session, communities=1, grids=2)
    grid, other = tree.grids
    residents = [make_resident(db_session, grid, name=name, care_categories=situation,
                               birth_year=year)
                 for name, situation, year in [("张利霞", ["alone"], 1941),
                                               ("王秀英", ["empty_nest"], 1950),
                                               ("李桂兰", ["alone"], 1938)]]
    make_resident(db_session, other, name="刘德华")
    volunteer = make_person(db_session, "alice", p.VOLUNTEER, [grid], "王芳")
    make_person(db_session, "bob", p.GRID_WORKER, [grid], "李建国")
    db_session.commit()
    return Grid(grid, other, residents, volunteer)


@pytest.fixture
def tablet_for(app, tmp_path):
    """``tablet_for("alice")``: a FieldService signed in over an in-process transport."""
    made = []

    def make(username: str, transport_factory=None) -> FieldService:
        from testkit.factories import PASSWORD
        service = FieldService(tmp_path / username,
                               transport_factory=transport_factory or (lambda _url:
                                                                      FlaskTransport(app)),
                               sleep=lambda _seconds: None)
        service.sign_in("http://in-process", username, PASSWORD, f"{username} 的平板")
        made.append(service)
        return service
    yield make
    for service in made:
        service.close()


@dataclass
class Clash:
    alice: FieldService
    bob: FieldService
    resident_id: str
    bob_report: object  # bob's sync that met alice's edit


@pytest.fixture
def phone_clash(grid, tablet_for) -> Clash:
    """alice and bob change one resident's phone to two numbers, each offline; then alice
    syncs, bob syncs (and meets her edit), alice syncs again."""
    alice, bob = tablet_for("alice"), tablet_for("bob")
    alice.sync()
    bob.sync()
    resident = alice.today_list("zlx")[0]
    alice.edit_resident(resident.id, {"phone": "13800000001"})
    bob.edit_resident(resident.id, {"phone": "13800000002"})
    alice.sync()
    report = bob.sync()
    alice.sync()
    return Clash(alice, bob, resident.id, report)


@pytest.fixture
def chinese():
    """The app's words in Chinese for the test, and Chinese again after it."""
    from client.ui import i18n

    i18n.set_language("zh_CN")
    yield
    i18n.set_language("zh_CN")
