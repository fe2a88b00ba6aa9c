"""``knockdoor``: the one command for running, seeding and trying out Knockdoor.

Every subcommand that touches the server database takes ``--database-url`` and otherwise reads
``KNOCKDOOR_DATABASE_URL`` (default: SQLite under ``KNOCKDOOR_DATA_DIR``, ``var/`` by default).
It lives outside ``server/`` and ``client/`` because it runs both sides: the server's commands
and the demo's tablets (``simulate``) and the tablet app (``app``), which are imported only
when run (a server needs no Kivy).
"""
from __future__ import annotations

import argparse
import os
import secrets
import sys
import time

from server.demo import DEFAULT_RANDOM_SEED, DEMO_PASSWORD

from .accounts import cmd_create_user, cmd_reset_password
from .database import default_database_url, is_sqlite, migrate_database, safe_url

DEFAULT_SERVER = "http://127.0.0.1:8000"
MAX_DEFAULT_WORKERS = 4
SQLITE_THREADS = 8
POSTGRES_THREADS = 4
#: The access log's line: address, time, method, path WITHOUT the query string, status, size,
#: milliseconds. A query string or a referer can carry a resident's name or phone number (a
#: search), so neither is logged.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
DEFAULT_PRUNE_DAYS = 30


def cmd_migrate(args) -> int:
    migrate_database(args.database_url)
    print(f"Database is up to date: {safe_url(args.database_url)}")
    return 0


def cmd_restored(args) -> int:
    """After restoring the database from a backup, before the server takes requests again."""
    from sqlalchemy.orm import Session

    from server.db import make_engine
    from server.sync import changelog

    migrate_database(args.database_url)
    engine = make_engine(args.database_url)
    with Session(engine) as session, session.begin():
        head = changelog.head_position(session)
        epoch, _since = changelog.rotate_epoch(session, head)
    engine.dispose()
    print(f"New epoch {epoch} from log position {head}: every tablet will start its copy over "
          f"and re-send what this backup lacks at its next sync.")
    return 0


def default_workers(url: str) -> int:
    if is_sqlite(url):
        return 1  # one writer at a time anyway; threads serve the concurrent readers
    return max(1, min(2 * (os.cpu_count() or 1) + 1, MAX_DEFAULT_WORKERS))


def gunicorn_argv(args) -> list[str]:
    workers = args.workers or default_workers(args.database_url)
    threads = args.threads or (SQLITE_THREADS if is_sqlite(args.database_url)
                               else POSTGRES_THREADS)
    argv = [sys.executable, "-m", "gunicorn", "--bind", f"{args.host}:{args.port}",
            "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
            "--timeout", str(args.timeout), "--graceful-timeout", "20",
            "--error-logfile", "-", "--log-level", args.log_level]
    if args.access_log:
        argv += ["--access-logfile", "-", "--access-logformat", ACCESS_LOG_FORMAT]
    if _gunicorn_has_setting("control_socket_disable"):
        # Newer gunicorns open a control socket at one fixed path per user; several servers
        # (the demo, a test's, a benchmark's) would fight over it, and nothing here uses it.
        argv.append("--no-control-socket")
    argv.append("server.wsgi:app")
    return argv


def _gunicorn_has_setting(name: str) -> bool:
    from gunicorn.config import KNOWN_SETTINGS

    return any(setting.name == name for setting in KNOWN_SETTINGS)


def cmd_serve(args) -> int:
    url = args.database_url
    migrate_database(url)
    if is_sqlite(url) and args.workers and args.workers > 1:
        print("note: several worker processes on SQLite take turns writing; "
              "PostgreSQL is the database for that.", file=sys.stderr)
    env = dict(os.environ, KNOCKDOOR_DATABASE_URL=url)
    if not env.get("KNOCKDOOR_SECRET_KEY"):
        # Every worker must sign web sessions with the same key. Without a configured one it is
        # made here, once, and web sign-ins are forgotten when the server restarts.
        env["KNOCKDOOR_SECRET_KEY"] = secrets.token_hex(32)
        print("note: KNOCKDOOR_SECRET_KEY is not set; web sign-ins end when the server stops.",
              file=sys.stderr)
    argv = gunicorn_argv(args)
    workers = argv[argv.index("--workers") + 1]
    threads = argv[argv.index("--threads") + 1]
    print(f"Knockdoor serving on http://{args.host}:{args.port} "
          f"({workers} worker(s) x {threads} threads, database {safe_url(url)})", flush=True)
    sys.stderr.flush()
    # exec: gunicorn takes over this process (and its pid, for pid files and signals).
    os.execve(sys.executable, argv, env)
    return 0  # not reached


def cmd_seed(args) -> int:
    if not args.demo:
        print("Nothing to seed: use `knockdoor seed --demo` to create the demo district.",
              file=sys.stderr)
        return 2
    from sqlalchemy.orm import Session

    from server.db import make_engine
    from server.demo import DemoDataExists, seed_demo, wipe

    migrate_database(args.database_url)
    engine = make_engine(args.database_url)
    try:
        if args.reset:
            wipe(engine)
            print("Wiped all data from the database.")
        started = time.perf_counter()
        try:
            with Session(engine) as session, session.begin():
                summary = seed_demo(session, args.random_seed)
        except DemoDataExists as error:
            print(f"Not seeding: {error}", file=sys.stderr)
            return 1
        elapsed = time.perf_counter() - started
    finally:
        engine.dispose()
    print(f"Seeded the demo district 华龙区 in {elapsed:.1f} s "
          f"(random seed {args.random_seed}, database {safe_url(args.database_url)}):")
    print(f"  {summary.counts_line()}")
    print()
    print(summary.logins_table())
    return 0


def cmd_prune(args) -> int:
    from datetime import timedelta

    from sqlalchemy.orm import Session

    from shared.clock import utcnow

    from server.db import make_engine
    from server.prune import MIN_DAYS, prune

    if args.older_than_days < MIN_DAYS:
        print(f"--older-than-days must be at least {MIN_DAYS}.", file=sys.stderr)
        return 2
    migrate_database(args.database_url)
    engine = make_engine(args.database_url)
    try:
        with Session(engine) as session, session.begin():
            deleted = prune(session, timedelta(days=args.older_than_days), utcnow())
    finally:
        engine.dispose()
    summary = ", ".join(f"{count} from {table}" for table, count in deleted.items())
    print(f"Pruned records older than {args.older_than_days} days: {summary}.")
    return 0


def cmd_refresh_follow_ups(args) -> int:
    from server.care import refresh_follow_ups
    from server.config import Config
    from server.db import make_engine
    from server.district import load_rules

    rules = load_rules(Config().DISTRICT_RULES)  # a bad file is named before anything runs
    migrate_database(args.database_url)
    engine = make_engine(args.database_url)
    try:
        with engine.begin() as connection:
            changed = refresh_follow_ups(connection, rules)
    finally:
        engine.dispose()
    print(f"Open follow-ups worked out again under the district's rules: {changed} changed.")
    return 0


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


# ---- the parser -----------------------------------------------------------------------------

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
