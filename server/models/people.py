"""People who use the system and what they sign in with: accounts, assignments, tablets,
provisioning codes, login attempts and browser sessions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.clock import utcnow

from .base import Base
from .places import Area


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
