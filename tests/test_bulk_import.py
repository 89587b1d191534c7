"""import_inputs: many inputs in one action, written in batches, refused whole on a bad row,
idempotent by the rows' keys, with one audit entry whose Merkle root proves any row."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json

import pymerkle  # a test dependency: an independent RFC 6962 tree to check ours against
import pytest
from sqlalchemy import func, select

from stages.errors import CocreaError
from storage.imports import BulkImport, BulkImportDigests
from stages.clock import FixedClock
from storage import models as m
from storage.models import AuditEntry, Input
from tests.builders import Proc, _consultation, complete_stage
from tests.snapshots import refused, snapshot
from workflow import actions, merkle
from workflow.actions import bulk

HEADER = ["key", "channel", "text", "sector", "received_on", "contact_name", "contact_email", "theme"]


def consultation(db, clock, slug: str = "p") -> Proc:
    p = Proc(db, clock, slug=slug)
    complete_stage(p, "declaration")
    p.move("advance")
    _consultation(p)
    p.on("2026-04-01")  # the channels closed on 4 March
    return p


def rows(n: int, start: int = 0, **over) -> list[list[str]]:
    out = []
    for i in range(start, start + n):
        r = {"key": f"form-{i}", "channel": "web" if i % 2 else "asamblea", "text": f"Propuesta {i}: datos abiertos",
             "sector": "citizen", "received_on": f"2026-02-{5 + i % 13:02d}", "contact_name": f"Persona {i}",
             "contact_email": f"p{i}@correo.example", "theme": "agua" if i % 3 == 0 else ""}
        r.update(over)
        out.append([r[h] for h in HEADER])
    return out


def csv_bytes(data: list[list[str]], header=HEADER) -> bytes:
    f = io.StringIO()
    w = csv.writer(f)
    w.writerow(header)
    w.writerows(data)
    return f.getvalue().encode()


def run(p: Proc, data: bytes, **payload):
    p.clock.advance(hours=1)
    return actions.apply(p.db, "import_inputs", {"file": io.BytesIO(data), **payload}, actor="coord",
                         process=p.slug, clock=p.clock)


def count(db, model=Input) -> int:
    with db.connect() as c:
        return c.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_file_is_imported_in_batches_with_one_audit_entry(db, clock, monkeypatch):
    monkeypatch.setattr(bulk, "BATCH", 7)  # several batches, the last one short
    monkeypatch.setattr("storage.imports.CHUNK", 4)
    monkeypatch.setattr(bulk, "CHUNK", 4)
    p = consultation(db, clock)
    before, entries = count(db), count(db, AuditEntry)
    data = csv_bytes(rows(30))
    result = run(p, data, name="formulario.csv")
    assert result["rows"] == 30 and result["added"] == 30 and result["present"] == 0
    assert result["file_sha256"] == hashlib.sha256(data).hexdigest()
    assert count(db) == before + 30
    assert count(db, AuditEntry) == entries + 1
    with db.connect() as c:
        entry = c.execute(select(AuditEntry.body).order_by(AuditEntry.id.desc()).limit(1)).scalar_one()
        stored = c.execute(select(Input.key, Input.text, Input.sector, Input.contact_email, Input.late, Input.import_id)
                           .where(Input.key == "form-3")).one()
        imp = c.execute(select(BulkImport)).one()
        defaults = c.execute(select(Input.kind, Input.themes, Input.profile, Input.hidden_note, Input.received_on)
                             .where(Input.key == "form-3")).one()
        chunks = c.execute(select(BulkImportDigests.chunk, BulkImportDigests.digests)
                           .order_by(BulkImportDigests.chunk)).all()
    body = json.loads(entry)
    assert body["action"] == "import_inputs" and body["payload"] == {"name": "formulario.csv"}
    assert body["result"]["merkle_root"] == result["merkle_root"] and body["result"]["rows"] == 30
    assert stored[:5] == ("form-3", "Propuesta 3: datos abiertos", "citizen", "p3@correo.example", False)
    # the columns the file does not set hold their defaults, written by INSERT (SQLite) or COPY (PostgreSQL)
    assert defaults == ("input", [], {}, "", dt.date(2026, 2, 8))
    assert stored.import_id == imp.id and imp.file_name == "formulario.csv" and imp.merkle_root == result["merkle_root"]
    assert [c for c, _ in chunks] == list(range(8)) and sum(len(d) for _, d in chunks) == 30 * 32
    leaves = [d[i:i + 32] for _, d in chunks for i in range(0, len(d), 32)]
    assert merkle.root(leaves).hex() == result["merkle_root"]


def test_importing_the_same_file_again_adds_nothing(db, clock):
    p = consultation(db, clock)
    data = csv_bytes(rows(12))
    first = run(p, data)
    n = count(db)
    again = run(p, data)
    assert count(db) == n
    assert (again["added"], again["present"], again["merkle_root"]) == (0, 12, first["merkle_root"])
    # a longer export of the same form adds only its new rows
    more = run(p, csv_bytes(rows(15)))
    assert (more["added"], more["present"], count(db)) == (3, 12, n + 3)
    # a row repeated inside one file is one input
    twice = run(p, csv_bytes(rows(1, 40) + rows(1, 40)))
    assert (twice["added"], twice["present"], count(db)) == (1, 1, n + 4)


def test_a_bad_row_refuses_the_whole_file_naming_rows_and_changes_nothing(db, clock, monkeypatch):
    monkeypatch.setattr(bulk, "BATCH", 5)
    p = consultation(db, clock)
    run(p, csv_bytes(rows(3)))
    data = rows(20)
    data[2][4] = "2026-13-40"                     # row 4: not a date
    data[9][1] = "radio"                          # row 11: no such channel
    data[14][4] = "2026-03-20"                    # row 16: after the channel closed
    data[17][4] = "2027-02-01"                    # row 19: in the future
    data[18][2] = "   "                           # row 20: empty text
    data[0][2] = "Otro texto"                     # row 2: form-0 was recorded with other content
    exc = refused(db, lambda: run(p, csv_bytes(data)), "invalid_field")
    found = {r.details["row"]: r.code for r in exc.reasons}
    assert found == {2: "import_key_conflict", 4: "invalid_field", 11: "not_found", 16: "input_inside_channel_window",
                     19: "fact_not_in_future", 20: "invalid_field"}
    assert exc.exit_code == 2
    assert exc.reasons[1].message("es").startswith("Fila 4: ")
    assert exc.reasons[1].message("en").startswith("Row 4: ")


def dry(p: Proc, data: bytes, **payload):
    return actions.apply(p.db, "import_inputs", {"file": io.BytesIO(data), **payload}, actor="coord",
                         process=p.slug, clock=p.clock, dry_run=True)


def bad_file() -> bytes:
    data = rows(40)
    for i in range(0, 40, 3):
        data[i][4] = "2027-02-01"                 # rows 2, 5, ..., 41: in the future (14 rows)
    data[7][1] = "radio"                          # row 9: no such channel
    data[10][2] = "   "                           # row 12: empty text
    data[20] = rows(1, 31, text="Otro")[0]        # row 22: key form-31, other content than row 33
    return csv_bytes(data)


def test_a_dry_run_names_every_bad_row_and_writes_nothing(db, clock, monkeypatch):
    monkeypatch.setattr(bulk, "BATCH", 7)
    p = consultation(db, clock)
    run(p, csv_bytes(rows(3)))
    p.clock.advance(hours=1)
    before, entries = snapshot(db), count(db, AuditEntry)
    report = dry(p, bad_file())
    assert snapshot(db) == before and count(db, AuditEntry) == entries  # nothing written, no audit entry
    found = [(r.details["row"], r.code) for r in report["problems"]]
    future = [(n, "fact_not_in_future") for n in range(2, 42, 3)]
    assert found == sorted(future + [(9, "not_found"), (12, "invalid_field"), (33, "import_key_conflict")])
    assert len(found) == 17 > 10  # all of them, not the first few
    assert report["bad_rows"] == 17 and report["rows"] == 40
    # the import refuses the whole file with the same list
    exc = refused(db, lambda: run(p, bad_file()), "fact_not_in_future", "not_found", "import_key_conflict")
    assert [(r.details["row"], r.code) for r in exc.reasons] == found
    assert [r.message("es") for r in exc.reasons] == [r.message("es") for r in report["problems"]]


def test_a_dry_run_tells_what_would_be_written(db, clock):
    p = consultation(db, clock)
    run(p, csv_bytes(rows(5)))
    p.clock.advance(hours=1)
    before = snapshot(db)
    report = dry(p, csv_bytes(rows(8)))
    assert snapshot(db) == before
    assert (report["rows"], report["added"], report["present"], report["problems"]) == (8, 3, 5, [])
    assert report["adding"] == [(7, "form-5"), (8, "form-6"), (9, "form-7")]
    # the root it tells is the one the import then records
    assert run(p, csv_bytes(rows(8)))["merkle_root"] == report["merkle_root"]


def test_only_some_actions_have_a_dry_run(sqlite_db, clock):
    p = consultation(sqlite_db, clock)
    with pytest.raises(CocreaError) as exc:
        actions.apply(sqlite_db, "add_theme", {"key": "t9", "name": "Otro"}, actor="coord", process=p.slug,
                      clock=p.clock, dry_run=True)
    assert exc.value.codes == ["no_dry_run"]


def test_many_bad_rows_are_counted_beyond_those_named(sqlite_db, clock, monkeypatch):
    monkeypatch.setattr(bulk, "SHOWN", 20)  # the bound on memory (10,000 named by default)
    p = consultation(sqlite_db, clock)
    exc = refused(sqlite_db, lambda: run(p, csv_bytes(rows(30, received_on="2026-01-01"))),
                  "input_inside_channel_window", "more_bad_rows")
    assert exc.exit_code == 3 and len(exc.reasons) == bulk.SHOWN + 1
    assert exc.reasons[-1].details["count"] == 10


def test_columns_are_checked_before_any_row(sqlite_db, clock):
    p = consultation(sqlite_db, clock)
    refused(sqlite_db, lambda: run(p, csv_bytes(rows(2), header=HEADER[:-1] + ["tema"])), "import_columns_unknown")
    refused(sqlite_db, lambda: run(p, csv_bytes([r[1:] for r in rows(2)], header=HEADER[1:])),
            "import_columns_missing")
    refused(sqlite_db, lambda: run(p, b""), "import_empty_file")
    refused(sqlite_db, lambda: run(p, b"key,text\n\xff\xfe\n"), "bad_file")
    # the channel may be given once for every row instead of a column
    data = csv_bytes([[r[0], r[2], r[4]] for r in rows(2)], header=["key", "text", "received_on"])
    assert run(p, data, channel="web")["added"] == 2


def test_a_path_is_not_a_file_no_request_makes_the_server_open_one(sqlite_db, clock):
    p = consultation(sqlite_db, clock)
    before = snapshot(sqlite_db)
    with pytest.raises(CocreaError) as exc:
        actions.apply(sqlite_db, "import_inputs", {"file": "/etc/passwd"}, actor="coord", process="p", clock=clock)
    assert exc.value.codes == ["invalid_field"] and snapshot(sqlite_db) == before


def test_rows_can_be_given_instead_of_a_file(sqlite_db, clock):
    p = consultation(sqlite_db, clock)
    given = [dict(zip(HEADER, r)) for r in rows(4)]
    p.clock.advance(hours=1)
    result = actions.apply(sqlite_db, "import_inputs", {"rows": given}, actor="coord", process="p", clock=p.clock)
    assert result["added"] == 4
    assert result["merkle_root"] == run(p, csv_bytes(rows(4)))["merkle_root"]  # same rows, same root


def test_only_in_consultation_and_only_coordinators(sqlite_db, clock):
    p = Proc(sqlite_db, clock)
    refused(sqlite_db, lambda: run(p, csv_bytes(rows(1))), "not_in_stage")


def pymerkle_of(data: list) -> pymerkle.InmemoryTree:
    """pymerkle's tree of the file's rows (``HEADER`` order), each encoded as the import encodes it."""
    tree = pymerkle.InmemoryTree(algorithm="sha256")
    for r in data:
        d = dict(zip(HEADER, r))
        tree.append_entry(bulk.encode(tuple(d[c] or None for c in bulk.CANON)))
    return tree


def test_the_merkle_tree_is_rfc6962_as_pymerkle_computes_it():
    for n in (1, 2, 3, 5, 8, 13, 100):
        data = [f"fila {i}".encode() for i in range(n)]
        tree = pymerkle.InmemoryTree(algorithm="sha256")
        for d in data:
            tree.append_entry(d)
        leaves = [merkle.leaf_hash(d) for d in data]
        expected = tree.get_root()
        assert merkle.root(leaves) == expected
        for i in range(n):
            path = merkle.inclusion_path(leaves, i)
            assert merkle.verify_inclusion(leaves[i], i, n, path, expected)
            assert not merkle.verify_inclusion(merkle.leaf_hash(b"otra"), i, n, path, expected)
            if n > 1:
                assert not merkle.verify_inclusion(leaves[i], (i + 1) % n, n, path, expected)
    assert merkle.root([]) == hashlib.sha256(b"").digest()


def test_cocrea_import_inputs(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from cli.main import main
    from stages.clock import FixedClock
    from storage import make_engine

    monkeypatch.delenv("COCREA_LANG", raising=False)
    url = f"sqlite:///{tmp_path / 'cocrea.db'}"
    runner = CliRunner()
    assert runner.invoke(main, ["--db", url, "db", "upgrade"]).exit_code == 0  # the schema of the migrations
    engine = make_engine(url)
    import datetime as dt
    consultation(engine, FixedClock(dt.datetime(2026, 1, 15, 16, 0, tzinfo=dt.timezone.utc)))
    path = tmp_path / "respuestas.csv"
    path.write_bytes(csv_bytes(rows(25)))
    out = runner.invoke(main, ["--db", url, "import", "inputs", "p", str(path), "--as", "coord"])
    assert out.exit_code == 0, out.output
    assert "filas leídas: 25; aportaciones agregadas: 25; ya presentes: 0" in out.output
    assert hashlib.sha256(path.read_bytes()).hexdigest() in out.output
    out = runner.invoke(main, ["--db", url, "--lang", "en", "import", "inputs", "p", str(path), "--as", "coord"])
    assert "rows read: 25; inputs added: 0; already present: 25" in out.output
    bad = tmp_path / "mal.csv"
    bad.write_bytes(csv_bytes(rows(3, 100, received_on="2027-01-01")))
    out = runner.invoke(main, ["--db", url, "import", "inputs", "p", str(bad), "--as", "coord"])
    assert out.exit_code == 3 and "Fila 2:" in out.output and "Fila 4:" in out.output
    engine.dispose()


def cli_process(tmp_path) -> str:
    """A consultation in a SQLite file made by ``cocrea db upgrade``; its URL."""
    import datetime as dt

    from click.testing import CliRunner

    from cli.main import main
    from stages.clock import FixedClock
    from storage import make_engine

    url = f"sqlite:///{tmp_path / 'cocrea.db'}"
    assert CliRunner().invoke(main, ["--db", url, "db", "upgrade"]).exit_code == 0
    engine = make_engine(url)
    consultation(engine, FixedClock(dt.datetime(2026, 1, 15, 16, 0, tzinfo=dt.timezone.utc)))
    engine.dispose()
    return url


def test_cocrea_import_inputs_dry_run(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from cli.main import main
    from storage import make_engine

    monkeypatch.delenv("COCREA_LANG", raising=False)
    url = cli_process(tmp_path)
    path = tmp_path / "mal.csv"
    path.write_bytes(bad_file())
    engine = make_engine(url)
    before = snapshot(engine)
    out = CliRunner().invoke(main, ["--db", url, "import", "inputs", "p", str(path), "--as", "coord", "--dry-run"])
    assert out.exit_code == 2 and snapshot(engine) == before
    assert "Ensayo, nada escrito. Filas leídas: 40; aportaciones que agregaría: 23;" in out.output
    lines = [line for line in out.output.splitlines() if line.startswith("  - [")]
    assert len(lines) == 17 and "Fila 41: " in lines[-1] and "Fila 33: " in out.output
    path.write_bytes(csv_bytes(rows(4)))
    out = CliRunner().invoke(main, ["--db", url, "--lang", "en", "import", "inputs", "p", str(path), "--as", "coord",
                                    "--dry-run"])
    assert out.exit_code == 0 and snapshot(engine) == before
    assert "Dry run, nothing written. Rows read: 4; inputs it would add: 4; already present: 0" in out.output
    assert "  + row 5: input form-3" in out.output
    engine.dispose()


def test_a_progress_bar_on_a_terminal_only(tmp_path):
    """``cocrea import inputs`` run with its standard error on a terminal (a pseudo-terminal here)
    draws a progress bar there; with it on a pipe, nothing but the result."""
    import os
    import pty
    import subprocess
    import sys

    url = cli_process(tmp_path)
    path = tmp_path / "respuestas.csv"
    path.write_bytes(csv_bytes(rows(300)))
    command = [sys.executable, "-m", "cli", "--db", url, "import", "inputs", "p", str(path), "--as", "coord",
               "--dry-run"]
    env = {**os.environ, "COCREA_LANG": "en", "COLUMNS": "100"}
    piped = subprocess.run(command, capture_output=True, env=env, timeout=120)
    assert piped.returncode == 0 and piped.stderr == b""
    main, other = pty.openpty()
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=other, env=env, timeout=120)
        os.close(other)
        other = -1
        drawn = b""
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(main)
        if other != -1:
            os.close(other)
    assert done.returncode == 0
    assert b"respuestas.csv" in drawn and b"100%" in drawn and b"#" in drawn


def test_a_leaf_is_the_stored_values_joined_by_the_unit_separator():
    canon = ("k1", "web", "Texto ñ", "citizen", "2026-02-05", None, "a@b.example", None)
    assert bulk.encode(canon) == "k1\x1fweb\x1fTexto ñ\x1fcitizen\x1f2026-02-05\x1f\x1fa@b.example\x1f".encode()


def test_stored_leaves_are_the_rows_values_so_a_stored_input_can_be_proved(sqlite_db, clock):
    p = consultation(sqlite_db, clock)
    result = run(p, csv_bytes(rows(9)))
    with sqlite_db.connect() as c:
        digests = c.execute(select(BulkImportDigests.digests)).scalar_one()
        text, email = c.execute(select(Input.text, Input.contact_email).where(Input.key == "form-6")).one()
    leaves = [digests[i:i + 32] for i in range(0, len(digests), 32)]
    mine = merkle.leaf_hash(bulk.encode(("form-6", "asamblea", text, "citizen", "2026-02-11", "Persona 6", email,
                                          "agua")))
    assert leaves[6] == mine
    path = merkle.inclusion_path(leaves, 6)
    assert merkle.verify_inclusion(mine, 6, 9, path, bytes.fromhex(result["merkle_root"]))


def test_a_process_with_an_import_is_replayed_with_its_inputs(sqlite_db, clock):
    from reads import replay

    p = consultation(sqlite_db, clock)
    run(p, csv_bytes(rows(6)))
    run(p, csv_bytes(rows(8)))  # two more; six present
    records = replay.records_as_of(sqlite_db, "p", p.clock.now())
    keys = sorted(i.key for i in records.inputs)
    assert keys == sorted(["i1"] + [f"form-{i}" for i in range(8)])
    assert not any(hasattr(i, "contact_email") for i in records.inputs)  # plain rows: no personal data
    r = replay.Replay(sqlite_db, "p").until(p.clock.now())  # nor is any replayed: the trail does not hold it
    try:
        with r.engine.connect() as c:
            emails = set(c.execute(select(Input.contact_email).where(Input.key.startswith("form"))).scalars())
    finally:
        r.close()
    assert emails == {None}


def xlsx_bytes(data: list[list], header=HEADER) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for r in data:
        sheet.append(r)
    f = io.BytesIO()
    book.save(f)
    return f.getvalue()


def test_an_xlsx_file_is_imported_as_its_csv_would_be(db, clock):
    import datetime as dt

    p = consultation(db, clock)
    data = rows(12)
    for r in data[::2]:  # a spreadsheet's own dates and numbers, as a form's export has them
        r[4] = dt.datetime.fromisoformat(r[4])
    data[3][0] = 2024  # a key typed as a number
    book = xlsx_bytes(data)
    result = run(p, book, name="respuestas.xlsx")
    assert (result["rows"], result["added"]) == (12, 12)
    assert result["file_sha256"] == hashlib.sha256(book).hexdigest()
    with db.connect() as c:
        assert c.execute(select(Input.received_on).where(Input.key == "form-0")).scalar_one().isoformat() == "2026-02-05"
        assert c.execute(select(func.count()).where(Input.key == "2024")).scalar_one() == 1
    as_csv = [[str(v) if not isinstance(v, dt.datetime) else v.date().isoformat() for v in r] for r in data]
    assert run(p, csv_bytes(as_csv))["merkle_root"] == result["merkle_root"]  # the same rows, the same root


def test_a_row_longer_than_the_header_is_refused_with_its_line(db, clock):
    p = consultation(db, clock)
    data = rows(6)
    data[2] = data[2] + ["sobra"]                  # row 4: one cell too many
    data[4] = data[4] + ["", ""]                  # row 6: trailing empty cells are no cells
    for body in (csv_bytes(data), xlsx_bytes([[v if v != "" else None for v in r] for r in data])):
        exc = refused(db, lambda: run(p, body), "import_row_too_long")
        assert [(r.details["row"], r.code) for r in exc.reasons] == [(4, "import_row_too_long")]
        assert exc.reasons[0].message("es") == "Fila 4: La fila tiene 9 celdas, más que las 8 columnas que nombra su primera fila."
    # empty rows (a spreadsheet's trailing ones) are skipped, their numbers kept
    data = rows(3)
    assert run(p, csv_bytes(data[:1] + [[]] + data[1:]))["rows"] == 3


def test_a_broken_xlsx_is_refused(sqlite_db, clock):
    p = consultation(sqlite_db, clock)
    refused(sqlite_db, lambda: run(p, b"PK\x03\x04 not really a zip"), "bad_file")
    refused(sqlite_db, lambda: run(p, xlsx_bytes([], header=["clave"])), "import_columns_unknown")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_is_imported_back_unchanged_without_contact_data(db, clock, fmt):
    from reads.imports import export_inputs

    p = consultation(db, clock)
    data = rows(10)
    data[4][2] = "=HYPERLINK(\"http://x.example\"), \"comillas\", coma; y\nsalto"  # read back as text
    run(p, csv_bytes(data))
    p.clock.advance(hours=1)
    actions.apply(db, "answer_input", {"input": "form-2", "disposition": "adopted", "rationale": "Se adopta.",
                                       "theme": "agua"}, actor="coord", process="p", clock=p.clock)
    f = io.BytesIO()
    assert export_inputs(db, "p", f, fmt) == 11  # the ten, and the one recorded before
    exported = f.getvalue()
    assert b"correo.example" not in exported and b"Persona" not in exported
    before = snapshot(db)
    report = dry(p, exported, name=f"export.{fmt}")
    assert (report["rows"], report["added"], report["present"], report["problems"]) == (11, 0, 11, [])
    again = run(p, exported, name=f"export.{fmt}")
    assert (again["added"], again["present"]) == (0, 11)
    assert {k: v for k, v in snapshot(db).items() if k not in ("audit_entry", "bulk_import", "bulk_import_digests",
                                                             "process")} == \
        {k: v for k, v in before.items() if k not in ("audit_entry", "bulk_import", "bulk_import_digests", "process")}
    # the second import's root is that of the rows as stored (contact data included), as the first's
    assert again["merkle_root"] != ""
    f2 = io.BytesIO()
    export_inputs(db, "p", f2, fmt)
    if fmt == "csv":
        assert f2.getvalue() == exported  # the same file again
    # a file that changes an exported row is refused: an import never changes an input
    changed = exported.replace(b"Propuesta 7:", b"Propuesta 77:") if fmt == "csv" else None
    if changed:
        refused(db, lambda: run(p, changed), "import_key_conflict")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_quick_reader_exports_what_the_engine_exports_without_hidden_inputs(db, clock, fmt):
    """``cocrea export inputs`` reads plain rows through the driver alone (its own connection, a
    server-side cursor on PostgreSQL): the same file as through an engine; a hidden input is left out."""
    from reads.imports import INPUT_COLUMNS, export_inputs
    from storage import sheets
    from storage.plain import open_reader

    assert INPUT_COLUMNS == sheets.EXPORTED_INPUTS == tuple(c for c in bulk.COLUMNS if c not in bulk.PRIVATE)
    p = consultation(db, clock)
    run(p, csv_bytes(rows(12)))
    p("hide_input", input="form-3", reason="spam", note="publicidad")
    through_engine = io.BytesIO()
    assert export_inputs(db, "p", through_engine, fmt) == 12  # the eleven shown, and the one recorded before
    from conftest import PG_URL, _pg_state

    url = (f"{PG_URL}?options=-csearch_path%3D{_pg_state['schema']}" if db.dialect.name == "postgresql"
           else db.url.render_as_string(hide_password=False))
    reader = open_reader(url, None)
    try:
        quick = io.BytesIO()
        assert export_inputs(reader, "p", quick, fmt) == 12
    finally:
        reader.close()
    read = list(sheets.Sheet(io.BytesIO(quick.getvalue())).rows())
    assert read[0] == list(INPUT_COLUMNS) and "form-3" not in {r[0] for r in read} and len(read) == 13
    if fmt == "csv":
        assert quick.getvalue() == through_engine.getvalue()
    else:  # the workbook's creation time differs: compare its cells
        assert read == list(sheets.Sheet(io.BytesIO(through_engine.getvalue())).rows())


def test_the_deep_check_holds_an_imports_digest_and_root_to_its_entry(db, clock):
    """The file is not in the trail: a replay imports the rows it added, without their contact data,
    so the import's file digest and Merkle root are checked against its entry's result."""
    from sqlalchemy import text

    from reads import status as queries
    from stages.errors import AuditBroken

    p = consultation(db, clock)
    done = run(p, csv_bytes(rows(5)))  # contact data in every row: in the leaves, not in the trail
    assert queries.verify_record(db, "p", deep=True)["p"]["deep_rows"] > 5
    with db.begin() as c:
        c.execute(text("UPDATE bulk_import SET merkle_root = :root"), {"root": "0" * 64})
    with pytest.raises(AuditBroken) as caught:
        queries.verify_record(db, "p", deep=True)
    assert [(r.code, r.details["table"], r.details["key"], r.details["column"], r.details["trail"])
            for r in caught.value.reasons] == \
        [("deep_value_differs", "bulk_import", done["import"], "merkle_root", f"«{done['merkle_root']}»")]


def test_an_export_format_is_told_by_the_name():
    from storage.sheets import format_of

    assert format_of("a.CSV") == "csv" and format_of("x/y.xlsx") == "xlsx"
    with pytest.raises(CocreaError) as exc:
        format_of("datos.ods")
    assert exc.value.codes == ["sheet_format_unknown"]


def test_one_row_is_proved_in_its_import_as_pymerkle_proves_it(db, clock, monkeypatch):
    from reads.imports import prove

    monkeypatch.setattr("storage.imports.CHUNK", 4)
    monkeypatch.setattr(bulk, "CHUNK", 4)
    p = consultation(db, clock)
    data = rows(11)
    result = run(p, csv_bytes(data))
    p.clock.advance(hours=1)
    # an answer changes form-5's theme: its row is found as it was imported
    actions.apply(db, "answer_input", {"input": "form-5", "disposition": "adopted", "rationale": "Se adopta.",
                                       "theme": "agua"}, actor="coord", process="p", clock=p.clock)
    for i in (0, 5, 10):
        proof = prove(db, "p", f"form-{i}")
        assert proof["verified"] and proof["index"] == i and proof["size"] == 11
        assert proof["merkle_root"] == result["merkle_root"] and proof["import"] == result["import"]
        row = dict(zip(HEADER, data[i]))
        encoded = bulk.encode(tuple(row[c] or None for c in bulk.CANON))
        assert proof["leaf"] == merkle.leaf_hash(encoded).hex()  # anyone holding the row computes its leaf
        tree = pymerkle_of(data)
        assert tree.get_root().hex() == proof["merkle_root"]
        theirs = tree.prove_inclusion(i + 1)  # pymerkle counts from 1
        pymerkle.verify_inclusion(bytes.fromhex(proof["leaf"]), bytes.fromhex(proof["merkle_root"]), theirs)
        assert set(proof["path"]) <= {h.hex() if isinstance(h, bytes) else h for h in theirs.serialize()["path"]}
    # a wrong leaf does not verify against the path
    proof = prove(db, "p", "form-3")
    assert not merkle.verify_inclusion(merkle.leaf_hash(b"otra"), 3, 11, [bytes.fromhex(h) for h in proof["path"]],
                                       bytes.fromhex(proof["merkle_root"]))
    with pytest.raises(CocreaError) as exc:
        prove(db, "p", "i1")  # recorded one by one, not imported
    assert exc.value.codes == ["input_not_imported"]


def test_cocrea_export_and_prove(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from cli.main import main

    monkeypatch.setenv("COCREA_LANG", "en")
    url = cli_process(tmp_path)
    runner = CliRunner()
    source = tmp_path / "respuestas.xlsx"
    source.write_bytes(xlsx_bytes(rows(7)))
    assert runner.invoke(main, ["--db", url, "import", "inputs", "p", str(source), "--as", "coord"]).exit_code == 0
    for name in ("salida.csv", "salida.xlsx"):
        out = runner.invoke(main, ["--db", url, "export", "inputs", "p", str(tmp_path / name)])
        assert out.exit_code == 0 and "8 inputs written" in out.output, out.output
        out = runner.invoke(main, ["--db", url, "import", "inputs", "p", str(tmp_path / name), "--as", "coord"])
        assert "inputs added: 0; already present: 8" in out.output, out.output
    out = runner.invoke(main, ["--db", url, "export", "inputs", "p", str(tmp_path / "salida.ods")])
    assert out.exit_code == 2 and "sheet_format_unknown" in out.output
    out = runner.invoke(main, ["--db", url, "import", "prove", "p", "form-4"])
    assert out.exit_code == 0 and "leaf 4 (counted from 0) of the 7 rows" in out.output and "verified" in out.output, out.output
    out = runner.invoke(main, ["--db", url, "import", "prove", "p", "form-4", "--json"])
    proof = json.loads(out.output)
    assert merkle.verify_inclusion(bytes.fromhex(proof["leaf"]), 4, 7, [bytes.fromhex(h) for h in proof["path"]],
                                   bytes.fromhex(proof["merkle_root"]))


#: A text with an email and a phone typed into it, as a form's export may hold one.
WITH_CONTACT = "Propuesta 2: escríbanme a ana.lopez@correo.example o al 33 1234 5678 sobre el agua"


def test_contact_data_in_an_imported_text_is_stored_as_record_input_stores_it(db, clock):
    from reads.imports import export_inputs, prove
    from stages.participation import EMAIL_MASK, PHONE_MASK

    p = consultation(db, clock)
    data = rows(6)
    data[2][2] = WITH_CONTACT
    file = csv_bytes(data)
    first = run(p, file)
    p("record_input", key="typed", channel="web", text=WITH_CONTACT, received_on="2026-02-07")
    with db.connect() as c:
        stored = {k: (t, o) for k, t, o in c.execute(select(Input.key, Input.text, Input.original_text))}
        bodies = [b for (b,) in c.execute(select(AuditEntry.body))]
    masked = f"Propuesta 2: escríbanme a {EMAIL_MASK} o al {PHONE_MASK} sobre el agua"
    assert stored["form-2"] == (masked, WITH_CONTACT)  # masked, the original kept privately
    assert stored["form-2"] == stored["typed"]  # exactly as record_input stores it
    assert stored["form-3"] == ("Propuesta 3: datos abiertos", None)  # no contact data: no original
    assert not any("ana.lopez" in json.dumps(b) or "1234 5678" in json.dumps(b) for b in bodies)
    # published masked: the list of inputs the pages and the API show
    from reads import lists

    listed = lists.page(db, "p", "inputs", per_page=100)["items"]
    assert [i["text"] for i in listed if i["key"] == "form-2"] == [masked]
    # the same file again: every row present (the text as received is the stored original)
    again = run(p, file)
    assert (again["added"], again["present"]) == (0, 6)
    assert again["merkle_root"] == first["merkle_root"]  # the leaves are the rows as received, as before
    # another phone in the same row is other content: refused
    other = [list(r) for r in data]
    other[2][2] = WITH_CONTACT.replace("33 1234 5678", "33 8765 4321")
    refused(db, lambda: run(p, csv_bytes(other)), "import_key_conflict")
    # proved with the row as the file holds it (its text before masking), as pymerkle computes it
    proof = prove(db, "p", "form-2")
    assert proof["verified"] and proof["index"] == 2 and proof["import"] == first["import"]
    row = dict(zip(HEADER, data[2]))
    assert proof["leaf"] == merkle.leaf_hash(bulk.encode(tuple(row[c] or None for c in bulk.CANON))).hex()
    tree = pymerkle_of(data)
    assert tree.get_root().hex() == first["merkle_root"]
    # exported masked, never the original; the export reads back as present, and proves in it
    f = io.BytesIO()
    export_inputs(db, "p", f, "csv")
    exported = f.getvalue()
    assert masked.encode() in exported and b"ana.lopez" not in exported and b"1234 5678" not in exported
    back = run(p, exported, name="export.csv")
    assert (back["added"], back["present"]) == (0, 8)
    assert prove(db, "p", "form-2", back["import"])["verified"]
    # erased on request: the original goes, the masked text stays
    p("erase_contact", input="form-2")
    with db.connect() as c:
        assert c.execute(select(Input.text, Input.original_text).where(Input.key == "form-2")).one() == (masked, None)


def test_the_purge_clears_the_original_text_of_imported_inputs(db, clock):
    from stages import STAGE_NAMES
    from tests.builders import process_at

    p = process_at(db, clock, "consultation")
    _consultation(p)
    p.on("2026-04-01")
    data = rows(3)
    data[1][2] = WITH_CONTACT
    data[1][5] = data[1][6] = ""  # a row without contact columns: only its text holds contact data
    run(p, csv_bytes(data))
    for i in range(3):
        p("answer_input", input=f"form-{i}", disposition="adopted", rationale="Se adopta.", theme="agua")
    p.move("advance")
    for name in STAGE_NAMES[STAGE_NAMES.index("consultation") + 1:]:
        complete_stage(p, name)
        p.close() if name == "monitoring" else p.move("advance")
    p.clock.advance(days=181)
    assert p("purge_contact_data")["inputs"] >= 3  # the three imported, whatever the builders recorded
    with db.connect() as c:
        held = c.execute(select(Input.key, Input.text, Input.original_text, Input.contact_email)
                         .where(Input.key.like("form-%")).order_by(Input.key)).all()
    assert [(k, o, e) for k, _, o, e in held] == [("form-0", None, None), ("form-1", None, None), ("form-2", None, None)]
    assert "[correo oculto]" in held[1][1] and "ana.lopez" not in held[1][1]


def test_rows_recorded_before_or_in_an_earlier_batch_are_present_not_added(db, clock, monkeypatch):
    """A batch of new keys is written whole; one holding keys already recorded (before the import,
    or by an earlier batch of the same file) adds only the others, and its leaves are the rows'."""
    monkeypatch.setattr(bulk, "BATCH", 4)
    p = consultation(db, clock)
    run(p, csv_bytes(rows(3)))  # form-0 to form-2
    n = count(db)
    data = rows(10) + rows(2, 4)  # form-0 to form-9, then form-4 and form-5 again, in later batches
    p.clock.advance(hours=1)
    report = dry(p, csv_bytes(data))
    assert (report["added"], report["present"], report["problems"]) == (7, 5, [])
    assert report["adding"] == [(i + 2, f"form-{i}") for i in range(3, 10)]
    result = run(p, csv_bytes(data))
    assert (result["added"], result["present"], count(db)) == (7, 5, n + 7)
    leaves = [merkle.leaf_hash(bulk.encode(tuple(r[HEADER.index(c)] or None for c in bulk.CANON))) for r in data]
    assert merkle.root(leaves).hex() == result["merkle_root"] == report["merkle_root"]


def imported(db, clock, slug: str, files: list[list[list[str]]]) -> tuple[list, list, list]:
    """Each file imported in turn (after its dry run) into a new process: the reports and results,
    the process's inputs as stored (every column, ids by their keys) and its imports' digests."""
    p = consultation(db, clock, slug)
    results = []
    for f in files:
        p.clock.advance(hours=1)
        results += [dry(p, csv_bytes(f)), run(p, csv_bytes(f))]
    ch, th, imp = (x.__table__.alias() for x in (m.Channel, m.Theme, BulkImport))
    shown = [c for c in Input.__table__.c if c.name not in ("id", "process_id", "channel_id", "theme_id", "import_id")]
    with db.connect() as c:
        pid = c.execute(select(m.Process.id).where(m.Process.slug == slug)).scalar_one()
        stored = c.execute(select(*shown, ch.c.key, th.c.key, imp.c.key).select_from(
            Input.__table__.outerjoin(ch, ch.c.id == Input.channel_id).outerjoin(th, th.c.id == Input.theme_id)
            .outerjoin(imp, imp.c.id == Input.import_id)).where(Input.process_id == pid).order_by(Input.key)).all()
        digests = c.execute(select(imp.c.key, BulkImportDigests.chunk, BulkImportDigests.digests)
                            .join(imp, imp.c.id == BulkImportDigests.import_id).where(imp.c.process_id == pid)
                            .order_by(imp.c.key, BulkImportDigests.chunk)).all()
    return results, [tuple(r) for r in stored], [tuple(r) for r in digests]


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_postgresql_writes_the_rows_sqlite_and_the_row_by_row_path_write(db, sqlite_db, clock, monkeypatch):
    """The same files give the same inputs, reports, results and digests on PostgreSQL (each clean
    batch COPYed in a savepoint by the writer's thread; one meeting a recorded key rolled back to
    it, looked up, and the rest written) as on SQLite (INSERT ... ON CONFLICT DO NOTHING), and the
    same inputs as the row-by-row path (every batch holding a key twice)."""
    monkeypatch.setattr(bulk, "BATCH", 4)
    first = rows(6)
    first[2][2] = WITH_CONTACT
    # rows recorded before (by the first file), repeated from an earlier batch, twice in one batch
    second = rows(14) + rows(2, 4) + rows(1, 20) + rows(1, 20) + rows(3, 21)
    second[2][2], second[9][2] = WITH_CONTACT, WITH_CONTACT.replace("Propuesta 2", "Propuesta 9")
    at = clock.now()
    postgresql = imported(db, FixedClock(at), "p", [first, second])
    sqlite = imported(sqlite_db, FixedClock(at), "p", [first, second])
    assert postgresql == sqlite
    results, stored, _ = postgresql
    assert [(r["added"], r["present"]) for r in results] == [(6, 0)] * 2 + [(12, 9)] * 2
    assert len(stored) == 1 + 6 + 12 and len({r[0] for r in stored}) == len(stored)  # i1, recorded by hand
    by_row = imported(db, FixedClock(at), "q", [[r for r in f for _ in (0, 1)] for f in (first, second)])
    assert by_row[1] == stored
    assert [(r["added"], r["present"]) for r in by_row[0]] == [(6, 6)] * 2 + [(12, 30)] * 2


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)  # the fault is PostgreSQL's planner's
def test_on_postgresql_an_import_brings_the_statistics_of_an_empty_table_up_to_date(db, clock, monkeypatch):
    """With an empty table's statistics PostgreSQL's planner looked each key up by filtering every
    row of the process (minutes per batch at 1,000,000 rows): the import analyses the table, in
    its own transaction, once it has written more rows than the statistics say it holds."""
    monkeypatch.setattr(bulk, "BATCH", 4)
    monkeypatch.setattr(bulk, "STATISTICS", 8)
    p = consultation(db, clock)
    with db.begin() as c:
        c.exec_driver_sql("DELETE FROM input")
        c.exec_driver_sql("ANALYZE input")  # the statistics of an empty table
    tuples = "SELECT reltuples FROM pg_class WHERE oid = 'input'::regclass"
    with db.connect() as c:
        assert c.exec_driver_sql(tuples).scalar() <= 0
    run(p, csv_bytes(rows(30)))
    with db.connect() as c:
        assert c.exec_driver_sql(tuples).scalar() >= 8
