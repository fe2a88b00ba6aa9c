"""The follow-up ladder: what to do next when nobody answers the door.

The first no-answer opens a follow-up (``due.open_follow_up``) and the volunteer comes back; a
second no-answer means calling the emergency contact (the app offers the number); a third, and
the community lead is alerted. Any later visit that meets the resident closes the follow-up.
One rule for the tablet (what it offers) and the server (when it alerts).
"""
from __future__ import annotations

from typing import Iterable

from .due import MET_OUTCOMES, VisitFact, effective_visits
from .protocol import NO_ANSWER

REVISIT = "revisit"
CALL_CONTACT = "call_contact"
ALERT_SUPERVISOR = "alert_supervisor"
#: Consecutive no-answers → the step they call for.
LADDER = ((3, ALERT_SUPERVISOR), (2, CALL_CONTACT), (1, REVISIT))


def no_answers_in_a_row(visits: Iterable[VisitFact]) -> int:
    """No-answers since the resident was last met (other outcomes neither count nor reset)."""
    count = 0
    for visit in effective_visits(visits):
        if visit.outcome in MET_OUTCOMES:
            count = 0
        elif visit.outcome == NO_ANSWER:
            count += 1
    return count


def ladder_step(follows_up: bool, visits: Iterable[VisitFact]) -> str | None:
    """The step the open follow-up has reached, or None (no follow-up open)."""
    if not follows_up:
        return None
    count = no_answers_in_a_row(visits)
    return next((step for needed, step in LADDER if count >= needed), None)
