"""Secretariat sessions: convening, attendance, closing, minutes; and the public repository."""
from __future__ import annotations

import datetime as dt
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam

from stages import STAGE_NAMES
from stages.errors import InvalidInput, not_found, reason, refuse
from storage import direct
from storage import models as m

from .. import governance
from .. import schemas as s
from ..engine import Context
from .lookup import counting_members, next_key, seating, session_row, taken


def convene_session(ctx: Context, d: s.ConveneSession):
    """Convene a secretariat session with its date, place and agenda (published with the call)."""
    if d.extraordinary and not d.justification:
        raise refuse("extraordinary_needs_justification")
    if d.scheduled_for is None:
        d.scheduled_for = ctx.now
    if d.scheduled_for.tzinfo is None:
        d.scheduled_for = d.scheduled_for.replace(tzinfo=ZoneInfo(ctx.process.timezone))
    if d.key and taken(ctx, m.SecretariatSession, d.key):
        raise InvalidInput([reason("duplicate_key", kind="session", key=d.key)])
    key = d.key or next_key(ctx, m.SecretariatSession, "S")
    ctx.insert(m.SecretariatSession, process_id=ctx.process.id, key=key, scheduled_for=d.scheduled_for, place=d.place,
               agenda=list(d.agenda), extraordinary=d.extraordinary, justification=d.justification,
               convened_at=ctx.now, agenda_published_at=ctx.now)
    ctx.session_key = key
    return {"session": key, "extraordinary": d.extraordinary}


_ATTENDANCE = m.Attendance.__table__
_LEAVE = direct.Statement(lambda: _ATTENDANCE.update().where(_ATTENDANCE.c.session_id == bindparam("b_session"),
                                                              _ATTENDANCE.c.left_at.is_(None))
                          .values(left_at=bindparam("b_now")))
_LEFT = _ATTENDANCE.update().where(_ATTENDANCE.c.id.in_(bindparam("b_ids", expanding=True))).values(left_at=bindparam("b_now"))


class Arrival(NamedTuple):
    """An attendance row just written, as the quorum counts read it."""
    session_id: int
    person_id: int
    arrived_at: dt.datetime
    left_at: dt.datetime | None


def record_attendance(ctx: Context, d: s.RecordAttendance):
    """Record members arriving at (present: true) or leaving (present: false) a session."""
    session = session_row(ctx, d.session)
    everyone, withdrawn, attendance = seating(ctx, session)  # read once, as plain rows: who is named, present, counts
    by_handle = {p.handle: p for p in everyone.values()}
    people = []
    for handle in d.members:
        p = by_handle.get(handle)
        if p is None or p.role != "member" or not p.active:
            raise not_found("member", handle)
        people.append(p)
    open_rows = {a.person_id: a for a in attendance if a.left_at is None}
    arrived, left = [], set()
    for p in people:
        if d.present and p.id not in open_rows:
            arrived.append({"session_id": session.id, "person_id": p.id, "arrived_at": ctx.now, "left_at": None})
        elif not d.present and p.id in open_rows:
            left.add(open_rows[p.id].id)
    if left:  # one UPDATE of the rows read
        ctx.db.connection().execute(_LEFT, {"b_ids": sorted(left), "b_now": ctx.now})
        attendance = [a._replace(left_at=ctx.now) if a.id in left else a for a in attendance]
    if arrived:  # new rows no one changes in this action: one INSERT, no ORM objects
        ctx.insert(m.Attendance, arrived)
        attendance += [Arrival(**row) for row in arrived]  # after every row read: the order of recording
    present = governance.present_members(attendance, everyone, withdrawn)
    gaps = governance.quorum_gaps(governance.QuorumRule.of(ctx.process.quorum),
                                  counting_members(ctx, session, everyone, withdrawn, attendance), session.key)
    return {"session": session.key, "present": sorted(p.handle for p in present), "quorate": not gaps}




def close_session(ctx: Context, d: s.CloseSession):
    """Close a session; everyone still present leaves it. The session keeps the head of the audit
    trail at its close, published with it and emailed to the secretariat."""
    session = session_row(ctx, d.session)
    _LEAVE.run(ctx.db, {"b_session": session.id, "b_now": ctx.now})  # one UPDATE through the driver, no rows read
    # the record up to the close: the head before this action's own entry, which links to it
    closed = {"closed_at": ctx.now, "closed_seq": ctx.process.audit_seq, "closed_head": ctx.process.audit_head}
    if d.minutes_ref:
        closed.update(minutes_ref=d.minutes_ref, minutes_published_at=ctx.now)
    direct.update(ctx.db, session, **closed)  # one UPDATE through the driver, no unit of work
    return {"session": session.key, "closed": True}


def publish_minutes(ctx: Context, d: s.PublishMinutes):
    """Publish the minutes of a session."""
    session = session_row(ctx, d.session, open_=False)
    direct.update(ctx.db, session, minutes_ref=d.ref, minutes_published_at=ctx.now)
    return {"session": session.key, "minutes": d.ref}


def publish_document(ctx: Context, d: s.PublishDocument):
    """Publish a dated document or piece of evidence in the process's public repository."""
    key = d.key or next_key(ctx, m.Document, "doc")
    if taken(ctx, m.Document, key):
        raise InvalidInput([reason("duplicate_key", kind="document", key=key)])
    ctx.insert(m.Document, process_id=ctx.process.id, key=key, kind=d.kind, title=d.title, ref=d.ref,
               stage=d.stage or (ctx.process.stage if ctx.process.stage in STAGE_NAMES else None),
               published_at=ctx.now)
    return {"document": key}
