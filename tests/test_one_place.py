"""No repeated logic: each constant of the domain and each piece of machinery is written in one
module, and the others use it from there.

Read from the source with ``ast`` (modules of the project's packages; not tests, migrations or
benchmarks, whose fixtures and frozen schemas may repeat what they check). Each test names the
one home; a second writing fails here with the module and line.
"""
from __future__ import annotations

import ast
import re

import pytest
from test_code_shape import sources

from stages import EVENTS, STAGE_NAMES
from stages.templates import TRIPARTITE
from stages.vocabulary import TERMS

TREES = {path: ast.parse(text) for path, text in sources().items()}


def literals(node: ast.AST) -> set[str]:
    """The string constants a tuple, list, set or dict (its keys) is written with."""
    elements = node.keys if isinstance(node, ast.Dict) else getattr(node, "elts", [])
    return {e.value for e in elements if isinstance(e, ast.Constant) and isinstance(e.value, str)}


def is_label_table(node: ast.AST) -> bool:
    """``{code: N_("name"), ...}``: the names of codes (``stages.vocabulary``), not a list of them."""
    return isinstance(node, ast.Dict) and bool(node.values) and all(isinstance(v, ast.Call) for v in node.values)


def written_with(names: set[str], at_least: int) -> list[str]:
    """Where a collection is written with ``at_least`` of ``names`` (label tables aside)."""
    return [f"{path}:{node.lineno}" for path, tree in TREES.items() for node in ast.walk(tree)
            if isinstance(node, (ast.Tuple, ast.List, ast.Set, ast.Dict)) and not is_label_table(node)
            and len(literals(node) & names) >= at_least]


def homes(found: list[str]) -> set[str]:
    return {f.split(":")[0] for f in found}


def test_the_stage_list_is_written_once():
    # stages.STAGES holds the stages; their order is checked once, beside it, at import
    assert homes(written_with(set(STAGE_NAMES), 5)) == {"stages/__init__.py"}
    assert set(STAGE_NAMES) <= set(TERMS["stage"])  # each stage has its name


def test_the_moves_are_written_once():
    assert homes(written_with(set(EVENTS), 3)) == {"stages/__init__.py"}
    assert set(EVENTS) <= set(TERMS["event"])


def test_the_three_sectors_of_a_quorum_are_written_once():
    found = [f"{path}:{node.lineno}" for path, tree in TREES.items() for node in ast.walk(tree)
             if isinstance(node, ast.Dict) and literals(node) == set(TRIPARTITE) and len(node.keys) == 3]
    assert homes(found) == {"stages/templates.py"}


def test_month_arithmetic_is_one_function():
    found = [path for path, text in sources().items() if re.search(r"monthrange|[%/] 12\b", text)]
    assert found == ["stages/base.py"]  # stages.base.add_months; the others call it
    wrappers = []
    for path, tree in TREES.items():
        for fn in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and not n.decorator_list):
            body = [s for s in fn.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
                    and not isinstance(s, (ast.Import, ast.ImportFrom))]
            if (len(body) == 1 and isinstance(body[0], ast.Return) and isinstance(body[0].value, ast.Call)
                    and getattr(body[0].value.func, "id", "") in ("add_months", "plus_months", "months_after")):
                wrappers.append(f"{path}:{fn.name}")
    assert wrappers == []  # a function that only renames another is a second name for one thing


def test_one_clock():
    classes = [f"{path}:{node.name}" for path, tree in TREES.items() for node in ast.walk(tree)
               if isinstance(node, ast.ClassDef) and node.name.endswith("Clock")]
    assert sorted(classes) == ["stages/clock.py:Clock", "stages/clock.py:FixedClock", "stages/clock.py:SystemClock"]
    reading = {path for path, text in sources().items() if re.search(r"\b(datetime|date)\.(now|utcnow|today)\(", text)}
    # the clock itself, and APScheduler's first tick (the scheduler's own timeline, not a fact's time)
    assert reading == {"stages/clock.py", "notifications/worker.py"}


def imported_by(module: str) -> set[str]:
    out = set()
    for path, tree in TREES.items():
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            if any(n == module or n.startswith(module + ".") for n in names):
                out.add(path)
    return out


@pytest.mark.parametrize("library,home", [
    ("icalendar", "notifications/ical.py"),   # one function from a session to an event, for email and the feed
    ("feedgen", "web/opendata.py"),           # the Atom feed
    ("transitions", "workflow/machine.py"),   # the stage machine
    ("argon2", "workflow/credentials.py"),    # passwords are hashed in one place
])
def test_one_module_uses_each_library(library, home):
    assert imported_by(library) == {home}


def test_no_hand_written_calendar_or_feed():
    found = [path for path, text in sources().items() if re.search(r"BEGIN:V(CALENDAR|EVENT)|<feed\b|<entry>", text)]
    assert found == []


def test_only_the_engine_assigns_the_stage():
    """``x.stage = ...``, or the column written through the driver (``storage.direct.update(..., stage=...)``,
    or with the action's audit entry, ``workflow.audit.carry(..., stage=...)``)."""
    found = [f"{path}:{node.lineno}" for path, tree in TREES.items() for node in ast.walk(tree)
             if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign))
             for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
             if isinstance(target, ast.Attribute) and target.attr == "stage"]
    found += [f"{path}:{node.lineno}" for path, tree in TREES.items() for node in ast.walk(tree)
              if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and isinstance(node.func.value, ast.Name)
              and (node.func.value.id, node.func.attr) in {("direct", "update"), ("audit", "carry")}
              and any(k.arg == "stage" for k in node.keywords)]
    assert homes(found) == {"workflow/engine.py"} and len(found) == 1  # workflow.engine.move


def test_one_lookup_of_a_process_by_slug():
    found = [path for path, text in sources().items() if re.search(r"select\(Process\)\s*\.where\(Process\.slug", text)]
    assert found == ["storage/lookup.py"]  # storage.process_by_slug


def test_the_sign_in_settings_are_written_once():
    """``web.auth.Settings`` holds each default; reading the environment falls back on it."""
    tree = TREES["web/auth.py"]
    literal_defaults = [node.lineno for node in ast.walk(tree)
                        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("_number", "_whole")
                        and len(node.args) == 3 and isinstance(node.args[2], ast.Constant)]
    assert literal_defaults == []


def test_the_checks_see_a_second_writing():
    tree = ast.parse("A = ('declaration', 'consultation', 'sensitization', 'planning', 'causes')\n"
                     "B = {'advance': N_('x'), 'suspend': N_('y'), 'resume': N_('z')}\n")
    nodes = [n for n in ast.walk(tree) if isinstance(n, (ast.Tuple, ast.Dict))]
    assert len(literals(nodes[0]) & set(STAGE_NAMES)) == 5 and not is_label_table(nodes[0])
    assert is_label_table(nodes[1])


def test_the_form_of_a_key_is_written_once():
    found = [path for path, text in sources().items() if "[A-Za-z0-9_.-]{0,63}" in text]
    assert found == ["workflow/schemas.py"]  # workflow.schemas.KEY_PATTERN


def test_the_consultation_numbers_are_the_time_rules():
    """The compliance rule and the exit criterion read one default each (``stages.chronology.DEFAULTS``)."""
    literal = [node.args[0].value for node in ast.walk(TREES["compliance/settings.py"])
               if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Setting"
               and node.args[0].value in ("consultation_min_days", "timeline_notice_days")
               and isinstance(node.args[2], ast.Constant)]
    assert literal == []


def test_a_code_names_one_thing():
    """No code is in two message tables (a refusal and a reminder's status once shared three codes,
    each said two ways)."""
    from compliance.reasons import MESSAGES as COMPLIANCE
    from notifications.reasons import WHY
    from stages import STAGES, TIME_RULES
    from stages.reasons import MESSAGES
    from web.i18n import WEB_REASONS

    tables = {"stages.reasons": set(MESSAGES), "compliance.reasons": set(COMPLIANCE), "notifications.reasons": set(WHY),
              "web.i18n": set(WEB_REASONS), "time rules": set(TIME_RULES),
              "exit criteria": {c.code for s in STAGES for c in s.criteria}}
    shared = {(a, b): sorted(tables[a] & tables[b]) for a in tables for b in tables if a < b and tables[a] & tables[b]}
    assert shared == {}


def test_what_is_not_found_is_named_in_each_language():
    """``not_found`` takes a code of the ``thing`` vocabulary, never a word of one language."""
    kinds = set()
    for path, tree in TREES.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("not_found", "get"):
                position = 0 if node.func.id == "not_found" else 3
                if len(node.args) > position and isinstance(node.args[position], ast.Constant):
                    kinds.add(node.args[position].value)
    assert "agency" in kinds and kinds - set(TERMS["thing"]) == set()
