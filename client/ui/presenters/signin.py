"""The sign-in screen: its messages and the check of its fields."""
from __future__ import annotations

from shared.provisioning import ProvisioningError, parse_payload

from ..i18n import _
from .common import N_

SIGN_IN_MESSAGES = {
    "bad_credentials": N_("Wrong username or password. Check them and try again."),
    "unreachable": N_("Cannot reach the server. Check the address and the signal, then try "
                      "again."),
    "device_revoked": N_("This tablet was switched off by your supervisor and its data was "
                         "cleared. Ask them to allow it again, then sign in."),
    "upgrade_required": N_("This app is too old for the server. Please update the app."),
    "server_upgrade_required": N_("This app is newer than the community's system, so nothing "
                                  "can be sent for now. Please contact the community office."),
    "throttled": N_("Too many tries. Wait a few minutes, then try again."),
    "server_error": N_("The server had a problem. Try again in a moment."),
    "already_signed_in": N_("Already signed in."),
    "wiped": N_("This tablet is no longer allowed to sync, so its data was cleared. Ask your "
                "supervisor, then sign in again."),
    # Sent back to sign-in without losing anything (only a revocation wipes).
    "token_unknown": N_("Please sign in again. Your unsent records are kept and will be sent "
                        "after you sign in."),
    "token_missing": N_("Please sign in again. Your unsent records are kept and will be sent "
                        "after you sign in."),
    "token_expired": N_("This tablet has not been online for a long time. Please sign in "
                        "again; your unsent records are kept."),
    "account_inactive": N_("Your account has been switched off. Ask your community; your "
                           "unsent records stay on this tablet."),
    "pin_attempts": N_("Too many wrong unlock codes. Sign in again with your password."),
    "stale_locked": N_("This tablet has been offline for too long. Sign in again where there "
                       "is signal; your unsent records are kept."),
    "stale_wiped": N_("This tablet was offline for too long, so its data was cleared to "
                      "protect the residents. Please sign in again."),
    "unsent_of_another": N_("Someone else's records on this tablet are not sent yet. They must "
                            "sign in and send them first."),
    "device_not_yours": N_("This tablet is registered to someone else. Ask your community."),
    "provision_code_invalid": N_("This sign-in code is wrong, used already or expired. Ask "
                                 "the community for a new sign-in sheet."),
}


def sign_in_message(code: str) -> str:
    return _(SIGN_IN_MESSAGES.get(code, SIGN_IN_MESSAGES["server_error"]))


def normalise_server_url(text: str) -> str:
    text = (text or "").strip().rstrip("/")
    if text and "://" not in text:
        text = "http://" + text
    return text


def check_sign_in(server_url: str, username: str, password: str,
                  device_name: str, code: str | None = None) -> dict[str, str]:
    """Which fields are missing, as messages to show beside them (with a sign-in ``code``,
    no username or password is needed)."""
    errors = {}
    if not normalise_server_url(server_url):
        errors["server_url"] = _("Enter the server address.")
    if not code and not (username or "").strip():
        errors["username"] = _("Enter your username.")
    if not code and not password:
        errors["password"] = _("Enter your password.")
    if not (device_name or "").strip():
        errors["device_name"] = _("Give this tablet a name.")
    return errors


# ---- a sign-in handed over as a QR code (shared/provisioning.py) ----------------------------

PROVISIONING_PROBLEMS = {
    "not_provisioning": N_("This is not a Knock-door sign-in code. Scan the code your "
                           "community gave you, or type the address."),
}
INCOMPLETE_CODE = N_("This sign-in code is incomplete. Ask the community for a new one.")


def read_provisioning(text: str) -> tuple[dict | None, str | None, str]:
    """What a scanned (or pasted) sign-in code fills in (the server, the username when the
    code names it), its one-time code (sent instead of a password), and what to tell the
    volunteer; (None, None, the problem) when it is not a usable code."""
    try:
        found = parse_payload(text)
    except ProvisioningError as problem:
        return None, None, _(PROVISIONING_PROBLEMS.get(problem.code, INCOMPLETE_CODE))
    values = {"server_url": found.server}
    if found.username:
        values["username"] = found.username
    return values, found.code, _("Sign-in code read. Give this tablet a name, then sign in.")
