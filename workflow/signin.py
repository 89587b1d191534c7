"""The bookkeeping of signing in, written outside the audit trail: not facts of a process.

Credentials of the people of a process are written only by the ``set_credentials`` action
(``workflow.actions.accounts``). Everything else about signing in is written here, each change
in its own short transaction on the write engine, with nothing slow inside; the reads (who is
signed in, a password or a token checked) are :mod:`reads.accounts`:

- :func:`reserve` counts an attempt **before** its password is checked, atomically against
  every key it names (``BEGIN IMMEDIATE`` on SQLite, ``SELECT ... FOR UPDATE`` on PostgreSQL),
  so parallel guesses in any number of web processes cannot check more passwords than the
  limit allows. A key that reached its free attempts waits an exponential backoff
  (:class:`Limit`); :func:`release` after a right password.
- sessions: :func:`start_session`, :func:`touch`, :func:`end_session`, :func:`end_sessions_of`,
  :func:`end_every_session`, the flash, :func:`forget_old`; known browsers:
  :func:`remember_device`.
- the administrators of the instance (``cocrea admin create``), who belong to no process and so
  to no trail: :func:`create_admin` (their password typed by themselves, hashed before the
  transaction opens) and their sessions.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Iterable

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from stages.errors import InvalidInput, invalid_field
from storage import transaction
from storage.accounts import AdminSession, InstanceAdmin, SignInDevice, SignInLimit, SignInSession

from .credentials import hash_password
from .schemas import KEY_PATTERN, Password, validation_reasons

_KEY = re.compile(KEY_PATTERN)


def digest(secret: str) -> str:
    """The SHA-256 a random secret (a session, a known browser) is kept as."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


# --- sessions ----------------------------------------------------------------------------------


def start_session(engine: Engine, person_id: int, now: dt.datetime) -> str:
    """A new session for the person; returns the cookie's value (only its digest is stored)."""
    value = secrets.token_urlsafe(32)
    with transaction(engine) as db:
        db.add(SignInSession(digest=digest(value), person_id=person_id, csrf=secrets.token_urlsafe(32),
                             created_at=now, seen_at=now))
    return value


def touch(engine: Engine, sign_in_digest: str, now: dt.datetime) -> None:
    """Mark the session used now (the caller does it at most every few minutes)."""
    with transaction(engine) as db:
        db.exec(update(SignInSession).where(SignInSession.digest == sign_in_digest).values(seen_at=now))


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


def create_admin(engine: Engine, handle: str, name: str, password: str, now: dt.datetime) -> None:
    """Add an administrator, or give an existing one a new name and password (``cocrea admin
    create``: typed by the administrator themself; nobody sets another person's password on the
    web). Hashed before the transaction opens."""
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


def admin_start_session(engine: Engine, admin_id: int, now: dt.datetime) -> str:
    value = secrets.token_urlsafe(32)
    with transaction(engine) as db:
        db.add(AdminSession(digest=digest(value), admin_id=admin_id, created_at=now, seen_at=now))
    return value


def admin_touch(engine: Engine, value: str, now: dt.datetime) -> None:
    """Mark an administrator's session used now."""
    with transaction(engine) as db:
        db.exec(update(AdminSession).where(AdminSession.digest == digest(value)).values(seen_at=now))


def admin_end_session(engine: Engine, value: str) -> None:
    with transaction(engine) as db:
        db.exec(delete(AdminSession).where(AdminSession.digest == digest(value)))
