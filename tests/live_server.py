"""A real server process on 127.0.0.1, started and stopped by the tests themselves."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """``knockdoor serve`` (gunicorn) for ``database_url``; can be stopped and restarted on
    the same port (to play "no signal")."""

    def __init__(self, database_url: str, port: int | None = None, workers: int = 1,
                 extra_env: dict | None = None) -> None:
        self.database_url = database_url
        self.port = port or free_port()
        self.workers = workers
        self.extra_env = extra_env or {}
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> "LiveServer":
        env = {**os.environ, "KNOCKDOOR_DATABASE_URL": self.database_url,
               "KNOCKDOOR_PASSWORD_HASH": "pbkdf2:sha256:1000",
               "KNOCKDOOR_SECRET_KEY": "live-server-test", **self.extra_env}
        # `knockdoor serve`, as an operator would run it (it execs gunicorn in place).
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1",
             "--port", str(self.port), "--workers", str(self.workers),
             "--log-level", "warning"], env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not answer /healthz in time")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> "LiveServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
