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


def _paths(schema: dict, defs: dict, path: tuple = ()):
    """Every string of a JSON schema, as the steps to reach it (a property, a list's item, a map's value)."""
    if "$ref" in schema:
        yield from _paths(defs[schema["$ref"].rsplit("/", 1)[1]], defs, path)
        return
    if schema.get("type") == "string":
        yield path, schema
    for key in ("anyOf", "allOf", "oneOf"):
        for sub in schema.get(key, []):
            yield from _paths(sub, defs, path)
    for name, sub in (schema.get("properties") or {}).items():
        yield from _paths(sub, defs, (*path, name))
    if isinstance(schema.get("items"), dict):
        yield from _paths(schema["items"], defs, (*path, 0))
    if isinstance(schema.get("additionalProperties"), dict):
        yield from _paths(schema["additionalProperties"], defs, (*path, "k"))


def _placed(path: tuple, value: str):
    """A payload holding ``value`` at ``path`` (and nothing else)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    return [_placed(rest, value)] if head == 0 else {head: _placed(rest, value)}


def test_every_string_field_of_every_action_refuses_control_characters():
    """Generic over the registry: a control character (other than newline and tab) in any string
    an action takes, at any depth, is refused at that field; in free text, as a control character."""
    from stages.errors import InvalidInput
    from workflow import engine

    checked, missed = 0, []
    for name, action in ACTIONS.items():
        js = action.schema.model_json_schema()
        for path, s in _paths(js, js.get("$defs", {})):
            if "enum" in s or "const" in s or s.get("format") in ("date", "date-time"):
                continue  # a code or a date: refused by its form, not a text
            field = ".".join(str(p) for p in path)
            if field == "password":
                continue  # a secret, never shown: hashed whole, whatever its characters
            try:
                engine.validate(action.schema, _placed(path, "antes\x07después"))
            except InvalidInput as exc:
                here = [r.details["problem"] for r in exc.reasons if r.details.get("field") == field]
                expected = {"bad_format", "control_characters"} if "pattern" in s else {"control_characters"}
                if not here or not set(here) <= expected:
                    missed.append((name, field, here))
            else:
                missed.append((name, field, "accepted"))
            checked += 1
    assert missed == [] and checked > 100
    # newline and tab are text
    assert engine.validate(ACTIONS["add_theme"].schema, {"key": "t", "name": "Agua", "description": "a\n\tb"})
