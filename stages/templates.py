"""Process templates: the settings a new process starts from, as data."""
from __future__ import annotations

from dataclasses import dataclass, field

from i18n import N_, Msg

TRIPARTITE = {"government": 1, "guarantor": 1, "civil_society": 1}


@dataclass(frozen=True)
class Template:
    name: str
    title: Msg
    term_months: int
    ruleset: str
    quorum: dict = field(default_factory=lambda: {"sectors": dict(TRIPARTITE), "min_members": 0})
    #: The template's own numbers for the time rules (``stages.chronology.DEFAULTS`` otherwise).
    chronology: dict = field(default_factory=dict)
    #: Unmet basic requirements due at a stage's end block leaving it (lifted only by a decision).
    compliance_gate: bool = True


TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        Template("federal", N_("OGP national action plan (two-year commitments)"), 24, "ogp-2022"),
        Template("inai_local", N_("INAI local exercise (one-year commitments, 12-month target)"), 12, "inai-local"),
        Template("ogp_local", N_("OGP Local"), 24, "ogp-2022"),
    )
}
