"""People, assignments and tablets: who may manage whom, and what the tablets then see."""
from __future__ import annotations

from datetime import timedelta

from testkit.web_helpers import api_login

from server.models import Assignment, AuditEntry, Device, Person
from testkit.clock import today_in_china


def test_supervisor_adds_a_volunteer_to_their_grid(as_user, scenario, db_session):
    web = as_user("kunwu_sup")
    grid = scenario.grids["kunwu2"]
    response = web.post("/people", data={"display_name": "赵志刚", "username": "zhao_zg",
                                         "password": "long enough", "role": "volunteer",
                                         "area_id": grid.id})
    assert response.status_code == 302
    person = db_session.query(Person).filter_by(username="zhao_zg").one()
    assert person.password_hash != "long enough" and person.password_hash.startswith("pbkdf2")
    assignment = db_session.query(Assignment).filter_by(person_id=person.id).one()
    assert assignment.area_id == grid.id and assignment.ends_on is None
    assert {e.action for e in db_session.query(AuditEntry)} >= {"add_person", "assign"}


def test_supervisor_may_not_make_supervisors_or_reach_other_grids(as_user, scenario,
                                                                  db_session):
    web = as_user("kunwu_sup")
    response = web.post("/people", data={"display_name": "x", "username": "x1",
                                         "password": "long enough", "role": "supervisor",
                                         "area_id": scenario.grids["kunwu1"].id})
    assert response.status_code == 422
    response = web.post("/people", data={"display_name": "x", "username": "x2",
                                         "password": "long enough", "role": "volunteer",
                                         "area_id": scenario.grids["pushang1"].id})
    assert response.status_code == 422
    assert db_session.query(Person).filter(Person.username.in_(["x1", "x2"])).count() == 0
    street_sup = scenario.people["street_sup"]
    # Placed above the community: not theirs to see (404), let alone to manage.
    assert web.post(f"/people/{street_sup.id}/deactivate").status_code == 404
    assert as_user("street_sup").post(
        f"/people/{scenario.people['kunwu_sup'].id}/deactivate").status_code == 403


def test_deactivated_person_is_refused_by_the_api(as_user, scenario, client, db_session):
    token = api_login(client, "vol_b", scenario.password)
    web = as_user("kunwu_sup")
    assert web.post(f"/people/{scenario.people['vol_b'].id}/deactivate",
                    data={"reason": "离职"}).status_code == 302
    response = client.post("/api/v1/sync/pull", json={"protocol": 2, "cursor": None},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_ending_an_assignment_evicts_the_grid(around_midnight, as_user, scenario, client,
                                             db_session):
    vol_a = scenario.people["vol_a"]
    assignment = db_session.query(Assignment).filter_by(
        person_id=vol_a.id, area_id=scenario.grids["kunwu2"].id).one()
    token = api_login(client, "vol_a", scenario.password)
    first = client.post("/api/v1/sync/pull", json={"protocol": 2, "cursor": None},
                        headers={"Authorization": f"Bearer {token}"}).get_json()
    assignment_id = assignment.id
    db_session.rollback()
    web = as_user("kunwu_sup")
    assert web.post(f"/assignments/{assignment_id}/end",
                    data={"reason": "调到别的网格"}).status_code == 302
    assert db_session.get(Assignment, assignment_id).ends_on == today_in_china() - timedelta(days=1)
    page = client.post("/api/v1/sync/pull", json={"protocol": 2, "cursor": first["cursor"]},
                       headers={"Authorization": f"Bearer {token}"}).get_json()
    assert scenario.grids["kunwu2"].id in page["evict_grids"]


def test_assigning_with_dates(as_user, scenario, db_session):
    web = as_user("kunwu_sup")
    vol_c = scenario.people["vol_a"]
    response = web.post(f"/people/{vol_c.id}/assignments", data={
        "area_id": scenario.grids["kunwu1"].id, "role": "grid_worker",
        "starts_on": "2026-01-01", "ends_on": "2025-01-01"})
    assert response.status_code == 303  # the end before the start: refused
    response = web.post(f"/people/{vol_c.id}/assignments", data={
        "area_id": scenario.grids["kunwu1"].id, "role": "grid_worker",
        "starts_on": "2026-01-01", "ends_on": "2026-12-31"})
    assert response.status_code == 302
    assert db_session.query(Assignment).filter_by(person_id=vol_c.id, role="grid_worker").count() == 1


def test_revoked_tablet_is_refused_at_next_pull(as_user, scenario, client, db_session):
    device_id = "1b4e28ba-2fa1-4d2b-a0e0-000000000001"
    token = api_login(client, "vol_a", scenario.password, device_id)
    html = as_user("kunwu_sup").get("/tablets").get_data(as_text=True)
    assert device_id in html or device_id[:8] in html
    db_session.rollback()
    web = as_user("kunwu_sup")
    assert web.post(f"/tablets/{device_id}/revoke", data={"reason": "平板丢失"}).status_code == 302
    assert db_session.get(Device, device_id).revoked_at is not None
    response = client.post("/api/v1/sync/pull", json={"protocol": 2, "cursor": None},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.get_json()["error"] == "device_revoked"
    assert db_session.query(AuditEntry).filter_by(action="revoke_device").count() == 1


def test_tablet_list_shows_sync_and_version(as_user, scenario):
    html = as_user("kunwu_sup").get(f"/people/{scenario.people['vol_b'].id}").get_data(
        as_text=True)
    assert "平板-vol_b" in html and "1.0.0" in html and "超过 3 天未更新" in html
