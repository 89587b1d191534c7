"""The public side of the web app, in process over a real database: the page, open data, privacy."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import xml.etree.ElementTree as ET

import pytest
from builders import process_at
from icalendar import Calendar
from sqlalchemy import text as sql
from webkit import PRIVATE_VALUES, client

from notifications.ical import DEFAULT_DURATION
from reads import public
from stages.errors import ConfigError

ATOM = "{http://www.w3.org/2005/Atom}"
#: Every C0 control character but tab, newline and carriage return: none may appear in XML 1.0.
CONTROL = "".join(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]))


def atom_entries(data: bytes) -> dict[str, dict]:
    """The entries of an Atom feed by id, in the feed's order."""
    entries = {}
    for e in ET.fromstring(data).findall(f"{ATOM}entry"):
        summary = e.find(f"{ATOM}summary")
        entries[e.find(f"{ATOM}id").text] = {
            "title": e.find(f"{ATOM}title").text, "link": e.find(f"{ATOM}link").get("href"),
            "summary": summary.text if summary is not None else None,
            "updated": dt.datetime.fromisoformat(e.find(f"{ATOM}updated").text)}
    return entries


def _monitoring(db, clock):
    p = process_at(db, clock, "monitoring")
    p.on("2026-08-01")
    p("report_progress", actor="enlace", activity="a1", status="in_progress", percent=40, reported_on="2026-08-01",
      evidence_ref="https://example.net/evidencia-a1.pdf")
    p("publish_document", kind="report", title="Informe de medio término", ref="https://example.net/informe.pdf")
    return p


def test_the_process_page_shows_where_it_stands_and_every_section(sqlite_db, clock):
    _monitoring(sqlite_db, clock)
    c = client(sqlite_db, clock)
    html = c.get("/p/p").text
    # the eight stages as a timeline, the current one marked
    assert html.count('<li class="done"') == 7
    assert '<li class="current" aria-current="step">' in html
    assert "Seguimiento y monitoreo" in html and "etapa actual" in html
    # the next move and its unmet criteria, in words (their codes are for the API, not the page)
    assert "progress_reported_for_every_activity" not in html  # a1 has a report now
    assert "midterm_event_held" not in html and "No se ha realizado el evento público de medio término." in html
    for section in ("where", "secretariat", "sessions", "decisions", "consultation", "sensitization", "trees",
                    "commitments", "progress", "repository", "open-data"):
        assert f'<section id="{section}"' in html
    # secretariat with its sectors and members, sessions with agendas, decisions with their tally
    assert "sociedad civil" in html and "Integrante osc" in html and "Orden del día" in html
    assert "avanzar a la siguiente etapa" in html and "adoptada" in html
    # consultation: the reasoned response to each input
    assert "Igualdad salarial" in html and "Tema prioritario" in html and "adoptada" in html
    # the problem tree drawn: effects, problem, causes (strategic marked), solutions
    assert '<figure class="tree" id="tree-arbol-genero"' in html
    assert '<li class="strategic">Tabuladores opacos <strong>(estratégica)</strong></li>' in html
    # commitments with axes, ambition and route; progress bars per activity and commitment
    assert "transparencia" in html and "Ambición: proactiva" in html
    assert '<progress id="progress-c1" max="100" value="40">' in html
    assert '<progress id="progress-overall" max="100" value="40">' in html
    # each activity's progress on its commitment's page, linked from the process page
    assert 'href="/p/p/compromisos/c1"' in html
    assert '<progress id="progress-activity-1" max="100" value="40">' in c.get("/p/p/compromisos/c1").text
    # the dated repository: the document, the evidence
    assert "Informe de medio término" in html and "https://example.net/evidencia-a1.pdf" in html
    assert 'href="/p/p/feed.atom"' in html and 'href="/p/p/calendar.ics"' in html


def test_no_personal_data_in_any_public_output(db, clock):
    p = process_at(db, clock, "closed")
    c = client(db, clock)
    paths = ["/", "/p/p", "/p/p/data.json", "/p/p/feed.atom", "/p/p/calendar.ics", "/api/processes",
             "/api/processes/p", "/api/processes/p/status", "/p/p?lang=en"]
    paths += [f"/p/p/data/{t}.{fmt}" for t in public.TABLES for fmt in ("csv", "json")]
    for path in paths:
        r = c.get(path)
        assert r.status_code == 200, path
        for private in PRIVATE_VALUES:
            assert private not in r.text, (path, private)
    # and the values are really in the database, so the test could fail
    from sqlmodel import Session, select

    from storage.models import Input, Person
    with Session(db) as s:
        assert s.exec(select(Input.contact_name)).first() == "Ana Pérez"
        assert all(x.endswith("@example.org") for x in s.exec(select(Person.email)) if x)
    assert p.stage == "closed"


def test_spanish_by_default_and_an_english_switch_that_works_without_javascript(sqlite_db, clock):
    process_at(sqlite_db, clock, "consultation")
    c = client(sqlite_db, clock)
    es = c.get("/p/p").text
    assert '<html lang="es">' in es and "Consulta sobre temas a tratar" in es
    assert 'href="/idioma/en?next=%2Fp%2Fp"' in es
    switched = c.get("/idioma/en?next=/p/p")
    assert switched.status_code == 303 and switched.headers["location"] == "/p/p"
    en = c.get("/p/p").text
    assert '<html lang="en">' in en and "Consultation on the themes" in en
    assert "No consultation channel has been opened." in en
    # never a redirect to another site
    assert c.get("/idioma/es?next=//evil.example/x").headers["location"] == "/"


def test_pages_carry_an_etag_that_changes_with_every_write(sqlite_db, clock):
    p = process_at(sqlite_db, clock, "consultation")
    c = client(sqlite_db, clock)
    first = c.get("/p/p")
    etag = first.headers["etag"]
    assert c.get("/p/p", headers={"If-None-Match": etag}).status_code == 304
    p("add_theme", key="agua", name="Agua potable para todas")
    second = c.get("/p/p", headers={"If-None-Match": etag})
    assert second.status_code == 200 and second.headers["etag"] != etag
    assert "Agua potable para todas" in second.text and "Agua potable para todas" not in first.text


def test_open_data_csv_atom_and_icalendar_are_well_formed(sqlite_db, clock):
    p = _monitoring(sqlite_db, clock)
    p("publish_document", kind="other", title="=HYPERLINK(\"http://x\")", ref="nota-1")
    c = client(sqlite_db, clock, public_url="https://cocrea.example.org")

    rows = list(csv.DictReader(io.StringIO(c.get("/p/p/data/commitments.csv").text)))
    assert rows[0]["key"] == "c1" and rows[0]["axes"] == "transparency" and rows[0]["progress"] == "40"
    repo = list(csv.DictReader(io.StringIO(c.get("/p/p/data/repository.csv").text)))
    assert any(r["title"] == "'=HYPERLINK(\"http://x\")" for r in repo)  # not a formula in a spreadsheet
    assert c.get("/p/p/data/activities.json").json()[0]["percent"] == 40
    assert c.get("/p/p/data/nope.csv").status_code == 404

    entries = atom_entries(c.get("/p/p/feed.atom").content)
    page = "https://cocrea.example.org/p/p"
    report = entries[f"{page}#document/doc1"]
    assert report["title"] == "Informe: Informe de medio término"
    assert report["link"] == report["summary"] == "https://example.net/informe.pdf"
    evidence = entries[f"{page}#evidence/a1/1"]
    assert evidence["link"] == "https://example.net/evidencia-a1.pdf" and evidence["title"].startswith("Evidencia: ")
    assert entries[f"{page}#document/doc2"]["link"] == page  # a reference that is not a URL links to the page
    moves = [e for key, e in entries.items() if "#move-" in key]
    assert len(moves) == len(c.get("/p/p/data/moves.json").json())
    assert moves[-1]["title"] == "Movimiento de etapa: creación del proceso → Sumarse a gobierno abierto"
    assert all(e["updated"].utcoffset() is not None for e in entries.values())
    times = [e["updated"] for e in entries.values()]
    assert times == sorted(times, reverse=True)  # newest first

    ics = c.get("/p/p/calendar.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    assert all(len(line) <= 75 for line in ics.content.split(b"\r\n"))  # folded
    cal = Calendar.from_ical(ics.content)
    assert cal["X-WR-CALNAME"] == "Proceso p" and "METHOD" not in cal
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    sessions = c.get("/p/p/data/sessions.json").json()
    assert len(sessions) >= 5 and {f"session-{s['key']}@p.cocrea" for s in sessions} <= set(events)
    for s in sessions:
        event = events[f"session-{s['key']}@p.cocrea"]
        start = event.decoded("DTSTART")
        assert start.utcoffset() == dt.timedelta(0) and start == dt.datetime.fromisoformat(s["scheduled_for"])
        assert event.decoded("DTEND") - start == DEFAULT_DURATION
        assert event["SUMMARY"] == f"Sesión {s['key']} — Proceso p" and event["LOCATION"] == "Sala"
        assert event["DESCRIPTION"] == "1. Orden del día" and event["URL"] == page
    deadline = events["activity-a1-ends@p.cocrea"]
    assert (deadline.decoded("DTSTART"), deadline.decoded("DTEND")) == (dt.date(2026, 9, 30), dt.date(2026, 10, 1))
    assert deadline["SUMMARY"].startswith("Actividad a1: ") and "LOCATION" not in deadline


def test_control_characters_in_texts_do_not_break_the_feeds(sqlite_db, clock):
    p = process_at(sqlite_db, clock, "monitoring")
    refused = p.refused("publish_document", kind="report", title=f"Informe{CONTROL}final", ref="nota-1")
    assert refused.reasons[0].details["problem"] == "control_characters"  # the actions refuse them now ...
    p("publish_document", kind="report", title="Informe final", ref="nota-1")
    p("convene_session", key="S99", scheduled_for=(clock.now() + dt.timedelta(days=1)).isoformat(),
      place="Sala 2", agenda=["Punto uno"])
    with sqlite_db.begin() as conn:  # ... but rows recorded before that rule may hold them
        conn.execute(sql("UPDATE document SET title = :t, ref = :r"), {"t": f"Informe{CONTROL}final",
                                                                         "r": f"nota{CONTROL}-1"})
        conn.execute(sql("UPDATE secretariat_session SET place = :p, agenda = :a WHERE key = 'S99'"),
                     {"p": f"Sala{CONTROL}2", "a": json.dumps([f"Punto{CONTROL}uno"])})
    c = client(sqlite_db, clock)
    for lang in ("es", "en"):
        feed = c.get(f"/p/p/feed.atom?lang={lang}").content
        ET.fromstring(feed)  # well-formed XML
        entries = atom_entries(feed)
        report = next(e for key, e in entries.items() if key.endswith("#document/doc1"))
        assert report["title"].endswith(": Informefinal") and report["summary"] == "nota-1"
        cal = Calendar.from_ical(c.get(f"/p/p/calendar.ics?lang={lang}").content)
        session = next(e for e in cal.walk("VEVENT") if e["UID"] == "session-S99@p.cocrea")
        assert session["LOCATION"] == "Sala2" and session["DESCRIPTION"] == "1. Puntouno"


def test_feed_links_come_from_the_configured_address_never_from_the_host_header(sqlite_db, clock, monkeypatch):
    _monitoring(sqlite_db, clock)
    forged = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}

    def links(c) -> set[str]:
        feed = ET.fromstring(c.get("/p/p/feed.atom", headers=forged).content)
        found = {feed.find(f"{ATOM}id").text} | {e.text for e in feed.iter(f"{ATOM}id")}
        found |= {link.get("href") for link in feed.iter(f"{ATOM}link")}
        calendar = c.get("/p/p/calendar.ics", headers=forged)
        assert b"evil.example" not in calendar.content
        found |= {str(e["URL"]) for e in Calendar.from_ical(calendar.content).walk("VEVENT")}
        return {link for link in found if not link.startswith("https://example.net/")}  # the documents' own links

    c = client(sqlite_db, clock, public_url="https://cocrea.example.org/")
    assert c.get("/p/p/feed.atom", headers=forged).status_code == 200
    assert all(link.startswith("https://cocrea.example.org/p/p") for link in links(c))
    assert "https://cocrea.example.org/p/p/feed.atom" in links(c)
    monkeypatch.setenv("COCREA_PUBLIC_URL", "https://env.example.org")
    assert all(link.startswith("https://env.example.org/p/p") for link in links(client(sqlite_db, clock)))
    monkeypatch.delenv("COCREA_PUBLIC_URL")
    assert all(link.startswith("http://127.0.0.1:8000/p/p") for link in links(client(sqlite_db, clock)))
    for wrong in ("evil.example", "javascript:alert(1)", "https://", "https://x.example/?a=1"):
        with pytest.raises(ConfigError):
            client(sqlite_db, clock, public_url=wrong)


def test_an_unknown_process_is_a_404_in_html_and_json(sqlite_db, clock):
    c = client(sqlite_db, clock)
    page = c.get("/p/nada")
    assert page.status_code == 404 and "nada" in page.text and "<html" in page.text
    data = c.get("/p/nada/data.json")
    assert data.status_code == 404 and data.json()["reasons"][0]["code"] == "not_found"
    assert c.get("/api/processes/nada").status_code == 404


def test_every_response_has_the_security_headers(sqlite_db, clock):
    process_at(sqlite_db, clock, "declaration")
    c = client(sqlite_db, clock)
    for path in ("/", "/p/p", "/login", "/api/processes"):
        headers = c.get(path).headers
        assert "script-src 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"


def test_the_public_page_shows_the_compliance_report_and_links_the_full_one(sqlite_db, clock):
    """The real checker (compliance/ via reads.checks): summary, what is missing, the full
    publishable report and its JSON, all public and without personal data."""
    process_at(sqlite_db, clock, "consultation")
    c = client(sqlite_db, clock)
    html = c.get("/p/p").text
    section = html[html.index('<section id="compliance"'):]
    section = section[:section.index("</section>")]
    assert "requisito" in section and 'href="/p/p/cumplimiento"' in section
    assert "Qué falta" in section  # a process in consultation has unmet requirements
    full = c.get("/p/p/cumplimiento")
    assert full.status_code == 200 and full.headers["content-type"].startswith("text/html")
    assert "<table" in full.text or "<section" in full.text
    data = c.get("/p/p/cumplimiento.json").json()
    assert data["summary"]["total"] == len([r for g in data["groups"] for r in g["rules"]])
    assert c.get("/p/p/data.json").json()["compliance"]["summary"] == data["summary"]
    for text in (html, full.text, json.dumps(data)):
        assert "@example.org" not in text and "Ana Pérez" not in text


def test_error_pages_speak_the_readers_language(sqlite_db, clock):
    c = client(sqlite_db, clock)
    es = c.get("/p/nada/no/existe")
    assert es.status_code == 404 and '<html lang="es">' in es.text and "No encontrado" in es.text
    wrong_method = c.get("/logout")  # only POST signs out
    assert wrong_method.status_code == 405 and '<html lang="es">' in wrong_method.text
    assert "Esta dirección no puede atender esa solicitud (error HTTP 405)." in wrong_method.text
    en = c.get("/logout?lang=en")
    assert '<html lang="en">' in en.text and "This address cannot answer that request (HTTP error 405)." in en.text
    assert "Method Not Allowed" not in es.text + en.text
    assert c.get("/api/nada", headers={"accept": "application/json"}).json()["reasons"][0]["code"] == "not_found_page"
