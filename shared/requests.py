"""The three lists (三单制): one rule for a request, its task and its responsibility.

A request (需求单) is raised in a grid; a representative claims it or a supervisor assigns it
(then it is a task, 任务单, with one owner); it may be handed to a department with a deadline in
working days (责任单); the department accepts it, reports progress, and answers done or cannot
(which returns it to the supervisor). Done goes back to the grid, where the resident's verdict
closes it (satisfied, partly) or reopens it (not satisfied). Only a verdict closes a request;
a supervisor may withdraw one that should never have been raised.

The same rule runs on the tablet (which offers only legal moves, :func:`legal_actions`) and on
the server (which refuses illegal ones, :func:`check`): every refusal is a :class:`Refusal`, a
code and the parameters a person needs to understand it, never a sentence in one language.
Notes are legal from anyone, in every state, so nothing a person writes is ever refused.

Pure: no I/O, no clock. The working-day calendar is passed in (:func:`add_working_days`).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Callable, Iterable

from . import protocol as p

# ---- states ---------------------------------------------------------------------------------
RAISED = "raised"  # 待认领
CLAIMED = "claimed"  # 已认领 (a task with an owner)
IN_PROGRESS = "in_progress"  # 办理中
HANDED_OVER = "handed_over"  # 已转交部门, not yet accepted
ACCEPTED = "accepted"  # 部门已受理
DEPT_IN_PROGRESS = "dept_in_progress"  # 部门办理中
DONE = "done"  # 已办好, waiting for the resident's verdict
RETURNED = "returned"  # 部门退回, back with the supervisor
REOPENED = "reopened"  # not satisfied: back with the owner
CLOSED = "closed"  # a verdict closed it
WITHDRAWN = "withdrawn"  # a supervisor withdrew it
STATES = (RAISED, CLAIMED, IN_PROGRESS, HANDED_OVER, ACCEPTED, DEPT_IN_PROGRESS, DONE,
          RETURNED, REOPENED, CLOSED, WITHDRAWN)
#: States in which the request is still open (the loop is not closed).
OPEN_STATES = tuple(s for s in STATES if s not in (CLOSED, WITHDRAWN))
FINAL_STATES = (CLOSED, WITHDRAWN)
#: States in which a department holds it.
WITH_DEPARTMENT = (HANDED_OVER, ACCEPTED, DEPT_IN_PROGRESS)

# ---- moves ----------------------------------------------------------------------------------
RAISE = "raise"
CLAIM = "claim"
ASSIGN = "assign"
PROGRESS = "progress"
NOTE = "note"
HAND_OVER = "hand_over"
ACCEPT = "accept"
DEPT_PROGRESS = "dept_progress"
DEPT_DONE = "dept_done"
CANNOT = "cannot"
FINISH = "done"
VERDICT = "verdict"
WITHDRAW = "withdraw"
ACTIONS = (RAISE, CLAIM, ASSIGN, PROGRESS, NOTE, HAND_OVER, ACCEPT, DEPT_PROGRESS, DEPT_DONE,
           CANNOT, FINISH, VERDICT, WITHDRAW)
#: Moves a tablet may push (hand-overs and the department's answers are made in the web view).
TABLET_ACTIONS = (RAISE, CLAIM, PROGRESS, NOTE, FINISH, VERDICT)

SATISFIED = "satisfied"
PARTLY = "partly"
NOT_SATISFIED = "not_satisfied"
VERDICTS = (SATISFIED, PARTLY, NOT_SATISFIED)

URGENCIES = ("normal", "urgent", "emergency")
#: How a request came in.
CHANNELS = ("visit", "phone", "walk", "web", "hotline")

#: The default categories; a district may configure its own (KNOCKDOOR_REQUEST_CATEGORIES).
DEFAULT_CATEGORIES = ("meals", "medicine", "medical", "repairs", "errands", "cleaning",
                      "safety_hazard", "dispute", "paperwork", "other")
#: A need ticked on a visit, as the request category it is raised under.
NEED_CATEGORIES = {"meals": "meals", "medicine": "medicine", "errands": "errands",
                   "cleaning": "cleaning", "repairs": "repairs", "medical": "medical",
                   "company": "other", "paperwork": "paperwork"}

#: The account role of a department's staff (web only; they see what is handed to them).
DEPARTMENT = "department"
SUPERVISING = (p.SUPERVISOR, p.ADMIN)
#: Who may claim a request as their task.
CLAIMING = (p.REPRESENTATIVE,)
#: Who may record a resident's verdict.
VERDICT_ROLES = (p.VOLUNTEER, p.GRID_WORKER, p.REPRESENTATIVE, p.SUPERVISOR, p.ADMIN)

# ---- refusal codes --------------------------------------------------------------------------
ROLE_NOT_ALLOWED = "role_not_allowed"  # {action, role}
WRONG_STATE = "wrong_state"  # {action, state}
ALREADY_CLAIMED = "already_claimed"  # {owner_id, owner_name, since}
ALREADY_CLOSED = "already_closed"  # {state, since}
REOPENED_SINCE = "reopened"  # {since}: a verdict for a request reopened in the meantime
NOT_OWNER = "not_owner"  # {owner_id, owner_name}
NOT_YOUR_DEPARTMENT = "not_your_department"  # {}
NO_SUCH_REQUEST = "no_such_request"  # {}: a move on a request that was never raised
ALREADY_RAISED = "already_raised"  # {}
MISSING = "missing"  # {field}: a move lacks what it needs (text, reason, verdict...)
REFUSAL_CODES = (ROLE_NOT_ALLOWED, WRONG_STATE, ALREADY_CLAIMED, ALREADY_CLOSED, REOPENED_SINCE,
                 NOT_OWNER, NOT_YOUR_DEPARTMENT, NO_SUCH_REQUEST, ALREADY_RAISED, MISSING)


@dataclass(frozen=True)
class Refusal:
    """Why a move is not allowed: a code and its parameters (the words are the reader's)."""

    code: str
    params: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"code": self.code, "params": dict(self.params)}


@dataclass(frozen=True)
class Actor:
    person_id: int
    role: str
    name: str = ""
    department_id: int | None = None  # department staff only


@dataclass(frozen=True)
class Move:
    """One thing a person does to a request. ``data`` holds what the move carries:
    ``text`` (progress, notes, dept_progress), ``reason`` (cannot, withdraw), ``verdict``,
    ``assignee_id``/``assignee_name`` (assign), ``department_id`` and ``due_on`` (hand_over;
    the due date is computed by the caller from working days, see :func:`add_working_days`)."""

    action: str
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RequestState:
    """Where a request stands; :func:`apply` makes the next one."""

    state: str = RAISED
    owner_id: int | None = None
    owner_name: str | None = None
    owner_since: datetime | None = None
    department_id: int | None = None
    handed_at: datetime | None = None
    due_on: date | None = None
    done_at: datetime | None = None
    verdict: str | None = None
    state_since: datetime | None = None
    claimed_at: datetime | None = None


def _owner_or_supervisor(state: RequestState, actor: Actor) -> Refusal | None:
    if actor.role in SUPERVISING or actor.person_id == state.owner_id:
        return None
    return Refusal(NOT_OWNER, {"owner_id": state.owner_id, "owner_name": state.owner_name})


#: action -> (roles allowed, states it may start from)
RULES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    CLAIM: (CLAIMING, (RAISED,)),
    ASSIGN: (SUPERVISING, (RAISED, CLAIMED, IN_PROGRESS, RETURNED, REOPENED)),
    PROGRESS: (CLAIMING + SUPERVISING, (CLAIMED, IN_PROGRESS, REOPENED)),
    NOTE: (p.ROLES + (DEPARTMENT,), STATES),
    HAND_OVER: (CLAIMING + SUPERVISING, (RAISED, CLAIMED, IN_PROGRESS, REOPENED, RETURNED)),
    ACCEPT: ((DEPARTMENT,), (HANDED_OVER,)),
    DEPT_PROGRESS: ((DEPARTMENT,), (ACCEPTED, DEPT_IN_PROGRESS)),
    DEPT_DONE: ((DEPARTMENT,), (ACCEPTED, DEPT_IN_PROGRESS)),
    CANNOT: ((DEPARTMENT,), WITH_DEPARTMENT),
    FINISH: (CLAIMING + SUPERVISING, (CLAIMED, IN_PROGRESS, REOPENED)),
    VERDICT: (VERDICT_ROLES, (DONE,)),
    WITHDRAW: (SUPERVISING, (RAISED, CLAIMED, IN_PROGRESS, RETURNED, REOPENED)),
}
#: What each move must carry (a non-empty value).
REQUIRED: dict[str, tuple[str, ...]] = {
    PROGRESS: ("text",), NOTE: ("text",), DEPT_PROGRESS: ("text",), CANNOT: ("reason",),
    WITHDRAW: ("reason",), VERDICT: ("verdict",), ASSIGN: ("assignee_id",),
    HAND_OVER: ("department_id", "due_on"),
}
#: Raising a request: anyone in the field or supervising (not a department).
RAISING = p.ROLES


def check(state: RequestState | None, actor: Actor, move: Move) -> Refusal | None:
    """None if ``actor`` may make ``move`` on a request standing at ``state`` (None: a request
    not raised yet), else why not. The most useful reason comes first: a claim of a request
    someone else holds says who and since when, not merely that the state is wrong."""
    if move.action not in ACTIONS:
        return Refusal(WRONG_STATE, {"action": move.action,
                                     "state": state.state if state else None})
    if move.action == RAISE:
        if state is not None:
            return Refusal(ALREADY_RAISED)
        if actor.role not in RAISING:
            return Refusal(ROLE_NOT_ALLOWED, {"action": RAISE, "role": actor.role})
        return _missing(move, ("category",))
    if state is None:
        return Refusal(NO_SUCH_REQUEST)
    roles, sources = RULES[move.action]
    if actor.role not in roles:
        return Refusal(ROLE_NOT_ALLOWED, {"action": move.action, "role": actor.role})
    if state.state not in sources:
        return _state_refusal(state, move)
    if move.action == HAND_OVER and state.state == RAISED and actor.role not in SUPERVISING:
        # A supervisor may send a request straight to a department (a broken street light);
        # a representative claims it first.
        return Refusal(WRONG_STATE, {"action": move.action, "state": state.state})
    if state.state == RETURNED and actor.role not in SUPERVISING and move.action != NOTE:
        # A department sent it back: it is the supervisor's to decide what happens next.
        return Refusal(ROLE_NOT_ALLOWED, {"action": move.action, "role": actor.role})
    if actor.role == DEPARTMENT and actor.department_id != state.department_id:
        return Refusal(NOT_YOUR_DEPARTMENT)
    if move.action in (PROGRESS, FINISH) or (move.action == HAND_OVER and
                                             actor.role not in SUPERVISING):
        refusal = _owner_or_supervisor(state, actor)
        if refusal:
            return refusal
    missing = _missing(move, REQUIRED.get(move.action, ()))
    if missing:
        return missing
    if move.action == VERDICT and move.data["verdict"] not in VERDICTS:
        return Refusal(MISSING, {"field": "verdict"})
    return None


def _missing(move: Move, names: Iterable[str]) -> Refusal | None:
    for name in names:
        value = move.data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            return Refusal(MISSING, {"field": name})
    return None


def _state_refusal(state: RequestState, move: Move) -> Refusal:
    if state.state in FINAL_STATES:
        return Refusal(ALREADY_CLOSED, {"state": state.state, "since": state.state_since})
    if move.action == CLAIM and state.owner_id is not None:
        return Refusal(ALREADY_CLAIMED, {"owner_id": state.owner_id,
                                         "owner_name": state.owner_name,
                                         "since": state.owner_since})
    if move.action == VERDICT and state.state == REOPENED:
        return Refusal(REOPENED_SINCE, {"since": state.state_since})
    return Refusal(WRONG_STATE, {"action": move.action, "state": state.state})


def apply(state: RequestState | None, actor: Actor, move: Move, at: datetime) -> RequestState:
    """The state after a legal ``move`` made at ``at`` (call :func:`check` first)."""
    action, data = move.action, move.data
    if action == RAISE:
        return RequestState(RAISED, state_since=at)
    assert state is not None
    if action == NOTE:
        return state
    if action == CLAIM:
        return replace(state, state=CLAIMED, owner_id=actor.person_id, owner_name=actor.name,
                       owner_since=at, state_since=at, claimed_at=state.claimed_at or at)
    if action == ASSIGN:
        keeps = state.owner_id == data["assignee_id"] and state.state != RETURNED
        return replace(state, state=state.state if keeps else CLAIMED,
                       owner_id=data["assignee_id"],
                       owner_name=data.get("assignee_name"),
                       owner_since=state.owner_since if keeps else at,
                       state_since=state.state_since if keeps else at,
                       claimed_at=state.claimed_at or at)
    if action == PROGRESS:
        return _moved(state, IN_PROGRESS, at)
    if action == HAND_OVER:
        return replace(state, state=HANDED_OVER, department_id=data["department_id"],
                       handed_at=at, due_on=data["due_on"], state_since=at)
    if action == ACCEPT:
        return _moved(state, ACCEPTED, at)
    if action == DEPT_PROGRESS:
        return _moved(state, DEPT_IN_PROGRESS, at)
    if action in (DEPT_DONE, FINISH):
        return replace(state, state=DONE, done_at=at, state_since=at)
    if action == CANNOT:
        return replace(state, state=RETURNED, state_since=at)
    if action == VERDICT:
        verdict = data["verdict"]
        return replace(state, state=REOPENED if verdict == NOT_SATISFIED else CLOSED,
                       verdict=verdict, state_since=at, done_at=None
                       if verdict == NOT_SATISFIED else state.done_at)
    if action == WITHDRAW:
        return replace(state, state=WITHDRAWN, state_since=at)
    raise ValueError(f"unknown action {action!r}")


def _moved(state: RequestState, to: str, at: datetime) -> RequestState:
    if state.state == to:
        return state
    return replace(state, state=to, state_since=at)


def legal_actions(state: RequestState | None, actor: Actor,
                  offered: Iterable[str] = ACTIONS) -> list[str]:
    """The moves ``actor`` may make now, of ``offered`` (the tablet offers
    :data:`TABLET_ACTIONS`), judged without their data (text, verdict...)."""
    found = []
    for action in offered:
        refusal = check(state, actor, Move(action, _PLACEHOLDER))
        if refusal is None:
            found.append(action)
    return found


#: Data that satisfies every move's requirements, for judging a move by role and state alone.
_PLACEHOLDER = {"text": "-", "reason": "-", "verdict": SATISFIED, "assignee_id": 0,
                "department_id": 0, "due_on": date(1970, 1, 1), "category": "other"}


def replay(events: Iterable[tuple[Actor, Move, datetime]]) -> tuple[RequestState | None,
                                                                   list[Refusal | None]]:
    """Fold a history of moves in order: the final state and, per move, its refusal (None:
    applied). A refused move changes nothing, as on the server."""
    state: RequestState | None = None
    outcomes: list[Refusal | None] = []
    for actor, move, at in events:
        refusal = check(state, actor, move)
        outcomes.append(refusal)
        if refusal is None:
            state = apply(state, actor, move, at)
    return state, outcomes


# ---- working days ---------------------------------------------------------------------------

def add_working_days(start: date, days: int, is_workday: Callable[[date], bool]) -> date:
    """The ``days``-th working day after ``start`` (a hand-over on Friday with 1 working day is
    due on Monday). ``is_workday`` is the official calendar (weekends, public holidays and the
    weekend days worked instead, 调休), passed in by the caller."""
    if days < 0:
        raise ValueError("days must not be negative")
    day, left = start, days
    while left:
        day += timedelta(days=1)
        if is_workday(day):
            left -= 1
    return day


def working_days_between(start: date, end: date, is_workday: Callable[[date], bool]) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` <= ``start``)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_workday(day):
            count += 1
    return count


def weekdays_only(day: date) -> bool:
    """Monday to Friday: the fallback for years the official calendar does not cover yet."""
    return day.weekday() < 5


def is_overdue(state: RequestState, today: date) -> bool:
    """Past its due date and still with whoever must finish it."""
    return state.due_on is not None and today > state.due_on and \
        state.state in OPEN_STATES and state.state != DONE
