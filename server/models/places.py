"""Places and the people who live there: the area tree, residents, their moves and pairings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.clock import utcnow

from .base import Base


class Area(Base):
    """District, street, community or grid: one tree."""

    __tablename__ = "areas"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    code: Mapped[str] = mapped_column(String(32), unique=True)

    parent: Mapped["Area | None"] = relationship(remote_side=[id])


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
    # Each pushed visit updates them: no index may hold one of them, so that the update is HOT
    # (written on the row's page, no index entry; migration 0008a_resident_facts_hot).
    last_visit_at: Mapped[datetime | None]
    last_met_at: Mapped[datetime | None]
    follow_up_since: Mapped[datetime | None]


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
