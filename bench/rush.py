"""The morning rush: many tablets signing in, pushing and pulling at once."""
from __future__ import annotations

import random
import shutil
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path


from bench.common import BenchRow, stopwatch

from bench.stage import PASSWORD, Sizes, Stage
from bench.visits import visit_ops
from bench.tablet import percentile, local_counts


# ---- 4. morning rush --------------------------------------------------------------------------

def _template_store(work: Path) -> Path:
    """A migrated, empty tablet store, copied into each tablet's data dir (app install)."""
    from client.store import SqliteStore
    path = work / "template" / "knockdoor-local.db"
    shutil.rmtree(path.parent, ignore_errors=True)
    SqliteStore(path).close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def bench_rush(stage: Stage, sizes: Sizes, *,
               signed_in: bool = False) -> tuple[list[BenchRow], dict]:
    """rush_tablets tablets, rush_concurrency at a time: each signs in, pushes rush_ops visits
    it recorded offline and pulls its grid, with FieldService/SyncEngine over HttpTransport.

    Not timed: installing each tablet's store and queueing its offline visits (what the
    volunteer did before coming into signal). Tablet stores live on tmpfs where there is one,
    so 700 simulated tablets do not queue for this machine's one disk.

    ``signed_in``: the tablets signed in on an earlier day (not timed) and only sync: the
    morning rush as it happens, since a tablet keeps its device token. Without it every tablet
    also signs in first, which DESIGN.md's budget does not ask for (reported for context).
    """
    from client import encryption
    from client.service import FieldService
    from client.store import SqliteStore, local_visit_record

    shm = Path("/dev/shm")
    root = Path(tempfile.mkdtemp(prefix="knockdoor-rush-", dir=shm if shm.is_dir() else None))
    try:
        template = _template_store(root)
        rng = random.Random(31)
        tablets = []
        for t, (username, grid_id) in enumerate(stage.seed.rush_users):
            data_dir = root / f"t{t:04d}"
            data_dir.mkdir()
            shutil.copy(template, data_dir / "knockdoor-local.db")
            secret = encryption.secret_path(template)  # the store's key (client.encryption)
            if secret.exists():
                shutil.copy(secret, encryption.secret_path(data_dir / "knockdoor-local.db"))
            store = SqliteStore(data_dir / "knockdoor-local.db")
            ops = visit_ops(rng, grid_id, stage.seed.residents[grid_id], sizes.rush_ops,
                            start=datetime.now(timezone.utc) - timedelta(hours=3))
            for op in ops:
                op = {key: value for key, value in op.items() if key != "seq"}
                store.add_op(op, local_visit_record(op, username, None))
            store.close()
            tablets.append((data_dir, username, grid_id))
        if signed_in:
            def sign_in(tablet):
                service = FieldService(tablet[0])
                try:
                    service.sign_in(stage.base_url, tablet[1], PASSWORD, f"tablet {tablet[1]}")
                finally:
                    service.close()

            with ThreadPoolExecutor(max_workers=4) as pool:
                list(pool.map(sign_in, tablets))

        def one(tablet) -> dict:
            data_dir, username, grid_id = tablet
            start = time.perf_counter()
            try:
                service = FieldService(data_dir)
                try:
                    if not signed_in:
                        service.sign_in(stage.base_url, username, PASSWORD, f"tablet {username}")
                    report = service.sync()
                    counts = local_counts(service)
                finally:
                    service.close()
                problem = None
                if not report.ok:
                    problem = f"sync: {report.error_code} {report.error}"
                elif report.applied != sizes.rush_ops:
                    problem = f"applied {report.applied} of {sizes.rush_ops}"
                elif counts["residents"] != len(stage.seed.residents[grid_id]):
                    problem = f"holds {counts['residents']} residents"
                elif counts["visits"] < sizes.rush_ops:
                    problem = f"holds {counts['visits']} visits"
                return {"seconds": time.perf_counter() - start, "error": problem,
                        "pulled": report.pulled}
            except Exception as error:  # an error is a result here, counted and reported
                return {"seconds": time.perf_counter() - start,
                        "error": f"{error.__class__.__name__}: {error}", "pulled": 0}

        cpu_before = time.process_time()
        with stopwatch() as elapsed:
            with ThreadPoolExecutor(max_workers=sizes.rush_concurrency) as pool:
                outcomes = list(pool.map(one, tablets))
        client_cpu = time.process_time() - cpu_before
    finally:
        shutil.rmtree(root, ignore_errors=True)
    errors = [o["error"] for o in outcomes if o["error"]]
    per_tablet = [o["seconds"] for o in outcomes]
    summary = (f"{len(tablets)} tablets × {sizes.rush_ops} ops, {sizes.rush_concurrency} at a "
               f"time; per tablet median {statistics.median(per_tablet):.2f} s, p95 "
               f"{percentile(per_tablet, 0.95):.2f} s; {sum(o['pulled'] for o in outcomes):,} "
               f"changes pulled; the load generator itself used {client_cpu:.1f} s of CPU "
               f"on this same 2-core machine")
    if errors:
        summary += f"; first error: {errors[0]}"
    if signed_in:
        rows = [
            BenchRow(f"morning rush: {len(tablets)} tablets × {sizes.rush_ops} ops, "
                     f"{sizes.rush_concurrency} at a time, back in signal and syncing "
                     f"(signed in on an earlier day), wall time ({stage.label})", elapsed(), "s",
                     60.0, False, "—", summary),
            BenchRow("morning rush: errors", float(len(errors)), "errors", 0.0, False, "—",
                     "tablets whose sync failed or came back incomplete"),
            BenchRow("morning rush: per tablet, median (p50)", statistics.median(per_tablet),
                     "s", None, False, "—", "sign-in not included: push and pull"),
            BenchRow("morning rush: per tablet, p95", percentile(per_tablet, 0.95), "s", None,
                     False, "—", "sign-in not included: push and pull"),
        ]
    else:
        rows = [BenchRow(f"morning rush with a first sign-in on every tablet (context): "
                         f"{len(tablets)} × {sizes.rush_ops} ops, {sizes.rush_concurrency} at a "
                         f"time ({stage.label})", elapsed(), "s", None, False, "—",
                         f"{len(errors)} errors; each sign-in checks a scrypt password hash "
                         f"(~70 ms of server CPU by design); " + summary)]
    return rows, {"tablets": len(tablets), "errors": errors, "seconds": elapsed(),
                  "client_cpu": client_cpu}
