"""Stage 3, sensitization: each exit criterion met and unmet, by its code."""
from __future__ import annotations

import pytest
from builders import process_at
from handmade import criteria_codes, edit, items, records, row, unmet

from stages.sensitization import QUESTIONS

STAGE = "sensitization"
ALL_QUESTIONS = list(QUESTIONS)


def complete():
    """Two sessions that together cover the guide's six questions and every required sector."""
    return records(sensitization_sessions=[
        row(key="sen1", topics=ALL_QUESTIONS[:3], sectors={"government": 4, "guarantor": 1}),
        row(key="sen2", topics=ALL_QUESTIONS[3:], sectors={"civil_society": 9, "academia": 2}),
    ])


CASES = [
    ("sensitization_session_held", "no session", lambda r: r.sensitization_sessions.clear()),
    ("sensitization_questions_covered", "a question left out",
     lambda r: edit(r.sensitization_sessions[1], topics=ALL_QUESTIONS[3:5])),
    ("sensitization_attended_by_required_sectors", "civil society absent",
     lambda r: edit(r.sensitization_sessions[1], sectors={"academia": 2})),
    ("sensitization_attended_by_required_sectors", "civil society listed with nobody attending",
     lambda r: edit(r.sensitization_sessions[1], sectors={"civil_society": 0})),
]


def test_complete_sensitization_meets_every_criterion():
    assert unmet(STAGE, complete()) == []


@pytest.mark.parametrize("code,why,breaks", CASES, ids=[c[1] for c in CASES])
def test_each_criterion_unmet(code, why, breaks):
    r = complete()
    breaks(r)
    found = unmet(STAGE, r)
    if code == "sensitization_session_held":  # with no session nothing is covered and nobody attended
        assert found == [code, "sensitization_questions_covered", "sensitization_attended_by_required_sectors"]
    else:
        assert found == [code], why


def test_the_cases_cover_every_criterion():
    assert {code for code, _, _ in CASES} == criteria_codes(STAGE)


def test_missing_questions_and_sectors_are_named():
    r = complete()
    edit(r.sensitization_sessions[1], topics=["how_it_works"], sectors={"academia": 2})
    assert items(STAGE, r, "sensitization_questions_covered") == ["how_it_worked_elsewhere", "what_it_is_and_is_not"]
    assert items(STAGE, r, "sensitization_attended_by_required_sectors") == ["civil_society"]


def test_the_required_sectors_come_from_the_process_quorum():
    r = complete()
    r.process.quorum["sectors"]["legislature"] = 1
    assert items(STAGE, r, "sensitization_attended_by_required_sectors") == ["legislature"]


def test_through_real_actions(db, clock):
    p = process_at(db, clock, STAGE)
    assert p.unmet() == ["sensitization_session_held", "sensitization_questions_covered",
                         "sensitization_attended_by_required_sectors"]
    p.on("2026-03-27")
    p("record_sensitization_session", key="sen1", held_on="2026-03-20", topics=ALL_QUESTIONS[:5],
      sectors={"government": 3, "guarantor": 1})
    assert p.unmet() == ["sensitization_questions_covered", "sensitization_attended_by_required_sectors"]
    p("record_sensitization_session", key="sen2", held_on="2026-03-27", topics=ALL_QUESTIONS[5:],
      sectors={"civil_society": 7})
    assert p.unmet() == []
    p.move("advance")
    assert p.stage == "planning"
