"""The sync engine: push the outbox in batches, pull changes in pages, prove convergence.

It knows nothing of Kivy or of sockets: it talks to a :class:`~client.transport.Transport` and
a :class:`~client.store.LocalStore`. Transient failures (no signal, timeouts, 5xx, 429) are
retried with exponential backoff and jitter; anything else stops the run with a reason, and the
outbox keeps every unsent op for the next run.
"""
from __future__ import annotations

import json
import random
import time
from dataclasses import asdict, dataclass, field
from typing import Callable

from shared import protocol as p
from shared.clock import isoformat, utcnow

from .store import PENDING, LocalStore
from .transport import Transport, TransportError

APP_VERSION = "0.1.0"
#: Meta key of the district's time zone, as the server last named it (login and every pull).
DISTRICT_ZONE_META = "district_zone"


class DeviceWiped(Exception):
    """The server no longer knows or trusts this device; its local data has been wiped."""


class UpgradeRequired(Exception):
    """The server needs a newer app."""


@dataclass
class SyncProgress:
    phase: str  # "push" | "pull" | "verify"
    done: int
    total: int | None


@dataclass
class SyncReport:
    started_at: str
    finished_at: str | None = None
    ok: bool = False
    pushed: int = 0
    applied: int = 0
    duplicates: int = 0
    conflicts: int = 0
    rejected: int = 0
    pulled: int = 0
    evicted_grids: list[int] = field(default_factory=list)
    digest_mismatches: list[int] = field(default_factory=list)
    error: str | None = None
    error_code: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "SyncReport":
        return cls(**json.loads(text))


class SyncEngine:
    def __init__(self, store: LocalStore, transport: Transport, *,
                 clock: Callable = utcnow, sleep: Callable[[float], None] = time.sleep,
                 rng: random.Random | None = None, batch_size: int = p.DEFAULT_PUSH_BATCH,
                 page_size: int = p.DEFAULT_PULL_LIMIT, max_attempts: int = 6,
                 backoff_base: float = 0.5, backoff_cap: float = 30.0) -> None:
        self.store = store
        self.transport = transport
        self.clock = clock
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.batch_size = batch_size
        self.page_size = page_size
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap

    # ---- one request, with retries -------------------------------------------------------

    def backoff(self, attempt: int, retry_after: float | None = None) -> float:
        """Full jitter: a random wait up to base·2^attempt, capped; the server's Retry-After
        is a floor."""
        ceiling = min(self.backoff_cap, self.backoff_base * (2 ** attempt))
        wait = self.rng.uniform(0, ceiling)
        return max(wait, min(retry_after or 0, self.backoff_cap))

    def call(self, path: str, body: dict) -> dict:
        token = self.store.get_meta("token")
        for attempt in range(self.max_attempts):
            try:
                return self.transport.post(path, body, token)
            except TransportError as error:
                if error.status == 401 and error.error in p.WIPE_CODES:
                    self.store.wipe()
                    raise DeviceWiped(error.message) from None
                if error.status == 426 or error.error == p.ERR_UPGRADE_REQUIRED:
                    raise UpgradeRequired(error.message) from None
                if not error.retryable or attempt == self.max_attempts - 1:
                    raise
                self.sleep(self.backoff(attempt, error.retry_after))
        raise AssertionError("unreachable")  # the loop always returns or raises

    def _envelope(self, **body) -> dict:
        return {"protocol": p.PROTOCOL_VERSION, "app_version": APP_VERSION, **body}

    # ---- the phases ------------------------------------------------------------------------

    def push_all(self, report: SyncReport, progress: Callable | None = None) -> None:
        total = self.store.count_ops(PENDING)
        while True:
            ops = self.store.pending_ops(self.batch_size)
            if not ops:
                return
            response = self.call("/api/v1/sync/push", self._envelope(
                device_time=isoformat(self.clock()), ops=ops))
            results = response.get("results")
            if not isinstance(results, list) or \
                    [r.get("op_id") for r in results] != [op["op_id"] for op in ops]:
                raise TransportError("The server's answer does not match the ops sent.",
                                     retryable=True)
            self.store.record_results(results, isoformat(self.clock()))
            for result in results:
                report.pushed += 1
                status = result["status"]
                if status == p.APPLIED:
                    report.applied += 1
                elif status == p.DUPLICATE:
                    report.duplicates += 1
                elif status == p.CONFLICTED:
                    report.conflicts += 1
                else:
                    report.rejected += 1
            if progress:
                progress(SyncProgress("push", report.pushed, total))

    def pull_all(self, report: SyncReport, progress: Callable | None = None) -> None:
        while True:
            try:
                page = self.call("/api/v1/sync/pull", self._envelope(
                    cursor=self.store.cursor(), limit=self.page_size))
            except TransportError as error:
                if error.error != p.ERR_BAD_CURSOR or self.store.cursor() is None:
                    raise
                # The server does not know our cursor (restored from a backup?): start over.
                self.store.reset_replica()
                continue
            self.store.apply_page(page)
            if isinstance(page.get("timezone"), str) and page["timezone"] != \
                    self.store.get_meta(DISTRICT_ZONE_META):
                self.store.set_meta({DISTRICT_ZONE_META: page["timezone"]})
            report.pulled += len(page["changes"])
            report.evicted_grids.extend(page.get("evict_grids", ()))
            if progress:
                progress(SyncProgress("pull", report.pulled, None))
            if not page.get("has_more"):
                return

    def mismatched_grids(self) -> list[int]:
        local = self.store.local_digests()
        return sorted(grid for grid, digest in self.store.server_digests().items()
                      if digest is not None and local.get(grid) != digest)

    def sync(self, progress: Callable[[SyncProgress], None] | None = None) -> SyncReport:
        """Push everything, pull everything, check the digests. Never raises for a network
        problem: the report says what happened. Raises DeviceWiped / UpgradeRequired."""
        report = SyncReport(started_at=isoformat(self.clock()))
        try:
            self.push_all(report, progress)
            self.pull_all(report, progress)
            mismatched = self.mismatched_grids()
            if mismatched:
                # Should never happen; if it does, start the copy over rather than live with it.
                report.digest_mismatches = mismatched
                self.store.reset_replica()
                self.pull_all(report, progress)
                if self.mismatched_grids():
                    raise TransportError("The local copy does not match the server's.",
                                         error="digest_mismatch")
            if progress:
                progress(SyncProgress("verify", 1, 1))
            report.ok = True
        except TransportError as error:
            report.error = error.message
            report.error_code = error.error or ("offline" if error.retryable else "refused")
        report.finished_at = isoformat(self.clock())
        self.store.set_meta({"last_sync": report.to_json(),
                             **({"last_success": report.finished_at} if report.ok else {})})
        return report
