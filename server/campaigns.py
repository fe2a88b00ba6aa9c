"""Starting, following and ending campaigns (issue 12, point 3; shared/campaign.py is the rule).

A campaign reaches the tablets as one ``campaign`` record per grid of its area in the change
log (entity ``campaign``, id the uuid5 of campaign and grid), so each tablet pulls only its own
grids' part and an ended campaign is sent again with ``ended_at``. The records count nothing in
a grid's digest (docs/sync-protocol.md, *Campaigns*). Helpers never commit.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import campaign as rule
from shared import protocol as p
from shared.clock import isoformat

from .models import Campaign, Resident
from .sync.changelog import Change, append, reserve_positions


class CampaignError(ValueError):
    """A campaign that cannot be started as asked; ``field`` names what to change."""

    def __init__(self, field_name: str, code: str):
        super().__init__(f"{field_name}: {code}")
        self.field = field_name
        self.code = code


def record_id(campaign_id: str, grid_id: int) -> str:
    return str(uuid.uuid5(uuid.UUID(campaign_id), f"campaign-grid-{grid_id}"))


def payload(campaign: Campaign, grid_id: int) -> dict:
    return {"id": record_id(campaign.id, grid_id), "campaign_id": campaign.id,
            "grid_id": grid_id, "kind": campaign.kind, "note": campaign.note or "",
            "categories": list(campaign.categories or ()),
            "started_at": isoformat(campaign.started_at), "due_at": isoformat(campaign.due_at),
            "ended_at": isoformat(campaign.ended_at) if campaign.ended_at else None}


def _log(session: Session, campaign: Campaign, grid_ids) -> None:
    changes = [Change(p.CAMPAIGN, record_id(campaign.id, grid), grid, payload(campaign, grid))
               for grid in sorted(grid_ids)]
    if changes:  # positions last: the head's lock is held until commit
        append(session, changes, reserve_positions(session, len(changes)))


def start_campaign(session: Session, *, area_id: int, grid_ids, kind: str, note: str | None,
                   categories, allowed_categories, person_id: int, now: datetime) -> Campaign:
    if kind not in p.CAMPAIGN_KINDS:
        raise CampaignError("kind", "not_allowed")
    categories = list(dict.fromkeys(categories or ()))
    if any(code not in allowed_categories for code in categories):
        raise CampaignError("categories", "not_allowed")
    if note and len(note) > 200:
        raise CampaignError("note", "too_long")
    if not grid_ids:
        raise CampaignError("area", "no_grids")
    campaign = Campaign(id=str(uuid.uuid4()), area_id=area_id, kind=kind, note=note or None,
                        categories=categories, started_at=now,
                        due_at=now + timedelta(hours=p.CAMPAIGN_HOURS), started_by=person_id)
    session.add(campaign)
    session.flush()
    _log(session, campaign, grid_ids)
    return campaign


def end_campaign(session: Session, campaign: Campaign, grid_ids, person_id: int,
                 now: datetime) -> None:
    if campaign.ended_at is None:
        campaign.ended_at, campaign.ended_by = now, person_id
        session.flush()
        _log(session, campaign, grid_ids)


@dataclass
class Progress:
    """Who the campaign takes in and how many of them were met since it began."""

    campaign: Campaign
    residents: list = field(default_factory=list)  # (Resident, reached)

    @property
    def total(self) -> int:
        return len(self.residents)

    @property
    def done(self) -> int:
        return sum(1 for _resident, reached in self.residents if reached)

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.total) if self.total else None


def progress(session: Session, campaign: Campaign, grid_ids, today: date) -> Progress:
    found = Progress(campaign)
    if not grid_ids:
        return found
    for resident in session.scalars(select(Resident).where(
            Resident.grid_id.in_(sorted(grid_ids)), Resident.status == "active")
            .order_by(Resident.grid_id, Resident.name)):
        if rule.concerns(campaign.categories, resident.care_categories or (), resident.birth_year, today):
            found.residents.append((resident, rule.reached(resident.last_met_at,
                                                           campaign.started_at)))
    # Not yet reached first, so the page and the tablets list who is left.
    found.residents.sort(key=lambda pair: pair[1])
    return found


def campaigns_for(session: Session, area_ids, open_only: bool = False) -> list[Campaign]:
    query = select(Campaign).where(Campaign.area_id.in_(sorted(area_ids)))
    if open_only:
        query = query.where(Campaign.ended_at.is_(None))
    return list(session.scalars(query.order_by(Campaign.started_at.desc())))
