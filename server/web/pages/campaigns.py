"""Campaign pages (issue 12, point 3): start one for an area and some care categories, follow
its progress, end it. The rule is shared/campaign.py; the writing is server/campaigns.py."""
from __future__ import annotations

from datetime import datetime

from flask import flash, redirect, render_template, request, url_for

from shared import protocol as p
from shared.clock import utcnow

from ...audit import audit
from ...campaigns import CampaignError, campaigns_for, end_campaign, progress, start_campaign
from ...db import db
from ...models import Campaign
from ..access import Scope, current_person, current_scope, not_found, sign_in_required
from ..i18n import gettext as _
from ..labels import category_choices
from ..queries.areas import areas_for_choice
from ..timeutil import local_today
from .blueprint import bp

def kind_words() -> dict[str, str]:
    return {"heatwave": _("Heatwave"), "cold_snap": _("Cold snap"), "storm": _("Storm"),
            "festival": _("Before a festival"), "other": _("Other")}


def _category_codes() -> list[str]:
    return [code for code, _word in category_choices()]


def _campaign_or_404(scope: Scope, campaign_id: str) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or not scope.allows_area(campaign.area_id):
        raise not_found()
    return campaign


def _hours_left(campaign: Campaign, now: datetime) -> int:
    return max(0, int((campaign.due_at - now).total_seconds() // 3600))


def open_campaigns(scope: Scope) -> list:
    """Open campaigns of the person's area with their progress, for the dashboard."""
    visible = scope.visible_area_ids()
    today = local_today()
    return [progress(db.session, campaign, scope.grids_below(campaign.area_id), today)
            for campaign in campaigns_for(db.session, visible, open_only=True)]


def _render(status: int = 200, errors: list[str] | None = None, form: dict | None = None):
    scope, now = current_scope(), utcnow()
    today = local_today()
    rows = [progress(db.session, campaign, scope.grids_below(campaign.area_id), today)
            for campaign in campaigns_for(db.session, scope.visible_area_ids())]
    return render_template("web/campaigns.html", rows=rows, kinds=kind_words(),
                           categories=category_choices(), now=now,
                           area_choices=areas_for_choice(scope), errors=errors or [],
                           form=form or {}, hours_left=_hours_left,
                           hours=p.CAMPAIGN_HOURS), status


@bp.get("/campaigns")
@sign_in_required
def campaigns():
    return _render()


@bp.post("/campaigns")
@sign_in_required
def start_campaign_view():
    scope, person = current_scope(), current_person()
    form = request.form
    area_id = form.get("area", type=int)
    if area_id is None or area_id not in scope.areas or not scope.allows_area(area_id):
        return _render(422, [_("Area: choose one of your areas.")], form.to_dict())
    messages = {"kind": _("Reason: choose one from the list."),
                "categories": _("Care categories: choose from the list."),
                "note": _("Note: at most 200 characters."),
                "area": _("Area: it has no grids; choose another.")}
    try:
        campaign = start_campaign(
            db.session, area_id=area_id, grid_ids=scope.grids_below(area_id),
            kind=form.get("kind", ""), note=(form.get("note") or "").strip() or None,
            categories=form.getlist("categories"), allowed_categories=_category_codes(),
            person_id=person.id, now=utcnow())
    except CampaignError as error:
        return _render(422, [messages[error.field]], form.to_dict())
    audit(db.session, "start_campaign", person_id=person.id,
          detail={"campaign": campaign.id, "area": area_id, "kind": campaign.kind,
                  "categories": campaign.categories})
    db.session.commit()
    flash(_("Campaign started: the tablets of the area show it at the top of Today after "
            "their next update."), "ok")
    return redirect(url_for("web.campaign", campaign_id=campaign.id))


@bp.get("/campaigns/<campaign_id>")
@sign_in_required
def campaign(campaign_id: str):
    scope = current_scope()
    found = _campaign_or_404(scope, campaign_id)
    state = progress(db.session, found, scope.grids_below(found.area_id), local_today())
    return render_template("web/campaign.html", state=state, kinds=kind_words(),
                           now=utcnow(), hours_left=_hours_left(found, utcnow()),
                           area=scope.areas[found.area_id])


@bp.post("/campaigns/<campaign_id>/end")
@sign_in_required
def end_campaign_view(campaign_id: str):
    scope, person = current_scope(), current_person()
    found = _campaign_or_404(scope, campaign_id)
    grids = {g for g, area in scope.areas.items() if area.level == p.GRID and
             found.area_id in scope.ancestors(g)}
    end_campaign(db.session, found, grids, person.id, utcnow())
    audit(db.session, "end_campaign", person_id=person.id, detail={"campaign": found.id})
    db.session.commit()
    flash(_("Campaign ended: the tablets stop showing it after their next update."), "ok")
    return redirect(url_for("web.campaign", campaign_id=found.id))
