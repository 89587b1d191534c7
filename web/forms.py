"""HTML forms from the actions' own schemas, and submitted forms back into payloads.

Every action gets a form without hand-written HTML: its fields come from the JSON schema
of ``ACTIONS[name].schema``. Parsing only reshapes what was typed into the payload's structure
(lines into lists; a table's cells ``name.<row>.<column>`` into objects; one box per key
``name.<key>`` into a mapping); it never checks a value: the action validates, so the web layer
holds no rule and the CLI, the API and the forms refuse the same input with the same reasons.
No field is a JSON text for people to write: a mapping is one box per key the page offers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

#: Free-text fields long enough for a text area.
LONG = {"text", "rationale", "problem", "description", "methodology", "reason", "justification", "objective",
        "outcome", "cause"}
#: Field names never shown in a form (filled by the page, or not for people).
HIDDEN_ALWAYS = {"member"}
TRUE = {"on", "true", "1", "yes", "si", "sí", "x", "*"}


@dataclass
class FormField:
    name: str
    kind: str  # text | textarea | select | checkbox | checks | date | datetime | number | lines | rows | pairs | json | group
    required: bool = False
    options: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    bool_columns: list[str] = field(default_factory=list)
    default: Any = None
    description: str = ""
    children: list["FormField"] = field(default_factory=list)


def _resolve(prop: dict, defs: dict) -> dict:
    if "$ref" in prop:
        return defs[prop["$ref"].split("/")[-1]]
    return prop


def _unwrap(prop: dict) -> tuple[dict, bool]:
    """(the non-null alternative, optional?) of an ``anyOf [X, null]``."""
    if "anyOf" in prop:
        alts = [p for p in prop["anyOf"] if p.get("type") != "null"]
        if len(alts) == 1:
            merged = {**alts[0], **{k: v for k, v in prop.items() if k != "anyOf"}}
            return merged, True
    return prop, False


def _field(name: str, prop: dict, defs: dict, required: bool, prefix: str = "") -> FormField:
    prop, _ = _unwrap(prop)
    full = f"{prefix}{name}"
    desc = prop.get("description", "")
    default = prop.get("default")
    if "$ref" in prop:
        sub = _resolve(prop, defs)
        children = [_field(n, p, defs, n in sub.get("required", []), prefix=f"{full}.")
                    for n, p in sub.get("properties", {}).items()]
        return FormField(full, "group", required, description=desc, children=children)
    if "enum" in prop or "const" in prop:
        return FormField(full, "select", required, options=list(prop.get("enum") or [prop["const"]]),
                         default=default, description=desc)
    kind = prop.get("type")
    if kind == "boolean":
        return FormField(full, "checkbox", required, default=bool(default), description=desc)
    if kind == "integer":
        return FormField(full, "number", required, default=default, description=desc)
    if kind == "array":
        items = _resolve(prop.get("items", {}), defs)
        if "enum" in items:
            return FormField(full, "checks", required, options=list(items["enum"]), description=desc)
        if items.get("type") == "object":
            props = items.get("properties", {})
            return FormField(full, "rows", required, columns=list(props), description=desc,
                             bool_columns=[k for k, v in props.items() if v.get("type") == "boolean"])
        return FormField(full, "lines", required, description=desc)
    if kind == "object":
        extra = prop.get("additionalProperties") or next(iter((prop.get("patternProperties") or {}).values()), None)
        if isinstance(extra, dict) and extra.get("type") == "integer":
            return FormField(full, "pairs", required, default=default, description=desc)
        return FormField(full, "json", required, description=desc)
    fmt = prop.get("format")
    if fmt == "date":
        return FormField(full, "date", required, default=default, description=desc)
    if fmt == "date-time":
        return FormField(full, "datetime", required, default=default, description=desc)
    if name in LONG or (prop.get("maxLength") or 0) > 300:
        return FormField(full, "textarea", required, default=default, description=desc)
    return FormField(full, "text", required, default=default, description=desc)


def fields_for(schema: type[BaseModel]) -> list[FormField]:
    js = schema.model_json_schema()
    defs = js.get("$defs", {})
    required = set(js.get("required", []))
    return [_field(n, p, defs, n in required) for n, p in js.get("properties", {}).items() if n not in HIDDEN_ALWAYS]


def leaves(fields: list[FormField]) -> list[FormField]:
    out = []
    for f in fields:
        out.extend(leaves(f.children) if f.kind == "group" else [f])
    return out


def parse(schema: type[BaseModel], form: dict[str, Any], fixed: dict[str, Any] | None = None) -> dict[str, Any]:
    """The payload an action receives from a submitted form (``form``: name -> str or list)."""
    payload: dict[str, Any] = {}
    for f in leaves(fields_for(schema)):
        value = _value(f, typed(f, form))
        if value is _OMIT:
            continue
        target = payload
        *parents, leaf = f.name.split(".")
        for p in parents:
            target = target.setdefault(p, {})
        target[leaf] = value
    for k, v in (fixed or {}).items():
        payload[k] = v
    return payload


_OMIT = object()


def typed(f: FormField, form: dict[str, Any]) -> Any:
    """What was typed for ``f``: a mapping's boxes (``name.<key>``) as a dict, a table's cells
    (``name.<row>.<column>``) as a list of dicts in row order, any other field as it came."""
    prefix = f.name + "."
    if f.kind in ("pairs", "json"):
        return {k[len(prefix):]: v for k, v in form.items() if k.startswith(prefix) and k[len(prefix):]}
    if f.kind == "rows":
        rows: dict[int, dict[str, Any]] = {}
        for k, v in form.items():
            index, _, column = k[len(prefix):].partition(".")
            if k.startswith(prefix) and index.isdigit() and column in f.columns:
                rows.setdefault(int(index), {})[column] = v
        return [rows[i] for i in sorted(rows)]
    return form.get(f.name)


def _text(raw: Any) -> str:
    if isinstance(raw, list):
        raw = raw[-1] if raw else ""
    return "" if raw is None else str(raw)


def _value(f: FormField, raw: Any) -> Any:
    if f.kind == "checkbox":
        return _text(raw).strip().lower() in TRUE
    if f.kind == "checks":
        values = raw if isinstance(raw, list) else ([raw] if raw else [])
        return [str(v) for v in values if str(v).strip()] or (_OMIT if not f.required else [])
    if f.kind == "lines" and isinstance(raw, list):  # checkboxes (e.g. members present)
        return [str(v).strip() for v in raw if str(v).strip()]
    if f.kind in ("pairs", "json"):
        boxes = {k: v for k, v in ((k, _text(v).strip()) for k, v in (raw or {}).items()) if v}
        return boxes or _OMIT
    if f.kind == "rows":
        rows = [_row(f, cells) for cells in raw or []]
        return [r for r in rows if any(v for k, v in r.items() if k not in f.bool_columns)] or _OMIT
    text = _text(raw)
    if not text.strip():
        return _OMIT
    if f.kind == "lines":
        return [line.strip() for line in text.splitlines() if line.strip()]
    return text.strip()


def _row(f: FormField, cells: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for col in f.columns:
        text = _text(cells.get(col)).strip()
        if col in f.bool_columns:
            row[col] = text.lower() in TRUE
        elif text:
            row[col] = text
    return row


def initial(fields: list[FormField], values: dict[str, Any]) -> dict[str, Any]:
    """Form values to show: what the user typed (kept on refusal) or each field's default."""
    out: dict[str, Any] = {}
    for f in leaves(fields):
        if f.name in values:
            out[f.name] = values[f.name]
        elif f.kind in ("pairs", "json"):
            out[f.name] = {}
        elif f.kind == "rows":
            out[f.name] = []
        elif f.kind == "checkbox":
            out[f.name] = "on" if f.default else ""
        elif f.default is not None and f.kind != "checks":
            out[f.name] = str(f.default)
        else:
            out[f.name] = [] if f.kind == "checks" else ""
    return out
