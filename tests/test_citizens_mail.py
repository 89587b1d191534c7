"""The emails to citizens through the real outbox and worker, to a real SMTP server (aiosmtpd):
the confirmation link before anything else, the reasoned response once confirmed, one-click
unsubscribe headers, nothing to an unconfirmed, unsubscribed or erased address."""
from __future__ import annotations

import dataclasses
import re

import pytest
from builders import online_consultation
from mailserver import mail_config, smtp_server, tick
from sqlmodel import Session, select
from webkit import client, csrf_of

from storage.models import CitizenContact
from storage.outbox import OutboxMessage

EMAIL = "lucia.citizen@example.net"
SITE = "https://cocrea.example.org"


@pytest.fixture
def smtp():
    with smtp_server() as server:
        yield server


@pytest.fixture
def consulting(db, clock):
    p = online_consultation(db, clock)
    p.on("2026-02-12")
    return p


def config(smtp):
    host, port, _ = smtp
    return dataclasses.replace(mail_config(host, port), public_url=SITE)


def text_of(message) -> str:
    return message.message.get_body(preferencelist=("plain",)).get_content()


def to_citizen(handler):
    return [m for m in handler.messages if m.rcpt_tos == [EMAIL]]


def send_input(db, clock, **extra):
    c = client(db, clock, public_url=SITE)
    page = c.get("/p/p/participa")
    sent = c.post("/p/p/participa", data={"csrf": csrf_of(page.text), "channel": "web", "privacy": "yes",
                                          "text": "Que publiquen los tabuladores", "email": EMAIL, **extra})
    assert sent.status_code == 303
    return c


def test_confirm_then_receive_the_reasoned_response(consulting, db, clock, smtp):
    p, handler = consulting, smtp[2]
    c = send_input(db, clock)
    p("answer_input", input="i1", disposition="adopted", rationale="Se incluye en la mesa de transparencia")
    tick(db, clock, config(smtp))
    (confirm,) = to_citizen(handler)  # the confirmation only: the response waits for it
    body = text_of(confirm)
    assert confirm.message["Subject"] == "Confirme su correo para el proceso «Proceso p»"
    link = re.search(rf"{re.escape(SITE)}/p/p/confirmar/[A-Za-z0-9_-]+", body).group()
    assert confirm.message["List-Unsubscribe"] is None
    # the citizen opens the link: a page with a button; the button confirms
    path = link.removeprefix(SITE)
    assert c.get(path).status_code == 200
    assert c.post(path).status_code == 200
    clock.advance(minutes=5)
    tick(db, clock, config(smtp))
    confirm_again, answer = to_citizen(handler)
    assert confirm_again is confirm
    text = text_of(answer)
    assert "i1" in answer.message["Subject"] and "Se incluye en la mesa de transparencia" in text
    assert "Que publiquen los tabuladores" in text and "adoptada" in text
    unsubscribe = answer.message["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{SITE}/p/p/baja/") and answer.message["List-Unsubscribe-Post"] == \
        "List-Unsubscribe=One-Click"
    # sent once: another tick sends nothing more
    clock.advance(minutes=5)
    tick(db, clock, config(smtp))
    assert len(to_citizen(handler)) == 2
    # one click, as a mail client does it: nothing more is sent to the address
    out = client(db, clock).post(unsubscribe.strip("<>").removeprefix(SITE), content=b"List-Unsubscribe=One-Click",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert out.status_code == 200
    with Session(db) as s:
        assert s.exec(select(CitizenContact)).one().confirmed_at is None


def test_nothing_reaches_an_unconfirmed_or_erased_address(consulting, db, clock, smtp):
    p, handler = consulting, smtp[2]
    send_input(db, clock)
    p("erase_contact", email=EMAIL)  # before the worker's turn: the confirmation is cancelled
    tick(db, clock, config(smtp))
    assert to_citizen(handler) == []
    with Session(db) as s:
        rows = [r for r in s.exec(select(OutboxMessage)) if r.contact_id is not None]
    assert [(r.status, r.recipient) for r in rows] == [("cancelled", "")]
    assert all(EMAIL not in m.raw.decode("utf-8", "replace") for m in handler.messages)


def test_the_response_in_spanish_reads_whole(consulting, db, clock, smtp):
    p, handler = consulting, smtp[2]
    send_input(db, clock)
    with Session(db) as s:
        token = s.exec(select(CitizenContact)).one().token
    client(db, clock).post(f"/p/p/confirmar/{token}")
    p("answer_input", input="i1", disposition="not_adopted", rationale="Ya existe una ley que lo exige")
    tick(db, clock, config(smtp))
    (answer,) = to_citizen(handler)
    text = text_of(answer)
    assert answer.message["Subject"] == "Respuesta a su aportación i1 — Proceso p"
    assert "Su aportación i1, recibida el 12 de febrero de 2026 en el proceso «Proceso p», ya tiene su respuesta" in text
    assert "Respuesta: no adoptada." in text and f"{SITE}/p/p/baja/" in text


def test_following_a_process_brings_a_weekly_digest_with_one_click_unsubscribe(consulting, db, clock, smtp):
    p, handler = consulting, smtp[2]
    c = client(db, clock, public_url=SITE)
    page = c.get("/p/p/seguir")
    assert c.post("/p/p/seguir", data={"csrf": csrf_of(page.text), "email": EMAIL, "privacy": "yes"}).status_code == 200
    tick(db, clock, config(smtp))
    (confirm,) = to_citizen(handler)
    assert confirm.message["Subject"] == "Confirme que sigue el proceso «Proceso p»"
    link = re.search(rf"{re.escape(SITE)}(/p/p/seguir/confirmar/[A-Za-z0-9_-]+)", text_of(confirm)).group(1)
    assert c.get(link).status_code == 200 and c.post(link).status_code == 200
    p("publish_document", kind="report", title="Informe de la consulta", ref="https://example.net/informe.pdf")
    p.on("2026-02-16")  # Monday: last week's digest is due
    tick(db, clock, config(smtp))
    digest = to_citizen(handler)[-1]
    assert digest is not confirm
    text = text_of(digest)
    assert "Informe de la consulta" in text and "Proceso p" in digest.message["Subject"]
    assert "9 de febrero de 2026" in digest.message["Subject"]
    assert digest.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # once a week: another tick the same week sends nothing more
    clock.advance(hours=3)
    tick(db, clock, config(smtp))
    assert len(to_citizen(handler)) == 2
    # one click stops it: the next week's changes reach nobody
    out = client(db, clock).post(digest.message["List-Unsubscribe"].strip("<>").removeprefix(SITE),
                                 content=b"List-Unsubscribe=One-Click",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert out.status_code == 200
    p("publish_document", kind="report", title="Otro informe", ref="https://example.net/otro.pdf")
    p.on("2026-02-23")
    tick(db, clock, config(smtp))
    assert len(to_citizen(handler)) == 2


def test_no_digest_for_a_quiet_week_or_an_unconfirmed_follower(consulting, db, clock, smtp):
    p, handler = consulting, smtp[2]
    c = client(db, clock, public_url=SITE)
    page = c.get("/p/p/seguir")
    c.post("/p/p/seguir", data={"csrf": csrf_of(page.text), "email": EMAIL, "privacy": "yes"})
    p("publish_document", kind="report", title="Informe", ref="https://example.net/informe.pdf")
    p.on("2026-02-16")
    tick(db, clock, config(smtp))
    assert [m.message["Subject"].startswith("Confirme") for m in to_citizen(handler)] == [True]  # not confirmed


def test_following_is_confirmed_by_its_own_link_even_for_a_confirmed_address(consulting, db, clock, smtp):
    """An address confirmed for an input does not follow the process until the link of following
    is opened: nobody subscribes someone else to the digest; the address's own link does not do it."""
    p, handler = consulting, smtp[2]
    c = send_input(db, clock)
    with Session(db) as s:
        token = s.exec(select(CitizenContact)).one().token
    assert c.post(f"/p/p/confirmar/{token}").status_code == 200  # the address, confirmed for the input
    tick(db, clock, config(smtp))
    assert to_citizen(handler) == []  # its confirmation was no longer needed: cancelled, not sent
    page = c.get("/p/p/seguir")
    assert c.post("/p/p/seguir", data={"csrf": csrf_of(page.text), "email": EMAIL, "privacy": "yes"}).status_code == 200
    p("publish_document", kind="report", title="Informe de la consulta", ref="https://example.net/informe.pdf")
    tick(db, clock, config(smtp))
    (ask,) = to_citizen(handler)  # the address is confirmed, yet following asks its own confirmation
    assert ask.message["Subject"] == "Confirme que sigue el proceso «Proceso p»"
    assert f"{SITE}/p/p/seguir/confirmar/{token}" in text_of(ask)
    assert c.post(f"/p/p/confirmar/{token}").status_code == 200  # the address's link again: not following
    p.on("2026-02-16")  # Monday: last week's digest would be due
    tick(db, clock, config(smtp))
    assert len(to_citizen(handler)) == 1  # no digest: the subscription is not confirmed
    with Session(db) as s:
        row = s.exec(select(CitizenContact)).one()
        assert row.following and row.follow_confirmed_at is None
    assert c.post(f"/p/p/seguir/confirmar/{token}").status_code == 200
    p("publish_document", kind="report", title="Otro informe", ref="https://example.net/otro.pdf")
    p.on("2026-02-23")
    tick(db, clock, config(smtp))
    digest = to_citizen(handler)[-1]
    assert len(to_citizen(handler)) == 2 and "Otro informe" in text_of(digest)
    assert digest.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_follow_form_says_the_limit_of_the_day_and_queues_nothing_more(consulting, db, clock):
    p = consulting
    p("configure_participation", per_address=1)
    c = client(db, clock, public_url=SITE)
    page = c.get("/p/p/seguir")
    assert c.post("/p/p/seguir", data={"csrf": csrf_of(page.text), "email": EMAIL, "privacy": "yes"}).status_code == 200
    r = c.post("/p/p/seguir", data={"csrf": csrf_of(page.text), "email": "otra@example.net", "privacy": "yes"})
    assert r.status_code == 409
    assert "Demasiadas suscripciones para seguir este proceso desde esta conexión hoy (como máximo 1)" in r.text
    with Session(db) as s:
        assert [c.email for c in s.exec(select(CitizenContact))] == [EMAIL]
        assert len([m for m in s.exec(select(OutboxMessage)) if m.kind == "follow_confirmation"]) == 1
