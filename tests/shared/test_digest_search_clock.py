"""Digests, pinyin search and clock correction."""
from datetime import datetime, timedelta, timezone

from shared.clock import correct_device_time, isoformat, parse_instant
from shared.digest import canonical_json, combine, record_hash
from shared.search import matches, pinyin_initials, search_keys

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)


def test_the_grid_digest_does_not_depend_on_order():
    hashes = [record_hash("visit", canonical_json({"id": str(i)})) for i in range(50)]
    assert combine(hashes) == combine(reversed(hashes))
    assert combine(hashes) != combine(hashes[1:])


def test_canonical_json_is_key_order_independent():
    assert canonical_json({"b": 1, "a": "张"}) == canonical_json({"a": "张", "b": 1}) == \
        '{"a":"张","b":1}'


def test_pinyin_initials_find_a_resident():
    assert pinyin_initials("张利霞") == "zlx"
    keys = search_keys("张利霞")
    assert matches("zlx", "张利霞", "建设路17号", keys)
    assert matches("zhangli", "张利霞", "建设路17号", keys)
    assert matches("建设路", "张利霞", "建设路17号", keys)
    assert not matches("wxy", "张利霞", "建设路17号", keys)


def test_a_trusted_clock_is_taken_as_it_is():
    moment = NOW - timedelta(hours=2)
    assert correct_device_time(moment, 30, NOW) == (moment, False)


def test_a_clock_a_year_fast_is_corrected_by_its_measured_skew():
    skew = timedelta(days=365).total_seconds()
    claimed = NOW + timedelta(days=365) - timedelta(hours=1)
    assert correct_device_time(claimed, skew, NOW) == (NOW - timedelta(hours=1), True)


def test_a_time_still_in_the_future_after_correction_is_clamped_to_now():
    assert correct_device_time(NOW + timedelta(days=3), 0, NOW) == (NOW, True)


def test_instants_travel_as_utc_with_z():
    text = isoformat(datetime(2026, 11, 27, 9, 0, tzinfo=timezone(timedelta(hours=8))))
    assert text == "2026-11-27T01:00:00Z"
    assert parse_instant(text) == datetime(2026, 11, 27, 1, 0, tzinfo=timezone.utc)


def test_a_departure_counts_nothing_in_a_grid_digest():
    from shared import protocol
    from shared.digest import combine, record_hash
    kept = record_hash(protocol.RESIDENT, '{"id":"a"}')
    assert record_hash(protocol.DEPARTURE, '{"id":"d","resident_id":"b"}') == 0
    assert combine([kept, record_hash(protocol.DEPARTURE, "{}")]) == combine([kept])
