"""Stage 5, *Determinar causas de los problemas públicos*: problem trees and solutions."""
from __future__ import annotations

from i18n import N_

from .base import Criterion, Records, Stage


def _theme_without_tree(r: Records) -> list:
    with_tree = {t.theme_id for t in r.problem_trees}
    return [t.key for t in r.priority_themes if t.id not in with_tree]


def _incomplete(r: Records) -> list:
    return [t.key for t in r.problem_trees if not (t.problem and t.causes and t.effects)]


def _no_strategic(r: Records) -> list:
    return [t.key for t in r.problem_trees if not any(c.get("strategic") for c in (t.causes or []))]


def _no_solution(r: Records) -> list:
    return [t.key for t in r.problem_trees if not t.solutions]


STAGE = Stage(
    name="causes",
    records=("record_problem_tree",),
    reads=("themes", "problem_trees"),
    criteria=(
        Criterion("problem_tree_per_priority_theme",
                  N_("Priority themes without a problem tree: {items}."),
                  _theme_without_tree),
        Criterion("problem_trees_complete",
                  N_("Problem trees missing problem, causes or effects: {items}."),
                  _incomplete),
        Criterion("strategic_cause_chosen",
                  N_("Problem trees with no strategic cause chosen: {items}."),
                  _no_strategic),
        Criterion("solution_proposed",
                  N_("Problem trees with no solution proposed: {items}."),
                  _no_solution),
    ),
)
