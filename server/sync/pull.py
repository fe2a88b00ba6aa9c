"""Pulling changes after a cursor, in pages, with evictions and per-grid digests."""
from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from shared import protocol as p
from shared.clock import isoformat

from .. import district
from ..models import Area, ChangeLogEntry, Device
from ..scope import grids_in_scope
from . import changelog, cursor as cursors
from .bulk import on_postgres


@dataclass
class PullPage:
    rows: list  # (position, entity, entity_id, grid_id, payload text)
    cursor: str
    has_more: bool
    evict_grids: list[int]
    grids: list[dict]
    epoch: str = ""

    def to_json_text(self, server_time: datetime, zone_name: str,
                     rules: dict | None = None, points: dict | None = None) -> str:
        """The response body. Payloads are spliced in as stored: no decode, no re-encode.
        ``points``: the duty points member of a last page (server/points_pull.py)."""
        changes = ",".join(
            f'{{"position":{pos},"entity":"{entity}","id":"{entity_id}",'
            f'"grid_id":{grid_id},"data":{payload}}}'
            for pos, entity, entity_id, grid_id, payload in self.rows)
        envelope = json.dumps({"cursor": self.cursor, "epoch": self.epoch,
                               "has_more": self.has_more,
                               "evict_grids": self.evict_grids, "grids": self.grids,
                               "server_time": isoformat(server_time), "timezone": zone_name,
                               **({"rules": rules} if rules is not None else {}),
                               **({"points": points} if points is not None else {})},
                              ensure_ascii=False, separators=(",", ":"))
        return f'{{"changes":[{changes}],{envelope[1:]}'


def page_query(grids: list[int], after: int, head: int, limit: int, departures: bool = True,
               campaigns: bool = True):
    """The next ``limit`` change-log rows of ``grids`` after position ``after``, in order. One
    grid is asked by equality, so its (grid_id, position) index yields the rows in order."""
    in_grids = ChangeLogEntry.grid_id == grids[0] if len(grids) == 1 else \
        ChangeLogEntry.grid_id.in_(grids)
    query = select(ChangeLogEntry.position, ChangeLogEntry.entity, ChangeLogEntry.entity_id,
                   ChangeLogEntry.grid_id, ChangeLogEntry.payload) \
        .where(in_grids, ChangeLogEntry.position > after, ChangeLogEntry.position <= head)
    if not departures:
        query = query.where(ChangeLogEntry.entity != p.DEPARTURE)
    if not campaigns:
        query = query.where(ChangeLogEntry.entity != p.CAMPAIGN)
    return query.order_by(ChangeLogEntry.position).limit(limit)


@contextmanager
def index_ordered(session: Session):
    """Within it, PostgreSQL reads a page through an index in position order and stops at the
    page's end, whatever its statistics say. On a change log it has not analysed yet it took a
    page for a handful of rows and chose to fetch every remaining row of the grids and sort them
    (355 ms a page over 268,000 rows, against 3 ms read in order): a page's cost must not grow
    with the log. No sort and no bitmap scan leaves it the ordered index scans."""
    if not on_postgres(session):
        yield
        return
    before = session.execute(text("SELECT current_setting('enable_sort'), "
                                  "current_setting('enable_bitmapscan')")).one()
    switch = text("SELECT set_config('enable_sort', :sort, true), "
                  "set_config('enable_bitmapscan', :bitmap, true)")
    session.execute(switch, {"sort": "off", "bitmap": "off"})
    try:
        yield
    finally:
        session.execute(switch, {"sort": before[0], "bitmap": before[1]})


def pull_changes(session: Session, device: Device, cursor_text: str | None, limit: int,
                 now: datetime, departures: bool = True, campaigns: bool = True) -> PullPage:
    """Must run in one snapshot (REPEATABLE READ on PostgreSQL; a single SQLite transaction).

    ``departures`` / ``campaigns`` False leaves out those records, for apps that predate them."""
    head = changelog.head_position(session)
    previous = cursors.decode(cursor_text, head)
    scope = grids_in_scope(session, device.person, district.today(now))
    evict = sorted(set(previous) - scope)
    positions = {grid: previous.get(grid, 0) for grid in scope}
    rows: list = []
    with index_ordered(session):
        while len(rows) < limit:
            behind = {grid: pos for grid, pos in positions.items() if pos < head}
            if not behind:
                break
            low = min(behind.values())
            group = sorted(grid for grid, pos in behind.items() if pos == low)
            want = limit - len(rows)
            page = session.execute(page_query(group, low, head, want, departures,
                                              campaigns)).all()
            rows.extend(page)
            reached = head if len(page) < want else page[-1][0]
            for grid in group:
                positions[grid] = reached
    caught_up = [grid for grid, pos in positions.items() if pos >= head]
    digests = changelog.grid_digests(session, caught_up, head)
    fact_digests = changelog.grid_fact_digests(session, caught_up)
    names = dict(session.execute(select(Area.id, Area.name).where(Area.id.in_(list(scope)))).all()) \
        if scope else {}
    grids = [{"id": grid, "name": names.get(grid, ""), "digest": digests.get(grid),
              "facts_digest": fact_digests.get(grid)} for grid in sorted(scope)]
    return PullPage([tuple(row) for row in rows], cursors.encode(positions),
                    any(pos < head for pos in positions.values()), evict, grids,
                    changelog.server_epoch(session)[0])
