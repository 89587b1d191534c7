"""Sign-in credentials of the people of a process: hashes only, never a secret in clear.

``password_hash`` is an argon2id hash (argon2-cffi); ``api_token_hash`` is the SHA-256 of a
random 256-bit token (high entropy, so a fast hash is enough and allows an indexed lookup).
Both are written only by the ``set_credentials`` action (``workflow.actions.accounts``).
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from .types import UTCDateTime


class Account(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", unique=True, index=True)
    password_hash: Optional[str] = None
    api_token_hash: Optional[str] = Field(default=None, unique=True, index=True)
    updated_at: Optional[dt.datetime] = Field(default=None, sa_column=Column(UTCDateTime(), nullable=False))
