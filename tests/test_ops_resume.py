"""Resumable scripts (issue 12): an item of an apply file may carry an ``idempotency_key``; a
file re-run after a failure (or a crash) continues where it stopped, and every item lands once.

The key is recorded in its action's own transaction (table ``applied_key``), on a real SQLite
file and a real PostgreSQL schema.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from sqlmodel import Session, select

import migrations
from cli.main import main
from reads import status as queries
from stages.errors import InvalidInput
from storage import make_engine
from storage.models import AppliedKey, AuditEntry, Person
from snapshots import snapshot
from workflow import actions
from workflow.engine import AlreadyApplied

ROOT = Path(__file__).resolve().parent.parent
SECTORS = ["government", "guarantor", "civil_society", "academia", "business", "municipality"]


def script(bad_at: int | None = None) -> list[dict]:
    """A process and six members, each item with its key; item ``bad_at`` (1-based) has a typo."""
    items = [{"action": "create_process", "actor": "ana", "slug": "p", "name": "Plan", "template": "federal",
              "starts_on": "2026-01-15", "coordinator_name": "Ana", "idempotency_key": "2026-01/create"}]
    for i, sector in enumerate(SECTORS, 1):
        items.append({"action": "add_person", "actor": "ana", "process": "p", "handle": f"m{i}", "role": "member",
                      "name": f"Integrante {i}", "sector": sector, "idempotency_key": f"2026-01/member-{i}"})
    if bad_at:
        items[bad_at - 1]["sectr"] = "academia"  # refused: not a field of the action
    return items


def people(engine) -> list[str]:
    with Session(engine) as s:
        return sorted(p.handle for p in s.exec(select(Person)))


def test_a_file_that_failed_at_item_k_lands_every_item_once_when_rerun(db):
    items = script(bad_at=4)
    with pytest.raises(InvalidInput):
        actions.apply_many(db, items)
    assert people(db) == ["ana", "m1", "m2"]  # items 1-3 applied, 4 refused, 5-7 never tried

    # the file fixed and run again: 1-3 are skipped by their keys, 4-7 applied
    results = actions.apply_many(db, script())
    assert [isinstance(r, AlreadyApplied) for r in results] == [True] * 3 + [False] * 4
    assert people(db) == ["ana", "m1", "m2", "m3", "m4", "m5", "m6"]
    assert results[0]["process"] == "p"  # the earlier result comes back
    with Session(db) as s:
        entries = s.exec(select(AuditEntry.action)).all()
        keys = s.exec(select(AppliedKey.key)).all()
    assert entries.count("add_person") == 6 and entries.count("create_process") == 1
    assert sorted(keys) == sorted(i["idempotency_key"] for i in script())
    assert queries.verify_audit(db) == {"p": 7}

    # a third run changes nothing at all
    before = snapshot(db)
    assert all(isinstance(r, AlreadyApplied) for r in actions.apply_many(db, script()))
    assert snapshot(db) == before


def test_without_keys_a_rerun_fails_on_duplicate_key(db):
    items = [{k: v for k, v in item.items() if k != "idempotency_key"} for item in script()]
    actions.apply_many(db, items[:3])
    with pytest.raises(InvalidInput) as err:
        actions.apply_many(db, items)
    assert err.value.codes == ["duplicate_key"]


def test_a_key_names_one_item_only(db):
    actions.apply_many(db, script()[:2])
    other = dict(script()[2], idempotency_key="2026-01/member-1")  # m2 under m1's key
    before = snapshot(db)
    with pytest.raises(InvalidInput) as err:
        actions.apply_many(db, [other])
    assert err.value.codes == ["idempotency_key_reused"]
    assert "entrada 2 de p" in err.value.messages("es")[0]
    assert snapshot(db) == before


@pytest.mark.parametrize("key", ["", "   ", "a\x00b", "x" * 201, ["list"], True])
def test_a_bad_key_is_refused(db, key):
    item = dict(script()[0], idempotency_key=key)
    with pytest.raises(InvalidInput) as err:
        actions.apply_many(db, [item])
    assert err.value.codes == ["invalid_field"]
    assert people(db) == []


def test_cocrea_apply_says_what_it_skipped(tmp_path):
    url = f"sqlite:///{tmp_path / 'cocrea.db'}"
    file = tmp_path / "script.yaml"
    file.write_text(yaml.safe_dump(script(bad_at=5), allow_unicode=True), encoding="utf-8")
    runner = CliRunner()
    first = runner.invoke(main, ["--db", url, "init"])
    assert first.exit_code == 0
    failed = runner.invoke(main, ["--db", url, "apply", str(file)])
    assert failed.exit_code == 2 and "Se detuvo en la acción 5" in failed.output and "4 acciones aplicadas" in failed.output
    file.write_text(yaml.safe_dump(script(), allow_unicode=True), encoding="utf-8")
    rerun = runner.invoke(main, ["--db", url, "apply", str(file)])
    assert rerun.exit_code == 0, rerun.output
    assert "3 acciones aplicadas; 4 aplicadas antes (claves de idempotencia), omitidas" in rerun.output
    english = runner.invoke(main, ["--db", url, "--lang", "en", "apply", str(file)])
    assert "0 actions applied; 7 applied before (idempotency keys), skipped" in english.output


#: Long enough that the run is still working when it is killed, however fast the machine (400 was
#: not: the engine got fast enough to land all of them between two looks of the poller).
DOCS = 2000


def test_a_run_killed_mid_file_resumes_from_where_it_died(tmp_path):
    """A real crash: the apply process is killed while it works through a long file; the re-run
    lands every item exactly once."""
    url = f"sqlite:///{tmp_path / 'cocrea.db'}"
    items = script()
    items += [{"action": "publish_document", "actor": "ana", "process": "p", "kind": "evidence",
               "title": f"Informe {n}", "ref": f"https://example.org/{n}.pdf", "stage": "declaration",
               "idempotency_key": f"2026-01/doc-{n}"} for n in range(1, DOCS + 1)]
    file = tmp_path / "long.json"
    file.write_text(json.dumps(items), encoding="utf-8")
    engine = make_engine(url)
    migrations.upgrade(engine)
    cmd = [sys.executable, "-m", "cli", "--db", url, "apply", str(file)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:  # kill it once a few items are in
        import time

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            with Session(engine) as s:
                if len(s.exec(select(AppliedKey.key)).all()) >= 12:
                    break
            time.sleep(0.01)
        proc.kill()
    finally:
        proc.wait()
    with Session(engine) as s:
        landed = len(s.exec(select(AppliedKey.key)).all())
    assert 0 < landed < len(items), "the run was not killed mid-file"
    rerun = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    with Session(engine) as s:
        titles = s.exec(select(AuditEntry.action)).all()
        keys = s.exec(select(AppliedKey.key)).all()
    assert len(keys) == len(items) == len(set(keys))
    assert titles.count("publish_document") == DOCS and titles.count("add_person") == 6
    assert queries.verify_audit(engine) == {"p": len(items)}
    engine.dispose()


def test_the_api_applies_a_retried_request_with_an_idempotency_key_once(sqlite_db, clock):
    from builders import process_at
    from webkit import audit_count, client
    from workflow.credentials import collecting

    p = process_at(sqlite_db, clock, "consultation")
    with collecting() as issued:
        p("set_credentials", actor="coord", handle="coord", new_token=True)
    bearer = {"Authorization": f"Bearer {issued[0].value}", "Idempotency-Key": "tema-agua"}
    c = client(sqlite_db, clock)
    before = audit_count(sqlite_db)
    first = c.post("/api/processes/p/actions/add_theme", json={"key": "t1", "name": "Agua"}, headers=bearer)
    said = {"refused": False, "text": "Se agregó el tema «t1»."}
    assert first.status_code == 200 and first.json() == {"action": "add_theme", "result": {"theme": "t1"}, "said": said}
    retry = c.post("/api/processes/p/actions/add_theme", json={"key": "t1", "name": "Agua"}, headers=bearer)
    assert retry.status_code == 200
    assert retry.json() == {"action": "add_theme", "result": {"theme": "t1"}, "said": said, "replayed": True}
    assert audit_count(sqlite_db) == before + 1
    other = c.post("/api/processes/p/actions/add_theme", json={"key": "t2", "name": "Salud"}, headers=bearer)
    assert other.status_code == 400 and other.json()["reasons"][0]["code"] == "idempotency_key_reused"
    bad = c.post("/api/processes/p/actions/add_theme", json={"key": "t2", "name": "Salud"},
                 headers={**bearer, "Idempotency-Key": " "})
    assert bad.status_code == 400 and bad.json()["reasons"][0]["code"] == "invalid_field"
    assert audit_count(sqlite_db) == before + 1
    # another person's same key is theirs alone: applied, not refused, and nothing revealed
    p("add_person", handle="coord2", name="Otra coordinación", role="coordinator")
    with collecting() as issued:
        p("set_credentials", actor="coord2", handle="coord2", new_token=True)
    theirs = {"Authorization": f"Bearer {issued[0].value}", "Idempotency-Key": "tema-agua"}
    other_person = c.post("/api/processes/p/actions/add_theme", json={"key": "t3", "name": "Salud"}, headers=theirs)
    assert other_person.status_code == 200 and "replayed" not in other_person.json()
