"""Actions that feed the compliance checker: which rule set a process follows (and whether it
gates stage moves), custom rule sets, the plan's history, and the IRM-style assessment.

Registered in :data:`workflow.actions.ACTIONS` like every other action: validated, run by
the engine in one transaction, audited. Their input schemas live here, beside them.
"""
from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import Field
from sqlmodel import select

from compliance import gates, rulesets
from compliance import settings as compliance_settings
from compliance.irm import EARLY_RESULTS, POTENTIAL_FOR_RESULTS, POTENTIAL_IMPACT
from i18n import D_
from stages.errors import InvalidInput, Refused, not_found, reason, refuse
from storage import models as m

from .. import engine
from ..engine import Context
from ..schemas import Day, Key, Note, Schema, Short

PotentialForResults = Literal[POTENTIAL_FOR_RESULTS]  # type: ignore[valid-type]
PotentialImpact = Literal[POTENTIAL_IMPACT]  # type: ignore[valid-type]
EarlyResults = Literal[EARLY_RESULTS]  # type: ignore[valid-type]


class ConfigureCompliance(Schema):
    ruleset: Optional[Short] = Field(None, description=D_("rule set to check against (built in or registered)"))
    gate: Optional[bool] = Field(None, description=D_("basic requirements due at a stage's end block leaving it"))
    settings: Optional[dict[str, Any]] = Field(None, description=D_("threshold overrides; null removes one"))


class RegisterRuleset(Schema):
    ruleset: dict[str, Any] = Field(
        description=D_("definition: name, version, base, rules/add/remove, levels, settings"))
    use: bool = Field(False, description=D_("also make it the process's rule set"))


class RecordPlanHistory(Schema):
    first_plan: bool
    previous_plan_ended_on: Optional[Day] = None
    previous_plan_ref: Optional[Short] = None
    previous_plan_acted_contrary: Optional[bool] = Field(
        None, description=D_("the previous plan was found contrary to process"))


class AssessCommitment(Schema):
    commitment: Key
    potential_for_results: Optional[PotentialForResults] = None
    potential_impact: Optional[PotentialImpact] = Field(None, description=D_("older scale, for historical plans"))
    early_results: Optional[EarlyResults] = None
    notes: Note = ""


def _compliance_conf(ctx: Context) -> dict:
    return dict((ctx.process.settings or {}).get("compliance") or {})


def _store(ctx: Context, key: str, value: Any) -> None:
    ctx.process.settings = {**(ctx.process.settings or {}), key: value}
    ctx.db.add(ctx.process)


def configure_compliance(ctx: Context, d: ConfigureCompliance):
    """Choose the compliance rule set, turn the compliance gate on (only a decision of the
    secretariat lifts it), override thresholds."""
    if d.ruleset is None and d.gate is None and d.settings is None:
        raise InvalidInput([reason("nothing_to_configure")])
    conf = _compliance_conf(ctx)
    if d.settings is not None:
        current = dict(conf.get("settings") or {})
        removals = [k for k, v in d.settings.items() if v is None]
        good, problems = compliance_settings.validate({k: v for k, v in d.settings.items() if v is not None})
        if problems:
            raise InvalidInput(problems)
        for k in removals:
            current.pop(k, None)
        conf["settings"] = {**current, **good}
    if d.gate is False and conf.get("gate"):
        raise refuse("compliance_gate_lifted_only_by_decision")
    if d.gate:
        conf["gate"], conf["lifted"] = True, None
    _store(ctx, "compliance", conf)
    if d.ruleset is not None:
        try:
            rulesets.resolve(ctx.process, d.ruleset)
        except rulesets.RuleSetInvalid as exc:
            raise InvalidInput(exc.reasons) from None
        ctx.process.ruleset = d.ruleset
    rs = rulesets.resolve(ctx.process)
    return {"ruleset": rs.name, "version": rs.version, "gate": bool(conf.get("gate")),
            "settings": conf.get("settings") or {}}


def lift_gate(ctx: Context, decision: m.Decision) -> dict:
    """The effect of an adopted ``lift_compliance_gate``: the gate is off, and the public record
    says by which decision, when and why."""
    conf = _compliance_conf(ctx)
    if not conf.get("gate"):
        raise refuse("compliance_gate_already_off")
    conf["gate"] = False
    conf["lifted"] = {"decision": decision.key, "reason": decision.reason, "at": ctx.now.isoformat()}
    _store(ctx, "compliance", conf)
    return {"gate": False}


def check_close_contrary(ctx: Context) -> None:
    """A motion to close acting contrary to process is put only when the compliance report finds
    a cause for it (``close_not_contrary`` otherwise); checked again when it is decided."""
    found = gates.close_reasons(gates.closing_report(ctx.records(), ctx.now), contrary=True)
    if found:
        raise Refused(found)


def close_contrary(ctx: Context, decision: m.Decision) -> dict:
    """The effect of an adopted ``close_contrary_to_process``: the process is closed (its stage's
    exit criteria and the gate still apply), and the public record says it closed acting
    contrary to process: by which decision, when, why, and the report's causes that day."""
    causes = gates.closing_report(ctx.records(), ctx.now).contrary["causes"]
    change = engine.move(ctx, "close", decision_id=decision.id, reason_text=decision.reason, contrary=True)
    conf = _compliance_conf(ctx)
    conf["closed_contrary"] = {"decision": decision.key, "reason": decision.reason, "at": ctx.now.isoformat(),
                               "causes": [code for code, _rules, _details in causes],
                               "rules": sorted({r for _code, rules, _details in causes for r in rules})}
    _store(ctx, "compliance", conf)
    return {"from": change.from_stage, "stage": change.to_stage, "contrary_to_process": conf["closed_contrary"]["causes"]}


def gate_is_on(ctx: Context) -> bool:
    return bool(_compliance_conf(ctx).get("gate"))


def register_ruleset(ctx: Context, d: RegisterRuleset):
    """Register (or replace with a new version) a rule set of the secretariat's own."""
    try:
        rs = rulesets.parse(d.ruleset)
    except rulesets.RuleSetInvalid as exc:
        raise InvalidInput(exc.reasons) from None
    conf = _compliance_conf(ctx)
    conf["rulesets"] = {**(conf.get("rulesets") or {}), rs.name: d.ruleset}
    _store(ctx, "compliance", conf)
    if d.use:
        ctx.process.ruleset = rs.name
    return {"ruleset": rs.name, "version": rs.version, "rules": len(rs.rules), "in_use": ctx.process.ruleset == rs.name}


def record_plan_history(ctx: Context, d: RecordPlanHistory):
    """Record whether this is the first plan, and when the previous one ended (plan cadence)."""
    if not d.first_plan and d.previous_plan_ended_on is None:
        raise InvalidInput([reason("previous_plan_end_required")])
    history = {"first_plan": d.first_plan,
               "previous_plan_ended_on": None if d.first_plan else d.previous_plan_ended_on.isoformat(),
               "previous_plan_ref": d.previous_plan_ref, "previous_plan_acted_contrary": d.previous_plan_acted_contrary}
    _store(ctx, "plan_history", history)
    return {"plan_history": history}


def assess_commitment(ctx: Context, d: AssessCommitment):
    """Record the secretariat's IRM-style judgement of a commitment (the latest one counts)."""
    row = ctx.db.exec(select(m.Commitment).where(m.Commitment.process_id == ctx.process.id,
                                                 m.Commitment.key == d.commitment)).first()
    if row is None:
        raise not_found("commitment", d.commitment)
    if row.status != "agreed":
        raise refuse("commitment_not_agreed", commitment=d.commitment)
    if d.potential_for_results is None and d.potential_impact is None and d.early_results is None:
        raise InvalidInput([reason("assessment_empty")])
    ctx.db.add(m.CommitmentAssessment(process_id=ctx.process.id, commitment_id=row.id,
                                      potential_for_results=d.potential_for_results, potential_impact=d.potential_impact,
                                      early_results=d.early_results, notes=d.notes, assessed_by=ctx.actor.handle,
                                      assessed_at=ctx.now))
    return {"commitment": d.commitment, **d.model_dump(exclude={"commitment", "notes"}, exclude_none=True)}

