"""Compliance as a gate: what the compliance report says about leaving a stage.

- The gate: a process may require that every basic requirement due at the end of a stage is
  met before it leaves that stage (``configure_compliance`` with ``gate``; on in every
  template, lifted only by a decision). Each failing rule becomes a reason with code
  ``compliance_<rule_id>``, listed with the stage's own exit criteria. Rules that run on the
  calendar (``due`` None) never gate: a missed date cannot be mended by acting before the move.
- The close: a process that acts contrary to process (OGP's procedural review: the report's
  causes (a) late plan, (b) minimum requirement missed, (c) no progress;
  :func:`compliance.report.contrary_to_process`) is closed only by an adopted decision of the
  secretariat to close it contrary to process, with its reason; a plain close is refused
  (``close_contrary_needs_decision``, naming the causes and their requirements). A decision
  to close contrary to process is refused when the report finds no cause
  (``close_not_contrary``): the record never says more than the report.

``workflow.moves.blockers`` calls :func:`move_reasons` for ``advance`` and ``close``. A close
runs the whole report (the gate's outcomes and the close's causes from one run); an advance
judges only the rules the gate judges (:func:`gated_rules`), each as the report judges it
(:func:`compliance.report.judge`), on the records they read (:func:`gate_reads`, what
``workflow.moves.reads_for`` loads).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

from i18n import Lazy
from stages import Records
from stages.errors import Reason
from stages.clock import SystemClock
from stages.errors import RuleSetInvalid

from .facts import Facts
from .reasons import GATE, MESSAGES
from .model import NOT_ENOUGH_DATA, NOT_MET, Rule
from .report import Outcome, Report, cause_messages, judge, reads_for_causes, run
from .rules import BY_ID
from .rulesets import RuleSet, gate_enabled, resolve


def move_reasons(records: Records, event: str, now: dt.datetime | None = None, *,
                 contrary: bool = False, like: Facts | None = None) -> list[Reason]:
    """What the compliance report holds against ``event`` (``advance`` or ``close``) now: with
    the gate, the failing basic requirements due at the end of the stage; for a close, the
    process acting contrary to process without a decision saying so (``contrary``: the close is
    that decision's effect), or such a decision when it does not. ``like``: the facts of a
    report already judged on the same records (their indexes are not made again)."""
    stage = records.process.stage
    gated = gate_enabled(records.process)
    if not gated and event != "close":
        return []
    now = now or SystemClock().now()
    try:
        if event != "close":  # an advance: only the rules the gate judges, as the report judges them
            rs = resolve(records.process)
            facts = Facts(records, rs.settings, now, stage, like)
            return _gate([judge(rule, level, facts) for rule, level in gated_rules(rs, stage)], stage)
        report = closing_report(records, now, like)
    except RuleSetInvalid as exc:
        return list(exc.reasons)
    out = _gate(report.outcomes, stage) if gated else []
    return out + close_reasons(report, contrary)


def gated_rules(rs: RuleSet, stage: str) -> list[tuple[Rule, str]]:
    """The rules of ``rs`` the gate judges leaving ``stage``: basic, due at its end or at any time."""
    return [(BY_ID[rule_id], level) for rule_id, level in rs.rules
            if level == "basic" and BY_ID[rule_id].due in (stage, "*")]


def gate_reads(process) -> tuple[str, ...] | None:
    """The records the gate's rules read leaving ``process``'s stage (``Rule.reads``, the tables of
    :class:`stages.Records`); ``None`` when its rule set does not resolve (the move then reads
    everything, and the gate says what is wrong with the rule set)."""
    try:
        rs = resolve(process)
    except RuleSetInvalid:
        return None
    return tuple(sorted({name for rule, _ in gated_rules(rs, process.stage) for name in rule.reads
                         if name in Records.__dataclass_fields__ and name != "process"}))


def closing_report(records: Records, now: dt.datetime, like: Facts | None = None) -> Report:
    """The report a move is checked against: the process's rule set, as of ``now``, leaving its
    stage (so every requirement due at its end counts as due), judging the rules whose outcomes
    the gate and the causes of acting contrary to process read (every basic rule and the causes'
    own, :func:`compliance.report.reads_for_causes`): the others' outcomes say nothing about a
    move, and the heaviest checks (progress reports, the commitments' template) are advanced."""
    rs = resolve(records.process)
    read = replace(rs, rules=tuple((rule_id, level) for rule_id, level in rs.rules if reads_for_causes(rule_id, level)))
    return run(records, now, ruleset=read, leaving=records.process.stage, like=like)


def close_reasons(report: Report, contrary: bool) -> list[Reason]:
    """A close agrees with the report: contrary to process only by a decision saying so, and
    such a decision only when the report finds a cause."""
    causes = report.contrary["causes"]
    if causes and not contrary:
        code = "close_contrary_needs_decision"
    elif contrary and not causes:
        code = "close_not_contrary"
    else:
        return []
    text = Lazy(lambda lang: MESSAGES[code].render(lang, causes=" ".join(cause_messages(causes, lang))))
    return [Reason(code, text, {"causes": [c[0] for c in causes],
                                "rules": sorted({r for c in causes for r in c[1]})})]


def _gate(outcomes: list[Outcome], stage: str) -> list[Reason]:
    out = []
    for o in outcomes:
        if o.level != "basic" or o.status not in (NOT_MET, NOT_ENOUGH_DATA) or o.rule.due not in (stage, "*"):
            continue
        text = Lazy(lambda lang, o=o: GATE.render(lang, rule=o.rule.title.render(lang), id=o.rule.id,
                                                  summary=o.result.message(lang)))
        out.append(Reason(o.rule.code, text, {"rule": o.rule.id, "status": o.status,
                                               "missing": [i.key for i in o.result.missing]}))
    return out
