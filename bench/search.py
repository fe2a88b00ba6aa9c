"""Tablet search benchmark: the Today list searched over a district-sized store."""
from __future__ import annotations

import random
import shutil
import statistics
import time
import uuid
from pathlib import Path


from bench.common import BenchRow

from bench.stage import Sizes
from bench.visits import GIVEN, SURNAMES
from bench.tablet import percentile


# ---- tablet search ------------------------------------------------------------------------------

#: What volunteers type: initials, full and mixed pinyin, a surname of its own reading, ü as v,
#: characters, an address fragment, building-unit-room, a phone's last four digits.
SEARCH_QUERIES = ("zxy", "zhangxiuying", "zhang xy", "zhaigl", "lvgl", "秀英", "3号楼",
                  "3-2", "5678", "w")
SEARCH_SURNAMES = SURNAMES + "翟单曾区仇解查朴盖缪乐覃吕"


def search_store(data_dir: Path, residents: int, *, seed: int = 5) -> int:
    """A tablet store holding ``residents`` residents of two grids, as a pull leaves them
    (keys computed by the store, as on a real tablet). Returns how many."""
    from client.store import SqliteStore
    rng = random.Random(seed)
    store = SqliteStore(data_dir / "knockdoor-local.db")
    try:
        changes = []
        for position in range(1, residents + 1):
            building, unit, room = rng.randint(1, 20), rng.randint(1, 4), rng.randint(101, 1802)
            changes.append({"entity": "resident", "position": position, "data": {
                "id": str(uuid.UUID(int=rng.getrandbits(128))), "grid_id": 1 + position % 2,
                "version": 1, "name": rng.choice(SEARCH_SURNAMES) + rng.choice(GIVEN),
                "sex": rng.choice("FM"), "birth_year": rng.randint(1925, 1955),
                "address": f"建设路{rng.randint(1, 99)}号院{building}号楼{unit}单元{room}",
                "phone": f"13{rng.randint(0, 999_999_999):09d}", "status": "active",
                "care_categories": [rng.choice(["alone", "empty_nest", "disabled"])],
                "created_at": "2026-01-05T02:00:00Z"}})
        store.apply_page({"changes": changes, "cursor": str(residents),
                          "grids": [{"id": 1, "name": "第1网格"}, {"id": 2, "name": "第2网格"}]})
    finally:
        store.close()
    return residents


def bench_search(work: Path, sizes: Sizes) -> tuple[list[BenchRow], dict]:
    """The Today list's search (FieldService.today_list with a query) over search_residents
    residents, each query of SEARCH_QUERIES timed search_samples times, warm."""
    from client.service import FieldService
    data_dir = work / "search-tablet"
    shutil.rmtree(data_dir, ignore_errors=True)
    residents = search_store(data_dir, sizes.search_residents)
    service = FieldService(data_dir)
    try:
        if len(service.today_list()) != residents:
            raise AssertionError("the search store does not hold every resident")
        per_query: dict[str, list[float]] = {}
        found: dict[str, int] = {}
        for query in SEARCH_QUERIES:
            found[query] = len(service.today_list(query))  # warm: keys parsed once
            for _ in range(sizes.search_samples):
                start = time.perf_counter()
                service.today_list(query)
                per_query.setdefault(query, []).append((time.perf_counter() - start) * 1000)
        with service.store.reading() as db:  # baseline: the rows read and a substring filter
            raw = []
            for _ in range(sizes.search_samples):
                start = time.perf_counter()
                rows = db.execute("SELECT id, grid_id, payload, name, search_keys, address, "
                                  "last_met_at, last_visit_at, follow_up_since, unsent "
                                  "FROM residents").fetchall()
                [row for row in rows if "秀英" in row[3]]
                raw.append((time.perf_counter() - start) * 1000)
    finally:
        service.close()
    everything = [ms for times in per_query.values() for ms in times]
    slowest = max(per_query, key=lambda q: statistics.median(per_query[q]))
    rows = [BenchRow(
        f"tablet: search the Today list over {residents:,} residents (today_list with a query), "
        f"slowest query's median", statistics.median(per_query[slowest]), "ms", 30.0, False,
        f"raw SELECT of the {residents:,} rows and a substring filter on the name: median "
        f"{statistics.median(raw):.2f} ms",
        f"slowest query “{slowest}”; all {len(SEARCH_QUERIES)} queries: median "
        f"{statistics.median(everything):.1f} ms, p95 {percentile(everything, 0.95):.1f} ms "
        f"over {len(everything)} calls")]
    return rows, {"residents": residents, "found": found}
