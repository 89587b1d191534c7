"""Citizens taking part through the real app (FastAPI's TestClient over a real database): the
form while the online channel is open, what the page says when it is not, the privacy notice, the
honeypot, the limits, what is published and what never is."""
from __future__ import annotations

import json

import pytest
from builders import draft_commitment, online_consultation, open_comments, process_at
from sqlmodel import Session, select
from webkit import audit_count, client, csrf_of

from storage.models import CitizenContact, Input

EMAIL = "lucia.citizen@example.net"


@pytest.fixture
def site(db, clock):
    p = online_consultation(db, clock)
    p("open_channel", key="foro", kind="assembly", name="Foro en Guadalajara", aimed_at_excluded=True,
      announced_on="2026-01-21", opens_on="2026-02-10", closes_on="2026-02-10")
    p("add_theme", key="agua", name="Agua potable")
    return p


def form_of(c, slug="p"):
    page = c.get(f"/p/{slug}/participa")
    assert page.status_code == 200
    return page, {"csrf": csrf_of(page.text), "channel": "web", "text": "Que publiquen los tabuladores",
                  "privacy": "yes"}


def inputs(db):
    with Session(db) as s:
        return list(s.exec(select(Input).order_by(Input.id)))


def test_before_it_opens_the_page_says_when_and_how_else(site, clock):
    c = client(site.db, clock)
    page = c.get("/p/p/participa")
    assert page.status_code == 200 and 'id="participate"' not in page.text
    assert 'id="opens"' in page.text and "Consulta en línea" in page.text and "2026-02-04" in page.text
    assert "Foro en Guadalajara" in page.text  # the other channels
    home = c.get("/p/p").text
    assert 'id="take-part"' in home and "/p/p/participa" in home


def test_a_citizen_sends_an_input_with_the_form(site, db, clock):
    site.on("2026-02-12")
    c = client(db, clock)
    home = c.get("/p/p").text
    assert "Enviar una aportación" in home
    page, data = form_of(c)
    assert "Aviso de privacidad" in page.text and "LGPDPPSO" in page.text  # the default notice, in Spanish
    assert 'name="website"' in page.text  # the honeypot
    data.update(themes=["agua"], email=EMAIL, profile_state="Colima", profile_sector="academia")
    sent = c.post("/p/p/participa", data=data)
    assert sent.status_code == 303 and "/participa/gracias" in sent.headers["location"]
    done = c.get(sent.headers["location"]).text
    assert "i1" in done and "confirmar" in done.lower()
    (row,) = inputs(db)
    assert (row.text, row.themes, row.contact_email, row.profile) == (
        "Que publiquen los tabuladores", ["agua"], EMAIL, {"sector": "academia", "state": "Colima"})
    # published without anything personal, in every public output
    for path in ("/p/p", "/p/p/data.json", "/p/p/data/inputs.csv", "/p/p/feed.atom"):
        body = c.get(path).text
        assert EMAIL not in body and "Colima" not in body, path
    assert "Que publiquen los tabuladores" in c.get("/p/p").text


def test_refusals_are_said_on_the_form_and_nothing_is_recorded(site, db, clock):
    site.on("2026-02-12")
    c = client(db, clock)
    _, data = form_of(c)
    before = audit_count(db)
    no_notice = c.post("/p/p/participa", data={**data, "privacy": ""})
    assert no_notice.status_code == 409 and "aviso de privacidad" in no_notice.text
    phone = c.post("/p/p/participa", data={**data, "text": "Llámenme al 33 3615 1234"})
    assert phone.status_code == 409 and "teléfono" in phone.text
    assert "Llámenme al 33 3615 1234" in phone.text  # what they typed is kept in the form
    too_long = c.post("/p/p/participa", data={**data, "text": "x" * 4001})
    assert too_long.status_code == 400
    forged = c.post("/p/p/participa", data={**data, "csrf": "forged"})
    assert forged.status_code == 403
    assert audit_count(db) == before and inputs(db) == []


def test_the_honeypot_thanks_and_drops(site, db, clock):
    site.on("2026-02-12")
    c = client(db, clock)
    _, data = form_of(c)
    before = audit_count(db)
    sent = c.post("/p/p/participa", data={**data, "website": "http://spam.example"})
    assert sent.status_code == 303
    assert audit_count(db) == before and inputs(db) == []


def test_the_limit_per_address_holds_on_the_form(site, db, clock):
    site.on("2026-02-12")
    site("configure_participation", per_address=2)
    c = client(db, clock)
    _, data = form_of(c)
    assert [c.post("/p/p/participa", data={**data, "text": f"Idea {n}"}).status_code for n in range(3)] == [303, 303,
                                                                                                            409]
    assert len(inputs(db)) == 2


def test_after_it_closes_the_page_says_so(site, db, clock):
    site.on("2026-03-05")
    c = client(db, clock)
    page = c.get("/p/p/participa")
    assert 'id="closed"' in page.text and 'id="participate"' not in page.text
    refused = c.post("/p/p/participa", data={"csrf": c.cookies.get("cocrea_csrf"), "channel": "web", "text": "Tarde",
                                              "privacy": "yes"})
    assert refused.status_code == 409 and inputs(db) == []


def test_hidden_inputs_are_counted_with_their_reason(site, db, clock):
    site.on("2026-02-12")
    c = client(db, clock)
    _, data = form_of(c)
    c.post("/p/p/participa", data={**data, "text": "COMPRE YA relojes baratos"})
    site("hide_input", input="i1", reason="spam", note="publicidad")
    page = c.get("/p/p").text
    assert "COMPRE YA" not in page and 'id="hidden-inputs"' in page and "publicidad no deseada (1)" in page
    view = json.loads(c.get("/p/p/data.json").text)
    assert view["consultation"]["hidden"] == {"spam": 1}


def test_the_email_links_act_only_on_post(site, db, clock):
    site.on("2026-02-12")
    c = client(db, clock)
    _, data = form_of(c)
    c.post("/p/p/participa", data={**data, "email": EMAIL})
    with Session(db) as s:
        token = s.exec(select(CitizenContact)).one().token
    page = c.get(f"/p/p/confirmar/{token}")
    assert page.status_code == 200 and "<form" in page.text
    with Session(db) as s:
        assert s.exec(select(CitizenContact)).one().confirmed_at is None  # a GET changes nothing
    assert c.post(f"/p/p/confirmar/{token}").status_code == 200
    with Session(db) as s:
        assert s.exec(select(CitizenContact)).one().confirmed_at is not None
    # one-click unsubscribe, as a mail client sends it (no cookie, no form token)
    bare = client(db, clock)
    out = bare.post(f"/p/p/baja/{token}", content=b"List-Unsubscribe=One-Click",
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert out.status_code == 200
    with Session(db) as s:
        contact = s.exec(select(CitizenContact)).one()
        assert contact.confirmed_at is None and contact.token != token
    assert bare.post(f"/p/p/baja/{token}").status_code == 404  # the old link is spent


def test_a_comment_on_the_draft_plan_through_the_form(db, clock):
    p = process_at(db, clock, "commitments")
    draft_commitment(p)
    c = client(db, clock)
    assert 'id="no-comments"' in c.get("/p/p/comentar").text
    open_comments(p)
    assert 'id="comment-open"' in c.get("/p/p").text
    page = c.get("/p/p/comentar")
    assert 'id="draft-c1"' in page.text and "Reducir la brecha" in page.text
    sent = c.post("/p/p/comentar", data={"csrf": csrf_of(page.text), "commitment": "c1", "privacy": "yes",
                                         "text": "Que incluyan a los municipios"})
    assert sent.status_code == 303
    (row,) = [i for i in inputs(db) if i.kind == "comment"]
    assert row.text == "Que incluyan a los municipios"
    assert "Comentario al compromiso «Tabuladores abiertos»" in c.get("/p/p").text
