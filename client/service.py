"""What the app offers a volunteer, with no Kivy in it: sign in, lists, records, sync.

Every command writes locally and returns at once; sync happens separately (``sync``), and is
meant to run off the UI thread. Methods are safe to call from two threads.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from marshmallow import ValidationError

from shared import protocol as p
from shared.clock import isoformat, parse_instant, utcnow
from shared.district_day import district_today, zone_or_default
from shared.district_rules import DistrictRules, follows_up, shown_categories
from shared.due import DueStatus, VisitFact, due_status
from shared.follow_up import ladder_step
from shared.schemas import DATA_SCHEMAS, flatten_errors
from shared.search import FUZZY, rank

from . import drafts, lock as gate
from .care import RULES_META, rules_from_text
from .lock import InvalidPin, TabletLock
from .store import HELD, PENDING, REJECTED, SqliteStore, local_note_record, local_visit_record
from .sync import (DISTRICT_ZONE_META, DeviceWiped, SignInRequired, SyncEngine, SyncProgress,
                   SyncReport, UpgradeRequired, upgrade_side)
from .transport import HttpTransport, Transport, TransportError

__all__ = ["FieldService", "SignInError", "InvalidInput", "UnsentChanges", "DeviceWiped",
           "SignInRequired", "UpgradeRequired", "InvalidPin", "SyncReport", "SyncProgress",
           "ResidentSummary"]


class SignInError(Exception):
    """code: bad_credentials | unreachable | device_revoked | upgrade_required |
    server_upgrade_required | throttled | server_error | already_signed_in | account_inactive |
    unsent_of_another | device_not_yours"""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class InvalidInput(Exception):
    """fields: field name -> what is wrong with it."""

    def __init__(self, fields: dict) -> None:
        super().__init__(flatten_errors(fields))
        self.fields = fields


class UnsentChanges(Exception):
    def __init__(self, count: int) -> None:
        super().__init__(f"{count} changes have not been sent yet.")
        self.count = count


@dataclass
class Account:
    server_url: str
    username: str
    display_name: str
    role: str
    person_id: int
    device_id: str
    device_name: str


@dataclass
class ResidentSummary:
    id: str
    name: str
    address: str
    sex: str
    age: int | None
    grid_id: int
    grid_name: str
    #: 关爱类别 as shown: the stored ones, then 高龄 when the birth year says so.
    care_categories: list[str]
    status: str
    due: DueStatus
    last_visit_at: datetime | None
    follow_up_since: datetime | None
    unsent: int
    match: int = FUZZY  # how well the search matched (shared.search.rank): the list's first key


@dataclass
class ResidentDetail:
    summary: ResidentSummary
    record: dict  # every resident field, as the volunteer sees it now
    visits: list[dict] = field(default_factory=list)  # newest first; "state" and "voided" added
    notes: list[dict] = field(default_factory=list)  # newest first; "state" added
    conflicts: list[dict] = field(default_factory=list)  # open ones first
    #: Where an open follow-up stands (shared/follow_up.py): revisit, call_contact (the app
    #: offers the emergency contact's number), alert_supervisor; None without one.
    follow_up_step: str | None = None


def _moment(text: str | None) -> datetime | None:
    return parse_instant(text) if text else None


class FieldService:
    def __init__(self, data_dir: str | Path, *,
                 transport_factory: Callable[[str], Transport] = HttpTransport,
                 clock: Callable[[], datetime] = utcnow, **engine_options) -> None:
        self.data_dir = Path(data_dir)
        self.store = SqliteStore(self.data_dir / "knockdoor-local.db")
        self.lock = TabletLock(self.store)
        self.transport_factory = transport_factory
        self.clock = clock
        self.engine_options = engine_options
        self._engine: SyncEngine | None = None

    def close(self) -> None:
        self.store.close()

    # ---- account -------------------------------------------------------------------------

    @property
    def account(self) -> Account | None:
        raw = self.store.get_meta("account")
        return Account(**json.loads(raw)) if raw and self.store.get_meta("token") else None

    @property
    def signed_in(self) -> bool:
        return self.account is not None

    def remembered_sign_in(self) -> dict:
        """Server address, username and device name from the last sign-in (no password)."""
        raw = self.store.get_meta("remembered")
        return json.loads(raw) if raw else {}

    def _previous_account(self) -> dict | None:
        raw = self.store.get_meta("account")
        return json.loads(raw) if raw else None

    def sign_in(self, server_url: str, username: str, password: str,
                device_name: str, code: str | None = None) -> Account:
        """Sign in online. The same person again keeps the device (its id, its sequence, its
        unsent work); another person gets a fresh device, and may not sign in while the last
        person's changes are unsent (they would be sent in the wrong name). ``code``: the
        one-time code of a sign-in sheet instead of a password (``username`` is then what the
        form remembered, or empty: treated as another person while anything is unsent)."""
        if self.signed_in:
            raise SignInError("already_signed_in", "Already signed in; sign out first.")
        previous = self._previous_account()
        if previous and previous["username"] != username:
            unsent = self.unsent_count()
            if unsent:
                raise SignInError("unsent_of_another",
                                  f"{unsent} changes of {previous['display_name']} are not "
                                  f"sent yet; they must sign in to send them first.")
            self._wipe_keeping_remembered()  # another person: nothing of the last one stays
        device_id = self.store.get_meta("device_id") or str(uuid.uuid4())
        transport = self.transport_factory(server_url)
        # Retried with backoff like every sync request (a lost packet is no wrong password);
        # 429 is not retried: it answers the password, not the network.
        retry = SyncEngine(self.store, transport, clock=self.clock, **self.engine_options)
        attempt, fresh_id_taken = 0, False
        while True:
            try:
                credentials = {"code": code} if code else {"username": username,
                                                            "password": password}
                answer = transport.post(
                    "/api/v1/auth/provision" if code else "/api/v1/auth/login",
                    {"protocol": p.PROTOCOL_VERSION, **credentials, "device_id": device_id,
                     "device_name": device_name})
                break
            except TransportError as error:
                if (error.error == p.ERR_DEVICE_NOT_YOURS and not fresh_id_taken
                        and not self.unsent_count()):
                    # Someone else's device id (never made here): take a fresh one.
                    self._wipe_keeping_remembered()
                    device_id, fresh_id_taken = str(uuid.uuid4()), True
                    continue
                if not error.retryable or error.status == 429 or \
                        attempt == retry.max_attempts - 1:
                    raise self._sign_in_error(error) from None
                retry.sleep(retry.backoff(attempt, error.retry_after))
                attempt += 1
        person = answer["person"]
        account = Account(server_url=server_url, username=person["username"],
                          display_name=person["display_name"], role=person["role"],
                          person_id=person["id"], device_id=device_id, device_name=device_name)
        values = {
            **({DISTRICT_ZONE_META: answer["timezone"]} if answer.get("timezone") else {}),
            "device_id": device_id, "token": answer["token"],
            "account": json.dumps(account.__dict__, ensure_ascii=False),
            "remembered": json.dumps({"server_url": server_url, "username": username,
                                      "device_name": device_name}, ensure_ascii=False),
            "last_contact": isoformat(self.clock()), "signed_out_because": None,
            "wiped_stale": None}
        if isinstance(answer.get("policy"), dict):
            values["policy"] = json.dumps(answer["policy"])
        self.store.set_meta(values)
        self.lock.clear_pin()  # a new PIN after every online sign-in (a forgotten one too)
        self._engine = None
        return account

    def _wipe_keeping_remembered(self) -> None:
        remembered = self.store.get_meta("remembered")
        self.store.wipe()
        if remembered:
            self.store.set_meta({"remembered": remembered})
        self.lock.last_activity = None
        self._engine = None

    def _sign_in_error(self, error: TransportError) -> SignInError:
        if error.status is None:
            return SignInError("unreachable", error.message)
        if error.error in p.WIPE_CODES:
            self._wipe_keeping_remembered()  # a new device id on the next attempt
            return SignInError("device_revoked", error.message)
        if error.status == 426 or error.error == p.ERR_UPGRADE_REQUIRED:
            return SignInError("server_upgrade_required" if upgrade_side(error) == "server"
                               else "upgrade_required", error.message)
        code = {p.ERR_BAD_CREDENTIALS: "bad_credentials", p.ERR_THROTTLED: "throttled",
                p.ERR_DEVICE_NOT_YOURS: "device_not_yours",
                p.ERR_PROVISION_CODE_INVALID: "provision_code_invalid"}.get(error.error,
                                                                          "server_error")
        return SignInError(code, error.message)

    def sign_out(self, force: bool = False) -> None:
        """Wipe the device's data. Refuses while changes are unsent, unless forced."""
        unsent = self.unsent_count()
        if unsent and not force:
            raise UnsentChanges(unsent)
        self._wipe_keeping_remembered()

    # ---- the lock: PIN and stale-tablet rule (client.lock) ----------------------------------

    def gate(self) -> str:
        """What the app must show before anything else, checked on start, on resume and now
        and then: ``wiped`` (the tablet was away from the server for too long: its data is
        gone), ``sign_in`` (online sign-in needed), ``set_pin``, ``pin`` (idle: unlock
        first) or ``open``. Enforced here, offline too."""
        now = self.clock()
        action = self.lock.stale_action(now)
        if action == gate.WIPED:
            self._wipe_keeping_remembered()
            self.store.set_meta({"wiped_stale": "1"})
            return gate.WIPED
        if action == gate.SIGN_IN and self.store.get_meta("token"):
            self.store.set_meta({"token": None})
            self._engine = None
        if not self.signed_in:
            return gate.SIGN_IN
        if not self.lock.has_pin():
            return gate.SET_PIN
        if self.lock.pin_due(now):
            return gate.PIN
        return gate.OPEN

    def sign_in_reason(self) -> str | None:
        """Why the app is at the sign-in screen, when it was sent there (a message code)."""
        if self.store.get_meta("wiped_stale"):
            return "stale_wiped"
        if self.signed_in or not self.store.get_meta("account"):
            return None
        if self.lock.stale_action(self.clock()) == gate.SIGN_IN:
            return "stale_locked"
        return self.store.get_meta("signed_out_because")

    def set_pin(self, pin: str) -> None:
        self.lock.set_pin(pin, self.clock())

    def unlock(self, pin: str) -> bool:
        """True: unlocked. False: wrong; after the policy's number of wrong PINs in a row the
        token is forgotten and an online sign-in is needed (``gate()`` says ``sign_in``)."""
        if self.lock.check_pin(pin, self.clock()):
            return True
        if self.lock.attempts_left() == 0:
            self.store.set_meta({"token": None, "signed_out_because": "pin_attempts"})
            self.lock.clear_pin()
            self._engine = None
        return False

    def forget_pin(self) -> None:
        """The volunteer forgot the code: an online sign-in instead (a new code after it).
        The unsent work stays."""
        self.store.set_meta({"token": None, "signed_out_because": None})
        self.lock.clear_pin()
        self._engine = None

    def touch(self) -> None:
        """The volunteer did something: the idle time starts again."""
        self.lock.touch(self.clock())

    # ---- the district's day ----------------------------------------------------------------

    @property
    def district_rules(self) -> DistrictRules:
        """The district's visiting rules as the server last sent them (defaults until then)."""
        return rules_from_text(self.store.get_meta(RULES_META))

    @property
    def district_zone(self) -> ZoneInfo:
        """The zone the server named (Asia/Shanghai until it names one): the tablet's days and
        every time it shows are the district's, whatever zone the tablet itself is set to."""
        return zone_or_default(self.store.get_meta(DISTRICT_ZONE_META))

    def today(self) -> date:
        return district_today(self.clock(), self.district_zone)

    # ---- sync ------------------------------------------------------------------------------

    @property
    def engine(self) -> SyncEngine:
        if self._engine is None:
            account = self.account
            if account is None:
                raise DeviceWiped("Not signed in.")
            self._engine = SyncEngine(self.store, self.transport_factory(account.server_url),
                                      clock=self.clock, **self.engine_options)
        return self._engine

    def sync(self, progress: Callable[[SyncProgress], None] | None = None) -> SyncReport:
        """Blocking: run it off the UI thread. Raises DeviceWiped (data already wiped) and
        UpgradeRequired; every other problem is in the report."""
        try:
            return self.engine.sync(progress)
        except (DeviceWiped, SignInRequired):
            self._engine = None
            raise
        except SignInRequired as refusal:
            self.store.set_meta({"signed_out_because": refusal.code})
            self._engine = None
            raise

    def probe(self) -> bool:
        """Is the server reachable right now? (Short timeouts.)"""
        account = self.account
        if account is None:
            return False
        try:
            self.engine.transport.health()
        except TransportError:
            return False
        return True

    def last_sync(self) -> SyncReport | None:
        raw = self.store.get_meta("last_sync")
        return SyncReport.from_json(raw) if raw else None

    def last_success(self) -> datetime | None:
        return _moment(self.store.get_meta("last_success"))

    def quarantined_count(self) -> int:
        """Pulled records this tablet could not apply and keeps aside (client/pulled.py)."""
        return len(self.store.quarantined())

    def unsent_count(self) -> int:
        return self.store.count_ops(PENDING)

    def unsent_ops(self) -> list[dict]:
        """Changes made here that the server has not acknowledged yet, oldest first."""
        return [{"op_id": row["op_id"], "entity": row["entity"], "action": row["op"]["action"],
                 "entity_id": row["entity_id"], "resident_id": row["resident_id"],
                 "resident_name": row["resident_name"], "made_at": row["created_at"]}
                for row in self.store.outbox(PENDING)]

    def rejected_ops(self) -> list[dict]:
        """Changes the server refused, with its reason; kept until the volunteer dismisses them."""
        rows = self.store.outbox(REJECTED)
        return [{"op_id": row["op_id"], "entity": row["entity"], "entity_id": row["entity_id"],
                 "resident_id": row["resident_id"], "resident_name": row["resident_name"],
                 "reason_code": row["reason_code"], "reason": row["reason"],
                 "reason_params": row.get("reason_params") or {}, "grid_id": row["grid_id"],
                 "made_at": row["created_at"], "data": row["op"]["data"]} for row in rows]

    def dismiss_rejected(self, op_id: str) -> bool:
        """Let a refused change go (the tablet keeps a trace of it)."""
        return self.store.dismiss_rejected(op_id, isoformat(self.clock()))

    def resubmit_rejected(self, op_id: str) -> str | None:
        """Send a refused change again, as a new change; returns its id (None if there is no
        such refused change). It goes with the next sync."""
        new_op_id = str(uuid.uuid4())
        seq = self.store.resubmit_rejected(op_id, new_op_id, isoformat(self.clock()))
        return new_op_id if seq is not None else None

    def settled_rejections(self) -> list[dict]:
        return self.store.settled_rejections()

    def _names(self, resident_ids) -> dict[str, str]:
        ids = list(resident_ids)
        if not ids:
            return {}
        with self.store.reading() as db:
            return dict(db.execute(f"SELECT id, name FROM residents WHERE id IN "
                                   f"({','.join('?' * len(ids))})", ids).fetchall())

    # ---- queries ---------------------------------------------------------------------------

    def grids(self) -> list[dict]:
        with self.store.reading() as db:
            return [{"id": row[0], "name": row[1]} for row in
                    db.execute("SELECT id, name FROM grids ORDER BY name")]

    def campaigns_today(self) -> list:
        """Campaigns of my grids with the residents still to be met, soonest deadline first:
        the top of Today (client/campaigns.py; issue 12)."""
        from .campaigns import campaigns_due
        now = self.clock()
        return campaigns_due(self.store, now, district_today(now, self.district_zone))

    def today_list(self, query: str = "", today: date | None = None) -> list[ResidentSummary]:
        """My grids' residents: open follow-ups first, then overdue (longest first), due today,
        due this week, the rest. ``query`` finds residents by shared.search's rule (name,
        pinyin, address, building-unit-room, a phone's last four digits); its best matches
        come first: the exact name, then the initials, then the rest."""
        zone = self.district_zone
        today = today or district_today(self.clock(), zone)
        columns = ("SELECT id, grid_id, payload, name, search_keys, address, last_met_at, "
                   "last_visit_at, follow_up_since, unsent FROM residents")
        with self.store.reading() as db:
            grid_names = dict(db.execute("SELECT id, name FROM grids").fetchall())
            if query.strip():  # what a search reads first is small; the rest only for hits
                found = {}
                for resident_id, name, address, keys in db.execute(
                        "SELECT id, name, address, search_keys FROM residents"):
                    match = rank(query, name, address, keys)
                    if match is not None:
                        found[resident_id] = match
                ids, rows = list(found), []
                for start in range(0, len(ids), 500):
                    chunk = ids[start:start + 500]
                    rows += db.execute(f"{columns} WHERE id IN ({','.join('?' * len(chunk))})",
                                       chunk).fetchall()
            else:
                found = None
                rows = db.execute(columns).fetchall()
        rules = self.district_rules
        summaries = [self._summary(row, grid_names, today, zone,
                                   found[row[0]] if found is not None else FUZZY, rules)
                     for row in rows]
        summaries.sort(key=lambda s: (s.match, s.follow_up_since is None, s.due.sort_key,
                                      s.name))
        return summaries

    def _summary(self, row, grid_names, today: date, zone: ZoneInfo,
                 match: int = FUZZY, rules: DistrictRules | None = None) -> ResidentSummary:
        (resident_id, grid_id, payload, name, _keys, address, last_met_at, last_visit_at,
         follow_up_since, unsent) = row
        record = json.loads(payload)
        due = due_status(status=record.get("status", "active"),
                         care_categories=record.get("care_categories") or [],
                         birth_year=record.get("birth_year"),
                         visit_cadence_days=record.get("visit_cadence_days"),
                         last_met=_moment(last_met_at),
                         since=_moment(record.get("created_at")), today=today, zone=zone,
                         risk_tier=record.get("risk_tier"),
                         rules=rules or self.district_rules)
        birth_year = record.get("birth_year")
        return ResidentSummary(
            id=resident_id, name=name, address=address, sex=record.get("sex", ""),
            age=today.year - birth_year if birth_year else None, grid_id=grid_id,
            grid_name=grid_names.get(grid_id, ""),
            care_categories=shown_categories(record.get("care_categories"), birth_year, today),
            status=record.get("status", "active"), due=due,
            last_visit_at=_moment(last_visit_at), follow_up_since=_moment(follow_up_since),
            unsent=unsent, match=match)

    def resident(self, resident_id: str, today: date | None = None) -> ResidentDetail | None:
        zone = self.district_zone
        today = today or district_today(self.clock(), zone)
        with self.store.reading() as db:
            grid_names = dict(db.execute("SELECT id, name FROM grids").fetchall())
            row = db.execute("SELECT id, grid_id, payload, name, search_keys, address, "
                             "last_met_at, last_visit_at, follow_up_since, unsent "
                             "FROM residents WHERE id = ?", (resident_id,)).fetchone()
            if row is None:
                return None
            states = dict(db.execute("SELECT entity_id, state FROM outbox WHERE resident_id = ? "
                                     "AND state != ?", (resident_id, HELD)).fetchall())
            visits = [json.loads(text) for (text,) in db.execute(
                "SELECT payload FROM visits WHERE resident_id = ? ORDER BY visited_at DESC",
                (resident_id,))]
            notes = [json.loads(text) for (text,) in db.execute(
                "SELECT payload FROM notes WHERE resident_id = ? ORDER BY written_at DESC",
                (resident_id,))]
            conflicts = [json.loads(text) for (text,) in db.execute(
                "SELECT payload FROM conflicts WHERE resident_id = ? ORDER BY status = 'open' "
                "DESC, position DESC", (resident_id,))]
        corrected = {v["corrects"]: v["correction"] for v in visits if v.get("corrects")}
        for visit in visits:
            visit["state"] = states.get(visit["id"], "synced")
            visit["voided"] = corrected.get(visit["id"]) == p.VOID
            visit["amended"] = corrected.get(visit["id"]) == p.AMEND
        for note in notes:
            note["state"] = states.get(note["id"], "synced")
        me = self.account.person_id if self.account else None
        for conflict in conflicts:
            conflict["mine"] = me in ((conflict.get("kept_by") or {}).get("person_id"),
                                      (conflict.get("lost_by") or {}).get("person_id"))
        record = json.loads(row[2])
        step = ladder_step(
            follows_up(record.get("care_categories"), record.get("birth_year"),
                       record.get("risk_tier"), today, self.district_rules),
            [VisitFact(v["id"], parse_instant(v["visited_at"]), v.get("outcome"),
                       v.get("corrects"), v.get("correction")) for v in visits])
        return ResidentDetail(self._summary(row, grid_names, today, zone), record,
                              visits, notes, conflicts, step)

    def my_conflicts(self) -> list[dict]:
        """Open conflicts in which one of the two edits was mine (conflict records name the
        person, never the device)."""
        me = self.account.person_id if self.account else None
        with self.store.reading() as db:
            rows = [json.loads(text) for (text,) in db.execute(
                "SELECT payload FROM conflicts WHERE status = 'open' ORDER BY position DESC")]
        names = self._names({row["resident_id"] for row in rows})
        return [{**row, "resident_name": names.get(row["resident_id"])} for row in rows
                if me in ((row.get("kept_by") or {}).get("person_id"),
                          (row.get("lost_by") or {}).get("person_id"))]

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
