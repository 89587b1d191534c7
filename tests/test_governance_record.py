"""The governance record: walk-outs, returns and filings under OGP's Response Policy, recorded
by an action with their dates, shown on the public timeline and counted by the compliance
report. On SQLite and PostgreSQL; refusals change nothing."""
from __future__ import annotations

from builders import Proc
from snapshots import refused
from webkit import client

from compliance.render import render
from reads import checks, public


def test_walk_outs_returns_and_filings_are_recorded_shown_and_counted(db, clock):
    p = Proc(db, clock)
    p.on("2026-03-01")
    out = p("record_governance_event", kind="walk_out", occurred_on="2026-02-27", sector="civil_society",
            organisation="Núcleo de OSC", concern="Espionaje a periodistas y activistas con Pegasus")
    assert out == {"governance_event": "g1", "kind": "walk_out", "occurred_on": "2026-02-27"}
    p("withdraw_sector", sector="civil_society", reason="Sin condiciones de confianza")
    filing = p("record_governance_event", key="mr-2017", kind="response_policy", occurred_on="2026-02-28",
               sector="civil_society", concern="El gobierno vigila a integrantes del secretariado")
    assert filing["status"] == "filed"
    p.on("2026-04-15")
    p("update_response_filing", key="mr-2017", status="under_review", status_on="2026-04-10")
    p("return_sector", sector="civil_society", reason="Garantías acordadas")
    p("record_governance_event", kind="return", occurred_on="2026-04-15", sector="civil_society",
      concern="Regresa con un protocolo de garantías")
    view = public.public_view(db, "p", clock=clock)
    record = view["governance_record"]
    assert [(g["kind"], g["date"]) for g in record] == [
        ("walk_out", "2026-02-27"), ("response_policy", "2026-02-28"), ("withdrawal", "2026-03-01"),
        ("sector_return", "2026-04-15"), ("return", "2026-04-15")]
    assert record[1]["status_label"] == "en revisión" and record[0]["kind_label"] == "abandono de la mesa"
    report = checks.report(db, "p", as_of=clock.now())
    counts = report.as_dict("es")["governance_record"]
    assert {k: counts[k] for k in ("withdrawals", "sector_returns", "walk_outs", "returns", "filings",
                                   "open_filings")} == {"withdrawals": 1, "sector_returns": 1, "walk_outs": 1,
                                                        "returns": 1, "filings": 1, "open_filings": 1}
    assert "presentaciones ante el Mecanismo de Respuesta de OGP: 1 (aún abiertas: 1)" in render(report, "text", "es")
    assert "Response Policy: 1 (still open: 1)" in render(report, "markdown", "en")
    p("update_response_filing", key="mr-2017", status="resolved", status_on="2026-04-15",
      outcome="OGP pidió un plan de remediación al gobierno")
    assert checks.report(db, "p", as_of=clock.now()).governance["open_filings"] == 0


def test_governance_events_that_do_not_hold_are_refused(db, clock):
    p = Proc(db, clock)
    p.on("2026-03-01")
    exc = refused(db, lambda: p("record_governance_event", kind="walk_out", occurred_on="2026-03-09",
                                sector="civil_society", concern="Mañana"), "fact_not_in_future")
    assert "El hecho de gobernanza" in exc.messages("es")[0]
    exc = refused(db, lambda: p("record_governance_event", kind="walk_out", occurred_on="2026-02-27",
                                concern="Alguien se fue"), "invalid_field")
    assert exc.reasons[0].details["problem"] == "missing_for_event"
    refused(db, lambda: p("record_governance_event", kind="walk_out", occurred_on="2026-02-27", sector="iglesias",
                          concern="X"), "invalid_field")
    p("record_governance_event", key="w1", kind="walk_out", occurred_on="2026-02-27", sector="civil_society",
      concern="Protesta")
    refused(db, lambda: p("update_response_filing", key="w1", status="resolved", status_on="2026-02-28",
                          outcome="X"), "not_a_filing")
    p("record_governance_event", key="f1", kind="response_policy", occurred_on="2026-02-20", concern="Queja")
    refused(db, lambda: p("update_response_filing", key="f1", status="resolved", status_on="2026-02-28"),
            "invalid_field")
    refused(db, lambda: p("update_response_filing", key="f1", status="under_review", status_on="2026-02-10"),
            "dates_out_of_order")
    refused(db, lambda: p("record_governance_event", key="f1", kind="response_policy", occurred_on="2026-02-20",
                          concern="Otra"), "duplicate_key")
    refused(db, lambda: p("record_governance_event", actor="osc", kind="walk_out", occurred_on="2026-02-27",
                          sector="civil_society", concern="X"), "actor_not_allowed")


def test_the_public_page_shows_the_governance_record(sqlite_db, clock):
    p = Proc(sqlite_db, clock)
    c = client(sqlite_db, clock)
    assert "No se ha registrado ningún abandono" in c.get("/p/p").text
    p.on("2026-03-01")
    p("record_governance_event", kind="response_policy", occurred_on="2026-02-28", sector="civil_society",
      organisation="Artículo 19", concern="Vigilancia ilegal de integrantes del secretariado")
    page = c.get("/p/p").text
    assert 'id="governance-record"' in page and "Artículo 19" in page and "presentada" in page
    assert "Vigilancia ilegal de integrantes del secretariado" in page
