"""``python -m bench.run`` (``make bench``): every benchmark, one table, docs/benchmarks.md.

Runs bench.sync, and bench.app / bench.web when those modules exist (they are optional: a
missing one is reported, not fatal). The analysis of missed budgets (``ANALYSIS`` below) was
written by hand from profiling (py-spy on the gunicorn workers, cProfile in-process) and is
copied into the report; update it when the code it describes changes.
"""
from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import traceback
from datetime import datetime, timezone
from pathlib import Path

from bench.common import BenchRow

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"

ANALYSIS = """\
### Push ingest on PostgreSQL (budget ≥ 8,000 ops/s)

The server's Python, not the database, is the limit: the same rows go into PostgreSQL at the
executemany/COPY rates of the baseline column. Measured during a concurrent push (8 devices,
20,000 ops, 3 gunicorn workers × 4 threads): gunicorn used **0.385 ms of CPU per op**
(in-process, one thread: 0.29–0.31 ms), PostgreSQL about a tenth of that. That is ~2,600
ops/s per core: 8,000 ops/s needs 3–4 cores for the server alone with today's code, or about
half the CPU per op on this 2-core machine shared with PostgreSQL and the load generator.

Where the CPU goes, two profiles of the same push path:

| where | py-spy `--gil`, gunicorn, 8 devices | cProfile (CPU timer), in-process |
| --- | --- | --- |
| `_parse`: `OpSchema.load` (marshmallow, nested visit data) | **25 %** | **39 %** |
| `ChangeBatch.flush`: visits INSERT (ORM bulk path), `changelog.append` (`canonical_json`, `visit_payload`, hash), their executemany | 34 % | 23 % |
| unit-of-work flush: 500 `AppliedOp` ORM objects, touched residents' `last_visit_at`/`last_met_at` UPDATEs | 17 % | 17 % |
| `_lock_residents` + `_known_ops` (two SELECTs per push) | 8 % | 9 % |
| the rest (JSON, response schema, Flask) | ~16 % | ~12 % |

(cProfile inflates call-heavy code such as marshmallow; py-spy does not.)

What would close it (proposals for `server/sync/push.py`, `batch.py`, `changelog.py`):

1. A fast path for the commonest op (visit create): validate it with a hand-written checker
   (types, enums, ranges, lengths of `VisitDataSchema`/`ReadingsSchema`) and fall back to
   marshmallow only to word the errors of an op that fails it. Up to a quarter of the CPU.
2. Write the three append-only row sets of a batch (visits/notes, change-log rows,
   `AppliedOp` rows) with psycopg `COPY … FROM STDIN` on `session.connection()`: the baseline
   shows COPY 2.5–4× faster than executemany, and it skips per-parameter adaptation. Merely
   switching them to Core `Table.insert()` executemany (no ORM bulk path, no unit of work)
   was **measured** here: 0.30 → 0.265 ms CPU/op (−10 %, A/B in-process, two rounds).
3. Update the residents' derived visit facts with one `UPDATE residents … FROM (VALUES …)` per
   batch instead of one ORM UPDATE per touched resident.
4. Batch the per-op `session.get(Visit, op["entity_id"])` (and `CaseNote`) existence check into
   one `SELECT id … WHERE id IN (…)` per push — since done (`push._existing_records`). It cost
   latency, not CPU: patching it out
   doubled a single device's in-process push (1,332 → 2,827 ops/s) but did not raise
   throughput with 8 devices at once (A/B over HTTP: 1,996 and 2,338 ops/s as is against
   1,465 and 1,908 without it, within the noise of a shared machine). It shortens each
   tablet's sync, not the server's capacity.
5. gunicorn on 2 cores: 3 workers. One trial on a busy machine gave 1,289 ops/s with 3 workers
   × 1 thread against 712–848 with 2–6 workers × 2–4 threads for pure pushes; mixed traffic
   (sign-ins, pulls) wants threads, so keep gthread 3 × 4 until measured on a quiet machine.

1–3 together are estimated (not measured) to come near half the CPU per op; whether that
reaches 8,000 ops/s here also depends on what else runs on the 2 cores.

### Morning rush (budget ≤ 60 s, zero errors)

Every tablet signs in first, and sign-in is scrypt (the production default, ~67 ms of CPU
each): 700 sign-ins are ~47 CPU-seconds, 40 % of what 2 cores offer in 60 s, before any sync
and on the same cores as PostgreSQL and the load generator. The context row "tablets already
signed in (sync only)" measures the same 700 × 30 ops in the same run without the sign-ins:
the difference between the two rows is the sign-in cost. py-spy on the workers during a
200-tablet rush (non-idle samples) put 54 % of the server's samples in `check_password_hash`,
and the push path (above) next.

What would close it:

1. Tablets keep their device token: in the field the morning rush is a sync, not a sign-in,
   and that is what the context row measures. If a daily sign-in is a requirement, give
   sign-in its own budget (scrypt is slow on purpose; do not weaken it to meet a sync budget).
2. The push CPU work above (proposals 1–3) is the next largest share of a rush (the per-op
   existence check that the 200-tablet profile also showed has since been batched).
3. The load generator itself (700 real client cores in one Python process) used the CPU in the
   row's note on the same 2 cores; on real tablets that work is spread over 700 devices.

### Pull and first sync (met in a quiet run, close to the line on a busy machine)

- Pull (cProfile, 46,000 changes in pages of 5,000): server `pull_changes` 46 % (half of it
  psycopg, half SQLAlchemy row handling of 5,000 `Row`s per page), response gzip (level 5)
  12 %, client `json.loads` 21 %. Proposals: fetch the page with
  `session.connection().exec_driver_sql(...)` (plain tuples, no ORM compile/rows), gzip
  level 1 for pull pages (≈3× cheaper, slightly larger).
- First sync (cProfile, 10,500 changes): client `apply_page` 62 %, of which
  `_refresh_residents` 26 % (it re-merges every resident whose *visits* arrived and recomputes
  pypinyin `search_keys` for each, on every page) and `_refresh_visit_facts` 19 % (re-reads
  all visits of every touched resident on every page: O(pages × visits)). Proposals in
  `client/store.py`: refresh residents only for `residents_touched` (facts do not change the
  payload), recompute `search_keys` only when the name changed, and update visit facts
  incrementally from the page's own visits (only a correction or an out-of-order visit needs
  the full re-read).

### Found while benchmarking (not budgets)

- `server/sync/edits.create_residents` with ~10,000 rows fails on PostgreSQL: `changelog.append`
  builds `(entity, entity_id) IN ((…), … 10,000 pairs)` and PostgreSQL answers
  `stack depth limit exceeded`. Roster imports and large demo seeds hit it. Fix: new residents
  are fresh records — call `append(..., fresh=True)` for them — and chunk the DELETE (e.g. 500
  keys per statement). The benchmark seeds in chunks of 1,000 to get past it.
- Opening two `FieldService`/`SqliteStore` at once in one process fails with
  `KeyError: 'script'`: Alembic's migration context (`client/migrate.upgrade_local`) is
  process-global. Harmless on a tablet (one store per process); the simulator and this
  benchmark open stores one at a time. A module-level lock in `upgrade_local` would make it
  safe (`store.wipe()` from a sync thread also goes through it).
"""


def _number(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:,.1f}"
    return f"{value:,.2f}"


def format_table(rows: list[BenchRow], markdown: bool = False) -> str:
    header = ("figure", "measured", "budget", "baseline (same run)", "verdict")
    body = [(row.figure, f"{_number(row.measured)} {row.unit}", row.budget_text(),
             row.baseline or "—", row.verdict) for row in rows]
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in line) + " |"
                  for line in body]
        return "\n".join(lines)
    widths = [min(70, max(len(line[i]) for line in [header, *body])) for i in range(len(header))]
    out = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(header)),
           "  ".join("-" * w for w in widths)]
    out += ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)) for line in body]
    return "\n".join(out)


def machine() -> dict[str, str]:
    info = {"cores": str(os.cpu_count()), "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()} ({platform.machine()})"}
    try:
        info["memory"] = next(f"{int(line.split()[1]) / 2**20:.0f} GiB" for line in
                              Path("/proc/meminfo").read_text().splitlines()
                              if line.startswith("MemTotal"))
    except (OSError, StopIteration, ValueError):
        pass
    return info


def postgres_version(pg_url: str) -> str:
    try:
        import psycopg
        from bench.sync import libpq_url
        from sqlalchemy.engine import make_url
        admin = make_url(pg_url).set(database="postgres").render_as_string(hide_password=False)
        with psycopg.connect(libpq_url(admin), connect_timeout=5) as conn:
            return conn.execute("SHOW server_version").fetchone()[0]
    except Exception as error:  # reported, not fatal
        return f"unknown ({error.__class__.__name__})"


def optional_module(name: str):
    """bench.app / bench.web: imported only if the file is there."""
    if not (ROOT / "bench" / f"{name}.py").exists():
        return None
    return importlib.import_module(f"bench.{name}")


def write_doc(rows: list[BenchRow], notes: list[str], pg_url: str, started: datetime,
              seconds: float, load: tuple[float, float]) -> None:
    info = machine()
    missed = [row for row in rows if row.verdict == "MISSED"]
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`python -m bench.run`); do not edit by hand — the analysis",
        "of missed budgets is kept in `bench/run.py` (`ANALYSIS`).",
        "",
        "## Machine and run",
        "",
        f"- date: {started.strftime('%Y-%m-%d %H:%M UTC')} (run took {seconds / 60:.1f} min)",
        f"- command: `make bench` (= `{Path(sys.executable).name} -m bench.run`)",
        f"- cores: {info['cores']}, memory: {info.get('memory', '?')}, {info['system']}",
        f"- Python {info['python']}, PostgreSQL {postgres_version(pg_url)} on 127.0.0.1",
        "- server: gunicorn (gthread) on 127.0.0.1, the load generator on the same machine",
        f"- machine load average (1 min) at start / end of the run: {load[0]:.1f} / {load[1]:.1f}"
        " — other work on the same 2 cores lowers every figure; compare runs with this in mind",
        "",
        "Each figure stands beside a raw-database baseline measured in the same run: what",
        "the database itself does with the same rows, with no HTTP, no Flask, no validation.",
        "",
        "## Results",
        "",
        format_table(rows, markdown=True),
        "",
        f"Budgets met: {sum(r.verdict == 'met' for r in rows)}; missed: {len(missed)}.",
        "",
        "### Notes per figure",
        "",
    ]
    lines += [f"- **{row.figure}** — {row.note}" for row in rows if row.note]
    if notes:
        lines += ["", "### Modules", ""] + [f"- {note}" for note in notes]
    lines += ["", "## Missed budgets: by how much, why, what would close it", ""]
    if missed:
        for row in missed:
            if row.measured != row.measured:  # NaN: the benchmark itself failed
                lines.append(f"- **{row.figure}**: {row.note}")
                continue
            if row.higher_is_better:
                gap = f"{row.measured:,.0f} {row.unit} against ≥ {row.budget:g}: " \
                      f"{(1 - row.measured / row.budget):.0%} short"
            else:
                gap = f"{_number(row.measured)} {row.unit} against ≤ {row.budget:g}: " \
                      f"{(row.measured / row.budget - 1):.0%} over" if row.budget else \
                      f"{_number(row.measured)} {row.unit} against 0"
            lines.append(f"- **{row.figure}**: {gap}.")
        lines += ["", "The analysis below covers the sync and tablet-core figures (bench.sync); "
                  "rows from bench.app and bench.web are explained by their own notes above.", ""]
    else:
        lines += ["None in this run.", ""]
    lines += [ANALYSIS.strip(), ""]
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    from bench import sync
    parser = argparse.ArgumentParser(description="Run every Knockdoor benchmark.")
    parser.add_argument("--pg-url", default=sync.DEFAULT_PG_URL,
                        help="PostgreSQL database the benchmarks DROP and recreate")
    parser.add_argument("--workers", type=int, default=sync.FULL.workers)
    parser.add_argument("--threads", type=int, default=sync.FULL.threads)
    parser.add_argument("--no-doc", action="store_true", help="print only")
    args = parser.parse_args(argv)
    started = datetime.now(timezone.utc)
    load_start = os.getloadavg()[0]
    rows: list[BenchRow] = []
    notes: list[str] = []
    from dataclasses import replace
    rows += sync.run(args.pg_url, replace(sync.FULL, workers=args.workers,
                                                 threads=args.threads))
    notes.append("bench.sync: ran")
    for name, call in (("app", lambda m: m.run()), ("web", lambda m: m.run(args.pg_url))):
        try:
            module = optional_module(name)
        except Exception:
            notes.append(f"bench.{name}: present but failed to import:\n\n```\n"
                         f"{traceback.format_exc(limit=-4)}```")
            continue
        if module is None:
            notes.append(f"bench.{name}: absent (bench/{name}.py does not exist yet); not run")
            continue
        try:
            rows += call(module)
            notes.append(f"bench.{name}: ran")
        except Exception:
            notes.append(f"bench.{name}: failed:\n\n```\n{traceback.format_exc(limit=-4)}```")
    seconds = (datetime.now(timezone.utc) - started).total_seconds()
    print()
    print(format_table(rows))
    for note in notes:
        print(note)
    if not args.no_doc:
        write_doc(rows, notes, args.pg_url, started, seconds, (load_start, os.getloadavg()[0]))
        print(f"\nwritten: {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
