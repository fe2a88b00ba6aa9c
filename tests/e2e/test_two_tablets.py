"""End to end: a real server process on 127.0.0.1 and tablets syncing through it over HTTP."""
from __future__ import annotations

import pytest

from client.service import FieldService
from client.simulation import run_simulation
from shared import protocol as p
from testkit.factories import PASSWORD, make_district, make_person, make_resident
from testkit.fleet import signed_in_tablet
from testkit.live_server import LiveServer

pytestmark = pytest.mark.e2e


@pytest.fixture
def seeded(db_session):
    tree = make_district(db_session, communities=1, grids=2)
    for grid in tree.grids:
        for index in range(10):
            make_resident(db_session, grid, name=f"住户{grid.id}-{index}")
    for index, grid in enumerate(tree.grids * 2):
        make_person(db_session, f"vol-{index}", p.VOLUNTEER, [grid])
    db_session.commit()
    return tree


@pytest.fixture
def server(seeded, database_url):
    workers = 1 if database_url.startswith("sqlite") else 2
    with LiveServer(database_url, workers=workers) as live:
        yield live


def tablet(tmp_path, server, username) -> FieldService:
    return signed_in_tablet(tmp_path / username, server.url, username)


def test_two_tablets_share_a_grid_through_a_real_server(tmp_path, server):
    alice, bob = tablet(tmp_path, server, "vol-0"), tablet(tmp_path, server, "vol-2")
    assert alice.sync().ok and bob.sync().ok
    resident = alice.today_list()[0]
    alice.record_visit(resident.id, "met", readings={"systolic": 128, "diastolic": 82})
    alice.edit_resident(resident.id, {"phone": "13800000001"})
    bob.edit_resident(resident.id, {"phone": "13800000002"})
    bob.add_note(resident.id, "楼道灯坏了, 已报修")
    for service in (alice, bob, alice):
        assert service.sync().ok
    assert alice.store.local_digests() == bob.store.local_digests() == \
        alice.store.server_digests()
    assert len(bob.resident(resident.id).visits) == 1
    assert len(alice.resident(resident.id).conflicts) == 1


def test_work_done_while_the_server_is_down_is_delivered_when_it_returns(tmp_path, server):
    alice = tablet(tmp_path, server, "vol-0")
    alice.sync()
    server.stop()
    alice.record_visit(alice.today_list()[0].id, "no_answer")
    report = alice.sync()
    assert not report.ok and report.error_code == "offline" and alice.unsent_count() == 1
    server.start()
    report = alice.sync()
    assert report.ok and report.applied == 1 and alice.unsent_count() == 0


def test_a_simulated_morning_converges(tmp_path, server):
    report = run_simulation(server.url, [f"vol-{i}" for i in range(4)], PASSWORD, rounds=2,
                            visits_per_round=3, seed=7, concurrency=4, work_dir=tmp_path,
                            say=lambda _line: None)
    assert report.converged, report.diverged
    assert report.visits == 24 and report.conflicts >= 1
    assert report.request_moves > 0  # requests raised and moved, converged like the rest
    assert report.lines()[-1].startswith("converged")


def test_the_server_process_names_the_district_and_lives_at_the_tests_hour(tmp_path, server):
    """Over real HTTP the tablet learns the district's zone; and the server process's clock is
    the test's (with KNOCKDOOR_TEST_FROZEN_AT both start at the same frozen instant)."""
    from datetime import timedelta

    import requests

    from shared.clock import parse_instant, utcnow
    from testkit.clock import CHINA
    answer = requests.post(server.url + "/api/v1/auth/login", json={
        "protocol": p.PROTOCOL_VERSION, "username": "vol-0", "password": PASSWORD,
        "device_id": "6f1c2a9e-3b7d-4c1e-9a55-0d2f7e8b4c11", "device_name": "平板"},
        timeout=30).json()
    assert answer["timezone"] == "Asia/Shanghai"
    assert abs(parse_instant(answer["server_time"]) - utcnow()) < timedelta(minutes=10)
    alice = tablet(tmp_path, server, "vol-1")
    try:
        assert alice.district_zone == CHINA
    finally:
        alice.close()
