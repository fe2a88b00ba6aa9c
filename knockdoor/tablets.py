"""The tablet side of ``knockdoor``: ``simulate`` (the demo's tablets against a server) and
``app`` (the tablet app), each importing the client only when run (a server needs no Kivy)."""
from __future__ import annotations

DEFAULT_SERVER = "http://127.0.0.1:8000"


def demo_usernames(count: int) -> list[str]:
    """The demo's first ``count`` field workers, one tablet each."""
    from server.demo import field_usernames
    names = field_usernames()
    if count > len(names):
        raise SystemExit(f"The demo has {len(names)} field workers; ask for at most that many "
                         "tablets.")
    return names[:count]


def cmd_simulate(args) -> int:
    from client import simulation

    if not args.usernames:
        args.usernames = ",".join(demo_usernames(args.tablets))
    return int(simulation.main(args) or 0)


def cmd_app(args) -> int:
    from client import ui

    return int(ui.main(args) or 0)
