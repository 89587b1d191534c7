"""Monitoring: progress reports, public events, final statuses."""
from __future__ import annotations

from sqlalchemy import bindparam
from sqlmodel import func, select

from stages import Records
from stages.errors import refuse
from stages.monitoring import expected_final, implementation_period
from storage import direct
from storage import models as m

from .. import schemas as s
from ..engine import Context
from .lookup import final_status_holds, get, not_in_future, require, upsert
from .plan import own_activity


def report_progress(ctx: Context, d: s.ReportProgress):
    """Report an activity's progress (status, percent, evidence) as of a date on or after it started
    and its previous report; a completed activity is at 100 %, and a lower percentage than before
    needs a reason."""
    row = progress_checked(ctx, d)
    record_progress(ctx, row, d)
    if d.reason:
        ctx.reason = d.reason
    return {"activity": row.key, "status": d.status, "percent": d.percent}


#: Built once (building it anew on each report cost more than running it).
_LAST_REPORT = select(func.max(m.ProgressReport.reported_on)).where(m.ProgressReport.activity_id == bindparam("activity_id"))


def progress_checked(ctx: Context, d: s.ReportProgress) -> m.Activity:
    """The activity a progress report is about, once every rule of a report holds: the one place
    for them (``report_progress``, and each row of ``import_progress``). Only the liaison's own
    agency's activities, accepted; dated not in the future, not before the activity started nor
    before its latest report; completed means 100 %; the percentage never goes down without a reason."""
    row = own_activity(ctx, d.activity)
    if row.accepted_at is None:
        raise refuse("activity_not_accepted", activity=row.key)
    not_in_future(ctx, "progress_report", d.reported_on)
    require("progress_after_activity_start", activity=row.key, reported_on=d.reported_on, start_date=row.start_date)
    last = ctx.db.exec(_LAST_REPORT, params={"activity_id": row.id}).one()
    require("progress_in_date_order", activity=row.key, reported_on=d.reported_on, last=last)
    require("completed_means_full", status=d.status, percent=d.percent)
    require("progress_never_drops_without_reason", activity=row.key, percent=d.percent, previous=row.percent,
            reason=d.reason)
    return row


def record_progress(ctx: Context, row: m.Activity, d: s.ReportProgress) -> None:
    """Write a checked report (:func:`progress_checked`): the report, the activity's progress, and
    its commitment's final status still agreeing with it."""
    ctx.insert(m.ProgressReport, process_id=ctx.process.id, activity_id=row.id, status=d.status, percent=d.percent,
               evidence_ref=d.evidence_ref, reported_on=d.reported_on, reason=d.reason,
               reported_by=ctx.actor.handle, recorded_at=ctx.now)
    direct.update(ctx.db, row, status=d.status, percent=d.percent)
    ctx.activities.add(row.id)
    final_status_holds(ctx, get(ctx, m.Commitment, row.commitment_id, "commitment", field="id"))


def hold_public_event(ctx: Context, d: s.HoldPublicEvent):
    """Record a public mid-term or closing event, held within the implementation period, and its minutes."""
    not_in_future(ctx, "public_event", d.held_on)
    starts_on, ends_on = implementation_period(ctx.process, Records(process=ctx.process).term_end)
    require("event_inside_implementation", held_on=d.held_on, starts_on=starts_on, ends_on=ends_on)
    row = upsert(ctx, m.PublicEvent, d.key, "ev", kind=d.kind, held_on=d.held_on, place=d.place,
                 minutes_ref=d.minutes_ref)
    return {"event": row.key}


def set_final_status(ctx: Context, d: s.SetFinalStatus):
    """Record a commitment's final status at the close: what its activities show, or another
    status the secretariat decided, with the decision that says why (a general agreement)."""
    row = get(ctx, m.Commitment, d.commitment, "commitment")
    percents = list(ctx.db.exec(select(m.Activity.percent).where(m.Activity.commitment_id == row.id)))
    decision = None
    if d.decision:
        decision = get(ctx, m.Decision, d.decision, "decision")
        if decision.status != "adopted":
            raise refuse("decision_not_adopted", decision=decision.key, status=decision.status)
        if decision.kind != "general":  # a move or the plan's approval says nothing of why this status
            raise refuse("final_status_needs_agreement", decision=decision.key, kind=decision.kind)
    require("final_status_agrees_with_progress", commitment=row.key, status=d.status,
            expected=expected_final(percents), decision=decision.key if decision else None)
    direct.update(ctx.db, row, final_status=d.status, final_decision_id=decision.id if decision else None)
    return {"commitment": row.key, "final_status": d.status}
