"""Who is signed in: the reads of signing in.

Give them the read engine (on SQLite its transactions never take the write lock):
:func:`authenticate` (a password), :func:`token_identity` (an API token), :func:`session`
(a signed-in browser), :func:`device_owner` (a known browser), :func:`account_view`, and
:func:`admin_authenticate`, :func:`admin_session` for the administrators of the instance. A
password is checked *after* the row is read and the transaction closed: argon2 never runs
inside a transaction.

Nothing here writes: credentials are written by the ``set_credentials`` action, the bookkeeping
of signing in (sessions, limits, known browsers, the instance's administrators) by
:mod:`workflow.signin`.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from storage.accounts import Account, AdminSession, InstanceAdmin, SignInDevice, SignInSession
from storage.models import Person, Process
from workflow.credentials import TOKEN_PREFIX, password_matches, token_digest
from workflow.schemas import KEY_PATTERN
from workflow.signin import digest

_KEY = re.compile(KEY_PATTERN)


@dataclass(frozen=True)
class Identity:
    """Who is signed in: a person of one process."""

    process: str
    person_id: int
    handle: str
    name: str
    role: str
    sector: str | None
    agency_id: int | None

    @property
    def key(self) -> tuple[str, str]:
        return (self.process, self.handle)


def _identity(process: Process, person: Person) -> Identity:
    return Identity(process.slug, person.id, person.handle, person.name, person.role, person.sector,
                    person.agency_id)


def _person(db: Session, slug: str, handle: str):
    if not (_KEY.match(slug or "") and _KEY.match(handle or "")):
        return None
    return db.exec(select(Process, Person).join(Person, Person.process_id == Process.id)
                   .where(Process.slug == slug, Person.handle == handle)).first()


# --- passwords and tokens ------------------------------------------------------------------


def person_id_of(read_engine: Engine, slug: str, handle: str) -> int | None:
    with Session(read_engine) as db:
        row = _person(db, slug, handle)
        return row[1].id if row and row[1].active else None


def authenticate(read_engine: Engine, slug: str, handle: str, password: str) -> Identity | None:
    """The identity when the password matches an active person's; else ``None``. The row is
    read first and the transaction closed: the (slow) check runs outside it."""
    with Session(read_engine) as db:
        row = _person(db, slug, handle)
        identity, hashed = None, None
        if row and row[1].active:
            identity = _identity(*row)
            account = db.exec(select(Account).where(Account.person_id == row[1].id)).first()
            hashed = account.password_hash if account else None
    if not password_matches(hashed, password) or identity is None:
        return None
    return identity


def token_identity(read_engine: Engine, token: str, now: dt.datetime | None = None,
                   valid: dt.timedelta | None = None) -> tuple[Identity | None, str | None]:
    """(identity, problem) for an API token: ``token_invalid`` (unknown, revoked, of someone who
    left) or ``token_expired`` (older than ``valid`` at ``now``)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None, "token_invalid"
    with Session(read_engine) as db:
        row = db.exec(select(Process, Person, Account).join(Person, Person.process_id == Process.id)
                      .join(Account, Account.person_id == Person.id)
                      .where(Account.api_token_hash == token_digest(token))).first()
    if row is None or not row[1].active:
        return None, "token_invalid"
    made = row[2].api_token_created_at
    if now is not None and valid is not None and (made is None or now >= made + valid):
        return None, "token_expired"
    return _identity(row[0], row[1]), None


@dataclass(frozen=True)
class AccountView:
    """What the account page shows (no secret, no hash)."""

    has_password: bool
    token_made_at: dt.datetime | None


def account_view(read_engine: Engine, person_id: int) -> AccountView:
    with Session(read_engine) as db:
        a = db.exec(select(Account).where(Account.person_id == person_id)).first()
    if a is None:
        return AccountView(False, None)
    return AccountView(a.password_hash is not None, a.api_token_created_at if a.api_token_hash else None)


# --- sessions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    """A signed-in browser: who, its CSRF token, when it was last seen, what to say once."""

    identity: Identity
    digest: str
    csrf: str
    created_at: dt.datetime
    seen_at: dt.datetime
    flash: str | None


def session(read_engine: Engine, value: str, now: dt.datetime, idle: dt.timedelta,
            lifetime: dt.timedelta) -> SignIn | None:
    """The session of a cookie's value, if it is still open: not ended, used within ``idle``,
    younger than ``lifetime``, of a person still in the process."""
    if not value or len(value) > 200:
        return None
    with Session(read_engine) as db:
        row = db.exec(select(SignInSession, Person, Process).join(Person, Person.id == SignInSession.person_id)
                      .join(Process, Process.id == Person.process_id)
                      .where(SignInSession.digest == digest(value))).first()
    if row is None:
        return None
    s, person, process = row
    if not person.active or now >= s.seen_at + idle or now >= s.created_at + lifetime:
        return None
    return SignIn(_identity(process, person), s.digest, s.csrf, s.created_at, s.seen_at, s.flash)


# --- known browsers ---------------------------------------------------------------------------


def device_owner(read_engine: Engine, value: str, now: dt.datetime, device_days: dt.timedelta) -> int | None:
    """The person a known browser's cookie was given to, while it is valid."""
    if not value or len(value) > 200:
        return None
    with Session(read_engine) as db:
        d = db.exec(select(SignInDevice).where(SignInDevice.digest == digest(value))).first()
    return d.person_id if d and now < d.created_at + device_days else None

# --- administrators of the instance --------------------------------------------------------------


@dataclass(frozen=True)
class Admin:
    """A signed-in administrator of the instance."""

    id: int
    handle: str
    name: str


def admin_authenticate(read_engine: Engine, handle: str, password: str) -> Admin | None:
    """The administrator whose password this is (argon2 outside the transaction; a miss costs the same)."""
    if not _KEY.match(handle or "") or len(password) > 1000:
        password_matches(None, password[:1000])
        return None
    with Session(read_engine) as db:
        row = db.exec(select(InstanceAdmin).where(InstanceAdmin.handle == handle)).first()
        found = (row.id, row.handle, row.name, row.password_hash) if row else None
    if not password_matches(found[3] if found else None, password):
        return None
    return Admin(*found[:3])


def admin_session(engine: Engine, value: str, now: dt.datetime, idle: dt.timedelta,
                  lifetime: dt.timedelta) -> Admin | None:
    """The administrator of a cookie's value while its session is open (the caller marks it used:
    ``workflow.signin.admin_touch``)."""
    if not value or len(value) > 200:
        return None
    with Session(engine) as db:
        row = db.exec(select(AdminSession, InstanceAdmin).join(InstanceAdmin, InstanceAdmin.id == AdminSession.admin_id)
                      .where(AdminSession.digest == digest(value))).first()
    if row is None:
        return None
    s, a = row
    if now >= s.seen_at + idle or now >= s.created_at + lifetime:
        return None
    return Admin(a.id, a.handle, a.name)
