"""Which ops of a batch the server already received, and the answer a retry gets back (moved
out of server/sync/push.py, which re-exports them)."""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import bindparam, func, null, select, true, union_all
from sqlalchemy.orm import Session

from shared import protocol as p

from ..models import AppliedOp
from .bulk import among_bound, array_param, bound_array, on_postgres
from .context import OpResult, Tracked, _rejected


def known_ops_query(session: Session, device_id: str, op_ids: list, seqs: list):
    """The already-received ops among ``op_ids`` and ``seqs`` of one device, found through the
    keys (device_id, op_id) and (device_id, seq) alone, so that the cost does not grow with the
    device's history whatever the planner's statistics say. (``op_id = ANY(…)`` under one device
    id is not enough: on a table never analysed, PostgreSQL read all the device's rows through
    the (device_id, seq) index and filtered them.) On PostgreSQL each op id is therefore a probe
    of its own, a LIMIT 1 subquery on the full primary key (a LIMIT keeps the planner from
    turning the probes back into a join); the sequence numbers are one index range scan."""
    statement, parameters = _lookup(session, device_id, op_ids, seqs)
    return statement.params(parameters)


def _lookup(session: Session, device_id: str, op_ids: list, seqs: list) -> tuple[object, dict]:
    """:func:`known_ops_query` as a statement built once and its parameters (see
    bulk.among_bound: a statement built for every batch costs SQLAlchemy its cache key)."""
    postgres = on_postgres(session)
    parameters: dict = {"device_id": device_id}
    if op_ids:
        parameters["op_ids"] = bound_array(op_ids, postgres)
    by_seq = None
    if seqs:
        # By range when they are dense (they are: a device numbers its ops one by one): one
        # index range scan, usually empty, as new ops lie beyond all earlier ones.
        if max(seqs) - min(seqs) < 2 * len(seqs):
            by_seq = "range"
            parameters["low"], parameters["high"] = min(seqs), max(seqs)
        else:
            by_seq = "among"
            parameters["seqs"] = bound_array(seqs, postgres)
    return _lookup_statement(postgres, bool(op_ids), by_seq), parameters


@lru_cache(maxsize=None)
def _lookup_statement(postgres: bool, by_id: bool, by_seq: str | None):
    table = AppliedOp.__table__
    columns = [table.c[name] for name in Known._fields]
    device = table.c.device_id == bindparam("device_id")
    parts = []
    if by_id and postgres:
        keys = func.unnest(array_param("op_ids", table.c.op_id.type)).table_valued("op_id") \
            .render_derived()
        probe = select(*columns).where(device, table.c.op_id == keys.c.op_id).limit(1).lateral()
        parts.append(select(probe).select_from(keys).join(probe, true()))
    elif by_id:
        parts.append(select(*columns).where(device, among_bound(table.c.op_id, "op_ids", False)))
    if by_seq:
        if by_seq == "range":
            seq_matches = table.c.seq.between(bindparam("low"), bindparam("high"))
        else:
            seq_matches = among_bound(table.c.seq, "seqs", postgres)
        # Only the keys: a retried op's row comes whole through its id, and for another op
        # the number is all that matters (seq_reused). (Leaving out the rows found by id with
        # a NOT = ANY filter cost PostgreSQL a string comparison per row and id: 90 ms a batch.)
        parts.append(select(table.c.op_id, table.c.seq,
                            *[null().label(column.name) for column in columns[2:]])
                     .where(device, seq_matches))
    return parts[0] if len(parts) == 1 else union_all(*parts)


class Known(NamedTuple):
    """What a retry needs of an op received before (its ``applied_ops`` row, in part)."""

    op_id: str
    seq: int
    op_hash: str
    status: str
    version: int | None
    conflict_ids: list | None
    reason_code: str | None
    reason: str | None
    reason_params: dict | None


def _known_ops(session: Session, device_id: str, keys) -> dict[str, Known | Tracked]:
    """The ops of ``keys`` received before, by op id (whole rows), and the ops that hold the
    sequence numbers of the others (their keys alone, for ``seq_reused``)."""
    connection = session.connection()
    found: dict[str, Known | Tracked] = {}
    op_ids = [op_id for op_id, _seq in keys if op_id]
    if op_ids:
        # all(): one fetch of the whole answer from the driver, not one call per row.
        found = {row[0]: Known._make(row) for row in connection.execute(
            *_lookup(session, device_id, op_ids, [])).all()}
    # Two statements rather than one: a retried batch, found whole by its ids, asks nothing
    # more, and the numbers of a new batch are one index range. (One union answered every
    # retried op twice, a row to read in Python each time.) push_ops holds the device's row
    # lock by then, so no push of the same device commits between the two.
    seqs = [seq for op_id, seq in keys if seq and op_id not in found]
    if seqs:
        for row in connection.execute(*_lookup(session, device_id, [], seqs)).all():
            found.setdefault(row[0], Known._make(row))
    return found


def _repeat(previous: Known | Tracked, fingerprint: str, seq: int | None) -> OpResult:
    if previous.op_hash != fingerprint:
        return _rejected(previous.op_id, seq, p.REJ_OP_ID_REUSED,
                         "This op id was already received with different content; "
                         "the first version stands.", {"op_id": previous.op_id})
    if previous.status == p.REJECTED:
        return _rejected(previous.op_id, previous.seq, previous.reason_code, previous.reason,
                         previous.reason_params)
    return OpResult(previous.op_id, previous.seq, p.DUPLICATE, previous.version,
                    list(previous.conflict_ids or []))
