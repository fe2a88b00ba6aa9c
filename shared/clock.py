"""Clock rules (DESIGN.md §4.6): device time is for display and is corrected, never trusted."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from .protocol import CLOCK_TRUST_SECONDS

_TRUSTED = timedelta(seconds=CLOCK_TRUST_SECONDS)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def measure_skew(device_sent_at: datetime | None, server_now: datetime) -> float:
    """Seconds the device clock runs ahead of the server (negative: behind)."""
    if device_sent_at is None:
        return 0.0
    return (device_sent_at - server_now).total_seconds()


def correct_device_time(device_time: datetime, skew_seconds: float,
                        server_now: datetime) -> tuple[datetime, bool]:
    """The time to show for something a device says happened at ``device_time``.

    A skew beyond the trusted window is taken off; whatever still lies in the future (a clock
    that jumped between the edit and the push) is clamped to now. Returns the time and whether
    the device's claim was corrected.
    """
    corrected = device_time
    suspect = False
    if abs(skew_seconds) > CLOCK_TRUST_SECONDS:
        corrected = device_time - timedelta(seconds=skew_seconds)
        suspect = True
    if corrected > server_now + _TRUSTED:
        corrected = server_now
        suspect = True
    return corrected, suspect


def isoformat(moment: datetime) -> str:
    """The one wire format for instants: UTC, seconds, 'Z', the year always four digits
    (strftime's %Y writes year 1 as '1', which no ISO 8601 parser reads back)."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")[:-6] + "Z"  # -"+00:00"


def parse_instant(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value
