"""The shape of the code a newcomer reads (issue 8): what a review found, kept from coming back.

Read from the source as text or with ``ast``; none of these imports the project.
"""
from __future__ import annotations

import ast
import re
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
    validators of ``workflow/schemas.py`` (and of ``workflow/actions/bulk.py``'s schema) raise pydantic's own error, which ``engine.validate``
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
            if path in ("workflow/schemas.py", "workflow/actions/bulk.py") and name == "PydanticCustomError":
                continue
            if not (isinstance(obj, type) and issubclass(obj, CocreaError)):
                outside.append(f"{path}: {name}")
    assert outside == []


def module_name(path: str) -> str:
    return path[:-3].replace("/", ".").removesuffix(".__init__")


def project_imports(path: str, tree: ast.Module, top_level_only: bool) -> dict[str, str]:
    """Local name -> the project module (or module.attribute) it was imported as."""
    package = module_name(path) if path.endswith("__init__.py") else module_name(path).rsplit(".", 1)[0]
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    out = {}
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(max(node.level - 1, 0)):
                base = base.rsplit(".", 1)[0]
            source = (f"{base}.{node.module}" if node.module else base) if node.level else (node.module or "")
            if source.split(".")[0] in PACKAGES:
                out.update({a.asname or a.name: f"{source}.{a.name}" for a in node.names})
        elif isinstance(node, ast.Import):
            out.update({a.asname or a.name.split(".")[0]: a.name for a in node.names
                        if a.name.split(".")[0] in PACKAGES})
    return out


def test_no_private_name_is_used_outside_its_module():
    found = []
    for path, text in sources().items():
        tree = ast.parse(text)
        imported = project_imports(path, tree, top_level_only=False)
        found += [f"{path}: {target}" for name, target in imported.items()
                  if name.startswith("_") and not name.startswith("__")]
        found += [f"{path}:{node.lineno}: {ast.unparse(node)}" for node in ast.walk(tree)
                  if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                  and node.value.id in imported and node.attr.startswith("_") and not node.attr.startswith("__")]
    assert found == []


def import_graph(texts: dict[str, str]) -> dict[str, set[str]]:
    """Module -> the project modules it imports, wherever the import is written: at the top, or
    inside a function (an import put off until a call hides a cycle; it does not break one)."""
    modules = {module_name(path) for path in texts}
    graph = {}
    for path, text in texts.items():
        targets = set()
        for target in project_imports(path, ast.parse(text), top_level_only=False).values():
            targets.add(target if target in modules else target.rsplit(".", 1)[0])
        graph[module_name(path)] = {t for t in targets if t in modules and t != module_name(path)}
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    cycles, done = [], set()

    def visit(module: str, trail: list[str]) -> None:
        if module in trail:
            cycles.append(trail[trail.index(module):] + [module])
            return
        if module in done:
            return
        for nxt in sorted(graph[module]):
            visit(nxt, trail + [module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
    return cycles


def test_no_import_cycle_between_modules():
    """Between the modules of the project, counting every import, at load time or in a function."""
    assert import_cycles(import_graph(sources())) == []


def test_the_cycle_check_sees_an_import_inside_a_function():
    texts = {"stages/a.py": "from stages.b import x\n",
             "stages/b.py": "def f():\n    from .a import y  # put off until called\n    return y\n"}
    assert import_cycles(import_graph(texts)) == [["stages.a", "stages.b", "stages.a"]]
    assert import_cycles(import_graph({**texts, "stages/b.py": "x = 1\n"})) == []


def test_no_branch_repeats_the_other():
    found = [f"{path}:{node.lineno}" for path, text in sources().items() for node in ast.walk(ast.parse(text))
             if (isinstance(node, ast.If) and node.orelse
                 and [ast.dump(s) for s in node.body] == [ast.dump(s) for s in node.orelse])
             or (isinstance(node, ast.IfExp) and ast.dump(node.body) == ast.dump(node.orelse))]
    assert found == []


def test_no_function_of_the_product_serves_only_the_tests():
    """A public module-level function (not registered by a decorator) is used somewhere in the
    product: its modules, templates or docs. One only the tests call is dead code."""
    product = "\n".join(sources(True).values()) + "\n".join(
        p.read_text(encoding="utf-8") for p in ROOT.rglob("*") if p.suffix in (".html", ".txt", ".md")
        and p.is_file() and not {".venv", "tests", ".git"} & set(p.relative_to(ROOT).parts))
    counts: dict[str, int] = {}
    for word in re.findall(r"\w+", product):
        counts[word] = counts.get(word, 0) + 1
    unused = [f"{path}: {node.name}" for path, text in sources().items() for node in ast.parse(text).body
              if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.decorator_list
              and not node.name.startswith("_") and counts.get(node.name, 0) <= 1]
    assert unused == []


def test_no_table_names_a_key_twice():
    """A dict written with one key twice keeps the last silently (a message said twice, two ways)."""
    found = []
    for path, text in sources().items():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Dict):
                keys = [ast.dump(k) for k in node.keys if k is not None]
                found += [f"{path}:{node.lineno}" for k in set(keys) if keys.count(k) > 1]
    assert found == []
