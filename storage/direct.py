"""Statements of the hot path through the driver's cursor, inside the session's transaction.

A :class:`Statement` is a SQLAlchemy Core INSERT or UPDATE compiled once per dialect into its
SQL text, the order of its parameters and each column type's bind processor (UTC datetimes,
JSON): run, it converts the values as SQLAlchemy would and hands them to the cursor, without
SQLAlchemy's per-statement work (execution context, result object), which cost several times
the driver's own execute on SQLite. For rows the ORM never reads back in the same transaction
(the audit entry, a head moved on the process row whose committed values are then set, the new rows
of ``workflow.engine.Context.insert``), and for a lookup of one value among rows written without
the ORM (whether a key is taken).
"""
from __future__ import annotations

from collections import namedtuple
from typing import Any, Callable

from sqlmodel import Session

from .plain import driver_cursor


def connection_of(session: Session) -> tuple:
    """The pooled driver connection of ``session``'s transaction (begun if there is none: SQLAlchemy's
    pool proxy, whose ``info`` keeps :func:`storage.plain.driver_cursor`'s cursor) and its dialect,
    asked of the session once a transaction (kept in ``session.info``), not on every statement."""
    tx = session._transaction
    kept = session.info.get("direct")
    if kept is not None and kept[0] is tx and tx.is_active:
        return kept[1], kept[2]
    conn = session.connection()
    session.info["direct"] = (session._transaction, conn.connection, conn.dialect)
    return conn.connection, conn.dialect


class Statement:
    """``build()`` (called once, on first use) gives the Core statement; its bound parameters are
    named. ``returning``: the statement gives rows (a write's ``RETURNING`` one column, or a
    ``SELECT``), and :meth:`run` gives back the first row's first value."""

    def __init__(self, build: Callable[[], Any], *, returning: bool = False):
        self.build, self.returning = build, returning
        self.plans: dict[str, tuple] = {}

    def _plan(self, dialect) -> tuple:
        plan = self.plans.get(dialect.name)
        if plan is None:
            compiled = self.build().compile(dialect=dialect)
            names = list(compiled.positiontup) if compiled.positional else list(compiled.binds)
            procs = {name: p for name in names
                     if (p := compiled.binds[name].type._cached_bind_processor(dialect)) is not None}
            plan = self.plans[dialect.name] = (compiled.string, names, procs, compiled.positional)
        return plan

    def run_many(self, session: Session, rows: list[dict]) -> None:
        """Execute once per row of ``rows`` (each by bound name), in one ``executemany``."""
        driver, dialect = connection_of(session)
        sql, names, procs, positional = self._plan(dialect)
        if positional:
            values = [tuple(procs[n](row[n]) if n in procs else row[n] for n in names) for row in rows]
        else:
            values = [{n: (procs[n](row[n]) if n in procs else row[n]) for n in names} for row in rows]
        cursor = driver_cursor(driver)
        if len(values) == 1:
            cursor.execute(sql, values[0])
        else:
            cursor.executemany(sql, values)

    def run(self, session: Session, params: dict) -> Any:
        """Execute with ``params`` (by bound name) on ``session``'s connection, in its transaction;
        the returned column's value, if ``returning`` (for a SELECT: of the first row, ``None``
        when there is none). What the session has not flushed yet, the database has not seen."""
        driver, dialect = connection_of(session)
        sql, names, procs, positional = self._plan(dialect)
        values = {n: (procs[n](params[n]) if n in procs else params[n]) for n in names}
        cursor = driver_cursor(driver)
        cursor.execute(sql, tuple(values[n] for n in names) if positional else values)
        if not self.returning:
            return None
        row = cursor.fetchone()
        return None if row is None else row[0]


class Loaded:
    """A read of whole rows of one or more tables side by side (``SELECT`` of each model's columns
    in its table's order, as :func:`Loaded.columns` writes them), made into the ORM objects a query
    of the session would have loaded: each persistent in the session, nothing modified, changes
    tracked and flushed as usual; a row already in the session is the session's own. The values
    are converted as :mod:`storage.plain` converts them (what SQLAlchemy gives). For the one row an
    action reads first and changes (its process, its actor), without the ORM's per-query work.

    ``sql(dialect name, mark)`` gives the statement's text (``mark``: the driver's placeholder).
    ``plain``: the models whose rows come as named tuples of their columns (the values the ORM
    object would hold), to read, never to change: no object made nor added to the session."""

    def __init__(self, models: tuple, sql: Callable[[str, str], str], *, plain: tuple = ()):
        self.models, self.sql, self.plain = models, sql, plain
        self.plans: dict[str, tuple] = {}

    @staticmethod
    def columns(model, alias: str) -> str:
        from .columns import COLUMNS

        return ", ".join(f"{alias}.{name}" for name, _ in COLUMNS[model.__tablename__])

    def _plan(self, dialect: str) -> tuple:
        plan = self.plans.get(dialect)
        if plan is None:
            from sqlalchemy import inspect
            from sqlalchemy.orm import configure_mappers
            from sqlalchemy.orm.instrumentation import manager_of_class

            from .columns import COLUMNS
            from .plain import CONVERT

            configure_mappers()  # as the ORM's first query would: the attributes' loaders are made then
            convert, shapes, start = CONVERT[dialect], [], 0
            for model in self.models:
                cols = COLUMNS[model.__tablename__]
                shape = namedtuple(model.__tablename__, [name for name, _ in cols]) if model in self.plain else None
                shapes.append((start, [(name, convert.get(kind)) for name, kind in cols], manager_of_class(model),
                               inspect(model), shape))
                start += len(cols)
            plan = self.plans[dialect] = (self.sql(dialect, "?" if dialect == "sqlite" else "%s"), shapes)
        return plan

    def first(self, session: Session, params: tuple) -> tuple | None:
        """The objects of the first row (``None`` for a model whose columns are all ``NULL``: an outer
        join that found nothing), or ``None`` when there is no row."""
        if session.new or session.dirty or session.deleted:
            session.flush()  # as the session's own query would (autoflush): it sees what was written
        driver, dialect = connection_of(session)
        sql, shapes = self._plan(dialect.name)
        cursor = driver_cursor(driver)
        cursor.execute(sql, params)
        row = cursor.fetchone()
        if row is None:
            return None
        out = []
        for start, cols, manager, mapper, shape in shapes:
            if row[start] is None:  # the id: no row of this table
                out.append(None)
                continue
            if shape is not None:
                out.append(shape._make(value if f is None or value is None else f(value)
                                       for (_, f), value in zip(cols, row[start:start + len(cols)])))
                continue
            known = session.identity_map.get(mapper.identity_key_from_primary_key((row[start],)))
            if known is not None:
                out.append(known)
                continue
            out.append(attach(session, manager, {name: value if f is None or value is None else f(value)
                                                 for (name, f), value in zip(cols, row[start:start + len(cols)])}))
        return tuple(out)


def attach(session: Session, manager: Any, values: dict) -> Any:
    """The ORM object of a row that is in the database with ``values`` (every column, converted):
    persistent in ``session`` as if loaded, nothing modified. ``manager``: its class's
    (``sqlalchemy.orm.instrumentation.manager_of_class``)."""
    obj = manager.new_instance()
    obj.__dict__.update(values)  # as a query's load sets them: committed, nothing to flush
    state = obj._sa_instance_state
    state.key = state.mapper.identity_key_from_primary_key((values["id"],))  # every table's key is its id
    state.session_id = session.hash_key  # in the session's identity map as a query puts what it loads
    session.identity_map._add_unpresent(state, state.key)
    return obj


_UPDATES: dict = {}


def update(session: Session, obj: Any, **values: Any) -> None:
    """Set ``values`` on ``obj`` (an ORM object persistent in ``session``) with one UPDATE of its row
    by id through the driver, and as its committed values: nothing left for the unit of work to
    flush, and the object reads what the row holds. What else is pending on it stays pending."""
    from sqlalchemy.orm.attributes import set_committed_value

    table = type(obj).__table__
    names = tuple(sorted(values))
    stmt = _UPDATES.get((table, names))
    if stmt is None:
        from sqlalchemy import bindparam

        stmt = _UPDATES[table, names] = Statement(lambda: table.update().where(table.c.id == bindparam("b_id")).values(
            {n: bindparam(f"b_{n}") for n in names}))
    stmt.run(session, {"b_id": obj.id, **{f"b_{n}": v for n, v in values.items()}})
    for name, value in values.items():
        set_committed_value(obj, name, value)
