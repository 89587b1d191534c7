"""Every rule the checker knows, in one explicit ordered registry (no registration by import).

Each rule states its pass condition (``condition``), the 2022 standard it serves, its cell
in the 2017 grid (phase x component), its default level, the stage at whose end it is due,
the records it reads and the settings it uses. Rule sets (``compliance.rulesets``) pick
rules from here and may change their level and settings.
"""
from __future__ import annotations

from i18n import N_, NN_
from stages import STAGE_NAMES
from stages.errors import SpecError

from . import rules_cycle as cy
from . import rules_development as dv
from . import rules_implementation as im
from . import rules_seats as se
from .model import COMPONENTS, LEVELS, PHASES, STANDARD_GROUPS, Rule
from .settings import SETTINGS


def _r(id, title, condition, standard, phase, component, level, due, reads, settings, check) -> Rule:
    return Rule(id, title, condition, standard, phase, component, level, due, tuple(reads), tuple(settings), check)


RULES: tuple[Rule, ...] = (
    _r("forum-mixed", N_("Mixed secretariat with the required sectors"),
       N_("Before the consultation starts there is at least one government and one non-government member, and every required sector is seated."),
       "1", "throughout", "ownership", "basic", "declaration", ("people", "withdrawals", "stage_changes"),
       ("government_sectors",), cy.forum_mixed),
    _r("forum-cadence", N_("The secretariat meets regularly"),
       N_("From installation to now (or the close) no more than {forum_max_gap_months} months pass between sessions held."),
       "1", "throughout", "dialogue", "basic", None, ("sessions", "attendance"), ("forum_max_gap_months",), cy.forum_cadence),
    _r("forum-rules-public", N_("The secretariat's rules are public"),
       N_("The secretariat's operating and participation rules are published as a public document."),
       "1", "throughout", "ownership", "basic", "declaration", ("documents",), (), cy.forum_rules_public),
    _r("non-government-approval", N_("Plan approved with civil society's agreement"),
       N_("Every agreed version of every commitment was approved by a decision with non-government members present and not objecting (consensus), or voting for it by sector (majority)."),
       "1", "development", "ownership", "basic", "commitments", ("commitments", "commitment_versions", "decisions", "people"),
       ("government_sectors",), dv.non_government_approval),
    _r("seat-independence", N_("Independent seats held by independent organisations"),
       N_("No seat of a sector that must be independent ({independent_sectors:sector}) is held by an organisation of "
          "a kind that puts its independence at risk ({independence_risk_kinds:organisation_kind})."),
       "1", "throughout", "ownership", "advanced", None, ("people", "withdrawals"),
       ("independent_sectors", "independence_risk_kinds"), se.seat_independence),
    _r("website", N_("Public page of the process"),
       N_("The process has a public web page (recorded with its web address) from before the consultation starts."),
       "2", "throughout", "dissemination", "basic", "declaration", ("documents", "stage_changes"), (), cy.website),
    _r("repository-cadence", N_("Repository kept up to date"),
       N_("Every {repository_window_months}-month window of the cycle has at least {repository_min_updates} dated publications in the repository."),
       "2", "throughout", "dissemination", "basic", None, ("documents",), ("repository_min_updates", "repository_window_months"),
       cy.repository_cadence),
    _r("stage-evidence", N_("Public evidence of every stage"),
       N_("Every ended stage has at least one public document attributed to it."),
       "2", "throughout", "dissemination", "advanced", "*", ("documents", "stage_changes"), (), cy.stage_evidence),
    _r("minutes-published", N_("Public minutes of the sessions"),
       N_("The minutes of every closed session are published within {minutes_max_days} days."),
       "2", "throughout", "dissemination", "advanced", None, ("sessions",), ("minutes_max_days",), cy.minutes_published),
    _r("materials-before-meetings", N_("Information before each session"),
       N_("Each session's agenda and materials are published before it (at least {materials_notice_hours} h before)."),
       "2", "throughout", "dissemination", "basic", None, ("sessions",), ("materials_notice_hours",), cy.materials_before_meetings),
    _r("progress-reported", N_("Progress reported regularly"),
       N_("During implementation, no started activity goes more than {progress_max_months} months without a progress report until it is completed."),
       "2", "implementation", "dissemination", "advanced", None, ("activities", "progress_reports", "stage_changes"),
       ("progress_max_months", "implementation_starts_at"), im.progress_reported),
    _r("timeline-notice", N_("Timeline published in advance"),
       N_("The timeline and ways to take part are published at least {timeline_notice_days} days before the first consultation activity."),
       "3", "development", "dissemination", "basic", "consultation", ("documents", "channels"), ("timeline_notice_days",),
       dv.timeline_notice),
    _r("outreach", N_("Outreach about the consultation"),
       NN_("At least {outreach_min_activities} outreach activity recorded before the consultation closes.",
           "At least {outreach_min_activities} outreach activities recorded before the consultation closes.",
           count="outreach_min_activities"),
       "3", "development", "dissemination", "basic", "consultation", ("documents", "channels"), ("outreach_min_activities",),
       dv.outreach),
    _r("channels", N_("Online and in-person channels"),
       N_("The consultation has at least one online and one in-person channel."),
       "3", "development", "dialogue", "basic", "consultation", ("channels",), (), dv.channels),
    _r("channel-excluded-groups", N_("A channel for excluded groups"),
       N_("At least one consultation channel is aimed at traditionally excluded groups."),
       "3", "development", "dialogue", "advanced", "consultation", ("channels",), (), dv.channel_excluded_groups),
    _r("open-participation", N_("Participation open to anyone"),
       N_("At least one consultation activity is open to anyone."),
       "3", "development", "dialogue", "advanced", "consultation", ("channels",), (), dv.open_participation),
    _r("consultation-period", N_("A reasonable period and a range of stakeholders"),
       N_("The consultation takes input for at least {consultation_min_days} days, from at least {consultation_min_sectors} sectors."),
       "3", "development", "dialogue", "basic", "consultation", ("channels", "inputs"),
       ("consultation_min_days", "consultation_min_sectors"), dv.consultation_period),
    _r("inputs-documented", N_("Inputs documented"),
       N_("A public report of the consultation (personal data removed) is published after the last input."),
       "4", "development", "dissemination", "basic", "consultation", ("inputs", "documents"), (), dv.inputs_documented),
    _r("reasoned-response", N_("A reasoned response to every input"),
       N_("Every input has a disposition (adopted, merged, not adopted) and a rationale, recorded before the plan is published."),
       "4", "development", "dissemination", "basic", "consultation", ("inputs", "documents"), (), dv.reasoned_response),
    _r("implementation-dialogue", N_("Dialogue with civil society during implementation"),
       N_("During implementation, the secretariat meets with civil society at least {implementation_min_sessions_per_year} times a year."),
       "5", "implementation", "dialogue", "basic", None, ("sessions", "attendance", "people", "stage_changes"),
       ("implementation_min_sessions_per_year", "implementation_starts_at", "government_sectors"), im.implementation_dialogue),
    _r("commitment-template", N_("A complete template for every commitment"),
       N_("Every agreed commitment has a problem, objective, expected result, axes, end date, agency, at least one milestone and a baseline."),
       "commitments", "development", "ownership", "advanced", "routes", ("commitments", "activities", "indicators"), (),
       dv.commitment_template),
    _r("milestones-verifiable", N_("Verifiable milestones"),
       N_("Every activity has a verifiable deliverable, a responsible agency, and dates with start <= end inside the plan's term."),
       "commitments", "development", "ownership", "basic", "routes", ("activities",), (), dv.milestones_verifiable),
    _r("relevance", N_("Relevance to OGP values"),
       N_("Every commitment advances transparency, civic participation or accountability (innovation counts only on top of one)."),
       "commitments", "development", "ownership", "basic", "commitments", ("commitments",), (), dv.relevance),
    _r("result-indicators", N_("Result indicators"),
       N_("Every agreed commitment's route has at least one result indicator, not only management ones."),
       "commitments", "implementation", "ownership", "advanced", "routes", ("commitments", "indicators"), (), dv.result_indicators),
    _r("plan-cadence", N_("New plan on time"),
       N_("The plan is published within {plan_cadence_months} months of the previous plan's end."),
       "process", "throughout", "ownership", "basic", None, ("process.settings.plan_history", "documents"),
       ("plan_cadence_months",), cy.plan_cadence),
    _r("plan-duration", N_("Allowed plan duration"),
       N_("The plan's duration is one the rule set allows: {plan_durations_months} months."),
       "process", "throughout", "ownership", "basic", None, ("process.term_months",), ("plan_durations_months",), cy.plan_duration),
    _r("implementation-progress", N_("Implementation progress"),
       N_("By the end of the plan, at least one commitment moved past 'not started'."),
       "process", "implementation", "ownership", "basic", "monitoring", ("commitments", "activities", "progress_reports"),
       ("implementation_starts_at",), im.implementation_progress),
    _r("declaration-signed", N_("Declaration signed"),
       N_("The declaration of political will is signed by the executive and the guarantor body, with date and document."),
       "process", "throughout", "ownership", "basic", "declaration", ("declarations",), (), cy.declaration_signed),
)

BY_ID: dict[str, Rule] = {r.id: r for r in RULES}


def _validate() -> None:
    ids = [r.id for r in RULES]
    if len(ids) != len(set(ids)):
        raise SpecError("rule ids used twice")
    for r in RULES:
        if r.standard not in STANDARD_GROUPS or r.phase not in PHASES or r.component not in COMPONENTS:
            raise SpecError(f"rule {r.id}: bad grouping")
        if r.level not in LEVELS:
            raise SpecError(f"rule {r.id}: bad level")
        if r.due not in (None, "*", *STAGE_NAMES):
            raise SpecError(f"rule {r.id}: bad due stage {r.due}")
        unknown = set(r.settings) - set(SETTINGS)
        if unknown:
            raise SpecError(f"rule {r.id}: unknown settings {sorted(unknown)}")


_validate()
