"""The human name of every code of the domain, by kind: stages, sectors, moves, decision kinds,
roles, channel kinds, statuses, axes, document kinds, actions...

One place for the vocabulary a reader sees. Codes are never shown raw inside a sentence: a
message names the kind of a field in its template (``"the process is in {stage:stage}"``) and
:func:`render` puts the label in the reader's language. An unknown code shows as it is.

Why one module: one table of labels per kind of code, read together by every
message; split, a label could be added to one table and forgotten in another.
"""
from __future__ import annotations

import string
from typing import Any, Iterable

from i18n import NC_, Msg

TERMS: dict[str, dict[str, Msg]] = {
    "stage": {
        "declaration": NC_("stage", "Joining open government"),
        "consultation": NC_("stage", "Consultation on the themes"),
        "sensitization": NC_("stage", "Sensitization of strategic actors"),
        "planning": NC_("stage", "Planning the working tables"),
        "causes": NC_("stage", "Finding the causes of public problems"),
        "commitments": NC_("stage", "Drafting the commitments"),
        "routes": NC_("stage", "Implementation routes"),
        "monitoring": NC_("stage", "Monitoring"),
        "suspended": NC_("stage", "suspended"),
        "closed": NC_("stage", "closed"),
    },
    "sector": {
        "government": NC_("sector", "government (executive)"),
        "guarantor": NC_("sector", "guarantor body"),
        "civil_society": NC_("sector", "civil society"),
        "legislature": NC_("sector", "legislature"),
        "judiciary": NC_("sector", "judiciary"),
        "municipality": NC_("sector", "municipality"),
        "academia": NC_("sector", "academia"),
        "business": NC_("sector", "business"),
        "citizen": NC_("sector", "citizens"),
    },
    "event": {
        "advance": NC_("event", "advance to the next stage"),
        "suspend": NC_("event", "suspend the process"),
        "resume": NC_("event", "resume the process"),
        "reopen": NC_("event", "reopen an earlier stage"),
        "close": NC_("event", "close the process"),
        "create": NC_("event", "creation of the process"),
    },
    "decision_kind": {
        "advance": NC_("decision_kind", "advance to the next stage"),
        "suspend": NC_("decision_kind", "suspend the process"),
        "resume": NC_("decision_kind", "resume the process"),
        "reopen": NC_("decision_kind", "reopen an earlier stage"),
        "close": NC_("decision_kind", "close the process"),
        "approve_commitments": NC_("decision_kind", "approve the commitments"),
        "amend_commitment": NC_("decision_kind", "amend a commitment"),
        "set_quorum_rule": NC_("decision_kind", "change the quorum rule"),
        "lift_compliance_gate": NC_("decision_kind", "lift the compliance gate"),
        "close_contrary_to_process": NC_("decision_kind", "close the process acting contrary to process"),
        "general": NC_("decision_kind", "general agreement"),
        "open_public_comment": NC_("decision_kind", "open the draft commitments for public comment"),
    },
    "rule": {
        "consensus": NC_("rule", "consensus"),
        "majority": NC_("rule", "majority by sector"),
    },
    "position": {
        "for": NC_("position", "for"),
        "against": NC_("position", "against"),
        "abstain": NC_("position", "abstention"),
    },
    "decision_status": {
        "open": NC_("decision_status", "open"),
        "adopted": NC_("decision_status", "adopted"),
        "rejected": NC_("decision_status", "rejected"),
    },
    "session_status": {
        "open": NC_("session_status", "open"),
        "closed": NC_("session_status", "closed"),
    },
    "role": {
        "coordinator": NC_("role", "coordinator"),
        "member": NC_("role", "secretariat member"),
        "liaison": NC_("role", "agency liaison"),
        "public": NC_("role", "anyone on the public site"),
    },
    "channel_kind": {
        "online": NC_("channel_kind", "online"),
        "survey": NC_("channel_kind", "survey"),
        "workshop": NC_("channel_kind", "workshop"),
        "regional_table": NC_("channel_kind", "regional table"),
        "suggestion_box": NC_("channel_kind", "suggestion box"),
        "assembly": NC_("channel_kind", "assembly"),
        "other": NC_("channel_kind", "other"),
    },
    "disposition": {
        "adopted": NC_("disposition", "adopted"),
        "merged": NC_("disposition", "merged"),
        "not_adopted": NC_("disposition", "not adopted"),
    },
    "activity_status": {
        "completed": NC_("activity_status", "completed"),
        "in_progress": NC_("activity_status", "in progress"),
        "delayed": NC_("activity_status", "delayed"),
        "not_started": NC_("activity_status", "not started"),
    },
    "final_status": {
        "fulfilled": NC_("final_status", "fulfilled"),
        "partially_fulfilled": NC_("final_status", "partially fulfilled"),
        "not_fulfilled": NC_("final_status", "not fulfilled"),
    },
    "commitment_status": {
        "draft": NC_("commitment_status", "draft"),
        "agreed": NC_("commitment_status", "agreed"),
    },
    "axis": {
        "transparency": NC_("axis", "transparency"),
        "participation": NC_("axis", "citizen participation"),
        "accountability": NC_("axis", "accountability"),
        "innovation": NC_("axis", "innovation"),
    },
    "ambition": {
        "structural": NC_("ambition", "structural"),
        "proactive": NC_("ambition", "proactive"),
        "innovative": NC_("ambition", "innovative"),
    },
    "indicator_kind": {
        "result": NC_("indicator_kind", "result"),
        "management": NC_("indicator_kind", "management"),
    },
    "public_event": {
        "midterm": NC_("public_event", "mid-term event"),
        "closing": NC_("public_event", "closing event"),
    },
    "document_kind": {
        "rules": NC_("document_kind", "rules"),
        "timeline": NC_("document_kind", "timeline"),
        "agenda": NC_("document_kind", "agenda"),
        "minutes": NC_("document_kind", "minutes"),
        "call": NC_("document_kind", "call"),
        "report": NC_("document_kind", "report"),
        "evidence": NC_("document_kind", "evidence"),
        "declaration": NC_("document_kind", "declaration"),
        "plan": NC_("document_kind", "action plan"),
        "other": NC_("document_kind", "other"),
        "website": NC_("document_kind", "website"),
        "outreach": NC_("document_kind", "outreach"),
        "consultation_report": NC_("document_kind", "consultation report"),
        "event_midterm": NC_("document_kind", "minutes of the mid-term event"),
        "event_closing": NC_("document_kind", "minutes of the closing event"),
    },
    "template": {
        "federal": NC_("template", "national plan (federal)"),
        "inai_local": NC_("template", "INAI local exercise"),
        "ogp_local": NC_("template", "OGP Local"),
    },
    "state": {
        "suspended": NC_("state", "suspended"),
        "closed": NC_("state", "closed"),
    },
    "thing": {
        "process": NC_("thing", "the process"),
        "session": NC_("thing", "the session"),
        "member": NC_("thing", "the member"),
        "person": NC_("thing", "the person"),
        "governance_event": NC_("thing", "the governance event"),
        "agency": NC_("thing", "the agency"),
        "decision": NC_("thing", "the decision"),
        "commitment": NC_("thing", "the commitment"),
        "activity": NC_("thing", "the activity"),
        "channel": NC_("thing", "the channel"),
        "theme": NC_("thing", "the theme"),
        "input": NC_("thing", "the input"),
        "document": NC_("thing", "the document"),
        "indicator": NC_("thing", "the indicator"),
        "problem_tree": NC_("thing", "the problem tree"),
        "working_table": NC_("thing", "the working table"),
        "sensitization_session": NC_("thing", "the sensitization session"),
        "public_event": NC_("thing", "the public event"),
        "ruleset": NC_("thing", "the rule set"),
        "link": NC_("thing", "the link"),
        "import": NC_("thing", "the imported file"),
    },
    "action": {
        "create_process": NC_("action", "Create a process"),
        "add_person": NC_("action", "Add a person (member, coordinator or liaison)"),
        "update_person": NC_("action", "Update a person's details"),
        "remove_person": NC_("action", "Remove a person"),
        "add_agency": NC_("action", "Register an agency"),
        "withdraw_sector": NC_("action", "A sector withdraws"),
        "return_sector": NC_("action", "A sector returns"),
        "convene_session": NC_("action", "Convene a secretariat session"),
        "record_attendance": NC_("action", "Record attendance"),
        "close_session": NC_("action", "Close a secretariat session"),
        "publish_minutes": NC_("action", "Publish the minutes"),
        "propose_decision": NC_("action", "Propose a decision"),
        "cast_vote": NC_("action", "Vote"),
        "decide": NC_("action", "Take the decision"),
        "publish_document": NC_("action", "Publish a document"),
        "sign_declaration": NC_("action", "Record the declaration"),
        "open_channel": NC_("action", "Open a consultation channel"),
        "record_input": NC_("action", "Record an input"),
        "import_inputs": NC_("action", "Import inputs from a file"),
        "answer_input": NC_("action", "Answer an input"),
        "add_theme": NC_("action", "Add a theme"),
        "prioritise_themes": NC_("action", "Prioritise the themes"),
        "record_sensitization_session": NC_("action", "Record a sensitization session"),
        "plan_working_table": NC_("action", "Plan a working table"),
        "record_problem_tree": NC_("action", "Record a problem tree"),
        "draft_commitment": NC_("action", "Draft a commitment"),
        "plan_activity": NC_("action", "Plan an activity"),
        "accept_activity": NC_("action", "Accept an activity"),
        "add_indicator": NC_("action", "Add an indicator"),
        "report_progress": NC_("action", "Report progress"),
        "import_progress": NC_("action", "Report progress from a sheet"),
        "hold_public_event": NC_("action", "Record a public event"),
        "record_governance_event": NC_("action", "Record a walk-out, a return or a Response Policy filing"),
        "update_response_filing": NC_("action", "Update a Response Policy filing"),
        "set_final_status": NC_("action", "Record a commitment's final status"),
        "set_credentials": NC_("action", "Password and token"),
        "configure_reminders": NC_("action", "Configure the reminders"),
        "configure_compliance": NC_("action", "Configure the compliance check"),
        "register_ruleset": NC_("action", "Register a rule set of our own"),
        "record_plan_history": NC_("action", "Record the previous plans"),
        "assess_commitment": NC_("action", "Assess a commitment (IRM-style)"),
        "submit_input": NC_("action", "Send an input (public site)"),
        "confirm_email": NC_("action", "Confirm an email (public site)"),
        "confirm_follow": NC_("action", "Confirm following a process (public site)"),
        "follow_process": NC_("action", "Follow the process by email (public site)"),
        "unfollow_process": NC_("action", "Stop the emails (public site)"),
        "hide_input": NC_("action", "Hide an input, with its reason"),
        "unhide_input": NC_("action", "Show again an input hidden by mistake"),
        "erase_contact": NC_("action", "Erase a citizen's personal data (ARCO)"),
        "configure_participation": NC_("action", "Configure public participation and the privacy notice"),
        "purge_contact_data": NC_("action", "Purge the citizens' contact data (retention over)"),
    },
    "contact_data": {
        "email": NC_("contact_data", "an email address"),
        "phone": NC_("contact_data", "a phone number"),
    },
    "hide_reason": {
        "spam": NC_("hide_reason", "spam"),
        "insult": NC_("hide_reason", "insult"),
        "personal_data": NC_("hide_reason", "personal data"),
    },
    "profile_field": {
        "sector": NC_("profile_field", "Sector"),
        "organisation": NC_("profile_field", "Organisation"),
        "state": NC_("profile_field", "Municipality or state"),
        "gender": NC_("profile_field", "Gender"),
        "age_range": NC_("profile_field", "Age range"),
    },
    "gender": {
        "woman": NC_("gender", "woman"),
        "man": NC_("gender", "man"),
        "non_binary": NC_("gender", "non-binary"),
        "other": NC_("gender", "other"),
        "not_said": NC_("gender", "I prefer not to say"),
    },
    "age_range": {
        "under_18": NC_("age_range", "under 18"),
        "18_29": NC_("age_range", "18 to 29"),
        "30_44": NC_("age_range", "30 to 44"),
        "45_59": NC_("age_range", "45 to 59"),
        "60_plus": NC_("age_range", "60 or more"),
    },
    "fact": {
        "declaration": NC_("fact", "The declaration's signature"),
        "input": NC_("fact", "The input"),
        "sensitization_session": NC_("fact", "The sensitization session"),
        "progress_report": NC_("fact", "The progress report"),
        "public_event": NC_("fact", "The public event"),
        "governance_event": NC_("fact", "The governance event"),
    },
    "organisation_kind": {
        "civil_society": NC_("organisation_kind", "civil-society organisation"),
        "business": NC_("organisation_kind", "business organisation"),
        "academic": NC_("organisation_kind", "academic institution"),
        "government": NC_("organisation_kind", "government body"),
        "international": NC_("organisation_kind", "international organisation"),
        "other": NC_("organisation_kind", "other organisation"),
    },
    "seat_role": {
        "holder": NC_("seat_role", "holder of the seat"),
        "spokesperson": NC_("seat_role", "spokesperson of the sector"),
        "alternate": NC_("seat_role", "alternate"),
    },
    "governance_event": {
        "walk_out": NC_("governance_event", "walk-out"),
        "return": NC_("governance_event", "return"),
        "response_policy": NC_("governance_event", "filing under OGP's Response Policy"),
        "withdrawal": NC_("governance_event", "withdrawal of a sector"),
        "sector_return": NC_("governance_event", "return of a sector"),
    },
    "filing_status": {
        "filed": NC_("filing_status", "filed"),
        "under_review": NC_("filing_status", "under review"),
        "resolved": NC_("filing_status", "resolved"),
        "dismissed": NC_("filing_status", "dismissed"),
    },
}


def label(kind: str, code: Any, lang: str = "es") -> str:
    """The name of ``code`` of ``kind`` in ``lang``; an unknown code shows as it is."""
    if code is None:
        return ""
    msg = TERMS.get(kind, {}).get(str(code))
    return msg.render(lang) if msg else str(code)


def labels(kind: str, codes: Iterable[Any], lang: str = "es") -> str:
    return ", ".join(label(kind, c, lang) for c in codes)


class _Formatter(string.Formatter):
    """``{field:kind}`` shows the field's code(s) by their name; ``{field}`` as given; lists joined."""

    def __init__(self, lang: str):
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec in TERMS:
            if isinstance(value, (list, tuple, set, frozenset)):
                return labels(format_spec, value, self.lang)
            return label(format_spec, value, self.lang)
        if isinstance(value, (list, tuple, set, frozenset)):
            return ", ".join(str(v) for v in value)
        return super().format_field(value, format_spec)


def render(msg: Msg, lang: str = "es", **fields: Any) -> str:
    """``msg`` in ``lang`` with its fields filled, codes by their names."""
    n = fields.get(msg.count)
    template = msg.text(lang, n if isinstance(n, int) else None)
    try:
        return _Formatter(lang).format(template, **fields)
    except (KeyError, IndexError, ValueError):
        return template


__all__ = ["TERMS", "label", "labels", "render"]
