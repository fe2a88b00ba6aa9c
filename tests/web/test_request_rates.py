"""The three rates counted by the database: the total is the sum of every group (requests with
no owner or department included), the whole district (no list of grids) counts what the list
of every grid counts, and the dashboard's trend (one query grouped by month) gives each month
what the rates of that month alone give."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from server.threelists import rates
from server.threelists.models import Department, ServiceRequest
from shared import requests as r
from shared.district_day import day_start

ZONE = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 12, 1)
RAISED = datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc)


def add(session, grid, raised, *, state=r.RAISED, response=None, owner=None, department=None,
        due=None, done=None, verdict=None):
    session.add(ServiceRequest(
        id=str(uuid.uuid4()), grid_id=grid.id, category="repairs", description="灯坏了",
        urgency="normal", channel="visit", raised_at=raised, state=state, state_since=raised,
        owner_id=owner.id if owner else None, owner_name=owner.display_name if owner else None,
        response_seconds=response, department_id=department.id if department else None,
        due_on=due, done_on=done, verdict=verdict, version=0, events_count=1))


def arrange(session, scenario):
    housing = Department(code="housing", name="区住建局", active=True)
    session.add(housing)
    session.flush()
    rep = scenario.people["vol_c"]
    kunwu1, kunwu2, pushang1 = (scenario.grids[k] for k in ("kunwu1", "kunwu2", "pushang1"))
    add(session, kunwu1, RAISED, state=r.CLOSED, response=3600, owner=rep, department=housing,
        due=date(2026, 11, 10), done=date(2026, 11, 9), verdict=r.SATISFIED)
    add(session, kunwu1, RAISED, state=r.REOPENED, response=200_000, owner=rep,
        department=housing, due=date(2026, 11, 10), done=date(2026, 11, 12),
        verdict=r.NOT_SATISFIED)
    add(session, kunwu2, RAISED)  # nobody has it: counted in the total, in no representative
    add(session, pushang1, RAISED, state=r.WITHDRAWN)  # withdrawn: not counted
    add(session, pushang1, RAISED - timedelta(days=40), state=r.CLAIMED, response=60, owner=rep)
    add(session, pushang1, RAISED - timedelta(days=70), state=r.HANDED_OVER, response=60,
        owner=rep, department=housing, due=date(2026, 9, 1))
    session.commit()


def test_the_total_is_every_request_and_the_district_needs_no_list(db_session, scenario):
    arrange(db_session, scenario)
    every_grid = {g.id for g in scenario.grids.values()}
    start, end = day_start(date(2026, 8, 1), ZONE), day_start(TODAY, ZONE)
    for by in rates.GROUPINGS:
        listed, total = rates.three_rates(db_session, every_grid, start, end, by, TODAY, ZONE, 24)
        district, district_total = rates.three_rates(db_session, None, start, end, by, TODAY,
                                                     ZONE, 24)
        assert (listed, total) == (district, district_total), by
        assert (total.raised, total.responded, total.due, total.resolved, total.verdicts,
                total.satisfied) == (5, 3, 3, 1, 2, 1), by
    by_rep, _total = rates.three_rates(db_session, None, start, end, "representative", TODAY,
                                       ZONE, 24)
    assert [(row.name, row.tally.raised) for row in by_rep] == [("侯胜涛", 4)]
    by_street, _total = rates.three_rates(db_session, None, start, end, "street", TODAY, ZONE, 24)
    assert [(row.name, row.tally.raised) for row in by_street] == [("中原路街道", 2),
                                                                  ("长庆路街道", 3)]
    assert rates.three_rates(db_session, set(), start, end, "grid", TODAY, ZONE, 24)[1].raised == 0


def test_the_trend_gives_each_month_what_its_own_rates_give(db_session, scenario):
    arrange(db_session, scenario)
    kunwu = {scenario.grids["kunwu1"].id, scenario.grids["kunwu2"].id}
    for grids in (None, kunwu):
        trend = rates.monthly_trend(db_session, grids, TODAY, ZONE, 24)
        assert [first for first, _tally in trend] == [date(2026, m, 1) for m in range(7, 13)]
        for index, (first, tally) in enumerate(trend):
            last = trend[index + 1][0] if index + 1 < len(trend) else TODAY + timedelta(days=1)
            _rows, alone = rates.three_rates(db_session, grids, day_start(first, ZONE),
                                             day_start(last, ZONE), "grid", TODAY, ZONE, 24)
            assert tally == alone, first
    raised = [tally.raised for _first, tally in rates.monthly_trend(db_session, None, TODAY, ZONE,
                                                                    24)]
    assert raised == [0, 1, 1, 0, 3, 0]
