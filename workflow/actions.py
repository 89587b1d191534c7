"""Named coordinator actions: the only way anything is written.

Each action has a validated schema (``workflow.schemas``), the roles that may perform it,
and a handler run by :func:`workflow.engine.run` inside one transaction. The CLI, the web
app and the scheduler call :func:`apply`; none re-implements a rule.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from stages import SPEC_VERSION, STAGE_NAMES, TEMPLATES  # noqa: F401  (TEMPLATES re-exported for the CLI)
from storage import models as m

from . import accounts, engine, governance, machine
from . import schemas as s
from .clock import Clock
from .engine import ActionDef, Context
from .errors import InvalidInput, NotAllowed, Refused, not_found, reason, refuse
from .reminders import ConfigureReminders, configure_reminders

COORD = ("coordinator",)
MEMBER = ("member",)

# --- helpers ---------------------------------------------------------------------------


def _get(ctx: Context, model: type[SQLModel], key: str, kind: str, field: str = "key") -> Any:
    row = ctx.db.exec(select(model).where(model.process_id == ctx.process.id, getattr(model, field) == key)).first()
    if row is None:
        raise not_found(kind, key)
    return row


def _find(ctx: Context, model: type[SQLModel], key: str | None) -> Any:
    if key is None:
        return None
    return ctx.db.exec(select(model).where(model.process_id == ctx.process.id, model.key == key)).first()


def _next_key(ctx: Context, model: type[SQLModel], prefix: str) -> str:
    n = len(ctx.db.exec(select(model.id).where(model.process_id == ctx.process.id)).all()) + 1
    while _find(ctx, model, f"{prefix}{n}") is not None:
        n += 1
    return f"{prefix}{n}"


def _upsert(ctx: Context, model: type[SQLModel], key: str | None, prefix: str, **fields: Any) -> Any:
    row = _find(ctx, model, key)
    if row is None:
        row = model(process_id=ctx.process.id, key=key or _next_key(ctx, model, prefix), **fields)
    else:
        for name, value in fields.items():
            setattr(row, name, value)
    ctx.db.add(row)
    ctx.db.flush()
    return row


def _session(ctx: Context, key: str, *, open_: bool = True) -> m.SecretariatSession:
    row = _get(ctx, m.SecretariatSession, key, "sesión")
    if open_ and row.closed_at is not None:
        raise refuse("session_closed", session=key)
    ctx.session_key = key
    return row


def _people_by_id(ctx: Context) -> dict[int, m.Person]:
    return {p.id: p for p in ctx.db.exec(select(m.Person).where(m.Person.process_id == ctx.process.id))}


def _withdrawn(ctx: Context) -> set[str]:
    return {w.sector for w in ctx.db.exec(select(m.SectorWithdrawal).where(
        m.SectorWithdrawal.process_id == ctx.process.id, m.SectorWithdrawal.returned_at.is_(None)))}


def present_members(ctx: Context, session: m.SecretariatSession) -> list[m.Person]:
    attendance = ctx.db.exec(select(m.Attendance).where(m.Attendance.session_id == session.id).order_by(m.Attendance.id))
    return governance.present_members(attendance, _people_by_id(ctx), _withdrawn(ctx))


def _dates(start: dt.date, end: dt.date) -> None:
    if start > end:
        raise InvalidInput([reason("dates_out_of_order", start=start.isoformat(), end=end.isoformat())])


# --- the process and its people --------------------------------------------------------


def create_process(db: Session, d: s.CreateProcess, actor: str, now: dt.datetime):
    """Create a co-creation process from a template; the actor becomes its first coordinator."""
    try:
        tz = ZoneInfo(d.timezone)
    except Exception:
        raise InvalidInput([reason("invalid_field", field="timezone", problem=d.timezone)]) from None
    t = TEMPLATES[d.template]
    quorum = d.quorum.model_dump() if d.quorum else dict(t.quorum)
    process = m.Process(slug=d.slug, name=d.name, template=t.name, stage=STAGE_NAMES[0],
                        starts_on=d.starts_on or now.astimezone(tz).date(), term_months=d.term_months or t.term_months,
                        timezone=d.timezone, spec_version=SPEC_VERSION, ruleset=d.ruleset or t.ruleset,
                        quorum=quorum, created_at=now)
    db.add(process)
    try:
        db.flush()
    except IntegrityError:  # the slug's unique index: taken before, or by a creator running at the same time
        raise InvalidInput([reason("duplicate_key", kind="proceso", key=d.slug)]) from None
    db.add(m.Person(process_id=process.id, handle=actor, name=d.coordinator_name, role="coordinator",
                    email=d.coordinator_email, joined_at=now))
    db.add(m.StageChange(process_id=process.id, event="create", from_stage=None, to_stage=process.stage, at=now))
    db.flush()
    ctx = Context(db, process, None, now)  # type: ignore[arg-type]
    return {"process": process.slug, "stage": process.stage, "term_months": process.term_months,
            "ruleset": process.ruleset, "spec_version": process.spec_version}, ctx


def add_person(ctx: Context, d: s.AddPerson):
    """Add a coordinator, a secretariat member (with its sector) or an agency liaison."""
    if _find_person(ctx, d.handle) is not None:
        raise InvalidInput([reason("duplicate_key", kind="persona", key=d.handle)])
    if d.role == "member" and not d.sector:
        raise InvalidInput([reason("invalid_field", field="sector", problem="falta / missing (member)")])
    agency = None
    if d.role == "liaison":
        if not d.agency:
            raise InvalidInput([reason("invalid_field", field="agency", problem="falta / missing (liaison)")])
        agency = _get(ctx, m.Agency, d.agency, "dependencia")
    person = m.Person(process_id=ctx.process.id, handle=d.handle, name=d.name, role=d.role, email=d.email,
                      sector=d.sector if d.role == "member" else None, organisation=d.organisation,
                      agency_id=agency.id if agency else None, lang=d.lang, joined_at=ctx.now)
    ctx.db.add(person)
    return {"person": d.handle, "role": d.role, "sector": person.sector}


def _find_person(ctx: Context, handle: str) -> m.Person | None:
    return ctx.db.exec(select(m.Person).where(m.Person.process_id == ctx.process.id, m.Person.handle == handle)).first()


def remove_person(ctx: Context, d: s.RemovePerson):
    """A person leaves the process (kept in the records, no longer acts or counts)."""
    person = _find_person(ctx, d.handle)
    if person is None or not person.active:
        raise not_found("persona", d.handle)
    person.active, person.left_at = False, ctx.now
    ctx.db.add(person)
    ctx.reason = d.reason
    return {"person": d.handle, "active": False}


def add_agency(ctx: Context, d: s.AddAgency):
    """Register a responsible agency (dependencia)."""
    if _find(ctx, m.Agency, d.key) is not None:
        raise InvalidInput([reason("duplicate_key", kind="dependencia", key=d.key)])
    ctx.db.add(m.Agency(process_id=ctx.process.id, key=d.key, name=d.name))
    return {"agency": d.key}


def withdraw_sector(ctx: Context, d: s.SectorMove):
    """A sector withdraws from the secretariat; if required, the process is suspended at once."""
    if ctx.actor.role == "member" and ctx.actor.sector != d.sector:
        raise NotAllowed([reason("actor_not_allowed", actor=ctx.actor.handle, role=f"member/{ctx.actor.sector}",
                                 action=f"withdraw_sector {d.sector}", allowed=f"coordinator, member/{d.sector}")])
    if d.sector in _withdrawn(ctx):
        raise refuse("sector_already_withdrawn", sector=d.sector)
    ctx.db.add(m.SectorWithdrawal(process_id=ctx.process.id, sector=d.sector, withdrawn_at=ctx.now, reason=d.reason))
    ctx.reason = d.reason
    # Members of the sector leave every open session.
    open_sessions = [x.id for x in ctx.db.exec(select(m.SecretariatSession).where(
        m.SecretariatSession.process_id == ctx.process.id, m.SecretariatSession.closed_at.is_(None)))]
    people = _people_by_id(ctx)
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


# --- sessions and decisions ------------------------------------------------------------


def convene_session(ctx: Context, d: s.ConveneSession):
    """Convene a secretariat session with its date, place and agenda (published with the call)."""
    if d.extraordinary and not d.justification:
        raise refuse("extraordinary_needs_justification")
    if d.scheduled_for.tzinfo is None:
        d.scheduled_for = d.scheduled_for.replace(tzinfo=ZoneInfo(ctx.process.timezone))
    if d.key and _find(ctx, m.SecretariatSession, d.key) is not None:
        raise InvalidInput([reason("duplicate_key", kind="sesión", key=d.key)])
    row = m.SecretariatSession(process_id=ctx.process.id, key=d.key or _next_key(ctx, m.SecretariatSession, "S"),
                               scheduled_for=d.scheduled_for, place=d.place, agenda=list(d.agenda),
                               extraordinary=d.extraordinary, justification=d.justification,
                               convened_at=ctx.now, agenda_published_at=ctx.now)
    ctx.db.add(row)
    ctx.session_key = row.key
    return {"session": row.key, "extraordinary": row.extraordinary}


def record_attendance(ctx: Context, d: s.RecordAttendance):
    """Record members arriving at (present: true) or leaving (present: false) a session."""
    session = _session(ctx, d.session)
    people = []
    for handle in d.members:
        p = _find_person(ctx, handle)
        if p is None or p.role != "member" or not p.active:
            raise not_found("integrante", handle)
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
    gaps = governance.quorum_gaps(governance.QuorumRule.of(ctx.process.quorum), present, session.key)
    return {"session": session.key, "present": sorted(p.handle for p in present), "quorate": not gaps}


def close_session(ctx: Context, d: s.CloseSession):
    """Close a session; everyone still present leaves it."""
    session = _session(ctx, d.session)
    for a in ctx.db.exec(select(m.Attendance).where(m.Attendance.session_id == session.id, m.Attendance.left_at.is_(None))):
        a.left_at = ctx.now
        ctx.db.add(a)
    session.closed_at = ctx.now
    if d.minutes_ref:
        session.minutes_ref, session.minutes_published_at = d.minutes_ref, ctx.now
    ctx.db.add(session)
    return {"session": session.key, "closed": True}


def publish_minutes(ctx: Context, d: s.PublishMinutes):
    """Publish the minutes of a session."""
    session = _session(ctx, d.session, open_=False)
    session.minutes_ref, session.minutes_published_at = d.ref, ctx.now
    ctx.db.add(session)
    return {"session": session.key, "minutes": d.ref}


#: Decision kinds whose subject is the plan: every required sector must agree.
JOINT_KINDS = ("approve_commitments", "amend_commitment")
_KIND_STAGES = {"approve_commitments": ("commitments",),
                "amend_commitment": ("commitments", "routes", "monitoring")}


def propose_decision(ctx: Context, d: s.ProposeDecision):
    """Put a motion to a session: a stage move, the plan's commitments, the quorum rule, or any agreement."""
    session = _session(ctx, d.session)
    if d.rule == "majority" and not (session.extraordinary and session.justification):
        raise refuse("majority_only_in_extraordinary_session", session=session.key)
    _check_subject(ctx, d)
    payload = d.model_dump(mode="json", exclude_none=True, exclude={"key", "session", "kind", "rule", "reason"})
    if d.kind in machine.EVENTS:
        payload["proposed_in"] = ctx.process.stage  # a move is decided only from where it was proposed
    key = d.key or _next_key(ctx, m.Decision, "D")
    if _find(ctx, m.Decision, key) is not None:
        raise InvalidInput([reason("duplicate_key", kind="decisión", key=key)])
    row = m.Decision(process_id=ctx.process.id, session_id=session.id, key=key, kind=d.kind, payload=payload,
                     rule=d.rule, reason=d.reason, proposed_at=ctx.now)
    ctx.db.add(row)
    ctx.reason = d.reason
    return {"decision": key, "kind": d.kind, "rule": d.rule, "session": session.key}


def _check_kind_stage(ctx: Context, kind: str) -> None:
    """Plan decisions belong to some stages; checked when proposed and again when decided."""
    stage = ctx.process.stage
    if kind in _KIND_STAGES and stage not in _KIND_STAGES[kind]:
        raise refuse("decision_kind_not_in_stage", kind=kind, stage=stage)


def _check_subject(ctx: Context, d: s.ProposeDecision) -> None:
    _check_kind_stage(ctx, d.kind)
    if d.kind == "reopen" and not d.target:
        raise InvalidInput([reason("invalid_field", field="target", problem="falta / missing")])
    if d.kind == "reopen" and not d.reason.strip():
        raise refuse("reason_required")
    if d.kind == "amend_commitment":
        if not d.commitment or not d.changes:
            raise InvalidInput([reason("invalid_field", field="commitment/changes", problem="falta / missing")])
        _validated_changes(ctx, d.commitment, d.changes)
    if d.kind == "approve_commitments":
        for key in d.commitments or []:
            _get(ctx, m.Commitment, key, "compromiso")
    if d.kind == "set_quorum_rule" and d.quorum is None:
        raise InvalidInput([reason("invalid_field", field="quorum", problem="falta / missing")])
    if d.kind == "general" and not d.text:
        raise InvalidInput([reason("invalid_field", field="text", problem="falta / missing")])


def _validated_changes(ctx: Context, key: str, changes: dict) -> dict:
    row = _get(ctx, m.Commitment, key, "compromiso")
    current = _commitment_fields(row)
    merged = {**{k: v for k, v in current.items() if k not in ("theme", "solution")},
              "key": key, "theme": None, "solution": None, **changes}
    checked = engine.validate(ACTIONS["draft_commitment"], merged)
    return checked.model_dump(mode="json", include=set(changes))


def cast_vote(ctx: Context, d: s.CastVote):
    """A member votes on an open decision, in its own name, while present."""
    if d.member and d.member != ctx.actor.handle:
        raise NotAllowed([reason("vote_only_for_self", actor=ctx.actor.handle, member=d.member)])
    decision = _get(ctx, m.Decision, d.decision, "decisión")
    if decision.status != "open":
        raise refuse("decision_not_open", decision=decision.key, status=decision.status)
    session = ctx.db.get(m.SecretariatSession, decision.session_id)
    _session(ctx, session.key)
    if ctx.actor.id not in {p.id for p in present_members(ctx, session)}:
        raise refuse("voter_not_present", actor=ctx.actor.handle, session=session.key)
    vote = ctx.db.exec(select(m.Vote).where(m.Vote.decision_id == decision.id, m.Vote.person_id == ctx.actor.id)).first()
    if vote is None:
        vote = m.Vote(decision_id=decision.id, person_id=ctx.actor.id, position=d.position, cast_at=ctx.now)
    vote.position, vote.cast_at = d.position, ctx.now
    ctx.db.add(vote)
    return {"decision": decision.key, "member": ctx.actor.handle, "position": d.position}


def decide(ctx: Context, d: s.Decide):
    """Take an open decision now: the session must be quorate at this moment; the rule
    (consensus, or majority by sector) decides; an adopted decision takes effect at once, and
    is refused whole, changing nothing, if its effect is not possible."""
    decision = _get(ctx, m.Decision, d.decision, "decisión")
    if decision.status != "open":
        raise refuse("decision_not_open", decision=decision.key, status=decision.status)
    session = ctx.db.get(m.SecretariatSession, decision.session_id)
    _session(ctx, session.key)
    _check_kind_stage(ctx, decision.kind)  # the stage may have moved since the proposal
    proposed_in = decision.payload.get("proposed_in")
    if proposed_in and proposed_in != ctx.process.stage:
        raise refuse("decision_stale", decision=decision.key, kind=decision.kind, proposed_in=proposed_in,
                     stage=ctx.process.stage)
    present = present_members(ctx, session)
    gaps = governance.quorum_gaps(governance.QuorumRule.of(ctx.process.quorum), present, session.key)
    if gaps:
        raise Refused(gaps)
    votes = {v.person_id: v.position for v in ctx.db.exec(select(m.Vote).where(m.Vote.decision_id == decision.id))}
    adopted, tally = governance.tally(decision.rule, present, votes)
    if adopted and decision.kind in JOINT_KINDS and decision.rule == "majority":
        against = sorted(sec for sec, pos in tally["sectors"].items()
                         if sec in ctx.process.quorum.get("sectors", {}) and pos != "for")
        if against:
            adopted, tally["joint_agreement_missing"] = False, against
    decision.status = "adopted" if adopted else "rejected"
    decision.decided_at, decision.tally = ctx.now, tally
    ctx.db.add(decision)
    ctx.reason = decision.reason
    result: dict[str, Any] = {"decision": decision.key, "kind": decision.kind, "status": decision.status,
                              "tally": tally}
    if adopted:
        result.update(_EFFECTS[decision.kind](ctx, decision) or {})
    return result


def _effect_move(event: str):
    def effect(ctx: Context, decision: m.Decision) -> dict:
        change = engine.move(ctx, event, target=decision.payload.get("target"), decision_id=decision.id,
                             reason_text=decision.reason)
        return {"from": change.from_stage, "stage": change.to_stage}
    return effect


def _effect_approve(ctx: Context, decision: m.Decision) -> dict:
    keys = decision.payload.get("commitments")
    rows = list(ctx.db.exec(select(m.Commitment).where(m.Commitment.process_id == ctx.process.id)))
    chosen = [c for c in rows if (c.key in keys if keys else c.status == "draft")]
    if not chosen or all(c.status == "agreed" for c in chosen):
        raise refuse("no_commitments_to_approve")
    for c in chosen:
        if c.status != "agreed":
            c.status = "agreed"
            ctx.db.add(c)
            ctx.db.add(m.CommitmentVersion(commitment_id=c.id, version=c.version, fields=_commitment_fields(c),
                                           decision_id=decision.id, recorded_at=ctx.now))
    return {"approved": sorted(c.key for c in chosen)}


def _effect_amend(ctx: Context, decision: m.Decision) -> dict:
    key = decision.payload["commitment"]
    changes = _validated_changes(ctx, key, decision.payload["changes"])
    row = _get(ctx, m.Commitment, key, "compromiso")
    _apply_commitment_fields(ctx, row, changes)
    row.version += 1
    ctx.db.add(row)
    ctx.db.add(m.CommitmentVersion(commitment_id=row.id, version=row.version, fields=_commitment_fields(row),
                                   decision_id=decision.id, recorded_at=ctx.now))
    return {"commitment": key, "version": row.version}


def _effect_quorum(ctx: Context, decision: m.Decision) -> dict:
    ctx.process.quorum = decision.payload["quorum"]
    ctx.db.add(ctx.process)
    return {"quorum": ctx.process.quorum}


_EFFECTS = {
    **{event: _effect_move(event) for event in machine.EVENTS}, "approve_commitments": _effect_approve,
    "amend_commitment": _effect_amend, "set_quorum_rule": _effect_quorum, "general": lambda ctx, dec: {},
}


def publish_document(ctx: Context, d: s.PublishDocument):
    """Publish a dated document or piece of evidence in the process's public repository."""
    key = d.key or _next_key(ctx, m.Document, "doc")
    if _find(ctx, m.Document, key) is not None:
        raise InvalidInput([reason("duplicate_key", kind="documento", key=key)])
    ctx.db.add(m.Document(process_id=ctx.process.id, key=key, kind=d.kind, title=d.title, ref=d.ref,
                          stage=d.stage or (ctx.process.stage if ctx.process.stage in STAGE_NAMES else None),
                          published_at=ctx.now))
    return {"document": key}


# --- stage content ---------------------------------------------------------------------


def sign_declaration(ctx: Context, d: s.SignDeclaration):
    """Record the declaration of political will, its signatories and document."""
    ctx.db.add(m.Declaration(process_id=ctx.process.id, signed_on=d.signed_on, document_ref=d.document_ref,
                             signatories=[x.model_dump() for x in d.signatories]))
    return {"signed_on": d.signed_on.isoformat(), "sectors": sorted({x.sector for x in d.signatories})}


def open_channel(ctx: Context, d: s.OpenChannel):
    """Open (or correct) a consultation channel, with its announcement and dates."""
    if d.opens_on and d.closes_on:
        _dates(d.opens_on, d.closes_on)
    row = _upsert(ctx, m.Channel, d.key, "c", **d.model_dump(exclude={"key"}))
    return {"channel": row.key}


def record_input(ctx: Context, d: s.RecordInput):
    """Record a consultation input; contact data is kept private."""
    channel = _get(ctx, m.Channel, d.channel, "canal")
    theme = _get(ctx, m.Theme, d.theme, "tema") if d.theme else None
    key = d.key or _next_key(ctx, m.Input, "i")
    if _find(ctx, m.Input, key) is not None:
        raise InvalidInput([reason("duplicate_key", kind="aportación", key=key)])
    ctx.db.add(m.Input(process_id=ctx.process.id, key=key, channel_id=channel.id, text=d.text, sector=d.sector,
                       contact_name=d.contact_name, contact_email=d.contact_email, received_on=d.received_on,
                       theme_id=theme.id if theme else None))
    return {"input": key}


def answer_input(ctx: Context, d: s.AnswerInput):
    """Give an input its reasoned response: disposition and rationale."""
    row = _get(ctx, m.Input, d.input, "aportación")
    if d.theme:
        row.theme_id = _get(ctx, m.Theme, d.theme, "tema").id
    row.disposition, row.rationale, row.answered_at = d.disposition, d.rationale, ctx.now
    ctx.db.add(row)
    return {"input": row.key, "disposition": d.disposition}


def add_theme(ctx: Context, d: s.AddTheme):
    """Add (or rename) a theme raised by the consultation."""
    row = _upsert(ctx, m.Theme, d.key, "t", name=d.name, description=d.description)
    return {"theme": row.key}


def prioritise_themes(ctx: Context, d: s.PrioritiseThemes):
    """Set the prioritised themes, in order; the others lose their priority."""
    chosen = [_get(ctx, m.Theme, k, "tema") for k in d.themes]
    for t in ctx.db.exec(select(m.Theme).where(m.Theme.process_id == ctx.process.id)):
        t.priority = None
        ctx.db.add(t)
    ctx.db.flush()
    for rank, t in enumerate(chosen, 1):
        t.priority = rank
        ctx.db.add(t)
    return {"themes": list(d.themes)}


def record_sensitization_session(ctx: Context, d: s.RecordSensitizationSession):
    """Record a sensitization session: questions covered and attendance by sector."""
    row = _upsert(ctx, m.SensitizationSession, d.key, "sen", held_on=d.held_on, place=d.place,
                  topics=list(d.topics), sectors=dict(d.sectors))
    return {"sensitization_session": row.key}


def plan_working_table(ctx: Context, d: s.PlanWorkingTable):
    """Plan a working table for a theme: methodology, call, facilitator, date, sectors."""
    theme = _get(ctx, m.Theme, d.theme, "tema")
    row = _upsert(ctx, m.WorkingTable, d.key, "mesa", theme_id=theme.id, methodology=d.methodology,
                  call_ref=d.call_ref, facilitator=d.facilitator, held_on=d.held_on, sectors=dict(d.sectors))
    return {"working_table": row.key}


def record_problem_tree(ctx: Context, d: s.RecordProblemTree):
    """Record a theme's problem tree: problem, causes (strategic ones marked), effects, solutions."""
    theme = _get(ctx, m.Theme, d.theme, "tema")
    row = _upsert(ctx, m.ProblemTree, d.key, "arbol", theme_id=theme.id, problem=d.problem,
                  causes=[c.model_dump() for c in d.causes], effects=list(d.effects),
                  solutions=[x.model_dump() for x in d.solutions], sdg_targets=list(d.sdg_targets))
    return {"problem_tree": row.key}


_COMMITMENT_FIELDS = ("title", "problem", "cause", "objective", "axes", "ambition", "outcome", "end_date",
                      "agencies", "action_lines")


def _commitment_fields(c: m.Commitment) -> dict:
    out = {f: getattr(c, f) for f in _COMMITMENT_FIELDS}
    out["end_date"] = c.end_date.isoformat() if c.end_date else None
    out["solution"] = c.solution_key
    return out


def _apply_commitment_fields(ctx: Context, row: m.Commitment, fields: dict) -> None:
    for agency in fields.get("agencies") or []:
        _get(ctx, m.Agency, agency, "dependencia")
    for name, value in fields.items():
        if name == "end_date" and isinstance(value, str):
            value = dt.date.fromisoformat(value)
        if name in _COMMITMENT_FIELDS:
            setattr(row, name, value)


def draft_commitment(ctx: Context, d: s.DraftCommitment):
    """Draft (or redraft) a commitment; once agreed it changes only by decision."""
    row = _find(ctx, m.Commitment, d.key)
    if row is not None and row.status != "draft":
        raise refuse("commitment_agreed_needs_decision", commitment=d.key)
    theme = _get(ctx, m.Theme, d.theme, "tema") if d.theme else None
    if row is None:
        row = m.Commitment(process_id=ctx.process.id, key=d.key, title=d.title)
    row.theme_id = theme.id if theme else None
    row.solution_key = d.solution
    _apply_commitment_fields(ctx, row, d.model_dump(include=set(_COMMITMENT_FIELDS)))
    ctx.db.add(row)
    return {"commitment": d.key, "status": row.status}


def plan_activity(ctx: Context, d: s.PlanActivity):
    """Plan an activity of a commitment's route, with its responsible agency and dates."""
    _dates(d.start_date, d.end_date)
    commitment = _get(ctx, m.Commitment, d.commitment, "compromiso")
    agency = _get(ctx, m.Agency, d.agency, "dependencia")
    row = _find(ctx, m.Activity, d.key)
    fields = dict(commitment_id=commitment.id, title=d.title, deliverable=d.deliverable, agency_id=agency.id,
                  start_date=d.start_date, end_date=d.end_date)
    if row is not None and (row.agency_id, row.start_date, row.end_date) != (agency.id, d.start_date, d.end_date):
        fields.update(accepted_at=None, accepted_by=None)  # a changed assignment needs a new acceptance
    row = _upsert(ctx, m.Activity, d.key, "a", **fields)
    return {"activity": row.key, "accepted": row.accepted_at is not None}


def _own_activity(ctx: Context, key: str) -> m.Activity:
    row = _get(ctx, m.Activity, key, "actividad")
    if ctx.actor.role == "liaison" and row.agency_id != ctx.actor.agency_id:
        agency = ctx.db.get(m.Agency, row.agency_id)
        raise NotAllowed([reason("liaison_other_agency", actor=ctx.actor.handle, activity=key,
                                 agency=agency.key if agency else "-")])
    return row


def accept_activity(ctx: Context, d: s.AcceptActivity):
    """The responsible agency formally accepts an activity assigned to it."""
    row = _own_activity(ctx, d.activity)
    row.accepted_at, row.accepted_by = ctx.now, ctx.actor.handle
    ctx.db.add(row)
    return {"activity": row.key, "accepted_by": ctx.actor.handle}


def add_indicator(ctx: Context, d: s.AddIndicator):
    """Add a result or management indicator to a commitment."""
    commitment = _get(ctx, m.Commitment, d.commitment, "compromiso")
    row = _upsert(ctx, m.Indicator, d.key, "ind", commitment_id=commitment.id, name=d.name, kind=d.kind,
                  baseline=d.baseline, target=d.target)
    return {"indicator": row.key}


def report_progress(ctx: Context, d: s.ReportProgress):
    """Report an activity's progress (status, percent, evidence)."""
    row = _own_activity(ctx, d.activity)
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
    row = _upsert(ctx, m.PublicEvent, d.key, "ev", kind=d.kind, held_on=d.held_on, place=d.place,
                  minutes_ref=d.minutes_ref)
    return {"event": row.key}


def set_final_status(ctx: Context, d: s.SetFinalStatus):
    """Record a commitment's final status at the close."""
    row = _get(ctx, m.Commitment, d.commitment, "compromiso")
    row.final_status = d.status
    ctx.db.add(row)
    return {"commitment": row.key, "final_status": d.status}


# --- the registry ----------------------------------------------------------------------


def _define(*defs: ActionDef) -> dict[str, ActionDef]:
    return {a.name: a for a in defs}


def _a(handler, schema, roles=COORD, **kw) -> ActionDef:
    return ActionDef(handler.__name__, schema, roles, handler, **kw)


GOV = {"while_suspended": True}
ACTIONS: dict[str, ActionDef] = _define(
    _a(create_process, s.CreateProcess, creates_process=True),
    _a(add_person, s.AddPerson, **GOV),
    _a(remove_person, s.RemovePerson, **GOV),
    _a(add_agency, s.AddAgency, **GOV),
    _a(withdraw_sector, s.SectorMove, ("coordinator", "member"), **GOV),
    _a(return_sector, s.SectorMove, ("coordinator", "member"), **GOV),
    _a(convene_session, s.ConveneSession, **GOV),
    _a(record_attendance, s.RecordAttendance, **GOV),
    _a(close_session, s.CloseSession, **GOV, while_closed=True),  # the closing session's minutes come after the close
    _a(publish_minutes, s.PublishMinutes, **GOV, while_closed=True),
    _a(propose_decision, s.ProposeDecision, **GOV),
    _a(cast_vote, s.CastVote, MEMBER, **GOV),
    _a(decide, s.Decide, **GOV),
    _a(publish_document, s.PublishDocument, **GOV, while_closed=True),
    _a(sign_declaration, s.SignDeclaration),
    _a(open_channel, s.OpenChannel),
    _a(record_input, s.RecordInput),
    _a(answer_input, s.AnswerInput),
    _a(add_theme, s.AddTheme),
    _a(prioritise_themes, s.PrioritiseThemes),
    _a(record_sensitization_session, s.RecordSensitizationSession),
    _a(plan_working_table, s.PlanWorkingTable),
    _a(record_problem_tree, s.RecordProblemTree),
    _a(draft_commitment, s.DraftCommitment),
    _a(plan_activity, s.PlanActivity),
    _a(accept_activity, s.AcceptActivity, ("liaison", "coordinator")),
    _a(add_indicator, s.AddIndicator),
    _a(report_progress, s.ReportProgress, ("liaison", "coordinator")),
    _a(hold_public_event, s.HoldPublicEvent),
    _a(set_final_status, s.SetFinalStatus),
    _a(accounts.set_credentials, s.SetCredentials, ("coordinator", "member", "liaison"), **GOV, while_closed=True),
    _a(configure_reminders, ConfigureReminders, **GOV),
)


# Actions of the compliance checker (rule set, gate, plan history, IRM assessment).
from .compliance_actions import ACTIONS as _COMPLIANCE_ACTIONS  # noqa: E402

ACTIONS.update(_COMPLIANCE_ACTIONS)


def _check_registry() -> None:
    bound = set(engine.STAGE_BOUND)
    missing = bound - set(ACTIONS)
    if missing:
        raise ValueError(f"stages record actions that do not exist: {sorted(missing)}")


_check_registry()


def apply(db_engine: Engine, action: str, payload: dict | None = None, *, actor: str, process: str | None = None,
          clock: Clock | None = None, at: dt.datetime | None = None) -> dict:
    """Apply the named action; the one entry point for the CLI, the web app and the scheduler."""
    if action not in ACTIONS:
        raise InvalidInput([reason("unknown_action", action=action, known=", ".join(ACTIONS))])
    return engine.run(db_engine, ACTIONS[action], dict(payload or {}), actor=actor, process=process,
                      clock=clock, at=at)


def apply_many(db_engine: Engine, items: Iterable[dict], *, clock: Clock | None = None,
               default_process: str | None = None) -> list[dict]:
    """Apply a list of ``{action, actor, process?, at?, ...payload}`` in order; stops at the first refusal."""
    results = []
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict) or "action" not in item or "actor" not in item:
            raise InvalidInput([reason("bad_file", problem=f"#{n}: action/actor missing")])
        item = dict(item)
        name, actor = item.pop("action"), item.pop("actor")
        process = item.pop("process", default_process)
        at = item.pop("at", None)
        if isinstance(at, str):
            try:
                at = dt.datetime.fromisoformat(at)
            except ValueError:
                raise InvalidInput([reason("invalid_field", field=f"#{n}.at", problem=at)]) from None
        if at is not None and not isinstance(at, dt.datetime):  # e.g. a bare date or a number in YAML
            raise InvalidInput([reason("invalid_field", field=f"#{n}.at", problem=str(at))])
        if isinstance(at, dt.datetime) and at.tzinfo is None:
            raise InvalidInput([reason("invalid_field", field=f"#{n}.at", problem="sin zona horaria / no timezone")])
        if name == "create_process":
            default_process = item.get("slug", default_process)
        results.append(apply(db_engine, name, item, actor=actor, process=process, clock=clock, at=at))
    return results
