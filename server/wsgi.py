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

# The youngest generation is collected after 50,000 new container objects instead of 700. A
# push reads its body into ~15 per op (7,500 for 500 ops) that live until the answer is sent:
# at 700 the collector walked them again and again before they were freed (a re-push: ~2 µs
# of CPU per op, 130 collections per 10,000 ops, measured in-process with gc.callbacks). At
# 50,000 most of a request's objects are freed before any collection sees them.
gc.set_threshold(50_000, 10, 10)
