"""Signing a tablet in from a printed sheet (issue 11, screens 4 and 7): a one-time,
short-lived code, never the password, redeemed at POST /api/v1/auth/provision."""
from __future__ import annotations

import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from server.models import AuditEntry, Device, Person, ProvisioningCode
from server.provisioning import (ALPHABET, CODE_LENGTH, CODE_MINUTES, create_code, normalise,
                                 payload, printable)
from shared import protocol as p
from shared.clock import utcnow

URL = "/api/v1/auth/provision"


def make_code(db_session, username: str, now=None) -> str:
    person = db_session.scalar(select(Person).where(Person.username == username))
    code, _expires = create_code(db_session, person, None, now or utcnow())
    db_session.commit()
    return code


def redeem(client, code: str, device_id: str | None = None):
    return client.post(URL, json={"protocol": p.PROTOCOL_VERSION, "code": code,
                                  "device_id": device_id or str(uuid.uuid4()),
                                  "device_name": "平板-1"})


def test_a_code_signs_a_tablet_in_once(neighbourhood, client, db_session):
    code = make_code(db_session, "alice")
    response = redeem(client, printable(code).lower())  # as typed from paper
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert answer["person"]["username"] == "alice" and answer["token"]
    # the token works like a login's
    pulled = client.post("/api/v1/sync/pull", headers={"Authorization": f"Bearer {answer['token']}"},
                         json={"protocol": p.PROTOCOL_VERSION, "cursor": None, "limit": 10})
    assert pulled.status_code == 200
    again = redeem(client, code)
    assert again.status_code == 401 and again.get_json()["error"] == "provision_code_invalid"
    db_session.expire_all()
    used = db_session.scalar(select(ProvisioningCode))
    assert used.used_at is not None and used.device_id == answer["device_id"]
    assert db_session.get(Device, answer["device_id"]).person.username == "alice"
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "sign_in"))
    assert entry.detail == {"via": "provision"}


def test_a_wrong_or_expired_code_gets_one_answer_and_changes_nothing(neighbourhood, client,
                                                                     db_session):
    expired = make_code(db_session, "alice", utcnow() - timedelta(minutes=CODE_MINUTES + 1))
    for code in (expired, "ACDEF-GHJKM", "-"):
        response = redeem(client, code)
        assert response.status_code == 401
        assert response.get_json()["error"] == "provision_code_invalid"
        assert "new sign-in sheet" in response.get_json()["message"]
    assert db_session.scalar(select(Device)) is None


def test_a_deactivated_person_cannot_be_signed_in_by_an_old_sheet(neighbourhood, client,
                                                                  db_session):
    code = make_code(db_session, "alice")
    db_session.get(Person, neighbourhood.alice.id).active = False
    db_session.commit()
    assert redeem(client, code).status_code == 401


def test_another_persons_tablet_is_refused_and_the_code_stays_good(neighbourhood, client,
                                                                   db_session, device_for):
    bobs = device_for("bob")
    code = make_code(db_session, "alice")
    refused = redeem(client, code, bobs.device_id)
    assert refused.status_code == 403 and refused.get_json()["error"] == "device_not_yours"
    assert redeem(client, code).status_code == 200


def test_bad_bodies_are_refused_naming_the_field(neighbourhood, client):
    response = client.post(URL, json={"protocol": p.PROTOCOL_VERSION, "code": "",
                                      "device_id": "not-a-uuid", "device_name": "x"})
    assert response.status_code == 422
    assert set(response.get_json()["details"]["fields"]) >= {"code", "device_id"}


def test_the_payload_and_the_code_read_well():
    text = payload("http://10.0.0.5:8000", "ACD347KMNP")
    parts = urlsplit(text)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "knockdoor://provision"
    assert parse_qs(parts.query) == {"server": ["http://10.0.0.5:8000"], "code": ["ACD34-7KMNP"]}
    assert normalise(" acd34-7kmnp ") == "ACD347KMNP"
    assert not set("0O1IL2Z5S8B") & set(ALPHABET) and CODE_LENGTH == 10
