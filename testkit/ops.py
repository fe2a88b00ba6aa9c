"""Builders for wire ops and API calls, for tests that talk to the sync API directly."""
from __future__ import annotations

import uuid
from datetime import datetime

from shared.clock import isoformat, utcnow
from shared.protocol import PROTOCOL_VERSION


def visit_op(seq: int, grid_id: int, resident_id: str, outcome: str = "met",
             device_time: datetime | None = None, **data) -> dict:
    return {"op_id": str(uuid.uuid4()), "seq": seq, "entity": "visit", "action": "create",
            "entity_id": str(uuid.uuid4()), "grid_id": grid_id,
            "device_time": isoformat(device_time or utcnow()),
            "data": {"resident_id": resident_id, "outcome": outcome, **data}}


def note_op(seq: int, grid_id: int, resident_id: str, text: str = "需要帮忙买药",
            device_time: datetime | None = None) -> dict:
    return {"op_id": str(uuid.uuid4()), "seq": seq, "entity": "note", "action": "create",
            "entity_id": str(uuid.uuid4()), "grid_id": grid_id,
            "device_time": isoformat(device_time or utcnow()),
            "data": {"resident_id": resident_id, "text": text}}


def update_op(seq: int, grid_id: int, resident_id: str, base_version: int,
              device_time: datetime | None = None, **changes) -> dict:
    return {"op_id": str(uuid.uuid4()), "seq": seq, "entity": "resident", "action": "update",
            "entity_id": resident_id, "grid_id": grid_id, "base_version": base_version,
            "device_time": isoformat(device_time or utcnow()), "data": changes}


class ApiDevice:
    """One device talking to the API through a Flask test client."""

    def __init__(self, client, username: str, password: str, device_id: str | None = None,
                 device_name: str = "测试平板") -> None:
        self.client = client
        self.device_id = device_id or str(uuid.uuid4())
        response = client.post("/api/v1/auth/login", json={
            "protocol": PROTOCOL_VERSION, "username": username, "password": password,
            "device_id": self.device_id, "device_name": device_name})
        assert response.status_code == 200, response.get_json()
        self.token = response.get_json()["token"]
        self.seq = 0
        self.cursor = None

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def push(self, ops: list[dict], device_time: datetime | None = None):
        return self.client.post("/api/v1/sync/push", headers=self.headers, json={
            "protocol": PROTOCOL_VERSION, "device_time": isoformat(device_time or utcnow()),
            "ops": ops})

    def push_ok(self, ops: list[dict], device_time: datetime | None = None) -> list[dict]:
        response = self.push(ops, device_time)
        assert response.status_code == 200, response.get_json()
        return response.get_json()["results"]

    def pull(self, cursor: str | None = None, limit: int = 2000):
        return self.client.post("/api/v1/sync/pull", headers=self.headers, json={
            "protocol": PROTOCOL_VERSION, "cursor": cursor, "limit": limit})

    def pull_all(self, limit: int = 2000) -> dict:
        """Pull until caught up from the device's cursor; returns the merged result."""
        changes, evicted, grids = [], [], []
        while True:
            response = self.pull(self.cursor, limit)
            assert response.status_code == 200, response.get_json()
            page = response.get_json()
            changes += page["changes"]
            evicted += page["evict_grids"]
            grids = page["grids"]
            self.cursor = page["cursor"]
            if not page["has_more"]:
                return {"changes": changes, "evict_grids": evicted, "grids": grids}
