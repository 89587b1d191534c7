"""The plan: commitments (drafted, then agreed by decision), their routes of activities and indicators."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func
from sqlmodel import select

from stages.commitments import FIELDS as COMMITMENT_FIELDS
from stages.errors import NotAllowed, reason, refuse
from storage import direct
from storage import models as m

from .. import schemas as s
from ..engine import Context
from .lookup import check_dates, final_status_holds, find, get, require, upsert


def commitment_fields(c: m.Commitment) -> dict:
    out = {f: getattr(c, f) for f in COMMITMENT_FIELDS}
    out["end_date"] = c.end_date.isoformat() if c.end_date else None
    out["solution"] = c.solution_key
    return out


def apply_commitment_fields(ctx: Context, row: m.Commitment, fields: dict) -> None:
    for agency in fields.get("agencies") or []:
        get(ctx, m.Agency, agency, "agency")
    for name, value in fields.items():
        if name == "end_date" and isinstance(value, str):
            value = dt.date.fromisoformat(value)
        if name in COMMITMENT_FIELDS:
            setattr(row, name, value)


def draft_commitment(ctx: Context, d: s.DraftCommitment):
    """Draft (or redraft) a commitment; once agreed it changes only by decision."""
    row = find(ctx, m.Commitment, d.key)
    if row is not None and row.status != "draft":
        raise refuse("commitment_agreed_needs_decision", commitment=d.key)
    theme = get(ctx, m.Theme, d.theme, "theme") if d.theme else None
    if row is None:
        row = m.Commitment(process_id=ctx.process.id, key=d.key, title=d.title)
    row.theme_id = theme.id if theme else None
    row.solution_key = d.solution
    apply_commitment_fields(ctx, row, d.model_dump(include=set(COMMITMENT_FIELDS)))
    ctx.db.add(row)
    return {"commitment": d.key, "status": row.status}


def plan_activity(ctx: Context, d: s.PlanActivity):
    """Plan an activity of a commitment's route, with its responsible agency and dates."""
    check_dates(d.start_date, d.end_date)
    commitment = get(ctx, m.Commitment, d.commitment, "commitment")
    agency = get(ctx, m.Agency, d.agency, "agency")
    row = find(ctx, m.Activity, d.key)
    fields = dict(commitment_id=commitment.id, title=d.title, deliverable=d.deliverable, agency_id=agency.id,
                  start_date=d.start_date, end_date=d.end_date)
    if row is not None and (row.agency_id, row.start_date, row.end_date) != (agency.id, d.start_date, d.end_date):
        fields.update(accepted_at=None, accepted_by=None)  # a changed assignment needs a new acceptance
    touched = [commitment]
    if row is not None:  # re-planned: the progress already reported stays after its start
        first = ctx.db.exec(select(func.min(m.ProgressReport.reported_on))
                            .where(m.ProgressReport.activity_id == row.id)).one()
        if first is not None:
            require("progress_after_activity_start", activity=row.key, reported_on=first, start_date=d.start_date)
        if row.commitment_id != commitment.id:
            touched.append(ctx.db.get(m.Commitment, row.commitment_id))
    row = upsert(ctx, m.Activity, d.key, "a", **fields)
    ctx.activities.add(row.id)
    for c in touched:  # a final status already recorded still agrees with the activities
        final_status_holds(ctx, c)
    return {"activity": row.key, "accepted": row.accepted_at is not None}


def own_activity(ctx: Context, key: str) -> m.Activity:
    row = get(ctx, m.Activity, key, "activity")
    if ctx.actor.role == "liaison" and row.agency_id != ctx.actor.agency_id:
        agency = ctx.db.get(m.Agency, row.agency_id)
        raise NotAllowed([reason("liaison_other_agency", actor=ctx.actor.handle, activity=key,
                                 agency=agency.key if agency else "-")])
    return row


def accept_activity(ctx: Context, d: s.AcceptActivity):
    """The responsible agency formally accepts an activity assigned to it (with its official letter, if given)."""
    row = own_activity(ctx, d.activity)
    direct.update(ctx.db, row, accepted_at=ctx.now, accepted_by=ctx.actor.handle, acceptance_ref=d.document_ref)
    ctx.activities.add(row.id)
    return {"activity": row.key, "accepted_by": ctx.actor.handle}


def add_indicator(ctx: Context, d: s.AddIndicator):
    """Add a result or management indicator to a commitment."""
    commitment = get(ctx, m.Commitment, d.commitment, "commitment")
    row = upsert(ctx, m.Indicator, d.key, "ind", commitment_id=commitment.id, name=d.name, kind=d.kind,
                  baseline=d.baseline, target=d.target)
    return {"indicator": row.key}

