"""``knockdoor serve``: the server run by gunicorn, with as many workers and threads as its
database serves well, and an access log that leaves out what could name a resident."""
from __future__ import annotations

import os
import secrets
import sys

from .database import is_sqlite, migrate_database, safe_url

MAX_DEFAULT_WORKERS = 4
SQLITE_THREADS = 8
POSTGRES_THREADS = 4
#: The access log's line: address, time, method, path WITHOUT the query string, status, size,
#: milliseconds. A query string or a referer can carry a resident's name or phone number (a
#: search), so neither is logged.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'


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
