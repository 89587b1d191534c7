"""Stage 6, commitments: each exit criterion met and unmet, by its code."""
from __future__ import annotations

import datetime as dt

import pytest
from builders import complete_stage, process_at
from handmade import criteria_codes, edit, items, records, row, unmet
from snapshots import refused

STAGE = "commitments"


def commitment(key: str, solution: str, **kw):
    fields = dict(key=key, solution_key=solution, title="Tabuladores abiertos", problem="Brecha",
                  cause="Tabuladores opacos", objective="Reducir la brecha", axes=["transparency", "innovation"],
                  ambition="proactive", outcome="Tabuladores publicados", end_date=dt.date(2026, 12, 31),
                  agencies=["igualdad"], action_lines=["Publicar"], status="agreed")
    return row(**{**fields, **kw})


def complete():
    """One complete, agreed commitment per chosen solution, ending within the 12-month term."""
    return records(
        problem_trees=[row(key="arbol", solutions=[{"key": "sol1", "text": "Publicar"}, {"key": "sol2", "text": "Auditar"}])],
        commitments=[commitment("c1", "sol1"), commitment("c2", "sol2")],
    )


CASES = [
    ("every_solution_has_commitment", "a solution without commitment", lambda r: r.commitments.pop()),
    ("commitments_complete", "no objective", lambda r: edit(r.commitments[0], objective="")),
    ("commitments_complete", "no agency", lambda r: edit(r.commitments[0], agencies=[])),
    ("commitments_complete", "no ambition", lambda r: edit(r.commitments[1], ambition=None)),
    ("commitments_advance_core_value", "innovation only", lambda r: edit(r.commitments[0], axes=["innovation"])),
    ("commitments_end_within_term", "ends the day after the term",
     lambda r: edit(r.commitments[0], end_date=dt.date(2027, 1, 16))),
    ("commitments_approved_by_decision", "still a draft", lambda r: edit(r.commitments[1], status="draft")),
    ("public_comments_answered", "a public comment without response",
     lambda r: r.inputs.append(row(key="i9", kind="comment", disposition=None, rationale=None, hidden_reason=None))),
    ("public_comments_answered", "a response without rationale",
     lambda r: r.inputs.append(row(key="i9", kind="comment", disposition="adopted", rationale=" ",
                                   hidden_reason=None))),
]


def test_a_hidden_comment_is_answered_by_its_reason_and_an_input_is_not_a_comment():
    r = complete()
    r.inputs.append(row(key="i8", kind="comment", disposition=None, rationale=None, hidden_reason="spam"))
    r.inputs.append(row(key="i9", kind="input", disposition=None, rationale=None, hidden_reason=None))
    assert unmet(STAGE, r) == []


def test_complete_commitments_meet_every_criterion():
    assert unmet(STAGE, complete()) == []


def test_ending_on_the_last_day_of_the_term_is_within_it():
    r = complete()
    edit(r.commitments[0], end_date=dt.date(2027, 1, 15))
    assert unmet(STAGE, r) == []


@pytest.mark.parametrize("code,why,breaks", CASES, ids=[c[1] for c in CASES])
def test_each_criterion_unmet_alone(code, why, breaks):
    r = complete()
    breaks(r)
    assert unmet(STAGE, r) == [code], why


def test_no_commitment_at_all_is_not_approved():
    r = records()
    assert unmet(STAGE, r) == ["commitments_approved_by_decision"]
    assert items(STAGE, r, "commitments_approved_by_decision") == ["commitments"]


def test_the_cases_cover_every_criterion():
    assert {code for code, _, _ in CASES} == criteria_codes(STAGE)


def test_incomplete_commitments_name_their_gaps():
    r = complete()
    edit(r.commitments[1], objective="", action_lines=[])
    assert items(STAGE, r, "commitments_complete") == ["c2 (objective, action_lines)"]
    assert items(STAGE, r, "every_solution_has_commitment") == []


def test_through_real_actions(db, clock):
    p = process_at(db, clock, STAGE)
    assert p.unmet() == ["every_solution_has_commitment", "commitments_approved_by_decision"]
    p("add_agency", key="igualdad", name="Secretaría de Igualdad")
    p("draft_commitment", key="c1", theme="genero", solution="sol1", title="Tabuladores abiertos",
      axes=["innovation"], end_date="2027-03-01")
    assert p.unmet() == ["commitments_complete", "commitments_advance_core_value", "commitments_end_within_term",
                         "commitments_approved_by_decision"]
    p("draft_commitment", key="c1", theme="genero", solution="sol1", title="Tabuladores abiertos",
      problem="Brecha", cause="Tabuladores opacos", objective="Reducir la brecha", axes=["transparency"],
      ambition="proactive", outcome="Tabuladores publicados", end_date="2026-12-31", agencies=["igualdad"],
      action_lines=["Publicar"])
    assert p.unmet() == ["commitments_approved_by_decision"]
    p.decide("approve_commitments")
    assert p.unmet() == []
    # once agreed, a commitment changes only by a decision of the secretariat
    refused(db, lambda: p("draft_commitment", key="c1", title="Otro título"), "commitment_agreed_needs_decision")
    p.move("advance")
    assert p.stage == "routes"


def test_commitments_are_approved_only_while_the_process_is_in_commitments(db, clock):
    p = process_at(db, clock, STAGE)
    complete_stage(p, STAGE)  # c1 drafted and approved
    p("draft_commitment", key="c2", theme="genero", solution="sol1", title="Segundo compromiso")
    elsewhere = p.session()
    approve = p("propose_decision", session=elsewhere, kind="approve_commitments", commitments=["c2"])["decision"]
    p.move("reopen", target="causes", reason="Falta una causa estratégica")
    # proposed while in commitments, decided after the reopen: the stage no longer admits it
    refused(db, lambda: p("decide", decision=approve), "decision_kind_not_in_stage")
    session = p.session()
    refused(db, lambda: p("propose_decision", session=session, kind="approve_commitments"),
            "decision_kind_not_in_stage")
