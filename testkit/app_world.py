"""The world of a UI test: a migrated server database, a real server process on it, and the
real app in a real window (testkit.app_driver) talking to it."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from server.db import make_engine
from server.migrate import upgrade

from .app_driver import AppDriver
from .live_server import LiveServer


def server_database(tmp: Path):
    """A new SQLite server database in ``tmp``, migrated: (its URL, an engine on it)."""
    url = f"sqlite:///{tmp / 'server.db'}"
    upgrade(url)
    return url, make_engine(url)


@contextmanager
def app_and_server(url: str, engine, tmp: Path, env: dict,
                   lang: str = "zh_CN") -> Iterator[tuple[LiveServer, AppDriver]]:
    """The server on ``url`` and the app (its data and log in ``tmp``), running; afterwards
    both stopped and ``engine`` disposed of."""
    server = LiveServer(url).start()
    app = AppDriver(tmp / "tablet", lang, env=env, log_path=tmp / "app.log")
    yield server, app
    app.close()
    server.stop()
    engine.dispose()


def killed_and_unlocked(world: dict, pin: str) -> AppDriver:
    """The tablet dies (the app's process killed, as on the stairs), starts again and is
    unlocked with ``pin``: the new driver, on the Today list, also kept as ``world["app"]``."""
    world["app"].process.kill()
    world["app"].process.wait()
    app = world["app"] = AppDriver(world["tmp"] / "tablet", "zh_CN", env=world["env"],
                                   log_path=world["tmp"] / "app-again.log")
    app.wait_ready()
    app.unlock(pin, button="解锁")
    return app
