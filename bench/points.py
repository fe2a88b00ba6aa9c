"""Duty points budgets (issue 15) on PostgreSQL: a district of 700 representatives with a year
of visits.

    .venv/bin/python -m bench.points [postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

The data set (696 grids, one representative each and a second in the first four: 700; 30
residents a grid; each representative visits four of their residents a week for a year, 10%
of knocks unanswered, 1% voided) is built once with COPY into its own database
(``knockdoor_bench_points``, or ``KNOCKDOOR_BENCH_POINTS_DATABASE``) and reused. Measured
in-process with the real app and the same functions the pages call:

* the stored ledger built from scratch (what the first reader after the upgrade, or after a
  new version of the rules, waits for), and the same ledger computed in memory per view, as
  the pages did before the ledger was stored (the "before" figure, in the same run);
* the district's points (the ranking and the area totals, as /points shows them) for a year
  and for a month, right after ``NEW_VISITS`` visits were recorded through the change batch
  (the page catches the store up first), and again with nothing new;
* one duty report PDF, and the batch of every representative's report (timed on
  ``BATCH_SAMPLE`` reports and extrapolated to 700, as the row says, unless ``--full-batch``).

The baseline (same run): one grouped SELECT of the year's visits per author, the least a page
of a year's figures could cost if it read the visits themselves.
"""
from __future__ import annotations

import os
import random
import statistics
import sys
import uuid
from datetime import datetime, timedelta, timezone

import psycopg

from bench.common import BenchRow, stopwatch
from bench.datasets import holds_dataset, mark_dataset
from bench.stage import database_urls

BENCH_DATABASE = os.environ.get("KNOCKDOOR_BENCH_POINTS_DATABASE", "knockdoor_bench_points")
DATASET_VERSION = "knockdoor bench points v3 (stored ledger, monthly sums)"
GRIDS, RESIDENTS_PER_GRID, REPRESENTATIVES = 696, 30, 700
VISITS_PER_WEEK, WEEKS = 4, 52
BATCH_SAMPLE = 50
NEW_VISITS = 100


def _build(bench_url: str, raw_dsn: str, now: datetime) -> int:
    from server.migrate import upgrade
    with psycopg.connect(raw_dsn, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")
    upgrade(bench_url)
    rng = random.Random(15)
    visits = 0
    with psycopg.connect(raw_dsn) as conn:
        cur = conn.cursor()
        areas, grids = [(1, "district", None, "华龙区", "D1"), (2, "street", 1, "长庆路街道", "S1")], []
        for g in range(GRIDS):
            if g % 10 == 0:
                areas.append((len(areas) + 1, "community", 2, f"第{g // 10 + 1}社区", f"C{g // 10}"))
                community = len(areas)
            areas.append((len(areas) + 1, "grid", community, f"第{g + 1}网格", f"G{g}"))
            grids.append(len(areas))
        with cur.copy("COPY areas (id, level, parent_id, name, code) FROM STDIN") as copy:
            for row in areas:
                copy.write_row(row)
        people = [(1, "bench_admin", "区管理员", "x", "admin", True, now)]
        home = {}
        for r in range(REPRESENTATIVES):
            people.append((r + 2, f"rep{r}", f"代表{r}", "x", "representative", True, now))
            home[r + 2] = grids[r % GRIDS]
        with cur.copy("COPY people (id, username, display_name, password_hash, role, active, "
                      "created_at) FROM STDIN") as copy:
            for row in people:
                copy.write_row(row)
        with cur.copy("COPY assignments (person_id, area_id, role, starts_on) FROM STDIN") as copy:
            for person, grid in home.items():
                copy.write_row((person, grid, "representative", (now - timedelta(400)).date()))
        residents: dict[int, list[str]] = {}
        with cur.copy("COPY residents (id, grid_id, name, search_keys, sex, birth_year, address, "
                      "care_categories, safety_devices, device_details, status, version, "
                      "field_stamps, created_at) FROM STDIN") as copy:
            for grid in grids:
                for n in range(RESIDENTS_PER_GRID):
                    rid = str(uuid.uuid4())
                    residents.setdefault(grid, []).append(rid)
                    copy.write_row((rid, grid, f"居民{n}", "", "F", rng.randint(1930, 1955),
                                    f"幸福路{n}号", '["alone"]' if n % 3 == 0 else "[]",
                                    "[]", "{}", "active", 0, "{}", now - timedelta(400)))
        with cur.copy("COPY visits (id, resident_id, grid_id, author_id, visited_at, device_time, "
                      "recorded_at, outcome, details, corrects_id, correction) FROM STDIN") as copy:
            for person, grid in home.items():
                for week in range(WEEKS):
                    for _ in range(VISITS_PER_WEEK):
                        when = now - timedelta(days=7 * week + rng.uniform(0, 7))
                        rid = rng.choice(residents[grid])
                        vid = str(uuid.uuid4())
                        outcome = "no_answer" if rng.random() < 0.1 else "met"
                        copy.write_row((vid, rid, grid, person, when, when, when, outcome, "{}",
                                        None, None))
                        visits += 1
                        if rng.random() < 0.01:
                            later = when + timedelta(hours=1)
                            copy.write_row((str(uuid.uuid4()), rid, grid, person, later, later,
                                            later, None, "{}", vid, "void"))
                            visits += 1
        mark_dataset(cur, BENCH_DATABASE, DATASET_VERSION)
        conn.commit()
        cur.execute("ANALYZE")
        conn.commit()
    return visits


def _baseline(s, first) -> tuple[float, str]:
    from sqlalchemy import text
    samples = []
    for _ in range(3):
        with stopwatch() as elapsed:
            rows = s.execute(text("SELECT author_id, count(*) FROM visits WHERE visited_at >= "
                                  ":first GROUP BY author_id"), {"first": first}).all()
        samples.append(elapsed())
    median = statistics.median(samples)
    return median, f"grouped SELECT of the year's visits per author ({len(rows)} rows): " \
        f"{median * 1000:.0f} ms"


def _new_visits(s, now: datetime, count: int) -> None:
    """``count`` visits recorded as a push records them (the change batch and its log)."""
    from sqlalchemy import select

    from server.models import Assignment, Person, Resident
    from server.sync.changelog import ensure_head
    from testkit.web_scenario import add_visit

    ensure_head(s)
    rng = random.Random(now.toordinal())
    people = s.execute(select(Assignment.person_id, Assignment.area_id)).all()
    for n in range(count):
        person_id, grid_id = rng.choice(people)
        resident = s.scalars(select(Resident).where(Resident.grid_id == grid_id)
                             .limit(1).offset(rng.randrange(RESIDENTS_PER_GRID))).one()
        author = s.get(Person, person_id)
        add_visit(s, resident, author, now - timedelta(minutes=n))
    s.commit()


def run(pg_url: str, full_batch: bool = False) -> list[BenchRow]:
    from sqlalchemy import delete, select

    from server import create_app
    from server import points, points_store
    from server.db import db
    from server.models import Area, Person, PointsState
    from server.web.pages.duty_reports import batch_inputs, person_report, report_inputs
    from server.web.queries.points import points_view, standings
    from shared import points as sp
    from shared.clock import utcnow

    bench_url, raw_dsn, admin_dsn = database_urls(pg_url, BENCH_DATABASE)
    note = "data set reused"
    if not holds_dataset(admin_dsn, BENCH_DATABASE, DATASET_VERSION):
        with stopwatch() as elapsed:
            count = _build(bench_url, raw_dsn, datetime.now(timezone.utc))
        note = f"data set ({count:,} visits) built in {elapsed():.0f} s"
    app = create_app({"DATABASE_URL": bench_url, "SECRET_KEY": "bench"})
    rows = []
    with app.test_request_context("/"):
        s = db.session
        grid_ids = set(s.scalars(select(Area.id).where(Area.level == "grid")))
        today = utcnow().date()
        year_first, year_last = points.period_bounds("year", today)
        # the last whole month (on the 1st, this month would be one day of data)
        first, last = points.period_bounds("month", today.replace(day=1) - timedelta(days=1))
        _baseline_seconds, baseline_text = _baseline(s, datetime(today.year, 1, 1, tzinfo=timezone.utc))

        # before: the whole ledger computed in memory from the facts, as every view did
        with stopwatch() as computed:
            entries, facts = points.ledger(s, grid_ids, utcnow())
            sp.totals(entries, year_first, year_last)
        visits = sum(1 for f in facts.items if type(f).__name__ == "PointsVisit")
        # the stored ledger built from scratch
        s.execute(delete(PointsState))
        with stopwatch() as built:
            points_store.refresh(s, utcnow())
            s.commit()
        rows.append(BenchRow(
            f"the district's ledger built and stored from scratch ({visits:,} visits)",
            built(), "s", None, False, baseline_text,
            note=f"once: after the upgrade or a new version of the rules; before the ledger "
                 f"was stored every page view computed it in memory: {computed():.1f} s in "
                 f"this run; {note}"))

        def page(period_first, period_last):
            view = points_view(s, grid_ids, period_first, period_last)
            table = standings(s, view)
            s.commit()
            return table

        for label, (p_first, p_last) in (("a year", (year_first, year_last)),
                                         ("a month", (first, last))):
            _new_visits(s, utcnow(), NEW_VISITS)
            with stopwatch() as caught_up:
                table = page(p_first, p_last)
            samples = []
            for _ in range(3):
                with stopwatch() as elapsed:
                    page(p_first, p_last)
                samples.append(elapsed())
            rows.append(BenchRow(
                f"points for the district for {label}: {REPRESENTATIVES} representatives, "
                f"{visits:,} visits in a year, just after {NEW_VISITS} new visits (PostgreSQL)",
                caught_up(), "s", 1.0, False, baseline_text,
                note=f"{len(table)} people ranked; the store caught up with the new visits' "
                     f"residents in the same view"))
            rows.append(BenchRow(
                f"points for the district for {label}, nothing new since the last view",
                statistics.median(samples), "s", 1.0, False, baseline_text))
        people = list(s.scalars(select(Person).where(Person.role == "representative")
                                .order_by(Person.id)))
        entries, facts = report_inputs(s, grid_ids, first, last, people[0].id)
        person_report(s, None, people[0], first, last, entries, facts)  # warm the font
        samples = []
        for person in people[:5]:
            with stopwatch() as elapsed:  # as the report's route does it
                mine, mine_facts = report_inputs(s, points.grids_worked(s, person.id), first,
                                                 last, person.id)
                person_report(s, None, person, first, last, mine, mine_facts)
            samples.append(elapsed())
        rows.append(BenchRow("one duty report PDF (a month: the person's stored entries, the "
                             "facts of their grids, the PDF)", statistics.median(samples), "s",
                             2.0, False))
        batch = people if full_batch else people[:BATCH_SAMPLE]
        with stopwatch() as ledger_time:  # as the zip route does it
            entries_of, visits_of, facts = batch_inputs(s, grid_ids, first, last)
        with stopwatch() as reports_time:
            for person in batch:
                person_report(s, None, person, first, last, entries_of[str(person.id)], facts,
                              visits_of[str(person.id)])
        seconds = ledger_time() + reports_time() * len(people) / len(batch)
        rows.append(BenchRow(f"batch of every representative's report ({len(people)})",
                             seconds, "s", 180.0, False,
                             note="measured in full" if full_batch else
                             f"measured on {len(batch)} reports (with the district's entries "
                             f"and facts read once, {ledger_time():.1f} s) and extrapolated to "
                             f"{len(people)}: {reports_time() / len(batch) * 1000:.0f} ms a "
                             "report"))
    return rows


if __name__ == "__main__":
    from bench.common import format_table
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    measured = run(args[0] if args else "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                   "--full-batch" in sys.argv)
    print(format_table(measured))
    for row in measured:
        if row.note:
            print(f"- {row.figure}: {row.note}")
