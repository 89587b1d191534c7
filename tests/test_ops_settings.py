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
from storage.settings import FILE_KEYS, settings

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
    heading = {"smtp": "## Mail", "delivery": "## Delivery", "database": "## Database", "web": "## Web"}[table]
    section = SETTINGS.split(heading, 1)[1].split("\n## ", 1)[0]
    column = 0 if table == "delivery" else 1
    keys = set()
    for row in re.findall(r"^\|(.+)\|$", section, re.M):
        cell = row.split("|")[column].strip()
        found = re.match(r"`([a-z_]+)`", cell)
        if found and cell != "file (`[web]`)":
            keys.add(found.group(1))
    return keys


def test_every_environment_variable_the_code_reads_is_documented_and_nothing_else():
    read = variables_read_by_the_code()
    assert {"COCREA_DATABASE_URL", "COCREA_PUBLIC_URL", "COCREA_SMTP_HOST", "COCREA_TOKEN_DAYS"} <= read
    assert read - documented_variables() == set(), "read by the code, missing from docs/settings.md"
    assert documented_variables() - read == set(), "in docs/settings.md, read by no code"


@pytest.mark.parametrize("table,keys", [("smtp", config.SMTP_KEYS), ("delivery", config.DELIVERY_KEYS),
                                        ("database", [k for t, k in FILE_KEYS if t == "database"]),
                                        ("web", [k for t, k in FILE_KEYS if t == "web"])])
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


def test_the_config_file_holds_every_setting_and_the_environment_wins(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from web.auth import Settings

    db = tmp_path / "from-file.db"
    f = tmp_path / "cocrea.toml"
    f.write_text(f'[database]\nurl = "sqlite:///{db}"\n[web]\npublic_url = "https://cocrea.example.org"\n'
                 'https_only = true\ntrusted_proxies = ["10.0.0.1", "10.0.0.2"]\ntoken_days = 30\n', encoding="utf-8")
    env = {"COCREA_CONFIG": str(f)}
    got = settings(env)
    assert got["COCREA_DATABASE_URL"] == f"sqlite:///{db}" and got["COCREA_HTTPS_ONLY"] == "1"
    assert got["COCREA_TRUSTED_PROXIES"] == "10.0.0.1,10.0.0.2"
    web = Settings.from_env(got)
    assert web.https and web.trusted_proxies == ("10.0.0.1", "10.0.0.2") and web.token_valid.days == 30
    assert settings({**env, "COCREA_TOKEN_DAYS": "7"})["COCREA_TOKEN_DAYS"] == "7"  # the environment wins
    assert settings({**env, "COCREA_TOKEN_DAYS": ""})["COCREA_TOKEN_DAYS"] == "30"  # empty is unset

    # the command line finds its database through the file
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COCREA_DATABASE_URL", raising=False)
    monkeypatch.setenv("COCREA_CONFIG", str(f))
    made = CliRunner().invoke(main, ["init"])
    assert made.exit_code == 0 and str(db) in made.output and db.exists()


@pytest.mark.parametrize("text,problem", [('[datbase]\nurl = "x"\n', "datbase"), ('[web]\npublic_ur = "x"\n', "public_ur"),
                                          ("[web\n", "cocrea.toml")])
def test_a_config_file_that_cannot_be_used_stops_every_command(tmp_path, monkeypatch, text, problem):
    from click.testing import CliRunner

    f = tmp_path / "cocrea.toml"
    f.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COCREA_DATABASE_URL", raising=False)
    monkeypatch.setenv("COCREA_CONFIG", str(f))
    result = CliRunner().invoke(main, ["--lang", "en", "status", "p"])
    assert result.exit_code == 5 and "A setting cannot be used" in result.output and problem in result.output


def test_the_running_source_is_offered_to_every_user_of_the_site(sqlite_db, clock):
    """AGPL section 13: the site links to ``/source``, a .tar.gz of the code the process runs."""
    import gzip
    import io
    import tarfile

    from webkit import client

    c = client(sqlite_db, clock)
    home = c.get("/")
    assert '<a href="/source">Código fuente</a> (AGPL-3.0-or-later)' in home.text
    got = c.get("/source")
    assert got.status_code == 200 and got.headers["content-type"] == "application/gzip"
    version = importlib.metadata.version("cocrea")
    assert f'filename="cocrea-{version}-source.tar.gz"' in got.headers["content-disposition"]
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(got.content))) as tar:
        names = tar.getnames()
        running = tar.extractfile(f"cocrea-{version}/web/source.py").read()
        license_text = tar.extractfile(f"cocrea-{version}/LICENSE").read().decode()
    assert running == (ROOT / "web" / "source.py").read_bytes()
    assert license_text.startswith("GNU AFFERO GENERAL PUBLIC LICENSE")
    for package in PACKAGES:
        assert f"cocrea-{version}/{package}/__init__.py" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".db", ".mo"))]
    assert c.get("/source").content == got.content  # the same bytes each time
