"""A security reviewer's pass over the web app (issue 12), beyond tests/test_trust_headers.py:

- every route that takes a POST from a browser checks the CSRF token (the list of routes is read
  from the app, so a new route without the check fails here until it is added);
- a body sent in chunks, declaring no length, is held to the same limits as one that declares it;
- an error no handler knows is a 500 page in words with an incident number, the security
  headers, and no stack trace (the trace goes to the log under that number);
- signing in as an administrator never keeps the session the browser brought;
- the language cookie is ``Secure`` over HTTPS like every other cookie.

Real app, real SQLite file, no mocks.
"""
from __future__ import annotations

import logging
from urllib.parse import urlencode

import pytest
from builders import process_at
from fastapi.testclient import TestClient
from sqlalchemy import text
from webkit import PASSWORD, app_for, audit_count, client, csrf_of, sign_in

from workflow import signin
from web.i18n import web_reason

#: Links that act by a capability in the address (RFC 8058 one-click unsubscribe, the email
#: confirmation link): the token in the URL is the proof; a page of another site cannot know it.
CAPABILITY_LINKS = {"/p/{slug}/confirmar/{token}", "/p/{slug}/seguir/confirmar/{token}", "/p/{slug}/baja/{token}"}

#: Each POST route, the address to post to, and where its refusal is said: "page" (a 403 page),
#: "flash" (said once on the page it redirects to), "nothing" (a sign-out: the session goes on).
POST_ROUTES = {
    "/login": ("/login", "page"),
    "/logout": ("/logout", "nothing"),
    "/acceso": ("/acceso", "page"),
    "/admin/login": ("/admin/login", "page"),
    "/admin/logout": ("/admin/logout", "nothing"),
    "/admin/processes": ("/admin/processes", "page"),
    "/p/{slug}/participa": ("/p/p/participa", "page"),
    "/p/{slug}/comentar": ("/p/p/comentar", "page"),
    "/p/{slug}/seguir": ("/p/p/seguir", "page"),
    "/w/{slug}/account/token": ("/w/p/account/token", "page"),
    "/w/{slug}/account/token/revoke": ("/w/p/account/token/revoke", "page"),
    "/w/{slug}/account/password": ("/w/p/account/password", "page"),
    "/w/{slug}/account/sessions": ("/w/p/account/sessions", "page"),
    "/w/{slug}/do/{name}": ("/w/p/do/add_agency", "page"),
    "/w/{slug}/plan/{key}/amend": ("/w/p/plan/c1/amend", "flash"),
    "/w/{slug}/reminders/send": ("/w/p/reminders/send", "flash"),
    "/w/{slug}/progress-sheet": ("/w/p/progress-sheet", "page"),
}


@pytest.fixture
def proc(sqlite_db, clock):
    p = process_at(sqlite_db, clock, "declaration")
    for h in ("coord", "gob"):
        p("set_credentials", actor=h, handle=h, password=PASSWORD)
    signin.create_admin(sqlite_db, "admin", "Administración", PASSWORD, clock.now())
    return p


def _admin_sign_in(c: TestClient):
    page = c.get("/admin/login")
    r = c.post("/admin/login", data={"handle": "admin", "password": PASSWORD, "csrf": csrf_of(page.text)})
    assert r.status_code == 303 and r.headers["location"] == "/admin"
    return r


def _routes(routes):
    """Every route, inside the routers included too (FastAPI may keep them as included routers)."""
    for r in routes:
        inner = getattr(r, "original_router", None)
        if inner is not None:
            yield from _routes(inner.routes)
        else:
            yield r


def test_every_post_route_of_the_browser_checks_the_csrf_token(sqlite_db, clock, proc):
    app = app_for(sqlite_db, clock)
    posting = {r.path for r in _routes(app.routes)
               if "POST" in (getattr(r, "methods", None) or ()) and not r.path.startswith("/api/")}
    assert posting - CAPABILITY_LINKS == set(POST_ROUTES), "a POST route this test does not know: add it"
    c = TestClient(app, base_url="http://testserver", follow_redirects=False)
    assert sign_in(c, "p", "coord").status_code == 303
    _admin_sign_in(c)
    c.get("/w/p")  # the session's token exists; the posts below carry another
    said = web_reason("csrf_failed").message("es")
    before = audit_count(sqlite_db)
    for route, (path, where) in POST_ROUTES.items():
        r = c.post(path, data={"csrf": "otro-token", "key": "x", "name": "X", "handle": "coord", "process": "p",
                               "password": PASSWORD, "repeat": PASSWORD, "current": PASSWORD, "text": "Hola"})
        if where == "page":
            assert r.status_code == 403 and said in r.text, (route, r.status_code)
        elif where == "flash":
            assert r.status_code == 303, route
            assert said in c.get(r.headers["location"]).text, route
        else:  # a sign-out without the token signs nobody out
            assert r.status_code == 303, route
        assert c.get("/w/p").status_code == 200, route  # still signed in
        assert c.get("/admin").status_code == 200, route
    assert audit_count(sqlite_db) == before


def _chunks(size: int, piece: int = 64 * 1024):
    sent = 0
    while sent < size:
        yield b"a" * min(piece, size - sent)
        sent += piece


@pytest.mark.parametrize("path,size", [
    ("/login", 3 * 1024 * 1024),
    ("/api/processes/p/actions/add_theme", 3 * 1024 * 1024),
    ("/w/p/do/report_progress", 12 * 1024 * 1024),  # the upload path allows 11 MiB, not more
], ids=["form", "api", "upload"])
def test_a_body_sent_in_chunks_without_a_length_is_held_to_the_limit(sqlite_db, clock, proc, path, size):
    from workflow.credentials import collecting

    with collecting() as issued:
        proc("set_credentials", handle="coord", new_token=True)
    c = client(sqlite_db, clock)
    sign_in(c, "p", "coord")  # signed in, with a token: the route reads the body
    before = audit_count(sqlite_db)
    r = c.post(path, content=_chunks(size), headers={"content-type": "application/x-www-form-urlencoded",
                                                      "authorization": f"Bearer {issued[0].value}"})
    assert "content-length" not in r.request.headers and r.request.headers["transfer-encoding"] == "chunked"
    assert r.status_code == 413, (r.status_code, r.text[:300])
    assert "body_too_large" in r.text
    assert audit_count(sqlite_db) == before


def test_a_small_body_in_chunks_is_read_as_usual(sqlite_db, clock, proc):
    c = client(sqlite_db, clock)
    token = csrf_of(c.get("/login").text)
    body = urlencode({"process": "p", "handle": "coord", "password": PASSWORD, "csrf": token}).encode()
    r = c.post("/login", content=iter([body[:10], body[10:]]),
               headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.request.headers.get("transfer-encoding") == "chunked"
    assert r.status_code == 303 and c.get("/w/p").status_code == 200


def test_an_unexpected_error_is_a_page_in_words_with_an_incident_number_and_no_trace(sqlite_db, clock, proc, caplog):
    with sqlite_db.begin() as conn:  # a row no action could write: the page cannot be built from it
        conn.execute(text("UPDATE process SET created_at = 'no es una fecha'"))
    c = client(sqlite_db, clock)
    with caplog.at_level(logging.ERROR, logger="cocrea.web"):
        page = c.get("/p/p")
        data = c.get("/p/p/data.json?lang=en")
    assert page.status_code == 500 and data.status_code == 500
    for r in (page, data):
        for leak in ("Traceback", 'File "', "ValueError", "sqlalchemy", "no es una fecha", "/work/", ".py"):
            assert leak not in r.text, (leak, r.text[:500])
        assert "script-src 'none'" in r.headers["content-security-policy"] and r.headers["x-frame-options"] == "DENY"
    assert "Un error interno detuvo esta solicitud" in page.text and "text/html" in page.headers["content-type"]
    (problem,) = data.json()["reasons"]
    assert problem["code"] == "server_error"
    incident = problem["details"]["incident"]
    assert problem["message"].startswith(f"An internal error stopped this request. It was recorded as incident "
                                         f"{incident}")
    logged = [r for r in caplog.records if f"incident {incident}" in r.getMessage()]
    assert logged and logged[0].exc_info is not None  # the trace is in the log, under that number


def test_an_administrator_signing_in_again_never_keeps_the_session_the_browser_brought(sqlite_db, clock, proc):
    c = client(sqlite_db, clock)
    first = _admin_sign_in(c).cookies["cocrea_admin"]
    second = _admin_sign_in(c).cookies["cocrea_admin"]  # the browser still carries the first
    assert first != second
    copied = client(sqlite_db, clock)
    copied.cookies.set("cocrea_admin", first)
    assert copied.get("/admin").headers["location"] == "/admin/login"  # the first ended
    assert c.get("/admin").status_code == 200


def test_the_language_cookie_is_secure_over_https(sqlite_db, clock, proc):
    secure = TestClient(app_for(sqlite_db, clock), base_url="https://testserver", follow_redirects=False)
    header = secure.get("/idioma/en?next=/").headers["set-cookie"].lower()
    assert "cocrea_lang=en" in header and "; secure" in header and "httponly" in header and "samesite=lax" in header
    plain = client(sqlite_db, clock).get("/idioma/en?next=/").headers["set-cookie"].lower()
    assert "; secure" not in plain  # over plain http a Secure cookie would never come back
