"""我的履职: the tablet's own figure, computed offline by the shared core from what it pulled,
equals the server's once it has synced (issue 15): the month, the year, after a void, after an
admin saved new rules, with a supervisor's adjustment; and the ranking the tablet shows is the
points page's. A real tablet: its SQLite store, its sync engine, the whole server stack."""
from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
import time_machine

from client.points import POINTS_META, held_points, held_records
from client.store import SqliteStore
from client.sync import SyncEngine
from client.transport import FlaskTransport
from client.ui.presenters.duty import my_duty
from server import points
from server.sync.batch import ChangeBatch
from shared import protocol as p
from shared.clock import utcnow
from shared.district_day import zone_named
from shared.points import rules as pr
from testkit.factories import PASSWORD
from testkit.web_helpers import WebClient
from testkit.web_scenario import add_visit, build_scenario

NOW = "2026-11-20T04:00:00Z"
CHINA = zone_named("Asia/Shanghai")


@pytest.fixture
def scenario(db_session):
    with time_machine.travel(NOW, tick=False):
        built = build_scenario(db_session)
        db_session.commit()
        yield built


class Tablet:
    """vol_a's tablet, signed in through the API."""

    def __init__(self, app, tmp_path, person_id: int, username: str = "vol_a") -> None:
        self.store = SqliteStore(tmp_path / f"{username}.db")
        answer = FlaskTransport(app).post("/api/v1/auth/login", {
            "protocol": p.PROTOCOL_VERSION, "username": username, "password": PASSWORD,
            "device_id": str(uuid.uuid4()), "device_name": username})
        self.store.set_meta({"token": answer["token"]})
        self.engine = SyncEngine(self.store, FlaskTransport(app), sleep=lambda _s: None)
        self.person_id = person_id

    def sync(self):
        report = self.engine.sync()
        assert report.ok, report.error
        residents, visits = held_records(self.store)
        held = held_points(self.store, self.person_id)
        return my_duty(self.person_id, residents, visits, CHINA, utcnow(), held), held


@pytest.fixture
def tablet(app, tmp_path, scenario):
    made = Tablet(app, tmp_path, scenario.people["vol_a"].id)
    yield made
    made.store.close()


def server_figure(app, scenario, period: str) -> int:
    web = WebClient(app.test_client(), "kunwu_sup", scenario.password)  # vol_a's grids
    html = web.get(f"/points?period={period}").get_data(as_text=True)
    return int(re.search(rf'data-person="{scenario.people["vol_a"].id}">(-?\d+)<',
                         html).group(1))


def void(db_session, resident, person, visit_id) -> None:
    """A void of ``visit_id``, as another tablet would push it."""
    batch = ChangeBatch(db_session)
    batch.add_visit({"id": str(uuid.uuid4()), "resident_id": resident.id,
                     "grid_id": resident.grid_id, "author_id": person.id, "device_id": None,
                     "visited_at": utcnow(), "device_time": utcnow(), "recorded_at": utcnow(),
                     "outcome": None, "details": {}, "corrects_id": visit_id,
                     "correction": p.VOID}, person.display_name, resident)
    batch.flush()


def test_the_tablet_shows_the_servers_points_after_a_sync(app, scenario, db_session, tablet):
    mine, held = tablet.sync()
    assert (mine.month, mine.year) == (9, 9)
    assert mine.month == server_figure(app, scenario, "month")
    assert mine.year == server_figure(app, scenario, "year")
    assert mine.month_sources == {"visit_met": 6, "visit_vulnerable": 3}
    assert [v.version for v in held.book.versions] == [1] and held.adjustments == []
    # A visit, then its void (as another tablet would push them): both sides agree again.
    zhang, vol_a = scenario.residents["zhang"], scenario.people["vol_a"]
    void(db_session, zhang, vol_a, add_visit(db_session, zhang, vol_a, utcnow()))
    add_visit(db_session, scenario.residents["li"], vol_a, utcnow())
    db_session.commit()
    mine, _held = tablet.sync()
    assert mine.month == server_figure(app, scenario, "month") == 9 + 2
    assert any(entry.note == "voided" for entry in mine.recent)


def test_new_rules_and_an_adjustment_reach_the_tablet(app, scenario, db_session, tablet):
    """An admin's new version (in force from today) and a supervisor's adjustment: the tablet
    counts as the server does once it has synced, and not before."""
    vol_a, admin = scenario.people["vol_a"], scenario.people["admin"]
    tablet.sync()
    today = utcnow().astimezone(CHINA).date()
    rules = {**pr.rules_to_dict(pr.default_rules(today)), "version": 2,
             "effective": today.isoformat()}
    rules["amounts"] = {**rules["amounts"], pr.VISIT_MET: 5}
    points.add_rules(db_session, rules, today, admin.id)
    points.add_adjustment(db_session, vol_a.id, 4, "协助社区排查隐患", scenario.people[
        "kunwu_sup"].id, utcnow() - timedelta(hours=1))
    points.add_adjustment(db_session, scenario.people["vol_b"].id, -3, "不是王建国的",
                          scenario.people["kunwu_sup"].id, utcnow() - timedelta(hours=1))
    add_visit(db_session, scenario.residents["li"], vol_a, utcnow() - timedelta(minutes=5))
    db_session.commit()
    # Offline (before the sync), the tablet still counts with what it had.
    before = my_duty(vol_a.id, *held_records(tablet.store), CHINA, utcnow(),
                     held_points(tablet.store, vol_a.id))
    assert before.month == 9
    mine, held = tablet.sync()
    assert [v.version for v in held.book.versions] == [1, 2]
    assert [(a.points, a.reason) for a in held.adjustments] == [(4, "协助社区排查隐患")]
    # Earlier days keep version 1; today's visit of 李桂兰 earns 5; the adjustment 4.
    assert mine.month == 9 + 5 + 4 == server_figure(app, scenario, "month")
    assert mine.year == server_figure(app, scenario, "year")
    assert mine.month_sources[pr.ADJUSTMENT] == 4
    assert any(e.kind == pr.ADJUSTMENT and e.note == "协助社区排查隐患" for e in mine.recent)


def test_the_ranking_travels_only_when_the_district_shows_it(app, scenario, db_session,
                                                              tablet):
    mine, held = tablet.sync()
    assert not held.show_ranking and mine.standings == []
    points.set_show_ranking(db_session, True, scenario.people["admin"].id)
    db_session.commit()
    mine, held = tablet.sync()
    assert held.show_ranking and held.as_of is not None
    (standing,) = mine.standings
    assert standing.community == "昆吾社区"
    # The points page's ranking of the community, as the supervisor sees it.
    web = WebClient(app.test_client(), "kunwu_sup", scenario.password)
    html = web.get(f"/points?period=month&area={scenario.communities['kunwu'].id}"
                   ).get_data(as_text=True)
    ranked = re.findall(r'data-person="(\d+)">(-?\d+)<', html)
    assert [(row.person_id, row.points) for row in held.rankings[0].month] == \
        [(int(pid), int(pts)) for pid, pts in ranked]
    assert standing.month_rank == 1 and standing.month_of == len(ranked) >= 2
    assert standing.leaders[0] == (1, "王建国", 9, True)
    # Switched off again: the next sync takes the ranking away.
    points.set_show_ranking(db_session, False, scenario.people["admin"].id)
    db_session.commit()
    mine, held = tablet.sync()
    assert mine.standings == [] and held.rankings == []


def test_the_tablet_keeps_its_rules_when_it_cannot_read_new_ones(tablet):
    """A rule book this app cannot read (say, a rule a newer server knows) is not taken: the
    tablet keeps counting with the one it had, and never crashes on it."""
    tablet.sync()
    from client.points import keep_points
    good = held_points(tablet.store, tablet.person_id).book
    keep_points(tablet.store, {"rules": [{"version": 1, "effective": "2000-01-01",
                                          "amounts": {"a_new_rule": 3}}],
                               "adjustments": [{"id": "x", "at": "not a time", "points": 2,
                                                "reason": "r"}, "junk"],
                               "rankings": [{"community": "昆吾社区", "month": "junk"}]})
    held = held_points(tablet.store, tablet.person_id)
    assert held.book == good and held.adjustments == [] and held.rankings == []
    assert tablet.store.get_meta(POINTS_META)
