"""Where PostgreSQL's CPU goes during a push, statement by statement (issue 10).

pg_stat_statements needs a server restart to load; this needs nothing: the push runs in this
process (Flask test client) and, before each statement it sends, reads the CPU time its
PostgreSQL backend has used so far (``/proc/<pid>/schedstat``, nanoseconds; the server must run
on this machine). The backend is idle between statements, waiting for us, so the CPU used from
one statement's start to the next one's is that statement's (the last interval: COMMIT).

    python -m bench.pg_statements --pg-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_x

The database named is DROPPED and recreated. Prints µs of backend CPU per pushed op, per
statement kind, over ``--batches`` batches of ``--batch`` visits (after one untimed batch).
"""
from __future__ import annotations

import argparse
import random
import re
import sys
import uuid
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

from bench.stage import DEFAULT_PG_URL, FULL, fresh_database, seed
from bench.visits import visit_ops


def backend_ns(pid: int) -> int:
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])


class Meter:
    """Backend CPU between consecutive sample points, summed by label."""

    def __init__(self) -> None:
        self.totals: dict[str, int] = defaultdict(int)
        self.counts: dict[str, int] = defaultdict(int)
        self.pid: int | None = None
        self.label: str | None = None
        self.at = 0
        self.on = False

    def sample(self, pid: int, label: str | None) -> None:
        now = backend_ns(pid)
        if self.on and self.label is not None and self.pid == pid:
            self.totals[self.label] += now - self.at
            self.counts[self.label] += 1
        self.pid, self.label, self.at = pid, label, now


def label_of(statement: str) -> str:
    text = " ".join(statement.split())
    text = re.sub(r"\$\d+|%\(\w+\)s|%s", "?", text)
    return text[:70] + (" … " + text[-60:] if len(text) > 130 else text[70:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--residents", type=int, default=FULL.grid_residents,
                        help="residents per grid")
    parser.add_argument("--grids", type=int, default=1,
                        help="grids seeded (as many pushers); the first grid's pusher pushes")
    parser.add_argument("--sql", action="append", default=[],
                        help="a statement to run after seeding (an experiment's schema change)")
    args = parser.parse_args(argv)

    import psycopg
    from dataclasses import replace
    from sqlalchemy import event

    from bench.api_client import push_body
    from bench.stage import PASSWORD
    from server import create_app

    sizes = replace(FULL, grid_residents=args.residents)
    fresh_database(args.pg_url)
    seeded = seed(args.pg_url, sizes, push=True, tablets=False, rush=False,
                  push_devices=args.grids)
    if args.sql:
        from bench.stage import libpq_url
        with psycopg.connect(libpq_url(args.pg_url), autocommit=True) as conn:
            for statement in args.sql:
                conn.execute(statement)
    app = create_app({"DATABASE_URL": args.pg_url, "SECRET_KEY": "bench-only"})
    engine = app.extensions["knockdoor_db"]["engine"]
    meter = Meter()

    def pid_of(dbapi_connection) -> int:
        return dbapi_connection.info.backend_pid

    @event.listens_for(engine, "before_cursor_execute")
    def before(conn, cursor, statement, parameters, context, executemany):
        meter.sample(pid_of(conn.connection.dbapi_connection), label_of(statement))

    @event.listens_for(engine, "commit")
    def on_commit(conn):
        meter.sample(pid_of(conn.connection.dbapi_connection), "COMMIT")

    copy = psycopg.Cursor.copy

    @contextmanager
    def measured_copy(self, statement, *a, **kw):
        meter.sample(self.connection.info.backend_pid, label_of(statement))
        with copy(self, statement, *a, **kw) as inner:
            yield inner

    psycopg.Cursor.copy = measured_copy

    client = app.test_client()
    grid_id = seeded.push_grids[0]
    response = client.post("/api/v1/auth/login", json={
        "protocol": 2, "username": seeded.push_users[0], "password": PASSWORD,
        "device_id": str(uuid.uuid4()), "device_name": "pg_statements"})
    token = response.get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    rng = random.Random(11)
    ops = visit_ops(rng, grid_id, seeded.residents[grid_id], (args.batches + 1) * args.batch)
    total_ns = 0
    per_batch: list[float] = []
    for number in range(args.batches + 1):
        body = push_body(ops[number * args.batch:(number + 1) * args.batch])
        meter.on = number > 0
        pid = None
        with engine.connect() as probe:  # the pool's one idle connection: the next request's
            pid = probe.connection.dbapi_connection.info.backend_pid
        start = backend_ns(pid)
        response = client.post("/api/v1/sync/push", json=body, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        statuses = {r["status"] for r in response.get_json()["results"]}
        assert statuses == {"applied"}, statuses
        meter.sample(pid, None)  # closes COMMIT's interval
        if number > 0:
            total_ns += backend_ns(pid) - start
            per_batch.append((backend_ns(pid) - start) / args.batch / 1000)
    with engine.connect() as conn:  # the requests' connection: which plans its statements keep
        prepared = conn.exec_driver_sql(
            "SELECT generic_plans, custom_plans, statement FROM pg_prepared_statements").all()
    ops_timed = args.batches * args.batch
    measured = sum(meter.totals.values())
    print(f"{ops_timed} ops; backend CPU {total_ns / ops_timed / 1000:.1f} µs/op "
          f"({measured / ops_timed / 1000:.1f} attributed to statements)")
    # PostgreSQL plans a prepared statement anew for its first five runs (custom plans), then
    # keeps a generic plan; psycopg prepares a statement on its fifth run (prepare_threshold).
    print("per batch, µs/op: " + " ".join(f"{value:.0f}" for value in per_batch))
    for label, ns in sorted(meter.totals.items(), key=lambda item: -item[1]):
        print(f"{ns / ops_timed / 1000:7.2f} µs/op  {meter.counts[label] / args.batches:5.1f}×/batch"
              f"  {label}")
    print("prepared by psycopg (generic plans / custom plans):")
    for generic, custom, statement in prepared:
        print(f"  {generic:3d} / {custom:3d}  {label_of(statement)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
