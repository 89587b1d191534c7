"""Quorum and decision rules as tables: who is present, when a session may decide, how
consensus and the extraordinary majority (one voice per sector) count.

Pure tables on ``workflow.governance`` first, then the same rules through real sessions and
decisions on SQLite and PostgreSQL.
"""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from builders import Proc, process_at
from snapshots import refused

from workflow import governance

T0 = dt.datetime(2026, 3, 1, 16, tzinfo=dt.timezone.utc)
TRIPARTITE = {"government": 1, "guarantor": 1, "civil_society": 1}


def people(*specs: str) -> dict[int, SimpleNamespace]:
    """``"osc1:civil_society"``, optionally ``"...:inactive"`` or ``"coord::coordinator"``."""
    out = {}
    for n, spec in enumerate(specs, 1):
        handle, sector, *flags = spec.split(":")
        role = flags[0] if flags and flags[0] in ("coordinator", "liaison") else "member"
        out[n] = SimpleNamespace(id=n, handle=handle, sector=sector or None, role=role, active="inactive" not in flags)
    return out


def attendance(by_id: dict, *events: str) -> list[SimpleNamespace]:
    """Arrivals (``"gob"``) and departures (``"-gob"``) in order, as attendance rows."""
    ids = {p.handle: p.id for p in by_id.values()}
    rows, open_rows = [], {}
    for event in events:
        handle = event.lstrip("-")
        if event.startswith("-"):
            open_rows.pop(handle).left_at = T0
        else:
            open_rows[handle] = SimpleNamespace(person_id=ids[handle], arrived_at=T0, left_at=None)
            rows.append(open_rows[handle])
    return rows


EVERYONE = ("gob:government", "garante:guarantor", "osc1:civil_society", "osc2:civil_society",
            "udg:academia", "ex:civil_society:inactive", "coord::coordinator")

# description, quorum rule, attendance events, withdrawn sectors, -> missing sectors, other gaps
QUORUM = [
    ("all three sectors present", TRIPARTITE, 0, ["gob", "garante", "osc1"], [], [], []),
    ("civil society absent", TRIPARTITE, 0, ["gob", "garante", "udg"], [], ["civil_society"], []),
    ("only civil society", TRIPARTITE, 0, ["osc1", "osc2"], [], ["government", "guarantor"], []),
    ("nobody", TRIPARTITE, 0, [], [], ["government", "guarantor", "civil_society"], []),
    ("min_members reached", TRIPARTITE, 4, ["gob", "garante", "osc1", "udg"], [], [], []),
    ("min_members not reached", TRIPARTITE, 5, ["gob", "garante", "osc1", "udg"], [], [], ["quorum_members_missing"]),
    ("two civil-society seats required, one present", {**TRIPARTITE, "civil_society": 2}, 0,
     ["gob", "garante", "osc1"], [], ["civil_society"], []),
    ("a member who left is no longer present", TRIPARTITE, 0, ["gob", "garante", "osc1", "-osc1"], [],
     ["civil_society"], []),
    ("a member who left and came back is present", TRIPARTITE, 0, ["gob", "garante", "osc1", "-osc1", "osc1"], [],
     [], []),
    ("a member removed from the process does not count", TRIPARTITE, 0, ["gob", "garante", "ex"], [],
     ["civil_society"], []),
    ("a coordinator attending does not count", TRIPARTITE, 0, ["gob", "garante", "coord"], [], ["civil_society"], []),
    ("a withdrawn sector's members do not count", TRIPARTITE, 0, ["gob", "garante", "osc1", "osc2"],
     ["civil_society"], ["civil_society"], []),
    ("a withdrawn optional sector lowers the head count", TRIPARTITE, 4, ["gob", "garante", "osc1", "udg"],
     ["academia"], [], ["quorum_members_missing"]),
    ("a required minimum of 0 still needs one member", {"government": 0}, 0, ["garante"], [], ["government"], []),
]


@pytest.mark.parametrize("why,sectors,min_members,events,withdrawn,missing,other", QUORUM, ids=[q[0] for q in QUORUM])
def test_quorum_table(why, sectors, min_members, events, withdrawn, missing, other):
    by_id = people(*EVERYONE)
    present = governance.present_members(attendance(by_id, *events), by_id, set(withdrawn))
    gaps = governance.quorum_gaps(governance.QuorumRule(sectors, min_members), present, "S1")
    if not missing and not other:
        assert gaps == [], why
        return
    [gap] = gaps
    assert gap.code == "session_not_quorate"
    assert gap.details["missing_sectors"] == missing, why
    assert gap.details["gaps"] == ["quorum_sector_missing"] * len(missing) + other


def test_quorum_refusal_names_the_missing_sectors_in_each_language():
    by_id = people(*EVERYONE)
    present = governance.present_members(attendance(by_id, "gob", "garante"), by_id, set())
    [gap] = governance.quorum_gaps(governance.QuorumRule(TRIPARTITE), present, "S1")
    assert gap.message("es") == "La sesión S1 no tiene quórum: falta sociedad civil (presentes 0 de 1)."
    assert gap.message("en") == "Session S1 is not quorate: civil society missing (0 of 1 present)."


# --- consensus: an objection blocks, abstentions and silence do not ----------------------

CONSENSUS = [
    ("everyone for", {"gob": "for", "garante": "for", "osc1": "for"}, True, []),
    ("one objection blocks", {"gob": "for", "garante": "for", "osc1": "against"}, False, ["osc1"]),
    ("abstentions do not block", {"gob": "for", "garante": "abstain", "osc1": "abstain"}, True, []),
    ("silence does not block", {}, True, []),
    ("every objection is named", {"gob": "against", "osc1": "against"}, False, ["gob", "osc1"]),
    ("a vote of someone not present does not count", {"udg": "against"}, True, []),
]


@pytest.mark.parametrize("why,votes,adopted,objections", CONSENSUS, ids=[c[0] for c in CONSENSUS])
def test_consensus_table(why, votes, adopted, objections):
    by_id = people(*EVERYONE)
    present = governance.present_members(attendance(by_id, "gob", "garante", "osc1"), by_id, set())
    ids = {p.handle: p.id for p in by_id.values()}
    result, tally = governance.tally("consensus", present, {ids[h]: v for h, v in votes.items()})
    assert (result, tally["objections"]) == (adopted, objections), why
    assert tally["present"] == ["garante", "gob", "osc1"]


# --- majority: one voice per sector, whatever its head count ------------------------------

BIG_CS = ("gob:government", "garante:guarantor", "osc1:civil_society", "osc2:civil_society",
          "osc3:civil_society", "osc4:civil_society", "osc5:civil_society", "udg:academia", "iteso:academia")
FIVE_AGAINST = {f"osc{n}": "against" for n in range(1, 6)}

MAJORITY = [
    ("5 civil-society members against, government and guarantor for: 2 sectors to 1",
     {**FIVE_AGAINST, "gob": "for", "garante": "for"}, True, {"government": "for", "guarantor": "for",
                                                            "civil_society": "against", "academia": "abstain"}),
    ("a tie inside a sector is an abstention",
     {"osc1": "for", "osc2": "for", "osc3": "against", "osc4": "against", "gob": "for", "garante": "against"},
     False, {"government": "for", "guarantor": "against", "civil_society": "abstain", "academia": "abstain"}),
    ("silence inside a sector is an abstention", {"gob": "for"}, True,
     {"government": "for", "guarantor": "abstain", "civil_society": "abstain", "academia": "abstain"}),
    ("two sectors against two: not adopted",
     {"gob": "for", "garante": "for", **FIVE_AGAINST, "udg": "against"}, False,
     {"government": "for", "guarantor": "for", "civil_society": "against", "academia": "against"}),
    ("the majority of a sector's present members is its voice",
     {"osc1": "for", "osc2": "for", "osc3": "for", "osc4": "against", "osc5": "abstain", "garante": "against"}, False,
     {"government": "abstain", "guarantor": "against", "civil_society": "for", "academia": "abstain"}),
    ("everyone abstains: not adopted", {}, False,
     {"government": "abstain", "guarantor": "abstain", "civil_society": "abstain", "academia": "abstain"}),
]


@pytest.mark.parametrize("why,votes,adopted,sectors", MAJORITY, ids=[m[0] for m in MAJORITY])
def test_majority_by_sector_table(why, votes, adopted, sectors):
    by_id = people(*BIG_CS)
    present = governance.present_members(attendance(by_id, *(p.split(":")[0] for p in BIG_CS[:8])), by_id, set())
    ids = {p.handle: p.id for p in by_id.values()}
    result, tally = governance.tally("majority", present, {ids[h]: v for h, v in votes.items()})
    assert tally["sectors"] == sectors, why
    assert result is adopted, why
    assert (tally["for"], tally["against"]) == (list(sectors.values()).count("for"), list(sectors.values()).count("against"))


# --- the same rules through real sessions and decisions -----------------------------------

SEVEN = [("gob", "government"), ("garante", "guarantor")] + [(f"osc{n}", "civil_society") for n in range(1, 6)]


def test_majority_is_refused_outside_an_extraordinary_session(db, clock):
    p = Proc(db, clock)
    session = p.session()
    refused(db, lambda: p("propose_decision", session=session, kind="general", text="Acuerdo", rule="majority"),
            "majority_only_in_extraordinary_session")
    refused(db, lambda: p("convene_session", scheduled_for="2026-02-01T10:00:00-06:00", place="Sala",
                          agenda=["Votación"], extraordinary=True), "extraordinary_needs_justification")


def test_majority_counts_sectors_not_heads(db, clock):
    p = Proc(db, clock, members=SEVEN)
    session = p.session(extraordinary=True, justification="No hay consenso tras tres sesiones")
    votes = {**FIVE_AGAINST, "gob": "for", "garante": "for"}
    result = p.decide("general", session=session, rule="majority", votes=votes, text="Calendario de mesas")
    assert result["status"] == "adopted"
    assert result["tally"]["sectors"] == {"civil_society": "against", "government": "for", "guarantor": "for"}
    assert (result["tally"]["for"], result["tally"]["against"]) == (2, 1)


def test_consensus_an_objection_blocks_abstentions_do_not(db, clock):
    p = Proc(db, clock, members=SEVEN)
    blocked = p.decide("general", votes={"gob": "for", "osc3": "against"}, text="Sede de las mesas")
    assert (blocked["status"], blocked["tally"]["objections"]) == ("rejected", ["osc3"])
    agreed = p.decide("general", votes={"osc1": "abstain", "osc2": "abstain", "garante": "for"}, text="Otra sede")
    assert agreed["status"] == "adopted"
    # a decision is taken once
    refused(db, lambda: p("decide", decision=agreed["decision"]), "decision_not_open")


def test_only_members_vote_and_only_for_themselves(db, clock):
    p = process_at(db, clock, "commitments")
    p("add_agency", key="igualdad", name="Secretaría de Igualdad")
    p("add_person", handle="enlace", name="Enlace", role="liaison", agency="igualdad")
    session = p.session()
    d = p("propose_decision", session=session, kind="general", text="Acuerdo")["decision"]
    for actor in ("coord", "enlace"):
        exc = refused(db, lambda: p("cast_vote", actor=actor, decision=d, position="for"), "actor_not_allowed")
        assert exc.exit_code == 3
    refused(db, lambda: p("cast_vote", actor="gob", decision=d, position="against", member="osc"), "vote_only_for_self")
    refused(db, lambda: p("cast_vote", actor="nadie", decision=d, position="for"), "actor_unknown")
    p("cast_vote", actor="gob", decision=d, position="for", member="gob")
    p("cast_vote", actor="gob", decision=d, position="abstain")  # a member may change its vote before the decision
    assert p("decide", decision=d)["tally"]["objections"] == []


def test_a_member_not_present_cannot_vote_and_one_who_leaves_is_no_longer_present(db, clock):
    p = Proc(db, clock, members=SEVEN)
    session = p.session(present=["gob", "garante", "osc1"])
    d = p("propose_decision", session=session, kind="general", text="Acuerdo")["decision"]
    refused(db, lambda: p("cast_vote", actor="osc2", decision=d, position="against"), "voter_not_present")
    p("record_attendance", session=session, members=["osc1"], present=False)
    refused(db, lambda: p("cast_vote", actor="osc1", decision=d, position="against"), "voter_not_present")
    exc = refused(db, lambda: p("decide", decision=d), "session_not_quorate")
    assert exc.reasons[0].details["missing_sectors"] == ["civil_society"]
    p("record_attendance", session=session, members=["osc2"])
    assert p("decide", decision=d)["status"] == "adopted"


def test_a_removed_member_no_longer_counts(db, clock):
    p = Proc(db, clock)
    session = p.session()
    d = p("propose_decision", session=session, kind="general", text="Acuerdo")["decision"]
    p("remove_person", handle="osc", reason="Renunció a su asiento")
    refused(db, lambda: p("decide", decision=d), "session_not_quorate")
    refused(db, lambda: p("cast_vote", actor="osc", decision=d, position="for"), "actor_unknown")


def test_a_withdrawn_sectors_members_do_not_count(db, clock):
    p = Proc(db, clock, members=[*SEVEN[:3], ("udg", "academia")],
             quorum={"sectors": TRIPARTITE, "min_members": 4})
    session = p.session()
    d = p("propose_decision", session=session, kind="general", text="Acuerdo")["decision"]
    p("withdraw_sector", actor="udg", sector="academia", reason="Desacuerdo con la metodología")
    assert p.stage == "declaration"  # academia is not a required sector: no suspension
    exc = refused(db, lambda: p("decide", decision=d), "session_not_quorate")
    assert exc.reasons[0].details["gaps"] == ["quorum_members_missing"]
    refused(db, lambda: p("cast_vote", actor="udg", decision=d, position="for"), "voter_not_present")
    # a member may withdraw only its own sector
    refused(db, lambda: p("withdraw_sector", actor="gob", sector="civil_society", reason="x"), "member_other_sector")
    p("return_sector", actor="udg", sector="academia", reason="Se acordó la metodología")
    p("record_attendance", session=session, members=["udg"])
    assert p("decide", decision=d)["status"] == "adopted"
