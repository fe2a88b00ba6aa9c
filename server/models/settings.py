"""District-wide settings and the duty-points rules and adjustments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared.clock import utcnow

from .base import Base


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
                      Index("ix_points_entries_person_day", "person_id", "day"))


class PointsState(Base):
    """One row: how far the stored ledger has read the change log (``position``) and under
    which rule book (``book``: the versions stored when it was built)."""

    __tablename__ = "points_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, default=0)
    book: Mapped[str] = mapped_column(Text, default="")
    built_at: Mapped[datetime | None]
