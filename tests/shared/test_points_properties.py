"""Duty points over random histories: the ledger kept fact by fact equals the ledger computed
from scratch, whatever order the facts arrive in (tablets sync late and out of turn), a fact
synced twice changes nothing, a new rule version leaves the days before it alone, and no cap
is ever exceeded."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.district_day import week_start, zone_named
from shared.points import (
    ASSIGNED,
    RAISED,
    RESOLVED,
    VERDICT,
    Adjustment,
    Ledger,
    PointsResident,
    PointsVisit,
    RequestEvent,
    RuleBook,
    RuleSet,
    compute_ledger,
    default_rules,
)
from shared.points import facts as f
from shared.points import rules as r

CHINA = zone_named("Asia/Shanghai")
START = datetime(2026, 11, 1, tzinfo=CHINA).astimezone(timezone.utc)
SPAN_MINUTES = 21 * 24 * 60
V1 = default_rules(date(2026, 1, 1))
PEOPLE = ("wang", "li", "zhao")
RESIDENTS = ("r1", "r2", "r3")

# Instants: anywhere in three weeks, or minutes from a few fixed moments (to meet the gaps).
minutes = st.one_of(st.integers(0, SPAN_MINUTES),
                    st.sampled_from([600, 601, 620, 1430, 1450, 2000]).flatmap(
                        lambda m: st.integers(m - 40, m + 40)))


def instant(minute: int) -> datetime:
    return START + timedelta(minutes=minute)


@st.composite
def histories(draw):
    facts = []
    for rid in RESIDENTS:
        facts.append(PointsResident(rid, draw(st.integers(1938, 1952)), tuple(draw(
            st.lists(st.sampled_from(["alone", "empty_nest", "aged_80_plus"]), unique=True,
                     max_size=2)))))
    visits = []
    for n in range(draw(st.integers(0, 14))):
        visits.append(PointsVisit(f"v{n}", draw(st.sampled_from(PEOPLE)),
                                  draw(st.sampled_from(RESIDENTS)), instant(draw(minutes)),
                                  draw(st.sampled_from(["met", "met", "no_answer", "refused"]))))
    for n in range(draw(st.integers(0, 3)) if visits else 0):
        target = draw(st.sampled_from(visits))
        void = draw(st.booleans())
        visits.append(PointsVisit(f"c{n}", draw(st.sampled_from(PEOPLE)), target.resident_id,
                                  target.visited_at, None if void else draw(
                                      st.sampled_from(["met", "no_answer"])),
                                  corrects=target.id, correction="void" if void else "amend"))
    facts += visits
    for q in range(draw(st.integers(0, 3))):
        concerns = draw(st.sampled_from((None,) + RESIDENTS))
        for n in range(draw(st.integers(1, 5))):
            kind = draw(st.sampled_from([RAISED, ASSIGNED, RESOLVED, VERDICT, f.WITHDRAWN]))
            at = instant(draw(minutes))
            facts.append(RequestEvent(
                f"q{q}e{n}", f"q{q}", kind, at, draw(st.sampled_from(PEOPLE)),
                resident_id=concerns if kind == RAISED else None,
                due=(at + timedelta(days=draw(st.integers(0, 5)))).date()
                if kind == ASSIGNED and draw(st.booleans()) else None,
                verdict=draw(st.sampled_from([f.SATISFIED, f.PARTLY, f.NOT_SATISFIED]))
                if kind == VERDICT else None))
    for n in range(draw(st.integers(0, 2))):
        facts.append(Adjustment(f"a{n}", draw(st.sampled_from(PEOPLE)), instant(draw(minutes)),
                                draw(st.sampled_from([-5, -1, 2, 10])), "核对记录", "sup"))
    return facts


book = RuleBook((V1,))
as_ofs = minutes.map(instant)


@settings(max_examples=150, deadline=None)
@given(histories(), st.randoms(use_true_random=False), as_ofs)
def test_fact_by_fact_in_any_order_equals_from_scratch(facts, random, as_of):
    expected = compute_ledger(facts, book, CHINA, as_of)
    shuffled = list(facts)
    random.shuffle(shuffled)
    ledger = Ledger(book, CHINA)
    for n, fact in enumerate(shuffled):
        ledger.add(fact)
        if n % 3 == 0:  # look in between: what it caches must follow what arrives later
            ledger.entries(as_of)
    assert ledger.entries(as_of) == expected
    assert compute_ledger(shuffled, book, CHINA, as_of) == expected


@settings(max_examples=100, deadline=None)
@given(histories(), st.randoms(use_true_random=False), as_ofs)
def test_a_fact_synced_again_changes_nothing(facts, random, as_of):
    again = random.sample(facts, k=len(facts) // 2)
    assert compute_ledger(facts + again, book, CHINA, as_of) == \
        compute_ledger(facts, book, CHINA, as_of)


@settings(max_examples=100, deadline=None)
@given(histories(), st.integers(0, 20), st.integers(0, 10), st.integers(1, 12), as_ofs)
def test_a_new_version_leaves_every_day_before_it_alone(facts, day, met, cap, as_of):
    effective = date(2026, 11, 1) + timedelta(days=day)
    v2 = RuleSet(2, effective, {**r.DEFAULT_AMOUNTS, r.VISIT_MET: met}, weekly_cap=cap,
                 gap_minutes=5)
    before = compute_ledger(facts, book, CHINA, as_of)
    after = compute_ledger(facts, RuleBook((V1, v2)), CHINA, as_of)
    assert [e for e in after if e.day < effective] == [e for e in before if e.day < effective]
    assert all(e.rule_version == 2 for e in after if e.day >= effective and e.rule_version)


@settings(max_examples=150, deadline=None)
@given(histories())
def test_no_person_earns_more_than_the_cap_from_one_resident_in_a_week(facts):
    entries = compute_ledger(facts, book, CHINA, instant(SPAN_MINUTES + 10 * 24 * 60))
    earned = defaultdict(int)
    for entry in entries:
        assert entry.points >= 0 or entry.kind in r.COSTS + (r.ADJUSTMENT,)
        if entry.resident_id is not None:
            earned[(entry.person_id, entry.resident_id, week_start(entry.day))] += entry.points
        if entry.note:
            assert entry.kind == r.ADJUSTMENT or entry.points < r.DEFAULT_AMOUNTS[entry.kind]
    assert all(total <= V1.weekly_cap for total in earned.values())
    met = defaultdict(int)  # and one counted meeting per resident and district day
    for entry in entries:
        if entry.kind == r.VISIT_MET and entry.points and entry.note != f.WEEKLY_CAP:
            met[(entry.resident_id, entry.day)] += 1
    assert all(count == 1 for count in met.values())
