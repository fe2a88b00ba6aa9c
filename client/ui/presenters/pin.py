"""The unlock-code screen: checking a new code, the message after a wrong one."""
from __future__ import annotations

from ..i18n import _


def check_new_pin(pin: str, again: str) -> str:
    """The problem with a new unlock code, or "" when it will do."""
    if not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 6):
        return _("Use 4 to 6 digits.")
    if pin != again:
        return _("The two codes are not the same.")
    return ""


def wrong_pin_message(attempts_left: int) -> str:
    return _("Wrong unlock code. {count} tries left.").format(count=attempts_left)
