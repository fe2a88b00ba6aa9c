"""Operators' commands of the three lists (issue 14), each recorded in the audit log:

* ``knockdoor partner add|list|revoke``: Open311 partner systems (a 12345 hotline platform)
  and their API keys, with or without the permission to see personal data;
* ``knockdoor department add|list|account|stop-account``: departments and their staff's
  accounts (role ``department``: they sign in to the web view and see only their inbox);
* ``knockdoor workdays list|holiday|workday|remove|rederive``: the district's list of
  announced days off and worked days, and counting the open deadlines again (after the list or
  the ``chinesecalendar`` package changes).
"""
from __future__ import annotations

import sys
from contextlib import contextmanager
from datetime import date

from .accounts import _read_password
from .database import migrate_database

CLI = {"source": "cli"}


@contextmanager
def _session(args):
    from sqlalchemy.orm import Session

    from server.db import make_engine

    migrate_database(args.database_url)
    engine = make_engine(args.database_url)
    try:
        with Session(engine) as session, session.begin():
            yield session
    finally:
        engine.dispose()


def _fail(message: str, status: int = 1) -> int:
    print(message, file=sys.stderr)
    return status


def _grid(session, wanted: str | None):
    from sqlalchemy import or_, select

    from server.models import Area
    from shared import protocol as p

    if wanted is None:
        return None
    return session.scalar(select(Area).where(Area.level == p.GRID, or_(
        Area.code == wanted, Area.name == wanted)))


# ---- partner systems (Open311) --------------------------------------------------------------

def cmd_partner_add(args) -> int:
    from server.audit import audit
    from server.threelists.open311 import create_partner, partner_by_key

    with _session(args) as session:
        grid = _grid(session, args.grid)
        if args.grid and grid is None:
            return _fail(f"No grid with code or name {args.grid!r}.")
        key = create_partner(session, args.name, grid.id if grid else None, args.personal_data)
        partner = partner_by_key(session, key)
        audit(session, "partner_add", entity="partner", entity_id=str(partner.id),
              detail={**CLI, "name": args.name, "personal_data": args.personal_data,
                      "grid_id": grid.id if grid else None})
        ident = partner.id
    print(f"Partner {ident} ({args.name}) added"
          f"{', may see personal data' if args.personal_data else ', no personal data'}.")
    print(f"API key (shown once, only its hash is kept): {key}")
    return 0


def cmd_partner_list(args) -> int:
    from sqlalchemy import select

    from server.threelists.models import ApiPartner

    with _session(args) as session:
        partners = session.scalars(select(ApiPartner).order_by(ApiPartner.id)).all()
        for partner in partners:
            print(f"{partner.id}\t{partner.name}\t"
                  f"{'active' if partner.active else 'revoked'}\t"
                  f"{'personal data' if partner.personal_data else 'no personal data'}\t"
                  f"grid {partner.grid_id or '-'}\tsince {partner.created_at:%Y-%m-%d}")
    if not partners:
        print("No partner systems.")
    return 0


def cmd_partner_revoke(args) -> int:
    from server.audit import audit
    from server.threelists.models import ApiPartner

    with _session(args) as session:
        partner = session.get(ApiPartner, args.id)
        if partner is None:
            return _fail(f"No partner system {args.id}.")
        if not partner.active:
            return _fail(f"Partner {args.id} ({partner.name}) is already revoked.")
        partner.active = False
        audit(session, "partner_revoke", entity="partner", entity_id=str(partner.id),
              detail={**CLI, "name": partner.name})
        name = partner.name
    print(f"Partner {args.id} ({name}) revoked: its key is refused from now on.")
    return 0


# ---- departments and their accounts ---------------------------------------------------------

def _department(session, code: str):
    from sqlalchemy import select

    from server.threelists.models import Department
    return session.scalar(select(Department).where(Department.code == code))


def cmd_department_add(args) -> int:
    from server.audit import audit
    from server.threelists.models import Department

    with _session(args) as session:
        if _department(session, args.code) is not None:
            return _fail(f"There is already a department with code {args.code!r}.")
        department = Department(code=args.code, name=args.name, active=True)
        session.add(department)
        session.flush()
        audit(session, "department_add", entity="department", entity_id=str(department.id),
              detail={**CLI, "code": args.code, "name": args.name})
    print(f"Department {args.code!r} ({args.name}) added.")
    return 0


def cmd_department_list(args) -> int:
    from sqlalchemy import select

    from server.models import Person
    from server.threelists.models import Department, DepartmentStaff

    with _session(args) as session:
        for department in session.scalars(select(Department).order_by(Department.code)):
            staff = session.execute(
                select(Person.username, Person.display_name, Person.active)
                .join(DepartmentStaff, DepartmentStaff.person_id == Person.id)
                .where(DepartmentStaff.department_id == department.id)
                .order_by(Person.username)).all()
            accounts = ", ".join(f"{u} ({n}){'' if a else ' [deactivated]'}"
                                 for u, n, a in staff) or "no accounts"
            print(f"{department.code}\t{department.name}\t"
                  f"{'active' if department.active else 'inactive'}\t{accounts}")
    return 0


def cmd_department_account(args) -> int:
    from sqlalchemy import select
    from werkzeug.security import generate_password_hash

    from server.audit import audit
    from server.config import Config
    from server.models import Person
    from server.passwords import MIN_PASSWORD_CHARS, too_short
    from server.threelists.models import DepartmentStaff
    from shared.requests import DEPARTMENT

    password = _read_password(args)
    if not password:
        return _fail("No password: give --password, or type the same one twice at the prompt.",
                     2)
    if too_short(password):
        return _fail(f"The password must have at least {MIN_PASSWORD_CHARS} characters.", 2)
    with _session(args) as session:
        department = _department(session, args.department)
        if department is None:
            return _fail(f"No department with code {args.department!r}.")
        if session.scalar(select(Person).where(Person.username == args.username)):
            return _fail(f"There is already a user named {args.username!r}.")
        person = Person(username=args.username, display_name=args.name, role=DEPARTMENT,
                        phone=args.phone, active=True, password_hash=generate_password_hash(
                            password, method=Config().PASSWORD_HASH_METHOD))
        session.add(person)
        session.flush()
        session.add(DepartmentStaff(person_id=person.id, department_id=department.id))
        audit(session, "department_account_add", entity="person", entity_id=str(person.id),
              detail={**CLI, "username": args.username, "department": department.code})
        department_name = department.name
    print(f"Created department account {args.username!r} ({args.name}) for {department_name}: "
          "they sign in to the web view and see only what is handed to their department.")
    return 0


def cmd_department_stop_account(args) -> int:
    from sqlalchemy import select

    from server.audit import audit
    from server.models import Person
    from shared.requests import DEPARTMENT

    with _session(args) as session:
        person = session.scalar(select(Person).where(Person.username == args.username))
        if person is None or person.role != DEPARTMENT:
            return _fail(f"No department account named {args.username!r}.")
        if not person.active:
            return _fail(f"{args.username!r} is already deactivated.")
        person.active = False
        audit(session, "department_account_stop", entity="person", entity_id=str(person.id),
              detail={**CLI, "username": args.username})
    print(f"Deactivated {args.username!r}: they can no longer sign in.")
    return 0


# ---- working days ---------------------------------------------------------------------------

def cmd_workdays_list(args) -> int:
    from server.threelists import workdays

    with _session(args) as session:
        rules = workdays.load_rules(session)
    print(f"The chinesecalendar package knows the official schedule through "
          f"{workdays.covered_through()}; later years count Monday to Friday, and their "
          "deadlines are shown as provisional.")
    for day, (kind, note) in sorted(rules.items()):
        print(f"{day.isoformat()}\t{kind}\t{note}")
    if not rules:
        print("The district has announced no days of its own.")
    return 0


def _set_rule(args, kind: str | None) -> int:
    from server.audit import audit
    from server.threelists import workdays

    try:
        day = date.fromisoformat(args.day)
    except ValueError:
        return _fail(f"Not a date: {args.day!r} (write it as 2027-01-01).", 2)
    with _session(args) as session:
        if kind is None and day not in workdays.load_rules(session):
            return _fail(f"The district has no rule for {day.isoformat()}.")
        workdays.set_rule(session, day, kind, getattr(args, "note", "") or "")
        audit(session, "workday_rule", entity="district_setting",
              entity_id=workdays.RULES_SETTING,
              detail={**CLI, "day": day.isoformat(), "kind": kind or "removed"})
    said = {workdays.HOLIDAY: "a day off", workdays.WORKDAY: "a working day",
            None: "no longer a rule of the district's"}[kind]
    print(f"{day.isoformat()} is {said}. Run `knockdoor workdays rederive` to count the open "
          "deadlines again.")
    return 0


def cmd_workdays_holiday(args) -> int:
    from server.threelists.workdays import HOLIDAY
    return _set_rule(args, HOLIDAY)


def cmd_workdays_workday(args) -> int:
    from server.threelists.workdays import WORKDAY
    return _set_rule(args, WORKDAY)


def cmd_workdays_remove(args) -> int:
    return _set_rule(args, None)


def cmd_workdays_rederive(args) -> int:
    from server.audit import audit
    from server.sync.batch import ChangeBatch
    from server.threelists import service, workdays

    with _session(args) as session:
        seen, moved = workdays.rederive(session, workdays.calendar(session))
        batch = ChangeBatch(session)
        service.relog(session, batch, seen)
        service.stamp_versions(seen, batch.flush())
        lines = [[m.request.id, m.was.isoformat() if m.was else None, m.now.isoformat()]
                 for m in moved]
        audit(session, "deadlines_rederive", entity="district_setting",
              entity_id=workdays.RULES_SETTING,
              detail={**CLI, "looked_at": len(seen), "moved": lines})
    for request_id, was, now in lines:
        print(f"{request_id}\t{was}\t→ {now}")
    print(f"{len(seen)} deadlines counted again, {len(lines)} moved; the tablets get them at "
          "their next update.")
    return 0


def add_commands(commands, database) -> None:
    """Register ``partner``, ``department`` and ``workdays`` on the ``knockdoor`` parser."""
    group = commands.add_parser("partner", help="Open311 partner systems and their API keys")
    sub = group.add_subparsers(dest="action", metavar="ACTION", required=True)
    one = sub.add_parser("add", parents=[database], help="add a partner; prints its key once")
    one.add_argument("--name", required=True, help="e.g. 12345 hotline platform")
    one.add_argument("--grid", default=None, metavar="CODE_OR_NAME",
                     help="the grid its requests go to when they name none")
    one.add_argument("--personal-data", action="store_true",
                     help="may see names, phones and exact addresses")
    one.set_defaults(handler=cmd_partner_add)
    sub.add_parser("list", parents=[database], help="list partners").set_defaults(
        handler=cmd_partner_list)
    one = sub.add_parser("revoke", parents=[database], help="refuse a partner's key")
    one.add_argument("id", type=int, metavar="ID")
    one.set_defaults(handler=cmd_partner_revoke)

    group = commands.add_parser("department", help="departments and their staff's accounts")
    sub = group.add_subparsers(dest="action", metavar="ACTION", required=True)
    one = sub.add_parser("add", parents=[database], help="add a department")
    one.add_argument("--code", required=True, help="short code, e.g. housing")
    one.add_argument("--name", required=True, help="e.g. 区住建局")
    one.set_defaults(handler=cmd_department_add)
    sub.add_parser("list", parents=[database], help="departments and accounts").set_defaults(
        handler=cmd_department_list)
    one = sub.add_parser("account", parents=[database], help="add a department account")
    one.add_argument("--department", required=True, metavar="CODE")
    one.add_argument("--username", required=True)
    one.add_argument("--name", required=True, help="display name, e.g. 房管所王科长")
    one.add_argument("--password", default=None,
                     help="at least 8 characters (default: asked for at the prompt)")
    one.add_argument("--phone", default=None)
    one.set_defaults(handler=cmd_department_account)
    one = sub.add_parser("stop-account", parents=[database],
                         help="deactivate a department account")
    one.add_argument("username", metavar="USERNAME")
    one.set_defaults(handler=cmd_department_stop_account)

    group = commands.add_parser(
        "workdays", help="the district's announced holidays; count open deadlines again")
    sub = group.add_subparsers(dest="action", metavar="ACTION", required=True)
    sub.add_parser("list", parents=[database], help="the district's days").set_defaults(
        handler=cmd_workdays_list)
    for name, handler, text in (("holiday", cmd_workdays_holiday, "declare a day off"),
                                ("workday", cmd_workdays_workday,
                                 "declare a working day (调休)"),
                                ("remove", cmd_workdays_remove, "drop the district's rule")):
        one = sub.add_parser(name, parents=[database], help=text)
        one.add_argument("day", metavar="YYYY-MM-DD")
        if name != "remove":
            one.add_argument("--note", default="", help="e.g. 元旦")
        one.set_defaults(handler=handler)
    sub.add_parser("rederive", parents=[database],
                   help="count the deadlines of open responsibilities again").set_defaults(
        handler=cmd_workdays_rederive)
