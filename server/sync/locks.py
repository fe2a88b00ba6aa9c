"""Loading rows to change them: lock first, then read.

A row that is read and then written must be read *under* its lock, and read afresh. Reading
it first (or finding it already in the session's identity map) and locking afterwards returns
the values from before the wait: on PostgreSQL a tablet's push that commits while a web save
waits for the lock would then be overwritten with the old field stamps, and the residents
table and the change log the tablets follow would disagree. :func:`load_for_update` is the one
way to load a record for writing: ``SELECT … FOR NO KEY UPDATE`` with the identity map
refreshed from the locked row. :class:`~server.sync.batch.ChangeBatch` refuses to log a
resident that was not loaded this way in the current transaction (:func:`check_locked`), so a
path that forgets the lock fails in every test instead of once in a thousand on a busy day.

Lock order, everywhere: residents (by id), then their conflicts, then the log head last.
On SQLite the whole write transaction is already serialised (``BEGIN IMMEDIATE``), and the
``FOR`` clause is left out by SQLAlchemy; the refresh still applies.
"""
from __future__ import annotations

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

_LOCKED_IN = "knockdoor.locked_in"


class UnlockedWrite(RuntimeError):
    """A programming error: a record written without being loaded by :func:`load_for_update`."""


def _transaction(session: Session):
    """The session's current (root) transaction, begun if it was not yet."""
    if session.get_transaction() is None:
        session.connection()
    return session.get_transaction()


def _mark(session: Session, record) -> None:
    inspect(record).info[_LOCKED_IN] = _transaction(session)


def load_for_update(session: Session, model, key):
    """The row of ``model`` with primary key ``key``, locked until the transaction ends and
    read after the lock was granted (never a stale copy from the identity map); None if absent.
    """
    found = session.scalar(select(model).where(inspect(model).primary_key[0] == key)
                           .with_for_update(key_share=True)
                           .execution_options(populate_existing=True))
    if found is not None:
        _mark(session, found)
    return found


def load_all_for_update(session: Session, query) -> list:
    """Every row ``query`` (a ``select(Model)…``) finds, locked and read afresh; give it an
    ``order_by`` on the primary key so concurrent callers lock in the same order."""
    found = list(session.scalars(query.with_for_update(key_share=True)
                                 .execution_options(populate_existing=True)))
    for record in found:
        _mark(session, record)
    return found


def check_locked(session: Session, record) -> None:
    """Raise :class:`UnlockedWrite` unless ``record`` is new in this session or was loaded by
    :func:`load_for_update` in the current transaction."""
    state = inspect(record)
    if state.transient or state.pending:
        _mark(session, record)  # created here: nobody else can hold it
        return
    marked = state.info.get(_LOCKED_IN)
    if marked is None or marked is not session.get_transaction():
        raise UnlockedWrite(f"{type(record).__name__} {state.identity} is written without "
                            "being loaded by server.sync.locks.load_for_update in this "
                            "transaction: a concurrent change could be overwritten.")
