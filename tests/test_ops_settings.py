"""What a deployment needs to know (issue 12): every setting documented in one place
(docs/settings.md), ``cocrea --version``, and a LICENSE matching pyproject's."""
from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import main
from notifications import config

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["cli", "stages", "storage", "notifications", "workflow", "reads", "web", "compliance", "migrations", "i18n"]
SETTINGS = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")


def variables_read_by_the_code() -> set[str]:
    found = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            found |= set(re.findall(r"\bCOCREA_[A-Z0-9_]*[A-Z0-9]\b", path.read_text(encoding="utf-8")))
    # names made from a prefix: COCREA_SMTP_<KEY>
    return found | {f"COCREA_SMTP_{key.upper()}" for key in config.SMTP_ENV_KEYS}


def documented_variables() -> set[str]:
    return set(re.findall(r"^\| `(COCREA_[A-Z0-9_]+)`", SETTINGS, re.M))


def documented_file_keys(table: str) -> set[str]:
    heading = {"smtp": "## Mail", "delivery": "## Delivery"}[table]
    section = SETTINGS.split(heading, 1)[1].split("\n## ", 1)[0]
    column = 1 if table == "smtp" else 0
    keys = set()
    for row in re.findall(r"^\|(.+)\|$", section, re.M):
        cell = row.split("|")[column].strip()
        if re.fullmatch(r"`[a-z_]+`", cell):
            keys.add(cell.strip("`"))
    return keys


def test_every_environment_variable_the_code_reads_is_documented_and_nothing_else():
    read = variables_read_by_the_code()
    assert {"COCREA_DATABASE_URL", "COCREA_PUBLIC_URL", "COCREA_SMTP_HOST", "COCREA_TOKEN_DAYS"} <= read
    assert read - documented_variables() == set(), "read by the code, missing from docs/settings.md"
    assert documented_variables() - read == set(), "in docs/settings.md, read by no code"


@pytest.mark.parametrize("table,keys", [("smtp", config.SMTP_KEYS), ("delivery", config.DELIVERY_KEYS)])
def test_every_key_of_the_config_file_is_documented(table, keys):
    assert documented_file_keys(table) == set(keys)


def test_a_misspelt_key_of_the_config_file_is_refused(tmp_path):
    from stages.errors import ConfigError

    f = tmp_path / "cocrea.toml"
    f.write_text('[smtp]\nhots = "smtp.example.org"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        config.load(f, env={})
    assert "hots" in err.value.messages("en")[0] and err.value.exit_code == 5
    f.write_text('[smtp]\nhost = "smtp.example.org"\n[delivery]\nbatch = 10\n', encoding="utf-8")
    assert config.load(f, env={}).delivery.batch == 10


def test_the_example_config_file_of_the_settings_page_loads(tmp_path):
    f = tmp_path / "cocrea.toml"
    f.write_text(SETTINGS.split("```toml\n", 1)[1].split("```", 1)[0], encoding="utf-8")
    loaded = config.load(f, env={"COCREA_SMTP_PASSWORD": "x"})
    assert loaded.smtp.host == "smtp.example.org" and loaded.delivery.lease.total_seconds() == 300


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert result.exit_code == 0
    assert result.output == f"cocrea {pyproject['project']['version']}\n"
    assert importlib.metadata.version("cocrea") == pyproject["project"]["version"]


def test_the_license_file_is_the_one_pyproject_names():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["license"] == "AGPL-3.0-or-later"
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("GNU AFFERO GENERAL PUBLIC LICENSE\nVersion 3, 19 November 2007\n")
    # the whole text: every section of the terms, and the AGPL's own section 13
    for n in range(18):
        assert re.search(rf"^\s*{n}\. \S", text, re.M), f"section {n} missing"
    assert "13. Remote Network Interaction; Use with the GNU General Public License." in text
    assert "END OF TERMS AND CONDITIONS" in text and len(text) > 30000
