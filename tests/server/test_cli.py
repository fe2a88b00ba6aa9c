"""The ``knockdoor`` command: help, migrate, seed, create-user, serve, and the client hand-offs."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import importlib
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from knockdoor import cli, serving
from server.demo import DEMO_PASSWORD
from server.models import Assignment, Person, Resident
from shared import protocol as p
from testkit.factories import make_district
from testkit.live_server import free_port, stop_and_read

REPO = Path(__file__).resolve().parents[2]
SUBCOMMANDS = ("migrate", "restored", "serve", "seed", "create-user", "reset-password", "prune",
               "simulate", "app")


def run_cli(*args: str, env: dict | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "knockdoor.cli", *args], cwd=REPO,
                          env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          timeout=timeout)


def test_help_lists_every_subcommand():
    result = run_cli("--help")
    assert result.returncode == 0, result.stderr
    for command in SUBCOMMANDS:
        assert command in result.stdout
    parser = cli.build_parser()
    for command in SUBCOMMANDS:
        with pytest.raises(SystemExit) as exit_:
            parser.parse_args([command, "--help"])
        assert exit_.value.code == 0


def test_migrate_creates_the_sqlite_folder_and_schema(tmp_path):
    database = tmp_path / "not" / "there" / "yet" / "knockdoor.db"
    result = run_cli("migrate", "--database-url", f"sqlite:///{database}")
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout
    engine = create_engine(f"sqlite:///{database}")
    try:
        tables = set(inspect(engine).get_table_names())
        assert {"areas", "people", "residents", "visits", "change_log", "alembic_version"} <= tables
        with engine.connect() as connection:
            assert connection.execute(text("SELECT position FROM log_head")).scalar_one() == 0
    finally:
        engine.dispose()
    # Running it again is harmless.
    assert run_cli("migrate", "--database-url", f"sqlite:///{database}").returncode == 0


def test_migrate_reads_the_data_dir_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("KNOCKDOOR_DATABASE_URL", raising=False)
    monkeypatch.setenv("KNOCKDOOR_DATA_DIR", str(tmp_path / "data"))
    assert cli.main(["migrate"]) == 0
    assert (tmp_path / "data" / "knockdoor.db").exists()


def test_seed_demo_prints_logins_and_refuses_a_second_time(database_url, engine, capsys):
    assert cli.main(["seed", "--demo", "--database-url", database_url]) == 0
    out = capsys.readouterr().out
    for expected in ("admin", "sup-1", "street-1", "vol-01", "vol-30", DEMO_PASSWORD,
                     "26 grids"):
        assert expected in out
    with Session(engine) as session:
        residents = session.scalar(select(func.count()).select_from(Resident))
    assert residents >= 1200

    assert cli.main(["seed", "--demo", "--database-url", database_url]) == 1
    captured = capsys.readouterr()
    assert "--reset" in captured.err and "admin" not in captured.out
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Resident)) == residents

    assert cli.main(["seed", "--demo", "--reset", "--random-seed", "5",
                     "--database-url", database_url]) == 0
    assert "Wiped" in capsys.readouterr().out
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Person).where(
            Person.username == "admin")) == 1


def test_seed_needs_the_demo_flag(database_url, engine, capsys):
    assert cli.main(["seed", "--database-url", database_url]) == 2
    assert "--demo" in capsys.readouterr().err


def test_create_user_hashes_the_password_and_assigns_areas(database_url, engine, db_session,
                                                            capsys):
    tree = make_district(db_session, streets=1, communities=1, grids=1)
    db_session.commit()
    grid = tree.grids[0]
    args = ["create-user", "--username", "wangfang", "--role", p.GRID_WORKER, "--name", "王芳",
            "--password", "a long password", "--area", grid.code, "--database-url", database_url]
    assert cli.main(args) == 0
    assert "wangfang" in capsys.readouterr().out
    with Session(engine) as session:
        person = session.scalar(select(Person).where(Person.username == "wangfang"))
        assert person.display_name == "王芳" and person.role == p.GRID_WORKER
        assert check_password_hash(person.password_hash, "a long password")
        assert not person.password_hash.startswith("pbkdf2:sha256:1000")  # the real slow hash
        assignment = session.scalar(select(Assignment).where(Assignment.person_id == person.id))
        assert assignment.area_id == grid.id

    assert cli.main(args) == 1  # the same username again
    assert "already" in capsys.readouterr().err
    short = args.copy()
    short[short.index("a long password")] = "short"
    short[short.index("wangfang")] = "other"
    assert cli.main(short) == 2
    unknown = args.copy()
    unknown[unknown.index(grid.code)] = "no such area"
    unknown[unknown.index("wangfang")] = "third"
    assert cli.main(unknown) == 1


def test_serve_runs_gunicorn_on_the_database(database_url, engine, tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "knockdoor.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "2", "--database-url", database_url],
        cwd=REPO, env={**os.environ, "KNOCKDOOR_SECRET_KEY": "test"},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 40
        body = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                response = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                if response.status_code == 200:
                    body = response.json()
                    break
            except requests.RequestException:
                pass
            time.sleep(0.2)
        assert body is not None, f"no answer on /healthz (exit {process.poll()})"
        assert body["status"] == "ok"
        assert body["database"] == ("sqlite" if database_url.startswith("sqlite")
                                    else "postgresql")
    finally:
        output = stop_and_read(process)
    assert "Knockdoor serving on" in output


def test_default_workers_follow_the_database():
    assert serving.default_workers("sqlite:///var/knockdoor.db") == 1
    workers = serving.default_workers("postgresql+psycopg://postgres@127.0.0.1/knockdoor")
    assert 1 <= workers <= 4
    assert workers == min(2 * (os.cpu_count() or 1) + 1, 4)


def test_serve_uses_threads_in_one_process_on_sqlite():
    args = cli.build_parser().parse_args(["serve", "--port", "9000"])
    args.database_url = "sqlite:///x.db"
    argv = serving.gunicorn_argv(args)
    assert argv[argv.index("--workers") + 1] == "1"
    assert int(argv[argv.index("--threads") + 1]) > 1
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:9000"
    assert argv[-1] == "server.wsgi:app"


@pytest.fixture
def fake_client_module(monkeypatch):
    """The client module's ``main`` replaced by one that records its arguments."""
    def install(name: str):
        calls = []
        module = importlib.import_module(name)
        monkeypatch.setattr(module, "main", lambda args: calls.append(args) or 0)
        return calls
    return install


def test_simulate_hands_its_arguments_to_the_client(fake_client_module):
    calls = fake_client_module("client.simulation")
    assert cli.main(["simulate"]) == 0
    (args,) = calls
    assert (args.server, args.tablets, args.rounds, args.random_seed, args.password) == \
        ("http://127.0.0.1:8000", 20, 3, None, DEMO_PASSWORD)
    assert cli.main(["simulate", "--server", "http://127.0.0.1:9", "--tablets", "5",
                     "--rounds", "2", "--random-seed", "11", "--password", "pw"]) == 0
    assert (calls[1].server, calls[1].tablets, calls[1].rounds, calls[1].random_seed,
            calls[1].password) == ("http://127.0.0.1:9", 5, 2, 11, "pw")


def test_app_hands_its_arguments_to_the_client(fake_client_module):
    calls = fake_client_module("client.ui")
    assert cli.main(["app", "--data-dir", "tablet-data", "--lang", "en",
                     "--size", "1280x800"]) == 0
    (args,) = calls
    assert (args.data_dir, args.lang, args.size) == ("tablet-data", "en", "1280x800")
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["app", "--size", "big"])
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["app", "--lang", "fr"])
