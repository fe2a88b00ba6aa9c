"""What happens at the door and after: visits, case notes, edit conflicts, alerts, campaigns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from shared.clock import utcnow

from .base import Base


class Visit(Base):
    """One knock. Append-only: corrections are new visits that void or amend an earlier one."""

    __tablename__ = "visits"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    resident_id: Mapped[str] = mapped_column(ForeignKey("residents.id"))
    # An area's and a person's id, without foreign keys: checked row by row they cost a pushed
    # visit half its insert, and the push takes both from records it holds (the resident's
    # grid, the signed-in person). Migration 0008b_visit_reference_checks says more.
    grid_id: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(Integer)
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
                      Index("ix_visits_time", "visited_at"),
                      # the few corrections, by resident (server/alerts.py, the ladder)
                      Index("ix_visits_corrections", "resident_id",
                            postgresql_where=text("corrects_id IS NOT NULL"),
                            sqlite_where=text("corrects_id IS NOT NULL")))


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
