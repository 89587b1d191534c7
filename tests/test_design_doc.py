"""``docs/design.md`` names only what exists: every path, every object of the project and every
test it cites, so the page cannot go stale unnoticed.

What is checked, among the page's ``code`` spans:

- a path (``workflow/engine.py``, ``reads/``, ``i18n/locale/es/LC_MESSAGES/<domain>.po``) exists;
  ``<stage>`` stands for each of the eight stages (each must exist), any other ``<...>`` for at
  least one file;
- ``path::name`` also defines ``name`` (a test function, or any function or class);
- a dotted name that starts with a package of the project (``workflow.engine.move``) imports.
"""
from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

from stages import STAGE_NAMES

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "design.md"
PACKAGES = ("i18n", "stages", "storage", "compliance", "notifications", "workflow", "reads", "web", "cli",
            "migrations")
SPAN = re.compile(r"`([^`\n]+)`")
PATH = re.compile(r"^[\w.<>-]+/([\w.<>-]+/)*([\w.<>-]+\.\w+)?(::\w+)?$")
DOTTED = re.compile(rf"^({'|'.join(PACKAGES)})(\.\w+)+$")


def spans(text: str) -> list[str]:
    return SPAN.findall(text)


def expand(path: str) -> list[list[Path]]:
    """The files a cited path stands for: one group per ``<stage>``, each group the glob of the
    other placeholders (a group must not be empty)."""
    variants = [path.replace("<stage>", s) for s in STAGE_NAMES] if "<stage>" in path else [path]
    return [sorted(ROOT.glob(re.sub(r"<[^>]+>", "*", v))) for v in variants]


def defines(path: Path, name: str) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.name == name
               for n in tree.body)


def resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return False
        return True
    return False


def problems(text: str) -> list[str]:
    found = []
    for span in spans(text):
        if PATH.match(span):
            path, _, name = span.partition("::")
            for group in expand(path):
                if not group:
                    found.append(f"{span}: no such file")
                elif name and not any(defines(p, name) for p in group if p.suffix == ".py"):
                    found.append(f"{span}: {name} not defined in {[str(p.relative_to(ROOT)) for p in group]}")
        elif DOTTED.match(span) and not resolves(span):
            found.append(f"{span}: does not import")
    return found


def test_every_path_object_and_test_named_exists():
    assert problems(DOC.read_text(encoding="utf-8")) == []


def test_the_page_cites_enough_to_be_checked():
    cited = spans(DOC.read_text(encoding="utf-8"))
    assert sum(1 for s in cited if "::test_" in s) >= 60
    assert sum(1 for s in cited if DOTTED.match(s)) >= 40


def test_the_checker_finds_what_is_stale():
    stale = ("`workflow/actions.py` `workflow.queries.status` `tests/test_import_direction.py` "
             "`tests/test_layering.py::test_gone` `stages/<stage>.py::STAGE` `workflow.engine.nothing`")
    assert problems(stale) == [
        "workflow/actions.py: no such file",
        "workflow.queries.status: does not import",
        "tests/test_import_direction.py: no such file",
        "tests/test_layering.py::test_gone: test_gone not defined in ['tests/test_layering.py']",
        *[f"stages/<stage>.py::STAGE: STAGE not defined in ['stages/{s}.py']" for s in STAGE_NAMES],
        "workflow.engine.nothing: does not import",
    ]
    assert problems("`stages/<stage>.py` `i18n/locale/es/LC_MESSAGES/<domain>.po` `workflow.engine.move`") == []
