"""Raw-database baselines: what the same rows cost without the server in between."""
from __future__ import annotations

import json
import sqlite3
import time


from bench.common import stopwatch

from bench.stage import is_postgres, libpq_url, sqlite_path


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
