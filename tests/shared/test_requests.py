"""The three lists' state machine (shared/requests.py): every move from every state, by every
role, legal or refused with its reason; working-day deadlines over the official calendar."""
from datetime import date, datetime, timedelta, timezone

import chinese_calendar
import pytest

from shared import protocol as p
from shared import requests as r
from shared.requests import Actor, Move, Refusal, RequestState

AT = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)
LATER = AT + timedelta(hours=5)

OWNER = Actor(7, p.REPRESENTATIVE, "李代表")
OTHER_REP = Actor(8, p.REPRESENTATIVE, "赵代表")
VOLUNTEER = Actor(1, p.VOLUNTEER, "王芳")
GRID_WORKER = Actor(2, p.GRID_WORKER, "陈网格")
SUPERVISOR = Actor(3, p.SUPERVISOR, "周主任")
ADMIN = Actor(4, p.ADMIN, "管理员")
HOUSING = Actor(20, r.DEPARTMENT, "房管科", department_id=5)
HEALTH = Actor(21, r.DEPARTMENT, "卫健科", department_id=6)
EVERYONE = (OWNER, OTHER_REP, VOLUNTEER, GRID_WORKER, SUPERVISOR, ADMIN, HOUSING, HEALTH)

FULL = {"text": "已联系物业", "reason": "不属本部门职责", "verdict": r.SATISFIED,
        "assignee_id": OWNER.person_id, "assignee_name": OWNER.name, "department_id": 5,
        "due_on": date(2026, 11, 27), "category": "repairs"}


def standing(state: str) -> RequestState:
    """A request in ``state``, owned by OWNER, held (if ever) by the housing department."""
    return RequestState(state=state, owner_id=None if state == r.RAISED else OWNER.person_id,
                        owner_name=None if state == r.RAISED else OWNER.name,
                        owner_since=None if state == r.RAISED else AT,
                        department_id=5 if state in r.WITH_DEPARTMENT + (r.RETURNED,) else None,
                        state_since=AT)


# Written out by hand, not derived from the module: (action, from state) -> the state it goes
# to, and who may make it there.
S = r
LEGAL = {
    (r.CLAIM, S.RAISED): (S.CLAIMED, {OWNER, OTHER_REP}),
    **{(r.ASSIGN, s): (S.CLAIMED, {SUPERVISOR, ADMIN})
       for s in (S.RAISED, S.RETURNED)},
    # assigning the same owner again keeps the state
    **{(r.ASSIGN, s): (s, {SUPERVISOR, ADMIN}) for s in (S.CLAIMED, S.IN_PROGRESS, S.REOPENED)},
    **{(r.PROGRESS, s): (S.IN_PROGRESS, {OWNER, SUPERVISOR, ADMIN})
       for s in (S.CLAIMED, S.IN_PROGRESS, S.REOPENED)},
    **{(r.HAND_OVER, s): (S.HANDED_OVER, {OWNER, SUPERVISOR, ADMIN})
       for s in (S.CLAIMED, S.IN_PROGRESS, S.REOPENED)},
    (r.HAND_OVER, S.RETURNED): (S.HANDED_OVER, {SUPERVISOR, ADMIN}),
    (r.HAND_OVER, S.RAISED): (S.HANDED_OVER, {SUPERVISOR, ADMIN}),
    (r.ACCEPT, S.HANDED_OVER): (S.ACCEPTED, {HOUSING}),
    (r.DEPT_PROGRESS, S.ACCEPTED): (S.DEPT_IN_PROGRESS, {HOUSING}),
    (r.DEPT_PROGRESS, S.DEPT_IN_PROGRESS): (S.DEPT_IN_PROGRESS, {HOUSING}),
    (r.DEPT_DONE, S.ACCEPTED): (S.DONE, {HOUSING}),
    (r.DEPT_DONE, S.DEPT_IN_PROGRESS): (S.DONE, {HOUSING}),
    **{(r.CANNOT, s): (S.RETURNED, {HOUSING})
       for s in (S.HANDED_OVER, S.ACCEPTED, S.DEPT_IN_PROGRESS)},
    **{(r.FINISH, s): (S.DONE, {OWNER, SUPERVISOR, ADMIN})
       for s in (S.CLAIMED, S.IN_PROGRESS, S.REOPENED)},
    (r.VERDICT, S.DONE): (S.CLOSED, {OWNER, OTHER_REP, VOLUNTEER, GRID_WORKER, SUPERVISOR,
                                     ADMIN}),
    **{(r.WITHDRAW, s): (S.WITHDRAWN, {SUPERVISOR, ADMIN})
       for s in (S.RAISED, S.CLAIMED, S.IN_PROGRESS, S.RETURNED, S.REOPENED)},
}
# Notes: anyone in the field or supervising, in every state; a department only on its own.
for _state in r.STATES:
    LEGAL[(r.NOTE, _state)] = (_state, {OWNER, OTHER_REP, VOLUNTEER, GRID_WORKER, SUPERVISOR,
                                        ADMIN} | ({HOUSING} if _state in r.WITH_DEPARTMENT +
                                                  (r.RETURNED,) else set()))

MOVES = [a for a in r.ACTIONS if a != r.RAISE]
CASES = [(action, state, actor) for action in MOVES for state in r.STATES for actor in EVERYONE]


@pytest.mark.parametrize("action,state,actor", CASES,
                         ids=[f"{a}-{s}-{x.name}" for a, s, x in CASES])
def test_every_move_from_every_state_by_every_role(action, state, actor):
    before = standing(state)
    refusal = r.check(before, actor, Move(action, FULL))
    to, allowed = LEGAL.get((action, state), (None, set()))
    if actor in allowed:
        assert refusal is None
        after = r.apply(before, actor, Move(action, FULL), LATER)
        assert after.state == to
    else:
        assert isinstance(refusal, Refusal) and refusal.code in r.REFUSAL_CODES
        assert (action in r.legal_actions(before, actor)) is False


def test_the_most_useful_reason_comes_first():
    claimed = standing(r.CLAIMED)
    refusal = r.check(claimed, OTHER_REP, Move(r.CLAIM))
    assert refusal == Refusal(r.ALREADY_CLAIMED, {"owner_id": 7, "owner_name": "李代表",
                                                  "since": AT})
    assert r.check(standing(r.REOPENED), VOLUNTEER, Move(r.VERDICT, FULL)) == \
        Refusal(r.REOPENED_SINCE, {"since": AT})
    assert r.check(standing(r.CLOSED), SUPERVISOR, Move(r.WITHDRAW, FULL)) == \
        Refusal(r.ALREADY_CLOSED, {"state": r.CLOSED, "since": AT})
    assert r.check(claimed, VOLUNTEER, Move(r.CLAIM)) == \
        Refusal(r.ROLE_NOT_ALLOWED, {"action": r.CLAIM, "role": p.VOLUNTEER})
    assert r.check(claimed, OTHER_REP, Move(r.PROGRESS, FULL)) == \
        Refusal(r.NOT_OWNER, {"owner_id": 7, "owner_name": "李代表"})
    assert r.check(standing(r.HANDED_OVER), HEALTH, Move(r.ACCEPT)) == \
        Refusal(r.NOT_YOUR_DEPARTMENT)
    assert r.check(standing(r.RAISED), OWNER, Move(r.FINISH)) == \
        Refusal(r.WRONG_STATE, {"action": r.FINISH, "state": r.RAISED})


@pytest.mark.parametrize("action,field", [
    (r.PROGRESS, "text"), (r.NOTE, "text"), (r.DEPT_PROGRESS, "text"), (r.CANNOT, "reason"),
    (r.WITHDRAW, "reason"), (r.VERDICT, "verdict"), (r.ASSIGN, "assignee_id"),
    (r.HAND_OVER, "department_id"), (r.HAND_OVER, "due_on")])
def test_a_move_without_what_it_carries_is_refused_naming_it(action, field):
    state = standing({r.DEPT_PROGRESS: r.ACCEPTED, r.CANNOT: r.ACCEPTED,
                      r.VERDICT: r.DONE}.get(action, r.CLAIMED))
    actor = HOUSING if action in (r.DEPT_PROGRESS, r.CANNOT) else SUPERVISOR
    data = {**FULL, field: "  " if field in ("text", "reason") else None}
    assert r.check(state, actor, Move(action, data)) == Refusal(r.MISSING, {"field": field})


def test_an_unknown_verdict_is_refused():
    assert r.check(standing(r.DONE), VOLUNTEER, Move(r.VERDICT, {"verdict": "great"})) == \
        Refusal(r.MISSING, {"field": "verdict"})


def test_raising():
    assert r.check(None, VOLUNTEER, Move(r.RAISE, {"category": "meals"})) is None
    assert r.apply(None, VOLUNTEER, Move(r.RAISE), AT) == RequestState(r.RAISED, state_since=AT)
    assert r.check(None, VOLUNTEER, Move(r.RAISE)) == Refusal(r.MISSING, {"field": "category"})
    assert r.check(None, HOUSING, Move(r.RAISE, {"category": "meals"})).code == \
        r.ROLE_NOT_ALLOWED
    assert r.check(standing(r.RAISED), VOLUNTEER, Move(r.RAISE, {"category": "meals"})) == \
        Refusal(r.ALREADY_RAISED)
    assert r.check(None, OWNER, Move(r.CLAIM)) == Refusal(r.NO_SUCH_REQUEST)
    assert r.check(standing(r.RAISED), OWNER, Move("fly")).code == r.WRONG_STATE


def test_the_whole_loop_and_its_facts():
    moves = [(VOLUNTEER, Move(r.RAISE, {"category": "repairs"})),
             (OWNER, Move(r.CLAIM)),
             (OTHER_REP, Move(r.CLAIM)),  # too late: refused, says who
             (OTHER_REP, Move(r.NOTE, {"text": "我也去看过"})),  # kept
             (OWNER, Move(r.PROGRESS, {"text": "已上门查看"})),
             (OWNER, Move(r.HAND_OVER, {"department_id": 5, "due_on": date(2026, 11, 30)})),
             (HOUSING, Move(r.ACCEPT)),
             (HOUSING, Move(r.DEPT_DONE)),
             (VOLUNTEER, Move(r.VERDICT, {"verdict": r.NOT_SATISFIED})),
             (GRID_WORKER, Move(r.VERDICT, {"verdict": r.SATISFIED})),  # reopened meanwhile
             (OWNER, Move(r.FINISH)),
             (VOLUNTEER, Move(r.VERDICT, {"verdict": r.PARTLY}))]
    events = [(actor, move, AT + timedelta(hours=i)) for i, (actor, move) in enumerate(moves)]
    state, outcomes = r.replay(events)
    codes = [o.code if o else None for o in outcomes]
    assert codes == [None, None, r.ALREADY_CLAIMED, None, None, None, None, None, None,
                     r.REOPENED_SINCE, None, None]
    assert outcomes[2].params["since"] == AT + timedelta(hours=1)
    assert state.state == r.CLOSED and state.verdict == r.PARTLY
    assert state.owner_id == OWNER.person_id and state.department_id == 5
    assert state.claimed_at == AT + timedelta(hours=1)


def test_assigning_another_owner_restarts_the_task():
    state = r.apply(standing(r.IN_PROGRESS), SUPERVISOR,
                    Move(r.ASSIGN, {"assignee_id": 8, "assignee_name": "赵代表"}), LATER)
    assert (state.state, state.owner_id, state.owner_name, state.owner_since) == \
        (r.CLAIMED, 8, "赵代表", LATER)
    assert state.claimed_at == LATER  # standing() had no claim time; the first one counts


def test_the_tablet_offers_only_legal_moves():
    assert r.legal_actions(standing(r.RAISED), OWNER, r.TABLET_ACTIONS) == [r.CLAIM, r.NOTE]
    assert r.legal_actions(standing(r.RAISED), VOLUNTEER, r.TABLET_ACTIONS) == [r.NOTE]
    assert r.legal_actions(standing(r.CLAIMED), OWNER, r.TABLET_ACTIONS) == \
        [r.PROGRESS, r.NOTE, r.FINISH]
    assert r.legal_actions(standing(r.DONE), VOLUNTEER, r.TABLET_ACTIONS) == [r.NOTE, r.VERDICT]
    assert r.legal_actions(None, VOLUNTEER, r.TABLET_ACTIONS) == [r.RAISE]


# ---- working days over the official calendar ------------------------------------------------

def test_working_days_skip_weekends_and_holidays_and_count_adjusted_workdays():
    workday = chinese_calendar.is_workday
    # 2026-09-30 (Wed) + 1 working day: the National Day holiday runs 1-7 October (8 Oct is
    # the next working day); 2026-10-10 (Sat) is worked instead (调休).
    assert r.add_working_days(date(2026, 9, 30), 1, workday) == date(2026, 10, 8)
    assert r.add_working_days(date(2026, 10, 9), 1, workday) == date(2026, 10, 10)
    # Friday + 1 working day is Monday; 0 is the day itself.
    assert r.add_working_days(date(2026, 11, 20), 1, workday) == date(2026, 11, 23)
    assert r.add_working_days(date(2026, 11, 20), 0, workday) == date(2026, 11, 20)
    assert r.working_days_between(date(2026, 9, 30), date(2026, 10, 10), workday) == 3
    assert r.working_days_between(date(2026, 10, 10), date(2026, 10, 1), workday) == 0
    with pytest.raises(ValueError):
        r.add_working_days(date(2026, 1, 1), -1, workday)


def test_weekdays_only_is_the_fallback():
    assert r.add_working_days(date(2026, 11, 20), 5, r.weekdays_only) == date(2026, 11, 27)


def test_overdue_means_past_due_and_still_open():
    handed = RequestState(r.HANDED_OVER, due_on=date(2026, 11, 27))
    assert not r.is_overdue(handed, date(2026, 11, 27))
    assert r.is_overdue(handed, date(2026, 11, 28))
    assert not r.is_overdue(RequestState(r.DONE, due_on=date(2026, 11, 27)), date(2026, 12, 1))
    assert not r.is_overdue(RequestState(r.CLOSED, due_on=date(2026, 11, 27)), date(2026, 12, 1))
    assert not r.is_overdue(RequestState(r.CLAIMED), date(2026, 12, 1))
