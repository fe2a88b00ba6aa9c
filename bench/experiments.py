"""Small experiments behind the push path's design (issue 10), each measured in CPU per op.

    python -m bench.experiments [--pg-url URL]     # the PostgreSQL database is DROPPED

1. validation: ``OpSchema().load`` (marshmallow) against the loader compiled from the same
   schemas (shared.fastload), over realistic visit ops;
2. request body: the standard library's ``json.loads`` against ``orjson.loads`` (only if
   orjson is importable; it is not a dependency);
3. writing rows: executemany, one multi-row INSERT, and COPY, for the applied-op rows of a
   batch of 500 (client CPU + the PostgreSQL backend's CPU, per row);
4. remembering applied ops: one row per op (what the server does) against a per-device
   high-water mark (one UPDATE per batch), in the same CPU terms.

Results are printed; docs/benchmarks.md keeps those of a run with its date and load.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import uuid
from datetime import datetime, timezone

from bench.push import process_cpu
from bench.stage import DEFAULT_PG_URL, libpq_url
from bench.visits import visit_ops

BATCH = 500


def per_op(function, count: int, repeat: int) -> float:
    """Process CPU µs per item of ``function()`` handling ``count`` items, best of ``repeat``."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        function()
        best = min(best, time.process_time() - start)
    return best / count * 1e6


def realistic_ops(count: int) -> list[dict]:
    residents = [str(uuid.UUID(int=n)) for n in range(1, 200)]
    ops = visit_ops(random.Random(5), 1, residents, count)
    return json.loads(json.dumps(ops))  # as the server receives them: plain JSON values


def validation(repeat: int) -> dict[str, float]:
    from shared.fastload import compile_loader
    from shared.schemas import OpSchema
    ops = realistic_ops(2000)
    schema = OpSchema()
    fast = compile_loader(schema)
    return {"marshmallow OpSchema().load": per_op(lambda: [schema.load(op) for op in ops],
                                                 len(ops), repeat),
            "compiled loader (shared.fastload)": per_op(lambda: [fast(op) for op in ops],
                                                       len(ops), repeat)}


def body_parsing(repeat: int) -> dict[str, float]:
    from server.api.body import parse_json
    ops = realistic_ops(BATCH)
    body = json.dumps({"protocol": 2, "ops": ops}, ensure_ascii=False).encode()
    rows = {"json.loads": per_op(lambda: [json.loads(body) for _ in range(20)], 20 * BATCH,
                                 repeat),
            "server.api.body.parse_json (depth check + json.loads)": per_op(
                lambda: [parse_json(body) for _ in range(20)], 20 * BATCH, repeat)}
    try:
        import orjson
    except ImportError:
        rows["orjson.loads"] = float("nan")
    else:
        rows["orjson.loads"] = per_op(lambda: [orjson.loads(body) for _ in range(20)],
                                      20 * BATCH, repeat)
    return rows


def _rows(count: int, device: str, first_seq: int) -> list[tuple]:
    now = datetime.now(timezone.utc)
    return [(device, str(uuid.uuid4()), first_seq + n, "0" * 32, "applied", first_seq + n,
             None, None, None, "visit", str(uuid.uuid4()), 1, 1, now) for n in range(count)]


_COLUMNS = ("device_id, op_id, seq, op_hash, status, version, conflict_ids, reason_code, "
            "reason, entity, entity_id, grid_id, person_id, received_at")


def writing(pg_url: str, batches: int) -> dict[str, float]:
    """Client + backend CPU per row of three ways to write a batch's applied-op rows, and of a
    per-device high-water mark instead."""
    import psycopg

    from bench.stage import fresh_database
    fresh_database(pg_url)  # the real applied_ops table, with its keys
    results = {}
    with psycopg.connect(libpq_url(pg_url)) as conn:
        conn.execute("CREATE TABLE bench_hwm (device_id varchar(36) PRIMARY KEY, seq bigint)")
        conn.commit()
        backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        placeholders = "(" + ", ".join(["%s"] * 14) + ")"

        def executemany(rows):
            with conn.cursor() as cur:
                cur.executemany(f"INSERT INTO applied_ops ({_COLUMNS}) VALUES {placeholders}",
                                rows)

        def multirow(rows):
            conn.execute(f"INSERT INTO applied_ops ({_COLUMNS}) VALUES "
                         + ", ".join([placeholders] * len(rows)),
                         [value for row in rows for value in row])

        def copy(rows):
            with conn.cursor() as cur, cur.copy(f"COPY applied_ops ({_COLUMNS}) FROM STDIN") \
                    as writer:
                for row in rows:
                    writer.write_row(row)

        def high_water_mark(rows):
            conn.execute("INSERT INTO bench_hwm VALUES (%s, %s) ON CONFLICT (device_id) DO "
                         "UPDATE SET seq = greatest(bench_hwm.seq, excluded.seq)",
                         (rows[0][0], max(row[2] for row in rows)))

        for name, write in (("executemany", executemany), ("one multi-row INSERT", multirow),
                            ("COPY", copy), ("high-water mark instead (1 UPDATE per batch)",
                                             high_water_mark)):
            device = str(uuid.uuid4())
            plans = [_rows(BATCH, device, 1 + b * BATCH) for b in range(batches)]
            before = time.process_time(), process_cpu(backend)
            for rows in plans:
                write(rows)
                conn.commit()
            client = time.process_time() - before[0]
            server = process_cpu(backend) - before[1]
            results[name] = (client + server) / (batches * BATCH) * 1e6
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL.rsplit("/", 1)[0]
                        + "/knockdoor_experiments")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batches", type=int, default=40)
    args = parser.parse_args(argv)
    print(f"load average (1 min) at start: {os.getloadavg()[0]:.1f}")
    for title, rows in (("validation, µs of CPU per visit op", validation(args.repeat)),
                        ("request body, µs of CPU per op (500 ops a body)",
                         body_parsing(args.repeat)),
                        ("applied-op rows, µs of CPU per op (client + PostgreSQL backend)",
                         writing(args.pg_url, args.batches))):
        print(f"\n{title}")
        for name, value in rows.items():
            print(f"  {name:55s} {value:8.2f}")
    print(f"\nload average (1 min) at end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
