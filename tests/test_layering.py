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


#: What writes to a database: a session's own writes (on a name bound to a session or connection:
#: ``with Session(...) as db``, ``db: Session``), SQL's writing statements, and ``storage.transaction``
#: (the write transaction: ``BEGIN IMMEDIATE`` on SQLite).
SESSION_WRITES = {"add", "add_all", "merge", "delete", "flush", "commit", "bulk_save_objects", "bulk_insert_mappings"}
WRITING_NAMES = {"insert", "update", "delete", "transaction"}
SESSION_TYPES = {"Session", "Connection", "transaction", "connect", "begin"}


def _name_of(node: ast.AST | None) -> str:
    node = node.func if isinstance(node, ast.Call) else node
    return node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""


def writes(source: str) -> list[str]:
    """Where a module writes to a database directly: ``add``/``delete``/``commit``... on a session,
    or an ``insert``/``update``/``delete`` statement or ``transaction`` it imports."""
    tree = ast.parse(source)
    imported = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                for alias in node.names if alias.name in WRITING_NAMES}
    sessions = {item.optional_vars.id for node in ast.walk(tree) if isinstance(node, (ast.With, ast.AsyncWith))
                for item in node.items if isinstance(item.optional_vars, ast.Name)
                and _name_of(item.context_expr) in SESSION_TYPES}
    sessions |= {node.arg for node in ast.walk(tree) if isinstance(node, ast.arg) and node.annotation is not None
                 for word in [ast.unparse(node.annotation)] if any(t in word for t in ("Session", "Connection"))}
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SESSION_WRITES
                and isinstance(node.func.value, ast.Name) and node.func.value.id in sessions):
            found.append(f"{node.lineno}: {node.func.value.id}.{node.func.attr}(")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in imported:
            found.append(f"{node.lineno}: {node.func.id}(")
    return found


def test_the_read_side_never_writes():
    """``reads/`` only reads: facts are written by actions (``workflow/actions/``), the bookkeeping
    outside the trail by ``workflow/signin.py`` and ``workflow/evidence.py``. (A replay writes
    into its own scratch database, and only through the actions.)"""
    found = {str(p.relative_to(ROOT)): w for p in sorted((ROOT / "reads").rglob("*.py"))
             if (w := writes(p.read_text(encoding="utf-8")))}
    assert found == {}


def test_the_write_check_sees_each_way_of_writing():
    assert writes("with Session(e) as db:\n    db.add(x)\n") == ["2: db.add("]
    assert writes("def f(db: Session):\n    db.commit()\n") == ["2: db.commit("]
    assert writes("from sqlalchemy import update as u\ndef f(db):\n    db.exec(u(T))\n") == ["3: u("]
    assert writes("from storage import transaction\nwith transaction(e) as db:\n    pass\n") == ["2: transaction("]
    assert writes("from sqlmodel import select\nwith Session(e) as db:\n    rows = db.exec(select(T)).all()\n") == []
    assert writes("seen = set()\nseen.add(1)\n") == []  # a set is not a session
