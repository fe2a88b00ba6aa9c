"""Rows of a roster that are residents already on the roster: found by the resident id column,
the ID number's hash, or the same name, birth year and address, within the importer's area."""
from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import resident_fields

from ..models import Resident
from ..web.access import Scope
from ..web.i18n import gettext as _
from .text import compact

#: Fields compared with a resident already on the roster (what "update" would write).
#: Every resident field the files carry but the name, which finds the resident.
COMPARED = tuple(field.name for field in resident_fields.IN_FILES if field.name != "name")


def address_key(address: str | None) -> str:
    return compact(address or "").replace("-", "").lower()


def _is_uuid(text: str) -> bool:
    return bool(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                             text))


def match_existing(session: Session, scope: Scope, rows) -> None:
    """Rows naming a resident already on the roster in the importer's area: by the resident
    id column, the ID number's hash, or the same name, birth year and address. In the row's own
    grid: the same resident (unchanged, or with the cells that differ); in another grid of the
    area: the row moves them there."""
    rows = [row for row in rows if row.fields and row.grid_id is not None]
    given = sorted({row.given_id for row in rows if _is_uuid(row.given_id)})
    hashes = sorted({row.id_hash for row in rows if row.id_hash})
    names = sorted({row.fields.get("name") for row in rows})
    found_by_id, by_hash, by_person = {}, {}, {}

    def fetch(condition_column, values, into):
        for start in range(0, len(values), 500):
            for found in session.scalars(select(Resident).where(
                    condition_column.in_(values[start:start + 500]))):
                into(found)

    fetch(Resident.id, given, lambda r: found_by_id.__setitem__(r.id, r))
    fetch(Resident.id_hash, hashes, lambda r: scope.allows_grid(r.grid_id)
          and by_hash.setdefault(r.id_hash, []).append(r))
    fetch(Resident.name, names, lambda r: scope.allows_grid(r.grid_id) and by_person.setdefault(
        (r.name, r.birth_year, address_key(r.address)), []).append(r))
    claimed: dict[str, int] = {}
    for row in rows:
        if row.given_id:
            found = found_by_id.get(row.given_id)
            if found is None or not scope.allows_grid(found.grid_id):
                row.errors.append(_("Resident ID: no such resident in your area."))
                continue
            if found.name != row.fields.get("name"):
                row.errors.append(_("Resident ID: this ID is %(name)s's, not this row's.",
                                    name=found.name))
                continue
        else:
            matches = by_hash.get(row.id_hash, []) if row.id_hash else []
            if not matches:
                matches = [found for found in by_person.get(
                    (row.fields.get("name"), row.fields.get("birth_year"),
                     address_key(row.fields.get("address"))), [])
                    # two people of one name, year and address, told apart by their ID numbers
                    if not (row.id_hash and found.id_hash and found.id_hash != row.id_hash)]
            if not matches:
                continue
            if len(matches) > 1:
                row.errors.append(_("Several residents on the roster have this name, birth "
                                    "year and address; give the resident ID."))
                continue
            found = matches[0]
        if found.id in claimed:
            row.errors.append(_("Same resident as row %(line)s of the sheet.",
                                line=claimed[found.id]))
            continue
        claimed[found.id] = row.line
        if found.grid_id == row.grid_id:
            row.existing_id = found.id
            row.changes = {name: value for name, value in row.fields.items()
                           if name in COMPARED and getattr(found, name) != value}
            if row.id_hash and found.id_hash != row.id_hash:
                row.changes["id_hash"] = row.id_hash
        else:
            row.resident_id, row.moves_from = found.id, found.grid_id
