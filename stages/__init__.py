"""The eight co-creation stages, in order: pure specs, validated at import.

``STAGES`` is the only registry: an explicit tuple, no registration by side effect.
"""
from __future__ import annotations

from . import (
    causes,
    chronology,
    commitments,
    consultation,
    declaration,
    monitoring,
    planning,
    reminders,
    routes,
    sensitization,
)
from .base import Criterion, Records, Stage, add_months
from .errors import Reason, SpecError
from .templates import TEMPLATES, Template

SPEC_VERSION = "2026.1"

STAGES: tuple[Stage, ...] = (
    declaration.STAGE,
    consultation.STAGE,
    sensitization.STAGE,
    planning.STAGE,
    causes.STAGE,
    commitments.STAGE,
    routes.STAGE,
    monitoring.STAGE,
)

STAGE_NAMES: tuple[str, ...] = tuple(s.name for s in STAGES)
CLOSED = "closed"
SUSPENDED = "suspended"
#: The moves between stages (the machine in ``workflow.machine`` says which go where).
EVENTS: tuple[str, ...] = ("advance", "suspend", "resume", "reopen", "close")
#: What the secretariat can decide: a move, the plan's commitments, the quorum rule, anything else.
DECISION_KINDS: tuple[str, ...] = (*EVENTS, "approve_commitments", "amend_commitment", "set_quorum_rule",
                                   "lift_compliance_gate", "close_contrary_to_process", "general",
                                   "open_public_comment")
BY_NAME: dict[str, Stage] = {s.name: s for s in STAGES}


def _by_stage(attr: str) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for stage in STAGES:
        for name in getattr(stage, attr):
            out[name] = out.get(name, ()) + (stage.name,)
    return out


#: Every rule of time and coherence of the records, by code (``stages.chronology``).
_TIME_RULES = (*chronology.GENERAL, *consultation.TIME_RULES, *monitoring.TIME_RULES)
TIME_RULES = {r.code: r for r in _TIME_RULES}

#: Stage-content action -> the stages it may be recorded in (``Stage.records``).
RECORDED_IN: dict[str, tuple[str, ...]] = _by_stage("records")
#: Plan decision kind -> the stages it may be proposed and decided in (``Stage.decisions``).
DECIDED_IN: dict[str, tuple[str, ...]] = _by_stage("decisions")


def _validate() -> None:
    expected = ("declaration", "consultation", "sensitization", "planning", "causes",
                "commitments", "routes", "monitoring")
    if STAGE_NAMES != expected:
        raise SpecError(f"stage order is {STAGE_NAMES}, expected {expected}")
    codes = [c.code for s in STAGES for c in s.criteria] + [r.code for r in _TIME_RULES]
    duplicated = {c for c in codes if codes.count(c) > 1}
    if duplicated:
        raise SpecError(f"criterion codes used twice: {sorted(duplicated)}")
    for code in codes:
        if not code.replace("_", "").isalnum() or code != code.lower():
            raise SpecError(f"criterion code {code!r} is not snake_case")


_validate()
reminders.validate_rules(STAGE_NAMES)

__all__ = ["STAGES", "STAGE_NAMES", "BY_NAME", "RECORDED_IN", "DECIDED_IN", "EVENTS", "DECISION_KINDS", "TIME_RULES", "CLOSED", "SUSPENDED", "SPEC_VERSION", "Stage",
           "Criterion", "Reason", "Records", "TEMPLATES", "Template", "add_months"]
