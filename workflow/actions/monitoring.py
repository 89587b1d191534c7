"""Monitoring: progress reports, public events, final statuses."""
from __future__ import annotations

from stages.errors import refuse
from storage import models as m

from .. import schemas as s
from ..engine import Context
from .lookup import get, upsert
from .plan import own_activity


def report_progress(ctx: Context, d: s.ReportProgress):
    """Report an activity's progress (status, percent, evidence)."""
    row = own_activity(ctx, d.activity)
    if row.accepted_at is None:
        raise refuse("activity_not_accepted", activity=row.key)
    ctx.db.add(m.ProgressReport(process_id=ctx.process.id, activity_id=row.id, status=d.status, percent=d.percent,
                                evidence_ref=d.evidence_ref, reported_on=d.reported_on,
                                reported_by=ctx.actor.handle, recorded_at=ctx.now))
    row.status, row.percent = d.status, d.percent
    ctx.db.add(row)
    return {"activity": row.key, "status": d.status, "percent": d.percent}


def hold_public_event(ctx: Context, d: s.HoldPublicEvent):
    """Record a public mid-term or closing event and its minutes."""
    row = upsert(ctx, m.PublicEvent, d.key, "ev", kind=d.kind, held_on=d.held_on, place=d.place,
                  minutes_ref=d.minutes_ref)
    return {"event": row.key}


def set_final_status(ctx: Context, d: s.SetFinalStatus):
    """Record a commitment's final status at the close."""
    row = get(ctx, m.Commitment, d.commitment, "commitment")
    row.final_status = d.status
    ctx.db.add(row)
    return {"commitment": row.key, "final_status": d.status}

