"""A grid's digest is summed by the database: the same as adding its rows' hashes one by one,
however large the hashes and however many (the sum of full 64-bit hashes overflows 64 bits)."""
from sqlalchemy import delete

from server.models import ChangeLogEntry
from server.sync.changelog import grid_digests
from shared.digest import combine

EXTREMES = [2**63 - 1, -(2**63), -1, 1, 0, 2**32, -(2**32), 2**32 - 1, 0x7FFF_FFFF_8000_0000]


def log_rows(grid_id: int, hashes: list[int], first_position: int) -> list[dict]:
    return [{"entity": "visit", "entity_id": f"{grid_id}-{first_position + n}", "grid_id": grid_id,
             "position": first_position + n, "payload": "{}", "row_hash": value}
            for n, value in enumerate(hashes)]


def test_the_database_sums_a_grid_as_combine_does(neighbourhood, db_session):
    grid_a, grid_b = neighbourhood.grid_a.id, neighbourhood.grid_b.id
    db_session.execute(delete(ChangeLogEntry))
    full = EXTREMES * 40  # many values near ±2**63: their plain sum overflows 64 bits
    db_session.execute(ChangeLogEntry.__table__.insert(),
                       log_rows(grid_a, full, 1) + log_rows(grid_b, EXTREMES[:3], 10_000))
    db_session.flush()

    digests = grid_digests(db_session, [grid_a, grid_b, 999_999], upto=20_000)

    assert digests == {grid_a: combine(full), grid_b: combine(EXTREMES[:3]),
                       999_999: combine([])}  # a grid with nothing yet: the empty digest


def test_a_digest_counts_only_the_rows_up_to_the_position_asked(neighbourhood, db_session):
    grid_a = neighbourhood.grid_a.id
    db_session.execute(delete(ChangeLogEntry))
    db_session.execute(ChangeLogEntry.__table__.insert(), log_rows(grid_a, EXTREMES, 1))
    db_session.flush()

    assert grid_digests(db_session, [grid_a], upto=4) == {grid_a: combine(EXTREMES[:4])}
    assert grid_digests(db_session, [], upto=4) == {}
