"""Compliance as a gate: a process may require that every basic requirement due at the end
of a stage is met before it leaves that stage (``configure_compliance`` with ``gate``).

``workflow.engine.blockers`` calls :func:`gate_reasons` for ``advance`` and ``close``; each
failing rule becomes a reason with code ``compliance_<rule_id>``, listed with the stage's
own exit criteria. Rules that run on the calendar (``due`` None) never gate: a missed date
cannot be mended by acting before the move.
"""
from __future__ import annotations

import datetime as dt

from i18n import Lazy
from stages import Records
from stages.errors import Reason
from stages.clock import SystemClock
from stages.errors import RuleSetInvalid

from .reasons import GATE
from .model import NOT_ENOUGH_DATA, NOT_MET
from .report import run
from .rulesets import gate_enabled, resolve


def gate_reasons(records: Records, stage: str, now: dt.datetime | None = None) -> list[Reason]:
    if not gate_enabled(records.process):
        return []
    try:
        rs = resolve(records.process)
    except RuleSetInvalid as exc:
        return list(exc.reasons)
    report = run(records, now or SystemClock().now(), ruleset=rs, leaving=stage)
    out = []
    for o in report.outcomes:
        if o.level != "basic" or o.status not in (NOT_MET, NOT_ENOUGH_DATA) or o.rule.due not in (stage, "*"):
            continue
        text = Lazy(lambda lang, o=o: GATE.render(lang, rule=o.rule.title.render(lang), id=o.rule.id,
                                                  summary=o.result.message(lang)))
        out.append(Reason(o.rule.code, text, {"rule": o.rule.id, "status": o.status,
                                               "missing": [i.key for i in o.result.missing]}))
    return out
