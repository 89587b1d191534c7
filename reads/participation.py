"""A citizen's personal data held by a process, for the right of access (ARCO): read by a
coordinator on the person's request (``cocrea citizen data``). Never published.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from storage import process_by_slug
from storage.models import CitizenContact, Input


def _at(when) -> str | None:
    return when.isoformat(timespec="minutes") if when else None


def personal_data(db_engine: Engine, slug: str, email: str) -> dict[str, Any]:
    """Everything the process keeps about the person with ``email``: their inputs (with what they
    said about themselves) and their contact (confirmed, following)."""
    email = email.strip()
    with Session(db_engine) as db:
        p = process_by_slug(db, slug)
        inputs = db.exec(select(Input).where(Input.process_id == p.id, Input.contact_email == email)
                         .order_by(Input.id)).all()
        contact = db.exec(select(CitizenContact).where(CitizenContact.process_id == p.id,
                                                       CitizenContact.email == email)).first()
        return {
            "process": p.slug, "email": email,
            "inputs": [{"key": i.key, "kind": i.kind, "received_on": i.received_on.isoformat(), "text": i.text,
                        "original_text": i.original_text,
                        "contact_name": i.contact_name, "profile": dict(i.profile or {}), "sector": i.sector,
                        "disposition": i.disposition, "hidden": i.hidden_reason} for i in inputs],
            "contact": None if contact is None else {
                "created_at": _at(contact.created_at), "confirmed_at": _at(contact.confirmed_at),
                "following": contact.following, "followed_at": _at(contact.followed_at), "lang": contact.lang},
        }
