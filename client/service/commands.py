"""The field service's commands: visits, notes, drafts, resident edits. Each writes locally
and queues its op at once (the sync sends it later)."""
from __future__ import annotations

import uuid
from datetime import date

from marshmallow import ValidationError

from shared import protocol as p
from shared.clock import isoformat
from shared.schemas import DATA_SCHEMAS

from .. import drafts
from ..store import local_note_record, local_visit_record
from .models import InvalidInput


class CommandsMixin:
    """Part of :class:`~client.service.FieldService`: what the volunteer changes."""

    # ---- commands --------------------------------------------------------------------------

    def _resident_row(self, resident_id: str) -> tuple[int, int]:
        with self.store.reading() as db:
            row = db.execute("SELECT grid_id, version FROM residents WHERE id = ?",
                             (resident_id,)).fetchone()
        if row is None:
            raise InvalidInput({"resident_id": ["This resident is not on this tablet."]})
        return row

    def _op(self, entity: str, action: str, entity_id: str, grid_id: int, data: dict,
            base_version: int | None = None) -> dict:
        try:
            DATA_SCHEMAS[(entity, action)].load(data)
        except ValidationError as error:
            raise InvalidInput(error.messages) from None
        op = {"op_id": str(uuid.uuid4()), "entity": entity, "action": action,
              "entity_id": entity_id, "grid_id": grid_id, "device_time": isoformat(self.clock()),
              "data": data}
        if base_version is not None:
            op["base_version"] = base_version
        return op

    def _add_created(self, op: dict, local_record) -> None:
        """Queue a create op with the record as it shows here until the server's copy comes."""
        account = self.account
        self.store.add_op(op, local_record(op, account and account.display_name,
                                           account and account.person_id))

    def record_visit(self, resident_id: str, outcome: str, *, readings: dict | None = None,
                     mood: str | None = None, needs=(), services=(),
                     safety_checks: dict | None = None, note: str | None = None,
                     follow_up_on: date | None = None, away_reason: str | None = None,
                     corrects: str | None = None, correction: str | None = None,
                     method: str | None = None, checklist: dict | None = None, advice=(),
                     emergency_action: str | None = None) -> str:
        """Save a visit on the tablet at once (and queue it). Returns the visit id.

        ``method``: 上门 when None; ``checklist``: only the items with something to note."""
        grid_id, _version = self._resident_row(resident_id)
        data = {"resident_id": resident_id, "outcome": outcome}
        optional = {"readings": {k: v for k, v in (readings or {}).items() if v is not None},
                    "mood": mood, "needs": list(needs), "services": list(services),
                    "safety_checks": safety_checks, "note": (note or "").strip() or None,
                    "follow_up_on": follow_up_on.isoformat() if follow_up_on else None,
                    "away_reason": away_reason, "corrects": corrects, "correction": correction,
                    "method": method if method != p.DOOR else None,
                    "checklist": {item: text.strip() for item, text in (checklist or {}).items()
                                  if text and text.strip()},
                    "advice": list(advice),
                    "emergency_action": (emergency_action or "").strip() or None}
        data.update({key: value for key, value in optional.items() if value not in (None, [], {})})
        visit_id = str(uuid.uuid4())
        op = self._op(p.VISIT, p.CREATE, visit_id, grid_id, data)
        self._add_created(op, local_visit_record)
        return visit_id

    def void_visit(self, visit_id: str) -> str:
        """Strike a visit out (it stays in the history, marked void)."""
        record = self.store.record(p.VISIT, visit_id)
        if record is None:
            raise InvalidInput({"corrects": ["No such visit on this tablet."]})
        grid_id, _version = self._resident_row(record["resident_id"])
        correction_id = str(uuid.uuid4())
        op = self._op(p.VISIT, p.CREATE, correction_id, grid_id, {
            "resident_id": record["resident_id"], "corrects": visit_id, "correction": p.VOID})
        self._add_created(op, local_visit_record)
        return correction_id

    # ---- drafts: a half-filled visit form survives the app being killed (client/drafts.py) ---

    def save_draft(self, resident_id: str, form: dict) -> None:
        drafts.save_draft(self.store, resident_id, form, isoformat(self.clock()))

    def draft(self, resident_id: str) -> dict | None:
        return drafts.read_draft(self.store, resident_id)

    def discard_draft(self, resident_id: str) -> None:
        drafts.discard_draft(self.store, resident_id)

    def add_note(self, resident_id: str, text: str) -> str:
        grid_id, _version = self._resident_row(resident_id)
        note_id = str(uuid.uuid4())
        op = self._op(p.NOTE, p.CREATE, note_id, grid_id,
                      {"resident_id": resident_id, "text": (text or "").strip()})
        self._add_created(op, local_note_record)
        return note_id

    def editable_fields(self) -> frozenset[str]:
        account = self.account
        if account and account.role not in p.FIELD_ROLES:
            return frozenset(p.RESIDENT_FIELDS)
        return p.FIELD_EDITABLE_RESIDENT_FIELDS

    def edit_resident(self, resident_id: str, changes: dict) -> None:
        """Change some of a resident's details; only what really changed is sent."""
        grid_id, version = self._resident_row(resident_id)
        current = self.store.record(p.RESIDENT, resident_id)
        changed = {name: value for name, value in changes.items() if current.get(name) != value}
        not_allowed = sorted(set(changed) - self.editable_fields())
        if not_allowed:
            raise InvalidInput({name: ["You may not change this field."] for name in not_allowed})
        if not changed:
            return
        op = self._op(p.RESIDENT, p.UPDATE, resident_id, grid_id, changed, base_version=version)
        self.store.add_op(op, None)
