"""Server data model (SQLAlchemy 2, typed). Schema changes go through Alembic only.

Model helpers never commit: the request (or the CLI command) owns the transaction.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from datetime import timezone

from sqlalchemy import (JSON, BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer,
                        String, Text, TypeDecorator, UniqueConstraint, text)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.clock import utcnow


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC instants on every backend (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        offset = value.utcoffset()
        if offset is None:
            raise ValueError("naive datetime given for a UTC column")
        if offset or value.tzinfo is not timezone.utc:
            value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: UTCDateTime()}


class Area(Base):
    """District, street, community or grid: one tree."""

    __tablename__ = "areas"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    code: Mapped[str] = mapped_column(String(32), unique=True)

    parent: Mapped["Area | None"] = relationship(remote_side=[id])


class Person(Base):
    __tablename__ = "people"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    #: For a 人大代表: the congress they sit in (shared.protocol.RepresentativeLevel).
    representative_level: Mapped[str | None] = mapped_column(String(16))
    phone: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Assignment(Base):
    """A person assigned to an area (a grid for field work; a community or street to supervise)."""

    __tablename__ = "assignments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)

    person: Mapped[Person] = relationship()
    area: Mapped[Area] = relationship()


class Device(Base):
    __tablename__ = "devices"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: When the current token was handed out (None: before tokens rotated; rotate at once).
    token_issued_at: Mapped[datetime | None]
    #: The token it replaced, still good until ``previous_token_until`` or until the new one
    #: is first used; ``next_token_sealed`` is the new token sealed with the old one, so a
    #: renewal whose answer was lost gets the same new token again (see server.auth).
    previous_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    previous_token_until: Mapped[datetime | None]
    next_token_sealed: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]
    last_push_at: Mapped[datetime | None]
    last_pull_at: Mapped[datetime | None]
    app_version: Mapped[str | None] = mapped_column(String(40))
    protocol_version: Mapped[int | None] = mapped_column(Integer)
    clock_skew_seconds: Mapped[float | None]

    person: Mapped[Person] = relationship()


class Resident(Base):
    __tablename__ = "residents"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    search_keys: Mapped[str] = mapped_column(Text, default="")
    sex: Mapped[str] = mapped_column(String(1))
    birth_year: Mapped[int] = mapped_column(Integer)
    address: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))
    emergency_contact: Mapped[str | None] = mapped_column(String(40))
    emergency_phone: Mapped[str | None] = mapped_column(String(20))
    #: 关爱类别 (shared.protocol.CareCategory); 高龄 is computed from ``birth_year``.
    care_categories: Mapped[list[Any]] = mapped_column(default=list)
    #: GB/T 42195-2022 level, the day it was assessed (ISO text) and who assessed it.
    ability_level: Mapped[str | None] = mapped_column(String(16))
    ability_assessed_on: Mapped[str | None] = mapped_column(String(10))
    ability_assessor: Mapped[str | None] = mapped_column(String(40))
    #: Set by the community with a reason; the district sets each tier's cadence.
    risk_tier: Mapped[str | None] = mapped_column(String(16))
    risk_reason: Mapped[str | None] = mapped_column(String(200))
    visit_cadence_days: Mapped[int | None] = mapped_column(Integer)
    safety_devices: Mapped[list[Any]] = mapped_column(default=list)
    #: Per installed device: ``installed_on`` and ``alarm_to`` (who receives its alarms).
    device_details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    care_notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="active")
    #: HMAC of the ID number from a roster import (server.roster.idnumber.keyed_hash): for
    #: finding the same person twice. Never the number; never sent to a tablet.
    id_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    #: Log position of the latest change; what an update's base_version refers to.
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Per field: the FieldStamp (shared.merge) of its last writer.
    field_stamps: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Derived from visits (shared.due), kept here so lists and dashboards need no visit scan.
    last_visit_at: Mapped[datetime | None]
    last_met_at: Mapped[datetime | None]
    follow_up_since: Mapped[datetime | None]

    __table_args__ = (Index("ix_residents_grid_last_met", "grid_id", "last_met_at"),)


class Visit(Base):
    """One knock. Append-only: corrections are new visits that void or amend an earlier one."""

    __tablename__ = "visits"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    resident_id: Mapped[str] = mapped_column(ForeignKey("residents.id"))
    grid_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    device_id: Mapped[str | None] = mapped_column(String(36))
    visited_at: Mapped[datetime]  # device time, corrected for the device's measured skew
    device_time: Mapped[datetime]  # what the device claimed
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    outcome: Mapped[str | None] = mapped_column(String(16))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    corrects_id: Mapped[str | None] = mapped_column(String(36))
    correction: Mapped[str | None] = mapped_column(String(8))

    __table_args__ = (Index("ix_visits_resident_time", "resident_id", "visited_at"),
                      Index("ix_visits_grid_time", "grid_id", "visited_at"),
                      Index("ix_visits_time", "visited_at"))


class CaseNote(Base):
    __tablename__ = "case_notes"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    resident_id: Mapped[str] = mapped_column(ForeignKey("residents.id"), index=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    device_id: Mapped[str | None] = mapped_column(String(36))
    written_at: Mapped[datetime]
    device_time: Mapped[datetime]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    text: Mapped[str | None] = mapped_column(Text)
    corrects_id: Mapped[str | None] = mapped_column(String(36))
    correction: Mapped[str | None] = mapped_column(String(8))


class Conflict(Base):
    """Two concurrent edits of one field: the value kept and the value that lost."""

    __tablename__ = "conflicts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    resident_id: Mapped[str] = mapped_column(ForeignKey("residents.id"), index=True)
    field: Mapped[str] = mapped_column(String(32))
    kept_value: Mapped[Any] = mapped_column(JSON)
    lost_value: Mapped[Any] = mapped_column(JSON)
    #: {"op_id", "device_id", "person_id", "person_name", "device_time", "server_time"}
    kept_by: Mapped[dict[str, Any]]
    lost_by: Mapped[dict[str, Any]]
    detected_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(8), default="open")
    settled_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    settled_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    settled_at: Mapped[datetime | None]


class ResidentMove(Base):
    """A resident moved from one grid to another, with their whole history.

    Kept so that ops a tablet made for the old grid before it heard of the move are still
    delivered (within ``ASSIGNMENT_GRACE_DAYS``), and so the move can be read back later.
    """

    __tablename__ = "resident_moves"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resident_id: Mapped[str] = mapped_column(ForeignKey("residents.id"), index=True)
    from_grid_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    to_grid_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    moved_at: Mapped[datetime] = mapped_column(default=utcnow)
    moved_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    #: "web" (the resident page) or "import" (a roster file)
    via: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(Text)


class ChangeLogEntry(Base):
    """The ordered change log, compacted: one row per record, at the position of its last change.

    Positions are handed out under the lock on :class:`LogHead`, so they become visible in order
    and a cursor never skips a change that commits late (see docs/sync-protocol.md).
    """

    __tablename__ = "change_log"
    entity: Mapped[str] = mapped_column(String(16), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, unique=True)
    grid_id: Mapped[int] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON, sent as is
    row_hash: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_change_log_grid_position", "grid_id", "position"),)


class LogHead(Base):
    """One row: the last position handed out. Its row lock orders all writers.

    ``epoch`` names this server's history: a random id made with the database and replaced
    when the database is restored from a backup (``knockdoor restored``, or when a tablet
    shows the server holds less than it once acknowledged). ``epoch_since`` is the position
    up to which the history before and after that restore is the same (0: not known).
    """

    __tablename__ = "log_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, default=0)
    epoch: Mapped[str | None] = mapped_column(String(36))
    epoch_since: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class AppliedOp(Base):
    """What the server did with each op of each device, written with the op's effect."""

    __tablename__ = "applied_ops"
    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    op_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    op_hash: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(10))
    version: Mapped[int | None] = mapped_column(BigInteger)
    conflict_ids: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    reason_code: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    #: What the reason names (ids, grid, fields; shared.protocol.RejectCode), for the app's words.
    reason_params: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    entity: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[str] = mapped_column(String(36))
    grid_id: Mapped[int | None] = mapped_column(Integer)
    person_id: Mapped[int | None] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("device_id", "seq", name="uq_applied_ops_device_seq"),
        # Only rejected ops are ever listed (for supervisors): a partial index costs a push
        # nothing for the ops that were applied.
        Index("ix_applied_ops_rejected", "received_at",
              postgresql_where=text("status = 'rejected'"),
              sqlite_where=text("status = 'rejected'")))


class ProvisioningCode(Base):
    """A one-time, short-lived code that signs a tablet in for a person (the QR code of the
    sign-in sheet, server.provisioning): never the password; stored hashed."""

    __tablename__ = "provisioning_codes"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    device_id: Mapped[str | None] = mapped_column(String(36))


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    person_id: Mapped[int | None] = mapped_column(Integer, index=True)
    device_id: Mapped[str | None] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str | None] = mapped_column(String(16))
    entity_id: Mapped[str | None] = mapped_column(String(36), index=True)
    grid_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    remote_addr: Mapped[str | None] = mapped_column(String(64))


class LoginAttempt(Base):
    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    remote_addr: Mapped[str | None] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean)


class WebSession(Base):
    """A signed-in browser (server.web.sessions). The cookie holds only a random token; this
    row, found by the token's hash, holds the rest, and deleting it ends the session."""

    __tablename__ = "web_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    data: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Campaign(Base):
    """A supervisor's call to visit everyone of some care categories in an area within
    ``CAMPAIGN_HOURS`` (after a heatwave, a cold snap, a storm, before a festival). Reaches
    the area's tablets as one ``campaign`` record per grid (server.campaigns)."""

    __tablename__ = "campaigns"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    #: Care category codes; empty: everyone in the area.
    categories: Mapped[list[Any]] = mapped_column(default=list)
    started_at: Mapped[datetime]
    due_at: Mapped[datetime]
    started_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    ended_at: Mapped[datetime | None]
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


class Alert(Base):
    """What a community lead must see or decide, raised when a tablet's visit arrives: a
    dangerous reading, a follow-up at the end of its ladder, or an outcome (moved away, passed
    away) proposing a change of the resident's status, which only takes effect when a lead
    confirms it. Closed, never deleted."""

    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # server.alerts: READING, LADDER, STATUS
    resident_id: Mapped[str] = mapped_column(ForeignKey("residents.id"), index=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    visit_id: Mapped[str | None] = mapped_column(String(36))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    resolution: Mapped[str | None] = mapped_column(String(16))


class Pairing(Base):
    """结对帮扶: a community pairs a resident with a named visitor, shown on both sides. Ended,
    never deleted."""

    __tablename__ = "pairings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resident_id: Mapped[str] = mapped_column(ForeignKey("residents.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


class PointsRuleVersion(Base):
    """One version of the duty-points rules (shared.points.rules, issue 15), in force from its
    effective district day: versions are only added, never changed, so past months keep the
    rules they were counted with."""

    __tablename__ = "points_rule_versions"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    effective: Mapped[date] = mapped_column(Date)
    rules: Mapped[dict[str, Any]] = mapped_column(default=dict)  # rules_to_dict's plain form
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


class PointsAdjustment(Base):
    """A supervisor's manual adjustment of a person's duty points, never without a reason."""

    __tablename__ = "points_adjustments"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    points: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))


class DistrictSetting(Base):
    """A district-wide setting by name (e.g. whether people see the points ranking)."""

    __tablename__ = "district_settings"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class PointsEntry(Base):
    """One line of the stored duty-points ledger (shared.points.Entry, issue 15), kept by
    server.points_store: ``part`` is the ledger part it belongs to (``r:<resident id>`` or
    ``q:<request id>``), ``grid_id`` where the work was done (the resident's or the request's
    grid). Rebuilt part by part from the facts; never edited by hand."""

    __tablename__ = "points_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    part: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime]
    day: Mapped[date] = mapped_column(Date)
    month: Mapped[date] = mapped_column(Date)  # the first day of ``day``'s month
    person_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(32))
    points: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[str] = mapped_column(String(40))
    rule_version: Mapped[int | None] = mapped_column(Integer)
    resident_id: Mapped[str | None] = mapped_column(String(36))
    note: Mapped[str] = mapped_column(String(16), default="")
    grid_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_points_entries_part", "part"),
                      Index("ix_points_entries_day_grid", "day", "grid_id"),
                      Index("ix_points_entries_person_day", "person_id", "day"),
                      Index("ix_points_entries_at", "at"),
                      Index("ix_points_entries_month_person_grid", "month", "person_id",
                            "grid_id"))


class PointsMonth(Base):
    """The stored ledger summed per district month, person and grid (server.points_store
    keeps it with the entries): a year of a district is a few thousand rows to add up."""

    __tablename__ = "points_months"
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    person_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    grid_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    points: Mapped[int] = mapped_column(Integer)


class PointsState(Base):
    """One row: how far the stored ledger has read the change log (``position``) and under
    which rule book (``book``: the versions stored when it was built)."""

    __tablename__ = "points_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, default=0)
    book: Mapped[str] = mapped_column(Text, default="")
    built_at: Mapped[datetime | None]


# The three lists' tables (issue 14) live in their own module; imported for the metadata.
from .threelists import models as _threelists_models  # noqa: E402,F401
