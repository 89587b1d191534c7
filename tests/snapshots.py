"""Snapshots of a whole database, to prove that a refusal changed nothing.

``snapshot(engine)`` reads every row of every table of ``SQLModel.metadata`` (ordered by
primary key) as plain tuples; two snapshots are equal only if no row was added, removed or
altered anywhere. ``refused(engine, call, *codes)`` runs ``call``, expects a
:class:`CocreaError` carrying those codes, and asserts the database is exactly as before.
"""
from __future__ import annotations

from typing import Any, Callable

from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers every table)
from stages.errors import CocreaError


def _select(table) -> str:
    columns = ", ".join(f'"{c.name}"' for c in table.columns)
    order = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
    return f'SELECT {columns} FROM "{table.name}" ORDER BY {order}'


TABLES = SQLModel.metadata.sorted_tables
SELECTS = [(t.name, _select(t)) for t in TABLES]
COLUMNS = {t.name: [c.name for c in t.columns] for t in TABLES}


def snapshot(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table, as the driver returns it (no ORM in between)."""
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        out = {}
        if engine.dialect.name == "postgresql":  # one round trip: every SELECT in one execute
            cur.execute(";".join(sql for _, sql in SELECTS))
            for name, _ in SELECTS:
                out[name] = [tuple(r) for r in cur.fetchall()]
                cur.nextset()
        else:
            for name, sql in SELECTS:
                cur.execute(sql)
                out[name] = [tuple(r) for r in cur.fetchall()]
        cur.close()
        return out
    finally:
        raw.close()


def rows(state: dict[str, list[tuple]], table: str) -> list[dict]:
    """The rows of ``table`` in a snapshot, as dicts by column name."""
    return [dict(zip(COLUMNS[table], r)) for r in state[table]]


def diff(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> dict[str, Any]:
    """What changed, table by table (empty when nothing did): rows gone and rows new."""
    out = {}
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name, []), after.get(name, [])
        if old != new:
            out[name] = {"gone": [r for r in old if r not in new], "new": [r for r in new if r not in old]}
    return out


def refused(engine: Engine, call: Callable[[], Any], *codes: str) -> CocreaError:
    """Run ``call``; it must be refused (with ``codes`` among its reasons) and change nothing."""
    before = snapshot(engine)
    try:
        call()
    except CocreaError as exc:
        after = snapshot(engine)
        assert diff(before, after) == {}, f"a refused action changed the database: {diff(before, after)}"
        for code in codes:
            assert code in exc.codes, f"expected {code} among {exc.codes}"
        return exc
    raise AssertionError("the action was not refused")


def wipe(engine: Engine) -> None:
    """Delete every row (children first): a fresh database without recreating the schema."""
    with engine.begin() as conn:
        for t in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(t.delete())
