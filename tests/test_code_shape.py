"""The shape of the code a newcomer reads (issue 8): what a review found, kept from coming back.

Read from the source as text or with ``ast``; none of these imports the project.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("i18n", "stages", "storage", "compliance", "notifications", "workflow", "reads", "web", "cli")


def sources(include_migrations: bool = False) -> dict[str, str]:
    """Every module of the project's packages (not tests, not benchmarks), by its path."""
    roots = PACKAGES + (("migrations",) if include_migrations else ())
    return {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8")
            for root in roots for p in sorted((ROOT / root).rglob("*.py"))}


def test_no_module_cites_a_file_that_is_not_in_the_repository():
    # TECH-NOTES lives in the shared design folder, not here: a reason is written where it applies.
    assert [path for path, text in sources(True).items() if "TECH-NOTES" in text] == []


#: A module longer than this says at its top why it is one module (``Why one module: ...``).
LONGEST = 300
MARK = "Why one module:"


def unexplained(text: str) -> bool:
    """Over :data:`LONGEST` lines, and no reason after :data:`MARK` in the module's docstring."""
    if text.count("\n") <= LONGEST:
        return False
    doc = ast.get_docstring(ast.parse(text)) or ""
    return MARK not in doc or len(doc.split(MARK, 1)[1].strip()) < 40


def test_a_long_module_says_why_it_is_one():
    benchmarks = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in sorted((ROOT / "benchmarks").glob("*.py"))}
    found = [path for path, text in {**sources(), **benchmarks}.items() if unexplained(text)]
    assert found == [], f"over {LONGEST} lines without '{MARK} <the reason>' in the docstring: split it or say why"


def test_the_size_check_sees_a_long_module_without_a_reason():
    body = "x = 1\n" * LONGEST
    assert unexplained(f'"""A module."""\n{body}')
    assert unexplained(f'"""A module.\n\n{MARK} because.\n"""\n{body}')  # a reason, not a word
    assert not unexplained(f'"""A module.\n\n{MARK} its tables of words are read together by translators.\n"""\n{body}')
    assert not unexplained('"""A short module."""\nx = 1\n')


def raised_names() -> dict[str, list[str]]:
    """What each module raises by name (``raise X(...)``, ``raise f(...)``), with where."""
    out: dict[str, list[str]] = {}
    for path, text in sources().items():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Raise) and node.exc is not None:
                target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if isinstance(target, ast.Name):
                    out.setdefault(path, []).append(target.id)
    return out


def test_everything_raised_is_in_the_error_tree():
    """A class raised is a :class:`~stages.errors.CocreaError`; a function raised returns one. The
    validators of ``workflow/schemas.py`` raise pydantic's own error, which ``engine.validate``
    turns into ``InvalidInput``."""
    import importlib
    import typing

    from stages.errors import CocreaError

    outside = []
    for path, names in raised_names().items():
        module = importlib.import_module(path[:-3].replace("/", ".").removesuffix(".__init__"))
        for name in names:
            obj = getattr(module, name, None)
            if obj is None:
                continue  # a caught exception raised again (``raise exc``)
            if not isinstance(obj, type):
                obj = typing.get_type_hints(obj).get("return")
            if path == "workflow/schemas.py" and name == "PydanticCustomError":
                continue
            if not (isinstance(obj, type) and issubclass(obj, CocreaError)):
                outside.append(f"{path}: {name}")
    assert outside == []
