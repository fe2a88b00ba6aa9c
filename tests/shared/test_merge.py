"""The per-field merge rule: what you saw is replaced, what you did not is kept."""
import json
import random
from dataclasses import FrozenInstanceError
from itertools import permutations

import pytest

from shared.merge import (Candidate, Edit, FieldMerge, FieldStamp, field_subject, has_seen,
                          merge_field, rank, tie_break)

SUBJECT = field_subject("3f6b2c1e-0000-4000-8000-000000000001", "phone")


def apply_in_order(edits, subject=SUBJECT):
    """Replay (edit, value) pairs as the server would, handing out positions in arrival order."""
    candidates = []
    for position, (edit, value) in enumerate(edits, start=10):
        stamp = FieldStamp(position, edit.device_id, edit.seq, edit.base, edit.op_id)
        merge = merge_field(subject, candidates, edit, value, stamp)
        candidates = merge.candidates
    return candidates


def test_a_field_never_written_takes_the_edit():
    merge = merge_field(SUBJECT, [], Edit("d1", 1, 0, "a"), "x", FieldStamp(5, "d1", 1, 0, "a"))
    assert merge.winner.value == "x" and merge.losers == []


def test_an_edit_that_saw_the_current_value_replaces_it():
    current = [Candidate(FieldStamp(10, "d1", 4, 3, "z"), "old")]
    merge = merge_field(SUBJECT, current, Edit("d2", 1, 10, "a"), "new",
                        FieldStamp(11, "d2", 1, 10, "a"))
    assert [c.value for c in merge.candidates] == ["new"]


def test_a_devices_later_edit_replaces_its_own_earlier_one_even_with_an_old_base():
    assert has_seen(Edit("d1", 5, 3, "a"), FieldStamp(10, "d1", 4, 3, "x"))


def test_a_devices_delayed_older_edit_is_stale():
    current = [Candidate(FieldStamp(10, "d1", 4, 3, "x"), "newer")]
    merge = merge_field(SUBJECT, current, Edit("d1", 2, 3, "a"), "older",
                        FieldStamp(11, "d1", 2, 3, "a"))
    assert merge.stale and merge.candidates == current


def test_concurrent_edits_are_both_kept_and_ranked_by_knowledge_then_tie_break():
    current = [Candidate(FieldStamp(10, "d1", 4, 5, "m"), "mine")]
    merge = merge_field(SUBJECT, current, Edit("d2", 1, 7, "a"), "theirs",
                        FieldStamp(11, "d2", 1, 7, "a"))
    assert merge.winner.value == "theirs" and [c.value for c in merge.losers] == ["mine"]
    theirs = Candidate(FieldStamp(11, "d2", 1, 5, "a"), "theirs")
    merge = merge_field(SUBJECT, current, Edit("d2", 1, 5, "a"), "theirs", theirs.stamp)
    expected = max([current[0], theirs], key=lambda c: tie_break(SUBJECT, c))
    assert merge.winner.value == expected.value
    assert [c.value for c in merge.losers] == [({"mine", "theirs"} - {expected.value}).pop()]


def test_concurrent_edits_of_the_same_value_are_no_conflict():
    current = [Candidate(FieldStamp(10, "d1", 4, 5, "m"), "same")]
    merge = merge_field(SUBJECT, current, Edit("d2", 1, 5, "a"), "same",
                        FieldStamp(11, "d2", 1, 5, "a"))
    assert merge.losers == [] and len(merge.candidates) == 2


def test_the_winner_does_not_depend_on_arrival_order():
    """Two tablets edit offline from version 1; one of them edits twice."""
    b = (Edit("d1", 1, 1, "op-b"), "B")
    a = (Edit("d0", 1, 1, "op-z"), "A")
    c = (Edit("d0", 2, 1, "op-a"), "C")  # d0's second edit: it saw A, not B
    outcomes = set()
    for order in permutations([a, b, c]):
        if order.index(a) > order.index(c):
            continue  # a device sends its ops in sequence order
        final = apply_in_order(order)
        outcomes.add((final[0].value, tuple(sorted(x.value for x in final))))
    assert len(outcomes) == 1
    winner, kept = outcomes.pop()
    assert kept == ("B", "C")  # A was seen by C; B and C never saw each other
    assert winner == max([b, c], key=lambda e: rank(
        Candidate(FieldStamp(0, "", 0, e[0].base, e[0].op_id), e[1]), SUBJECT))[1]


def test_random_histories_reach_the_same_winner_in_any_causal_order():
    rng = random.Random(4)
    for _ in range(200):
        edits = []
        for device in ("d0", "d1", "d2"):
            for seq in range(1, rng.randint(1, 3) + 1):
                edits.append((Edit(device, seq, 1, f"{rng.random():.6f}"), rng.choice("XYZ")))
        results = set()
        for _ in range(10):
            order = sorted(edits, key=lambda e: rng.random())
            order.sort(key=lambda e: (e[0].device_id, e[0].seq))  # per device, in sequence
            interleaved = _interleave(order, rng)
            final = apply_in_order(interleaved)
            results.add((final[0].value, frozenset(c.stamp.op_id for c in final)))
        assert len(results) == 1


def _interleave(ordered, rng):
    queues = {}
    for edit in ordered:
        queues.setdefault(edit[0].device_id, []).append(edit)
    out = []
    while any(queues.values()):
        device = rng.choice([d for d, q in queues.items() if q])
        out.append(queues[device].pop(0))
    return out


def test_stamps_round_trip_through_json():
    original = FieldStamp(3, "d", 2, 1, "o")
    assert FieldStamp.from_json({**original.to_json(), "p": 7}) == original


GREEDY_OP_ID = "ffffffff-ffff-ffff-ffff-ffffffffffff"
HONEST_OP_ID = "00000000-0000-4000-8000-000000000000"
RESIDENT_ID = "44026093-c558-4c94-ac43-ddc5d34159f9"


def test_an_op_id_of_all_fs_loses_this_tie_in_every_order():
    """The op id used to break ties, so ffff… won every one. Here it loses, in both orders."""
    subject = field_subject(RESIDENT_ID, "phone")
    honest = (Edit("honest", 1, 5, HONEST_OP_ID), "13900000000")
    greedy = (Edit("greedy", 1, 5, GREEDY_OP_ID), "13000000000")
    for order in ([honest, greedy], [greedy, honest]):
        final = apply_in_order(order, subject)
        assert [c.value for c in final] == ["13900000000", "13000000000"]


def test_the_tie_break_is_not_the_op_ids_order():
    """The same pair of op ids ties the other way on another field: no id wins everywhere."""
    def winner(name):
        subject = field_subject(RESIDENT_ID, name)
        return max([Candidate(FieldStamp(10, "honest", 1, 5, HONEST_OP_ID), "13900000000"),
                    Candidate(FieldStamp(11, "greedy", 1, 5, GREEDY_OP_ID), "13000000000")],
                   key=lambda c: rank(c, subject)).stamp.op_id
    assert winner("phone") == HONEST_OP_ID
    assert winner("care_notes") == GREEDY_OP_ID


# ---- at equal sequence numbers: a device's own edit is neither seen nor stale ---------------

def test_a_device_has_not_seen_an_edit_with_its_own_current_sequence_number():
    # Only strictly earlier edits of the same device were seen: the same seq is the edit itself
    # (a replay that exactly-once filters out before the merge), never something it replaces.
    assert not has_seen(Edit("d1", 4, 3, "a"), FieldStamp(10, "d1", 4, 3, "x"))
    assert has_seen(Edit("d1", 5, 3, "a"), FieldStamp(10, "d1", 4, 3, "x"))
    assert not has_seen(Edit("d1", 3, 3, "a"), FieldStamp(10, "d1", 4, 3, "x"))


def test_an_edit_is_stale_only_behind_a_strictly_later_edit_of_its_device():
    current = [Candidate(FieldStamp(10, "d1", 4, 3, "x"), "kept")]
    same_seq = merge_field(SUBJECT, current, Edit("d1", 4, 3, "a"), "again",
                           FieldStamp(11, "d1", 4, 3, "a"))
    assert not same_seq.stale
    later = merge_field(SUBJECT, current, Edit("d1", 3, 3, "a"), "older",
                        FieldStamp(11, "d1", 3, 3, "a"))
    assert later.stale


def test_another_devices_sequence_numbers_say_nothing_about_what_was_seen():
    # seq 9 on d2 is not "later" than seq 4 on d1: only the base version counts across devices.
    assert not has_seen(Edit("d2", 9, 3, "a"), FieldStamp(10, "d1", 4, 3, "x"))
    assert has_seen(Edit("d2", 1, 10, "a"), FieldStamp(10, "d1", 4, 3, "x"))
    current = [Candidate(FieldStamp(10, "d1", 4, 3, "x"), "theirs")]
    assert not merge_field(SUBJECT, current, Edit("d2", 1, 3, "a"), "mine",
                           FieldStamp(11, "d2", 1, 3, "a")).stale


def test_server_writes_are_compared_by_version_not_by_device():
    # A server-side stamp has no device: a device edit saw it only through its base version.
    web = FieldStamp(10, "", 0, 9, "w")
    assert not has_seen(Edit("", 1, 9, "a"), web)
    assert has_seen(Edit("", 1, 10, "a"), web)


# ---- values and stamps as they come back from storage ----------------------------------------

def from_storage(value):
    """``value`` after a round trip through the database's JSON column: equal, not identical."""
    return json.loads(json.dumps(value))


def test_a_device_recognises_its_own_stamps_read_back_from_storage():
    # Device ids and positions read from JSON are new objects: the same device and the same
    # version must still be recognised by value (positions grow far beyond small integers).
    stored = FieldStamp.from_json(from_storage({"v": 100_000, "d": "tablet-7", "s": 4000,
                                                "b": 99_000, "o": "x"}))
    device = "".join(["tablet", "-7"])
    assert has_seen(Edit(device, int("4001"), 1, "a"), stored)
    assert merge_field(SUBJECT, [Candidate(stored, "newer")], Edit(device, int("3999"), 1, "a"),
                       "older", FieldStamp(100_001, device, 3999, 1, "a")).stale
    other = "".join(["tablet", "-8"])
    assert has_seen(Edit(other, 1, int("100000"), "a"), stored)  # base == version: seen


def test_an_edit_based_on_a_later_version_has_seen_an_earlier_value():
    written = FieldStamp(10, "d1", 4, 3, "x")
    assert has_seen(Edit("d2", 1, 11, "a"), written)
    merge = merge_field(SUBJECT, [Candidate(written, "old")], Edit("d2", 1, 25, "a"), "new",
                        FieldStamp(26, "d2", 1, 25, "a"))
    assert [c.value for c in merge.candidates] == ["new"]


def test_equal_values_read_back_from_storage_are_no_conflict():
    left = Candidate(FieldStamp(10, "d1", 1, 3, "a"), ["alone", "aged_80_plus"])
    merge = merge_field(SUBJECT, [left], Edit("d2", 1, 3, "b"), from_storage(left.value),
                        FieldStamp(11, "d2", 1, 3, "b"))
    assert len(merge.candidates) == 2 and merge.losers == []


def test_the_new_candidate_keeps_the_callers_facts_or_none():
    stamp = FieldStamp(11, "d2", 1, 3, "b")
    kept = merge_field(SUBJECT, [], Edit("d2", 1, 3, "b"), "v", stamp, {"p": 7, "n": "王芳"})
    assert kept.winner.meta == {"p": 7, "n": "王芳"}
    assert merge_field(SUBJECT, [], Edit("d2", 1, 3, "b"), "v", stamp).winner.meta == {}


def test_the_tie_break_does_not_depend_on_the_key_order_of_a_stored_value():
    # PostgreSQL's JSONB hands keys back in its own order; every replica must rank alike.
    stamp = FieldStamp(10, "d1", 1, 3, "a")
    assert (tie_break(SUBJECT, Candidate(stamp, {"a": 1, "b": [2]}))
            == tie_break(SUBJECT, Candidate(stamp, {"b": [2], "a": 1})))


def test_the_tie_break_is_a_fixed_function_of_the_edit():
    # Stored candidates were ranked by it: a server upgrade that changed the hash (of Chinese
    # text, say) would reorder ties already decided. Known answers, computed once.
    stamp = FieldStamp(12, "d1", 3, 11, "5d2c0000-0000-4000-8000-000000004d01")
    assert tie_break("r/name", Candidate(stamp, "王芳")) == "aea1bf32d5be83c9da1cb2c76c548a35"
    assert (tie_break("r/living_situation", Candidate(stamp, {"b": ["独居"], "a": 1}))
            == "0fd32f0d1ec11f63a342d7ab0468d48e")


def test_stamps_edits_and_merges_are_immutable_values():
    # One stamp is shared by every candidate a writer makes (a roster import stamps thousands
    # of residents with it): changing it in place would change them all.
    stamp = FieldStamp(10, "d1", 1, 3, "a")
    candidate = Candidate(stamp, "v")
    for value, name in ((stamp, "version"), (Edit("d1", 1, 3, "a"), "seq"),
                        (candidate, "value"), (FieldMerge([candidate]), "stale")):
        with pytest.raises(FrozenInstanceError):
            setattr(value, name, 0)
