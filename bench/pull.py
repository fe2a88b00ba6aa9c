"""Pull benchmark: one device catching up from the start of the change log."""
from __future__ import annotations



from bench.common import BenchRow, stopwatch

from bench.stage import Sizes, Stage, is_postgres
from bench.api_client import login, pull_everything
from bench.baselines import baseline_select


# ---- 2. pull ----------------------------------------------------------------------------------

def bench_pull(stage: Stage, sizes: Sizes) -> tuple[list[BenchRow], dict]:
    """A supervisor's device over every push grid pulls the whole log, page by page."""
    token = login(stage.base_url, "puller")
    with stopwatch() as elapsed:
        changes, pages = pull_everything(stage.base_url, token, sizes.pull_page)
    rate = changes / elapsed()
    expected_rate, expected = baseline_select(stage.db_url, stage.seed.push_grids)
    if changes != expected:
        raise AssertionError(f"pull: expected {expected} changes, got {changes}")
    row = BenchRow(f"pull, changes streamed to a client (pages of {sizes.pull_page}, "
                   f"{stage.label})", rate, "changes/s", 20000.0, True,
                   f"raw psycopg SELECT of the same rows: {expected_rate:,.0f} rows/s"
                   if is_postgres(stage.db_url) else
                   f"raw sqlite3 SELECT of the same rows: {expected_rate:,.0f} rows/s",
                   f"{changes:,} changes in {pages} pages, {elapsed():.2f} s")
    return [row], {"changes": changes, "pages": pages, "seconds": elapsed()}
