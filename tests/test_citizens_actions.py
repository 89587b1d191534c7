"""Citizens taking part, through the real actions on SQLite and PostgreSQL: an input from the
public site, its limits and refusals, hiding with a reason, the email confirmed before anything is
sent, the reasoned response queued to a confirmed address, erasure on request (ARCO)."""
from __future__ import annotations

import json

import pytest
from builders import draft_commitment, online_consultation, open_comments, process_at
from snapshots import snapshot
from sqlmodel import Session, select

from reads import public
from stages.errors import NotAllowed, Refused
from storage.models import AuditEntry, CitizenContact, Input
from storage.outbox import OutboxMessage
from workflow import actions

EMAIL = "lucia.citizen@example.net"


@pytest.fixture
def consulting(db, clock):
    p = online_consultation(db, clock)
    p("add_theme", key="agua", name="Agua")
    p("add_theme", key="genero", name="Brecha salarial")
    p.on("2026-02-10")
    return p


def submit(p, **payload):
    p.clock.advance(minutes=5)
    base = {"channel": "web", "text": "Que publiquen los tabuladores", "privacy_accepted": True}
    return actions.apply(p.db, "submit_input", {**base, **payload}, actor="public", process=p.slug, clock=p.clock)


def refused(p, **payload):
    before = snapshot(p.db)
    with pytest.raises(Refused) as exc:
        submit(p, **payload)
    assert snapshot(p.db) == before  # nothing written
    return exc.value.reasons[0].code


def mail(db, **where):
    """The emails to citizens in the outbox (the reminders to the secretariat are there too)."""
    return [m for m in rows(db, OutboxMessage, **where) if m.contact_id is not None]


def rows(db, model, **where):
    with Session(db) as s:
        q = select(model)
        for k, v in where.items():
            q = q.where(getattr(model, k) == v)
        return list(s.exec(q))


def test_an_input_from_the_public_site_is_recorded_by_the_public_actor(consulting, db):
    p = consulting
    out = submit(p, themes=["agua", "genero"], email=EMAIL, client_address="203.0.113.7",
                 profile={"sector": "academia", "gender": "woman", "age_range": "30_44", "state": "Jalisco"})
    (row,) = rows(db, Input, key=out["input"])
    assert (row.kind, row.sector, row.themes, row.received_on.isoformat()) == ("input", "academia", ["agua", "genero"],
                                                                               "2026-02-10")
    assert row.profile == {"sector": "academia", "gender": "woman", "age_range": "30_44", "state": "Jalisco"}
    assert row.contact_email == EMAIL and row.source_digest and "203.0.113.7" not in row.source_digest
    # the audit entry: the public actor, and nothing personal
    entry = rows(db, AuditEntry, action="submit_input")[0]
    assert entry.actor == "public"
    for private in (EMAIL, "203.0.113.7", "Jalisco", "woman"):
        assert private not in entry.body
    # the address is asked to confirm itself; nothing else goes to it yet
    (sent,) = mail(db)
    assert (sent.kind, sent.person_id, sent.recipient) == ("email_confirmation", None, EMAIL)
    # published: the text, never the contact
    view = json.dumps(public.public_view(db, p.slug, clock=p.clock), ensure_ascii=False)
    assert "Que publiquen los tabuladores" in view and EMAIL not in view and "Jalisco" not in view


def test_only_the_public_actions_take_the_public_actor(consulting):
    p = consulting
    with pytest.raises(NotAllowed):
        actions.apply(p.db, "hide_input", {"input": "i1", "reason": "spam"}, actor="public", process=p.slug,
                      clock=p.clock)
    assert "public" in str(p.refused("add_person", handle="public", name="X", role="member", sector="academia")
                           .as_dict("en"))


def test_refusals_leave_the_database_unchanged(consulting):
    p = consulting
    assert refused(p, privacy_accepted=False) == "privacy_notice_not_accepted"
    assert refused(p, text="Escríbanme a lucia@example.net") == "contact_data_in_text"
    assert refused(p, text="Mi teléfono es 33 3615 1234") == "contact_data_in_text"
    p("open_channel", key="taller", kind="workshop", name="Taller", announced_on="2026-01-21",
      opens_on="2026-02-04", closes_on="2026-03-04")
    assert refused(p, channel="taller") == "channel_not_open_online"
    p.on("2026-03-05")
    assert refused(p) == "channel_not_open_online"


def test_limits_per_address_and_per_email_a_day(consulting):
    p = consulting
    p("configure_participation", per_address=2, per_email=1)
    submit(p, client_address="198.51.100.1", email=EMAIL)
    assert refused(p, client_address="198.51.100.2", email=EMAIL) == "too_many_inputs_from_email"
    submit(p, client_address="198.51.100.1")
    assert refused(p, client_address="198.51.100.1") == "too_many_inputs_from_address"
    submit(p, client_address="198.51.100.2")  # another address
    p.on("2026-02-11")
    submit(p, client_address="198.51.100.1", email=EMAIL)  # a new day


def test_only_the_questions_the_process_asks_are_kept(consulting, db):
    p = consulting
    p("configure_participation", ask=["sector"])
    out = submit(p, profile={"sector": "business", "gender": "man"})
    assert rows(db, Input, key=out["input"])[0].profile == {"sector": "business"}


def test_hiding_keeps_the_text_and_the_page_counts_why(consulting, db):
    p = consulting
    key = submit(p, text="COMPRE YA barato")["input"]
    p("hide_input", input=key, reason="spam", note="publicidad")
    (row,) = rows(db, Input, key=key)
    assert row.text == "COMPRE YA barato" and row.hidden_reason == "spam"
    view = public.public_view(db, p.slug, clock=p.clock)
    assert "COMPRE YA" not in json.dumps(view, ensure_ascii=False)
    assert view["consultation"]["hidden"] == {"spam": 1}
    # answered by the recorded reason: the consultation does not wait for a response to spam
    unanswered = [u for u in p.status()["unmet"] if u["code"] == "every_input_answered"]
    assert all(key not in str(u) for u in unanswered)


def test_the_response_goes_only_to_a_confirmed_address(consulting, db):
    p = consulting
    key = submit(p, email=EMAIL)["input"]
    p("answer_input", input=key, disposition="adopted", rationale="Se incluye en la mesa", theme="agua")
    assert [m.kind for m in mail(db)] == ["email_confirmation"]  # not confirmed yet
    (contact,) = rows(db, CitizenContact)
    p.clock.advance(minutes=5)
    actions.apply(db, "confirm_email", {"token": contact.token}, actor="public", process=p.slug, clock=p.clock)
    assert sorted(m.kind for m in mail(db)) == ["email_confirmation", "input_answer"]
    # a second input, answered after the confirmation: its response is queued at once
    key2 = submit(p, email=EMAIL, text="Otra idea")["input"]
    p("answer_input", input=key2, disposition="not_adopted", rationale="Fuera del alcance")
    assert len(mail(db, kind="input_answer")) == 2
    assert len(mail(db, kind="email_confirmation")) == 1  # confirmed: asked once
    assert all(EMAIL not in e.body and contact.token not in e.body for e in rows(db, AuditEntry))


def test_erasure_on_request_keeps_the_text_and_the_chain(consulting, db):
    from reads.status import verify_audit

    p = consulting
    key = submit(p, email=EMAIL, profile={"state": "Colima"}, client_address="192.0.2.9")["input"]
    out = p("erase_contact", email=EMAIL)
    assert out == {"inputs": 1, "contact": True}
    (row,) = rows(db, Input, key=key)
    assert (row.text, row.contact_email, row.profile, row.source_digest) == ("Que publiquen los tabuladores", None,
                                                                             {}, None)
    (contact,) = rows(db, CitizenContact)
    assert contact.email is None and contact.token is None and contact.erased_at is not None
    (sent,) = mail(db)
    assert sent.status == "cancelled" and sent.recipient == ""
    assert verify_audit(db, p.slug)[p.slug] > 0  # the chain still verifies (it never held the data)


# --- comments on the draft commitments ---------------------------------------------------------


@pytest.fixture
def drafting(db, clock):
    p = process_at(db, clock, "commitments")
    draft_commitment(p)
    return p


def comment(p, **payload):
    p.clock.advance(minutes=5)
    base = {"commitment": "c1", "text": "Que incluyan a los municipios", "privacy_accepted": True}
    return actions.apply(p.db, "submit_input", {**base, **payload}, actor="public", process=p.slug, clock=p.clock)


def test_comments_on_the_draft_need_the_secretariats_period_and_a_response_before_approval(drafting, db):
    from stages.errors import TransitionBlocked

    p = drafting
    with pytest.raises(Refused) as exc:
        comment(p)  # no period opened yet
    assert exc.value.reasons[0].code == "comment_period_not_open"
    today, until = open_comments(p, days=14)
    assert public.participation_view(db, p.slug, clock=p.clock)["comments"]["closes_on"] == until.isoformat()
    key = comment(p, email=EMAIL)["input"]
    (row,) = rows(db, Input, key=key)
    assert (row.kind, row.channel_id, row.commitment_id is not None) == ("comment", None, True)
    view = public.public_view(db, p.slug, clock=p.clock)
    shown = [i for i in view["consultation"]["inputs"] if i["key"] == key][0]
    assert (shown["kind"], shown["commitment"]) == ("comment", "c1")
    # the plan is not approved while a comment waits for its reasoned response
    assert "public_comments_answered" in [u["code"] for u in p.status()["unmet"]]
    p("answer_input", input=key, disposition="merged", rationale="Se suma a la línea de acción 1")
    assert "public_comments_answered" not in [u["code"] for u in p.status()["unmet"]]
    p.decide("approve_commitments")
    with pytest.raises(Refused) as exc:
        comment(p)  # agreed: no longer a draft
    assert exc.value.reasons[0].code == "comment_period_not_open"
    assert not isinstance(exc.value, TransitionBlocked)


def test_the_period_is_refused_without_dates_or_drafts(drafting):
    import datetime as dt

    from builders import MX

    p = drafting
    today = p.clock.now().astimezone(MX).date()
    err = p.refused("propose_decision", session=p.session(), kind="open_public_comment",
                    opens_on=(today + dt.timedelta(days=14)).isoformat(), closes_on=today.isoformat())
    assert err.reasons[0].code == "dates_out_of_order"
    err = p.refused("propose_decision", session="S1" if p.n_sessions else p.session(), kind="open_public_comment")
    assert err.reasons[0].code == "invalid_field"


# --- personal data: access, erasure, retention, planted contact data ---------------------------


def test_access_and_erasure_through_the_command(tmp_path, clock):
    from click.testing import CliRunner

    from cli.main import main
    from reads.participation import personal_data
    from storage.db import make_engine

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()

    def run(*args):
        result = runner.invoke(main, ["--db", url, *args])
        assert result.exit_code == 0, result.output
        return result.output

    run("db", "upgrade")
    engine = make_engine(url)
    p = process_at(engine, clock, "consultation")
    p.on("2026-01-21")
    p("open_channel", key="web", kind="online", name="En línea", online=True, opens_on="2026-01-21")
    submit(p, email=EMAIL, profile={"state": "Colima"})
    shown = run("citizen", "data", "p", EMAIL)
    data = json.loads(shown[shown.index("{"):])
    assert [i["profile"] for i in data["inputs"]] == [{"state": "Colima"}] and data["contact"]["confirmed_at"] is None
    assert "1" in run("citizen", "erase", "p", "--email", EMAIL, "--as", "coord")
    assert personal_data(engine, "p", EMAIL) == {"process": "p", "email": EMAIL, "inputs": [], "contact": None}
    engine.dispose()


def test_contact_data_is_purged_only_after_the_retention_period(db, clock):
    import datetime as dt

    p = process_at(db, clock, "closed")  # the builders' input i1 has a contact (Ana Pérez)
    err = p.refused("purge_contact_data")
    assert err.reasons[0].code == "retention_not_over"
    p.clock.advance(days=181)
    assert p("purge_contact_data") == {"inputs": 1, "contacts": 0}
    (row,) = rows(db, Input, key="i1")
    assert (row.contact_name, row.contact_email, row.text) == (None, None, "Igualdad salarial")


def test_contact_data_planted_in_texts_is_masked_in_every_public_output(consulting, db, clock):
    from webkit import client

    p = consulting
    p("record_input", key="i7", channel="web", received_on="2026-02-10",
      text="Escriban a juana.perez@correo.mx o al 33 3615 1234 para más detalles")
    p("answer_input", input="i7", disposition="not_adopted", rationale="Se llamó al +52 1 55 1234 5678, sin respuesta")
    c = client(db, clock)
    for path in ("/p/p", "/p/p/data.json", "/p/p/data/inputs.csv", "/p/p/data/inputs.json", "/p/p/feed.atom",
                 "/p/p/calendar.ics", "/p/p/cumplimiento", "/p/p/cumplimiento.json", "/api/processes/p"):
        body = c.get(path).text
        for planted in ("juana.perez@correo.mx", "3615 1234", "55 1234 5678"):
            assert planted not in body, (path, planted)
    assert "[correo oculto]" in c.get("/p/p").text and "[teléfono oculto]" in c.get("/p/p/data.json").text


def follow(p, email, **payload):
    p.clock.advance(minutes=5)
    base = {"email": email, "privacy_accepted": True}
    return actions.apply(p.db, "follow_process", {**base, **payload}, actor="public", process=p.slug, clock=p.clock)


def follow_refused(p, email, **payload):
    before = snapshot(p.db)
    with pytest.raises(Refused) as exc:
        follow(p, email, **payload)
    assert snapshot(p.db) == before  # nothing written: no contact, no confirmation queued
    return exc.value.reasons[0].code


def test_following_has_the_same_limits_per_address_and_per_email_a_day(consulting, db):
    p = consulting
    p("configure_participation", per_address=2, per_email=1)
    submit(p, client_address="198.51.100.1")  # inputs and follows are counted apart
    follow(p, "a@example.net", client_address="198.51.100.1")
    follow(p, "b@example.net", client_address="198.51.100.1")
    follow(p, "b@example.net", client_address="198.51.100.1")  # already following: nothing starts, no refusal
    assert follow_refused(p, "c@example.net", client_address="198.51.100.1") == "too_many_follows_from_address"
    follow(p, "c@example.net", client_address="198.51.100.2")  # another address
    token = rows(db, CitizenContact, email="c@example.net")[0].token
    actions.apply(db, "unfollow_process", {"token": token}, actor="public", process=p.slug, clock=p.clock)
    assert follow_refused(p, "c@example.net", client_address="198.51.100.3") == "too_many_follows_from_email"
    p.on("2026-02-11")
    follow(p, "c@example.net", client_address="198.51.100.1")  # a new day
    follow(p, "d@example.net", client_address="198.51.100.1")
    assert len(mail(db, kind="follow_confirmation", recipient="c@example.net")) == 2
    with pytest.raises(Refused) as exc:
        follow(p, "e@example.net", client_address="198.51.100.1")
    assert "2" in str(exc.value.as_dict("en")) and "follow" in str(exc.value.as_dict("en"))


def test_the_address_a_follow_came_from_is_kept_only_as_a_digest_and_erased(consulting, db):
    p = consulting
    follow(p, EMAIL, client_address="198.51.100.7")
    (row,) = rows(db, CitizenContact, email=EMAIL)
    assert row.source_digest and "198.51.100.7" not in row.source_digest
    p("erase_contact", email=EMAIL)
    assert rows(db, CitizenContact, id=row.id)[0].source_digest is None
