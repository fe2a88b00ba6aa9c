"""The field service: what the app offers a volunteer (see client/service/__init__.py).
Its parts: account.py, queries.py, commands.py."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from shared.clock import isoformat, utcnow
from shared.district_day import district_today, zone_or_default
from shared.district_rules import DistrictRules

from ..care import RULES_META, rules_from_text
from ..lock import TabletLock
from ..store import PENDING, REJECTED, SqliteStore
from ..sync import (DISTRICT_ZONE_META, DeviceWiped, SignInRequired, SyncEngine, SyncProgress,
                    SyncReport)
from ..transport import HttpTransport, Transport, TransportError
from .models import _moment
from .account import AccountMixin
from .commands import CommandsMixin
from .queries import QueriesMixin


class FieldService(AccountMixin, QueriesMixin, CommandsMixin):
    def __init__(self, data_dir: str | Path, *,
                 transport_factory: Callable[[str], Transport] = HttpTransport,
                 clock: Callable[[], datetime] = utcnow, **engine_options) -> None:
        self.data_dir = Path(data_dir)
        self.store = SqliteStore(self.data_dir / "knockdoor-local.db")
        self.lock = TabletLock(self.store)
        self.transport_factory = transport_factory
        self.clock = clock
        self.engine_options = engine_options
        self._engine: SyncEngine | None = None

    def close(self) -> None:
        self.store.close()
    # ---- the district's day ----------------------------------------------------------------

    @property
    def district_rules(self) -> DistrictRules:
        """The district's visiting rules as the server last sent them (defaults until then)."""
        return rules_from_text(self.store.get_meta(RULES_META))

    @property
    def district_zone(self) -> ZoneInfo:
        """The zone the server named (Asia/Shanghai until it names one): the tablet's days and
        every time it shows are the district's, whatever zone the tablet itself is set to."""
        return zone_or_default(self.store.get_meta(DISTRICT_ZONE_META))

    def today(self) -> date:
        return district_today(self.clock(), self.district_zone)

    # ---- sync ------------------------------------------------------------------------------

    @property
    def engine(self) -> SyncEngine:
        if self._engine is None:
            account = self.account
            if account is None:
                raise DeviceWiped("Not signed in.")
            self._engine = SyncEngine(self.store, self.transport_factory(account.server_url),
                                      clock=self.clock, **self.engine_options)
        return self._engine

    def sync(self, progress: Callable[[SyncProgress], None] | None = None) -> SyncReport:
        """Blocking: run it off the UI thread. Raises DeviceWiped (data already wiped) and
        UpgradeRequired; every other problem is in the report."""
        try:
            return self.engine.sync(progress)
        except (DeviceWiped, SignInRequired):
            self._engine = None
            raise
        except SignInRequired as refusal:
            self.store.set_meta({"signed_out_because": refusal.code})
            self._engine = None
            raise

    def probe(self) -> bool:
        """Is the server reachable right now? (Short timeouts.)"""
        account = self.account
        if account is None:
            return False
        try:
            self.engine.transport.health()
        except TransportError:
            return False
        return True

    def last_sync(self) -> SyncReport | None:
        raw = self.store.get_meta("last_sync")
        return SyncReport.from_json(raw) if raw else None

    def last_success(self) -> datetime | None:
        return _moment(self.store.get_meta("last_success"))

    def quarantined_count(self) -> int:
        """Pulled records this tablet could not apply and keeps aside (client/pulled.py)."""
        return len(self.store.quarantined())

    def unsent_count(self) -> int:
        return self.store.count_ops(PENDING)

    def unsent_ops(self) -> list[dict]:
        """Changes made here that the server has not acknowledged yet, oldest first."""
        return [{"op_id": row["op_id"], "entity": row["entity"], "action": row["op"]["action"],
                 "entity_id": row["entity_id"], "resident_id": row["resident_id"],
                 "resident_name": row["resident_name"], "made_at": row["created_at"]}
                for row in self.store.outbox(PENDING)]

    def rejected_ops(self) -> list[dict]:
        """Changes the server refused, with its reason; kept until the volunteer dismisses them."""
        rows = self.store.outbox(REJECTED)
        return [{"op_id": row["op_id"], "entity": row["entity"], "entity_id": row["entity_id"],
                 "resident_id": row["resident_id"], "resident_name": row["resident_name"],
                 "reason_code": row["reason_code"], "reason": row["reason"],
                 "reason_params": row.get("reason_params") or {}, "grid_id": row["grid_id"],
                 "made_at": row["created_at"], "data": row["op"]["data"]} for row in rows]

    def dismiss_rejected(self, op_id: str) -> bool:
        """Let a refused change go (the tablet keeps a trace of it)."""
        return self.store.dismiss_rejected(op_id, isoformat(self.clock()))

    def resubmit_rejected(self, op_id: str) -> str | None:
        """Send a refused change again, as a new change; returns its id (None if there is no
        such refused change). It goes with the next sync."""
        new_op_id = str(uuid.uuid4())
        seq = self.store.resubmit_rejected(op_id, new_op_id, isoformat(self.clock()))
        return new_op_id if seq is not None else None

    def settled_rejections(self) -> list[dict]:
        return self.store.settled_rejections()
