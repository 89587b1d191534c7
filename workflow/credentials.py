"""Secrets, made and hashed here and only here: passwords (argon2id), API tokens and one-time
access codes (SHA-256).

- Passwords: argon2id (argon2-cffi, its default RFC 9106 low-memory profile). Hashing and
  verifying take tens of milliseconds of CPU: callers do it outside any transaction (the
  ``set_credentials`` schema hashes while it validates, before the engine opens one).
- API tokens: ``secrets.token_urlsafe(32)`` (256 bits), made only by the server, stored as
  SHA-256 (a random token needs no slow hash, and the digest is looked up by index).
- Access codes: 16 characters of Crockford's base32 (80 bits) in groups of four, easy to read
  aloud and type; stored as SHA-256, valid once and for :data:`ACCESS_CODE_VALID`.

A secret an action makes is never part of its result (the result is what the audit trail
keeps and the API answers). The action hands it to :func:`issue`; the caller that asked for it
collects it with :func:`collecting` and shows or sends it once. Outside ``collecting`` (a
replay of the trail, a script) the secret is dropped and only its hash remains.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Iterator

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher()
TOKEN_PREFIX = "cct_"
#: A one-time access code is valid this long after a coordinator resets someone's access.
ACCESS_CODE_VALID = dt.timedelta(hours=24)
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
_CODE_READS_AS = {"I": "1", "L": "1", "O": "0"}


@functools.cache
def _dummy() -> str:
    """Verified against when the handle has no password, so a miss costs the same time as a hit
    (made on first use, not at import: it costs a full argon2 hash)."""
    return _HASHER.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def password_matches(hashed: str | None, password: str) -> bool:
    """Whether ``password`` matches ``hashed``; takes an argon2 verification's time even without a hash."""
    try:
        _HASHER.verify(hashed or _dummy(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return hashed is not None


def new_token() -> str:
    """A fresh API token (shown once to its owner; only its hash is kept)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_access_code() -> str:
    """A fresh one-time access code, e.g. ``7KQ2-M9XD-40TN-ZC3B``."""
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def normal_code(code: str) -> str:
    """A code as typed (spaces, dashes, lower case, O for 0...) in the form it was made in."""
    raw = "".join(_CODE_READS_AS.get(ch, ch) for ch in code.upper() if ch.isalnum())
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def code_digest(code: str) -> str:
    return hashlib.sha256(("code:" + normal_code(code)).encode("utf-8")).hexdigest()


# --- secrets an action made, for its caller to hand over once ----------------------------


@dataclass(frozen=True)
class Issued:
    """A secret an action made. ``email``: the owner's address when the secret must go there
    and nowhere else (an access code); ``None``: it is for the actor to see once (their own
    token, or a code to hand over in person)."""

    kind: str  # "api_token" | "access_code"
    process: str
    handle: str
    name: str
    value: str
    made_at: dt.datetime
    expires_at: dt.datetime | None = None  # a token's lifetime is a setting of the web app
    email: str | None = None
    lang: str = "es"


_ISSUED: ContextVar[list[Issued] | None] = ContextVar("cocrea_issued", default=None)


@contextmanager
def collecting() -> Iterator[list[Issued]]:
    """Collect the secrets the actions applied inside the block make (in this thread or task)."""
    bucket: list[Issued] = []
    token = _ISSUED.set(bucket)
    try:
        yield bucket
    finally:
        _ISSUED.reset(token)


def issue(item: Issued) -> None:
    bucket = _ISSUED.get()
    if bucket is not None:
        bucket.append(item)
