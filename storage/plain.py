"""Quick reads over the database driver itself: what the command line's read commands use.

``cocrea status`` spent most of its second importing SQLAlchemy and SQLModel and declaring the
tables (issue 9). A :class:`Reader` reads the same rows through the DB-API driver alone (the
standard library's ``sqlite3``; ``psycopg`` for PostgreSQL) and gives them back as the plain
rows :func:`storage.records.load_records` gives with ``plain=True``: named tuples, the same
values (UTC datetimes, dates, JSON, booleans), personal data left out.

The tables are not written twice: :mod:`storage.columns` is generated from ``storage.models``
(and :mod:`storage.records`' tables) by this module (``python -m storage.plain >
storage/columns.py``), and ``tests/test_plain_reads.py`` fails when it is not what the models
give now; the same file checks that a :class:`Reader` and SQLAlchemy read the same rows.

:func:`reading` gives the one interface over either an engine (the web app, the actions) or a
:class:`Reader`, so each read is written once (``reads.status``).
:func:`open_reader` gives ``None`` whenever a quick read cannot be sure to be right (another
driver, a URL it does not parse, a schema not at the newest migration, no server answering):
the caller then goes the full way, which migrates, or says what is wrong.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections import namedtuple
from contextlib import contextmanager
from typing import Any, Iterable, Iterator

from stages import Records
from stages.base import NotLoaded
from stages.errors import not_found

from .columns import COLUMNS, PRIVATE, RECORDS, THROUGH

_SQLITE = re.compile(r"^sqlite(\+pysqlite)?:///(?P<path>[^?]+)$")
_POSTGRES = re.compile(r"^postgresql(\+psycopg)?://")


def _utc_text(value):
    return None if value is None else dt.datetime.fromisoformat(value).replace(tzinfo=dt.timezone.utc)


def _utc(value):
    return None if value is None else value.replace(tzinfo=dt.timezone.utc)


def _date_text(value):
    return None if value is None else dt.date.fromisoformat(value)


def _json_text(value):
    return None if value is None else json.loads(value)


def _bool(value):
    return None if value is None else bool(value)


#: dialect -> kind of column -> how a value the driver gives becomes the value SQLAlchemy gives
#: (what is not here comes as it is: integers, text, bytes; psycopg already gives dates and JSON).
CONVERT = {
    "sqlite": {"utc": _utc_text, "date": _date_text, "json": _json_text, "bool": _bool},
    "postgresql": {"utc": _utc, "bool": _bool},
}


class Reader:
    """Plain rows of one database through its DB-API connection, in one read transaction."""

    def __init__(self, connection: Any, dialect: str):
        self.connection = connection
        self.dialect = dialect
        self._mark = "?" if dialect == "sqlite" else "%s"
        self._shapes: dict[tuple[str, tuple[str, ...]], tuple] = {}

    def close(self) -> None:
        self.connection.rollback()
        self.connection.close()

    def rows(self, table: str, where: str, values: Iterable[Any], *, order_by: str = "id",
             columns: Iterable[str] | None = None) -> list:
        """Rows of ``table`` whose column ``where`` is one of ``values``, in ``order_by`` order:
        named tuples of ``columns`` (default: every column but the personal data)."""
        values = list(values)
        if not values:
            return []
        names = tuple(columns) if columns is not None else tuple(
            c for c, _ in COLUMNS[table] if c not in PRIVATE.get(table, ()))
        shape, converters = self._shape(table, names)
        marks = ", ".join([self._mark] * len(values))
        sql = (f"SELECT {', '.join(names)} FROM {table} WHERE {where} "
               f"{'= ' + marks if len(values) == 1 else 'IN (' + marks + ')'} ORDER BY {order_by}")
        cur = self.connection.cursor()
        try:
            cur.execute(sql, values)
            found = cur.fetchall()
        finally:
            cur.close()
        if not converters:
            return [shape._make(r) for r in found]
        return [shape._make([f(v) if f else v for f, v in zip(converters, r)]) for r in found]

    def _shape(self, table: str, names: tuple[str, ...]) -> tuple:
        key = (table, names)
        if key not in self._shapes:
            kinds = dict(COLUMNS[table])
            convert = CONVERT[self.dialect]
            converters = [convert.get(kinds[n]) for n in names]
            self._shapes[key] = (namedtuple(f"{table}_row", names), converters if any(converters) else None)
        return self._shapes[key]

    def process(self, slug: str):
        """The process ``slug`` (every column), or :class:`~stages.errors.NotFound`; the quick
        twin of :func:`storage.process_by_slug`."""
        found = self.rows("process", "slug", [slug], columns=[c for c, _ in COLUMNS["process"]])
        if not found:
            raise not_found("process", slug)
        return found[0]

    def records(self, process, only: Iterable[str] | None = None, now: dt.datetime | None = None) -> Records:
        """What :func:`storage.load_records` gives with ``plain=True``, read here."""
        wanted = set(RECORDS) | set(THROUGH) if only is None else set(only)
        for name in wanted & set(THROUGH):
            wanted.add(THROUGH[name][0])
        rows: dict = {name: self.rows(table, "process_id", [process.id])
                      for name, table in RECORDS.items() if name in wanted}
        for name, (parent, table, column) in THROUGH.items():
            if name in wanted:
                rows[name] = self.rows(table, column, [r.id for r in rows[parent]])
        for name in set(RECORDS) | set(THROUGH):
            rows.setdefault(name, NotLoaded(name))
        return Records(process=process, now=now, **rows)


def open_reader(url: str, revision: str | None) -> Reader | None:
    """A :class:`Reader` of the database at ``url`` when it can be read quickly and surely: a
    SQLite file or a PostgreSQL database through psycopg, whose schema is at ``revision`` (the
    newest migration; ``None``: not checked). ``None`` otherwise: the caller takes the full way."""
    sqlite = _SQLITE.match(url)
    try:
        if sqlite:
            reader = _sqlite(sqlite["path"])
        elif _POSTGRES.match(url):
            import psycopg

            conn = psycopg.connect(_POSTGRES.sub("postgresql://", url), connect_timeout=10)
            conn.read_only = True
            reader = Reader(conn, "postgresql")
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


class _SessionReader:
    """The :class:`Reader` interface over a SQLModel session (SQLAlchemy Core rows)."""

    def __init__(self, session):
        self.session = session

    def rows(self, table: str, where: str, values: Iterable[Any], *, order_by: str = "id",
             columns: Iterable[str] | None = None) -> list:
        from sqlalchemy import select
        from sqlmodel import SQLModel

        values = list(values)
        if not values:
            return []
        t = SQLModel.metadata.tables[table]
        names = tuple(columns) if columns is not None else tuple(
            c for c, _ in COLUMNS[table] if c not in PRIVATE.get(table, ()))
        return self.session.execute(select(*(t.c[n] for n in names)).where(t.c[where].in_(values))
                                    .order_by(t.c[order_by])).all()

    def process(self, slug: str):
        from .lookup import process_by_slug

        return process_by_slug(self.session, slug)

    def records(self, process, only: Iterable[str] | None = None, now: dt.datetime | None = None) -> Records:
        from .records import load_records

        return load_records(self.session, process, only, now, plain=True)


@contextmanager
def reading(db) -> Iterator[Reader | _SessionReader]:
    """One interface to read with: ``db`` itself when it is a :class:`Reader` (left open for its
    owner), else a session of the engine ``db``."""
    if isinstance(db, Reader):
        yield db
        return
    from sqlmodel import Session

    with Session(db) as session:
        yield _SessionReader(session)


# --- storage/columns.py, generated from the models ---------------------------------------

#: SQLAlchemy type -> kind of value, as storage/columns.py names it.
_KINDS = {"UTCDateTime": "utc", "Date": "date", "JSON": "json", "Boolean": "bool", "Integer": "int",
          "AutoString": "str", "String": "str", "Text": "str", "LargeBinary": "bytes"}


def columns_source() -> str:
    """The text of :mod:`storage.columns`, from ``storage.models`` and ``storage.records`` as they are."""
    from sqlmodel import SQLModel

    from . import models, records

    tables = {t.name: t for t in SQLModel.metadata.sorted_tables}
    out = ['"""Generated by ``python -m storage.plain > storage/columns.py`` from ``storage.models`` and',
           "``storage.records``: do not edit (``tests/test_plain_reads.py`` checks it is what they give now).",
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
    out += ["}", "", "#: the tables of ``stages.Records`` read by process (``storage.records``).", "RECORDS = {"]
    out += [f'    "{name}": "{model.__tablename__}",' for name, model in records.BY_PROCESS.items()]
    out += ["}", "", "#: those read through another: name -> (parent, table, column).", "THROUGH = {"]
    out += [f'    "{name}": ("{parent}", "{model.__tablename__}", "{column.key}"),'
            for name, (parent, model, column) in records.THROUGH.items()]
    out += ["}", ""]
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover - the generator of storage/columns.py
    print(columns_source(), end="")
