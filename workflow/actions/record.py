"""The governance record: walk-outs, returns, and civil society's filings under OGP's Response
Policy (the 2018 "Mecanismo de Respuesta"), recorded as dated facts of the process.

A sector's formal withdrawal from the secretariat, which suspends the process when the sector
is required, is :func:`workflow.actions.people.withdraw_sector`; a walk-out here is the fact
as it happened (people leaving a session or the forum in protest, by sector or organisation),
recorded whether or not the sector withdraws. The public page shows both on its governance
timeline and the compliance report counts them.
"""
from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field

from i18n import D_
from stages.errors import InvalidInput, invalid_field, reason, refuse
from storage import models as m

from ..engine import Context
from ..schemas import Day, Key, Note, Schema, SectorName, Short, Text1
from .lookup import find, get, next_key, not_in_future

#: The kinds of governance events, and the statuses a Response Policy filing goes through.
EVENT_KINDS = ("walk_out", "return", "response_policy")
FILING_STATUSES = ("filed", "under_review", "resolved", "dismissed")
#: A filing in one of these statuses is closed: its outcome is required.
CLOSED_FILING = ("resolved", "dismissed")


class RecordGovernanceEvent(Schema):
    key: Optional[Key] = None
    kind: Literal[EVENT_KINDS] = Field(  # type: ignore[valid-type]
        description=D_("walk_out: a sector or organisation leaves in protest; return: it comes back; "
                       "response_policy: a filing under OGP's Response Policy"))
    occurred_on: Day = Field(description=D_("when it happened (a filing: when it was filed)"))
    sector: Optional[SectorName] = Field(None, description=D_("the sector that walked out, returned or filed"))
    organisation: Optional[Short] = Field(None, description=D_("the organisation, if one in particular"))
    concern: Text1 = Field(description=D_("what happened and why; for a filing, the concern raised"))


class UpdateFiling(Schema):
    key: Key = Field(description=D_("the Response Policy filing"))
    status: Literal[FILING_STATUSES[1:]] = Field(description=D_("where the filing stands now"))  # type: ignore[valid-type]
    status_on: Day = Field(description=D_("since when"))
    outcome: Note = Field("", description=D_("what OGP found or decided; required once resolved or dismissed"))


def record_governance_event(ctx: Context, d: RecordGovernanceEvent):
    """Record a walk-out, a return, or a filing under OGP's Response Policy, with its date and
    concern; shown on the public timeline and counted by the compliance report."""
    not_in_future(ctx, "governance_event", d.occurred_on)
    if d.kind != "response_policy" and not (d.sector or d.organisation):
        raise invalid_field("sector", "missing_for_event", kind=d.kind)
    if d.sector and d.sector not in _known_sectors(ctx):
        raise invalid_field("sector", "unknown_sector", value=d.sector)
    key = d.key or next_key(ctx, m.GovernanceEvent, "g")
    if find(ctx, m.GovernanceEvent, key) is not None:
        raise InvalidInput([reason("duplicate_key", kind="governance_event", key=key)])
    row = m.GovernanceEvent(process_id=ctx.process.id, key=key, kind=d.kind, occurred_on=d.occurred_on,
                            sector=d.sector, organisation=d.organisation, concern=d.concern,
                            status="filed" if d.kind == "response_policy" else None, recorded_at=ctx.now)
    ctx.db.add(row)
    ctx.reason = d.concern
    return {"governance_event": key, "kind": d.kind, "occurred_on": d.occurred_on.isoformat(),
            **({"status": row.status} if row.status else {})}


def update_response_filing(ctx: Context, d: UpdateFiling):
    """Record where a Response Policy filing stands (under review, resolved, dismissed) and its
    outcome, dated."""
    row = get(ctx, m.GovernanceEvent, d.key, "governance_event")
    if row.kind != "response_policy":
        raise refuse("not_a_filing", key=d.key, kind=row.kind)
    not_in_future(ctx, "governance_event", d.status_on)
    earliest = row.status_on or row.occurred_on
    if d.status_on < earliest:
        raise refuse("dates_out_of_order", start=earliest.isoformat(), end=d.status_on.isoformat())
    if d.status in CLOSED_FILING and not d.outcome:
        raise invalid_field("outcome", "missing_for_status", status=d.status)
    row.status, row.status_on = d.status, d.status_on
    if d.outcome:
        row.outcome = d.outcome
    ctx.db.add(row)
    return {"governance_event": row.key, "status": d.status, "status_on": d.status_on.isoformat()}


def _known_sectors(ctx: Context) -> set[str]:
    from sqlmodel import select

    seated = {p.sector for p in ctx.db.exec(select(m.Person).where(m.Person.process_id == ctx.process.id))
              if p.sector}
    return seated | set((ctx.process.quorum or {}).get("sectors") or {})
