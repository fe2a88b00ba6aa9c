"""The server database's upkeep from the command line: ``knockdoor migrate``, ``restored``
(after a restore from a backup), ``seed --demo``, ``prune``, ``refresh-follow-ups`` and
``points-ledger``."""
from __future__ import annotations

import sys
import time

from .database import migrate_database, safe_url

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


def cmd_points_ledger(args) -> int:
    from sqlalchemy.orm import Session

    from server import points_store
    from server.db import make_engine
    from shared.clock import utcnow

    migrate_database(args.database_url)
    engine = make_engine(args.database_url)
    started = time.perf_counter()
    try:
        with Session(engine) as session, session.begin():
            if args.rebuild:
                points_store.forget(session)
            points_store.refresh(session, utcnow())
    finally:
        engine.dispose()
    print(f"The stored duty-points ledger is up to date ({time.perf_counter() - started:.1f} s).")
    return 0
