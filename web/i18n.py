"""What the web pages say by themselves, beyond what the domain says.

The pages' own words are gettext messages (English ids, Spanish in ``i18n/locale/es/
LC_MESSAGES/web.po``): in the templates as ``{{ _("...") }}``, here as ``N_``/``NN_``. The
names of the domain's codes come from :mod:`stages.vocabulary`; criteria and refusals bring
their own messages. This module holds the labels of the action forms' fields, the names of
their options, the sentence that tells what an action did, and the reasons the web layer
gives by itself (sign-in, CSRF, tokens).
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any, Callable

from i18n import N_, NC_, NN_, Msg, gettext
from stages import BY_NAME, vocabulary
from stages.base import Reason

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
    ("record_input", "text"): N_("Text of the input"),
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
    "sectors": "sector", "organisation_kind": "organisation_kind", "seat_role": "seat_role",
}
ACTION_FIELD_KINDS: dict[tuple[str, str], str] = {
    ("propose_decision", "kind"): "decision_kind",
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
    from compliance.messages import VALUES
    from stages.reminders import BY_KIND
    from stages.sensitization import QUESTIONS

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


def field_hint(lang: str, action: str | None, f: Any, listed: bool = False) -> str:
    """What helps to fill a field: how to write it (lines, rows, pairs...) and what it is
    (the schema's description, translated: the descriptions are ``D_`` messages of the core).
    ``listed``: the field is shown as boxes to tick, not as text to write."""
    parts = []
    if f.kind == "lines" and not listed:
        parts.append(gettext(lang, "one per line"))
    elif f.kind == "rows":
        columns = [field_label(lang, c, action) + (" " + gettext(lang, "(yes/no)") if c in f.bool_columns else "")
                   for c in f.columns]
        parts.append(gettext(lang, "one per line: {columns}, separated by '|'").format(columns=" | ".join(columns)))
    elif f.kind == "pairs":
        if f.name.split(".")[-1] == "sectors":
            parts.append(gettext(lang, "one per line: sector = number"))
        else:
            parts.append(gettext(lang, "one per line: key = number"))
    elif f.kind == "json":
        parts.append(gettext(lang, "a JSON object"))
    if f.description:
        parts.append(gettext(lang, f.description))
    return " — ".join(parts)


#: The open-data tables (``reads.public.TABLES``) by their names.
TABLE_NAMES: dict[str, Msg] = {
    "moves": N_("Stage moves"), "members": N_("Secretariat members"), "sessions": N_("Secretariat sessions"),
    "decisions": N_("Decisions"), "channels": N_("Consultation channels"), "themes": N_("Themes"),
    "inputs": N_("Inputs and reasoned responses"), "problem_trees": N_("Problem trees"),
    "commitments": N_("Commitments"), "activities": N_("Activities"), "indicators": N_("Indicators"),
    "progress_reports": N_("Progress reports"), "public_events": N_("Public events"),
    "repository": N_("Document repository"),
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
    "propose_decision": N_("The decision '{decision}' was proposed in the session '{session}': "
                           "{kind:decision_kind} ({rule:rule})."),
    "cast_vote": N_("Your vote on the decision '{decision}' was recorded: {position:position}."),
    "decide": N_("Adopted: the decision '{decision}' ({kind:decision_kind})."),
    "publish_document": N_("The document '{document}' was published."),
    "sign_declaration": N_("The declaration signed on {signed_on} was recorded."),
    "open_channel": N_("The consultation channel '{channel}' was opened."),
    "record_input": N_("The input '{input}' was recorded."),
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
    "rejected_consensus": N_("Rejected: the decision '{decision}' ({kind:decision_kind}) was not adopted; "
                             "objections from: {objections}."),
    "rejected_majority": N_("Rejected: the decision '{decision}' ({kind:decision_kind}) was not adopted; "
                            "sectors for: {for}, against: {against}."),
    "rejected_joint": N_("Rejected: the decision '{decision}' ({kind:decision_kind}) was not adopted; "
                         "these required sectors did not agree: {sectors:sector}."),
    "done": N_("Done: {action:action}."),
}


def said(lang: str, action: str, result: dict[str, Any]) -> Notice:
    """What ``action`` did, from its ``result``, in sentences people read."""
    r = dict(result or {})

    def say(msg: Msg, **extra: Any) -> str:
        return vocabulary.render(msg, lang, **{**r, **extra})

    if action == "decide" and r.get("status") == "rejected":
        tally = r.get("tally") or {}
        if tally.get("joint_agreement_missing"):
            return Notice(say(MORE["rejected_joint"], sectors=tally["joint_agreement_missing"]), refused=True)
        if tally.get("rule") == "majority":
            return Notice(say(MORE["rejected_majority"], **{"for": tally.get("for", 0),
                                                            "against": tally.get("against", 0)}), refused=True)
        return Notice(say(MORE["rejected_consensus"], objections=", ".join(tally.get("objections") or [])),
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
    # input refused before it reaches an action
    "bad_character": N_("The request holds a character that text cannot contain (a NUL byte, a control character "
                        "in an address, or a broken Unicode character)."),
    "json_too_deep": N_("The data is nested too deeply (at most {limit} levels)."),
    "number_too_large": N_("A number is too large (at most 15 digits)."),
    "body_too_large": N_("The request is too large (at most {limit} KiB)."),
    "value_not_storable": N_("A value is out of the range that can be recorded."),
    # signing in and access codes
    "passwords_differ": N_("The new password and its repetition differ."),
}


def web_reason(code: str, **details: Any) -> Reason:
    return Reason(code, WEB_REASONS[code], details)
