"""Applying one new op: the scope and resident checks, then visits, notes and resident edits
(moved out of server/sync/push.py, which hands each new op to ``_apply``)."""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select

from shared import protocol as p
from shared.clock import isoformat
from shared.merge import Candidate, Edit, FieldStamp, field_subject, merge_field
from shared.search import SEARCHED_FIELDS, search_keys
from shared.visit_record import EMPTY_VALUES, VISIT_COLUMNS, visit_details

from ..audit import FROM_TABLET, change_detail
from ..models import Area, Assignment, CaseNote, Conflict, Resident, Visit
from . import stamps
from .batch import ResidentFacts
from .edits import build_resident
from .moves import recent_move_from
from .context import OpResult, PushContext, Rejection, _device_times
from .stamps import PENDING_VERSION


#: A visit's members kept as its columns, the resident aside (named by the audit row itself).
_VISIT_OWN_MEMBERS = tuple(sorted(VISIT_COLUMNS - {"resident_id"}))


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
    if op["entity"] == p.REQUEST_EVENT:
        from ..threelists.ops import apply_request_event
        return apply_request_event(ctx, op)
    return _HANDLERS[(op["entity"], op["action"])](ctx, op)


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


def _new_record(ctx: PushContext, op: dict, entity: str, model) -> tuple:
    """What a new visit or case note starts from: its resident (in the device's scope), the
    check that the record is new and that what it corrects exists, and its two instants."""
    data = op["data"]
    resident = _resident_for(ctx, data["resident_id"], op["grid_id"])
    if (entity, op["entity_id"]) in ctx.existing:
        raise Rejection(p.REJ_ALREADY_EXISTS,
                        f"{entity.capitalize()} {op['entity_id']} already exists.",
                        entity=entity, entity_id=op["entity_id"])
    _check_correction(ctx, model, data, resident.id)
    return (data, resident, *_device_times(ctx, op))


def _create_visit(ctx: PushContext, op: dict) -> OpResult:
    data, resident, visited_at, device_time = _new_record(ctx, op, p.VISIT, Visit)
    details = visit_details(data)
    # The audit names every member written but the resident: the details, and the columns
    # among the visit's own members that hold something (the same test visit_details makes).
    written = [key for key in _VISIT_OWN_MEMBERS if data.get(key) not in EMPTY_VALUES]
    written += details
    if "follow_up_on" in details:
        details["follow_up_on"] = details["follow_up_on"].isoformat()
    row = {"id": op["entity_id"], "resident_id": resident.id, "grid_id": resident.grid_id,
           "author_id": ctx.person_id, "device_id": ctx.device_id, "visited_at": visited_at,
           "device_time": device_time, "recorded_at": ctx.now, "outcome": data.get("outcome"),
           "details": details, "corrects_id": data.get("corrects"),
           "correction": data.get("correction")}
    ctx.batch.add_visit(row, ctx.author_name, resident)
    ctx.record("add_visit", op, resident.id, {"visit": op["entity_id"], "fields": sorted(written)})
    return OpResult(op["op_id"], op["seq"], p.APPLIED)


def _create_note(ctx: PushContext, op: dict) -> OpResult:
    data, resident, written_at, device_time = _new_record(ctx, op, p.NOTE, CaseNote)
    row = {"id": op["entity_id"], "resident_id": resident.id, "grid_id": resident.grid_id,
           "author_id": ctx.person_id, "device_id": ctx.device_id, "written_at": written_at,
           "device_time": device_time, "recorded_at": ctx.now, "text": data.get("text"),
           "corrects_id": data.get("corrects"), "correction": data.get("correction")}
    ctx.batch.add_note(row, ctx.author_name)
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


_HANDLERS = {(p.VISIT, p.CREATE): _create_visit, (p.NOTE, p.CREATE): _create_note,
             (p.RESIDENT, p.CREATE): _create_resident, (p.RESIDENT, p.UPDATE): _update_resident}
