"""Showing again an input hidden by mistake (``unhide_input``): coordinators only, with a reason;
the hiding stays in the audit trail and the public page counts the input again."""
from __future__ import annotations

import pytest
from builders import complete_stage, process_at
from snapshots import snapshot
from sqlmodel import Session, select

from reads import public
from stages.errors import InvalidInput, NotAllowed, Refused
from storage.models import AuditEntry, Input, Process
from workflow import audit


def _hidden(db, clock):
    p = process_at(db, clock, "consultation")
    complete_stage(p, "consultation")
    p("record_input", key="i2", channel="web", text="Transparencia en compras públicas", received_on="2026-02-18")
    p("hide_input", input="i2", reason="spam", note="por error")
    return p


def _trail(db) -> list[tuple[str, str]]:
    with Session(db) as s:
        return [(e.action, e.reason) for e in s.exec(select(AuditEntry).order_by(AuditEntry.seq))]


def test_an_input_hidden_by_mistake_is_shown_again_and_counted(db, clock):
    p = _hidden(db, clock)
    before = public.public_view(db, p.slug, clock=p.clock)["consultation"]
    assert before["hidden"] == {"spam": 1}
    assert p("unhide_input", input="i2", reason="No era publicidad; se ocultó por error") == {"input": "i2",
                                                                                              "shown": True}
    with Session(db) as s:
        row = s.exec(select(Input).where(Input.key == "i2")).one()
        assert (row.hidden_reason, row.hidden_note, row.hidden_at, row.text) == (
            None, "", None, "Transparencia en compras públicas")
        assert audit.verify(s, s.exec(select(Process)).one()) == []
    after = public.public_view(db, p.slug, clock=p.clock)["consultation"]
    assert after["hidden"] == {}
    assert "Transparencia en compras públicas" in str(public.public_view(db, p.slug, clock=p.clock))
    trail = _trail(db)
    assert ("hide_input", "por error") in trail  # the hiding stays in the trail
    assert trail[-1] == ("unhide_input", "No era publicidad; se ocultó por error")
    # without a reasoned response, it is again among the inputs to answer
    assert any("i2" in str(u) for u in p.status()["unmet"] if u["code"] == "every_input_answered")


def test_showing_again_needs_a_coordinator_a_reason_and_a_hidden_input(db, clock):
    p = _hidden(db, clock)
    state = snapshot(db)
    assert p.refused("unhide_input", actor="gob", input="i2", reason="Por error").__class__ is NotAllowed
    with pytest.raises(InvalidInput):
        p("unhide_input", input="i2", reason="  ")
    assert snapshot(db) == state
    p("unhide_input", input="i2", reason="Por error")
    state = snapshot(db)
    err = p.refused("unhide_input", input="i2", reason="Otra vez")
    assert isinstance(err, Refused) and err.reasons[0].code == "input_not_hidden"
    assert snapshot(db) == state  # nothing written
