"""The shape of the code a newcomer reads (issue 8): what a review found, kept from coming back.

Read from the source as text or with ``ast``; none of these imports the project.
"""
from __future__ import annotations

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
