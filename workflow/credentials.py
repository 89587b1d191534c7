"""Secrets, hashed here and only here: passwords (argon2id) and API tokens (SHA-256).

- Passwords: argon2id (argon2-cffi, its default RFC 9106 low-memory profile).
- API tokens: ``secrets.token_urlsafe(32)``, stored as SHA-256 (a random 256-bit token needs no
  slow hash, and the digest is looked up by index).
"""
from __future__ import annotations

import functools
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher()
TOKEN_PREFIX = "cct_"


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
