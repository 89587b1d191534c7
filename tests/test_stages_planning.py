"""Stage 4, planning: each exit criterion met and unmet, by its code."""
from __future__ import annotations

import datetime as dt

import pytest
from builders import process_at
from handmade import criteria_codes, edit, items, records, row, unmet

STAGE = "planning"


def table(key: str, theme_id: int, **kw):
    fields = dict(key=key, theme_id=theme_id, methodology="Árbol de problemas", call_ref="convocatoria.pdf",
                  facilitator="Facilitación imparcial", held_on=dt.date(2026, 4, 10),
                  sectors={"government": 2, "civil_society": 3})
    return row(**{**fields, **kw})


def complete():
    """A complete, multi-sector working table for each of the two priority themes."""
    return records(
        themes=[row(id=1, key="genero", priority=1), row(id=2, key="agua", priority=2),
                row(id=3, key="deporte", priority=None)],
        working_tables=[table("mesa-genero", 1), table("mesa-agua", 2)],
    )


CASES = [
    ("working_table_per_priority_theme", "a priority theme without a table", lambda r: r.working_tables.pop()),
    ("working_tables_complete", "no methodology", lambda r: edit(r.working_tables[0], methodology="")),
    ("working_tables_complete", "no call", lambda r: edit(r.working_tables[0], call_ref="")),
    ("working_tables_complete", "no facilitator", lambda r: edit(r.working_tables[0], facilitator="")),
    ("working_tables_complete", "no date", lambda r: edit(r.working_tables[1], held_on=None)),
    ("working_tables_multisector", "one sector only", lambda r: edit(r.working_tables[0], sectors={"government": 5})),
    ("working_tables_multisector", "a second sector listed with nobody",
     lambda r: edit(r.working_tables[0], sectors={"government": 5, "civil_society": 0})),
]


def test_complete_planning_meets_every_criterion():
    assert unmet(STAGE, complete()) == []


def test_a_theme_that_is_not_a_priority_needs_no_table():
    r = complete()
    assert not any(t.theme_id == 3 for t in r.working_tables) and unmet(STAGE, r) == []


@pytest.mark.parametrize("code,why,breaks", CASES, ids=[c[1] for c in CASES])
def test_each_criterion_unmet_alone(code, why, breaks):
    r = complete()
    breaks(r)
    assert unmet(STAGE, r) == [code], why


def test_the_cases_cover_every_criterion():
    assert {code for code, _, _ in CASES} == criteria_codes(STAGE)


def test_incomplete_tables_name_their_gaps():
    r = complete()
    edit(r.working_tables[1], methodology="", held_on=None)
    assert items(STAGE, r, "working_tables_complete") == ["mesa-agua (methodology, held_on)"]


def test_through_real_actions(db, clock):
    p = process_at(db, clock, STAGE)
    assert p.unmet() == ["working_table_per_priority_theme"]
    p("plan_working_table", key="mesa", theme="genero", methodology="Árbol de problemas", call_ref="conv.pdf",
      facilitator="Facilitadora", held_on="2026-04-10", sectors={"government": 4})
    assert p.unmet() == ["working_tables_multisector"]
    p("plan_working_table", key="mesa", theme="genero", methodology="Árbol de problemas", call_ref="conv.pdf",
      facilitator="Facilitadora", held_on="2026-04-10", sectors={"government": 4, "academia": 2})
    assert p.unmet() == []
    p.move("advance")
    assert p.stage == "causes"
