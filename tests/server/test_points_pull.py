"""The duty points a pull's last page carries (server/points_pull.py): what a person may see
(their own adjustments, never another's), and a ranking read beside a concurrent catching-up of
the stored ledger without failing the pull (PostgreSQL's REPEATABLE READ snapshot)."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from server import points, points_store
from server.db import make_engine
from server.models import LogHead
from server.points_pull import pull_member
from shared.clock import utcnow
from testkit.web_helpers import api_login
from testkit.web_scenario import add_visit, scenario_at

NOW = "2026-11-20T04:00:00Z"


@pytest.fixture
def scenario(db_session):
    with scenario_at(db_session, NOW) as built:
        yield built


def last_page(client, token: str) -> dict:
    cursor = None
    while True:
        page = client.post("/api/v1/sync/pull", json={"protocol": 4, "cursor": cursor},
                           headers={"Authorization": f"Bearer {token}"}).get_json()
        if not page["has_more"]:
            return page
        assert "points" not in page  # only the last page carries it
        cursor = page["cursor"]


def test_a_person_gets_their_own_adjustments_only(client, scenario, db_session):
    sup = scenario.people["kunwu_sup"]
    for who, amount in (("vol_a", 4), ("vol_b", -3)):
        points.add_adjustment(db_session, scenario.people[who].id, amount, f"给{who}的理由",
                              sup.id, utcnow() - timedelta(hours=1))
    db_session.commit()
    member = last_page(client, api_login(client, "vol_a", scenario.password))["points"]
    assert [(a["points"], a["reason"]) for a in member["adjustments"]] == [(4, "给vol_a的理由")]
    assert member["show_ranking"] is False and member["rankings"] == []
    assert [r["version"] for r in member["rules"]] == [1] and member["response_hours"] == 24


def test_the_ranking_is_read_beside_a_concurrent_catch_up(database_url, scenario,
                                                          db_session):
    """A pull's snapshot is taken; meanwhile a visit arrives and a page view brings the stored
    ledger up to date (its state row changes). The pull's ranking still reads, and counts it."""
    vol_a, zhang = scenario.people["vol_a"], scenario.residents["zhang"]
    points.set_show_ranking(db_session, True, scenario.people["admin"].id)
    db_session.commit()
    engine = make_engine(database_url)  # the app's own engine: SQLite locks on begin
    postgres = engine.dialect.name == "postgresql"

    def meanwhile() -> None:
        with Session(engine) as other:
            add_visit(other, zhang, vol_a, utcnow() - timedelta(minutes=30))
            other.commit()
            points_store.refresh(other, utcnow())
            other.commit()

    with time_machine.travel(NOW, tick=False):
        if not postgres:
            meanwhile()  # one writer at a time: the pull holds the lock from its start
        with Session(engine) as pull:
            if postgres:
                pull.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            pull.scalar(select(LogHead.position))  # the pull's snapshot begins
            if postgres:
                meanwhile()
            member = pull_member(pull, engine, vol_a.id, utcnow())
            pull.commit()
    engine.dispose()
    (ranking,) = member["rankings"]
    assert ranking["community"] == "昆吾社区"
    mine = next(row for row in ranking["month"] if row["person_id"] == vol_a.id)
    assert mine["points"] == 9 + 2 + 1 and mine["rank"] == 1  # 张利霞 met again, alone
