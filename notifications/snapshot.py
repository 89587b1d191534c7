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
#: What the rules counting from each anchor read (``stages.reminders.ANCHORS``); people always.
_ACTIVITIES = ("agencies", "commitments", "activities")
ANCHOR_TABLES: dict[str, tuple[str, ...]] = {
    "activity_end": _ACTIVITIES, "progress_due": (*_ACTIVITIES, "progress_reports"),
    "session_date": ("sessions",), "session_closed": ("sessions",), "session_record": ("sessions",),
    "channel_close": ("channels",),
    "term_end": (), "weekly": (),
}


def load(db: Session, process: m.Process, anchors: frozenset[str] | None = None, *, inputs: bool = True) -> Records:
    """The rows the planner reads; with ``anchors``, only those the rules of these anchors need
    (an action re-plans what it touched); ``inputs=False`` skips the input counts of the
    consultation reminders' text (planning does not need them)."""
    names = set(_TABLES) if anchors is None else {"people"}.union(*(ANCHOR_TABLES[a] for a in anchors))
    rows = {}
    for name in names:
        table = _TABLES[name].__table__
        rows[name] = db.execute(select(table).where(table.c.process_id == process.id).order_by(table.c.id)).all()
    if inputs and (anchors is None or "channel_close" in anchors):
        t = m.Input.__table__
        rows["inputs"] = db.execute(select(t.c.id, t.c.channel_id).where(t.c.process_id == process.id)).all()
    return Records(process=process, **rows)
