"""The ``cocrea`` command, exercised in-process with click's CliRunner on a real SQLite file.

Exit codes: 0 done, 2 bad input, 3 refused by the process rules (4, audit broken, is in
test_workflow_audit.py). Messages are Spanish by default, English with ``--lang en`` or
``COCREA_LANG=en``.
"""
from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

import migrations
from cli.docgen import actions_markdown
from cli.main import main
from reads import checks
from reads import status as queries
from storage import make_engine

TRIO = [("gob", "government"), ("garante", "guarantor"), ("osc", "civil_society")]


@pytest.fixture
def cli(tmp_path, monkeypatch):
    """Run ``cocrea --db <a fresh SQLite file> ...``; returns the click Result."""
    url = f"sqlite:///{tmp_path / 'cocrea.db'}"
    runner = CliRunner()
    monkeypatch.delenv("COCREA_LANG", raising=False)
    monkeypatch.delenv("COCREA_DATABASE_URL", raising=False)

    def run(*args: str, env: dict | None = None):
        return runner.invoke(main, ["--db", url, *args], env=env)

    run.url = url
    run.tmp = tmp_path
    return run


def init(cli, slug="jalisco"):
    result = cli("init", "--template", "inai_local", "--slug", slug, "--name", "Ejercicio local Jalisco",
                 "--coordinator", "ana", "--starts-on", "2026-01-15")
    assert result.exit_code == 0, result.output
    return result


def members(process="jalisco") -> list[dict]:
    return [{"action": "add_person", "actor": "ana", "process": process, "handle": h, "name": f"Integrante {h}",
             "role": "member", "sector": s, "email": f"{h}@example.org"} for h, s in TRIO]


def write(cli, name: str, items) -> str:
    path = cli.tmp / name
    path.write_text(json.dumps(items) if name.endswith(".json") else yaml.safe_dump(items, allow_unicode=True),
                    encoding="utf-8")
    return str(path)


def test_init_without_a_template_creates_the_database_only(cli):
    result = cli("init")
    assert result.exit_code == 0
    assert result.output.startswith("Base de datos: SQLite: ") and "cocrea.db" in result.output
    assert queries.processes(make_engine(cli.url)) == []


def test_init_with_a_template_creates_the_process(cli):
    result = init(cli)
    assert ("Proceso creado: jalisco (ejercicio local INAI, plazo de 12 meses, conjunto de reglas inai-local)"
            in result.output)
    st = queries.status(make_engine(cli.url), "jalisco")
    assert (st["stage"], st["starts_on"], st["term_ends_on"]) == ("declaration", "2026-01-15", "2027-01-15")


def test_init_needs_all_four_options_and_a_new_slug(cli):
    partial = cli("init", "--template", "federal", "--slug", "x")
    assert partial.exit_code == 2 and "[options_together]" in partial.stderr
    init(cli)
    again = cli("init", "--template", "inai_local", "--slug", "jalisco", "--name", "Otro", "--coordinator", "ana")
    assert again.exit_code == 2 and "[duplicate_key]" in again.stderr


def test_a_process_under_way_is_migrated_with_its_real_dates(cli):
    """``init --starts-on --at`` dates the creation when it happened; every item of a file carries its own
    ``at``; the record shows the facts' dates and the trail also when they were recorded."""
    result = cli("init", "--template", "inai_local", "--slug", "jalisco", "--name", "Ejercicio local Jalisco",
                 "--coordinator", "ana", "--starts-on", "2025-01-15", "--at", "2025-01-15T09:00:00-06:00")
    assert result.exit_code == 0, result.output
    day = "2025-01-27T{}:00-06:00".format
    dated = [{**item, "at": f"2025-01-{16 + n}T10:00:00-06:00"} for n, item in enumerate(members())]
    dated += [
        {"action": "sign_declaration", "actor": "ana", "process": "jalisco", "at": "2025-01-20T12:00:00-06:00",
         "signed_on": "2025-01-20", "document_ref": "https://example.org/declaratoria.pdf",
         "signatories": [{"name": "Gobierno", "role": "Ejecutivo", "sector": "government"},
                         {"name": "Garante", "role": "Órgano garante", "sector": "guarantor"}]},
        # the basic requirements of the declaration (the compliance gate is on): rules and website public
        {"action": "publish_document", "actor": "ana", "process": "jalisco", "at": "2025-01-20T13:00:00-06:00",
         "kind": "rules", "title": "Reglas de operación", "ref": "https://example.org/reglas.pdf"},
        {"action": "publish_document", "actor": "ana", "process": "jalisco", "at": "2025-01-20T13:10:00-06:00",
         "kind": "website", "title": "Sitio del proceso", "ref": "https://example.org/"},
        {"action": "convene_session", "actor": "ana", "process": "jalisco", "at": "2025-01-21T09:00:00-06:00",
         "key": "S1", "scheduled_for": day("10:00"), "place": "Palacio", "agenda": ["Paso a la consulta"]},
        {"action": "record_attendance", "actor": "ana", "process": "jalisco", "at": day("10:05"), "session": "S1",
         "members": ["gob", "garante", "osc"]},
        {"action": "propose_decision", "actor": "ana", "process": "jalisco", "at": day("10:30"), "session": "S1",
         "key": "S1-D1", "kind": "advance"},
        {"action": "decide", "actor": "ana", "process": "jalisco", "at": day("11:00"), "decision": "S1-D1"},
        {"action": "close_session", "actor": "ana", "process": "jalisco", "at": day("12:00"), "session": "S1",
         "minutes_ref": "https://example.org/acta-s1.pdf"},
    ]
    result = cli("apply", write(cli, "migrated.yaml", dated))
    assert result.exit_code == 0, result.output
    db = make_engine(cli.url)
    st = queries.status(db, "jalisco")
    assert (st["stage"], st["starts_on"]) == ("consultation", "2025-01-15")
    assert [(m["to"], m["at"][:10]) for m in st["moves"]] == [("declaration", "2025-01-15"),
                                                             ("consultation", "2025-01-27")]
    entries = queries.history(db, "jalisco")
    assert [e["at"][:16] for e in entries] == [
        "2025-01-15T09:00", "2025-01-16T10:00", "2025-01-17T10:00", "2025-01-18T10:00", "2025-01-20T12:00",
        "2025-01-20T13:00", "2025-01-20T13:10", "2025-01-21T09:00", "2025-01-27T10:05", "2025-01-27T10:30", "2025-01-27T11:00", "2025-01-27T12:00"]
    assert all(e["recorded_at"] > e["at"] for e in entries)  # recorded today, about facts of 2025
    shown = cli("history", "jalisco").output.splitlines()
    assert shown[0].startswith("   1 2025-01-15 09:00 ana ") and "(registrado el 20" in shown[0]
    # a fact dated before the creation of the process, or after now, is refused, and nothing is written
    early = cli("apply", write(cli, "early.yaml", [{"action": "add_agency", "actor": "ana", "process": "jalisco",
                                                    "at": "2025-01-14T10:00:00-06:00", "key": "sfp", "name": "SFP"}]))
    assert early.exit_code == 2 and "[time_goes_backwards]" in early.stderr
    assert len(queries.history(db, "jalisco")) == 12


def test_init_refuses_a_creation_time_that_is_bad_or_in_the_future(cli):
    args = ["init", "--template", "inai_local", "--slug", "jalisco", "--name", "Jalisco", "--coordinator", "ana"]
    future = cli(*args, "--at", "2199-01-01T09:00:00-06:00")
    assert future.exit_code == 2 and "[time_in_future]" in future.stderr
    naive = cli(*args, "--at", "2025-01-15T09:00:00")
    assert naive.exit_code == 2 and "[invalid_field]" in naive.stderr and "--at" in naive.stderr
    assert cli(*args, "--at", "ayer").exit_code == 2
    alone = cli("init", "--at", "2025-01-15T09:00:00-06:00")  # nothing to date without a process
    assert alone.exit_code == 2 and "[options_together]" in alone.stderr
    assert queries.processes(make_engine(cli.url)) == []


@pytest.mark.parametrize("name", ["acciones.yaml", "acciones.json"])
def test_apply_a_yaml_or_json_file(cli, name):
    init(cli)
    result = cli("apply", write(cli, name, members()))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "3 acciones aplicadas"
    assert queries.status(make_engine(cli.url), "jalisco")["seated"] == {"government": 1, "guarantor": 1,
                                                                        "civil_society": 1}
    # people read sector names, in their language, not codes
    assert ("Sectores con asiento: gobierno (poder ejecutivo) 1, órgano garante 1, sociedad civil 1"
            in cli("status", "jalisco").output)
    assert ("Seated sectors: government (executive) 1, guarantor body 1, civil society 1"
            in cli("--lang", "en", "status", "jalisco").output)


def test_apply_takes_the_process_from_the_command_line(cli):
    init(cli)
    items = [{k: v for k, v in item.items() if k != "process"} for item in members()]
    assert cli("apply", write(cli, "a.yaml", items), "--process", "jalisco").exit_code == 0


def test_apply_stops_at_the_first_refusal_and_says_why(cli):
    init(cli)
    items = [*members(), {"action": "open_channel", "actor": "ana", "process": "jalisco", "key": "web",
                          "kind": "online", "name": "Consulta"},
             {"action": "add_agency", "actor": "ana", "process": "jalisco", "key": "sfp", "name": "SFP"}]
    result = cli("apply", write(cli, "a.yaml", items))
    assert result.exit_code == 3
    assert "3 acciones aplicadas" in result.stderr
    assert "Se detuvo en la acción 4 (Abrir un canal de consulta). Rechazado:" in result.stderr
    assert "[not_in_stage]" in result.stderr and "«Consulta sobre temas a tratar»" in result.stderr
    actions_done = [e["action"] for e in queries.history(make_engine(cli.url), "jalisco")]
    assert actions_done == ["create_process", "add_person", "add_person", "add_person"]  # nothing after the refusal


@pytest.mark.parametrize("items,code", [
    ([{"actor": "ana", "process": "jalisco", "key": "sfp", "name": "SFP"}], "bad_file_item"),
    (["add_agency"], "bad_file_item"),
    ({"not": "a list"}, "bad_file_not_a_list"),
    ([{"action": "add_agency", "actor": "ana", "process": "jalisco", "key": "sfp"}], "invalid_field"),
    ([{"action": "add_agency", "actor": "ana", "process": "jalisco", "key": "sfp", "name": "SFP", "color": "x"}],
     "invalid_field"),
    ([{"action": "fly", "actor": "ana", "process": "jalisco"}], "unknown_action"),
    ([{"action": "add_agency", "actor": "ana", "process": "nowhere", "key": "sfp", "name": "SFP"}], "not_found"),
    ([{"action": "add_agency", "actor": "ana", "process": "jalisco", "at": "ayer", "key": "sfp", "name": "SFP"}],
     "invalid_field"),
    ([{"action": "add_agency", "actor": "ana", "process": "jalisco", "at": "2026-02-01T10:00:00", "key": "sfp",
       "name": "SFP"}], "invalid_field"),
])
def test_bad_input_exits_2(cli, items, code):
    init(cli)
    result = cli("apply", write(cli, "a.json", items))
    assert result.exit_code == 2, result.output
    assert f"[{code}]" in result.stderr and "Datos no válidos" in result.stderr


def test_a_yaml_date_where_a_time_is_expected_exits_2(cli):
    init(cli)
    path = cli.tmp / "a.yaml"
    path.write_text("- {action: add_agency, actor: ana, process: jalisco, at: 2026-02-01, key: sfp, name: SFP}\n")
    result = cli("apply", str(path))
    assert result.exit_code == 2 and "[invalid_field]" in result.stderr


def test_an_unreadable_file_exits_2(cli):
    init(cli)
    missing = cli("apply", str(cli.tmp / "no-such-file.yaml"))
    assert missing.exit_code == 2 and "[bad_file]" in missing.stderr
    binary = cli.tmp / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert cli("apply", str(binary)).exit_code == 2
    broken = cli.tmp / "broken.yaml"
    broken.write_text("- action: [unclosed\n", encoding="utf-8")
    assert cli("apply", str(broken)).exit_code == 2
    broken_json = cli.tmp / "broken.json"
    broken_json.write_text("[{", encoding="utf-8")
    assert cli("apply", str(broken_json)).exit_code == 2


def test_status_in_text_and_json(cli):
    init(cli)
    text = cli("status", "jalisco")
    assert text.exit_code == 0
    assert "Etapa: 1/8 Sumarse a gobierno abierto\n" in text.output
    assert "Siguiente paso: avanzar a la siguiente etapa — criterios por cumplir:" in text.output
    assert "[declaration_signed_by_executive_and_guarantor]" in text.output
    as_json = cli("status", "jalisco", "--json")
    st = json.loads(as_json.output)
    assert (st["stage"], st["next_move"], st["ready"]) == ("declaration", "advance", False)
    codes = [u["code"] for u in st["unmet"]]
    assert codes[:2] == ["declaration_signed_by_executive_and_guarantor", "secretariat_installed_with_required_sectors"]
    # the template's compliance gate is on: the basic requirements due at the declaration's end too
    assert {"compliance_website", "compliance_forum_rules_public"} <= set(codes[2:])
    assert all(c.startswith("compliance_") for c in codes[2:])
    assert cli("status", "nowhere").exit_code == 2


def test_english_by_option_or_environment(cli):
    init(cli)
    for result in (cli("--lang", "en", "status", "jalisco"), cli("status", "jalisco", env={"COCREA_LANG": "en"})):
        assert result.exit_code == 0
        assert "Stage: 1/8 Joining open government\n" in result.output
        assert "Next move: advance to the next stage — criteria still unmet:" in result.output
        assert "The secretariat has no seated member for these required sectors" in result.output
    refused = cli("--lang", "en", "apply", write(cli, "a.yaml", [
        {"action": "open_channel", "actor": "ana", "process": "jalisco", "key": "w", "kind": "online", "name": "x"}]))
    assert refused.exit_code == 3
    assert "Stopped at action 1 (Open a consultation channel). Refused:" in refused.stderr
    assert "recorded in the stage 'Consultation on the themes'" in refused.stderr
    assert cli("status", "jalisco", env={"COCREA_LANG": "es"}).output.count("Etapa:") == 1


def test_history_and_audit_verify(cli):
    init(cli)
    cli("apply", write(cli, "a.yaml", members()))
    history = cli("history", "jalisco")
    assert history.exit_code == 0
    lines = history.output.strip().splitlines()
    assert len(lines) == 4 and "Crear un proceso: jalisco, plazo de 12 meses" in lines[0]
    assert lines[3].endswith("Agregar una persona (integrante, coordinación o enlace): osc, integrante del "
                             "secretariado, sociedad civil")
    assert "create_process" not in history.output and "civil_society" not in history.output
    assert "gob@example.org" not in history.output
    as_json = json.loads(cli("history", "jalisco", "--json").output)
    assert [e["seq"] for e in as_json] == [1, 2, 3, 4]
    verify = cli("audit", "verify")
    assert verify.exit_code == 0 and "Bitácora íntegra: 4 entradas verificadas" in verify.output
    assert "  jalisco: 4 entradas" in verify.output


def test_actions_lists_every_action_and_prints_the_reference(cli):
    listing = cli("actions")
    assert listing.exit_code == 0
    from workflow.actions import ACTIONS
    names = [line.split(":")[0] for line in listing.output.strip().splitlines() if not line.startswith(" ")]
    assert names == list(ACTIONS)
    # each action by its name and its whole description, in the reader's language
    assert "decide: Tomar la decisión\n" in listing.output
    decide = listing.output.split("decide: Tomar la decisión\n", 1)[1].split("\npublish_document:", 1)[0]
    assert " ".join(decide.split()).endswith("si su efecto no es posible, se rechaza completa, sin cambiar nada.")
    english = cli("--lang", "en", "actions").output
    assert "decide: Take the decision\n" in english and "changing nothing, if its effect is not" in english
    # the reference is the English one, whatever the language of the session
    assert cli("actions", "--markdown").output == actions_markdown()


def test_demo_runs_to_closed_and_shows_refusals(cli):
    result = cli("demo", "--db-file", str(cli.tmp / "demo.db"))
    assert result.exit_code == 0, result.output
    assert "Se aplica docs/examples/whole-process.yaml, como lo hace «cocrea apply»:" in result.output
    assert result.output.count("✗ Rechazado, como prevé el archivo: «Tomar la decisión»:") == 2
    assert "→ 2 Consulta sobre temas a tratar  (2025-01-27)" in result.output
    assert "[consultation]" not in result.output and "«decide»" not in result.output
    assert "Aportaciones sin respuesta razonada (disposición y justificación): i4." in result.output
    assert "Etapa: cerrado" in result.output and "Bitácora íntegra: 131 entradas verificadas" in result.output
    assert "131 acciones aplicadas" in result.output
    demo_db = make_engine(f"sqlite:///{cli.tmp / 'demo.db'}")
    assert queries.status(demo_db, "jalisco-2025")["closed"]
    # The demo is a process that meets the standards: the checker says so, from its own records.
    assert "Cumple todos los requisitos básicos exigibles." in result.output
    report = checks.report(demo_db, "jalisco-2025").as_dict("es")
    assert report["summary"]["compliant"] and report["summary"]["not_met"] == 0


def test_db_upgrade_on_a_fresh_sqlite_file(cli):
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(migrations.config(None)).get_current_head()
    result = cli("db", "upgrade")
    assert result.exit_code == 0
    assert result.output.strip().endswith(f"@ {head}")
    assert migrations.current(make_engine(cli.url)) == head
    assert cli("db", "upgrade").exit_code == 0  # idempotent
