"""Operating the command safely (issue 12): no data destroyed without an explicit flag, reads
never create a database, configuration problems have their own exit code (5) and message.

Real parts: SQLite files in a temporary folder, the PostgreSQL server of the machine (an empty
schema of its own) and a port where nothing listens.
"""
from __future__ import annotations

import socket
import sqlite3
import uuid

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from cli.main import main
from conftest import PG_URL, pg_or_skip


@pytest.fixture
def run(tmp_path, monkeypatch):
    """``cocrea ARGS`` in an empty folder, with no database configured."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COCREA_DATABASE_URL", raising=False)
    monkeypatch.delenv("COCREA_LANG", raising=False)
    runner = CliRunner()

    def invoke(*args: str, env: dict | None = None):
        return runner.invoke(main, list(args), env=env)

    return invoke


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nothing listens there


def test_demo_never_deletes_an_existing_database_without_replace(run, tmp_path):
    target = tmp_path / "mine.db"
    with sqlite3.connect(target) as conn:  # someone's real data
        conn.execute("create table precious (x)")
        conn.execute("insert into precious values ('keep me')")
    before = target.read_bytes()
    refused = run("demo", "--db-file", str(target))
    assert refused.exit_code == 2, refused.output
    assert "[file_exists]" in refused.output and "--replace" in refused.output
    assert "ya existe; sus datos no se borran a menos que indique --replace" in refused.output
    assert target.read_bytes() == before
    english = run("--lang", "en", "demo", "--db-file", str(target))
    assert english.exit_code == 2 and "already exists; its data is not deleted unless you give --replace" in english.output

    # a leftover write-ahead log is data too
    (tmp_path / "other.db-wal").write_bytes(b"x")
    assert run("demo", "--db-file", str(tmp_path / "other.db")).exit_code == 2
    assert (tmp_path / "other.db-wal").read_bytes() == b"x"


def test_demo_creates_a_new_file_and_replaces_only_when_told(run, tmp_path):
    target = tmp_path / "demo.db"
    first = run("demo", "--db-file", str(target))
    assert first.exit_code == 0, first.output
    assert "Bitácora íntegra" in first.output
    again = run("demo", "--replace", "--db-file", str(target))  # what .ci/run does on every run
    assert again.exit_code == 0, again.output
    assert "Bitácora íntegra" in again.output


@pytest.mark.parametrize("args", [("status", "jalisco"), ("history", "jalisco"), ("audit", "verify"),
                                  ("check", "jalisco"), ("ruleset", "list", "jalisco"), ("reminders", "status"),
                                  ("reminders", "plan", "jalisco")])
def test_reads_in_an_empty_folder_refuse_and_create_nothing(run, tmp_path, args):
    result = run(*args)
    assert result.exit_code == 5, result.output
    assert "[no_database]" in result.output and "Internal error" not in result.output
    assert "No hay una base de datos de cocrea en SQLite: " in result.output and "cocrea init" in result.output
    assert list(tmp_path.iterdir()) == []


def test_writes_that_need_a_process_do_not_create_a_database_either(run, tmp_path):
    result = run("user", "new-token", "jalisco", "ana", "--as", "ana")
    assert result.exit_code == 5 and "[no_database]" in result.output
    assert list(tmp_path.iterdir()) == []


def test_init_creates_the_database_then_reads_work(run, tmp_path):
    assert run("init", "--template", "federal", "--slug", "p", "--name", "Plan", "--coordinator", "ana").exit_code == 0
    assert (tmp_path / "cocrea.db").exists()
    result = run("status", "p")
    assert result.exit_code == 0, result.output


def test_a_file_that_is_not_a_cocrea_database_is_refused_unchanged(run, tmp_path):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("create table unrelated (x)")
    before = other.read_bytes()
    result = run("--db", f"sqlite:///{other}", "--lang", "en", "status", "p")
    assert result.exit_code == 5 and "There is no cocrea database at SQLite: " in result.output
    assert other.read_bytes() == before


def test_an_unreachable_postgresql_is_a_configuration_error(run):
    url = f"postgresql://cocrea:s3cret-pw@127.0.0.1:{closed_port()}/cocrea"
    result = run("--db", url, "status", "p")
    assert result.exit_code == 5, result.output
    assert "Un ajuste no se puede usar:" in result.output and "[database_unreachable]" in result.output
    assert "No se puede conectar con la base de datos" in result.output
    assert "Internal error" not in result.output and "Error interno" not in result.output
    assert "s3cret-pw" not in result.output  # the password is never printed
    english = run("--db", url, "--lang", "en", "init")  # writing commands too
    assert english.exit_code == 5 and "The database cannot be reached (postgresql://cocrea:***@127.0.0.1" in english.output


@pytest.mark.parametrize("url", ["not a url", "postgresql://u:s3cret-pw@host:port/db", "nosuchdb://x/y"])
def test_a_bad_database_url_is_a_configuration_error(run, url):
    result = run("--db", url, "--lang", "en", "status", "p")
    assert result.exit_code == 5, result.output
    assert "[bad_database_url]" in result.output and "is not a database address that can be used" in result.output
    assert "s3cret-pw" not in result.output


def test_the_environment_url_is_checked_the_same_way(run):
    result = run("status", "p", env={"COCREA_DATABASE_URL": f"postgresql://x@127.0.0.1:{closed_port()}/y"})
    assert result.exit_code == 5 and "[database_unreachable]" in result.output


def test_an_empty_postgresql_database_is_not_created_by_a_read(run):
    pg_or_skip()
    schema = f"cocrea_empty_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"))
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    try:
        result = run("--db", url, "status", "p")
        assert result.exit_code == 5 and "[no_database]" in result.output, result.output

        def tables():
            with admin.connect() as c:
                return c.execute(text("select count(*) from information_schema.tables where table_schema = :s"),
                                 {"s": schema}).scalar()

        assert tables() == 0
        created = run("--db", url, "init")
        assert created.exit_code == 0, created.output
        assert tables() > 0
        assert run("--db", url, "audit", "verify").exit_code == 0
    finally:
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_the_web_app_says_503_while_its_database_is_down():
    """A web process whose database went away answers 503 with Retry-After, in the reader's
    language, never a 500 or a stack trace."""
    from webkit import client

    from stages.clock import SystemClock
    from storage import make_engine

    engine = make_engine(f"postgresql://cocrea:s3cret-pw@127.0.0.1:{closed_port()}/cocrea")
    c = client(engine, SystemClock())
    page = c.get("/p/jalisco")
    assert page.status_code == 503 and page.headers["retry-after"] == "5"
    assert "no puede conectar con su base de datos" in page.text and "s3cret-pw" not in page.text
    api = c.get("/api/processes?lang=en")
    assert api.status_code == 503 and api.json()["reasons"][0]["code"] == "database_unavailable"
    assert "cannot reach its database" in api.json()["reasons"][0]["message"]


def test_the_ci_script_can_run_its_demo_again(run, tmp_path):
    """.ci/run makes the demo database in the same place on every run: its command says --replace."""
    import re
    import shlex
    from pathlib import Path

    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    (line,) = re.findall(r"\.venv/bin/cocrea (demo [^>\n]*)", ci)
    args = shlex.split(line.replace("${TMPDIR:-/tmp}", str(tmp_path)))
    assert "--replace" in args
    for _ in range(2):
        result = run(*args)
        assert result.exit_code == 0, result.output


def test_a_connection_refused_during_a_command_is_said_as_unreachable():
    """The server gone between two connections of one command (the pool opens a new one and is
    refused): the command says the database cannot be reached (exit 5), not an internal error;
    a statement's own failure stays what it is."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import DBAPIError

    from cli.context import Ctx, _connection_lost

    ctx = Ctx(None, "es")
    ctx._url = f"postgresql://x@127.0.0.1:{closed_port()}/y"
    try:
        create_engine(ctx._url.replace("postgresql://", "postgresql+psycopg://")).connect()
    except DBAPIError as exc:
        refused = exc
    lost = _connection_lost(ctx, refused)
    assert lost is not None and lost.exit_code == 5 and lost.reasons[0].code == "database_unreachable"
    with create_engine("sqlite://").connect() as conn:
        try:
            conn.execute(text("SELECT * FROM no_such_table"))
        except DBAPIError as exc:
            failed = exc
    assert _connection_lost(ctx, failed) is None
