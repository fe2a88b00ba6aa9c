"""WSGI entry point for gunicorn (``knockdoor serve`` runs ``server.wsgi:app``).

Configuration comes from the environment (``KNOCKDOOR_DATABASE_URL``, ``KNOCKDOOR_SECRET_KEY``,
see server/config.py); the database must be migrated first (``knockdoor migrate``).
"""
from server import create_app

app = create_app()
