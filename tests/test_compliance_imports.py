"""The compliance package ships its template and is documented (its imports: tests/test_layering.py)."""
from __future__ import annotations

from pathlib import Path

import compliance

ROOT = Path(compliance.__file__).parent


def test_the_report_page_template_ships_with_the_package():
    import tomllib
    conf = tomllib.loads((ROOT.parent / "pyproject.toml").read_text(encoding="utf-8"))
    assert "compliance" in conf["tool"]["setuptools"]["packages"]
    assert conf["tool"]["setuptools"]["package-data"]["compliance"] == ["templates/*"]
    assert (ROOT / "templates" / "report.html.j2").exists()


def test_docs_describe_every_rule_setting_and_action():
    from compliance.rules import RULES
    from compliance.settings import SETTINGS
    from workflow.actions import ACTIONS
    from workflow.actions import compliance as area

    text = (ROOT.parent / "docs" / "compliance.md").read_text(encoding="utf-8")
    for name in [f"`{r.id}`" for r in RULES] + [f"`{s}`" for s in SETTINGS if s not in (
            "repository_min_updates", "repository_window_months")] + [n for n, a in ACTIONS.items() if a.handler.__module__ == area.__name__]:
        assert name in text, name
