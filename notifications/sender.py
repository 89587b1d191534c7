"""Delivering the outbox: claim, re-check, render, send, mark — each row by one worker.

One :meth:`Sender.run` claims batches until nothing is ready. For each claimed row it
re-checks that the reminder is still due *now* (the planner, on fresh records: the process
may have been suspended, the activity completed, the date moved since the row was queued)
and cancels it if not; it renders the email from the fresh records, sends it on one of
``concurrency`` persistent connections, and marks it:

- sent: committed before that connection ends its next message (its envelope, ``MAIL`` and
  ``RCPT``, and ``DATA`` go out meanwhile; the content and its final line, a single dot, at
  which the server accepts a message, wait for the mark); the marks waiting
  share one commit (SQLite: those of the connections answered in one turn of the event loop; on
  PostgreSQL the commit starts when a connection would end its next message, :data:`MARK_WHEN`,
  :data:`MARK_CONNECTIONS` commits at a time at most); no message is accepted ahead of the
  previous one's mark;
- temporary failure: back to pending, next attempt after an exponential backoff, until
  ``max_attempts`` — then failed;
- permanent failure: failed, with the server's reply.

A message is only started while the claim's lease has at least ``lease_margin`` left, so
a row is never sent by a worker whose claim could already have passed to another.

A run that loses its database (a cut connection, a restarted server) lets every connection
finish the message it has on its way, then stops; what it leaves (:class:`Leftover`: the rows
the SMTP server accepted whose mark is not known to have committed, and that it still holds
rows) is set right as soon as the database answers again, by the end of that run or by the
next run of the same worker (:meth:`Sender.recover`): those rows marked sent, the others
given back at once, not after their lease.

The delivery guarantee (docs/reminders.md): every due reminder is delivered at least once;
it is delivered twice only when a worker dies (or loses its database and stops for good)
after the SMTP server accepted a message and before the mark committed — at most one message
per connection of that worker per crash, and the duplicate carries the same Message-ID.

Why one module: claiming, re-checking, rendering and marking a row are one
loop whose steps share the claim and its lease; split, the once-only guarantee would span files.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import os
import socket
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from storage.models import Person, Process

from . import citizens, outbox, snapshot
from .config import DEFAULT_PUBLIC_URL, DeliveryPolicy
from .planner import Planned, due_reminders, plan
from .render import Renderer
from .transport import PermanentFailure, TemporaryFailure, Transport


#: PostgreSQL: the connections "sent" marks are committed on (at most one per SMTP connection),
#: one commit at a time each. With one, marks arriving during a commit (~2-8 ms, a disk flush)
#: wait for it to end before their own begins; with three they rarely wait: measured at load 6-8,
#: the sending connections' wait for marks fell from ~420 to ~22 µs a message (~138 with one
#: connection, the dot held back: see ``transport._SMTP``), but the groups are smaller (more
#: commits, each ~55 µs of client CPU) and no gain in throughput was measurable on the shared
#: 2-core machine, the client CPU a message up to ~50-90 µs higher in some rounds
#: (benchmarks/RESULTS.md, "Branch remind3"): one, the largest groups, until an idle machine says otherwise.
MARK_CONNECTIONS = 1

#: PostgreSQL: when a "sent" mark's commit starts. ``"needed"``: once the connection that sent the
#: message has the next one's envelope and ``DATA`` answered and would send its content (or every
#: connection has a mark waiting), with every mark waiting then: measured at concurrency 8, commits
#: of ~8 marks instead of ~2-3 (a third of the WAL flushes; each commit also costs ~55-75 µs of client
#: CPU), the client CPU a message from a wash to ~25% lower by the round (benchmarks/RESULTS.md,
#: "Branch mark"). ``"at once"``
#: (before): as soon as a mark connection is free, the marks that came during a commit making the next.
MARK_WHEN = "needed"


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class Stats:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    released: int = 0
    lost: int = 0  # marked by nobody: the claim had passed to another worker
    sent_before: int = 0  # accepted in a run that lost its database, marked once it answered

    def add(self, other: "Stats") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass
class Leftover:
    """What a run cut off from its database leaves to the next run of the same worker:
    ``sent``, the rows the SMTP server accepted whose "sent" mark is not known to have
    committed (with the moment each was accepted), and ``held``, that rows may still be
    claimed by this worker with nothing on its way. A worker keeps one across its runs."""
    sent: dict[int, dt.datetime] = field(default_factory=dict)
    held: bool = False

    def __bool__(self) -> bool:
        return self.held or bool(self.sent)


@dataclass
class Job:
    row: dict[str, Any]
    planned: Planned
    lease_until: dt.datetime


@dataclass
class _Batch:
    jobs: list[Job] = field(default_factory=list)
    stats: Stats = field(default_factory=Stats)


class _DueCache:
    """The due reminders of a process at a moment, reused while its records are unchanged.

    Every write to a process goes through an action that appends an audit entry, so the last
    audit sequence number is the records' version; the moment is truncated to the minute.
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self._cache: dict[int, tuple[tuple, dict[str, Planned]]] = {}

    def due(self, process_id: int, now: dt.datetime) -> dict[str, Planned]:
        with Session(self.engine) as db:
            seq = db.execute(select(Process.audit_seq).where(Process.id == process_id)).scalar()
            stamp = (seq, now.replace(second=0, microsecond=0))
            hit = self._cache.get(process_id)
            if hit and hit[0] == stamp:
                return hit[1]
            proc = db.get(Process, process_id)
            found = {p.key: p for p in due_reminders(snapshot.load(db, proc), now, contexts=False)} if proc else {}
        self._cache[process_id] = (stamp, found)
        return found

    def why_not(self, process_id: int, now: dt.datetime, keys: set[str]) -> dict[str, str]:
        with Session(self.engine) as db:
            proc = db.get(Process, process_id)
            if proc is None:
                return {}
            entries = {p.key: p for p in plan(snapshot.load(db, proc), now) if p.key in keys}
        return {k: f"{e.status}: {e.reason.message('es')}" for k, e in entries.items()}


class Sender:
    def __init__(self, engine: Engine, transport: Transport, renderer: Renderer, *, clock: Any,
                 policy: DeliveryPolicy | None = None, worker: str | None = None,
                 concurrency: int | None = None, process_id: int | None = None,
                 public_url: str = DEFAULT_PUBLIC_URL, leftover: Leftover | None = None):
        self.engine, self.transport, self.renderer, self.clock = engine, transport, renderer, clock
        self.leftover = leftover if leftover is not None else Leftover()
        self.public_url = public_url  # the links of the emails to citizens
        self.policy = policy or DeliveryPolicy()
        self.worker = worker or worker_id()
        self.concurrency = max(1, concurrency or getattr(transport, "concurrency", 1))
        self.process_id = process_id
        self.due = _DueCache(engine)
        self._names: dict[int, str] = {}
        self.bind: Engine | Connection = engine  # a held connection while running

    # --- claim and re-check -------------------------------------------------------------
    def prepare(self) -> _Batch | None:
        now = self.clock.now()
        rows = outbox.claim(self.bind, self.worker, now, limit=self.policy.batch, lease=self.policy.lease,
                            process_id=self.process_id)
        if not rows:
            return None
        batch = _Batch()
        batch.stats.claimed = len(rows)
        lease_until = now + self.policy.lease
        stale: dict[int, list[dict]] = {}
        citizen_rows = [row for row in rows if row.get("contact_id") is not None]
        rows = [row for row in rows if row.get("contact_id") is None]
        cancelled = []
        for row in citizen_rows:  # an email to a citizen: re-checked on the contact as it is now
            job, why = self._citizen_job(row, now, lease_until)
            if job is None:
                cancelled.append((row["id"], why))
            else:
                batch.jobs.append(job)
        due = {pid: self.due.due(pid, now) for pid in {row["process_id"] for row in rows}}
        self._names_of({row["person_id"] for row in rows})
        for row in rows:
            planned = due[row["process_id"]].get(row["key"])
            if planned is None or not planned.email:
                stale.setdefault(row["process_id"], []).append(row)
                continue
            self._name(planned.person_id)
            batch.jobs.append(Job(row, planned, lease_until))
        for pid, rows_ in stale.items():
            reasons = self.due.why_not(pid, now, {r["key"] for r in rows_})
            cancelled += [(r["id"], reasons.get(r["key"], "replanned: ya no toca (sustituido por otro aviso o fechas "
                                                          "cambiadas)")) for r in rows_]
        batch.stats.cancelled = outbox.mark_final(self.bind, self.worker, cancelled, "cancelled")
        return batch

    def _citizen_job(self, row: dict, now: dt.datetime, lease_until: dt.datetime) -> tuple[Job | None, str]:
        with Session(self.engine) as db:
            context, why = citizens.recheck(db, row, self.public_url)
        if context is None:
            return None, why
        planned = Planned.of(key=row["key"], kind=row["kind"], series="citizen", process_id=row["process_id"],
                          subject="", label="", due_on=now.date(), due_at=now, person_id=0, handle="",
                          email=context["email"], lang=row["lang"], status="due",
                          details={"headers": citizens.headers(row["kind"], context)}, context=context)
        return Job(row, planned, lease_until), ""

    def render(self, job: Job, now: dt.datetime) -> bytes:
        """The email, from the records as they are now; its Message-ID is the reminder's key."""
        p = job.planned
        _, data = self.renderer.message(key=job.row["key"], kind=p.kind, lang=p.lang, to=p.email or "",
                                               to_name=self._names.get(p.person_id, ""), context=p.template_context(),
                                               date=now.timestamp(), headers=p.details.get("headers"))
        return data

    def _names_of(self, person_ids: set[int]) -> None:
        """The names of a batch's recipients not known yet, in one read."""
        missing = [i for i in person_ids if i is not None and i not in self._names]
        if missing:
            with Session(self.engine) as db:
                self._names.update(db.execute(select(Person.id, Person.name).where(Person.id.in_(missing))).all())

    def _name(self, person_id: int) -> str:
        if person_id not in self._names:
            with Session(self.engine) as db:
                person = db.get(Person, person_id)
                self._names[person_id] = person.name if person else ""
        return self._names[person_id]

    def recover(self) -> tuple[int, int]:
        """Set right what a run cut off from its database left (:class:`Leftover`): mark sent
        the rows the SMTP server accepted, then give back every other row this worker still
        holds (nothing of this worker is on its way: its runs do not overlap). Returns how many
        of each; raises, keeping what is left, while the database does not answer."""
        marked = 0
        for row_id, at in sorted(self.leftover.sent.items()):
            marked += outbox.mark_sent(self.engine, self.worker, [row_id], at)
            del self.leftover.sent[row_id]
        released = outbox.release_held(self.engine, self.worker) if self.leftover.held else 0
        self.leftover.held = False
        return marked, released

    # --- the asynchronous half: send on persistent connections ------------------------
    def run(self) -> Stats:
        """Deliver until nothing is ready; returns what happened."""
        return asyncio.run(self.run_async())

    async def run_async(self) -> Stats:
        """One event loop thread does everything: database calls are short and synchronous
        (a batch claim, a group of marks), so no thread fights the sending loop for the GIL
        (measured: a database thread beside the loop cut throughput by a third). On PostgreSQL
        the marks are awaited on connections of their own (``outbox.connect_marks``,
        :data:`MARK_CONNECTIONS`): a commit waits for the server's disk, and the other
        connections send meanwhile."""
        stats = Stats()
        if self.leftover:  # an earlier run of this worker lost its database
            stats.sent_before, stats.released = self.recover()
        jobs: deque[Job] = deque()
        exhausted = False
        stopping = False  # a lane failed (the database is gone): the others finish what is on its way
        sender = self.renderer.identity.address
        lanes = [self.transport.lane() for _ in range(self.concurrency)]
        self.bind = self.engine.connect()  # one connection for every claim and mark of this run
        if self.engine.dialect.name != "sqlite":
            # Every outbox write is one statement: in autocommit each is one round trip, and
            # the loop is not held up by BEGIN/COMMIT exchanges. (SQLite keeps BEGIN IMMEDIATE.)
            self.bind = self.bind.execution_options(isolation_level="AUTOCOMMIT")
        try:
            marker = _Marker(self, await outbox.connect_marks(self.engine, self.bind,
                                                                min(MARK_CONNECTIONS, self.concurrency)))
        except BaseException:
            self.bind.close()
            self.bind = self.engine
            raise

        def refill() -> None:
            nonlocal exhausted
            batch = self.prepare()
            if batch is None:
                exhausted = True
            else:
                stats.add(batch.stats)
                jobs.extend(batch.jobs)

        async def run_lane(lane) -> None:
            marking: list[asyncio.Future] = []  # this connection's last message's mark, being committed

            async def marked() -> None:
                """Wait for the last message's mark (before the next message is ended)."""
                if marking:
                    marker.need(marking[-1])
                    if await marking.pop():
                        stats.sent += 1
                    else:
                        stats.lost += 1

            while True:
                if stopping:
                    await marked()
                    return
                if not jobs:
                    if exhausted:
                        await marked()
                        return
                    refill()  # no await inside: one lane at a time
                    continue
                job = jobs.popleft()
                now = self.clock.now()
                if now >= job.lease_until - self.policy.lease_margin:
                    stats.released += outbox.release(self.bind, self.worker, [job.row["id"]])
                    continue
                try:
                    data = self.render(job, now)
                except Exception as exc:  # a template or address problem: visible in `reminders status`
                    stats.failed += outbox.mark_final(self.bind, self.worker,
                                                      [(job.row["id"], f"render: {type(exc).__name__}: {exc}")],
                                                      "failed")
                    continue
                try:
                    # The envelope and DATA go out while the last mark commits; the content and dot once it has.
                    await lane.send(sender, job.planned.email, data, job.row["key"], before_data=marked)
                except TemporaryFailure as exc:
                    await marked()
                    stats.add(self._temporary(job, str(exc)))
                    continue
                except PermanentFailure as exc:
                    await marked()
                    stats.failed += outbox.mark_final(self.bind, self.worker, [(job.row["id"], str(exc))], "failed")
                    continue
                self.leftover.sent[job.row["id"]] = now  # until its mark is known committed
                marking.append(marker.sent(job))  # committed before this connection sends another message

        async def lane_or_stop(lane) -> None:
            nonlocal stopping
            try:
                await run_lane(lane)
            except BaseException:
                stopping = True
                raise

        failed: BaseException | None = None
        try:
            ended = await asyncio.gather(*(lane_or_stop(lane) for lane in lanes), return_exceptions=True)
            failed = next((e for e in ended if isinstance(e, BaseException)), None)
        except BaseException as exc:  # cancelled from outside
            failed = exc
            raise
        finally:
            await asyncio.gather(*(lane.close() for lane in lanes), return_exceptions=True)
            await marker.close()
            self.bind.close()
            self.bind = self.engine
            if failed is not None:
                self.leftover.held = True
                for _ in range(2):  # a second time on a new connection if the pool's first was dead too
                    try:
                        marked, released = self.recover()
                        stats.sent_before += marked
                        stats.released += released
                        break
                    except Exception as exc:  # still unreachable: the next run of this worker sets it right
                        if not (isinstance(exc, DBAPIError) and exc.connection_invalidated):
                            break
        if failed is not None:
            raise failed
        return stats

    def _temporary(self, job: Job, error: str) -> Stats:
        attempts = job.row["attempts"]
        if attempts >= self.policy.max_attempts:
            n = outbox.mark_final(self.bind, self.worker, [(job.row["id"], f"{attempts} intentos / attempts: {error}")],
                                  "failed")
            return Stats(failed=n)
        later = self.clock.now() + self.policy.next_delay(attempts)
        return Stats(retried=outbox.mark_retry(self.bind, self.worker, job.row["id"], error, later))


class _Marker:
    """Group commit of "sent" marks; each connection waits for its own. SQLite: the connections
    that got their 250 in the same turn of the event loop are marked in one transaction. With
    ``conns`` (PostgreSQL, :func:`outbox.connect_marks`) the commits are awaited, up to one per
    connection at a time, and (:data:`MARK_WHEN` ``"needed"``) a commit starts only when a sending
    connection needs its mark (:meth:`need`: it would end its next message) or every sending
    connection has one waiting, with every mark waiting then; those that arrive during a commit
    wait for the next connection that needs one."""

    def __init__(self, sender: Sender, conns: list[Any] | None = None):
        self.sender, self.conns = sender, list(conns or [])
        self.idle = list(self.conns)
        self.items: list[tuple[Job, asyncio.Future]] = []
        self.scheduled = False
        self.wanted = False  # a connection waits for a mark not yet being committed

    def sent(self, job: Job) -> asyncio.Future:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self.items.append((job, future))
        if not self.conns:
            if not self.scheduled:
                self.scheduled = True
                loop.call_soon(self._flush)
        elif MARK_WHEN == "at once" or len(self.items) >= self.sender.concurrency:
            self._start(loop)
        return future

    def need(self, future: asyncio.Future) -> None:
        """A connection is about to send its next message: its last mark (``future``) must be
        committed before that message's final dot. Unless it is already committed or being
        committed, a commit of every mark waiting starts now (on PostgreSQL the marks wait for a
        connection that needs them: the more connections answered meanwhile, the fewer commits)."""
        if self.conns and not future.done() and any(f is future for _, f in self.items):
            self.wanted = True
            self._start(asyncio.get_running_loop())

    def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        """A commit on a free connection for the marks waiting, unless one is about to take them."""
        if self.items and self.idle and not self.scheduled:
            self.scheduled = True
            loop.create_task(self._flush_async(self.idle.pop()))

    def _flush(self) -> None:
        self.scheduled = False
        items, self.items = self.items, []
        s = self.sender
        try:
            n = outbox.mark_sent(s.bind, s.worker, [j.row["id"] for j, _ in items], s.clock.now())
            self._settle(items, n)
        except Exception as exc:  # the database is gone: nobody may send on as if marked
            self._fail(items, exc)

    async def _flush_async(self, conn: Any) -> None:
        s = self.sender
        self.scheduled = False  # the marks arrived until now are this commit's; later ones start another
        try:
            while self.items:
                items, self.items, self.wanted = self.items, [], False
                try:
                    n = await outbox.mark_sent_async(conn, s.engine, s.worker, [j.row["id"] for j, _ in items],
                                                     s.clock.now())
                    self._settle(items, n)
                except Exception as exc:  # the database is gone: nobody may send on as if marked
                    self._fail(items, exc)
                if MARK_WHEN != "at once" and not self.wanted and len(self.items) < self.sender.concurrency:
                    break  # the marks that came meanwhile wait for a connection that needs one
        finally:
            self.idle.append(conn)  # a broken one too: its next mark fails at once, as the first did
            if MARK_WHEN == "at once" or self.wanted:
                self._start(asyncio.get_running_loop())

    def _settle(self, items: list[tuple[Job, asyncio.Future]], n: int) -> None:
        s = self.sender
        mine = {j.row["id"] for j, _ in items}
        for row_id in mine:  # committed (or, if not marked, the claim had passed on): nothing left
            s.leftover.sent.pop(row_id, None)
        if n != len(items):
            mine = outbox.sent_by(s.bind, s.worker, list(mine))
        for job, fut in items:
            fut.set_result(job.row["id"] in mine)

    @staticmethod
    def _fail(items: list[tuple[Job, asyncio.Future]], exc: Exception) -> None:
        for _, fut in items:
            fut.set_exception(exc)

    async def close(self) -> None:
        for conn in self.conns:
            await conn.close()
