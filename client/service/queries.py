"""The field service's queries: grids, campaigns, the Today list, a resident's page,
conflicts."""
from __future__ import annotations

import json
from datetime import date
from zoneinfo import ZoneInfo

from shared import protocol as p
from shared.clock import parse_instant
from shared.district_day import district_today
from shared.district_rules import DistrictRules, follows_up, shown_categories
from shared.due import VisitFact, due_status
from shared.follow_up import ladder_step
from shared.search import FUZZY, rank

from ..store import HELD
from .models import ResidentDetail, ResidentSummary, _moment


class QueriesMixin:
    """Part of :class:`~client.service.FieldService`: what the screens show."""

    def _names(self, resident_ids) -> dict[str, str]:
        ids = list(resident_ids)
        if not ids:
            return {}
        with self.store.reading() as db:
            return dict(db.execute(f"SELECT id, name FROM residents WHERE id IN "
                                   f"({','.join('?' * len(ids))})", ids).fetchall())

    # ---- queries ---------------------------------------------------------------------------

    def grids(self) -> list[dict]:
        with self.store.reading() as db:
            return [{"id": row[0], "name": row[1]} for row in
                    db.execute("SELECT id, name FROM grids ORDER BY name")]

    def campaigns_today(self) -> list:
        """Campaigns of my grids with the residents still to be met, soonest deadline first:
        the top of Today (client/campaigns.py; issue 12)."""
        from ..campaigns import campaigns_due
        now = self.clock()
        return campaigns_due(self.store, now, district_today(now, self.district_zone))

    def today_list(self, query: str = "", today: date | None = None) -> list[ResidentSummary]:
        """My grids' residents: open follow-ups first, then overdue (longest first), due today,
        due this week, the rest. ``query`` finds residents by shared.search's rule (name,
        pinyin, address, building-unit-room, a phone's last four digits); its best matches
        come first: the exact name, then the initials, then the rest."""
        zone = self.district_zone
        today = today or district_today(self.clock(), zone)
        columns = ("SELECT id, grid_id, payload, name, search_keys, address, last_met_at, "
                   "last_visit_at, follow_up_since, unsent FROM residents")
        with self.store.reading() as db:
            grid_names = dict(db.execute("SELECT id, name FROM grids").fetchall())
            if query.strip():  # what a search reads first is small; the rest only for hits
                found = {}
                for resident_id, name, address, keys in db.execute(
                        "SELECT id, name, address, search_keys FROM residents"):
                    match = rank(query, name, address, keys)
                    if match is not None:
                        found[resident_id] = match
                ids, rows = list(found), []
                for start in range(0, len(ids), 500):
                    chunk = ids[start:start + 500]
                    rows += db.execute(f"{columns} WHERE id IN ({','.join('?' * len(chunk))})",
                                       chunk).fetchall()
            else:
                found = None
                rows = db.execute(columns).fetchall()
        rules = self.district_rules
        summaries = [self._summary(row, grid_names, today, zone,
                                   found[row[0]] if found is not None else FUZZY, rules)
                     for row in rows]
        summaries.sort(key=lambda s: (s.match, s.follow_up_since is None, s.due.sort_key,
                                      s.name))
        return summaries

    def _summary(self, row, grid_names, today: date, zone: ZoneInfo,
                 match: int = FUZZY, rules: DistrictRules | None = None) -> ResidentSummary:
        (resident_id, grid_id, payload, name, _keys, address, last_met_at, last_visit_at,
         follow_up_since, unsent) = row
        record = json.loads(payload)
        due = due_status(status=record.get("status", "active"),
                         care_categories=record.get("care_categories") or [],
                         birth_year=record.get("birth_year"),
                         visit_cadence_days=record.get("visit_cadence_days"),
                         last_met=_moment(last_met_at),
                         since=_moment(record.get("created_at")), today=today, zone=zone,
                         risk_tier=record.get("risk_tier"),
                         rules=rules or self.district_rules)
        birth_year = record.get("birth_year")
        return ResidentSummary(
            id=resident_id, name=name, address=address, sex=record.get("sex", ""),
            age=today.year - birth_year if birth_year else None, grid_id=grid_id,
            grid_name=grid_names.get(grid_id, ""),
            care_categories=shown_categories(record.get("care_categories"), birth_year, today),
            status=record.get("status", "active"), due=due,
            last_visit_at=_moment(last_visit_at), follow_up_since=_moment(follow_up_since),
            unsent=unsent, match=match)

    def resident(self, resident_id: str, today: date | None = None) -> ResidentDetail | None:
        zone = self.district_zone
        today = today or district_today(self.clock(), zone)
        with self.store.reading() as db:
            grid_names = dict(db.execute("SELECT id, name FROM grids").fetchall())
            row = db.execute("SELECT id, grid_id, payload, name, search_keys, address, "
                             "last_met_at, last_visit_at, follow_up_since, unsent "
                             "FROM residents WHERE id = ?", (resident_id,)).fetchone()
            if row is None:
                return None
            states = dict(db.execute("SELECT entity_id, state FROM outbox WHERE resident_id = ? "
                                     "AND state != ?", (resident_id, HELD)).fetchall())
            visits = [json.loads(text) for (text,) in db.execute(
                "SELECT payload FROM visits WHERE resident_id = ? ORDER BY visited_at DESC",
                (resident_id,))]
            notes = [json.loads(text) for (text,) in db.execute(
                "SELECT payload FROM notes WHERE resident_id = ? ORDER BY written_at DESC",
                (resident_id,))]
            conflicts = [json.loads(text) for (text,) in db.execute(
                "SELECT payload FROM conflicts WHERE resident_id = ? ORDER BY status = 'open' "
                "DESC, position DESC", (resident_id,))]
        corrected = {v["corrects"]: v["correction"] for v in visits if v.get("corrects")}
        for visit in visits:
            visit["state"] = states.get(visit["id"], "synced")
            visit["voided"] = corrected.get(visit["id"]) == p.VOID
            visit["amended"] = corrected.get(visit["id"]) == p.AMEND
        for note in notes:
            note["state"] = states.get(note["id"], "synced")
        me = self.account.person_id if self.account else None
        for conflict in conflicts:
            conflict["mine"] = me in ((conflict.get("kept_by") or {}).get("person_id"),
                                      (conflict.get("lost_by") or {}).get("person_id"))
        record = json.loads(row[2])
        step = ladder_step(
            follows_up(record.get("care_categories"), record.get("birth_year"),
                       record.get("risk_tier"), today, self.district_rules),
            [VisitFact(v["id"], parse_instant(v["visited_at"]), v.get("outcome"),
                       v.get("corrects"), v.get("correction")) for v in visits])
        return ResidentDetail(self._summary(row, grid_names, today, zone), record,
                              visits, notes, conflicts, step)

    def my_conflicts(self) -> list[dict]:
        """Open conflicts in which one of the two edits was mine (conflict records name the
        person, never the device)."""
        me = self.account.person_id if self.account else None
        with self.store.reading() as db:
            rows = [json.loads(text) for (text,) in db.execute(
                "SELECT payload FROM conflicts WHERE status = 'open' ORDER BY position DESC")]
        names = self._names({row["resident_id"] for row in rows})
        return [{**row, "resident_name": names.get(row["resident_id"])} for row in rows
                if me in ((row.get("kept_by") or {}).get("person_id"),
                          (row.get("lost_by") or {}).get("person_id"))]
