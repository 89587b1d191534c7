"""The worker's purge of citizens' contact data once a closed process's retention period is over.

At every tick of ``cocrea worker`` (and ``cocrea reminders send``), after the sweep, each closed process whose
retention period is over (:func:`stages.participation.retention_ends`) and that still holds
contact data is purged through the action ``purge_contact_data``, as the actor ``system``, with
the reason :data:`stages.participation.RETENTION_REASON` in its audit entry. The idempotency key
names the close: two workers sweeping at once purge and audit it once (the key is checked under
the process's lock); a process purged holds no contact data, so later sweeps do nothing. The
worker (``notifications.worker``, which may not import the actions) is handed :func:`purge_due` by
the commands that start it (``cli/reminders.py``) and by the workspace's "send what is due".
"""
from __future__ import annotations

import logging

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from stages.chronology import local_today
from stages.clock import Clock
from stages.errors import CocreaError
from storage.models import Process, StageChange
from . import actions
from .actions.participation import contact_data_held, retention_end
from .engine import SYSTEM, AlreadyApplied

log = logging.getLogger("cocrea.worker")


def purge_due(engine: Engine, clock: Clock, process: str | None = None) -> list[str]:
    """Purge every closed process (or the one named) whose retention is over and that still holds
    contact data; returns the slugs purged. A refusal is logged and skipped (the next sweep tries
    again), so it never stops the delivery of the tick."""
    now = clock.now()
    due: list[tuple[str, int]] = []
    with Session(engine) as db:
        query = select(Process).where(Process.stage == "closed").order_by(Process.id)
        if process:
            query = query.where(Process.slug == process)
        for proc in db.exec(query):
            ends = retention_end(db, proc)
            if ends is None or local_today(now, proc.timezone) < ends:
                continue
            inputs, contacts = contact_data_held(db, proc)
            if not inputs and not contacts:
                continue
            close = db.exec(select(StageChange.id).where(StageChange.process_id == proc.id,
                                                         StageChange.to_stage == "closed")
                            .order_by(StageChange.at.desc())).first()
            due.append((proc.slug, close))
    purged = []
    for slug, close in due:
        try:
            result = actions.apply(engine, "purge_contact_data", {}, actor=SYSTEM, process=slug, clock=clock,
                                   idempotency_key=f"retention-purge:{slug}:{close}")
        except CocreaError as exc:  # refused (changed meanwhile): said, and the other processes and mail go on
            log.warning("purge of %s refused: %s", slug, exc)
            continue
        if not isinstance(result, AlreadyApplied):
            purged.append(slug)
    return purged
