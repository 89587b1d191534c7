"""Fixtures: every storage test runs on a real SQLite file and on a real PostgreSQL.

PostgreSQL: ``COCREA_TEST_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``).
Each test run gets its own schema. When no server answers, the PostgreSQL cases are skipped
with that reason; under CI (``CI`` set) they fail instead, since CI must provide the server.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid

import pytest
from sqlalchemy import event, text
from sqlmodel import SQLModel

import storage.models  # noqa: F401
from stages.clock import FixedClock
from storage.db import make_engine

PG_URL = os.environ.get("COCREA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
_pg_state: dict = {}


def _pg_engine():
    if "engine" in _pg_state or "error" in _pg_state:
        return _pg_state.get("engine")
    try:
        base = make_engine(PG_URL)
        with base.connect() as c:
            c.execute(text("select 1"))
    except Exception as exc:  # no server answers
        _pg_state["error"] = f"PostgreSQL no responde en {PG_URL} ({type(exc).__name__}); pruebas PostgreSQL omitidas"
        return None
    schema = f"cocrea_test_{uuid.uuid4().hex[:10]}"
    with base.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(PG_URL)

    @event.listens_for(engine, "connect")
    def _search_path(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute(f'SET search_path TO "{schema}"')
        cur.execute("SET synchronous_commit TO off")  # tests need no crash durability; commits stop waiting on fsync
        cur.close()
        dbapi_conn.commit()

    SQLModel.metadata.create_all(engine)
    _pg_state.update(engine=engine, schema=schema, base=base)
    return engine


def absent(service: str, why: str):
    """A named external service is missing: a failure under CI (which must provide it, and
    .ci/run sets CI), a skip saying which service and why on a developer's machine."""
    if os.environ.get("CI"):
        pytest.fail(f"{why} — CI must provide {service}", pytrace=False)
    pytest.skip(f"{why}; {service} tests skipped")


def chromium_or_skip() -> str:
    """Debian's chromium, which the browser tests drive through Playwright."""
    path = shutil.which("chromium")
    if path is None:
        absent("chromium", "chromium no está instalado (apt-get install chromium)")
    return path


def pg_or_skip():
    engine = _pg_engine()
    if engine is None:
        absent("PostgreSQL", _pg_state["error"])
    return engine


def pytest_sessionfinish(session, exitstatus):
    if "base" in _pg_state:
        _pg_state["engine"].dispose()
        with _pg_state["base"].begin() as c:
            c.execute(text(f'DROP SCHEMA "{_pg_state["schema"]}" CASCADE'))


def _truncate(engine) -> None:
    # DELETE, children first: TRUNCATE takes 0.2-0.5 s per test on a server that syncs to disk,
    # DELETE of these few rows under 10 ms. Ids keep growing; no test depends on them.
    with engine.begin() as c:
        for t in reversed(SQLModel.metadata.sorted_tables):
            c.execute(t.delete())


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    """A real, empty database: a SQLite file, or a PostgreSQL schema."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'cocrea.db'}")
        SQLModel.metadata.create_all(engine)
        yield engine
        engine.dispose()
    else:
        engine = pg_or_skip()
        _truncate(engine)
        yield engine


@pytest.fixture
def sqlite_db(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'cocrea.db'}")
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def clock():
    return FixedClock(dt.datetime(2026, 1, 15, 16, 0, tzinfo=dt.timezone.utc))
