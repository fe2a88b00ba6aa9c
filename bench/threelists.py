"""Budgets of the three lists (issue 14) on PostgreSQL, with a district's year of requests.

    .venv/bin/python -m bench.threelists [postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

A database of its own (``knockdoor_bench_requests``, or the one named by
``KNOCKDOOR_BENCH_REQUESTS_DATABASE``, so that runs side by side do not share one) gets 696 grids and 50,000 requests raised
over the last year in every state (built in bulk, rebuilt when its version changes). Pages are
rendered by the real app through Flask's test client, signed in as the district's admin, who
sees every grid: the largest board and the largest rates table there are.
"""
from __future__ import annotations

import os
import random
import statistics
import sys
import uuid
from datetime import date, timedelta

import psycopg
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

from bench.api_client import page_seconds, signed_in_page_client
from bench.common import BenchRow, stopwatch
from bench.datasets import holds_dataset, mark_dataset

BENCH_DATABASE = os.environ.get("KNOCKDOOR_BENCH_REQUESTS_DATABASE",
                                "knockdoor_bench_requests")
GRIDS, REQUESTS = 696, 50_000
DATASET_VERSION = "knockdoor bench requests v3"
PASSWORD = "bench password"
FAST_HASH = "pbkdf2:sha256:1000"


def _urls(pg_url: str) -> tuple[str, str]:
    url = make_url(pg_url)
    bench = url.set(database=BENCH_DATABASE).render_as_string(hide_password=False)
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False)
    return bench, admin


def _version() -> str:
    """The data set's version and the schema's head: a new migration rebuilds the data set."""
    from alembic.script import ScriptDirectory

    from server.migrate import alembic_config
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    return f"{DATASET_VERSION} at {','.join(sorted(heads))}"


def _build(bench_url: str, admin_dsn: str) -> float:
    from werkzeug.security import generate_password_hash

    from server.db import make_engine
    from server.migrate import upgrade
    from server.models import Area, Person
    from server.threelists.models import Department, ServiceRequest
    from shared import requests as r

    with stopwatch() as elapsed:
        engine = make_engine(bench_url)
        with engine.begin() as db:
            db.execute(text("DROP SCHEMA public CASCADE"))
            db.execute(text("CREATE SCHEMA public"))
        upgrade(bench_url)
        rng = random.Random(14)
        now = _now()
        with engine.begin() as db:
            db.execute(insert(Area), [{"id": 1, "level": "district", "name": "区", "code": "D"}])
            db.execute(insert(Area), [{"id": 2, "level": "street", "name": "街道", "code": "S",
                                       "parent_id": 1}])
            db.execute(insert(Area), [{"id": 3, "level": "community", "name": "社区",
                                       "code": "C", "parent_id": 2}])
            db.execute(insert(Area), [{"id": 10 + g, "level": "grid", "name": f"第{g}网格",
                                       "code": f"G{g:04d}", "parent_id": 3}
                                      for g in range(GRIDS)])
            db.execute(insert(Person), [{"username": "bench_admin", "display_name": "管理员",
                                         "role": "admin", "active": True, "created_at": now,
                                         "password_hash": generate_password_hash(
                                             PASSWORD, method=FAST_HASH)}])
            db.execute(insert(Department), [{"id": d, "code": f"d{d}", "name": f"部门{d}",
                                             "active": True} for d in range(1, 6)])
            rows = []
            for _ in range(REQUESTS):
                raised = now - timedelta(days=rng.uniform(0, 365))
                state = rng.choice(r.STATES)
                owned = state not in (r.RAISED, r.WITHDRAWN)
                claimed = raised + timedelta(hours=rng.uniform(1, 72)) if owned else None
                handed = state in r.WITH_DEPARTMENT + (r.DONE, r.RETURNED, r.CLOSED)
                done = claimed + timedelta(days=rng.uniform(1, 12)) \
                    if state in (r.DONE, r.CLOSED, r.REOPENED) else None
                rows.append({
                    "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "grid_id": 10 + rng.randrange(GRIDS), "category": rng.choice(
                        r.DEFAULT_CATEGORIES), "description": "楼道灯坏了，需要维修",
                    "urgency": "normal", "channel": "visit", "raised_at": raised,
                    "state": state, "state_since": claimed or raised,
                    "owner_id": None, "owner_name": "代表" if owned else None,
                    "owner_since": claimed, "claimed_at": claimed,
                    "department_id": rng.randint(1, 5) if handed else None,
                    "handed_at": claimed if handed else None,
                    "due_on": (claimed + timedelta(days=7)).date() if handed else None,
                    "done_at": done, "first_done_at": done,
                    "done_on": (done + timedelta(hours=8)).date() if done else None,
                    "response_seconds": int((claimed - raised).total_seconds())
                    if claimed else None,
                    "verdict": rng.choice(r.VERDICTS) if state in (r.CLOSED, r.REOPENED)
                    else None, "version": 0, "events_count": 1})
            for start in range(0, len(rows), 5000):
                db.execute(insert(ServiceRequest), rows[start:start + 5000])
        engine.dispose()
        with psycopg.connect(_dsn(bench_url), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")  # what autovacuum does to a live database
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            mark_dataset(conn, BENCH_DATABASE, _version())
    return elapsed()


def _dsn(sqlalchemy_url: str) -> str:
    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(
        hide_password=False)


def _now():
    from shared.clock import utcnow
    return utcnow().replace(microsecond=0)


def _median_ms(client, path: str, repeat: int = 5) -> float:
    page_seconds(client, path, 1)  # warm the pool and the template cache
    return round(statistics.median(page_seconds(client, path, repeat)) * 1000, 1)


def run(pg_url: str) -> list[BenchRow]:
    from server import create_app

    bench_url, admin_dsn = _urls(pg_url)
    note = "data set reused"
    if not holds_dataset(admin_dsn, BENCH_DATABASE, _version()):
        note = f"data set built in {_build(bench_url, admin_dsn):.0f} s"
    app = create_app({"DATABASE_URL": bench_url, "SECRET_KEY": "bench",
                      "PASSWORD_HASH_METHOD": FAST_HASH, "LOGIN_MAX_FAILURES": 1000})
    client, _token = signed_in_page_client(app, "bench_admin", PASSWORD)
    today = date.today()
    year = f"from={(today - timedelta(days=365)).isoformat()}&to={today.isoformat()}"
    with psycopg.connect(_dsn(bench_url)) as conn:
        with stopwatch() as raw:
            conn.execute("SELECT * FROM service_requests WHERE state = ANY(%s) ORDER BY "
                         "raised_at DESC LIMIT 100", (list(_open_states()),)).fetchall()
        with stopwatch() as raw_year:
            conn.execute("SELECT grid_id, raised_at, claimed_at, due_on, first_done_at, "
                         "verdict, state FROM service_requests WHERE raised_at >= now() - "
                         "interval '365 days'").fetchall()
    board = _median_ms(client, "/requests")
    rates = _median_ms(client, f"/requests/rates?by=grid&{year}")
    return [
        BenchRow(f"requests board, whole district as admin (PostgreSQL, {REQUESTS:,} requests,"
                 f" {GRIDS} grids)", board, "ms", 300, False,
                 baseline=f"raw SQL of its page {raw() * 1000:.0f} ms; {note}"),
        BenchRow("the three rates for a year, per grid, whole district (PostgreSQL)", rates,
                 "ms", 500, False,
                 baseline=f"raw SQL reading the year's rows {raw_year() * 1000:.0f} ms"),
    ]


def _open_states():
    from shared.requests import OPEN_STATES
    return OPEN_STATES


if __name__ == "__main__":
    for row in run(sys.argv[1] if len(sys.argv) > 1 else
                   "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"):
        print(f"{row.figure}: {row.measured} {row.unit} (budget {row.budget_text()}, "
              f"{row.verdict}); {row.baseline}")
