"""Plain rows over the database driver itself: the one reader of rows that change nothing.

Two users, one reader. The command line's read commands (``cocrea status``, ``check``,
``history``...) spent most of their second importing SQLAlchemy and SQLModel and declaring the
tables (issue 9): :func:`open_reader` gives them a :class:`Reader` over the DB-API driver alone
(the standard library's ``sqlite3``; for PostgreSQL ``psycopg2`` when it is installed, whose
import costs a fifth of ``psycopg``'s, else ``psycopg``). The engine's loads
(:func:`storage.records.load_records` with ``plain=True``: a move's criteria, the public view)
read with the same :class:`Reader`, over the DB-API connection under their session
(:meth:`Reader.of`), inside its transaction. Either way the rows are named tuples with the
personal data left out, holding what SQLAlchemy gives: UTC datetimes, dates, JSON, booleans.

The tables are not written twice: :mod:`storage.columns` is generated from ``storage.models``
(and :mod:`storage.tables`) by this module (``python -m storage.plain >
storage/columns.py``), and ``tests/test_plain_reads.py`` fails when it is not what the models
give now; the same file checks that a :class:`Reader` reads what the ORM reads.

:func:`reading` gives a :class:`Reader` over either an engine (the web app, the actions) or the
quick connection, so each read is written once (``reads.status``, ``reads.checks``).
:func:`open_reader` gives ``None`` whenever a quick read cannot be sure to be right (another
driver, a URL it does not parse, a schema not at the newest migration, no server answering):
the caller then goes the full way, which migrates, or says what is wrong.

Why one module: the reader, the values it converts and the generator of the columns it reads are
one description of the tables as the driver gives them; apart, a kind of column could be
generated that no converter reads.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections import namedtuple
from contextlib import contextmanager
from functools import cache
from typing import Any, Iterable, Iterator

from stages import Records
from stages.base import NotLoaded, no_cyclic_gc
from stages.errors import not_found

from .columns import COLUMNS, PRIVATE, RECORDS, THROUGH

_SQLITE = re.compile(r"^sqlite(\+pysqlite)?:///(?P<path>[^?]+)$")
_POSTGRES = re.compile(r"^postgresql(\+psycopg)?://")
UTC = dt.timezone.utc
_parse, _combine = dt.datetime.fromisoformat, dt.datetime.combine


def _utc_text(value):
    """SQLite's text of a UTC time (``2025-05-22 16:00:00.000000``) as an aware datetime, parsed
    with its offset in one call (``datetime.replace`` afterwards costs several times more)."""
    if value is None:
        return None
    try:
        return _parse(value + "+00:00")
    except ValueError:  # written with an offset of its own
        found = _parse(value)
        return found.astimezone(UTC) if found.tzinfo else _combine(found, found.timetz(), UTC)


def _utc(value):
    """A driver's naive UTC datetime, made aware."""
    return None if value is None else _combine(value, value.timetz(), UTC)


def _date_text(value):
    return None if value is None else dt.date.fromisoformat(value)


_EMPTY = {"[]": list, "{}": dict, b"[]": list, b"{}": dict}


def loads_json(text: str | bytes):
    """``json.loads`` for the JSON columns (SQLite's text; the engine's ``json_deserializer``,
    which psycopg calls with bytes): the empty list and mapping most rows hold are made without
    the decoder, a new object each time, as ``json.loads`` gives. Bytes are decoded as UTF-8
    first (what ``json.loads`` of bytes guesses for any JSON PostgreSQL sends, after its
    look at the first bytes, which cost more than the decoding)."""
    empty = _EMPTY.get(text)
    if empty is not None:
        return empty()
    return json.loads(text.decode() if type(text) is bytes else text)


def _json_text(value):
    return None if value is None else loads_json(value)


def _bool(value):
    return None if value is None else bool(value)


def _bytes(value):
    return None if value is None else bytes(value)  # psycopg2 gives a memoryview


#: dialect -> kind of column -> how a value the driver gives becomes the value SQLAlchemy gives
#: (what is not here comes as it is: integers, text; the PostgreSQL drivers give dates, JSON
#: and booleans themselves).
CONVERT = {
    "sqlite": {"utc": _utc_text, "date": _date_text, "json": _json_text, "bool": _bool},
    "postgresql": {"utc": _utc, "bytes": _bytes},
}

#: (dialect, table, columns, conditions, order, limit, count) -> (SQL, row type, its maker, :func:`_maker`):
#: made once a process (not for long lists of values, one plan per length).
_PLANS: dict[tuple, tuple] = {}


#: dialect -> kind of column -> the converter of :data:`CONVERT` written inline (``{v}``: the
#: value), for the kinds most rows hold: a row then makes no call for them. A value these do not
#: read (SQLite's text of a time written with an offset of its own) raises ``ValueError``, and
#: the row is then made by :data:`CONVERT`'s functions.
INLINE = {
    "sqlite": {"utc": '(None if {v} is None else _parse({v} + "+00:00"))',
               "date": "(None if {v} is None else _date({v}))", "bool": "(None if {v} is None else bool({v}))",
               "json": '(None if {v} is None else [] if {v} == "[]" else {{}} if {v} == "{{}}" else _loads({v}))'},
    "postgresql": {"utc": "(None if {v} is None else _combine({v}, {v}.timetz(), UTC))"},
}


def _maker(shape, width: int, procs: list, inline: dict[int, str]) -> Any:
    """What makes the named tuple of a row as the driver gives it: one function, written for the
    columns that convert (``shape(f1(r[1]), r[2], ...)`` as one expression, :data:`INLINE`'s
    converters written in it), so a row costs one call, not a list, a loop over the converters
    and ``_make``; ``None``: no column converts (``shape._make`` then)."""
    if not procs:
        return None
    convert = dict(procs)
    args = ", ".join(inline[i].format(v=f"r[{i}]") if i in inline else f"f{i}(r[{i}])" if i in convert
                     else f"r[{i}]" for i in range(width))
    slow = ", ".join(f"f{i}(r[{i}])" if i in convert else f"r[{i}]" for i in range(width))
    scope = {f"f{i}": f for i, f in convert.items()} | {
        "_new": tuple.__new__, "_shape": shape, "_parse": _parse, "_date": dt.date.fromisoformat,
        "_combine": _combine, "UTC": UTC, "_loads": json.loads}
    exec(f"def make(r):\n    try:\n        return _new(_shape, ({args},))\n"  # noqa: S102 - from storage.columns
         f"    except ValueError:\n        return _new(_shape, ({slow},))", scope)
    return scope["make"]


def _plan(dialect: str, table: str, names: tuple[str, ...], conds: tuple = (), order: str = "id",
          limit: int | None = None, count: bool = False) -> tuple:
    """The SQL of a read, its named tuple and its converters. ``conds``: (column, how) pairs, all
    to hold: ``how`` ``=`` (one value), a number (``IN`` that many values), or ``through`` (the
    column is (column, parent table): the ids of the parent's rows of one process, a subquery).
    ``count``: the rows counted by ``names`` (``GROUP BY``), the count last, as ``count``."""
    key = (dialect, table, names, conds, order, limit, count)
    plan = _PLANS.get(key)
    if plan is None:
        kinds, convert = dict(COLUMNS[table]), CONVERT[dialect]
        mark = "?" if dialect == "sqlite" else "%s"
        where = []
        for column, how in conds:
            if how == "=":
                where.append(f"{column} = {mark}")
            elif how == "through":
                where.append(f"{column[0]} IN (SELECT id FROM {column[1]} WHERE process_id = {mark})")
            else:
                where.append(f"{column} IN (" + ", ".join([mark] * int(how)) + ")")
        sql = (f"SELECT {', '.join(names)}{', COUNT(*)' if count else ''} FROM {table}"
               + (f" WHERE {' AND '.join(where)}" if where else "")
               + (f" GROUP BY {', '.join(names)}" if count else "")
               + f" ORDER BY {order}" + (f" LIMIT {int(limit)}" if limit is not None else ""))
        procs = [(i, convert[kinds[n]]) for i, n in enumerate(names) if kinds[n] in convert]
        inline = {i: INLINE[dialect][kinds[n]] for i, n in enumerate(names) if kinds[n] in INLINE[dialect]}
        shape = namedtuple(table, names + ("count",) if count else names)
        plan = (sql, shape, _maker(shape, len(names) + bool(count), procs, inline))
        if all(not how.isdigit() or int(how) <= 8 for _, how in conds):
            _PLANS[key] = plan
    return plan


#: (dialect, tables, private) -> what :meth:`Reader.records` reads (:meth:`Reader._records_plans`).
_RECORDS_PLANS: dict[tuple, tuple] = {}
#: the plans of :meth:`Reader._fetch_all` -> its query's text, split where the process's id goes.
_BATCHES: dict[tuple, list[str]] = {}


@cache
def _public(table: str) -> tuple[str, ...]:
    """Every column of ``table`` but its personal data (``storage.models.PRIVATE_FIELDS``: no rule
    and no read uses them, and what a read shows cannot carry them)."""
    private = PRIVATE.get(table, ())
    return tuple(c for c, _ in COLUMNS[table] if c not in private)


def _wanted(dialect: str, table: str, columns: Iterable[str] | None, where: dict[str, Iterable[Any]] | None,
            order_by: str, limit: int | None = None, count: bool = False) -> tuple[tuple, list] | None:
    """The plan of a :meth:`Reader.select` and its values; None when a condition wants no value."""
    names = tuple(columns) if columns is not None else _public(table)
    conds, values = [], []
    for column, wanted in (where or {}).items():
        wanted = list(wanted)
        if not wanted:
            return None
        conds.append((column, "=" if len(wanted) == 1 else str(len(wanted))))
        values += wanted
    return _plan(dialect, table, names, tuple(conds), order_by, limit, count), values


#: A kept cursor (:func:`driver_cursor`) that read more rows than this is closed after the read.
_KEEP_AFTER = 2000


def driver_cursor(conn) -> Any:
    """A cursor of the driver's connection under ``conn`` (SQLAlchemy's pooled connection, a
    session's), made once for that connection and kept with it in the pool (``info``): each
    statement then runs on it, never closed by its user. Making a ``psycopg`` cursor is a third of
    a small statement's client CPU (it copies the connection's adapters); a statement's rows are
    read whole (or left, read no more) before the next runs on it, and a server-side cursor (a
    stream) is one of its own: ``psycopg`` holds a result whole in the client, nothing open on
    the server. A new cursor for any other driver (SQLite's costs little, and a statement it
    has not stepped to its end would hold its read open) or ``conn`` with no pool's ``info``."""
    info = getattr(conn, "info", None)
    if type(info) is not dict:
        return conn.cursor()
    driver = conn.driver_connection
    if type(driver).__module__.partition(".")[0] != "psycopg":
        return conn.cursor()
    kept = info.get("cocrea_cursor")
    if kept is None or kept[0] is not driver or kept[1].closed:
        kept = info["cocrea_cursor"] = (driver, conn.cursor())
    return kept[1]


class Reader:
    """Plain rows of one database through its DB-API connection, in one read transaction: a
    connection of its own (:func:`open_reader`), or the one under a session (:meth:`of`)."""

    def __init__(self, connection: Any, dialect: str, *, batch: bool = False):
        self.connection = connection
        self.dialect = dialect
        #: the driver runs several statements sent as one query and gives each one's rows
        #: (``psycopg`` 3: :meth:`records` reads every table in one round trip)
        self.batch = batch
        self.cursor = None  # made at the first read: :meth:`_cursor`

    @classmethod
    def of(cls, conn) -> "Reader":
        """The reader of a SQLAlchemy connection (a session's), inside its transaction, begun
        here if it is not yet (as a read through the session would begin it): the rows it sees
        are the session's, its own writes included."""
        if not conn.in_transaction():
            conn.begin()
        return cls(conn.connection, conn.dialect.name, batch=conn.dialect.driver == "psycopg")

    def close(self) -> None:
        self.connection.rollback()
        self.connection.close()

    def _cursor(self) -> Any:
        """The cursor this reader's reads run on (:func:`driver_cursor`), kept for its life."""
        if self.cursor is None:
            self.cursor = driver_cursor(self.connection)
        return self.cursor

    def _done(self, rows: int) -> None:
        """After a read of ``rows`` rows: a cursor that read many is closed (a kept one would hold
        the driver's copy of them until its next statement), and made anew at the next read."""
        if rows > _KEEP_AFTER:
            self.cursor.close()
            self.cursor = None

    def _fetch(self, plan: tuple, values) -> list:
        sql, shape, make = plan
        cur = self._cursor()
        cur.execute(sql, values)
        found = list(map(shape._make if make is None else make, cur.fetchall()))
        self._done(len(found))
        return found

    def rows(self, table: str, where: str, values: Iterable[Any], *, order_by: str = "id",
             columns: Iterable[str] | None = None) -> list:
        """Rows of ``table`` whose column ``where`` is one of ``values``, in ``order_by`` order:
        named tuples of ``columns`` (default: every column but the personal data)."""
        return self.select(table, columns, {where: values}, order_by=order_by)

    def every(self, table: str, columns: Iterable[str], *, order_by: str = "id") -> list:
        """Every row of ``table``, in ``order_by`` order: named tuples of ``columns``."""
        return self.select(table, columns, order_by=order_by)

    def select(self, table: str, columns: Iterable[str] | None = None, where: dict[str, Iterable[Any]] | None = None,
               *, order_by: str = "id", limit: int | None = None, count: bool = False) -> list:
        """Rows of ``table`` whose every column named in ``where`` is one of its values, in
        ``order_by`` order, at most ``limit``: named tuples of ``columns`` (default: every column
        but the personal data); with ``count``, how many rows hold each value of ``columns``
        (the last field, ``count``)."""
        found = _wanted(self.dialect, table, columns, where, order_by, limit, count)
        return [] if found is None else self._fetch(*found)

    def stream(self, table: str, columns: Iterable[str] | None = None, where: dict[str, Iterable[Any]] | None = None,
               *, order_by: str = "id", size: int = 5000) -> Iterator[list]:
        """The rows of :meth:`select`, ``size`` at a time as the database gives them (PostgreSQL:
        through a server-side cursor), so that memory does not grow with the rows (an export)."""
        found = _wanted(self.dialect, table, columns, where, order_by)
        if found is None:
            return
        (sql, shape, make), values = found
        cur = self.connection.cursor() if self.dialect == "sqlite" else self.connection.cursor("cocrea_stream")
        try:
            cur.execute(sql, values)
            while batch := cur.fetchmany(size):
                yield list(map(shape._make if make is None else make, batch))
        finally:
            cur.close()

    def process(self, slug: str):
        """The process ``slug`` (every column), or :class:`~stages.errors.NotFound`; the quick
        twin of :func:`storage.process_by_slug`."""
        found = self.rows("process", "slug", [slug], columns=[c for c, _ in COLUMNS["process"]])
        if not found:
            raise not_found("process", slug)
        return found[0]

    @staticmethod
    def _columns(name: str, table: str, private: Iterable[str]) -> tuple[str, ...]:
        return tuple(c for c, _ in COLUMNS[table]) if name in private else _public(table)

    def records(self, process, only: Iterable[str] | None = None, now: dt.datetime | None = None, *,
                private: Iterable[str] = ()) -> Records:
        """Everything recorded about ``process`` (each table of ``stages.Records`` a read by
        ``process_id``; attendance, votes and versions through their parent's rows, in one
        subquery), or just the tables ``only`` names (the others are
        :class:`stages.base.NotLoaded`): :func:`storage.load_records` with ``plain=True``.
        ``private``: the tables read with their personal data too (the reminders' planner reads
        people's emails)."""
        names, plans = self._records_plans(frozenset(RECORDS) | frozenset(THROUGH) if only is None else frozenset(only),
                                           tuple(private))
        key = [process.id]
        with no_cyclic_gc():  # many acyclic rows: a collection would rescan them all
            if self.batch and len(plans) > 1:
                rows = dict(zip(names, self._fetch_all(plans, process.id)))
            else:
                rows = {}
                for name, plan in zip(names, plans):
                    parent = THROUGH[name][0] if name in THROUGH else None
                    rows[name] = self._fetch(plan, key) if parent is None or rows[parent] else []
        for name in set(RECORDS) | set(THROUGH):
            rows.setdefault(name, NotLoaded(name))
        return Records(process=process, now=now, **rows)

    def _records_plans(self, wanted: frozenset[str], private: tuple[str, ...]) -> tuple[tuple, tuple]:
        """The tables :meth:`records` reads for ``wanted`` (those read through another after it)
        and the plan of each read; made once for each set of tables."""
        key = (self.dialect, wanted, private)
        found = _RECORDS_PLANS.get(key)
        if found is None:
            wanted = set(wanted)
            for name in wanted & set(THROUGH):
                wanted.add(THROUGH[name][0])
            names, plans = [], []
            for name, table in RECORDS.items():
                if name in wanted:
                    names.append(name)
                    plans.append(_plan(self.dialect, table, self._columns(name, table, private), (("process_id", "="),)))
            for name, (parent, table, column) in THROUGH.items():
                if name in wanted:
                    names.append(name)
                    plans.append(_plan(self.dialect, table, self._columns(name, table, private),
                                       (((column, RECORDS[parent]), "through"),)))
            found = _RECORDS_PLANS[key] = (tuple(names), tuple(plans))
        return found

    def _fetch_all(self, plans: tuple, process_id: int) -> list[list]:
        """The rows of each of ``plans`` (reads of one process by its id), sent as one query of
        several statements and read back result by result: one round trip, and the driver's
        per-statement work once instead of once per table (on ``psycopg`` most of a read's
        client CPU). The id is written into the text as an integer (a query of several
        statements takes no parameters), and the text is never prepared (it names one process)."""
        parts = _BATCHES.get(plans)
        if parts is None:
            parts = _BATCHES[plans] = "; ".join(sql for sql, _, _ in plans).split("%s")
        cur = self._cursor()
        cur.execute(str(int(process_id)).join(parts), prepare=False)
        out = []
        for _, shape, make in plans:
            out.append(list(map(shape._make if make is None else make, cur.fetchall())))
            cur.nextset()
        self._done(sum(map(len, out)))
        return out


def open_reader(url: str, revision: str | None) -> Reader | None:
    """A :class:`Reader` of the database at ``url`` when it can be read quickly and surely: a
    SQLite file or a PostgreSQL database (through ``psycopg2`` when installed, else ``psycopg``),
    whose schema is at ``revision`` (the newest migration; ``None``: not checked). ``None``
    otherwise: the caller takes the full way."""
    sqlite = _SQLITE.match(url)
    try:
        if sqlite:
            reader = _sqlite(sqlite["path"])
        elif _POSTGRES.match(url):
            conn = _postgresql(_POSTGRES.sub("postgresql://", url))
            reader = Reader(conn, "postgresql", batch=type(conn).__module__.partition(".")[0] == "psycopg")
        else:
            return None
    except Exception:  # noqa: BLE001 - the full way says what is wrong, in the user's language
        return None
    if reader is None or revision is None:
        return reader
    try:
        cur = reader.connection.cursor()
        cur.execute("SELECT version_num FROM alembic_version")
        stored = [v for (v,) in cur.fetchall()]
        cur.close()
    except Exception:  # noqa: BLE001 - no such table: not a migrated cocrea database
        stored = None
    if stored != [revision]:  # an older schema is migrated by the full way; an unknown one, refused there
        reader.close()
        return None
    return reader


#: The PostgreSQL drivers a quick read may use, lightest first: the first installed is taken.
DRIVERS = ("psycopg2", "psycopg")


def _postgresql(url: str, driver: str | None = None):
    """A read-only connection in one repeatable-read transaction (one snapshot for every read of
    the command). ``psycopg2`` imports in ~0.02 s, ``psycopg`` (3) in ~0.12 s (its adapters, its
    errors importing asyncio, its version read by importlib.metadata; ``PSYCOPG_IMPL=python``
    costs the same): the first of :data:`DRIVERS` installed is used; both give the same values."""
    for name in DRIVERS if driver is None else (driver,):
        try:
            if name == "psycopg2":
                import psycopg2

                conn = psycopg2.connect(url, connect_timeout=10)
                conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
                return conn
            import psycopg

            conn = psycopg.connect(url, connect_timeout=10)
            conn.isolation_level, conn.read_only = psycopg.IsolationLevel.REPEATABLE_READ, True
            return conn
        except ImportError:
            continue
    raise ImportError("no PostgreSQL driver: psycopg2 or psycopg")


def _sqlite(path: str) -> Reader | None:
    import os
    import sqlite3

    if path == ":memory:" or path.startswith("file:") or not os.path.isfile(path):
        return None  # connecting would create the file: the full way says there is no database
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    conn.execute("PRAGMA query_only=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    conn.execute("BEGIN")  # deferred: one snapshot of the last commit (WAL), no write lock taken
    return Reader(conn, "sqlite")


@contextmanager
def reading(db) -> Iterator[Reader]:
    """One reader to read with: ``db`` itself when it is a :class:`Reader` (left open for its
    owner), else a :class:`Reader` over a connection of the engine ``db``, in one transaction."""
    if isinstance(db, Reader):
        yield db
        return
    with db.connect() as conn:
        yield Reader.of(conn)


# --- storage/columns.py, generated from the models ---------------------------------------

#: SQLAlchemy type -> kind of value, as storage/columns.py names it.
_KINDS = {"UTCDateTime": "utc", "Date": "date", "JSON": "json", "Boolean": "bool", "Integer": "int",
          "AutoString": "str", "String": "str", "Text": "str", "LargeBinary": "bytes"}


def columns_source() -> str:
    """The text of :mod:`storage.columns`, from ``storage.models`` and ``storage.tables`` as they are."""
    from sqlmodel import SQLModel

    from . import models
    from .tables import BY_PROCESS, THROUGH

    tables = {t.name: t for t in SQLModel.metadata.sorted_tables}
    out = ['"""Generated by ``python -m storage.plain > storage/columns.py`` from ``storage.models`` and',
           "``storage.tables``: do not edit (``tests/test_plain_reads.py`` checks it is what they give now).",
           "", "The tables as :mod:`storage.plain` reads them, without SQLAlchemy.", '"""', "",
           "#: table -> its columns in order, each with the kind of its values.", "COLUMNS = {"]
    for name in sorted(tables):
        lines = [""]
        for c in tables[name].c:
            item = f'("{c.name}", "{_KINDS[type(c.type).__name__]}"),'
            lines[-1:] = [lines[-1] + " " + item] if len(lines[-1]) + len(item) < 108 else [lines[-1], " " + item]
        out += [f'    "{name}": (', *("       " + line for line in lines), "    ),"]
    out += ["}", "", "#: table -> its columns of personal data (``storage.models.PRIVATE_FIELDS``).", "PRIVATE = {"]
    for model, fields in sorted(models.PRIVATE_FIELDS.items(), key=lambda kv: kv[0].__tablename__):
        quoted = " ".join(f'"{f}",' for f in fields)
        out.append(f'    "{model.__tablename__}": ({quoted}),')
    out += ["}", "", "#: the tables of ``stages.Records`` read by process (``storage.tables``).", "RECORDS = {"]
    out += [f'    "{name}": "{model.__tablename__}",' for name, model in BY_PROCESS.items()]
    out += ["}", "", "#: those read through another: name -> (parent, table, column).", "THROUGH = {"]
    out += [f'    "{name}": ("{parent}", "{model.__tablename__}", "{column.key}"),'
            for name, (parent, model, column) in THROUGH.items()]
    out += ["}", ""]
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover - the generator of storage/columns.py
    print(columns_source(), end="")
