"""The benchmark code works: every benchmark bench/sync.py runs, at a tiny size, on SQLite.

Counts only: timings belong to the benchmarks (``make bench``), never to tests.
"""
from __future__ import annotations

import pytest

from bench import pull, push, rush, search, tablet, wire
from bench import run as bench_run
from bench.common import BenchRow
from bench.stage import TINY, open_stage

pytestmark = pytest.mark.e2e

S = TINY


@pytest.fixture(scope="module")
def stage(tmp_path_factory):
    work = tmp_path_factory.mktemp("bench")
    stage = open_stage(f"sqlite:///{work / 'server.db'}", S, work, workers=1)
    yield stage
    stage.server.stop()


def _rows_ok(rows):
    assert rows and all(isinstance(row, BenchRow) for row in rows)
    assert all(row.measured >= 0 and row.figure and row.unit for row in rows)


def test_every_sync_benchmark_runs_and_checks_its_own_work(stage):
    # push ingest: every op of every device applied, and a baseline measured beside it
    rows, counts = push.bench_push(stage, S)
    _rows_ok(rows)
    assert counts["ops"] == counts["applied"] == S.push_devices * S.push_batches * S.batch
    assert counts["baseline"]["executemany"] > 0

    # pull: every change of the push grids (their residents, the untimed warm-up batch and the
    # visits just pushed)
    rows, counts = pull.bench_pull(stage, S)
    _rows_ok(rows)
    assert counts["changes"] == S.push_devices * (S.grid_residents
                                                  + (S.push_batches + 1) * S.batch)
    assert counts["pages"] >= counts["changes"] // S.pull_page

    # bytes on the wire, through the real HttpTransport
    rows, counts = wire.bench_wire(stage, S)
    _rows_ok(rows)
    assert counts["visits"] == S.wire_batches * S.batch
    assert 0 < counts["bytes"] < counts["raw_bytes"]

    # first sync into an empty tablet
    assert tablet.seed_first_sync_grid(stage, S) == S.first_sync_visits
    rows, counts = tablet.bench_first_sync(stage, S)
    _rows_ok(rows)
    assert counts["residents"] == S.grid_residents
    assert counts["visits"] == S.first_sync_visits
    assert counts["outbox"] == 0

    # the tablet: two grids of residents; every recorded visit is in the outbox
    rows, counts = tablet.bench_tablet(stage, S)
    _rows_ok(rows)
    assert counts["residents"] == 2 * S.grid_residents
    assert counts["recorded"] == counts["outbox"] == S.tablet_samples

    # tablet search: every resident in the store, every query run
    rows, counts = search.bench_search(stage.work, S)
    _rows_ok(rows)
    assert counts["residents"] == S.search_residents
    assert set(counts["found"]) == set(search.SEARCH_QUERIES)
    assert 0 < sum(counts["found"].values()) and max(counts["found"].values()) <= S.search_residents

    # morning rush: every tablet signs in, pushes and pulls, with no error
    rows, counts = rush.bench_rush(stage, S)
    _rows_ok(rows)
    assert counts["tablets"] == S.rush_tablets
    assert counts["errors"] == []
    rows, counts = rush.bench_rush(stage, S, signed_in=True)
    _rows_ok(rows)
    assert counts["tablets"] == S.rush_tablets and counts["errors"] == []


def test_table_and_optional_modules():
    rows = [BenchRow("a | b", 12_345.6, "ops/s", 8000, True, "base"),
            BenchRow("c", 3.5, "s", 2, False)]
    text = bench_run.format_table(rows, markdown=True)
    assert "a \\| b" in text and "met" in text and "MISSED" in text
    assert bench_run.optional_module("no_such_module") is None
