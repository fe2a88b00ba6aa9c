"""A web edit of what decides follow-ups (关爱类别, the birth year) recomputes the visit facts
that depend on it: a "no answer" opens a follow-up for someone living alone, aged 80 or over,
失能 or 重残 (shared/district_rules.py, the default rules)."""
from __future__ import annotations

from datetime import timedelta

from test_dashboard import listed_names
from test_resident_and_conflicts import form_values
from testkit.web_scenario import add_visit

from server.models import Resident
from shared import protocol as p
from shared.clock import utcnow


def stored(session, resident_id: str) -> Resident:
    """The resident as the page left it: this session's read snapshot and loaded values go."""
    session.rollback()
    session.expire_all()
    return session.get(Resident, resident_id)


def test_no_longer_living_alone_closes_the_follow_up(as_user, scenario, db_session):
    wang = scenario.residents["wang"]  # alone, 82; met ten days ago, no answer yesterday
    web = as_user("kunwu_sup")
    assert listed_names(web.get("/residents?show=follow_up").get_data(as_text=True)) == \
        {"王秀英"}
    response = web.post(f"/residents/{wang.id}",
                        data=form_values(wang, care_categories=[p.EMPTY_NEST],
                                         birth_year=1950))  # a typo fixed: she is 76
    assert response.status_code == 302
    assert stored(db_session, wang.id).follow_up_since is None
    assert listed_names(web.get("/residents?show=follow_up").get_data(as_text=True)) == set()


def test_now_living_alone_opens_the_follow_up_from_the_first_no_answer(as_user, scenario,
                                                                      db_session):
    li = scenario.residents["li"]  # empty nest; met ten days ago
    first = (utcnow() - timedelta(days=3)).replace(microsecond=0)
    add_visit(db_session, li, scenario.people["vol_b"], first, p.NO_ANSWER)
    add_visit(db_session, li, scenario.people["vol_b"], first + timedelta(days=1), p.NO_ANSWER)
    db_session.commit()
    db_session.refresh(li)
    assert li.follow_up_since is None  # not alone: no follow-up yet
    values = form_values(li, care_categories=[p.ALONE])
    web = as_user("kunwu_sup")
    response = web.post(f"/residents/{li.id}", data=values)
    assert response.status_code == 302
    assert stored(db_session, li.id).follow_up_since == first
    assert "李桂兰" in listed_names(web.get("/residents?show=follow_up").get_data(as_text=True))
