"""Dependencies point one way: stages <- storage, notifications <- workflow."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {"stages": {"storage", "notifications", "workflow"}, "storage": {"notifications", "workflow"},
             "notifications": {"workflow"}}


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_reminder_code_respects_the_layers():
    for package, forbidden in FORBIDDEN.items():
        for path in (ROOT / package).glob("*.py"):
            assert not imported(path) & forbidden, f"{path.relative_to(ROOT)} imports {imported(path) & forbidden}"
