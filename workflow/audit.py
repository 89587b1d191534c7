"""The audit trail: append-only, one entry per applied action, hash-chained per process.

Each entry stores ``body``, the canonical JSON of what happened (sequence, process, time,
actor, action, payload with personal data redacted, result, previous hash), and
``hash = sha256(body)``. Verifying recomputes every hash and link, and checks the columns
against the body, so editing, deleting or reordering entries is detected.

:func:`chain_problems` checks a chain given its rows, whoever read them: ``verify`` through a
session, ``reads.status.verify_record`` through a quick :class:`storage.plain.Reader` (so
SQLAlchemy and the tables are imported only by the functions that use them).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import TYPE_CHECKING, Any, Iterable, NamedTuple

from stages.errors import reason

if TYPE_CHECKING:
    from sqlmodel import Session

    from storage.models import AuditEntry, Process

GENESIS = "0" * 64
#: Payload keys that hold personal data; the audit trail keeps only that they were given.
PRIVATE_KEYS = frozenset({"email", "contact_name", "contact_email", "password", "api_token",
                          "coordinator_email", "token", "client_address", "profile"})
REDACTED = "[dato personal omitido]"


def is_private(key: str) -> bool:
    """A payload key holding personal data: a known one, or any ``*_email`` (e.g. ``coordinator_email``)."""
    return key in PRIVATE_KEYS or key.endswith("_email")


def redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (REDACTED if is_private(k) and v not in (None, "") else redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


#: One encoder for every entry (``json.dumps`` with options builds a new one on each call).
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def canonical(data: Any) -> str:
    return _CANONICAL.encode(data)


class Appended(NamedTuple):
    """The entry :func:`append` wrote: its row id, its place in the chain and its hash."""
    id: int
    seq: int
    hash: str


_ENTRY_COLUMNS = ("process_id", "seq", "at", "recorded_at", "actor", "action", "session_key", "reason", "body",
                  "prev_hash", "hash")


def _entry_insert():
    from sqlalchemy import bindparam

    from storage.models import AuditEntry

    table = AuditEntry.__table__
    return table.insert().values({c: bindparam(f"b_{c}") for c in _ENTRY_COLUMNS}).returning(table.c.id)


def _head_update(moved: bool = False):
    """The UPDATE of the chain's head on the process's row; ``moved``: with its new stage too (:func:`carry`)."""
    from sqlalchemy import bindparam

    from storage.models import Process

    process = Process.__table__
    values = {"audit_seq": bindparam("b_seq"), "audit_head": bindparam("b_head"), "audit_at": bindparam("b_at")}
    if moved:
        values |= {"stage": bindparam("b_stage"), "suspended_from": bindparam("b_suspended_from")}
    return process.update().where(process.c.id == bindparam("b_id")).values(values)


_CHANGE_COLUMNS = ("process_id", "event", "from_stage", "to_stage", "decision_id", "reason", "at")


def _change_insert():
    from sqlalchemy import bindparam

    from storage.models import StageChange

    return StageChange.__table__.insert().values({c: bindparam(f"c_{c}") for c in _CHANGE_COLUMNS})


_STATEMENTS: list = []


def _statements() -> tuple:
    """The entry's INSERT, the head's UPDATE and both in one statement (PostgreSQL: the UPDATE in a
    ``WITH``, one round trip less an action); the head's UPDATE with a stage moved, the move's
    ``stage_change`` INSERT, and the three in one statement (PostgreSQL: a ``WITH`` each). Compiled
    on first use into driver statements (this module is also imported by the quick reads, which
    must not import SQLAlchemy or the tables)."""
    if not _STATEMENTS:
        from storage.direct import Statement

        _STATEMENTS.extend((
            Statement(_entry_insert, returning=True), Statement(_head_update),
            Statement(lambda: _entry_insert().add_cte(_head_update().cte("head")), returning=True),
            Statement(lambda: _head_update(moved=True)), Statement(_change_insert),
            Statement(lambda: _entry_insert().add_cte(_head_update(moved=True).cte("head"))
                      .add_cte(_change_insert().cte("moved")), returning=True)))
    return tuple(_STATEMENTS)


#: ``session.info``'s key of the stage move :func:`carry` holds for :func:`append`.
_CARRIED = "audit_carried"


def carry(session: Session, process: Process, *, stage: str, suspended_from: str | None, change: dict) -> None:
    """A stage move written with the action's entry by :func:`append`, in its statements (on
    PostgreSQL one statement writes the entry, the head, the stage and the ``stage_change`` row;
    on SQLite the head's UPDATE writes the stage): the process's ``stage`` and ``suspended_from``,
    set now on ``process`` as its committed values (the rest of the action, its planning
    included, sees the process where it moved), and the move's ``stage_change`` row (``change``:
    its columns). Nothing between the move and the entry reads those from the database. A second
    move in one action writes the first's row at once."""
    from sqlalchemy.orm.attributes import set_committed_value

    insert_change = _statements()[4]
    root = session.get_transaction()
    held = session.info.get(_CARRIED)
    if held is not None and held[0] is root:
        insert_change.run(session, {f"c_{c}": v for c, v in held[4].items()})
    set_committed_value(process, "stage", stage)
    set_committed_value(process, "suspended_from", suspended_from)
    session.info[_CARRIED] = (root, process.id, stage, suspended_from, change)


def _carried(session: Session, process: Process) -> tuple | None:
    """The move :func:`carry` holds for ``process`` in this transaction (taken: written once)."""
    held = session.info.pop(_CARRIED, None)
    if held is None or held[0] is not session.get_transaction():
        return None  # nothing, or left by a transaction rolled back
    if held[1] != process.id:
        raise RuntimeError(f"a stage move of process {held[1]} carried to the entry of process {process.id}")
    return held[2:]


def append(session: Session, *, process: Process, at: dt.datetime, actor: str, action: str,
           payload: dict, result: Any, session_key: str | None = None, reason_text: str = "",
           recorded_at: dt.datetime | None = None) -> Appended:
    """Append the next entry of ``process``'s chain and move the head kept on its row (the row is
    locked by the action, so the chain never forks). ``at`` is when the fact happened (the
    action's time); ``recorded_at`` when it was written down, if later (a past fact migrated).

    The entry is written with one SQL INSERT through the driver (``storage.direct``), not through
    the ORM's unit of work (it is never changed after: an ORM object would cost more than the
    row); the head goes into the
    process's row with the process's own pending changes when it has any, else with one UPDATE
    (on PostgreSQL in the entry's statement)."""
    from storage.direct import connection_of

    insert, head, both, head_moved, insert_change, all_three = _statements()
    carried = _carried(session, process)
    seq = process.audit_seq + 1
    prev_hash = process.audit_head or GENESIS
    recorded_at = recorded_at or at
    body = canonical({"seq": seq, "process": process.id, "at": at.isoformat(), "actor": actor,
                      "action": action, "payload": redact(payload), "result": redact(result),
                      "session": session_key, "reason": reason_text, "prev": prev_hash,
                      "recorded": recorded_at.isoformat()})
    digest = hashlib.sha256(body.encode()).hexdigest()
    entry = {"b_process_id": process.id, "b_seq": seq, "b_at": at, "b_recorded_at": recorded_at, "b_actor": actor,
             "b_action": action, "b_session_key": session_key, "b_reason": reason_text, "b_body": body,
             "b_prev_hash": prev_hash, "b_hash": digest}
    state = process._sa_instance_state
    if state.key is not None and state.session_id == session.hash_key and not state.modified \
            and not state.expired_attributes:  # only the head changes: one UPDATE, no unit of work
        session.flush()  # the action's own rows first (they may be what the entry's result names)
        heads = {"b_id": process.id, "b_seq": seq, "b_head": digest, "b_at": at}
        if carried is not None:
            stage, suspended_from, change = carried
            heads |= {"b_stage": stage, "b_suspended_from": suspended_from}
            changed = {f"c_{c}": v for c, v in change.items()}
        if connection_of(session)[1].name == "postgresql":
            if carried is None:
                entry_id = both.run(session, {**entry, **heads})
            else:
                entry_id = all_three.run(session, {**entry, **heads, **changed})
        else:
            if carried is None:
                head.run(session, heads)
            else:
                head_moved.run(session, heads)
                insert_change.run(session, changed)
            entry_id = insert.run(session, entry)
        # the values the row now holds, as committed (nothing modified, nothing expired: as a load sets them)
        process.__dict__.update(audit_seq=seq, audit_head=digest, audit_at=at)
        return Appended(entry_id, seq, digest)
    process.audit_seq, process.audit_head, process.audit_at = seq, digest, at
    if carried is not None:  # written with the process's other changes, whatever they are
        from sqlalchemy.orm.attributes import flag_modified, set_committed_value

        for name, value in zip(("stage", "suspended_from"), carried):
            set_committed_value(process, name, value)  # the values carried, even if the object was expired since
            flag_modified(process, name)
    session.add(process)
    session.flush()
    if carried is not None:
        insert_change.run(session, {f"c_{c}": v for c, v in carried[2].items()})
    return Appended(insert.run(session, entry), seq, digest)


def verify(session: Session, process: Process) -> list:
    """Every broken link or altered entry of ``process``'s chain, as reasons naming the process;
    empty when the chain holds. A process without a single entry has lost its trail (its
    creation is always recorded): ``audit_chain_empty``, whatever its row says."""
    from sqlmodel import select

    from storage.models import AuditEntry

    entries = session.exec(select(AuditEntry).where(AuditEntry.process_id == process.id).order_by(AuditEntry.seq))
    return chain_problems(entries, process)


def chain_problems(entries: Iterable, process: Any) -> list:
    """What :func:`verify` finds in ``entries``, ``process``'s audit entries in order of ``seq``
    (rows with the columns of ``audit_entry``)."""
    slug = process.slug
    problems = []
    prev_hash, expected_seq = GENESIS, 1
    for e in entries:
        body = json.loads(e.body)
        if hashlib.sha256(e.body.encode()).hexdigest() != e.hash:
            problems.append(reason("audit_hash_mismatch", process=slug, seq=e.seq))
        if e.prev_hash != prev_hash or body.get("prev") != prev_hash:
            problems.append(reason("audit_link_broken", process=slug, seq=e.seq))
        if e.seq != expected_seq or body.get("seq") != e.seq:
            problems.append(reason("audit_sequence_gap", process=slug, seq=e.seq, expected=expected_seq))
        recorded = e.recorded_at.isoformat() if e.recorded_at else None
        if (body.get("actor"), body.get("action"), body.get("process"), body.get("at"), body.get("session"),
                body.get("reason"), body.get("recorded")) != (e.actor, e.action, e.process_id, e.at.isoformat(),
                                                             e.session_key, e.reason, recorded):
            problems.append(reason("audit_columns_altered", process=slug, seq=e.seq))
        prev_hash, expected_seq = e.hash, e.seq + 1
    if expected_seq == 1:  # not one entry: every process begins with the entry of its creation
        problems.append(reason("audit_chain_empty", process=slug, seq=process.audit_seq))
    elif (process.audit_seq, process.audit_head or GENESIS) != (expected_seq - 1, prev_hash):
        problems.append(reason("audit_head_mismatch", process=slug, seq=process.audit_seq, last=expected_seq - 1))
    return problems


def orphans(session: Session, known: Iterable[int]) -> list:
    """Trails whose process is gone: entries left behind when a process row was deleted around
    the actions (e.g. from a SQLite shell, where foreign keys are off by default). Each is named
    by the slug its first entry recorded at the process's creation."""
    from sqlalchemy import func
    from sqlmodel import select

    from storage.models import AuditEntry

    known = list(known)
    query = select(AuditEntry.process_id, func.max(AuditEntry.seq)).group_by(AuditEntry.process_id)
    if known:
        query = query.where(AuditEntry.process_id.not_in(known))
    problems = []
    for process_id, last in session.exec(query).all():
        first = session.exec(select(AuditEntry.body).where(AuditEntry.process_id == process_id)
                             .order_by(AuditEntry.seq)).first()
        try:
            slug = json.loads(first or "{}").get("payload", {}).get("slug")
        except ValueError:
            slug = None
        problems.append(reason("audit_process_missing", process=slug or f"#{process_id}", seq=last))
    return problems
