"""Reads behind ``cocrea reminders plan|status``: every reminder point of a process, due or why
not, merged with the outbox; counts and failures. Nothing here writes.

The rules live in :mod:`stages.reminders`, the planning (a pure function of the records and the
clock) in :mod:`notifications.planner`, the delivery in :mod:`notifications`. Both reads take an
engine (the full way: ``notifications.snapshot`` and ``notifications.outbox`` read the rows) or
a quick :class:`storage.plain.Reader` (the command line, without SQLAlchemy: the same rows read
by the driver alone, given to the same planner); ``tests/test_plain_reads.py`` checks both say
the same.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from notifications.planner import plan as plan_points
from notifications.reasons import why
from stages.clock import SystemClock
from stages.reminders import DEFAULT_SETTINGS, effective_settings
from storage.plain import Reader

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

#: What the planner reads of a process for its whole plan: the tables ``notifications.snapshot``
#: loads for it (people with their emails), and the inputs it counts by channel
#: (``tests/test_plain_reads.py`` checks they are the same).
PLANNED = ("people", "agencies", "commitments", "activities", "progress_reports", "sessions", "channels", "inputs")
#: The outbox's columns these reads show.
OUTBOX = ("id", "key", "kind", "status", "attempts", "next_attempt_at", "last_error", "sent_at")


def plan(db_engine: Engine | Reader, slug: str, at: dt.datetime | None = None, lang: str = "es") -> dict[str, Any]:
    """Every reminder point of a process now (or ``at``): due, or why not, merged with the outbox."""
    now = (at or SystemClock().now()).astimezone(dt.timezone.utc)
    if isinstance(db_engine, Reader):
        process = db_engine.process(slug)
        points = plan_points(db_engine.records(process, PLANNED, private=("people",)), now)
        keys = [p.key for p in points]
        stored = {r.key: r._asdict() for start in range(0, len(keys), 500)
                  for r in db_engine.rows("outbox", "key", keys[start:start + 500], columns=OUTBOX)}
    else:
        from sqlmodel import Session

        from notifications import outbox, snapshot
        from storage import process_by_slug

        with Session(db_engine) as db:
            process = process_by_slug(db, slug)
            points = plan_points(snapshot.load(db, process), now)
        stored = outbox.by_keys(db_engine, [p.key for p in points])
    settings = effective_settings(process.settings)
    out = []
    for p in points:
        row = stored.get(p.key)
        status, reason = p.status, p.reason.message(lang)
        if row is not None:
            status = row["status"]
            details = {"sent_at": row["sent_at"].isoformat(timespec="minutes") if row["sent_at"] else "",
                       "error": row["last_error"] or ""}
            reason = why(status, **details).message(lang)
        out.append({"key": p.key, "kind": p.kind, "subject": p.label, "due_on": p.due_on.isoformat(),
                    "recipient": p.handle, "status": status, "why": reason})
    return {"process": slug, "at": now.isoformat(timespec="minutes"), "settings": settings,
            "changed": sorted(k for k, v in DEFAULT_SETTINGS.items() if settings.get(k) != v),
            "reminders": out}


def process_id(db_engine: Engine, slug: str) -> int:
    from sqlmodel import Session

    from storage import process_by_slug

    with Session(db_engine) as db:
        return process_by_slug(db, slug).id


def status(db_engine: Engine | Reader, slug: str | None = None, limit: int = 50) -> dict[str, Any]:
    """Counts by kind and status, and the rows that failed or are waiting to be retried."""
    if isinstance(db_engine, Reader):
        db = db_engine
        where = {"process_id": [db.process(slug).id]} if slug else {}
        counts: dict[str, dict[str, int]] = {}
        for kind, state, n in db.select("outbox", ("kind", "status"), where, order_by="kind, status", count=True):
            counts.setdefault(kind, {})[state] = n

        def newest(statuses: tuple[str, ...]) -> list[dict[str, Any]]:
            return [r._asdict() for r in db.select("outbox", OUTBOX, {**where, "status": statuses},
                                                   order_by="id DESC", limit=limit)]
    else:
        from notifications import outbox

        pid = process_id(db_engine, slug) if slug else None
        counts = outbox.counts(db_engine, pid)

        def newest(statuses: tuple[str, ...]) -> list[dict[str, Any]]:
            return outbox.rows(db_engine, process_id=pid, statuses=statuses, limit=limit)

    problems = newest(("failed",))
    retrying = [r for r in newest(("pending", "claimed")) if r["last_error"]]

    def brief(r: dict) -> dict:
        return {"key": r["key"], "kind": r["kind"], "status": r["status"], "attempts": r["attempts"],
                "next_attempt_at": r["next_attempt_at"].isoformat(timespec="seconds") if r["next_attempt_at"] else None,
                "error": r["last_error"]}

    return {"process": slug, "counts": counts, "failed": [brief(r) for r in problems],
            "retrying": [brief(r) for r in retrying]}
