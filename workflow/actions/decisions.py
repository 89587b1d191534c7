"""Decisions of the secretariat: a motion is proposed to a session, members vote, the session decides.

Every kind of decision is one entry of :data:`KINDS`: what its motion must say (checked when
it is proposed) and its one effect (carried out when it is adopted, in the same
transaction). The stages where a plan decision may be taken are data of the stages
(``Stage.decisions``, :data:`stages.DECIDED_IN`).

Why one module: a decision's life is one story (the kinds, what each motion must say and
does once adopted, proposing, voting, deciding), read top to bottom; the kinds' checks and
effects are small and only make sense beside the table that names them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import bindparam
from sqlmodel import select

from stages import DECIDED_IN, EVENTS, STAGE_NAMES
from stages.errors import InvalidInput, NotAllowed, Refused, invalid_field, not_found, reason, refuse
from storage import direct
from storage import models as m
from storage.direct import Loaded

from .. import engine, governance
from .. import schemas as s
from ..engine import Context
from ..moves import reads_for
from . import compliance
from .lookup import (SEATING, acting_in, counting_members, get, next_key, present_members, seating, session_row,
                     taken)
from .plan import apply_commitment_fields, commitment_fields


def _missing(field: str) -> InvalidInput:
    return invalid_field(field, "missing")


# --- what each kind's motion must say ---------------------------------------------------


def _check_nothing(ctx: Context, d: s.ProposeDecision) -> None:
    return None


def _check_advance(ctx: Context, d: s.ProposeDecision) -> None:
    """An advance goes to the next stage; a target, if the motion names one, must be that stage."""
    if d.target is None:
        return
    stage = ctx.process.stage
    following = STAGE_NAMES[STAGE_NAMES.index(stage) + 1] if stage in STAGE_NAMES[:-1] else None
    if following is None:
        raise refuse("move_not_allowed", event="advance", stage=stage)
    if d.target != following:
        raise refuse("advance_only_to_next_stage", stage=stage, target=d.target, next=following)


def _check_approve(ctx: Context, d: s.ProposeDecision) -> None:
    for key in d.commitments or []:
        get(ctx, m.Commitment, key, "commitment")


def _check_amend(ctx: Context, d: s.ProposeDecision) -> None:
    if not d.changes:
        raise _missing("changes")
    validated_changes(ctx, d.commitment, d.changes)


def _check_gate_on(ctx: Context, d: s.ProposeDecision) -> None:
    if not compliance.gate_is_on(ctx):
        raise refuse("compliance_gate_already_off")


def _check_close_contrary(ctx: Context, d: s.ProposeDecision) -> None:
    compliance.check_close_contrary(ctx)


def _check_comment_period(ctx: Context, d: s.ProposeDecision) -> None:
    if not d.opens_on or not d.closes_on:
        raise _missing("opens_on/closes_on")
    if d.opens_on > d.closes_on:
        raise InvalidInput([reason("dates_out_of_order", start=d.opens_on.isoformat(), end=d.closes_on.isoformat())])
    drafts = ctx.db.exec(select(m.Commitment).where(m.Commitment.process_id == ctx.process.id,
                                                    m.Commitment.status == "draft")).first()
    if drafts is None:
        raise refuse("no_commitments_to_approve")


def validated_changes(ctx: Context, key: str, changes: dict) -> dict:
    """An amendment's changes, validated as a whole commitment would be (the draft's schema)."""
    row = get(ctx, m.Commitment, key, "commitment")
    current = commitment_fields(row)
    merged = {**{k: v for k, v in current.items() if k not in ("theme", "solution")},
              "key": key, "theme": None, "solution": None, **changes}
    checked = engine.validate(s.DraftCommitment, merged)
    return checked.model_dump(mode="json", include=set(changes))


# --- what each kind does once adopted ----------------------------------------------------


class _Move:
    """The effect of a kind that moves the stage by ``event``: :func:`decide` reads what the move
    is judged on (``workflow.moves.reads_for``) with what it reads to count, and hands it over."""

    def __init__(self, event: str):
        self.event = event

    def __call__(self, ctx: Context, decision: m.Decision, records: Any = None) -> dict:
        change = engine.move(ctx, self.event, target=decision.payload.get("target"), decision_id=decision.id,
                             reason_text=decision.reason, records=records)
        return {"from": change.from_stage, "stage": change.to_stage}


def _record_version(ctx: Context, row: m.Commitment, decision: m.Decision) -> None:
    ctx.insert(m.CommitmentVersion, commitment_id=row.id, version=row.version, fields=commitment_fields(row),
               decision_id=decision.id, recorded_at=ctx.now)


def _effect_approve(ctx: Context, decision: m.Decision) -> dict:
    keys = decision.payload.get("commitments")
    rows = list(ctx.db.exec(select(m.Commitment).where(m.Commitment.process_id == ctx.process.id)))
    chosen = [c for c in rows if (c.key in keys if keys else c.status == "draft")]
    if not chosen or all(c.status == "agreed" for c in chosen):
        raise refuse("no_commitments_to_approve")
    for c in chosen:
        if c.status != "agreed":
            direct.update(ctx.db, c, status="agreed")
            _record_version(ctx, c, decision)
    return {"approved": sorted(c.key for c in chosen)}


def _effect_amend(ctx: Context, decision: m.Decision) -> dict:
    key = decision.payload["commitment"]
    changes = validated_changes(ctx, key, decision.payload["changes"])
    row = get(ctx, m.Commitment, key, "commitment")
    apply_commitment_fields(ctx, row, changes)
    row.version += 1
    ctx.db.add(row)
    _record_version(ctx, row, decision)
    return {"commitment": key, "version": row.version}


def _effect_quorum(ctx: Context, decision: m.Decision) -> dict:
    ctx.process.quorum = decision.payload["quorum"]
    ctx.db.add(ctx.process)
    return {"quorum": ctx.process.quorum}


def _effect_comment_period(ctx: Context, decision: m.Decision) -> dict:
    """The draft commitments take public comments on the site from ``opens_on`` to ``closes_on``."""
    settings = dict(ctx.process.settings or {})
    period = {"opens_on": decision.payload["opens_on"], "closes_on": decision.payload["closes_on"],
              "decision": decision.key}
    settings["public_comment"] = period
    ctx.process.settings = settings
    ctx.db.add(ctx.process)
    return {"public_comment": period}


def _effect_nothing(ctx: Context, decision: m.Decision) -> dict:
    return {}


#: The fields every motion has; each other field of ``ProposeDecision`` belongs to some kinds only.
COMMON_FIELDS = ("key", "session", "kind", "rule", "reason")
MOTION_FIELDS = tuple(f for f in s.ProposeDecision.model_fields if f not in COMMON_FIELDS)


@dataclass(frozen=True)
class DecisionKind:
    """A kind of decision: the fields its motion takes, what it must say, and its one effect once adopted.

    ``fields``: the fields of the motion (beyond :data:`COMMON_FIELDS`) this kind uses; any other
    is refused when proposed (``not_for_this_kind``), never silently ignored. ``required``: those
    of them it cannot do without. ``reason``: a written reason is required.
    ``joint``: the plan's own decisions; under majority every required sector must be for.
    ``move``: a stage move, decided only from the stage it was proposed in.
    """

    name: str
    check: Callable[[Context, s.ProposeDecision], None]
    effect: Callable[[Context, m.Decision], dict]
    fields: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    reason: bool = False
    joint: bool = False
    move: bool = False


#: Every kind of decision and what its motion says: the one table of which field means what.
KINDS: dict[str, DecisionKind] = {k.name: k for k in (
    DecisionKind("advance", _check_advance, _Move("advance"), fields=("target",), move=True),
    DecisionKind("suspend", _check_nothing, _Move("suspend"), move=True),
    DecisionKind("resume", _check_nothing, _Move("resume"), move=True),
    DecisionKind("reopen", _check_nothing, _Move("reopen"), fields=("target",), required=("target",),
                 reason=True, move=True),
    DecisionKind("close", _check_nothing, _Move("close"), move=True),
    DecisionKind("close_contrary_to_process", _check_close_contrary, compliance.close_contrary, reason=True,
                 move=True),
    DecisionKind("approve_commitments", _check_approve, _effect_approve, fields=("commitments",), joint=True),
    DecisionKind("amend_commitment", _check_amend, _effect_amend, fields=("commitment", "changes"),
                 required=("commitment", "changes"), joint=True),
    DecisionKind("set_quorum_rule", _check_nothing, _effect_quorum, fields=("quorum",), required=("quorum",)),
    DecisionKind("lift_compliance_gate", _check_gate_on, compliance.lift_gate, reason=True),
    DecisionKind("general", _check_nothing, _effect_nothing, fields=("text",), required=("text",)),
    DecisionKind("open_public_comment", _check_comment_period, _effect_comment_period, fields=("opens_on", "closes_on"),
                 required=("opens_on", "closes_on")),
)}


def check_motion_fields(kind: DecisionKind, d: s.ProposeDecision) -> None:
    """Every field the motion gives means something for its kind, and none it needs is missing."""
    for name in MOTION_FIELDS:
        if getattr(d, name) is not None and name not in kind.fields:
            raise InvalidInput([reason("not_for_this_kind", field=name, kind=kind.name,
                                       fields=", ".join(kind.fields) or "—")])
    for name in kind.required:
        if getattr(d, name) in (None, "", {}, []):
            raise _missing(name)
    if kind.reason and not d.reason.strip():
        raise refuse("reason_required")


def _check_kind_stage(ctx: Context, kind: str) -> None:
    """Plan decisions belong to some stages; checked when proposed and again when decided."""
    stage = ctx.process.stage
    if kind in DECIDED_IN and stage not in DECIDED_IN[kind]:
        raise refuse("decision_kind_not_in_stage", kind=kind, stage=stage)


# --- the actions ---------------------------------------------------------------------------


def propose_decision(ctx: Context, d: s.ProposeDecision):
    """Put a motion to a session: a stage move, the plan's commitments, the quorum rule, or any agreement."""
    session = session_row(ctx, d.session)
    if d.rule == "majority" and not (session.extraordinary and session.justification):
        raise refuse("majority_only_in_extraordinary_session", session=session.key)
    kind = KINDS[d.kind]
    check_motion_fields(kind, d)
    _check_kind_stage(ctx, kind.name)
    kind.check(ctx, d)
    payload = d.model_dump(mode="json", exclude_none=True, exclude={"key", "session", "kind", "rule", "reason"})
    if kind.move:
        payload["proposed_in"] = ctx.process.stage  # a move is decided only from where it was proposed
    key = d.key or next_key(ctx, m.Decision, "D")
    if taken(ctx, m.Decision, key):
        raise InvalidInput([reason("duplicate_key", kind="decision", key=key)])
    ctx.insert(m.Decision, process_id=ctx.process.id, session_id=session.id, key=key, kind=d.kind, payload=payload,
               rule=d.rule, reason=d.reason, proposed_at=ctx.now)
    ctx.reason = d.reason
    return {"decision": key, "kind": d.kind, "rule": d.rule, "session": session.key}


_WITH_SESSION = Loaded((m.Decision, m.SecretariatSession), lambda dialect, mark: (
    f"SELECT {Loaded.columns(m.Decision, 'd')}, {Loaded.columns(m.SecretariatSession, 's')} FROM decision d "
    f"JOIN secretariat_session s ON s.id = d.session_id WHERE d.process_id = {mark} AND d.key = {mark}"))


def _open_decision(ctx: Context, key: str) -> tuple[m.Decision, m.SecretariatSession]:
    """The open decision ``key`` and its session (one read), where the actor may act now."""
    found = _WITH_SESSION.first(ctx.db, (ctx.process.id, key))  # through the driver, into ORM objects
    if found is None:
        raise not_found("decision", key)
    decision, session = found
    if decision.status != "open":
        raise refuse("decision_not_open", decision=decision.key, status=decision.status)
    return decision, acting_in(ctx, session)


_VOTE = select(m.Vote).where(m.Vote.decision_id == bindparam("decision_id"),
                             m.Vote.person_id == bindparam("person_id"))  # built once: compiled once


def _positions(ctx: Context, decision: m.Decision) -> dict:
    """Each vote's position by person, of ``decision`` only: plain rows through the driver, in the action's transaction."""
    from storage.plain import Reader

    driver, dialect = direct.connection_of(ctx.db)
    return {v.person_id: v.position for v in Reader(driver, dialect.name).select(
        m.Vote.__tablename__, ("person_id", "position"), {"decision_id": [decision.id]})}


def cast_vote(ctx: Context, d: s.CastVote):
    """A member votes on an open decision, in its own name, while present."""
    if d.member and d.member != ctx.actor.handle:
        raise NotAllowed([reason("vote_only_for_self", actor=ctx.actor.handle, member=d.member)])
    decision, session = _open_decision(ctx, d.decision)
    if ctx.actor.id not in {p.id for p in present_members(ctx, session)}:
        raise refuse("voter_not_present", actor=ctx.actor.handle, session=session.key)
    vote = ctx.db.exec(_VOTE, params={"decision_id": decision.id, "person_id": ctx.actor.id}).first()
    if vote is None:
        vote = m.Vote(decision_id=decision.id, person_id=ctx.actor.id, position=d.position, cast_at=ctx.now)
    vote.position, vote.cast_at = d.position, ctx.now
    ctx.db.add(vote)
    return {"decision": decision.key, "member": ctx.actor.handle, "position": d.position}


def decide(ctx: Context, d: s.Decide):
    """Take an open decision now: the session must be quorate at this moment; the rule
    (consensus, or majority by sector) decides; an adopted decision takes effect at once, and
    is refused whole, changing nothing, if its effect is not possible."""
    decision, session = _open_decision(ctx, d.decision)
    kind = KINDS[decision.kind]
    _check_kind_stage(ctx, kind.name)  # the stage may have moved since the proposal
    proposed_in = decision.payload.get("proposed_in")
    if proposed_in and proposed_in != ctx.process.stage:
        raise refuse("decision_stale", decision=decision.key, kind=decision.kind, proposed_in=proposed_in,
                     stage=ctx.process.stage)
    # One read (one round trip on psycopg) of who sits and, for a move, what it is judged on; the
    # votes of this decision alone (all the process's votes would grow with its decisions).
    move = kind.effect if isinstance(kind.effect, _Move) else None
    judged = () if move is None else reads_for(ctx.process, move.event)
    records = ctx.records(None if judged is None else (*SEATING, *judged) + (("decisions",) if move else ()))
    # an alternate beside its seat's holders neither makes quorum nor votes
    present = counting_members(ctx, session, *seating(ctx, session, records))
    gaps = governance.quorum_gaps(governance.QuorumRule.of(ctx.process.quorum), present, session.key)
    if gaps:
        raise Refused(gaps)
    votes = _positions(ctx, decision)
    adopted, tally = governance.outcome(decision.rule, present, votes, kind.joint,
                                        (ctx.process.quorum or {}).get("sectors", {}))
    decided = {"status": "adopted" if adopted else "rejected", "decided_at": ctx.now, "tally": tally}
    direct.update(ctx.db, decision, **decided)
    ctx.reason = decision.reason
    result: dict[str, Any] = {"decision": decision.key, "kind": decision.kind, "status": decision.status,
                              "tally": tally}
    if adopted and move is not None:  # judged on the records as they are now: this decision taken
        records.decisions[:] = [row._replace(**decided) if row.id == decision.id else row for row in records.decisions]
        result.update(move(ctx, decision, records))
    elif adopted:
        result.update(kind.effect(ctx, decision))
    return result
