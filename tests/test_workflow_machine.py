"""Every (state, event) pair of the stage machine, allowed or refused, as a table.

The table below is the rule, written out by hand from PROCESS.md: eight stages in order,
``advance`` one at a time, ``suspend`` from any open stage, ``resume`` back to the stage
left, ``reopen`` to any earlier stage, ``close`` only from monitoring. Every combination of
the 10 states, 5 events and every target is checked against it, first on
``workflow.machine`` directly, then through ``engine.blockers`` (the refusal codes), then
through real decisions on a database for a representative subset.
"""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from builders import Proc, complete_stage, process_at
from snapshots import refused

from stages import STAGE_NAMES, Records
from stages.errors import Misuse
from workflow import engine, machine

# state          advance         suspend     close    reopen to (any of)          resume to
TABLE = """
declaration      consultation    suspended   -        -                           -
consultation     sensitization   suspended   -        declaration                 -
sensitization    planning        suspended   -        declaration..consultation   -
planning         causes          suspended   -        declaration..sensitization  -
causes           commitments     suspended   -        declaration..planning       -
commitments      routes          suspended   -        declaration..causes         -
routes           monitoring      suspended   -        declaration..commitments    -
monitoring       -               suspended   closed   declaration..routes         -
suspended        -               -           -        -                           the stage left
closed           -               -           -        -                           -
"""


def _span(text: str) -> list[str]:
    if text == "-":
        return []
    first, _, last = text.partition("..")
    return list(STAGE_NAMES[STAGE_NAMES.index(first):STAGE_NAMES.index(last or first) + 1])


def _expected() -> dict[tuple[str, str, str | None], str | None]:
    """(state, event, target) -> destination, or None when the move does not exist."""
    rows = {}
    for line in TABLE.strip().splitlines():
        state, advance, suspend, close, reopen, resume = line.split(None, 5)
        rows[state] = dict(advance=advance, suspend=suspend, close=close, reopen=_span(reopen), resume=resume)
    out = {}
    for state, row in rows.items():
        for event in ("advance", "suspend", "close"):
            out[(state, event, None)] = None if row[event] == "-" else row[event]
        for target in STAGE_NAMES:
            out[(state, "reopen", target)] = target if target in row["reopen"] else None
            out[(state, "resume", target)] = target if row["resume"] == "the stage left" else None
    return out


EXPECTED = _expected()


def test_the_table_covers_every_state_and_event():
    assert {s for s, _, _ in EXPECTED} == set(machine.STATES) == {*STAGE_NAMES, "suspended", "closed"}
    assert {e for _, e, _ in EXPECTED} == set(machine.EVENTS)
    assert len(EXPECTED) == 10 * (3 + 8 + 8)


@pytest.mark.parametrize("state,event,target", sorted(EXPECTED, key=str), ids=lambda x: str(x))
def test_machine_matches_the_table(state, event, target):
    dest = EXPECTED[(state, event, target)]
    assert machine.allowed(state, event, target) is (dest is not None)
    if dest is None:
        with pytest.raises(machine.InvalidMove):
            machine.fire(state, event, target)
    else:
        assert machine.fire(state, event, target) == dest


def test_targets_are_ignored_where_the_event_has_none_and_required_where_it_has():
    assert machine.fire("causes", "advance", target="declaration") == "commitments"
    assert not machine.allowed("causes", "reopen", None)
    assert not machine.allowed("suspended", "resume", None)
    assert not machine.allowed("causes", "jump")  # an unknown event is no move


def test_the_machine_holds_exactly_the_table_rows():
    for state in machine.STATES:
        for event in machine.EVENTS:
            expected = sorted({d for (s, e, _), d in EXPECTED.items() if s == state and e == event and d})
            found = [t.dest for t in machine.MACHINE.events[event].transitions.get(state, [])]
            assert sorted(found) == expected, (state, event)


# --- the same table through engine.blockers: the refusal codes ---------------------------

def _records(state: str, suspended_from: str | None = None) -> Records:
    process = SimpleNamespace(stage=state, suspended_from=suspended_from, quorum={"sectors": {}},
                              starts_on=dt.date(2026, 1, 15), term_months=12)
    return Records(process=process)


@pytest.mark.parametrize("state,event,target", sorted(EXPECTED, key=str), ids=lambda x: str(x))
def test_blockers_refuse_exactly_the_moves_the_table_refuses(state, event, target):
    if event == "resume":
        # resume takes the stage left from the process, not from the caller
        records = _records(state, suspended_from=target if state == "suspended" else None)
    else:
        records = _records(state)
    codes = [r.code for r in engine.blockers(records, event, target, reason_text="motivo")]
    if EXPECTED[(state, event, target)] is None:
        earlier_reopen = event == "reopen" and state in STAGE_NAMES
        assert codes == (["reopen_needs_earlier_stage"] if earlier_reopen else ["move_not_allowed"])
    else:
        # an allowed move is blocked only by exit criteria (advance/close), never by the machine
        assert "move_not_allowed" not in codes and "reopen_needs_earlier_stage" not in codes


# --- through real decisions on a database ----------------------------------------------

def _decision(p: Proc, kind: str, **payload) -> str:
    """A decision proposed in a fresh quorate session; returns its key."""
    session = p.session()
    return p("propose_decision", session=session, kind=kind, **payload)["decision"]


@pytest.mark.parametrize("kind,payload,code", [
    ("reopen", {"target": "sensitization", "reason": "revisar"}, "reopen_needs_earlier_stage"),
    ("reopen", {"target": "consultation", "reason": "revisar"}, "reopen_needs_earlier_stage"),
    ("close", {}, "move_not_allowed"),
    ("resume", {}, "move_not_allowed"),
])
def test_refused_moves_from_an_open_stage_change_nothing(db, clock, kind, payload, code):
    p = process_at(db, clock, "consultation")
    d = _decision(p, kind, **payload)
    exc = refused(db, lambda: p("decide", decision=d), code)
    assert exc.exit_code == 3
    assert p.stage == "consultation"


def test_moves_while_suspended(db, clock):
    p = process_at(db, clock, "sensitization")
    p.move("suspend", reason="receso acordado")
    assert (p.stage, p.status()["suspended_from"]) == ("suspended", "sensitization")
    for kind, payload in [("advance", {}), ("suspend", {}), ("close", {}),
                          ("reopen", {"target": "declaration", "reason": "revisar"})]:
        d = _decision(p, kind, **payload)
        refused(db, lambda: p("decide", decision=d), "move_not_allowed")
    p.move("resume")
    assert (p.stage, p.status()["suspended_from"]) == ("sensitization", None)


def test_reopen_goes_back_to_any_earlier_stage_and_advance_only_one(db, clock):
    p = process_at(db, clock, "planning")
    p.move("reopen", target="declaration", reason="falta un integrante del órgano garante")
    assert p.stage == "declaration"
    p.move("advance")  # the earlier stages' work is still there: criteria still met
    assert p.stage == "consultation"


def test_a_closed_process_takes_no_decision(db, clock):
    p = process_at(db, clock, "closed")
    for kind in ("advance", "suspend", "reopen"):
        exc = refused(db, lambda: p("convene_session", scheduled_for="2027-01-01T10:00:00-06:00",
                                    place="Sala", agenda=[kind]), "process_closed")
        assert exc.exit_code == 3
    p("publish_document", kind="report", title="Informe final", ref="informe.pdf")  # still allowed


def test_advance_from_monitoring_is_not_a_move_close_is(db, clock):
    p = process_at(db, clock, "monitoring")
    complete_stage(p, "monitoring")
    d = _decision(p, "advance")
    refused(db, lambda: p("decide", decision=d), "move_not_allowed")
    p.close()
    assert p.stage == "closed"


@pytest.mark.parametrize("stage", STAGE_NAMES)
def test_a_stage_move_reads_only_the_tables_its_stage_declares(stage):
    """``Stage.reads`` is all a move's exit criteria read: with every other table missing, the
    criteria still decide; with the declared ones missing too, they fail loudly."""
    from stages import BY_NAME
    from stages.base import NotLoaded

    spec = BY_NAME[stage]
    fields = [f for f in Records.__dataclass_fields__ if f != "process"]
    process = SimpleNamespace(id=1, stage=stage, quorum={"sectors": {"government": 1}}, starts_on=dt.date(2026, 1, 1),
                              term_months=12, settings={}, timezone="America/Mexico_City")
    records = Records(process=process, **{f: [] if f in spec.reads else NotLoaded(f) for f in fields})
    assert all(r.code in {c.code for c in spec.criteria} for r in spec.unmet(records))
    hidden = Records(process=process, **{f: NotLoaded(f) for f in fields})
    with pytest.raises(Misuse, match="not loaded"):
        spec.unmet(hidden)
