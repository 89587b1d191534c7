"""docs/examples/whole-process.yaml, the example ``cocrea demo`` applies: run today, as a new user runs it,
it gives a closed process that the checker reports compliant and whose record breaks no rule of time."""
from __future__ import annotations

import datetime as dt

import yaml
from click.testing import CliRunner
from sqlalchemy import func
from sqlmodel import Session, select

from chronology import breaks
from cli.demo import EXAMPLE
from cli.main import main
from reads import checks
from reads import status as queries
from storage import make_engine
from storage.outbox import OutboxMessage


def test_the_whole_process_example_applies_today_compliant_and_on_time(tmp_path, monkeypatch):
    monkeypatch.delenv("COCREA_LANG", raising=False)
    url = f"sqlite:///{tmp_path / 'cocrea.db'}"
    result = CliRunner().invoke(main, ["--db", url, "apply", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    # the two refusals it shows on purpose, each with its reason, and nothing else refused
    assert result.output.count("✗ Rechazado, como prevé el archivo: «Tomar la decisión»") == 2
    assert "  - [every_input_answered] Aportaciones sin respuesta razonada" in result.output
    assert "  - [session_not_quorate] La sesión S3 no tiene quórum" in result.output
    assert result.output.strip().endswith("131 acciones aplicadas")
    db = make_engine(url)
    st = queries.status(db, "jalisco-2025")
    assert st["closed"] and [m["to"] for m in st["moves"]] == [
        "declaration", "consultation", "sensitization", "planning", "causes", "commitments", "routes", "monitoring",
        "closed"]
    report = checks.report(db, "jalisco-2025").as_dict("es")
    assert report["summary"]["compliant"] and report["summary"]["not_met"] == 0, report["summary"]
    assert breaks(db, "jalisco-2025", dt.datetime.now(dt.timezone.utc)) == []
    # a migrated past queues no reminder that was due back then (a year-old "due today" would go out now)
    with Session(db) as s:
        assert s.exec(select(func.count()).select_from(OutboxMessage)).one() == 0
    # every item says when it happened, and all of it has happened
    items = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    assert all(isinstance(i.get("at"), dt.datetime) and i["at"].tzinfo for i in items)
    assert max(i["at"] for i in items) < dt.datetime.now(dt.timezone.utc)


def test_an_item_refused_for_another_reason_or_not_refused_stops_the_file(tmp_path):
    """``expect_refusal`` lets a file show a refusal and go on; a refusal for another reason, or an item that
    is applied where the file expects a refusal, stops it: the file no longer says what happens."""
    url = f"sqlite:///{tmp_path / 'cocrea.db'}"
    create = {"action": "create_process", "actor": "ana", "slug": "p", "name": "P", "template": "inai_local",
              "coordinator_name": "Ana"}
    agency = {"action": "add_agency", "actor": "ana", "key": "sfp", "name": "SFP"}

    def apply(name: str, items: list):
        path = tmp_path / name
        path.write_text(yaml.safe_dump(items), encoding="utf-8")
        return CliRunner().invoke(main, ["--db", url, "--lang", "en", "apply", str(path)])

    shown = apply("shown.yaml", [create, agency, {**agency, "expect_refusal": "duplicate_key"},
                                 {**agency, "key": "sep", "name": "SEP"}])
    assert shown.exit_code == 0, shown.output
    assert "✗ Refused, as the file expects: 'Register an agency':\n  - [duplicate_key]" in shown.output
    assert shown.output.strip().endswith("3 actions applied")
    other = apply("other.yaml", [{**agency, "process": "p", "expect_refusal": "not_found"}])
    assert other.exit_code == 2 and "[duplicate_key]" in other.stderr
    applied = apply("applied.yaml", [{**agency, "process": "p", "key": "sct", "name": "SCT",
                                      "expect_refusal": "duplicate_key"}])
    assert applied.exit_code == 2
    assert "Stopped at action 1 (" in applied.stderr and "[refusal_expected]" in applied.stderr
    assert [e["action"] for e in queries.history(make_engine(url), "p")] == [
        "create_process", "add_agency", "add_agency", "add_agency"]
