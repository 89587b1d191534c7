"""Shared seats, as the guide's secretariats had them, configured without code: Oaxaca's twelve
organisations in one civil-society seat (its spokespeople speak and withdraw for the sector;
one organisation leaving does not suspend), Coahuila's five regional spokespeople, Jalisco's
eleven members in eight sectors, and Morelos's civil-society seat held by a business
confederation (flagged by the compliance report). On SQLite and PostgreSQL."""
from __future__ import annotations

from builders import Proc
from snapshots import refused

from compliance.render import render
from reads import checks, public

OAXACA = [("gob", "government"), ("garante", "guarantor")] + [(f"osc{n}", "civil_society") for n in range(1, 13)]


def _seat(p: Proc, spokespeople: list[str], alternates: list[str] = ()) -> None:
    for h in spokespeople:
        p("update_person", handle=h, seat_role="spokesperson", organisation_kind="civil_society")
    for h in alternates:
        p("update_person", handle=h, seat_role="alternate", organisation_kind="civil_society")


def test_oaxaca_one_organisation_leaving_the_shared_seat_does_not_suspend(db, clock):
    p = Proc(db, clock, members=OAXACA)
    _seat(p, ["osc1", "osc2"], ["osc3"])
    left = p("remove_person", handle="osc5", reason="La organización deja el núcleo")
    assert left == {"person": "osc5", "active": False, "sector_still_seated": True} and p.stage == "declaration"
    for n in (4, *range(6, 13)):
        p("remove_person", handle=f"osc{n}", reason="Deja el núcleo")
    assert p.stage == "declaration"  # three organisations still hold the seat
    view = public.public_view(db, "p", clock=clock)
    seat = next(s for s in view["secretariat"]["sectors"] if s["sector"] == "civil_society")
    assert [(m["handle"], m["seat_role"]) for m in seat["members"]] == [
        ("osc1", "spokesperson"), ("osc2", "spokesperson"), ("osc3", "alternate")]
    assert "(vocero del sector)" in render_page(db, clock)


def render_page(db, clock) -> str:
    from webkit import client

    return client(db, clock).get("/p/p").text


def test_the_sectors_withdrawal_is_said_by_its_spokespeople(db, clock):
    p = Proc(db, clock, members=OAXACA)
    _seat(p, ["osc1", "osc2"], ["osc3"])
    exc = refused(db, lambda: p("withdraw_sector", actor="osc3", sector="civil_society", reason="Nos vamos"),
                  "sector_spokesperson_only")
    assert "osc1, osc2" in exc.messages("es")[0] and exc.exit_code == 3
    out = p("withdraw_sector", actor="osc2", sector="civil_society", reason="El núcleo decidió retirarse")
    assert out["suspended_from"] == "declaration" and p.stage == "suspended"


def test_the_last_member_of_a_required_sector_leaving_suspends(db, clock):
    p = Proc(db, clock)
    out = p("remove_person", handle="gob", reason="Cambio de administración")
    assert out["sector_still_seated"] is False and out["suspended_from"] == "declaration"
    assert p.stage == "suspended"
    from cli.describe import did
    from web.i18n import said

    assert said("en", "remove_person", out).text.endswith("The process is suspended.")
    assert did("remove_person", out, "en") == "gob; the process is now suspended"
    p("add_person", handle="gob2", name="Nueva titular", role="member", sector="government")
    p.members = ["gob2", "garante", "osc"]
    assert p.move("resume")["stage"] == "declaration"
    refused(db, lambda: p("update_person", handle="coord", seat_role="spokesperson"), "invalid_field")


def test_coahuila_five_regional_spokespeople_and_jalisco_eight_sectors(db, clock):
    regions = [(f"region{n}", "civil_society") for n in range(1, 6)]
    p = Proc(db, clock, slug="coahuila", members=[("gob", "government"), ("garante", "guarantor"), *regions])
    _seat(p, [h for h, _ in regions])
    p("withdraw_sector", actor="region4", sector="civil_society", reason="Las cinco regiones acordaron retirarse")
    assert p.stage == "suspended"
    sectors = ["government", "guarantor", "civil_society", "academia", "business", "legislature", "municipality",
               "media"]
    members = [(f"m{n}", sectors[n % 8]) for n in range(11)]
    quorum = {"sectors": {s: 1 for s in sectors}, "min_members": 6}
    j = Proc(db, clock, slug="jalisco", members=members, quorum=quorum)
    session = j.session(present=[h for h, _ in members[:8]])
    assert j.decide("general", session=session, text="Calendario de sesiones")["status"] == "adopted"
    short = j.session(present=[h for h, _ in members[:7]])  # the media's one member is absent
    d = j("propose_decision", session=short, kind="general", text="Otro acuerdo")["decision"]
    exc = j.refused("decide", decision=d)
    assert "media" in str(exc.reasons[0].details)


def test_morelos_a_business_confederation_in_the_civil_society_seat_is_flagged(db, clock):
    p = Proc(db, clock, slug="morelos")
    report = checks.report(db, "morelos", as_of=clock.now())
    assert report.statuses()["seat-independence"] == "met"
    p("update_person", handle="osc", organisation="Confederación Patronal de la República Mexicana",
      organisation_kind="business")
    report = checks.report(db, "morelos", as_of=clock.now())
    assert report.statuses()["seat-independence"] == "not_met"
    assert report.failing() == ["seat-independence"] or "seat-independence" in report.failing()
    es, en = render(report, "text", "es"), render(report, "text", "en")
    assert "Asientos independientes ocupados por organizaciones independientes" in es
    assert "Confederación Patronal de la República Mexicana, organización empresarial" in es
    assert "1 seat that must be independent is held by an organisation whose kind puts its independence at risk" in en
    assert "business" not in es.split("seat-independence")[0].split("Asientos independientes")[-1]


# --- alternates stand in for absent holders ---------------------------------------------------

SEATED = [("gob", "government"), ("garante", "guarantor"), ("osc1", "civil_society"), ("osc2", "civil_society"),
          ("osc3", "civil_society"), ("osc4", "civil_society")]


def _with_alternates(db, clock, quorum: dict) -> Proc:
    """Civil society's seat: two holders (osc1, osc2) and two alternates (osc3, osc4)."""
    p = Proc(db, clock, members=SEATED, quorum=quorum)
    _seat(p, [], ["osc3", "osc4"])
    return p


def test_counting_table():
    """Who counts, the rule as a table: holders and spokespeople always; alternates, in the order
    they arrived, only in place of a seated holder or spokesperson who is not present."""
    from types import SimpleNamespace as P

    from workflow.governance import SEAT_ROLES, counting

    assert SEAT_ROLES == {"holder": True, "spokesperson": True, "alternate": False}
    h1, h2 = P(id=1, sector="cs", role="member", active=True, seat_role="holder"), \
        P(id=2, sector="cs", role="member", active=True, seat_role="spokesperson")
    a1, a2 = P(id=3, sector="cs", role="member", active=True, seat_role="alternate"), \
        P(id=4, sector="cs", role="member", active=True, seat_role="alternate")
    old = P(id=5, sector="gov", role="member", active=True, seat_role=None)  # seated before seats had parts
    people = [h1, h2, a1, a2, old]
    cases = [([h1, h2, a1, a2, old], [1, 2, 5]), ([h1, a1, a2], [1, 3]), ([a2, a1], [4, 3]), ([a1], [3]),
             ([h1, h2], [1, 2]), ([old, a1], [5, 3, ]), ([], [])]
    for present, counted in cases:
        assert [p.id for p in counting(present, people, set())] == counted, present
    assert counting([a1], people, {"cs"}) == []  # a withdrawn sector's seat has no vacancy to fill
    assert [p.id for p in counting([a1], [h1, a1, P(id=6, sector="cs", role="member", active=False,
                                                      seat_role="holder")], set())] == [3]


def test_an_alternate_makes_quorum_only_in_place_of_an_absent_holder(db, clock):
    p = _with_alternates(db, clock, {"sectors": {"government": 1, "guarantor": 1, "civil_society": 2}})
    s1 = p.session(present=["gob", "garante", "osc1", "osc3"])  # osc3 stands in for osc2
    assert p.decide("general", session=s1, text="Calendario")["status"] == "adopted"
    s2 = p.session(present=["gob", "garante", "osc3"])  # both holders absent: one alternate fills one place
    d = p("propose_decision", session=s2, kind="general", text="Otro acuerdo")["decision"]
    exc = refused(db, lambda: p("decide", decision=d), "session_not_quorate")
    assert exc.reasons[0].details["missing_sectors"] == ["civil_society"]
    assert "1" in exc.reasons[0].gaps[0].message("es")  # one of the two counted
    assert p("record_attendance", session=s2, members=["osc4"])["quorate"] is True  # the second place
    assert p("decide", decision=d)["status"] == "adopted"


def test_an_alternate_beside_its_holders_does_not_count_toward_the_total(db, clock):
    p = _with_alternates(db, clock, {"sectors": {"government": 1, "guarantor": 1, "civil_society": 1},
                                     "min_members": 5})
    session = p.session(present=["gob", "garante", "osc1", "osc2", "osc3"])  # five in the room, four count
    d = p("propose_decision", session=session, kind="general", text="Calendario")["decision"]
    exc = refused(db, lambda: p("decide", decision=d), "session_not_quorate")
    assert exc.reasons[0].details["gaps"] == ["quorum_members_missing"]
    assert "4" in exc.messages("es")[0]


def test_an_alternate_votes_only_in_place_of_an_absent_holder(db, clock):
    p = _with_alternates(db, clock, {"sectors": {"government": 1, "guarantor": 1, "civil_society": 2}})
    full = p.session(present=["gob", "garante", "osc1", "osc2", "osc3"])
    result = p.decide("general", session=full, text="Calendario", votes={"osc3": "against"})
    assert result["status"] == "adopted"  # the holders are present: the alternate's objection is not a vote
    assert "osc3" not in result["tally"]["present"] and result["tally"]["objections"] == []
    standing_in = p.session(present=["gob", "garante", "osc1", "osc4"])
    result = p.decide("general", session=standing_in, text="Otro acuerdo", votes={"osc4": "against"})
    assert result["status"] == "rejected" and result["tally"]["objections"] == ["osc4"]


def test_the_session_screen_says_who_stands_by(sqlite_db, clock):
    from reads import workspace

    p = _with_alternates(sqlite_db, clock, {"sectors": {"government": 1, "guarantor": 1, "civil_society": 2}})
    session = p.session(present=["gob", "garante", "osc1", "osc2", "osc3"])
    screen = workspace.session_view(sqlite_db, "p", session, "coord", clock=clock)
    by = {m["handle"]: m["stands_by"] for m in screen["members"]}
    assert by["osc3"] is True and by["osc1"] is False and by["osc4"] is False
    row = next(r for r in screen["quorum"]["rows"] if r["sector"] == "civil_society")
    assert row["present"] == 2 and row["met"]
