"""What the top of Today says about a campaign (issue 12, point 3). No Kivy: the Today screen
puts these strings in its banner; tests read them without a window."""
from __future__ import annotations

from datetime import datetime

from ..i18n import _
from .common import N_, format_moment, label

KIND_LABELS = {"heatwave": N_("Heatwave"), "cold_snap": N_("Cold snap"), "storm": N_("Storm"),
               "festival": N_("Before a festival"), "other": N_("Campaign")}


def campaign_banner(item, now: datetime | None = None) -> dict:
    """``item``: a client.campaigns.CampaignDue. Title, the line under it and the note."""
    return {"title": _("{kind}: visit within 24 hours").format(
                kind=label(KIND_LABELS, item.kind)),
            "line": _("{count} residents still to visit, by {time}").format(
                count=len(item.resident_ids), time=format_moment(item.due_at, now)),
            "note": item.note, "resident_ids": list(item.resident_ids)}


def campaign_banners(items, now: datetime | None = None) -> list[dict]:
    return [campaign_banner(item, now) for item in items]


def campaign_text(items, now: datetime | None = None) -> str:
    """The banner at the top of Today: each open campaign, its deadline and who is left."""
    lines = []
    for item in items:
        banner = campaign_banner(item, now)
        names = _(", ").join(item.resident_names)
        lines.append(_("{title} · {line}: {names}").format(
            title=banner["title"], line=banner["line"], names=names))
        if item.note:
            lines.append(item.note)
    return "\n".join(lines)
