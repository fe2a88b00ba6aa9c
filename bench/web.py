"""Web view budgets on PostgreSQL with a district-sized data set.

    .venv/bin/python -m bench.web [postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

The data set (696 grids, 30,000 residents, 1,000,000 visits over the last year) is built once,
with COPY, into its own database ``knockdoor_bench_web`` on that server, and reused afterwards.
The pages are rendered by the real app (``create_app``) through Flask's test client, signed in
as the district admin, who sees the whole district: the largest dashboard there is.
"""
from __future__ import annotations

import io
import json
import os
import random
import re
import statistics
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone

import psycopg

from bench.api_client import page_seconds, signed_in_page_client
from bench.common import BenchRow, stopwatch
from bench.datasets import holds_dataset, mark_dataset
from bench.stage import database_urls

BENCH_DATABASE = "knockdoor_bench_web"
STREETS, COMMUNITIES_PER_STREET, GRIDS_PER_COMMUNITY = 12, 6, 10  # 12 × 6 × 10 = 720 …
GRIDS = 696  # … of which the first 696 are made: the district in the seed article
RESIDENTS = 30_000
VISITS = 1_000_000
ROSTER_ROWS = 5_000
FAST_HASH = "pbkdf2:sha256:1000"
#: Stored as the database's comment; a data set of another version is rebuilt.
DATASET_VERSION = "knockdoor bench web v2"
PASSWORD = "bench password"

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = ["秀英", "桂兰", "玉兰", "淑珍", "凤英", "建国", "德明", "志强", "桂芳", "玉珍", "秀兰",
         "金花", "国华", "春梅", "淑芬", "玉梅", "素珍", "文华", "宝山", "振华"]


def _is_built(admin_dsn: str, raw_dsn: str) -> bool:
    """True when the data set is there, whole: its version and its counts."""
    if not holds_dataset(admin_dsn, BENCH_DATABASE, DATASET_VERSION):
        return False
    with psycopg.connect(raw_dsn) as conn:
        residents = conn.execute("SELECT count(*) FROM residents").fetchone()[0]
        visits = conn.execute("SELECT count(*) FROM visits").fetchone()[0]
    return residents == RESIDENTS and visits == VISITS


def _build(bench_url: str, raw_dsn: str) -> float:
    """Fill the bench database; returns the seconds it took."""
    from werkzeug.security import generate_password_hash

    from server.migrate import upgrade
    from shared.district_rules import follows_up
    from shared.due import open_follow_up, VisitFact
    from shared.search import search_keys

    started = time.perf_counter()
    with psycopg.connect(raw_dsn, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")
    upgrade(bench_url)
    rng = random.Random(2024)
    now = datetime.now(timezone.utc)
    with psycopg.connect(raw_dsn) as conn:
        cur = conn.cursor()
        area_rows, grids = [(1, "district", None, "华龙区", "D0001")], []
        next_id = 2
        for s in range(STREETS):
            street = next_id
            area_rows.append((street, "street", 1, f"第{s + 1}街道", f"S{s + 1:04d}"))
            next_id += 1
            for c in range(COMMUNITIES_PER_STREET):
                community = next_id
                area_rows.append((community, "community", street, f"第{s + 1}-{c + 1}社区",
                                  f"C{s + 1:02d}{c + 1:02d}"))
                next_id += 1
                for g in range(GRIDS_PER_COMMUNITY):
                    if len(grids) == GRIDS:
                        break
                    area_rows.append((next_id, "grid", community,
                                      f"第{s + 1}-{c + 1}-{g + 1}网格",
                                      f"G{s + 1:02d}{c + 1:02d}{g + 1:02d}"))
                    grids.append(next_id)
                    next_id += 1
        with cur.copy("COPY areas (id, level, parent_id, name, code) FROM STDIN") as copy:
            for row in area_rows:
                copy.write_row(row)
        cur.execute("SELECT setval(pg_get_serial_sequence('areas', 'id'), %s)", (next_id,))

        password_hash = generate_password_hash(PASSWORD, method=FAST_HASH)
        people = [(1, "bench_admin", "区管理员", password_hash, "admin", True, now)]
        assignments, devices = [], []
        for index, grid in enumerate(grids):
            for k in range(2):
                person_id = len(people) + 1
                people.append((person_id, f"vol{index}_{k}", f"志愿者{index}-{k}", password_hash,
                               "volunteer", True, now))
                assignments.append((person_id, grid, "volunteer", now.date() - timedelta(400),
                                    None))
                synced = now - timedelta(hours=rng.uniform(1, 24 * 8))
                devices.append((str(uuid.uuid4()), person_id, f"平板{person_id}",
                                uuid.uuid4().hex, now - timedelta(days=300), synced, synced,
                                "1.0.0", 2, 0.0))
        with cur.copy("COPY people (id, username, display_name, password_hash, role, active, "
                      "created_at) FROM STDIN") as copy:
            for row in people:
                copy.write_row(row)
        cur.execute("SELECT setval(pg_get_serial_sequence('people', 'id'), %s)",
                    (len(people) + 1,))
        with cur.copy("COPY assignments (person_id, area_id, role, starts_on, ends_on) "
                      "FROM STDIN") as copy:
            for row in assignments:
                copy.write_row(row)
        with cur.copy("COPY devices (id, person_id, name, token_hash, created_at, last_push_at, "
                      "last_pull_at, app_version, protocol_version, clock_skew_seconds) "
                      "FROM STDIN") as copy:
            for row in devices:
                copy.write_row(row)

        keys_cache: dict[str, str] = {}
        visits_per_resident = VISITS // RESIDENTS
        extra = VISITS - visits_per_resident * RESIDENTS
        resident_copy = cur.copy(
            "COPY residents (id, grid_id, name, search_keys, sex, birth_year, address, phone, "
            "care_categories, ability_level, visit_cadence_days, safety_devices, device_details, "
            "status, version, field_stamps, created_at, last_visit_at, last_met_at, "
            "follow_up_since) FROM STDIN")
        visit_rows: list[tuple] = []
        with resident_copy as copy:
            for index in range(RESIDENTS):
                grid = grids[index % len(grids)]
                name = rng.choice(SURNAMES) + rng.choice(GIVEN)
                keys = keys_cache.get(name) or keys_cache.setdefault(name, search_keys(name))
                situation = rng.choice([["alone"], ["empty_nest"], ["alone", "disabled"],
                                        ["disabled"], []])
                resident_id = str(uuid.uuid4())
                count = visits_per_resident + (1 if index < extra else 0)
                times = sorted(now - timedelta(seconds=rng.uniform(3600, 365 * 86400))
                               for _ in range(count))
                facts = []
                for when in times:
                    outcome = rng.choices(("met", "no_answer", "away"), (85, 10, 5))[0]
                    details = {"needs": [], "services": ["chat"], "mood": "ok",
                               "note": "身体状况良好,按时服药。"}
                    if outcome == "met":
                        high = rng.random() < 0.002
                        details["readings"] = {
                            "systolic": rng.randint(182, 200) if high else rng.randint(110, 165),
                            "diastolic": rng.randint(80, 105), "pulse": rng.randint(60, 95)}
                    visit_id = str(uuid.uuid4())
                    facts.append(VisitFact(visit_id, when, outcome))
                    visit_rows.append((visit_id, resident_id, grid, None, when, when, when,
                                       outcome, json.dumps(details, ensure_ascii=False)))
                met = [f.visited_at for f in facts if f.outcome == "met"]
                sex, birth_year = rng.choice("FM"), rng.randint(1928, 1955)
                copy.write_row((
                    resident_id, grid, name, keys, sex, birth_year,
                    f"幸福路{rng.randint(1, 300)}号{rng.randint(1, 12)}号楼{rng.randint(1, 30)}0{rng.randint(1, 4)}",
                    f"13{rng.randint(100000000, 999999999)}", json.dumps(situation), "intact",
                    None, json.dumps([]), "{}", "active", 0, "{}", now - timedelta(days=400),
                    times[-1] if times else None, max(met) if met else None,
                    open_follow_up(follows_up(situation, birth_year, None, now.date()), facts)))
        # Loaded in time order, as a live server receives them: recent visits share pages.
        visit_rows.sort(key=lambda row: row[4])
        with cur.copy("COPY visits (id, resident_id, grid_id, author_id, visited_at, "
                      "device_time, recorded_at, outcome, details) FROM STDIN") as copy:
            for row in visit_rows:
                copy.write_row(row)
        del visit_rows
        mark_dataset(cur, BENCH_DATABASE, DATASET_VERSION)
        conn.commit()
        cur.execute("ANALYZE")
        conn.commit()
    return time.perf_counter() - started


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 1)


def _roster_csv(grid_codes: list[str], marker: str) -> bytes:
    rng = random.Random(5)
    lines = ["网格,姓名,性别,出生年份,地址,电话,居住情况"]
    for index in range(ROSTER_ROWS):
        lines.append(f"{rng.choice(grid_codes)},{rng.choice(SURNAMES)}{rng.choice(GIVEN)},"
                     f"{rng.choice('男女')},{rng.randint(1930, 1955)},{marker}{index}号,"
                     f"13{rng.randint(100000000, 999999999)},{rng.choice(['独居', '空巢', '独居、高龄'])}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def run(pg_url: str) -> list[BenchRow]:
    from server import create_app

    bench_url, raw_dsn, admin_dsn = database_urls(pg_url, BENCH_DATABASE)
    build_note = "data set reused"
    if not _is_built(admin_dsn, raw_dsn):
        build_note = f"data set built with COPY in {_build(bench_url, raw_dsn):.0f} s"
    app = create_app({"DATABASE_URL": bench_url, "SECRET_KEY": "bench",
                      "PASSWORD_HASH_METHOD": FAST_HASH, "LOGIN_MAX_FAILURES": 1000})
    client, token = signed_in_page_client(app, "bench_admin", PASSWORD)
    rows: list[BenchRow] = []

    # Raw baselines: the plain SQL behind the dashboard and the grid page, same data, same run.
    with psycopg.connect(raw_dsn) as conn:
        def raw(sql: str, params=()) -> float:
            samples = []
            for _ in range(5):
                with stopwatch() as elapsed:
                    conn.execute(sql, params).fetchall()
                samples.append(elapsed())
            return statistics.median(samples)
        raw_residents = raw("SELECT id, name, grid_id, sex, birth_year, address, phone, "
                            "care_categories, status, last_visit_at, last_met_at, "
                            "follow_up_since, visit_cadence_days, created_at, search_keys "
                            "FROM residents")
        raw_chart = raw("SELECT to_char(timezone('UTC', visited_at) + interval '8 hours', "
                        "'YYYY-MM-DD') d, count(*) FROM visits WHERE visited_at >= now() - "
                        "interval '30 days' AND correction IS NULL GROUP BY d")
        grid_ids = [r[0] for r in conn.execute(
            "SELECT id FROM areas WHERE level = 'grid' ORDER BY id").fetchall()]
        grid_codes = [r[0] for r in conn.execute(
            "SELECT code FROM areas WHERE level = 'grid' ORDER BY id LIMIT 60").fetchall()]
        raw_grid = raw("SELECT * FROM residents WHERE grid_id = %s", (grid_ids[100],))

    page_seconds(client, "/", 1)  # warm the pool and the template cache
    dashboard = page_seconds(client, "/", 5)
    rows.append(BenchRow(
        "dashboard render, whole district as admin (PostgreSQL, 30,000 residents, 1,000,000 "
        "visits)", _median_ms(dashboard), "ms", 1000, False,
        baseline=f"raw SQL behind it: residents {raw_residents * 1000:.0f} ms + visits per day "
                 f"{raw_chart * 1000:.0f} ms",
        note=build_note))
    grid_samples = []
    for grid_id in grid_ids[::35]:
        grid_samples += page_seconds(client, f"/grids/{grid_id}", 1)
    rows.append(BenchRow("grid page render (~43 residents, PostgreSQL)",
                         _median_ms(grid_samples), "ms", 300, False,
                         baseline=f"raw SQL for the grid's residents {raw_grid * 1000:.1f} ms"))

    marker = f"导入测试路{uuid.uuid4().hex[:6]}-"
    roster = _roster_csv(grid_codes, marker)
    with stopwatch() as preview_time:
        preview = client.post("/import", data={"file": (io.BytesIO(roster), "roster.csv"),
                                               "csrf_token": token},
                              content_type="multipart/form-data")
    assert preview.status_code == 200, preview.get_data(as_text=True)[-2000:]
    upload = re.search(r'name="upload" value="([^"]+)"', preview.get_data(as_text=True)).group(1)
    with stopwatch() as import_time:
        done = client.post("/import", data={"upload": upload, "mode": "all",
                                            "csrf_token": token})
    assert done.status_code == 302, done.status_code
    with psycopg.connect(raw_dsn) as conn:
        imported = conn.execute("SELECT count(*) FROM residents WHERE address LIKE %s",
                                (marker + "%",)).fetchone()[0]
        assert imported == ROSTER_ROWS, imported
        with stopwatch() as raw_insert:
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO residents (id, grid_id, name, search_keys, sex, birth_year, "
                    "address, care_categories, ability_level, safety_devices, device_details, "
                    "status, version, field_stamps, created_at) VALUES (%s, %s, 'x', '', 'F', "
                    "1940, 'x', '[]', 'intact', '[]', '{}', 'active', 0, '{}', now())",
                    [(str(uuid.uuid4()), grid_ids[0]) for _ in range(ROSTER_ROWS)])
        conn.rollback()
        # Leave the data set as it was, for the next run.
        conn.execute("DELETE FROM change_log WHERE entity = 'resident' AND entity_id IN "
                     "(SELECT id FROM residents WHERE address LIKE %s)", (marker + "%",))
        conn.execute("DELETE FROM residents WHERE address LIKE %s", (marker + "%",))
        conn.commit()
    rows.append(BenchRow(
        "roster import, 5,000 rows CSV: confirm step (parse, validate, write, change log)",
        round(import_time(), 2), "s", 10, False,
        baseline=f"raw executemany of 5,000 resident rows {raw_insert():.2f} s",
        note=f"the dry-run preview before it took {preview_time():.2f} s"))
    app.extensions["knockdoor_db"]["engine"].dispose()
    return rows


def main() -> None:
    pg_url = (sys.argv[1] if len(sys.argv) > 1 else None) or \
        os.environ.get("KNOCKDOOR_BENCH_DATABASE_URL") or \
        os.environ.get("KNOCKDOOR_TEST_DATABASE_URL") or \
        "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    for row in run(pg_url):
        print(f"{row.figure}: {row.measured:g} {row.unit} (budget {row.budget_text()}, "
              f"{row.verdict}) — baseline: {row.baseline}" + (f" — {row.note}" if row.note
                                                             else ""))


if __name__ == "__main__":
    main()
