"""Secretariat sessions: convening, attendance, closing, minutes; and the public repository."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlmodel import select

from stages import STAGE_NAMES
from stages.errors import InvalidInput, not_found, reason, refuse
from storage import models as m

from .. import governance
from .. import schemas as s
from ..engine import Context
from .lookup import counting_members, find, find_person, next_key, present_members, session_row


def convene_session(ctx: Context, d: s.ConveneSession):
    """Convene a secretariat session with its date, place and agenda (published with the call)."""
    if d.extraordinary and not d.justification:
        raise refuse("extraordinary_needs_justification")
    if d.scheduled_for is None:
        d.scheduled_for = ctx.now
    if d.scheduled_for.tzinfo is None:
        d.scheduled_for = d.scheduled_for.replace(tzinfo=ZoneInfo(ctx.process.timezone))
    if d.key and find(ctx, m.SecretariatSession, d.key) is not None:
        raise InvalidInput([reason("duplicate_key", kind="session", key=d.key)])
    row = m.SecretariatSession(process_id=ctx.process.id, key=d.key or next_key(ctx, m.SecretariatSession, "S"),
                               scheduled_for=d.scheduled_for, place=d.place, agenda=list(d.agenda),
                               extraordinary=d.extraordinary, justification=d.justification,
                               convened_at=ctx.now, agenda_published_at=ctx.now)
    ctx.db.add(row)
    ctx.session_key = row.key
    return {"session": row.key, "extraordinary": row.extraordinary}


def record_attendance(ctx: Context, d: s.RecordAttendance):
    """Record members arriving at (present: true) or leaving (present: false) a session."""
    session = session_row(ctx, d.session)
    people = []
    for handle in d.members:
        p = find_person(ctx, handle)
        if p is None or p.role != "member" or not p.active:
            raise not_found("member", handle)
        people.append(p)
    open_rows = {a.person_id: a for a in ctx.db.exec(select(m.Attendance).where(
        m.Attendance.session_id == session.id, m.Attendance.left_at.is_(None)))}
    for p in people:
        if d.present and p.id not in open_rows:
            ctx.db.add(m.Attendance(session_id=session.id, person_id=p.id, arrived_at=ctx.now))
        elif not d.present and p.id in open_rows:
            open_rows[p.id].left_at = ctx.now
            ctx.db.add(open_rows[p.id])
    ctx.db.flush()
    present = present_members(ctx, session)
    gaps = governance.quorum_gaps(governance.QuorumRule.of(ctx.process.quorum), counting_members(ctx, session),
                                  session.key)
    return {"session": session.key, "present": sorted(p.handle for p in present), "quorate": not gaps}


def close_session(ctx: Context, d: s.CloseSession):
    """Close a session; everyone still present leaves it. The session keeps the head of the audit
    trail at its close, published with it and emailed to the secretariat."""
    session = session_row(ctx, d.session)
    for a in ctx.db.exec(select(m.Attendance).where(m.Attendance.session_id == session.id, m.Attendance.left_at.is_(None))):
        a.left_at = ctx.now
        ctx.db.add(a)
    session.closed_at = ctx.now
    # the record up to the close: the head before this action's own entry, which links to it
    session.closed_seq, session.closed_head = ctx.process.audit_seq, ctx.process.audit_head
    if d.minutes_ref:
        session.minutes_ref, session.minutes_published_at = d.minutes_ref, ctx.now
    ctx.db.add(session)
    return {"session": session.key, "closed": True}


def publish_minutes(ctx: Context, d: s.PublishMinutes):
    """Publish the minutes of a session."""
    session = session_row(ctx, d.session, open_=False)
    session.minutes_ref, session.minutes_published_at = d.ref, ctx.now
    ctx.db.add(session)
    return {"session": session.key, "minutes": d.ref}


def publish_document(ctx: Context, d: s.PublishDocument):
    """Publish a dated document or piece of evidence in the process's public repository."""
    key = d.key or next_key(ctx, m.Document, "doc")
    if find(ctx, m.Document, key) is not None:
        raise InvalidInput([reason("duplicate_key", kind="document", key=key)])
    ctx.db.add(m.Document(process_id=ctx.process.id, key=key, kind=d.kind, title=d.title, ref=d.ref,
                          stage=d.stage or (ctx.process.stage if ctx.process.stage in STAGE_NAMES else None),
                          published_at=ctx.now))
    return {"document": key}
