"""Builders for request moves as wire ops (entity ``request_event``), written from the
protocol's description (docs/sync-protocol.md, "Requests"), for tests of every layer."""
from __future__ import annotations

import uuid
from datetime import datetime

from shared.clock import isoformat, utcnow


def request_op(seq: int, grid_id: int, request_id: str, action: str,
               device_time: datetime | None = None, **data) -> dict:
    return {"op_id": str(uuid.uuid4()), "seq": seq, "entity": "request_event",
            "action": "create", "entity_id": str(uuid.uuid4()), "grid_id": grid_id,
            "device_time": isoformat(device_time or utcnow()),
            "data": {"request_id": request_id, "action": action, **data}}


def raise_op(seq: int, grid_id: int, request_id: str | None = None, category: str = "repairs",
             description: str = "楼道灯坏了，晚上看不清台阶", **data) -> dict:
    return request_op(seq, grid_id, request_id or str(uuid.uuid4()), "raise",
                      category=category, description=description, **data)
