"""Applying a pushed batch of ops: each exactly once, each with its own result.

Everything here happens in the request's transaction: the effects of the ops, the conflict
records, the change log and the :class:`AppliedOp` rows that remember what was done with each
op. A retried, cut or duplicated push therefore finds either all of a batch or none of it.
"""
from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import legacy
from shared import protocol as p
from shared.fastload import SchemaLoader
from shared.schemas import UNSTORABLE, MAX_ROW_ID, OpSchema, flatten_errors, printable

from .. import district
from ..alerts import raise_for_visits
from ..audit import audit_rows
from ..models import AppliedOp, CaseNote, Device, Resident, Visit
from ..scope import grids_in_scope
from .batch import ChangeBatch, ResidentFacts
from .bulk import among_bound, bound_array, found_keys_bound, insert_rows, on_postgres
from .apply import _apply, credible_base  # noqa: F401 - credible_base: re-exported
from .context import (OpResult, PushContext, Rejection, Tracked, _device_times,  # noqa: F401
                      _rejected, op_fingerprint)
from .known import Known, _known_ops, _repeat, known_ops_query  # noqa: F401

#: OpSchema, through the loader compiled from it (shared.fastload): marshmallow's answers.
_op_loader = SchemaLoader(OpSchema())


def push_ops(session: Session, device: Device, raw_ops: list, skew_seconds: float,
             now: datetime) -> list[OpResult]:
    # The device's row first (the view noted this contact on it): a push of the same device
    # still running holds it, so this one waits for it to commit and the lookup below then
    # sees every op it applied. (This used to happen as a side effect of reading the scope.)
    session.flush()
    # The keys come from the raw ops (for a valid op they are what the schema would load), so
    # that a retried op is recognised before it is validated: a re-push costs the lookup and a
    # fingerprint per op, which still tells a true retry from an op id reused for other content.
    keys = [(_raw_str(raw, "op_id"), _raw_int(raw, "seq")) for raw in raw_ops]
    known = _known_ops(session, device.id, keys)
    if all(op_id in known for op_id, _seq in keys):
        # A batch received before (a retry, the common case on a flaky network): every answer
        # comes from what was done with its op, so neither the person's scope, nor a lock, nor
        # the log is needed.
        return [_repeat(known[op_id], op_fingerprint(raw), seq)
                for raw, (op_id, seq) in zip(raw_ops, keys)]
    person = device.person
    ctx = PushContext(session, device, person, now, skew_seconds,
                      grids_in_scope(session, person, district.today(now),
                                     p.ASSIGNMENT_GRACE_DAYS),
                      ChangeBatch(session))
    parsed = [(None, op_fingerprint(raw), None) if op_id in known else _parse(raw)
              for raw, (op_id, _seq) in zip(raw_ops, keys)]
    valid_ops = [op for op, _fp, _err in parsed if op is not None]
    _lock_residents(ctx, valid_ops)
    from ..threelists import ops as request_ops  # here: it builds on this module
    request_ops.lock_requests(ctx, valid_ops)
    ctx.existing = _existing_records(session, valid_ops)

    results: list[OpResult] = []
    pending: list[tuple[Tracked, OpResult]] = []
    seen_seqs = {row.seq: row.op_id for row in known.values()}
    for (op, fingerprint, error), raw, (op_id, seq) in zip(parsed, raw_ops, keys):
        previous = known.get(op_id) if op_id else None
        if previous is not None:
            results.append(_repeat(previous, fingerprint, seq))
            continue
        result, subject = _outcome(ctx, op, error, raw, op_id, seq, seen_seqs)
        results.append(result)
        if subject is None:
            continue  # nothing to remember it by
        entity, entity_id, claimed_grid = subject
        # A rejected op is filed under a grid of the device's own, never one it merely claims:
        # a volunteer must not write into another community's list of rejected changes.
        grid_id = claimed_grid if result.status != p.REJECTED else ctx.filing_grid(claimed_grid)
        seen_seqs[seq] = op_id
        record = Tracked(device_id=ctx.device_id, op_id=op_id, seq=seq, op_hash=fingerprint,
                         status=result.status, entity=entity[:16], entity_id=entity_id[:36],
                         grid_id=grid_id, person_id=ctx.person_id, received_at=now,
                         conflict_ids=result.conflict_ids or None,
                         reason_code=result.reason and result.reason["code"],
                         reason=result.reason and result.reason["message"],
                         reason_params=result.reason and result.reason["params"])
        known[op_id] = record
        pending.append((record, result))

    request_ops.before_flush(ctx)
    # The audit rows and the alerts are written before the positions are taken: from then on
    # the log head is locked until commit, and every other push of the server waits for it.
    audit_rows(session, ctx.audit)
    positions = ctx.batch.flush(before_positions=lambda: raise_for_visits(
        session, [row for row, _author in ctx.batch.visits]))
    request_ops.after_flush(ctx, positions)
    for record, result in pending:
        if result.status in (p.APPLIED, p.CONFLICTED):
            result.version = positions.get((record.entity, record.entity_id))
            if record.entity == p.REQUEST_EVENT:
                result.version = request_ops.version_of(ctx, record.entity_id, positions)
            if result.version is None:  # an update that changed nothing: current version
                result.version = ctx.residents[record.entity_id].version
            record.version = result.version
    if pending:
        insert_rows(session, AppliedOp.__table__, [vars(record) for record, _ in pending])
    return results


def _outcome(ctx: PushContext, op: dict | None, error: str | None, raw, op_id, seq,
             seen_seqs: dict) -> tuple[OpResult, tuple | None]:
    """The answer for one op not seen before, and the (entity, id, grid) to remember it by:
    None when it has no usable key (no UUID, no sequence number, or another op's number)."""
    clashes = seen_seqs.get(seq, op_id) != op_id
    if op is None:
        keyable = op_id and seq and _raw_is_keyable(raw) and not clashes
        subject = (_raw_str(raw, "entity") or "?", _raw_str(raw, "entity_id") or "?",
                   _raw_int(raw, "grid_id")) if keyable else None
        return _rejected(op_id, seq, error.code, error.message, error.params), subject
    if clashes:
        return _rejected(op_id, seq, p.REJ_SEQ_REUSED,
                         f"Sequence number {seq} was already used by another op.",
                         {"seq": seq}), None
    try:
        result = _apply(ctx, op)
    except Rejection as rejection:
        result = _rejected(op_id, seq, rejection.code, rejection.message, rejection.params)
    return result, (op["entity"], op["entity_id"], op["grid_id"])


def _raw_str(raw, key):
    value = raw.get(key) if isinstance(raw, dict) else None
    return value.lower() if isinstance(value, str) and len(value) <= 36 and \
        UNSTORABLE.search(value) is None else None  # (text_problem's test, without its call)


def _raw_int(raw, key):
    value = raw.get(key) if isinstance(raw, dict) else None
    limit = MAX_ROW_ID if key == "grid_id" else 2**62  # what the column holds
    return value if isinstance(value, int) and not isinstance(value, bool) and \
        0 < value <= limit else None


def _raw_is_keyable(raw) -> bool:
    """An invalid op is remembered only when its id is a real UUID (so retries match it)."""
    try:
        uuid.UUID(raw.get("op_id"))
    except (TypeError, ValueError, AttributeError):
        return False
    return True


def _parse(raw) -> tuple[dict | None, str, Rejection | None]:
    if not isinstance(raw, dict):
        return None, "", Rejection(p.REJ_INVALID, "An op must be a JSON object.", fields=[])
    fingerprint = op_fingerprint(raw)
    try:
        # An older app's resident fields are mapped first (its fingerprint stays the op's own).
        return _op_loader.load(legacy.map_op(raw)), fingerprint, None
    except ValidationError as error:
        return None, fingerprint, Rejection(p.REJ_INVALID,
                                            printable(flatten_errors(error.messages)),
                                            fields=_field_paths(error.messages))


def _field_paths(messages, prefix: str = "") -> list[str]:
    """The dotted paths of the fields marshmallow found bad (printable, at most 20)."""
    if not isinstance(messages, dict):
        return [prefix] if prefix else []
    paths = []
    for key, value in messages.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        paths += _field_paths(value, path) if isinstance(value, dict) else [path]
    return [printable(path)[:100] for path in paths[:20]]


def _lock_residents(ctx: PushContext, ops: list[dict]) -> None:
    """Lock every resident the batch touches, in id order, so concurrent pushes cannot
    deadlock on them and each sees the other's committed field stamps. Only the columns the
    visit rules need are read; a resident whose fields are edited is loaded whole later."""
    ids = sorted({op["entity_id"] if op["entity"] == p.RESIDENT else op["data"]["resident_id"]
                  for op in ops if op["entity"] != p.REQUEST_EVENT})
    postgres = on_postgres(ctx.session)
    statement = _statements(postgres)["lock_residents"]
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for row in ctx.session.execute(statement, {"ids": bound_array(chunk, postgres)}):
            ctx.facts[row.id] = ResidentFacts.from_row(row)


def _existing_records(session: Session, ops: list[dict]) -> set[tuple[str, str]]:
    """Which visits and notes the batch creates already exist (one query per kind, not per op)."""
    found: set[tuple[str, str]] = set()
    postgres = on_postgres(session)
    statements = _statements(postgres)
    for entity in (p.VISIT, p.NOTE):
        ids = [op["entity_id"] for op in ops if op["entity"] == entity]
        for start in range(0, len(ids), 500):
            found.update((entity, record_id) for record_id in session.scalars(
                statements[entity], {"ids": bound_array(ids[start:start + 500], postgres)}))
    return found


@lru_cache(maxsize=None)
def _statements(postgres: bool) -> dict:
    """The batch's statements with a list of ids, built once per kind of database (a statement
    built for every batch costs SQLAlchemy its cache key each time: see bulk.among_bound)."""
    return {
        "lock_residents": select(*ResidentFacts.selected()).where(
            among_bound(Resident.id, "ids", postgres)).order_by(Resident.id)
        .with_for_update(key_share=True),
        p.VISIT: found_keys_bound(Visit.id, "ids", postgres),
        p.NOTE: found_keys_bound(CaseNote.id, "ids", postgres),
    }
