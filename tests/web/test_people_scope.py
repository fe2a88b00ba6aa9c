"""Scope over people: a supervisor manages the people currently assigned inside their own area,
not anyone who once helped there, and not people placed in the areas above it (issue 8,
finding 2)."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

from testkit.factories import assign, make_person
from server.models import Assignment, Device, Person
from server.web.timeutil import local_today
from shared import protocol as p

#: Destructive actions ask for a reason (confirmation pages).
REASON = {"reason": "人员调整"}


def _former_helper(db_session, scenario) -> Person:
    """A volunteer of 濮上社区 who helped in 昆吾社区 last year (assignment ended)."""
    helper = make_person(db_session, "helper", p.VOLUNTEER, [scenario.grids["pushang1"]],
                         display_name="周志明")
    assign(db_session, helper, scenario.grids["kunwu1"], starts_on=date(2020, 1, 1),
           ends_on=local_today() - timedelta(days=30))
    db_session.add(Device(id=str(uuid.uuid4()), person_id=helper.id, name="平板-helper",
                          token_hash=uuid.uuid4().hex))
    db_session.commit()
    return helper


def test_community_supervisor_cannot_deactivate_a_former_helper(as_user, scenario, db_session):
    helper = _former_helper(db_session, scenario)
    web = as_user("kunwu_sup")
    response = web.post(f"/people/{helper.id}/deactivate", data=REASON)
    assert response.status_code in (403, 404)
    assert "周志明" not in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Person, helper.id).active


def test_community_supervisor_cannot_revoke_a_former_helpers_tablet(as_user, scenario,
                                                                    db_session):
    helper = _former_helper(db_session, scenario)
    device_id = db_session.query(Device).filter_by(person_id=helper.id).one().id
    web = as_user("kunwu_sup")
    response = web.post(f"/tablets/{device_id}/revoke", data=REASON)
    assert response.status_code in (403, 404)
    assert "周志明" not in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Device, device_id).revoked_at is None


def test_former_helper_is_not_listed_but_their_own_supervisor_manages_them(as_user, scenario,
                                                                         db_session):
    helper = _former_helper(db_session, scenario)
    kunwu = as_user("kunwu_sup")
    assert "周志明" not in kunwu.get("/people").get_data(as_text=True)
    assert "平板-helper" not in kunwu.get("/tablets").get_data(as_text=True)
    assert kunwu.get(f"/people/{helper.id}").status_code == 404
    pushang = as_user("pushang_sup")
    assert "周志明" in pushang.get("/people").get_data(as_text=True)
    assert pushang.post(f"/people/{helper.id}/deactivate", data=REASON).status_code == 302
    db_session.expire_all()
    assert not db_session.get(Person, helper.id).active


def test_people_placed_above_the_supervisors_area_are_out_of_scope(as_user, scenario,
                                                                   db_session):
    """A volunteer assigned to the whole street is the street supervisor's, not a community's."""
    roaming = make_person(db_session, "roaming", p.VOLUNTEER, [scenario.streets["changqing"]],
                          display_name="郑国强")
    db_session.commit()
    kunwu = as_user("kunwu_sup")
    assert kunwu.post(f"/people/{roaming.id}/deactivate", data=REASON).status_code in (403, 404)
    assignment = db_session.query(Assignment).filter_by(person_id=roaming.id).one()
    assert kunwu.post(f"/assignments/{assignment.id}/end", data=REASON).status_code in (403, 404)
    db_session.expire_all()
    assert db_session.get(Person, roaming.id).active
    assert db_session.get(Assignment, assignment.id).ends_on is None
    assert as_user("street_sup").post(f"/people/{roaming.id}/deactivate", data=REASON).status_code == 302


def test_supervisor_still_ends_a_current_assignment_in_their_area(as_user, scenario,
                                                                  db_session):
    vol_a = scenario.people["vol_a"]
    assignment = db_session.query(Assignment).filter_by(
        person_id=vol_a.id, area_id=scenario.grids["kunwu2"].id).one()
    web = as_user("kunwu_sup")
    assert web.post(f"/assignments/{assignment.id}/end", data=REASON).status_code == 302
    # Still assigned to 第1网格: still theirs, and the page still opens.
    assert web.get(f"/people/{vol_a.id}").status_code == 200
