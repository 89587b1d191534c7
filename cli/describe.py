"""What the command says about actions: what each one does (``cocrea actions``, docs/actions.md),
what one did (a line of ``cocrea history``), and how a decision came out (``cocrea apply``).

Descriptions are the handlers' docstrings as English message ids, one per action (a test keeps
them equal, so the docstring stays the English text and this table its translation). Codes in a
result are shown by their names (:mod:`stages.vocabulary`); keys people chose (``S1-D1``, ``i4``)
as they are.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from i18n import N_, NN_, Msg
from stages import STAGE_NAMES, vocabulary

#: What each action does, in the reader's language (English: the handler's docstring).
DESCRIPTIONS: dict[str, Msg] = {
    "create_process": N_("Create a co-creation process from a template; the actor becomes its first coordinator."),
    "add_person": N_("Add a coordinator, a secretariat member (with its sector) or an agency liaison; a person who "
                     "left the process may be added again with the same handle (their earlier part stays in the "
                     "records)."),
    "update_person": N_("Correct or update a person's name, email, organisation, language or (liaisons) agency; the "
                        "email stays private (redacted in the audit trail)."),
    "remove_person": N_("A person leaves the process (kept in the records, no longer acts or counts). One organisation "
                        "leaving a shared seat changes nothing while its sector is still seated; the last member of a "
                        "required sector leaving suspends the process, as the sector's withdrawal would."),
    "add_agency": N_("Register a responsible agency (dependencia)."),
    "withdraw_sector": N_("A sector withdraws from the secretariat; if required, the process is suspended at once."),
    "return_sector": N_("A withdrawn sector takes its seats again (resuming still needs a decision)."),
    "convene_session": N_("Convene a secretariat session with its date, place and agenda (published with the call)."),
    "record_attendance": N_("Record members arriving at (present: true) or leaving (present: false) a session."),
    "close_session": N_("Close a session; everyone still present leaves it. The session keeps the head of the audit "
                        "trail at its close, published with it and emailed to the secretariat."),
    "publish_minutes": N_("Publish the minutes of a session."),
    "propose_decision": N_("Put a motion to a session: a stage move, the plan's commitments, the quorum rule, "
                           "or any agreement."),
    "cast_vote": N_("A member votes on an open decision, in its own name, while present."),
    "decide": N_("Take an open decision now: the session must be quorate at this moment; the rule (consensus, or "
                 "majority by sector) decides; an adopted decision takes effect at once, and is refused whole, "
                 "changing nothing, if its effect is not possible."),
    "publish_document": N_("Publish a dated document or piece of evidence in the process's public repository."),
    "sign_declaration": N_("Record the declaration of political will, its signatories and document."),
    "open_channel": N_("Open (or correct) a consultation channel, with its announcement and dates (they may lie ahead: "
                       "a channel is announced before it opens)."),
    "record_input": N_("Record a consultation input, received through a channel while it was open (or late, where the "
                       "channel takes late inputs, and then marked late); contact data is kept private."),
    "import_inputs": N_("Import consultation inputs from a CSV or XLSX file (an online form's export, a spreadsheet), each row "
                        "checked as record_input would; idempotent by the rows' keys (their external ids). Any bad row "
                        "refuses the whole file, naming its rows. The audit entry holds the file's digest, its row "
                        "count and the Merkle root of its rows' digests, which are kept to prove any row later."),
    "answer_input": N_("Give an input its reasoned response: disposition and rationale."),
    "import_progress": N_("Report the progress of many activities from an agency's sheet (CSV or XLSX, as exported), "
                          "each row held to every rule of report_progress; rows that change nothing are left out. Any "
                          "bad row refuses the whole sheet, naming its rows. One audit entry holds the file's digest, "
                          "its row count and every change (before and after)."),
    "add_theme": N_("Add (or rename) a theme raised by the consultation."),
    "prioritise_themes": N_("Set the prioritised themes, in order; the others lose their priority."),
    "record_sensitization_session": N_("Record a sensitization session: questions covered and attendance by sector."),
    "plan_working_table": N_("Plan a working table for a theme: methodology, call, facilitator, date, sectors."),
    "record_problem_tree": N_("Record a theme's problem tree: problem, causes (strategic ones marked), effects, "
                              "solutions."),
    "draft_commitment": N_("Draft (or redraft) a commitment; once agreed it changes only by decision."),
    "plan_activity": N_("Plan an activity of a commitment's route, with its responsible agency and dates."),
    "accept_activity": N_("The responsible agency formally accepts an activity assigned to it (with its official letter, "
                          "if given)."),
    "add_indicator": N_("Add a result or management indicator to a commitment."),
    "report_progress": N_("Report an activity's progress (status, percent, evidence) as of a date on or after it started "
                          "and its previous report; a completed activity is at 100 %, and a lower percentage than "
                          "before needs a reason."),
    "record_governance_event": N_("Record a walk-out, a return, or a filing under OGP's Response Policy, with its date "
                                  "and concern; shown on the public timeline and counted by the compliance report."),
    "update_response_filing": N_("Record where a Response Policy filing stands (under review, resolved, dismissed) "
                                 "and its outcome, dated."),
    "hold_public_event": N_("Record a public mid-term or closing event, held within the implementation period, and its "
                            "minutes."),
    "set_final_status": N_("Record a commitment's final status at the close: what its activities show, or another status "
                           "the secretariat decided, with the decision that says why (a general agreement)."),
    "set_credentials": N_("Set one's own password or make one's own API token, revoke a token, or (coordinators) "
                          "reset someone's access."),
    "configure_reminders": N_("Set the process's reminder offsets, cadences and exclusions (recorded in the audit "
                              "trail)."),
    "configure_compliance": N_("Choose the compliance rule set, turn the compliance gate on (only a decision of "
                               "the secretariat lifts it), override thresholds."),
    "register_ruleset": N_("Register (or replace with a new version) a rule set of the secretariat's own."),
    "record_plan_history": N_("Record whether this is the first plan, and when the previous one ended (plan "
                              "cadence)."),
    "assess_commitment": N_("Record the secretariat's IRM-style judgement of a commitment (the latest one counts)."),
    "submit_input": N_("A citizen's input sent from the public site while an online channel is open (or a comment on a "
                       "draft commitment while the secretariat's period for comments is open): the privacy notice "
                       "accepted, no contact data in the text, within the limits of the day. An email given is asked to "
                       "confirm itself before anything else is sent to it; the input counts either way."),
    "confirm_email": N_("Confirm a citizen's email through the link sent to it; responses already given follow."),
    "follow_process": N_("Follow the process by email: a weekly digest of what changed, once the subscription is "
                         "confirmed through its own link (an address confirmed for an input is not enough: nobody is "
                         "subscribed by someone else); that link confirms the address too. Within the same limits a "
                         "day as taking part (per network address, per email), counted apart."),
    "confirm_follow": N_("Confirm, through the link sent when following, that the address wants the weekly digest; "
                         "the address is confirmed with it (responses already given follow)."),
    "unfollow_process": N_("Stop every email to an address (the one-click link of each email): it stops following, and "
                           "nothing more is sent to it unless it is given and confirmed again."),
    "hide_input": N_("Hide an input from the public pages for a recorded reason (spam, insult, personal data); its "
                     "text is kept, and the public page says how many were hidden and why."),
    "unhide_input": N_("Show again an input hidden by mistake, saying why; its hiding stays in the audit trail, and "
                       "the public pages count it again (without a reasoned response, it is back among those to "
                       "answer)."),
    "erase_contact": N_("Erase a citizen's personal data on request (ARCO: cancellation): the email, name, answers about "
                        "themselves and address digest of every input they sent, their contact and the addresses kept in "
                        "the outbox. The inputs' text stays; the audit trail never held the data."),
    "purge_contact_data": N_("Erase every citizen's contact data of a closed process once its retention period has "
                             "passed (configure_participation retention_days, 180 days after the close by default); "
                             "the inputs' text stays."),
    "configure_participation": N_("Set what the participation form asks, the privacy notice and the limits against abuse."),
}


def title(action: str, lang: str) -> str:
    """The action's name for people (``Tomar la decisión``); an unknown action as it is."""
    return vocabulary.label("action", action, lang)


def description(action: str, lang: str) -> str:
    msg = DESCRIPTIONS.get(action)
    return msg.render(lang) if msg else ""


# --- how a decision came out --------------------------------------------------------------------

People = dict[str, tuple[str, "str | None"]]  # handle -> (name, sector)

_VERDICT = {
    ("adopted", "consensus"): N_("adopted by consensus"),
    ("adopted", "majority"): N_("adopted by majority of sectors ({n_for} for, {n_against} against)"),
    ("rejected", "majority"): N_("rejected by majority of sectors ({n_for} for, {n_against} against)"),
}
_OBJECTED = NN_("rejected: {names} objected", "rejected: {names} objected")
_JOINT_MISSING = N_("rejected: a joint decision of the plan needs the agreement of {sectors:sector}")
_NOW_IN = N_("the process is now in '{stage:stage}'")
_NOW = {"suspended": N_("the process is now suspended"), "closed": N_("the process is now closed")}
_APPROVED = NN_("commitment approved: {keys}", "commitments approved: {keys}")
_AMENDED = N_("commitment {commitment} is now at version {version}")
_QUORUM = N_("the quorum rule changes")
_GATE_LIFTED = N_("the compliance gate is lifted")
_PERSON = N_("{name} ({sector:sector})")


def person(handle: str, people: People | None, lang: str) -> str:
    """A person by name and sector when known, else by handle."""
    if not people or handle not in people:
        return handle
    name, sector = people[handle]
    return vocabulary.render(_PERSON, lang, name=name, sector=sector) if sector else name


def decision_outcome(result: dict[str, Any], lang: str, people: People | None = None) -> str:
    """``S1-D1 (avanzar a la siguiente etapa): adoptada por consenso; el proceso está ahora en «…»``."""
    tally = result.get("tally") or {}
    status, rule = result.get("status"), tally.get("rule")
    head = f"{result.get('decision')} ({vocabulary.label('decision_kind', result.get('kind'), lang)})"
    if status == "rejected" and tally.get("joint_agreement_missing"):
        verdict = vocabulary.render(_JOINT_MISSING, lang, sectors=tally["joint_agreement_missing"])
    elif status == "rejected" and rule == "consensus":
        objections = tally.get("objections") or []
        verdict = _OBJECTED.render(lang, count=len(objections),
                                   names=", ".join(person(h, people, lang) for h in objections))
    elif (status, rule) in _VERDICT:
        verdict = _VERDICT[(status, rule)].render(lang, n_for=tally.get("for", 0), n_against=tally.get("against", 0))
    else:
        verdict = vocabulary.label("decision_status", status, lang)
    parts = [f"{head}: {verdict}"]
    if status == "adopted":
        parts += _effects(result, lang)
    return "; ".join(parts)


def needs_names(result: dict[str, Any]) -> bool:
    return bool((result.get("tally") or {}).get("objections"))


def _effects(result: dict[str, Any], lang: str) -> list[str]:
    out = []
    stage = result.get("stage")
    if stage in STAGE_NAMES:
        out.append(vocabulary.render(_NOW_IN, lang, stage=stage))
    elif stage in _NOW:
        out.append(_NOW[stage].render(lang))
    if result.get("approved"):
        out.append(_APPROVED.render(lang, count=len(result["approved"]), keys=", ".join(result["approved"])))
    if "version" in result and "commitment" in result:
        out.append(_AMENDED.render(lang, commitment=result["commitment"], version=result["version"]))
    if "quorum" in result:
        out.append(_QUORUM.render(lang))
    if result.get("gate") is False:
        out.append(_GATE_LIFTED.render(lang))
    return out


# --- what an action did (a line of the history) --------------------------------------------------

#: Action -> what its result says, codes by their names; actions not here show the key they made.
_DID: dict[str, Msg] = {
    "create_process": NN_("{process}, term of {count} month, rule set {ruleset}",
                          "{process}, term of {count} months, rule set {ruleset}"),
    "add_person": N_("{person}, {role:role}"),
    "return_sector": N_("{sector:sector}"),
    "record_attendance": NN_("{count} present", "{count} present"),
    "propose_decision": N_("{decision} ({kind:decision_kind}, by {rule:rule})"),
    "cast_vote": N_("{decision}, {position:position}"),
    "sign_declaration": N_("signed on {signed_on} by {sectors:sector}"),
    "answer_input": N_("{input}, {disposition:disposition}"),
    "draft_commitment": N_("{commitment} ({status:commitment_status})"),
    "report_progress": N_("{activity}, {status:activity_status}, {percent}%"),
    "set_final_status": N_("{commitment}, {final_status:final_status}"),
    "configure_compliance": N_("{ruleset} v{version}"),
    "register_ruleset": N_("{ruleset} v{version}"),
    "hide_input": N_("{input}, {hidden:hide_reason}"),
}
_WITH_SECTOR = N_("{person}, {role:role}, {sector:sector}")
_EXTRAORDINARY = N_("extraordinary session")
_NOT_QUORATE = N_("not quorate")
_FIRST_PLAN = N_("first plan")
#: Result fields that name the thing an action made or touched (shown as they are).
_KEYS = ("process", "person", "agency", "session", "decision", "document", "channel", "input", "theme",
         "sensitization_session", "working_table", "problem_tree", "commitment", "activity", "indicator", "event",
         "governance_event",
         "ruleset")


def _record_attendance(result: dict, lang: str) -> str:
    line = _DID["record_attendance"].render(lang, count=len(result.get("present") or []))
    return line if result.get("quorate", True) else f"{line}, {_NOT_QUORATE.render(lang)}"


_SPECIAL: dict[str, Callable[[dict, str], str]] = {
    "record_attendance": _record_attendance,
    "add_person": lambda r, lang: vocabulary.render(_WITH_SECTOR if r.get("sector") else _DID["add_person"], lang, **r),
    "create_process": lambda r, lang: _DID["create_process"].render(lang, count=r.get("term_months", 0), **r),
    "withdraw_sector": lambda r, lang: "; ".join([vocabulary.label("sector", r.get("sector"), lang)]
                                                 + ([_NOW["suspended"].render(lang)] if r.get("suspended_from") else [])),
    "remove_person": lambda r, lang: "; ".join([str(r.get("person", ""))]
                                               + ([_NOW["suspended"].render(lang)] if r.get("suspended_from") else [])),
    "convene_session": lambda r, lang: _EXTRAORDINARY.render(lang) if r.get("extraordinary") else "",
    "close_session": lambda r, lang: "",
    "record_plan_history": lambda r, lang: _FIRST_PLAN.render(lang) if (r.get("plan_history") or {}).get("first_plan")
    else "",
    "configure_reminders": lambda r, lang: "",
    "configure_participation": lambda r, lang: "",
    "confirm_email": lambda r, lang: "",
    "follow_process": lambda r, lang: "",
    "confirm_follow": lambda r, lang: "",
    "unfollow_process": lambda r, lang: "",
    "erase_contact": lambda r, lang: "",
    "purge_contact_data": lambda r, lang: "",
    "prioritise_themes": lambda r, lang: ", ".join(r.get("themes") or []),
}


def did(action: str, result: Any, lang: str, people: People | None = None) -> str:
    """What an action did, in a few words (``S1-D1: a favor``), from its recorded result."""
    if not isinstance(result, dict):
        return ""
    if action == "decide":
        return decision_outcome(result, lang, people)
    if action in _SPECIAL:
        return _SPECIAL[action](result, lang)
    if action in _DID:
        return vocabulary.render(_DID[action], lang, **result)
    return ", ".join(str(result[k]) for k in _KEYS if isinstance(result.get(k), str))
