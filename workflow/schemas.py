"""Validated input schemas of the actions (one per action, same name in CamelCase).

Why one module: one schema per action, each a few lines, over the field types at the top (kinds
of text and their limits, keys, dates); the field types and the limits stay in one place
(``tests/test_workflow_text_limits.py``).
"""
# No ``from __future__ import annotations``: pydantic would evaluate every field's annotation from
# its text when the class is built; here they are objects already (branch boot: the schemas' import
# 40% shorter, the tables' 7%).
import datetime as dt
import re
from typing import Annotated, Literal, Optional

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints
from pydantic_core import PydanticCustomError

from i18n import D_
from stages import DECISION_KINDS, STAGE_NAMES, Reason
from stages.commitments import AMBITION, AXES
from stages.errors import field_reason
from stages.monitoring import FINAL_STATUS
from stages.sensitization import QUESTIONS
from stages.templates import TRIPARTITE

FIRST_YEAR, LAST_YEAR = 1900, 2199  # a co-creation process lives in years a calendar can hold


#: pydantic's error type -> the problem an ``invalid_field`` reason names (``stages.reasons.FIELD_PROBLEMS``).
_PROBLEMS = {
    "missing": "missing", "extra_forbidden": "unknown", "string_too_short": "too_short", "string_too_long": "too_long",
    "too_short": "too_short", "too_long": "too_long",
    "date_parsing": "not_a_date", "date_from_datetime_parsing": "not_a_date", "date_from_datetime_inexact": "not_a_date",
    "datetime_parsing": "not_a_date", "datetime_from_date_parsing": "not_a_date", "date_type": "not_a_date",
    "datetime_type": "not_a_date", "date_out_of_range": "out_of_calendar",
    "literal_error": "not_allowed_value", "enum": "not_allowed_value",
    "int_parsing": "not_a_number", "int_type": "not_a_number", "int_from_float": "not_a_number",
    "bool_parsing": "not_yes_no", "bool_type": "not_yes_no",
    "greater_than_equal": "number_range", "less_than_equal": "number_range", "greater_than": "number_range",
    "less_than": "number_range", "string_pattern_mismatch": "bad_format",
    "control_characters": "control_characters", "string_type": "not_text",
}


def validation_reasons(errors: list[dict]) -> list[Reason]:
    """One ``invalid_field`` reason per problem pydantic found (``ValidationError.errors()``),
    said in the reader's words."""
    out = []
    for e in errors:
        field = ".".join(str(p) for p in e["loc"]) or "-"
        problem = _PROBLEMS.get(e["type"], "invalid")
        ctx = e.get("ctx") or {}
        details: dict = {"value": str(e.get("input"))[:80]} if problem in ("not_a_date", "not_allowed_value") else {}
        if problem == "too_short":
            details["min_length"] = ctx.get("min_length", 1)
        elif problem == "too_long":
            details["max_length"] = ctx.get("max_length", 0)
        elif problem == "out_of_calendar":
            details.update(first=FIRST_YEAR, last=LAST_YEAR)
        elif problem == "not_allowed_value":
            details["expected"] = str(ctx.get("expected", "")).replace("'", "")
        elif problem == "number_range":
            limit = next(((op, v) for op, v in (("≥", ctx.get("ge")), ("≤", ctx.get("le")), (">", ctx.get("gt")),
                                                 ("<", ctx.get("lt"))) if v is not None), ("", ""))
            details["limit"] = f"{limit[0]} {limit[1]}".strip()
        elif problem == "invalid":
            details["detail"] = e.get("msg", "")
        out.append(field_reason(field, problem, **details))
    return out


def in_calendar(value: dt.date) -> bool:
    """The one check of the years a date or time may have (schemas and an action's ``at``)."""
    return FIRST_YEAR <= value.year <= LAST_YEAR


def _in_range(value):
    if not in_calendar(value):
        raise PydanticCustomError("date_out_of_range", "date outside {first}-{last}",
                                  {"first": FIRST_YEAR, "last": LAST_YEAR})
    return value


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")


def _no_control(value: str) -> str:
    """Text people read: no control characters but newline and tab (a carriage return before a
    newline is dropped)."""
    if value.isprintable():  # the common text: no character of _CONTROL (all unprintable), nor a "\r"
        return value
    value = value.replace("\r\n", "\n")
    if _CONTROL.search(value):
        raise PydanticCustomError("control_characters", "control characters are not allowed")
    return value


#: The texts ``_no_control`` returns as they are (``workflow.columns`` skips it on a column of them).
_no_control.unchanged = str.isprintable  # type: ignore[attr-defined]


def text_type(min_length: int, max_length: int) -> object:
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
                     AfterValidator(_no_control)]


Day = Annotated[dt.date, AfterValidator(_in_range)]
Moment = Annotated[dt.datetime, AfterValidator(_in_range)]
#: What a key (a slug, a handle, a session's or a commitment's key) may look like.
KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN)]
SectorName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
#: The limits of free text, one per kind of text (docs/actions.md shows each field's).
SHORT_MAX, TEXT_MAX, INPUT_MAX = 300, 5000, 10000
Short = text_type(1, SHORT_MAX)            # a name, a title, a place, a reference: required
Line = text_type(0, SHORT_MAX)             # the same, optional (may be empty)
Text1 = text_type(1, TEXT_MAX)             # a reason, a rationale, a problem, a methodology: required
Note = text_type(0, TEXT_MAX)              # the same, optional
InputText = text_type(1, INPUT_MAX)        # what a participant said in a consultation
Email = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$", max_length=254)]
Axis = Literal[AXES]  # type: ignore[valid-type]
Ambition = Literal[AMBITION]  # type: ignore[valid-type]
Question = Literal[tuple(QUESTIONS)]  # type: ignore[valid-type]
Final = Literal[FINAL_STATUS]  # type: ignore[valid-type]
Role = Literal["coordinator", "member", "liaison"]
#: A member's part in its sector's seat, and the kinds of organisation that hold seats.
SEAT_ROLES = ("holder", "spokesperson", "alternate")
ORGANISATION_KINDS = ("civil_society", "business", "academic", "government", "international", "other")
SeatRole = Literal[SEAT_ROLES]  # type: ignore[valid-type]
OrganisationKind = Literal[ORGANISATION_KINDS]  # type: ignore[valid-type]
DecisionKind = Literal[DECISION_KINDS]  # type: ignore[valid-type]
STAGE = Literal[STAGE_NAMES]  # type: ignore[valid-type]


class Schema(BaseModel):
    #: ``defer_build``: a schema's validator is built when an action first validates with it, not at
    #: import: a command runs one action (a replay of the trail, the ones the trail holds), not ninety.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


class QuorumRuleIn(Schema):
    sectors: dict[SectorName, Annotated[int, Field(ge=1, le=100)]] = Field(
        default_factory=lambda: dict(TRIPARTITE),
        description=D_("required sector -> minimum members of it present"))
    min_members: Annotated[int, Field(ge=0, le=500)] = Field(0, description=D_("minimum members present in all"))


class CreateProcess(Schema):
    slug: Key = Field(description=D_("short unique name used in commands and addresses"))
    name: Short
    template: Literal["federal", "inai_local", "ogp_local"]
    starts_on: Optional[Day] = Field(None, description=D_("start of the term (default: today)"))
    term_months: Optional[Annotated[int, Field(ge=1, le=60)]] = Field(None, description=D_("default from the template"))
    timezone: Short = "America/Mexico_City"
    ruleset: Optional[Short] = Field(None, description=D_("compliance rule set (default from the template)"))
    quorum: Optional[QuorumRuleIn] = None
    coordinator_name: Short = Field(description=D_("the actor becomes the first coordinator"))
    coordinator_email: Optional[Email] = None
    compliance_gate: Optional[bool] = Field(None, description=D_(
        "unmet basic requirements block leaving a stage (default: on, from the template); created off, the public "
        "page says it was never on; once on, only a decision of the secretariat lifts it"))


class AddPerson(Schema):
    handle: Key
    name: Short
    role: Role
    sector: Optional[SectorName] = Field(None, description=D_("required for members"))
    organisation: Optional[Short] = None
    organisation_kind: Optional[OrganisationKind] = Field(
        None, description=D_("what kind of organisation it is (a business one in an independent seat is flagged)"))
    seat_role: Optional[SeatRole] = Field(None, description=D_(
        "members: holder (default), spokesperson (speaks and withdraws for the sector) or alternate"))
    email: Optional[Email] = Field(None, description=D_("private; used only for notices"))
    agency: Optional[Key] = Field(None, description=D_("required for liaisons"))
    lang: Literal["es", "en"] = "es"


class UpdatePerson(Schema):
    handle: Key = Field(description=D_("whose details change (the handle itself never changes)"))
    name: Optional[Short] = None
    email: Optional[Email] = Field(None, description=D_("private; used only for notices"))
    forget_email: bool = Field(False, description=D_("remove the stored email (no more notices by email)"))
    organisation: Optional[Short] = None
    organisation_kind: Optional[OrganisationKind] = None
    seat_role: Optional[SeatRole] = Field(None, description=D_("members: their part in the sector's seat"))
    agency: Optional[Key] = Field(None, description=D_("liaisons: the agency they now speak for"))
    lang: Optional[Literal["es", "en"]] = None


class RemovePerson(Schema):
    handle: Key
    reason: Text1


class AddAgency(Schema):
    key: Key
    name: Short


class SectorMove(Schema):
    sector: SectorName
    reason: Text1


class ConveneSession(Schema):
    key: Optional[Key] = None
    scheduled_for: Optional[Moment] = Field(None, description=D_("when it begins (default: now, a session that "
                                                                 "begins as it is convened)"))
    place: Short
    agenda: list[Short] = Field(min_length=1)
    extraordinary: bool = False
    justification: Optional[Text1] = None


class RecordAttendance(Schema):
    session: Key
    members: list[Key] = Field(min_length=1)
    present: bool = Field(True, description=D_("they arrived at the session, or they left it"))


class CloseSession(Schema):
    session: Key
    minutes_ref: Optional[Short] = None


class PublishMinutes(Schema):
    session: Key
    ref: Short


class ProposeDecision(Schema):
    key: Optional[Key] = None
    session: Key
    kind: DecisionKind
    rule: Literal["consensus", "majority"] = "consensus"
    reason: Note = Field("", description=D_("why; required to reopen"))
    target: Optional[STAGE] = Field(None, description=D_("to reopen: the earlier stage to go back to; to advance (optional): the next stage"))
    commitments: Optional[list[Key]] = Field(
        None, description=D_("to approve commitments: which ones (by default, every draft)"))
    commitment: Optional[Key] = Field(None, description=D_("to amend a commitment: which one"))
    changes: Optional[dict] = Field(None, description=D_("to amend a commitment: the new values of its fields"))
    quorum: Optional[QuorumRuleIn] = Field(None, description=D_("to change the quorum rule: the new rule"))
    text: Optional[Text1] = Field(None, description=D_("for a general agreement: what is agreed"))
    opens_on: Optional[Day] = Field(None, description=D_("to open the draft commitments for public comment: from"))
    closes_on: Optional[Day] = Field(None, description=D_("to open the draft commitments for public comment: until"))


class CastVote(Schema):
    decision: Key
    position: Literal["for", "against", "abstain"]
    member: Optional[Key] = Field(None, description=D_("if given, must be the actor"))


class Decide(Schema):
    decision: Key


class PublishDocument(Schema):
    key: Optional[Key] = None
    kind: Literal["rules", "timeline", "agenda", "minutes", "call", "report", "evidence", "declaration",
                  "plan", "other", "website", "outreach", "consultation_report"]
    title: Short
    ref: Short
    stage: Optional[STAGE] = None


class Signatory(Schema):
    name: Short
    role: Short
    sector: SectorName


class SignDeclaration(Schema):
    signed_on: Optional[Day] = Field(None, description=D_("default: the day of the action"))
    signatories: list[Signatory] = Field(min_length=1)
    document_ref: Short


class OpenChannel(Schema):
    key: Key
    kind: Literal["online", "survey", "workshop", "regional_table", "suggestion_box", "assembly", "other"]
    name: Short
    online: bool = False
    aimed_at_excluded: bool = False
    open_to_all: bool = True
    announced_on: Optional[Day] = None
    opens_on: Optional[Day] = None
    closes_on: Optional[Day] = None
    accepts_late: bool = Field(False, description=D_("inputs received after it closes are still taken (and marked late)"))
    place: Line = Field("", description=D_("where people take part through it (an address, a venue), for the public page"))
    schedule: Line = Field("", description=D_("when, in words (e.g. Saturdays 10:00 to 14:00), for the public page"))
    instructions: Note = Field("", description=D_("how to take part through it (what to bring, how to register), for the public page"))


class RecordInput(Schema):
    key: Optional[Key] = None
    channel: Key
    text: InputText
    sector: SectorName = "citizen"
    contact_name: Optional[Short] = Field(None, description=D_("private"))
    contact_email: Optional[Email] = Field(None, description=D_("private"))
    received_on: Day
    theme: Optional[Key] = None


class AnswerInput(Schema):
    input: Key
    disposition: Literal["adopted", "merged", "not_adopted"]
    rationale: Text1
    theme: Optional[Key] = None


class AddTheme(Schema):
    key: Key
    name: Short
    description: Note = ""


class PrioritiseThemes(Schema):
    themes: list[Key] = Field(min_length=1, description=D_("in order of priority"))


class RecordSensitizationSession(Schema):
    key: Optional[Key] = None
    held_on: Day
    place: Line = ""
    topics: list[Question] = Field(min_length=1)
    sectors: dict[SectorName, Annotated[int, Field(ge=0)]] = Field(description=D_("sector -> people attending"))


class PlanWorkingTable(Schema):
    key: Optional[Key] = None
    theme: Key
    methodology: Text1
    call_ref: Short
    facilitator: Short
    held_on: Day
    sectors: dict[SectorName, Annotated[int, Field(ge=0)]]


class Cause(Schema):
    text: Text1
    strategic: bool = False


class Solution(Schema):
    key: Key
    text: Text1


class RecordProblemTree(Schema):
    key: Optional[Key] = None
    theme: Key
    problem: Text1
    causes: list[Cause] = Field(min_length=1)
    effects: list[Text1] = Field(min_length=1)
    solutions: list[Solution] = []
    sdg_targets: list[Short] = []


class DraftCommitment(Schema):
    key: Key
    theme: Optional[Key] = None
    solution: Optional[Key] = Field(None, description=D_("the chosen solution's key in its problem tree"))
    title: Short
    problem: Note = ""
    cause: Note = ""
    objective: Note = ""
    axes: list[Axis] = []
    ambition: Optional[Ambition] = None
    outcome: Note = ""
    end_date: Optional[Day] = None
    agencies: list[Key] = []
    action_lines: list[Short] = []


class PlanActivity(Schema):
    key: Optional[Key] = None
    commitment: Key
    title: Short
    deliverable: Short
    agency: Key
    start_date: Day
    end_date: Day


class AcceptActivity(Schema):
    activity: Key
    document_ref: Optional[Short] = None


class AddIndicator(Schema):
    key: Optional[Key] = None
    commitment: Key
    name: Short
    kind: Literal["result", "management"]
    baseline: Line = ""
    target: Line = ""


class ReportProgress(Schema):
    activity: Key
    status: Literal["not_started", "in_progress", "completed", "delayed"]
    percent: Annotated[int, Field(ge=0, le=100)]
    evidence_ref: Line = ""
    reported_on: Day
    reason: Note = Field("", description=D_("why the percentage went down, when it did"))


class HoldPublicEvent(Schema):
    key: Optional[Key] = None
    kind: Literal["midterm", "closing"]
    held_on: Day
    place: Line = ""
    minutes_ref: Optional[Short] = None


class SetFinalStatus(Schema):
    commitment: Key
    status: Final
    decision: Optional[Key] = Field(None, description=D_(
        "an adopted decision of the secretariat that justifies a status other than what the activities show"))


Password = Annotated[str, StringConstraints(min_length=10, max_length=200, strip_whitespace=False)]
AccessCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9 -]{16,40}$")]


class SetCredentials(Schema):
    """No secret comes from outside but the owner's own password: tokens and access codes are
    made by the server. The password is hashed here, while the payload is validated, so the
    slow argon2 hash never runs inside the action's transaction."""

    handle: Key = Field(description=D_("whose credentials: the actor's own; a coordinator may revoke "
                                       "another person's token or reset their access"))
    password: Optional[Password] = Field(None, description=D_("the actor's own new password; stored as an "
                                                              "argon2id hash, never in clear"))
    new_token: bool = Field(False, description=D_("make a new API token for the actor (replaces the current one; "
                                                  "shown once)"))
    revoke_token: bool = Field(False, description=D_("remove the API token"))
    reset_access: bool = Field(False, description=D_("coordinators: end the person's password, token and sessions "
                                                     "and give them a one-time code to choose a new password"))
    # exclude: never in the payload the audit trail keeps (used up, but a secret all the same)
    reset_code: Optional[AccessCode] = Field(None, exclude=True,
                                             description=D_("the one-time code received, with the new password"))
    _password_hash: Optional[str] = PrivateAttr(None)

    def model_post_init(self, context: object, /) -> None:
        if self.password:
            from .credentials import hash_password

            self._password_hash = hash_password(self.password)

    @property
    def password_hash(self) -> Optional[str]:
        return self._password_hash
