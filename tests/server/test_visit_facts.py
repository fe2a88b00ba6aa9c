"""A resident's derived visit facts, kept incrementally by the server, always equal what the
shared rule computes from the whole history, whatever order the visits arrive in."""
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from server.sync.batch import ChangeBatch, ResidentFacts
from shared.due import VisitFact, last_met, open_follow_up

START = datetime(2026, 11, 1, tzinfo=timezone.utc)
VISITS = st.lists(st.tuples(st.integers(0, 40), st.sampled_from(
    ["met", "no_answer", "refused", "away", "emergency"])), min_size=1, max_size=15)


def follow(visits, categories):
    batch = ChangeBatch(session=None)
    facts = ResidentFacts("r", 1, categories)
    seen = []
    for index, (hours, outcome) in enumerate(visits):
        at = START + timedelta(hours=hours)
        seen.append(VisitFact(str(index), at, outcome))
        batch._follow_visit(facts, {"visited_at": at, "outcome": outcome, "corrects_id": None})
        if batch._recompute:  # what flush does: read the history, apply the shared rule
            batch._recompute.clear()
            facts.last_met_at = last_met(seen)
            facts.follow_up_since = open_follow_up(facts.follows_up(), seen)
    return facts, seen


@settings(max_examples=300, deadline=None)
@given(visits=VISITS, alone=st.booleans())
def test_facts_followed_in_any_arrival_order_equal_the_shared_rule(visits, alone):
    situation = ["alone"] if alone else []
    facts, history = follow(visits, situation)
    assert facts.last_met_at == last_met(history)
    assert facts.follow_up_since == open_follow_up(alone, history)
    assert facts.last_visit_at == max(v.visited_at for v in history)


@settings(max_examples=200, deadline=None)
@given(visits=VISITS, alone=st.booleans())
def test_visits_arriving_in_time_order_never_need_the_history(visits, alone):
    # The common case (a tablet syncing what it just recorded): a meeting after a "no answer"
    # closes the follow-up without reading the resident's history, however long it is.
    situation = ["alone"] if alone else []
    batch = ChangeBatch(session=None)
    facts = ResidentFacts("r", 1, situation)
    seen = []
    for index, (hours, outcome) in enumerate(sorted(visits)):
        at = START + timedelta(hours=hours)
        seen.append(VisitFact(str(index), at, outcome))
        batch._follow_visit(facts, {"visited_at": at, "outcome": outcome, "corrects_id": None})
        assert not batch._recompute
    assert facts.last_met_at == last_met(seen)
    assert facts.follow_up_since == open_follow_up(situation, seen)


def test_no_index_holds_a_visit_fact():
    """Every pushed visit updates its resident's facts. With none of them in an index of
    ``residents``, PostgreSQL can write that update beside the old row (HOT) without a new
    entry in every index of the table (migration 0008a_resident_facts_hot)."""
    from server.models import Resident

    facts = {"last_visit_at", "last_met_at", "follow_up_since"}
    indexed = {column.name for index in Resident.__table__.indexes for column in index.columns}
    assert facts <= set(Resident.__table__.columns.keys())
    assert not facts & indexed, facts & indexed
