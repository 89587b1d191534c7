"""Statements of the hot path through the driver's cursor, inside the session's transaction.

A :class:`Statement` is a SQLAlchemy Core INSERT or UPDATE compiled once per dialect into its
SQL text, the order of its parameters and each column type's bind processor (UTC datetimes,
JSON): run, it converts the values as SQLAlchemy would and hands them to the cursor, without
SQLAlchemy's per-statement work (execution context, result object), which cost several times
the driver's own execute on SQLite. For rows the ORM never reads back in the same transaction
(the audit entry, a head moved on the process row whose committed values are then set), and for
a lookup of one value among rows written without the ORM (whether a key is taken).
"""
from __future__ import annotations

from typing import Any, Callable

from sqlmodel import Session


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

    def run(self, session: Session, params: dict) -> Any:
        """Execute with ``params`` (by bound name) on ``session``'s connection, in its transaction;
        the returned column's value, if ``returning`` (for a SELECT: of the first row, ``None``
        when there is none). What the session has not flushed yet, the database has not seen."""
        conn = session.connection()
        sql, names, procs, positional = self._plan(conn.dialect)
        values = {n: (procs[n](params[n]) if n in procs else params[n]) for n in names}
        cursor = conn.connection.cursor()
        try:
            cursor.execute(sql, tuple(values[n] for n in names) if positional else values)
            if not self.returning:
                return None
            row = cursor.fetchone()
            return None if row is None else row[0]
        finally:
            cursor.close()
