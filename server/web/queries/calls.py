"""Call lists (issue 12, point 11): who to phone, with the number and the address on one sheet.

Two lists, both of active residents in the signed-in person's area:

- **overdue** (超期未访): not met within their cadence (``shared.due``), most overdue first;
- **no answer** (无人应门): the last knock was not answered — an open follow-up, or a latest
  visit whose outcome is a no-answer with no meeting since — longest waiting first.

Either list narrows to the residents nobody has visited (any outcome) in the last 7 or 30 of
the district's days. A supervisor used to open each resident's page for their number (about 31
clicks for 15 numbers); here every number is on the page, printable, and exports as a call
sheet with empty columns to write the call's result in. Phone numbers follow the bulk rule of
:mod:`.privacy`: in full for the community supervisors who call, masked for wider supervisors.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from shared import protocol as p
from shared import punctuation
from shared.due import OVERDUE

from ...models import Resident, Visit
from ..exports import DAY, INSTANT, NUMBER, TEXT, Column, Sheet, field_column
from ..i18n import current_locale
from ..i18n import gettext as _
from ..timeutil import local_date, local_midnight_utc, to_local
from .residents import ResidentRow, resident_rows

OVERDUE_LIST, NO_ANSWER_LIST = "overdue", "no_answer"
LISTS = (OVERDUE_LIST, NO_ANSWER_LIST)
#: "Not visited in the last week / month": that many of the district's days, today included.
UNVISITED_DAYS = {"week": 7, "month": 30}

SHEET_COLUMNS = (
    Column("row_number", "序号", "No.", NUMBER, 6),
    *(field_column(name) for name in ("name", "phone", "emergency_contact", "emergency_phone",
                                      "address")),
    Column("grid", "所属网格", "Grid", TEXT, 18),
    Column("last_visit_at", "上次走访", "Last visit", INSTANT, 17),
    Column("why", "情况", "Why call", TEXT, 18),
    Column("since", "起始日期", "Since", DAY, 11),
    Column("call_result", "联系结果", "Result of the call", TEXT, 20),
    Column("call_note", "备注", "Note", TEXT, 24),
)


@dataclass
class CallRow:
    row: ResidentRow
    grid_name: str
    phone: str
    emergency_contact: str
    emergency_phone: str
    why: str
    since: date | None


def _no_answer_ids(session: Session, rows: list[ResidentRow]) -> set[str]:
    """Residents whose latest visit is a no-answer and who were not met after it."""
    candidates = [row.id for row in rows if row.last_visit_at is not None and
                  (row.last_met_at is None or row.last_visit_at > row.last_met_at)]
    found: set[str] = set()
    for start in range(0, len(candidates), 500):
        found.update(session.scalars(
            select(Visit.resident_id).join(Resident, and_(
                Resident.id == Visit.resident_id, Resident.last_visit_at == Visit.visited_at))
            .where(Visit.resident_id.in_(candidates[start:start + 500]),
                   Visit.outcome == p.NO_ANSWER, Visit.correction.is_(None))))
    return found


def call_rows(session: Session, grid_ids: set[int] | None, which: str, unvisited: str | None,
              today: date, grid_names: dict[int, str]) -> list[CallRow]:
    rows = [row for row in resident_rows(session, grid_ids, today) if row.status == "active"]
    if unvisited in UNVISITED_DAYS:
        since = local_midnight_utc(today - timedelta(days=UNVISITED_DAYS[unvisited] - 1))
        rows = [row for row in rows if row.last_visit_at is None or row.last_visit_at < since]
    if which == OVERDUE_LIST:
        chosen = sorted((row for row in rows if row.due.status == OVERDUE),
                        key=lambda row: row.due.sort_key)
    else:
        unanswered = _no_answer_ids(session, rows)
        chosen = sorted((row for row in rows
                         if row.follow_up_since is not None or row.id in unanswered),
                        key=lambda row: row.follow_up_since or row.last_visit_at)
    contacts = dict((r.id, (r.emergency_contact, r.emergency_phone)) for r in session.execute(
        select(Resident.id, Resident.emergency_contact, Resident.emergency_phone)
        .where(Resident.id.in_([row.id for row in chosen])))) if chosen else {}
    result = []
    for row in chosen:
        contact, contact_phone = contacts.get(row.id, (None, None))
        if which == OVERDUE_LIST:
            why, since = _("Overdue %(days)s days", days=row.due.days_overdue), None
        else:
            why = _("No answer at the door")
            since = local_date(row.follow_up_since or row.last_visit_at)
        result.append(CallRow(row, grid_names.get(row.grid_id, ""), row.phone or "",
                              contact or "", contact_phone or "", why, since))
    return result


def call_sheet(rows: list[CallRow]) -> Sheet:
    table = [[number, call.row.name, call.phone, call.emergency_contact, call.emergency_phone,
              call.row.address, call.grid_name,
              call.row.last_visit_at and _naive_local(call.row.last_visit_at), call.why,
              call.since, "", ""]
             for number, call in enumerate(rows, start=1)]
    title = "Call list" if current_locale() == "en" else "电话联系名单"
    return Sheet(SHEET_COLUMNS, table, title)


def _naive_local(moment: datetime) -> datetime:
    return to_local(moment).replace(tzinfo=None)


def file_name(which: str, today: date, fmt: str) -> str:
    english = current_locale() == "en"
    kind = {OVERDUE_LIST: ("overdue", "超期未访"), NO_ANSWER_LIST: ("no-answer", "无人应门")}[which]
    title = "Call list" if english else "电话联系名单"
    parts = (title, kind[0] if english else kind[1], today.isoformat())
    return "_".join(parts).replace(" ", "_") + f".{fmt}"


def header_text(which: str, unvisited: str | None) -> str:
    """What the list is, as a heading: ``超期未访，近一周未走访``."""
    parts = [_("Overdue") if which == OVERDUE_LIST else _("No answer at the door")]
    if unvisited == "week":
        parts.append(_("not visited in the last week"))
    elif unvisited == "month":
        parts.append(_("not visited in the last month"))
    return punctuation.clauses(parts, current_locale())
