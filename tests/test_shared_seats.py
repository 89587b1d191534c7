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
