"""Data protection on the tablet (issue 8, "On the tablet"): the store is encrypted at rest,
the app locks behind a PIN, a tablet away from the server too long locks then wipes, and
device tokens rotate without ever stranding the outbox."""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from client import encryption
from client.lock import InvalidPin
from client.service import FieldService
from client.store import SqliteStore, local_visit_record
from client.transport import FlaskTransport, TransportError
from server.auth import hash_token
from server.models import Device, Visit
from shared import protocol as p
from testkit.factories import PASSWORD

NAME = "张利霞"


def _all_bytes(path) -> bytes:
    """The database file and its write-ahead log, as a thief would copy them."""
    files = [Path(f"{path}{suffix}") for suffix in ("", "-wal")]
    return b"".join(file.read_bytes() for file in files if file.exists())


# ---- encryption at rest ------------------------------------------------------------------------


def test_the_local_store_on_disk_is_not_readable_as_sqlite(grid, tablet_for):
    alice = tablet_for("alice")
    alice.sync()
    resident = alice.today_list("zlx")[0]
    alice.record_visit(resident.id, p.MET, readings={"systolic": 182, "diastolic": 112},
                       note=f"{NAME}血压偏高")
    assert alice.store.encrypted
    path, token = alice.store.path, alice.store.get_meta("token")
    alice.close()
    raw = _all_bytes(path)
    assert not raw.startswith(encryption.PLAIN_HEADER)
    # no resident's name, no note, no table name, no token: nothing readable
    for secret in (NAME.encode(), "血压偏高".encode(), b"residents", b"outbox", token.encode()):
        assert secret not in raw
    with pytest.raises(sqlite3.DatabaseError):
        with sqlite3.connect(path) as plain:
            plain.execute("SELECT count(*) FROM residents").fetchone()
    reopened = FieldService(path.parent)
    try:  # the app itself still reads it
        assert reopened.today_list("zlx")[0].name == NAME and reopened.unsent_count() == 1
    finally:
        reopened.close()


def test_a_plain_store_from_before_is_encrypted_on_upgrade_with_its_unsent_ops(tmp_path):
    path = tmp_path / "knockdoor-local.db"
    old = SqliteStore(path, encrypt=False)  # what the previous app version left
    op = {"op_id": "0c5b3a4e-1111-4d2b-a0e0-000000000001", "entity": p.VISIT,
          "action": p.CREATE, "entity_id": "0c5b3a4e-2222-4d2b-a0e0-000000000001",
          "grid_id": 1, "device_time": "2026-11-30T02:00:00Z",
          "data": {"resident_id": "0c5b3a4e-3333-4d2b-a0e0-000000000001", "outcome": p.MET,
                   "readings": {"systolic": 182, "diastolic": 112}, "note": f"{NAME}头晕"}}
    old.add_op(op, local_visit_record(op, "王芳", 1))
    old.set_meta({"token": "secret-token", "next_seq": "2"})
    old.close()
    assert encryption.is_plain_sqlite(path)

    store = SqliteStore(path)
    try:
        assert store.encrypted
        [pending] = store.pending_ops(10)
        assert pending["data"]["readings"] == {"systolic": 182, "diastolic": 112}
        assert store.get_meta("token") == "secret-token" and store.get_meta("next_seq") == "2"
    finally:
        store.close()
    raw = _all_bytes(path)
    assert not encryption.is_plain_sqlite(path)
    assert NAME.encode() not in raw and b"secret-token" not in raw
    assert not (tmp_path / "knockdoor-local.db.encrypting").exists()


def test_without_sqlcipher_the_store_is_plain_and_says_so(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr("client.store.sqlite.cipher_module", lambda: None)
    store = SqliteStore(tmp_path / "local.db")
    try:
        assert not store.encrypted
        store.set_meta({"x": "1"})
    finally:
        store.close()
    assert "NOT encrypted" in caplog.text
    with sqlite3.connect(tmp_path / "local.db") as plain:
        assert plain.execute("SELECT value FROM meta WHERE key = 'x'").fetchone() == ("1",)


def test_wiping_destroys_the_key_first(tmp_path):
    store = SqliteStore(tmp_path / "local.db")
    old_secret = encryption.secret_path(store.path).read_bytes()
    store.set_meta({"x": NAME})
    store.wipe()
    try:
        assert store.get_meta("x") is None
        assert encryption.secret_path(store.path).read_bytes() != old_secret
    finally:
        store.close()


def test_a_store_whose_key_is_gone_starts_afresh_instead_of_crashing(tmp_path):
    store = SqliteStore(tmp_path / "local.db")
    store.set_meta({"x": NAME})
    store.close()
    encryption.secret_path(store.path).unlink()
    again = SqliteStore(tmp_path / "local.db")
    try:
        assert again.get_meta("x") is None and again.encrypted
    finally:
        again.close()


# ---- token rotation as the tablet sees it ---------------------------------------------------


def test_the_tablet_takes_a_rotated_token_even_when_the_first_answer_is_lost(
        grid, app, tablet_for, db_session):
    class LoseFirstRenewal:
        def __init__(self):
            self.inner, self.lost = FlaskTransport(app), False

        def post(self, path, body, token=None):
            answer = self.inner.post(path, body, token)
            if path.endswith("/renew") and not self.lost:
                self.lost = True
                raise TransportError("response lost", retryable=True)
            return answer

        def health(self):
            return self.inner.health()

    alice = tablet_for("alice", transport_factory=lambda _url: LoseFirstRenewal())
    alice.sync()
    alice.record_visit(alice.today_list("zlx")[0].id, p.MET)
    device = db_session.scalars(select(Device)).one()
    device.token_issued_at -= timedelta(days=30)
    db_session.commit()
    old = alice.store.get_meta("token")
    alice._engine = None  # a new engine: its transport loses the first renewal answer
    report = alice.sync()
    assert report.ok and alice.unsent_count() == 0
    new = alice.store.get_meta("token")
    assert new != old
    db_session.rollback()
    db_session.expire_all()
    assert db_session.get(Device, device.id).token_hash == hash_token(new)


# ---- PIN ---------------------------------------------------------------------------------------


class Clock:
    def __init__(self):
        self.now = datetime(2026, 11, 30, 1, 0, tzinfo=timezone.utc)

    def __call__(self):
        return self.now


@pytest.fixture
def clocked(grid, app, tmp_path):
    clock = Clock()
    service = FieldService(tmp_path / "t", transport_factory=lambda _url: FlaskTransport(app),
                           clock=clock, sleep=lambda _s: None)
    service.sign_in("http://in-process", "alice", PASSWORD, "平板")
    service.sync()
    yield service, clock
    service.close()


def test_the_pin_is_set_at_sign_in_stored_hashed_and_asked_after_idle(clocked):
    service, clock = clocked
    assert service.gate() == "set_pin"
    with pytest.raises(InvalidPin):
        service.set_pin("12a4")
    service.set_pin("4821")
    stored = service.store.get_meta("pin")
    assert "4821" not in stored and json.loads(stored)["hash"]
    assert service.gate() == "open"
    clock.now += timedelta(minutes=4)
    service.touch()
    clock.now += timedelta(minutes=4)
    assert service.gate() == "open"  # idle for four minutes only
    clock.now += timedelta(minutes=1, seconds=1)
    assert service.gate() == "pin"
    assert not service.unlock("0000") and service.gate() == "pin"
    assert service.unlock("4821") and service.gate() == "open"


def test_a_restarted_app_asks_for_the_pin(clocked, app):
    service, _clock = clocked
    service.set_pin("4821")
    again = FieldService(service.data_dir, transport_factory=lambda _url: FlaskTransport(app))
    try:
        assert again.gate() == "pin"
    finally:
        again.close()


def test_too_many_wrong_pins_need_an_online_sign_in_and_keep_the_work(clocked):
    service, clock = clocked
    service.set_pin("4821")
    service.record_visit(service.today_list("zlx")[0].id, p.MET)
    clock.now += timedelta(minutes=6)
    assert service.gate() == "pin"
    for _ in range(4):
        assert not service.unlock("1111")
    assert service.gate() == "pin"  # one try left
    assert not service.unlock("2222")
    assert service.gate() == "sign_in" and service.sign_in_reason() == "pin_attempts"
    assert service.unlock("4821") is False  # the PIN no longer opens anything
    assert service.unsent_count() == 1
    service.sign_in("http://in-process", "alice", PASSWORD, "平板")
    assert service.gate() == "set_pin"
    assert service.sync().ok and service.unsent_count() == 0


# ---- a tablet away from the server for too long -------------------------------------------


def test_a_tablet_out_of_contact_locks_then_wipes_with_the_servers_thresholds(clocked,
                                                                           db_session):
    service, clock = clocked
    policy = json.loads(service.store.get_meta("policy"))
    assert policy == p.DEFAULT_TABLET_POLICY  # sent by the server at sign-in and each sync
    service.set_pin("4821")
    service.record_visit(service.today_list("zlx")[0].id, p.MET)
    clock.now += timedelta(days=13, hours=23)
    assert service.gate() == "pin"  # offline, not stale yet
    clock.now += timedelta(hours=2)  # 14 days without reaching the server
    assert service.gate() == "sign_in" and service.sign_in_reason() == "stale_locked"
    assert not service.signed_in and service.unsent_count() == 1  # locked, nothing lost
    clock.now += timedelta(days=46)  # 60 days
    assert service.gate() == "wiped"
    assert service.unsent_count() == 0 and service.today_list() == []
    assert service.gate() == "sign_in" and service.sign_in_reason() == "stale_wiped"
    assert service.remembered_sign_in()["username"] == "alice"


def test_the_stale_rule_uses_the_thresholds_the_server_sent(clocked):
    service, clock = clocked
    service.store.set_meta({"policy": json.dumps({**p.DEFAULT_TABLET_POLICY,
                                                  "lock_after_days": 2,
                                                  "wipe_after_days": 5})})
    service.set_pin("4821")
    clock.now += timedelta(days=2)
    assert service.gate() == "sign_in"
    clock.now += timedelta(days=3)
    assert service.gate() == "wiped"


def test_each_sync_counts_as_contact(clocked):
    service, clock = clocked
    service.set_pin("4821")
    clock.now += timedelta(days=10)
    assert service.sync().ok
    clock.now += timedelta(days=10)  # 20 days after sign-in, 10 after the last sync
    service.touch()
    assert service.gate() in ("pin", "open")
    assert service.signed_in


def test_a_revoked_tablet_still_wipes_at_its_next_contact(clocked, db_session):
    from client.service import DeviceWiped
    service, _clock = clocked
    service.set_pin("4821")
    db_session.scalars(select(Device)).one().revoked_at = datetime.now(timezone.utc)
    db_session.commit()
    with pytest.raises(DeviceWiped):
        service.sync()
    assert service.gate() == "sign_in" and service.today_list() == []
    assert db_session.scalars(select(Visit)).all() == []


def test_a_forgotten_pin_means_an_online_sign_in_and_keeps_the_work(clocked):
    service, clock = clocked
    service.set_pin("4821")
    service.record_visit(service.today_list("zlx")[0].id, p.MET)
    clock.now += timedelta(minutes=6)
    assert service.gate() == "pin"
    service.forget_pin()
    assert service.gate() == "sign_in" and service.unsent_count() == 1
    assert not service.unlock("4821")  # the old code opens nothing
    service.sign_in("http://in-process", "alice", PASSWORD, "平板")
    assert service.gate() == "set_pin"
    assert service.sync().ok and service.unsent_count() == 0


def test_on_android_the_install_secret_is_sealed_by_the_keystore(tmp_path, monkeypatch):
    """The Python side of KeystoreSeal, with a stand-in for pyjnius' Java classes (the real
    Keystore exists only on a device): the file holds the sealed secret, never the secret."""
    store_keys: dict = {}

    class KeyStore:
        @staticmethod
        def getInstance(kind):
            assert kind == "AndroidKeyStore"
            return KeyStore()

        def load(self, _param):
            pass

        def containsAlias(self, alias):
            return alias in store_keys

        def getKey(self, alias, _password):
            return store_keys[alias]

    class Builder:
        def __init__(self, alias, _purposes):
            self.alias = alias

        def __getattr__(self, _name):
            return lambda *_args: self

    class KeyGenerator:
        @staticmethod
        def getInstance(_algorithm, _provider):
            return KeyGenerator()

        def init(self, spec):
            self.alias = spec.alias

        def generateKey(self):
            store_keys[self.alias] = 0x5A

    class Cipher:
        @staticmethod
        def getInstance(_transformation):
            return Cipher()

        def init(self, mode, key, spec=None):
            self.mode, self.key = mode, key

        def getIV(self):
            return [-1, 2, -3, 4]  # as pyjnius may hand back a Java byte[]: signed

        def doFinal(self, data):
            return [((b ^ self.key) + 128) % 256 - 128 for b in data]

    classes = {"java.security.KeyStore": KeyStore,
               "android.security.keystore.KeyGenParameterSpec$Builder": Builder,
               "android.security.keystore.KeyProperties": type(
                   "KeyProperties", (), {"PURPOSE_ENCRYPT": 1, "PURPOSE_DECRYPT": 2,
                                         "BLOCK_MODE_GCM": "GCM", "KEY_ALGORITHM_AES": "AES",
                                         "ENCRYPTION_PADDING_NONE": "NoPadding"}),
               "javax.crypto.KeyGenerator": KeyGenerator, "javax.crypto.Cipher": Cipher,
               "javax.crypto.spec.GCMParameterSpec": lambda _bits, iv: iv}
    seal = encryption.KeystoreSeal.__new__(encryption.KeystoreSeal)
    seal._autoclass = classes.__getitem__
    monkeypatch.setattr(encryption, "default_seal", lambda: seal)
    monkeypatch.setattr("client.store.sqlite.default_seal", lambda: seal)

    store = SqliteStore(tmp_path / "local.db")
    store.set_meta({"x": NAME})
    store.close()
    secret = encryption.install_secret(tmp_path / "local.db", seal)
    on_disk = encryption.secret_path(tmp_path / "local.db").read_bytes()
    assert secret not in on_disk and on_disk[:5] == bytes([4, 255, 2, 253, 4])
    again = SqliteStore(tmp_path / "local.db")
    try:
        assert again.get_meta("x") == NAME
    finally:
        again.close()
