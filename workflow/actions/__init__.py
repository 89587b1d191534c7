"""The actions: the only way anything is written, and their one explicit registry.

Each action has a validated schema (``workflow.schemas``, or beside its handler), the roles
that may perform it, and a handler run by :func:`workflow.engine.run` inside one
transaction. The CLI, the web app and the scheduler call :func:`apply`; none re-implements
a rule. One module per area:

- :mod:`.people`: the process, its people, agencies, sectors withdrawing and returning;
- :mod:`.sessions`: secretariat sessions, attendance, minutes, the public repository;
- :mod:`.decisions`: motions, votes, decisions, and what each kind of decision does;
- :mod:`.consultation`, :mod:`.preparation`, :mod:`.plan`, :mod:`.monitoring`: each stage's content;
- :mod:`.compliance`, :mod:`.accounts`, :mod:`.reminders`: rule sets and assessments,
  sign-in credentials, reminder settings.

What a stage allows is data of the stage (``Stage.records``, ``Stage.decisions``).
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from stages import DECISION_KINDS, RECORDED_IN
from stages.clock import Clock
from stages.errors import InvalidInput, SpecError, invalid_field, reason
from stages.reminders import ANCHORS

from .. import engine
from .. import schemas as s
from ..engine import ActionDef
from . import (
    accounts,
    bulk,
    compliance,
    consultation,
    decisions,
    monitoring,
    participation,
    people,
    plan,
    preparation,
    record,
    reminders,
    sessions,
)

COORD = ("coordinator",)
MEMBER = ("member",)
LIAISON = ("liaison", "coordinator")
SELF = ("coordinator", "member", "liaison")
PUBLIC = (engine.PUBLIC,)  # anyone on the public site (``ActionDef.public``)
SYSTEM = (engine.SYSTEM,)  # the worker, on its own when it is due (``engine.SYSTEM``; ``workflow.retention``)
GOV = {"while_suspended": True}  # governance: possible while the process is suspended
#: The reminder anchors an action may make due at once (``ActionDef.plans``); moves add every rule.
ALL = frozenset({"*"})
ACTIVITY = frozenset({"activity_end", "progress_due"})


def _a(handler, schema, roles=COORD, **kw) -> ActionDef:
    return ActionDef(handler.__name__, schema, roles, handler, **kw)


#: Every action, in the order they are listed to people (``cocrea actions``, docs/actions.md).
ACTIONS: dict[str, ActionDef] = {a.name: a for a in (
    _a(people.create_process, s.CreateProcess, creates_process=True, plans=ALL),
    _a(people.add_person, s.AddPerson, **GOV, plans=ALL),
    _a(people.update_person, s.UpdatePerson, **GOV, plans=ALL),
    _a(people.remove_person, s.RemovePerson, **GOV, plans=ALL),
    _a(people.add_agency, s.AddAgency, **GOV),
    _a(people.withdraw_sector, s.SectorMove, ("coordinator", "member"), **GOV, plans=ALL),
    _a(people.return_sector, s.SectorMove, ("coordinator", "member"), **GOV, plans=ALL),
    _a(record.record_governance_event, record.RecordGovernanceEvent, **GOV, result_key="governance_event"),
    _a(record.update_response_filing, record.UpdateFiling, **GOV),
    _a(sessions.convene_session, s.ConveneSession, **GOV, result_key="session", plans=frozenset({"session_date"})),
    _a(sessions.record_attendance, s.RecordAttendance, **GOV),
    _a(sessions.close_session, s.CloseSession, **GOV, while_closed=True, plans=frozenset({"session_closed", "session_record"})),  # the closing session's minutes come after the close
    _a(sessions.publish_minutes, s.PublishMinutes, **GOV, while_closed=True, plans=frozenset({"session_closed"})),
    _a(decisions.propose_decision, s.ProposeDecision, **GOV, result_key="decision"),
    _a(decisions.cast_vote, s.CastVote, MEMBER, **GOV),
    _a(decisions.decide, s.Decide, **GOV),
    _a(sessions.publish_document, s.PublishDocument, **GOV, while_closed=True, result_key="document"),
    _a(consultation.sign_declaration, s.SignDeclaration),
    _a(consultation.open_channel, s.OpenChannel, result_key="channel", plans=frozenset({"channel_close"})),
    _a(consultation.record_input, s.RecordInput, result_key="input"),
    _a(bulk.import_inputs, bulk.ImportInputs, dry_run=True),
    _a(consultation.answer_input, s.AnswerInput),
    _a(participation.submit_input, participation.SubmitInput, PUBLIC, public=True, dated=False),  # keys as generated: a replay makes the same
    _a(participation.confirm_email, participation.ConfirmEmail, PUBLIC, public=True, replayed=False, dated=False),
    _a(participation.follow_process, participation.FollowProcess, PUBLIC, public=True, replayed=False, dated=False),
    _a(participation.confirm_follow, participation.ConfirmEmail, PUBLIC, public=True, replayed=False, dated=False),
    _a(participation.unfollow_process, participation.UnfollowProcess, PUBLIC, public=True, replayed=False,
       dated=False),
    _a(participation.hide_input, participation.HideInput),
    _a(participation.unhide_input, participation.UnhideInput),
    _a(participation.erase_contact, participation.EraseContact, **GOV, while_closed=True, replayed=False, dated=False),
    _a(participation.configure_participation, participation.ConfigureParticipation, **GOV),
    _a(participation.purge_contact_data, participation.PurgeContactData, COORD + SYSTEM, **GOV, while_closed=True,
       replayed=False, dated=False),
    _a(consultation.add_theme, s.AddTheme, result_key="theme"),
    _a(consultation.prioritise_themes, s.PrioritiseThemes),
    _a(preparation.record_sensitization_session, s.RecordSensitizationSession, result_key="sensitization_session"),
    _a(preparation.plan_working_table, s.PlanWorkingTable, result_key="working_table"),
    _a(preparation.record_problem_tree, s.RecordProblemTree, result_key="problem_tree"),
    _a(plan.draft_commitment, s.DraftCommitment),
    _a(plan.plan_activity, s.PlanActivity, result_key="activity", plans=ACTIVITY),
    _a(plan.accept_activity, s.AcceptActivity, LIAISON, plans=ACTIVITY),
    _a(plan.add_indicator, s.AddIndicator, result_key="indicator"),
    _a(monitoring.report_progress, s.ReportProgress, LIAISON, plans=ACTIVITY),
    _a(bulk.import_progress, bulk.ImportProgress, LIAISON, plans=ACTIVITY, dry_run=True),
    _a(monitoring.hold_public_event, s.HoldPublicEvent, result_key="event"),
    _a(monitoring.set_final_status, s.SetFinalStatus),
    _a(accounts.set_credentials, s.SetCredentials, SELF, **GOV, while_closed=True, dated=False),
    _a(reminders.configure_reminders, reminders.ConfigureReminders, **GOV, plans=ALL),
    _a(compliance.configure_compliance, compliance.ConfigureCompliance, **GOV),
    _a(compliance.register_ruleset, compliance.RegisterRuleset, **GOV),
    _a(compliance.record_plan_history, compliance.RecordPlanHistory, **GOV),
    _a(compliance.assess_commitment, compliance.AssessCommitment, **GOV, while_closed=True),
)}


def _check_registry() -> None:
    missing = set(RECORDED_IN) - set(ACTIONS)
    if missing:
        raise SpecError(f"stages record actions that do not exist: {sorted(missing)}")
    unknown = {a for action in ACTIONS.values() for a in action.plans} - set(ANCHORS) - {"*"}
    if unknown:
        raise SpecError(f"actions plan reminders from unknown anchors: {sorted(unknown)}")
    kinds = set(DECISION_KINDS)
    if set(decisions.KINDS) != kinds:
        raise SpecError(f"decision kinds without an effect, or effects without a kind: "
                         f"{sorted(set(decisions.KINDS) ^ kinds)}")
    for kind in decisions.KINDS.values():
        if not set(kind.required) <= set(kind.fields) <= set(decisions.MOTION_FIELDS):
            raise SpecError(f"decision kind {kind.name}: fields {kind.fields}, required {kind.required}")


_check_registry()


def apply(db_engine: Engine, action: str, payload: dict | None = None, *, actor: str, process: str | None = None,
          clock: Clock | None = None, at: dt.datetime | None = None, idempotency_key: str | None = None,
          dry_run: bool = False) -> dict:
    """Apply the named action; the one entry point for the CLI, the web app and the scheduler.
    With an ``idempotency_key`` already applied, nothing is applied again (:class:`engine.AlreadyApplied`);
    a ``dry_run`` checks everything and writes nothing (:func:`engine.run`)."""
    if action not in ACTIONS:
        raise InvalidInput([reason("unknown_action", name=action, known=", ".join(ACTIONS))])
    return engine.run(db_engine, ACTIONS[action], dict(payload or {}), actor=actor, process=process,
                      clock=clock, at=at, idempotency_key=idempotency_key, dry_run=dry_run)


#: Longest idempotency key (the column's length).
KEY_LENGTH = 200


def idempotency_key(field: str, value: Any) -> str | None:
    """An idempotency key (``field`` names where it came from): any text of up to 200 printable
    characters."""
    if value is None:
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise invalid_field(field, "not_text")
    value = str(value)
    if not value.strip() or len(value) > KEY_LENGTH or not value.isprintable():
        raise invalid_field(field, "bad_format")
    return value


def parse_at(value: object, field: str = "at", timezone: str | None = None) -> dt.datetime | None:
    """When a fact happened, as an apply file, the API or ``cocrea init --at`` gives it: an ISO time
    with its offset (YAML may have read it already); ``None`` when not given (the action is dated
    now). ``timezone``: a time without offset is read there (a workspace form's local date and
    time, in the process's time zone); without it, such a time is refused."""
    if value is None:
        return None
    at = value
    if isinstance(at, str):
        try:
            at = dt.datetime.fromisoformat(at.strip())
        except ValueError:
            raise invalid_field(field, "not_a_date", value=value) from None
    if not isinstance(at, dt.datetime):  # e.g. a bare date or a number in YAML
        raise invalid_field(field, "not_a_date", value=str(value))
    if at.tzinfo is None and timezone is not None:
        at = at.replace(tzinfo=ZoneInfo(timezone))
    if at.tzinfo is None:
        raise invalid_field(field, "needs_timezone", value=at.isoformat())
    return at


def apply_many(db_engine: Engine, items: Iterable[dict], *, clock: Clock | None = None,
               default_process: str | None = None) -> list[dict]:
    """Apply a list of ``{action, actor, process?, at?, ...payload}`` in order; stops at the first refusal."""
    results = []
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict) or "action" not in item or "actor" not in item:
            raise InvalidInput([reason("bad_file_item", item=n)])
        item = dict(item)
        name, actor = item.pop("action"), item.pop("actor")
        process = item.pop("process", default_process)
        key = idempotency_key(f"#{n}.idempotency_key", item.pop("idempotency_key", None))
        at = parse_at(item.pop("at", None), f"#{n}.at")
        if name == "create_process":
            default_process = item.get("slug", default_process)
        results.append(apply(db_engine, name, item, actor=actor, process=process, clock=clock, at=at,
                             idempotency_key=key))
    return results
