"""``cocrea worker``: APScheduler ticking the sweep and the sender, nothing more.

What must survive a restart lives in the database: the process records (what is due is
recomputed from them at every tick) and the outbox rows (what was queued, claimed, sent).
APScheduler only holds one in-memory interval job, so there is no job store to share
between workers (one job store shared by several APScheduler 3.11 schedulers runs jobs
twice) and no one-off job to drop while the worker is down: the first tick after a restart
catches up on every reminder that came due meanwhile (the latest point of each series; see
stages.reminders).

Ticks never overlap within a worker (``max_instances=1``, ``coalesce=True``); any number
of workers may run against the same database (claims are exclusive, inserts idempotent).
"""
from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
from typing import Any, Callable

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.engine import Engine

from stages.clock import Clock, SystemClock

from . import outbox
from .config import MailConfig
from .render import Identity, Renderer
from .sender import Leftover, Sender, worker_id
from .transport import transport_for

log = logging.getLogger("cocrea.worker")
UTC = dt.timezone.utc


def renderer_for(config: MailConfig) -> Renderer:
    s = config.smtp
    return Renderer(Identity(s.sender, s.sender_name, s.message_id_domain))


#: What a tick does after its sweep besides delivering: the purge of contact data come due
#: (``workflow.retention.purge_due``), handed in by whoever starts the worker, since this package
#: may not import the actions. Takes (engine, clock, process=slug or None), returns the slugs purged.
Purge = Callable[..., list]


def send_now(engine: Engine, config: MailConfig, *, clock: Clock | None = None, process: str | None = None,
             process_id: int | None = None, worker: str | None = None, purge: Purge | None = None) -> dict[str, Any]:
    """One sweep (plan and enqueue what is due), the purge of contact data come due (``purge``),
    and one delivery run, now (``cocrea reminders send``)."""
    clock = clock or SystemClock()
    swept = outbox.sweep(engine, clock.now(), process=process)
    purged = purge(engine, clock, process=process) if purge else []
    sender = Sender(engine, transport_for(config.smtp), renderer_for(config), clock=clock,
                    policy=config.delivery, worker=worker, process_id=process_id, public_url=config.public_url)
    stats = sender.run()
    return {"planned": swept.due, "queued": swept.added, "processes": swept.processes, "purged": purged,
            **stats.as_dict(),
            "transport": sender.transport.describe()}


class Worker:
    def __init__(self, engine: Engine, config: MailConfig, *, clock: Any = None, every: float = 60.0,
                 worker: str | None = None, concurrency: int | None = None, purge: Purge | None = None):
        self.engine, self.config = engine, config
        self.purge = purge
        self.clock = clock or SystemClock()
        self.every = every
        self.worker = worker or worker_id()
        self.renderer = renderer_for(config)
        self.transport = transport_for(config.smtp)
        self.concurrency = concurrency
        self.ticks = 0
        self.leftover = Leftover()  # what a tick cut off from the database leaves to the next
        self._scheduler: BlockingScheduler | None = None

    def tick(self) -> dict[str, Any]:
        """One sweep (and the purge of contact data come due), then deliver everything ready."""
        swept = outbox.sweep(self.engine, self.clock.now())
        purged = self.purge(self.engine, self.clock) if self.purge else []  # contact data whose retention is over
        stats = Sender(self.engine, self.transport, self.renderer, clock=self.clock, policy=self.config.delivery,
                       worker=self.worker, concurrency=self.concurrency, public_url=self.config.public_url,
                       leftover=self.leftover).run()
        self.ticks += 1
        result = {"queued": swept.added, "purged": len(purged), **stats.as_dict()}
        if swept.added or purged or stats.claimed:
            log.info("tick %d: %s", self.ticks, " ".join(f"{k}={v}" for k, v in result.items() if v))
        return result

    def _safe_tick(self) -> None:
        try:
            self.tick()
        except Exception:  # the next tick tries again; nothing is lost, it is all in the database
            log.exception("tick failed")

    def run(self, stop: threading.Event | None = None, on_start: Callable[[], None] | None = None) -> None:
        """Tick every ``every`` seconds until SIGTERM/SIGINT (or ``stop`` is set)."""
        scheduler = BlockingScheduler(jobstores={"default": MemoryJobStore()},
                                      executors={"default": ThreadPoolExecutor(1)},
                                      job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
                                      timezone=UTC)
        scheduler.add_job(self._safe_tick, "interval", seconds=self.every, id="reminders",
                          next_run_time=dt.datetime.now(UTC))
        self._scheduler = scheduler

        def shutdown(*_: Any) -> None:
            if scheduler.running:
                scheduler.shutdown(wait=True)  # let a running tick finish its batch and marks

        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, shutdown)
            signal.signal(signal.SIGINT, shutdown)
        if stop is not None:
            threading.Thread(target=lambda: (stop.wait(), shutdown()), daemon=True).start()
        log.info("worker %s: every %ss, mail %s", self.worker, self.every, self.transport.describe())
        if on_start:
            on_start()
        scheduler.start()
