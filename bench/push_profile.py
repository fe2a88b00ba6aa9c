"""Push CPU per op in-process: the app called as WSGI, without HTTP, gunicorn or a client.

On a machine shared with others the CPU time of a whole HTTP benchmark moves with their load;
the CPU of the WSGI call alone, taken over several rounds, moves less, and cProfile can see
into it. One device pushes ``--batches`` batches of ``--size`` visits (bench.visits), then
pushes them all again ``--rounds`` times (every op answered duplicate, issue 10's re-push).

    python -m bench.push_profile                            # SQLite in a scratch directory
    python -m bench.push_profile --db-url postgresql+psycopg://…/scratch   # DROPs its schema
    python -m bench.push_profile --profile 30               # cProfile of the last re-push
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import gzip
import json
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session
from werkzeug.test import EnvironBuilder

from bench.api_client import push_body
from bench.visits import gzip_json, visit_ops

PASSWORD_HASH = "pbkdf2:sha256:1000"  # sign-in is not what is measured


def fresh_app(db_url: str):
    """A migrated, empty database with one volunteer on one grid of 50 residents, and an app
    on it. Returns (app, grid id, resident ids)."""
    from server import create_app
    from server.db import make_engine
    from server.migrate import upgrade
    from shared import protocol as p
    from testkit.factories import make_district, make_person, make_resident

    if db_url.startswith("postgresql"):
        engine = make_engine(db_url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    upgrade(db_url)
    engine = make_engine(db_url, lock_on_begin=False)
    with Session(engine, expire_on_commit=False) as session:
        grid = make_district(session, streets=1, communities=1, grids=1).grids[0]
        make_person(session, "alice", p.VOLUNTEER, [grid], "王秀英")
        residents = [make_resident(session, grid, name=f"张{n}") for n in range(50)]
        session.commit()
        grid_id, resident_ids = grid.id, [resident.id for resident in residents]
    engine.dispose()
    app = create_app({"DATABASE_URL": db_url, "TESTING": True, "SECRET_KEY": "bench-only",
                      "PASSWORD_HASH_METHOD": PASSWORD_HASH, "SESSION_COOKIE_SECURE": False})
    return app, grid_id, resident_ids


def sign_in(app) -> dict:
    """The headers of a push from a newly signed-in device (gzip both ways, as tablets send)."""
    from testkit.factories import PASSWORD
    from testkit.ops import ApiDevice

    device = ApiDevice(app.test_client(), "alice", PASSWORD)
    return {**device.headers, "Content-Type": "application/json", "Content-Encoding": "gzip",
            "Accept-Encoding": "gzip"}


def push_all(app, bodies: list[bytes], headers: dict,
             profiler: cProfile.Profile | None = None) -> tuple[float, dict[str, int]]:
    """Push every body once; returns (CPU seconds spent in the WSGI calls, count per status)."""
    environs = [EnvironBuilder(path="/api/v1/sync/push", method="POST", data=body,
                               headers=headers).get_environ() for body in bodies]
    spent, statuses = 0.0, {}
    for environ in environs:
        answer = {}

        def start_response(status, response_headers, exc_info=None):
            answer["status"], answer["headers"] = status, dict(response_headers)

        started = time.process_time()
        if profiler:
            profiler.enable()
        data = b"".join(app(environ, start_response))
        if profiler:
            profiler.disable()
        spent += time.process_time() - started
        if not answer["status"].startswith("200"):
            raise RuntimeError(f"push answered {answer['status']}: {data[:300]!r}")
        if answer["headers"].get("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        for result in json.loads(data)["results"]:
            statuses[result["status"]] = statuses.get(result["status"], 0) + 1
    return spent, statuses


def main(argv: list[str] | None = None, *, freeze: bool = True) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db-url", help="a scratch database (its public schema is dropped); "
                                         "default: SQLite in a temporary directory")
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--size", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3, help="re-pushes of every batch")
    parser.add_argument("--profile", type=int, metavar="N", default=0,
                        help="print cProfile's N costliest functions of the last re-push")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="knockdoor-push-profile-") as scratch:
        db_url = args.db_url or f"sqlite:///{Path(scratch) / 'server.db'}"
        app, grid_id, resident_ids = fresh_app(db_url)
        headers = sign_in(app)
        ops = visit_ops(random.Random(23), grid_id, resident_ids, args.batches * args.size)
        bodies = [gzip_json(push_body(ops[b * args.size:(b + 1) * args.size]))
                  for b in range(args.batches)]
        count = len(ops)
        if freeze:  # not in a test run, whose many apps must be collected
            # As server/wsgi.py does in every worker: the long-lived objects out of the
            # collector's sight, or a full collection now and then walks them all (~180 ms
            # here, ~18 µs per op of a round).
            gc.collect()
            gc.freeze()
        spent, statuses = push_all(app, bodies, headers)
        print(f"first push: {spent / count * 1e6:.1f} µs/op server CPU {statuses}")
        figures, profiler = [], None
        for round_ in range(args.rounds):
            profiler = cProfile.Profile() if args.profile and round_ == args.rounds - 1 else None
            spent, statuses = push_all(app, bodies, headers, profiler)
            figures.append(spent / count * 1e6)
            print(f"re-push {round_ + 1}: {figures[-1]:.1f} µs/op server CPU {statuses}"
                  f"{' (profiled)' if profiler else ''}")
        unprofiled = figures[:-1] if profiler and len(figures) > 1 else figures
        if unprofiled:
            print(f"re-push: best {min(unprofiled):.1f} µs/op server CPU of {len(unprofiled)} "
                  f"round(s) without the profiler")
        if profiler:
            pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
