"""End to end: the server is restored from last night's backup while two tablets keep working.

A real server process on 127.0.0.1; the database is backed up as an operator would (the SQLite
backup API, or pg_dump), tablets keep recording and syncing, the database is restored
(pg_restore, or SQLite's backup API, with the server stopped), and the tablets sync again. Afterwards
every visit, note and edit any tablet made is on the server exactly once, the tablet that
signed in after the backup was not wiped, and an edit based on the lost history did not
silently overwrite a correction made after the restore.
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from client.service import FieldService, SignInRequired
from client.sync import SyncReport
from server.models import AppliedOp, CaseNote, Conflict, Resident, Visit
from shared import protocol as p
from shared.clock import isoformat, utcnow
from tests.conftest import reset_postgres
from testkit.factories import PASSWORD, make_district, make_person, make_resident
from testkit.fleet import signed_in_tablet
from testkit.live_server import ROOT, LiveServer

pytestmark = pytest.mark.e2e


def _copy_sqlite(source_path, target_path) -> None:
    """SQLite's online backup: a consistent copy even while the server writes."""
    source, target = sqlite3.connect(source_path), sqlite3.connect(target_path)
    with target:
        source.backup(target)
    source.close()
    target.close()


class Backup:
    """Back up and restore the server database the way docs/operations.md tells an operator."""

    def __init__(self, database_url: str, folder: Path) -> None:
        self.url = database_url
        self.folder = folder

    @property
    def libpq_url(self) -> str:
        return make_url(self.url).set(drivername="postgresql").render_as_string(
            hide_password=False)

    def take(self) -> None:
        """While the server runs."""
        if self.url.startswith("sqlite"):
            _copy_sqlite(make_url(self.url).database, self.folder / "backup.db")
        else:
            subprocess.run(["pg_dump", "--format=custom", "--file",
                            str(self.folder / "backup.dump"), self.libpq_url], check=True)

    def restore(self) -> None:
        """With the server stopped."""
        if self.url.startswith("sqlite"):  # `sqlite3 server.db ".restore backup.db"`
            _copy_sqlite(self.folder / "backup.db", make_url(self.url).database)
        else:
            reset_postgres(self.url)
            subprocess.run(["pg_restore", "--no-owner", "--dbname", self.libpq_url,
                            str(self.folder / "backup.dump")], check=True)


@pytest.fixture
def district(db_session):
    tree = make_district(db_session, communities=1, grids=1)
    grid = tree.grids[0]
    residents = [make_resident(db_session, grid, name=f"住户{i}").id for i in range(5)]
    make_person(db_session, "alice", p.VOLUNTEER, [grid], "王芳")
    make_person(db_session, "bob", p.VOLUNTEER, [grid], "李建国")
    make_person(db_session, "carol", p.GRID_WORKER, [grid], "张秀兰")
    db_session.commit()
    return residents


def tablet(tmp_path, server, username) -> FieldService:
    return signed_in_tablet(tmp_path / username, server.url, username)


def sync_ok(service: FieldService) -> SyncReport:
    report = service.sync()
    assert report.ok, (report.error_code, report.error)
    return report


def operator_runs_restored(database_url: str) -> None:
    subprocess.run([sys.executable, "-m", "knockdoor.cli", "restored", "--database-url",
                    database_url], check=True, cwd=ROOT, capture_output=True,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.mark.parametrize("operator_told", [True, False], ids=["knockdoor-restored",
                                                              "unannounced"])
def test_a_restore_from_a_backup_loses_nothing_any_tablet_holds(
        tmp_path, district, database_url, engine, db_session, operator_told):
    residents = district
    backup = Backup(database_url, tmp_path)
    workers = 1 if database_url.startswith("sqlite") else 2
    server = LiveServer(database_url, workers=workers).start()
    visits, notes = [], []
    try:
        alice = tablet(tmp_path, server, "alice")
        sync_ok(alice)
        visits.append(alice.record_visit(residents[0], "met"))
        notes.append(alice.add_note(residents[0], "血压偏高, 已提醒复查"))
        alice.edit_resident(residents[0], {"phone": "13800000000"})
        sync_ok(alice)

        backup.take()  # last night's backup

        # The next day: work that the backup will lack.
        visits.append(alice.record_visit(residents[1], "no_answer"))
        notes.append(alice.add_note(residents[1], "敲门无人应答, 邻居说去女儿家了"))
        alice.edit_resident(residents[1], {"care_notes": "女儿每周来"})
        sync_ok(alice)  # acknowledged and echoed
        visits.append(alice.record_visit(residents[2], "met"))
        alice.engine.push_all(SyncReport(started_at=isoformat(utcnow())))  # acknowledged only
        bob = tablet(tmp_path, server, "bob")  # signed in after the backup
        sync_ok(bob)
        visits.append(bob.record_visit(residents[3], "met"))
        notes.append(bob.add_note(residents[3], "需要买药"))
        bob.edit_resident(residents[2], {"phone": "13900000002"})
        bob.edit_resident(residents[4], {"care_notes": "腿脚不便"})
        sync_ok(bob)
        sync_ok(alice)
        # Offline edits, based on history the backup lacks: still unsent at the restore.
        alice.edit_resident(residents[4], {"phone": "13800000004"})
        bob.edit_resident(residents[3], {"phone": "13900000003"})
        visits.append(bob.record_visit(residents[0], "met"))

        server.stop()
        db_session.close()
        engine.dispose()
        backup.restore()
        if operator_told:
            operator_runs_restored(database_url)
        server.start()

        # A grid worker corrects a phone number on the restored server before anyone syncs,
        # and records visits that take the log past the positions the tablets saw.
        carol = tablet(tmp_path, server, "carol")
        sync_ok(carol)
        carol.edit_resident(residents[4], {"phone": "13700000004"})
        for resident_id in residents:
            visits.append(carol.record_visit(resident_id, "met"))
        sync_ok(carol)

        restored = sync_ok(alice)
        assert restored.server_restored and restored.resent >= 4
        with pytest.raises(SignInRequired):  # its device is unknown here: sign in, not wipe
            bob.sync()
        assert bob.unsent_count() == 2
        bob.sign_in(server.url, "bob", PASSWORD, "bob 平板")
        assert sync_ok(bob).server_restored
        for _round in range(2):
            for service in (alice, bob, carol):
                sync_ok(service)
    finally:
        server.stop()

    with Session(engine) as session:
        # Every visit and note made anywhere is on the server, once.
        assert session.scalar(select(func.count()).select_from(Visit).where(
            Visit.id.in_(visits))) == len(visits)
        assert session.scalar(select(func.count()).select_from(CaseNote).where(
            CaseNote.id.in_(notes))) == len(notes)
        assert session.scalar(select(func.count()).select_from(Visit)) == len(visits)
        assert session.scalar(select(func.count()).select_from(AppliedOp).where(
            AppliedOp.status == p.REJECTED)) == 0
        # Every edit is there; the one based on lost history met the correction as a conflict.
        phone = {rid: session.get(Resident, rid).phone for rid in residents}
        assert phone[residents[0]] == "13800000000"
        assert session.get(Resident, residents[1]).care_notes == "女儿每周来"
        assert phone[residents[2]] == "13900000002"
        assert phone[residents[3]] == "13900000003"
        assert session.get(Resident, residents[4]).care_notes == "腿脚不便"
        [clash] = session.scalars(select(Conflict).where(
            Conflict.resident_id == residents[4], Conflict.field == "phone")).all()
        assert {clash.kept_value, clash.lost_value} == {"13800000004", "13700000004"}
        assert phone[residents[4]] == clash.kept_value
    # And every tablet holds the server's copy, with nothing left to send.
    for service in (alice, bob, carol):
        assert service.unsent_count() == 0
        assert service.store.local_digests() == service.store.server_digests()
        service.close()
