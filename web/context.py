"""What every page and API route shares: the reader's language, where an error sends its
status, safe redirects and the security headers every response carries. A leaf module: it imports nothing else of the web package."""
from __future__ import annotations

from fastapi import Request

from stages.errors import CocreaError, InvalidInput, NotAllowed, NotFound

#: Sent with every response. No script runs on any page (the site works without JavaScript).
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
                                 b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
                            b"interest-cohort=(), browsing-topics=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
LANGS = ("es", "en")
LANG_COOKIE = "cocrea_lang"


def lang_of(request: Request) -> str:
    """The one rule for the reader's language, pages and API alike: ``?lang=``, then the
    language cookie (the switch on every page), then Spanish. A browser's ``Accept-Language``
    is not followed: the site is Spanish first, and English is a choice the reader makes."""
    q = request.query_params.get("lang")
    if q in LANGS:
        return q
    c = request.cookies.get(LANG_COOKIE)
    return c if c in LANGS else "es"


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path.endswith((".json", ".csv"))


def error_status(exc: CocreaError) -> int:
    if getattr(exc, "http_status", None):  # an error that says its own (a body too large: 413)
        return exc.http_status
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, InvalidInput):
        return 400
    if isinstance(exc, NotAllowed):
        return 403
    if exc.exit_code in (3, 4):  # refused, or a record that does not verify: a state, not a server fault
        return 409
    return 500


def safe_next(target: str | None) -> str:
    """Only local paths: never redirect to another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"
