"""Lookups shared by the actions: rows of the locked process by key, next free keys, people present.

Every function takes the action's :class:`~workflow.engine.Context` and reads only rows of its
process.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, func, select as sa_select
from sqlmodel import SQLModel, select

from stages import TIME_RULES, chronology
from stages.chronology import local_today
from stages.monitoring import expected_final
from stages.errors import InvalidInput, not_found, reason, refuse
from storage import direct
from storage import models as m
from storage.direct import Loaded, Statement

from .. import governance
from ..engine import Context


_BY_KEY: dict = {}


def _by_key(model: type[SQLModel], field: str = "key") -> Loaded:
    """``model``'s row of a process by ``field``, read through the driver into the ORM object a query
    would load (``storage.direct.Loaded``: an ORM query cost several times the driver's read)."""
    stmt = _BY_KEY.get((model, field))
    if stmt is None:
        table = model.__tablename__
        stmt = _BY_KEY[model, field] = Loaded((model,), lambda dialect, mark: (
            f"SELECT {Loaded.columns(model, 't')} FROM {table} t WHERE t.process_id = {mark} AND t.{field} = {mark}"))
    return stmt


def _one(ctx: Context, model: type[SQLModel], key: str, field: str = "key") -> Any:
    found = _by_key(model, field).first(ctx.db, (ctx.process.id, key))
    return None if found is None else found[0]


def get(ctx: Context, model: type[SQLModel], key: str, kind: str, field: str = "key") -> Any:
    row = _one(ctx, model, key, field)
    if row is None:
        raise not_found(kind, key)
    return row


def find(ctx: Context, model: type[SQLModel], key: str | None) -> Any:
    if key is None:
        return None
    return _one(ctx, model, key)


_TAKEN: dict = {}


def taken(ctx: Context, model: type[SQLModel], key: str) -> bool:
    """Whether ``model`` has a row of the process with ``key`` (its id read through the driver, no
    ORM object made; the session is flushed first if it holds a pending row of ``model``)."""
    stmt = _TAKEN.get(model)
    if stmt is None:
        table = model.__table__
        stmt = _TAKEN[model] = Statement(lambda: sa_select(table.c.id).where(
            table.c.process_id == bindparam("process_id"), table.c.key == bindparam("key")), returning=True)
    if any(isinstance(o, model) for o in ctx.db.new):
        ctx.db.flush()
    return stmt.run(ctx.db, {"process_id": ctx.process.id, "key": key}) is not None


def next_key(ctx: Context, model: type[SQLModel], prefix: str) -> str:
    """The next free generated key (``i1``, ``i2``...): a counter kept on the process row, so the
    cost does not grow with the process (a key someone gave by hand is skipped)."""
    counters = dict(ctx.process.counters or {})
    n = counters.get(prefix)
    if n is None:  # first use on this process (or a database from before the counters)
        n = ctx.db.exec(select(func.count()).select_from(model).where(model.process_id == ctx.process.id)).one()
    n += 1
    while find(ctx, model, f"{prefix}{n}") is not None:
        n += 1
    counters[prefix] = n
    ctx.process.counters = counters
    ctx.db.add(ctx.process)
    return f"{prefix}{n}"


def upsert(ctx: Context, model: type[SQLModel], key: str | None, prefix: str, **fields: Any) -> Any:
    """``model``'s row ``key`` of the process with ``fields`` set, or a new one (``key``, or the next
    free one after ``prefix``); written at once through the driver (``Context.add``,
    ``storage.direct.update``), so the row read back (its id) is the row written."""
    row = find(ctx, model, key)
    if row is None:
        return ctx.add(model, process_id=ctx.process.id, key=key or next_key(ctx, model, prefix), **fields)
    direct.update(ctx.db, row, **fields)
    return row


def session_row(ctx: Context, key: str, *, open_: bool = True) -> m.SecretariatSession:
    """The session ``key``; refused when it must be open and is closed. Names the session in the audit entry."""
    return acting_in(ctx, get(ctx, m.SecretariatSession, key, "session"), open_=open_)


def acting_in(ctx: Context, row: m.SecretariatSession, *, open_: bool = True) -> m.SecretariatSession:
    """:func:`session_row` for a session already read (a decision's): the same checks, no second read."""
    if open_ and row.closed_at is not None:
        raise refuse("session_closed", session=row.key)
    if open_:
        session_started(ctx, row)
    ctx.session_key = row.key
    return row


_PEOPLE = select(m.Person).where(m.Person.process_id == bindparam("process_id"))
_WITHDRAWN = select(m.SectorWithdrawal).where(m.SectorWithdrawal.process_id == bindparam("process_id"),
                                              m.SectorWithdrawal.returned_at.is_(None))


def people_by_id(ctx: Context) -> dict[int, m.Person]:
    return {p.id: p for p in ctx.db.exec(_PEOPLE, params={"process_id": ctx.process.id})}


def withdrawn_sectors(ctx: Context) -> set[str]:
    return {w.sector for w in ctx.db.exec(_WITHDRAWN, params={"process_id": ctx.process.id})}


#: The records :func:`seating` reads.
SEATING = ("people", "withdrawals", "attendance")


def seating(ctx: Context, session: m.SecretariatSession, records: Any = None) -> tuple[dict[int, Any], set[str], list]:
    """Who may sit in ``session`` now, to judge it (plain rows read through the driver after a
    flush, ``Context.records``; a change to them is written with SQL): the people by id, the
    withdrawn sectors, the session's attendance in the order it was recorded. ``records``: the
    process's records read now, :data:`SEATING` among them (nothing more is read)."""
    r = ctx.records(SEATING) if records is None else records
    return {p.id: p for p in r.people}, r.withdrawn_sectors(), [a for a in r.attendance if a.session_id == session.id]


def present_members(ctx: Context, session: m.SecretariatSession) -> list:
    people, withdrawn, attendance = seating(ctx, session)
    return governance.present_members(attendance, people, withdrawn)


def counting_members(ctx: Context, session: m.SecretariatSession, people: dict[int, Any] | None = None,
                     withdrawn: set[str] | None = None, attendance: list | None = None) -> list:
    """The members present who count toward quorum and vote (:func:`workflow.governance.counting`),
    as plain rows; given what the caller has read already (the people by id, the withdrawn
    sectors, the session's attendance in order), nothing is read."""
    if people is None or withdrawn is None or attendance is None:
        people, withdrawn, attendance = seating(ctx, session)
    return governance.counting(governance.present_members(attendance, people, withdrawn), people.values(), withdrawn)


def check_dates(start: dt.date, end: dt.date) -> None:
    if start > end:
        raise InvalidInput([reason("dates_out_of_order", start=start.isoformat(), end=end.isoformat())])


def today(ctx: Context) -> dt.date:
    """The date it is where the process is, at the action's time."""
    return local_today(ctx.now, ctx.process.timezone)


def require(code: str, **facts) -> None:
    """Refuse unless the dates (or the figures) of the facts agree (``stages.TIME_RULES[code]``)."""
    chronology.require(TIME_RULES, code, **facts)


def final_status_holds(ctx: Context, commitment: m.Commitment) -> None:
    """After a change to its activities, a commitment's recorded final status still agrees with their
    progress (unless the secretariat decided that status, with its reasons)."""
    if commitment.final_status is None or commitment.final_decision_id is not None:
        return
    ctx.db.flush()
    percents = list(ctx.db.exec(select(m.Activity.percent).where(m.Activity.commitment_id == commitment.id)))
    require("final_status_agrees_with_progress", commitment=commitment.key, status=commitment.final_status,
            expected=expected_final(percents), decision=None)


def not_in_future(ctx: Context, what: str, date: dt.date) -> None:
    require("fact_not_in_future", what=what, date=date, today=today(ctx))


def session_started(ctx: Context, session: m.SecretariatSession) -> None:
    """Attendance, motions, votes, decisions and the close happen once the session has begun."""
    require("session_has_started", session=session.key, starts=session.scheduled_for, now=ctx.now)


def find_person(ctx: Context, handle: str) -> m.Person | None:
    return _one(ctx, m.Person, handle, "handle")

