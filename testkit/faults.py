"""A transport in bad weather: drops requests and responses, duplicates and replays them late."""
from __future__ import annotations

import random

from client.transport import Transport, TransportError


class DeviceCrash(Exception):
    """The tablet died: whatever the engine held in memory is gone."""


class FaultyTransport:
    def __init__(self, inner: Transport, rng: random.Random, *, drop_request: float = 0.15,
                 drop_response: float = 0.15, duplicate: float = 0.1, replay_late: float = 0.1,
                 crash: float = 0.0) -> None:
        self.inner = inner
        self.rng = rng
        self.drop_request = drop_request
        self.drop_response = drop_response
        self.duplicate = duplicate
        self.replay_late = replay_late
        self.crash = crash
        self.sent: list[tuple[str, dict, str | None]] = []
        self.enabled = True

    def _replay_an_old_request(self) -> None:
        path, body, token = self.rng.choice(self.sent)
        try:
            self.inner.post(path, body, token)
        except TransportError:
            pass  # nobody is listening for the answer to a request this old

    def post(self, path: str, body: dict, token: str | None = None) -> dict:
        if not self.enabled:
            return self.inner.post(path, body, token)
        if self.sent and self.rng.random() < self.replay_late:
            self._replay_an_old_request()
        if self.rng.random() < self.drop_request:
            raise TransportError("request lost", retryable=True)
        response = self.inner.post(path, body, token)
        self.sent.append((path, body, token))
        if self.rng.random() < self.duplicate:
            response = self.inner.post(path, body, token)
        if self.rng.random() < self.crash:
            raise DeviceCrash("the tablet died before it read the answer")
        if self.rng.random() < self.drop_response:
            raise TransportError("response lost", retryable=True)
        return response

    def health(self) -> dict:
        return self.inner.health()
