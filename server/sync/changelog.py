"""The ordered, compacted change log.

Writers take positions from the single :class:`LogHead` row with ``UPDATE … RETURNING``. The row
lock that UPDATE takes is held until the writer commits, so positions are handed out and become
visible in the same order: whatever a reader sees is a prefix of the log, and a cursor can never
step over a change that commits later with a lower position. Take positions last in a
transaction, after all other locks, to keep the serialised part short and deadlock-free.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import delete, func, literal_column, select, tuple_, update
from sqlalchemy.orm import Session

from shared.clock import isoformat
from shared.digest import canonical_json, combine, digest_of_sum, facts_hash, record_hash

from ..models import ChangeLogEntry, LogHead, Resident
from .bulk import insert_rows


@dataclass
class Change:
    entity: str
    entity_id: str
    grid_id: int
    payload: dict


def ensure_head(session: Session) -> None:
    head = session.get(LogHead, 1)
    if head is None:
        session.add(LogHead(id=1, position=0, epoch=str(uuid.uuid4()), epoch_since=0))
    elif head.epoch is None:
        head.epoch = str(uuid.uuid4())
    session.flush()


def server_epoch(session: Session) -> tuple[str, int]:
    """This server's history id and the position up to which it is shared with the previous
    one (see docs/operations.md, "Restoring from a backup")."""
    epoch, since = session.execute(select(LogHead.epoch, LogHead.epoch_since)
                                   .where(LogHead.id == 1)).one()
    return epoch or "", since or 0


def rotate_epoch(session: Session, since: int, replacing: str | None = None) -> tuple[str, int]:
    """Start a new history: every tablet starts its copy over and re-sends what the server no
    longer holds. ``since``: the position up to which the old history is still true. With
    ``replacing``, only that epoch is replaced: two tablets noticing a restore at once start
    one new epoch, not two. Returns the current epoch and its ``since``."""
    epoch = str(uuid.uuid4())
    statement = update(LogHead).where(LogHead.id == 1)
    if replacing is not None:
        statement = statement.where(LogHead.epoch == replacing)
    if session.execute(statement.values(epoch=epoch, epoch_since=since)).rowcount == 0:
        return server_epoch(session)
    return epoch, since


def reserve_positions(session: Session, count: int) -> int:
    """Reserve ``count`` positions; returns the first. Locks the head until commit."""
    last = session.execute(update(LogHead).where(LogHead.id == 1)
                           .values(position=LogHead.position + count)
                           .returning(LogHead.position)).scalar_one()
    return last - count + 1


def head_position(session: Session) -> int:
    return session.scalar(select(LogHead.position).where(LogHead.id == 1)) or 0


def append(session: Session, changes: list[Change], first_position: int,
           fresh: bool = False) -> None:
    """Write ``changes`` at consecutive positions from ``first_position``.

    Each record keeps one row, at the position of its latest change. ``fresh`` promises that
    none of the records has a row yet (new visits and notes), which saves the delete.
    """
    if not changes:
        return
    rows = []
    for offset, change in enumerate(changes):
        text = canonical_json(change.payload)
        rows.append({"entity": change.entity, "entity_id": change.entity_id,
                     "grid_id": change.grid_id, "position": first_position + offset,
                     "payload": text, "row_hash": record_hash(change.entity, text)})
    if not fresh:
        keys = [(row["entity"], row["entity_id"]) for row in rows]
        for start in range(0, len(keys), 500):  # PostgreSQL refuses enormous IN lists
            session.execute(delete(ChangeLogEntry).where(
                tuple_(ChangeLogEntry.entity, ChangeLogEntry.entity_id).in_(
                    keys[start:start + 500])))
    insert_rows(session, ChangeLogEntry.__table__, rows)


def grid_digests(session: Session, grid_ids, upto: int) -> dict[int, str]:
    """Per grid, the digest of its records up to position ``upto``, summed by the database.

    Read row by row, a caught-up pull of a supervisor's grids (212,000 rows) took 1.5 s of the
    server's CPU, more on a busy worker: each row became a Python object only to be added up.
    The sum is taken in two halves, each far from overflowing (SQLite's sum() refuses to
    overflow 64 bits, and the row hashes are full 64-bit values); modulo 2**64, the two make
    the same digest as adding the rows one by one (shared.digest.combine)."""
    grid_ids = list(grid_ids)
    if not grid_ids:
        return {}
    row_hash = ChangeLogEntry.row_hash
    high = func.sum(row_hash.op(">>")(literal_column("32")))  # a constant: bigint >> integer
    low = func.sum(row_hash.op("&")(literal_column("4294967295")))
    sums = {grid_id: (int(high_sum) << 32) + int(low_sum)  # PostgreSQL sums as numeric
            for grid_id, high_sum, low_sum in session.execute(
                select(ChangeLogEntry.grid_id, high, low)
                .where(ChangeLogEntry.grid_id.in_(grid_ids), ChangeLogEntry.position <= upto)
                .group_by(ChangeLogEntry.grid_id))}
    return {grid_id: digest_of_sum(sums.get(grid_id, 0)) for grid_id in grid_ids}


def grid_fact_digests(session: Session, grid_ids) -> dict[int, str]:
    """Per grid, the digest of its residents' derived visit facts as the server keeps them."""
    hashes: dict[int, list[int]] = {grid_id: [] for grid_id in grid_ids}
    if not hashes:
        return {}

    def instant(value):
        return isoformat(value) if value is not None else None

    for row in session.execute(select(
            Resident.id, Resident.grid_id, Resident.last_visit_at, Resident.last_met_at,
            Resident.follow_up_since).where(Resident.grid_id.in_(list(hashes)))):
        hashes[row.grid_id].append(facts_hash(row.id, instant(row.last_visit_at),
                                              instant(row.last_met_at),
                                              instant(row.follow_up_since)))
    return {grid_id: combine(values) for grid_id, values in hashes.items()}
