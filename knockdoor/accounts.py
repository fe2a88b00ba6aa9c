"""Accounts from the command line: ``knockdoor create-user`` and, for an administrator,
``knockdoor reset-password`` (supervisors reset passwords on the web)."""
from __future__ import annotations

import getpass
import sys
from contextlib import contextmanager

from .database import migrate_database


def _read_password(args) -> str | None:
    if args.password:
        return args.password
    if not sys.stdin.isatty():
        return None
    first = getpass.getpass("Password: ")
    second = getpass.getpass("Password again: ")
    return first if first == second else None


def _new_password(args) -> str | None:
    """The password given or typed twice, if it may be used; else None, having said why."""
    from server.passwords import MIN_PASSWORD_CHARS, too_short

    password = _read_password(args)
    if not password:
        print("No password: give --password, or type the same one twice at the prompt.",
              file=sys.stderr)
        return None
    if too_short(password):
        print(f"The password must have at least {MIN_PASSWORD_CHARS} characters.",
              file=sys.stderr)
        return None
    return password


@contextmanager
def _transaction(database_url: str | None):
    """A session on the migrated database, in a transaction (committed unless it raises)."""
    from sqlalchemy.orm import Session

    from server.db import make_engine

    migrate_database(database_url)
    engine = make_engine(database_url)
    try:
        with Session(engine) as session, session.begin():
            yield session
    finally:
        engine.dispose()


def cmd_create_user(args) -> int:
    from sqlalchemy import or_, select
    from werkzeug.security import generate_password_hash

    from server.config import Config
    from server.models import Area, Assignment, Person
    from server import district

    password = _new_password(args)
    if password is None:
        return 2
    with _transaction(args.database_url) as session:
        if session.scalar(select(Person).where(Person.username == args.username)):
            print(f"There is already a user named {args.username!r}.", file=sys.stderr)
            return 1
        areas = []
        for wanted in args.area:
            area = session.scalar(select(Area).where(or_(Area.code == wanted,
                                                         Area.name == wanted)))
            if area is None:
                print(f"No area with code or name {wanted!r}.", file=sys.stderr)
                return 1
            areas.append(area)
        person = Person(username=args.username, display_name=args.name, role=args.role,
                        phone=args.phone, active=True,
                        password_hash=generate_password_hash(
                            password, method=Config().PASSWORD_HASH_METHOD))
        session.add(person)
        session.flush()
        for area in areas:
            session.add(Assignment(person_id=person.id, area_id=area.id, role=args.role,
                                   starts_on=district.today(), ends_on=None))
        area_names = [area.name for area in areas]
    where = f", assigned to {', '.join(area_names)}" if area_names else ""
    print(f"Created {args.role} {args.username!r} ({args.name}){where}.")
    return 0


def cmd_reset_password(args) -> int:
    """An administrator's way to set anyone's password (supervisors use the web view)."""
    from sqlalchemy import select

    from server.config import Config
    from server.models import Person
    from server.passwords import reset_password

    password = _new_password(args)
    if password is None:
        return 2
    with _transaction(args.database_url) as session:
        person = session.scalar(select(Person).where(Person.username == args.username))
        if person is None:
            print(f"No user named {args.username!r}.", file=sys.stderr)
            return 1
        reset_password(session, person, password, Config().PASSWORD_HASH_METHOD,
                       by_person_id=None, via="cli")
        name = person.display_name
    print(f"New password set for {args.username!r} ({name}); they are signed out of the web "
          "view, their tablets keep working.")
    return 0
