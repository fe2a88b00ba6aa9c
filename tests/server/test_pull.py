"""Pulling: ordered, paged, resumable, scoped, with digests the tablet can check."""
from shared.digest import canonical_json, combine, record_hash
from testkit.factories import make_resident
from testkit.ops import update_op, visit_op


def digest_of(changes) -> str:
    latest = {}
    for change in changes:
        latest[(change["entity"], change["id"])] = change
    return combine(record_hash(c["entity"], canonical_json(c["data"])) for c in latest.values())


def test_a_first_pull_brings_the_whole_grid_and_its_digest(neighbourhood, device_for):
    page = device_for("alice").pull_all()
    assert {c["data"]["name"] for c in page["changes"]} == {"张利霞"}
    grid = page["grids"][0]
    assert grid["id"] == neighbourhood.grid_a.id and grid["digest"] == digest_of(page["changes"])


def test_changes_come_in_position_order_across_pages(neighbourhood, device_for, db_session):
    hood, alice = neighbourhood, device_for("alice")
    for _ in range(6):
        make_resident(db_session, hood.grid_a)
    db_session.commit()
    alice.push_ok([visit_op(i, hood.grid_a.id, hood.resident_a.id) for i in range(1, 8)])
    pages, cursor = [], None
    while True:
        page = alice.pull(cursor, limit=3).get_json()
        pages.append(page)
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    positions = [c["position"] for page in pages for c in page["changes"]]
    assert len(positions) == 14 and positions == sorted(positions)
    assert all(len(page["changes"]) <= 3 for page in pages)


def test_a_cursor_resumes_where_it_left_off(neighbourhood, device_for):
    hood, alice = neighbourhood, device_for("alice")
    alice.pull_all()
    assert alice.pull_all()["changes"] == []
    alice.push_ok([visit_op(1, hood.grid_a.id, hood.resident_a.id)])
    assert [c["entity"] for c in alice.pull_all()["changes"]] == ["visit"]


def test_a_record_changed_twice_is_sent_once_in_its_latest_form(neighbourhood, device_for):
    hood, bob = neighbourhood, device_for("bob")
    bob.pull_all()
    first = bob.push_ok([update_op(1, hood.grid_a.id, hood.resident_a.id,
                                   hood.resident_a.version, phone="13800000001")])[0]
    bob.push_ok([update_op(2, hood.grid_a.id, hood.resident_a.id, first["version"],
                           phone="13800000002")])
    changes = bob.pull_all()["changes"]
    assert [c["data"]["phone"] for c in changes] == ["13800000002"]


def test_a_device_sees_only_the_grids_of_its_assignments(neighbourhood, device_for):
    hood = neighbourhood
    carol = device_for("carol").pull_all()
    assert {c["grid_id"] for c in carol["changes"]} == {hood.grid_b.id}
    assert [g["id"] for g in carol["grids"]] == [hood.grid_b.id]


def test_a_forged_cursor_is_refused_clearly(neighbourhood, device_for):
    response = device_for("alice").pull("not-a-cursor")
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_cursor"


def test_pull_responses_are_gzipped_when_asked(neighbourhood, device_for, client, db_session):
    hood, alice = neighbourhood, device_for("alice")
    for _ in range(20):
        make_resident(db_session, hood.grid_a)
    db_session.commit()
    response = client.post("/api/v1/sync/pull", json={"protocol": 2, "cursor": None},
                           headers={**alice.headers, "Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
