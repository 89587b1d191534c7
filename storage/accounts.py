"""Sign-in credentials of the people of a process, and the bookkeeping of signing in.

Credentials (:class:`Account`) hold hashes only, never a secret in clear: ``password_hash`` is
an argon2id hash (argon2-cffi); ``api_token_hash`` and ``reset_code_hash`` are SHA-256 of
random values of 256 and 80 bits (high entropy, so a fast hash is enough and allows an
indexed lookup). They are written only by the ``set_credentials`` action
(``workflow.actions.accounts``), which the audit trail records without the secrets.

The bookkeeping of signing in is not a fact of the process and is not audited; the web layer
writes it through :mod:`workflow.signin`, each change in its own short transaction:

- :class:`SignInSession`: one row per signed-in browser; the cookie holds a random value and
  the row its SHA-256, so a copy of the database signs nobody in. Deleting the row ends the
  session (log-out, password change, reset, inactivity).
- :class:`SignInLimit`: failed sign-ins counted per key (an account, an address, a known
  browser), with the time before which the key may not try again (exponential backoff).
- :class:`SignInDevice`: browsers a person has signed in with before; their attempts are
  counted apart, so a stranger guessing the password does not lock the person out of them.
"""
# No ``from __future__ import annotations``: pydantic would evaluate every field's annotation from
# its text when the class is built; here they are objects already (branch boot: the schemas' import
# 40% shorter, the tables' 7%).
import datetime as dt
from typing import Any, Optional

from sqlalchemy import Column, LargeBinary, Text
from sqlmodel import Field

from .types import Table, UTCDateTime


def _utc(**kw: Any) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), **kw))


class Account(Table, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", unique=True, index=True)
    password_hash: Optional[str] = None
    api_token_hash: Optional[str] = Field(default=None, unique=True, index=True)
    #: When the token was made; it expires ``COCREA_TOKEN_DAYS`` later (a setting of the web app).
    api_token_created_at: Optional[dt.datetime] = _utc()
    #: A one-time code to choose a new password, after a coordinator reset the person's access.
    reset_code_hash: Optional[str] = None
    reset_expires_at: Optional[dt.datetime] = _utc()
    updated_at: Optional[dt.datetime] = Field(default=None, sa_column=Column(UTCDateTime(), nullable=False))


class SignInSession(Table, table=True):
    __tablename__ = "sign_in_session"
    id: Optional[int] = Field(default=None, primary_key=True)
    digest: str = Field(unique=True, index=True, max_length=64)  # SHA-256 of the cookie's value
    person_id: int = Field(foreign_key="person.id", index=True)
    csrf: str = Field(max_length=64)
    created_at: Optional[dt.datetime] = _utc(nullable=False)
    seen_at: Optional[dt.datetime] = _utc(nullable=False)
    #: What the last action did, shown once on the next page.
    flash: Optional[str] = Field(default=None, sa_column=Column(Text))


class SignInLimit(Table, table=True):
    __tablename__ = "sign_in_limit"
    key: str = Field(primary_key=True, max_length=200)  # "account:p/gob", "address:10.0.0.1", "device:<sha256>"
    failures: int = 0
    blocked_until: Optional[dt.datetime] = _utc()
    updated_at: Optional[dt.datetime] = _utc(nullable=False)


class SignInDevice(Table, table=True):
    __tablename__ = "sign_in_device"
    id: Optional[int] = Field(default=None, primary_key=True)
    digest: str = Field(unique=True, index=True, max_length=64)  # SHA-256 of the cookie's value
    person_id: int = Field(foreign_key="person.id", index=True)
    created_at: Optional[dt.datetime] = _utc(nullable=False)


class InstanceAdmin(Table, table=True):
    """An administrator of the instance: creates processes from the web (``cocrea admin create``).
    Not a person of any process; its password is hashed like theirs (argon2id)."""

    __tablename__ = "instance_admin"
    id: Optional[int] = Field(default=None, primary_key=True)
    handle: str = Field(unique=True, index=True, max_length=64)
    name: str
    password_hash: str
    created_at: Optional[dt.datetime] = _utc(nullable=False)


class AdminSession(Table, table=True):
    """A signed-in administrator's browser (the cookie holds random bits; only their digest is kept)."""

    __tablename__ = "admin_session"
    id: Optional[int] = Field(default=None, primary_key=True)
    digest: str = Field(unique=True, index=True, max_length=64)
    admin_id: int = Field(foreign_key="instance_admin.id", index=True)
    created_at: Optional[dt.datetime] = _utc(nullable=False)
    seen_at: Optional[dt.datetime] = _utc(nullable=False)


class EvidenceFile(Table, table=True):
    """A file given as evidence of progress, stored once by its SHA-256 (content-addressed, never
    changed). The fact that cites it (a progress report) goes through its action and the audit
    trail, with the file's address, which holds the hash; the file is served only once cited."""

    __tablename__ = "evidence_file"
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="process.id", index=True)
    sha256: str = Field(max_length=64, index=True)
    name: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_by: str = Field(max_length=64)
    uploaded_at: Optional[dt.datetime] = _utc(nullable=False)
