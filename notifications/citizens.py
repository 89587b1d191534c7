"""Emails to citizens: queued in the same outbox as the reminders, sent by the same worker.

The actions queue them inside their own transaction (:func:`enqueue`); the key is unique, so
queueing the same email twice stores it once, exactly as for reminders. A row names the
contact (``contact_id``), not a person. When the worker's turn comes, :func:`recheck` looks at
the contact as it is *then*: nothing goes to an address that was erased (ARCO), nothing but
the confirmation goes to an address not confirmed, and no digest to one that stopped following;
those rows end ``cancelled`` with the reason. The email is rendered from the records of that
moment, like a reminder.

Kinds (``stages.participation.MAIL_KINDS``):

- ``email_confirmation``: the link that confirms the address (once per contact);
- ``follow_confirmation``: the link that confirms the address wants the weekly digest (its own
  link, even when the address was confirmed for an input: nobody is subscribed by another);
- ``input_answer``: the reasoned response to an input the citizen sent;
- ``process_digest``: the weekly summary of what changed, for those who follow the process.
"""
from __future__ import annotations

import datetime as dt
import secrets
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlmodel import Session

from stages.participation import MAIL_KINDS
from stages import news
from storage import load_records
from storage.models import CitizenContact, Commitment, Input, Process, Theme
from storage.outbox import OutboxMessage, insert_stmt

T = OutboxMessage.__table__

#: Stop words of the List-Unsubscribe-Post header (RFC 8058).
ONE_CLICK = "List-Unsubscribe=One-Click"


def new_token() -> str:
    return secrets.token_urlsafe(24)


def contact(db: Session, process: Process, email: str, lang: str, now: dt.datetime) -> CitizenContact:
    """The process's contact for ``email`` (made now when new; an erased one comes back new)."""
    email = email.strip()
    row = db.exec(select(CitizenContact).where(CitizenContact.process_id == process.id,
                                               CitizenContact.email == email)).scalars().first()
    if row is None:
        row = CitizenContact(process_id=process.id, email=email, token=new_token(), lang=lang, created_at=now)
        db.add(row)
        db.flush()
    return row


def key_of(kind: str, process_id: int, subject: str, contact_id: int) -> str:
    return f"{kind}.{process_id}.{subject}.c{contact_id}"


def enqueue(db: Session, process: Process, row: CitizenContact, kind: str, subject: str, now: dt.datetime) -> bool:
    """Queue one email to a contact (once per key); returns whether it was new."""
    if kind not in MAIL_KINDS:
        raise ValueError(f"no citizen mail kind {kind!r}")
    values = {"key": key_of(kind, process.id, subject, row.id), "process_id": process.id, "kind": kind,
              "person_id": None, "contact_id": row.id, "recipient": row.email, "lang": row.lang,
              "subject": subject[:300], "due_at": now, "status": "pending", "attempts": 0,
              "next_attempt_at": now, "created_at": now}
    result = db.execute(insert_stmt(db.get_bind().dialect.name), [values])
    return bool(result.rowcount)


def cancel_pending(db: Session, contact_id: int, reason: str) -> int:
    """End every email still waiting for a contact (it left, or its address was erased)."""
    result = db.execute(update(T).where(T.c.contact_id == contact_id, T.c.status.in_(["pending", "claimed"]))
                        .values(status="cancelled", last_error=reason))
    return result.rowcount


def forget(db: Session, contact_id: int) -> None:
    """Erase a contact's address from the outbox (ARCO): pending emails end, sent ones keep no address."""
    cancel_pending(db, contact_id, "erased: la persona pidió borrar su correo (ARCO)")
    db.execute(update(T).where(T.c.contact_id == contact_id).values(recipient=""))


def links(public_url: str, process: Process, row: CitizenContact) -> dict[str, str]:
    base = f"{public_url}/p/{quote(process.slug, safe='')}"
    token = quote(row.token or "", safe="")
    return {"process": base, "confirm": f"{base}/confirmar/{token}", "confirm_follow": f"{base}/seguir/confirmar/{token}",
            "unfollow": f"{base}/baja/{token}",
            "privacy": f"{base}/participa#privacidad"}


def recheck(db: Session, row: dict[str, Any], public_url: str) -> tuple[dict | None, str]:
    """The email's template fields if it is still to be sent now, else ``(None, why not)``."""
    contact_row = db.get(CitizenContact, row["contact_id"]) if row.get("contact_id") else None
    process = db.get(Process, row["process_id"])
    if contact_row is None or process is None or contact_row.erased_at is not None or not contact_row.email:
        return None, "erased: la persona pidió borrar su correo (ARCO)"
    kind = row["kind"]
    if kind not in ("email_confirmation", "follow_confirmation") and contact_row.confirmed_at is None:
        return None, "unconfirmed: el correo no se ha confirmado"
    if kind == "email_confirmation" and contact_row.confirmed_at is not None:
        return None, "confirmed: el correo ya estaba confirmado"
    if kind in ("process_digest", "follow_confirmation") and not contact_row.following:
        return None, "unfollowed: la persona dejó de seguir el proceso"
    if kind == "follow_confirmation" and contact_row.follow_confirmed_at is not None:
        return None, "confirmed: la suscripción ya estaba confirmada"
    if kind == "process_digest" and contact_row.follow_confirmed_at is None:
        return None, "unconfirmed: la suscripción no se ha confirmado"
    ctx: dict[str, Any] = {"process": {"name": process.name, "slug": process.slug},
                           "links": links(public_url, process, contact_row), "following": contact_row.following,
                           "email": contact_row.email}
    if kind == "process_digest":
        label = row["key"].split(".")[2]
        start, end = _window(label, process.timezone)
        ctx["week"] = {"starts_on": start.astimezone(ZoneInfo(process.timezone)).date(),
                       "ends_on": (end.astimezone(ZoneInfo(process.timezone)) - dt.timedelta(days=1)).date()}
        ctx["changes"] = changes(db, process, start, end)
        ctx["stage"] = process.stage
    if kind == "input_answer":
        key = ".".join(row["key"].split(".")[2:-1])  # kind.process.<input key>.c<contact>
        found = db.exec(select(Input).where(Input.process_id == process.id, Input.key == key)).scalars().first()
        if found is None or not found.disposition:
            return None, "unanswered: el aporte no tiene respuesta"
        theme = db.get(Theme, found.theme_id) if found.theme_id else None
        commitment = db.get(Commitment, found.commitment_id) if found.commitment_id else None
        ctx["input"] = {"key": found.key, "text": found.text, "kind": found.kind, "received_on": found.received_on,
                        "disposition": found.disposition, "rationale": found.rationale or "",
                        "theme": theme.name if theme else "", "commitment": commitment.title if commitment else ""}
    return ctx, ""


# --- the weekly digest -------------------------------------------------------------------------


def week_of(now: dt.datetime, timezone: str) -> tuple[str, dt.datetime, dt.datetime]:
    """The week before ``now``'s (Monday to Monday where the process is): its label ("2026W07")
    and its bounds in UTC."""
    local = now.astimezone(ZoneInfo(timezone))
    this_monday = dt.datetime.combine(local.date() - dt.timedelta(days=local.weekday()), dt.time(0),
                                      ZoneInfo(timezone))
    start = this_monday - dt.timedelta(days=7)
    year, week, _ = start.date().isocalendar()
    return f"{year}W{week:02d}", start.astimezone(dt.timezone.utc), this_monday.astimezone(dt.timezone.utc)


def _window(label: str, timezone: str) -> tuple[dt.datetime, dt.datetime]:
    year, week = label.split("W")
    start = dt.datetime.combine(dt.date.fromisocalendar(int(year), int(week), 1), dt.time(0), ZoneInfo(timezone))
    return start.astimezone(dt.timezone.utc), (start + dt.timedelta(days=7)).astimezone(dt.timezone.utc)


#: The tables the digest's events are built from (:func:`stages.news.events`).
DIGEST_TABLES = ("stage_changes", "sessions", "documents", "declarations", "public_events", "inputs", "commitments",
                 "commitment_versions", "activities", "progress_reports")


def changes(db: Session, process: Process, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """What changed in the process between ``start`` and ``end``: the events of
    :func:`stages.news.events` (the feed's) of that week, summed up (public facts only)."""
    week = news.between(news.events(load_records(db, process, DIGEST_TABLES, plain=True)), start, end)
    tz = ZoneInfo(process.timezone)

    def of(kind: str) -> list[dict[str, Any]]:
        return [e.subject | {"on": e.at.astimezone(tz).date().isoformat()} for e in week if e.kind == kind]

    out = {"moves": [{"event": e["event"], "to": e["to"], "on": e["on"]} for e in of("move")],
           "convened": [{"key": e["key"], "on": (e["scheduled_for"] or e["on"])[:10], "place": e["place"]}
                        for e in of("convened")],
           "minutes": [{"key": e["key"], "ref": e["ref"]} for e in of("minutes")],
           "documents": [{"title": e["title"], "ref": e["ref"]} for e in of("document")],
           "answered": sum(e["count"] for e in of("responses")),
           "received": sum(e["count"] for e in of("received")),
           "progress": len(of("progress")),
           "agreed": len({e["commitment"] for e in of("agreed")})}
    out["any"] = any(bool(v) for v in out.values())
    return out


def enqueue_digests(db: Session, process: Process, now: dt.datetime) -> int:
    """Queue last week's digest to every confirmed follower of ``process``, once per week and
    address, when something changed that week (idempotent by key, like the reminders)."""
    label, start, end = week_of(now, process.timezone)
    followers = [c for c in db.exec(select(CitizenContact).where(
        CitizenContact.process_id == process.id, CitizenContact.following.is_(True),
        CitizenContact.confirmed_at.is_not(None), CitizenContact.follow_confirmed_at.is_not(None),
        CitizenContact.erased_at.is_(None))).scalars()
        if c.followed_at is not None and c.followed_at < end and c.email]
    if not followers or not changes(db, process, start, end)["any"]:
        return 0
    return sum(enqueue(db, process, c, "process_digest", label, now) for c in followers)


def headers(kind: str, ctx: dict[str, Any]) -> dict[str, str]:
    """One-click unsubscribe (RFC 8058) on every email but the confirmation."""
    if kind in ("email_confirmation", "follow_confirmation"):
        return {}
    return {"List-Unsubscribe": f"<{ctx['links']['unfollow']}>", "List-Unsubscribe-Post": ONE_CLICK}
