"""The process and its people: creating a process, coordinators, members and liaisons, agencies,
and the withdrawal and return of a sector."""
from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from stages import SPEC_VERSION, STAGE_NAMES, TEMPLATES
from stages.errors import InvalidInput, NotAllowed, invalid_field, not_found, reason, refuse
from storage import models as m

from .. import engine
from .. import schemas as s
from ..engine import PUBLIC, SYSTEM, Context
from .lookup import find_person, get, people_by_id, taken, withdrawn_sectors


def create_process(db: Session, d: s.CreateProcess, actor: str, now: dt.datetime):
    """Create a co-creation process from a template; the actor becomes its first coordinator."""
    try:
        tz = ZoneInfo(d.timezone)
    except Exception:
        raise invalid_field("timezone", "bad_timezone", value=d.timezone) from None
    t = TEMPLATES[d.template]
    quorum = d.quorum.model_dump() if d.quorum else dict(t.quorum)
    gate = t.compliance_gate if d.compliance_gate is None else d.compliance_gate
    compliance = {"gate": gate} if gate else {"gate": False, "lifted": {"at_creation": True, "at": now.isoformat()}}
    process = m.Process(slug=d.slug, name=d.name, template=t.name, stage=STAGE_NAMES[0],
                        starts_on=d.starts_on or now.astimezone(tz).date(), term_months=d.term_months or t.term_months,
                        timezone=d.timezone, spec_version=SPEC_VERSION, ruleset=d.ruleset or t.ruleset,
                        quorum=quorum, settings={"compliance": compliance}, created_at=now)
    db.add(process)
    try:
        db.flush()
    except IntegrityError:  # the slug's unique index: taken before, or by a creator running at the same time
        raise InvalidInput([reason("duplicate_key", kind="process", key=d.slug)]) from None
    db.add(m.Person(process_id=process.id, handle=actor, name=d.coordinator_name, role="coordinator",
                    email=d.coordinator_email, joined_at=now))
    db.add(m.StageChange(process_id=process.id, event="create", from_stage=None, to_stage=process.stage, at=now))
    db.flush()
    ctx = Context(db, process, None, now)  # type: ignore[arg-type]
    return {"process": process.slug, "stage": process.stage, "term_months": process.term_months,
            "ruleset": process.ruleset, "spec_version": process.spec_version, "compliance_gate": gate}, ctx


def add_person(ctx: Context, d: s.AddPerson):
    """Add a coordinator, a secretariat member (with its sector) or an agency liaison; a person
    who left the process may be added again with the same handle (their earlier part stays in
    the records)."""
    former = find_person(ctx, d.handle)
    if d.handle in (PUBLIC, SYSTEM) or (former is not None and former.active):  # the public site's, the worker's
        raise InvalidInput([reason("duplicate_key", kind="person", key=d.handle)])
    if d.role == "member" and not d.sector:
        raise invalid_field("sector", "missing_for_role", role="member")
    if d.seat_role and d.role != "member":
        raise invalid_field("seat_role", "not_for_role", role=d.role)
    agency = None
    if d.role == "liaison":
        if not d.agency:
            raise invalid_field("agency", "missing_for_role", role="liaison")
        agency = get(ctx, m.Agency, d.agency, "agency")
    fields = dict(name=d.name, role=d.role, email=d.email, sector=d.sector if d.role == "member" else None,
                  organisation=d.organisation, organisation_kind=d.organisation_kind,
                  seat_role=(d.seat_role or "holder") if d.role == "member" else None,
                  agency_id=agency.id if agency else None, lang=d.lang, joined_at=ctx.now)
    if former is None:
        ctx.insert(m.Person, process_id=ctx.process.id, handle=d.handle, **fields)
        return {"person": d.handle, "role": d.role, "sector": fields["sector"]}
    for k, v in fields.items():  # back after leaving: the same person, seated again from now
        setattr(former, k, v)
    former.active, former.left_at = True, None
    ctx.db.add(former)
    return {"person": d.handle, "role": d.role, "sector": fields["sector"], "rejoined": True}


def update_person(ctx: Context, d: s.UpdatePerson):
    """Correct or update a person's name, email, organisation, language or (liaisons) agency;
    the email stays private (redacted in the audit trail)."""
    person = find_person(ctx, d.handle)
    if person is None:
        raise not_found("person", d.handle)
    if d.email is not None and d.forget_email:
        raise invalid_field("forget_email", "contradicts", other="email")
    changed = []
    if d.seat_role is not None and person.role != "member":
        raise invalid_field("seat_role", "not_for_role", role=person.role)
    if d.agency is not None:
        if person.role != "liaison":
            raise invalid_field("agency", "not_for_role", role=person.role)
        agency = get(ctx, m.Agency, d.agency, "agency")
        if person.agency_id != agency.id:
            person.agency_id = agency.id
            changed.append("agency")
    for name in ("name", "organisation", "organisation_kind", "seat_role", "lang", "email"):
        value = getattr(d, name)
        if value is not None and value != getattr(person, name):
            setattr(person, name, value)
            changed.append(name)
    if d.forget_email and person.email is not None:
        person.email = None
        changed.append("email")
    if not changed:
        raise InvalidInput([reason("nothing_to_update", handle=d.handle)])
    ctx.db.add(person)
    return {"person": d.handle, "changed": sorted(changed)}



def remove_person(ctx: Context, d: s.RemovePerson):
    """A person leaves the process (kept in the records, no longer acts or counts). One
    organisation leaving a shared seat changes nothing while its sector is still seated; the last
    member of a required sector leaving suspends the process, as the sector's withdrawal would."""
    person = find_person(ctx, d.handle)
    if person is None or not person.active:
        raise not_found("person", d.handle)
    person.active, person.left_at = False, ctx.now
    ctx.db.add(person)
    ctx.reason = d.reason
    result: dict[str, Any] = {"person": d.handle, "active": False}
    sector = person.sector if person.role == "member" else None
    if sector and sector in (ctx.process.quorum or {}).get("sectors", {}) and sector not in withdrawn_sectors(ctx):
        ctx.db.flush()
        still = [p for p in people_by_id(ctx).values() if p.active and p.role == "member" and p.sector == sector]
        result["sector_still_seated"] = bool(still)
        if not still and ctx.process.stage in STAGE_NAMES:
            engine.move(ctx, "suspend", reason_text=d.reason)
            result.update(stage=ctx.process.stage, suspended_from=ctx.process.suspended_from)
    return result


def add_agency(ctx: Context, d: s.AddAgency):
    """Register a responsible agency (dependencia)."""
    if taken(ctx, m.Agency, d.key):
        raise InvalidInput([reason("duplicate_key", kind="agency", key=d.key)])
    ctx.insert(m.Agency, process_id=ctx.process.id, key=d.key, name=d.name)
    return {"agency": d.key}


def withdraw_sector(ctx: Context, d: s.SectorMove):
    """A sector withdraws from the secretariat; if required, the process is suspended at once."""
    if ctx.actor.role == "member" and ctx.actor.sector != d.sector:
        raise NotAllowed([reason("member_other_sector", actor=ctx.actor.handle, actor_sector=ctx.actor.sector,
                                 sector=d.sector)])
    if ctx.actor.role == "member":  # a shared seat: its spokespeople speak for the sector
        speakers = sorted(p.handle for p in people_by_id(ctx).values()
                          if p.active and p.sector == d.sector and p.seat_role == "spokesperson")
        if speakers and ctx.actor.handle not in speakers:
            raise NotAllowed([reason("sector_spokesperson_only", actor=ctx.actor.handle, sector=d.sector,
                                     spokespeople=", ".join(speakers))])
    if d.sector in withdrawn_sectors(ctx):
        raise refuse("sector_already_withdrawn", sector=d.sector)
    ctx.db.add(m.SectorWithdrawal(process_id=ctx.process.id, sector=d.sector, withdrawn_at=ctx.now, reason=d.reason))
    ctx.reason = d.reason
    # Members of the sector leave every open session.
    open_sessions = [x.id for x in ctx.db.exec(select(m.SecretariatSession).where(
        m.SecretariatSession.process_id == ctx.process.id, m.SecretariatSession.closed_at.is_(None)))]
    people = people_by_id(ctx)
    if open_sessions:
        for a in ctx.db.exec(select(m.Attendance).where(m.Attendance.session_id.in_(open_sessions),
                                                        m.Attendance.left_at.is_(None))):
            if people[a.person_id].sector == d.sector:
                a.left_at = ctx.now
                ctx.db.add(a)
    result: dict[str, Any] = {"sector": d.sector, "withdrawn": True, "stage": ctx.process.stage}
    required = d.sector in (ctx.process.quorum or {}).get("sectors", {})
    if required and ctx.process.stage in STAGE_NAMES:
        engine.move(ctx, "suspend", reason_text=d.reason)
        result.update(stage=ctx.process.stage, suspended_from=ctx.process.suspended_from)
    return result


def return_sector(ctx: Context, d: s.SectorMove):
    """A withdrawn sector takes its seats again (resuming still needs a decision)."""
    w = ctx.db.exec(select(m.SectorWithdrawal).where(m.SectorWithdrawal.process_id == ctx.process.id,
                                                     m.SectorWithdrawal.sector == d.sector,
                                                     m.SectorWithdrawal.returned_at.is_(None))).first()
    if w is None:
        raise refuse("sector_not_withdrawn", sector=d.sector)
    w.returned_at, w.return_reason = ctx.now, d.reason
    ctx.db.add(w)
    ctx.reason = d.reason
    return {"sector": d.sector, "withdrawn": False}

