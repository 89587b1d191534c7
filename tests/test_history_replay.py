"""The guide's own history, replayed on its real dates: what went wrong in Mexico must be impossible here.

- 2011, first action plan: the government presented commitments the organisations had not
  agreed to (New York, 20 September 2011), and they refused to endorse it. Here a plan's
  commitments are approved only by a decision every required sector agrees to; without it the
  process cannot reach its routes. The secretariat (STT) began work in December 2011.
- 2017, third plan (2016-2018): civil society left the tripartite secretariat (23 May 2017) over
  the illegal digital surveillance of its members; the secretariat never met again. Here the
  walk-out suspends the process at once and nothing can be decided until civil society returns.
- A local exercise over twelve months (2025): docs/examples/whole-process.yaml recorded as it
  happened, each action on its day.

Each replay lives its own calendar (the clock moves forward only, a session is convened before it
sits) and its record is read back for any break of a rule of time (tests/chronology.py).
"""
from __future__ import annotations

import datetime as dt

from builders import MX, complete_stage, process_at
from chronology import breaks
from snapshots import refused
from sqlmodel import Session, select

from cli.demo import EXAMPLE
from cli.main import EXPECT, read_actions
from reads import checks
from reads import status as queries
from stages.errors import CocreaError
from storage import models as m
from storage.outbox import OutboxMessage
from workflow import actions


def live_from(clock, day: str) -> None:
    """Set the test's clock to ``day`` at 10:00 in Mexico City (a replay starts on its real date)."""
    clock.set(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(10), MX))

SURVEILLANCE = "Espionaje digital ilegal contra integrantes de organizaciones (2017)"


def draft_government_plan(p) -> None:
    """The government writes the plan's commitment on its own."""
    p("add_agency", key="sfp", name="Secretaría de la Función Pública")
    p("draft_commitment", key="c1", theme="genero", solution="sol1", title="Portal de transparencia",
      problem="Brecha", cause="Tabuladores opacos", objective="Publicar información", axes=["transparency"],
      ambition="structural", outcome="Portal en línea", end_date="2012-12-31", agencies=["sfp"],
      action_lines=["Publicar el portal"])


def test_2011_a_plan_civil_society_objects_to_is_never_approved(db, clock):
    live_from(clock, "2011-06-01")
    p = process_at(db, clock, "commitments", template="federal", starts_on="2011-06-01")
    draft_government_plan(p)

    # New York, 20 September 2011: civil society objects; under consensus the approval is rejected
    p.on("2011-09-19")
    result = p.decide("approve_commitments", votes={"gob": "for", "garante": "for", "osc": "against"})
    assert queries.history(db, "p")[-1]["at"][:10] == "2011-09-20"
    assert (result["status"], result["tally"]["objections"]) == ("rejected", ["osc"])
    assert p.unmet() == ["commitments_approved_by_decision"]

    # so the process cannot go on to the implementation routes
    session = p.session()
    advance = p("propose_decision", session=session, kind="advance")["decision"]
    exc = refused(db, lambda: p("decide", decision=advance), "commitments_approved_by_decision")
    assert exc.exit_code == 3 and exc.reasons[0].details["items"] == ["c1"]

    # a session without civil society cannot decide anything at all
    rump = p.session(present=["gob", "garante"])
    approve = p("propose_decision", session=rump, kind="approve_commitments")["decision"]
    exc = refused(db, lambda: p("decide", decision=approve), "session_not_quorate")
    assert exc.reasons[0].details["missing_sectors"] == ["civil_society"]

    # an extraordinary majority of government and guarantor over civil society's objection wins
    # a general decision, but the plan's commitments need every required sector: still rejected
    extraordinary = p.session(extraordinary=True, justification="Fecha límite ante la Alianza")
    votes = {"gob": "for", "garante": "for", "osc": "against"}
    general = p.decide("general", session=extraordinary, rule="majority", votes=votes, text="Presentar el plan")
    assert general["status"] == "adopted"
    forced = p.decide("approve_commitments", session=extraordinary, rule="majority", votes=votes)
    assert forced["status"] == "rejected"
    assert forced["tally"]["joint_agreement_missing"] == ["civil_society"]
    assert (forced["tally"]["for"], forced["tally"]["against"]) == (2, 1)
    assert p.unmet() == ["commitments_approved_by_decision"]
    with Session(db) as s:
        assert s.exec(select(m.Commitment.status)).all() == ["draft"]
        assert s.exec(select(m.CommitmentVersion)).all() == []

    # what the guide asks for instead: commitments agreed jointly in the STT (at work from December
    # 2011), then the routes
    p.on("2011-12-01")
    agreed = p.decide("approve_commitments", votes={"gob": "for", "garante": "for", "osc": "for"})
    assert (agreed["status"], agreed["approved"]) == ("adopted", ["c1"])
    p.move("advance")
    assert p.stage == "routes"
    assert [m["at"][:4] for m in p.status()["moves"]] == ["2011"] * 7
    assert breaks(db, "p", clock.now()) == []


def test_2017_the_walk_out_suspends_the_process_until_civil_society_returns(db, clock):
    live_from(clock, "2016-07-01")
    p = process_at(db, clock, "routes", template="federal", starts_on="2016-07-01")
    complete_stage(p, "routes")  # the work plans were under way
    p.on("2017-05-22")
    before = p.session()  # a session was sitting when civil society walked out, on 23 May 2017

    walk_out = p("withdraw_sector", actor="osc", sector="civil_society", reason=SURVEILLANCE)
    assert walk_out["stage"] == "suspended" and walk_out["suspended_from"] == "routes"
    assert queries.history(db, "p")[-1]["at"][:10] == "2017-05-23"
    st = p.status()
    assert (st["stage"], st["suspended_from"], st["withdrawn_sectors"]) == ("suspended", "routes", ["civil_society"])
    assert st["moves"][-1]["event"] == "suspend" and st["moves"][-1]["reason"] == SURVEILLANCE
    assert [u["code"] for u in st["unmet"]] == ["required_sector_withdrawn"]

    # the work of the stage cannot go on
    refused(db, lambda: p("add_indicator", key="r9", commitment="c1", name="x", kind="result"), "process_suspended")

    # every session is inquorate: the one sitting and any new one, whatever is proposed
    for session in (before, p.session()):
        for kind, extra in [("resume", {}), ("general", {"text": "Seguir sin sociedad civil"}),
                            ("set_quorum_rule", {"quorum": {"sectors": {"government": 1, "guarantor": 1}}})]:
            d = p("propose_decision", session=session, kind=kind, **extra)["decision"]
            exc = refused(db, lambda: p("decide", decision=d), "session_not_quorate")
            assert exc.reasons[0].details["missing_sectors"] == ["civil_society"]
    refused(db, lambda: p("withdraw_sector", actor="osc", sector="civil_society", reason="otra vez"),
            "sector_already_withdrawn")

    # were civil society to return (it did not, in that administration), resuming would still take a
    # decision of a quorate session of all three
    p("return_sector", actor="osc", sector="civil_society", reason="Acuerdo de garantías de no vigilancia")
    assert p.stage == "suspended" and p.unmet() == []
    resumed = p.move("resume")
    assert (resumed["from"], resumed["stage"]) == ("suspended", "routes")
    st = p.status()
    assert (st["stage"], st["suspended_from"], st["withdrawn_sectors"]) == ("routes", None, [])
    with Session(db) as s:
        assert len(s.exec(select(m.Activity)).all()) == 1  # the routes' work is where it was
        changes = s.exec(select(m.StageChange).order_by(m.StageChange.id)).all()
    suspend, resume = changes[-2:]
    assert (suspend.event, suspend.decision_id) == ("suspend", None)  # automatic, on the walk-out
    assert resume.event == "resume" and resume.decision_id is not None
    assert breaks(db, "p", clock.now()) == []


def test_a_local_exercise_over_twelve_months_recorded_as_it_happened(db, clock):
    """The whole-process example, each action recorded on its day (not migrated afterwards): January
    to December 2025, every stage in its time, the two refusals it shows, compliant at the close."""
    items = read_actions(str(EXAMPLE))
    refusals = []
    for item in items:
        expected = item.pop(EXPECT, None)
        at = item.pop("at")
        clock.set(at + dt.timedelta(minutes=1))  # recorded a minute after it happened (the file goes forward)
        try:
            actions.apply_many(db, [item], clock=clock, default_process="jalisco-2025")
        except CocreaError as exc:
            assert expected in exc.codes, (item, exc.codes)
            refusals.append(expected)
        else:
            assert expected is None, item
    assert refusals == ["every_input_answered", "session_not_quorate"]
    st = queries.status(db, "jalisco-2025")
    assert [(m["to"], m["at"][:10]) for m in st["moves"]] == [
        ("declaration", "2025-01-15"), ("consultation", "2025-01-27"), ("sensitization", "2025-03-18"),
        ("planning", "2025-04-01"), ("causes", "2025-04-13"), ("commitments", "2025-04-27"),
        ("routes", "2025-05-13"), ("monitoring", "2025-05-27"), ("closed", "2025-12-15")]
    history = queries.history(db, "jalisco-2025")
    assert all(e["recorded_at"] == e["at"] for e in history)  # recorded live, not migrated afterwards
    with Session(db) as s:  # recorded live, the actions queued their reminders as they came due
        assert s.exec(select(OutboxMessage)).first() is not None
    assert breaks(db, "jalisco-2025", clock.now()) == []
    report = checks.report(db, "jalisco-2025", clock=clock).as_dict("es")
    assert report["summary"]["compliant"] and report["summary"]["not_met"] == 0
    # mid-year, the record was already compliant with what was due by then
    july = checks.report(db, "jalisco-2025", as_of=dt.datetime(2025, 7, 1, tzinfo=MX)).as_dict("es")
    assert july["summary"]["not_met"] == 0, july["to_do"]


def test_the_resume_blocker_is_the_withdrawn_sector_itself(db, clock):
    from storage import load_records
    from workflow import engine

    p = process_at(db, clock, "consultation")
    p("withdraw_sector", actor="coord", sector="guarantor", reason="Cambio de comisionados")
    with Session(db) as s:
        records = load_records(s, s.exec(select(m.Process)).one())
    [blocker] = engine.blockers(records, "resume")
    assert (blocker.code, blocker.details["items"]) == ("required_sector_withdrawn", ["guarantor"])


def test_reopening_keeps_the_later_stages_work_and_needs_a_reason(db, clock):
    p = process_at(db, clock, "commitments")
    session = p.session()
    refused(db, lambda: p("propose_decision", session=session, kind="reopen", target="consultation"),
            "reason_required")
    refused(db, lambda: p("propose_decision", session=session, kind="reopen", target="consultation", reason="  "),
            "reason_required")

    def counts():
        with Session(db) as s:
            return {t.__name__: len(s.exec(select(t)).all())
                    for t in (m.Channel, m.Input, m.Theme, m.SensitizationSession, m.WorkingTable, m.ProblemTree)}

    kept = counts()
    moved = p.move("reopen", target="consultation", reason="Faltó un canal para comunidades indígenas")
    assert (moved["from"], moved["stage"]) == ("commitments", "consultation")
    assert counts() == kept and all(kept.values())
    assert p.status()["moves"][-1]["reason"] == "Faltó un canal para comunidades indígenas"

    # the later stages' work still meets their criteria: each advance needs only its decision
    for expected in ("sensitization", "planning", "causes", "commitments"):
        p.move("advance")
        assert p.stage == expected
