"""Database engines: a SQLite file by default, any SQLAlchemy URL by ``COCREA_DATABASE_URL``.

SQLite runs in WAL mode with a busy timeout, foreign keys on, and every transaction opened
with ``BEGIN IMMEDIATE`` so concurrent writers queue instead of losing updates (deferred
transactions lost updates or raised "database is locked": ``tests/test_workflow_concurrency.py``).
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from .settings import database_url
from .plain import loads_json


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
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               json_deserializer=loads_json)

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

        begin = "BEGIN" if read_only else "BEGIN IMMEDIATE"

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn):  # on the driver's connection: SQLAlchemy's execution adds nothing here
            conn.connection.driver_connection.execute(begin)

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    connect_args = {"connect_timeout": 10} if url.startswith("postgresql+psycopg://") else {}
    engine = create_engine(url, connect_args=connect_args, json_deserializer=loads_json)
    _ping_when_idle(engine)
    return engine


#: A pooled connection that sat idle longer than this (seconds) is pinged before it is used again,
#: and so is one whose socket has something to read while idle (the server said it is ending the
#: connection: a restart, ``pg_terminate_backend``): a fresh connection instead of an error. One in
#: steady use with nothing waiting is not (``pool_pre_ping`` pinged on every checkout: a round
#: trip, a tenth of an action's CPU; looking at the socket is one ``select`` call, no round trip).
PING_AFTER_IDLE = 1.0


def _said_something(dbapi_conn) -> bool:
    """Whether the server sent anything on an idle connection (its ending notice, or it closed):
    an idle connection has nothing to read. Unknown (no socket to look at): ``True``."""
    import select

    try:
        return bool(select.select([dbapi_conn.fileno()], [], [], 0)[0])
    except Exception:  # noqa: BLE001 - closed, or no socket: let the ping say
        return True


def _ping_when_idle(engine: Engine) -> None:
    import time

    from sqlalchemy.exc import DisconnectionError

    @event.listens_for(engine, "checkin")
    def _idle(dbapi_conn, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_conn, record, _proxy):
        since = record.info.get("idle_since")
        if since is None or (time.monotonic() - since < PING_AFTER_IDLE and not _said_something(dbapi_conn)):
            return  # just opened, or back from an action a moment ago with nothing said since
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:
            if engine.dialect.is_disconnect(exc, dbapi_conn, None):
                raise DisconnectionError() from exc  # the pool opens a fresh connection and tries again
            raise


def _masked(url: str) -> str:
    """A URL that could not be parsed, with whatever stands between ``://`` and ``@`` hidden."""
    head, sep, rest = url.partition("://")
    if sep and "@" in rest:
        return f"{head}://***@{rest.rpartition('@')[2]}"
    return url


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for an in-memory database or another backend)."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:" or u.database.startswith("file:"):
        return None
    return Path(u.database)


#: Tables whose presence says "this is a cocrea database" (an Alembic-migrated one, or one built
#: with ``create_all`` as the tests do).
SCHEMA_TABLES = ("alembic_version", "process")


def open_database(url: str | None = None, *, create: bool = False) -> Engine:
    """An engine for a database that can be used, or :class:`~stages.errors.ConfigError` (exit 5)
    saying why not: a URL that is not one (``bad_database_url``), a server that does not answer or
    refuses the connection (``database_unreachable``) and, unless ``create``, a database that does
    not exist yet or holds no cocrea tables (``no_database``). Reading never creates a database:
    a SQLite file is checked for before connecting, since connecting would create it."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

    from stages.errors import ConfigError, reason

    url = database_url(url)
    try:
        where = describe(url)
        path = sqlite_path(url)
        engine = make_engine(url)
    except (ArgumentError, NoSuchModuleError, ValueError, ImportError) as exc:
        raise ConfigError([reason("bad_database_url", url=_masked(url), problem=_first_line(exc))]) from None
    if path is not None and not create and not _sqlite_tables(path) & set(SCHEMA_TABLES):
        engine.dispose()  # checked without the engine, whose pragmas would change the file (WAL)
        raise ConfigError([reason("no_database", where=where)])
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
    except DBAPIError as exc:
        engine.dispose()
        raise ConfigError([reason("database_unreachable", where=where, problem=_first_line(exc.orig or exc))]) from None
    if not create and not tables & set(SCHEMA_TABLES):
        engine.dispose()
        raise ConfigError([reason("no_database", where=where)])
    return engine


def _sqlite_tables(path: Path) -> set[str]:
    """The tables of a SQLite file, read without creating or changing it (none if it is no database)."""
    import sqlite3

    if not path.is_file():
        return set()
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return {name for (name,) in conn.execute("select name from sqlite_master where type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return set()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def transaction(engine: Engine, commit: bool = True) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any exception (and always, for a dry
    run: ``commit=False``)."""
    with Session(engine, expire_on_commit=False) as session:
        with session.begin() as tx:
            yield session
            if not commit:
                tx.rollback()
