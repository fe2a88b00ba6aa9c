"""Requests (issue 14) as points facts and the three rates: shared.points.requests, the one
mapping the server and the tablet both read a request record with."""
from __future__ import annotations

from datetime import date, datetime, timezone

from shared.district_day import zone_named
from shared.points import facts as f
from shared.points.requests import events_of, request_events, three_rates

CHINA = zone_named("Asia/Shanghai")


def cn(day: int, hour: int = 10, month: int = 11) -> str:
    return datetime(2026, month, day, hour, tzinfo=CHINA).astimezone(timezone.utc).isoformat()


def record(*moves, resident="r1", request_id="q1"):
    return {"id": request_id, "resident_id": resident, "grid_id": 7,
            "timeline": [{"id": f"{request_id}-e{n}", "action": action, "at": at,
                          "person_id": person, "data": data or {}}
                         for n, (action, at, person, data) in enumerate(moves)]}


def shape(events):
    return [(e.kind, e.person_id, e.due, e.verdict) for e in events]


def test_each_move_maps_to_its_fact():
    events = events_of(record(
        ("raise", cn(2), 11, {"category": "repairs"}),
        ("claim", cn(2, 12), 12, None),
        ("progress", cn(3), 12, {"text": "在修"}),
        ("hand_over", cn(3, 11), 12, {"department_id": 1, "due_on": "2026-11-10"}),
        ("accept", cn(4), 30, None),
        ("dept_done", cn(6), 30, None),
        ("verdict", cn(7), 13, {"verdict": "not_satisfied"}),
        ("assign", cn(7, 12), 40, {"assignee_id": 14}),
        ("done", cn(8), 14, None),
        ("verdict", cn(9), 13, {"verdict": "satisfied"})))
    due = date(2026, 11, 10)
    assert shape(events) == [
        (f.RAISED, "11", None, None), (f.ASSIGNED, "12", None, None),
        (f.ASSIGNED, "12", due, None), (f.RESOLVED, "30", None, None),
        (f.VERDICT, "13", None, f.NOT_SATISFIED), (f.ASSIGNED, "14", due, None),
        (f.RESOLVED, "14", None, None), (f.VERDICT, "13", None, f.SATISFIED)]
    assert {e.request_id for e in events} == {"q1"}
    assert events[0].resident_id == "r1"


def test_a_hand_over_without_an_owner_gives_no_task_and_open311_raises_by_nobody():
    events = events_of(record(("raise", cn(2), None, {}),
                              ("hand_over", cn(2, 11), 5, {"due_on": "2026-11-10"}),
                              ("dept_done", cn(3), 30, None)))
    assert shape(events) == [(f.RAISED, "", None, None), (f.RESOLVED, "30", None, None)]


def test_a_withdrawn_request_raises_nothing_and_ends_its_task():
    events = events_of(record(("raise", cn(2), 11, {}), ("claim", cn(2, 12), 12, None),
                              ("withdraw", cn(3), 5, {"reason": "重复"})))
    assert shape(events) == [(f.ASSIGNED, "12", None, None), (f.WITHDRAWN, "5", None, None)]


def test_what_does_not_read_is_skipped_never_raised():
    broken = {"id": "q1", "resident_id": 5, "timeline": [
        "not a move", {"id": "", "action": "raise", "at": cn(2)},
        {"id": "e1", "action": "raise", "at": "yesterday", "person_id": 1},
        {"id": "e2", "action": "raise", "at": cn(2), "person_id": 1, "data": "x"},
        {"id": "e3", "action": "verdict", "at": cn(3), "person_id": 1,
         "data": {"verdict": "great"}},
        {"id": "e4", "action": "hand_over", "at": cn(3), "person_id": 1,
         "data": {"due_on": "soon"}}]}
    assert shape(events_of(broken)) == [(f.RAISED, "1", None, None)]
    assert events_of({"timeline": []}) == [] and events_of({"id": 3}) == []
    assert request_events([broken, {"id": None}]) == events_of(broken)


def test_the_three_rates_count_like_the_servers():
    today = date(2026, 11, 30)
    answered_on_time = record(("raise", cn(2), 11, {}), ("claim", cn(2, 20), 12, None),
                              ("hand_over", cn(3), 12, {"due_on": "2026-11-10"}),
                              ("dept_done", cn(10, 22), 30, None),
                              ("verdict", cn(11), 13, {"verdict": "satisfied"}),
                              request_id="q1")
    late_and_unhappy = record(("raise", cn(4), 11, {}), ("claim", cn(6), 14, None),
                              ("hand_over", cn(6, 11), 14, {"due_on": "2026-11-12"}),
                              ("verdict", cn(20), 13, {"verdict": "not_satisfied"}),
                              request_id="q2")
    unclaimed = record(("raise", cn(5), 11, {}), request_id="q3")
    withdrawn = record(("raise", cn(5), 11, {}), ("withdraw", cn(6), 5, {"reason": "x"}),
                       request_id="q4")
    last_month = record(("raise", cn(20, month=10), 11, {}), request_id="q5")
    events = request_events([answered_on_time, late_and_unhappy, unclaimed, withdrawn,
                             last_month])
    rates = three_rates(events, date(2026, 11, 1), date(2026, 11, 30), CHINA, today)
    assert (rates.raised, rates.responded, rates.due, rates.resolved, rates.verdicts,
            rates.satisfied) == (3, 1, 2, 1, 2, 1)
    assert (rates.response, rates.resolution, rates.satisfaction) == (1 / 3, 0.5, 0.5)
    mine = three_rates(events, date(2026, 11, 1), date(2026, 11, 30), CHINA, today, owner="14")
    assert (mine.raised, mine.resolution, mine.satisfaction) == (1, 0.0, 0.0)
    # before the deadline passes an open task is not counted yet; nothing to count is None
    early = three_rates(events, date(2026, 11, 1), date(2026, 11, 30), CHINA, date(2026, 11, 12))
    assert early.due == 1
    none = three_rates([], date(2026, 11, 1), date(2026, 11, 30), CHINA, today)
    assert (none.response, none.resolution, none.satisfaction) == (None, None, None)


def test_the_timeline_order_holds_at_one_instant_and_when_clocks_differ():
    # claimed and handed over at one instant, then a move whose clock runs behind
    events = events_of(record(("raise", cn(2), 11, {}), ("claim", cn(5), 12, None),
                              ("hand_over", cn(5), 12, {"due_on": "2026-11-12"}),
                              ("done", cn(4), 12, None)))
    ordered = sorted(events, key=lambda e: (e.at, e.id))
    assert [e.kind for e in ordered] == [f.RAISED, f.ASSIGNED, f.ASSIGNED, f.RESOLVED]
    assert ordered[2].due == date(2026, 11, 12) and ordered[3].at == ordered[2].at
