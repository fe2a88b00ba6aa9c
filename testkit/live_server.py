"""A real server process on 127.0.0.1, started and stopped by the tests (and benchmarks and
screenshot scripts) themselves."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from testkit.clock import subprocess_pythonpath

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_and_read(process: subprocess.Popen) -> str:
    """Stop a server process started with its output piped (killed if it lingers past 20 s);
    returns all it wrote."""
    process.terminate()
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output


class LiveServer:
    """``knockdoor serve`` (gunicorn) for ``database_url``, as an operator would run it.

    It can be stopped and restarted on the same port (to play "no signal"). Without a fixed
    ``port`` a port taken meanwhile by another process is retried on a fresh one.
    """

    def __init__(self, database_url: str, port: int | None = None, workers: int = 1,
                 threads: int | None = None, log_path: Path | None = None,
                 extra_env: dict | None = None) -> None:
        self.database_url = database_url
        self.fixed_port = port is not None
        self.port = port or free_port()
        self.workers = workers
        self.threads = threads
        self.log_path = log_path
        self.extra_env = extra_env or {}
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> "LiveServer":
        for _attempt in range(1 if self.fixed_port else 3):
            if self._start_once(timeout):
                return self
            self.port = free_port()
        raise RuntimeError(f"the server did not start{self._log_tail()}")

    def _start_once(self, timeout: float) -> bool:
        env = {**os.environ, "KNOCKDOOR_DATABASE_URL": self.database_url,
               "KNOCKDOOR_PASSWORD_HASH": "pbkdf2:sha256:1000",
               "KNOCKDOOR_SECRET_KEY": "live-server-test",
               "PYTHONPATH": subprocess_pythonpath(ROOT),
               "KNOCKDOOR_SECURE_COOKIES": "0",  # plain http on 127.0.0.1
               **self.extra_env}
        argv = [sys.executable, "-m", "knockdoor.cli", "serve", "--host", "127.0.0.1",
                "--port", str(self.port), "--workers", str(self.workers),
                "--log-level", "warning"]
        if self.threads:
            argv += ["--threads", str(self.threads)]
        log = self.log_path.open("ab") if self.log_path else None
        try:
            self.process = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=log,
                                            stderr=subprocess.STDOUT if log else None)
        finally:
            if log:
                log.close()
        deadline = time.monotonic() + timeout  # a loaded machine imports slowly
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.process = None
                return False
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return True
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        return False

    def _log_tail(self) -> str:
        if self.log_path and self.log_path.exists():
            return ":\n" + self.log_path.read_text(errors="replace")[-3000:]
        return ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> "LiveServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
