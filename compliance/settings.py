"""Every threshold a rule uses, as a named setting with its default and where it comes from.

Tags follow STANDARDS.md: ``V`` read in an OGP source, ``R`` widely reported but not
confirmed, ``cocrea`` our own reading where the standards give no figure. A rule set may
change any default; a process may override them again (``configure_compliance``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from i18n import N_, Msg
from stages import STAGE_NAMES, chronology
from stages.errors import Reason

from .reasons import compliance_reason


@dataclass(frozen=True)
class Setting:
    name: str
    kind: str  # int | int_list | str_list | stage
    default: Any
    text: Msg
    source: str


SETTINGS: dict[str, Setting] = {s.name: s for s in (
    Setting("government_sectors", "str_list",
            ["government", "guarantor", "legislature", "judiciary", "municipality"],
            N_("Sectors that count as government; every other sector is non-government."), "cocrea"),
    Setting("independent_sectors", "str_list", ["civil_society"],
            N_("Sectors whose seats must be held by organisations independent of government and business."), "cocrea"),
    Setting("independence_risk_kinds", "str_list", ["business"],
            N_("Kinds of organisation that put an independent seat's independence at risk."), "cocrea"),
    Setting("forum_max_gap_months", "int", 6,
            N_("Most months between secretariat sessions."), "V"),
    Setting("repository_min_updates", "int", 2,
            N_("Fewest repository publications per window."), "V"),
    Setting("repository_window_months", "int", 12,
            N_("Window (months) for counting repository publications."), "V"),
    Setting("timeline_notice_days", "int", chronology.DEFAULTS["consultation_notice_days"],
            N_("Days the timeline must precede the first consultation activity."), "R"),
    Setting("outreach_min_activities", "int", 1,
            N_("Fewest outreach activities before the consultation closes."), "R"),
    Setting("consultation_min_days", "int", chronology.DEFAULTS["consultation_min_days"],
            N_("Fewest days during which input is received."), "R"),
    Setting("consultation_min_sectors", "int", 2,
            N_("Fewest distinct sectors among those who gave input."), "cocrea"),
    Setting("materials_notice_hours", "int", 0,
            N_("Fewest hours between publishing the agenda and the session (0: any time before)."), "cocrea"),
    Setting("minutes_max_days", "int", 30,
            N_("Most days to publish the minutes of a closed session."), "cocrea"),
    Setting("implementation_starts_at", "stage", "monitoring",
            N_("Stage at which implementation starts."), "cocrea"),
    Setting("implementation_min_sessions_per_year", "int", 2,
            N_("Fewest sessions with civil society per implementation year."), "V"),
    Setting("progress_max_months", "int", 6,
            N_("Most months without a progress report for a started, unfinished activity."), "R"),
    Setting("plan_cadence_months", "int", 12,
            N_("Most months between the previous plan's end and the new plan's publication."), "V"),
    Setting("plan_durations_months", "int_list", [24, 48],
            N_("Allowed plan durations, in months (empty: any)."), "V"),
    Setting("completion_substantial_from", "int", 50,
            N_("Mean progress percent from which completion is 'substantial' (IRM)."), "cocrea"),
)}


def defaults() -> dict[str, Any]:
    return {name: s.default for name, s in SETTINGS.items()}


def validate(values: Any, where: str = "settings") -> tuple[dict[str, Any], list[Reason]]:
    """The values that are valid, and a reason for each that is not."""
    if not isinstance(values, dict):
        return {}, [compliance_reason("compliance_bad_setting", field=where, problem="not_a_mapping")]
    good: dict[str, Any] = {}
    problems: list[Reason] = []
    for name, value in values.items():
        spec = SETTINGS.get(name)
        problem, details = None, {}
        if spec is None:
            problem, details = "unknown", {"known": ", ".join(SETTINGS)}
        elif spec.kind == "int" and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            problem = "not_a_whole_number"
        elif spec.kind == "int_list" and not (isinstance(value, list) and all(
                isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)):
            problem = "not_a_list_of_numbers"
        elif spec.kind == "str_list" and not (isinstance(value, list) and all(isinstance(v, str) and v for v in value)):
            problem = "not_a_list_of_texts"
        elif spec.kind == "stage" and value not in STAGE_NAMES:
            problem, details = "not_a_stage", {"known": ", ".join(STAGE_NAMES), "value": value}
        if problem:
            problems.append(compliance_reason("compliance_bad_setting", field=f"{where}.{name}", problem=problem,
                                              **details))
        else:
            good[name] = value
    return good, problems
