"""Loading everything about one process into :class:`stages.Records`."""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from sqlmodel import Session, select

from stages import Records
from stages.base import NotLoaded

from . import models as m

_BY_PROCESS = {
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
_THROUGH = {"attendance": ("sessions", m.Attendance, m.Attendance.session_id),
            "votes": ("decisions", m.Vote, m.Vote.decision_id),
            "commitment_versions": ("commitments", m.CommitmentVersion, m.CommitmentVersion.commitment_id)}


#: Every table :func:`load_records` can read.
TABLES = tuple(_BY_PROCESS) + tuple(_THROUGH)


def load_records(session: Session, process: m.Process, only: Iterable[str] | None = None,
                 now: dt.datetime | None = None) -> Records:
    """Everything recorded about ``process``; with ``only``, just those tables (the others are
    :class:`stages.base.NotLoaded`, so a rule reading one it did not ask for fails loudly)."""
    wanted = set(_BY_PROCESS) | set(_THROUGH) if only is None else set(only)
    for name in wanted & set(_THROUGH):
        wanted.add(_THROUGH[name][0])
    rows: dict = {name: list(session.exec(select(model).where(model.process_id == process.id).order_by(model.id)))
                  for name, model in _BY_PROCESS.items() if name in wanted}
    for name, (parent, model, column) in _THROUGH.items():
        if name in wanted:
            ids = [r.id for r in rows[parent]]
            rows[name] = list(session.exec(select(model).where(column.in_(ids)).order_by(model.id))) if ids else []
    for name in set(_BY_PROCESS) | set(_THROUGH):
        rows.setdefault(name, NotLoaded(name))
    return Records(process=process, now=now, **rows)
