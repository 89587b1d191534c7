"""The seven-minute process of issue 10, replayed through the web workspace (the real app, FastAPI's
TestClient, a real SQLite file): a coordinator tries to record a twelve-month local exercise in one
sitting. Every step that would make the record say what did not happen is refused with its reason, and
leaves the database as it was; the compliance report of what was truly recorded never says that a
secretariat which has decided is "not installed"."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from builders import MX, complete_stage, process_at
from chronology import breaks
from webkit import PASSWORD, audit_count, client, csrf_of, sign_in

from reads import checks


@pytest.fixture
def ws(sqlite_db, clock):
    """A process and its coordinator signed in to the workspace; ``ws.post`` sends a form."""
    p = process_at(sqlite_db, clock, "declaration")
    p("set_credentials", actor="coord", handle="coord", password=PASSWORD)
    c = client(sqlite_db, clock)

    def post(action: str, data: dict):
        sign_in(c, "p", "coord")  # the clock moves by days between steps: sign in again
        page = c.get("/w/p")
        return c.post(f"/w/p/do/{action}", data={**data, "csrf": csrf_of(page.text)})

    def refused(action: str, data: dict, code: str) -> str:
        before = audit_count(sqlite_db)
        r = post(action, data)
        assert r.status_code in (400, 409), (action, r.status_code)
        assert code in re.findall(r'class="code">(\w+)', r.text), (action, re.findall(r'class="code">(\w+)', r.text))
        assert audit_count(sqlite_db) == before  # nothing written
        return r.text

    p.post, p.refused, p.client = post, refused, c
    return p


#: Two signatories, as the declaration's table of rows is filled in.
SIGNATORIES = {"signatories.0.name": "Gobernador", "signatories.0.role": "Ejecutivo", "signatories.0.sector": "government",
               "signatories.1.name": "Comisionada", "signatories.1.role": "Órgano garante",
               "signatories.1.sector": "guarantor"}


def _tomorrow(p) -> str:
    return (p.clock.now().astimezone(MX).date() + dt.timedelta(days=1)).isoformat()


def test_the_seven_minute_process_is_refused_at_each_step(ws, sqlite_db, clock):
    p = ws
    # a session convened for next week (S99): its decisions and attendance cannot be recorded today
    later = (p.clock.now().astimezone(MX) + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    assert p.post("convene_session", {"key": "S99", "scheduled_for": later, "place": "Sala",
                                      "agenda": "Instalación"}).status_code == 303
    text = p.refused("record_attendance", {"session": "S99", "members": ["gob", "garante", "osc"], "present": "on"},
                     "session_has_started")
    assert "no se puede registrar como en curso antes" in text
    p.refused("propose_decision", {"kind": "advance", "session": "S99", "reason": "Ya"}, "session_has_started")
    # a declaration signed tomorrow is not a fact yet
    p.refused("sign_declaration", {"signed_on": _tomorrow(p), "document_ref": "decl.pdf",
                                   **SIGNATORIES},
              "fact_not_in_future")

    complete_stage(p, "declaration")
    p.move("advance")
    complete_stage(p, "consultation")  # channels open 4 February to 4 March 2026
    p.on("2026-03-10")
    # an input dated after its channel closed, and one dated in the future
    p.refused("record_input", {"key": "tarde", "channel": "web", "text": "Llegó tarde", "received_on": "2026-03-08"},
              "input_inside_channel_window")
    p.refused("record_input", {"key": "futura", "channel": "web", "text": "Aún no", "received_on": _tomorrow(p)},
              "fact_not_in_future")
    p.move("advance")
    # a sensitization session held tomorrow
    p.refused("record_sensitization_session", {"key": "sen9", "held_on": _tomorrow(p), "topics": ["what_is_open_government"],
                                               "sectors.government": "3", "sectors.civil_society": "5"}, "fact_not_in_future")
    for stage in ("sensitization", "planning", "causes", "commitments", "routes"):
        complete_stage(p, stage)
        p.move("advance")
    p.on("2026-06-15")  # the activity a1 started on 1 June
    # the mid-term and closing events, in the future
    p.refused("hold_public_event", {"key": "medio", "kind": "midterm", "held_on": _tomorrow(p),
                                    "minutes_ref": "m.pdf"}, "fact_not_in_future")
    p.refused("hold_public_event", {"key": "cierre", "kind": "closing", "held_on": "2026-12-01",
                                    "minutes_ref": "c.pdf"}, "fact_not_in_future")
    # an activity "completed" at 30 %
    p.refused("report_progress", {"activity": "a1", "status": "completed", "percent": "30",
                                  "reported_on": "2026-06-15", "evidence_ref": "e.pdf"}, "completed_means_full")
    assert p.post("report_progress", {"activity": "a1", "status": "in_progress", "percent": "30",
                                      "reported_on": "2026-06-15", "evidence_ref": "e.pdf"}).status_code == 303
    # its commitment "fulfilled" at 30 %
    p.refused("set_final_status", {"commitment": "c1", "status": "fulfilled"}, "final_status_agrees_with_progress")
    # and a percentage that goes down without a reason
    p.refused("report_progress", {"activity": "a1", "status": "in_progress", "percent": "20",
                                  "reported_on": "2026-06-15", "evidence_ref": "e.pdf"},
              "progress_never_drops_without_reason")

    # What was recorded is true: no time rule broken, and a secretariat that decided is installed.
    assert breaks(sqlite_db, "p", clock.now()) == []
    report = checks.report(sqlite_db, "p", clock=clock).as_dict("es")
    cadence = next(r for g in report["groups"] for r in g["rules"] if r["id"] == "forum-cadence")
    assert cadence["status"] == "met", cadence
    page = p.client.get("/p/p/cumplimiento")
    assert page.status_code == 200 and "aún no se instala" not in page.text.lower()
    assert "no está instalado" not in page.text.lower()
