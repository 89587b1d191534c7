"""The quick reads (issue 9): ``cocrea status``, ``history``, ``audit verify PROCESS``, ``check`` (of
today) and ``ruleset list PROCESS`` read through the database
driver alone (``storage.plain.Reader``), and say exactly what the full way (SQLAlchemy, SQLModel)
says, on SQLite and on PostgreSQL.

- ``storage/columns.py`` is generated from the models: it is what they give now;
- a Reader reads every table of ``stages.Records`` as ``load_records(plain=True)`` does, value for
  value, and the reads give the same status, history, audit check and compliance report through
  either, at every stage of the example process (``docs/examples/whole-process.yaml``);
- the command, run as a user runs it, prints what the full way prints (``export inputs``: writes
  the same file), without importing SQLAlchemy, SQLModel, the engine or the web app; an older
  schema or another driver goes the full way.

No time is measured here: ``benchmarks/bench_startup.py`` does.
"""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import PG_URL, _pg_state, pg_or_skip
from sqlalchemy import text
from sqlmodel import Session

import migrations
from cli.demo import EXAMPLE
from cli.main import main
from reads import checks
from reads import status as queries
from stages.clock import FixedClock
from stages.errors import AuditBroken, CocreaError, NotFound
from storage import load_records, make_engine, process_by_slug
from storage.columns import COLUMNS, PRIVATE
from storage.plain import DRIVERS, Reader, _postgresql, columns_source, open_reader
from storage.records import TABLES
from workflow import actions

ROOT = Path(__file__).resolve().parent.parent
ITEMS = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
SLUG = "jalisco-2025"
#: What a quick read must not import (checked in ``sys.modules`` after the command ran).
HEAVY = {"sqlalchemy", "sqlmodel", "alembic", "pydantic", "web", "notifications", "fastapi", "yaml",
         "storage.models", "storage.db", "storage.records", "workflow.engine", "workflow.actions"}


#: The reminders' planner (pure, over the records) is what ``reminders plan`` imports of ``notifications``.
PLANNER = {"notifications", "notifications.planner", "notifications.reasons"}
AT = "2025-03-10T10:00-06:00"


def test_the_quick_plan_reads_the_tables_the_planner_reads():
    from notifications import snapshot
    from reads.reminders import PLANNED

    assert set(PLANNED) == set(snapshot._TABLES) | {"inputs"}


def test_the_columns_are_generated_from_the_models():
    """``python -m storage.plain > storage/columns.py`` after a change of the models."""
    assert (ROOT / "storage" / "columns.py").read_text(encoding="utf-8") == columns_source(), (
        "storage/columns.py is not what the models give: run .venv/bin/python -m storage.plain > storage/columns.py")


def test_every_kind_of_column_is_read_as_sqlalchemy_reads_it():
    kinds = {kind for cols in COLUMNS.values() for _, kind in cols}
    assert kinds <= {"int", "str", "utc", "date", "json", "bool", "bytes"}
    assert {"utc", "date", "json", "bool"} <= kinds  # the ones a driver gives otherwise, all converted below


def _reader_url(db) -> str:
    if db.dialect.name == "sqlite":
        return db.url.render_as_string(hide_password=False)
    return f"{PG_URL}?options=-csearch_path%3D{_pg_state['schema']}"


def _apply(db, items) -> None:
    for item in items:
        item = dict(item)
        expected = item.pop("expect_refusal", None)
        try:
            actions.apply_many(db, [item], default_process=SLUG)
        except CocreaError as exc:
            assert expected in exc.codes, exc.codes
        else:
            assert expected is None


def _same_records(db, reader: Reader, now: dt.datetime) -> int:
    """The quick reader's rows are the ORM's objects (the full load), column for column, the
    personal data left out; and the engine's plain load (the same reader, over the session's
    connection) gives the same."""
    with Session(db) as s:
        p = process_by_slug(s, SLUG)
        full = load_records(s, p, now=now)
        plain = load_records(s, p, now=now, plain=True)
        full = {name: [{c: getattr(o, c) for c, _ in COLUMNS[o.__table__.name]
                        if c not in PRIVATE.get(o.__table__.name, ())} for o in getattr(full, name)]
                for name in TABLES}
        process = {c: getattr(p, c) for c, _ in COLUMNS["process"]}
    quick = reader.records(reader.process(SLUG), now=now)
    assert {c: getattr(quick.process, c) for c, _ in COLUMNS["process"]} == process
    count = 0
    for name in TABLES:
        assert [r._asdict() for r in getattr(quick, name)] == full[name], name
        assert [tuple(r) for r in getattr(plain, name)] == [tuple(r) for r in getattr(quick, name)], name
        count += len(full[name])
    return count


def test_a_reader_reads_what_sqlalchemy_reads_at_every_stage_of_the_example(db):
    now = dt.datetime.now(dt.timezone.utc)
    clock = FixedClock(now)
    cuts = [1, 27, 47, 50, 59, 68, 77, 86, 88, 112, len(ITEMS)]  # after each decision that moves the stage
    stages, done = [], 0
    for cut in cuts:
        _apply(db, ITEMS[done:cut])
        done = cut
        reader = open_reader(_reader_url(db), None)
        assert isinstance(reader, Reader)
        try:
            rows = _same_records(db, reader, now)
            if db.dialect.name == "postgresql":  # each driver a quick read may take gives those rows
                for driver in DRIVERS:  # psycopg 3 also with every table in one query of several statements
                    for batch in (False, True) if driver == "psycopg" else (False,):
                        other = Reader(_postgresql(_reader_url(db), driver), "postgresql", batch=batch)
                        try:
                            assert _same_records(db, other, now) == rows
                        finally:
                            other.close()
            st = queries.status(db, SLUG, "es", clock)
            assert queries.status(reader, SLUG, "es", clock) == st
            assert queries.status(reader, SLUG, "en", clock) == queries.status(db, SLUG, "en", clock)
            log = queries.history(db, SLUG)
            assert queries.history(reader, SLUG) == log
            heads = (log[0]["hash"], log[-1]["hash"])
            assert queries.verify_record(reader, SLUG, heads) == queries.verify_record(db, SLUG, heads)
            assert (checks.report(reader, SLUG, clock=clock).as_dict("es")
                    == checks.report(db, SLUG, clock=clock).as_dict("es"))
            with pytest.raises(NotFound):
                reader.process("no-such-process")
        finally:
            reader.close()
        stages.append((st["stage"], st["ready"], len(st["unmet"]) > 0, rows > 0))
    # a chain edited around the actions: the same problems, each way
    with db.begin() as c:
        c.execute(text("UPDATE audit_entry SET reason = 'otra' WHERE seq = 5"))
    reader = open_reader(_reader_url(db), None)
    try:
        with pytest.raises(AuditBroken) as quick:
            queries.verify_record(reader, SLUG, ["ab" * 32])
    finally:
        reader.close()
    with pytest.raises(AuditBroken) as full:
        queries.verify_record(db, SLUG, ["ab" * 32])
    assert quick.value.as_dict("es") == full.value.as_dict("es")
    assert {"audit_columns_altered", "audit_expected_missing"} <= set(quick.value.codes)
    # the comparisons saw open stages with unmet criteria, stages ready to move, and the close
    assert [s for s, *_ in stages][-1] == "closed" and len({s for s, *_ in stages}) >= 8
    assert any(unmet for _, _, unmet, _ in stages) and any(ready for _, ready, _, _ in stages)


# --- the command, as a user runs it -------------------------------------------------------

RUN = """
import sys
from cli import main
try:
    main(sys.argv[1:], prog_name="cocrea")
except SystemExit as exc:
    code = exc.code
print("\\x00" + repr(sorted(m for m in sys.modules if m in HEAVY or m.split(".")[0] in HEAVY)))
"""


def _quick(url: str, *args: str, cwd: Path) -> tuple[str, list[str]]:
    """``cocrea --db URL ARGS`` in a fresh interpreter: what it printed, and the heavy modules it imported."""
    code = f"HEAVY = {sorted(HEAVY)!r}\n" + RUN
    out = subprocess.run([sys.executable, "-c", code, "--db", url, *args], capture_output=True, text=True, cwd=cwd,
                         env={"PATH": "/usr/bin:/bin", "COCREA_LANG": "es", "PYTHONPATH": str(ROOT)},
                         timeout=120)
    printed, _, modules = out.stdout.rpartition("\x00")
    return printed, eval(modules)  # noqa: S307 - our own repr of a list of names


def _full(url: str, *args: str, monkeypatch) -> str:
    """The same command the full way (the quick reader refused), in this process."""
    monkeypatch.setattr("storage.plain.open_reader", lambda url, revision: None)
    result = CliRunner().invoke(main, ["--db", url, *args], env={"COCREA_LANG": "es"})
    monkeypatch.undo()
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def migrated(request, tmp_path_factory):
    """A database made as a user makes one (``cocrea apply`` migrates it first) with the example
    applied up to its consultation, whose exit criteria are unmet: its URL (read only by the tests)."""
    tmp_path = tmp_path_factory.mktemp("migrated")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cocrea.db'}"
        drop = None
    else:
        base = pg_or_skip()
        schema = f"cocrea_plain_{uuid.uuid4().hex[:8]}"
        with base.begin() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"

        def drop():
            with base.begin() as c:
                c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    path = tmp_path / "first.yaml"
    path.write_text(yaml.safe_dump({"actions": ITEMS[:47]}, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["--db", url, "apply", str(path)])
    assert result.exit_code == 0, result.output
    # reminders sent (written as .eml files): the outbox has rows for ``reminders plan`` and ``status`` to show
    result = CliRunner().invoke(main, ["--db", url, "reminders", "send", SLUG, "--at", AT, "--json"],
                                env={"COCREA_OUTBOX_DIR": str(tmp_path / "eml"), "COCREA_SMTP_HOST": ""})
    assert result.exit_code == 0 and json.loads(result.output)["sent"] > 0, result.output
    engine = make_engine(url)  # and, as a server's replies would leave them, one failed and one to retry
    with engine.begin() as c:
        first, second = c.execute(text("SELECT id FROM outbox ORDER BY id LIMIT 2")).scalars()
        c.execute(text("UPDATE outbox SET status = 'failed', last_error = '550 no such user', attempts = 3, "
                       "sent_at = NULL WHERE id = :id"), {"id": first})
        c.execute(text("UPDATE outbox SET status = 'pending', last_error = '421 try later', attempts = 1, "
                       "sent_at = NULL WHERE id = :id"), {"id": second})
    engine.dispose()
    yield url
    if drop:
        drop()


@pytest.mark.parametrize("args", [("status", SLUG), ("status", SLUG, "--json"), ("--lang", "en", "status", SLUG),
                                  ("history", SLUG), ("history", SLUG, "--json"), ("audit", "verify", SLUG),
                                  ("audit", "verify", SLUG, "--json"), ("audit", "verify"),
                                  ("audit", "verify", "--json"), ("check", SLUG),
                                  ("check", SLUG, "--format", "markdown"), ("check", SLUG, "--as-of", "2100-01-01"),
                                  ("ruleset", "list", SLUG),
                                  ("reminders", "plan", SLUG, "--at", AT), ("reminders", "plan", SLUG, "--at", AT, "--json"),
                                  ("reminders", "status"), ("reminders", "status", SLUG, "--json")], ids=" ".join)
def test_the_command_reads_quickly_and_prints_what_the_full_way_prints(migrated, args, tmp_path, monkeypatch):
    lang = list(args[:2]) if args[0] == "--lang" else []
    rest = args[2:] if lang else args
    printed, heavy = _quick(migrated, *lang, *rest, cwd=tmp_path)
    assert [m for m in heavy if not (rest[0] == "reminders" and m in PLANNER)] == []
    full = _full(migrated, *lang, *rest, monkeypatch=monkeypatch)
    if "--json" in rest:
        assert json.loads(printed) == json.loads(full)  # counts by kind: in the order the database groups them
    else:
        assert printed == full
    if rest[0] == "reminders":  # there was something to compare: reminders sent, in the plan and the counts
        assert '"sent"' in printed if "--json" in rest else ("✓" in printed or "enviado" in printed)
        if rest[1] == "status" and "--json" in rest:
            found = json.loads(printed)
            assert [r["error"] for r in found["failed"] + found["retrying"]] == ["550 no such user", "421 try later"]
    if rest[0] == "status" and "--json" in rest:
        st = json.loads(printed)
        assert st["stage"] == "consultation" and st["unmet"] and not st["ready"]  # blockers were evaluated


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_of_inputs_writes_quickly_what_the_full_way_writes(migrated, fmt, tmp_path, monkeypatch):
    from storage.sheets import Sheet

    quick, full = tmp_path / f"quick.{fmt}", tmp_path / f"full.{fmt}"
    printed, heavy = _quick(migrated, "export", "inputs", SLUG, str(quick), cwd=tmp_path)
    assert heavy == []
    said = _full(migrated, "export", "inputs", SLUG, str(full), monkeypatch=monkeypatch)
    assert printed.replace(str(quick), str(full)) == said and "aportaciones escritas" in said
    if fmt == "csv":
        assert quick.read_bytes() == full.read_bytes()
    else:  # a workbook holds the time it was made: its cells
        assert list(Sheet(quick.open("rb")).rows()) == list(Sheet(full.open("rb")).rows())
    assert len(list(Sheet(quick.open("rb")).rows())) > 1


@pytest.mark.parametrize("args", [("status", "nada"), ("history", "nada"), ("audit", "verify", "nada"),
                                  ("check", "nada")], ids=" ".join)
def test_a_process_that_is_not_there_is_said_the_same_way(migrated, args, tmp_path, monkeypatch):
    out = subprocess.run([sys.executable, "-m", "cli", "--db", migrated, *args], capture_output=True,
                         text=True, cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "COCREA_LANG": "es",
                                                       "PYTHONPATH": str(ROOT)}, timeout=120)
    assert out.returncode == 2 and "[not_found]" in out.stderr
    monkeypatch.setattr("storage.plain.open_reader", lambda url, revision: None)
    result = CliRunner().invoke(main, ["--db", migrated, *args], env={"COCREA_LANG": "es"})
    assert (out.returncode, out.stderr) == (result.exit_code, result.output)


def test_an_older_schema_or_no_database_goes_the_full_way(tmp_path):
    """A database behind the newest migration is not read quickly (the full way migrates it); a
    file that is not there is not created; another driver is left to SQLAlchemy."""
    url = f"sqlite:///{tmp_path / 'cocrea.db'}"
    assert CliRunner().invoke(main, ["--db", url, "db", "upgrade"]).exit_code == 0
    reader = open_reader(url, migrations.newest())
    assert isinstance(reader, Reader)
    reader.close()
    assert open_reader(url, "0001") is None
    assert open_reader(f"sqlite:///{tmp_path / 'absent.db'}", None) is None
    assert not (tmp_path / "absent.db").exists()
    assert open_reader("mysql://u@localhost/db", None) is None
    assert open_reader("sqlite://", None) is None  # in memory: nothing to read
