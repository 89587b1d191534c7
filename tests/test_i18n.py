"""The catalogues are whole and the messages say what they mean in the reader's language.

- every message of the code is in the Spanish catalogue, translated, and compiled (``.mo`` fresh);
- every reason code raised has a message, and every message is raised by something;
- a Spanish text never shows a code of the vocabulary (``civil_society``, ``advance``...) raw:
  messages name a code's kind (``{stage:stage}``) so the reader sees its name;
- plurals follow the number.
"""
from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from i18n import NN_, catalog, gettext
from notifications.reasons import WHY
from stages import vocabulary
from stages.errors import field_reason, reason
from stages.reasons import FIELD_PROBLEMS, MESSAGES

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ("stages", "storage", "workflow", "reads", "compliance", "notifications", "web", "cli")
RAISING = {"reason", "refuse", "web_reason", "compliance_reason"}  # functions whose first argument is a reason code


def _calls(name_set: set[str]) -> dict[str, list[str]]:
    """First string argument of every call to one of ``name_set``, with where it is."""
    found: dict[str, list[str]] = {}
    for base in SOURCE_DIRS:
        for path in (ROOT / base).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                        and isinstance(node.args[0].value, str):
                    fn = node.func.id if isinstance(node.func, ast.Name) else \
                        node.func.attr if isinstance(node.func, ast.Attribute) else None
                    if fn in name_set:
                        found.setdefault(node.args[0].value, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_the_catalogues_are_whole_translated_and_compiled():
    assert catalog.problems("es") == []


def _reason_tables() -> dict[str, dict]:
    """Every table of reason messages: one shape (code -> Msg), one per area that gives reasons."""
    from compliance.reasons import MESSAGES as COMPLIANCE_REASONS
    from web.i18n import WEB_REASONS

    return {"stages/reasons.py": MESSAGES, "web/i18n.py": WEB_REASONS, "compliance/reasons.py": COMPLIANCE_REASONS,
            "notifications/reasons.py": WHY}


def test_every_reason_raised_has_a_message_and_every_message_is_raised():
    tables = _reason_tables()
    known = set().union(*tables.values())
    raised = _calls(RAISING)
    assert {code: where for code, where in raised.items() if code not in known} == {}
    for where, table in tables.items():
        source = "\n".join(p.read_text(encoding="utf-8") for d in SOURCE_DIRS for p in (ROOT / d).rglob("*.py")
                           if str(p.relative_to(ROOT)) != where)
        assert [code for code in table if f'"{code}"' not in source] == [], where


def test_compliance_builds_reasons_only_through_its_table():
    """No ``Reason(...)`` in compliance but in ``compliance_reason`` itself (a gate reason carries
    its rule's own code, ``compliance_<rule id>``, and says :data:`compliance.reasons.GATE`)."""
    built = [f"{path.relative_to(ROOT)}:{node.lineno}" for path in (ROOT / "compliance").rglob("*.py")
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Reason"]
    assert {b.split(":")[0] for b in built} == {"compliance/gates.py", "compliance/reasons.py"}


def test_every_compliance_problem_raised_has_a_message_and_every_message_is_raised():
    from compliance.reasons import MESSAGES as COMPLIANCE_REASONS
    from compliance.reasons import PROBLEMS

    assert set(PROBLEMS) <= set(COMPLIANCE_REASONS)
    raised: dict[str, set[str]] = {}
    for path in (ROOT / "compliance").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            fn = node.func.id if isinstance(node.func, ast.Name) else None
            strings = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            keywords = {k.arg: k.value.value for k in node.keywords if isinstance(k.value, ast.Constant)}
            if fn == "_bad" and node.args and isinstance(node.args[-1], ast.Constant):  # rulesets._bad(field, problem)
                raised.setdefault("compliance_bad_ruleset", set()).add(node.args[-1].value)
            elif fn == "compliance_reason" and "problem" in keywords:
                raised.setdefault(strings[0], set()).add(keywords["problem"])
    settings = (ROOT / "compliance" / "settings.py").read_text(encoding="utf-8")
    raised.setdefault("compliance_bad_setting", set()).update(
        p for p in PROBLEMS["compliance_bad_setting"] if f'"{p}"' in settings)
    assert {code: set(table) for code, table in PROBLEMS.items()} == raised


def test_compliance_reasons_read_in_each_language():
    from compliance import rulesets
    from compliance.reasons import GATE
    from stages.errors import RuleSetInvalid

    with pytest.raises(RuleSetInvalid) as bad:
        rulesets.parse({"name": "Mío", "version": "", "rules": "website", "colour": 1,
                        "settings": {"forum_max_gap_months": -1, "implementation_starts_at": "later"}})
    es, en = bad.value.messages("es"), bad.value.messages("en")
    assert "El conjunto de reglas no se puede usar: «colour» no es un campo de un conjunto de reglas" in es[0]
    assert any("«name» admite minúsculas" in m for m in es) and any("'rules' must be a list." in m for m in en)
    assert "Un ajuste de cumplimiento no se puede usar: «settings.forum_max_gap_months» debe ser un número entero" \
        in " ".join(es)
    assert not [m for m in es + en if " / " in m or "{" in m]
    assert [r.details["problem"] for r in bad.value.reasons if r.code == "compliance_bad_ruleset"] == \
        ["unknown_field", "bad_name", "required", "not_a_list"]
    assert {"{rule}", "{summary}"} <= {"{" + f + "}" for _, f, _, _ in string.Formatter().parse(GATE.msgid) if f}


def test_every_field_problem_is_used():
    raised = _calls({"field_reason", "invalid_field"})
    problems = {where for calls in raised.values() for where in calls}
    assert problems  # the helper is called somewhere
    source = "\n".join(p.read_text(encoding="utf-8") for d in SOURCE_DIRS for p in (ROOT / d).rglob("*.py")
                       if p.name != "reasons.py")
    assert [p for p in FIELD_PROBLEMS if f'"{p}"' not in source] == []


#: Detail fields that carry codes of the vocabulary: a message must name their kind.
CODE_FIELDS = {"stage": "stage", "target": "stage", "proposed_in": "stage", "allowed": None, "sector": "sector",
               "event": "event", "action": "action", "role": "role", "kind": None, "status": None}


@pytest.mark.parametrize("table", [MESSAGES, FIELD_PROBLEMS, WHY], ids=["reasons", "field problems", "reminders"])
def test_fields_holding_codes_are_shown_by_their_names(table):
    bare = {}
    for code, msg in table.items():
        for _, field, spec, _ in string.Formatter().parse(msg.msgid):
            if field in CODE_FIELDS and not spec:
                bare.setdefault(code, []).append(field)
    assert bare == {}


def _raw_codes() -> set[str]:
    """Codes of the vocabulary that read as English (their Spanish name differs)."""
    codes = set()
    for kind, terms in vocabulary.TERMS.items():
        for code in terms:
            if vocabulary.label(kind, code, "es").lower() != code.replace("_", " "):
                codes.add(code)
    return codes


#: Codes that are Spanish words too.
SPANISH_TOO = {"plan", "general", "federal"}
#: The catalogues checked for raw codes (each area joins when its texts are reviewed).
CHECKED_DOMAINS = ("core", "web", "cli", "compliance", "notifications")


def test_no_spanish_message_shows_a_code_raw():
    codes = _raw_codes()
    assert {"civil_society", "advance", "monitoring", "government"} <= codes
    offenders = []
    for domain in CHECKED_DOMAINS:
        if not catalog.po_path("es", domain).exists():
            continue
        for m in catalog.read("es", domain):
            if not m.id:
                continue
            texts = m.string if isinstance(m.string, tuple) else (m.string,)
            for text in texts:
                visible = re.sub(r"\{[^}]*\}|%\([^)]*\)[sd]", " ", text or "")  # fields are filled later
                words = set(re.findall(r"[^\W\d_]\w*", visible))
                raw = sorted(words & codes - SPANISH_TOO)
                if raw:
                    offenders.append((domain, m.id, raw))
    assert offenders == []


def test_spanish_quotes_names_with_guillemets():
    """The house style: a quoted name, key or command reads «…» in Spanish, never '…', "…" or “…”
    (an apostrophe inside a word, as in a name, is not a quote)."""
    from i18n import DOMAINS

    quoted = re.compile(r"(?<!\w)'[^'\n]+'(?!\w)|\"[^\"\n]+\"|“[^”]*”|‘[^’]*’")
    offenders = []
    for domain in DOMAINS:
        if not catalog.po_path("es", domain).exists():
            continue
        for m in catalog.read("es", domain):
            texts = m.string if isinstance(m.string, tuple) else (m.string,)
            offenders += [(domain, text) for text in texts if m.id and quoted.search(text or "")]
    assert offenders == []


def test_a_message_said_in_two_domains_has_one_translation():
    """The domains are chained into one catalogue per language (the first that has a message
    answers): the same English said in two areas must read the same, or use a context."""
    from i18n import DOMAINS

    seen: dict[tuple, tuple[str, object]] = {}
    differ = []
    for domain in DOMAINS:
        if not catalog.po_path("es", domain).exists():
            continue
        for m in catalog.read("es", domain):
            if not m.id:
                continue
            key = (m.id if isinstance(m.id, str) else m.id[0], m.context)
            if key in seen and seen[key][1] != m.string:
                differ.append((key, seen[key], (domain, m.string)))
            seen.setdefault(key, (domain, m.string))
    assert differ == []


def test_a_refusal_reads_with_names_in_each_language():
    r = reason("not_in_stage", action="record_input", allowed=["consultation"], stage="monitoring")
    assert r.message("es") == ("Registrar una aportación: se registra en la etapa «Consulta sobre temas a tratar»; "
                               "el proceso está en «Seguimiento y monitoreo».")
    assert "'Monitoring'" in r.message("en") and "monitoring'" not in r.message("en")
    gone = reason("required_sector_withdrawn", items=["civil_society", "guarantor"])
    assert gone.message("es").endswith("sociedad civil, órgano garante.")
    assert reason("not_found", kind="agency", key="sfp").message("en") == "Not found: the agency 'sfp'."
    assert reason("not_found", kind="agency", key="sfp").message("es") == "No existe la dependencia «sfp»."


def test_plurals_follow_the_number():
    short = field_reason("password", "too_short", min_length=10)
    assert short.message("es") == "«password» necesita al menos 10 caracteres."
    assert field_reason("password", "too_short", min_length=1).message("es") == "«password» necesita al menos 1 carácter."
    assert field_reason("name", "too_long", max_length=1).message("en") == "'name' takes at most 1 character."
    msg = NN_("{count} seat", "{count} seats")
    assert [msg.render("en", count=n) for n in (1, 2)] == ["1 seat", "2 seats"]


def test_an_unknown_code_shows_as_it_is_and_english_needs_no_catalogue():
    assert vocabulary.label("sector", "cooperativas", "es") == "cooperativas"
    assert gettext("en", "Monitoring") == "Monitoring"
