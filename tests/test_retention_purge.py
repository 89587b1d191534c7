"""The worker's sweep purges the citizens' contact data once the retention period is over:
through ``purge_contact_data``, as the actor ``system``, once, audited (``workflow.retention``)."""
from __future__ import annotations

import pytest
from builders import process_at
from sqlmodel import Session, select

from workflow import retention
from stages.errors import NotAllowed
from storage.models import AuditEntry, Input, Process
from workflow import actions, audit


def _purges(db) -> list[AuditEntry]:
    with Session(db) as s:
        return list(s.exec(select(AuditEntry).where(AuditEntry.action == "purge_contact_data")))


def _input(db, key: str) -> Input:
    with Session(db) as s:
        return s.exec(select(Input).where(Input.key == key)).one()


def test_the_sweep_purges_contact_data_once_when_the_retention_period_is_over(db, clock):
    p = process_at(db, clock, "closed")  # the builders' input i1 has a contact (Ana Pérez)
    p.clock.advance(days=179)
    assert retention.purge_due(db, p.clock) == []  # not due yet: nothing purged, nothing audited
    assert _input(db, "i1").contact_name is not None and _purges(db) == []
    p.clock.advance(days=2)
    assert retention.purge_due(db, p.clock) == ["p"]
    row = _input(db, "i1")
    assert (row.contact_name, row.contact_email, row.text) == (None, None, "Igualdad salarial")
    (entry,) = _purges(db)
    assert (entry.actor, entry.reason, entry.at) == ("system", "plazo de conservación vencido", p.clock.now())
    p.clock.advance(days=1)
    assert retention.purge_due(db, p.clock) == []  # a second sweep does nothing
    assert len(_purges(db)) == 1
    with Session(db) as s:
        assert audit.verify(s, s.exec(select(Process)).one()) == []


def test_a_coordinator_purge_leaves_nothing_for_the_sweep(db, clock):
    p = process_at(db, clock, "closed")
    p.clock.advance(days=181)
    assert p("purge_contact_data") == {"inputs": 1, "contacts": 0}
    assert retention.purge_due(db, p.clock) == []
    assert [e.actor for e in _purges(db)] == ["coord"]


def test_the_worker_tick_purges_once(db, clock):
    from mailserver import mail_config, smtp_server, tick

    p = process_at(db, clock, "closed")
    p.clock.advance(days=181)
    with smtp_server() as (host, port, _):
        assert tick(db, p.clock, mail_config(host, port))["purged"] == 1
        p.clock.advance(minutes=1)
        assert tick(db, p.clock, mail_config(host, port))["purged"] == 0
    assert [e.actor for e in _purges(db)] == ["system"]
    assert _input(db, "i1").contact_name is None


def test_only_the_actions_naming_it_take_the_system_actor(db, clock):
    p = process_at(db, clock, "consultation")
    with pytest.raises(NotAllowed):
        actions.apply(db, "add_theme", {"key": "t", "name": "Agua"}, actor="system", process=p.slug, clock=p.clock)
    assert "system" in str(p.refused("add_person", handle="system", name="X", role="member", sector="academia")
                           .as_dict("en"))


def test_two_sweeps_at_once_purge_and_audit_once(db, clock):
    from concurrent.futures import ThreadPoolExecutor

    p = process_at(db, clock, "closed")
    p.clock.advance(days=181)
    with ThreadPoolExecutor(2) as pool:
        done = list(pool.map(lambda _: retention.purge_due(db, p.clock), range(2)))
    assert sorted(done) == [[], ["p"]]  # one applied it; the other found it applied (or nothing left)
    # (the threads may or may not overlap in a given run: the key checked under the lock covers both)
    assert len(_purges(db)) == 1
