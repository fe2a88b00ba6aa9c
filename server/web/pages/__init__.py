"""The supervisor pages, one module per resource (their reads are in :mod:`server.web.queries`,
module by module). Each view checks scope, asks the queries, renders a template.

The request owns the transaction (server.db): nothing here commits. Every change to a resident
or a conflict goes through server.sync.edits so that it reaches the tablets at their next pull.
"""
from __future__ import annotations

# Importing the resource modules registers their routes on the blueprint.
from . import (alerts, areas, audit, conflicts, dashboard, duty_reports, exports,  # noqa: F401
               pairings, passwords, people, points, provisioning, residents, roster, session,
               tablets)
from . import calls, campaigns, reports  # noqa: F401  (issue 12)
from .blueprint import bp, csrf

__all__ = ["bp", "csrf"]
