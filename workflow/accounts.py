"""Credentials for signing in (web) and API tokens: the action that sets them, and the reads
that check them. Secrets are hashed here and only here.

- Passwords: argon2id (argon2-cffi, its default RFC 9106 low-memory profile).
- API tokens: ``secrets.token_urlsafe(32)`` made by the caller, stored as SHA-256 (a random
  256-bit token needs no slow hash, and the digest is looked up by index).

A person sets their own credentials; a coordinator may set anyone's in the process. The
audit trail records that it happened, never the secret (``audit.PRIVATE_KEYS``).
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from storage.accounts import Account
from storage.models import Person, Process

from . import schemas as s
from .engine import Context
from .errors import InvalidInput, NotAllowed, not_found, reason

_HASHER = PasswordHasher()
#: Verified against when the handle has no password, so a miss costs the same time as a hit.
_DUMMY = _HASHER.hash(secrets.token_urlsafe(16))
TOKEN_PREFIX = "cct_"


def new_token() -> str:
    """A fresh API token (shown once to its owner; only its hash is kept)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def set_credentials(ctx: Context, d: s.SetCredentials):
    """Set a person's sign-in password and/or API token (stored hashed; own, or anyone's for a coordinator)."""
    if ctx.actor.role != "coordinator" and ctx.actor.handle != d.handle:
        raise NotAllowed([reason("credentials_only_own", actor=ctx.actor.handle, handle=d.handle)])
    if not (d.password or d.api_token or d.revoke_token):
        raise InvalidInput([reason("credentials_nothing_to_set")])
    person = ctx.db.exec(select(Person).where(Person.process_id == ctx.process.id, Person.handle == d.handle)).first()
    if person is None or not person.active:
        raise not_found("persona", d.handle)
    account = ctx.db.exec(select(Account).where(Account.person_id == person.id)).first()
    if account is None:
        account = Account(person_id=person.id)
    if d.password:
        account.password_hash = _HASHER.hash(d.password)
    if d.revoke_token:
        account.api_token_hash = None
    if d.api_token:
        account.api_token_hash = token_digest(d.api_token)
    account.updated_at = ctx.now
    ctx.db.add(account)
    return {"person": d.handle, "password_set": bool(d.password), "api_token_set": bool(d.api_token),
            "api_token_revoked": bool(d.revoke_token and not d.api_token)}


# --- reads -----------------------------------------------------------------------------


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
        try:
            _HASHER.verify(hashed or _DUMMY, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if hashed is None:
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
