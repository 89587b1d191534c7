"""The command line speaks the reader's language: Spanish by default, English with ``--lang en``
or ``COCREA_LANG=en`` — its help and click's own words included; counts with real plurals;
codes shown by their names; and ``cocrea --help`` does not load the engine.
"""
from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from cli import describe, text
from cli.main import main
from i18n import catalog, gettext
from stages import vocabulary
from workflow.actions import ACTIONS

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cli(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cocrea.db'}"
    runner = CliRunner()
    monkeypatch.delenv("COCREA_LANG", raising=False)
    monkeypatch.delenv("COCREA_DATABASE_URL", raising=False)

    def run(*args: str, env: dict | None = None, input: str | None = None):
        return runner.invoke(main, ["--db", url, *args], env=env, input=input, prog_name="cocrea")

    run.tmp = tmp_path
    return run


def apply(cli, items: list[dict], *args: str):
    path = cli.tmp / "acciones.yaml"
    path.write_text(yaml.safe_dump(items, allow_unicode=True), encoding="utf-8")
    return cli(*args, "apply", str(path))


def init(cli):
    result = cli("init", "--template", "inai_local", "--slug", "jalisco", "--name", "Ejercicio local Jalisco",
                 "--coordinator", "ana", "--starts-on", "2026-01-15")
    assert result.exit_code == 0, result.output


def step(action: str, **fields) -> dict:
    return {"action": action, "actor": fields.pop("actor", "ana"), "process": "jalisco", **fields}


SECRETARIAT = [step("add_person", handle=h, name=n, role="member", sector=s) for h, n, s in (
    ("gob", "Secretaría de Planeación", "government"), ("itei", "ITEI", "guarantor"),
    ("osc", "Núcleo de OSC", "civil_society"), ("udg", "Universidad de Guadalajara", "academia"))]


# --- help --------------------------------------------------------------------------------------

def test_help_is_spanish_by_default(cli):
    out = CliRunner().invoke(main, ["--help"], env={"COCREA_LANG": None}, prog_name="cocrea").output
    assert out.startswith("Uso: cocrea [OPCIONES] COMANDO [ARGUMENTOS]...")
    assert "\nOpciones:\n" in out and "\nComandos:\n" in out and "Muestra este mensaje y termina." in out
    assert "procesos de cocreación de planes de acción de Gobierno Abierto" in out
    assert "  status     En qué etapa va un proceso." in out
    for english in ("Usage:", "Options:", "Commands:", "Show this message", "Where a process stands"):
        assert english not in out
    sub = cli("status", "--help").output
    assert sub.startswith("Uso: cocrea status [OPCIONES] PROCESO") and "salida para programas (JSON)" in sub


@pytest.mark.parametrize("args,env", [(["--lang", "en", "--help"], {}), (["--help"], {"COCREA_LANG": "en"}),
                                      (["--lang=en", "--help"], {"COCREA_LANG": "es"})])
def test_help_is_english_with_lang_en_or_cocrea_lang(args, env):
    out = CliRunner().invoke(main, args, env=env, prog_name="cocrea").output
    assert out.startswith("Usage: cocrea [OPTIONS] COMMAND [ARGS]...")
    assert "\nOptions:\n" in out and "\nCommands:\n" in out and "Show this message and exit." in out
    assert "Uso:" not in out and "Muestra este mensaje" not in out


def test_lang_before_the_subcommand_chooses_the_language_of_its_help(cli):
    en = cli("--lang", "en", "status", "--help").output
    assert en.startswith("Usage: cocrea status [OPTIONS] PROCESS") and "machine-readable output" in en
    en = cli("reminders", "plan", "--help", env={"COCREA_LANG": "en"}).output
    assert en.startswith("Usage: cocrea reminders plan [OPTIONS] PROCESS") and "only what would be sent now" in en
    es = cli("--lang", "es", "user", "set-password", "--help", env={"COCREA_LANG": "en"}).output
    assert "Uso: cocrea user set-password [OPCIONES] PROCESO USUARIO" in es
    assert "--as USUARIO" in es and "[obligatorio]" in es
    # one run after another in the same process: each in its own language
    assert cli("--help").output.startswith("Uso:") and cli("--lang", "en", "--help").output.startswith("Usage:")


def _commands(group: click.Group, path: str = "cocrea"):
    for name, cmd in group.commands.items():
        yield f"{path} {name}", cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, f"{path} {name}")


def test_every_help_text_is_an_english_id_with_a_spanish_translation():
    untranslated = []
    for where, cmd in [("cocrea", main), *_commands(main)]:
        assert isinstance(cmd, text.Command), where
        raw = cmd.__dict__.get("_help")
        if not raw or gettext("es", raw) == raw:
            untranslated.append((where, raw))
        for param in cmd.params:
            assert isinstance(param, (text.Option, text.Argument)), (where, param.name)
            raw = param.__dict__.get("_help")
            if isinstance(param, text.Option) and not param.hidden and (not raw or gettext("es", raw) == raw):
                untranslated.append((where, param.name, raw))
            if isinstance(param, text.Argument):
                assert gettext("es", param.name.upper()) != param.name.upper(), (where, param.name)
    assert untranslated == []


def _said_by_click() -> set[str]:
    found = set()
    for path in Path(click.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
                found |= {a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    return found


def test_the_click_words_translated_are_still_said_by_click():
    # "required" is translated as ``_(extra["required"])``, the word set a few lines before
    assert {m.msgid for m in text.CLICK_WORDS} - _said_by_click() == {"required"}
    assert 'extra["required"] = "required"' in (Path(click.__file__).parent / "core.py").read_text(encoding="utf-8")
    assert text.SHOW_HELP.msgid in _said_by_click()


def test_click_errors_and_prompts_speak_spanish(cli):
    init(cli)
    missing = cli("status")
    assert missing.exit_code == 2
    assert "Error: Falta el argumento 'PROCESO'." in missing.output
    assert "Pruebe «cocrea status --help» para ver la ayuda." in missing.output
    typo = cli("statu", "jalisco")
    assert "Error: No existe el comando «statu»." in typo.output and "¿Quiso decir 'status'?" in typo.output
    bad = cli("--lang", "fr", "status", "jalisco")
    assert "Valor no válido para '--lang': «fr» no es ninguno de estos: 'es', 'en'." in bad.output
    apply(cli, SECRETARIAT)
    prompted = cli("user", "set-password", "jalisco", "gob", "--as", "gob",
                   input="una-contraseña-larga\notra-distinta-larga\nuna-contraseña-larga\nuna-contraseña-larga\n")
    assert prompted.exit_code == 0, prompted.output
    assert prompted.output.count("Contraseña: ") == 2 and prompted.output.count("Repita para confirmar: ") == 2
    assert "Error: los dos valores no coinciden." in prompted.output
    assert prompted.output.strip().endswith("Contraseña guardada para gob.")
    en = cli("--lang", "en", "user", "set-password", "jalisco", "gob", "--as", "gob", input="x-long-enough\ny\n")
    assert "Password: " in en.output and "Repeat for confirmation: " in en.output


def test_click_outside_a_cocrea_run_keeps_its_own_words():
    @click.command()
    @click.argument("x")
    def other(x):
        pass

    assert "Usage: other [OPTIONS] X" in CliRunner().invoke(other, ["--help"]).output


# --- counts, codes, outcomes ---------------------------------------------------------------------

def test_the_applied_count_has_real_plurals(cli):
    init(cli)
    assert apply(cli, SECRETARIAT[:1]).output.strip() == "1 acción aplicada"
    assert apply(cli, SECRETARIAT[1:3]).output.strip() == "2 acciones aplicadas"
    assert apply(cli, SECRETARIAT[3:], "--lang", "en").output.strip() == "1 action applied"
    refused = apply(cli, [step("add_agency", key="sfp", name="SFP"), step("open_channel", key="w", kind="online",
                                                                            name="x")])
    assert refused.exit_code == 3 and "1 acción aplicada\nSe detuvo en la acción 2" in refused.stderr
    assert cli("audit", "verify").output.startswith("Bitácora íntegra: 6 entradas verificadas")


def _words_outside_brackets(out: str) -> set[str]:
    visible = re.sub(r"\[[^\]]*\]", " ", out)  # [criterion_code] and [slug] are references, not words
    return set(re.findall(r"[^\W\d]\w*", visible))


CODES = {code for kind in ("stage", "event", "decision_kind", "sector", "role", "rule", "decision_status", "action")
         for code in vocabulary.TERMS[kind]}
SPANISH_TOO = {"general", "academia"}  # codes that are Spanish words


def test_status_shows_no_raw_stage_or_event_code(cli):
    init(cli)
    raw = CODES - SPANISH_TOO
    out = cli("status", "jalisco").output
    assert _words_outside_brackets(out) & raw == set(), out
    assert "sectores requeridos: gobierno (poder ejecutivo), órgano garante, sociedad civil." in out
    apply(cli, SECRETARIAT)
    out = cli("status", "jalisco").output
    assert _words_outside_brackets(out) & raw == set(), out
    assert "Etapa: 1/8 Sumarse a gobierno abierto\n" in out
    assert "Siguiente paso: avanzar a la siguiente etapa — criterios por cumplir:" in out
    en = cli("--lang", "en", "status", "jalisco").output
    assert "Stage: 1/8 Joining open government\n" in en and "Next move: advance to the next stage —" in en
    apply(cli, [step("withdraw_sector", sector="civil_society", actor="osc", reason="Sin condiciones")])
    out = cli("status", "jalisco").output
    assert "Etapa: suspendido (desde «Sumarse a gobierno abierto»)" in out
    assert "Sectores retirados: sociedad civil" in out and "Siguiente paso: reanudar el proceso" in out
    assert _words_outside_brackets(out) & raw == set(), out
    en = cli("--lang", "en", "status", "jalisco").output
    assert "Stage: suspended (from 'Joining open government')" in en and "Next move: resume the process" in en
    assert ("Retiro de un sector: sociedad civil; el proceso queda suspendido — Sin condiciones"
            in cli("history", "jalisco").output)


def test_apply_says_how_each_decision_came_out(cli):
    init(cli)
    session = [step("convene_session", key="S1", scheduled_for="2026-01-27T10:00:00-06:00", place="ITEI",
                    agenda=["Acuerdos"]),
               step("record_attendance", session="S1", members=["gob", "itei", "osc", "udg"])]
    decisions = [step("propose_decision", session="S1", key="D3", kind="general", text="Publicar el calendario"),
                 step("decide", decision="D3"),
                 step("propose_decision", session="S1", key="D4", kind="general", text="Cambiar la sede"),
                 step("cast_vote", decision="D4", position="against", actor="osc"),
                 step("decide", decision="D4")]
    out = apply(cli, [*SECRETARIAT, *session, *decisions])
    assert out.exit_code == 0, out.output
    assert out.output.splitlines() == ["D3 (acuerdo general): adoptada por consenso",
                                       "D4 (acuerdo general): rechazada: objetó Núcleo de OSC (sociedad civil)",
                                       "11 acciones aplicadas"]
    history = cli("history", "jalisco").output
    assert "Tomar la decisión [S1]: D4 (acuerdo general): rechazada: objetó Núcleo de OSC (sociedad civil)" in history
    assert "Votar [S1]: D4, en contra" in history
    extraordinary = [step("convene_session", key="S2", scheduled_for="2026-02-03T10:00:00-06:00", place="ITEI",
                          agenda=["Avance"], extraordinary=True, justification="Plazo del INAI"),
                     step("record_attendance", session="S2", members=["gob", "itei", "osc", "udg"]),
                     step("sign_declaration", signed_on="2026-01-20", document_ref="https://example.org/d.pdf",
                          signatories=[{"name": "Gobernador", "role": "Ejecutivo", "sector": "government"},
                                       {"name": "ITEI", "role": "Garante", "sector": "guarantor"}]),
                     # the template's compliance gate: the declaration's basic requirements are met
                     step("publish_document", kind="rules", title="Reglas", ref="https://example.org/reglas.pdf"),
                     step("publish_document", kind="website", title="Sitio", ref="https://example.org/"),
                     step("propose_decision", session="S2", key="D5", kind="advance", rule="majority"),
                     *[step("cast_vote", decision="D5", position="for", actor=h) for h in ("gob", "itei", "udg")],
                     step("cast_vote", decision="D5", position="against", actor="osc"),
                     step("decide", decision="D5")]
    out = apply(cli, extraordinary, "--lang", "en")
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[0] == ("D5 (advance to the next stage): adopted by majority of sectors (3 for, "
                                          "1 against); the process is now in 'Consultation on the themes'")


def test_every_action_has_a_title_and_its_docstring_as_description():
    assert set(describe.DESCRIPTIONS) == set(ACTIONS)
    for name, action in ACTIONS.items():
        assert describe.DESCRIPTIONS[name].msgid == " ".join(action.doc.split()), name
        assert describe.title(name, "es") != name and describe.description(name, "es") != action.doc


def test_history_names_every_action_and_code_in_words(cli):
    init(cli)
    apply(cli, SECRETARIAT)
    out = cli("history", "jalisco").output
    assert _words_outside_brackets(out) & (CODES - SPANISH_TOO) == set(), out
    assert json.loads(cli("history", "jalisco", "--json").output)[1]["action"] == "add_person"  # data keeps codes


def test_every_cli_message_reads_as_its_own_catalogue_says():
    """Catalogues are chained (core first): a cli message whose English another area also uses
    would show that area's Spanish."""
    shadowed = [m.id for m in catalog.read("es", "cli") if isinstance(m.id, str) and m.id and not m.context
                and gettext("es", m.id) != m.string]
    assert shadowed == []


def test_help_loads_neither_the_engine_nor_the_web_app():
    code = ("import sys\nfrom cli import main\ntry:\n    main(['--help'], prog_name='cocrea')\nexcept SystemExit:\n    pass\n"
            "heavy = {'sqlalchemy', 'sqlmodel', 'workflow', 'reads', 'storage', 'web', 'notifications', 'migrations',"
            " 'alembic', 'yaml', 'pydantic', 'compliance'}\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env={"PATH": "/usr/bin:/bin", "COCREA_LANG": "es"}, check=True)
    assert out.stdout.strip().endswith("[]"), out.stdout
    assert "Uso: cocrea" in out.stdout


def test_a_reader_that_stops_reading_is_not_an_internal_error(tmp_path):
    """``cocrea ruleset list | head -1``: the pipe's reader leaves early; cocrea stops quietly (as
    click does), instead of saying "Internal error: BrokenPipeError"."""
    import os

    url = f"sqlite:///{tmp_path / 'cocrea.db'}"
    assert subprocess.run([sys.executable, "-m", "cli", "--db", url, "db", "upgrade"], capture_output=True,
                          cwd=tmp_path, timeout=120).returncode == 0
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first line is written
    try:
        done = subprocess.run([sys.executable, "-m", "cli", "--db", url, "ruleset", "list"], stdout=write,
                              stderr=subprocess.PIPE, cwd=tmp_path, text=True, timeout=120)
    finally:
        os.close(write)
    assert done.stderr == ""
