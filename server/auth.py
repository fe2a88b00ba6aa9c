"""Passwords, device tokens and login throttling."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import lru_cache

from flask import current_app, request
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from shared import protocol as p
from shared.clock import utcnow

from .errors import ApiError
from .models import Device, LoginAttempt, Person


@lru_cache(maxsize=8)
def _dummy_hash(method: str) -> str:
    """A hash of the configured method and cost, checked when the username is unknown, so an
    unknown name takes as long as a real one (no guessing accounts by timing)."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def hash_token(token: str) -> str:
    # Tokens are 256 random bits: a fast hash is enough, and lets lookup use an index.
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def _recent_failures(session: Session, window, condition) -> int:
    return session.scalar(select(func.count()).select_from(LoginAttempt).where(
        condition, LoginAttempt.at >= window, LoginAttempt.succeeded.is_(False)))


def _check_throttle(session: Session, username: str, remote_addr: str | None) -> None:
    """Two separate throttles: an account guessed at from anywhere waits, and so does an
    address guessing at many accounts. A locked-out account locks out nobody else: the address
    limit is several accounts' worth, and behind a proxy the address is the client's own
    (``TRUSTED_PROXIES``), not the proxy's."""
    config = current_app.config
    window = utcnow() - timedelta(seconds=config["LOGIN_WINDOW_SECONDS"])
    by_account = _recent_failures(session, window, LoginAttempt.username == username[:64])
    by_address = _recent_failures(session, window, LoginAttempt.remote_addr == remote_addr) \
        if remote_addr else 0
    if by_account >= config["LOGIN_MAX_FAILURES"] or \
            by_address >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]:
        raise ApiError(429, p.ERR_THROTTLED,
                       "Too many failed sign-ins; wait a few minutes and try again.",
                       headers={"Retry-After": str(config["LOGIN_WINDOW_SECONDS"])})


def authenticate(engine: Engine, username: str, password: str,
                 remote_addr: str | None) -> int | None:
    """The id of the active person with these credentials, or None.

    Runs in its own short transaction, before the request's, so that the attempt is recorded
    (and counts towards the throttle) even when the request itself fails and rolls back.
    """
    with Session(engine) as session, session.begin():
        _check_throttle(session, username, remote_addr)
        person = session.scalar(select(Person).where(Person.username == username))
        valid = check_password_hash(
            person.password_hash if person
            else _dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        ok = bool(person and person.active and valid)
        session.add(LoginAttempt(username=username[:64], remote_addr=remote_addr, succeeded=ok))
        return person.id if ok else None


def device_for_request(session: Session) -> Device:
    """The device whose bearer token came with this request, or a 401 the app understands."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not header[7:].strip():
        raise ApiError(401, p.ERR_TOKEN_MISSING, "Sign in first: no device token was sent.",
                       headers={"WWW-Authenticate": "Bearer"})
    device = session.scalar(select(Device).where(Device.token_hash == hash_token(header[7:].strip())))
    if device is None:
        raise ApiError(401, p.ERR_TOKEN_UNKNOWN,
                       "This device is not known to the server; sign in again.",
                       {"action": "wipe"}, {"WWW-Authenticate": "Bearer"})
    if device.revoked_at is not None or not device.person.active:
        raise ApiError(401, p.ERR_DEVICE_REVOKED,
                       "This device has been revoked; its local data must be wiped.",
                       {"action": "wipe"}, {"WWW-Authenticate": "Bearer"})
    device.last_seen_at = utcnow()
    return device
