"""Time is data: an injectable clock, always timezone-aware UTC."""
from __future__ import annotations

import datetime as dt
from typing import Protocol

from .errors import Misuse

UTC = dt.timezone.utc


class Clock(Protocol):
    def now(self) -> dt.datetime: ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved; for tests, scripts and the demo."""

    def __init__(self, at: dt.datetime):
        if at.tzinfo is None:
            raise Misuse("FixedClock needs a timezone-aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> dt.datetime:
        return self._at

    def set(self, at: dt.datetime) -> None:
        self._at = at.astimezone(UTC)

    def advance(self, **delta: float) -> dt.datetime:
        self._at += dt.timedelta(**delta)
        return self._at
