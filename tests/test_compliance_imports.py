"""Dependencies point one way: compliance reads stages only; workflow wires it in."""
from __future__ import annotations

import ast
from pathlib import Path

import compliance

ROOT = Path(compliance.__file__).parent
PROJECT = {"workflow", "storage", "notifications", "web", "migrations", "stages", "compliance"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.split(".")[0])
    return out


def test_compliance_imports_only_stages_of_the_project():
    for path in sorted(ROOT.glob("*.py")):
        assert _imports(path) & PROJECT <= {"stages", "compliance"}, path.name


def test_the_report_page_template_ships_with_the_package():
    import tomllib
    conf = tomllib.loads((ROOT.parent / "pyproject.toml").read_text(encoding="utf-8"))
    assert "compliance" in conf["tool"]["setuptools"]["packages"]
    assert conf["tool"]["setuptools"]["package-data"]["compliance"] == ["templates/*"]
    assert (ROOT / "templates" / "report.html.j2").exists()


def test_docs_describe_every_rule_setting_and_action():
    from compliance.rules import RULES
    from compliance.settings import SETTINGS
    from workflow.compliance_actions import ACTIONS

    text = (ROOT.parent / "docs" / "compliance.md").read_text(encoding="utf-8")
    for name in [f"`{r.id}`" for r in RULES] + [f"`{s}`" for s in SETTINGS if s not in (
            "repository_min_updates", "repository_window_months")] + list(ACTIONS):
        assert name in text, name
