"""Stage 5, causes: each exit criterion met and unmet, by its code."""
from __future__ import annotations

import pytest
from builders import process_at
from handmade import criteria_codes, edit, items, records, row, unmet
from snapshots import refused

STAGE = "causes"


def tree(key: str, theme_id: int, **kw):
    fields = dict(key=key, theme_id=theme_id, problem="Brecha salarial",
                  causes=[{"text": "Tabuladores opacos", "strategic": True}, {"text": "Promociones", "strategic": False}],
                  effects=["Menor ingreso"], solutions=[{"key": "sol1", "text": "Publicar tabuladores"}])
    return row(**{**fields, **kw})


def complete():
    """A complete problem tree, with a strategic cause and a solution, for each priority theme."""
    return records(themes=[row(id=1, key="genero", priority=1), row(id=2, key="agua", priority=None)],
                   problem_trees=[tree("arbol-genero", 1)])


CASES = [
    ("problem_tree_per_priority_theme", "a priority theme without a tree",
     lambda r: edit(r.themes[1], priority=2)),
    ("problem_trees_complete", "no problem stated", lambda r: edit(r.problem_trees[0], problem="")),
    ("problem_trees_complete", "no effects", lambda r: edit(r.problem_trees[0], effects=[])),
    ("strategic_cause_chosen", "no cause marked strategic",
     lambda r: edit(r.problem_trees[0], causes=[{"text": "Tabuladores opacos", "strategic": False}])),
    ("solution_proposed", "no solution", lambda r: edit(r.problem_trees[0], solutions=[])),
]


def test_complete_causes_meet_every_criterion():
    assert unmet(STAGE, complete()) == []


@pytest.mark.parametrize("code,why,breaks", CASES, ids=[c[1] for c in CASES])
def test_each_criterion_unmet_alone(code, why, breaks):
    r = complete()
    breaks(r)
    assert unmet(STAGE, r) == [code], why


def test_a_tree_without_causes_has_no_strategic_cause_either():
    r = complete()
    edit(r.problem_trees[0], causes=[])
    assert unmet(STAGE, r) == ["problem_trees_complete", "strategic_cause_chosen"]


def test_the_cases_cover_every_criterion():
    assert {code for code, _, _ in CASES} == criteria_codes(STAGE)


def test_offending_trees_and_themes_are_named():
    r = complete()
    edit(r.themes[1], priority=2)
    edit(r.problem_trees[0], solutions=[])
    assert items(STAGE, r, "problem_tree_per_priority_theme") == ["agua"]
    assert items(STAGE, r, "solution_proposed") == ["arbol-genero"]


def test_through_real_actions(db, clock):
    p = process_at(db, clock, STAGE)
    assert p.unmet() == ["problem_tree_per_priority_theme"]
    p("record_problem_tree", key="arbol", theme="genero", problem="Brecha salarial",
      causes=[{"text": "Tabuladores opacos"}], effects=["Menor ingreso"])
    assert p.unmet() == ["strategic_cause_chosen", "solution_proposed"]
    # the schema itself refuses a tree without causes or effects: problem_trees_complete guards old records
    refused(db, lambda: p("record_problem_tree", key="arbol", theme="genero", problem="Brecha", causes=[],
                          effects=["x"]), "invalid_field")
    p("record_problem_tree", key="arbol", theme="genero", problem="Brecha salarial",
      causes=[{"text": "Tabuladores opacos", "strategic": True}], effects=["Menor ingreso"],
      solutions=[{"key": "sol1", "text": "Publicar tabuladores"}])
    assert p.unmet() == []
    p.move("advance")
    assert p.stage == "commitments"
