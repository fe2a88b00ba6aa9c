"""Words for the three lists' codes (states, moves, categories, verdicts, refusals), in the
page's language. Every msgid is in the catalogs; a code never reaches a person."""
from __future__ import annotations

from shared import requests as r

from .i18n import current_locale
from .i18n import gettext as _

#: The tables in each language, made once: a board of 100 rows asks for hundreds of words.
_BUILT: dict[str, dict[str, dict[str, str]]] = {}


def _words() -> dict[str, dict[str, str]]:
    locale = current_locale()
    if locale not in _BUILT:
        _BUILT[locale] = _table()
    return _BUILT[locale]


def _table() -> dict[str, dict[str, str]]:
    return {
        "state": {r.RAISED: _("Awaiting a claim"), r.CLAIMED: _("Claimed"),
                  r.IN_PROGRESS: _("In hand"), r.HANDED_OVER: _("Handed to department"),
                  r.ACCEPTED: _("Accepted by department"),
                  r.DEPT_IN_PROGRESS: _("Department working on it"),
                  r.DONE: _("Done, awaiting the resident's verdict"),
                  r.RETURNED: _("Returned by department"), r.REOPENED: _("Reopened"),
                  r.CLOSED: _("Closed"), r.WITHDRAWN: _("Withdrawn")},
        "action": {r.RAISE: _("Raised"), r.CLAIM: _("Claimed"),
                   r.ASSIGN: _("Assigned to a representative"),
                   r.PROGRESS: _("Progress"), r.NOTE: _("Note"),
                   r.HAND_OVER: _("Handed to department"), r.ACCEPT: _("Accepted"),
                   r.DEPT_PROGRESS: _("Department progress"), r.DEPT_DONE: _("Department done"),
                   r.CANNOT: _("Department cannot do it"), r.FINISH: _("Done"),
                   r.VERDICT: _("Resident's verdict"), r.WITHDRAW: _("Withdrawn")},
        "category": {"meals": _("Meals"), "medicine": _("Medicine"),
                     "medical": _("Medical care"), "repairs": _("Repairs"),
                     "errands": _("Errands"), "cleaning": _("Cleaning"),
                     "safety_hazard": _("Safety hazard"), "dispute": _("Dispute"),
                     "paperwork": _("Subsidy or paperwork"), "other": _("Other")},
        "verdict": {r.SATISFIED: _("Satisfied"), r.PARTLY: _("Partly satisfied"),
                    r.NOT_SATISFIED: _("Not satisfied")},
        "urgency": {"normal": _("Normal"), "urgent": _("Urgent"), "emergency": _("Emergency")},
        "channel": {"visit": _("At a visit"), "phone": _("By phone"), "walk": _("Walking the grid"),
                    "web": _("Web view"), "hotline": _("Hotline")},
        "via": {"tablet": _("Tablet"), "web": _("Web view"), "open311": _("Hotline platform")},
        "refusal": {r.ROLE_NOT_ALLOWED: _("Your role may not do this."),
                    r.WRONG_STATE: _("This request is not at a stage where this can be done."),
                    r.ALREADY_CLAIMED: _("Someone else claimed this request first."),
                    r.ALREADY_CLOSED: _("This request is already closed."),
                    r.REOPENED_SINCE: _("This request was reopened in the meantime."),
                    r.NOT_OWNER: _("Only the person who holds this request may do this."),
                    r.NOT_YOUR_DEPARTMENT: _("This request is not with your department."),
                    r.NO_SUCH_REQUEST: _("Not found, or not in your area."),
                    r.ALREADY_RAISED: _("This request already exists."),
                    r.MISSING: _("Something this step needs is missing.")},
    }


def request_word(kind: str, code) -> str:
    if code is None or code == "":
        return "—"
    return _words().get(kind, {}).get(code, str(code))


def request_choices(kind: str, codes=None) -> list[tuple[str, str]]:
    words = _words()[kind]
    return [(code, words.get(code, code)) for code in (codes or words)]


def request_audit_words() -> dict[str, str]:
    """The audit log's words for moves on requests (actions ``request_<move>``)."""
    return {**{f"request_{code}": _("Request: %(step)s", step=word)
               for code, word in _words()["action"].items()},
            # an operator's commands (knockdoor partner|department|workdays)
            "partner_add": _("Added a partner system (Open311)"),
            "partner_revoke": _("Revoked a partner system's key"),
            "department_add": _("Added a department"),
            "department_account_add": _("Added a department account"),
            "department_account_stop": _("Deactivated a department account"),
            "workday_rule": _("Changed the district's holidays"),
            "deadlines_rederive": _("Counted the deadlines again")}


def rate_text(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
