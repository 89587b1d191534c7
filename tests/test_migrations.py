"""``alembic upgrade head`` builds exactly the schema of ``SQLModel.metadata``, on a fresh
SQLite file and on a fresh PostgreSQL schema: autogenerate finds nothing left to migrate."""
from __future__ import annotations

import subprocess
import sys
import uuid

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from conftest import PG_URL, pg_or_skip
from sqlalchemy import event, inspect, text
from sqlmodel import SQLModel

import migrations
import storage.models  # noqa: F401
from storage import make_engine


def differences(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, SQLModel.metadata)


def tables_and_columns(engine) -> dict[str, list[str]]:
    insp = inspect(engine)
    return {t: sorted(c["name"] for c in insp.get_columns(t)) for t in insp.get_table_names() if t != "alembic_version"}


EXPECTED = {t.name: sorted(c.name for c in t.columns) for t in SQLModel.metadata.sorted_tables}


def test_upgrade_head_on_a_fresh_sqlite_file_matches_the_models(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    migrations.upgrade(engine)
    assert tables_and_columns(engine) == EXPECTED
    assert differences(engine) == []
    engine.dispose()


def test_upgrade_head_on_a_fresh_postgresql_schema_matches_the_models():
    pg_or_skip()
    schema = f"cocrea_mig_{uuid.uuid4().hex[:10]}"
    base = make_engine(PG_URL)
    with base.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(PG_URL)

    @event.listens_for(engine, "connect")
    def _search_path(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute(f'SET search_path TO "{schema}"')
        cur.close()
        dbapi_conn.commit()

    try:
        migrations.upgrade(engine)
        assert tables_and_columns(engine) == EXPECTED
        assert differences(engine) == []
    finally:
        engine.dispose()
        with base.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        base.dispose()


def test_the_newest_numbered_file_is_alembics_head():
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(migrations.config(None)).get_current_head() == migrations.newest()


def test_a_database_at_the_head_opens_without_loading_alembic(tmp_path):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    engine = make_engine(url)
    migrations.upgrade(engine)  # a new database: migrated by Alembic
    engine.dispose()
    code = (f"import sys, migrations\nfrom storage import make_engine\nmigrations.upgrade(make_engine({url!r}))\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=migrations.HERE.parent)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
