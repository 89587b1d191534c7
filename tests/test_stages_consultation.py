"""Stage 2, consultation: each exit criterion met and unmet, by its code."""
from __future__ import annotations

import datetime as dt

import pytest
from builders import process_at
from handmade import criteria_codes, edit, items, records, row, unmet
from snapshots import refused

STAGE = "consultation"
D = dt.date


def complete():
    """Two channels announced before opening (one for excluded groups), an answered input, a priority."""
    return records(
        channels=[row(key="web", announced_on=D(2026, 2, 1), opens_on=D(2026, 2, 15), closes_on=None,
                      aimed_at_excluded=False),
                  row(key="asamblea", announced_on=D(2026, 2, 1), opens_on=D(2026, 2, 20), closes_on=None,
                      aimed_at_excluded=True)],
        inputs=[row(key="i1", disposition="adopted", rationale="Se integra al tema de género")],
        themes=[row(id=1, key="genero", priority=1), row(id=2, key="agua", priority=None)],
        now=dt.datetime(2026, 3, 15, 12, tzinfo=dt.timezone.utc),  # a month after it opened
    )


CASES = [
    ("at_least_one_channel", "no channel", lambda r: r.channels.clear() or r.inputs.clear()),
    ("consultation_announced_before_opening", "announced the day it opened",
     lambda r: edit(r.channels[0], announced_on=D(2026, 2, 15))),
    ("consultation_announced_before_opening", "never announced", lambda r: edit(r.channels[1], announced_on=None)),
    ("consultation_announced_before_opening", "no opening date", lambda r: edit(r.channels[0], opens_on=None)),
    ("channel_for_excluded_groups", "no channel for excluded groups",
     lambda r: edit(r.channels[1], aimed_at_excluded=False)),
    ("inputs_received", "no input", lambda r: r.inputs.clear()),
    ("themes_prioritised", "no theme prioritised", lambda r: edit(r.themes[0], priority=None)),
    ("every_input_answered", "input without disposition", lambda r: edit(r.inputs[0], disposition=None)),
    ("every_input_answered", "input with a blank rationale", lambda r: edit(r.inputs[0], rationale="   ")),
    ("consultation_open_long_enough", "left five days after it opened",
     lambda r: edit(r, now=dt.datetime(2026, 2, 20, 18, tzinfo=dt.timezone.utc))),
    ("consultation_open_long_enough", "closed ten days after it opened",
     lambda r: [edit(c, closes_on=D(2026, 2, 25)) for c in r.channels]),
    ("consultation_announced_in_advance", "announced three days before",
     lambda r: [edit(c, announced_on=D(2026, 2, 12)) for c in r.channels]),
]


def test_a_complete_consultation_meets_every_criterion():
    assert unmet(STAGE, complete()) == []


@pytest.mark.parametrize("code,why,breaks", CASES, ids=[c[1] for c in CASES])
def test_each_criterion_unmet(code, why, breaks):
    r = complete()
    breaks(r)
    found = unmet(STAGE, r)
    assert code in found, why
    # "no channel" also leaves nobody reached by an excluded-groups channel; every other case is alone
    assert found == ([code, "channel_for_excluded_groups", "inputs_received"] if code == "at_least_one_channel"
                     else [code])


def test_the_cases_cover_every_criterion():
    assert {code for code, _, _ in CASES} == criteria_codes(STAGE)


def test_offending_items_are_named():
    r = complete()
    edit(r.channels[1], announced_on=None)
    r.inputs.append(row(key="i2", disposition=None, rationale=None))
    assert items(STAGE, r, "consultation_announced_before_opening") == ["asamblea"]
    assert items(STAGE, r, "every_input_answered") == ["i2"]


def test_through_real_actions(db, clock):
    p = process_at(db, clock, STAGE)
    assert p.unmet() == ["at_least_one_channel", "channel_for_excluded_groups", "inputs_received", "themes_prioritised"]
    p.on("2026-02-20")
    p("open_channel", key="web", kind="online", name="En línea", announced_on="2026-02-15", opens_on="2026-02-15")
    p("open_channel", key="asamblea", kind="assembly", name="Asambleas", aimed_at_excluded=True,
      announced_on="2026-02-01", opens_on="2026-02-15")
    p("record_input", key="i1", channel="web", text="Agua potable", received_on="2026-02-20",
      contact_name="Ana Pérez", contact_email="ana@example.org")
    p("add_theme", key="agua", name="Agua")
    p("prioritise_themes", themes=["agua"])
    assert p.unmet() == ["consultation_announced_before_opening", "every_input_answered",
                         "consultation_open_long_enough"]  # open five days of the fourteen required
    assert p.status()["unmet"][0]["details"]["items"] == ["web"]
    p("open_channel", key="web", kind="online", name="En línea", announced_on="2026-02-01", opens_on="2026-02-15")
    p("answer_input", input="i1", disposition="adopted", rationale="Tema prioritario", theme="agua")
    assert p.unmet() == ["consultation_open_long_enough"]
    p.on("2026-03-01")  # fourteen days after the channels opened
    assert p.unmet() == []
    p.move("advance")
    assert p.stage == "sensitization"


def test_consultation_content_is_recorded_only_in_consultation(db, clock):
    p = process_at(db, clock, "declaration")
    exc = refused(db, lambda: p("open_channel", key="web", kind="online", name="En línea"), "not_in_stage")
    assert exc.reasons[0].details["allowed"] == ["consultation"]
