"""Reminders from the workflow's side: the ``configure_reminders`` action and the reads and
runs behind ``cocrea reminders plan|send|status`` and ``cocrea worker``.

The rules live in :mod:`stages.reminders`, the planning and delivery in
:mod:`notifications`; this module only wires them to a process, a clock and the mail
settings, so the CLI and the web app stay thin.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Optional

from pydantic import Field
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from notifications import outbox, snapshot
from notifications.config import MailConfig
from notifications.planner import plan as plan_points
from notifications.reasons import why
from notifications.render import Identity, Renderer
from notifications.sender import Sender, Stats
from notifications.transport import transport_for
from stages.reminders import BY_KIND, DEFAULT_SETTINGS, MAX_DAYS, effective_settings
from storage.models import Person, Process

from .clock import Clock, SystemClock
from .engine import Context
from .errors import not_found
from .schemas import Key, Schema

Days = Annotated[list[Annotated[int, Field(ge=0, le=MAX_DAYS)]], Field(max_length=12)]
Kind = Literal[tuple(BY_KIND)]  # type: ignore[valid-type]


class ConfigureReminders(Schema):
    """Only the fields given change; ``reset`` first returns every setting to its default."""

    reset: bool = Field(False, description="back to the defaults before applying the fields given")
    send_hour: Optional[Annotated[int, Field(ge=0, le=23)]] = Field(None, description="local hour reminders go out")
    activity_before_days: Optional[Days] = Field(None, description="liaisons: days before an activity's end date")
    activity_on_day: Optional[bool] = Field(None, description="liaisons: on the end date")
    activity_overdue_days: Optional[Days] = Field(None, description="liaisons: days after the end date")
    escalation_after_days: Optional[Days] = Field(None, description="coordinators: days overdue")
    session_before_days: Optional[Days] = Field(None, description="secretariat: days before a session")
    minutes_after_days: Optional[Days] = Field(None, description="secretariat: days after a session without minutes")
    consultation_before_days: Optional[Days] = Field(None, description="coordinators: days before a channel closes")
    term_before_days: Optional[Days] = Field(None, description="coordinators: days before the term ends")
    progress_every_months: Optional[Annotated[int, Field(ge=0, le=12)]] = Field(
        None, description="progress report cadence in months (0: none)")
    progress_before_days: Optional[Days] = Field(None, description="liaisons: days before a progress report is due")
    digest_weekday: Optional[Annotated[int, Field(ge=0, le=6)]] = Field(None, description="0 Monday ... 6 Sunday")
    digest_horizon_days: Optional[Annotated[int, Field(ge=1, le=MAX_DAYS)]] = None
    off: Optional[list[Kind]] = Field(None, description="kinds of reminder switched off")
    muted: Optional[list[Key]] = Field(None, description="handles of people who receive no reminders")


def configure_reminders(ctx: Context, d: ConfigureReminders):
    """Set the process's reminder offsets, cadences and exclusions (recorded in the audit trail)."""
    given = d.model_dump(exclude_none=True, exclude={"reset"})
    for handle in given.get("muted", []):
        if ctx.db.exec(select(Person).where(Person.process_id == ctx.process.id, Person.handle == handle)).first() is None:
            raise not_found("persona", handle)
    for name in list(given):
        if isinstance(given[name], list) and name not in ("off", "muted"):
            given[name] = sorted(set(given[name]), reverse=True)
    current = {} if d.reset else dict((ctx.process.settings or {}).get("reminders") or {})
    current.update(given)
    ctx.process.settings = {**(ctx.process.settings or {}), "reminders": current}
    ctx.db.add(ctx.process)
    return {"reminders": {k: v for k, v in effective_settings(ctx.process.settings).items()
                          if k in current or d.reset}}


# --- reads and runs ---------------------------------------------------------------------


def _process(db: Session, slug: str) -> Process:
    p = db.exec(select(Process).where(Process.slug == slug)).first()
    if p is None:
        raise not_found("proceso", slug)
    return p


def plan(db_engine: Engine, slug: str, at: dt.datetime | None = None, lang: str = "es") -> dict[str, Any]:
    """Every reminder point of a process now (or ``at``): due, or why not, merged with the outbox."""
    now = (at or SystemClock().now()).astimezone(dt.timezone.utc)
    with Session(db_engine) as db:
        process = _process(db, slug)
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


def status(db_engine: Engine, slug: str | None = None, limit: int = 50) -> dict[str, Any]:
    """Counts by kind and status, and the rows that failed or are waiting to be retried."""
    process_id = None
    if slug:
        with Session(db_engine) as db:
            process_id = _process(db, slug).id
    problems = outbox.rows(db_engine, process_id=process_id, statuses=("failed",), limit=limit)
    retrying = [r for r in outbox.rows(db_engine, process_id=process_id, statuses=("pending", "claimed"), limit=limit)
                if r["last_error"]]

    def brief(r: dict) -> dict:
        return {"key": r["key"], "kind": r["kind"], "status": r["status"], "attempts": r["attempts"],
                "next_attempt_at": r["next_attempt_at"].isoformat(timespec="seconds") if r["next_attempt_at"] else None,
                "error": r["last_error"]}

    return {"process": slug, "counts": outbox.counts(db_engine, process_id),
            "failed": [brief(r) for r in problems], "retrying": [brief(r) for r in retrying]}


def renderer_for(config: MailConfig) -> Renderer:
    s = config.smtp
    return Renderer(Identity(s.sender, s.sender_name, s.message_id_domain))


def send(db_engine: Engine, config: MailConfig, *, clock: Clock | None = None, slug: str | None = None,
         worker: str | None = None) -> dict[str, Any]:
    """One sweep (plan and enqueue what is due) and one delivery run, now."""
    clock = clock or SystemClock()
    process_id = None
    if slug:
        with Session(db_engine) as db:
            process_id = _process(db, slug).id
    swept = outbox.sweep(db_engine, clock.now(), process=slug)
    sender = Sender(db_engine, transport_for(config.smtp), renderer_for(config), clock=clock,
                    policy=config.delivery, worker=worker, process_id=process_id)
    stats: Stats = sender.run()
    return {"planned": swept.due, "queued": swept.added, "processes": swept.processes, **stats.as_dict(),
            "transport": sender.transport.describe()}
