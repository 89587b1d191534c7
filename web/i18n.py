"""What the web pages say by themselves, beyond what the domain says.

The pages' own words are gettext messages (English ids, Spanish in ``i18n/locale/es/
LC_MESSAGES/web.po``): in the templates as ``{{ _("...") }}``, here as ``N_``/``NN_``. The
names of the domain's codes come from :mod:`stages.vocabulary`; criteria and refusals bring
their own messages. This module holds the labels of the action forms' fields, the names of
their options, the sentence that tells what an action did, and the reasons the web layer
gives by itself (sign-in, CSRF, tokens).

Why one module: it is the web's phrasebook: the words the pages say by themselves (labels,
option names, hints, what an action did, the web's own reasons), kept together for translators
and read by every page module; its length is tables of words, not logic.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any, Callable

from compliance.messages import VALUES
from i18n import N_, NC_, NN_, Msg, gettext
from reads.workspace import KEYED
from stages import BY_NAME, vocabulary
from stages.errors import Reason
from stages.reminders import BY_KIND
from stages.sensitization import QUESTIONS

# --- dates -------------------------------------------------------------------------------

MONTHS = (NC_("month", "Jan"), NC_("month", "Feb"), NC_("month", "Mar"), NC_("month", "Apr"),
          NC_("month", "May"), NC_("month", "Jun"), NC_("month", "Jul"), NC_("month", "Aug"),
          NC_("month", "Sep"), NC_("month", "Oct"), NC_("month", "Nov"), NC_("month", "Dec"))


def date_text(value: str | None, lang: str) -> str:
    """An ISO date or date-time as people read it ("20 ene 2026", "27 ene 2026, 10:00");
    anything else as it is."""
    if not value:
        return ""
    try:
        if len(value) == 10:
            d = dt.date.fromisoformat(value)
            return f"{d.day} {MONTHS[d.month - 1].render(lang)} {d.year}"
        t = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return f"{t.day} {MONTHS[t.month - 1].render(lang)} {t.year}, {t:%H:%M}"


def stage_name(lang: str, code: str | None) -> str:
    """A stage's title (the guide's name), or the name of the states ``suspended``/``closed``."""
    if code in BY_NAME:
        return BY_NAME[code].title.render(lang)
    return vocabulary.label("state", code, lang)


# --- the action forms: labels, option names, hints ----------------------------------------

#: The label of every field of the action forms (by field name; a column of a row field too).
FIELD_LABELS: dict[str, Msg] = {
    "client_address": N_("Network address (kept only as a digest)"),
    "privacy_accepted": N_("Privacy notice accepted"),
    "profile": N_("About the participant (optional)"),
    "age_range": N_("Age range"),
    "gender": N_("Gender"),
    "state": N_("Municipality or state"),
    "token": N_("Link code"),
    "note": N_("Note on the reason"),
    "per_email": N_("Inputs a day per email address"),
    "per_address": N_("Inputs a day per network address"),
    "ask": N_("What the form asks about the participant"),
    "retention_days": N_("Days contact data is kept after the close"),
    "privacy_notice": N_("Privacy notice"),
    "action_lines": N_("Action lines"),
    "activity": N_("Activity"),
    "activity_before_days": N_("Reminders before an activity's end date (days)"),
    "activity_on_day": N_("Reminder on an activity's end date"),
    "activity_overdue_days": N_("Reminders after an activity's end date (days)"),
    "agencies": N_("Responsible agencies"),
    "agency": N_("Agency"),
    "agenda": N_("Agenda"),
    "aimed_at_excluded": N_("Aimed at traditionally excluded groups"),
    "accepts_late": N_("Takes late inputs"),
    "schedule": N_("When, in words"),
    "instructions": N_("How to take part"),
    "ambition": N_("Ambition level"),
    "announced_on": N_("Announced on"),
    "axes": N_("Axes"),
    "baseline": N_("Baseline"),
    "call_ref": N_("Call (link or reference)"),
    "cause": N_("Cause"),
    "causes": N_("Causes"),
    "changes": N_("Changes"),
    "channel": N_("Channel"),
    "closes_on": N_("Closes on"),
    "commitment": N_("Commitment"),
    "commitments": N_("Commitments"),
    "consultation_before_days": N_("Reminders before a consultation channel closes (days)"),
    "contact_email": N_("Contact email (private)"),
    "contact_name": N_("Contact name (private)"),
    "decision": N_("Decision"),
    "deliverable": N_("Deliverable"),
    "description": N_("Description"),
    "digest_horizon_days": N_("The digest covers the next (days)"),
    "digest_weekday": N_("Weekday of the digest"),
    "disposition": N_("Response given"),
    "document_ref": N_("Document (link or reference)"),
    "early_results": N_("Early results"),
    "effects": N_("Effects"),
    "email": N_("Email (private)"),
    "end_date": N_("End date"),
    "escalation_after_days": N_("Tell the coordinators after (days overdue)"),
    "evidence_ref": N_("Evidence (link or reference)"),
    "extraordinary": N_("Extraordinary session"),
    "facilitator": N_("Facilitator"),
    "first_plan": N_("This is the first action plan"),
    "organisation_kind": N_("Kind of organisation"),
    "seat_role": N_("Part in the sector's seat"),
    "concern": N_("Concern (what happened and why)"),
    "occurred_on": N_("Date it happened"),
    "status_on": N_("Since (date)"),
    "forget_email": N_("Remove the stored email"),
    "gate": N_("Unmet basic requirements block leaving a stage"),
    "handle": N_("Handle (username)"),
    "held_on": N_("Date held"),
    "input": N_("Input"),
    "justification": N_("Justification"),
    "key": N_("Key"),
    "kind": N_("Kind"),
    "lang": N_("Language of the notices"),
    "member": N_("Member"),
    "members": N_("Members"),
    "methodology": N_("Methodology"),
    "min_members": N_("Minimum members present"),
    "minutes_after_days": N_("Reminders while the minutes are unpublished (days after the session)"),
    "minutes_ref": N_("Minutes (link or reference)"),
    "muted": N_("People who receive no reminders"),
    "name": N_("Name"),
    "new_token": N_("Make a new API token"),
    "notes": N_("Notes"),
    "objective": N_("Objective"),
    "off": N_("Reminders switched off"),
    "online": N_("Online"),
    "open_to_all": N_("Open to everyone"),
    "opens_on": N_("Opens on"),
    "organisation": N_("Organisation"),
    "outcome": N_("Expected outcome"),
    "password": N_("New password (at least 10 characters)"),
    "percent": N_("Percent complete"),
    "place": N_("Place"),
    "position": N_("Vote"),
    "potential_for_results": N_("Potential for results"),
    "potential_impact": N_("Potential impact"),
    "present": N_("Arriving (checked) or leaving (unchecked)"),
    "previous_plan_acted_contrary": N_("The previous plan acted contrary to process"),
    "previous_plan_ended_on": N_("End of the previous plan"),
    "previous_plan_ref": N_("Previous plan (link or reference)"),
    "problem": N_("Problem"),
    "progress_before_days": N_("Reminders before a progress report is due (days)"),
    "progress_every_months": N_("A progress report every (months)"),
    "quorum": N_("Quorum rule"),
    "rationale": N_("Reasoned response"),
    "reason": N_("Reason"),
    "received_on": N_("Received on"),
    "ref": N_("Link or reference"),
    "reported_on": N_("Date of the report"),
    "reset": N_("First return every setting to its default"),
    "reset_access": N_("Reset the access: end the password, the token and the sessions, and give a one-time code"),
    "reset_code": N_("One-time code"),
    "revoke_token": N_("Revoke the current API token"),
    "role": N_("Role"),
    "rule": N_("Decision rule"),
    "ruleset": N_("Rule set"),
    "scheduled_for": N_("Date and time"),
    "sdg_targets": N_("SDG targets"),
    "sector": N_("Sector"),
    "sectors": N_("Sectors"),
    "send_hour": N_("Hour the reminders go out"),
    "session": N_("Session"),
    "session_before_days": N_("Reminders before a session (days)"),
    "settings": N_("Threshold overrides"),
    "signatories": N_("Signatories"),
    "signed_on": N_("Signed on"),
    "solution": N_("Solution"),
    "solutions": N_("Solutions"),
    "stage": N_("Stage"),
    "start_date": N_("Start date"),
    "status": N_("Status"),
    "strategic": N_("Strategic"),
    "target": N_("Target"),
    "term_before_days": N_("Reminders before the term ends (days)"),
    "text": N_("Text"),
    "theme": N_("Theme"),
    "themes": N_("Themes"),
    "title": N_("Title"),
    "topics": N_("Questions covered"),
    "use": N_("Also make it this process's rule set"),
}

#: Where a field of one action means something more precise than its name says elsewhere.
ACTION_FIELD_LABELS: dict[tuple[str, str], Msg] = {
    ("propose_decision", "kind"): N_("Kind of decision"),
    ("propose_decision", "target"): N_("Stage to reopen"),
    ("propose_decision", "text"): N_("What is agreed"),
    ("propose_decision", "sectors"): N_("Required sectors"),
    ("publish_document", "kind"): N_("Kind of document"),
    ("publish_minutes", "ref"): FIELD_LABELS["minutes_ref"],
    ("open_channel", "kind"): N_("Kind of channel"),
    ("add_indicator", "kind"): N_("Kind of indicator"),
    ("add_indicator", "name"): N_("Name of the indicator"),
    ("hold_public_event", "kind"): N_("Kind of event"),
    ("record_governance_event", "kind"): N_("What happened"),
    ("update_response_filing", "status"): N_("Status of the filing"),
    ("update_response_filing", "outcome"): N_("Outcome"),
    ("update_response_filing", "key"): N_("Filing"),
    ("report_progress", "status"): N_("Status of the activity"),
    ("set_final_status", "status"): N_("Final status"),
    ("sign_declaration", "role"): N_("Position held"),
    ("sign_declaration", "document_ref"): N_("Signed declaration (link or reference)"),
    ("accept_activity", "document_ref"): N_("Acceptance document (link or reference)"),
    ("create_process", "name"): N_("Name of the process"),
    ("create_process", "slug"): N_("Short name (in its addresses)"),
    ("create_process", "starts_on"): N_("Start of the term"),
    ("create_process", "term_months"): N_("Term (months)"),
    ("create_process", "coordinator_name"): N_("Their name"),
    ("create_process", "coordinator_email"): N_("Their email (private)"),
    ("record_input", "text"): N_("Text of the input"),
    ("import_inputs", "file"): N_("CSV or XLSX file"),
    ("import_progress", "file"): N_("Progress sheet (CSV or XLSX)"),
    ("import_progress", "rows"): N_("Rows"),
    ("import_progress", "name"): N_("Name of the file"),
    ("import_inputs", "rows"): N_("Rows"),
    ("import_inputs", "name"): N_("Name of the file"),
    ("record_sensitization_session", "sectors"): N_("Attendance by sector"),
    ("plan_working_table", "sectors"): N_("Attendance by sector"),
}


def field_label(lang: str, name: str, action: str | None = None) -> str:
    """The label of a form field (``quorum.sectors`` is labelled as ``sectors``)."""
    leaf = name.split(".")[-1]
    msg = ACTION_FIELD_LABELS.get((action, leaf)) or FIELD_LABELS.get(leaf)
    return msg.render(lang) if msg else leaf


#: The vocabulary kind of the codes a field offers (by field name, or by action and field).
FIELD_KINDS: dict[str, str] = {
    "role": "role", "rule": "rule", "position": "position", "disposition": "disposition", "ambition": "ambition",
    "axes": "axis", "stage": "stage", "target": "stage", "template": "template", "sector": "sector",
    "sectors": "sector", "gender": "gender", "age_range": "age_range", "organisation_kind": "organisation_kind",
    "seat_role": "seat_role",
}
ACTION_FIELD_KINDS: dict[tuple[str, str], str] = {
    ("propose_decision", "kind"): "decision_kind",
    ("hide_input", "reason"): "hide_reason",
    ("configure_participation", "ask"): "profile_field",
    ("publish_document", "kind"): "document_kind",
    ("open_channel", "kind"): "channel_kind",
    ("add_indicator", "kind"): "indicator_kind",
    ("hold_public_event", "kind"): "public_event",
    ("record_governance_event", "kind"): "governance_event",
    ("update_response_filing", "status"): "filing_status",
    ("report_progress", "status"): "activity_status",
    ("set_final_status", "status"): "final_status",
}
LANGUAGE_NAMES = {"es": N_("Spanish"), "en": N_("English")}


@functools.cache
def _other_options() -> dict[str, Callable[[str, str], str | None]]:
    """Options named outside the vocabulary: sensitization questions, reminder kinds, the
    IRM's scales, languages."""
    def table(msgs: dict) -> Callable[[str, str], str | None]:
        return lambda code, lang: msgs[code].render(lang) if code in msgs else None

    irm = table(VALUES)
    return {"topics": table(QUESTIONS), "off": lambda code, lang: (BY_KIND[code].title.render(lang)
                                                                   if code in BY_KIND else None),
            "potential_for_results": irm, "potential_impact": irm, "early_results": irm,
            "lang": table(LANGUAGE_NAMES)}


def option_label(lang: str, action: str | None, name: str, code: Any) -> str:
    """The name of a code a form field offers (a select, a checkbox, a suggestion)."""
    leaf = name.split(".")[-1]
    kind = ACTION_FIELD_KINDS.get((action, leaf)) or FIELD_KINDS.get(leaf)
    if kind == "stage":
        return stage_name(lang, code)
    if kind:
        return vocabulary.label(kind, code, lang)
    named = _other_options().get(leaf)
    return (named(str(code), lang) if named else None) or str(code)


def option_kind(action: str | None, name: str) -> str | None:
    """Whether the options of a field have names (a kind of the vocabulary, or a table)."""
    leaf = name.split(".")[-1]
    return ACTION_FIELD_KINDS.get((action, leaf)) or FIELD_KINDS.get(leaf) or (
        "named" if leaf in _other_options() else None)


def field_path(lang: str, field: str, action: str | None = None) -> str:
    """A field named by a refusal (``members``, ``signatories.0.name``, ``commitment/changes``)
    by its labels."""
    if not field or field == "-":
        return field
    return " / ".join(" › ".join(field_label(lang, part, action) for part in alternative.split(".")
                                 if not part.isdigit())
                      for alternative in field.split("/"))


def form_reason(lang: str, action: str | None, r: Reason) -> dict[str, Any]:
    """A refusal shown on an action's form: the fields it names by their labels (the details
    keep the field's code)."""
    shown = r.as_dict(lang)
    field = r.details.get("field")
    if isinstance(field, str) and field:
        shown["message"] = vocabulary.render(r.text, lang, **{**r.details, "field": field_path(lang, field, action)})
    return shown


#: What a field is for, when its schema says nothing (the schema's description comes first).
FIELD_HINTS: dict[str, Msg] = {
    "organisation_kind": N_("What kind of organisation the member comes from (a business organisation in a seat "
                            "that must be independent is flagged by the compliance report)."),
    "age_range": N_("Optional: the participant's age range, counted only in aggregate."),
    "gender": N_("Optional: how the participant describes their gender, counted only in aggregate."),
    "state": N_("Optional: the participant's municipality or state, counted only in aggregate."),
    "token": N_("The code of the link sent by email."),
    "privacy_accepted": N_("Tick it to say the privacy notice was read and accepted."),
    "note": N_("A short note on the reason, kept in the record (never the hidden text itself)."),
    "activity": N_("The activity, by its name."),
    "agency": N_("The agency responsible, by its name."),
    "aimed_at_excluded": N_("Tick it when the channel reaches groups traditionally left out (OGP's standard asks "
                            "for one)."),
    "ambition": N_("How far the commitment goes beyond what already exists."),
    "announced_on": N_("The day the channel was made public."),
    "axes": N_("The open government principles the commitment serves."),
    "baseline": N_("Where the indicator stands today, with its unit."),
    "call_ref": N_("A link to the public call, or its reference."),
    "cause": N_("The cause of the problem the commitment attacks."),
    "channel": N_("Where the input came in, by the channel's name."),
    "closes_on": N_("The last day inputs are received."),
    "commitment": N_("The commitment, by its title."),
    "decision": N_("The decision, by what it is about."),
    "deliverable": N_("What the activity delivers, that anyone can check."),
    "description": N_("A few sentences that explain it to the public."),
    "digest_horizon_days": N_("How many days ahead the weekly digest looks."),
    "disposition": N_("What was done with the input: adopted, merged with another, or not adopted."),
    "document_ref": N_("A link to the document, or its number and date."),
    "early_results": N_("What the commitment already changed, in the IRM's scale."),
    "end_date": N_("The day it must be finished."),
    "evidence_ref": N_("A link to the published evidence, or its reference."),
    "extraordinary": N_("An extraordinary session needs a written justification; only there may a decision be "
                        "taken by majority."),
    "facilitator": N_("Who facilitates the table, impartially."),
    "first_plan": N_("Tick it when there was no earlier plan."),
    "handle": N_("The person, by name."),
    "held_on": N_("The day it took place."),
    "input": N_("The input, by its text."),
    "justification": N_("Why the session is extraordinary; it is published with the agenda."),
    "key": N_("A short name without spaces, used in addresses."),
    "kind": N_("Choose the one that fits."),
    "lang": N_("The language of the notices this person receives."),
    "methodology": N_("How the table works: the method and its steps."),
    "minutes_ref": N_("A link to the minutes, or their reference."),
    "name": N_("The name people will read."),
    "notes": N_("What supports the assessment."),
    "objective": N_("What the commitment achieves, in one sentence."),
    "online": N_("Tick it when inputs are received online."),
    "open_to_all": N_("Tick it when anyone may take part, without invitation."),
    "opens_on": N_("The first day inputs are received."),
    "organisation": N_("The organisation the person represents."),
    "outcome": N_("The change expected when it is fulfilled."),
    "percent": N_("From 0 to 100."),
    "place": N_("Where it takes place (an address, or 'online')."),
    "schedule": N_("Days and hours, in words (e.g. Saturdays 10:00 to 14:00); shown on the public page."),
    "instructions": N_("What to bring, how to register, who may come; shown on the public page."),
    "position": N_("Your vote on the motion."),
    "potential_for_results": N_("How much the commitment could change, in the IRM's scale."),
    "previous_plan_ended_on": N_("The day the previous plan ended."),
    "previous_plan_ref": N_("A link to the previous plan, or its reference."),
    "problem": N_("The public problem, as those who live it would say it."),
    "rationale": N_("Why, in words the person who sent it understands; it is published."),
    "reason": N_("Why; it goes to the history and, for decisions, to the minutes."),
    "received_on": N_("The day the input arrived."),
    "ref": N_("A link, or a reference anyone can find."),
    "reported_on": N_("The day the progress is reported as of."),
    "role": N_("Coordination, a member of the secretariat, or an agency's liaison."),
    "rule": N_("Consensus by default; majority by sector only in an extraordinary session."),
    "scheduled_for": N_("Day and hour, in the process's time zone."),
    "sector": N_("The sector, by its name."),
    "session": N_("The session of the secretariat, by place and date."),
    "signed_on": N_("The day the declaration was signed."),
    "stage": N_("The stage of the process it belongs to."),
    "start_date": N_("The day the activity starts."),
    "status": N_("Where it stands now."),
    "target": N_("Where the indicator should be at the end, with its unit."),
    "text": N_("The words as they will be published."),
    "theme": N_("The theme, by its name."),
    "title": N_("A short title people understand."),
    "topics": N_("Tick every question the session covered."),
}


def field_hint(lang: str, action: str | None, f: Any, listed: bool = False) -> str:
    """What helps to fill a field: how to write it (lines, rows, pairs...) and what it is
    (the schema's description, translated: the descriptions are ``D_`` messages of the core).
    ``listed``: the field is shown as boxes to tick, not as text to write."""
    parts = []
    if f.kind == "lines" and not listed:
        parts.append(gettext(lang, "one per line"))
    elif f.kind == "rows":
        parts.append(gettext(lang, "one row each; the rows left empty are not recorded"))
    elif f.kind == "pairs":
        parts.append(gettext(lang, "a number for each sector that counts; the others left empty"))
    elif f.kind == "json" and f.name.split(".")[-1] == "ruleset":
        parts.append(gettext(lang, "a file in YAML or JSON"))
    elif f.kind == "json":
        parts.append(gettext(lang, "only the ones to change"))
    if f.description:
        parts.append(gettext(lang, f.description))
    elif f.name.split(".")[-1] in FIELD_HINTS:
        parts.append(FIELD_HINTS[f.name.split(".")[-1]].render(lang))
    keyed = KEYED.get(action or "")
    if keyed and f.name == keyed[0]:
        parts.append(gettext(lang, "left empty, it is made from the field '{field}'").format(
            field=field_label(lang, keyed[1], action)))
    return " — ".join(parts)


#: What each process template is for, said to whoever creates a process.
TEMPLATE_HELP: dict[str, Msg] = {
    "federal": N_("A national action plan of the Open Government Partnership: two-year commitments, OGP's "
                  "participation and co-creation standards (2022) as the compliance rule set. For a national "
                  "government with its multi-stakeholder forum."),
    "inai_local": N_("A local exercise following INAI's guide for state open government plans: eight stages, a "
                     "local technical secretariat of government, the guarantor body and civil society, one-year "
                     "commitments. For a Mexican state or municipality."),
    "ogp_local": N_("A member of OGP Local: a subnational government's plan with two-year commitments under OGP's "
                    "standards. For a city or region that joined OGP Local."),
}

#: The open-data tables (``reads.public.TABLES``) by their names.
TABLE_NAMES: dict[str, Msg] = {
    "moves": N_("Stage moves"), "members": N_("Secretariat members"), "sessions": N_("Secretariat sessions"),
    "decisions": N_("Decisions"), "channels": N_("Consultation channels"), "themes": N_("Themes"),
    "inputs": N_("Inputs and reasoned responses"), "problem_trees": N_("Problem trees"),
    "commitments": N_("Commitments"), "activities": N_("Activities"), "indicators": N_("Indicators"),
    "progress_reports": N_("Progress reports"), "public_events": N_("Public events"),
    "repository": N_("Document repository"), "audit": N_("Head of the audit trail"),
}


def table_name(lang: str, code: str) -> str:
    msg = TABLE_NAMES.get(code)
    return msg.render(lang) if msg else code


# --- what an action did, in words ------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """What an action did, said to the person who did it; ``refused``: done, but it says no
    (a decision taken and rejected), shown as a refusal, never as a success."""

    text: str
    refused: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "refused": self.refused}


#: One sentence per action whose result is shown, filled from the result's fields.
DONE: dict[str, Msg] = {
    "add_person": N_("'{person}' was added as {role:role}."),
    "update_person": N_("The details of '{person}' were updated."),
    "remove_person": N_("'{person}' no longer takes part in the process."),
    "add_agency": N_("The agency '{agency}' was registered."),
    "withdraw_sector": N_("The sector {sector:sector} withdrew from the secretariat."),
    "return_sector": N_("The sector {sector:sector} returned to the secretariat."),
    "convene_session": N_("The session '{session}' was convened."),
    "record_attendance": N_("Attendance at the session '{session}' was recorded."),
    "close_session": N_("The session '{session}' was adjourned."),
    "publish_minutes": N_("The minutes of the session '{session}' were published."),
    "propose_decision": N_("The motion was put to the session: {kind:decision_kind} ({rule:rule})."),
    "cast_vote": N_("Your vote was recorded: {position:position}."),
    "decide": N_("Decision adopted by consensus: {kind:decision_kind}."),
    "publish_document": N_("The document '{document}' was published."),
    "sign_declaration": N_("The declaration signed on {signed_on} was recorded."),
    "open_channel": N_("The consultation channel '{channel}' was opened."),
    "record_input": N_("The input '{input}' was recorded."),
    "import_inputs": N_("The file was imported as '{import}': {added} inputs added, {present} already present."),
    "import_progress": N_("The progress sheet was recorded: activities changed: {changed}; unchanged: {unchanged}."),
    "answer_input": N_("The input '{input}' was answered: {disposition:disposition}."),
    "add_theme": N_("The theme '{theme}' was added."),
    "prioritise_themes": N_("The themes were prioritised in this order: {themes}."),
    "record_sensitization_session": N_("The sensitization session '{sensitization_session}' was recorded."),
    "plan_working_table": N_("The working table '{working_table}' was planned."),
    "record_problem_tree": N_("The problem tree '{problem_tree}' was recorded."),
    "draft_commitment": N_("The commitment '{commitment}' was saved ({status:commitment_status})."),
    "plan_activity": N_("The activity '{activity}' was planned."),
    "accept_activity": N_("The activity '{activity}' was formally accepted."),
    "add_indicator": N_("The indicator '{indicator}' was added."),
    "report_progress": N_("The progress of the activity '{activity}' was reported: {status:activity_status}, "
                          "{percent} %."),
    "hold_public_event": N_("The public event '{event}' was recorded."),
    "record_governance_event": N_("Recorded in the governance record: {kind:governance_event} ('{governance_event}')."),
    "update_response_filing": N_("The filing '{governance_event}' is now {status:filing_status}."),
    "set_final_status": N_("The final status of the commitment '{commitment}' was recorded: "
                           "{final_status:final_status}."),
    "configure_reminders": N_("The reminder settings were saved."),
    "configure_compliance": N_("The compliance check now follows the rule set '{ruleset}' (version {version})."),
    "register_ruleset": NN_("The rule set '{ruleset}' (version {version}) was registered, with {count} rule.",
                            "The rule set '{ruleset}' (version {version}) was registered, with {count} rules."),
    "record_plan_history": N_("The history of the previous plans was recorded."),
    "assess_commitment": N_("The assessment of the commitment '{commitment}' was recorded."),
}
#: Sentences added when the result says more.
MORE: dict[str, Msg] = {
    "member_of": N_("Sector: {sector:sector}."),
    "suspended": N_("The process is suspended."),
    "extraordinary": N_("It is an extraordinary session."),
    "present": NN_("{count} member present: {present}.", "{count} members present: {present}."),
    "nobody_present": N_("Nobody is present."),
    "quorate": N_("The session is quorate."),
    "not_quorate": N_("The session is not quorate yet."),
    "moved": N_("The process is now in the stage '{stage:stage}'."),
    "approved": N_("Commitments approved: {approved}."),
    "amended": N_("The commitment '{commitment}' is now at version {version}."),
    "quorum_changed": N_("The quorum rule was changed."),
    "gate_lifted": N_("The compliance gate is lifted: unmet basic requirements no longer block leaving a stage."),
    "signatories_of": N_("Sectors signing: {sectors:sector}."),
    "gate": N_("Unmet basic requirements now block leaving a stage."),
    "in_use": N_("It is now this process's rule set."),
    "password_set": N_("The password of '{person}' was changed."),
    "api_token_set": N_("A new API token was created for '{person}'."),
    "api_token_revoked": N_("The API token of '{person}' was revoked."),
    "access_restored": N_("'{person}' chose a new password with their one-time code."),
    "access_reset_email": N_("The access of '{person}' was reset: their password, token and sessions ended, and a "
                             "one-time code to choose a new password goes to their email."),
    "access_reset_in_person": N_("The access of '{person}' was reset: their password, token and sessions ended. "
                                 "Hand them the one-time code below, in person."),
    "nothing_changed": N_("The credentials of '{person}' did not change."),
    "adopted_majority": N_("Decision adopted by majority of sectors ({for} for, {against} against): "
                           "{kind:decision_kind}."),
    "rejected_consensus": NN_("Rejected: {names} objected ({kind:decision_kind}).",
                              "Rejected: {names} objected ({kind:decision_kind}).", count="count"),
    "rejected_silent": N_("Rejected ({kind:decision_kind})."),
    "rejected_majority": N_("Rejected by majority of sectors: for, {sectors_for}; against, {sectors_against} "
                            "({kind:decision_kind})."),
    "rejected_joint": N_("Rejected: these required sectors did not agree: {sectors:sector} ({kind:decision_kind})."),
    "no_sector": N_("none"),
    "done": N_("Done: {action:action}."),
}


def said(lang: str, action: str, result: dict[str, Any], names: dict[str, Any] | None = None) -> Notice:
    """What ``action`` did, from its ``result``, in sentences people read. ``names``: people's names
    by handle, or :func:`reads.workspace.key_names` (then things are named too, never by key)."""
    r = dict(result or {})
    if names:  # people by their names, not their handles; things by their names, not their keys
        people = names.get("person") if isinstance(names.get("person"), dict) else names
        if isinstance(r.get("present"), list):
            r["present"] = [people.get(h, h) for h in r["present"]]
        for field, value in list(r.items()):
            table = people if field == "person" else names.get({"approved": "commitment", "themes": "theme"}.get(
                field, field))
            if not isinstance(table, dict):
                continue
            if isinstance(value, str) and value in table:
                r[field] = table[value]
            elif isinstance(value, list) and field in ("approved", "themes"):
                r[field] = [table.get(v, v) if isinstance(v, str) else v for v in value]

    def say(msg: Msg, **extra: Any) -> str:
        return vocabulary.render(msg, lang, **{**r, **extra})

    if action == "decide" and r.get("status") == "rejected":
        tally = r.get("tally") or {}
        if tally.get("joint_agreement_missing"):
            return Notice(say(MORE["rejected_joint"], sectors=tally["joint_agreement_missing"]), refused=True)
        if tally.get("rule") == "majority":
            by = tally.get("sectors") or {}

            def sectors(position: str) -> str:
                return vocabulary.labels("sector", [k for k, v in by.items() if v == position], lang) or \
                    MORE["no_sector"].render(lang)
            return Notice(say(MORE["rejected_majority"], sectors_for=sectors("for"),
                              sectors_against=sectors("against")), refused=True)
        people = (names or {}).get("person") if isinstance((names or {}).get("person"), dict) else (names or {})
        objections = [people.get(h, h) for h in tally.get("objections") or []]
        if not objections:
            return Notice(say(MORE["rejected_silent"]), refused=True)
        return Notice(say(MORE["rejected_consensus"], names=", ".join(objections), count=len(objections)),
                      refused=True)
    if action == "set_credentials":
        if r.get("access_reset"):
            return Notice(say(MORE["access_reset_email" if r.get("delivery") == "email" else "access_reset_in_person"]))
        keys = ("access_restored",) if r.get("access_restored") else ("password_set", "api_token_set",
                                                                      "api_token_revoked")
        parts = [say(MORE[k]) for k in keys if r.get(k)]
        return Notice(" ".join(parts) or say(MORE["nothing_changed"]))
    msg = DONE.get(action)
    if msg is None:
        return Notice(say(MORE["done"], action=action))
    extra: dict[str, Any] = {}
    if action == "sign_declaration":
        extra["signed_on"] = date_text(r.get("signed_on"), lang)
    if action == "prioritise_themes":
        extra["themes"] = ", ".join(r.get("themes") or [])
    if action == "register_ruleset":
        extra["count"] = r.get("rules", 0)
    if action == "decide" and (r.get("tally") or {}).get("rule") == "majority":
        msg = MORE["adopted_majority"]
        extra.update({"for": r["tally"].get("for", 0), "against": r["tally"].get("against", 0)})
    text = [say(msg, **extra)]
    if action == "add_person" and r.get("sector"):
        text.append(say(MORE["member_of"]))
    if action in ("withdraw_sector", "remove_person") and r.get("suspended_from"):
        text.append(say(MORE["suspended"]))
    if action == "convene_session" and r.get("extraordinary"):
        text.append(say(MORE["extraordinary"]))
    if action == "record_attendance":
        present = r.get("present") or []
        text.append(say(MORE["present"], count=len(present), present=", ".join(present)) if present
                    else say(MORE["nobody_present"]))
        text.append(say(MORE["quorate" if r.get("quorate") else "not_quorate"]))
    if action == "sign_declaration" and r.get("sectors"):
        text.append(say(MORE["signatories_of"]))
    if action == "decide":
        if "stage" in r:
            text.append(say(MORE["moved"]))
        if r.get("approved"):
            text.append(say(MORE["approved"], approved=", ".join(r["approved"])))
        if "version" in r and "commitment" in r:
            text.append(say(MORE["amended"]))
        if "quorum" in r:
            text.append(say(MORE["quorum_changed"]))
        if r.get("gate") is False:
            text.append(say(MORE["gate_lifted"]))
    if action == "configure_compliance" and r.get("gate"):
        text.append(say(MORE["gate"]))
    if action == "register_ruleset" and r.get("in_use"):
        text.append(say(MORE["in_use"]))
    return Notice(" ".join(text))


# --- reasons of the web layer --------------------------------------------------------------

#: Reasons the web layer gives by itself (no domain rule: who is signed in, forms, tokens).
WEB_REASONS: dict[str, Msg] = {
    "login_failed": N_("Wrong handle or password."),
    "too_many_attempts": NN_("Too many failed attempts; wait {minutes} minute.",
                             "Too many failed attempts; wait {minutes} minutes.", count="minutes"),
    "csrf_failed": N_("The form expired or did not come from this site; reload the page and try again."),
    "token_missing": N_("The token is missing (Authorization: Bearer … header)."),
    "token_invalid": N_("The token is invalid or was revoked."),
    "token_expired": N_("The token has expired; make a new one on your account page."),
    "token_other_process": N_("The token belongs to the process '{process}', not to '{slug}'."),
    "bad_json": N_("The body is not a valid JSON object: {problem}."),
    "wrong_process": N_("You are signed in to the process '{process}', not to this one."),
    "not_found_page": N_("There is no page '{path}'."),
    "http_error": N_("This address cannot answer that request (HTTP error {status})."),
    "server_error": N_("An internal error stopped this request. It was recorded as incident {incident}, without showing its details here; try again, and if it persists tell the site's administrators that number."),
    # input refused before it reaches an action
    "bad_character": N_("The request holds a character that text cannot contain (a NUL byte, a control character "
                        "in an address, or a broken Unicode character)."),
    "json_too_deep": N_("The data is nested too deeply (at most {limit} levels)."),
    "number_too_large": N_("A number is too large (at most 15 digits)."),
    "body_too_large": N_("The request is too large (at most {limit} KiB)."),
    "value_not_storable": N_("A value is out of the range that can be recorded."),
    "database_unavailable": N_("The site cannot reach its database right now; try again in a few seconds."),
    # signing in and access codes
    "passwords_differ": N_("The new password and its repetition differ."),
    # evidence files
    "evidence_empty": N_("The file '{name}' is empty."),
    "evidence_too_large": N_("The file '{name}' is larger than {limit} MB."),
    "evidence_type": N_("The file '{name}' is not one of the accepted kinds ({kinds}), or its content does not "
                        "match its name."),
    # a rule set given as a file
    "ruleset_file_unreadable": N_("The file '{name}' is not a rule set in YAML or JSON: {problem}."),
    # an agency's progress sheet
    "sheet_missing": N_("Choose the filled sheet (CSV or XLSX) to upload."),
    "sheet_too_large": N_("The sheet is larger than {limit} KB; an agency's sheet is much smaller: upload the one "
                          "downloaded here, filled."),
    # creating a process
    "quorum_needs_a_sector": N_("Choose at least one sector the secretariat requires."),
}


def web_reason(code: str, **details: Any) -> Reason:
    return Reason(code, WEB_REASONS[code], details)
