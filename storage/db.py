"""Database engines: a SQLite file by default, any SQLAlchemy URL by ``COCREA_DATABASE_URL``.

SQLite runs in WAL mode with a busy timeout, foreign keys on, and every transaction opened
with ``BEGIN IMMEDIATE`` so concurrent writers queue instead of losing updates (deferred
transactions lost updates or raised "database is locked": ``tests/test_workflow_concurrency.py``).
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

DEFAULT_SQLITE = "cocrea.db"


def database_url(explicit: str | None = None) -> str:
    url = explicit or os.environ.get("COCREA_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{Path(DEFAULT_SQLITE).resolve()}"


def describe(url: str) -> str:
    """A printable location with no password in it."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return f"SQLite: {u.database}"
    return u.render_as_string(hide_password=True)


def make_engine(url: str | None = None, *, read_only: bool = False) -> Engine:
    """An engine for ``url``. ``read_only`` (SQLite): plain deferred read transactions, so
    readers never queue behind writers (WAL); used for the public pages."""
    url = database_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # pragma: no cover - exercised by every test
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            if read_only:
                cur.execute("PRAGMA query_only=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn):
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url, pool_pre_ping=True)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any exception."""
    with Session(engine, expire_on_commit=False) as session:
        with session.begin():
            yield session
