"""The status line on every screen: online or not, syncing, how much is unsent."""
from __future__ import annotations

from dataclasses import dataclass

from ..i18n import _


@dataclass
class ConnectionState:
    online: bool | None = None  # None: not known yet
    syncing: bool = False
    unsent: int = 0

    def text(self) -> str:
        if self.syncing:
            where = _("Syncing…")
        elif self.online:
            where = _("Online")
        elif self.online is None:
            where = _("Checking signal…")
        else:
            where = _("Offline")
        if self.unsent:
            return _("{state} · {count} unsent").format(state=where, count=self.unsent)
        return _("{state} · all sent").format(state=where)

    def tone(self) -> str:
        """Red and orange are for what needs the volunteer; no signal, with records waiting to
        go, is the ordinary state of a stairwell: calm, whatever the count."""
        if self.online:
            return "ok"
        return "calm"
