"""What the field service hands the screens: its errors, the account, a resident's summary
and detail."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from shared.clock import parse_instant
from shared.due import DueStatus
from shared.schemas import flatten_errors
from shared.search import FUZZY


class SignInError(Exception):
    """code: bad_credentials | unreachable | device_revoked | upgrade_required |
    server_upgrade_required | throttled | server_error | already_signed_in | account_inactive |
    unsent_of_another | device_not_yours"""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class InvalidInput(Exception):
    """fields: field name -> what is wrong with it."""

    def __init__(self, fields: dict) -> None:
        super().__init__(flatten_errors(fields))
        self.fields = fields


class UnsentChanges(Exception):
    def __init__(self, count: int) -> None:
        super().__init__(f"{count} changes have not been sent yet.")
        self.count = count


@dataclass
class Account:
    server_url: str
    username: str
    display_name: str
    role: str
    person_id: int
    device_id: str
    device_name: str


@dataclass
class ResidentSummary:
    id: str
    name: str
    address: str
    sex: str
    age: int | None
    grid_id: int
    grid_name: str
    #: 关爱类别 as shown: the stored ones, then 高龄 when the birth year says so.
    care_categories: list[str]
    status: str
    due: DueStatus
    last_visit_at: datetime | None
    follow_up_since: datetime | None
    unsent: int
    match: int = FUZZY  # how well the search matched (shared.search.rank): the list's first key


@dataclass
class ResidentDetail:
    summary: ResidentSummary
    record: dict  # every resident field, as the volunteer sees it now
    visits: list[dict] = field(default_factory=list)  # newest first; "state" and "voided" added
    notes: list[dict] = field(default_factory=list)  # newest first; "state" added
    conflicts: list[dict] = field(default_factory=list)  # open ones first
    #: Where an open follow-up stands (shared/follow_up.py): revisit, call_contact (the app
    #: offers the emergency contact's number), alert_supervisor; None without one.
    follow_up_step: str | None = None


def _moment(text: str | None) -> datetime | None:
    return parse_instant(text) if text else None
