"""The README's five-minute tour, run command by command as written (CliRunner, in a fresh
directory with the default ``./cocrea.db``). If the README or docs/examples change so that
the tour no longer works, this fails."""
from __future__ import annotations

import datetime as dt
import json
import re
import shlex
import shutil
from pathlib import Path

from zoneinfo import ZoneInfo

from chronology import breaks
from click.testing import CliRunner

from cli.main import main
from reads import checks
from reads import status as queries
from storage import make_engine

ROOT = Path(__file__).resolve().parent.parent


def tour_commands() -> list[list[str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## A five-minute tour\s+```sh\n(.*?)```", readme, re.S).group(1)
    commands = []
    for line in block.splitlines():
        line = re.split(r"\s+#", line, maxsplit=1)[0].strip()  # drop the comment
        if line.startswith("cocrea "):
            commands.append(shlex.split(line)[1:])
    return commands


def test_the_tour_lists_the_commands_it_promises():
    assert [args[0] if args[0] != "--lang" else args[2] for args in tour_commands()] == [
        "init", "status", "apply", "status", "status", "history", "check", "audit", "audit", "actions", "reminders",
        "reminders", "reminders"]
    assert tour_commands()[0][:3] == ["init", "--template", "inai_local"]
    assert ["apply", "docs/examples/secretariat.yaml"] in tour_commands()


def test_the_readme_tour_runs(tmp_path, monkeypatch):
    monkeypatch.delenv("COCREA_DATABASE_URL", raising=False)
    monkeypatch.delenv("COCREA_LANG", raising=False)
    runner = CliRunner()
    outputs = {}
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ROOT / "docs" / "examples", tmp_path / "docs" / "examples")
    for args in tour_commands():
        if "--expect" in args:  # HASH stands for a head kept earlier: the one the previous command printed
            head = re.search(r"jalisco: .*\n.*: ([0-9a-f]{64})\n", outputs["audit verify"]).group(1)
            args = [head if a == "HASH" else a for a in args]
        result = runner.invoke(main, args)
        assert result.exit_code == 0, (args, result.output)
        outputs[" ".join(args)] = result.output
    assert (tmp_path / "cocrea.db").exists()  # the default database, in the current directory
    english = runner.invoke(main, ["status", "jalisco"], env={"COCREA_LANG": "en"})

    init = outputs[next(k for k in outputs if k.startswith("init"))]
    assert "Proceso creado: jalisco" in init and "cocrea.db" in init
    first_status = outputs["status jalisco"]
    assert "1/8" in first_status and "[declaration_signed_by_executive_and_guarantor]" in first_status
    assert outputs["apply docs/examples/secretariat.yaml"].splitlines() == [
        "S1-D1 (avanzar a la siguiente etapa): adoptada por consenso; el proceso pasa a «Consulta sobre temas a tratar»",
        "14 acciones aplicadas"]
    st = json.loads(outputs["status jalisco --json"])
    assert (st["stage"], st["stage_number"]) == ("consultation", 2)
    assert st["seated"] == {"government": 1, "guarantor": 1, "civil_society": 1, "municipality": 1, "academia": 1}
    assert [m["to"] for m in st["moves"]] == ["declaration", "consultation"]
    assert "Stage: 2/8 Consultation on the themes\n" in outputs["--lang en status jalisco"]
    assert english.output == outputs["--lang en status jalisco"]
    history = outputs["history jalisco"]
    assert ("Tomar la decisión [S1]: S1-D1 (avanzar a la siguiente etapa): adoptada por consenso; el proceso pasa a "
            "«Consulta sobre temas a tratar» — Declaratoria firmada y secretariado instalado") in history
    assert "contacto@colectivo.example" not in history
    assert "Bitácora íntegra: 15 entradas verificadas" in outputs["audit verify"]
    expected = next(v for k, v in outputs.items() if "--expect" in k)
    assert re.search(r"la cabeza publicada [0-9a-f]{64} es la cabeza actual", expected)
    assert "sign_declaration: Registrar la declaratoria\n" in outputs["actions"]
    check = outputs["check jalisco"]
    assert "requisito" in check and "forum-mixed" in check  # the report names its rules by id
    # Run today, the tour is a true record of today: compliant, and no rule of time broken.
    assert "Cumple todos los requisitos básicos exigibles." in check
    db = make_engine(f"sqlite:///{tmp_path / 'cocrea.db'}")
    assert checks.report(db, "jalisco").as_dict("es")["summary"]["compliant"]
    assert breaks(db, "jalisco", dt.datetime.now(dt.timezone.utc)) == []
    today = dt.datetime.now(ZoneInfo("America/Mexico_City")).date().isoformat()
    assert {e["at"][:10] for e in queries.history(db, "jalisco")} <= {today, (dt.date.fromisoformat(today)
                                                                             - dt.timedelta(days=1)).isoformat()}
