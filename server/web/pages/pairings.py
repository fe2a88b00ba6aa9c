"""结对帮扶: a community pairs a resident with a named visitor; the pairing shows on the
resident's page and on the visitor's page, and ends (it is never deleted)."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from sqlalchemy import select

from shared import protocol as p

from ...audit import audit
from ...db import db
from ...models import Pairing, Person, Resident
from ..access import current_person, current_scope, not_found, sign_in_required
from ..i18n import gettext as _
from ..queries.people import people_in_scope, person_in_scope
from ..queries.residents import resident_in_scope
from ..timeutil import local_today
from .blueprint import bp


def resident_pairings(resident_id: str) -> list[tuple[Pairing, Person]]:
    """The resident's current pairings, with the visitors."""
    return list(db.session.execute(select(Pairing, Person).join(
        Person, Person.id == Pairing.person_id).where(
        Pairing.resident_id == resident_id, Pairing.ends_on.is_(None))
        .order_by(Pairing.starts_on)))


def person_pairings(person_id: int) -> list[tuple[Pairing, Resident]]:
    """The residents a visitor is paired with now, those the signed-in person may see."""
    scope = current_scope()
    return [(pairing, resident) for pairing, resident in db.session.execute(
        select(Pairing, Resident).join(Resident, Resident.id == Pairing.resident_id).where(
            Pairing.person_id == person_id, Pairing.ends_on.is_(None))
        .order_by(Resident.name)) if scope.is_admin or scope.allows_grid(resident.grid_id)]


def pairing_candidates() -> list[Person]:
    """Whom a resident may be paired with: active field people the lead manages."""
    return [person for person in people_in_scope(db.session, current_scope(), False)
            if person.role in p.FIELD_ROLES]


@bp.post("/residents/<resident_id>/pairings")
@sign_in_required
def pair_resident(resident_id: str):
    scope, me = current_scope(), current_person()
    resident = resident_in_scope(db.session, scope, resident_id)
    if resident is None:
        raise not_found()
    person = person_in_scope(db.session, scope, request.form.get("person_id", type=int) or 0)
    back = url_for("web.resident", resident_id=resident.id)
    if person is None or person.role not in p.FIELD_ROLES or not person.active:
        flash(_("Choose a visitor from the list."), "error")
        return redirect(back), 303
    if any(paired.id == person.id for _pairing, paired in resident_pairings(resident.id)):
        flash(_("%(name)s is already paired with this resident.", name=person.display_name),
              "info")
        return redirect(back)
    pairing = Pairing(resident_id=resident.id, person_id=person.id, starts_on=local_today(),
                      created_by_id=me.id)
    db.session.add(pairing)
    db.session.flush()
    audit(db.session, "pair", person_id=me.id, entity=p.RESIDENT, entity_id=resident.id,
          grid_id=resident.grid_id, detail={"pairing": pairing.id, "visitor": person.id})
    flash(_("Paired with %(name)s.", name=person.display_name), "ok")
    return redirect(back)


@bp.post("/pairings/<int:pairing_id>/end")
@sign_in_required
def end_pairing(pairing_id: int):
    scope, me = current_scope(), current_person()
    pairing = db.session.get(Pairing, pairing_id)
    resident = pairing and resident_in_scope(db.session, scope, pairing.resident_id)
    if pairing is None or resident is None:
        raise not_found()
    if pairing.ends_on is None:
        pairing.ends_on = local_today()
        audit(db.session, "end_pairing", person_id=me.id, entity=p.RESIDENT,
              entity_id=resident.id, grid_id=resident.grid_id, detail={"pairing": pairing.id})
    flash(_("Pairing ended."), "ok")
    return redirect(url_for("web.resident", resident_id=resident.id))
