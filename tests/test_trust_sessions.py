"""Sessions are kept by the server and can be ended (issue 12).

A sign-in is a random id in an ``HttpOnly`` cookie naming a row of the database: logging out
deletes the row (a copied cookie stops working), a password change deletes every row of
that person, a session unused for longer than the idle limit ends, and a restart or a second
web process sees the same sessions. API tokens expire, and a reset of someone's access
revokes their token.
"""
from __future__ import annotations

import base64
import datetime as dt
import re

from builders import process_at
from fastapi.testclient import TestClient
from webkit import PASSWORD, client, csrf_of, sign_in

from web import create_app
from web.i18n import date_text


def _process(db, clock, *handles):
    p = process_at(db, clock, "declaration")
    for h in ("coord", *handles):
        p("set_credentials", actor=h, handle=h, password=PASSWORD)
    return p


def _copy(c: TestClient, app=None) -> TestClient:
    other = TestClient(app or c.app, base_url="http://testserver", follow_redirects=False)
    for cookie in c.cookies.jar:
        other.cookies.set(cookie.name, cookie.value, domain=cookie.domain, path=cookie.path)
    return other


def _signed_in(c: TestClient) -> bool:
    r = c.get("/w/p")
    assert r.status_code in (200, 303), r.status_code
    return r.status_code == 200


def test_the_cookie_holds_no_identity_only_a_random_id(sqlite_db, clock):
    _process(sqlite_db, clock, "gob")
    c = client(sqlite_db, clock)
    r = sign_in(c, "p", "gob")
    assert r.status_code == 303
    values = [cookie.value for cookie in c.cookies.jar if "session" in cookie.name]
    assert len(values) == 1
    raw = values[0]
    decoded = raw
    for part in raw.split("."):
        try:
            decoded += base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode("utf-8", "replace")
        except ValueError:
            pass
    assert "gob" not in decoded and '"p"' not in decoded and "handle" not in decoded


def test_logout_ends_the_session_and_a_copied_cookie_stops_working(sqlite_db, clock):
    _process(sqlite_db, clock, "gob")
    c = client(sqlite_db, clock)
    assert sign_in(c, "p", "gob").status_code == 303
    thief = _copy(c)
    assert _signed_in(thief)
    out = c.post("/logout", data={"csrf": csrf_of(c.get("/w/p").text)})
    assert out.status_code == 303
    assert not _signed_in(c)
    assert not _signed_in(thief)


def test_signing_in_again_as_someone_else_ends_the_previous_session(sqlite_db, clock):
    _process(sqlite_db, clock, "gob")
    c = client(sqlite_db, clock)
    assert sign_in(c, "p", "coord").status_code == 303
    before = _copy(c)
    page = c.get("/login")
    assert 'id="already-signed-in"' in page.text
    r = c.post("/login", data={"process": "p", "handle": "gob", "password": PASSWORD, "csrf": csrf_of(page.text)})
    assert r.status_code == 303
    assert "Integrante gob" in c.get("/w/p/account").text
    assert not _signed_in(before)  # the coordinator's session ended with the switch


def test_a_password_change_ends_every_session_of_that_person_and_only_theirs(sqlite_db, clock):
    p = _process(sqlite_db, clock, "gob")
    here, there, coord = client(sqlite_db, clock), client(sqlite_db, clock), client(sqlite_db, clock)
    for c, who in ((here, "gob"), (there, "gob"), (coord, "coord")):
        assert sign_in(c, "p", who).status_code == 303
    # changed from the account page: this browser stays signed in, the other one is out
    page = here.get("/w/p/account")
    r = here.post("/w/p/account/password", data={"csrf": csrf_of(page.text), "current": PASSWORD,
                                                  "password": "una-contraseña-nueva", "repeat": "una-contraseña-nueva"})
    assert r.status_code == 303, r.text
    assert _signed_in(here) and not _signed_in(there) and _signed_in(coord)
    assert sign_in(there, "p", "gob", "una-contraseña-nueva").status_code == 303
    # changed elsewhere (the command line, the API): every session of that person ends
    p("set_credentials", actor="gob", handle="gob", password="otra-contraseña-más")
    assert not _signed_in(here) and not _signed_in(there) and _signed_in(coord)


def test_the_account_page_refuses_a_password_change_without_the_current_password(sqlite_db, clock):
    _process(sqlite_db, clock, "gob")
    c = client(sqlite_db, clock)
    sign_in(c, "p", "gob")
    page = c.get("/w/p/account")
    r = c.post("/w/p/account/password", data={"csrf": csrf_of(page.text), "current": "no-es-la-actual",
                                              "password": "una-contraseña-nueva", "repeat": "una-contraseña-nueva"})
    assert r.status_code == 401 and "login_failed" in r.text
    r = c.post("/w/p/account/password", data={"csrf": csrf_of(page.text), "current": PASSWORD,
                                              "password": "una-contraseña-nueva", "repeat": "otra-cosa-distinta"})
    assert r.status_code == 400 and "passwords_differ" in r.text
    assert sign_in(client(sqlite_db, clock), "p", "gob").status_code == 303  # unchanged


def test_a_session_ends_after_two_hours_unused(sqlite_db, clock):
    _process(sqlite_db, clock, "gob")
    c = client(sqlite_db, clock)
    assert sign_in(c, "p", "gob").status_code == 303
    for _ in range(3):  # used every 1 h 50 min: still signed in after 5 h 30 min
        clock.advance(minutes=110)
        assert _signed_in(c)
    clock.advance(minutes=121)
    assert not _signed_in(c)
    assert c.get("/w/p").headers["location"].startswith("/login")


def test_a_session_survives_a_restart_and_is_shared_by_two_web_processes(sqlite_db, clock, monkeypatch):
    monkeypatch.delenv("COCREA_SECRET_KEY", raising=False)
    _process(sqlite_db, clock, "gob")
    first = TestClient(create_app(sqlite_db, clock=clock, public_url="https://cocrea.example.org"),
                       base_url="http://testserver", follow_redirects=False)
    assert sign_in(first, "p", "gob").status_code == 303
    second = _copy(first, create_app(sqlite_db, clock=clock, public_url="https://cocrea.example.org"))
    assert _signed_in(second)  # another process, or the same one restarted
    second.post("/logout", data={"csrf": csrf_of(second.get("/w/p").text)})
    assert not _signed_in(first)  # ended in one, ended in all


def _new_token(c: TestClient) -> tuple[str, str]:
    page = c.get("/w/p/account")
    r = c.post("/w/p/account/token", data={"csrf": csrf_of(page.text)})
    assert r.status_code == 200, r.text
    return re.search(r'<code class="secret">(cct_[^<]+)</code>', r.text).group(1), r.text


def test_api_tokens_expire_after_ninety_days_and_the_account_page_says_when(sqlite_db, clock):
    _process(sqlite_db, clock, "gob")
    c = client(sqlite_db, clock)
    sign_in(c, "p", "gob")
    token, shown = _new_token(c)
    expires = (clock.now() + dt.timedelta(days=90)).date().isoformat()
    assert date_text(expires, "es") in shown and date_text(expires, "es") in c.get("/w/p/account").text
    bearer = {"Authorization": f"Bearer {token}"}
    assert c.get("/api/processes/p/workspace", headers=bearer).status_code == 200
    clock.advance(days=89)
    assert c.get("/api/processes/p/workspace", headers=bearer).status_code == 200
    clock.advance(days=2)
    r = c.get("/api/processes/p/workspace", headers=bearer)
    assert r.status_code == 401 and r.json()["reasons"][0]["code"] == "token_expired"


def test_a_reset_of_someones_access_revokes_their_token_and_ends_their_sessions(sqlite_db, clock):
    p = _process(sqlite_db, clock, "gob")
    c = client(sqlite_db, clock)
    sign_in(c, "p", "gob")
    token, _ = _new_token(c)
    bearer = {"Authorization": f"Bearer {token}"}
    assert c.get("/api/processes/p/workspace", headers=bearer).status_code == 200
    p("set_credentials", handle="gob", reset_access=True)
    r = c.get("/api/processes/p/workspace", headers=bearer)
    assert r.status_code == 401 and r.json()["reasons"][0]["code"] == "token_invalid"
    assert not _signed_in(c)
    assert sign_in(client(sqlite_db, clock), "p", "gob").status_code == 401  # the old password is gone too


def test_a_person_can_end_all_their_other_sessions(sqlite_db, clock):
    _process(sqlite_db, clock, "gob")
    here, there = client(sqlite_db, clock), client(sqlite_db, clock)
    sign_in(here, "p", "gob")
    sign_in(there, "p", "gob")
    r = here.post("/w/p/account/sessions", data={"csrf": csrf_of(here.get("/w/p/account").text)})
    assert r.status_code == 303
    assert _signed_in(here) and not _signed_in(there)
