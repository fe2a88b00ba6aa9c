"""Tables of the three lists. Imported by server.models so that Alembic and the wipe see them."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from shared.clock import utcnow

from ..models import Base


class Department(Base):
    """A government department or service that requests are handed to (房管, 卫健, 民政…)."""

    __tablename__ = "departments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class DepartmentStaff(Base):
    """A person of role ``department`` and the department they answer for."""

    __tablename__ = "department_staff"
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)


class ServiceRequest(Base):
    """A request (需求单); with an owner it is a task (任务单), handed over a responsibility
    (责任单). Its state follows shared.requests; every move is a :class:`RequestEvent`."""

    __tablename__ = "service_requests"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    resident_id: Mapped[str | None] = mapped_column(ForeignKey("residents.id"), index=True)
    category: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    urgency: Mapped[str] = mapped_column(String(16), default="normal")
    location: Mapped[str | None] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(16))
    #: The visit it was raised at, and the need ticked there (when raised from a visit).
    visit_id: Mapped[str | None] = mapped_column(String(36))
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    raised_by_name: Mapped[str | None] = mapped_column(String(64))
    raised_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(20))
    state_since: Mapped[datetime]
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    owner_name: Mapped[str | None] = mapped_column(String(64))
    owner_since: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    #: Seconds from raised to first claimed or assigned (the response rate counts these).
    response_seconds: Mapped[int | None] = mapped_column(Integer)
    plan: Mapped[str | None] = mapped_column(Text)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    handed_at: Mapped[datetime | None]
    due_on: Mapped[date | None] = mapped_column(Date)
    #: Working days given at the hand-over (the due date is counted from them).
    due_working_days: Mapped[int | None] = mapped_column(Integer)
    done_at: Mapped[datetime | None]
    #: When it was first done within or after its deadline (for the resolution rate).
    first_done_at: Mapped[datetime | None]
    #: The district's day of ``first_done_at`` (the resolution rate compares it with due_on).
    done_on: Mapped[date | None] = mapped_column(Date)
    verdict: Mapped[str | None] = mapped_column(String(16))
    verdict_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    #: Raised through Open311 by this partner, with the partner's own reference.
    partner_id: Mapped[int | None] = mapped_column(Integer)
    external_id: Mapped[str | None] = mapped_column(String(64))
    #: Log position of the latest change.
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    events_count: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_service_requests_grid_state", "grid_id", "state"),
                      Index("ix_service_requests_department_state", "department_id", "state"),
                      Index("ix_service_requests_raised_at", "raised_at"),
                      # the board's count of a stage over the whole district, from the index
                      Index("ix_service_requests_state", "state"))


class RequestEvent(Base):
    """One move on a request, on its timeline: who, when, from which device, what."""

    __tablename__ = "request_events"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("service_requests.id"))
    ordinal: Mapped[int] = mapped_column(Integer)  # 1, 2, … in the order applied
    action: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]  # when it was done (a tablet's clock, corrected for its skew)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    person_name: Mapped[str | None] = mapped_column(String(64))
    device_id: Mapped[str | None] = mapped_column(String(36))
    #: "tablet", "web" or "open311"
    via: Mapped[str] = mapped_column(String(8))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (Index("ix_request_events_request_ordinal", "request_id", "ordinal",
                            unique=True),)


class ApiPartner(Base):
    """A partner system (a 12345 hotline platform) using the Open311 API with its own key.
    Only the key's SHA-256 is stored."""

    __tablename__ = "api_partners"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The grid that requests posted by this partner go to when they name none.
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    #: May see names, phones and exact addresses.
    personal_data: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
