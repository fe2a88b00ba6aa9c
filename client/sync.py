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
from shared.digest import canonical_json

from .care import RULES_META
from .points import keep_points
from .pulled import page_problem
from .store import PENDING, LocalStore
from .transport import Transport, TransportError

APP_VERSION = "0.1.0"
#: Meta key of the district's time zone, as the server last named it (login and every pull).
DISTRICT_ZONE_META = "district_zone"


class DeviceWiped(Exception):
    """The server no longer knows or trusts this device; its local data has been wiped."""


class UpgradeRequired(Exception):
    """The app and the server speak protocols too far apart. ``side`` is the one that must be
    updated: ``app`` (this app is too old) or ``server`` (this app is newer than the server)."""

    def __init__(self, message: str, side: str = "app") -> None:
        super().__init__(message)
        self.side = side


def upgrade_side(error: TransportError) -> str:
    """Which side must be updated. The server names it (``details.upgrade``); a server from
    before it did so is the one behind when it speaks an older protocol than this app."""
    side = error.details.get("upgrade")
    if side in ("app", "server"):
        return side
    theirs = error.details.get("protocol")
    if isinstance(theirs, int) and not isinstance(theirs, bool) and theirs < p.PROTOCOL_VERSION:
        return "server"
    return "app"


class SignInRequired(Exception):
    """The server refused the token for a reason other than revocation (unknown, expired,
    account switched off): the person must sign in again. Nothing local is lost: the outbox
    is pushed after the next sign-in. ``code`` is the server's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ServerChanged(Exception):
    """The server's history changed under a running sync (a new epoch): check it again."""


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
    #: Of the rejected: ops the tablet set aside itself, as they kept failing (413 or 5xx).
    set_aside: int = 0
    pulled: int = 0
    #: Pulled records the tablet could not apply and set aside (client/pulled.py).
    quarantined: int = 0
    evicted_grids: list[int] = field(default_factory=list)
    #: The server was restored from a backup; this many ops were queued to be sent again.
    server_restored: bool = False
    resent: int = 0
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
                if error.status == 401:
                    # Only a revocation wipes: forget the token, keep everything else.
                    self.store.set_meta({"token": None})
                    raise SignInRequired(error.error or p.ERR_TOKEN_UNKNOWN,
                                         error.message) from None
                if error.status == 426 or error.error == p.ERR_UPGRADE_REQUIRED:
                    raise UpgradeRequired(error.message, upgrade_side(error)) from None
                if not error.retryable or attempt == self.max_attempts - 1:
                    raise
                self.sleep(self.backoff(attempt, error.retry_after))
        raise AssertionError("unreachable")  # the loop always returns or raises

    def _envelope(self, **body) -> dict:
        return {"protocol": p.PROTOCOL_VERSION, "app_version": APP_VERSION, **body}

    # ---- the phases ------------------------------------------------------------------------

    def renew(self) -> None:
        """First call of every sync: proves the token still works, takes a rotated token and
        the tablet policy, and records the contact the stale-tablet rule counts from."""
        try:
            answer = self.call("/api/v1/auth/renew", self._envelope())
        except TransportError as error:
            if error.status == 404:  # a server from before renewals: nothing to take
                return
            raise
        values = {"last_contact": isoformat(self.clock())}
        if answer.get("token"):
            values["token"] = answer["token"]
        if isinstance(answer.get("policy"), dict):
            values["policy"] = json.dumps(answer["policy"])
        self.store.set_meta(values)

    def check_server(self, report: SyncReport) -> None:
        """Before pushing: is this still the server history this tablet knows?

        A server restored from a backup holds less than the tablet saw: a new epoch (the
        operator ran ``knockdoor restored``, or another tablet noticed first), or a log head
        or this device's applied sequence numbers behind what it acknowledged here. Then
        the copy is started over and everything the server lacks is queued again, before a
        single op is pushed on top of a history that no longer exists.
        """
        known = self.store.get_meta("epoch")
        seen = int(self.store.get_meta("seen_position") or 0)
        acked = int(self.store.get_meta("acked_seq") or 0)
        try:
            state = self.call("/api/v1/sync/state", self._envelope(
                epoch=known, seen_position=seen, acked_seq=acked))
        except TransportError as error:
            if error.status == 404:
                return  # a server older than the check: nothing to compare with
            raise
        behind = state["head"] < seen or state["applied_seq"] < acked
        if known is None and not behind:
            self.store.set_meta({"epoch": state["epoch"]})
        elif state["epoch"] != known or behind:
            report.server_restored = True
            report.resent += self.store.restart_after_restore(
                state["applied_seq"], state["epoch"], state["epoch_since"])

    def push_all(self, report: SyncReport, progress: Callable | None = None) -> None:
        total = self.store.count_ops(PENDING)
        while True:
            ops = self.store.pending_ops(self.batch_size)
            if not ops:
                return
            self._push_batch(ops, report, progress, total)

    def _push_batch(self, ops: list[dict], report: SyncReport, progress, total) -> None:
        """Push ``ops``; when the batch itself is refused for its content (too large, or the
        server keeps failing on it while it takes an empty push), split it in halves until the
        op at fault is alone, and set that one aside so every other op goes through."""
        try:
            response = self.call("/api/v1/sync/push", self._envelope(
                device_time=isoformat(self.clock()), ops=ops))
        except TransportError as error:
            if not self._content_may_be_at_fault(error):
                raise
            if error.status != 413 and not self._server_takes_an_empty_push():
                raise  # the server is in trouble whatever is sent: try again later
            if len(ops) == 1:
                self._set_aside(ops[0], error, report)
            else:
                middle = len(ops) // 2
                for half in (ops[:middle], ops[middle:]):
                    self._push_batch(half, report, progress, total)
            return
        results = response.get("results")
        if not isinstance(results, list) or not all(isinstance(r, dict) for r in results) or \
                [r.get("op_id") for r in results] != [op["op_id"] for op in ops]:
            raise TransportError("The server's answer does not match the ops sent.",
                                 retryable=True)
        self.store.record_results(results, isoformat(self.clock()))
        for result in results:
            report.pushed += 1
            status = result.get("status")
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

    @staticmethod
    def _content_may_be_at_fault(error: TransportError) -> bool:
        """Too large; a server error that outlived the retries; or a body the server could not
        read: each may be one op's doing."""
        return error.status == 413 or (error.status is not None and error.status >= 500) or \
            (error.status in (400, 422) and error.error == p.ERR_INVALID_BODY)

    def _server_takes_an_empty_push(self) -> bool:
        """Is the server well, apart from what we send it? (Then the ops are at fault.)"""
        try:
            self.call("/api/v1/sync/push", self._envelope(device_time=isoformat(self.clock()),
                                                           ops=[]))
        except TransportError:
            return False
        return True

    def _set_aside(self, op: dict, error: TransportError, report: SyncReport) -> None:
        """The op at fault: kept and shown like an op the server refused, never dropped."""
        reason = {"code": p.REJ_UNDELIVERABLE,
                  "message": f"This change could not be delivered (the server answered "
                             f"{error.status}: {error.message})"[:500]}
        self.store.record_results([{"op_id": op["op_id"], "seq": op.get("seq"),
                                    "status": p.REJECTED, "reason": reason}],
                                  isoformat(self.clock()))
        report.pushed += 1
        report.rejected += 1
        report.set_aside += 1

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
            problem = page_problem(page)
            if problem:
                raise TransportError(f"The server's answer could not be read ({problem}).",
                                     retryable=True)
            known = self.store.get_meta("epoch")
            if known and page.get("epoch") and page["epoch"] != known:
                raise ServerChanged()  # restored under this sync: check_server handles it
            self.store.apply_page(page)
            if isinstance(page.get("timezone"), str) and page["timezone"] != \
                    self.store.get_meta(DISTRICT_ZONE_META):
                self.store.set_meta({DISTRICT_ZONE_META: page["timezone"]})
            rules = page.get("rules")
            if isinstance(rules, dict):
                text = canonical_json(rules)
                if text != self.store.get_meta(RULES_META):
                    self.store.set_meta({RULES_META: text})
            keep_points(self.store, page.get("points"))  # duty points: the last page's
            report.pulled += len(page["changes"])
            report.evicted_grids.extend(page.get("evict_grids", ()))
            if progress:
                progress(SyncProgress("pull", report.pulled, None))
            if not page.get("has_more"):
                report.quarantined = len(self.store.quarantined())
                return

    def mismatched_grids(self) -> list[int]:
        """Grids whose records, or whose derived facts (what the volunteer reads on the Today
        list), differ from the server's."""
        mismatched = set()
        for local, server in ((self.store.local_digests(), self.store.server_digests()),
                              (self.store.local_fact_digests(),
                               self.store.server_fact_digests())):
            mismatched.update(grid for grid, digest in server.items()
                              if digest is not None and local.get(grid) != digest)
        return sorted(mismatched)

    def sync(self, progress: Callable[[SyncProgress], None] | None = None) -> SyncReport:
        """Push everything, pull everything, check the digests. Never raises for a network
        problem: the report says what happened. Raises DeviceWiped / SignInRequired /
        UpgradeRequired."""
        report = SyncReport(started_at=isoformat(self.clock()))
        try:
            self.renew()
            for attempt in range(2):
                self.check_server(report)
                self.push_all(report, progress)
                try:
                    self.pull_all(report, progress)
                    break
                except ServerChanged:
                    if attempt:
                        raise TransportError("The server's history keeps changing.",
                                             error="server_changed", retryable=True) from None
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
