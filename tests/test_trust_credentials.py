"""Only the server makes secrets, and only their owner sets a password (issue 12).

- ``set_credentials`` accepts no token value from anyone: a token is made by the server and
  shown once to its owner. A coordinator who could choose a member's token could vote as them.
- A password is set by its owner only. A coordinator may *reset* someone's access: the old
  password, token and sessions end, and a one-time code goes to the person: by email when
  the process has their address (the coordinator never sees it), otherwise shown once to the
  coordinator to hand over in person. The code works once and expires.
- The audit trail records each change, never a secret.
"""
from __future__ import annotations

import email
import json
import re
from email import policy

from builders import process_at
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from webkit import PASSWORD, app_for, audit_count, client, csrf_of, sign_in

from notifications.config import MailConfig, SmtpSettings
from reads import status as queries
from storage.models import Vote

CODE = re.compile(r'id="access-code"[^>]*>([^<]+)<')


def _process(db, clock, *handles):
    p = process_at(db, clock, "declaration")
    for h in ("coord", *handles):
        p("set_credentials", actor=h, handle=h, password=PASSWORD)
    p("add_person", handle="ana", name="Ana Sin Correo", role="member", sector="civil_society")
    return p


def _token_of(c: TestClient) -> str:
    page = c.get("/w/p/account")
    r = c.post("/w/p/account/token", data={"csrf": csrf_of(page.text)})
    return re.search(r'<code class="secret">(cct_[^<]+)</code>', r.text).group(1)


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _history(db) -> str:
    return json.dumps(queries.history(db, "p"), ensure_ascii=False)


def test_a_coordinator_cannot_choose_a_members_token_and_vote_as_them(sqlite_db, clock):
    p = _process(sqlite_db, clock, "gob")
    key = p.session()
    decision = p("propose_decision", session=key, kind="general", text="Calendario")["decision"]
    c = client(sqlite_db, clock)
    sign_in(c, "p", "coord")
    coord = _token_of(c)
    chosen = "cct_" + "e" * 43
    before = audit_count(sqlite_db)
    for body in ({"handle": "gob", "api_token": chosen}, {"handle": "coord", "api_token": chosen},
                 {"handle": "gob", "api_token": coord}):  # someone else's token: an internal error before
        r = c.post("/api/processes/p/actions/set_credentials", json=body, headers=_bearer(coord))
        assert r.status_code in (400, 403), (body, r.status_code, r.text)
    vote = c.post("/api/processes/p/actions/cast_vote", json={"decision": decision, "position": "for"},
                  headers=_bearer(chosen))
    assert vote.status_code == 401
    assert audit_count(sqlite_db) == before
    with Session(sqlite_db) as s:
        assert s.exec(select(Vote)).all() == []


def test_a_password_is_set_by_its_owner_only(sqlite_db, clock):
    p = _process(sqlite_db, clock, "gob")
    refused = p.refused("set_credentials", handle="gob", password="elegida-por-otro")
    assert [r.code for r in refused.reasons] == ["password_only_owner"]
    assert "restablecer" in refused.reasons[0].message("es")
    c = client(sqlite_db, clock)
    sign_in(c, "p", "coord")
    coord = _token_of(c)
    r = c.post("/api/processes/p/actions/set_credentials", json={"handle": "gob", "password": "elegida-por-otro"},
               headers=_bearer(coord))
    assert r.status_code == 403 and r.json()["reasons"][0]["code"] == "password_only_owner"
    assert sign_in(client(sqlite_db, clock), "p", "gob", "elegida-por-otro").status_code == 401
    assert sign_in(client(sqlite_db, clock), "p", "gob").status_code == 303


def test_the_server_makes_a_token_for_its_owner_and_shows_it_once(sqlite_db, clock):
    p = _process(sqlite_db, clock, "gob")
    c = client(sqlite_db, clock)
    sign_in(c, "p", "gob")
    first = _token_of(c)
    r = c.post("/api/processes/p/actions/set_credentials", json={"handle": "gob", "new_token": True},
               headers=_bearer(first))
    assert r.status_code == 200, r.text
    body = r.json()
    (issued,) = body["issued"]
    assert issued["kind"] == "api_token" and issued["value"].startswith("cct_") and issued["expires_at"]
    assert c.get("/api/processes/p/workspace", headers=_bearer(issued["value"])).status_code == 200
    assert c.get("/api/processes/p/workspace", headers=_bearer(first)).status_code == 401  # replaced
    assert p.refused("set_credentials", handle="gob", new_token=True).reasons[0].code == "token_only_owner"
    history = _history(sqlite_db)
    assert issued["value"] not in history and first not in history and PASSWORD not in history


def _reset(c: TestClient, handle: str):
    form = c.get(f"/w/p/do/set_credentials?handle={handle}")
    assert form.status_code == 200
    assert 'name="password"' not in form.text and 'name="new_token"' not in form.text
    return c.post("/w/p/do/set_credentials", data={"handle": handle, "reset_access": "on", "csrf": csrf_of(form.text)})


def _redeem(c: TestClient, handle: str, code: str, password: str = "mi-contraseña-nueva"):
    page = c.get(f"/acceso?process=p&handle={handle}")
    assert page.status_code == 200 and 'name="code"' in page.text
    return c.post("/acceso", data={"process": "p", "handle": handle, "code": code, "password": password,
                                   "repeat": password, "csrf": csrf_of(page.text)})


def test_a_reset_without_email_is_shown_once_to_the_coordinator_and_works_once(sqlite_db, clock, tmp_path):
    _process(sqlite_db, clock)
    coord = client(sqlite_db, clock, mail=MailConfig(SmtpSettings(outbox_dir=str(tmp_path / "mail"))))
    sign_in(coord, "p", "coord")
    r = _reset(coord, "ana")
    assert r.status_code == 200, r.text
    code = CODE.search(r.text).group(1).strip()
    assert len(code.replace("-", "")) >= 16
    assert "/acceso" in r.text and r.headers["cache-control"] == "no-store"
    assert code not in coord.get("/w/p").text  # shown once
    history = _history(sqlite_db)
    assert code not in history and '"access_reset":true' in history.replace(" ", "")
    assert '"delivery":"in_person"' in history.replace(" ", "")
    assert not (tmp_path / "mail").exists() or not list((tmp_path / "mail").iterdir())

    ana = client(sqlite_db, clock)
    wrong = _redeem(ana, "ana", "AAAA-BBBB-CCCC-DDDD")
    assert wrong.status_code in (400, 403) and "reset_code_invalid" in wrong.text
    ok = _redeem(ana, "ana", code)
    assert ok.status_code == 303 and ok.headers["location"] == "/w/p"
    assert ana.get("/w/p").status_code == 200  # signed in
    again = _redeem(client(sqlite_db, clock), "ana", code, "otra-contraseña-más")
    assert again.status_code in (400, 403) and "reset_code_invalid" in again.text
    assert sign_in(client(sqlite_db, clock), "p", "ana", "mi-contraseña-nueva").status_code == 303
    assert code not in _history(sqlite_db)


def _mailed_code(folder) -> tuple[str, str]:
    (eml,) = list(folder.iterdir())
    msg = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    text = msg.get_body(preferencelist=("plain",)).get_content()
    code = re.search(r"\b([A-Z0-9]{4}(?:-[A-Z0-9]{4}){3,})\b", text).group(1)
    return msg["To"], code


def test_with_an_email_the_code_goes_only_to_the_person(sqlite_db, clock, tmp_path):
    _process(sqlite_db, clock, "gob")
    folder = tmp_path / "mail"
    coord = client(sqlite_db, clock, mail=MailConfig(SmtpSettings(outbox_dir=str(folder))))
    sign_in(coord, "p", "coord")
    r = _reset(coord, "gob")
    assert r.status_code in (200, 303), r.text
    page = r.text if r.status_code == 200 else coord.get(r.headers["location"]).text
    assert CODE.search(page) is None
    to, code = _mailed_code(folder)
    assert "gob@example.org" in to and code not in page
    assert '"delivery":"email"' in _history(sqlite_db).replace(" ", "")
    assert sign_in(client(sqlite_db, clock), "p", "gob").status_code == 401  # the old password ended
    gob = client(sqlite_db, clock)
    assert _redeem(gob, "gob", code).status_code == 303
    # the API gives the coordinator no code either
    token = _token_of(coord)
    api = coord.post("/api/processes/p/actions/set_credentials", json={"handle": "gob", "reset_access": True},
                     headers=_bearer(token))
    assert api.status_code == 200 and api.json()["issued"] == [] and api.json()["result"]["delivery"] == "email"
    assert len(list(folder.iterdir())) == 2


def test_a_code_expires_after_a_day(sqlite_db, clock):
    _process(sqlite_db, clock)
    coord = client(sqlite_db, clock)
    sign_in(coord, "p", "coord")
    code = CODE.search(_reset(coord, "ana").text).group(1).strip()
    clock.advance(hours=25)
    late = _redeem(client(sqlite_db, clock), "ana", code)
    assert late.status_code in (400, 403) and "reset_code_invalid" in late.text


def test_only_a_coordinator_resets_access(sqlite_db, clock):
    p = _process(sqlite_db, clock, "gob")
    assert p.refused("set_credentials", actor="gob", handle="osc", reset_access=True).reasons[0].code \
        == "credentials_only_own"
    assert p.refused("set_credentials", actor="gob", handle="gob", reset_access=True).reasons[0].code \
        == "reset_by_coordinator"


def test_redeeming_codes_is_rate_limited(sqlite_db, clock):
    _process(sqlite_db, clock)
    app = app_for(sqlite_db, clock)
    c = TestClient(app, follow_redirects=False)
    statuses = [_redeem(c, "ana", f"AAAA-BBBB-CCCC-{n:04d}").status_code for n in range(8)]
    assert statuses[-1] == 429, statuses
