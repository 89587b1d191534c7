"""Stage 1, declaration: each exit criterion met and unmet, by its code."""
from __future__ import annotations

import datetime as dt

import pytest
from builders import Proc
from handmade import criteria_codes, edit, items, records, row, unmet

STAGE = "declaration"


def member(handle: str, sector: str, **kw) -> object:
    return row(**{"id": hash(handle), "handle": handle, "role": "member", "sector": sector, "active": True, **kw})


def complete():
    """A declaration signed by the executive and the guarantor body, and a tripartite secretariat."""
    return records(
        declarations=[row(signed_on=dt.date(2026, 1, 20), document_ref="declaratoria.pdf",
                          signatories=[{"name": "Gobernador", "sector": "government"},
                                       {"name": "Comisionada", "sector": "guarantor"}])],
        people=[member("gob", "government"), member("garante", "guarantor"), member("osc", "civil_society"),
                row(id=9, handle="coord", role="coordinator", sector=None, active=True)],
    )


CASES = [
    ("declaration_signed_by_executive_and_guarantor", "no declaration at all",
     lambda r: r.declarations.clear()),
    ("declaration_signed_by_executive_and_guarantor", "signed by the executive only",
     lambda r: edit(r.declarations[0], signatories=[{"name": "Gobernador", "sector": "government"}])),
    ("declaration_signed_by_executive_and_guarantor", "no document",
     lambda r: edit(r.declarations[0], document_ref="")),
    ("declaration_signed_by_executive_and_guarantor", "no date",
     lambda r: edit(r.declarations[0], signed_on=None)),
    ("secretariat_installed_with_required_sectors", "no civil-society member",
     lambda r: r.people.pop(2)),
    ("secretariat_installed_with_required_sectors", "the civil-society member left",
     lambda r: edit(r.people[2], active=False)),
    ("secretariat_installed_with_required_sectors", "civil society withdrew",
     lambda r: r.withdrawals.append(row(sector="civil_society", returned_at=None))),
    ("secretariat_installed_with_required_sectors", "two guarantor seats required, one seated",
     lambda r: r.process.quorum["sectors"].update(guarantor=2)),
]


def test_a_complete_declaration_meets_every_criterion():
    assert unmet(STAGE, complete()) == []


@pytest.mark.parametrize("code,why,breaks", CASES, ids=[c[1] for c in CASES])
def test_each_criterion_unmet_alone(code, why, breaks):
    r = complete()
    breaks(r)
    assert unmet(STAGE, r) == [code], why


def test_the_cases_cover_every_criterion():
    assert {code for code, _, _ in CASES} == criteria_codes(STAGE)


def test_a_returned_sector_counts_again_and_a_coordinator_never_counts():
    r = complete()
    r.withdrawals.append(row(sector="civil_society", returned_at=dt.datetime(2026, 2, 1, tzinfo=dt.timezone.utc)))
    assert unmet(STAGE, r) == []
    r.people[2] = row(id=3, handle="coord2", role="coordinator", sector="civil_society", active=True)
    assert items(STAGE, r, "secretariat_installed_with_required_sectors") == ["civil_society"]


def test_an_empty_process_names_every_missing_sector():
    r = records()
    assert unmet(STAGE, r) == ["declaration_signed_by_executive_and_guarantor",
                              "secretariat_installed_with_required_sectors"]
    assert items(STAGE, r, "secretariat_installed_with_required_sectors") == ["government", "guarantor", "civil_society"]


def test_through_real_actions(db, clock):
    p = Proc(db, clock, members=[("gob", "government"), ("garante", "guarantor")])
    assert p.unmet() == ["declaration_signed_by_executive_and_guarantor", "secretariat_installed_with_required_sectors"]
    assert p.status()["unmet"][1]["details"]["items"] == ["civil_society"]
    p.on("2026-01-21")
    p("sign_declaration", signed_on="2026-01-20", document_ref="declaratoria.pdf",
      signatories=[{"name": "Gobernador", "role": "Ejecutivo", "sector": "government"}])
    assert p.unmet() == ["declaration_signed_by_executive_and_guarantor", "secretariat_installed_with_required_sectors"]
    p("sign_declaration", signed_on="2026-01-21", document_ref="declaratoria-2.pdf",
      signatories=[{"name": "Gobernador", "role": "Ejecutivo", "sector": "government"},
                   {"name": "Comisionada", "role": "Órgano garante", "sector": "guarantor"}])
    assert p.unmet() == ["secretariat_installed_with_required_sectors"]
    p("add_person", handle="osc", name="Colectivo", role="member", sector="civil_society")
    p.members.append("osc")
    assert p.unmet() == [] and p.status()["ready"]
    p.move("advance")
    assert p.stage == "consultation"
