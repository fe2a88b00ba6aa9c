"""Passwords, device tokens and login throttling."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import lru_cache

from flask import current_app, g, request
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, joinedload
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


def seal_token(new_token_text: str, old_token_text: str) -> str:
    """``new_token_text`` encrypted with a key only the holder of the old token can make.

    Tokens are 256 random bits, so a one-time pad from a hash of the old token is enough: the
    server never stores a usable token, and a tablet whose renewal answer was lost gets the
    same new token again by presenting its old one."""
    plain = new_token_text.encode()
    pad = hashlib.sha512(b"knockdoor token rotation\n" + old_token_text.encode()).digest()
    if len(plain) > len(pad):
        raise ValueError("token too long to seal")
    return bytes(a ^ b for a, b in zip(plain, pad)).hex()


def unseal_token(sealed: str, old_token_text: str) -> str:
    data = bytes.fromhex(sealed)
    pad = hashlib.sha512(b"knockdoor token rotation\n" + old_token_text.encode()).digest()
    return bytes(a ^ b for a, b in zip(data, pad)).decode()


def issue_token(device: Device, now: datetime) -> str:
    """A fresh token for ``device`` (a sign-in): every earlier token stops working."""
    token = new_token()
    device.token_hash = hash_token(token)
    device.token_issued_at = now
    device.previous_token_hash = device.previous_token_until = None
    device.next_token_sealed = None
    return token


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


def _refuse(code: str, message: str, action: str) -> ApiError:
    return ApiError(401, code, message, {"action": action}, {"WWW-Authenticate": "Bearer"})


def device_for_request(session: Session) -> Device:
    """The device whose bearer token came with this request, or a 401 the app understands.

    Only a revoked device is told to wipe itself; every other refusal sends the person back to
    sign-in, and the tablet keeps its unsent work for after it (docs/sync-protocol.md).
    A token replaced by a renewal still works until the new one is first used, or for
    ``DEVICE_TOKEN_GRACE_HOURS``; then ``g.renewed_token`` holds the new one, to send again.
    """
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not header[7:].strip():
        raise ApiError(401, p.ERR_TOKEN_MISSING, "Sign in first: no device token was sent.",
                       {"action": "sign_in"}, {"WWW-Authenticate": "Bearer"})
    token = header[7:].strip()
    now = utcnow()
    token_hash = hash_token(token)
    # With its person (whether they are active is asked below): one query, not two.
    device = session.scalar(select(Device).options(joinedload(Device.person))
                            .where(Device.token_hash == token_hash))
    renewed = None
    if device is None:
        device = session.scalar(select(Device).where(Device.previous_token_hash == token_hash))
        if device is not None and (device.previous_token_until is None
                                   or device.previous_token_until < now):
            device = None
        if device is not None and device.next_token_sealed:
            renewed = unseal_token(device.next_token_sealed, token)
    if device is None:
        raise _refuse(p.ERR_TOKEN_UNKNOWN,
                      "This tablet's sign-in is no longer valid; sign in again.", "sign_in")
    if device.revoked_at is not None:
        raise _refuse(p.ERR_DEVICE_REVOKED,
                      "This device has been revoked; its local data must be wiped.", "wipe")
    if not device.person.active:
        raise _refuse(p.ERR_ACCOUNT_INACTIVE,
                      "This account is switched off; ask your supervisor.", "sign_in")
    idle = timedelta(days=current_app.config["DEVICE_TOKEN_IDLE_DAYS"])
    if device.last_seen_at is not None and device.last_seen_at + idle < now:
        raise _refuse(p.ERR_TOKEN_EXPIRED,
                      "This tablet has not reached the server for too long; sign in again.",
                      "sign_in")
    if renewed is None and device.previous_token_hash is not None:
        # The new token is in use: the one it replaced is retired now.
        device.previous_token_hash = device.previous_token_until = None
        device.next_token_sealed = None
    g.renewed_token = renewed
    g.presented_token = token
    device.last_seen_at = now
    return device


def renew_token(device: Device, now: datetime) -> str | None:
    """The token the tablet should use from now on, or None to keep the one it has.

    A token older than ``DEVICE_TOKEN_ROTATE_DAYS`` is replaced; the old one stays good for
    the grace period or until the new one is first used. Must follow device_for_request."""
    if g.renewed_token is not None:
        return g.renewed_token  # the answer to an earlier renewal was lost: the same token
    rotate_after = timedelta(days=current_app.config["DEVICE_TOKEN_ROTATE_DAYS"])
    if device.token_issued_at is not None and device.token_issued_at + rotate_after > now:
        return None
    old = g.presented_token
    token = new_token()
    device.previous_token_hash = device.token_hash
    device.previous_token_until = now + timedelta(
        hours=current_app.config["DEVICE_TOKEN_GRACE_HOURS"])
    device.next_token_sealed = seal_token(token, old)
    device.token_hash = hash_token(token)
    device.token_issued_at = now
    return token


def tablet_policy() -> dict:
    """What every tablet enforces by itself, offline too (docs/app.md)."""
    config = current_app.config
    return {"pin_idle_minutes": config["TABLET_PIN_IDLE_MINUTES"],
            "pin_attempts": config["TABLET_PIN_ATTEMPTS"],
            "lock_after_days": config["TABLET_LOCK_AFTER_DAYS"],
            "wipe_after_days": config["TABLET_WIPE_AFTER_DAYS"]}
