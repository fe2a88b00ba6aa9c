"""Pruning operational records that are only needed for a while.

``knockdoor prune --older-than-days N`` (docs/operations.md, "Periodic jobs") deletes them once
they are older than N days. Sign-in attempts only feed the sign-in throttle (a window of
minutes) but name who tried to sign in from where: keeping them for months would be keeping
personal data for nothing. Records the sync needs are never pruned: ``applied_ops`` is how a
retried push is recognised, however late it comes, and ``change_log`` is what tablets pull;
the audit log is append-only and kept.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from .models import LoginAttempt

#: Each prunable table, with the column that says when a row was made.
PRUNABLE = {"login_attempts": LoginAttempt.at}
#: The shortest retention accepted: the sign-in throttle looks back minutes, never a day.
MIN_DAYS = 1


def prune(session: Session, older_than: timedelta, now: datetime) -> dict[str, int]:
    """Delete the rows of every prunable table made before ``now - older_than``; the number
    deleted per table. The caller commits."""
    if older_than < timedelta(days=MIN_DAYS):
        raise ValueError(f"keep at least {MIN_DAYS} day(s) of records")
    cutoff = now - older_than
    deleted = {}
    for table_name, made_at in PRUNABLE.items():
        result = session.execute(delete(made_at.class_).where(made_at < cutoff))
        deleted[table_name] = result.rowcount
    return deleted
