"""The audit trail: one entry per applied action, personal data redacted, tampering detected.

Every entry stores the canonical JSON of what happened and its SHA-256, linked to the
previous entry's hash. ``queries.verify_audit`` (and ``cocrea audit verify``, exit code 4)
recomputes the chain: editing a body or a column, deleting or reordering entries breaks it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re

import pytest
from builders import Proc
from click.testing import CliRunner
from snapshots import refused
from sqlalchemy import text
from sqlmodel import Session, select

from cli.demo import EXAMPLE
from cli.main import EXPECT, read_actions
from cli.main import main
from reads import status as queries
from stages.clock import FixedClock
from stages.errors import AuditBroken
from storage import make_engine
from storage import models as m
from workflow import actions

EMAIL = re.compile(r"[^\s\"@]+@[^\s\"@]+\.[a-z]+")


def entries(db, slug="p") -> list[m.AuditEntry]:
    with Session(db) as s:
        process = s.exec(select(m.Process).where(m.Process.slug == slug)).one()
        return list(s.exec(select(m.AuditEntry).where(m.AuditEntry.process_id == process.id).order_by(m.AuditEntry.seq)))


def test_each_applied_action_appends_one_entry_and_a_refused_one_none(db, clock):
    p = Proc(db, clock)
    assert [e.action for e in entries(db)] == ["create_process", "add_person", "add_person", "add_person"]
    n = len(entries(db))
    session = p.session()  # convene + attendance
    p("propose_decision", session=session, kind="general", text="Calendario", reason="Lo pide la guía")
    trail = entries(db)
    assert len(trail) == n + 3
    last = trail[-1]
    body = json.loads(last.body)
    assert (last.actor, last.action, last.session_key, last.reason) == ("coord", "propose_decision", session,
                                                                        "Lo pide la guía")
    assert last.at == clock.now() and body["at"] == clock.now().isoformat()
    assert body["payload"] == {"session": session, "kind": "general", "rule": "consensus", "text": "Calendario",
                               "reason": "Lo pide la guía"}
    assert body["result"] == {"decision": "D1", "kind": "general", "rule": "consensus", "session": session}
    assert body["prev"] == trail[-2].hash and last.hash == hashlib.sha256(last.body.encode()).hexdigest()
    refused(db, lambda: p("decide", decision="D9"), "not_found")
    assert len(entries(db)) == n + 3


def test_time_never_goes_backwards_in_the_trail(db, clock):
    p = Proc(db, clock)
    earlier = clock.now() - dt.timedelta(minutes=1)
    exc = refused(db, lambda: actions.apply(db, "add_agency", {"key": "sfp", "name": "SFP"}, actor="coord",
                                            process="p", at=earlier), "time_goes_backwards")
    assert exc.exit_code == 2
    assert p.stage == "declaration"


def _run_demo(db) -> None:
    clock = FixedClock(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    for item in read_actions(str(EXAMPLE)):
        expected = item.pop(EXPECT, None)
        try:
            actions.apply_many(db, [item], clock=clock, default_process="jalisco-2025")
        except Exception:
            assert expected


def test_personal_data_never_reaches_the_trail(db):
    _run_demo(db)
    with Session(db) as s:
        people = s.exec(select(m.Person)).all()
        inputs = s.exec(select(m.Input)).all()
        bodies = "\n".join(e.body for e in s.exec(select(m.AuditEntry)))
    private = {p.email for p in people if p.email} | {i.contact_email for i in inputs if i.contact_email} | \
        {i.contact_name for i in inputs if i.contact_name}
    assert len(private) > 10  # the demo gives emails and contact names: they are stored...
    assert [x for x in private if x in bodies] == []  # ...but never written to the trail
    assert EMAIL.findall(bodies) == []
    assert "[dato personal omitido]" in bodies  # that they were given is kept
    history = json.dumps(queries.history(db, "jalisco-2025"), ensure_ascii=False)
    assert [x for x in private if x in history] == [] and EMAIL.findall(history) == []


# --- tampering ---------------------------------------------------------------------------

def _sql(db, statement: str, **params) -> None:
    with db.begin() as conn:
        conn.execute(text(statement), params)


def _rehash(db, seq: int, body: str) -> None:
    _sql(db, "UPDATE audit_entry SET body = :b, hash = :h WHERE seq = :s", b=body, s=seq,
         h=hashlib.sha256(body.encode()).hexdigest())


def _edit_body(db, e):
    _sql(db, "UPDATE audit_entry SET body = :b WHERE seq = 2", b=e[1].body.replace('"gob"', '"intruso"'))


def _edit_body_and_its_hash(db, e):
    _rehash(db, 2, e[1].body.replace('"gob"', '"intruso"'))


def _swap(db, e):
    _sql(db, "UPDATE audit_entry SET seq = -1 WHERE seq = 3")
    _sql(db, "UPDATE audit_entry SET seq = 3 WHERE seq = 4")
    _sql(db, "UPDATE audit_entry SET seq = 4 WHERE seq = -1")


TAMPERING = [
    ("edit a body", _edit_body, {"audit_hash_mismatch"}),
    ("edit a body and recompute its hash", _edit_body_and_its_hash, {"audit_link_broken"}),
    ("edit the actor column", lambda db, e: _sql(db, "UPDATE audit_entry SET actor = 'intruso' WHERE seq = 3"),
     {"audit_columns_altered"}),
    ("edit the action column", lambda db, e: _sql(db, "UPDATE audit_entry SET action = 'remove_person' WHERE seq = 3"),
     {"audit_columns_altered"}),
    ("edit the time column", lambda db, e: _sql(db, "UPDATE audit_entry SET at = :at WHERE seq = 3",
                                                at=dt.datetime(2020, 1, 1)), {"audit_columns_altered"}),
    ("edit the session column", lambda db, e: _sql(db, "UPDATE audit_entry SET session_key = 'S9' WHERE seq = 6"),
     {"audit_columns_altered"}),
    ("edit the reason column", lambda db, e: _sql(db, "UPDATE audit_entry SET reason = 'otra' WHERE seq = 7"),
     {"audit_columns_altered"}),
    ("delete an entry", lambda db, e: _sql(db, "DELETE FROM audit_entry WHERE seq = 3"),
     {"audit_sequence_gap", "audit_link_broken"}),
    ("reorder two entries", _swap, {"audit_sequence_gap", "audit_link_broken"}),
    # the newest entry removed: the chain alone still links; the head kept on the process row does not
    ("delete the newest entry", lambda db, e: _sql(db, "DELETE FROM audit_entry WHERE seq = 7"),
     {"audit_head_mismatch"}),
    ("move the process's head back with the deletion", lambda db, e: (
        _sql(db, "DELETE FROM audit_entry WHERE seq = 7"),
        _sql(db, "UPDATE process SET audit_seq = 5, audit_head = :h", h=e[5].hash)), {"audit_head_mismatch"}),
]


@pytest.mark.parametrize("why,tamper,codes", TAMPERING, ids=[t[0] for t in TAMPERING])
def test_tampering_is_detected(db, clock, why, tamper, codes):
    p = Proc(db, clock)
    session = p.session()
    p("propose_decision", session=session, kind="general", text="Acuerdo", reason="motivo")
    assert queries.verify_audit(db, "p") == {"p": 7}
    tamper(db, entries(db))
    with pytest.raises(AuditBroken) as caught:
        queries.verify_audit(db, "p")
    assert codes <= set(caught.value.codes), why
    assert caught.value.exit_code == 4
    with pytest.raises(AuditBroken):
        queries.verify_audit(db)  # checking every process finds it too


def test_a_broken_chain_in_one_process_leaves_the_others_verifiable(db, clock):
    Proc(db, clock, slug="a")
    Proc(db, clock, slug="b")
    _sql(db, "UPDATE audit_entry SET actor = 'intruso' WHERE seq = 2 AND process_id = "
             "(SELECT id FROM process WHERE slug = 'a')")
    assert queries.verify_audit(db, "b") == {"b": 4}
    with pytest.raises(AuditBroken):
        queries.verify_audit(db, "a")


def test_cocrea_audit_verify_exits_4_on_a_broken_chain(tmp_path):
    url = f"sqlite:///{tmp_path / 'cocrea.db'}"
    runner = CliRunner()
    init = runner.invoke(main, ["--db", url, "init", "--template", "federal", "--slug", "p", "--name", "Plan",
                                "--coordinator", "coord"])
    assert init.exit_code == 0, init.output
    db = make_engine(url)
    actions.apply(db, "add_person", {"handle": "gob", "name": "Gobierno", "role": "member", "sector": "government"},
                  actor="coord", process="p")
    ok = runner.invoke(main, ["--db", url, "audit", "verify"])
    assert ok.exit_code == 0 and "2 entradas verificadas" in ok.output
    _sql(db, "UPDATE audit_entry SET actor = 'intruso' WHERE seq = 2")
    broken = runner.invoke(main, ["--db", url, "audit", "verify", "p"])
    assert broken.exit_code == 4
    assert "[audit_columns_altered]" in broken.stderr and "NO se verifica" in broken.stderr
    db.dispose()


def test_a_past_fact_keeps_when_it_happened_and_when_it_was_recorded(db, clock):
    p = Proc(db, clock)
    happened = clock.now() + dt.timedelta(hours=5)
    clock.advance(days=30)  # recorded a month later, from the minutes of that day
    actions.apply(db, "add_agency", {"key": "sfp", "name": "SFP"}, actor="coord", process=p.slug, clock=clock,
                  at=happened)
    last = queries.history(db, p.slug)[-1]
    assert dt.datetime.fromisoformat(last["at"]) == happened
    assert dt.datetime.fromisoformat(last["recorded_at"]) == clock.now()
    assert queries.verify_audit(db, p.slug)
    _sql(db, "UPDATE audit_entry SET recorded_at = :r WHERE seq = :s", r=dt.datetime(2020, 1, 1),
         s=last["seq"])
    with pytest.raises(AuditBroken) as caught:
        queries.verify_audit(db, p.slug)
    assert caught.value.codes == ["audit_columns_altered"]
