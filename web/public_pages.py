"""The public side: no sign-in, Spanish by default with an English switch, open data.

Every page is rendered from :mod:`reads.public` (no personal data): the process page from
:func:`reads.public.page_view` (what it shows, from one read), a commitment's page from
:func:`reads.public.commitment_view`, the open data (JSON, CSV, iCalendar) from the whole record,
:func:`reads.public.public_view`, and the Atom feed from :func:`reads.public.feed_view`. Pages
are cached by the process's audit version and sent with an ETag.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import json
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from markupsafe import Markup

from i18n import gettext
from reads import lists, public
from stages.base import no_cyclic_gc
from stages.errors import NotFound

from .auth import is_https
from .context import LANG_COOKIE, SECURITY_HEADERS, lang_of, safe_next
from .i18n import web_reason
from .news import news
from .opendata import atom, ical, to_csv
from .render import environment, render

router = APIRouter(include_in_schema=False)
MEDIA = {"html": "text/html; charset=utf-8", "json": "application/json", "compliance": "text/html; charset=utf-8",
         "compliance.json": "application/json", "csv": "text/csv; charset=utf-8",
         "atom": "application/atom+xml; charset=utf-8", "ics": "text/calendar; charset=utf-8"}


def compliance_section(engine, slug: str, lang: str, clock, report=None) -> dict[str, Any]:
    """The compliance report for the public page: its summary, the contrary-to-process flag,
    what to do next, and links to the full publishable report (``/p/<slug>/cumplimiento``);
    ``report``: already judged (:func:`reads.public.page_view`: then ``data`` holds only what the
    page shows, not the whole report), else read here (``data``: the whole report, for the JSON)."""
    from reads import checks

    if report is not None:  # the page: the three parts it shows, not every rule's evidence nor each commitment's
        data = {"summary_line": report.summary_line(lang), "contrary_to_process": report.contrary_dict(lang),
                "to_do": report.to_do(lang)}
    else:
        data = checks.report(engine, slug, clock=clock).as_dict(lang)
    link = f"/p/{quote(slug)}/cumplimiento"
    parts = [Markup('<p class="compliance-summary"><strong>{}</strong></p>').format(data["summary_line"])]
    flag = data["contrary_to_process"]
    if flag.get("flag"):
        parts.append(Markup("<p>{}</p><ul>").format(gettext(lang, "Acting contrary to process (OGP):")))
        parts += [Markup("<li>{}</li>").format(c["message"]) for c in flag.get("causes", [])]
        parts.append(Markup("</ul>"))
    if data["to_do"]:
        parts.append(Markup("<h3>{}</h3><ol>").format(gettext(lang, "What is missing")))
        parts += [Markup("<li><strong>{}</strong>: {}</li>").format(i["title"], i["next_step"]) for i in data["to_do"]]
        parts.append(Markup("</ol>"))
    parts.append(Markup('<p><a href="{}">{}</a> · <a href="{}.json">JSON</a></p>').format(
        link, gettext(lang, "Full compliance report"), link))
    return {"html": Markup("").join(parts), "data": data}


def _both(make) -> tuple[bytes, bytes]:
    """The body, and its gzip (made once per version of the page, not once per request)."""
    body = make()
    return body, gzip.compress(body, compresslevel=6, mtime=0)


async def _cached(request: Request, slug: str, kind: str, lang: str, make) -> Response:
    engine = request.app.state.read_engine
    # The audit version changes with every write; the day, because compliance depends on time.
    today = request.app.state.clock.now().date().isoformat()  # the app's clock: the system's, or a test's
    version = f"{await run_in_threadpool(public.version, engine, slug)}|{today}"
    etag = '"' + hashlib.sha256(f"{kind}|{lang}|{version}".encode()).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Accept-Encoding, Cookie"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    body, zipped = await run_in_threadpool(request.app.state.cache.get_or_make, (kind, slug, lang, version),
                                           lambda: _both(make))
    if "gzip" in request.headers.get("accept-encoding", "") and len(body) > 1024:
        body, headers["Content-Encoding"] = zipped, "gzip"
    return Response(body, media_type=MEDIA[kind.split(":")[0]], headers=headers)


@router.get("/healthz")
def healthz() -> PlainTextResponse:
    """A trivial endpoint (the benchmark's baseline)."""
    return PlainTextResponse("ok")


@router.get("/source")
async def source() -> Response:
    """The source of the code this process runs (AGPL-3.0-or-later, section 13; web/source.py)."""
    from . import source as code

    body = await run_in_threadpool(code.archive)
    return Response(body, media_type="application/gzip", headers={
        "Content-Disposition": f'attachment; filename="cocrea-{code.version()}-source.tar.gz"',
        "Cache-Control": "public, max-age=3600"})


@router.get("/idioma/{code}")
def switch_language(request: Request, code: str, next: str = "/") -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in ("es", "en"):  # over HTTPS, Secure like every other cookie of the site
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax", httponly=True,
                            secure=is_https(request))
    return response


@router.get("/")
async def index(request: Request) -> Response:
    lang = lang_of(request)
    items = await run_in_threadpool(public.processes, request.app.state.read_engine, lang)
    return Response(render("index.html", lang=lang, processes=items, request_path="/", identity=None),
                    media_type=MEDIA["html"])


@router.get("/p/{slug}")
async def process_page(request: Request, slug: str, page: int = Query(1, ge=1, le=1_000_000),
                       q: str = Query("", max_length=200),
                       compromisos: int = Query(1, ge=1, le=1_000_000)) -> Response:
    """The process's page; its inputs a page at a time (``?page=``), searchable (``?q=``), and
    its commitments a page at a time (``?compromisos=``)."""
    lang = lang_of(request)
    engine = request.app.state.read_engine
    q = q.strip()
    return await _cached(request, slug, f"html:{page}:{compromisos}:{q}", lang,
                         lambda: process_html(engine, slug, lang, request.app.state.clock, page, q, compromisos))


def process_html(engine, slug: str, lang: str, clock, page: int = 1, q: str = "", commitments: int = 1) -> bytes:
    """The process page: its view, compliance report and taking part today from one read of the
    records (:func:`reads.public.page_view`), a page of its commitments and one of its inputs; rendered."""
    with no_cyclic_gc():  # the report holds every row read: a collection while rendering would rescan them
        return _process_html(engine, slug, lang, clock, page, q, commitments)


def _process_html(engine, slug: str, lang: str, clock, page: int, q: str, commitments: int) -> bytes:
    path = f"/p/{quote(slug)}"
    view, report, taking_part = public.page_view(engine, slug, lang, clock, commitments)
    inputs = lists.page(engine, slug, "inputs", page=page, q=q, lang=lang)

    def link(anchor: str, **args) -> str:  # the other list keeps its page
        kept = {"page": page, "q": q, "compromisos": commitments} | args
        query = urlencode({k: v for k, v in kept.items() if v and v != 1})
        return f"{path}{'?' + query if query else ''}#{anchor}"
    # the page names a few codes and dates many times (a status per commitment, a day per session):
    # each named once, for this page
    shown = environment(lang).globals
    return render("process.html", lang=lang, v=view, tables=public.TABLES, request_path=path, identity=None,
                  label=functools.cache(shown["label"]), when=functools.cache(shown["when"]),
                  compliance=compliance_section(engine, slug, lang, clock, report), inputs=inputs,
                  participation=taking_part, latest=news(view, lang)[:public.NEWS_DAYS], now=public.upcoming(view, clock),
                  inputs_link=lambda n: link("inputs", page=n),
                  commitments_link=lambda n: link("commitments", compromisos=n)).encode()


@router.get("/p/{slug}/compromisos/{key}")
async def commitment_page(request: Request, slug: str, key: str) -> Response:
    """One commitment on its own page: problem, cause, objective, action lines, activities,
    indicators, progress and evidence."""
    lang = lang_of(request)
    engine = request.app.state.read_engine
    view = await run_in_threadpool(public.commitment_view, engine, slug, key, lang)  # its own rows only
    if view is None:
        raise NotFound([web_reason("not_found_page", path=request.url.path)])
    path = f"/p/{quote(slug)}/compromisos/{quote(key)}"
    return await _cached(request, slug, f"html:commitment:{key}", lang, lambda: render(
        "commitment.html", lang=lang, v=view, cm=view["commitment"], activities=view["activities"],
        request_path=path, identity=None).encode())


@router.get("/p/{slug}/cumplimiento")
async def compliance_page(request: Request, slug: str) -> Response:
    """The full compliance report as a publishable page (compliance/templates/report.html.j2)."""
    from compliance.render import render as render_report
    from reads import checks

    lang = lang_of(request)
    engine = request.app.state.read_engine
    response = await _cached(request, slug, "compliance", lang,
                             lambda: render_report(checks.report(engine, slug, clock=request.app.state.clock), "html",
                                                   lang, back=f"/p/{quote(slug)}").encode())
    response.headers["Content-Security-Policy"] = _report_csp()
    return response


@functools.cache
def _report_csp() -> str:
    """The site's policy, letting in the report's one style sheet by its hash: the report is a
    publishable file of its own (``compliance/templates/report.html.j2``, its style inline),
    which the site's ``style-src 'self'`` would otherwise leave unstyled."""
    import base64

    from compliance.render import TEMPLATES

    source = (TEMPLATES / "report.html.j2").read_text(encoding="utf-8")
    style = source[source.index("<style>") + len("<style>"):source.index("</style>")]  # plain CSS, no template tag
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    policy = dict(SECURITY_HEADERS)[b"content-security-policy"].decode()
    return policy.replace("style-src 'self'", f"style-src 'self' 'sha256-{digest}'")


@router.get("/p/{slug}/cumplimiento.json")
async def compliance_json(request: Request, slug: str) -> Response:
    from compliance.render import render as render_report
    from reads import checks

    lang = lang_of(request)
    engine = request.app.state.read_engine
    return await _cached(request, slug, "compliance.json", lang,
                         lambda: render_report(checks.report(engine, slug, clock=request.app.state.clock), "json", lang).encode())


@router.get("/p/{slug}/data.json")
async def process_json(request: Request, slug: str) -> Response:
    lang = lang_of(request)
    engine = request.app.state.read_engine

    def make() -> bytes:
        view = public.public_view(engine, slug, lang)
        extra = compliance_section(engine, slug, lang, request.app.state.clock)
        if extra and extra.get("data") is not None:
            view["compliance"] = extra["data"]
        return json.dumps(view, ensure_ascii=False, indent=1).encode()
    return await _cached(request, slug, "json", lang, make)


@router.get("/p/{slug}/data/{name}.{fmt}")
async def process_table(request: Request, slug: str, name: str, fmt: str) -> Response:
    if name not in public.TABLES or fmt not in ("csv", "json"):
        raise NotFound([web_reason("not_found_page", path=request.url.path)])
    lang = lang_of(request)
    engine = request.app.state.read_engine

    def make() -> bytes:
        view = public.public_view(engine, slug, lang)
        if fmt == "csv":
            return to_csv(view, name).encode("utf-8")
        return json.dumps(public.table(view, name), ensure_ascii=False, indent=1).encode()
    response = await _cached(request, slug, f"{fmt}:{name}", lang, make)
    if fmt == "csv":
        response.headers["Content-Disposition"] = f'inline; filename="{slug}-{name}.csv"'
    return response


@router.get("/p/{slug}/feed.atom")
async def process_atom(request: Request, slug: str) -> Response:
    lang = lang_of(request)
    engine = request.app.state.read_engine
    base = request.app.state.public_url  # never the Host header: a forged one must not reach a cached feed
    return await _cached(request, slug, "atom", lang,
                         lambda: atom(public.feed_view(engine, slug, request.app.state.clock), base, lang))


@router.get("/p/{slug}/calendar.ics")
async def process_ical(request: Request, slug: str) -> Response:
    lang = lang_of(request)
    engine = request.app.state.read_engine
    base = request.app.state.public_url  # never the Host header: a forged one must not reach a cached feed
    return await _cached(request, slug, "ics", lang,
                         lambda: ical(public.public_view(engine, slug, lang), base, lang))
