"""The records the planner reads, loaded with SQLAlchemy Core (no ORM objects).

The planner needs a process's people, agencies, commitments, activities, progress reports,
sessions, channels and inputs; rows come back as read-only named tuples, several times
faster than ORM objects (it runs inside every action and over 100,000 activities).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from stages import Records
from storage import models as m

_TABLES = {"people": m.Person, "agencies": m.Agency, "commitments": m.Commitment, "activities": m.Activity,
           "progress_reports": m.ProgressReport, "sessions": m.SecretariatSession, "channels": m.Channel}


def load(db: Session, process: m.Process) -> Records:
    rows = {}
    for name, model in _TABLES.items():
        table = model.__table__
        rows[name] = db.execute(select(table).where(table.c.process_id == process.id).order_by(table.c.id)).all()
    inputs = m.Input.__table__
    rows["inputs"] = db.execute(select(inputs.c.id, inputs.c.channel_id).where(inputs.c.process_id == process.id)).all()
    return Records(process=process, **rows)
