"""Passwords: the rule every new one meets, and setting a person's password anew.

A supervisor resets the password of a person in their area on the web; an administrator resets
anyone's with ``knockdoor reset-password``. Either way it is audited, and the person is signed
out of the web everywhere (their tablets keep their own tokens: a tablet in the field must not
lose its unsent visits because someone forgot a password).
"""
from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from .audit import audit
from .models import Person, WebSession

#: The one rule, shown up front wherever a password is chosen.
MIN_PASSWORD_CHARS = 8


def too_short(password: str) -> bool:
    return len(password) < MIN_PASSWORD_CHARS


def reset_password(session: Session, person: Person, password: str, hash_method: str, *,
                   by_person_id: int | None, via: str) -> None:
    """Sets ``person``'s password (checked by the caller), signs them out of the web and audits
    who did it (``by_person_id``; None from the command line) and how (``via``: web, cli)."""
    person.password_hash = generate_password_hash(password, method=hash_method)
    session.execute(delete(WebSession).where(WebSession.person_id == person.id))
    audit(session, "reset_password", person_id=by_person_id, entity="person",
          entity_id=str(person.id), detail={"via": via})
