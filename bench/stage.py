"""The benchmark stage: sizes, a fresh seeded server database and gunicorn running on it."""
from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path


from testkit.live_server import LiveServer

from bench.visits import GIVEN, SURNAMES


DEFAULT_PG_URL = os.environ.get("KNOCKDOOR_BENCH_DATABASE_URL",
                                "postgresql+psycopg://postgres@127.0.0.1:5432/knockdoor_bench")
PASSWORD = "knock-knock 2024"
#: Production password hashing (the server's default): sign-in costs what it costs in the field.
PASSWORD_HASH_METHOD = "scrypt"
PROTOCOL = 2


# ---- sizes ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Sizes:
    batch: int = 500  # ops per push
    push_devices: int = 8  # concurrent pushing devices (threads)
    push_batches: int = 25  # batches per device: 100,000 ops, long enough for a steady state
    grid_residents: int = 500  # residents per push grid and in the first-sync grid
    first_sync_visits: int = 10_000
    pull_page: int = 5_000
    tablet_samples: int = 200  # record_visit calls timed
    list_samples: int = 30  # today_list calls timed
    search_residents: int = 2000  # residents on the tablet searched (DESIGN: 30 ms over 2,000)
    search_samples: int = 15  # timed calls per query
    wire_batches: int = 4
    rush_tablets: int = 700
    rush_ops: int = 30
    rush_concurrency: int = 50
    rush_grids: int = 140
    rush_grid_residents: int = 40
    sqlite_push_devices: int = 4
    sqlite_push_batches: int = 5
    workers: int = 3  # gunicorn workers on PostgreSQL
    threads: int = 4  # gunicorn threads per worker
    history_batches: int = 200  # one device's batches in a row (bench.push)
    repush_batches: int = 20  # of those, pushed again (bench.push)


FULL = Sizes()
#: For the smoke test: proves the code paths, measures nothing of interest.
TINY = Sizes(batch=20, push_devices=2, push_batches=2, grid_residents=12, first_sync_visits=60,
             pull_page=25, tablet_samples=5, list_samples=3, wire_batches=1, rush_tablets=6,
             rush_ops=3, rush_concurrency=3, rush_grids=2, rush_grid_residents=4,
             sqlite_push_devices=2, sqlite_push_batches=2, workers=1, threads=4,
             search_residents=40, search_samples=2, history_batches=3, repush_batches=2)



# ---- databases --------------------------------------------------------------------------------

def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as psycopg takes it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def database_urls(pg_url: str, database: str) -> tuple[str, str, str]:
    """For a benchmark's own ``database`` on the server of ``pg_url``: (SQLAlchemy URL of it,
    libpq URL of it, libpq URL of the server's ``postgres`` database)."""
    from sqlalchemy.engine import make_url
    url = make_url(pg_url)
    bench = url.set(database=database)
    raw = bench.set(drivername="postgresql").render_as_string(hide_password=False)
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False)
    return bench.render_as_string(hide_password=False), raw, admin


def sqlite_path(url: str) -> str:
    return url.split("sqlite:///", 1)[1]


def fresh_database(url: str) -> None:
    """Drop and recreate the benchmark database, then migrate it. Never touches `test`."""
    from server.migrate import upgrade
    if is_postgres(url):
        import psycopg
        from sqlalchemy.engine import make_url
        parsed = make_url(url)
        name = parsed.database
        if not name or name in ("test", "postgres", "template0", "template1"):
            raise SystemExit(f"refusing to recreate database {name!r}: give the benchmark its own")
        admin = libpq_url(parsed.set(database="postgres").render_as_string(hide_password=False))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        path = Path(sqlite_path(url))
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    upgrade(url)


@dataclass
class Seed:
    """What a stage holds: grid ids, resident ids per grid, usernames."""

    push_grids: list[int] = field(default_factory=list)
    first_sync_grid: int | None = None
    rush_grids: list[int] = field(default_factory=list)
    residents: dict[int, list[str]] = field(default_factory=dict)
    push_users: list[str] = field(default_factory=list)
    rush_users: list[tuple[str, int]] = field(default_factory=list)  # (username, grid)


def seed(url: str, sizes: Sizes, *, push: bool = True, tablets: bool = True,
         rush: bool = True, push_devices: int | None = None) -> Seed:
    """Grids, people and residents, written in bulk through the server's own helpers."""
    from sqlalchemy import insert, select
    from sqlalchemy.orm import Session
    from werkzeug.security import generate_password_hash

    from server.db import make_engine
    from server.models import Area, Assignment, Person, Resident
    from server.sync.changelog import ensure_head
    from server.sync.edits import create_residents

    rng = random.Random(7)
    password_hash = generate_password_hash(PASSWORD, method=PASSWORD_HASH_METHOD)
    engine = make_engine(url)
    out = Seed()
    people: list[dict] = []
    grants: list[tuple[str, list[int]]] = []
    with Session(engine) as session, session.begin():
        ensure_head(session)
        codes = iter(range(1, 10**6))

        def area(level, name, parent):
            row = Area(level=level, name=name, code=f"B{level[0].upper()}{next(codes):06d}",
                       parent_id=parent)
            session.add(row)
            session.flush()
            return row.id

        district = area("district", "华龙区", None)
        street = area("street", "长庆路街道", district)
        community = area("community", "长庆社区", street)

        def grid(name):
            return area("grid", name, community)

        def person(username, role, grids):
            people.append({"username": username, "display_name": username, "role": role,
                           "password_hash": password_hash, "active": True})
            grants.append((username, grids))

        roster: list[tuple[int, dict]] = []

        def residents(grid_id, count):
            for i in range(count):
                roster.append((grid_id, {
                    "name": rng.choice(SURNAMES) + rng.choice(GIVEN), "sex": rng.choice("FM"),
                    "birth_year": rng.randint(1930, 1958),
                    "address": f"长庆路{rng.randint(1, 99)}号院{rng.randint(1, 9)}号楼"
                               f"{rng.randint(1, 6)}单元{rng.randint(1, 6)}0{rng.randint(1, 4)}",
                    "care_categories": rng.choice([["alone"], ["empty_nest"], [],
                                                   ["alone", "disabled"]])}))

        if push:
            for d in range(push_devices or sizes.push_devices):
                grid_id = grid(f"网格P{d + 1}")
                out.push_grids.append(grid_id)
                residents(grid_id, sizes.grid_residents)
                out.push_users.append(f"pusher{d}")
                person(f"pusher{d}", "grid_worker", [grid_id])
            person("puller", "supervisor", list(out.push_grids))
        if tablets:
            out.first_sync_grid = grid("网格F1")
            residents(out.first_sync_grid, sizes.grid_residents)
            person("seeder", "grid_worker", [out.first_sync_grid])
            person("firstsync", "volunteer", [out.first_sync_grid])
            # The tablet of the local benchmarks holds two grids: the first-sync one and a push
            # grid (both with history), so its due list has 2 × grid_residents residents.
            person("tablet", "volunteer", [out.first_sync_grid] + out.push_grids[:1])
        if rush:
            per_grid = -(-sizes.rush_tablets // sizes.rush_grids)
            for g in range(sizes.rush_grids):
                grid_id = grid(f"网格R{g + 1}")
                out.rush_grids.append(grid_id)
                residents(grid_id, sizes.rush_grid_residents)
            for t in range(sizes.rush_tablets):
                grid_id = out.rush_grids[t // per_grid]
                out.rush_users.append((f"rush{t:04d}", grid_id))
                person(f"rush{t:04d}", "volunteer", [grid_id])
        session.execute(insert(Person), people)
        ids = dict(session.execute(select(Person.username, Person.id)).all())
        session.execute(insert(Assignment), [
            {"person_id": ids[username], "area_id": grid_id, "role": "volunteer",
             "starts_on": datetime(2020, 1, 1).date(), "ends_on": None}
            for username, grids in grants for grid_id in grids])
        # In chunks: one call with ~10,000 rows fails on PostgreSQL (changelog.append's
        # row-value IN list exceeds max_stack_depth); see the benchmark report.
        for start in range(0, len(roster), 1000):
            create_residents(session, None, roster[start:start + 1000])
        for grid_id, resident_id in session.execute(select(Resident.grid_id, Resident.id)):
            out.residents.setdefault(grid_id, []).append(resident_id)
    engine.dispose()
    for ids_ in out.residents.values():
        ids_.sort()
    return out


# ---- the server -------------------------------------------------------------------------------

@dataclass
class Stage:
    """A seeded server database with gunicorn running on it, and a scratch directory."""

    db_url: str
    server: LiveServer
    seed: Seed
    work: Path

    @property
    def base_url(self) -> str:
        return self.server.url

    @property
    def label(self) -> str:
        return "PostgreSQL" if is_postgres(self.db_url) else "SQLite"


def open_stage(db_url: str, sizes: Sizes, work: Path, *, workers: int, **seed_options) -> Stage:
    fresh_database(db_url)
    seeded = seed(db_url, sizes, **seed_options)
    server = LiveServer(db_url, workers=workers, threads=sizes.threads, extra_env={
        "KNOCKDOOR_SECRET_KEY": "bench-only",
        "KNOCKDOOR_PASSWORD_HASH": PASSWORD_HASH_METHOD}).start()
    return Stage(db_url, server, seeded, work)
