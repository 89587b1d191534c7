"""SQLModel tables. One process owns every row (``process_id``); times are UTC.

Personal data of participants (``Person.email``, ``Input.contact_name``,
``Input.contact_email``) is marked in :data:`PRIVATE_FIELDS` and never leaves through
public views.

Why one module: the tables are one schema (``SQLModel.metadata``), compared as a whole with the
migrations by ``tests/test_migrations.py``; in one module their foreign keys and
:data:`PRIVATE_FIELDS` are read at a glance.
"""
# No ``from __future__ import annotations``: pydantic would evaluate every field's annotation from
# its text when the class is built; here they are objects already (branch boot: the schemas' import
# 40% shorter, the tables' 7%).
import datetime as dt
from typing import Any, Optional

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field

from .types import Table, UTCDateTime


def _utc(**kw: Any) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), **kw))


def _json(default: Any) -> Any:
    return Field(default_factory=lambda: type(default)(default), sa_column=Column(JSON, nullable=False))


def _fk(target: str, **kw: Any) -> Any:
    return Field(foreign_key=target, index=True, **kw)


class Process(Table, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, index=True)
    name: str
    template: str
    stage: str
    suspended_from: Optional[str] = None
    starts_on: dt.date
    term_months: int
    timezone: str = "America/Mexico_City"
    spec_version: str
    ruleset: str
    quorum: dict = _json({})
    settings: dict = _json({})
    created_at: Optional[dt.datetime] = _utc(nullable=False)
    #: The head of the process's audit chain: its newest entry's sequence number, hash and time.
    audit_seq: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    audit_head: Optional[str] = Field(default=None, max_length=64)
    audit_at: Optional[dt.datetime] = _utc()
    #: The last number given to generated keys, by prefix ("i" -> 1042: the next input is i1043).
    counters: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}"))


class Person(Table, table=True):
    """Someone who acts in the process: a coordinator, a secretariat member, an agency liaison."""
    __table_args__ = (UniqueConstraint("process_id", "handle"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = _fk("process.id")
    handle: str
    name: str
    role: str  # coordinator | member | liaison
    email: Optional[str] = None
    sector: Optional[str] = None
    organisation: Optional[str] = None
    #: What kind of organisation holds the seat (civil_society, business, academia...): a seat that
    #: must be independent held by a business organisation is flagged (``compliance/rules_seats.py``).
    organisation_kind: Optional[str] = None
    #: A member's part in its sector's seat: holder, spokesperson (speaks and withdraws for the
    #: sector) or alternate; a shared seat has several organisations.
    seat_role: Optional[str] = None
    agency_id: Optional[int] = Field(default=None, foreign_key="agency.id")
    lang: str = "es"
    active: bool = True
    joined_at: Optional[dt.datetime] = _utc()
    left_at: Optional[dt.datetime] = _utc()


class SectorWithdrawal(Table, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = _fk("process.id")
    sector: str
    withdrawn_at: Optional[dt.datetime] = _utc(nullable=False)
    reason: str
    returned_at: Optional[dt.datetime] = _utc()
    return_reason: Optional[str] = None


class SecretariatSession(Table, table=True):
    __tablename__ = "secretariat_session"
    __table_args__ = (UniqueConstraint("process_id", "key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = _fk("process.id")
    key: str
    scheduled_for: Optional[dt.datetime] = _utc(nullable=False)
    place: str = ""
    agenda: list = _json([])
    extraordinary: bool = False
    justification: Optional[str] = None
    convened_at: Optional[dt.datetime] = _utc(nullable=False)
    agenda_published_at: Optional[dt.datetime] = _utc()
    closed_at: Optional[dt.datetime] = _utc()
    minutes_ref: Optional[str] = None
    minutes_published_at: Optional[dt.datetime] = _utc()
    #: The head of the process's audit chain when the session was closed (everything recorded up
    #: to its close; the close's own entry links to it): published with the session and emailed
    #: to the secretariat, so that the minutes carry the record they close.
    closed_seq: Optional[int] = None
    closed_head: Optional[str] = Field(default=None, max_length=64)


class Attendance(Table, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    session_id: int = _fk("secretariat_session.id")
    person_id: int = _fk("person.id")
    arrived_at: Optional[dt.datetime] = _utc(nullable=False)
    left_at: Optional[dt.datetime] = _utc()


class Decision(Table, table=True):
    """A motion put to a session; adopted or rejected when decided."""
    __table_args__ = (UniqueConstraint("process_id", "key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = _fk("process.id")
    session_id: int = _fk("secretariat_session.id")
    key: str
    kind: str
    payload: dict = _json({})
    rule: str = "consensus"
    status: str = "open"  # open | adopted | rejected
    reason: str = ""
    proposed_at: Optional[dt.datetime] = _utc(nullable=False)
    decided_at: Optional[dt.datetime] = _utc()
    tally: dict = _json({})


class Vote(Table, table=True):
    __table_args__ = (UniqueConstraint("decision_id", "person_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    decision_id: int = _fk("decision.id")
    person_id: int = _fk("person.id")
    position: str  # for | against | abstain
    cast_at: Optional[dt.datetime] = _utc(nullable=False)


class Document(Table, table=True):
    __table_args__ = (UniqueConstraint("process_id", "key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = _fk("process.id")
    key: str
    kind: str  # rules | timeline | agenda | minutes | call | report | evidence | declaration | other
    title: str
    ref: str
    stage: Optional[str] = None
    public: bool = True
    published_at: Optional[dt.datetime] = _utc(nullable=False)


class Declaration(Table, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = _fk("process.id")
    signed_on: dt.date
    signatories: list = _json([])  # [{"name", "role", "sector"}]
    document_ref: str


class Channel(Table, table=True):
    __table_args__ = (UniqueConstraint("process_id", "key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = _fk("process.id")
    key: str
    kind: str  # online | workshop | regional_table | suggestion_box | assembly | survey | other
    name: str
    online: bool = False
    aimed_at_excluded: bool = False
    open_to_all: bool = True
    announced_on: Optional[dt.date] = None
    opens_on: Optional[dt.date] = None
    closes_on: Optional[dt.date] = None
    accepts_late: bool = False
    #: How to take part through it, for the public page: where, when (in words), and what to bring or do.
    place: str = Field(default="", sa_column_kwargs={"server_default": ""})
    schedule: str = Field(default="", sa_column_kwargs={"server_default": ""})
    instructions: str = Field(default="", sa_column_kwargs={"server_default": ""})


class Theme(Table, table=True):
    __table_args__ = (UniqueConstraint("process_id", "key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = _fk("process.id")
    key: str
    name: str
    description: str = ""
    priority: Optional[int] = None


class Input(Table, table=True):
    """A consultation input. ``contact_*`` is personal data: never published."""
    #: The page's news: the newest days of reasoned responses (``reads.public.response_days``).
    __table_args__ = (UniqueConstraint("process_id", "key"), Index("ix_input_process_answered", "process_id", "answered_at"))
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = _fk("process.id")
    key: str
    channel_id: Optional[int] = Field(default=None, foreign_key="channel.id")  # none: a comment on the draft plan
    text: str
    sector: str = "citizen"
    contact_name: Optional[str] = None
    contact_email: Optional[str] = None
    received_on: dt.date
    late: bool = False  # received after its channel closed (the channel takes late inputs)
    theme_id: Optional[int] = Field(default=None, foreign_key="theme.id")
    disposition: Optional[str] = None  # adopted | merged | not_adopted
    rationale: Optional[str] = None
    answered_at: Optional[dt.datetime] = _utc()
    import_id: Optional[int] = Field(default=None, foreign_key="bulk_import.id")  # the file it came in, if imported
    #: ``input`` (the consultation's) or ``comment`` (on a draft commitment, ``commitment_id``).
    kind: str = Field(default="input", sa_column_kwargs={"server_default": "input"})
    commitment_id: Optional[int] = Field(default=None, foreign_key="commitment.id")
    #: Every theme the participant chose (keys); ``theme_id`` is the first, or the one given later.
    themes: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"))
    #: The answers about themselves a participant chose to give (private; counted only in aggregate).
    profile: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}"))
    #: A digest of the address it was sent from (web form), for the limits; private, erased with the contact.
    source_digest: Optional[str] = Field(default=None, max_length=64, index=True)
    #: Hidden by a coordinator with a recorded reason (spam | insult | personal_data); the text is kept.
    hidden_reason: Optional[str] = None
    hidden_note: str = Field(default="", sa_column_kwargs={"server_default": ""})
    hidden_at: Optional[dt.datetime] = _utc()
    #: The text as received, when it held contact data (``text`` is then published masked); private,
    #: erased with the contact (ARCO) and never in the audit trail.
    original_text: Optional[str] = None


class SensitizationSession(Table, table=True):
    __tablename__ = "sensitization_session"
    __table_args__ = (UniqueConstraint("process_id", "key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = _fk("process.id")
    key: str
    held_on: dt.date
    place: str = ""
    topics: list = _json([])
    sectors: dict = _json({})  # sector -> people attending


class WorkingTable(Table, table=True):
    __tablename__ = "working_table"
    __table_args__ = (UniqueConstraint("process_id", "key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = _fk("process.id")
    key: str
    theme_id: int = Field(foreign_key="theme.id")
    methodology: str = ""
    call_ref: str = ""
    facilitator: str = ""
    held_on: Optional[dt.date] = None
    sectors: dict = _json({})


class ProblemTree(Table, table=True):
    __tablename__ = "problem_tree"
    __table_args__ = (UniqueConstraint("process_id", "key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = _fk("process.id")
    key: str
    theme_id: int = Field(foreign_key="theme.id")
    problem: str
    causes: list = _json([])  # [{"text", "strategic"}]
    effects: list = _json([])  # [str]
    solutions: list = _json([])  # [{"key", "text"}]
    sdg_targets: list = _json([])


class Agency(Table, table=True):
    __table_args__ = (UniqueConstraint("process_id", "key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = _fk("process.id")
    key: str
    name: str


class Commitment(Table, table=True):
    __table_args__ = (UniqueConstraint("process_id", "key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = _fk("process.id")
    key: str
    theme_id: Optional[int] = Field(default=None, foreign_key="theme.id")
    solution_key: Optional[str] = None
    title: str
    problem: str = ""
    cause: str = ""
    objective: str = ""
    axes: list = _json([])
    ambition: Optional[str] = None
    outcome: str = ""
    end_date: Optional[dt.date] = None
    agencies: list = _json([])  # agency keys
    action_lines: list = _json([])
    status: str = "draft"  # draft | agreed
    version: int = 1
    final_status: Optional[str] = None
    final_decision_id: Optional[int] = Field(default=None, foreign_key="decision.id")  # justifies a final status


class CommitmentVersion(Table, table=True):
    """Every agreed version of a commitment, with the decision that agreed it."""
    __tablename__ = "commitment_version"
    id: Optional[int] = Field(default=None, primary_key=True)
    commitment_id: int = _fk("commitment.id")
    version: int
    fields: dict = _json({})
    decision_id: Optional[int] = Field(default=None, foreign_key="decision.id")
    recorded_at: Optional[dt.datetime] = _utc(nullable=False)


class Activity(Table, table=True):
    #: The reminders' reads: a process's activities by end date, an agency's by end date.
    __table_args__ = (UniqueConstraint("process_id", "key"), Index("ix_activity_process_end", "process_id", "end_date"),
                      Index("ix_activity_process_agency_end", "process_id", "agency_id", "end_date"))
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = _fk("process.id")
    key: str
    commitment_id: int = _fk("commitment.id")
    title: str
    deliverable: str = ""
    agency_id: Optional[int] = Field(default=None, foreign_key="agency.id")
    start_date: Optional[dt.date] = None
    end_date: Optional[dt.date] = None
    accepted_at: Optional[dt.datetime] = _utc()
    accepted_by: Optional[str] = None
    acceptance_ref: Optional[str] = None  # the official letter (oficio) of the agency's acceptance
    status: str = "not_started"
    percent: int = 0


class Indicator(Table, table=True):
    __table_args__ = (UniqueConstraint("process_id", "key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = _fk("process.id")
    key: str
    commitment_id: int = _fk("commitment.id")
    name: str
    kind: str  # result | management
    baseline: str = ""
    target: str = ""


class ProgressReport(Table, table=True):
    __tablename__ = "progress_report"
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = _fk("process.id")
    activity_id: int = _fk("activity.id")
    status: str
    percent: int
    evidence_ref: str = ""
    reported_on: dt.date
    reported_by: str
    reason: str = ""  # why the percentage went down, when it did
    recorded_at: Optional[dt.datetime] = _utc(nullable=False)


class PublicEvent(Table, table=True):
    __tablename__ = "public_event"
    __table_args__ = (UniqueConstraint("process_id", "key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = _fk("process.id")
    key: str
    kind: str  # midterm | closing
    held_on: dt.date
    place: str = ""
    minutes_ref: Optional[str] = None


class GovernanceEvent(Table, table=True):
    """A fact of the secretariat's governance: a walk-out, a return, or a filing under OGP's
    Response Policy (date, concern, status, outcome)."""
    __tablename__ = "governance_event"
    __table_args__ = (UniqueConstraint("process_id", "key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = _fk("process.id")
    key: str
    kind: str  # walk_out | return | response_policy
    occurred_on: dt.date
    sector: Optional[str] = None
    organisation: Optional[str] = None
    concern: str
    status: Optional[str] = None  # response_policy: filed | under_review | resolved | dismissed
    status_on: Optional[dt.date] = None
    outcome: str = ""
    recorded_at: Optional[dt.datetime] = _utc(nullable=False)


class StageChange(Table, table=True):
    __tablename__ = "stage_change"
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = _fk("process.id")
    event: str
    from_stage: Optional[str] = None
    to_stage: str
    decision_id: Optional[int] = Field(default=None, foreign_key="decision.id")
    reason: str = ""
    at: Optional[dt.datetime] = _utc(nullable=False)


class AuditEntry(Table, table=True):
    """Append-only, hash-chained per process. ``body`` is the canonical JSON hashed."""
    __tablename__ = "audit_entry"
    __table_args__ = (UniqueConstraint("process_id", "seq"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = _fk("process.id")
    seq: int
    at: Optional[dt.datetime] = _utc(nullable=False)  # when the fact happened (the action's time)
    recorded_at: Optional[dt.datetime] = _utc()  # when it was recorded (later than ``at`` for a migrated past)
    actor: str
    action: str
    session_key: Optional[str] = None
    reason: str = ""
    body: str
    prev_hash: str
    hash: str = Field(index=True)


class CitizenContact(Table, table=True):
    """An email address a citizen gave to a process: to receive the reasoned responses to their
    inputs, and (``following``) the weekly digest. Nothing is sent to it before it is confirmed
    through the link with ``token`` (which also unsubscribes); erased on request (ARCO)."""
    __tablename__ = "citizen_contact"
    __table_args__ = (UniqueConstraint("process_id", "email"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = _fk("process.id")
    email: Optional[str] = Field(default=None, max_length=254)
    token: Optional[str] = Field(default=None, max_length=64, unique=True)
    lang: str = "es"
    created_at: Optional[dt.datetime] = _utc(nullable=False)
    confirmed_at: Optional[dt.datetime] = _utc()
    following: bool = False
    followed_at: Optional[dt.datetime] = _utc()
    #: Following confirmed through its own link (an address confirmed for an input is not enough).
    follow_confirmed_at: Optional[dt.datetime] = _utc()
    unfollowed_at: Optional[dt.datetime] = _utc()
    erased_at: Optional[dt.datetime] = _utc()
    #: A digest of the address the last follow came from (web form), for the limits; private, erased with it.
    source_digest: Optional[str] = Field(default=None, max_length=64)


#: Columns that hold personal data; public views must drop them.
PRIVATE_FIELDS: dict[type, tuple[str, ...]] = {
    Person: ("email",),
    Input: ("contact_name", "contact_email", "profile", "source_digest", "original_text"),
    CitizenContact: ("email", "token", "source_digest"),
}


class CommitmentAssessment(Table, table=True):
    """The secretariat's judgement of a commitment in the IRM's terms; the latest row counts."""
    __tablename__ = "commitment_assessment"
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = _fk("process.id")
    commitment_id: int = _fk("commitment.id")
    potential_for_results: Optional[str] = None  # unclear | modest | substantial
    potential_impact: Optional[str] = None  # none | minor | moderate | transformative (older scale)
    early_results: Optional[str] = None  # worsened | did_not_change | marginal | major | outstanding
    notes: str = ""
    assessed_by: str
    assessed_at: Optional[dt.datetime] = _utc(nullable=False)


# Sign-in credentials live in their own module; registered here so every schema has them.
from .accounts import Account  # noqa: E402

PRIVATE_FIELDS[Account] = ("password_hash", "api_token_hash")

from .outbox import OutboxMessage  # noqa: E402

PRIVATE_FIELDS[OutboxMessage] = ("recipient",)

from .imports import BulkImport, BulkImportDigests  # noqa: E402,F401

class AppliedKey(Table, table=True):
    """An idempotency key of an applied action (``idempotency_key`` of an item of ``cocrea apply``):
    written in the action's own transaction, so a key is recorded if and only if its action was
    applied. ``digest`` fingerprints the item (action, actor, process, time, fields): the same
    key with other content is refused instead of skipped."""
    __tablename__ = "applied_key"
    key: str = Field(primary_key=True, max_length=200)
    digest: str = Field(max_length=64)
    process_id: int = _fk("process.id")
    audit_entry_id: int = _fk("audit_entry.id")
    applied_at: Optional[dt.datetime] = _utc(nullable=False)
