"""The outbox: due reminders stored once, claimed by one worker at a time, marked by it.

- :func:`enqueue` inserts planned reminders with ``INSERT ... ON CONFLICT (key) DO NOTHING``
  (SQLAlchemy Core, in the caller's transaction): planning the same reminder twice, or in
  two workers at once, stores it once.
- :func:`sweep` plans every open process (and the witnesses of one closed within
  :data:`WITNESS_AFTER_CLOSE`) and enqueues what is due, one transaction per process, with
  the process row share-locked so the records it reads are consistent.
- :func:`claim` takes up to ``limit`` ready rows (pending and due for an attempt, or claimed
  with an expired lease) for one worker: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, the
  ``BEGIN IMMEDIATE`` write lock on SQLite. Only the claimant can then mark a row.
- :func:`mark_sent` (and :func:`mark_sent_async`, on PostgreSQL, on a connection of
  :func:`connect_marks`) marks a group of rows sent, committed when it returns; the sender
  calls it after the SMTP server accepted them, before their connections send again.

Why one module: storing, claiming and marking are the three writes of one table whose
once-only guarantee rests on their conditions together (a row is marked only by its claimant,
claimed only when ready, stored once); apart, each would restate the others' states.
"""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Sequence

from sqlalchemy import and_, any_, bindparam, func, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from stages.reminders import RULES
from storage import transaction
from storage.models import Process
from storage.outbox import OutboxMessage, insert_stmt

from . import citizens, snapshot
from .planner import Planned, due_reminders

T = OutboxMessage.__table__
CHUNK = 2000
FEW = 200  # planned reminders looked up by key before inserting (more: by process and date)


def row_of(p: Planned, now: dt.datetime) -> dict[str, Any]:
    return {"key": p.key, "process_id": p.process_id, "kind": p.kind, "person_id": p.person_id,
            "recipient": p.email, "lang": p.lang, "subject": p.label[:300], "due_at": p.due_at,
            "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now}


def enqueue(conn: Connection | Session, planned: Sequence[Planned], now: dt.datetime) -> int:
    """Store the planned reminders not stored yet; returns how many were new.

    Keys already stored are skipped before inserting (a few planned: looked up by key; many: one
    indexed read per process); the insert still says ``ON CONFLICT (key) DO NOTHING`` for a
    concurrent sweep's rows.
    """
    if not planned:
        return 0
    stored: set[str] = set()
    if len(planned) <= FEW:  # an action's: the process's stored reminders may be many
        stored = set(conn.execute(select(T.c.key).where(T.c.key.in_([p.key for p in planned]))).scalars())
    else:
        for pid in {p.process_id for p in planned}:
            since = min(p.due_at for p in planned if p.process_id == pid)
            stored |= set(conn.execute(select(T.c.key).where(T.c.process_id == pid, T.c.due_at >= since)).scalars())
    planned = [p for p in planned if p.key not in stored]
    if not planned:
        return 0
    dialect = conn.get_bind().dialect.name if isinstance(conn, Session) else conn.dialect.name
    stmt = insert_stmt(dialect)  # executemany, no RETURNING: psycopg re-parses huge multi-row statements
    added = 0
    for start in range(0, len(planned), CHUNK):
        rows = [row_of(p, now) for p in planned[start:start + CHUNK]]
        result = conn.execute(stmt, rows)
        added += result.rowcount if result.rowcount >= 0 else len(rows)
    return added


def enqueue_due(db: Session, process: Process, now: dt.datetime, anchors: frozenset[str] | None = None,
                activities: Iterable[int] | None = None) -> int:
    """Plan one process inside the caller's transaction and store what is due; ``anchors``
    limits it to the rules counting from what the action touched (``None``: every rule), and
    ``activities`` (ids) to the activities it touched (``snapshot.load``)."""
    db.flush()
    only = frozenset(activities) if activities is not None else None
    records = snapshot.load(db, process, anchors, inputs=False, activities=only, due=now)
    return enqueue(db, due_reminders(records, now, contexts=False, anchors=anchors, activities=only), now)


@dataclass
class SweepResult:
    processes: int = 0
    due: int = 0
    added: int = 0


#: A closed process is still swept this long after its last action, for its witnesses only: the
#: record of the session that closed it (``session_record``, due from the close) goes out even
#: when the close was recorded as a past fact or every worker was down for days.
WITNESS_AFTER_CLOSE = dt.timedelta(days=7)
WITNESSES = frozenset(rule.anchor for rule in RULES if rule.witness)


def sweep(engine: Engine, now: dt.datetime, process: str | None = None) -> SweepResult:
    """Plan every open process (or one) and enqueue what is due now (reminders, and the weekly
    digests to the citizens who follow a process); and the witnesses of a process closed within
    :data:`WITNESS_AFTER_CLOSE` (the record at each session's close, nothing else)."""
    result = SweepResult()
    with Session(engine) as db:
        recently_closed = and_(Process.stage == "closed", Process.audit_at >= now - WITNESS_AFTER_CLOSE)
        query = select(Process.id).where(or_(Process.stage != "closed", recently_closed)).order_by(Process.id)
        if process:
            query = select(Process.id).where(Process.slug == process)
        ids = list(db.execute(query).scalars())
    for pid in ids:
        with transaction(engine) as db:
            lock = select(Process).where(Process.id == pid)
            if engine.dialect.name != "sqlite":
                lock = lock.with_for_update(read=True)  # actions on it wait; other sweeps may read
            proc = db.execute(lock).scalars().first()
            if proc is None:
                continue
            anchors = WITNESSES if proc.stage == "closed" else None  # the other rules stop with the process
            records = snapshot.load(db, proc, anchors, inputs=False, due=now)  # only what can be due now
            due = due_reminders(records, now, contexts=False, anchors=anchors)
            result.processes += 1
            result.due += len(due)
            result.added += enqueue(db, due, now)
            if anchors is None:
                result.added += citizens.enqueue_digests(db, proc, now)  # last week's, to those following
    return result


# --- claiming and marking ---------------------------------------------------------------


@contextmanager
def _tx(bind: Engine | Connection) -> Iterator[Connection]:
    """A transaction on an engine (a pooled connection) or on a connection the caller holds;
    on an autocommit connection, the single statement that follows is its own transaction."""
    if isinstance(bind, Engine):
        with bind.begin() as conn:
            yield conn
    elif bind.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        yield bind
    else:
        with bind.begin():
            yield bind


def claim(engine: Engine | Connection, worker: str, now: dt.datetime, *, limit: int, lease: dt.timedelta,
          process_id: int | None = None) -> list[dict[str, Any]]:
    """Claim up to ``limit`` ready rows for ``worker`` until ``now + lease``."""
    ready = or_(and_(T.c.status == "pending", T.c.next_attempt_at <= now),
                and_(T.c.status == "claimed", T.c.lease_until < now))
    pick = select(T.c.id).where(ready)
    if process_id is not None:
        pick = pick.where(T.c.process_id == process_id)
    pick = pick.order_by(T.c.next_attempt_at, T.c.id).limit(limit)
    if engine.dialect.name == "postgresql":
        # ``= ANY(ARRAY(subquery))``: the pick runs once (an InitPlan). Under ``IN (subquery)`` the
        # planner may rescan the pick for each row of the UPDATE, and each rescan skips the rows
        # already updated by this statement and takes the next ones: more than ``limit`` claimed
        # (seen here: 8 of a limit of 5).
        pick = pick.with_for_update(skip_locked=True)
        target = T.c.id == any_(func.array(pick.scalar_subquery()))
    else:
        target = T.c.id.in_(pick.scalar_subquery())
    stmt = (update(T).where(target)
            .values(status="claimed", claimed_by=worker, lease_until=now + lease, attempts=T.c.attempts + 1)
            .returning(T.c.id, T.c.key, T.c.process_id, T.c.kind, T.c.person_id, T.c.contact_id, T.c.recipient,
                       T.c.lang, T.c.attempts))
    with _tx(engine) as conn:
        rows = [dict(r._mapping) for r in conn.execute(stmt)]
    rows.sort(key=lambda r: r["id"])
    return rows


def _mine():
    return and_(T.c.id == bindparam("_id"), T.c.claimed_by == bindparam("_worker"), T.c.status == "claimed")


# Built once: SQLAlchemy memoizes a statement's cache key, so reusing the object keeps the
# overhead low. (The "sent" mark, the most frequent, is driver SQL: see mark_sent.)
_RETRY = update(T).where(_mine()).values(status="pending", next_attempt_at=bindparam("_next"), lease_until=None,
                                         claimed_by=None, last_error=bindparam("_error"))
_FINAL = {status: update(T).where(_mine()).values(status=status, lease_until=None, last_error=bindparam("_error"))
          for status in ("failed", "cancelled")}
_RELEASE = update(T).where(_mine()).values(status="pending", lease_until=None, claimed_by=None,
                                           attempts=T.c.attempts - 1)


def mark_sent(engine: Engine | Connection, worker: str, ids: Sequence[int], now: dt.datetime) -> int:
    """Mark sent, in one committed statement, the rows of ``ids`` this worker holds; returns how many.

    The sender calls this once or more per message sent, so it is written as the driver's SQL
    (only the rows this worker still holds; the time converted by the column's own type): measured
    43 µs a mark on SQLite against 77 µs through the compiled Core statement. On a connection the
    caller holds outside any transaction (the sender's, for a whole run) it goes to the driver's
    connection itself: its own transaction on SQLite (``BEGIN IMMEDIATE`` ... ``COMMIT``), one
    autocommitted statement on PostgreSQL; it has committed when this returns."""
    if not ids:
        return 0
    if isinstance(engine, Connection):
        n = _mark_sent_driver(engine, worker, ids, now)
        if n is not None:
            return n
    with _tx(engine) as conn:
        sql, params = _mark_sent_sql(conn.dialect, worker, ids, now)
        return conn.exec_driver_sql(sql, params).rowcount


def _mark_sent_sql(dialect: Any, worker: str, ids: Sequence[int], now: dt.datetime) -> tuple[str, tuple]:
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    to_db = T.c.sent_at.type.bind_processor(dialect)
    sql = (f"UPDATE {T.name} SET status = 'sent', sent_at = {mark}, lease_until = NULL, last_error = NULL "
           f"WHERE id IN ({', '.join([mark] * len(ids))}) AND claimed_by = {mark} AND status = 'claimed'")
    return sql, (to_db(now) if to_db else now, *ids, worker)


def _mark_sent_driver(conn: Connection, worker: str, ids: Sequence[int], now: dt.datetime) -> int | None:
    """:func:`mark_sent` on the driver's connection of ``conn``, committed when it returns: on
    SQLite outside any transaction (its own ``BEGIN IMMEDIATE`` ... ``COMMIT``), on a driver
    connection in autocommit (one statement); ``None`` (not done) otherwise. A driver error is
    raised as SQLAlchemy raises it (``DBAPIError``; a lost connection invalidated and said so)."""
    raw = conn.connection.dbapi_connection
    sqlite = conn.dialect.name == "sqlite"
    if (conn.in_transaction() or raw.in_transaction) if sqlite else getattr(raw, "autocommit", False) is not True:
        return None
    sql, params = _mark_sent_sql(conn.dialect, worker, ids, now)
    cur = raw.cursor()
    try:
        if not sqlite:
            cur.execute(sql, params)
            return cur.rowcount
        cur.execute("BEGIN IMMEDIATE")  # the driver's isolation_level is None: we open and close it
        try:
            cur.execute(sql, params)
            n = cur.rowcount
            cur.execute("COMMIT")
        except BaseException:
            if raw.in_transaction:
                cur.execute("ROLLBACK")
            raise
        return n
    except conn.dialect.loaded_dbapi.Error as exc:
        lost = conn.dialect.is_disconnect(exc, raw, cur)
        if lost:
            conn.invalidate(exc)
        raise DBAPIError.instance(sql, params, exc, conn.dialect.loaded_dbapi.Error, connection_invalidated=lost,
                                  dialect=conn.dialect) from exc
    finally:
        cur.close()


async def connect_marks(engine: Engine, bind: Connection, count: int = 1) -> list[Any]:
    """On PostgreSQL, ``count`` connections of the driver's for :func:`mark_sent_async` (autocommit)
    to the database of ``bind`` (the sender's connection), with the settings the engine gave it
    (those of source ``session`` or ``client``: a schema's search path, ...); none elsewhere (SQLite's
    commit does not wait on the disk in WAL with ``synchronous=NORMAL``: its marks stay synchronous)."""
    if engine.dialect.name != "postgresql":
        return []
    import psycopg  # the engine's own driver (storage.make_engine: postgresql+psycopg)

    settings = bind.exec_driver_sql("SELECT name, setting FROM pg_settings WHERE source IN ('session', 'client')").all()
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    conns: list[Any] = []
    try:
        for _ in range(max(1, count)):
            aconn = await psycopg.AsyncConnection.connect(url, autocommit=True, connect_timeout=10)
            conns.append(aconn)
            for name, value in settings:
                await aconn.execute("SELECT set_config(%s, %s, false)", (name, value))
    except psycopg.Error as exc:
        for aconn in conns:
            await aconn.close()
        raise DBAPIError.instance(None, None, exc, psycopg.Error, connection_invalidated=True,
                                  dialect=engine.dialect) from exc
    return conns


async def mark_sent_async(aconn: Any, engine: Engine, worker: str, ids: Sequence[int], now: dt.datetime) -> int:
    """:func:`mark_sent` on a connection of :func:`connect_marks`: committed (autocommit) when the
    await returns; the event loop serves the other connections while the server flushes the commit."""
    if not ids:
        return 0
    sql, params = _mark_sent_sql(engine.dialect, worker, ids, now)
    dbapi = engine.dialect.loaded_dbapi
    try:
        async with aconn.cursor() as cur:
            await cur.execute(sql, params)
            return cur.rowcount
    except dbapi.Error as exc:
        lost = aconn.closed or aconn.broken
        raise DBAPIError.instance(sql, params, exc, dbapi.Error, connection_invalidated=lost,
                                  dialect=engine.dialect) from exc


def sent_by(engine: Engine | Connection, worker: str, ids: list[int]) -> set[int]:
    with _tx(engine) as conn:
        return set(conn.execute(select(T.c.id).where(T.c.id.in_(ids), T.c.status == "sent",
                                                     T.c.claimed_by == worker)).scalars())


def mark_retry(engine: Engine | Connection, worker: str, row_id: int, error: str, next_attempt_at: dt.datetime) -> int:
    with _tx(engine) as conn:
        return conn.execute(_RETRY, [{"_id": row_id, "_worker": worker, "_next": next_attempt_at,
                                      "_error": error[:2000]}]).rowcount


def mark_final(engine: Engine | Connection, worker: str, rows: Iterable[tuple[int, str]], status: str) -> int:
    """End rows as ``failed`` or ``cancelled`` with their reason."""
    params = [{"_id": row_id, "_worker": worker, "_error": error[:2000]} for row_id, error in rows]
    if not params:
        return 0
    with _tx(engine) as conn:
        return conn.execute(_FINAL[status], params).rowcount


def release(engine: Engine | Connection, worker: str, ids: Iterable[int]) -> int:
    """Give back claimed rows not attempted (the attempt is not counted)."""
    params = [{"_id": i, "_worker": worker} for i in ids]
    if not params:
        return 0
    with _tx(engine) as conn:
        return conn.execute(_RELEASE, params).rowcount


_RELEASE_HELD = update(T).where(T.c.claimed_by == bindparam("_worker"), T.c.status == "claimed").values(
    status="pending", lease_until=None, claimed_by=None, attempts=T.c.attempts - 1)


def release_held(engine: Engine | Connection, worker: str) -> int:
    """Give back every row ``worker`` still holds: after a run of it lost its database, when
    none of its messages is on its way (the attempt is not counted)."""
    with _tx(engine) as conn:
        return conn.execute(_RELEASE_HELD, {"_worker": worker}).rowcount


# --- reading ----------------------------------------------------------------------------


def by_keys(engine: Engine, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
    keys = list(keys)
    out: dict[str, dict[str, Any]] = {}
    with engine.connect() as conn:
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            for r in conn.execute(select(T).where(T.c.key.in_(chunk))):
                out[r.key] = dict(r._mapping)
    return out


def counts(engine: Engine, process_id: int | None = None) -> dict[str, dict[str, int]]:
    """``{kind: {status: n}}``."""
    q = select(T.c.kind, T.c.status, func.count()).group_by(T.c.kind, T.c.status)
    if process_id is not None:
        q = q.where(T.c.process_id == process_id)
    out: dict[str, dict[str, int]] = {}
    with engine.connect() as conn:
        for kind, status, n in conn.execute(q):
            out.setdefault(kind, {})[status] = n
    return out


def rows(engine: Engine, *, process_id: int | None = None, statuses: Sequence[str] = (),
         limit: int = 100) -> list[dict[str, Any]]:
    q = select(T).order_by(T.c.id.desc()).limit(limit)
    if process_id is not None:
        q = q.where(T.c.process_id == process_id)
    if statuses:
        q = q.where(T.c.status.in_(list(statuses)))
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]
