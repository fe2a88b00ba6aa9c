"""Bringing residents' open follow-ups in line with the district's rules.

Which no-answers open a follow-up depends on the district's rules (categories, 80+, tiers): when
the rules change (or the model's migration introduces them), every resident's stored
``follow_up_since`` is worked out again from their visits. Works on a plain connection, so the
Alembic migration and the CLI share it; the caller commits.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

import sqlalchemy as sa

from shared import protocol as p
from shared.district_rules import DEFAULT_RULES, DistrictRules, follows_up
from shared.due import VisitFact, open_follow_up

from .models import UTCDateTime

BATCH = 1000


def refresh_follow_ups(connection, rules: DistrictRules = DEFAULT_RULES,
                       today: date | None = None) -> int:
    """Recompute ``follow_up_since`` of every resident who ever had a no-answer. Returns how
    many residents' follow-up changed."""
    if today is None:
        from .district import today as district_today
        today = district_today()
    residents = sa.table("residents", sa.column("id", sa.String),
                         sa.column("care_categories", sa.JSON),
                         sa.column("birth_year", sa.Integer), sa.column("risk_tier", sa.String),
                         sa.column("follow_up_since", UTCDateTime()))
    visits = sa.table("visits", sa.column("id", sa.String), sa.column("resident_id", sa.String),
                      sa.column("visited_at", UTCDateTime()), sa.column("outcome", sa.String),
                      sa.column("corrects_id", sa.String), sa.column("correction", sa.String))
    candidates = sa.select(visits.c.resident_id).where(
        visits.c.outcome == p.NO_ANSWER).distinct().scalar_subquery()
    changed = 0
    last_id = ""
    while True:
        rows = connection.execute(sa.select(residents).where(
            residents.c.id.in_(candidates), residents.c.id > last_id)
            .order_by(residents.c.id).limit(BATCH)).all()
        if not rows:
            break
        history: dict[str, list[VisitFact]] = defaultdict(list)
        for visit in connection.execute(sa.select(visits).where(
                visits.c.resident_id.in_([row.id for row in rows]))):
            history[visit.resident_id].append(VisitFact(
                visit.id, visit.visited_at, visit.outcome, visit.corrects_id,
                visit.correction))
        updates = []
        for row in rows:
            follows = follows_up(row.care_categories, row.birth_year, row.risk_tier, today, rules)
            since = open_follow_up(follows, history[row.id])
            if since != row.follow_up_since:
                updates.append({"rid": row.id, "since": since})
        if updates:
            connection.execute(residents.update().where(residents.c.id == sa.bindparam("rid"))
                               .values(follow_up_since=sa.bindparam("since")), updates)
            changed += len(updates)
        last_id = rows[-1].id
    return changed

