"""Who is signed in: checking a password or an API token, and re-reading a signed-in identity.

Secrets are compared through :mod:`workflow.credentials`; nothing here writes.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from storage.accounts import Account
from storage.models import Person, Process
from workflow.credentials import TOKEN_PREFIX, password_matches, token_digest


@dataclass(frozen=True)
class Identity:
    """Who is signed in: a person of one process, and a stamp of their current credentials."""

    process: str
    person_id: int
    handle: str
    name: str
    role: str
    sector: str | None
    agency_id: int | None
    stamp: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.process, self.handle)


def _stamp(account: Account) -> str:
    """Changes whenever the password or token changes: old sign-ins end with it."""
    basis = f"{account.password_hash}|{account.api_token_hash}"
    return hashlib.sha256(basis.encode()).hexdigest()[:16]


def _identity(process: Process, person: Person, account: Account) -> Identity:
    return Identity(process.slug, person.id, person.handle, person.name, person.role, person.sector,
                    person.agency_id, _stamp(account))


def _row(db: Session, slug: str, handle: str):
    return db.exec(select(Process, Person, Account).join(Person, Person.process_id == Process.id)
                   .join(Account, Account.person_id == Person.id, isouter=True)
                   .where(Process.slug == slug, Person.handle == handle)).first()


def authenticate(db_engine: Engine, slug: str, handle: str, password: str) -> Identity | None:
    """The identity when the password matches an active person's; else ``None``."""
    with Session(db_engine) as db:
        row = _row(db, slug, handle)
        hashed = row[2].password_hash if row and row[2] and row[1].active else None
        if not password_matches(hashed, password):
            return None
        return _identity(*row)


def by_token(db_engine: Engine, token: str) -> Identity | None:
    """The identity owning this API token, if it is an active person's."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    with Session(db_engine) as db:
        row = db.exec(select(Process, Person, Account).join(Person, Person.process_id == Process.id)
                      .join(Account, Account.person_id == Person.id)
                      .where(Account.api_token_hash == token_digest(token))).first()
        if row is None or not row[1].active:
            return None
        return _identity(*row)


def current(db_engine: Engine, slug: str, handle: str, stamp: str) -> Identity | None:
    """Re-read a signed-in identity; ``None`` if the person left or their credentials changed."""
    with Session(db_engine) as db:
        row = _row(db, slug, handle)
        if row is None or row[2] is None or not row[1].active:
            return None
        identity = _identity(*row)
        return identity if secrets.compare_digest(identity.stamp, stamp) else None


def current_stamp(db_engine: Engine, slug: str, handle: str) -> str | None:
    """The stamp of a person's credentials now (to renew one's own sign-in after changing them)."""
    with Session(db_engine) as db:
        row = _row(db, slug, handle)
        return _stamp(row[2]) if row and row[2] else None
