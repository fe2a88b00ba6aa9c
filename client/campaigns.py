"""Campaigns on the tablet (issue 12, point 3): the residents of a pulled campaign still to be
met, for the top of Today. The rule is shared/campaign.py, the same the server's progress page
uses; this reads the local store. No Kivy, no network."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from shared import campaign as rule
from shared.clock import parse_instant


@dataclass
class CampaignDue:
    """One campaign of one grid, with the residents there not yet met since it began."""

    id: str
    campaign_id: str
    grid_id: int
    kind: str
    note: str
    categories: list[str]
    started_at: datetime
    due_at: datetime
    resident_ids: list[str] = field(default_factory=list)
    resident_names: list[str] = field(default_factory=list)


def _moment(text: str | None) -> datetime | None:
    return parse_instant(text) if text else None


def campaigns_due(store, now: datetime, today: date) -> list[CampaignDue]:
    """Open campaigns of the tablet's grids (soonest deadline first) with the residents still
    to be met; a campaign everyone was met for is left out."""
    found = []
    with store.reading() as db:
        for (text,) in db.execute("SELECT payload FROM campaigns ORDER BY position"):
            data = json.loads(text)
            due_at, started_at = _moment(data["due_at"]), _moment(data["started_at"])
            if not rule.is_open(_moment(data.get("ended_at")), due_at, now):
                continue
            item = CampaignDue(data["id"], data["campaign_id"], data["grid_id"], data["kind"],
                               data.get("note") or "", list(data.get("categories") or ()),
                               started_at, due_at)
            for resident_id, name, payload, last_met in db.execute(
                    "SELECT id, name, payload, last_met_at FROM residents WHERE grid_id = ? "
                    "ORDER BY name", (item.grid_id,)):
                record = json.loads(payload)
                if record.get("status", "active") != "active":
                    continue
                categories = record.get("care_categories")
                if categories is None:
                    categories = record.get("living_situation")
                if rule.concerns(item.categories, categories, record.get("birth_year"),
                                 today) and not rule.reached(_moment(last_met), started_at):
                    item.resident_ids.append(resident_id)
                    item.resident_names.append(name)
            if item.resident_ids:
                found.append(item)
    found.sort(key=lambda item: item.due_at)
    return found
