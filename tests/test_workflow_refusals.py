"""A refusal leaves the database exactly as it was: one of each kind, each with its exit code,
checked with a snapshot of every table (tests/snapshots.py) taken before and after."""
from __future__ import annotations

import pytest
from builders import Proc, complete_stage, process_at
from snapshots import diff, refused, snapshot
from sqlmodel import Session, select

from stages.errors import InvalidInput, NotAllowed, NotFound, Refused, TransitionBlocked
from storage import models as m


def test_the_snapshot_sees_any_change_and_refused_insists_on_a_refusal(db, clock):
    p = Proc(db, clock)
    before = snapshot(db)
    p("add_agency", key="sfp", name="SFP")
    changed = diff(before, snapshot(db))
    assert set(changed) == {"agency", "audit_entry", "process"} and len(changed["agency"]["new"]) == 1
    assert len(changed["process"]["new"]) == 1  # the head of its audit chain moved
    with pytest.raises(AssertionError, match="not refused"):
        refused(db, lambda: p("add_agency", key="imss", name="IMSS"))


def advance_proposed(p, present=None) -> str:
    """A session (everyone present, or ``present``) with an advance proposed; its key."""
    return p("propose_decision", session=p.session(present), kind="advance")["decision"]


def declared_then_advance_proposed_without_civil_society(p) -> str:
    complete_stage(p, "declaration")
    return advance_proposed(p, ["gob", "garante"])


# why, setup (outside the refusal), the refused call, error class, code
CASES = [
    ("schema", lambda p: None, lambda p, _: p("add_agency", key="sfp"), InvalidInput, "invalid_field"),
    # found by the API fuzzer: a session in year 1 made reminder planning overflow inside the transaction
    ("date too early", lambda p: None, lambda p, _: p("convene_session", scheduled_for="0001-01-01T00:00:00+00:00",
                                                     place="Sala", agenda=["Punto"]), InvalidInput, "invalid_field"),
    ("date too late", lambda p: None, lambda p, _: p("convene_session", scheduled_for="9999-12-31T23:59:00-06:00",
                                                    place="Sala", agenda=["Punto"]), InvalidInput, "invalid_field"),
    ("duplicate process", lambda p: None, lambda p, _: p("create_process", slug=p.slug, name="Otro", template="federal",
                                                          coordinator_name="Otra"), InvalidInput, "duplicate_key"),
    ("unknown reference", lambda p: None, lambda p, _: p("record_attendance", session="S9", members=["gob"]),
     NotFound, "not_found"),
    ("role", lambda p: None, lambda p, _: p("add_agency", actor="gob", key="sfp", name="SFP"), NotAllowed,
     "actor_not_allowed"),
    ("stage", lambda p: None, lambda p, _: p("add_theme", key="agua", name="Agua"), Refused, "not_in_stage"),
    ("exit criteria", advance_proposed, lambda p, d: p("decide", decision=d), TransitionBlocked,
     "declaration_signed_by_executive_and_guarantor"),
    ("quorum", declared_then_advance_proposed_without_civil_society, lambda p, d: p("decide", decision=d), Refused,
     "session_not_quorate"),
]


@pytest.mark.parametrize("why,setup,call,error,code", CASES, ids=[c[0] for c in CASES])
def test_each_kind_of_refusal_changes_nothing(db, clock, why, setup, call, error, code):
    p = Proc(db, clock)
    prepared = setup(p)
    exc = refused(db, lambda: call(p, prepared), code)
    assert type(exc) is error, why
    assert exc.exit_code == (2 if issubclass(error, InvalidInput) else 3)


def test_a_decision_whose_effect_is_refused_stays_open(db, clock):
    """The vote is counted and the status set inside the transaction; the effect fails; all of it
    is rolled back, so the decision can be taken again once the effect is possible."""
    p = process_at(db, clock, "commitments")
    session = p.session()
    d = p("propose_decision", session=session, kind="approve_commitments")["decision"]
    refused(db, lambda: p("decide", decision=d), "no_commitments_to_approve")
    advance = p("propose_decision", session=session, kind="advance")["decision"]
    refused(db, lambda: p("decide", decision=advance), "commitments_approved_by_decision")
    with Session(db) as s:
        assert {x.key: x.status for x in s.exec(select(m.Decision).where(m.Decision.key.in_([d, advance])))} == \
            {d: "open", advance: "open"}
    complete_stage(p, "commitments")  # drafts c1 and approves it in a new session
    assert p("decide", decision=advance)["stage"] == "routes"


def test_two_processes_created_at_once_with_one_slug_end_as_one_process_and_one_refusal(db, clock):
    """The second creator cannot see the first one's uncommitted row (no process row to lock
    yet): on PostgreSQL its insert waits on the unique index and fails when the first commits.
    That must still be the ordinary refusal, not an internal error."""
    import datetime as dt
    import threading
    import time

    from workflow import actions

    payload = {"slug": "jalisco", "name": "Jalisco", "template": "inai_local", "coordinator_name": "Ana"}
    first = Session(db)
    first.add(m.Process(slug="jalisco", name="Primero", template="inai_local", stage="declaration",
                        starts_on=dt.date(2026, 1, 15), term_months=12, spec_version="1", ruleset="inai-local",
                        created_at=clock.now()))
    first.flush()  # holds the slug, uncommitted (and, on SQLite, the write lock)
    outcome: dict = {}

    def second() -> None:
        try:
            outcome["result"] = actions.apply(db, "create_process", payload, actor="ana", clock=clock)
        except Exception as exc:  # noqa: BLE001 - the test inspects what came out
            outcome["error"] = exc

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.5)  # the second creator is now waiting on the first
    first.commit()
    first.close()
    thread.join(30)
    assert not thread.is_alive()
    error = outcome.get("error")
    assert isinstance(error, InvalidInput), outcome
    assert [r.code for r in error.reasons] == ["duplicate_key"] and error.exit_code == 2
    with Session(db) as s:
        assert [p.name for p in s.exec(select(m.Process))] == ["Primero"]
        assert s.exec(select(m.AuditEntry)).all() == []


def test_a_move_is_decided_only_from_the_state_it_was_proposed_in(db, clock):
    """A resume put to a session before a suspension is not a decision to resume from it: the
    secretariat must propose it again once suspended (and the same for any move)."""
    p = process_at(db, clock, "routes")
    session = p.session()
    early_resume = p("propose_decision", session=session, kind="resume")["decision"]
    early_advance = p("propose_decision", session=session, kind="advance")["decision"]
    p("withdraw_sector", actor="osc", sector="civil_society", reason="Retiro")
    p("return_sector", actor="osc", sector="civil_society", reason="Regreso")
    assert p.stage == "suspended"
    later = p.session()
    for stale, kind in ((early_resume, "resume"), (early_advance, "advance")):
        exc = refused(db, lambda: p("decide", decision=stale), "decision_stale")
        assert exc.reasons[0].details == {"decision": stale, "kind": kind, "proposed_in": "routes",
                                          "stage": "suspended"}
        assert "propóngala de nuevo" in exc.messages("es")[0] and "propose it again" in exc.messages("en")[0]
    fresh = p("propose_decision", session=later, kind="resume")["decision"]
    assert p("decide", decision=fresh)["stage"] == "routes"
