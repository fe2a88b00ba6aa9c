"""District-wide settings and the duty-points rules and adjustments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text
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
