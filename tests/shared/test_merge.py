"""The per-field merge rule: supersede what you saw, rank what you did not."""
from itertools import permutations

from shared.merge import Edit, FieldStamp, Outcome, decide, rank


def stamp(version, device, seq, base, op_id):
    return FieldStamp(version, device, seq, base, op_id)


def test_a_field_never_written_takes_the_edit():
    assert decide(None, Edit("d1", 1, 0, "a")) is Outcome.SUPERSEDES


def test_an_edit_that_saw_the_current_value_supersedes_it():
    current = stamp(10, "d1", 4, 3, "x")
    assert decide(current, Edit("d2", 1, 10, "a")) is Outcome.SUPERSEDES


def test_a_devices_later_edit_supersedes_its_own_earlier_one_even_with_an_old_base():
    current = stamp(10, "d1", 4, 3, "x")
    assert decide(current, Edit("d1", 5, 3, "a")) is Outcome.SUPERSEDES


def test_a_devices_delayed_older_edit_is_stale():
    current = stamp(10, "d1", 4, 3, "x")
    assert decide(current, Edit("d1", 2, 3, "a")) is Outcome.STALE


def test_concurrent_edits_are_ranked_by_knowledge_then_op_id():
    current = stamp(10, "d1", 4, 5, "m")
    assert decide(current, Edit("d2", 1, 7, "a")) is Outcome.WINS_CONFLICT
    assert decide(current, Edit("d2", 1, 3, "z")) is Outcome.LOSES_CONFLICT
    assert decide(current, Edit("d2", 1, 5, "n")) is Outcome.WINS_CONFLICT
    assert decide(current, Edit("d2", 1, 5, "l")) is Outcome.LOSES_CONFLICT


def test_the_winner_of_concurrent_edits_does_not_depend_on_arrival_order():
    edits = [Edit("d1", 1, 2, "op-b"), Edit("d2", 1, 2, "op-a"), Edit("d3", 1, 1, "op-z")]
    winners = set()
    for order in permutations(edits):
        current = None
        for position, edit in enumerate(order, start=10):
            outcome = decide(current, edit)
            if outcome in (Outcome.SUPERSEDES, Outcome.WINS_CONFLICT):
                current = FieldStamp(position, edit.device_id, edit.seq, edit.base, edit.op_id)
        winners.add(current.op_id)
    assert winners == {max(edits, key=lambda e: rank(e.base, e.op_id)).op_id}


def test_stamps_round_trip_through_json():
    original = stamp(3, "d", 2, 1, "o")
    assert FieldStamp.from_json({**original.to_json(), "p": 7}) == original
