"""The authorization matrix: every role × every route of the app × inside and outside its area.

Routes come from ``app.url_map``: a route added without a row here fails
:func:`test_every_route_has_a_row`. Each row gives, per side (``in``: a target inside the actor's
area, ``out``: one outside it; ``any``: routes that name no area), the outcome expected for each
actor, in the order of ``ACTORS``. Every cell is asserted, and for every answer:

* a change happened if and only if the outcome is ``done`` (the state is read back);
* a page hidden as out of scope (404) is byte for byte the answer for a missing id;
* nothing of another area leaks: no name, phone or record of an area the actor may not see
  appears in any answer, error message or redirect.

Outcomes: ``shown`` (200, the target's marker is in the answer), ``absent`` (200, it is not),
``page`` (200, nothing area-specific), ``done`` (the change was made: 2xx/3xx, an op applied),
``login`` (302 to the sign-in page), ``hidden`` (404, exactly like something missing),
``forbidden`` (403), ``refused`` (422, the request names an area not theirs), ``rejected``
(push: the op is refused, the batch is not), ``unauth`` (401), ``wipe`` (401, the tablet is
told to wipe itself).
"""
from __future__ import annotations

import pytest

from tests.server.authorization.actors import Actor
from tests.server.authorization.answers import outcome_of, readable_text, send
from tests.server.authorization.calls import Call, call_for
from tests.server.authorization.expected import ACTORS, EXPECTED
from tests.server.authorization.world import build_world


def order() -> list[tuple[str, str]]:
    return list(EXPECTED)


# ---- the tests ------------------------------------------------------------------------------

def routes_of(app) -> set[tuple[str, str]]:
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules()
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_route_has_a_row(app):
    assert routes_of(app) == set(EXPECTED), \
        "a route without a row in the authorization matrix (or a row for a route that is gone)"


def test_the_table_is_complete():
    for key, sides in EXPECTED.items():
        assert set(sides) in ({"any"}, {"in", "out"}), key
        for outcomes in sides.values():
            assert len(outcomes) == len(ACTORS), key


@pytest.mark.parametrize("actor_name", ACTORS)
def test_authorization_matrix(app, client, db_session, actor_name):
    world = build_world(db_session, client)
    actor = Actor(app, world, actor_name)
    index = ACTORS.index(actor_name)
    failures, cells = [], 0
    for endpoint, method in order():
        for side, outcomes in EXPECTED[(endpoint, method)].items():
            expected = outcomes[index]
            call = call_for(endpoint, method, side, actor, world)
            response = send(actor, call)
            actual = outcome_of(response, call)
            if endpoint == "web.sign_in" and method == "POST":
                actor.refresh_csrf()
            cells += 1
            where = f"{endpoint} {method} [{side}] as {actor_name}"
            if actual != expected:
                failures.append(f"{where}: expected {expected}, got {actual} "
                                f"({response.status_code})")
                continue
            if expected == "hidden" and call.missing and call.missing != call.path:
                # Out of scope answers exactly like missing: the same status, the same words.
                twin = send(actor, Call("GET", call.missing))
                if (twin.status_code, twin.get_data()) != (404, response.get_data()):
                    failures.append(f"{where}: answers unlike something missing")
            if call.effect is not None:
                db_session.expire_all()
                db_session.rollback()
                happened = bool(call.effect(db_session))
                if happened != (expected == "done"):
                    failures.append(f"{where}: the change {'was' if happened else 'was not'} "
                                    "made")
            # Nothing of an area the actor may not see, in any answer.
            if actor_name != "admin":
                foreign_area = "kunwu" if actor.home == "pushang" else "pushang"
                if actor_name in ("signed_out", "revoked_device"):
                    forbidden_words = world.foreign["kunwu"] + world.foreign["pushang"]
                else:
                    forbidden_words = world.foreign[foreign_area]
                body = readable_text(response) + response.headers.get("Location", "")
                leaked = [w for w in forbidden_words if w in body]
                if leaked:
                    failures.append(f"{where}: leaks {leaked}")
    assert cells == sum(len(sides) for sides in EXPECTED.values())
    assert failures == [], "\n".join(failures)


def test_matrix_size():
    """The cells asserted per actor and in all (printed for the closing note)."""
    per_actor = sum(len(sides) for sides in EXPECTED.values())
    print(f"authorization matrix: {len(EXPECTED)} routes, {per_actor} cells per actor, "
          f"{per_actor * len(ACTORS)} cells per database backend")
    assert per_actor * len(ACTORS) >= 8 * 40
