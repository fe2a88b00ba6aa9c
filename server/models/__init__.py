"""Server data model (SQLAlchemy 2, typed). Schema changes go through Alembic only.

Model helpers never commit: the request (or the CLI command) owns the transaction.

One module per concern; every table is importable from here (``from server.models import X``),
and importing this package registers them all in ``Base.metadata`` (Alembic and the wipe read it).
"""

from __future__ import annotations

from .base import Base, UTCDateTime
from .people import Assignment, Device, LoginAttempt, Person, ProvisioningCode, WebSession
from .places import Area, Pairing, Resident, ResidentMove
from .settings import (
    DistrictSetting, PointsAdjustment, PointsEntry, PointsRuleVersion, PointsState,
)
from .sync import AppliedOp, AuditEntry, ChangeLogEntry, LogHead
from .visits import Alert, Campaign, CaseNote, Conflict, Visit

# The three lists' tables (issue 14) live in their own module; imported for the metadata.
from ..threelists import models as _threelists_models  # noqa: E402,F401

__all__ = [
    "Alert", "AppliedOp", "Area", "Assignment", "AuditEntry", "Base", "Campaign", "CaseNote",
    "ChangeLogEntry", "Conflict", "Device", "DistrictSetting", "LogHead", "LoginAttempt",
    "Pairing", "Person", "PointsAdjustment", "PointsEntry", "PointsRuleVersion", "PointsState",
    "ProvisioningCode", "Resident", "ResidentMove", "UTCDateTime", "Visit", "WebSession",
]
