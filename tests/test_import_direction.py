"""Dependencies point one way: ``stages`` imports nothing of the project, ``storage`` only
``stages``, and ``workflow`` never the web app. Read from the source with ``ast`` (every
import, including those inside functions), so a violation fails here before it ships."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()} | {"web", "notifications"}


def imported_packages(source: str, package: str) -> set[str]:
    """Top-level project packages imported by a module of ``package``."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: "." is this package, ".." would leave it
                found.add(package if node.level == 1 else "..")
            elif node.module:
                found.add(node.module.split(".")[0])
    return found & (PROJECT | {".."})


def package_imports(package: str) -> dict[str, set[str]]:
    return {str(path.relative_to(ROOT)): imported_packages(path.read_text(encoding="utf-8"), package)
            for path in sorted((ROOT / package).rglob("*.py"))}


@pytest.mark.parametrize("package,allowed", [
    ("stages", {"stages"}),
    ("storage", {"storage", "stages"}),
    ("workflow", PROJECT - {"web"}),
])
def test_imports_point_one_way(package, allowed):
    modules = package_imports(package)
    assert modules, f"{package} has no modules"
    wrong = {module: sorted(found - allowed - ENTRY_POINT_EXCEPTIONS.get(module, set()))
             for module, found in modules.items()}
    assert {m: w for m, w in wrong.items() if w} == {}


#: The command line is the entry point: `cocrea serve` starts the web app, and nothing else
#: in workflow may know about it.
ENTRY_POINT_EXCEPTIONS = {"workflow/cli.py": {"web"}}


def test_only_the_serve_command_imports_the_web_app():
    source = (ROOT / "workflow" / "cli.py").read_text(encoding="utf-8")
    lines = [line.strip() for line in source.splitlines() if "from web" in line or "import web" in line]
    assert lines == ["from web import create_app"]


def test_the_checker_sees_relative_nested_and_aliased_imports():
    source = "import os\nfrom . import base\ndef f():\n    from storage.models import Person\n    import workflow.audit as a\n"
    assert imported_packages(source, "stages") == {"stages", "storage", "workflow"}
    assert imported_packages("from ..workflow import x", "stages") == {".."}
    assert imported_packages("import sqlalchemy, web.app", "workflow") == {"web"}
