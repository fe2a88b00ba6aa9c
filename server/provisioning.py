"""Signing a tablet in from a printed sheet: a one-time, short-lived code instead of a password.

A supervisor makes a code for a person (server/web/pages/provisioning.py prints it as a QR code,
``knockdoor://provision?server=URL&code=CODE``, and as text to type); the tablet redeems it once
at ``POST /api/v1/auth/provision`` and gets what a sign-in gives. The code is stored hashed, is
good for :data:`CODE_MINUTES`, and a wrong, used or expired code gets one answer
(``provision_code_invalid``) that tells nothing about which.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from shared import protocol as p

from .errors import ApiError
from .models import Person, ProvisioningCode

#: How long a printed sheet's code signs a tablet in.
CODE_MINUTES = 30
#: Letters and digits nobody confuses when typing from paper (no 0/O, 1/I/L, 2/Z, 5/S, 8/B).
ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
#: 10 characters of 25: about 46 bits, against a guess within the half hour.
CODE_LENGTH = 10
SCHEME = "knockdoor://provision"


def _hash(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def normalise(code: str) -> str:
    """What a person typed, as it was printed: case, spaces and dashes do not matter."""
    return "".join(char for char in code.upper() if char not in " -\t")


def printable(code: str) -> str:
    """In groups of five, easier to read aloud and to type: ``ACD34-7KMNP``."""
    return "-".join(code[i:i + 5] for i in range(0, len(code), 5))


def create_code(session: Session, person: Person, by_person_id: int | None,
                now: datetime) -> tuple[str, datetime]:
    """A new code for ``person`` and when it expires. Earlier unused codes stay good until
    they expire (a second sheet may be printed for a second tablet)."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    expires_at = now + timedelta(minutes=CODE_MINUTES)
    session.add(ProvisioningCode(code_hash=_hash(code), person_id=person.id,
                                 created_by_id=by_person_id, created_at=now,
                                 expires_at=expires_at))
    session.flush()
    return code, expires_at


def payload(server_url: str, code: str) -> str:
    """What the QR code holds."""
    return f"{SCHEME}?{urlencode({'server': server_url, 'code': printable(code)})}"


def redeem_code(session: Session, code: str, device_id: str, now: datetime) -> Person:
    """The person a code signs in, the code marked used by ``device_id`` (locked first, so two
    tablets cannot both use it). Anything else: 401 ``provision_code_invalid``."""
    found = session.get(ProvisioningCode, _hash(code), with_for_update=True) \
        if normalise(code) else None
    person = session.get(Person, found.person_id) if found is not None else None
    if found is None or found.used_at is not None or found.expires_at <= now or \
            person is None or not person.active:
        raise ApiError(401, p.ERR_PROVISION_CODE_INVALID,
                       "This sign-in code is wrong, used already or expired; ask your "
                       "supervisor for a new sign-in sheet.")
    found.used_at, found.device_id = now, device_id
    return person
