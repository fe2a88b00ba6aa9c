"""How long revision 0007b_constraint_names takes on a database deployed before it.

On SQLite it makes every table anew (row for row, under deferred foreign keys); on PostgreSQL it
renames in place. This makes a database as a server migrated before the convention has it, fills
it with a district's worth of residents, visits and audit entries, and times the upgrade.

    python -m bench.constraint_names                       # SQLite, 20,000 residents
    python -m bench.constraint_names --residents 50000 --visits 1000000
    python -m bench.constraint_names --database-url postgresql+psycopg://…/knockdoor_bench

PostgreSQL: the database's ``bench_0007b`` schema is dropped and made again.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from alembic import command
from sqlalchemy import MetaData, text

from server.db import make_engine
from server.migrate import alembic_config

SCHEMA = "bench_0007b"
WHEN = "2026-11-20 02:00:00"


def deployed_url(database_url: str | None, directory: Path) -> str:
    if database_url is None:
        return f"sqlite:///{directory / 'deployed.db'}"
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    engine.dispose()
    return f"{database_url}?options=-csearch_path={SCHEMA}"


def fill(url: str, residents: int, visits: int, grids: int = 200) -> None:
    engine = make_engine(url)
    with engine.begin() as db:
        db.execute(text("INSERT INTO areas (id, level, parent_id, name, code) "
                        "VALUES (1, 'community', NULL, '社区', 'C1')"))
        db.execute(text("INSERT INTO areas (id, level, parent_id, name, code) "
                        "VALUES (:id, 'grid', 1, :name, :code)"),
                   [{"id": 1 + g, "name": f"网格{g}", "code": f"G{g}"} for g in range(1, grids + 1)])
        db.execute(text("INSERT INTO people (id, username, display_name, password_hash, role, "
                        "active, created_at) VALUES (1, 'li', '李', 'x', 'volunteer', true, :at)"),
                   {"at": WHEN})
        db.execute(text(
            "INSERT INTO residents (id, grid_id, name, search_keys, sex, birth_year, address, "
            "care_categories, safety_devices, device_details, status, version, field_stamps, "
            "created_at) VALUES (:id, :grid, '王秀兰', '', 'F', 1940, '建设路51号院2号楼4单元202', "
            "'[\"alone\"]', '[]', '{}', 'active', 1, '{}', :at)"),
            [{"id": f"r{n:08d}", "grid": 2 + n % grids, "at": WHEN} for n in range(residents)])
        details = json.dumps({"mood": "good", "readings": {"systolic": 135, "diastolic": 85}})
        for start in range(0, visits, 50_000):
            db.execute(text(
                "INSERT INTO visits (id, resident_id, grid_id, author_id, visited_at, device_time, "
                "recorded_at, outcome, details) VALUES (:id, :resident, :grid, 1, :at, :at, :at, "
                "'met', :details)"),
                [{"id": f"v{n:09d}", "resident": f"r{n % residents:08d}",
                  "grid": 2 + (n % residents) % grids, "at": WHEN, "details": details}
                 for n in range(start, min(visits, start + 50_000))])
        db.execute(text("INSERT INTO audit_log (id, at, person_id, action, detail) "
                        "VALUES (:id, :at, 1, 'push', '{}')"),
                   [{"id": n, "at": WHEN} for n in range(1, residents // 10 + 2)])
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--visits", type=int, default=200_000)
    parser.add_argument("--database-url", help="PostgreSQL; SQLite in a temporary file if left out")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = deployed_url(args.database_url, Path(directory))
        before = alembic_config(url)
        before.attributes["target_metadata"] = MetaData()  # the migrations as they ran then
        command.upgrade(before, "0006h_requests")
        fill(url, args.residents, args.visits)
        started = time.perf_counter()
        command.upgrade(alembic_config(url), "0007b_constraint_names")
        seconds = time.perf_counter() - started
        backend = "postgresql" if args.database_url else "sqlite"
        print(f"0007b_constraint_names on {backend}: {args.residents} residents, "
              f"{args.visits} visits: {seconds:.2f} s")
        if args.database_url:
            engine = make_engine(args.database_url)
            with engine.begin() as connection:
                connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            engine.dispose()


if __name__ == "__main__":
    main()
