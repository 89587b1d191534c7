"""The web application: public pages, the coordinators' workspace and the JSON API.

``create_app(engine)`` wires the three routers onto one FastAPI app. The app holds no
domain rule: every write is ``workflow.actions.apply``; every read is ``reads.public``,
``reads.workspace`` or ``reads.status``.
"""
from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import replace
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable
from urllib.parse import unquote_to_bytes, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, OperationalError, StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from notifications.config import DEFAULT_PUBLIC_URL, MailConfig
from notifications.config import settings as in_force
from reads import reader_engine
from stages.clock import Clock, SystemClock
from stages.errors import CocreaError, ConfigError, InvalidInput, NotFound
from workflow.schemas import validation_reasons

from . import admin_pages, api, participation_pages, public_pages, workspace_pages
from .auth import Settings
from .context import SECURITY_HEADERS, error_status, lang_of, wants_json
from .i18n import web_reason
from .render import render

log = logging.getLogger("cocrea.web")
STATIC = Path(__file__).parent / "static"

#: Over HTTPS: browsers come back only over HTTPS for a year (no ``includeSubDomains``: other
#: sites of the institute's domain are not this app's to decide).
HSTS = (b"strict-transport-security", b"max-age=31536000")
#: A request body larger than this is refused before it is read (the API allows 1 MiB of JSON).
MAX_REQUEST = 2 * 1024 * 1024
#: A progress report may carry an evidence file (``workflow.evidence.MAX_BYTES``, 10 MB) and its form.
MAX_UPLOAD_REQUEST = 11 * 1024 * 1024
UPLOAD_PATHS = ("/do/report_progress",)


def _bad_text(text: str) -> bool:
    return any(ord(ch) < 32 or ord(ch) == 127 for ch in text)


class BodyTooLarge(InvalidInput):
    """A body that grew past the limit while it was read (sent in chunks, without a length)."""
    http_status = 413


def _bounded(receive, limit: int):
    """``receive`` counting the body's bytes: past ``limit`` the reading route stops with a 413.
    A declared length is checked before anything is read; this catches a body sent in chunks
    (``Transfer-Encoding: chunked``), which declares none."""
    seen = 0

    async def bounded():
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge([web_reason("body_too_large", limit=limit // 1024)])
        return message
    return bounded


class Guard:
    """A pure ASGI middleware (cheaper than ``BaseHTTPMiddleware``) in front of every route:

    - refuses, with a 400 in words, a path or query holding a control character (a NUL byte
      reached PostgreSQL and made psycopg raise), and a body over :data:`MAX_REQUEST`, declared
      (before it is read) or sent in chunks (while it is read), with a 413;
    - adds :data:`SECURITY_HEADERS` (and HSTS over HTTPS) to every response, and
      ``Cache-Control: no-store`` to any response setting a cookie or answering a token;
    - answers an error no handler knows (a bug, a corrupt row) with a 500 page in words and an
      incident number, never a stack trace; the trace goes to the log under that number.
    """

    def __init__(self, app, https: bool = False):
        self.app = app
        self.https = https

    def _refusal(self, scope, code: str, status: int, **details):
        async def answer(receive, send):
            request = Request(scope, receive)
            response = error_response(request, InvalidInput([web_reason(code, **details)]), status)
            await response(scope, receive, send)
        return answer

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        https = self.https or scope.get("scheme") == "https"
        headers = dict(scope.get("headers") or [])
        token = b"authorization" in headers
        started = False

        async def send_with_headers(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                present = list(message.get("headers", []))
                names = {k.lower() for k, _ in present}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                if https and HSTS[0] not in names:
                    extra.append(HSTS)
                if (b"set-cookie" in names or token) and b"cache-control" not in names:
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = present + extra
            await send(message)

        app = self.app
        query = unquote_to_bytes(scope.get("query_string", b"") or b"")
        if _bad_text(scope.get("path", "")) or any(b < 32 or b == 127 for b in query):
            scope["query_string"] = b""  # not read back by the refusal
            app = self._refusal(scope, "bad_character", 400)
        else:
            declared = headers.get(b"content-length", b"0")
            limit = MAX_UPLOAD_REQUEST if scope.get("path", "").endswith(UPLOAD_PATHS) else MAX_REQUEST
            if not declared.isdigit() or int(declared) > limit:
                app = self._refusal(scope, "body_too_large", 413, limit=limit // 1024)
            receive = _bounded(receive, limit)
        if app is not self.app:
            return await app(receive, send_with_headers)
        try:
            return await app(scope, receive, send_with_headers)
        except Exception:
            if started:  # too late for a page: the connection is cut, as before
                raise
            incident = secrets.token_hex(4)
            log.exception("incident %s: %s %s", incident, scope.get("method"), scope.get("path"))
            response = error_response(Request(scope), CocreaError([web_reason("server_error", incident=incident)]),
                                      500)
            await response(scope, receive, send_with_headers)


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


def create_app(engine: Engine, *, https_only: bool | None = None, settings: Settings | None = None,
               read_engine: Engine | None = None, clock: Clock | None = None, public_url: str | None = None,
               mail: MailConfig | None = None, trusted_proxies: list[str] | None = None,
               secret_key: str | None = None) -> FastAPI:
    """The app for one database. ``read_engine`` (optional) serves the reads; ``clock`` (default:
    the system's) dates every action applied through the app and the sign-in bookkeeping;
    ``public_url`` (default: ``COCREA_PUBLIC_URL``, else :data:`DEFAULT_PUBLIC_URL`) is the
    address the feeds and the access-code emails link to, never the request's Host header;
    ``settings`` (default: :meth:`web.auth.Settings.from_env`) the sessions, tokens and sign-in
    limits, ``https_only`` and ``trusted_proxies`` overriding theirs; ``mail`` (default:
    ``notifications.config.load()`` when a code is first emailed) where access codes are sent.
    ``secret_key`` is accepted and unused: sessions are kept by the server and need no key."""
    settings = settings or Settings.from_env()
    if https_only is not None:
        settings = replace(settings, https=https_only)
    if trusted_proxies is not None:
        settings = replace(settings, trusted_proxies=tuple(trusted_proxies))
    app = FastAPI(title="cocrea", version="0.1.0", docs_url=None, redoc_url=None, openapi_url="/openapi.json",
                  description="Open Government co-creation processes: public reads and the actions of the "
                              "secretariat, with the same rules as the `cocrea` command.")
    app.state.engine = engine
    app.state.read_engine = read_engine or reader_engine(engine)
    app.state.clock = clock or SystemClock()
    public_url = public_url or in_force().get("COCREA_PUBLIC_URL")  # environment or config file
    if not public_url:
        public_url = DEFAULT_PUBLIC_URL
        log.warning("COCREA_PUBLIC_URL is not set: the Atom and iCalendar feeds link to %s", public_url)
    app.state.public_url = public_address(public_url)
    app.state.settings = settings
    app.state.mail = mail
    app.state.cache = PageCache()

    app.add_middleware(Guard, https=settings.https)
    if settings.trusted_proxies:  # outermost: the client's address and scheme for everything else
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    app.include_router(public_pages.router)
    app.include_router(participation_pages.router)
    app.include_router(workspace_pages.router)
    app.include_router(admin_pages.router)
    app.include_router(api.router)
    api.install_openapi(app)

    @app.exception_handler(CocreaError)
    async def _cocrea_error(request: Request, exc: CocreaError):
        return error_response(request, exc)

    @app.exception_handler(DataError)
    async def _not_storable(request: Request, exc: DataError):
        # a value the database refuses (out of its type's range ...): the input's fault, said as such
        log.info("refused by the database: %s", type(exc.orig).__name__ if exc.orig else exc)
        return error_response(request, InvalidInput([web_reason("value_not_storable")]), 400)

    @app.exception_handler(OperationalError)
    async def _database_unavailable(request: Request, exc: OperationalError):
        # the database went away (a restart, a network cut) or is too busy: a temporary state,
        # said as such (503, try again), never an internal error
        log.warning("database unavailable: %s", str(exc.orig or exc).strip().splitlines()[:1])
        response = error_response(request, CocreaError([web_reason("database_unavailable")]), 503)
        response.headers["Retry-After"] = "5"
        return response

    @app.exception_handler(StatementError)
    async def _not_bindable(request: Request, exc: StatementError):
        if isinstance(exc.orig, (OverflowError, ValueError, UnicodeError)):  # SQLite: an integer past 64 bits
            return error_response(request, InvalidInput([web_reason("value_not_storable")]), 400)
        raise exc

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
