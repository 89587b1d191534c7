"""The coordinators' workspace, in process over a real SQLite file: sign-in, roles, forms, refusals."""
from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import quote

from builders import complete_stage, process_at
from sqlmodel import Session, select
from webkit import PASSWORD, audit_count, client, csrf_of, sign_in

from reads import status as queries
from workflow.signin import Limit
from storage.accounts import Account
from storage.models import Activity, Decision, Person, Process, Theme, Vote
from web.auth import Settings


def _with_passwords(p, *handles):
    for h in ("coord", *handles):
        p("set_credentials", actor=h, handle=h, password=PASSWORD)  # each sets their own
    return p


def _post(c, path, data):
    page = c.get(path if "/do/" in path else "/login")
    return c.post(path, data={**data, "csrf": csrf_of(page.text)})


def test_sign_in_needs_the_right_password_and_a_csrf_token(sqlite_db, clock):
    p = process_at(sqlite_db, clock, "consultation")
    c = client(sqlite_db, clock)
    assert sign_in(c, "p", "coord").status_code == 401  # no password set yet
    _with_passwords(p)
    no_csrf = c.post("/login", data={"process": "p", "handle": "coord", "password": PASSWORD})
    assert no_csrf.status_code == 403 and "csrf_failed" in no_csrf.text
    wrong = sign_in(c, "p", "coord", "otra-contraseña")
    assert wrong.status_code == 401 and "login_failed" in wrong.text
    assert 'value="coord"' in wrong.text and "otra-contraseña" not in wrong.text  # kept, but never the password
    ok = sign_in(c, "p", "coord")
    assert ok.status_code == 303 and ok.headers["location"] == "/w/p"
    cookie = ok.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    dash = c.get("/w/p")
    assert dash.status_code == 200 and "Coordinación" in dash.text
    # the public pages are cached for everyone and offer "Entrar": a signed-in reader is told so there
    again = c.get("/login")
    assert again.status_code == 200 and 'id="already-signed-in"' in again.text and 'href="/w/p"' in again.text
    assert 'id="already-signed-in"' not in client(sqlite_db, clock).get("/login").text


def test_sign_in_is_rate_limited_per_account(sqlite_db, clock):
    p = _with_passwords(process_at(sqlite_db, clock, "declaration"))
    c = client(sqlite_db, clock, settings=Settings(account=Limit(3, dt.timedelta(seconds=30), dt.timedelta(hours=1))))
    for _ in range(3):
        assert sign_in(c, "p", "coord", "mala-contraseña").status_code == 401
    blocked = sign_in(c, "p", "coord")  # even the right password waits now
    assert blocked.status_code == 429 and "too_many_attempts" in blocked.text
    assert "Demasiados intentos fallidos; espere 1 minuto." in blocked.text
    assert int(blocked.headers["retry-after"]) == 31
    assert p.stage == "declaration"


def test_passwords_are_stored_hashed_and_never_audited(sqlite_db, clock):
    _with_passwords(process_at(sqlite_db, clock, "declaration"), "gob")
    with Session(sqlite_db) as s:
        hashes = [a.password_hash for a in s.exec(select(Account))]
    assert len(hashes) == 2 and all(h.startswith("$argon2id$") for h in hashes)
    history = json.dumps(queries.history(sqlite_db, "p"), ensure_ascii=False)
    assert PASSWORD not in history and "[dato personal omitido]" in history


def test_a_changed_password_ends_other_sign_ins(sqlite_db, clock):
    p = _with_passwords(process_at(sqlite_db, clock, "declaration"), "gob")
    c = client(sqlite_db, clock)
    sign_in(c, "p", "gob")
    assert c.get("/w/p").status_code == 200
    p("set_credentials", actor="gob", handle="gob", password="una-nueva-contraseña")
    r = c.get("/w/p")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_the_move_panel_shows_unmet_criteria_and_a_refused_move_shows_the_same(sqlite_db, clock):
    p = _with_passwords(process_at(sqlite_db, clock, "consultation"))
    c = client(sqlite_db, clock)
    sign_in(c, "p", "coord")
    dash = c.get("/w/p").text
    codes = ["at_least_one_channel", "channel_for_excluded_groups", "inputs_received", "themes_prioritised"]
    panel = dash.split('id="move-advance"')[1].split("</article>")[0]
    assert all(code in panel for code in codes)
    # convene a session and record attendance through the forms
    r = _post(c, "/w/p/do/convene_session", {"key": "S9", "scheduled_for": "2026-02-01T10:00", "place": "Sala",
                                             "agenda": "Instalación\nConsulta"})
    assert r.status_code == 303, r.text
    clock.set(dt.datetime(2026, 2, 1, 10, 5, tzinfo=dt.timezone(dt.timedelta(hours=-6))))  # the session has begun
    sign_in(c, "p", "coord")  # days passed: the sign-in ended for inactivity
    r = _post(c, "/w/p/do/record_attendance", {"session": "S9", "members": ["gob", "garante", "osc"], "present": "on"})
    assert r.status_code == 303, r.text
    s9 = c.get("/w/p").text.split('id="session-S9"')[1].split("</article>")[0]
    assert "Hay quórum." in s9 and "Integrante garante, Integrante gob, Integrante osc" in s9
    r = _post(c, "/w/p/do/propose_decision", {"kind": "advance", "session": "S9", "reason": "Listos"})
    assert r.status_code == 303, r.text
    dash = c.get("/w/p").text
    decision = re.search(r'id="decision-(D\d+)"', dash).group(1)
    before = audit_count(sqlite_db)
    refused = _post(c, "/w/p/do/decide", {"decision": decision})
    assert refused.status_code == 409
    assert all(code in refused.text for code in codes), re.findall(r"class=\"code\">(\w+)", refused.text)
    assert "No se ha abierto ningún canal de consulta." in refused.text
    assert f'value="{decision}"' in refused.text  # the form keeps what was sent
    assert audit_count(sqlite_db) == before and p.stage == "consultation"


def test_a_refused_form_keeps_what_the_user_typed(sqlite_db, clock):
    _with_passwords(process_at(sqlite_db, clock, "consultation"))
    c = client(sqlite_db, clock)
    sign_in(c, "p", "coord")
    r = _post(c, "/w/p/do/open_channel", {"key": "bad key!", "kind": "survey", "name": "Encuesta a mano",
                                          "announced_on": "2026-02-01", "aimed_at_excluded": "on"})
    assert r.status_code == 400
    assert "invalid_field" in r.text and 'aria-invalid="true"' in r.text
    assert 'value="bad key!"' in r.text and 'value="Encuesta a mano"' in r.text
    assert '<option value="survey" selected>' in r.text and 'value="2026-02-01"' in r.text
    assert re.search(r'name="aimed_at_excluded" checked', r.text)
    en = c.post("/w/p/do/open_channel?lang=en", data={"key": "bad key!", "kind": "survey", "name": "x",
                                                      "csrf": csrf_of(r.text)})
    assert "&#39;Key&#39; does not have the expected form" in en.text  # the field by its label
    assert "«Clave» no tiene la forma esperada" in r.text


def test_forms_without_a_valid_csrf_token_write_nothing(sqlite_db, clock):
    p = _with_passwords(process_at(sqlite_db, clock, "consultation"))
    c = client(sqlite_db, clock)
    sign_in(c, "p", "coord")
    before = audit_count(sqlite_db)
    r = c.post("/w/p/do/add_theme", data={"key": "t9", "name": "Tema", "csrf": "forged"})
    assert r.status_code == 403 and "csrf_failed" in r.text and 'value="Tema"' in r.text
    assert audit_count(sqlite_db) == before and p.stage == "consultation"


def test_each_role_sees_and_does_only_what_it_may(sqlite_db, clock):
    p = process_at(sqlite_db, clock, "routes")
    p("add_person", handle="enlace", name="Enlace Igualdad", role="liaison", agency="igualdad")
    p("plan_activity", key="a1", commitment="c1", title="Publicar", deliverable="Portal", agency="igualdad",
      start_date="2026-06-01", end_date="2026-09-30")
    p("add_agency", key="salud", name="Secretaría de Salud")
    p("add_person", handle="enlace2", name="Enlace Salud", role="liaison", agency="salud")
    p("plan_activity", key="a2", commitment="c1", title="Otra", deliverable="Informe", agency="salud",
      start_date="2026-06-01", end_date="2026-07-01")
    _with_passwords(p, "gob", "enlace")
    member, liaison = client(sqlite_db, clock), client(sqlite_db, clock)
    sign_in(member, "p", "gob")
    sign_in(liaison, "p", "enlace")

    # a member: no move panel, no coordinator action
    dash = member.get("/w/p").text
    assert 'id="moves"' not in dash and "/do/plan_activity" not in dash
    before = audit_count(sqlite_db)
    r = _post(member, "/w/p/do/add_indicator", {"commitment": "c1", "name": "X", "kind": "result"})
    assert r.status_code == 403 and "actor_not_allowed" in r.text
    assert audit_count(sqlite_db) == before

    # a liaison sees only its agency's activities, and cannot accept another agency's
    dash = liaison.get("/w/p").text
    assert 'id="activity-a1"' in dash and 'id="activity-a2"' not in dash
    r = _post(liaison, "/w/p/do/accept_activity", {"activity": "a2"})
    assert r.status_code == 403 and "liaison_other_agency" in r.text
    assert audit_count(sqlite_db) == before
    with Session(sqlite_db) as s:
        assert s.exec(select(Activity).where(Activity.key == "a2")).one().accepted_at is None
    # a signed-in person of one process cannot enter another's workspace
    assert member.get("/w/otro").status_code == 403


def test_a_member_votes_only_in_its_own_name(sqlite_db, clock):
    p = _with_passwords(process_at(sqlite_db, clock, "declaration"), "gob")
    key = p.session()
    d = p("propose_decision", session=key, kind="general", text="Calendario de sesiones")["decision"]
    c = client(sqlite_db, clock)
    sign_in(c, "p", "gob")
    dash = c.get("/w/p").text
    assert 'name="position" value="against"' in dash
    r = _post(c, "/w/p/do/cast_vote", {"decision": d, "position": "against", "member": "osc"})
    assert r.status_code == 303
    with Session(sqlite_db) as s:
        votes = [(s.get(Person, v.person_id).handle, v.position) for v in s.exec(select(Vote))]
    assert votes == [("gob", "against")]  # the web never votes for anyone but the signed-in member


def test_the_public_reaches_no_write(sqlite_db, clock):
    p = _with_passwords(process_at(sqlite_db, clock, "consultation"))
    c = client(sqlite_db, clock)
    before = audit_count(sqlite_db)
    from workflow.actions import ACTIONS
    for name in ACTIONS:
        r = c.post(f"/w/p/do/{name}", data={"key": "x", "name": "y"})
        assert r.status_code in (303, 404), name  # to the sign-in page (create_process has no form)
        if r.status_code == 303:
            assert r.headers["location"].startswith("/login")
        assert c.post(f"/api/processes/p/actions/{name}", json={}).status_code in (401, 404, 405)
    assert c.post("/w/p/account/token", data={}).status_code == 303
    assert c.get("/w/p").headers["location"].startswith("/login")
    assert audit_count(sqlite_db) == before and p.stage == "consultation"


def test_an_api_token_is_created_from_the_account_page_and_shown_once(sqlite_db, clock):
    _with_passwords(process_at(sqlite_db, clock, "declaration"), "gob")
    c = client(sqlite_db, clock)
    sign_in(c, "p", "gob")
    page = c.get("/w/p/account")
    r = c.post("/w/p/account/token", data={"csrf": csrf_of(page.text)})
    token = re.search(r'<code class="secret">(cct_[^<]+)</code>', r.text).group(1)
    assert c.get("/w/p").status_code == 200  # still signed in after changing one's own credentials
    api = c.get("/api/processes/p/workspace", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200 and api.json()["me"]["handle"] == "gob"
    assert token not in c.get("/w/p/account").text


def test_what_an_action_did_is_said_in_words_and_a_rejection_as_a_refusal(sqlite_db, clock):
    p = _with_passwords(process_at(sqlite_db, clock, "declaration"), "gob")
    key = p.session()
    c = client(sqlite_db, clock)
    sign_in(c, "p", "coord")
    r = _post(c, "/w/p/do/propose_decision", {"kind": "general", "session": key, "text": "Calendario"})
    assert r.status_code == 303
    page = c.get("/w/p").text
    decision = re.search(r'id="decision-(D\d+)"', page).group(1)
    flash = page.split('<div class="flash" role="status">')[1].split("</div>")[0]
    assert "Se sometió la propuesta a la sesión: acuerdo general (consenso)." in flash
    assert "Cerrar sesión" not in page and "Clausurar una sesión del secretariado" in page  # never "log out"
    p("cast_vote", actor="osc", decision=decision, position="against")
    r = _post(c, "/w/p/do/decide", {"decision": decision})
    assert r.status_code == 303  # taken: the decision is rejected
    page = c.get("/w/p").text
    assert 'class="flash"' not in page  # never a success box
    notice = page.split('<div class="reasons notice-refused" role="status" id="reasons">')[1].split("</div>")[0]
    assert "Rechazada: objetó Integrante osc (acuerdo general)." in notice  # by name, never a handle
    p("set_credentials", actor="gob", handle="gob", new_token=True)
    r = _post(c, "/w/p/do/set_credentials", {"handle": "gob", "revoke_token": "on"})
    assert r.status_code == 303
    flash = c.get("/w/p").text.split('<div class="flash" role="status">')[1].split("</div>")[0]
    assert "Se revocó el token de la API de «Integrante gob»." in flash
    assert not re.search(r"\b(True|False|None)\b|_set\b", flash)


def test_the_result_sentences_have_no_python_data():
    from web.i18n import said

    samples = {
        "add_person": {"person": "ana", "role": "member", "sector": "civil_society"},
        "withdraw_sector": {"sector": "civil_society", "withdrawn": True, "stage": "suspended",
                            "suspended_from": "consultation"},
        "record_attendance": {"session": "S1", "present": ["gob", "osc"], "quorate": False},
        "decide": {"decision": "D1", "kind": "advance", "status": "adopted", "tally": {}, "from": "declaration",
                   "stage": "consultation"},
        "sign_declaration": {"signed_on": "2026-01-20", "sectors": ["government", "guarantor"]},
        "set_credentials": {"person": "ana", "password_set": False, "api_token_set": True, "api_token_revoked": False},
        "register_ruleset": {"ruleset": "propio", "version": "1", "rules": 1, "in_use": True},
        "configure_reminders": {"reminders": {"send_hour": 9}},
        "close_session": {"session": "S1", "closed": True},
    }
    es = {name: said("es", name, result).text for name, result in samples.items()}
    assert es["add_person"] == "Se agregó a «ana» como integrante del secretariado. Sector: sociedad civil."
    assert es["withdraw_sector"].endswith("El proceso queda suspendido.")
    assert es["record_attendance"].endswith("2 integrantes presentes: gob, osc. Todavía no hay quórum.")
    assert "«Consulta sobre temas a tratar»" in es["decide"]
    assert es["sign_declaration"].startswith("Se registró la declaratoria firmada el 20 ene 2026.")
    assert es["set_credentials"] == "Se creó un token nuevo de la API para «ana»."
    assert "con 1 regla." in es["register_ruleset"]
    assert es["close_session"] == "Se clausuró la sesión «S1»."
    for lang in ("es", "en"):
        for name, result in samples.items():
            text = said(lang, name, result).text
            assert not re.search(r"\b(True|False|None)\b|[{}]|_", text), (lang, name, text)
    rejected = said("es", "decide", {"decision": "D2", "kind": "advance", "status": "rejected",
                                     "tally": {"rule": "majority", "sectors": {}, "for": 1, "against": 2}})
    assert rejected.refused and rejected.text == ("Rechazada por mayoría de sectores: a favor, ninguno; en contra, "
                                                  "ninguno (avanzar a la siguiente etapa).")
    rejected = said("es", "decide", {"decision": "D2", "kind": "general", "status": "rejected",
                                     "tally": {"rule": "majority", "for": 1, "against": 2, "sectors": {
                                         "government": "for", "civil_society": "against", "guarantor": "against"}}})
    assert rejected.text == ("Rechazada por mayoría de sectores: a favor, gobierno (poder ejecutivo); en contra, "
                             "sociedad civil, órgano garante (acuerdo general).")
    two = said("es", "decide", {"decision": "D3", "kind": "general", "status": "rejected",
                                "tally": {"rule": "consensus", "objections": ["osc", "gob"]}},
               {"osc": "Núcleo de OSC", "gob": "Gobierno del Estado"})
    assert two.text == "Rechazada: objetaron Núcleo de OSC, Gobierno del Estado (acuerdo general)."
    assert said("es", "decide", {"decision": "D1", "kind": "general", "status": "adopted",
                                 "tally": {"rule": "consensus"}}).text == "Decisión adoptada por consenso: acuerdo general."


def test_every_field_of_every_form_has_a_label_and_its_hint_in_both_languages():
    from i18n import gettext
    from web import forms
    from web.i18n import ACTION_FIELD_LABELS, FIELD_LABELS, field_hint, option_kind, option_label
    from workflow.actions import ACTIONS

    missing, untranslated, unnamed = [], [], []
    for name, action in ACTIONS.items():
        if action.creates_process:
            continue
        todo = list(forms.fields_for(action.schema))
        while todo:
            f = todo.pop()
            todo += f.children
            for field in [f.name.split(".")[-1], *f.columns]:
                if (name, field) not in ACTION_FIELD_LABELS and field not in FIELD_LABELS:
                    missing.append((name, field))
            if f.description and gettext("es", f.description) == f.description:
                untranslated.append((name, f.name, f.description))
            if f.description:
                assert gettext("es", f.description) in field_hint("es", name, f)
                assert f.description in field_hint("en", name, f)
            if f.kind != "group":  # every field has a hint, different in each language
                es, en = field_hint("es", name, f), field_hint("en", name, f)
                assert es and en and es != en, (name, f.name)
            if f.options:
                assert option_kind(name, f.name), (name, f.name)
            unnamed += [o for o in f.options if option_label("es", name, f.name, o) == o]
    assert missing == [] and untranslated == []
    assert set(unnamed) <= {"marginal"}  # every choice offered by its name (that one is Spanish too)
    assert len({m.msgid for m in FIELD_LABELS.values()}) == len(FIELD_LABELS)  # no label said twice


def test_every_reference_is_chosen_by_name_and_keys_are_made_from_names(sqlite_db, clock):
    p = _with_passwords(process_at(sqlite_db, clock, "consultation"))
    complete_stage(p, "consultation")
    p("record_input", key="i2", channel="asamblea", text="Agua potable en las colonias del norte",
      received_on="2026-02-18")
    c = client(sqlite_db, clock)
    sign_in(c, "p", "coord")
    form = c.get("/w/p/do/answer_input").text
    # the input by its text and channel, unanswered first; the theme by its name; no key typed by hand
    inputs = re.search(r'<select id="f-input" name="input" required[^>]*>(.*?)</select>', form, re.S).group(1)
    assert re.findall(r'<option value="([^"]*)"', inputs) == ["i2", "i1"]
    assert "Agua potable en las colonias del norte — Asambleas" in inputs
    assert '<option value="genero">Brecha salarial de género</option>' in form
    assert 'type="text" id="f-input"' not in form and 'id="f-theme" name="theme"' in form
    # members by name and sector, as boxes to tick
    attendance = c.get("/w/p/do/record_attendance").text
    assert re.search(r'value="gob"[^>]*><label [^>]*>[^<]+ — gobierno', attendance)
    # a key made from the name when none is given, unique in the process
    key_field = c.get("/w/p/do/add_theme").text
    assert 'name="key" required' not in key_field and "se forma a partir del campo «Nombre»" in key_field
    for _ in range(2):
        r = _post(c, "/w/p/do/add_theme", {"key": "", "name": "Agua y saneamiento"})
        assert r.status_code == 303, r.text
    themes = c.get("/w/p/do/prioritise_themes").text
    assert 'value="agua-y-saneamiento"' in themes and 'value="agua-y-saneamiento-2"' in themes
    # themes ranked with one choice per priority, in the order chosen
    r = _post(c, "/w/p/do/prioritise_themes", {"themes": ["agua-y-saneamiento", "genero", ""]})
    assert r.status_code == 303, r.text
    with Session(sqlite_db) as s:
        ranked = sorted((t.priority, t.key) for t in s.exec(select(Theme)) if t.priority)
    assert ranked == [(1, "agua-y-saneamiento"), (2, "genero")]


def test_the_session_screen_follows_the_meeting_live(sqlite_db, clock):
    p = _with_passwords(process_at(sqlite_db, clock, "declaration"), "osc")
    key = p.session(present=["gob", "garante"])
    c = client(sqlite_db, clock)
    sign_in(c, "p", "coord")
    here = f"/w/p/sessions/{key}"
    page = c.get(here).text
    # attendance by name and sector, the quorum sector by sector
    assert re.search(r'id="member-osc".*?Integrante osc</th>\s*<td>sociedad civil</td>\s*<td>ausente', page, re.S)
    assert 'id="quorum-gaps"' in page and "sociedad civil — presentes: 0 de un mínimo de 1" in page
    # the member arrives: back on the screen, now quorate
    r = c.post("/w/p/do/record_attendance", data={"session": key, "members": "osc", "present": "on", "next": here,
                                                  "back": "1", "csrf": csrf_of(page)})
    assert r.status_code == 303 and r.headers["location"] == here
    page = c.get(here).text
    assert 'id="quorate"' in page and re.search(r'id="member-osc".*?presente', page, re.S)
    # a motion put from the screen; each member's vote; what deciding now would give
    r = c.post("/w/p/do/propose_decision", data={"session": key, "kind": "general", "text": "Calendario de sesiones",
                                                 "next": here, "back": "1", "csrf": csrf_of(page)})
    assert r.status_code == 303 and r.headers["location"] == here
    d = re.search(r'id="decision-(D\d+)"', c.get(here).text).group(1)
    page = c.get(here).text
    assert "Si se decidiera ahora: Decisión adoptada por consenso: acuerdo general." in page
    member = client(sqlite_db, clock)
    sign_in(member, "p", "osc")
    mpage = member.get(here).text
    r = member.post("/w/p/do/cast_vote", data={"decision": d, "position": "against", "next": here, "back": "1",
                                               "csrf": csrf_of(mpage)})
    assert r.status_code == 303 and r.headers["location"] == here
    page = c.get(here).text
    assert re.search(r"Integrante osc</th><td>sociedad civil</td>\s*<td>en contra", page)
    assert "Si se decidiera ahora: Rechazada: objetó Integrante osc (acuerdo general)." in page
    # the decision: said in words on the screen, as a refusal
    c.post("/w/p/do/decide", data={"decision": d, "next": here, "back": "1", "csrf": csrf_of(page)})
    page = c.get(here).text
    assert re.search(r'class="reasons notice-refused"[^>]*><p>Rechazada: objetó Integrante osc', page)
    assert re.search(rf'id="outcome-{d}" role="status">Rechazada: objetó Integrante osc', page)
    # a refusal taken from the screen comes back to it, with each unmet condition
    c.post("/w/p/do/record_attendance", data={"session": key, "members": ["gob", "garante"], "present": "",
                                              "next": here, "back": "1", "csrf": csrf_of(page)})
    page = c.get(here).text
    r = c.post("/w/p/do/propose_decision", data={"session": key, "kind": "general", "text": "Otra", "next": here,
                                                 "back": "1", "csrf": csrf_of(page)})
    d2 = re.findall(r'id="decision-(D\d+)"', c.get(here).text)[-1]
    before = audit_count(sqlite_db)
    r = c.post("/w/p/do/decide", data={"decision": d2, "next": here, "back": "1", "csrf": csrf_of(page)})
    assert r.status_code == 303 and r.headers["location"] == here and audit_count(sqlite_db) == before
    page = c.get(here).text
    box = page.split('class="reasons notice-refused"')[1].split("</div>")[0]
    assert "No se pudo registrar: Tomar la decisión" in box and "<li>" in box and "quórum" in box
    assert not re.search(r"\b(True|False|None)\b", page)


def test_the_inbox_answers_inputs_one_after_another(sqlite_db, clock):
    p = _with_passwords(process_at(sqlite_db, clock, "consultation"))
    complete_stage(p, "consultation")
    p("record_input", key="i2", channel="asamblea", text="Agua potable en las colonias del norte",
      received_on="2026-02-18", contact_name="Ana Pérez", contact_email="ana@example.org")
    p("record_input", key="i3", channel="web", text="Transparencia en compras públicas", received_on="2026-02-18")
    c = client(sqlite_db, clock)
    sign_in(c, "p", "coord")
    page = c.get("/w/p/inbox").text
    assert "Sin respuesta razonada: 2 de 3 aportaciones." in page
    assert 'id="input-i2"' in page and "Agua potable en las colonias del norte" in page
    assert "Ana Pérez" not in page and "ana@example.org" not in page  # contacts stay private
    assert 'name="disposition"' in page and '<option value="agua">Agua</option>' in page
    r = c.post("/w/p/do/answer_input", data={"input": "i2", "disposition": "adopted", "theme": "agua",
                                             "rationale": "Se integra al tema del agua", "next": "/w/p/inbox",
                                             "back": "1", "csrf": csrf_of(page)})
    assert r.status_code == 303 and r.headers["location"] == "/w/p/inbox"
    page = c.get("/w/p/inbox").text
    assert 'id="input-i3"' in page and "1 de 3 aportaciones" in page
    assert "Se respondió la aportación" in page  # what was done, said on the inbox
    # a refusal (no rationale) comes back to the inbox, the same input still first
    r = c.post("/w/p/do/answer_input", data={"input": "i3", "disposition": "not_adopted", "rationale": " ",
                                             "next": "/w/p/inbox", "back": "1", "csrf": csrf_of(page)})
    assert r.status_code == 303
    page = c.get("/w/p/inbox").text
    assert 'class="reasons notice-refused"' in page and 'id="input-i3"' in page
    r = c.post("/w/p/do/answer_input", data={"input": "i3", "disposition": "not_adopted", "rationale": "Fuera de alcance",
                                             "next": "/w/p/inbox", "back": "1", "csrf": csrf_of(page)})
    assert 'id="inbox-done"' in c.get("/w/p/inbox").text


def test_the_plan_is_approved_and_amended_as_a_form_of_its_commitments(sqlite_db, clock):
    p = _with_passwords(process_at(sqlite_db, clock, "commitments"))
    p("add_agency", key="igualdad", name="Secretaría de Igualdad")
    p("add_agency", key="finanzas", name="Secretaría de Finanzas")
    p("draft_commitment", key="c1", theme="genero", solution="sol1", title="Tabuladores abiertos",
      problem="Brecha", cause="Tabuladores opacos", objective="Reducir la brecha", axes=["transparency"],
      ambition="proactive", outcome="Tabuladores publicados", end_date="2026-12-31", agencies=["igualdad"],
      action_lines=["Publicar"])
    key = p.session()
    c = client(sqlite_db, clock)
    sign_in(c, "p", "coord")
    page = c.get("/w/p/plan").text
    assert 'name="commitments" value="c1" checked' in page and "Tabuladores abiertos" in page
    assert "JSON" not in page and 'name="changes"' not in page
    r = c.post("/w/p/do/propose_decision", data={"kind": "approve_commitments", "session": key, "commitments": "c1",
                                                 "next": "/w/p/plan", "back": "1", "csrf": csrf_of(page)})
    assert r.status_code == 303 and r.headers["location"] == "/w/p/plan"
    d = re.search(r'id="pending-(D\d+)"', c.get("/w/p/plan").text).group(1)
    p("decide", decision=d)
    page = c.get("/w/p/plan").text
    assert "acordado" in page and "versión 1" in page
    # an amendment: the commitment's own fields, only what changed is proposed
    form = page.split('id="commitment-c1"')[1]
    assert 'id="f-c1-title"' in form and 'value="Tabuladores abiertos"' in form
    data = {"session": key, "title": "Tabuladores abiertos y auditados", "problem": "Brecha", "cause": "Tabuladores opacos",
            "objective": "Reducir la brecha", "axes": ["transparency", "accountability"], "ambition": "proactive",
            "outcome": "Tabuladores publicados", "end_date": "2026-12-31", "agencies": ["igualdad", "finanzas"],
            "action_lines": "Publicar", "reason": "Se suma Finanzas", "csrf": csrf_of(page)}
    r = c.post("/w/p/plan/c1/amend", data=data)
    assert r.status_code == 303 and r.headers["location"] == "/w/p/plan"
    with Session(sqlite_db) as s:
        (amend,) = [x for x in s.exec(select(Decision)) if x.kind == "amend_commitment"]
    assert amend.payload["changes"] == {"title": "Tabuladores abiertos y auditados",
                                        "axes": ["transparency", "accountability"],
                                        "agencies": ["igualdad", "finanzas"]}
    page = c.get("/w/p/plan").text
    pending = page.split(f'id="pending-{amend.key}"')[1].split("</article>")[0]
    assert "<del>Tabuladores abiertos</del>" in pending and "<ins>Tabuladores abiertos y auditados</ins>" in pending
    assert "Secretaría de Finanzas" in pending
    p("decide", decision=amend.key)
    page = c.get("/w/p/plan").text
    assert "versión 2" in page and "Qué cambió la versión 2" in page
    # nothing changed: nothing proposed
    before = audit_count(sqlite_db)
    c.post("/w/p/plan/c1/amend", data={**data, "title": "Tabuladores abiertos y auditados", "csrf": csrf_of(page)})
    assert audit_count(sqlite_db) == before
    assert "No se cambió nada" in c.get("/w/p/plan").text


def test_history_audit_and_reminders_are_pages(sqlite_db, clock, tmp_path):
    from notifications.config import MailConfig, SmtpSettings

    p = process_at(sqlite_db, clock, "routes")
    p("add_person", handle="enlace", name="Enlace Igualdad", role="liaison", agency="igualdad",
      email="enlace@example.org")
    _with_passwords(p, "gob", "enlace")
    mail = MailConfig(SmtpSettings(outbox_dir=str(tmp_path / "mail")))
    c = client(sqlite_db, clock, mail=mail)
    sign_in(c, "p", "coord")
    page = c.get("/w/p/history").text
    assert "Decisión adoptada por consenso: aprobar los compromisos." in page
    assert "Integrante osc" in page or "Coordinación" in page  # people by name
    assert not re.search(r"\b(True|False|None)\b|password_set", page)
    assert "Compromisos aprobados: Tabuladores abiertos." in page and "«Brecha salarial de género»" in page
    assert not re.search(r"«(S\d+|c1|genero|web|igualdad|i1)»", page)  # things by their names, never keys
    for private in ("@example.org", "Ana Pérez", PASSWORD):
        assert private not in page
    audit = c.get("/w/p/audit").text
    assert 'id="audit-ok"' in audit and re.search(r'<code class="hash">[0-9a-f]{64}</code>', audit)
    from storage.models import AuditEntry
    with Session(sqlite_db) as s:  # an entry edited by hand: the page says the chain is broken
        e = s.exec(select(AuditEntry).order_by(AuditEntry.seq)).first()
        e.actor = "otro"
        s.add(e)
        s.commit()
    broken = c.get("/w/p/audit").text
    assert 'id="audit-broken"' in broken and "<li>" in broken.split('id="audit-broken"')[1]
    reminders = c.get("/w/p/reminders").text
    assert 'id="send-due"' in reminders and "Recordatorios" in reminders
    r = c.post("/w/p/reminders/send", data={"csrf": csrf_of(reminders)})
    assert r.status_code == 303 and r.headers["location"] == "/w/p/reminders"
    after = c.get("/w/p/reminders").text
    assert "Recordatorios enviados ahora:" in after
    # a liaison sees only its own reminders and no send button
    liaison = client(sqlite_db, clock, mail=mail)
    sign_in(liaison, "p", "enlace")
    own = liaison.get("/w/p/reminders").text
    assert 'id="send-due"' not in own and "Integrante gob" not in own
    r = liaison.post("/w/p/reminders/send", data={"csrf": csrf_of(own)})
    assert r.status_code == 303 and 'class="reasons notice-refused"' in liaison.get("/w/p/reminders").text


def test_a_person_added_with_an_email_is_invited_to_choose_a_password(sqlite_db, clock, tmp_path):
    from notifications.config import MailConfig, SmtpSettings

    _with_passwords(process_at(sqlite_db, clock, "consultation"))
    c = client(sqlite_db, clock, mail=MailConfig(SmtpSettings(outbox_dir=str(tmp_path / "mail"))))
    sign_in(c, "p", "coord")
    page = c.get("/w/p/do/add_person").text
    assert 'name="invite" value="on" checked' in page
    r = c.post("/w/p/do/add_person", data={"handle": "", "name": "Rosa Núñez", "role": "member",
                                           "sector": "civil_society", "email": "rosa@example.org", "invite": "on",
                                           "csrf": csrf_of(page)})
    assert r.status_code == 200 and 'id="sent-rosa-nunez"' in r.text and "Se agregó a «Rosa Núñez»" in r.text
    import email
    from email import policy
    (eml,) = list((tmp_path / "mail").iterdir())
    message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["To"].addresses[0].addr_spec == "rosa@example.org"
    assert "handle=rosa-nunez" in message.get_body(("plain",)).get_content()
    with Session(sqlite_db) as s:
        assert s.exec(select(Person).where(Person.handle == "rosa-nunez")).one().role == "member"


def test_a_liaison_sees_its_agency_work_by_name_and_every_report_it_made(sqlite_db, clock):
    p = process_at(sqlite_db, clock, "monitoring")
    p.on("2026-07-15")  # the activity has started: progress may be reported
    _with_passwords(p, "enlace")
    c = client(sqlite_db, clock)
    sign_in(c, "p", "enlace")
    dash = c.get("/w/p").text
    mine = dash.split('id="activities"')[1].split("</section>\n{% endif %}")[0]
    assert "Compromiso: Tabuladores abiertos" in mine and "Actividad: Publicar" in mine
    assert "Entregable: Portal" in mine and "Brecha medida" in mine
    assert "Actividad aceptada el" in mine and "(a1, c1)" not in mine
    page = c.get("/w/p").text
    r = c.post("/w/p/do/report_progress", data={"activity": "a1", "status": "in_progress", "percent": "40",
                                                "evidence_ref": "https://example.net/avance.pdf",
                                                "reported_on": clock.now().date().isoformat(), "csrf": csrf_of(page)})
    assert r.status_code == 303, r.text
    reports = c.get("/w/p").text.split('id="reports-a1-title"')[1].split("</ul>")[0]
    assert "en curso, 40 %" in reports and 'href="https://example.net/avance.pdf"' in reports
    assert "Enlace Igualdad" in reports
    assert 'href="/w/p/reminders"' in dash


def test_a_liaison_gives_evidence_as_a_file_kept_by_its_hash(sqlite_db, clock):
    import hashlib

    p = process_at(sqlite_db, clock, "monitoring")
    p.on("2026-07-15")
    _with_passwords(p, "enlace")
    c = client(sqlite_db, clock)
    sign_in(c, "p", "enlace")
    page = c.get("/w/p").text
    assert 'enctype="multipart/form-data"' in page and 'name="evidence_file" type="file"' in page
    pdf = b"%PDF-1.4\n% evidencia de avance\n" + b"0" * 2000
    data = {"activity": "a1", "status": "in_progress", "percent": "50", "reported_on": "2026-07-15",
            "csrf": csrf_of(page)}
    # a renamed program, an empty file, a file too large: refused in words, nothing recorded
    before = audit_count(sqlite_db)
    for name, body, code in (("oficio.pdf", b"MZ\x90\x00 not a pdf", "evidence_type"),
                             ("vacio.pdf", b"", "evidence_empty"),
                             ("grande.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "evidence_too_large")):
        r = c.post("/w/p/do/report_progress", data=data, files={"evidence_file": (name, body, "application/pdf")})
        assert r.status_code == 400 and code in r.text, (name, r.status_code)
    assert audit_count(sqlite_db) == before
    r = c.post("/w/p/do/report_progress", data=data, files={"evidence_file": ("avance julio.pdf", pdf, "application/pdf")})
    assert r.status_code == 303, r.text
    digest = hashlib.sha256(pdf).hexdigest()
    with Session(sqlite_db) as s:
        from storage.models import ProgressReport
        (report,) = s.exec(select(ProgressReport)).all()
    assert report.evidence_ref == f"http://testserver/evidencia/p/{digest}/avance%20julio.pdf" or \
        report.evidence_ref.endswith(f"/evidencia/p/{digest}/avance%20julio.pdf")
    # served publicly, as cited, the same bytes
    public = client(sqlite_db, clock).get(f"/evidencia/p/{digest}/avance%20julio.pdf")
    assert public.status_code == 200 and public.content == pdf and public.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(public.content).hexdigest() == digest
    assert client(sqlite_db, clock).get(f"/evidencia/p/{'0' * 64}/x.pdf").status_code == 404


def test_evidence_is_shown_only_when_safe_and_downloaded_otherwise(sqlite_db, clock):
    """A PDF or a picture opens in the browser; a text, a sheet or a document is downloaded as a
    file (``Content-Disposition: attachment``), never sniffed: markup typed into a .txt is not a page."""
    import hashlib

    p = process_at(sqlite_db, clock, "monitoring")
    p.on("2026-07-15")
    _with_passwords(p, "enlace")
    c = client(sqlite_db, clock)
    sign_in(c, "p", "enlace")
    files = {"avance.pdf": (b"%PDF-1.4\n%%EOF\n", "inline"),
             "foto.png": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "inline"),
             "foto.jpg": (b"\xff\xd8\xff\xe0" + b"\x00" * 32, "inline"),
             "notas.txt": (b"<html><script>alert(document.cookie)</script></html>", "attachment"),
             "datos.csv": (b"a,b\n1,2\n", "attachment"),
             "oficio.docx": (b"PK\x03\x04" + b"\x00" * 32, "attachment"),
             "informe ñandú final.odt": (b"PK\x03\x04" + b"\x01" * 32, "attachment")}
    anon = client(sqlite_db, clock)
    for n, (name, (body, kind)) in enumerate(files.items()):
        page = c.get("/w/p").text
        r = c.post("/w/p/do/report_progress", files={"evidence_file": (name, body, "application/octet-stream")},
                   data={"activity": "a1", "status": "in_progress", "percent": str(10 + n), "reported_on": "2026-07-15",
                         "csrf": csrf_of(page)})
        assert r.status_code == 303, (name, r.text)
        got = anon.get(f"/evidencia/p/{hashlib.sha256(body).hexdigest()}/{quote(name, safe='')}")
        assert got.status_code == 200 and got.content == body, name
        assert got.headers["x-content-type-options"] == "nosniff", name
        disposition = got.headers["content-disposition"]
        assert disposition.split(";")[0] == kind, (name, disposition)
        assert f"filename*=UTF-8''{quote(name, safe='')}" in disposition and disposition.isascii()
    assert 'filename="informe _and_ final.odt"' in disposition
    from web.workspace_pages import evidence_disposition

    assert evidence_disposition('a"b\\c.txt', "text/plain; charset=utf-8") == \
        "attachment; filename=\"a_b_c.txt\"; filename*=UTF-8''a%22b%5Cc.txt"


def _no_json_to_write(page: str) -> None:
    """No field of the page asks for JSON, ``key = n`` lines or ``a | b`` rows to be typed."""
    assert "objeto JSON" not in page and "separadas por" not in page and "sector = número" not in page
    for name in re.findall(r'<textarea[^>]* name="([^"]+)"', page):
        assert name.split(".")[-1] not in ("changes", "settings", "ruleset", "sectors", "signatories", "causes",
                                           "solutions", "quorum"), name


def test_no_workspace_form_asks_for_json(sqlite_db, clock):
    from workflow.actions import ACTIONS
    from workflow.actions.decisions import KINDS

    p = _with_passwords(process_at(sqlite_db, clock, "commitments"))
    p("add_agency", key="igualdad", name="Secretaría de Igualdad")
    p("draft_commitment", key="c1", theme="genero", solution="sol1", title="Tabuladores abiertos", problem="Brecha",
      cause="Tabuladores opacos", objective="Reducir la brecha", axes=["transparency"], ambition="proactive",
      outcome="Tabuladores publicados", end_date="2026-12-31", agencies=["igualdad"], action_lines=["Publicar"])
    c = client(sqlite_db, clock)
    sign_in(c, "p", "coord")
    pages = [f"/w/p/do/{n}" for n, a in ACTIONS.items() if not a.creates_process and not a.public]
    pages += [f"/w/p/do/propose_decision?kind={k}" for k in KINDS]
    pages += ["/w/p/do/propose_decision?kind=amend_commitment&commitment=c1", "/w/p/plan", "/w/p/inbox"]
    for path in pages:
        r = c.get(path, follow_redirects=True)  # an action with a page of its own (a sheet) is sent there
        assert r.status_code == 200, path
        _no_json_to_write(r.text)
    # a motion to amend: first the commitment, by name; then its own fields as they are now
    choose = c.get("/w/p/do/propose_decision?kind=amend_commitment").text
    assert 'id="choose-commitment"' in choose and "commitment=c1" in choose and "Tabuladores abiertos" in choose
    form = c.get("/w/p/do/propose_decision?kind=amend_commitment&commitment=c1").text
    assert 'name="changes.title"' in form and 'value="Tabuladores abiertos"' in form
    assert re.search(r'name="changes.agencies" value="igualdad" checked', form)


def test_a_motion_takes_its_kind_s_fields_as_form_controls(sqlite_db, clock):
    p = _with_passwords(process_at(sqlite_db, clock, "commitments"))
    p("add_agency", key="igualdad", name="Secretaría de Igualdad")
    p("add_agency", key="finanzas", name="Secretaría de Finanzas")
    p("draft_commitment", key="c1", theme="genero", solution="sol1", title="Tabuladores abiertos", problem="Brecha",
      cause="Tabuladores opacos", objective="Reducir la brecha", axes=["transparency"], ambition="proactive",
      outcome="Tabuladores publicados", end_date="2026-12-31", agencies=["igualdad"], action_lines=["Publicar"])
    key = p.session()
    c = client(sqlite_db, clock)
    sign_in(c, "p", "coord")
    # the quorum rule: a number for each sector
    quorum = c.get(f"/w/p/do/propose_decision?kind=set_quorum_rule&session={key}").text
    assert 'type="number"' in quorum and 'name="quorum.sectors.government"' in quorum
    assert 'name="quorum.sectors.citizen"' not in quorum  # citizens are no seat of the secretariat
    # it starts from the rule in force
    assert re.search(r'name="quorum.sectors.government" value="1"', quorum)
    assert re.search(r'name="quorum.sectors.academia" value=""', quorum)
    r = _post(c, "/w/p/do/propose_decision", {"kind": "set_quorum_rule", "session": key,
                                               "quorum.sectors.government": "1", "quorum.sectors.civil_society": "2",
                                               "quorum.sectors.guarantor": "", "quorum.min_members": "3"})
    assert r.status_code == 303, r.text
    with Session(sqlite_db) as s:
        (rule,) = [d for d in s.exec(select(Decision)) if d.kind == "set_quorum_rule"]
    assert rule.payload["quorum"] == {"sectors": {"government": 1, "civil_society": 2}, "min_members": 3}
    # an amendment from the motion form: the fields that differ are the changes
    page = c.get(f"/w/p/do/propose_decision?kind=amend_commitment&commitment=c1&session={key}").text
    data = {"kind": "amend_commitment", "session": key, "commitment": "c1", "reason": "Se suma Finanzas",
            "changes.title": "Tabuladores abiertos", "changes.problem": "Brecha", "changes.cause": "Tabuladores opacos",
            "changes.objective": "Reducir la brecha", "changes.axes": "transparency", "changes.ambition": "proactive",
            "changes.outcome": "Tabuladores publicados", "changes.end_date": "2026-12-31",
            "changes.agencies": ["igualdad", "finanzas"], "changes.action_lines": "Publicar", "csrf": csrf_of(page)}
    r = c.post("/w/p/do/propose_decision", data=data)
    assert r.status_code == 303, r.text
    with Session(sqlite_db) as s:
        (amend,) = [d for d in s.exec(select(Decision)) if d.kind == "amend_commitment"]
    assert amend.payload["commitment"] == "c1" and amend.payload["changes"] == {"agencies": ["igualdad", "finanzas"]}
    # nothing changed: refused, with what the typed form said kept
    before = audit_count(sqlite_db)
    r = c.post("/w/p/do/propose_decision", data={**data, "changes.agencies": "igualdad",
                                                  "csrf": csrf_of(c.get("/w/p/do/propose_decision").text)})
    assert r.status_code == 400 and audit_count(sqlite_db) == before
    assert 'value="Tabuladores abiertos"' in r.text and 'name="commitment" value="c1"' in r.text


def test_tables_and_settings_are_filled_box_by_box(sqlite_db, clock):
    p = _with_passwords(process_at(sqlite_db, clock, "declaration"))
    c = client(sqlite_db, clock)
    sign_in(c, "p", "coord")
    form = c.get("/w/p/do/sign_declaration").text
    assert 'name="signatories.0.name"' in form and re.search(r'<select id="[^"]+" name="signatories.0.sector"', form)
    r = _post(c, "/w/p/do/sign_declaration", {
        "signed_on": "2026-01-15", "document_ref": "decl.pdf",
        "signatories.0.name": "Gobernador", "signatories.0.role": "Ejecutivo", "signatories.0.sector": "government",
        "signatories.1.name": "", "signatories.1.role": "", "signatories.1.sector": "",
        "signatories.2.name": "Comisionada", "signatories.2.role": "Órgano garante",
        "signatories.2.sector": "guarantor"})
    assert r.status_code == 303, r.text
    declared = json.dumps(queries.history(sqlite_db, "p")[-1]["payload"], ensure_ascii=False)
    assert '"name": "Comisionada", "role": "Órgano garante", "sector": "guarantor"' in declared
    # compliance settings: one box each, the default said; only what is typed is changed
    form = c.get("/w/p/do/configure_compliance").text
    assert 'name="settings.forum_max_gap_months"' in form and "Valor predeterminado: 6." in form
    r = _post(c, "/w/p/do/configure_compliance", {"settings.forum_max_gap_months": "4",
                                                   "settings.plan_durations_months": "24, 36",
                                                   "settings.independent_sectors": "civil_society, academia"})
    assert r.status_code == 303, r.text
    with Session(sqlite_db) as s:
        settings = s.exec(select(Process)).one().settings["compliance"]["settings"]
    assert settings == {"forum_max_gap_months": 4, "plan_durations_months": [24, 36],
                        "independent_sectors": ["civil_society", "academia"]}
    assert "Este proceso usa: 4." in c.get("/w/p/do/configure_compliance").text
    # a rule set of one's own: a file, never JSON typed into a box
    page = c.get("/w/p/do/register_ruleset").text
    assert 'type="file"' in page and 'enctype="multipart/form-data"' in page
    definition = ("name: mx-stt\nversion: '2026.1'\ntitle: {es: Reglas del STT, en: STT rules}\nbase: ogp-2022\n"
                  "settings: {forum_max_gap_months: 3}\n")
    r = c.post("/w/p/do/register_ruleset", data={"use": "on", "csrf": csrf_of(page)},
               files={"ruleset": ("reglas.yaml", definition.encode(), "text/yaml")})
    assert r.status_code == 303, r.text
    with Session(sqlite_db) as s:
        assert s.exec(select(Process)).one().ruleset == "mx-stt"
    before = audit_count(sqlite_db)
    bad = c.post("/w/p/do/register_ruleset", data={"csrf": csrf_of(page)},
                 files={"ruleset": ("reglas.yaml", b"name: [sin cerrar\n", "text/yaml")})
    assert bad.status_code == 400 and "ruleset_file_unreadable" in bad.text and audit_count(sqlite_db) == before


def test_a_coordinator_hides_an_input_from_the_inbox_and_sees_it_with_its_reason(sqlite_db, clock):
    p = _with_passwords(process_at(sqlite_db, clock, "consultation"), "gob")
    complete_stage(p, "consultation")
    p("record_input", key="i2", channel="web", text="Compre relojes baratos en este sitio", received_on="2026-02-18")
    p("record_input", key="i3", channel="web", text="Transparencia en compras públicas", received_on="2026-02-18")
    c = client(sqlite_db, clock)
    sign_in(c, "p", "coord")
    page = c.get("/w/p/inbox").text
    assert 'id="input-i2"' in page and 'action="/w/p/do/hide_input"' in page and "Ocultar la aportación" in page
    reasons = re.search(r'<select id="f-hide-reason" name="reason"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert re.findall(r'<option value="([^"]*)"', reasons) == ["", "spam", "insult", "personal_data"]
    assert "publicidad no deseada" in reasons and "datos personales" in reasons
    queued = page.split('id="next-i3"')[1].split("</li>")[0]  # the next in line may be hidden too
    assert 'name="input" value="i3"' in queued and 'action="/w/p/do/hide_input"' in queued
    before = audit_count(sqlite_db)
    r = c.post("/w/p/do/hide_input", data={"input": "i2", "reason": "spam", "note": "Anuncio de relojes",
                                           "next": "/w/p/inbox", "back": "1", "csrf": csrf_of(page)})
    assert r.status_code == 303 and r.headers["location"] == "/w/p/inbox"
    assert audit_count(sqlite_db) == before + 1
    page = c.get("/w/p/inbox").text
    assert 'id="input-i3"' in page and 'id="input-i2"' not in page  # hidden: answered by its reason
    hidden = page.split('id="hidden"')[1]
    assert 'id="hidden-i2"' in hidden and "Publicidad no deseada" in hidden and "Anuncio de relojes" in hidden
    assert "Compre relojes baratos" in hidden  # the text is kept for the coordination
    public = client(sqlite_db, clock).get("/p/p").text
    assert "Compre relojes baratos" not in public
    # a member neither hides nor sees hidden inputs
    member = client(sqlite_db, clock)
    sign_in(member, "p", "gob")
    seen = member.get("/w/p/inbox").text
    assert 'action="/w/p/do/hide_input"' not in seen and 'id="hidden"' not in seen
    assert "Compre relojes" not in seen


def test_a_coordinator_shows_again_an_input_hidden_by_mistake_from_the_hidden_list(sqlite_db, clock):
    p = _with_passwords(process_at(sqlite_db, clock, "consultation"), "gob")
    complete_stage(p, "consultation")
    p("record_input", key="i2", channel="web", text="Transparencia en compras públicas", received_on="2026-02-18")
    p("hide_input", input="i2", reason="spam", note="por error")
    c = client(sqlite_db, clock)
    sign_in(c, "p", "coord")
    page = c.get("/w/p/inbox").text
    hidden = page.split('id="hidden"')[1].split("</section>")[0]
    item = hidden.split('id="hidden-i2"')[1].split("</li>")[0]
    assert 'action="/w/p/do/unhide_input"' in item and 'name="input" value="i2"' in item
    assert 'name="reason"' in item and "Volver a mostrarla (se ocultó por error)" in item
    before = audit_count(sqlite_db)
    empty = c.post("/w/p/do/unhide_input", data={"input": "i2", "reason": "", "next": "/w/p/inbox", "back": "1",
                                                 "csrf": csrf_of(page)})
    assert empty.status_code == 303 and audit_count(sqlite_db) == before  # the reason is required: said on the page
    assert "No se pudo registrar: Volver a mostrar una aportación ocultada por error" in c.get("/w/p/inbox").text
    r = c.post("/w/p/do/unhide_input", data={"input": "i2", "reason": "No era publicidad", "next": "/w/p/inbox",
                                             "back": "1", "csrf": csrf_of(page)})
    assert r.status_code == 303 and r.headers["location"] == "/w/p/inbox"
    assert audit_count(sqlite_db) == before + 1
    page = c.get("/w/p/inbox").text
    assert 'id="hidden-i2"' not in page and 'id="input-i2"' in page  # back among those to answer
    public_page = client(sqlite_db, clock).get("/p/p").text
    assert "Transparencia en compras públicas" in public_page and 'id="hidden-inputs"' not in public_page
    member = client(sqlite_db, clock)  # a member does not see the list, nor the button
    sign_in(member, "p", "gob")
    assert 'action="/w/p/do/unhide_input"' not in member.get("/w/p/inbox").text
