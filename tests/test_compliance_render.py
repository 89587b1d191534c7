"""The report as text, JSON, Markdown and a publishable HTML page; the ``cocrea check`` command;
the page in a real headless browser at phone width."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from compliant_process import REPORT_AT, P, apply, broken, close_contrary, doc, ordered, script
from conftest import chromium_or_skip
from sqlmodel import SQLModel

import migrations
from cli.main import main
from compliance.render import render
from reads import checks
from storage.db import make_engine

PRIVATE = ("Ana Pérez", "ana@example.org")


def _hostile(steps):
    """A document whose title and link try to inject markup."""
    bad = doc("evidence", "2026-06-06T12:00:00-06:00", "xss")
    bad.update(title='<script>alert("x")</script>', ref="javascript:alert(1)")
    return ordered(steps + [bad])


@pytest.fixture
def website_missing(sqlite_db):
    apply(sqlite_db, _hostile(broken("website")))
    return checks.report(sqlite_db, P, as_of=REPORT_AT)


def test_json_has_every_rule_grouped_by_standard_with_a_summary(website_missing):
    data = json.loads(render(website_missing, "json"))
    assert [g["key"] for g in data["groups"]] == ["1", "2", "3", "4", "5", "commitments", "process"]
    rules = {r["id"]: r for g in data["groups"] for r in g["rules"]}
    assert rules["website"]["status"] == "not_met" and rules["website"]["level"] == "basic"
    assert rules["website"]["next_step"].startswith("Publique la dirección de la página")
    assert data["summary"]["basic_not_met"] == 1 and data["summary"]["compliant"] is False
    assert data["summary_line"].startswith("No cumple 1 requisito básico. Cumplen: 26; no cumplen: 1;")
    assert rules["website"]["missing"][0]["text"] == "un documento público de tipo «sitio web»"
    assert data["contrary_to_process"]["flag"] is True
    assert rules["forum-cadence"]["evidence"][0]["ref"] == "https://example.org/mx/acta-S1.pdf"


def test_text_and_markdown(website_missing):
    text = render(website_missing, "text")
    assert "[✗] Página pública del proceso (básico): No cumple · website" in text
    assert "Siguiente paso: Publique la dirección de la página del proceso" in text
    md = render(website_missing, "markdown")
    assert md.startswith("# Cumplimiento de los estándares de participación y cocreación")
    assert "| ❌ No cumple | **Página pública del proceso** `website` | básico |" in md
    assert "## Compromisos: valoración al estilo del IRM" in md
    en = render(website_missing, "text", "en")
    assert "[✗] Public page of the process (basic): Not met · website" in en
    assert "Next step: Publish the process page's address ('Publish a document', kind 'website'" in en


def test_2017_report_is_grouped_by_phase_and_component(sqlite_db):
    apply(sqlite_db, script())
    report = checks.report(sqlite_db, P, as_of=REPORT_AT, ruleset="ogp-2017")
    data = report.as_dict("es")
    keys = [g["key"] for g in data["groups"]]
    assert keys[0] == "throughout/dissemination" and "development/dialogue" in keys and keys[-1].startswith("implementation/")
    assert data["groups"][0]["title"] == "A lo largo del ciclo · Difusión de información"
    page = render(report, "html")
    assert "Cuadro por fase y componente" in page and 'href="#g-development/dialogue"' in page


def test_html_is_spanish_escaped_and_free_of_personal_data(website_missing):
    page = render(website_missing, "html")
    assert page.startswith("<!doctype html>") and '<html lang="es">' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert 'href="javascript:' not in page and 'href="https://example.org/mx/acta-S1.pdf"' in page
    for formatted in (page, render(website_missing, "json"), render(website_missing, "markdown"), render(website_missing, "text")):
        assert not any(x in formatted for x in PRIVATE)
    assert "No cumple 1 requisito básico." in page and "Por atender" in page and "Siguiente paso" in page
    en = render(website_missing, "html", "en")
    assert '<html lang="en">' in en and "1 basic requirement not met." in en and "To do" in en
    assert "Siguiente" not in en and "Next step" not in page


# --- the command --------------------------------------------------------------------------

@pytest.fixture
def cli_db(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    from alembic import command
    command.stamp(migrations.config(engine), "head")  # the schema is current; the CLI's upgrade is a no-op
    apply(engine, script())
    engine.dispose()
    return url


def test_cocrea_check_formats_as_of_and_output(cli_db, tmp_path):
    runner = CliRunner()
    out = runner.invoke(main, ["--db", cli_db, "check", P, "--as-of", "2027-07-01"])
    assert out.exit_code == 0, out.output
    assert "Cumple todos los requisitos básicos exigibles." in out.output
    out = runner.invoke(main, ["--db", cli_db, "check", P, "--as-of", "2026-03-18", "--format", "json"])
    data = json.loads(out.output)
    assert data["process"]["stage"] == "consultation" and data["as_of_date"] == "2026-03-18"
    assert {r["id"]: r["status"] for g in data["groups"] for r in g["rules"]}["non-government-approval"] == "not_applicable"
    target = tmp_path / "informe.html"
    out = runner.invoke(main, ["--db", cli_db, "check", P, "--as-of", "2027-07-01", "--format", "html", "--output", str(target)])
    assert out.exit_code == 0 and target.read_text(encoding="utf-8").startswith("<!doctype html>")
    out = runner.invoke(main, ["--db", cli_db, "--lang", "en", "check", P, "--as-of", "2027-07-01", "--format", "markdown"])
    assert out.output.startswith("# Compliance with the participation and co-creation standards")


def test_cocrea_check_timeline_and_refusals(cli_db):
    runner = CliRunner()
    out = runner.invoke(main, ["--db", cli_db, "check", P, "--timeline", "--as-of", "2026-06-30"])
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert lines[0].startswith("Cumplimiento mes a mes") and lines[1].startswith("2026-01-31 [Consulta sobre temas a tratar]")
    assert any(line.startswith("2026-06-30 [Ruta de implementación]") for line in lines)
    assert runner.invoke(main, ["--db", cli_db, "check", "nadie"]).exit_code == 2
    bad = runner.invoke(main, ["--db", cli_db, "check", P, "--as-of", "ayer"])
    assert bad.exit_code == 2 and "bad_as_of" in bad.output
    bad = runner.invoke(main, ["--db", cli_db, "check", P, "--ruleset", "no-existe"])
    assert bad.exit_code == 2 and "compliance_unknown_ruleset" in bad.output


def test_cocrea_ruleset_add_and_list(cli_db, tmp_path):
    f = tmp_path / "reglas.yaml"
    f.write_text("name: mx-local\nversion: '1'\nbase: inai-local\nremove: [open-participation]\n"
                 "settings:\n  forum_max_gap_months: 4\n", encoding="utf-8")
    runner = CliRunner()
    out = runner.invoke(main, ["--db", cli_db, "ruleset", "add", P, str(f), "--actor", "coord"])
    assert out.exit_code == 3 and "process_closed" in out.output  # a closed process takes no new rule set
    out = runner.invoke(main, ["--db", cli_db, "ruleset", "list"])
    assert out.exit_code == 0 and out.output.startswith("inai-local v2019.1 [integrado]")
    assert "forum-mixed (básico)" in out.output


def test_cocrea_ruleset_add_registers_an_audited_ruleset(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    from alembic import command
    command.stamp(migrations.config(engine), "head")
    apply(engine, script()[:3])
    f = tmp_path / "reglas.json"
    f.write_text(json.dumps({"name": "mx-local", "version": "1", "base": "ogp-2022", "remove": ["open-participation"]}))
    runner = CliRunner()
    out = runner.invoke(main, ["--db", url, "ruleset", "add", P, str(f), "--as", "coord", "--use"])
    assert out.exit_code == 0, out.output
    assert out.output.strip() == "mx-local v1: 26 reglas"
    out = runner.invoke(main, ["--db", url, "ruleset", "list", P])
    assert "mx-local v1 [propio del secretariado]" in out.output
    out = runner.invoke(main, ["--db", url, "history", P])
    assert "Registrar un conjunto de reglas propio: mx-local v1" in out.output


# --- a real browser, phone width ----------------------------------------------------------

def test_html_report_reads_on_a_phone(website_missing, tmp_path):
    chromium = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    page_file = tmp_path / "cumplimiento.html"
    page_file.write_text(render(website_missing, "html"), encoding="utf-8")
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=args)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.goto(page_file.as_uri())
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            card = page.locator("#r-website")
            assert "No cumple" in card.inner_text() and "Siguiente paso" in card.inner_text()
            box = card.bounding_box()
            assert box["width"] <= 390 and box["x"] >= 0
            assert page.locator("article").count() == 27 + 1
            assert page.evaluate("document.querySelectorAll('script').length") == 0
            from axe_playwright_python.sync_playwright import Axe
            assert Axe().run(page).violations_count == 0
        finally:
            browser.close()


def test_to_do_lists_failures_first_then_what_is_coming_due(sqlite_db):
    import datetime as dt
    steps = [x for x in script() if not (x["action"] == "publish_document" and x.get("kind") == "outreach")]
    # without its outreach the process breaks a basic requirement: created with the gate off, explicitly,
    # and closed by the secretariat's decision to close it acting contrary to process
    steps = [{**x, "compliance_gate": False} if x["action"] == "create_process" else x for x in steps]
    apply(sqlite_db, close_contrary(steps))
    moment = checks.end_of_day(dt.date(2026, 2, 1), "America/Mexico_City")
    data = checks.report(sqlite_db, P, as_of=moment).as_dict("es")
    todo = [(t["id"], t["pending"]) for t in data["to_do"]]
    assert ("outreach", True) in todo and all(p for _, p in todo)
    t = next(t for t in data["to_do"] if t["id"] == "outreach")
    assert t["pending_note"] == "aún no exigible: vence al terminar la etapa «Consulta sobre temas a tratar»"
    page = render(checks.report(sqlite_db, P, as_of=moment), "html")
    assert 'href="#r-outreach"' in page


def test_the_verdict_on_basic_requirements_never_says_zero_not_met(sqlite_db):
    """All met; some not met (and some without data); none not met but some without data: each said
    properly, with plurals, in every format; never "No cumple 0 requisitos básicos"."""
    from dataclasses import replace

    apply(sqlite_db, script())
    report = checks.report(sqlite_db, P, as_of=REPORT_AT)
    basic = [n for n, o in enumerate(report.outcomes) if o.level == "basic"]

    def with_statuses(not_met: int, unknown: int):
        outs = list(report.outcomes)
        for n in basic[:not_met]:
            outs[n] = replace(outs[n], result=replace(outs[n].result, status="not_met"))
        for n in basic[not_met:not_met + unknown]:
            outs[n] = replace(outs[n], result=replace(outs[n].result, status="not_enough_data"))
        return replace(report, outcomes=outs)

    said = {(a, b): (with_statuses(a, b).verdict("es"), with_statuses(a, b).verdict("en"))
            for a in range(3) for b in range(3)}
    assert said[0, 0] == ("Cumple todos los requisitos básicos exigibles.", "Meets every basic requirement due.")
    assert said[0, 1] == ("Ningún requisito básico está incumplido, pero 1 no puede juzgarse aún por falta de datos.",
                          "No basic requirement is unmet, but 1 cannot be judged yet for lack of data.")
    assert said[0, 2][0] == "Ningún requisito básico está incumplido, pero 2 no pueden juzgarse aún por falta de datos."
    assert said[1, 0] == ("No cumple 1 requisito básico.", "1 basic requirement not met.")
    assert said[2, 1][0] == "No cumple 2 requisitos básicos. 1 requisito básico sin datos suficientes."
    assert all(" 0 " not in text and not text.startswith("0 ") for pair in said.values() for text in pair)
    unknown = with_statuses(0, 2)
    for fmt in ("text", "markdown", "html", "json"):
        out = render(unknown, fmt, "es")
        assert "No cumple 0" not in out and "pero 2 no pueden juzgarse" in out, fmt
    assert not unknown.compliant and 'class="banner ko"' in render(unknown, "html", "es")
