"""Tablet-core benchmarks: first sync into an empty store, the local visit write and the due list."""
from __future__ import annotations

import json
import random
import shutil
import sqlite3
import statistics
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests

from bench.common import BenchRow, stopwatch

from bench.stage import PASSWORD, Sizes, Stage
from bench.visits import gzip_json, iso, visit_data, visit_ops
from bench.api_client import login, post, push_body


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



# ---- 6 and 7. the tablet ----------------------------------------------------------------------

def percentile(values: list[float], q: float) -> float:
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
    med, p95 = statistics.median(write_times), percentile(write_times, 0.95)
    rows = [
        BenchRow("tablet: record a visit (local write + outbox), median", med, "ms", 10.0, False,
                 f"raw sqlite3 insert+commit, synchronous=FULL: median "
                 f"{statistics.median(raw_write):.2f} ms", f"{len(write_times)} visits"),
        BenchRow("tablet: record a visit (local write + outbox), p95", p95, "ms", 10.0, False,
                 f"raw sqlite3 insert+commit, synchronous=FULL: p95 "
                 f"{percentile(raw_write, 0.95):.2f} ms", f"{len(write_times)} visits"),
        BenchRow(f"tablet: due/overdue list over {residents:,} residents (today_list), median",
                 statistics.median(list_times), "ms", 50.0, False,
                 f"raw SELECT of the {residents:,} rows: median "
                 f"{statistics.median(raw_times):.2f} ms",
                 f"p95 {percentile(list_times, 0.95):.1f} ms over {len(list_times)} calls"),
    ]
    return rows, {"residents": residents, "recorded": len(write_times),
                  "outbox": counts["outbox"]}
