"""Data protection on the server: the audit log is append-only, operational records are
pruned, and the access log holds no query strings (where searches put names and phones)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from knockdoor import cli
from server.demo import wipe
from server.models import AuditEntry, LoginAttempt
from shared.clock import utcnow
from testkit.live_server import free_port, stop_and_read

REPO = Path(__file__).resolve().parents[2]


def add_entry(db_session, action: str = "view_resident", at=None) -> int:
    entry = AuditEntry(action=action, person_id=1, detail={}, at=at or utcnow())
    db_session.add(entry)
    db_session.commit()
    return entry.id


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET action = 'nothing', person_id = NULL WHERE id = :id",
    "DELETE FROM audit_log WHERE id = :id",
    "UPDATE audit_log SET detail = detail",
    "DELETE FROM audit_log"])
def test_the_database_refuses_to_change_or_remove_an_audit_entry(engine, db_session, statement):
    entry_id = add_entry(db_session)
    with pytest.raises(DBAPIError, match="append-only"):
        with engine.begin() as connection:
            connection.execute(text(statement), {"id": entry_id})
    db_session.expire_all()
    entry = db_session.get(AuditEntry, entry_id)
    assert entry is not None and entry.action == "view_resident" and entry.person_id == 1


def test_the_suites_wipe_still_empties_the_audit_log_and_keeps_it_append_only(engine,
                                                                            db_session):
    add_entry(db_session)
    wipe(engine)
    assert db_session.scalar(select(func.count()).select_from(AuditEntry)) == 0
    entry_id = add_entry(db_session)
    with pytest.raises(DBAPIError, match="append-only"):
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": entry_id})


def test_a_database_error_message_holds_no_personal_data(engine, db_session):
    """Error messages reach the error log: the statement's parameters are not in them."""
    add_entry(db_session)
    with pytest.raises(DBAPIError) as error:
        with engine.begin() as connection:
            connection.execute(text("UPDATE audit_log SET action = :name, entity_id = :phone"),
                               {"name": "张利霞", "phone": "13800000001"})
    assert "张利霞" not in str(error.value) and "13800000001" not in str(error.value)


def test_prune_deletes_old_sign_in_attempts_and_nothing_else(database_url, engine, db_session,
                                                             capsys):
    now = utcnow()
    for days in (100, 40, 29, 1):
        db_session.add(LoginAttempt(username=f"user{days}", remote_addr="10.0.0.1",
                                    succeeded=False, at=now - timedelta(days=days)))
    add_entry(db_session, "web_sign_in", at=now - timedelta(days=400))
    db_session.commit()
    assert cli.main(["prune", "--older-than-days", "30", "--database-url", database_url]) == 0
    assert "2 from login_attempts" in capsys.readouterr().out
    db_session.expire_all()
    assert sorted(db_session.scalars(select(LoginAttempt.username))) == ["user1", "user29"]
    assert db_session.scalar(select(func.count()).select_from(AuditEntry)) == 1
    assert cli.main(["prune", "--older-than-days", "0", "--database-url", database_url]) == 2


def test_the_access_log_holds_paths_but_no_query_strings(tmp_path):
    name, phone = "张利霞", "13800000001"
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "knockdoor.cli", "serve", "--host", "127.0.0.1", "--port",
         str(port), "--access-log", "--database-url", f"sqlite:///{tmp_path / 'k.db'}"],
        cwd=REPO, env={**os.environ, "KNOCKDOOR_SECRET_KEY": "test"},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        requests.get(f"{base}/residents?q={quote(name)}&phone={phone}", timeout=5,
                     headers={"Referer": f"{base}/residents?q={quote(phone)}"},
                     allow_redirects=False)
        requests.get(f"{base}/login", params={"next": f"/residents?q={name}"}, timeout=5)
    finally:
        output = stop_and_read(process)
    assert '"GET /residents HTTP/1.1" 302' in output and '"GET /login HTTP/1.1" 200' in output
    for secret in (name, quote(name), phone, "q="):
        assert secret not in output
