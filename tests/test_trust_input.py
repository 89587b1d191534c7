"""Input that broke the server is refused with a clear 400 (issue 12), on SQLite and PostgreSQL.

A NUL byte in a path, a query or a field (PostgreSQL cannot store one: psycopg raised inside
the request), JSON nested thousands of levels deep (``RecursionError``), a number of
thousands of digits (``ValueError`` from the int conversion limit), an unpaired surrogate:
each is refused in words, with a stable code, before anything is read or written.
"""
from __future__ import annotations

import pytest
from builders import process_at
from webkit import PASSWORD, audit_count, client, csrf_of, sign_in


@pytest.fixture
def setup(db, clock):
    p = process_at(db, clock, "consultation")
    p("set_credentials", actor="coord", handle="coord", password=PASSWORD)
    c = client(db, clock)
    assert sign_in(c, "p", "coord").status_code == 303
    page = c.get("/w/p/account")
    r = c.post("/w/p/account/token", data={"csrf": csrf_of(page.text)})
    token = r.text.split('<code class="secret">')[1].split("</code>")[0]
    return db, c, {"Authorization": f"Bearer {token}"}


def _refused(r, *codes):
    assert r.status_code == 400, (r.status_code, r.text[:300])
    if r.headers["content-type"].startswith("application/json"):
        found = [x["code"] for x in r.json()["reasons"]]
    else:
        found = [code for code in codes if code in r.text]
    assert set(found) & set(codes), (found, codes)


@pytest.mark.parametrize("path", ["/p/a%00b", "/api/processes/a%00b", "/api/processes/a%00b/status",
                                  "/w/a%00b", "/p/p/data/moves.csv?lang=es%00", "/login?process=%00"])
def test_a_nul_byte_in_a_path_or_query_is_refused(setup, path):
    db, c, bearer = setup
    _refused(c.get(path, headers=bearer), "bad_character")


def test_a_nul_byte_in_a_json_field_is_refused_and_nothing_is_written(setup):
    db, c, bearer = setup
    before = audit_count(db)
    r = c.post("/api/processes/p/actions/add_theme", json={"key": "t1", "name": "Agua\x00potable"}, headers=bearer)
    _refused(r, "bad_character")
    r = c.post("/api/processes/p/actions/add_theme", content=b'{"key": "t1", "name": "\\ud800"}', headers=bearer)
    _refused(r, "bad_character")
    assert audit_count(db) == before


def test_a_nul_byte_in_a_form_field_is_refused(setup, clock):
    db, c, bearer = setup
    before = audit_count(db)
    page = c.get("/w/p/do/add_theme")
    r = c.post("/w/p/do/add_theme", data={"key": "t1", "name": "Agua\x00", "csrf": csrf_of(page.text)})
    _refused(r, "bad_character")
    anonymous = client(db, clock)
    login = anonymous.get("/login")
    r = anonymous.post("/login", data={"process": "p", "handle": "co\x00ord", "password": "x" * 12,
                                       "csrf": csrf_of(login.text)})
    _refused(r, "bad_character")
    assert audit_count(db) == before


def test_json_nested_thousands_of_levels_is_refused(setup):
    db, c, bearer = setup
    before = audit_count(db)
    deep = b"[" * 3000 + b"]" * 3000
    _refused(c.post("/api/processes/p/actions/add_theme", content=deep, headers=bearer), "json_too_deep")
    inside = b'{"key": "t1", "name": "x", "more": ' + deep + b"}"
    _refused(c.post("/api/processes/p/actions/add_theme", content=inside, headers=bearer), "json_too_deep")
    key = "S1"
    c.post("/api/processes/p/actions/convene_session", json={"key": key, "scheduled_for": "2026-02-01T10:00:00-06:00",
                                                             "place": "Sala", "agenda": ["x"]}, headers=bearer)
    before = audit_count(db)
    # the web reads no JSON typed into a form; a rule set's file nested thousands of levels deep
    form = c.get("/w/p/do/register_ruleset")
    for body in (b'{"a": ' + b"[" * 3000 + b"]" * 3000 + b"}", b"a:\n" + b"".join(b"  " * i + b"- \n" for i in range(1, 200))
                 + b"[" * 3000 + b"]" * 3000):
        r = c.post("/w/p/do/register_ruleset", data={"csrf": csrf_of(form.text)},
                   files={"ruleset": ("reglas.json", body, "application/json")})
        _refused(r, "json_too_deep", "ruleset_file_unreadable")
    assert audit_count(db) == before


def test_a_number_of_thousands_of_digits_is_refused(setup):
    db, c, bearer = setup
    before = audit_count(db)
    big = b"9" * 5000
    _refused(c.post("/api/processes/p/actions/add_theme", content=b'{"key": "t1", "name": ' + big + b"}",
                    headers=bearer), "number_too_large")
    _refused(c.post("/api/processes/p/actions/configure_reminders", content=b'{"digest_horizon_days": ' + big + b"}",
                    headers=bearer), "number_too_large")
    _refused(c.post("/api/processes/p/actions/configure_reminders",
                    content=b'{"digest_horizon_days": 99999999999999999999}', headers=bearer),
             "number_too_large", "invalid_field")
    _refused(c.post("/api/processes/p/actions/configure_reminders", content=b'{"digest_horizon_days": 1e400}',
                    headers=bearer), "number_too_large", "invalid_field", "bad_json")
    _refused(c.post("/api/processes/p/actions/configure_reminders", content=b'{"digest_horizon_days": NaN}',
                    headers=bearer), "bad_json", "invalid_field")
    form = c.get("/w/p/do/configure_reminders")
    r = c.post("/w/p/do/configure_reminders", data={"digest_horizon_days": "9" * 5000, "csrf": csrf_of(form.text)})
    _refused(r, "invalid_field", "number_too_large")
    r = c.post("/w/p/do/configure_reminders", data={"digest_horizon_days": "9" * 30, "csrf": csrf_of(form.text)})
    _refused(r, "invalid_field", "number_too_large", "value_not_storable")
    form = c.get("/w/p/do/configure_compliance")  # a setting's box
    r = c.post("/w/p/do/configure_compliance", data={"settings.forum_max_gap_months": "9" * 5000,
                                                      "csrf": csrf_of(form.text)})
    _refused(r, "number_too_large", "compliance_bad_setting")
    assert audit_count(db) == before


def test_a_body_too_large_is_refused(setup):
    db, c, bearer = setup
    r = c.post("/api/processes/p/actions/add_theme", content=b'{"key": "t1", "name": "' + b"x" * 2_000_000 + b'"}',
               headers=bearer)
    assert r.status_code in (400, 413) and r.json()["reasons"][0]["code"] == "body_too_large"
