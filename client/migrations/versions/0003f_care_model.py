"""local store: residents in the programme's model (关爱类别, ability levels)

Revision ID: c0003f_care_model
Revises: c0004c_visit_drafts
Create Date: 2026-12-01

The server copies and the effective copies of residents, and conflicts about the old fields, are
mapped the way the server's migration maps its own (shared/legacy.py), with the same canonical
text and hash, so the digests still agree after both sides are updated. Unsent ops are left as
they are: they were made (and perhaps already delivered) in the old shape, and the server maps
them on arrival. Open follow-ups are worked out again: 80+, 失能 and 重残 now open them too.
"""
import json

from alembic import op

revision = "c0003f_care_model"
down_revision = "c0005g_campaigns"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from shared.digest import canonical_json, record_hash
    from shared.legacy import map_conflict_payload, map_resident_payload

    bind = op.get_bind()
    residents = bind.exec_driver_sql(
        "SELECT id, server_payload, payload FROM residents").fetchall()
    for resident_id, server_payload, payload in residents:
        shown = canonical_json(map_resident_payload(json.loads(payload)))
        if server_payload:
            text = canonical_json(map_resident_payload(json.loads(server_payload)))
            bind.exec_driver_sql(
                "UPDATE residents SET server_payload = ?, row_hash = ?, payload = ? WHERE id = ?",
                (text, record_hash("resident", text), shown, resident_id))
        else:
            bind.exec_driver_sql("UPDATE residents SET payload = ? WHERE id = ?",
                                 (shown, resident_id))
    for conflict_id, payload, position in bind.exec_driver_sql(
            "SELECT id, payload, position FROM conflicts").fetchall():
        text = canonical_json(map_conflict_payload(json.loads(payload)))
        if text != payload:
            bind.exec_driver_sql(
                "UPDATE conflicts SET payload = ?, row_hash = ? WHERE id = ?",
                (text, record_hash("conflict", text) if position is not None else None,
                 conflict_id))
    _refresh_follow_ups(bind)


def _refresh_follow_ups(bind) -> None:
    from client.care import rule_from_meta
    from shared.clock import isoformat, parse_instant
    from shared.due import VisitFact, open_follow_up

    meta = dict(bind.exec_driver_sql("SELECT key, value FROM meta").fetchall())
    follows = rule_from_meta(meta.get)
    visits: dict[str, list] = {}
    for row in bind.exec_driver_sql("SELECT id, visited_at, outcome, corrects, correction, "
                                    "resident_id FROM visits").fetchall():
        visits.setdefault(row[5], []).append(
            VisitFact(row[0], parse_instant(row[1]), row[2], row[3], row[4]))
    for resident_id, payload in bind.exec_driver_sql(
            "SELECT id, payload FROM residents").fetchall():
        since = open_follow_up(follows(json.loads(payload)), visits.get(resident_id, ()))
        bind.exec_driver_sql("UPDATE residents SET follow_up_since = ? WHERE id = ?",
                             (isoformat(since) if since else None, resident_id))


def downgrade() -> None:
    # The old app reads what it knows of a record and ignores the rest; its digests disagree
    # with a new server's anyway, so it pulls its grids again.
    pass
