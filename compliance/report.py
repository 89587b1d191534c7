"""Run a rule set over a process's records: results grouped, a summary line, the
"acting contrary to process" flag and the commitments' IRM-style assessment."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from i18n import Lazy, Msg
from stages import BY_NAME, Records
from stages.base import no_cyclic_gc

from . import irm
from .facts import Facts
from .messages import (
    COMPONENT,
    CONTRARY,
    LABELS,
    LEVEL,
    PENDING,
    PHASE,
    STAGE_END,
    STANDARD,
    STATUS,
)
from .model import (
    COMPONENTS,
    NOT_ENOUGH_DATA,
    NOT_MET,
    PHASES,
    STANDARD_GROUPS,
    STATUSES,
    Result,
    Rule,
    as_pending,
    show,
)
from .rules import BY_ID
from .rulesets import RuleSet, resolve

MINIMUM_STANDARDS = ("1", "2", "3", "4", "5")


@dataclass(frozen=True)
class Outcome:
    rule: Rule
    level: str
    result: Result

    @property
    def status(self) -> str:
        return self.result.status


@dataclass
class Report:
    process: Any
    ruleset: RuleSet
    as_of: dt.datetime
    outcomes: list[Outcome]
    facts: Facts
    contrary: dict[str, Any] = field(default_factory=dict)
    governance: dict[str, int] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in STATUSES}
        for o in self.outcomes:
            out[o.status] += 1
        out["total"] = len(self.outcomes)
        out["basic_not_met"] = sum(1 for o in self.outcomes if o.level == "basic" and o.status == NOT_MET)
        out["basic_not_enough_data"] = sum(1 for o in self.outcomes if o.level == "basic" and o.status == NOT_ENOUGH_DATA)
        return out

    @property
    def compliant(self) -> bool:
        c = self.counts()
        return c["basic_not_met"] == 0 and c["basic_not_enough_data"] == 0

    def statuses(self) -> dict[str, str]:
        return {o.rule.id: o.status for o in self.outcomes}

    def failing(self, level: str | None = None) -> list[str]:
        return [o.rule.id for o in self.outcomes if o.status == NOT_MET and (level is None or o.level == level)]

    def groups(self) -> list[tuple[str, Msg, list[Outcome]]]:
        if self.ruleset.group_by == "phase_component":
            keys = [(p, c) for p in PHASES for c in COMPONENTS]
            found = [(f"{p}/{c}", Lazy(lambda lang, p=p, c=c: f"{PHASE[p].render(lang)} · {COMPONENT[c].render(lang)}"),
                      [o for o in self.outcomes if (o.rule.phase, o.rule.component) == (p, c)]) for p, c in keys]
        else:
            found = [(g, STANDARD[g], [o for o in self.outcomes if o.rule.standard == g]) for g in STANDARD_GROUPS]
        return [g for g in found if g[2]]

    def counts_line(self, lang: str = "es") -> str:
        return LABELS["line"].render(lang, **self.counts(), ruleset=self.ruleset.name, version=self.ruleset.version,
                                     as_of=self.facts.iso(self.as_of))

    def verdict(self, lang: str = "es") -> str:
        """The basic requirements in a sentence: all met; how many are not met (and how many lack
        data); or none unmet but some not judged for lack of data. Never "0 not met"."""
        c = self.counts()
        not_met, unknown = c["basic_not_met"], c["basic_not_enough_data"]
        if not not_met and not unknown:
            return LABELS["compliant"].render(lang)
        if not not_met:
            return LABELS["none_unmet_some_unknown"].render(lang, count=unknown)
        parts = [LABELS["not_compliant"].render(lang, count=not_met)]
        if unknown:
            parts.append(LABELS["ned_basic"].render(lang, count=unknown))
        return " ".join(parts)

    def summary_line(self, lang: str = "es") -> str:
        return f"{self.verdict(lang)} {self.counts_line(lang)}"

    def outcome_dict(self, o: Outcome, lang: str) -> dict[str, Any]:
        r = o.result
        settings = {k: self.ruleset.settings[k] for k in o.rule.settings}
        shown = {k: (", ".join(str(x) for x in v) if isinstance(v, list) else v) for k, v in self.ruleset.settings.items()}
        out = {
            "id": o.rule.id, "code": o.rule.code, "title": o.rule.title.render(lang),
            "condition": show(o.rule.condition, lang, shown), "level": o.level, "level_label": LEVEL[o.level].render(lang),
            "standard": o.rule.standard, "phase": o.rule.phase, "component": o.rule.component, "due": o.rule.due,
            "status": r.status, "status_label": STATUS[r.status].render(lang), "pending": r.pending,
            "summary": r.message(lang),
            "evidence": [i.as_dict(lang) for i in r.evidence], "evidence_total": r.evidence_total,
            "missing": [i.as_dict(lang) for i in r.missing], "missing_total": r.missing_total,
            "next_step": r.next_message(lang), "reads": list(o.rule.reads), "settings": settings,
            "pending_note": PENDING.render(lang, due=r.details["_due"].render(lang)) if r.pending else None,
        }
        return out

    def as_dict(self, lang: str = "es") -> dict[str, Any]:
        with no_cyclic_gc():
            return self._as_dict(lang)

    def _as_dict(self, lang: str) -> dict[str, Any]:
        p = self.process
        return {
            "process": {"slug": getattr(p, "slug", None), "name": getattr(p, "name", None), "stage": p.stage,
                        "stage_title": BY_NAME[p.stage].title.render(lang) if p.stage in BY_NAME else None,
                        "suspended_from": getattr(p, "suspended_from", None), "template": getattr(p, "template", None)},
            "ruleset": self.ruleset.as_dict(lang),
            "as_of": self.as_of.isoformat(), "as_of_date": self.facts.iso(self.as_of), "lang": lang,
            "summary": {**self.counts(), "compliant": self.compliant}, "summary_line": self.summary_line(lang),
            "verdict": self.verdict(lang),
            "counts_line": self.counts_line(lang),
            "to_do": self.to_do(lang),
            "contrary_to_process": self.contrary_dict(lang),
            "governance_record": {**self.governance,
                                  "line": LABELS["governance_counts"].render(lang, **self.governance)},
            "groups": [{"key": k, "title": t.render(lang), "rules": [self.outcome_dict(o, lang) for o in os]}
                       for k, t, os in self.groups()],
            "commitments": irm.assess(self.facts, lang),
        }

    def to_do(self, lang: str = "es") -> list[dict[str, Any]]:
        """What to attend to: failing rules (basic first), then failures not due yet."""
        def rank(o: Outcome) -> tuple:
            return (o.result.pending, o.level != "basic", o.status != NOT_MET)

        return [{"id": o.rule.id, "title": o.rule.title.render(lang), "level": o.level,
                 "level_label": LEVEL[o.level].render(lang), "status": o.status,
                 "status_label": STATUS[o.status].render(lang),
                 "pending": o.result.pending, "next_step": o.result.next_message(lang),
                 "pending_note": PENDING.render(lang, due=o.result.details["_due"].render(lang)) if o.result.pending else None}
                for o in sorted(self.outcomes, key=rank)
                if o.status in (NOT_MET, NOT_ENOUGH_DATA) or o.result.pending]

    def contrary_dict(self, lang: str) -> dict[str, Any]:
        c = self.contrary
        done = ((getattr(self.process, "settings", None) or {}).get("compliance") or {}).get("closed_contrary")
        decided = {k: done[k] for k in ("decision", "reason", "at")} if done else None
        return {"flag": c["flag"], "procedural_review": c["procedural_review"], "closed_by_decision": decided,
                "causes": [{"code": code, "rules": rules, "message": message}
                           for (code, rules, _details), message in zip(c["causes"], cause_messages(c["causes"], lang))]}


def cause_messages(causes: list[tuple[str, list[str], dict]], lang: str) -> list[str]:
    """Each cause of :func:`contrary_to_process` in words, its rules named by their titles."""
    return [CONTRARY[code].render(lang, **{**details, "rules": "; ".join(BY_ID[r].title.render(lang) for r in rules)})
            for code, rules, details in causes]


def run(records: Records, as_of: dt.datetime, *, ruleset: RuleSet | None = None, leaving: str | None = None,
        like: Facts | None = None) -> Report:
    """Check every rule of the rule set (the process's own, unless given) as of ``as_of``;
    ``like``: the facts of another report of the same records (:attr:`Facts.RECORD_ONLY`)."""
    rs = ruleset or resolve(records.process)
    facts = Facts(records, rs.settings, as_of, leaving, like)
    with no_cyclic_gc():
        outcomes = [judge(BY_ID[rule_id], level, facts) for rule_id, level in rs.rules]
    report = Report(records.process, rs, facts.as_of, outcomes, facts)
    report.contrary = contrary_to_process(report)
    report.governance = governance_counts(records, facts.as_of)
    return report


def judge(rule: Rule, level: str, facts: Facts) -> Outcome:
    """One rule's outcome: its check, pending while the stage it is due at has not ended."""
    res = rule.check(facts)
    if res.status == NOT_MET and not res.final and rule.due not in (None, "*") and not facts.passed(rule.due):
        res = as_pending(res, STAGE_END[rule.due])
    return Outcome(rule, level, res)


def governance_counts(records: Records, as_of: dt.datetime) -> dict[str, int]:
    """The governance record up to ``as_of``: sectors withdrawing and returning, walk-outs and
    returns, filings under OGP's Response Policy (and how many are still open)."""
    day = as_of.date()
    withdrawals = [w for w in records.withdrawals if w.withdrawn_at <= as_of]
    events = [e for e in records.governance_events if e.occurred_on <= day]
    filings = [e for e in events if e.kind == "response_policy"]
    return {"withdrawals": len(withdrawals),
            "sector_returns": sum(1 for w in withdrawals if w.returned_at and w.returned_at <= as_of),
            "walk_outs": sum(1 for e in events if e.kind == "walk_out"),
            "returns": sum(1 for e in events if e.kind == "return"),
            "filings": len(filings),
            "open_filings": sum(1 for e in filings if e.status not in ("resolved", "dismissed"))}


#: The rules whose outcome is a cause of their own in :func:`contrary_to_process`, whatever their
#: level: (a) a late plan, (c) no progress. The other cause, (b), is read among the basic rules.
CAUSE_RULES = ("plan-cadence", "implementation-progress")


def reads_for_causes(rule_id: str, level: str) -> bool:
    """Whether :func:`contrary_to_process` reads this rule's outcome: every basic rule (a minimum
    requirement is one of them) and :data:`CAUSE_RULES`."""
    return level == "basic" or rule_id in CAUSE_RULES


def contrary_to_process(report: Report) -> dict[str, Any]:
    """OGP's three causes: (a) late plan, (b) a minimum requirement missed, (c) no progress."""
    by_id = {o.rule.id: o for o in report.outcomes}
    causes = []
    cadence = by_id.get(CAUSE_RULES[0])
    if cadence is not None and cadence.status == NOT_MET:
        causes.append(("late_plan", [CAUSE_RULES[0]], {"months": report.ruleset.settings["plan_cadence_months"]}))
    minimum = [o.rule.id for o in report.outcomes
               if o.level == "basic" and o.rule.standard in MINIMUM_STANDARDS and o.status == NOT_MET]
    if minimum:
        causes.append(("minimum_requirement", minimum, {}))
    progress = by_id.get(CAUSE_RULES[1])
    if progress is not None and progress.status == NOT_MET:
        causes.append(("no_progress", [CAUSE_RULES[1]], {}))
    history = (getattr(report.process, "settings", None) or {}).get("plan_history") or {}
    flag = bool(causes)
    return {"flag": flag, "causes": causes, "procedural_review": flag and history.get("previous_plan_acted_contrary") is True}
