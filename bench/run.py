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

Where it stands: 5,700–7,500 ops/s over 100,000 ops in quiet runs on this machine (8
devices, batches of 500, gunicorn 3 workers × 4 threads; single runs have reached 8,000 and
dropped to 5,200 with nothing else running: the 2 virtual cores are not steady), up from
2,250 ops/s before the push path was reworked
(COPY for the three bulk row sets, one array parameter instead of hundreds of binds, one
`UPDATE … FROM unnest(…)` for the residents' visit facts, visit facts followed without
re-reading history, resident rows locked by the few columns visits need). Runs vary by
±15 % from one to the next on the shared 2 cores.

Why it is short: CPU. One op costs the server **~157 µs of CPU** in-process (one thread,
no HTTP; the push path timed with `time.process_time` over 3,500 ops), before PostgreSQL's own
work and the HTTP layer (gunicorn, JSON decode of the body, gzip). On 2 cores shared by the
server, PostgreSQL and the load generator (both cores were 85–95 % busy during a push) that
caps steady ingest near 7,000 ops/s. py-spy on a worker during a push (share of the worker's
samples): waiting for PostgreSQL 25 %, marshmallow `OpSchema.load` 19 %, the COPYs 14 %,
change-log rows (`visit_payload`, canonical JSON, BLAKE2b) 10 %, visit facts 7 %, request JSON
decode 4 %, the rest spread thin (Flask, webargs, psycopg adaptation).

What would close it:

1. A third core, or PostgreSQL on its own host (the production layout in DESIGN.md §3): the
   server alone processes ~6,000 ops/s per core, so two worker cores not shared with the
   database reach the budget.
2. Validation is a fifth of the worker's time; marshmallow is kept on purpose as the one
   definition of the wire format. A validator compiled once from the same schemas (not a
   second hand-written copy) would roughly halve that share.
3. Canonical JSON and hashing of each change-log row could move to a C JSON encoder; that
   needs the tablet to produce byte-identical text (the digest depends on it), so it must be
   a dependency both sides can install, including the Android build.

### Tablet figures under Xvfb

The app's own budgets (cold start, open a resident, save a visit) are measured on a real Kivy
window under Xvfb with Mesa's llvmpipe software renderer; their baseline column is the cost of
one frame in the same run. On a loaded machine one frame of the Today screen alone can exceed
the 50 ms save budget (see docs/app.md); on a quiet machine all three are met.
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
    for name, call in (("app", lambda m: m.run()), ("web", lambda m: m.run(args.pg_url)),
                       ("threelists", lambda m: m.run(args.pg_url))):
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
