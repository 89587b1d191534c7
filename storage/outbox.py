"""The reminder outbox: one row per reminder to one person, keyed for idempotency.

``key`` is unique: the same reminder (rule, subject, due date, recipient) can be planned any
number of times, by any number of workers, and is stored once. It is also the email's
Message-ID, so a duplicate delivery (see docs/reminders.md) is detectable downstream.

Life of a row: ``pending`` -> ``claimed`` (one worker, until ``lease_until``) -> ``sent``;
a temporary failure puts it back to ``pending`` with a later ``next_attempt_at``; a
permanent one (or too many attempts) ends ``failed``; a reminder that is no longer due
when its turn comes (the activity was completed, the process suspended ...) ends
``cancelled``. ``recipient`` is personal data (see ``PRIVATE_FIELDS``). The email itself is
rendered when it is sent, from the records as they are then, so a row holds no copy of them.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from stages.errors import ConfigError

from .types import UTCDateTime

STATUSES = ("pending", "claimed", "sent", "failed", "cancelled")


def _utc(**kw: Any) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), **kw))


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_claim", "status", "next_attempt_at"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    key: str = Field(unique=True, index=True, max_length=200)
    process_id: int = Field(foreign_key="process.id", index=True)
    kind: str
    person_id: Optional[int] = Field(default=None, foreign_key="person.id")  # a reminder's recipient
    contact_id: Optional[int] = Field(default=None, foreign_key="citizen_contact.id")  # or a citizen's
    recipient: str
    lang: str = "es"
    subject: str = ""  # what it is about, e.g. "a1: Publicar tabuladores" (not the email's subject line)
    due_at: Optional[dt.datetime] = _utc(nullable=False)
    status: str = "pending"
    attempts: int = 0
    next_attempt_at: Optional[dt.datetime] = _utc(nullable=False)
    lease_until: Optional[dt.datetime] = _utc()
    claimed_by: Optional[str] = None
    last_error: Optional[str] = Field(default=None, sa_column=Column(Text))
    created_at: Optional[dt.datetime] = _utc(nullable=False)
    sent_at: Optional[dt.datetime] = _utc()


def insert_stmt(dialect: str):
    """``INSERT ... ON CONFLICT (key) DO NOTHING`` into the outbox, for SQLite or PostgreSQL:
    a message planned again (a reminder, a citizen's email) is stored once."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - cocrea supports SQLite and PostgreSQL
        raise ConfigError(f"the outbox needs SQLite or PostgreSQL, not {dialect}")
    return insert(OutboxMessage.__table__).on_conflict_do_nothing(index_elements=["key"])
