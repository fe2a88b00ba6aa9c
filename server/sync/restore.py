"""Noticing a server restored from a backup (DESIGN.md §4.13, docs/operations.md).

A restored database holds the old epoch, so the epoch alone cannot tell. What a restored
database cannot know is what the tablets saw after the backup was taken: the log positions
they pulled and the sequence numbers of theirs the server acknowledged. A tablet sends both
(for the epoch it last saw) before it pushes; when either is beyond what this database holds,
the server is behind its own past, and it starts a new epoch so that every tablet, not only
the one that noticed, starts its copy over and re-sends what was lost.
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import AppliedOp, Device
from . import changelog


def applied_high_water(session: Session, device_id: str) -> int:
    """The highest sequence number of this device the server holds (0: none)."""
    return session.scalar(select(func.max(AppliedOp.seq))
                          .where(AppliedOp.device_id == device_id)) or 0


def server_state(session: Session, device: Device, epoch: str | None, seen_position: int,
                 acked_seq: int) -> dict:
    current, since = changelog.server_epoch(session)
    head = changelog.head_position(session)
    applied = applied_high_water(session, device.id)
    restored = epoch == current and (seen_position > head or acked_seq > applied)
    if restored:
        # Where the restored history parts from the one the tablets saw is not known here: 0
        # makes every edit based on the lost history meet later ones as a conflict.
        current, since = changelog.rotate_epoch(session, 0, replacing=current)
    return {"epoch": current, "epoch_since": since, "head": head, "applied_seq": applied,
            "restored": restored}
