"""``docs/actions.md`` is generated (``cocrea actions --markdown``); this fails when it is stale."""
from __future__ import annotations

from pathlib import Path

from cli.docgen import actions_markdown
from workflow.actions import ACTIONS

DOC = Path(__file__).resolve().parent.parent / "docs" / "actions.md"


def test_docs_actions_md_is_the_generators_output():
    assert DOC.read_text(encoding="utf-8") == actions_markdown(), (
        "docs/actions.md is stale: regenerate it with `cocrea actions --markdown > docs/actions.md`")


def test_every_action_is_documented_with_its_roles_and_fields():
    text = actions_markdown()
    for name, action in ACTIONS.items():
        section = text.split(f"## `{name}`", 1)[1].split("\n## ", 1)[0]
        assert action.doc.split("\n")[0] in section
        for field in action.schema.model_fields:
            assert f"| `{field}` |" in section, (name, field)
