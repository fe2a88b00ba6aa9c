"""Sync bookkeeping and the record of who did what: the change log, its head, each device's
applied ops, and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (JSON, BigInteger, Index, Integer, String, Text, UniqueConstraint,
                        text)
from sqlalchemy.orm import Mapped, mapped_column

from shared.clock import utcnow

from .base import Base


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
