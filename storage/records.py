"""Loading everything about one process into :class:`stages.Records`."""
from __future__ import annotations

import datetime as dt
from collections import namedtuple
from typing import Iterable

from sqlalchemy import bindparam, select as sa_select
from sqlmodel import Session, select

from stages import Records
from stages.base import NotLoaded, no_cyclic_gc

from . import models as m

BY_PROCESS = {
    "people": m.Person, "withdrawals": m.SectorWithdrawal, "sessions": m.SecretariatSession,
    "decisions": m.Decision, "documents": m.Document, "declarations": m.Declaration,
    "channels": m.Channel, "inputs": m.Input, "themes": m.Theme,
    "sensitization_sessions": m.SensitizationSession, "working_tables": m.WorkingTable,
    "problem_trees": m.ProblemTree, "commitments": m.Commitment, "agencies": m.Agency,
    "activities": m.Activity, "indicators": m.Indicator, "progress_reports": m.ProgressReport,
    "public_events": m.PublicEvent, "stage_changes": m.StageChange,
    "commitment_assessments": m.CommitmentAssessment, "governance_events": m.GovernanceEvent,
}


#: Tables read through another: attendance by session, votes by decision, versions by commitment.
THROUGH = {"attendance": ("sessions", m.Attendance, m.Attendance.session_id),
            "votes": ("decisions", m.Vote, m.Vote.decision_id),
            "commitment_versions": ("commitments", m.CommitmentVersion, m.CommitmentVersion.commitment_id)}


#: Every table :func:`load_records` can read.
TABLES = tuple(BY_PROCESS) + tuple(THROUGH)


_STATEMENTS: dict = {}


def _statement(model, column: str, plain: bool):
    """The read of ``model``'s rows whose ``column`` is the bound ``key`` (``process_id``), or is in
    it (the tables read through another), by id; built once per table and kind, so SQLAlchemy
    reuses its compiled form (building ~24 statements anew was most of a move's read)."""
    stmt = _STATEMENTS.get((model, column, plain))
    if stmt is None:
        table = model.__table__
        where = (table.c[column] == bindparam("key") if column == "process_id"
                 else table.c[column].in_(bindparam("key", expanding=True)))
        if plain:
            private = m.PRIVATE_FIELDS.get(model, ())  # no rule and no read of the records uses them
            stmt = sa_select(*[c for c in table.c if c.name not in private]).where(where).order_by(table.c.id)
        else:
            stmt = select(model).where(where).order_by(model.id)
        _STATEMENTS[model, column, plain] = stmt
    return stmt


_PARENT_TABLE = {model: BY_PROCESS[parent].__table__ for parent, model, _ in THROUGH.values()}
_COMPILED: dict = {}


def _plain_read(conn, model, column: str, process_id: int) -> list:
    """``model``'s rows of the process as named tuples with the personal-data columns left out,
    read through the driver's cursor with SQL compiled once per dialect and the columns' own
    result processors (UTC datetimes, JSON): the same values a SQLAlchemy Core read gives, without
    its per-statement work, which cost several times the read itself (~24 reads a stage move).
    The tables read through another take the parent's ids from a subquery."""
    dialect = conn.dialect
    plan = _COMPILED.get((model, dialect.name))
    if plan is None:
        table = model.__table__
        private = m.PRIVATE_FIELDS.get(model, ())  # no rule and no read of the records uses them
        columns = [c for c in table.c if c.name not in private]
        if column == "process_id":
            where = table.c.process_id == bindparam("key")
        else:
            parent = _PARENT_TABLE[model]
            where = table.c[column].in_(sa_select(parent.c.id).where(parent.c.process_id == bindparam("key")))
        compiled = sa_select(*columns).where(where).order_by(table.c.id).compile(dialect=dialect)
        names = compiled.positiontup if compiled.positional else None
        procs = [(i, p) for i, c in enumerate(columns)
                 if (p := c.type._cached_result_processor(dialect, None)) is not None]
        plan = _COMPILED[model, dialect.name] = (compiled.string, names, procs,
                                                  namedtuple(table.name, [c.name for c in columns]))
    sql, names, procs, row_type = plan
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql, (process_id,) * len(names) if names is not None else {"key": process_id})
        raw = cursor.fetchall()
    finally:
        cursor.close()
    if not procs:
        return [row_type._make(r) for r in raw]
    out = []
    for r in raw:
        r = list(r)
        for i, p in procs:
            r[i] = p(r[i])
        out.append(row_type._make(r))
    return out


def load_records(session: Session, process: m.Process, only: Iterable[str] | None = None,
                 now: dt.datetime | None = None, *, plain: bool = False) -> Records:
    """Everything recorded about ``process``; with ``only``, just those tables (the others are
    :class:`stages.base.NotLoaded`, so a rule reading one it did not ask for fails loudly).

    ``plain``: rows as read-only named tuples (SQLAlchemy Core) rather than ORM objects, several
    times cheaper to read, without the personal data (``storage.models.PRIVATE_FIELDS``: what a
    read shows cannot carry it); for the reads that change nothing (status, check, the public
    view, a move's criteria)."""
    wanted = set(BY_PROCESS) | set(THROUGH) if only is None else set(only)
    for name in wanted & set(THROUGH):
        wanted.add(THROUGH[name][0])

    # plain rows come straight from the connection (inside the session's transaction: they see its writes)
    conn = (session.connection() if isinstance(session, Session) else session) if plain else None
    if conn is not None and not conn.in_transaction():
        conn.begin()  # as a Core read would begin it (autobegin): every table read in one transaction

    def read(model, column: str, key) -> list:
        if plain:
            return _plain_read(conn, model, column, process.id)
        return list(session.exec(_statement(model, column, plain), params={"key": key}))

    with no_cyclic_gc():
        rows: dict = {name: read(model, "process_id", process.id) for name, model in BY_PROCESS.items() if name in wanted}
        for name, (parent, model, column) in THROUGH.items():
            if name in wanted:
                ids = [r.id for r in rows[parent]]
                rows[name] = read(model, column.key, ids) if ids else []
    for name in set(BY_PROCESS) | set(THROUGH):
        rows.setdefault(name, NotLoaded(name))
    return Records(process=process, now=now, **rows)
