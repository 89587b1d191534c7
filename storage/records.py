"""Loading everything about one process into :class:`stages.Records`."""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from stages import Records
from stages.base import NotLoaded

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

    def read(model, where) -> list:
        if plain:
            table = model.__table__
            private = m.PRIVATE_FIELDS.get(model, ())  # no rule and no read of the records uses them
            columns = [c for c in table.c if c.name not in private]
            return session.execute(sa_select(*columns).where(where(table.c)).order_by(table.c.id)).all()
        return list(session.exec(select(model).where(where(model)).order_by(model.id)))

    rows: dict = {name: read(model, lambda c: c.process_id == process.id)
                  for name, model in BY_PROCESS.items() if name in wanted}
    for name, (parent, model, column) in THROUGH.items():
        if name in wanted:
            ids = [r.id for r in rows[parent]]
            rows[name] = read(model, lambda c, key=column.key, ids=ids: getattr(c, key).in_(ids)) if ids else []
    for name in set(BY_PROCESS) | set(THROUGH):
        rows.setdefault(name, NotLoaded(name))
    return Records(process=process, now=now, **rows)
