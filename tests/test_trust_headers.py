"""What a security reviewer checks before the site goes on the internet (issue 12).

Cookies: ``HttpOnly``, ``SameSite=Lax``, ``Path=/``; over HTTPS ``Secure`` and the ``__Host-``
prefix (no subdomain can set or read them). Every response: a strict Content-Security-Policy
(no script at all), no framing, no sniffing, no referrer to other sites, no powerful browser
features, isolation from other origins; over HTTPS, HSTS. Signed-in pages and API answers are
never cached. Every form that posts carries a CSRF token, and a post from another site is
refused even with one. The client's address is taken from ``X-Forwarded-For`` only when the
request comes from a configured proxy, so the sign-in limits cannot be dodged by a header.
"""
from __future__ import annotations

import re

import pytest
from builders import process_at
from fastapi.testclient import TestClient
from webkit import PASSWORD, app_for, client, csrf_of, sign_in


@pytest.fixture
def proc(sqlite_db, clock):
    p = process_at(sqlite_db, clock, "declaration")
    for h in ("coord", "gob"):
        p("set_credentials", actor=h, handle=h, password=PASSWORD)
    return p


def _cookies(response) -> dict[str, str]:
    out = {}
    for header in response.headers.get_list("set-cookie"):
        name = header.split("=", 1)[0]
        out[name] = header.lower()
    return out


def test_cookies_over_http_are_httponly_and_samesite(sqlite_db, clock, proc):
    c = client(sqlite_db, clock)
    login = c.get("/login")
    r = c.post("/login", data={"process": "p", "handle": "coord", "password": PASSWORD, "csrf": csrf_of(login.text)})
    assert r.status_code == 303
    cookies = {**_cookies(login), **_cookies(r)}
    assert cookies, "no cookie set"
    for name, header in cookies.items():
        assert "httponly" in header and "samesite=lax" in header and "path=/" in header, (name, header)
        assert "secure" not in header.split(";", 1)[1]  # http: a Secure cookie would never come back


def test_over_https_cookies_are_secure_and_host_only_and_hsts_is_sent(sqlite_db, clock, proc):
    c = TestClient(app_for(sqlite_db, clock), base_url="https://testserver", follow_redirects=False)
    login = c.get("/login")
    assert "max-age=" in login.headers["strict-transport-security"]
    assert int(re.search(r"max-age=(\d+)", login.headers["strict-transport-security"]).group(1)) >= 180 * 86400
    r = c.post("/login", data={"process": "p", "handle": "coord", "password": PASSWORD, "csrf": csrf_of(login.text)})
    assert r.status_code == 303
    cookies = {**_cookies(login), **_cookies(r)}
    assert cookies
    for name, header in cookies.items():
        assert name.startswith("__Host-"), name
        assert "secure" in header and "httponly" in header and "samesite=lax" in header and "domain" not in header
    assert c.get("/w/p").status_code == 200
    assert "strict-transport-security" not in client(sqlite_db, clock).get("/").headers  # not over plain http


HEADERS = {
    "content-security-policy": ("default-src 'self'", "script-src 'none'", "frame-ancestors 'none'",
                                "form-action 'self'", "base-uri 'none'", "object-src 'none'"),
    "x-content-type-options": ("nosniff",),
    "x-frame-options": ("DENY",),
    "referrer-policy": ("same-origin",),
    "permissions-policy": ("camera=()", "geolocation=()", "microphone=()"),
    "cross-origin-opener-policy": ("same-origin",),
    "cross-origin-resource-policy": ("same-origin",),
}


def test_every_response_has_the_security_headers(sqlite_db, clock, proc):
    c = client(sqlite_db, clock)
    sign_in(c, "p", "coord")
    for path in ("/", "/p/p", "/p/p/data.json", "/login", "/w/p", "/w/p/account", "/api/processes", "/no-such-page",
                 "/api/processes/p/history", "/static/style.css"):
        r = c.get(path)
        for name, parts in HEADERS.items():
            assert name in r.headers, (path, name)
            for part in parts:
                assert part in r.headers[name], (path, name, r.headers[name])


def test_signed_in_pages_and_api_answers_are_never_cached(sqlite_db, clock, proc):
    c = client(sqlite_db, clock)
    sign_in(c, "p", "coord")
    for path in ("/login", "/w/p", "/w/p/account", "/w/p/do/add_agency", "/acceso?process=p&handle=gob"):
        assert c.get(path).headers.get("cache-control") == "no-store", path
    page = c.get("/w/p/account")
    token = c.post("/w/p/account/token", data={"csrf": csrf_of(page.text)})
    assert token.headers["cache-control"] == "no-store"
    bearer = {"Authorization": "Bearer " + token.text.split('<code class="secret">')[1].split("</code>")[0]}
    for path in ("/api/processes/p/history", "/api/processes/p/workspace", "/api/processes/p/audit"):
        assert c.get(path, headers=bearer).headers.get("cache-control") == "no-store", path


def test_every_form_that_posts_carries_a_csrf_token(sqlite_db, clock, proc):
    c = client(sqlite_db, clock)
    pages = [c.get("/login").text, c.get("/acceso?process=p&handle=gob").text]
    sign_in(c, "p", "coord")
    pages += [c.get(p).text for p in ("/w/p", "/w/p/account", "/w/p/do/add_agency", "/w/p/do/set_credentials")]
    forms = [f for page in pages for f in re.findall(r"<form[^>]*>.*?</form>", page, re.S)]
    posting = [f for f in forms if 'method="post"' in f]
    assert len(posting) >= 6
    assert [f[:80] for f in posting if 'name="csrf"' not in f] == []


def test_a_post_from_another_site_is_refused_even_with_a_token(sqlite_db, clock, proc):
    c = client(sqlite_db, clock)
    sign_in(c, "p", "coord")
    form = c.get("/w/p/do/add_agency")
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        r = c.post("/w/p/do/add_agency", data={"key": "x", "name": "X", "csrf": csrf_of(form.text)}, headers=headers)
        assert r.status_code == 403 and "csrf_failed" in r.text, headers
    ok = c.post("/w/p/do/add_agency", data={"key": "x", "name": "X", "csrf": csrf_of(form.text)},
                headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"})
    assert ok.status_code == 303


def test_a_forwarded_address_counts_only_from_a_configured_proxy(sqlite_db, clock, proc):
    app = app_for(sqlite_db, clock)
    c = TestClient(app, follow_redirects=False)
    statuses = []
    for n in range(60):  # every guess claims another address; none is believed
        login = c.get("/login")
        statuses.append(c.post("/login", data={"process": "p", "handle": f"nadie{n}", "password": "x" * 12,
                                               "csrf": csrf_of(login.text)},
                               headers={"X-Forwarded-For": f"10.0.0.{n}"}).status_code)
    assert 429 in statuses
    behind = TestClient(app_for(sqlite_db, clock, trusted_proxies=["testclient"]), base_url="https://testserver",
                        follow_redirects=False)  # the browser speaks https to the proxy
    proxied = {"X-Forwarded-For": "10.9.9.9", "X-Forwarded-Proto": "https"}
    login = behind.get("/login", headers=proxied)
    r = behind.post("/login", headers=proxied,
                    data={"process": "p", "handle": "coord", "password": PASSWORD, "csrf": csrf_of(login.text)})
    assert r.status_code == 303  # another address: not blocked by the guesses above
    assert any(name.startswith("__Host-") for name in _cookies(r)) or "secure" in r.headers["set-cookie"].lower()
