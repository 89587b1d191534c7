"""The limits of free text are the schemas' (``workflow.schemas``): one of three lengths per kind
of text, every free-text field bounded, and a text over its limit refused without a trace."""
from __future__ import annotations

from builders import Proc
from snapshots import refused

from stages.participation import WEB_INPUT_MAX
from workflow.actions import ACTIONS
from workflow.actions.participation import NOTICE_MAX
from workflow.schemas import INPUT_MAX, SHORT_MAX, TEXT_MAX

#: Lengths that are not free text: an email address (RFC 5321) and a password; and the two texts of
#: the public site: a citizen's input typed in the web form, and the privacy notice.
OTHER_LIMITS = {254, 200, WEB_INPUT_MAX, NOTICE_MAX}


def strings(schema: dict, defs: dict, where: str):
    """Every string of a JSON schema, with where it is."""
    if "$ref" in schema:
        yield from strings(defs[schema["$ref"].rsplit("/", 1)[1]], defs, where)
        return
    if schema.get("type") == "string":
        yield where, schema
    for key in ("anyOf", "allOf", "oneOf"):
        for sub in schema.get(key, []):
            yield from strings(sub, defs, where)
    for name, sub in (schema.get("properties") or {}).items():
        yield from strings(sub, defs, f"{where}.{name}")
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from strings(schema[key], defs, f"{where}[]")


def test_every_free_text_field_has_one_of_the_limits():
    unbounded, other = [], []
    for name, action in ACTIONS.items():
        js = action.schema.model_json_schema()
        for where, s in strings(js, js.get("$defs", {}), name):
            if "enum" in s or "const" in s or "pattern" in s or s.get("format") in ("date", "date-time"):
                continue  # a code, a key or a date: bounded by its form
            if "maxLength" not in s:
                unbounded.append(where)
            elif s["maxLength"] not in (SHORT_MAX, TEXT_MAX, INPUT_MAX, *OTHER_LIMITS):
                other.append((where, s["maxLength"]))
    assert unbounded == [] and other == []


def test_a_text_over_its_limit_is_refused_and_changes_nothing(db, clock):
    p = Proc(db, clock)
    exc = refused(db, lambda: p("add_agency", key="sfp", name="x" * (SHORT_MAX + 1)), "invalid_field")
    assert exc.reasons[0].details["problem"] == "too_long" and exc.exit_code == 2
    assert "300" in exc.messages("es")[0]
    p("add_agency", key="sfp", name="x" * SHORT_MAX)
    refused(db, lambda: p("withdraw_sector", sector="civil_society", reason="x" * (TEXT_MAX + 1)), "invalid_field")
