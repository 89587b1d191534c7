"""Script and HTML typed into every free-text field are shown as text, never as markup.

A whole process is recorded with a hostile string in each text field a person can fill
(every action's free text: names, places, agendas, reasons, problems, causes, references...),
then every page that shows them is parsed: no ``<script>`` element, no ``on*`` attribute, no
injected element, and each hostile string visible, escaped, where the field is shown.
"""
from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from builders import Proc
from icalendar import Calendar
from webkit import PASSWORD, client, csrf_of, sign_in

_counter = itertools.count(1)
SHOWN: dict[int, str] = {}


def _hostile(n: int, where: str) -> str:
    return f"<script>alert({n})</script><img src=x onerror=alert({n})>\"'&{where}"


def X(where: str) -> str:
    """A hostile string, numbered so a test can tell where each one is shown."""
    n = next(_counter)
    SHOWN[n] = where
    return _hostile(n, where)


def typed(where: str) -> str:
    """The one hostile string typed where ``where`` says."""
    (n,) = [n for n, w in SHOWN.items() if w == where]
    return _hostile(n, where)


class Markup(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.handlers: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.handlers += [(tag, k) for k, _ in attrs if k.lower().startswith("on")]


def check_inert(html: str) -> set[int]:
    """Fail on any injected element or handler; return the hostile strings shown as text."""
    parser = Markup()
    parser.feed(html)
    assert "script" not in parser.tags and "img" not in parser.tags, "markup injected"
    assert parser.handlers == []
    assert "<script>alert(" not in html
    return {int(n) for n in re.findall(r"&lt;script&gt;alert\((\d+)\)&lt;/script&gt;", html)}


def _hostile_process(db, clock) -> Proc:
    p = Proc(db, clock, members=[("gob", "government"), ("garante", "guarantor"), ("osc", "civil_society")])
    p("add_person", handle="cs2", name=X("member name"), role="member", sector="civil_society",
      organisation=X("organisation"))
    p("add_agency", key="igualdad", name=X("agency name"))
    p("add_person", handle="enlace", name=X("liaison name"), role="liaison", agency="igualdad")
    for h in ("coord", "enlace"):
        p("set_credentials", actor=h, handle=h, password=PASSWORD)
    p.on("2026-01-20")
    p("sign_declaration", signed_on="2026-01-20", document_ref=X("declaration ref"),
      signatories=[{"name": X("signatory"), "role": X("signatory role"), "sector": "government"},
                   {"name": "Comisionada", "role": "Garante", "sector": "guarantor"}])
    p("publish_document", kind="rules", title=X("document title"), ref=X("document ref"))
    s1 = "S1"
    p("convene_session", key=s1, scheduled_for="2026-01-25T10:00:00-06:00", place=X("session place"),
      agenda=[X("agenda item")])
    p.on("2026-01-25")  # the session has begun (it stays open through the whole process)
    p("record_attendance", session=s1, members=["gob", "garante", "osc", "cs2"])
    general = p("propose_decision", session=s1, kind="general", text=X("agreement text"),
                reason=X("decision reason"))["decision"]
    p("decide", decision=general)

    def advance():
        d = p("propose_decision", session=s1, kind="advance", reason=X("move reason"))["decision"]
        p("decide", decision=d)

    advance()
    p("open_channel", key="web", kind="online", name=X("channel name"), announced_on="2026-01-26",
      opens_on="2026-02-10", aimed_at_excluded=True)
    p("add_theme", key="genero", name=X("theme name"), description=X("theme description"))
    p.on("2026-03-01")
    p("record_input", key="i1", channel="web", text=X("input text"), received_on="2026-03-01",
      contact_name=X("PRIVATE contact"))
    p("answer_input", input="i1", disposition="adopted", rationale=X("rationale"), theme="genero")
    p("prioritise_themes", themes=["genero"])
    advance()
    from stages.sensitization import QUESTIONS
    p.on("2026-03-20")
    p("record_sensitization_session", key="sen1", held_on="2026-03-20", place=X("sensitization place"),
      topics=list(QUESTIONS), sectors={"government": 1, "guarantor": 1, "civil_society": 1})
    advance()
    p("plan_working_table", key="mesa", theme="genero", methodology=X("methodology"), call_ref=X("call ref"),
      facilitator=X("facilitator"), held_on="2026-04-10", sectors={"government": 1, "civil_society": 1})
    advance()
    p("record_problem_tree", key="arbol", theme="genero", problem=X("problem"),
      causes=[{"text": X("cause"), "strategic": True}], effects=[X("effect")],
      solutions=[{"key": "sol1", "text": X("solution")}], sdg_targets=[X("sdg")])
    advance()
    p("draft_commitment", key="c1", theme="genero", solution="sol1", title=X("commitment title"),
      problem=X("commitment problem"), cause=X("commitment cause"), objective=X("objective"),
      axes=["transparency"], ambition="proactive", outcome=X("outcome"), end_date="2026-12-31",
      agencies=["igualdad"], action_lines=[X("action line")])
    approve = p("propose_decision", session=s1, kind="approve_commitments")["decision"]
    p("decide", decision=approve)
    advance()
    p("plan_activity", key="a1", commitment="c1", title=X("activity title"), deliverable=X("deliverable"),
      agency="igualdad", start_date="2026-06-01", end_date="2026-09-30")
    p("accept_activity", actor="enlace", activity="a1")
    p("add_indicator", key="r1", commitment="c1", name=X("indicator"), kind="result", baseline=X("baseline"),
      target=X("target"))
    advance()
    p.on("2026-07-15")
    p("report_progress", actor="enlace", activity="a1", status="in_progress", percent=30, reported_on="2026-07-01",
      evidence_ref=X("evidence ref"))
    p("hold_public_event", key="medio", kind="midterm", held_on="2026-07-15", place=X("event place"),
      minutes_ref=X("event minutes"))
    p("close_session", session=s1, minutes_ref=X("session minutes"))
    p("withdraw_sector", sector="civil_society", reason=X("withdrawal reason"))
    p("return_sector", sector="civil_society", reason=X("return reason"))
    return p


def test_hostile_text_in_every_field_is_shown_as_text(sqlite_db, clock):
    SHOWN.clear()
    p = _hostile_process(sqlite_db, clock)
    assert p.stage == "suspended"
    c = client(sqlite_db, clock)
    shown = set()
    for lang in ("es", "en"):  # the process page, and the commitment's own page (its activities, indicators)
        shown |= check_inert(c.get(f"/p/p?lang={lang}").text)
        shown |= check_inert(c.get(f"/p/p/compromisos/c1?lang={lang}").text)
    public_fields = {n for n, where in SHOWN.items() if not where.startswith("PRIVATE")}
    missing = sorted(SHOWN[n] for n in public_fields - shown)
    assert not missing, f"fields not shown on the public pages: {missing}"
    assert not {n for n, w in SHOWN.items() if w.startswith("PRIVATE")} & shown  # private data never shown

    # the feeds stay well-formed and carry the text literally
    feed = ET.fromstring(c.get("/p/p/feed.atom").content)
    texts = [e.text or "" for e in feed.iter()]
    assert any(t.endswith(": " + typed("document title")) for t in texts) and typed("document ref") in texts
    (session,) = [e for e in Calendar.from_ical(c.get("/p/p/calendar.ics").content).walk("VEVENT")
                  if e["UID"] == "session-S1@p.cocrea"]
    assert session["LOCATION"] == typed("session place") and session["DESCRIPTION"] == "1. " + typed("agenda item")

    # the workspace pages, including a refused form that keeps what was typed
    sign_in(c, "p", "coord")
    check_inert(c.get("/w/p").text)
    page = c.get("/w/p/do/publish_document")
    check_inert(page.text)
    hostile = X("refused form")
    refused = c.post("/w/p/do/publish_document", data={"kind": "nope", "title": hostile, "ref": hostile,
                                                       "csrf": csrf_of(page.text)})
    assert refused.status_code == 400
    check_inert(refused.text)
    assert 'value="&lt;script&gt;alert(' in refused.text and "&#34;&#39;&amp;refused form" in refused.text
    liaison = client(sqlite_db, clock)
    sign_in(liaison, "p", "enlace")
    check_inert(liaison.get("/w/p").text)
