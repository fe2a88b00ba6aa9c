"""WSGI entry point for gunicorn (``knockdoor serve`` runs ``server.wsgi:app``).

Configuration comes from the environment (``KNOCKDOOR_DATABASE_URL``, ``KNOCKDOOR_SECRET_KEY``,
see server/config.py); the database must be migrated first (``knockdoor migrate``).
"""
import gc

from server import create_app

app = create_app()

# The objects built so far (the app, its models, schemas and mappers) live as long as the
# worker: moved out of the collector's sight, they are no longer walked by every full garbage
# collection. That walk was a fifth of a push's CPU (docs/benchmarks.md). Only here, where
# one app serves a whole process; a test suite builds many apps and must collect them.
gc.collect()
gc.freeze()
