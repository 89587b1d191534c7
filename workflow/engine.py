"""The single choke point: every action runs here, in one transaction, and every stage
change goes through :func:`move`.

``run`` validates the payload, locks the process row, checks who may act and whether the
process's state admits the action, calls the handler, appends the audit entry, and
commits. Any refusal raised on the way rolls the whole transaction back, so the database
is left exactly as it was.

Why one module: it is the choke point: running an action, checking a stage move and making it
are one path that every write takes, read top to bottom in one place.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Iterable, NamedTuple

from pydantic import BaseModel, ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from notifications import outbox, planner
from stages import CLOSED, RECORDED_IN, SUSPENDED, Records
from stages.base import no_cyclic_gc
from stages.clock import Clock, SystemClock
from stages.errors import InvalidInput, NotAllowed, TransitionBlocked, invalid_field, reason, refuse
from storage import direct, load_records, transaction
from storage.lookup import process_and_person
from storage.records import BY_PROCESS, THROUGH
from storage.models import AppliedKey, AuditEntry, Person, Process

from . import audit, machine
from .moves import blockers, reads_for
from .schemas import FIRST_YEAR, LAST_YEAR, in_calendar, validation_reasons


@dataclass(frozen=True)
class ActionDef:
    name: str
    schema: type[BaseModel]
    roles: tuple[str, ...]
    handler: Callable[["Context", Any], dict]
    while_suspended: bool = False  # governance actions stay possible while suspended
    creates_process: bool = False
    while_closed: bool = False  # the repository, minutes, credentials, assessments after the close
    #: The field of the result that names a key the action generated when none was given (``"input"``):
    #: a replay of the audit trail gives that key back, so it never depends on how keys are generated.
    result_key: str | None = None
    #: The reminder anchors (``stages.reminders.ANCHORS``) whose reminders the action may make due
    #: at once; ``"*"``: every rule (people, settings). Time makes the rest due: the worker's sweep.
    plans: frozenset[str] = frozenset()
    #: Done by anyone on the public site, as the anonymous actor :data:`PUBLIC` (no person of the
    #: process): a citizen's input, confirming an email, following a process.
    public: bool = False
    #: Replayed when a past is rebuilt from the audit trail (``reads.replay``); ``False`` for the
    #: actions that only touch citizens' contact data, which compliance never reads and whose
    #: payload (a token, an email) the trail does not keep.
    replayed: bool = True
    #: Records a fact that happened at a moment, which may be given (``at``: an apply file, the
    #: API, the workspace's "date of the fact"); ``False`` for what is done only as it is recorded
    #: (a secret made, a citizen acting on the site, contact data erased): ``at`` is refused.
    dated: bool = True
    #: Can be tried without writing anything (``run(..., dry_run=True)``): the handler checks
    #: everything, writes nothing, and returns what it would do and every problem it found.
    dry_run: bool = False

    @property
    def doc(self) -> str:
        return (self.handler.__doc__ or "").strip()

    @property
    def stages(self) -> tuple[str, ...]:
        """The stages this action is recorded in (stage content); empty: any open stage."""
        return RECORDED_IN.get(self.name, ())


_INSERTS: dict = {}  # model -> its INSERT as a driver statement (``storage.direct``) and each column's default


def _insert_plan(model: type) -> tuple:
    """``model``'s INSERT of every column but the id, and how each column's missing value is made
    as an ORM object would have it: the model's default (a constant, taken as is when it cannot be
    changed, else copied) or its ``default_factory`` (called for each row)."""
    from pydantic_core import PydanticUndefined
    from sqlalchemy import bindparam

    from storage.direct import Statement

    from sqlalchemy.orm.instrumentation import manager_of_class

    table = model.__table__
    names = [c.name for c in table.c if c.name != "id"]
    defaults = []
    for name in names:
        f = model.model_fields[name]
        if f.default_factory is not None and not f.default_factory_takes_validated_data:
            defaults.append((name, None, f.default_factory))  # called for each row
        elif f.default_factory is not None or f.default is PydanticUndefined or not isinstance(
                f.default, (type(None), str, int, float, bool, tuple, dt.date, dt.datetime)):
            defaults.append((name, None, partial(f.get_default, call_default_factory=True)))  # made by the field
        else:
            defaults.append((name, f.default, None))
    values = {n: bindparam(f"b_{n}") for n in names}
    return (Statement(lambda: table.insert().values(values)), defaults,
            Statement(lambda: table.insert().values(values).returning(table.c.id), returning=True),
            manager_of_class(model))


@dataclass
class Context:
    """What a handler sees: the open transaction, the locked process, actor and time."""
    db: Session
    process: Process
    actor: Person
    now: dt.datetime
    session_key: str | None = None
    reason: str = ""
    extra_audit: dict = field(default_factory=dict)
    touched: set[str] = field(default_factory=set)  # reminder anchors touched beyond the action's own
    #: The activities (ids) the action wrote: only their reminders are re-planned (``activity_end``,
    #: ``progress_due``); empty: every activity's. The others' come due with time: the sweep's.
    activities: set[int] = field(default_factory=set)
    dry_run: bool = False  # only check and tell: the transaction is rolled back whatever happens

    def insert(self, model: type, rows: list[dict] | None = None, **values: Any) -> None:
        """Write a new row of ``model`` (``values``), or several (``rows``), that nothing changes
        later in the action: one INSERT through the driver (``storage.direct``), each value not given the model's default as an ORM
        object would have it, and no object for the unit of work to flush."""
        plan = _INSERTS.get(model)
        if plan is None:
            plan = _INSERTS[model] = _insert_plan(model)
        rows = [values] if rows is None else rows
        plan[0].run_many(self.db, [{f"b_{name}": row[name] if name in row else (fixed if make is None else make())
                                    for name, fixed, make in plan[1]} for row in rows])

    def add(self, model: type, **values: Any) -> Any:
        """Write a new row of ``model`` as :meth:`insert` does, and give its ORM object, in the
        session as if it had been read (its id included): changed later, it is flushed as usual."""
        plan = _INSERTS.get(model)
        if plan is None:
            plan = _INSERTS[model] = _insert_plan(model)
        row = {name: values[name] if name in values else (fixed if make is None else make())
               for name, fixed, make in plan[1]}
        row["id"] = plan[2].run(self.db, {f"b_{name}": value for name, value in row.items()})
        return direct.attach(self.db, plan[3], row)

    def records(self, only: Iterable[str] | None = None) -> Records:
        """The process's records as plain rows, to judge (never to change: write through ``db``).
        They are read through the driver, so the writes still pending in the session to the tables
        read are flushed first (the others wait for the next flush: one less unit of work)."""
        tables = None if only is None else tables_of(only)
        if tables is None or any(o.__tablename__ in tables for o in (*self.db.new, *self.db.dirty, *self.db.deleted)):
            self.db.flush()
        return load_records(self.db, self.process, only, now=self.now, plain=True)


def tables_of(names: Iterable[str]) -> frozenset[str]:
    """The tables behind the records ``names`` (``stages.Records`` fields; one read through another reads both)."""
    out = set()
    for name in names:
        if name in THROUGH:
            parent, model, _ = THROUGH[name]
            out |= {model.__tablename__, BY_PROCESS[parent].__tablename__}
        else:
            out.add(BY_PROCESS[name].__tablename__)
    return frozenset(out)


def validate(schema: type[BaseModel], payload: dict) -> BaseModel:
    try:
        return schema.model_validate(payload)
    except ValidationError as exc:
        raise InvalidInput(validation_reasons(exc.errors())) from None


#: The actor of the public actions: anyone on the public site, named by no one.
PUBLIC = "public"


#: The actor of what the worker does on its own when due (the purge of contact data once the
#: retention period is over), only in the actions whose roles name it.
SYSTEM = "system"


def public_actor(process: Process, handle: str = PUBLIC) -> Person:
    """The anonymous actor of a public action (or :data:`SYSTEM`): a person of no process, never stored."""
    return Person(handle=handle, name=handle, role=handle, active=True)


def check_state(action: ActionDef, process: Process) -> None:
    if process.stage == CLOSED and not action.while_closed:
        raise refuse("process_closed")
    if process.stage == SUSPENDED and not action.while_suspended:
        raise refuse("process_suspended", stage=process.suspended_from)
    if action.stages and process.stage != SUSPENDED and process.stage not in action.stages:
        raise refuse("not_in_stage", action=action.name, allowed=list(action.stages), stage=process.stage)


def moment(clock: Clock, at: dt.datetime | None) -> dt.datetime:
    """The action's time: ``at`` (a past fact being recorded) or the clock's now, in UTC."""
    return moments(clock, at)[0]


def moments(clock: Clock, at: dt.datetime | None) -> tuple[dt.datetime, dt.datetime]:
    """(when the fact happened, when it is recorded): ``at`` or now, and now; in UTC."""
    current = clock.now()
    now = at or current
    if now.tzinfo is None:
        raise invalid_field("at", "needs_timezone", value=now.isoformat())
    if at is not None and at > current:
        raise InvalidInput([reason("time_in_future", at=at.isoformat(), now=current.isoformat())])
    if not in_calendar(now):
        raise invalid_field("at", "out_of_calendar", first=FIRST_YEAR, last=LAST_YEAR)
    return now.astimezone(dt.timezone.utc), current.astimezone(dt.timezone.utc)


class AlreadyApplied(dict):
    """The result of an action whose idempotency key was applied before: what it returned then
    (from its audit entry), nothing applied now. ``seq`` is that entry's place in its chain."""

    def __init__(self, result: Any, key: str, seq: int):
        super().__init__(result if isinstance(result, dict) else {"result": result})
        self.key, self.seq = key, seq


def fingerprint(action: ActionDef, actor: str, process: str | None, data: BaseModel, at: dt.datetime | None) -> str:
    """What an item with an idempotency key says, hashed: a re-run item must say the same."""
    body = json.dumps({"action": action.name, "actor": actor, "process": process,
                       "at": at.isoformat() if at else None, "payload": data.model_dump(mode="json", exclude_none=True)},
                      sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def applied_before(db: Session, key: str, digest: str) -> AlreadyApplied | None:
    """The earlier result of ``key``; refused (``idempotency_key_reused``) if the item differs."""
    found = db.exec(select(AppliedKey, AuditEntry, Process).join(AuditEntry, AuditEntry.id == AppliedKey.audit_entry_id)
                    .join(Process, Process.id == AppliedKey.process_id).where(AppliedKey.key == key)).first()
    if found is None:
        return None
    row, entry, proc = found
    if row.digest != digest:
        raise InvalidInput([reason("idempotency_key_reused", key=key, process=proc.slug, seq=entry.seq)])
    return AlreadyApplied(json.loads(entry.body).get("result"), key, entry.seq)


def run(db_engine: Engine, action: ActionDef, payload: dict, *, actor: str, process: str | None,
        clock: Clock | None = None, at: dt.datetime | None = None, idempotency_key: str | None = None,
        dry_run: bool = False, plan: bool = True) -> dict:
    """Apply one action; returns its result or raises a :class:`CocreaError`.

    The time of the action is read after the process is locked: two people acting on one
    process at once are applied one after the other, each at its own time.

    With an ``idempotency_key`` applied before (by the same item), nothing is applied and the
    earlier result comes back as :class:`AlreadyApplied`; the key is recorded in the action's
    own transaction, so it is there if and only if the action was applied.

    A ``dry_run`` (of an action that has one, :attr:`ActionDef.dry_run`) is checked as the action
    would be, by the same code, and rolled back: no audit entry, nothing written; the handler
    returns what it would write and every problem it found.

    ``plan=False`` plans no reminders (the outbox is not written): only for a replay of the audit
    trail into a scratch database that no worker reads (``reads.replay``)."""
    if dry_run and not action.dry_run:
        raise InvalidInput([reason("no_dry_run", action=action.name)])
    data = validate(action.schema, payload)
    clock = clock or SystemClock()
    if at is not None:
        if not action.dated:
            raise invalid_field("at", "not_dated", action=action.name)
        moment(clock, at)  # a bad ``at`` is refused before anything is locked
    digest = fingerprint(action, actor, process, data, at) if idempotency_key is not None else ""
    with transaction(db_engine, commit=not dry_run) as db:
        if action.creates_process:
            if idempotency_key is not None and (done := applied_before(db, idempotency_key, digest)) is not None:
                return done
            now, recorded = moments(clock, at)
            result, ctx = action.handler(db, data, actor, now)
        else:
            if not process:
                raise invalid_field("process", "missing")
            proc, known = process_and_person(db, process, actor, for_update=True)
            # checked under the process's lock: two runs of one file never both apply an item
            if idempotency_key is not None and (done := applied_before(db, idempotency_key, digest)) is not None:
                return done
            now, recorded = moments(clock, at)
            if (action.public and actor == PUBLIC) or (actor == SYSTEM and SYSTEM in action.roles):
                person = public_actor(proc, actor)
            else:
                person = known
                if person is None or not person.active:
                    raise NotAllowed([reason("actor_unknown", actor=actor)])
            if person.role not in action.roles:
                raise NotAllowed([reason("actor_not_allowed", actor=actor, role=person.role, action=action.name,
                                         allowed=list(action.roles))])
            check_state(action, proc)
            if proc.audit_at is not None and now < proc.audit_at:
                raise InvalidInput([reason("time_goes_backwards", at=now.isoformat(), last=proc.audit_at.isoformat())])
            ctx = Context(db, proc, person, now, dry_run=dry_run)
            result = action.handler(ctx, data)
            if dry_run:
                return result
        anchors = action.plans | ctx.touched
        # reminders the action made due, in its transaction: only the rules it touched. A past fact
        # being recorded (``at``) makes nothing due back then: the worker's sweep plans what is due now.
        if plan and anchors and at is None:
            every = "*" in anchors
            outbox.enqueue_due(db, ctx.process, now, None if every else frozenset(anchors),
                               None if every or not ctx.activities else ctx.activities)
        entry = audit.append(db, process=ctx.process, at=now, actor=actor, action=action.name,
                             payload=data.model_dump(mode="json", exclude_none=True), result=result,
                             session_key=ctx.session_key, reason_text=ctx.reason, recorded_at=recorded)
        if idempotency_key is not None:
            db.add(AppliedKey(key=idempotency_key, digest=digest, process_id=ctx.process.id, audit_entry_id=entry.id,
                              applied_at=recorded or now))
            db.flush()
    return result


# --- stage changes --------------------------------------------------------------------

class Moved(NamedTuple):
    """A stage change :func:`move` made (its ``stage_change`` row is written)."""
    event: str
    from_stage: str
    to_stage: str


def move(ctx: Context, event: str, *, target: str | None = None, decision_id: int | None = None,
         reason_text: str = "", contrary: bool = False, records: Records | None = None) -> Moved:
    """Check, then change the stage and record it; the only code that assigns ``stage``.
    ``records``: the process's records as they are now, :func:`reads_for` this move among them,
    read by the caller with its own (a decision: who sits, the votes); else they are read here."""
    # The cyclic collector paused while the move's records are read and judged, and resumed once they
    # and any report judged on them are freed: no collection walks them (a close's compliance report
    # cost more in that collection than in its judging).
    with no_cyclic_gc():
        if records is None:
            records = ctx.records(reads_for(ctx.process, event))
        found = blockers(records, event, target, reason_text, now=ctx.now, contrary=contrary)
        del records
    if found:
        raise TransitionBlocked(found)
    process = ctx.process
    before, suspended_before = process.stage, process.suspended_from
    after = machine.fire(before, event, process.suspended_from if event == "resume" else target)
    # the stage and the stage_change row written with the action's audit entry, in its statements
    # (PostgreSQL: one for the four writes); the object holds its new stage now, as committed
    audit.carry(ctx.db, process, stage=after, suspended_from=before if event == "suspend" else None,
                change={"process_id": process.id, "event": event, "from_stage": before, "to_stage": after,
                        "decision_id": decision_id, "reason": reason_text, "at": ctx.now})
    ctx.touched |= planner.opened_by_move(process, before, suspended_before)  # the rules the move started
    return Moved(event, before, after)
