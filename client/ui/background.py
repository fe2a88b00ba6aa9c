"""Work off the UI thread, and the sync that runs by itself. No Kivy import here.

``Worker`` runs jobs one at a time on its own thread and hands each result back through
``deliver`` (the app passes a function that goes through ``Clock.schedule_once``, so callbacks
run on the UI thread). The app keeps two: one for the local database (quick), one for the
network (slow), so a save never waits behind a sync on a bad line.

``AutoSync`` decides when to sync: when a probe finds the server again (probing with backoff
while offline), when the app resumes, shortly after a visit is saved, and on "sync now".
"""
from __future__ import annotations

import logging
import queue
import threading
from typing import Callable

from . import presenters as pr
from .presenters import ConnectionState

log = logging.getLogger(__name__)

Deliver = Callable[[Callable[[], None]], None]
#: schedule(delay_seconds, fn) -> a callable that cancels it
Schedule = Callable[[float, Callable[[], None]], Callable[[], None]]


class Job:
    """One piece of work for a :class:`Worker`. Its callbacks run once, on the UI thread:
    normally when the worker delivers them, or earlier through :meth:`finish_within` when the
    UI thread would rather wait a few milliseconds than draw a frame with stale content."""

    def __init__(self, fn: Callable, on_done: Callable | None,
                 on_error: Callable[[BaseException], None] | None) -> None:
        self.fn, self.on_done, self.on_error = fn, on_done, on_error
        self.result = None
        self.error: BaseException | None = None
        self._ran = threading.Event()
        self._finished = False

    def run(self) -> None:  # the worker's thread
        try:
            self.result = self.fn()
        except BaseException as error:  # noqa: BLE001 - every failure goes back to the UI
            self.error = error
        finally:
            self._ran.set()

    @property
    def ran(self) -> bool:
        return self._ran.is_set()

    def finish(self) -> bool:
        """Run the callback (UI thread). Does nothing if the job has not run yet or its
        callback already ran; returns whether the job is finished."""
        if self._finished:
            return True
        if not self._ran.is_set():
            return False
        self._finished = True
        if self.error is not None:
            if self.on_error is not None:
                self.on_error(self.error)
        elif self.on_done is not None:
            self.on_done(self.result)
        return True

    def finish_within(self, timeout: float) -> bool:
        """Wait at most ``timeout`` seconds for the worker, then finish now if it has run
        (otherwise the worker's delivery finishes it later). The UI thread never waits longer
        than ``timeout``, and the disk work stays on the worker."""
        self._ran.wait(timeout)
        return self.finish()


class Worker:
    def __init__(self, name: str, deliver: Deliver) -> None:
        self.name = name
        self.deliver = deliver
        self._jobs: queue.Queue = queue.Queue()
        self._busy = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"knockdoor-{name}", daemon=True)
        self._thread.start()

    def submit(self, job: Callable, on_done: Callable | None = None,
               on_error: Callable[[BaseException], None] | None = None) -> Job:
        item = Job(job, on_done, on_error)
        self._jobs.put(item)
        return item

    def idle(self) -> bool:
        return self._jobs.empty() and not self._busy.is_set()

    def stop(self, timeout: float = 5.0) -> None:
        self._jobs.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            item = self._jobs.get()
            if item is None:
                return
            self._busy.set()
            try:
                item.run()
                if item.error is not None and item.on_error is None:
                    log.error("background job failed on %s", self.name,
                              exc_info=(type(item.error), item.error,
                                        item.error.__traceback__))
                elif item.on_done is not None or item.on_error is not None:
                    self.deliver(item.finish)
            finally:
                self._busy.clear()


def read_today(service, query: str) -> tuple[str, list, list[dict]]:
    """Worker side: the Today list, as summaries and as plain row dicts. Every read of it
    (start, sign-in, after each sync) picks up the district's zone the server last named."""
    pr.use_district_zone(service.district_zone)
    summaries = service.today_list(query)
    from client.requests import RequestDesk  # the badge of open requests (issue 14)
    counts = RequestDesk(service).open_counts_by_resident()
    return query, summaries, pr.today_rows(summaries, grouped=not query.strip(),
                                           open_requests=counts)


def open_tablet(data_dir) -> tuple:
    """Worker side, the first job of a start: open the local database (it runs the migrations;
    the client core is imported here, off the UI thread), ask the lock what to show first
    and, when someone is signed in, read the Today list too, all at once (each round trip to
    the UI costs a frame). Returns (service, gate, sign-in reason, today rows or None)."""
    from client.service import FieldService

    service = FieldService(data_dir, max_attempts=3, backoff_cap=4.0)
    gate = service.gate()
    reason = service.sign_in_reason()
    rows = read_today(service, "") if gate in ("open", "pin", "set_pin") else None
    return service, gate, reason, rows


class SyncListener:
    """What AutoSync tells the app (all called on the UI thread)."""

    def on_connection(self, state: ConnectionState) -> None: ...
    def on_progress(self, progress) -> None: ...
    def on_synced(self, report) -> None: ...
    def on_wiped(self) -> None: ...
    def on_sign_in_required(self, code: str) -> None: ...
    def on_upgrade_required(self, side: str) -> None: ...


class AutoSync:
    #: seconds between probes while the server cannot be reached (then stays at the last)
    PROBE_BACKOFF = (2, 4, 8, 15, 30, 60)
    #: while online, look now and then, to notice when the signal goes
    HEARTBEAT = 30
    #: after a save, wait a moment: the volunteer may add a note to the same resident
    AFTER_SAVE_DELAY = 2

    def __init__(self, service, network: Worker, schedule: Schedule, listener: SyncListener,
                 deliver: Deliver) -> None:
        self.service = service
        self.network = network
        self.schedule = schedule
        self.listener = listener
        self.deliver = deliver
        self.state = ConnectionState()
        self._want_sync = False
        self._probe_attempt = 0
        self._cancel_probe: Callable[[], None] | None = None
        self._cancel_delayed_sync: Callable[[], None] | None = None
        self._probing = False
        self._running = False

    # ---- life cycle ------------------------------------------------------------------------

    def start(self) -> None:
        self._running = True
        self.probe_now()

    def stop(self) -> None:
        self._running = False
        for cancel in (self._cancel_probe, self._cancel_delayed_sync):
            if cancel:
                cancel()
        self._cancel_probe = self._cancel_delayed_sync = None

    def set_unsent(self, count: int) -> None:
        if count != self.state.unsent:
            self.state.unsent = count
            self._tell()

    # ---- triggers ----------------------------------------------------------------------------

    def resumed(self) -> None:
        self.request_sync()

    def visit_saved(self) -> None:
        if self.state.online:
            self.request_sync(delay=self.AFTER_SAVE_DELAY)
        # Offline: the probe notices the signal coming back and syncs then.

    def request_sync(self, delay: float = 0) -> None:
        if not self._running:
            return
        self._want_sync = True
        if delay:
            if self._cancel_delayed_sync:
                self._cancel_delayed_sync()
            self._cancel_delayed_sync = self.schedule(delay, self.sync_now)
        else:
            self.sync_now()

    # ---- probing ---------------------------------------------------------------------------

    def probe_now(self) -> None:
        if not self._running or self.state.syncing or self._probing:
            return
        if self._cancel_probe:
            self._cancel_probe()
            self._cancel_probe = None
        self._probing = True
        self.network.submit(self.service.probe, self._probed, self._probe_failed)

    def _probe_failed(self, error: BaseException) -> None:
        self._probed(False)

    def _probed(self, reachable: bool) -> None:
        self._probing = False
        if not self._running:
            return
        was_online = self.state.online
        self.state.online = bool(reachable)
        self._tell()
        if reachable:
            self._probe_attempt = 0
            if was_online is not True or self._want_sync or self.state.unsent:
                self.sync_now()
                return
            self._next_probe(self.HEARTBEAT)
        else:
            self._next_probe(self._backoff())

    def _backoff(self) -> float:
        delay = self.PROBE_BACKOFF[min(self._probe_attempt, len(self.PROBE_BACKOFF) - 1)]
        self._probe_attempt += 1
        return delay

    def _next_probe(self, delay: float) -> None:
        if self._cancel_probe:
            self._cancel_probe()
        self._cancel_probe = self.schedule(delay, self.probe_now)

    # ---- syncing ---------------------------------------------------------------------------

    def sync_now(self) -> None:
        if not self._running:
            return
        if self.state.syncing:
            self._want_sync = True  # once more when this one ends: there is newer work
            return
        if self._cancel_delayed_sync:  # this sync covers the one that was waiting
            self._cancel_delayed_sync()
            self._cancel_delayed_sync = None
        self._want_sync = False
        self.state.syncing = True
        self._tell()
        self.network.submit(self._sync_job, self._synced, self._sync_failed)

    def _sync_job(self):
        report = self.service.sync(progress=self._progress_from_worker)
        return report, self.service.unsent_count()  # counted here: no disk on the UI thread

    def _progress_from_worker(self, progress) -> None:
        self.deliver(lambda: self.listener.on_progress(progress))

    def _synced(self, outcome) -> None:
        report, unsent = outcome
        self.state.syncing = False
        offline = not report.ok and report.error_code == "offline"
        self.state.online = False if offline else True
        self.state.unsent = unsent
        self._tell()
        self.listener.on_synced(report)
        if not self._running:
            return
        if offline:
            self._next_probe(self._backoff())
        elif self._want_sync:
            self.sync_now()
        else:
            self._next_probe(self.HEARTBEAT)

    def _sync_failed(self, error: BaseException) -> None:
        from client.service import (DeviceWiped, SignInRequired,  # lazily: light start-up
                                    UpgradeRequired)

        self.state.syncing = False
        self._tell()
        if isinstance(error, DeviceWiped):
            self.stop()
            self.listener.on_wiped()
        elif isinstance(error, SignInRequired):
            self.stop()
            self.listener.on_sign_in_required(error.code)
        elif isinstance(error, UpgradeRequired):
            self.stop()
            self.listener.on_upgrade_required(getattr(error, "side", "app"))
        else:
            log.error("sync failed: %s", error.__class__.__name__)
            self.state.online = None
            self._next_probe(self._backoff())

    def _tell(self) -> None:
        self.listener.on_connection(self.state)
