"""The one layering test: which package of the project may import which.

Dependencies point one way, from the domain's data up to the adapters at the edge::

    i18n  <-  stages  <-  storage  <-  notifications  <-  workflow  <-  reads  <-  web, cli
                 ^---------- compliance (pure rules) ----------'

(``i18n``, the text machinery, may be imported by every package and imports none.)

Read from the source with ``ast`` (every import, including those inside functions), so a
violation fails here before it ships.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: package -> the other packages of the project it may import.
ALLOWED: dict[str, set[str]] = {
    "i18n": set(),
    "stages": set(),
    "storage": {"stages"},
    "compliance": {"stages"},
    "notifications": {"stages", "storage"},
    "workflow": {"stages", "storage", "compliance", "notifications"},
    "reads": {"stages", "storage", "compliance", "notifications", "workflow"},
    "web": {"stages", "compliance", "notifications", "workflow", "reads"},
    "cli": {"stages", "storage", "compliance", "notifications", "workflow", "reads", "migrations", "web"},
    "migrations": {"stages", "storage"},
}
PACKAGES = set(ALLOWED)
for _package in PACKAGES - {"i18n"}:
    ALLOWED[_package].add("i18n")
#: The command line starts the web app (`cocrea serve`); no other module of it knows the web.
ONLY_HERE = {("cli", "web"): {"cli/main.py"}}


def imported_packages(source: str, depth: int = 1) -> set[str]:
    """Top-level packages of the project imported by a module ``depth`` folders deep in its
    package; a relative import that climbs out of the package is reported as ``..``."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.level > depth:
            found.add("..")
    return found & (PACKAGES | {".."})


def test_every_package_of_the_distribution_is_in_the_table():
    import tomllib

    conf = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    top = {p.split(".")[0] for p in conf["tool"]["setuptools"]["packages"]}
    assert top == PACKAGES


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_point_one_way(package):
    wrong = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        module = str(path.relative_to(ROOT))
        depth = len(path.relative_to(ROOT).parts) - 1
        found = imported_packages(path.read_text(encoding="utf-8"), depth) - {package}
        allowed = {other for other in ALLOWED[package]
                   if module in ONLY_HERE.get((package, other), {module})}
        if found - allowed:
            wrong[module] = sorted(found - allowed)
    assert wrong == {}


def test_the_checker_sees_nested_and_aliased_imports():
    source = "import os\nfrom . import base\ndef f():\n    from storage.models import Person\n    import workflow.audit as a\n"
    assert imported_packages(source) == {"storage", "workflow"}
    assert imported_packages("import sqlalchemy, web.app") == {"web"}
    assert imported_packages("from .. import engine", depth=2) == set()
    assert imported_packages("from .. import engine", depth=1) == {".."}
