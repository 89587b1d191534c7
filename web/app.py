"""The web application: public pages, the coordinators' workspace and the JSON API.

``create_app(engine)`` wires the three routers onto one FastAPI app. The app holds no
domain rule: every write is ``workflow.actions.apply``; every read is ``reads.public``,
``reads.workspace`` or ``reads.status``.
"""
from __future__ import annotations

import logging
import os
import secrets
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from reads import reader_engine
from stages.clock import Clock, SystemClock
from stages.errors import CocreaError, ConfigError, InvalidInput, NotFound
from workflow.schemas import validation_reasons

from . import api, public_pages, workspace_pages
from .auth import SESSION_COOKIE, SESSION_MAX_AGE, RateLimiter
from .context import error_status, lang_of, wants_json
from .i18n import web_reason
from .render import render

log = logging.getLogger("cocrea.web")
STATIC = Path(__file__).parent / "static"
#: Where the site is reached when neither ``public_url`` nor ``COCREA_PUBLIC_URL`` says (``cocrea serve``'s default).
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"

#: Sent with every response. No script runs on any page (the site works without JavaScript).
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
                                 b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


class SecurityHeaders:
    """A pure ASGI middleware (cheaper than ``BaseHTTPMiddleware``)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in SECURITY_HEADERS if k not in names]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class PageCache:
    """Rendered public pages keyed by (what, process, language, audit version).

    Every write appends an audit entry in its own transaction, so the last entry's hash
    changes with every change of the process: a stale page is never served.
    """

    def __init__(self, size: int = 64):
        self.size = size
        self._items: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.enabled = True

    def get_or_make(self, key: tuple, make: Callable[[], Any]) -> Any:
        if not self.enabled:
            return make()
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


def error_response(request: Request, exc: CocreaError, status: int | None = None) -> Any:
    lang = lang_of(request)
    status = status or error_status(exc)
    if wants_json(request):
        return JSONResponse(exc.as_dict(lang), status_code=status)
    return HTMLResponse(render("error.html", lang=lang, request_path=request.url.path, status=status,
                               reasons=[r.as_dict(lang) for r in exc.reasons], identity=None),
                        status_code=status)


def public_address(url: str) -> str:
    """The site's public address without a trailing slash; only an http(s) URL with a host."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(f"COCREA_PUBLIC_URL: an address like https://cocrea.example.org, not {url!r}")
    return url.rstrip("/")


def create_app(engine: Engine, *, secret_key: str | None = None, https_only: bool | None = None,
               limiter: RateLimiter | None = None, read_engine: Engine | None = None,
               clock: Clock | None = None, public_url: str | None = None) -> FastAPI:
    """The app for one database. ``read_engine`` (optional) serves the public reads; ``clock``
    (default: the system's) dates every action applied through the app; ``public_url``
    (default: ``COCREA_PUBLIC_URL``, else :data:`DEFAULT_PUBLIC_URL`) is the address the feeds
    link to, never the request's Host header."""
    secret_key = secret_key or os.environ.get("COCREA_SECRET_KEY")
    if not secret_key:
        secret_key = secrets.token_urlsafe(48)
        log.warning("COCREA_SECRET_KEY is not set: a random key is used, so sign-ins end when the server restarts")
    if https_only is None:
        https_only = os.environ.get("COCREA_HTTPS_ONLY", "") not in ("", "0", "false")
    app = FastAPI(title="cocrea", version="0.1.0", docs_url=None, redoc_url=None, openapi_url="/openapi.json",
                  description="Open Government co-creation processes: public reads and the actions of the "
                              "secretariat, with the same rules as the `cocrea` command.")
    app.state.engine = engine
    app.state.read_engine = read_engine or reader_engine(engine)
    app.state.clock = clock or SystemClock()
    public_url = public_url or os.environ.get("COCREA_PUBLIC_URL")
    if not public_url:
        public_url = DEFAULT_PUBLIC_URL
        log.warning("COCREA_PUBLIC_URL is not set: the Atom and iCalendar feeds link to %s", public_url)
    app.state.public_url = public_address(public_url)
    app.state.limiter = limiter or RateLimiter()
    app.state.cache = PageCache()

    app.add_middleware(SessionMiddleware, secret_key=secret_key, session_cookie=SESSION_COOKIE,
                       max_age=SESSION_MAX_AGE, same_site="lax", https_only=https_only)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    app.include_router(public_pages.router)
    app.include_router(workspace_pages.router)
    app.include_router(api.router)
    api.install_openapi(app)

    @app.exception_handler(CocreaError)
    async def _cocrea_error(request: Request, exc: CocreaError):
        return error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        return error_response(request, InvalidInput(validation_reasons(exc.errors())), 400)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 404:
            return error_response(request, NotFound([web_reason("not_found_page", path=request.url.path)]), 404)
        lang = lang_of(request)
        problem = web_reason("http_error", status=exc.status_code).as_dict(lang)
        if wants_json(request):
            return JSONResponse({"error": "HTTPError", "reasons": [problem]},
                                status_code=exc.status_code, headers=getattr(exc, "headers", None))
        return HTMLResponse(render("error.html", lang=lang, request_path=request.url.path,
                                   status=exc.status_code, identity=None, reasons=[problem]),
                            status_code=exc.status_code, headers=getattr(exc, "headers", None))

    return app
