"""Applying a pushed batch of ops: each exactly once, each with its own result.

Everything here happens in the request's transaction: the effects of the ops, the conflict
records, the change log and the :class:`AppliedOp` rows that remember what was done with each
op. A retried, cut or duplicated push therefore finds either all of a batch or none of it.
"""
from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from typing import NamedTuple
from datetime import date, datetime

from marshmallow import ValidationError
from sqlalchemy import func, null, select, true, union_all
from sqlalchemy.orm import Session

from shared import legacy
from shared import protocol as p
from shared.clock import correct_device_time, isoformat
from shared.digest import canonical_json
from shared.fastload import SchemaLoader
from shared.merge import Candidate, Edit, FieldStamp, field_subject, merge_field
from shared.schemas import (EARLIEST_INSTANT, MAX_ROW_ID, OpSchema, flatten_errors, printable,
                            text_problem)
from shared.search import SEARCHED_FIELDS, search_keys

from .. import district
from ..alerts import raise_for_visits
from ..audit import FROM_TABLET, audit_row, audit_rows, change_detail
from ..models import (AppliedOp, Area, Assignment, CaseNote, Conflict, Device, Person,
                      Resident, Visit)
from ..scope import grids_in_scope, grids_under
from . import stamps
from .batch import ChangeBatch, ResidentFacts
from .bulk import among, insert_rows, pg_array
from .edits import build_resident
from .locks import load_for_update
from .moves import recent_move_from
from .stamps import PENDING_VERSION

#: OpSchema, through the loader compiled from it (shared.fastload): marshmallow's answers.
_op_loader = SchemaLoader(OpSchema())


@dataclass
class OpResult:
    op_id: str | None
    seq: int | None
    status: str
    version: int | None = None
    conflict_ids: list[str] = field(default_factory=list)
    reason: dict | None = None

    def to_json(self) -> dict:
        return {"op_id": self.op_id, "seq": self.seq, "status": self.status,
                "version": self.version, "conflict_ids": self.conflict_ids,
                "reason": self.reason}


class Rejection(Exception):
    """An op refused: its code, a message for a person, and what the message names
    (``params``: ids, grid, fields; see shared.protocol.RejectCode) so the app can word it."""

    def __init__(self, code: str, message: str, **params) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.params = params


def op_fingerprint(raw: dict) -> str:
    # surrogatepass: an op holding an unpaired surrogate is refused, but must still have a
    # fingerprint, so that its retries get the same answer.
    return hashlib.blake2b(canonical_json(raw).encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()


@dataclass
class PushContext:
    session: Session
    device: Device
    person: Person
    now: datetime
    skew_seconds: float
    grids: set[int]
    batch: ChangeBatch
    #: Every resident the batch touches, locked: the few columns visits need.
    facts: dict[str, ResidentFacts] = field(default_factory=dict)
    #: Residents whose fields the batch edits, as full records (loaded when first edited).
    residents: dict[str, Resident] = field(default_factory=dict)
    existing: set[tuple[str, str]] = field(default_factory=set)  # (entity, id) already stored
    #: (resident, grid) -> (its latest move out of that grid, recent enough?): asked once.
    moves: dict[tuple[str, int], tuple] = field(default_factory=dict)
    #: Audit rows of the applied ops, written in one bulk insert with the batch.
    audit: list[dict] = field(default_factory=list)
    _former_grids: set[int] | None = None

    def filing_grid(self, claimed: int | None) -> int | None:
        """Where a rejected op is listed for supervisors: the grid it names when that is one of
        the person's, else one that is (their current grids, else those of their latest
        assignment); None for a person never assigned anywhere."""
        own = self.grids or self._last_assigned_grids()
        if claimed in own:
            return claimed
        return min(own) if own else None

    def _last_assigned_grids(self) -> set[int]:
        if self._former_grids is None:
            latest = self.session.scalar(
                select(Assignment).where(Assignment.person_id == self.person.id)
                .order_by(Assignment.starts_on.desc(), Assignment.id.desc()).limit(1))
            self._former_grids = grids_under(self.session, [latest.area_id]) if latest else set()
        return self._former_grids

    def record(self, action: str, op: dict, resident_id: str, detail: dict) -> None:
        """Who (person, tablet), when and what an applied op changed, for the audit log."""
        self.audit.append(audit_row(
            action, at=self.now, person_id=self.person.id, device_id=self.device.id,
            entity=p.RESIDENT, entity_id=resident_id, grid_id=op["grid_id"],
            detail={"source": FROM_TABLET, "op": op["op_id"], **detail}))

    def resident(self, resident_id: str) -> Resident:
        if resident_id not in self.residents:
            self.residents[resident_id] = load_for_update(self.session, Resident, resident_id)
        return self.residents[resident_id]


@dataclass
class Tracked:
    """What was done with one op: a row of ``applied_ops``."""

    device_id: str
    op_id: str
    seq: int
    op_hash: str
    status: str
    entity: str
    entity_id: str
    grid_id: int | None
    person_id: int | None
    received_at: datetime
    version: int | None = None
    conflict_ids: list | None = None
    reason_code: str | None = None
    reason: str | None = None
    reason_params: dict | None = None


def push_ops(session: Session, device: Device, raw_ops: list, skew_seconds: float,
             now: datetime) -> list[OpResult]:
    person = device.person
    ctx = PushContext(session, device, person, now, skew_seconds,
                      grids_in_scope(session, person, district.today(now),
                                     p.ASSIGNMENT_GRACE_DAYS),
                      ChangeBatch(session))
    # The keys come from the raw ops (for a valid op they are what the schema would load), so
    # that a retried op is recognised before it is validated: a re-push costs the lookup and a
    # fingerprint per op, which still tells a true retry from an op id reused for other content.
    keys = [(_raw_str(raw, "op_id"), _raw_int(raw, "seq")) for raw in raw_ops]
    known = _known_ops(session, device.id, keys)
    parsed = [(None, op_fingerprint(raw), None) if op_id in known else _parse(raw)
              for raw, (op_id, _seq) in zip(raw_ops, keys)]
    valid_ops = [op for op, _fp, _err in parsed if op is not None]
    _lock_residents(ctx, valid_ops)
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
        record = Tracked(device_id=device.id, op_id=op_id, seq=seq, op_hash=fingerprint,
                         status=result.status, entity=entity[:16], entity_id=entity_id[:36],
                         grid_id=grid_id, person_id=person.id, received_at=now,
                         conflict_ids=result.conflict_ids or None,
                         reason_code=result.reason and result.reason["code"],
                         reason=result.reason and result.reason["message"],
                         reason_params=result.reason and result.reason["params"])
        known[op_id] = record
        pending.append((record, result))

    positions = ctx.batch.flush()
    raise_for_visits(session, [row for row, _author in ctx.batch.visits])
    for record, result in pending:
        if result.status in (p.APPLIED, p.CONFLICTED):
            result.version = positions.get((record.entity, record.entity_id))
            if result.version is None:  # an update that changed nothing: current version
                result.version = ctx.residents[record.entity_id].version
            record.version = result.version
    if pending:
        insert_rows(session, AppliedOp.__table__, [vars(record) for record, _ in pending])
    audit_rows(session, ctx.audit)
    return results


def _rejected(op_id, seq, code: str, message: str, params: dict | None = None) -> OpResult:
    return OpResult(op_id, seq, p.REJECTED,
                    reason={"code": code, "message": message, "params": params or {}})


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
        text_problem(value) is None else None


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


def known_ops_query(session: Session, device_id: str, op_ids: list, seqs: list):
    """The already-received ops among ``op_ids`` and ``seqs`` of one device, found through the
    keys (device_id, op_id) and (device_id, seq) alone, so that the cost does not grow with the
    device's history whatever the planner's statistics say. (``op_id = ANY(…)`` under one device
    id is not enough: on a table never analysed, PostgreSQL read all the device's rows through
    the (device_id, seq) index and filtered them.) On PostgreSQL each op id is therefore a probe
    of its own, a LIMIT 1 subquery on the full primary key (a LIMIT keeps the planner from
    turning the probes back into a join); the sequence numbers are one index range scan."""
    table = AppliedOp.__table__
    columns = [table.c[name] for name in Known._fields]
    parts = []
    if op_ids and session.get_bind().dialect.name == "postgresql":
        keys = func.unnest(pg_array(op_ids, table.c.op_id.type)).table_valued("op_id") \
            .render_derived()
        probe = select(*columns).where(table.c.device_id == device_id,
                                       table.c.op_id == keys.c.op_id).limit(1).lateral()
        parts.append(select(probe).select_from(keys).join(probe, true()))
    elif op_ids:
        parts.append(select(*columns).where(table.c.device_id == device_id,
                                            table.c.op_id.in_(op_ids)))
    if seqs:
        # By range when they are dense (they are: a device numbers its ops one by one): one
        # index range scan, usually empty, as new ops lie beyond all earlier ones.
        if max(seqs) - min(seqs) < 2 * len(seqs):
            by_seq = table.c.seq.between(min(seqs), max(seqs))
        else:
            by_seq = among(session, table.c.seq, seqs)
        # Only the keys: a retried op's row comes whole through its id, and for another op
        # the number is all that matters (seq_reused). (Leaving out the rows found by id with
        # a NOT = ANY filter cost PostgreSQL a string comparison per row and id: 90 ms a batch.)
        parts.append(select(table.c.op_id, table.c.seq,
                            *[null().label(column.name) for column in columns[2:]])
                     .where(table.c.device_id == device_id, by_seq))
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
    op_ids = [op_id for op_id, _seq in keys if op_id]
    seqs = [seq for _op_id, seq in keys if seq]
    if not op_ids and not seqs:
        return {}
    found: dict[str, Known | Tracked] = {}
    for row in session.connection().execute(known_ops_query(session, device_id, op_ids, seqs)):
        if row[2] is not None or row[0] not in found:  # a whole row over the keys alone
            found[row[0]] = Known._make(row)
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


def _lock_residents(ctx: PushContext, ops: list[dict]) -> None:
    """Lock every resident the batch touches, in id order, so concurrent pushes cannot
    deadlock on them and each sees the other's committed field stamps. Only the columns the
    visit rules need are read; a resident whose fields are edited is loaded whole later."""
    ids = sorted({op["entity_id"] if op["entity"] == p.RESIDENT else op["data"]["resident_id"]
                  for op in ops})
    columns = [getattr(Resident, name) for name in ResidentFacts.COLUMNS]
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for row in ctx.session.execute(select(*columns).where(among(ctx.session, Resident.id,
                                                                      chunk))
                                       .order_by(Resident.id)
                                       .with_for_update(key_share=True)):
            ctx.facts[row.id] = ResidentFacts(*row)


def _existing_records(session: Session, ops: list[dict]) -> set[tuple[str, str]]:
    """Which visits and notes the batch creates already exist (one query per kind, not per op)."""
    found: set[tuple[str, str]] = set()
    for entity, model in ((p.VISIT, Visit), (p.NOTE, CaseNote)):
        ids = [op["entity_id"] for op in ops if op["entity"] == entity]
        for start in range(0, len(ids), 500):
            found.update((entity, record_id) for record_id in session.scalars(
                select(model.id).where(among(session, model.id, ids[start:start + 500]))))
    return found


def _check_scope(ctx: PushContext, grid_id: int) -> None:
    if grid_id not in ctx.grids:
        # Its name only if the person was once assigned to it (the tablet held it): the name
        # of another community's grid is not theirs to learn. Rare: no cache.
        known = ctx.session.scalar(select(Area.name).join(
            Assignment, Assignment.area_id == Area.id).where(
            Assignment.person_id == ctx.person.id, Area.id == grid_id).limit(1))
        raise Rejection(p.REJ_OUT_OF_SCOPE,
                        f"You are not assigned to grid {grid_id}; ask your supervisor to check "
                        "your assignment.", grid_id=grid_id, grid_name=known)


def _resident_for(ctx: PushContext, resident_id: str, grid_id: int) -> ResidentFacts:
    """The resident an op for ``grid_id`` is about. A resident who moved out of that grid
    recently is still reached through it: the op was made before the tablet heard of the move
    (the caller files it under the resident's grid now)."""
    resident = ctx.facts.get(resident_id)
    if resident is not None and resident.grid_id != grid_id:
        key = (resident_id, grid_id)
        if key not in ctx.moves:
            ctx.moves[key] = recent_move_from(ctx.session, resident_id, grid_id, ctx.now)
        move, recent = ctx.moves[key]
        if move is None:
            resident = None  # never in this grid: answered as if it did not exist
        elif not recent:
            grid = ctx.session.get(Area, resident.grid_id)
            raise Rejection(p.REJ_RESIDENT_MOVED,
                            f"This resident moved to grid {grid.name if grid else grid_id} "
                            f"more than {p.ASSIGNMENT_GRACE_DAYS} days ago; ask that grid's "
                            "supervisor to record it.", resident_id=resident_id,
                            grid_id=resident.grid_id, grid_name=grid.name if grid else None,
                            days=p.ASSIGNMENT_GRACE_DAYS)
    if resident is None:
        # One answer whether the resident lives in another grid or nowhere: a rejection must
        # not tell which grid an id belongs to. (A resident who moved out of this very grid was
        # known to the tablet, and is told apart above.)
        raise Rejection(p.REJ_UNKNOWN_ENTITY,
                        f"Resident {resident_id} is not on the roster of grid {grid_id}.",
                        entity=p.RESIDENT, entity_id=resident_id, resident_id=resident_id,
                        grid_id=grid_id)
    return resident


def _apply(ctx: PushContext, op: dict) -> OpResult:
    _check_scope(ctx, op["grid_id"])
    handler = {(p.VISIT, p.CREATE): _create_visit, (p.NOTE, p.CREATE): _create_note,
               (p.RESIDENT, p.CREATE): _create_resident,
               (p.RESIDENT, p.UPDATE): _update_resident}[(op["entity"], op["action"])]
    return handler(ctx, op)


def _device_times(ctx: PushContext, op: dict) -> tuple[datetime, datetime]:
    corrected, _suspect = correct_device_time(op["device_time"], ctx.skew_seconds, ctx.now)
    # Whole seconds, as the wire carries them: the order of visits the server keeps (and the
    # follow-ups it derives) is then the order every tablet reads from the pulled copies.
    return max(corrected, EARLIEST_INSTANT).replace(microsecond=0), op["device_time"]


def _check_correction(ctx: PushContext, model, data: dict, resident_id: str) -> None:
    target = data.get("corrects")
    if not target:
        return
    # The record may be earlier in this very batch (made and voided before a sync).
    pending = ctx.batch.visits if model is Visit else ctx.batch.notes
    owner = next((row["resident_id"] for row, _author in pending if row["id"] == target), None)
    if owner is None:
        found = ctx.session.get(model, target)
        owner = found.resident_id if found else None
    if owner != resident_id:
        raise Rejection(p.REJ_UNKNOWN_ENTITY,
                        f"The record to correct ({target}) does not exist for this resident.",
                        entity=p.VISIT if model is Visit else p.NOTE, entity_id=target,
                        resident_id=resident_id)


def _create_visit(ctx: PushContext, op: dict) -> OpResult:
    data = dict(op["data"])
    resident = _resident_for(ctx, data.pop("resident_id"), op["grid_id"])
    if (p.VISIT, op["entity_id"]) in ctx.existing:
        raise Rejection(p.REJ_ALREADY_EXISTS, f"Visit {op['entity_id']} already exists.",
                        entity=p.VISIT, entity_id=op["entity_id"])
    _check_correction(ctx, Visit, op["data"], resident.id)
    visited_at, device_time = _device_times(ctx, op)
    details = {key: value for key, value in data.items()
               if key not in ("outcome", "corrects", "correction") and value not in (None, [], {})}
    if "follow_up_on" in details:
        details["follow_up_on"] = details["follow_up_on"].isoformat()
    row = {"id": op["entity_id"], "resident_id": resident.id, "grid_id": resident.grid_id,
           "author_id": ctx.person.id, "device_id": ctx.device.id, "visited_at": visited_at,
           "device_time": device_time, "recorded_at": ctx.now, "outcome": data.get("outcome"),
           "details": details, "corrects_id": data.get("corrects"),
           "correction": data.get("correction")}
    ctx.batch.add_visit(row, ctx.person.display_name, resident)
    ctx.record("add_visit", op, resident.id, {"visit": op["entity_id"], "fields": sorted(
        key for key, value in op["data"].items()
        if key != "resident_id" and value not in (None, [], {}))})
    return OpResult(op["op_id"], op["seq"], p.APPLIED)


def _create_note(ctx: PushContext, op: dict) -> OpResult:
    data = op["data"]
    resident = _resident_for(ctx, data["resident_id"], op["grid_id"])
    if (p.NOTE, op["entity_id"]) in ctx.existing:
        raise Rejection(p.REJ_ALREADY_EXISTS, f"Note {op['entity_id']} already exists.",
                        entity=p.NOTE, entity_id=op["entity_id"])
    _check_correction(ctx, CaseNote, data, resident.id)
    written_at, device_time = _device_times(ctx, op)
    row = {"id": op["entity_id"], "resident_id": resident.id, "grid_id": resident.grid_id,
           "author_id": ctx.person.id, "device_id": ctx.device.id, "written_at": written_at,
           "device_time": device_time, "recorded_at": ctx.now, "text": data.get("text"),
           "corrects_id": data.get("corrects"), "correction": data.get("correction")}
    ctx.batch.add_note(row, ctx.person.display_name)
    ctx.record("add_note", op, resident.id, {"note": op["entity_id"], "fields": sorted(
        key for key, value in data.items() if key != "resident_id" and value is not None)})
    return OpResult(op["op_id"], op["seq"], p.APPLIED)


def _check_role_may_edit(ctx: PushContext, fields) -> None:
    if ctx.person.role in p.FIELD_ROLES:
        forbidden = sorted(set(fields) - p.FIELD_EDITABLE_RESIDENT_FIELDS)
        if forbidden:
            raise Rejection(p.REJ_FIELD_NOT_EDITABLE,
                            f"Your role may not change: {', '.join(forbidden)}. "
                            "Ask your supervisor to change it.", fields=forbidden,
                            role=ctx.person.role)


class OpWriter:
    """The author of a pushed op, as a writer of resident fields."""

    def __init__(self, ctx: PushContext, op: dict, base: int) -> None:
        self.edit = Edit(ctx.device.id, op["seq"], base, op["op_id"])
        self.stamp = FieldStamp(PENDING_VERSION, ctx.device.id, op["seq"], base, op["op_id"])
        time, _ = _device_times(ctx, op)
        self.meta = {"p": ctx.person.id, "n": ctx.person.display_name, "t": isoformat(time)}

    def candidates(self, value) -> list[dict]:
        return stamps.dump([Candidate(self.stamp, value, self.meta)])


def _create_resident(ctx: PushContext, op: dict) -> OpResult:
    if ctx.person.role == p.VOLUNTEER:
        raise Rejection(p.REJ_FIELD_NOT_EDITABLE,
                        "Volunteers cannot add residents; ask a grid worker or supervisor.",
                        fields=[], role=ctx.person.role)
    if op["entity_id"] in ctx.facts or ctx.session.get(Resident, op["entity_id"]):
        raise Rejection(p.REJ_ALREADY_EXISTS, f"Resident {op['entity_id']} already exists.",
                        entity=p.RESIDENT, entity_id=op["entity_id"])
    resident = build_resident(op["entity_id"], op["grid_id"], op["data"], OpWriter(ctx, op, 0))
    ctx.session.add(resident)
    ctx.residents[resident.id] = resident
    ctx.facts[resident.id] = ResidentFacts.of(resident)
    ctx.batch.touch_resident(resident)
    ctx.record("add_resident", op, resident.id, {"fields": sorted(op["data"])})
    return OpResult(op["op_id"], op["seq"], p.APPLIED)


def _update_resident(ctx: PushContext, op: dict) -> OpResult:
    """Fold each changed field into its candidates (shared.merge); record new clashes."""
    resident = ctx.resident(_resident_for(ctx, op["entity_id"], op["grid_id"]).id)
    changes = op["data"]
    _check_role_may_edit(ctx, changes)
    writer = OpWriter(ctx, op, credible_base(op["base_version"], resident))
    if resident.grid_id != op["grid_id"]:
        return _review_edit_of_moved(ctx, op, resident, writer)
    field_stamps = dict(resident.field_stamps or {})
    conflict_ids: list[str] = []
    value_changed = False
    before, after = {}, {}
    for name, value in changes.items():
        merge = merge_field(field_subject(resident.id, name), stamps.load(field_stamps.get(name)),
                            writer.edit, value, writer.stamp, writer.meta)
        if merge.stale:
            continue
        candidates = []
        for candidate in merge.candidates:
            if candidate in merge.losers and "c" not in candidate.meta:
                conflict = _record_conflict(ctx, resident, name, merge.winner, candidate)
                candidate = Candidate(candidate.stamp, candidate.value,
                                      {**candidate.meta, "c": conflict.id})
                if writer.stamp in (merge.winner.stamp, candidate.stamp):
                    conflict_ids.append(conflict.id)
            candidates.append(candidate)
        field_stamps[name] = stamps.dump(candidates)
        if getattr(resident, name) != merge.winner.value:
            before[name], after[name] = getattr(resident, name), merge.winner.value
            setattr(resident, name, merge.winner.value)
            value_changed = True
            if name in ResidentFacts.FOLLOW_UP_FIELDS:
                setattr(ctx.facts[resident.id], name, merge.winner.value)
                ctx.batch.recompute_visit_facts(resident.id)
    resident.field_stamps = field_stamps
    if value_changed and SEARCHED_FIELDS & set(changes):
        resident.search_keys = search_keys(resident.name, resident.address, resident.phone)
    if value_changed or conflict_ids:
        ctx.batch.touch_resident(resident)
    else:
        ctx.batch.note_restamped(resident)
    status = p.CONFLICTED if conflict_ids else p.APPLIED
    # Every field the tablet sent is named; those whose value changed, with old and new value.
    ctx.record("edit_resident", op, resident.id, {
        **change_detail(FROM_TABLET, before, after, changes),
        **({"conflicts": conflict_ids} if conflict_ids else {})})
    return OpResult(op["op_id"], op["seq"], status, conflict_ids=conflict_ids)


def _review_edit_of_moved(ctx: PushContext, op: dict, resident: Resident,
                          writer: OpWriter) -> OpResult:
    """An edit made in the resident's old grid before its tablet heard of the move: not
    applied, but kept for the new grid's supervisors as a conflict with the value in force."""
    conflict_ids = []
    for name, value in op["data"].items():
        current = stamps.load((resident.field_stamps or {}).get(name))
        kept = current[0] if current else Candidate(
            FieldStamp(resident.version, "", 0, resident.version, ""), getattr(resident, name))
        if _jsonable(value) == _jsonable(kept.value):
            continue
        lost = Candidate(writer.stamp, value, writer.meta)
        conflict_ids.append(_record_conflict(ctx, resident, name, kept, lost).id)
    if conflict_ids:
        return OpResult(op["op_id"], op["seq"], p.CONFLICTED, conflict_ids=conflict_ids)
    return OpResult(op["op_id"], op["seq"], p.APPLIED)


def credible_base(claimed: int, resident: Resident) -> int:
    """The knowledge an update is credited with: the version it names, unless no such version
    of the record was ever handed out (above the record's version: a client bug, a restored
    server, or a lie). Then it is credited with having seen nothing (0): it supersedes no value
    anyone else wrote (at most it ties with edits that saw nothing either), so every value it
    meets stays a candidate and any difference becomes a conflict for a supervisor to settle.
    Claiming too much knowledge thus never gets more than claiming none.
    An honest tablet never triggers this: the versions it saw are at most the record's own."""
    return claimed if claimed <= resident.version else 0


def _record_conflict(ctx: PushContext, resident: Resident, name: str, kept: Candidate,
                     lost: Candidate) -> Conflict:
    conflict = Conflict(
        id=str(uuid.uuid4()), grid_id=resident.grid_id, resident_id=resident.id, field=name,
        kept_value=_jsonable(kept.value), lost_value=_jsonable(lost.value),
        kept_by=stamps.who(kept), lost_by=stamps.who(lost), detected_at=ctx.now,
        status="open")
    ctx.session.add(conflict)
    ctx.batch.add_conflict(conflict)
    return conflict


def _jsonable(value):
    return value.isoformat() if isinstance(value, date) else value
