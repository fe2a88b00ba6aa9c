"""The tablet's lock: a short PIN after idle time, and the stale-tablet rule (docs/app.md).

Both are enforced here, in the client core, from what the store holds, so they apply offline
too. The thresholds come from the server (the tablet policy, at sign-in and every sync); until
it has spoken, :data:`shared.protocol.DEFAULT_TABLET_POLICY` applies.

The PIN is never stored: only a salted scrypt hash of it. A PIN of a few digits is no match for
someone who can read the store's file, which is why the file is encrypted (client.encryption);
the PIN guards the open app, and a few wrong guesses send the person back to the online sign-in.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta

from shared import protocol as p
from shared.clock import isoformat, parse_instant

PIN_LENGTHS = range(4, 7)
OPEN, SET_PIN, PIN, SIGN_IN, WIPED = "open", "set_pin", "pin", "sign_in", "wiped"
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}


class InvalidPin(ValueError):
    """A PIN must be 4 to 6 digits."""


def _hash(pin: str, salt: bytes, params: dict) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, n=params["n"], r=params["r"],
                          p=params["p"], dklen=32)


class TabletLock:
    """Reads and writes its state in the store's meta; remembers the last tap in memory (a
    restarted app asks for the PIN again)."""

    def __init__(self, store) -> None:
        self.store = store
        self.last_activity: datetime | None = None

    # ---- policy ----------------------------------------------------------------------------

    def policy(self) -> dict:
        raw = self.store.get_meta("policy")
        policy = dict(p.DEFAULT_TABLET_POLICY)
        try:
            sent = json.loads(raw) if raw else {}
        except ValueError:
            sent = {}
        for key, default in p.DEFAULT_TABLET_POLICY.items():
            value = sent.get(key) if isinstance(sent, dict) else None
            if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
                policy[key] = value
            else:
                policy[key] = default
        return policy

    def days_without_contact(self, now: datetime) -> float | None:
        raw = self.store.get_meta("last_contact")
        if not raw:
            return None
        return (now - parse_instant(raw)) / timedelta(days=1)

    def stale_action(self, now: datetime) -> str | None:
        """WIPED, SIGN_IN or None: what the time since the last contact with the server asks
        for. Counted with the tablet's clock; a clock set back cannot unlock what is locked
        (the sign-in needs the server)."""
        days = self.days_without_contact(now)
        if days is None:
            return None
        policy = self.policy()
        if days >= policy["wipe_after_days"]:
            return WIPED
        if days >= policy["lock_after_days"]:
            return SIGN_IN
        return None

    def contact(self, now: datetime) -> None:
        self.store.set_meta({"last_contact": isoformat(now)})

    # ---- PIN -------------------------------------------------------------------------------

    def has_pin(self) -> bool:
        return bool(self.store.get_meta("pin"))

    def set_pin(self, pin: str, now: datetime) -> None:
        if not (pin.isascii() and pin.isdigit() and len(pin) in PIN_LENGTHS):
            raise InvalidPin("A PIN is 4 to 6 digits.")
        salt = secrets.token_bytes(16)
        record = {**_SCRYPT, "salt": salt.hex(), "hash": _hash(pin, salt, _SCRYPT).hex()}
        self.store.set_meta({"pin": json.dumps(record), "pin_failures": "0"})
        self.last_activity = now

    def clear_pin(self) -> None:
        self.store.set_meta({"pin": None, "pin_failures": "0"})
        self.last_activity = None

    def failures(self) -> int:
        return int(self.store.get_meta("pin_failures") or 0)

    def attempts_left(self) -> int:
        return max(0, self.policy()["pin_attempts"] - self.failures())

    def check_pin(self, pin: str, now: datetime) -> bool:
        """True unlocks. Each wrong PIN is counted on disk (a restart does not reset it)."""
        record = json.loads(self.store.get_meta("pin") or "null")
        if record is None:
            return False
        expected = bytes.fromhex(record["hash"])
        given = _hash(pin or "", bytes.fromhex(record["salt"]), record)
        if hmac.compare_digest(expected, given):
            self.store.set_meta({"pin_failures": "0"})
            self.last_activity = now
            return True
        self.store.set_meta({"pin_failures": str(self.failures() + 1)})
        self.last_activity = None  # stays locked
        return False

    def touch(self, now: datetime) -> None:
        if self.last_activity is not None:
            self.last_activity = max(self.last_activity, now)

    def pin_due(self, now: datetime) -> bool:
        if not self.has_pin():
            return False
        if self.last_activity is None:
            return True
        idle = timedelta(minutes=self.policy()["pin_idle_minutes"])
        return now - self.last_activity >= idle or now < self.last_activity - idle
