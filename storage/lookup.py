"""The one lookup of a process by its slug (reads use it as is; actions lock the row)."""
from __future__ import annotations

from sqlmodel import Session, select

from stages.errors import not_found

from .models import Process


def process_by_slug(db: Session, slug: str, *, for_update: bool = False) -> Process:
    """The process ``slug``, or :class:`~stages.errors.NotFound`. ``for_update`` locks its row
    (PostgreSQL ``FOR UPDATE``; a SQLite write transaction already holds the lock)."""
    stmt = select(Process).where(Process.slug == slug)
    if for_update and db.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    process = db.exec(stmt).first()
    if process is None:
        raise not_found("process", slug)
    return process
