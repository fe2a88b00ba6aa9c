"""The tablet's local store.

:class:`LocalStore` is the small contract the sync engine needs; :class:`SqliteStore` is the
real one (a SQLite file migrated by Alembic) and :class:`MemoryStore` an in-memory one for
fast tests of the engine. Both pass tests/contract/test_local_store_contract.py.

Two rules carry the offline guarantees:

* A local change and its outbox entry are written in one transaction (``add_op``).
* A pulled page, its evictions and the new cursor are applied in one transaction
  (``apply_page``), and pulled data never hides an edit the server has not echoed back yet:
  the volunteer always sees the server's copy with their own outstanding edits on top.
"""
from __future__ import annotations

from .base import (ACKED, FOLLOW_UP_FIELDS, HELD, HELD_DAYS, OUTSTANDING, PENDING, REJECTED,
                   LocalStore, local_note_record, local_visit_record)
from .memory import MemoryStore
from .sqlite import SqliteStore

__all__ = ["ACKED", "FOLLOW_UP_FIELDS", "HELD", "HELD_DAYS", "OUTSTANDING", "PENDING",
           "REJECTED", "LocalStore", "MemoryStore", "SqliteStore", "local_note_record",
           "local_visit_record"]
