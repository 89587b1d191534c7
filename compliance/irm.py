"""Commitment assessment in the IRM's terms, and the guide's ambition levels.

Derived from the records where the records can tell: verifiability (a clear objective and
activities with a deliverable and dates), relevance (the axes), completion (the latest
progress report of each activity), starred (older reports). Recorded by the secretariat
where judgement is needed (``assess_commitment``): potential for results, the older
potential-impact scale for historical plans, early results, notes. The report shows which
is which.
"""
from __future__ import annotations

import functools

from typing import Any

from i18n import N_, Msg
from stages.commitments import AMBITION, CORE_AXES

from .facts import Facts
from .messages import LABELS, VALUES

POTENTIAL_FOR_RESULTS = ("unclear", "modest", "substantial")
POTENTIAL_IMPACT = ("none", "minor", "moderate", "transformative")
COMPLETION = ("no_evidence", "not_started", "limited", "substantial", "complete")
EARLY_RESULTS = ("worsened", "did_not_change", "marginal", "major", "outstanding")
JUDGEMENT_FIELDS = ("potential_for_results", "potential_impact", "early_results")

#: The guide's table "Niveles de apertura en un Gobierno Abierto": examples per level and axis.
OPENNESS: dict[str, dict[str, tuple[Msg, ...]]] = {
    "innovative": {
        "transparency": (N_("Transparency portals with citizen input"),
                         N_("Mechanisms for citizens to use data")),
        "accountability": (N_("Citizen oversight portals and mechanisms"),
                           N_("Follow-up and feedback mechanisms on government action")),
        "participation": (N_("Multi-stakeholder co-creation"),
                          N_("Citizen deliberation"), N_("Co-implementation")),
        "innovation": (N_("A digital platform or medium that enables citizen participation"),
                       N_("Information for specialists and citizens")),
    },
    "proactive": {
        "transparency": (N_("Transparency portals"), N_("Proactive transparency"),
                         N_("Open data")),
        "accountability": (N_("Tracking and visualising corruption cases"),
                           N_("Monitoring information on government action")),
        "participation": (N_("Citizen input and argument"),
                          N_("Citizen deliberation"), N_("Citizen monitoring")),
        "innovation": (N_("An informative portal or digital medium"),),
    },
    "structural": {
        "transparency": (N_("Reports, information and data on government action"),),
        "accountability": (N_("Reports, information and data on government action"),),
        "participation": (N_("Citizen consultations"),),
        "innovation": (N_("An informative portal or digital medium"),),
    },
}


@functools.cache
def _value(code: str | None, lang: str) -> str | None:
    """A value's label in ``lang`` (the same for every commitment: worded once)."""
    if code is None:
        return None
    text = VALUES.get(code)
    return text.render(lang) if text else code


@functools.cache
def _examples(level: str, axis: str, lang: str) -> tuple[str, ...]:
    """The examples of openness of ``level`` on ``axis``, in ``lang`` (worded once)."""
    return tuple(t.render(lang) for t in OPENNESS[level].get(axis, ()))


def verifiability(f: Facts, c: Any) -> tuple[str, list[str]]:
    acts = f.activities_by_commitment.get(c.id, [])
    gaps = []
    if not (c.objective or "").strip():
        gaps.append("objective")
    if not acts:
        gaps.append("activities")
    gaps += [f"{a.key}" for a in acts if not (a.deliverable or "").strip() or a.start_date is None or a.end_date is None]
    return ("verifiable" if not gaps else "not_verifiable"), gaps


def completion(f: Facts, c: Any) -> str:
    acts = f.activities_by_commitment.get(c.id, [])
    latest = [f.latest_progress.get(a.id) for a in acts]
    if not acts or all(p is None for p in latest):
        return "no_evidence"
    percents = [(p.percent if p is not None else 0) for p in latest]
    if all(p is not None and (p.status == "completed" or p.percent >= 100) for p in latest):
        return "complete"
    if all(x == 0 for x in percents) and all(p is None or p.status == "not_started" for p in latest):
        return "not_started"
    mean = sum(percents) / len(percents)
    return "substantial" if mean >= f.s["completion_substantial_from"] else "limited"


def latest_assessments(f: Facts) -> dict[int, Any]:
    out: dict[int, Any] = {}
    for a in sorted(getattr(f.r, "commitment_assessments", []) or [], key=lambda a: (a.assessed_at, getattr(a, "id", 0) or 0)):
        out[a.commitment_id] = a
    return out


def ambition_guidance(level: str | None, axes: list[str], lang: str) -> dict[str, Any]:
    if level not in AMBITION:
        return {"level": None, "examples": {}, "next_level": None, "next_examples": {}}
    nxt = AMBITION[AMBITION.index(level) + 1] if AMBITION.index(level) + 1 < len(AMBITION) else None

    def examples(lvl: str) -> dict[str, list[str]]:
        return {ax: list(_examples(lvl, ax, lang)) for ax in axes if ax in OPENNESS[lvl]}

    return {"level": level, "level_label": _value(level, lang), "examples": examples(level),
            "next_level": nxt, "next_level_label": _value(nxt, lang), "next_examples": examples(nxt) if nxt else {}}


def assess(f: Facts, lang: str = "es") -> list[dict[str, Any]]:
    recorded = latest_assessments(f)
    derived_label, recorded_label = LABELS["derived"].render(lang), LABELS["recorded"].render(lang)
    out = []
    for c in f.r.commitments:
        ver, gaps = verifiability(f, c)
        axes = list(c.axes or [])
        relevant = bool(set(axes) & set(CORE_AXES))
        comp = completion(f, c)
        a = recorded.get(c.id)
        judged = {k: getattr(a, k, None) if a is not None else None for k in JUDGEMENT_FIELDS}
        starred = None
        if judged["potential_impact"] is not None:
            starred = (ver == "verifiable" and relevant and judged["potential_impact"] == "transformative"
                       and comp in ("substantial", "complete"))
        fields = {
            "verifiability": {"value": ver, "label": _value(ver, lang), "source": "derived", "gaps": gaps},
            "relevance": {"value": "relevant" if relevant else "not_relevant",
                          "label": _value("relevant" if relevant else "not_relevant", lang), "source": "derived",
                          "values": [_value(x, lang) for x in axes]},
            "potential_for_results": {"value": judged["potential_for_results"],
                                      "label": _value(judged["potential_for_results"], lang), "source": "recorded"},
            "potential_impact": {"value": judged["potential_impact"], "label": _value(judged["potential_impact"], lang),
                                 "source": "recorded"},
            "completion": {"value": comp, "label": _value(comp, lang), "source": "derived",
                           "final_status": c.final_status},
            "early_results": {"value": judged["early_results"], "label": _value(judged["early_results"], lang),
                              "source": "recorded"},
            "starred": {"value": starred, "label": _value(None if starred is None else ("yes" if starred else "no"), lang),
                        "source": "derived"},
        }
        for v in fields.values():
            v["source_label"] = derived_label if v["source"] == "derived" else recorded_label
        out.append({"key": c.key, "title": c.title, "status": c.status, "axes": axes, "fields": fields,
                    "assessed_on": f.iso(a.assessed_at) if a is not None else None,
                    "notes": (a.notes or "") if a is not None else "",
                    "ambition": ambition_guidance(c.ambition, axes, lang)})
    return out
