"""Canonical record encoding and the order-independent grid digest (DESIGN.md §4.9).

A grid's digest is the sum, modulo 2**64, of one 64-bit hash per record. Both sides hash the
exact payload text the server sent, so equal digests mean equal copies; the sum makes the digest
independent of order and cheap to compute from stored per-record hashes.
"""
from __future__ import annotations

import hashlib
import json

from . import protocol as p
from .jsontext import orjson_text

_MASK = (1 << 64) - 1


#: json.dumps with these options builds a new encoder on every call; the push path calls this
#: twice per op (the op's fingerprint, the change-log payload). Same class, same options: the
#: same bytes.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _c_canonical():
    """The C encoder behind ``_CANONICAL``, made once instead of on every call, and without the
    circular-reference check (JSON values read from a body or built from columns hold no
    cycles): ~2 µs less per op (a re-push pays little else). None where the C encoder is
    missing or takes other arguments than the one tried here, or gives other bytes."""
    make = getattr(json.encoder, "c_make_encoder", None)
    escape = getattr(json.encoder, "c_encode_basestring", None)
    if make is None or escape is None:
        return None
    try:
        encode = make(None, _CANONICAL.default, escape, None, ":", ",", True, False, True)
        sample = {"b": ["独居", 2.5, None, True, -1], "a": {"\u2028\"\\": 1e300}}
        if "".join(encode(sample, 0)) != _CANONICAL.encode(sample):
            return None
    except Exception:  # any surprise means: use the encoder's own path
        return None
    return encode


_ENCODE = _c_canonical()


def canonical_json(value) -> str:
    fast = orjson_text(value, sort_keys=True)  # ~10 µs less per call where orjson is there
    if fast is not None:
        return fast.decode()
    if _ENCODE is None:
        return _CANONICAL.encode(value)
    return "".join(_ENCODE(value, 0))


def record_hash(entity: str, payload_text: str) -> int:
    """Signed 64-bit hash (fits a BIGINT column) of one record's canonical payload.

    A departure (a resident left the grid) is not a record a tablet keeps, it removes some: it
    adds nothing to the digest, so the tablets' copies without it still sum to the server's."""
    if entity in (p.DEPARTURE, p.CAMPAIGN):  # a campaign is a notice, not the grid's data
        return 0
    raw = hashlib.blake2b(f"{entity}\n{payload_text}".encode(), digest_size=8).digest()
    return int.from_bytes(raw, "big", signed=True)


def combine(hashes) -> str:
    return digest_of_sum(sum(hashes))


def digest_of_sum(total: int) -> str:
    """The digest of records whose hashes add up to ``total`` (modulo 2**64, as hex)."""
    return f"{total & _MASK:016x}"


def facts_hash(resident_id: str, last_visit_at: str | None, last_met_at: str | None,
               follow_up_since: str | None) -> int:
    """Signed 64-bit hash of one resident's derived visit facts (shared.due.visit_facts), as
    wire-format instants: summed per grid like the records, they prove that the tablet shows
    the same last visit, last meeting and open follow-up as the server holds."""
    text = canonical_json([resident_id, last_visit_at, last_met_at, follow_up_since])
    return record_hash("facts", text)
