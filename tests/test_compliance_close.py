"""Closing a process that acts contrary to process (OGP's procedural review: the compliance
report finds a late plan, a minimum requirement missed or no progress) needs an adopted
decision of the secretariat saying so, with its reason; a plain close is refused naming the
causes, and the public record says how the process closed."""
from __future__ import annotations

from builders import complete_stage, process_at
from compliant_process import CONTRARY_REASON, REPORT_AT, P, apply, apply_until_refused, broken, close_contrary, script
from snapshots import refused

from reads import checks, public


def _in_monitoring_done(db, clock):
    p = process_at(db, clock, "monitoring")
    complete_stage(p, "monitoring")
    return p


def test_a_plain_close_of_a_process_acting_contrary_is_refused_naming_the_causes(db, clock):
    p = _in_monitoring_done(db, clock)
    session = p.session()
    d = p("propose_decision", session=session, kind="close")["decision"]
    exc = refused(db, lambda: p("decide", decision=d), "close_contrary_needs_decision")
    assert exc.codes == ["close_contrary_needs_decision"] and exc.exit_code == 3
    [why] = exc.reasons
    assert why.details["causes"] == ["minimum_requirement"] and "website" in why.details["rules"]
    es, en = exc.messages("es")[0], exc.messages("en")[0]
    assert es.startswith("El proceso actúa contrario al proceso: (b) No cumple requisitos mínimos:")
    assert "decisión adoptada del secretariado" in es
    assert en.startswith("The process acts contrary to process: (b) Minimum requirements missed:")
    assert p.stage == "monitoring"
    assert p.status()["unmet"][-1]["code"] == "close_contrary_needs_decision"  # the status says what the close needs


def test_the_secretariat_closes_it_by_a_decision_with_its_reason_and_the_page_says_so(sqlite_db, clock):
    from webkit import client

    p = _in_monitoring_done(sqlite_db, clock)
    session = p.session()
    exc = p.refused("propose_decision", session=session, kind="close_contrary_to_process")
    assert exc.codes == ["reason_required"]
    assert p.refused("propose_decision", session=session, kind="close_contrary_to_process", reason="x",
                     text="y").codes == ["not_for_this_kind"]
    reason = "El periodo del plan terminó; el sitio público nunca se publicó"
    d = p("propose_decision", session=session, kind="close_contrary_to_process", reason=reason)["decision"]
    p("cast_vote", actor="osc", decision=d, position="against")
    assert p("decide", decision=d)["status"] == "rejected" and p.stage == "monitoring"
    result = p.decide("close_contrary_to_process", session=session, reason=reason)
    assert result["status"] == "adopted" and result["stage"] == "closed"
    assert result["contrary_to_process"] == ["minimum_requirement"]
    view = public.public_view(sqlite_db, "p", clock=clock)["process"]
    done = view["closed_contrary"]
    assert done["decision"] == result["decision"] and done["reason"] == reason
    assert done["causes"] == ["minimum_requirement"] and "website" in done["rules"]
    report = checks.report(sqlite_db, "p", clock=clock).as_dict("es")
    assert report["contrary_to_process"]["closed_by_decision"]["decision"] == result["decision"]
    page = client(sqlite_db, clock).get("/p/p").text
    assert f"Proceso cerrado actuando contrario al proceso, por la decisión {result['decision']} del secretariado" in page
    assert reason in page
    english = client(sqlite_db, clock).get("/p/p?lang=en").text
    assert "Process closed acting contrary to process, by the secretariat" in english, [
        line for line in english.splitlines() if "contrary" in line]
    full = client(sqlite_db, clock).get("/p/p/cumplimiento").text
    assert "El secretariado cerró el proceso actuando contrario al proceso" in full


def test_a_process_closed_plainly_says_nothing_of_the_kind(sqlite_db):
    from stages.clock import FixedClock

    apply(sqlite_db, script())  # compliant: its closing session decides a plain close
    view = public.public_view(sqlite_db, P, clock=FixedClock(REPORT_AT))["process"]
    assert view["closed"] is True and view["closed_contrary"] is None
    report = checks.report(sqlite_db, P, as_of=REPORT_AT).contrary_dict("es")
    assert report["flag"] is False and report["closed_by_decision"] is None


def test_a_compliant_process_cannot_be_closed_as_acting_contrary(sqlite_db):
    """The record never says more than the report: on a compliant plan the decision is refused."""
    exc = apply_until_refused(sqlite_db, close_contrary(script()))
    assert exc is not None and exc.codes == ["close_not_contrary"]
    assert "no encuentra ninguna causa" in exc.messages("es")[0]
    assert checks.report(sqlite_db, P, as_of=REPORT_AT).process.stage == "monitoring"


def test_a_broken_minimum_requirement_makes_the_plain_close_refused(sqlite_db):
    exc = apply_until_refused(sqlite_db, broken("website", plain_close=True))
    assert exc is not None and exc.codes == ["close_contrary_needs_decision"]
    assert exc.reasons[0].details["rules"] == ["website"]


def test_the_decision_is_recorded_with_the_close_in_the_trail(sqlite_db):
    apply(sqlite_db, broken("plan-cadence"))
    report = checks.report(sqlite_db, P, as_of=REPORT_AT)
    assert report.process.stage == "closed"
    done = report.contrary_dict("en")["closed_by_decision"]
    assert done["decision"] == "S10-D1" and done["reason"] == CONTRARY_REASON
    assert report.contrary["causes"][0][0] == "late_plan"


def test_the_deep_check_replays_a_close_contrary_to_process(sqlite_db):
    """The trail rebuilds the same record: the decision's effect (the close and what the page says)
    is replayed through the actions and matches the live tables."""
    from reads import status

    apply(sqlite_db, broken("website"))
    found = status.verify_record(sqlite_db, P, deep=True)
    assert found[P]["entries"] == len(broken("website")) and found[P]["seq"] == found[P]["entries"]


def test_the_dashboard_proposes_the_close_the_process_needs(sqlite_db, clock):
    """The move panel's close card, for a process acting contrary to process, proposes the decision
    that says so (its reason required) instead of a close that would be refused."""
    import re

    from webkit import PASSWORD, client, csrf_of, sign_in

    p = _in_monitoring_done(sqlite_db, clock)
    session = p.session()
    p("set_credentials", actor="coord", handle="coord", password=PASSWORD)
    c = client(sqlite_db, clock)
    assert sign_in(c, "p", "coord").status_code == 303
    page = c.get("/w/p").text
    card = page[page.index('id="move-close"'):]
    card = card[:card.index("</article>")]
    assert 'name="kind" value="close_contrary_to_process"' in card and "close_contrary_needs_decision" in card
    assert re.search(r'name="reason" rows="2" required', card)
    r = c.post("/w/p/do/propose_decision", data={"csrf": csrf_of(page), "kind": "close_contrary_to_process",
                                                 "session": session, "reason": "Fin del periodo del plan"})
    assert r.status_code == 303
    assert p("decide", decision=_last_decision(sqlite_db))["stage"] == "closed"


def _last_decision(db) -> str:
    from sqlmodel import Session, select

    from storage.models import Decision

    with Session(db) as s:
        return s.exec(select(Decision).order_by(Decision.id.desc())).first().key
