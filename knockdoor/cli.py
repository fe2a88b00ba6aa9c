"""``knockdoor``: the one command for running, seeding and trying out Knockdoor.

Every subcommand that touches the server database takes ``--database-url`` and otherwise reads
``KNOCKDOOR_DATABASE_URL`` (default: SQLite under ``KNOCKDOOR_DATA_DIR``, ``var/`` by default).
It lives outside ``server/`` and ``client/`` because it runs both sides: the server's commands
and the demo's tablets (``simulate``) and the tablet app (``app``), which are imported only
when run (a server needs no Kivy).

The parser is here; each command's work is in the module named for what it holds: ``serving``,
``maintenance``, ``accounts``, ``tablets`` and ``threelists_cli``.
"""
from __future__ import annotations

import argparse
import os
import sys

from server.demo import DEFAULT_RANDOM_SEED, DEMO_PASSWORD

from .accounts import cmd_create_user, cmd_reset_password
from .database import default_database_url
from .maintenance import (DEFAULT_PRUNE_DAYS, cmd_migrate, cmd_points_ledger, cmd_prune,
                          cmd_refresh_follow_ups, cmd_restored, cmd_seed)
from .serving import POSTGRES_THREADS, SQLITE_THREADS, cmd_serve
from .tablets import DEFAULT_SERVER, cmd_app, cmd_simulate


def _size(value: str) -> str:
    """'1280x800', checked; handed on as that text."""
    try:
        width, height = (int(part) for part in value.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError("expected WIDTHxHEIGHT, e.g. 1280x800") from None
    if width < 200 or height < 200:
        raise argparse.ArgumentTypeError("the window must be at least 200x200")
    return f"{width}x{height}"


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def build_parser() -> argparse.ArgumentParser:
    from shared import protocol as p

    parser = argparse.ArgumentParser(
        prog="knockdoor",
        description="Knockdoor: offline-first visits for neighbourhood knock-door teams.",
        epilog="Database: --database-url, else KNOCKDOOR_DATABASE_URL, else SQLite under "
               "KNOCKDOOR_DATA_DIR (default var/). Run `knockdoor COMMAND --help` for details.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    database = argparse.ArgumentParser(add_help=False)
    database.add_argument("--database-url", default=None,
                          help="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db "
                               "(default: KNOCKDOOR_DATABASE_URL or SQLite under var/)")

    sub = commands.add_parser("migrate", parents=[database],
                              help="create or upgrade the server database schema")
    sub.set_defaults(handler=cmd_migrate)

    sub = commands.add_parser(
        "restored", parents=[database],
        help="after restoring the database from a backup: start a new epoch",
        description="Run once after restoring the database from a backup, before starting the "
                    "server: it gives the server's history a new epoch, so that every tablet "
                    "notices the restore before it pushes, starts its copy over and re-sends "
                    "what the backup lacks (see docs/operations.md).")
    sub.set_defaults(handler=cmd_restored)

    sub = commands.add_parser(
        "serve", parents=[database], help="migrate, then run the server with gunicorn",
        description="Migrates the database, then runs the server with gunicorn: several "
                    "worker processes on PostgreSQL (2 x cores + 1, at most 4), one process "
                    "with threads on SQLite.")
    sub.add_argument("--host", default="127.0.0.1",
                     help="address to listen on (default %(default)s)")
    sub.add_argument("--port", type=int, default=8000, help="port (default %(default)s)")
    sub.add_argument("--workers", type=_positive, default=None,
                     help="gunicorn worker processes (default: 1 on SQLite, "
                          "2 x cores + 1 capped at 4 on PostgreSQL)")
    sub.add_argument("--threads", type=_positive, default=None,
                     help=f"threads per worker (default {SQLITE_THREADS} on SQLite, "
                          f"{POSTGRES_THREADS} on PostgreSQL)")
    sub.add_argument("--timeout", type=_positive, default=120,
                     help="seconds before a silent worker is restarted (default %(default)s)")
    sub.add_argument("--access-log", action="store_true",
                     help="log every request to stdout (paths only: no query strings)")
    sub.add_argument("--log-level", default="info",
                     choices=["debug", "info", "warning", "error"])
    sub.set_defaults(handler=cmd_serve)

    sub = commands.add_parser(
        "seed", parents=[database], help="create the demo district (--demo) and print its logins",
        description="Creates the demo district 华龙区 (streets, communities, 26 grids, about "
                    "1,400 residents, five weeks of visits, supervisors and field workers) in "
                    "an empty database and prints the logins.")
    sub.add_argument("--demo", action="store_true", help="seed the demo district")
    sub.add_argument("--random-seed", type=int, default=DEFAULT_RANDOM_SEED,
                     help="the same seed gives the same district (default %(default)s)")
    sub.add_argument("--reset", action="store_true",
                     help="delete ALL data in the database first")
    sub.set_defaults(handler=cmd_seed)

    sub = commands.add_parser(
        "prune", parents=[database],
        help="delete operational records (sign-in attempts) older than N days",
        description="Deletes sign-in attempts older than N days; run it daily (see "
                    "docs/operations.md, 'Periodic jobs'). Never touches the audit log, the "
                    "records tablets sync, or what makes retried pushes exactly-once.")
    sub.add_argument("--older-than-days", type=int, default=DEFAULT_PRUNE_DAYS, metavar="N",
                     help="keep the last N days (default %(default)s, at least 1)")
    sub.set_defaults(handler=cmd_prune)

    sub = commands.add_parser(
        "refresh-follow-ups", parents=[database],
        help="after changing KNOCKDOOR_DISTRICT_RULES: work out open follow-ups again",
        description="Which no-answers open a follow-up depends on the district's rules "
                    "(KNOCKDOOR_DISTRICT_RULES). After changing them, run this once: every "
                    "resident's open follow-up is worked out again from their visits. The "
                    "tablets do the same when the new rules reach them.")
    sub.set_defaults(handler=cmd_refresh_follow_ups)

    sub = commands.add_parser(
        "points-ledger", parents=[database],
        help="build the stored duty-points ledger now (after an upgrade or new rules)",
        description="The duty-points pages read a stored ledger that follows the change log "
                    "(docs/points.md). Right after the upgrade that adds it, and after an admin "
                    "saves a new version of the rules, the first page view would build it whole "
                    "(about a minute for a large district's year); run this then instead. "
                    "--rebuild builds it anew even when it is up to date.")
    sub.add_argument("--rebuild", action="store_true", help="build it anew from the facts")
    sub.set_defaults(handler=cmd_points_ledger)

    sub = commands.add_parser("create-user", parents=[database],
                              help="add a person who can sign in")
    sub.add_argument("--username", required=True)
    sub.add_argument("--role", required=True, choices=p.ROLES)
    sub.add_argument("--name", required=True, help="display name, e.g. 王秀英")
    sub.add_argument("--password", default=None,
                     help="at least 8 characters (default: asked for at the prompt)")
    sub.add_argument("--phone", default=None)
    sub.add_argument("--area", action="append", default=[], metavar="CODE_OR_NAME",
                     help="assign to this grid, community or street (repeatable)")
    sub.set_defaults(handler=cmd_create_user)

    sub = commands.add_parser(
        "reset-password", parents=[database], help="set a new password for a user",
        description="Sets a new password for USERNAME (read twice at the prompt, or "
                    "--password), signs them out of the web view and records it in the audit "
                    "log. Their tablets keep working.")
    sub.add_argument("username", metavar="USERNAME")
    sub.add_argument("--password", default=None,
                     help="the new password (default: asked twice at the prompt)")
    sub.set_defaults(handler=cmd_reset_password)

    sub = commands.add_parser(
        "simulate", help="run simulated tablets against a server and check they converge",
        description="Signs in one simulated tablet per field worker (built on the real client "
                    "core), takes them offline, records visits and notes, provokes conflicts, "
                    "syncs until quiet and verifies convergence by digest. The last line starts "
                    "with 'converged' or 'DIVERGED' (exit status 1).")
    sub.add_argument("--server", default=DEFAULT_SERVER, help="server URL (default %(default)s)")
    sub.add_argument("--tablets", type=_positive, default=20,
                     help="number of tablets (default %(default)s)")
    sub.add_argument("--rounds", type=_positive, default=3,
                     help="offline/online rounds (default %(default)s)")
    sub.add_argument("--random-seed", type=int, default=None,
                     help="seed for a repeatable run (default: random)")
    sub.add_argument("--password", default=DEMO_PASSWORD,
                     help="password of the field workers' accounts (default: the demo password)")
    sub.add_argument("--usernames", default=None, metavar="NAME,NAME,...",
                     help="sign in these accounts, one tablet each (default: the demo's first "
                          "N field workers, vol-01, vol-02, ...)")
    sub.set_defaults(handler=cmd_simulate)

    sub = commands.add_parser("app", help="run the tablet app (Kivy)")
    sub.add_argument("--data-dir", default=None,
                     help="where the app keeps its local database (default: per-user data dir)")
    sub.add_argument("--lang", choices=["zh_CN", "en"], default=None,
                     help="language (default: as last chosen in Settings, else zh_CN)")
    sub.add_argument("--size", type=_size, default=None, metavar="WxH",
                     help="window size, e.g. 1280x800")
    sub.add_argument("--server", default=None, help="server URL to offer at sign-in")
    sub.set_defaults(handler=cmd_app)

    from .threelists_cli import add_commands
    add_commands(commands, database)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if hasattr(args, "database_url") and not args.database_url:
        args.database_url = default_database_url()
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
