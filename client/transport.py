"""How the sync engine reaches the server: a small Protocol and its implementations.

:class:`HttpTransport` is the real one (requests, gzip, timeouts). :class:`FlaskTransport`
calls a Flask app in-process with no sockets, for fast tests of the whole stack.
"""
from __future__ import annotations

import gzip
import json
from typing import Protocol

import requests

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


class TransportError(Exception):
    """The request did not get a usable answer.

    ``retryable``: worth trying again later (no connection, timeout, 5xx, 429). Otherwise the
    server refused the request itself; ``status`` and ``error`` (the server's machine-readable
    code) say why.
    """

    def __init__(self, message: str, *, status: int | None = None, error: str | None = None,
                 retryable: bool = False, details: dict | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.error = error
        self.retryable = retryable
        self.details = details or {}
        self.retry_after = retry_after


class Transport(Protocol):
    def post(self, path: str, body: dict, token: str | None = None) -> dict: ...
    def health(self) -> dict: ...


def _error_from_response(status: int, body: dict | None, retry_after: str | None):
    body = body if isinstance(body, dict) else {}
    message = body.get("message") or f"The server answered {status}."
    seconds = None
    if retry_after and retry_after.isdigit():
        seconds = float(retry_after)
    return TransportError(message, status=status, error=body.get("error"),
                          retryable=status in RETRYABLE_STATUSES,
                          details=body.get("details"), retry_after=seconds)


def _answer(status: int, payload, retry_after: str | None) -> dict:
    """The server's JSON answer; anything but a 200 with a JSON object raises TransportError."""
    if status != 200 or not isinstance(payload, dict):
        raise _error_from_response(status, payload, retry_after)
    return payload


def encode_body(body: dict) -> bytes:
    return gzip.compress(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(),
                         compresslevel=6)


class HttpTransport:
    def __init__(self, base_url: str, *, connect_timeout: float = 5.0,
                 read_timeout: float = 60.0, session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = (connect_timeout, read_timeout)
        self.session = session or requests.Session()
        #: Bytes of the last request body as sent (compressed): for the wire-size benchmark.
        self.last_request_bytes = 0

    def post(self, path: str, body: dict, token: str | None = None) -> dict:
        data = encode_body(body)
        self.last_request_bytes = len(data)
        headers = {"Content-Type": "application/json", "Content-Encoding": "gzip",
                   "Accept-Encoding": "gzip"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            response = self.session.post(self.base_url + path, data=data, headers=headers,
                                         timeout=self.timeout)
        except requests.Timeout as exc:
            raise TransportError(f"The server did not answer in time ({exc.__class__.__name__}).",
                                 retryable=True) from None
        except requests.RequestException as exc:
            raise TransportError(f"Cannot reach the server ({exc.__class__.__name__}).",
                                 retryable=True) from None
        try:
            payload = response.json()
        except ValueError:
            payload = None
        return _answer(response.status_code, payload, response.headers.get("Retry-After"))

    def health(self) -> dict:
        try:
            response = self.session.get(self.base_url + "/healthz", timeout=(3.0, 5.0))
            response.raise_for_status()
            return response.json()
        except (requests.RequestException, ValueError) as exc:
            raise TransportError(f"Cannot reach the server ({exc.__class__.__name__}).",
                                 retryable=True) from None


class FlaskTransport:
    """The same contract over ``app.test_client()``: the whole server stack, no sockets."""

    def __init__(self, app, *, compress: bool = True) -> None:
        self.client = app.test_client()
        self.compress = compress

    def post(self, path: str, body: dict, token: str | None = None) -> dict:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if self.compress:
            headers["Content-Encoding"] = "gzip"
            data = encode_body(body)
        else:
            data = json.dumps(body)
        response = self.client.post(path, data=data, headers=headers)
        payload = response.get_json(silent=True)
        return _answer(response.status_code, payload, response.headers.get("Retry-After"))

    def health(self) -> dict:
        response = self.client.get("/healthz")
        if response.status_code != 200:
            raise _error_from_response(response.status_code, response.get_json(silent=True), None)
        return response.get_json()
