"""``cocrea backup`` and ``cocrea restore`` (issue 12) on a real SQLite file and a real
PostgreSQL schema: a backup restored after a disaster gives back every row as it was when the
backup was taken, and its audit chain verifies; nothing is overwritten without ``--replace``.
"""
from __future__ import annotations

import shutil
import threading
import uuid

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

import migrations
from cli.main import main
from reads import status as queries
from storage import make_engine
from builders import process_at
from conftest import PG_URL, absent, pg_or_skip
from snapshots import snapshot

#: Tables whose rows a restore does not give back as they were: sign-ins end at a restore.
ENDED_BY_RESTORE = {"sign_in_session"}


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """(URL of an empty database that the CLI can reach, a function that makes it vanish)."""
    if request.param == "sqlite":
        path = tmp_path / "live.db"
        yield f"sqlite:///{path}", lambda: [p.unlink(missing_ok=True) for p in tmp_path.glob("live.db*")]
        return
    pg_or_skip()
    if not (shutil.which("pg_dump") and shutil.which("pg_restore") and shutil.which("psql")):
        absent("PostgreSQL client tools", "pg_dump, pg_restore or psql not found")
    schema = f"cocrea_backup_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"))

    def drop():
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))

    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}", drop
    finally:
        drop()
        admin.dispose()


def cocrea(*args: str):
    return CliRunner().invoke(main, list(args))


def kept(engine) -> dict:
    return {name: rows for name, rows in snapshot(engine).items() if name not in ENDED_BY_RESTORE}


def test_a_restored_backup_is_the_database_as_it_was_and_its_chain_verifies(database, tmp_path, clock):
    url, vanish = database
    engine = make_engine(url)
    migrations.upgrade(engine)
    p = process_at(engine, clock, "consultation")
    at_backup = kept(engine)
    entries = sum(queries.verify_audit(engine).values())
    assert entries > 5

    target = tmp_path / "cocrea.backup"
    made = cocrea("--db", url, "backup", str(target))
    assert made.exit_code == 0, made.output
    assert f"{entries} entradas verificadas" in made.output

    # later work, then a disaster: the newest entries removed and a row edited around the engine
    p(action="publish_document", kind="evidence", title="Informe", ref="https://example.org/i.pdf",
      stage="consultation")
    with engine.begin() as c:
        c.execute(text("delete from audit_entry where seq > 3"))
        c.execute(text("update process set stage = 'closed'"))
    assert cocrea("--db", url, "audit", "verify").exit_code == 4

    before = snapshot(engine)
    refused = cocrea("--db", url, "restore", str(target))
    assert refused.exit_code == 2 and "[database_not_empty]" in refused.output and "--replace" in refused.output
    assert snapshot(engine) == before  # nothing replaced without being told

    restored = cocrea("--db", url, "restore", "--replace", str(target))
    assert restored.exit_code == 0, restored.output
    assert f"Bitácora íntegra: {entries} entradas verificadas" in restored.output
    engine.dispose()
    engine = make_engine(url)
    assert kept(engine) == at_backup
    assert sum(queries.verify_audit(engine).values()) == entries
    assert queries.status(engine, p.slug)["stage"] == "consultation"
    engine.dispose()

    # the database gone altogether: the backup alone brings it back
    vanish()
    again = cocrea("--db", url, "--lang", "en", "restore", str(target))
    assert again.exit_code == 0, again.output
    assert f"Audit trail intact: {entries} entries verified" in again.output
    engine = make_engine(url)
    assert kept(engine) == at_backup
    assert cocrea("--db", url, "audit", "verify").exit_code == 0
    engine.dispose()


def test_backup_never_overwrites_without_replace_and_restore_checks_the_file(database, tmp_path, clock):
    url, _ = database
    engine = make_engine(url)
    migrations.upgrade(engine)
    process_at(engine, clock, "declaration")
    target = tmp_path / "existing.backup"
    target.write_bytes(b"an older backup")
    refused = cocrea("--db", url, "backup", str(target))
    assert refused.exit_code == 2 and "[file_exists]" in refused.output
    assert target.read_bytes() == b"an older backup"
    assert cocrea("--db", url, "backup", "--replace", str(target)).exit_code == 0
    assert target.read_bytes() != b"an older backup"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []  # no half-written file left
    assert target.stat().st_mode & 0o777 == 0o600  # personal data and password hashes: its owner's only

    if url.startswith("postgresql"):  # a schema's backup is not poured into another schema
        other = cocrea("--db", PG_URL, "--lang", "en", "restore", "--replace", str(target))
        assert other.exit_code == 2 and "[backup_other_schema]" in other.output, other.output

    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a backup at all")
    bad = cocrea("--db", url, "restore", "--replace", str(junk))
    assert bad.exit_code == 2 and "[not_a_backup]" in bad.output
    missing = cocrea("--db", url, "restore", str(tmp_path / "nowhere.backup"))
    assert missing.exit_code == 2 and "[bad_file]" in missing.output
    engine.dispose()


def test_a_backup_of_one_kind_of_database_is_not_restored_into_the_other(tmp_path, clock):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    engine = make_engine(url)
    migrations.upgrade(engine)
    process_at(engine, clock, "declaration")
    assert cocrea("--db", url, "backup", str(tmp_path / "a.backup")).exit_code == 0
    pg_or_skip()
    result = cocrea("--db", PG_URL, "--lang", "en", "restore", str(tmp_path / "a.backup"))
    assert result.exit_code == 2 and "[backup_other_database]" in result.output
    engine.dispose()


def test_a_sqlite_backup_is_consistent_while_writers_keep_writing(tmp_path, clock):
    """The online backup runs while actions are applied: the copy is one moment's database,
    whose chain verifies."""
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    engine = make_engine(url)
    migrations.upgrade(engine)
    p = process_at(engine, clock, "consultation")
    stop = threading.Event()

    def write():
        n = 0
        while not stop.is_set():
            n += 1
            p(action="publish_document", kind="evidence", title=f"Informe {n}", ref=f"https://example.org/{n}.pdf",
              stage="consultation")

    writer = threading.Thread(target=write)
    writer.start()
    try:
        for n in range(3):
            assert cocrea("--db", url, "backup", str(tmp_path / f"b{n}.backup")).exit_code == 0
    finally:
        stop.set()
        writer.join()
    for n in range(3):
        copy = make_engine(f"sqlite:///{tmp_path / f'b{n}.backup'}")
        assert sum(queries.verify_audit(copy).values()) > 5
        copy.dispose()
    engine.dispose()
