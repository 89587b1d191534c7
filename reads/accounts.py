"""Who is signed in, and the bookkeeping of signing in.

Reads (give them the read engine: on SQLite its transactions never take the write lock):
:func:`authenticate` (a password), :func:`token_identity` (an API token), :func:`session`
(a signed-in browser), :func:`account_view`. A password is checked *after* the row is read
and the transaction closed: argon2 never runs inside a transaction.

Bookkeeping (sessions, sign-in limits, known browsers: ``storage.accounts``) is not a fact of
the process and is not audited. It is written here, each change in its own short transaction
on the write engine, with nothing slow inside:

- :func:`reserve` counts an attempt **before** its password is checked, atomically against
  every key it names (``BEGIN IMMEDIATE`` on SQLite, ``SELECT ... FOR UPDATE`` on PostgreSQL),
  so parallel guesses in any number of web processes cannot check more passwords than the
  limit allows. A key that reached its free attempts waits an exponential backoff.
- :func:`start_session`, :func:`touch`, :func:`end_session`, :func:`end_sessions_of`, the flash.
- :func:`remember_device`, :func:`device_owner`.

Credentials themselves are written only by the ``set_credentials`` action.

Why one module: it is the only reader and writer of ``storage.accounts``: the identity reads
and the bookkeeping (sessions, limits, known browsers) share the key checks and the short-
transaction rule above.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from storage import transaction
from storage.accounts import Account, AdminSession, InstanceAdmin, SignInDevice, SignInLimit, SignInSession
from storage.models import Person, Process
from workflow.credentials import TOKEN_PREFIX, password_matches, token_digest
from workflow.schemas import KEY_PATTERN

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


def digest(secret: str) -> str:
    """The SHA-256 a random secret (a session, a known browser) is kept as."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


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


def start_session(engine: Engine, identity: Identity, now: dt.datetime) -> str:
    """A new session for ``identity``; returns the cookie's value (only its digest is stored)."""
    value = secrets.token_urlsafe(32)
    with transaction(engine) as db:
        db.add(SignInSession(digest=digest(value), person_id=identity.person_id, csrf=secrets.token_urlsafe(32),
                             created_at=now, seen_at=now))
    return value


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


def touch(engine: Engine, sign_in: SignIn, now: dt.datetime) -> None:
    """Mark the session used now (the caller does it at most every few minutes)."""
    with transaction(engine) as db:
        db.exec(update(SignInSession).where(SignInSession.digest == sign_in.digest).values(seen_at=now))


def end_session(engine: Engine, value: str) -> None:
    with transaction(engine) as db:
        db.exec(delete(SignInSession).where(SignInSession.digest == digest(value)))


def end_sessions_of(engine: Engine, person_id: int, keep: str | None = None) -> int:
    """End every session of a person, except the one whose digest is ``keep``; how many ended."""
    with transaction(engine) as db:
        q = delete(SignInSession).where(SignInSession.person_id == person_id)
        if keep:
            q = q.where(SignInSession.digest != keep)
        return db.exec(q).rowcount or 0


def end_every_session(engine: Engine) -> int:
    """End every sign-in session (after ``cocrea restore``: a sign-out made since the backup was
    taken must not be undone by it); how many ended."""
    with transaction(engine) as db:
        return db.exec(delete(SignInSession)).rowcount or 0


def set_flash(engine: Engine, sign_in_digest: str, text: str | None) -> None:
    with transaction(engine) as db:
        db.exec(update(SignInSession).where(SignInSession.digest == sign_in_digest).values(flash=text))


def forget_old(engine: Engine, now: dt.datetime, idle: dt.timedelta, lifetime: dt.timedelta,
               forget_after: dt.timedelta, device_days: dt.timedelta) -> None:
    """Delete ended sessions, counts nobody needs any more, and expired known browsers."""
    with transaction(engine) as db:
        db.exec(delete(SignInSession).where((SignInSession.seen_at < now - idle)
                                            | (SignInSession.created_at < now - lifetime)))
        db.exec(delete(SignInLimit).where(SignInLimit.updated_at < now - forget_after,
                                          (SignInLimit.blocked_until.is_(None)) | (SignInLimit.blocked_until < now)))
        db.exec(delete(SignInDevice).where(SignInDevice.created_at < now - device_days))


# --- known browsers ---------------------------------------------------------------------------


def remember_device(engine: Engine, person_id: int, now: dt.datetime) -> str:
    value = secrets.token_urlsafe(32)
    with transaction(engine) as db:
        db.add(SignInDevice(digest=digest(value), person_id=person_id, created_at=now))
    return value


def device_owner(read_engine: Engine, value: str, now: dt.datetime, device_days: dt.timedelta) -> int | None:
    """The person a known browser's cookie was given to, while it is valid."""
    if not value or len(value) > 200:
        return None
    with Session(read_engine) as db:
        d = db.exec(select(SignInDevice).where(SignInDevice.digest == digest(value))).first()
    return d.person_id if d and now < d.created_at + device_days else None


# --- sign-in limits ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    """``free`` failed attempts, then a wait that doubles with each further failure, from
    ``first_wait`` up to ``longest_wait``; the count is forgotten after ``forget_after`` quiet."""

    free: int
    first_wait: dt.timedelta
    longest_wait: dt.timedelta
    forget_after: dt.timedelta = dt.timedelta(days=1)

    def wait(self, failures: int) -> dt.timedelta | None:
        if failures < self.free:
            return None
        return min(self.first_wait * (2 ** min(failures - self.free, 30)), self.longest_wait)


def account_key(slug: str, handle: str) -> str:
    if _KEY.match(slug or "") and _KEY.match(handle or ""):
        return f"account:{slug}/{handle}"
    return "account:?" + hashlib.sha256(f"{slug}/{handle}".encode("utf-8", "surrogatepass")).hexdigest()[:40]


def _insert_missing(db: Session, keys: Iterable[str], now: dt.datetime) -> None:
    dialect = db.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    rows = [{"key": k, "failures": 0, "updated_at": now} for k in keys]
    db.exec(insert(SignInLimit).values(rows).on_conflict_do_nothing(index_elements=["key"]))


def _rows(db: Session, keys: dict[str, Limit], now: dt.datetime) -> dict[str, SignInLimit]:
    _insert_missing(db, sorted(keys), now)
    rows = {r.key: r for r in db.exec(select(SignInLimit).where(SignInLimit.key.in_(sorted(keys)))
                                      .order_by(SignInLimit.key).with_for_update())}
    for key, limit in keys.items():
        r = rows[key]
        if r.failures and r.updated_at + limit.forget_after < now and not (r.blocked_until and r.blocked_until > now):
            r.failures, r.blocked_until = 0, None
    return rows


def reserve(engine: Engine, keys: dict[str, Limit], now: dt.datetime) -> float:
    """Count one attempt against every key, before its password is checked. Returns the seconds
    to wait when a key is still waiting (nothing is counted then), else 0."""
    with transaction(engine) as db:
        rows = _rows(db, keys, now)
        waits = [(r.blocked_until - now).total_seconds() for r in rows.values()
                 if r.blocked_until is not None and r.blocked_until > now]
        if waits:
            return max(waits)
        for key, limit in keys.items():
            r = rows[key]
            r.failures += 1
            r.updated_at = now
            wait = limit.wait(r.failures)
            r.blocked_until = now + wait if wait else None
            db.add(r)
    return 0.0


def release(engine: Engine, clear: Iterable[str], give_back: dict[str, Limit], now: dt.datetime) -> None:
    """After a right password: the keys of ``clear`` (the account, the browser) start again from
    zero; each key of ``give_back`` (the address) has the attempt taken back."""
    clear = set(clear)
    with transaction(engine) as db:
        rows = _rows(db, {**{k: Limit(1, dt.timedelta(0), dt.timedelta(0)) for k in clear}, **give_back}, now)
        for key, r in rows.items():
            if key in clear:
                r.failures, r.blocked_until = 0, None
            else:
                r.failures = max(0, r.failures - 1)
                if give_back[key].wait(r.failures) is None:
                    r.blocked_until = None
            r.updated_at = now
            db.add(r)


# --- administrators of the instance --------------------------------------------------------------


@dataclass(frozen=True)
class Admin:
    """A signed-in administrator of the instance."""

    id: int
    handle: str
    name: str


def create_admin(engine: Engine, handle: str, name: str, password: str, now: dt.datetime) -> Admin:
    """Add an administrator, or give an existing one a new name and password (``cocrea admin
    create``: typed by the administrator themself; nobody sets another person's password on the
    web). Hashed before the transaction opens."""
    from pydantic import TypeAdapter, ValidationError

    from stages.errors import InvalidInput, invalid_field
    from workflow.credentials import hash_password
    from workflow.schemas import Password, validation_reasons

    if not _KEY.match(handle or ""):
        raise invalid_field("handle", "bad_format")
    try:
        TypeAdapter(Password).validate_python(password)
    except ValidationError as exc:
        raise InvalidInput(validation_reasons([{**e, "loc": ("password",)} for e in exc.errors()])) from None
    hashed = hash_password(password)
    with transaction(engine) as db:
        row = db.exec(select(InstanceAdmin).where(InstanceAdmin.handle == handle)).first()
        if row is None:
            row = InstanceAdmin(handle=handle, name=name or handle, password_hash=hashed, created_at=now)
        else:
            row.name, row.password_hash = name or row.name, hashed
            db.exec(delete(AdminSession).where(AdminSession.admin_id == row.id))
        db.add(row)
        db.flush()
        return Admin(row.id, row.handle, row.name)


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


def admin_start_session(engine: Engine, admin: Admin, now: dt.datetime) -> str:
    value = secrets.token_urlsafe(32)
    with transaction(engine) as db:
        db.add(AdminSession(digest=digest(value), admin_id=admin.id, created_at=now, seen_at=now))
    return value


def admin_session(engine: Engine, value: str, now: dt.datetime, idle: dt.timedelta,
                  lifetime: dt.timedelta) -> Admin | None:
    """The administrator of a cookie's value while its session is open (used now: ``seen_at`` moves)."""
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
    with transaction(engine) as db:
        db.exec(update(AdminSession).where(AdminSession.digest == s.digest).values(seen_at=now))
    return Admin(a.id, a.handle, a.name)


def admin_end_session(engine: Engine, value: str) -> None:
    with transaction(engine) as db:
        db.exec(delete(AdminSession).where(AdminSession.digest == digest(value)))
