"""Sync benchmarks: the figures of DESIGN.md §7 for the server and the client core.

Every figure is measured beside a raw-database baseline taken in the same run::

    python -m bench.sync                      # PostgreSQL database knockdoor_bench (dropped and
                                              # recreated; never the database `test`)
    python -m bench.sync --pg-url URL --workers 3

What it does, in order: builds a fresh server database (PostgreSQL, and a SQLite one for
context), seeds grids, people and residents, starts gunicorn on 127.0.0.1, then measures push
ingest, pull, first sync, the tablet's local write and due list, wire bytes, and the morning
rush. Every load loop is bounded (a fixed number of requests) and every request has a timeout.

Each benchmark function takes a :class:`Stage` (a running server and its seeded database) and a
:class:`Sizes`, checks its own work (every op applied, every change received) and returns
``(rows, counts)``; ``tests/bench/test_bench_smoke.py`` runs them all at a tiny size on SQLite.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests

from bench.common import BenchRow, format_table, stopwatch
from testkit.live_server import LiveServer

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


# ---- realistic visits -------------------------------------------------------------------------

NOTES = ["老人精神不错，血压正常，已提醒按时吃药。", "独居，燃气报警器电池快没电了，已登记更换。",
         "说腿有点疼，约了社区医生下周上门。", "子女不在身边，帮忙代买了米和油。",
         "情绪低落，陪聊了二十分钟，下周再来看看。", "烟感正常，家里收拾得很干净。",
         "血糖偏高，提醒少吃甜食，已告知家属。", "需要帮忙办理高龄补贴，已转社区。"]
MOODS = ("good", "ok", "low")
NEEDS = ("meals", "medicine", "errands", "cleaning", "repairs", "medical", "company")
SERVICES = ("chat", "health_check", "errand_run", "meal_delivered", "device_check")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["秀英", "桂兰", "玉珍", "淑芬", "德华", "建国", "国强", "凤英", "志明", "丽华", "春梅", "金花"]


def visit_data(rng: random.Random, resident_id: str) -> dict:
    """What a volunteer records at a door: readings, mood, needs, services, a short note."""
    if rng.random() < 0.1:
        return {"resident_id": resident_id, "outcome": "no_answer"}
    data = {"resident_id": resident_id, "outcome": "met",
            "readings": {"systolic": rng.randint(112, 158), "diastolic": rng.randint(66, 96),
                         "pulse": rng.randint(58, 96)},
            "mood": rng.choice(MOODS), "services": rng.sample(SERVICES, rng.randint(1, 2)),
            "safety_checks": {"smoke_detector": "ok", "fall_alarm": rng.choice(("ok", "ok",
                                                                               "faulty"))},
            "note": rng.choice(NOTES)}
    needs = rng.sample(NEEDS, rng.randint(0, 2))
    if needs:
        data["needs"] = needs
    return data


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def visit_ops(rng: random.Random, grid_id: int, resident_ids: list[str], count: int,
              first_seq: int = 1, start: datetime | None = None) -> list[dict]:
    """``count`` visit ops of one device, in its order, device times a few seconds apart."""
    start = start or datetime.now(timezone.utc) - timedelta(days=1)
    return [{"op_id": str(uuid.uuid4()), "seq": first_seq + i, "entity": "visit",
             "action": "create", "entity_id": str(uuid.uuid4()), "grid_id": grid_id,
             "device_time": iso(start + timedelta(seconds=3 * i)),
             "data": visit_data(rng, rng.choice(resident_ids))} for i in range(count)]


def gzip_json(body: dict) -> bytes:
    from client.transport import encode_body
    return encode_body(body)


# ---- databases --------------------------------------------------------------------------------

def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as psycopg takes it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


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
                    "living_situation": rng.choice([["alone"], ["empty_nest"], [],
                                                    ["alone", "aged_80_plus"]])}))

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


# ---- a bare HTTP client (for the server-side figures) ------------------------------------------

HEADERS = {"Content-Type": "application/json", "Content-Encoding": "gzip",
           "Accept-Encoding": "gzip"}


def login(base_url: str, username: str, session: requests.Session | None = None,
          device_id: str | None = None) -> str:
    session = session or requests.Session()
    body = {"protocol": PROTOCOL, "username": username, "password": PASSWORD,
            "device_id": device_id or str(uuid.uuid4()), "device_name": f"bench {username}"}
    response = session.post(base_url + "/api/v1/auth/login", data=gzip_json(body),
                            headers=HEADERS, timeout=(5, 60))
    response.raise_for_status()
    return response.json()["token"]


def post(session: requests.Session, base_url: str, path: str, data: bytes, token: str) -> dict:
    response = session.post(base_url + path, data=data,
                            headers={**HEADERS, "Authorization": f"Bearer {token}"},
                            timeout=(5, 120))
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}: {response.text[:300]}")
    return response.json()


def push_body(ops: list[dict]) -> dict:
    return {"protocol": PROTOCOL, "device_time": iso(datetime.now(timezone.utc)), "ops": ops}


def pull_everything(base_url: str, token: str, page: int) -> tuple[int, int]:
    """Pull from the start until caught up, parsing every page. Returns (changes, pages)."""
    session = requests.Session()
    cursor, changes, pages = None, 0, 0
    for _ in range(10_000):  # bounded
        body = post(session, base_url, "/api/v1/sync/pull",
                    gzip_json({"protocol": PROTOCOL, "cursor": cursor, "limit": page}), token)
        changes += len(body["changes"])
        pages += 1
        cursor = body["cursor"]
        if not body["has_more"]:
            break
    return changes, pages


# ---- raw-database baselines -------------------------------------------------------------------

def scratch_rows(ops: list[dict], author_id: int = 1) -> list[tuple]:
    """The rows a push of ``ops`` stands for: two uuids, grid, author, time, JSON details."""
    return [(op["entity_id"], op["data"]["resident_id"], op["grid_id"], author_id,
             op["device_time"], json.dumps(op["data"], ensure_ascii=False)) for op in ops]


def baseline_insert(db_url: str, rows: list[tuple], batch: int) -> dict[str, float]:
    """Rows/s of plain executemany in batches of ``batch`` (one commit each), and of COPY."""
    if is_postgres(db_url):
        import psycopg
        result = {}
        with psycopg.connect(libpq_url(db_url)) as conn:
            conn.execute("DROP TABLE IF EXISTS bench_scratch_visits")
            conn.execute("CREATE TABLE bench_scratch_visits (id uuid PRIMARY KEY, resident_id uuid"
                         " NOT NULL, grid_id integer NOT NULL, author_id integer, visited_at "
                         "timestamptz NOT NULL, details jsonb NOT NULL)")
            conn.commit()
            from bench.push import process_cpu
            backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
            cpu_before = time.process_time(), process_cpu(backend)
            with stopwatch() as elapsed:
                for start in range(0, len(rows), batch):
                    with conn.cursor() as cur:
                        cur.executemany("INSERT INTO bench_scratch_visits VALUES "
                                        "(%s, %s, %s, %s, %s, %s)", rows[start:start + batch])
                    conn.commit()
            result["executemany"] = len(rows) / elapsed()
            # CPU per row of the raw insert: this client's and its PostgreSQL backend's
            result["executemany_cpu_us"] = (time.process_time() - cpu_before[0] + process_cpu(
                backend) - cpu_before[1]) / len(rows) * 1e6
            conn.execute("TRUNCATE bench_scratch_visits")
            conn.commit()
            with stopwatch() as elapsed:
                with conn.cursor() as cur, cur.copy("COPY bench_scratch_visits FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                conn.commit()
            result["copy"] = len(rows) / elapsed()
            conn.execute("DROP TABLE bench_scratch_visits")
            conn.commit()
        return result
    conn = sqlite3.connect(sqlite_path(db_url), isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")  # the server's setting
        conn.execute("DROP TABLE IF EXISTS bench_scratch_visits")
        conn.execute("CREATE TABLE bench_scratch_visits (id TEXT PRIMARY KEY, resident_id TEXT "
                     "NOT NULL, grid_id INTEGER NOT NULL, author_id INTEGER, visited_at TEXT "
                     "NOT NULL, details TEXT NOT NULL)")
        with stopwatch() as elapsed:
            for start in range(0, len(rows), batch):
                conn.execute("BEGIN")
                conn.executemany("INSERT INTO bench_scratch_visits VALUES (?, ?, ?, ?, ?, ?)",
                                 rows[start:start + batch])
                conn.execute("COMMIT")
        rate = len(rows) / elapsed()
        conn.execute("DROP TABLE bench_scratch_visits")
    finally:
        conn.close()
    return {"executemany": rate}


def baseline_select(db_url: str, grid_ids: list[int]) -> tuple[float, int]:
    """Rows/s of a raw SELECT of the same change-log rows a pull sends."""
    sql = ("SELECT position, entity, entity_id, grid_id, payload FROM change_log WHERE grid_id "
           "IN ({}) ORDER BY position")
    if is_postgres(db_url):
        import psycopg
        with psycopg.connect(libpq_url(db_url)) as conn:
            with stopwatch() as elapsed:
                rows = conn.execute(sql.format(",".join(str(int(g)) for g in grid_ids))).fetchall()
    else:
        conn = sqlite3.connect(sqlite_path(db_url))
        try:
            with stopwatch() as elapsed:
                rows = conn.execute(sql.format(",".join(str(int(g)) for g in grid_ids))).fetchall()
        finally:
            conn.close()
    return len(rows) / elapsed(), len(rows)


# ---- 1. push ingest ---------------------------------------------------------------------------

def bench_push(stage: Stage, sizes: Sizes, *, devices: int | None = None,
               batches: int | None = None) -> tuple[list[BenchRow], dict]:
    """``devices`` threads, each a device of its own grid, push ``batches`` × ``sizes.batch``
    visit ops; bodies are encoded before the clock starts, so the client costs almost nothing,
    and each device pushes one untimed batch first (steady state, not start-up, is measured)."""
    devices = devices or sizes.push_devices
    batches = batches or sizes.push_batches
    rng = random.Random(11)
    plans = []
    all_ops: list[dict] = []
    for d in range(devices):
        grid_id = stage.seed.push_grids[d]
        session = requests.Session()
        token = login(stage.base_url, stage.seed.push_users[d], session)
        ops = visit_ops(rng, grid_id, stage.seed.residents[grid_id], batches * sizes.batch)
        all_ops.extend(ops)
        bodies = [gzip_json(push_body(ops[b * sizes.batch:(b + 1) * sizes.batch]))
                  for b in range(batches)]
        # One untimed batch first: every worker imports, compiles and connects before the clock.
        warm_up = gzip_json(push_body(visit_ops(rng, grid_id, stage.seed.residents[grid_id],
                                                sizes.batch, first_seq=batches * sizes.batch + 1)))
        plans.append((session, token, bodies, warm_up))
    statuses: dict[str, int] = {}
    lock = threading.Lock()
    gate = threading.Barrier(devices + 1)

    failures: list[str] = []

    def run(plan):
        session, token, bodies, warm_up = plan
        try:
            post(session, stage.base_url, "/api/v1/sync/push", warm_up, token)
        finally:
            gate.wait()
        mine: dict[str, int] = {}
        try:
            for body in bodies:
                for result in post(session, stage.base_url, "/api/v1/sync/push", body,
                                   token)["results"]:
                    mine[result["status"]] = mine.get(result["status"], 0) + 1
        except Exception as error:  # reported below, with the counts
            failures.append(f"{error.__class__.__name__}: {str(error)[:300]}")
        with lock:
            for key, value in mine.items():
                statuses[key] = statuses.get(key, 0) + value

    from bench.push import CpuMeter, load_average
    meter = CpuMeter(stage)
    threads = [threading.Thread(target=run, args=(plan,)) for plan in plans]
    for thread in threads:
        thread.start()
    gate.wait()
    meter.start()
    with stopwatch() as elapsed:
        for thread in threads:
            thread.join()
    server_cpu, pg_cpu = meter.stop()
    meter.close()
    load = load_average()
    total = devices * batches * sizes.batch
    if statuses.get("applied", 0) != total:
        raise AssertionError(f"push: expected {total} applied, got {statuses}; {failures[:2]}")
    rate = total / elapsed()
    base = baseline_insert(stage.db_url, scratch_rows(all_ops), sizes.batch)
    if is_postgres(stage.db_url):
        baseline = (f"psycopg executemany ×{sizes.batch}: {base['executemany']:,.0f} rows/s; "
                    f"COPY: {base['copy']:,.0f} rows/s")
        figure = (f"push ingest, batches of {sizes.batch} visits over HTTP, PostgreSQL "
                  f"({devices} devices, {stage.server.workers} workers)")
        budget = 16000.0  # issue 10
    else:
        baseline = f"sqlite3 executemany ×{sizes.batch} (WAL): {base['executemany']:,.0f} rows/s"
        figure = (f"push ingest, batches of {sizes.batch} visits over HTTP, SQLite "
                  f"(single process, {devices} devices)")
        budget = None
    row = BenchRow(figure, rate, "ops/s", budget, True, baseline,
                   f"{total:,} ops in {elapsed():.2f} s; {rate / base['executemany']:.0%} of "
                   f"the executemany baseline (ratio {rate / base['executemany']:.3f})")
    return [row], {"ops": total, "applied": statuses.get("applied", 0), "seconds": elapsed(),
                   "baseline": base, "server_cpu": server_cpu, "pg_cpu": pg_cpu, "load": load,
                   "rate": rate}


# ---- 2. pull ----------------------------------------------------------------------------------

def bench_pull(stage: Stage, sizes: Sizes) -> tuple[list[BenchRow], dict]:
    """A supervisor's device over every push grid pulls the whole log, page by page."""
    token = login(stage.base_url, "puller")
    with stopwatch() as elapsed:
        changes, pages = pull_everything(stage.base_url, token, sizes.pull_page)
    rate = changes / elapsed()
    expected_rate, expected = baseline_select(stage.db_url, stage.seed.push_grids)
    if changes != expected:
        raise AssertionError(f"pull: expected {expected} changes, got {changes}")
    row = BenchRow(f"pull, changes streamed to a client (pages of {sizes.pull_page}, "
                   f"{stage.label})", rate, "changes/s", 20000.0, True,
                   f"raw psycopg SELECT of the same rows: {expected_rate:,.0f} rows/s"
                   if is_postgres(stage.db_url) else
                   f"raw sqlite3 SELECT of the same rows: {expected_rate:,.0f} rows/s",
                   f"{changes:,} changes in {pages} pages, {elapsed():.2f} s")
    return [row], {"changes": changes, "pages": pages, "seconds": elapsed()}


# ---- 3. first sync ----------------------------------------------------------------------------

def seed_first_sync_grid(stage: Stage, sizes: Sizes) -> int:
    """Push ``first_sync_visits`` visits into the first-sync grid (not timed)."""
    grid_id = stage.seed.first_sync_grid
    session = requests.Session()
    token = login(stage.base_url, "seeder", session)
    ops = visit_ops(random.Random(5), grid_id, stage.seed.residents[grid_id],
                    sizes.first_sync_visits, start=datetime.now(timezone.utc) - timedelta(days=20))
    applied = 0
    for start in range(0, len(ops), sizes.batch):
        body = gzip_json(push_body(ops[start:start + sizes.batch]))
        applied += sum(r["status"] == "applied" for r in
                       post(session, stage.base_url, "/api/v1/sync/push", body, token)["results"])
    if applied != len(ops):
        raise AssertionError(f"first-sync seed: {applied} of {len(ops)} applied")
    return applied


def local_counts(service) -> dict[str, int]:
    with service.store.reading() as db:
        return {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("residents", "visits", "outbox")}


def baseline_sqlite_load(path: Path, payloads: list[tuple[str, str, str]]) -> float:
    """Seconds to insert the same rows into an empty SQLite file (WAL, synchronous=FULL)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("CREATE TABLE records (id TEXT PRIMARY KEY, entity TEXT, payload TEXT)")
        with stopwatch() as elapsed:
            conn.execute("BEGIN")
            conn.executemany("INSERT INTO records VALUES (?, ?, ?)", payloads)
            conn.execute("COMMIT")
        return elapsed()
    finally:
        conn.close()


def bench_first_sync(stage: Stage, sizes: Sizes) -> tuple[list[BenchRow], dict]:
    from client.service import FieldService
    grid_id = stage.seed.first_sync_grid
    data_dir = stage.work / "first-sync-tablet"
    shutil.rmtree(data_dir, ignore_errors=True)
    with stopwatch() as open_time:
        service = FieldService(data_dir)  # app start: creates and migrates the empty store
    try:
        with stopwatch() as elapsed:
            service.sign_in(stage.base_url, "firstsync", PASSWORD, "first-sync tablet")
            report = service.sync()
        counts = local_counts(service)
    finally:
        service.close()
    expected = {"residents": len(stage.seed.residents[grid_id]),
                "visits": sizes.first_sync_visits}
    if not report.ok or counts["residents"] != expected["residents"] or \
            counts["visits"] != expected["visits"]:
        raise AssertionError(f"first sync: report {report}, local {counts}, want {expected}")
    # Baseline: the same number of rows, the same payload sizes, straight into SQLite.
    from server.db import make_engine
    from sqlalchemy import text
    engine = make_engine(stage.db_url)
    with engine.connect() as conn:
        rows = [(r[0], r[1], r[2]) for r in conn.execute(text(
            "SELECT entity_id, entity, payload FROM change_log WHERE grid_id = :g"), {"g": grid_id})]
    engine.dispose()
    base_path = stage.work / "first-sync-baseline.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{base_path}{suffix}").unlink(missing_ok=True)
    base = baseline_sqlite_load(base_path, rows)
    row = BenchRow(f"first sync of a {expected['residents']}-resident grid with "
                   f"{sizes.first_sync_visits:,} visits into an empty tablet, end to end "
                   f"({stage.label})", elapsed(), "s", 2.0, False,
                   f"raw SQLite insert of the same {len(rows):,} rows: {base:.3f} s",
                   f"sign in + sync ({report.pulled:,} changes); opening the empty store "
                   f"(Alembic) took another {open_time():.2f} s")
    return [row], {"seconds": elapsed(), "pulled": report.pulled, **counts}


# ---- 5. bytes on the wire ---------------------------------------------------------------------

def bench_wire(stage: Stage, sizes: Sizes) -> tuple[list[BenchRow], dict]:
    """Realistic visits pushed through the real HttpTransport; its last_request_bytes."""
    from client.transport import HttpTransport
    transport = HttpTransport(stage.base_url)
    token = login(stage.base_url, stage.seed.push_users[0], transport.session)
    grid_id = stage.seed.push_grids[0]
    rng = random.Random(23)
    # Fresh seqs well above what bench_push used for this device: it is a new device anyway.
    ops = visit_ops(rng, grid_id, stage.seed.residents[grid_id], sizes.wire_batches * sizes.batch)
    sent = raw = applied = 0
    for b in range(sizes.wire_batches):
        body = push_body(ops[b * sizes.batch:(b + 1) * sizes.batch])
        answer = transport.post("/api/v1/sync/push", body, token)
        applied += sum(r["status"] == "applied" for r in answer["results"])
        sent += transport.last_request_bytes
        raw += len(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode())
    count = len(ops)
    if applied != count:
        raise AssertionError(f"wire: {applied} of {count} applied")
    per_visit = sent / count
    row = BenchRow(f"bytes on the wire per visit pushed (gzip, batches of {sizes.batch})",
                   per_visit, "bytes", 300.0, False,
                   f"uncompressed JSON: {raw / count:,.0f} bytes/visit",
                   f"{count:,} realistic visits (readings, mood, needs, services, Chinese note)")
    return [row], {"visits": count, "bytes": sent, "raw_bytes": raw}


# ---- 6 and 7. the tablet ----------------------------------------------------------------------

def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def baseline_sqlite_visit_write(path: Path, samples: int) -> list[float]:
    """ms per raw sqlite3 insert + commit of one visit row, WAL, synchronous=FULL."""
    conn = sqlite3.connect(path, isolation_level=None)
    rng = random.Random(3)
    times = []
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("CREATE TABLE IF NOT EXISTS visits (id TEXT PRIMARY KEY, resident_id TEXT, "
                     "grid_id INTEGER, visited_at TEXT, payload TEXT)")
        for _ in range(samples):
            payload = json.dumps(visit_data(rng, str(uuid.uuid4())), ensure_ascii=False)
            start = time.perf_counter()
            conn.execute("BEGIN")
            conn.execute("INSERT INTO visits VALUES (?, ?, ?, ?, ?)",
                         (str(uuid.uuid4()), str(uuid.uuid4()), 1, iso(datetime.now(timezone.utc)),
                          payload))
            conn.execute("COMMIT")
            times.append((time.perf_counter() - start) * 1000)
    finally:
        conn.close()
    return times


def bench_tablet(stage: Stage, sizes: Sizes) -> tuple[list[BenchRow], dict]:
    """A tablet holding two grids (2 × grid_residents residents, with history)."""
    from client.service import FieldService
    data_dir = stage.work / "tablet"
    shutil.rmtree(data_dir, ignore_errors=True)
    service = FieldService(data_dir)
    try:
        service.sign_in(stage.base_url, "tablet", PASSWORD, "bench tablet")
        report = service.sync()
        if not report.ok:
            raise AssertionError(f"tablet sync failed: {report}")
        summaries = service.today_list()
        residents = len(summaries)
        rng = random.Random(9)
        ids = [s.id for s in summaries]
        # 7. due list, warm (the screen is shown many times a day)
        list_times = []
        for _ in range(sizes.list_samples):
            start = time.perf_counter()
            listed = service.today_list()
            list_times.append((time.perf_counter() - start) * 1000)
            if len(listed) != residents:
                raise AssertionError("today_list changed size")
        with service.store.reading() as db:
            raw_times = []
            for _ in range(sizes.list_samples):
                start = time.perf_counter()
                db.execute("SELECT id, grid_id, payload, name, search_keys, address, last_met_at,"
                           " last_visit_at, follow_up_since, unsent FROM residents").fetchall()
                raw_times.append((time.perf_counter() - start) * 1000)
        # 6. record a visit
        write_times = []
        for _ in range(sizes.tablet_samples):
            data = visit_data(rng, rng.choice(ids))
            resident_id = data.pop("resident_id")
            start = time.perf_counter()
            service.record_visit(resident_id, data.pop("outcome"), **data)
            write_times.append((time.perf_counter() - start) * 1000)
        counts = local_counts(service)
        if counts["outbox"] < sizes.tablet_samples:
            raise AssertionError(f"record_visit: outbox has {counts['outbox']}")
    finally:
        service.close()
    raw_write = baseline_sqlite_visit_write(data_dir / "baseline.db", sizes.tablet_samples)
    med, p95 = statistics.median(write_times), _percentile(write_times, 0.95)
    rows = [
        BenchRow("tablet: record a visit (local write + outbox), median", med, "ms", 10.0, False,
                 f"raw sqlite3 insert+commit, synchronous=FULL: median "
                 f"{statistics.median(raw_write):.2f} ms", f"{len(write_times)} visits"),
        BenchRow("tablet: record a visit (local write + outbox), p95", p95, "ms", 10.0, False,
                 f"raw sqlite3 insert+commit, synchronous=FULL: p95 "
                 f"{_percentile(raw_write, 0.95):.2f} ms", f"{len(write_times)} visits"),
        BenchRow(f"tablet: due/overdue list over {residents:,} residents (today_list), median",
                 statistics.median(list_times), "ms", 50.0, False,
                 f"raw SELECT of the {residents:,} rows: median "
                 f"{statistics.median(raw_times):.2f} ms",
                 f"p95 {_percentile(list_times, 0.95):.1f} ms over {len(list_times)} calls"),
    ]
    return rows, {"residents": residents, "recorded": len(write_times),
                  "outbox": counts["outbox"]}


# ---- tablet search ------------------------------------------------------------------------------

#: What volunteers type: initials, full and mixed pinyin, a surname of its own reading, ü as v,
#: characters, an address fragment, building-unit-room, a phone's last four digits.
SEARCH_QUERIES = ("zxy", "zhangxiuying", "zhang xy", "zhaigl", "lvgl", "秀英", "3号楼",
                  "3-2", "5678", "w")
SEARCH_SURNAMES = SURNAMES + "翟单曾区仇解查朴盖缪乐覃吕"


def search_store(data_dir: Path, residents: int, *, seed: int = 5) -> int:
    """A tablet store holding ``residents`` residents of two grids, as a pull leaves them
    (keys computed by the store, as on a real tablet). Returns how many."""
    from client.store import SqliteStore
    rng = random.Random(seed)
    store = SqliteStore(data_dir / "knockdoor-local.db")
    try:
        changes = []
        for position in range(1, residents + 1):
            building, unit, room = rng.randint(1, 20), rng.randint(1, 4), rng.randint(101, 1802)
            changes.append({"entity": "resident", "position": position, "data": {
                "id": str(uuid.UUID(int=rng.getrandbits(128))), "grid_id": 1 + position % 2,
                "version": 1, "name": rng.choice(SEARCH_SURNAMES) + rng.choice(GIVEN),
                "sex": rng.choice("FM"), "birth_year": rng.randint(1925, 1955),
                "address": f"建设路{rng.randint(1, 99)}号院{building}号楼{unit}单元{room}",
                "phone": f"13{rng.randint(0, 999_999_999):09d}", "status": "active",
                "living_situation": [rng.choice(["alone", "empty_nest", "aged_80_plus"])],
                "created_at": "2026-01-05T02:00:00Z"}})
        store.apply_page({"changes": changes, "cursor": str(residents),
                          "grids": [{"id": 1, "name": "第1网格"}, {"id": 2, "name": "第2网格"}]})
    finally:
        store.close()
    return residents


def bench_search(work: Path, sizes: Sizes) -> tuple[list[BenchRow], dict]:
    """The Today list's search (FieldService.today_list with a query) over search_residents
    residents, each query of SEARCH_QUERIES timed search_samples times, warm."""
    from client.service import FieldService
    data_dir = work / "search-tablet"
    shutil.rmtree(data_dir, ignore_errors=True)
    residents = search_store(data_dir, sizes.search_residents)
    service = FieldService(data_dir)
    try:
        if len(service.today_list()) != residents:
            raise AssertionError("the search store does not hold every resident")
        per_query: dict[str, list[float]] = {}
        found: dict[str, int] = {}
        for query in SEARCH_QUERIES:
            found[query] = len(service.today_list(query))  # warm: keys parsed once
            for _ in range(sizes.search_samples):
                start = time.perf_counter()
                service.today_list(query)
                per_query.setdefault(query, []).append((time.perf_counter() - start) * 1000)
        with service.store.reading() as db:  # baseline: the rows read and a substring filter
            raw = []
            for _ in range(sizes.search_samples):
                start = time.perf_counter()
                rows = db.execute("SELECT id, grid_id, payload, name, search_keys, address, "
                                  "last_met_at, last_visit_at, follow_up_since, unsent "
                                  "FROM residents").fetchall()
                [row for row in rows if "秀英" in row[3]]
                raw.append((time.perf_counter() - start) * 1000)
    finally:
        service.close()
    everything = [ms for times in per_query.values() for ms in times]
    slowest = max(per_query, key=lambda q: statistics.median(per_query[q]))
    rows = [BenchRow(
        f"tablet: search the Today list over {residents:,} residents (today_list with a query), "
        f"slowest query's median", statistics.median(per_query[slowest]), "ms", 30.0, False,
        f"raw SELECT of the {residents:,} rows and a substring filter on the name: median "
        f"{statistics.median(raw):.2f} ms",
        f"slowest query “{slowest}”; all {len(SEARCH_QUERIES)} queries: median "
        f"{statistics.median(everything):.1f} ms, p95 {_percentile(everything, 0.95):.1f} ms "
        f"over {len(everything)} calls")]
    return rows, {"residents": residents, "found": found}


# ---- 4. morning rush --------------------------------------------------------------------------

def _template_store(work: Path) -> Path:
    """A migrated, empty tablet store, copied into each tablet's data dir (app install)."""
    from client.store import SqliteStore
    path = work / "template" / "knockdoor-local.db"
    shutil.rmtree(path.parent, ignore_errors=True)
    SqliteStore(path).close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def bench_rush(stage: Stage, sizes: Sizes, *,
               signed_in: bool = False) -> tuple[list[BenchRow], dict]:
    """rush_tablets tablets, rush_concurrency at a time: each signs in, pushes rush_ops visits
    it recorded offline and pulls its grid, with FieldService/SyncEngine over HttpTransport.

    Not timed: installing each tablet's store and queueing its offline visits (what the
    volunteer did before coming into signal). Tablet stores live on tmpfs where there is one,
    so 700 simulated tablets do not queue for this machine's one disk.

    ``signed_in``: the tablets signed in on an earlier day (not timed) and only sync: the
    morning rush as it happens, since a tablet keeps its device token. Without it every tablet
    also signs in first, which DESIGN.md's budget does not ask for (reported for context).
    """
    from client import encryption
    from client.service import FieldService
    from client.store import SqliteStore, local_visit_record

    shm = Path("/dev/shm")
    root = Path(tempfile.mkdtemp(prefix="knockdoor-rush-", dir=shm if shm.is_dir() else None))
    try:
        template = _template_store(root)
        rng = random.Random(31)
        tablets = []
        for t, (username, grid_id) in enumerate(stage.seed.rush_users):
            data_dir = root / f"t{t:04d}"
            data_dir.mkdir()
            shutil.copy(template, data_dir / "knockdoor-local.db")
            secret = encryption.secret_path(template)  # the store's key (client.encryption)
            if secret.exists():
                shutil.copy(secret, encryption.secret_path(data_dir / "knockdoor-local.db"))
            store = SqliteStore(data_dir / "knockdoor-local.db")
            ops = visit_ops(rng, grid_id, stage.seed.residents[grid_id], sizes.rush_ops,
                            start=datetime.now(timezone.utc) - timedelta(hours=3))
            for op in ops:
                op = {key: value for key, value in op.items() if key != "seq"}
                store.add_op(op, local_visit_record(op, username, None))
            store.close()
            tablets.append((data_dir, username, grid_id))
        if signed_in:
            def sign_in(tablet):
                service = FieldService(tablet[0])
                try:
                    service.sign_in(stage.base_url, tablet[1], PASSWORD, f"tablet {tablet[1]}")
                finally:
                    service.close()

            with ThreadPoolExecutor(max_workers=4) as pool:
                list(pool.map(sign_in, tablets))

        def one(tablet) -> dict:
            data_dir, username, grid_id = tablet
            start = time.perf_counter()
            try:
                service = FieldService(data_dir)
                try:
                    if not signed_in:
                        service.sign_in(stage.base_url, username, PASSWORD, f"tablet {username}")
                    report = service.sync()
                    counts = local_counts(service)
                finally:
                    service.close()
                problem = None
                if not report.ok:
                    problem = f"sync: {report.error_code} {report.error}"
                elif report.applied != sizes.rush_ops:
                    problem = f"applied {report.applied} of {sizes.rush_ops}"
                elif counts["residents"] != len(stage.seed.residents[grid_id]):
                    problem = f"holds {counts['residents']} residents"
                elif counts["visits"] < sizes.rush_ops:
                    problem = f"holds {counts['visits']} visits"
                return {"seconds": time.perf_counter() - start, "error": problem,
                        "pulled": report.pulled}
            except Exception as error:  # an error is a result here, counted and reported
                return {"seconds": time.perf_counter() - start,
                        "error": f"{error.__class__.__name__}: {error}", "pulled": 0}

        cpu_before = time.process_time()
        with stopwatch() as elapsed:
            with ThreadPoolExecutor(max_workers=sizes.rush_concurrency) as pool:
                outcomes = list(pool.map(one, tablets))
        client_cpu = time.process_time() - cpu_before
    finally:
        shutil.rmtree(root, ignore_errors=True)
    errors = [o["error"] for o in outcomes if o["error"]]
    per_tablet = [o["seconds"] for o in outcomes]
    summary = (f"{len(tablets)} tablets × {sizes.rush_ops} ops, {sizes.rush_concurrency} at a "
               f"time; per tablet median {statistics.median(per_tablet):.2f} s, p95 "
               f"{_percentile(per_tablet, 0.95):.2f} s; {sum(o['pulled'] for o in outcomes):,} "
               f"changes pulled; the load generator itself used {client_cpu:.1f} s of CPU "
               f"on this same 2-core machine")
    if errors:
        summary += f"; first error: {errors[0]}"
    if signed_in:
        rows = [
            BenchRow(f"morning rush: {len(tablets)} tablets × {sizes.rush_ops} ops, "
                     f"{sizes.rush_concurrency} at a time, back in signal and syncing "
                     f"(signed in on an earlier day), wall time ({stage.label})", elapsed(), "s",
                     60.0, False, "—", summary),
            BenchRow("morning rush: errors", float(len(errors)), "errors", 0.0, False, "—",
                     "tablets whose sync failed or came back incomplete"),
            BenchRow("morning rush: per tablet, median (p50)", statistics.median(per_tablet),
                     "s", None, False, "—", "sign-in not included: push and pull"),
            BenchRow("morning rush: per tablet, p95", _percentile(per_tablet, 0.95), "s", None,
                     False, "—", "sign-in not included: push and pull"),
        ]
    else:
        rows = [BenchRow(f"morning rush with a first sign-in on every tablet (context): "
                         f"{len(tablets)} × {sizes.rush_ops} ops, {sizes.rush_concurrency} at a "
                         f"time ({stage.label})", elapsed(), "s", None, False, "—",
                         f"{len(errors)} errors; each sign-in checks a scrypt password hash "
                         f"(~70 ms of server CPU by design); " + summary)]
    return rows, {"tablets": len(tablets), "errors": errors, "seconds": elapsed(),
                  "client_cpu": client_cpu}


# ---- the whole run ----------------------------------------------------------------------------

def run(pg_url: str = DEFAULT_PG_URL, sizes: Sizes = FULL, *, sqlite_context: bool = True,
        log=print) -> list[BenchRow]:
    rows: list[BenchRow] = []
    work = Path(tempfile.mkdtemp(prefix="knockdoor-bench-"))
    try:
        log(f"[bench.sync] seeding {pg_url.rsplit('@', 1)[-1]} …")
        stage = open_stage(pg_url, sizes, work, workers=sizes.workers)
        try:
            from bench.push import bench_history, push_with_cpu
            steps = [
                # first, on the fresh database: one device's long history (never analysed)
                ("one device's history, then re-push", lambda: bench_history(stage, sizes)),
                ("push ingest", lambda: push_with_cpu(stage, sizes)),
                ("pull", lambda: bench_pull(stage, sizes)),
                ("wire bytes", lambda: bench_wire(stage, sizes)),
                ("first-sync seed", lambda: ([], {"seeded": seed_first_sync_grid(stage, sizes)})),
                ("first sync", lambda: bench_first_sync(stage, sizes)),
                ("tablet", lambda: bench_tablet(stage, sizes)),
                ("tablet search", lambda: bench_search(work, sizes)),
                ("morning rush", lambda: bench_rush(stage, sizes, signed_in=True)),
                ("morning rush with first sign-ins (context)",
                 lambda: bench_rush(stage, sizes)),
            ]
            for name, step in steps:
                log(f"[bench.sync] {name} …")
                try:
                    got, _counts = step()
                except Exception as error:  # one broken figure must not hide the others
                    log(f"    FAILED: {error.__class__.__name__}: {str(error)[:500]}")
                    got = [BenchRow(f"{name}: the benchmark failed", float("nan"), "", 0.0, True,
                                    "—", f"{error.__class__.__name__}: {str(error)[:300]}")]
                for row in got:
                    log(f"    {row.figure}: {row.measured:,.2f} {row.unit} ({row.verdict})")
                rows.extend(got)
        finally:
            stage.server.stop()
        if sqlite_context:
            log("[bench.sync] push ingest on SQLite (context) …")
            lite_url = f"sqlite:///{work / 'server.db'}"
            lite = open_stage(lite_url, sizes, work, workers=1, tablets=False, rush=False,
                              push_devices=sizes.sqlite_push_devices)
            try:
                got, _ = bench_push(lite, sizes, devices=sizes.sqlite_push_devices,
                                    batches=sizes.sqlite_push_batches)
            finally:
                lite.server.stop()
            for row in got:
                log(f"    {row.figure}: {row.measured:,.2f} {row.unit}")
            rows.extend(got)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL,
                        help="PostgreSQL database to DROP and recreate for the run")
    parser.add_argument("--workers", type=int, default=FULL.workers)
    parser.add_argument("--threads", type=int, default=FULL.threads)
    parser.add_argument("--tiny", action="store_true", help="smoke-test sizes")
    parser.add_argument("--search-only", action="store_true",
                        help="only the tablet search and its baseline (no server needed)")
    args = parser.parse_args(argv)
    sizes = replace(TINY if args.tiny else FULL, workers=args.workers, threads=args.threads)
    if args.search_only:
        work = Path(tempfile.mkdtemp(prefix="knockdoor-bench-"))
        try:
            rows, _counts = bench_search(work, sizes)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    else:
        rows = run(args.pg_url, sizes)
    print(format_table(rows))
    return 0 if all(row.verdict != "MISSED" for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
