"""import_progress: an agency's progress sheet, exported, filled and uploaded in one action, each
row held to report_progress's own rules, a dry run first, refused whole on a bad row."""
from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest
from builders import complete_stage, process_at
from sqlalchemy import func, select
from snapshots import refused, snapshot

from reads.imports import PROGRESS_SHEET, export_activities
from stages.errors import CocreaError
from storage.models import Activity, AuditEntry, ProgressReport
from workflow import actions


def monitoring(db, clock):
    """In monitoring on 15 July 2026: agency igualdad (liaison enlace) with activities a1..a5,
    agency salud (liaison enlace2) with s1; all accepted (a process leaves routes only so)."""
    p = process_at(db, clock, "routes")
    complete_stage(p, "routes")
    p("add_agency", key="salud", name="Secretaría de Salud")
    p("add_person", handle="enlace2", name="Enlace Salud", role="liaison", agency="salud")
    for key, agency, liaison in [("a2", "igualdad", "enlace"), ("a3", "igualdad", "enlace"),
                                 ("a4", "igualdad", "enlace"), ("a5", "igualdad", "enlace"),
                                 ("s1", "salud", "enlace2")]:
        p("plan_activity", key=key, commitment="c1", title=f"Actividad {key}", deliverable="Informe", agency=agency,
          start_date=p.d("2026-06-01"), end_date=p.d("2026-09-30"))
        p("accept_activity", actor=liaison, activity=key)
    p.move("advance")
    p.on(p.d("2026-07-15"))
    p("report_progress", actor="enlace", activity="a2", status="in_progress", percent=60,
      reported_on=p.d("2026-07-10"), evidence_ref="https://example.net/a2.pdf")
    return p


def sheet(db, fmt="csv", agency="igualdad") -> list[dict]:
    f = io.BytesIO()
    export_activities(db, "p", agency, f, fmt)
    if fmt == "xlsx":
        from openpyxl import load_workbook

        f.seek(0)
        rows = [["" if v is None else str(v) for v in r] for r in load_workbook(f).active.iter_rows(values_only=True)]
    else:
        rows = list(csv.reader(io.StringIO(f.getvalue().decode())))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def as_csv(rows: list[dict]) -> bytes:
    f = io.StringIO()
    w = csv.DictWriter(f, PROGRESS_SHEET)
    w.writeheader()
    w.writerows(rows)
    return f.getvalue().encode()


def upload(p, data: bytes, actor="enlace", dry_run=False, **payload):
    p.clock.advance(hours=1)
    return actions.apply(p.db, "import_progress", {"file": io.BytesIO(data), "name": "avance.csv", **payload},
                         actor=actor, process="p", clock=p.clock, dry_run=dry_run)


def test_the_sheet_lists_the_agencys_activities_with_their_progress(db, clock):
    p = monitoring(db, clock)
    rows = sheet(db)
    assert [r["activity"] for r in rows] == ["a1", "a2", "a3", "a4", "a5"]
    a2 = rows[1]
    assert (a2["title"], a2["agency"], a2["status"], a2["percent"], a2["reported_on"]) == \
        ("Actividad a2", "igualdad", "in_progress", "60", "")
    assert [r["activity"] for r in sheet(db, agency="salud")] == ["s1"]
    assert sheet(db, "xlsx") == rows
    with pytest.raises(CocreaError) as exc:
        export_activities(db, "p", "hacienda", io.BytesIO(), "csv")
    assert exc.value.codes == ["not_found"]
    # uploaded back as it was: nothing changes
    result = upload(p, as_csv(rows))
    assert (result["rows"], result["changed"], result["unchanged"]) == (5, 0, 5)


def test_a_filled_sheet_reports_progress_in_one_action_with_one_audit_entry(db, clock):
    p = monitoring(db, clock)
    rows = sheet(db)
    rows[0].update(status="in_progress", percent="30", evidence_ref="https://example.net/a1.pdf")
    rows[2].update(status="completed", percent="100", reported_on=p.d("2026-07-14"))
    data = as_csv(rows)
    entries = count(db, AuditEntry)
    before = snapshot(db)
    report = upload(p, data, dry_run=True)
    assert snapshot(db) == before  # a dry run writes nothing
    assert report["problems"] == [] and report["changed"] == 2 and report["unchanged"] == 3
    assert [(c["row"], c["activity"], c["before"], c["after"]["status"], c["after"]["percent"])
            for c in report["changes"]] == [
        (2, "a1", {"status": "not_started", "percent": 0}, "in_progress", 30),
        (4, "a3", {"status": "not_started", "percent": 0}, "completed", 100)]
    result = upload(p, data)
    assert count(db, AuditEntry) == entries + 1
    assert result["file_sha256"] == hashlib.sha256(data).hexdigest() and result["rows"] == 5
    with db.connect() as c:
        body = json.loads(c.execute(select(AuditEntry.body).order_by(AuditEntry.id.desc()).limit(1)).scalar_one())
        progress = dict(c.execute(select(Activity.key, Activity.percent)).all())
        reports = c.execute(select(ProgressReport.reported_by, ProgressReport.reported_on, ProgressReport.evidence_ref)
                            .order_by(ProgressReport.id.desc()).limit(2)).all()
    assert body["action"] == "import_progress" and body["actor"] == "enlace"
    assert body["result"]["changed"] == 2 and body["result"]["file_sha256"] == result["file_sha256"]
    assert progress["a1"] == 30 and progress["a3"] == 100
    assert {r.reported_by for r in reports} == {"enlace"}
    assert {r.reported_on.isoformat() for r in reports} == {p.d("2026-07-14"), p.d("2026-07-15")}  # empty: today
    # the same sheet again changes nothing
    again = upload(p, data)
    assert (again["changed"], again["unchanged"]) == (0, 5)


def test_every_bad_row_is_named_by_report_progress_rules_and_nothing_is_written(db, clock):
    p = monitoring(db, clock)
    rows = sheet(db)
    rows[0].update(status="completed", percent="90")                    # row 2: completed means 100 %
    rows[1].update(percent="40")                                         # row 3: down from 60 without a reason
    rows[2].update(status="in_progress", percent="20", reported_on="2027-01-01")  # row 4: in the future
    rows[3].update(status="en curso", percent="20")                      # row 5: not a status
    rows[4].update(percent="101")                                        # row 6: over 100 %
    rows.append({"activity": "s1", "status": "in_progress", "percent": "10"})  # row 7: another agency's
    rows.append({"activity": "a9", "status": "in_progress", "percent": "10"})  # row 8: no such activity
    rows.append({"activity": "a4", "status": "in_progress", "percent": "10", "reported_on": p.d("2026-05-01")})
    #                                                                    row 9: before the activity started
    data = as_csv(rows)
    before = snapshot(db)
    report = upload(p, data, dry_run=True)
    found = [(r.details["row"], r.code) for r in report["problems"]]
    assert found == [(2, "completed_means_full"), (3, "progress_never_drops_without_reason"),
                     (4, "fact_not_in_future"), (5, "invalid_field"), (6, "invalid_field"),
                     (7, "liaison_other_agency"), (8, "not_found"), (9, "progress_after_activity_start")]
    assert report["problems"][1].message("es").startswith("Fila 3: ")
    exc = refused(db, lambda: upload(p, data), "completed_means_full")
    assert [(r.details["row"], r.code) for r in exc.reasons] == found
    assert snapshot(db) == before
    # with a reason, the percentage may go down; the coordinator may report for any agency
    rows = sheet(db)
    rows[1].update(percent="40", reason="Se corrigió la medición")
    assert upload(p, as_csv(rows))["changed"] == 1
    assert upload(p, as_csv([{"activity": "s1", "status": "in_progress", "percent": "5"}]),
                  actor="coord")["changed"] == 1


def test_an_xlsx_sheet_as_exported_is_uploaded(db, clock):
    p = monitoring(db, clock)
    f = io.BytesIO()
    export_activities(db, "p", "igualdad", f, "xlsx")
    from openpyxl import load_workbook

    f.seek(0)
    book = load_workbook(f)
    sheet_ = book.active
    header = [c.value for c in sheet_[1]]
    sheet_.cell(row=2, column=header.index("percent") + 1, value=45)  # a number, as a spreadsheet keeps it
    sheet_.cell(row=2, column=header.index("status") + 1, value="in_progress")
    out = io.BytesIO()
    book.save(out)
    result = upload(p, out.getvalue(), name="avance.xlsx")
    assert (result["changed"], result["changes"][0]["activity"], result["changes"][0]["after"]["percent"]) == \
        (1, "a1", 45)


def test_a_process_with_a_progress_import_is_replayed(sqlite_db, clock):
    from reads import replay

    p = monitoring(sqlite_db, clock)
    rows = sheet(sqlite_db)
    rows[0].update(status="in_progress", percent="30")
    upload(p, as_csv(rows))
    records = replay.records_as_of(sqlite_db, "p", p.clock.now())
    assert {a.key: a.percent for a in records.activities}["a1"] == 30


def count(db, model) -> int:
    with db.connect() as c:
        return c.execute(select(func.count()).select_from(model)).scalar_one()


def test_cocrea_export_activities_and_import_progress(tmp_path, monkeypatch):
    import datetime as dt

    from click.testing import CliRunner

    from cli.main import main
    from stages.clock import FixedClock
    from storage import make_engine

    monkeypatch.setenv("COCREA_LANG", "en")
    url = f"sqlite:///{tmp_path / 'cocrea.db'}"
    runner = CliRunner()
    assert runner.invoke(main, ["--db", url, "db", "upgrade"]).exit_code == 0
    engine = make_engine(url)
    monitoring(engine, FixedClock(dt.datetime(2026, 1, 15, 16, 0, tzinfo=dt.timezone.utc)))
    path = tmp_path / "igualdad.xlsx"
    out = runner.invoke(main, ["--db", url, "export", "activities", "p", str(path), "--agency", "igualdad"])
    assert out.exit_code == 0 and "5 activities written" in out.output, out.output
    rows = sheet(engine, "csv")
    rows[0].update(status="in_progress", percent="35", reported_on="2026-07-15")
    rows[1].update(percent="10")  # down without a reason
    filled = tmp_path / "lleno.csv"
    filled.write_bytes(as_csv(rows))
    before = snapshot(engine)
    out = runner.invoke(main, ["--db", url, "import", "progress", "p", str(filled), "--as", "enlace", "--dry-run"])
    assert out.exit_code == 3 and snapshot(engine) == before
    assert "row 2: a1: not_started 0 % -> in_progress 35 % (2026-07-15)" in out.output
    assert "[progress_never_drops_without_reason] Row 3: " in out.output
    rows[1].update(percent="60")
    filled.write_bytes(as_csv(rows))
    out = runner.invoke(main, ["--db", url, "import", "progress", "p", str(filled), "--as", "enlace"])
    assert out.exit_code == 0 and "Progress reported. Rows read: 5; changes: 1; unchanged: 4." in out.output
    engine.dispose()
