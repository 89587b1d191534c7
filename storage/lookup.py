"""The one lookup of a process by its slug (reads use it as is; actions lock the row)."""
from __future__ import annotations

from sqlalchemy import bindparam
from sqlmodel import Session, select

from stages.errors import not_found

from .direct import Loaded
from .models import Person, Process

#: Built once: SQLAlchemy then reuses their compiled form and cache key on every action
#: (building the statement anew cost more than running it on SQLite).
_BY_SLUG = select(Process).where(Process.slug == bindparam("slug"))
_BY_SLUG_LOCKED = _BY_SLUG.with_for_update()
_WITH_PERSON = (select(Process, Person).outerjoin(Person, (Person.process_id == Process.id)
                                                  & (Person.handle == bindparam("handle")))
                .where(Process.slug == bindparam("slug")))


def process_by_slug(db: Session, slug: str, *, for_update: bool = False) -> Process:
    """The process ``slug``, or :class:`~stages.errors.NotFound`. ``for_update`` locks its row
    (PostgreSQL ``FOR UPDATE``; a SQLite write transaction already holds the lock)."""
    stmt = _BY_SLUG_LOCKED if for_update and db.get_bind().dialect.name != "sqlite" else _BY_SLUG
    process = db.exec(stmt, params={"slug": slug}).first()
    if process is None:
        raise not_found("process", slug)
    return process


def _process_and_person(dialect: str, mark: str) -> str:
    return (f"SELECT {Loaded.columns(Process, 'p')}, {Loaded.columns(Person, 'q')} FROM process p "
            f"LEFT OUTER JOIN person q ON q.process_id = p.id AND q.handle = {mark} WHERE p.slug = {mark}"
            + ("" if dialect == "sqlite" else " FOR UPDATE OF p"))


#: Read through the driver (``storage.direct.Loaded``): an action's first read, on every action.
#: On SQLite the write transaction already holds the lock; elsewhere the process's row is locked.
_LOCKED = Loaded((Process, Person), _process_and_person, plain=(Person,))


def process_and_person(db: Session, slug: str, handle: str, *, for_update: bool = False) -> tuple[Process, Person | None]:
    """:func:`process_by_slug` and, in the same statement, its person ``handle`` (``None``: none
    has it): an action's first read, one round trip instead of two. ``for_update`` locks the
    process's row only, and gives the person as a plain row of its columns (the actor: read to
    check who acts, never changed through it; the read without the lock goes through the ORM)."""
    if for_update:
        found = _LOCKED.first(db, (handle, slug))
    else:
        found = db.exec(_WITH_PERSON, params={"slug": slug, "handle": handle}).first()
    if found is None:
        raise not_found("process", slug)
    return found[0], found[1]
