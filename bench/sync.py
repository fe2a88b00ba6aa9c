"""Sync benchmarks: the figures of DESIGN.md §7 for the server and the client core.

Every figure is measured beside a raw-database baseline taken in the same run::

    python -m bench.sync                      # PostgreSQL database knockdoor_bench (dropped and
                                              # recreated; never the database `test`)
    python -m bench.sync --pg-url URL --workers 3

What it does, in order: builds a fresh server database (PostgreSQL, and a SQLite one for
context), seeds grids, people and residents, starts gunicorn on 127.0.0.1, then measures push
ingest, pull, first sync, the tablet's local write and due list, wire bytes, and the morning
rush. Every load loop is bounded (a fixed number of requests) and every request has a timeout.

Each benchmark function takes a :class:`Stage` (a running server and its seeded database) and a
:class:`Sizes`, checks its own work (every op applied, every change received) and returns
``(rows, counts)``; ``tests/bench/test_bench_smoke.py`` runs them all at a tiny size on SQLite.
This module only runs them in order; each lives in a module of its own: the stage and sizes in
``bench.stage``, the figures in ``bench.push``, ``bench.pull``, ``bench.wire``, ``bench.tablet``
(first sync, local write, due list), ``bench.search`` and ``bench.rush``, with the synthetic
visits in ``bench.visits``, the HTTP client in ``bench.api_client`` and the raw-database
baselines in ``bench.baselines``.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from bench.common import BenchRow, format_table
from bench.pull import bench_pull
from bench.push import bench_push, push_figures
from bench.rush import bench_rush
from bench.search import bench_search
from bench.stage import DEFAULT_PG_URL, FULL, TINY, Sizes, open_stage
from bench.tablet import bench_first_sync, bench_tablet, seed_first_sync_grid
from bench.wire import bench_wire


# ---- the whole run ----------------------------------------------------------------------------

def run(pg_url: str = DEFAULT_PG_URL, sizes: Sizes = FULL, *, sqlite_context: bool = True,
        log=print) -> list[BenchRow]:
    rows: list[BenchRow] = []
    work = Path(tempfile.mkdtemp(prefix="knockdoor-bench-"))
    try:
        log(f"[bench.sync] seeding {pg_url.rsplit('@', 1)[-1]} …")
        stage = open_stage(pg_url, sizes, work, workers=sizes.workers)
        try:
            steps = [
                # first, on the fresh database: one device's long history (never analysed),
                # its re-push, then the 8-device ingest
                ("push", lambda: push_figures(stage, sizes)),
                ("pull", lambda: bench_pull(stage, sizes)),
                ("wire bytes", lambda: bench_wire(stage, sizes)),
                ("first-sync seed", lambda: ([], {"seeded": seed_first_sync_grid(stage, sizes)})),
                ("first sync", lambda: bench_first_sync(stage, sizes)),
                ("tablet", lambda: bench_tablet(stage, sizes)),
                ("tablet search", lambda: bench_search(work, sizes)),
                ("morning rush", lambda: bench_rush(stage, sizes, signed_in=True)),
                ("morning rush with first sign-ins (context)",
                 lambda: bench_rush(stage, sizes)),
            ]
            for name, step in steps:
                log(f"[bench.sync] {name} …")
                try:
                    got, _counts = step()
                except Exception as error:  # one broken figure must not hide the others
                    log(f"    FAILED: {error.__class__.__name__}: {str(error)[:500]}")
                    got = [BenchRow(f"{name}: the benchmark failed", float("nan"), "", 0.0, True,
                                    "—", f"{error.__class__.__name__}: {str(error)[:300]}")]
                for row in got:
                    log(f"    {row.figure}: {row.measured:,.2f} {row.unit} ({row.verdict})")
                rows.extend(got)
        finally:
            stage.server.stop()
        if sqlite_context:
            log("[bench.sync] push ingest on SQLite (context) …")
            lite_url = f"sqlite:///{work / 'server.db'}"
            lite = open_stage(lite_url, sizes, work, workers=1, tablets=False, rush=False,
                              push_devices=sizes.sqlite_push_devices)
            try:
                got, _ = bench_push(lite, sizes, devices=sizes.sqlite_push_devices,
                                    batches=sizes.sqlite_push_batches)
            finally:
                lite.server.stop()
            for row in got:
                log(f"    {row.figure}: {row.measured:,.2f} {row.unit}")
            rows.extend(got)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL,
                        help="PostgreSQL database to DROP and recreate for the run")
    parser.add_argument("--workers", type=int, default=FULL.workers)
    parser.add_argument("--threads", type=int, default=FULL.threads)
    parser.add_argument("--tiny", action="store_true", help="smoke-test sizes")
    parser.add_argument("--search-only", action="store_true",
                        help="only the tablet search and its baseline (no server needed)")
    args = parser.parse_args(argv)
    sizes = replace(TINY if args.tiny else FULL, workers=args.workers, threads=args.threads)
    if args.search_only:
        work = Path(tempfile.mkdtemp(prefix="knockdoor-bench-"))
        try:
            rows, _counts = bench_search(work, sizes)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    else:
        rows = run(args.pg_url, sizes)
    print(format_table(rows))
    return 0 if all(row.verdict != "MISSED" for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
