"""Reads behind ``cocrea reminders plan|status``: every reminder point of a process, due or why
not, merged with the outbox; counts and failures. Nothing here writes.

The rules live in :mod:`stages.reminders`, the planning and delivery in :mod:`notifications`.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from notifications import outbox, snapshot
from notifications.planner import plan as plan_points
from notifications.reasons import why
from stages.clock import SystemClock
from stages.reminders import DEFAULT_SETTINGS, effective_settings
from storage import process_by_slug


def plan(db_engine: Engine, slug: str, at: dt.datetime | None = None, lang: str = "es") -> dict[str, Any]:
    """Every reminder point of a process now (or ``at``): due, or why not, merged with the outbox."""
    now = (at or SystemClock().now()).astimezone(dt.timezone.utc)
    with Session(db_engine) as db:
        process = process_by_slug(db, slug)
        points = plan_points(snapshot.load(db, process), now)
        settings = effective_settings(process.settings)
    stored = outbox.by_keys(db_engine, [p.key for p in points])
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
    with Session(db_engine) as db:
        return process_by_slug(db, slug).id


def status(db_engine: Engine, slug: str | None = None, limit: int = 50) -> dict[str, Any]:
    """Counts by kind and status, and the rows that failed or are waiting to be retried."""
    pid = process_id(db_engine, slug) if slug else None
    problems = outbox.rows(db_engine, process_id=pid, statuses=("failed",), limit=limit)
    retrying = [r for r in outbox.rows(db_engine, process_id=pid, statuses=("pending", "claimed"), limit=limit)
                if r["last_error"]]

    def brief(r: dict) -> dict:
        return {"key": r["key"], "kind": r["kind"], "status": r["status"], "attempts": r["attempts"],
                "next_attempt_at": r["next_attempt_at"].isoformat(timespec="seconds") if r["next_attempt_at"] else None,
                "error": r["last_error"]}

    return {"process": slug, "counts": outbox.counts(db_engine, pid),
            "failed": [brief(r) for r in problems], "retrying": [brief(r) for r in retrying]}
