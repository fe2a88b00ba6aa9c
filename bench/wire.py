"""Bytes on the wire: a push and a pull, gzip-encoded, as a tablet sends and receives them."""
from __future__ import annotations

import json
import random


from bench.common import BenchRow

from bench.stage import Sizes, Stage
from bench.visits import visit_ops
from bench.api_client import login, push_body


# ---- 5. bytes on the wire ---------------------------------------------------------------------

def bench_wire(stage: Stage, sizes: Sizes) -> tuple[list[BenchRow], dict]:
    """Realistic visits pushed through the real HttpTransport; its last_request_bytes."""
    from client.transport import HttpTransport
    transport = HttpTransport(stage.base_url)
    token = login(stage.base_url, stage.seed.push_users[0], transport.session)
    grid_id = stage.seed.push_grids[0]
    rng = random.Random(23)
    # Fresh seqs well above what bench_push used for this device: it is a new device anyway.
    ops = visit_ops(rng, grid_id, stage.seed.residents[grid_id], sizes.wire_batches * sizes.batch)
    sent = raw = applied = 0
    for b in range(sizes.wire_batches):
        body = push_body(ops[b * sizes.batch:(b + 1) * sizes.batch])
        answer = transport.post("/api/v1/sync/push", body, token)
        applied += sum(r["status"] == "applied" for r in answer["results"])
        sent += transport.last_request_bytes
        raw += len(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode())
    count = len(ops)
    if applied != count:
        raise AssertionError(f"wire: {applied} of {count} applied")
    per_visit = sent / count
    row = BenchRow(f"bytes on the wire per visit pushed (gzip, batches of {sizes.batch})",
                   per_visit, "bytes", 300.0, False,
                   f"uncompressed JSON: {raw / count:,.0f} bytes/visit",
                   f"{count:,} realistic visits (readings, mood, needs, services, Chinese note)")
    return [row], {"visits": count, "bytes": sent, "raw_bytes": raw}
