"""Who is asking: the signed sign-in cookie, CSRF tokens, the sign-in rate limit, API tokens.

- The session cookie is Starlette's ``SessionMiddleware``: the data is signed with
  itsdangerous (HMAC, timestamped, expires after ``SESSION_MAX_AGE``), sent ``HttpOnly`` and
  ``SameSite=Lax`` (``Secure`` when served over HTTPS). It carries the process, the handle and
  a stamp of the person's credentials; each request re-reads the person, so a removed person
  or a changed password ends every open sign-in at once.
- CSRF: a random token bound to the session, put in every form and compared in constant
  time on every POST (sign-in included). The session is renewed on sign-in.
- Sign-in rate limit: failed attempts are counted **in this server process's memory**
  (a sliding window per client address and handle, and per address); with several server
  processes each keeps its own count, and a restart forgets them. Good enough for one
  ``cocrea serve``; a deployment behind several workers should limit at its proxy too.
"""
from __future__ import annotations

import secrets
import threading
import time
from collections import defaultdict, deque
from typing import Callable

from fastapi import Request
from sqlalchemy.engine import Engine

from reads import accounts

SESSION_COOKIE = "cocrea_session"
SESSION_MAX_AGE = 12 * 3600


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def csrf_ok(request: Request, submitted: str | None) -> bool:
    expected = request.session.get("csrf")
    return bool(expected and submitted and secrets.compare_digest(str(expected), str(submitted)))


def sign_in(request: Request, identity: accounts.Identity) -> None:
    """Start a new session (never reuse the anonymous one) for this identity."""
    request.session.clear()
    request.session.update({"process": identity.process, "handle": identity.handle, "stamp": identity.stamp,
                            "csrf": secrets.token_urlsafe(32)})


def sign_out(request: Request) -> None:
    request.session.clear()


def current(request: Request, engine: Engine) -> accounts.Identity | None:
    s = request.session
    if not (s.get("process") and s.get("handle") and s.get("stamp")):
        return None
    identity = accounts.current(engine, s["process"], s["handle"], s["stamp"])
    if identity is None:
        s.pop("process", None), s.pop("handle", None), s.pop("stamp", None)
    return identity


def bearer(request: Request, engine: Engine) -> tuple[accounts.Identity | None, str | None]:
    """(identity, problem code) from ``Authorization: Bearer <token>``."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None, "token_missing"
    identity = accounts.by_token(engine, token.strip())
    return (identity, None) if identity else (None, "token_invalid")


class RateLimiter:
    """Failed sign-ins in a sliding window, in memory (see the module docstring)."""

    def __init__(self, per_handle: int = 5, per_address: int = 20, window: float = 15 * 60,
                 clock: Callable[[], float] = time.monotonic):
        self.per_handle, self.per_address, self.window, self.clock = per_handle, per_address, window, clock
        self._fails: dict[tuple, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: tuple) -> deque:
        q, now = self._fails[key], self.clock()
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def blocked(self, address: str, handle: str) -> float:
        """Seconds to wait before trying again (0: may try now)."""
        with self._lock:
            waits = []
            for key, limit in (((address, handle), self.per_handle), ((address,), self.per_address)):
                q = self._recent(key)
                if len(q) >= limit:
                    waits.append(self.window - (self.clock() - q[0]))
            return max(waits, default=0.0)

    def failed(self, address: str, handle: str) -> None:
        with self._lock:
            now = self.clock()
            self._recent((address, handle)).append(now)
            self._recent((address,)).append(now)

    def succeeded(self, address: str, handle: str) -> None:
        with self._lock:
            self._fails.pop((address, handle), None)
