"""Loading everything about one process into :class:`stages.Records`."""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from sqlalchemy import bindparam
from sqlmodel import Session, select

from stages import Records
from stages.base import NotLoaded, no_cyclic_gc

from . import models as m
from .direct import connection_of
from .plain import Reader
from .tables import BY_PROCESS, TABLES, THROUGH  # noqa: F401 - TABLES: what load_records can read


_STATEMENTS: dict = {}


def _statement(model, column: str):
    """The read of ``model``'s rows whose ``column`` is the bound ``key`` (``process_id``), or is in
    it (the tables read through another), by id; built once per table, so SQLAlchemy reuses its
    compiled form (building ~24 statements anew was most of a move's read)."""
    stmt = _STATEMENTS.get((model, column))
    if stmt is None:
        table = model.__table__
        where = (table.c[column] == bindparam("key") if column == "process_id"
                 else table.c[column].in_(bindparam("key", expanding=True)))
        stmt = _STATEMENTS[model, column] = select(model).where(where).order_by(model.id)
    return stmt


def load_records(session: Session, process: m.Process, only: Iterable[str] | None = None,
                 now: dt.datetime | None = None, *, plain: bool = False) -> Records:
    """Everything recorded about ``process``; with ``only``, just those tables (the others are
    :class:`stages.base.NotLoaded`, so a rule reading one it did not ask for fails loudly).

    ``plain``: rows as read-only named tuples rather than ORM objects, several
    times cheaper to read, without the personal data (``storage.models.PRIVATE_FIELDS``: what a
    read shows cannot carry it); for the reads that change nothing (status, check, the public
    view, a move's criteria), read by :class:`storage.plain.Reader`, the command line's reader."""
    if plain:  # straight from the session's connection, inside its transaction: it sees its writes
        if isinstance(session, Session):
            driver, dialect = connection_of(session)
            return Reader(driver, dialect.name, batch=dialect.driver == "psycopg").records(process, only, now)
        return Reader.of(session).records(process, only, now)
    wanted = set(BY_PROCESS) | set(THROUGH) if only is None else set(only)
    for name in wanted & set(THROUGH):
        wanted.add(THROUGH[name][0])

    def read(model, column: str, key) -> list:
        return list(session.exec(_statement(model, column), params={"key": key}))

    with no_cyclic_gc():
        rows: dict = {name: read(model, "process_id", process.id) for name, model in BY_PROCESS.items() if name in wanted}
        for name, (parent, model, column) in THROUGH.items():
            if name in wanted:
                ids = [r.id for r in rows[parent]]
                rows[name] = read(model, column.key, ids) if ids else []
    for name in set(BY_PROCESS) | set(THROUGH):
        rows.setdefault(name, NotLoaded(name))
    return Records(process=process, now=now, **rows)
