"""The public pages a citizen reads, through the real app over a real database: how else to take
part when the online consultation is closed (each channel's place, date and instructions, as the
coordinator records them), a commitment's own page, the process page opening with what a citizen
can do now, and no internal key, code or handle on any public page of a whole process."""
from __future__ import annotations

import re

import pytest
from builders import online_consultation, process_at
from webkit import atom_entries, client


@pytest.fixture
def site(db, clock):
    p = online_consultation(db, clock)
    p("open_channel", key="foro", kind="assembly", name="Foro en Guadalajara", aimed_at_excluded=True,
      announced_on="2026-01-21", opens_on="2026-03-10", closes_on="2026-03-10",
      place="Biblioteca Iberoamericana, Pedro Moreno 1, Guadalajara", schedule="de 10:00 a 14:00",
      instructions="Entrada libre; registro en la puerta con una identificación")
    p("open_channel", key="buzon", kind="suggestion_box", name="Buzón en presidencia municipal",
      announced_on="2026-01-21", opens_on="2026-01-25", closes_on="2026-01-30", place="Planta baja del palacio")
    return p


def test_a_channel_records_its_place_schedule_and_instructions(site):
    from reads.public import participation_view

    v = participation_view(site.db, "p", clock=site.clock)
    (foro,) = [c for c in v["other_channels"] if c["key"] == "foro"]
    assert (foro["place"], foro["schedule"], foro["instructions"], foro["state"]) == (
        "Biblioteca Iberoamericana, Pedro Moreno 1, Guadalajara", "de 10:00 a 14:00",
        "Entrada libre; registro en la puerta con una identificación", "upcoming")
    # a correction through the same action changes them
    site("open_channel", key="foro", kind="assembly", name="Foro en Guadalajara", announced_on="2026-01-21",
         opens_on="2026-03-10", closes_on="2026-03-10", place="Auditorio del ITESO", schedule="de 9:00 a 13:00")
    v = participation_view(site.db, "p", clock=site.clock)
    (foro,) = [c for c in v["other_channels"] if c["key"] == "foro"]
    assert (foro["place"], foro["instructions"]) == ("Auditorio del ITESO", "")


def test_when_the_online_channel_has_closed_the_page_says_so_and_how_else(site, db, clock):
    site.on("2026-03-05")
    c = client(db, clock)
    page = c.get("/p/p/participa").text
    assert 'id="closed"' in page and 'id="participate"' not in page
    assert "La consulta en línea cerró el" in page
    other = page[page.index('id="other-title"'):page.index('id="past-title"')]
    assert "Foro en Guadalajara" in other and "Biblioteca Iberoamericana, Pedro Moreno 1, Guadalajara" in other
    assert "de 10:00 a 14:00" in other and "registro en la puerta" in other and "Dónde" in other
    # the closed suggestion box is listed apart, as closed
    past = page[page.index('id="past-title"'):]
    assert "Buzón en presidencia municipal" in past and "Buzón" not in other
    home = c.get("/p/p").text
    take_part = home[home.index('id="take-part"'):home.index("</aside>")]
    assert "Foro en Guadalajara" in take_part and "Biblioteca Iberoamericana" in take_part
    c.cookies.set("cocrea_lang", "en")
    page = c.get("/p/p/participa").text
    assert "The online consultation closed on" in page and "Other ways to take part" in page and "Where" in page


def test_before_the_online_channel_opens_the_page_says_when(site, db, clock):
    c = client(db, clock)
    page = c.get("/p/p/participa").text
    assert 'id="opens"' in page and "abre el" in page
    assert 'id="channel-foro"' in page and 'id="channel-buzon"' in page


# --- the news: the page's opening, the Atom feed, the weekly digest ------------------------------


def test_the_atom_feed_carries_every_event_the_weekly_digest_counts(db, clock):
    from builders import complete_stage
    from sqlmodel import Session

    from notifications.citizens import changes, week_of
    from storage import process_by_slug

    p = process_at(db, clock, "consultation")
    complete_stage(p, "consultation")  # Wednesday 18 February 2026
    p("record_input", key="i2", channel="web", text="Agua para todas las colonias", received_on="2026-02-18")
    p("answer_input", input="i2", disposition="merged", rationale="Se suma al tema del agua", theme="agua")
    p("publish_document", kind="report", title="Informe de la consulta", ref="https://example.net/consulta.pdf")
    p.move()  # a session convened, a decision, the stage move
    session = f"S{p.n_sessions}"
    p("close_session", session=session)
    p("publish_minutes", session=session, ref="https://example.net/acta.pdf")
    p.on("2026-02-23")  # Monday: the week is over
    with Session(db) as s:
        label, start, end = week_of(p.clock.now(), "America/Mexico_City")
        week = changes(s, process_by_slug(s, "p"), start, end)
    c = client(db, clock, public_url="https://cocrea.example.org")
    entries = [e for e in atom_entries(c.get("/p/p/feed.atom").content) if start <= e["updated"] < end]
    ids = [e["id"].split("#", 1)[1] for e in entries]
    titles = " | ".join(e["title"] for e in entries)
    # every kind of event of the digest is in the feed, one entry for each
    assert len(week["moves"]) == 1 and sum(i.startswith("move-") for i in ids) == len(week["moves"])
    assert "Sensibilización" in titles or "sensibilización" in titles
    assert [f"session-{s['key']}" for s in week["convened"]] == [i for i in ids if i.startswith("session-")][::-1]
    assert [f"minutes/{m['key']}" for m in week["minutes"]] == [i for i in ids if i.startswith("minutes/")]
    assert {d["title"] for d in week["documents"]} <= {e["title"].split(": ", 1)[-1] for e in entries}
    responses = [e for e in entries if e["id"].split("#")[1].startswith("responses-")]
    assert week["answered"] == sum(int(e["title"].split()[0]) for e in responses) == 2
    assert "aportaciones recibieron su respuesta razonada" in titles
    assert f"Sesión {session} convocada" in titles and f"Acta de la sesión {session}" in titles
    # the page opens with the latest of them
    home = c.get("/p/p").text
    latest = home[home.index('id="latest-title"'):home.index('id="toc-title"')]
    assert f"Acta de la sesión {session}" in latest
    assert "aportaciones recibieron su respuesta razonada" in latest  # the page lists no inputs, yet says it
    # headlines in words: the move named by the stage it entered, each title opening with a capital
    assert "El proceso pasó a la etapa «Sensibilización entre actores estratégicos»" in titles
    assert all(e["title"][:1].isupper() or e["title"][:1].isdigit() for e in entries)


def test_the_feed_carries_the_progress_of_the_commitments(db, clock):
    p = process_at(db, clock, "monitoring")
    p.on("2026-08-03")
    p("report_progress", actor="enlace", activity="a1", status="in_progress", percent=40, reported_on="2026-08-03",
      evidence_ref="https://example.net/evidencia-a1.pdf")
    c = client(db, clock)
    entries = atom_entries(c.get("/p/p/feed.atom").content)
    (progress,) = [e for e in entries if "#progress/" in e["id"]]
    assert progress["title"].startswith("Avance de «") and "40 %" in progress["title"]
    assert "a1" not in progress["title"]


def test_the_process_page_opens_with_what_a_citizen_can_do_now(site, db, clock):
    site.on("2026-02-10")  # the online consultation is open
    key = site.session()  # convened for tomorrow
    c = client(db, clock)
    home = c.get("/p/p").text
    now = home[home.index('id="now"'):home.index('id="toc-title"')]
    assert home.index('id="now"') < home.index('id="where"') < home.index('id="commitments"')
    assert "Hoy en este proceso" in now and "Ahora en la etapa 2 de 8" in now
    assert "/p/p/participa" in now and "Enviar una aportación" in now
    assert 'id="next-session"' in now and "Sala" in now
    assert 'id="next-deadline"' in now and "Consulta en línea" in now  # it closes on 4 March
    assert f"Sesión {key} convocada" in now  # the latest news
    c.cookies.set("cocrea_lang", "en")
    now = c.get("/p/p").text
    assert "Today in this process" in now and "Next session of the secretariat" in now


def test_the_record_of_the_consultation_lists_each_channels_place_and_instructions(site, db, clock):
    c = client(db, clock)
    section = c.get("/p/p").text
    section = section[section.index('id="consultation"'):section.index('id="inputs"')]
    flat = " ".join(section.split())
    assert " · anunciado el" in flat and not re.search(r"\S· (anunciado|abre|cierra)", flat)  # each date apart
    assert "Biblioteca Iberoamericana, Pedro Moreno 1, Guadalajara" in section and "registro en la puerta" in section
    data = c.get("/p/p/data/channels.json").json()
    assert [ch["place"] for ch in data if ch["key"] == "foro"] == ["Biblioteca Iberoamericana, Pedro Moreno 1, Guadalajara"]


def test_a_closed_process_offers_no_way_to_take_part_and_no_date_ahead(db, clock):
    p = process_at(db, clock, "closed")
    c = client(db, clock)
    home = c.get("/p/p").text
    now = home[home.index('id="now"'):home.index('id="toc-title"')]
    assert "El proceso concluyó" in now
    assert 'id="take-part"' not in now and 'id="next-deadline"' not in now and 'id="next-session"' not in now
    assert 'id="other-title"' not in c.get("/p/p/participa").text
