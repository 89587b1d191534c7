"""Stage 7, routes: each exit criterion met and unmet, by its code."""
from __future__ import annotations

import datetime as dt

import pytest
from builders import process_at
from handmade import criteria_codes, edit, items, records, row, unmet
from snapshots import refused

STAGE = "routes"
D = dt.date
ACCEPTED = dt.datetime(2026, 5, 22, 15, tzinfo=dt.timezone.utc)


def complete():
    """Each commitment with accepted activities inside the term and a result indicator."""
    return records(
        commitments=[row(id=1, key="c1"), row(id=2, key="c2")],
        activities=[
            row(key="a1", commitment_id=1, agency_id=7, start_date=D(2026, 1, 15), end_date=D(2026, 6, 30), accepted_at=ACCEPTED),
            row(key="a2", commitment_id=2, agency_id=7, start_date=D(2026, 7, 1), end_date=D(2027, 1, 15), accepted_at=ACCEPTED),
        ],
        indicators=[row(commitment_id=1, kind="result"), row(commitment_id=2, kind="result"),
                    row(commitment_id=2, kind="management")],
    )


CASES = [
    ("every_commitment_has_activities", "a commitment without activities", lambda r: r.activities.pop()),
    ("activities_scheduled_within_term", "no agency", lambda r: edit(r.activities[0], agency_id=None)),
    ("activities_scheduled_within_term", "starts before the term", lambda r: edit(r.activities[0], start_date=D(2026, 1, 14))),
    ("activities_scheduled_within_term", "ends after the term", lambda r: edit(r.activities[1], end_date=D(2027, 1, 16))),
    ("activities_scheduled_within_term", "ends before it starts", lambda r: edit(r.activities[0], end_date=D(2026, 1, 10))),
    ("activities_scheduled_within_term", "no end date", lambda r: edit(r.activities[0], end_date=None)),
    ("activities_accepted_by_agency", "not accepted", lambda r: edit(r.activities[1], accepted_at=None)),
    ("every_commitment_has_result_indicator", "management indicators only", lambda r: r.indicators.pop(1)),
]


def test_complete_routes_meet_every_criterion():
    assert unmet(STAGE, complete()) == []


@pytest.mark.parametrize("code,why,breaks", CASES, ids=[c[1] for c in CASES])
def test_each_criterion_unmet_alone(code, why, breaks):
    r = complete()
    breaks(r)
    assert unmet(STAGE, r) == [code], why


def test_the_cases_cover_every_criterion():
    assert {code for code, _, _ in CASES} == criteria_codes(STAGE)


def test_offending_items_are_named():
    r = complete()
    r.indicators.pop(1)
    edit(r.activities[0], accepted_at=None)
    assert items(STAGE, r, "every_commitment_has_result_indicator") == ["c2"]
    assert items(STAGE, r, "activities_accepted_by_agency") == ["a1"]


def test_through_real_actions(db, clock):
    p = process_at(db, clock, STAGE)
    assert p.unmet() == ["every_commitment_has_activities", "every_commitment_has_result_indicator"]
    p("add_person", handle="enlace", name="Enlace Igualdad", role="liaison", agency="igualdad")
    p("plan_activity", key="a1", commitment="c1", title="Publicar", deliverable="Portal", agency="igualdad",
      start_date="2026-06-01", end_date="2027-02-28")
    p("add_indicator", key="g1", commitment="c1", name="Reuniones", kind="management")
    assert p.unmet() == ["activities_scheduled_within_term", "activities_accepted_by_agency",
                         "every_commitment_has_result_indicator"]
    p("accept_activity", actor="enlace", activity="a1")
    assert "activities_accepted_by_agency" not in p.unmet()
    # changing the dates of an accepted activity needs a new acceptance
    p("plan_activity", key="a1", commitment="c1", title="Publicar", deliverable="Portal", agency="igualdad",
      start_date="2026-06-01", end_date="2026-12-31")
    p("add_indicator", key="r1", commitment="c1", name="Brecha medida", kind="result")
    assert p.unmet() == ["activities_accepted_by_agency"]
    # a member of the secretariat is not the agency: only its liaison (or a coordinator) accepts
    refused(db, lambda: p("accept_activity", actor="gob", activity="a1"), "actor_not_allowed")
    p("accept_activity", actor="enlace", activity="a1")
    assert p.unmet() == []
    p.move("advance")
    assert p.stage == "monitoring"
