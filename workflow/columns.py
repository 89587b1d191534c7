"""A schema's fields checked a column at a time: the fast path of a bulk import's validation.

:class:`Columns` is derived from a schema's fields (``record_input``'s for ``import_inputs``), so
the schema stays the one place of the rules: each field's own constraints (pydantic's
``StringConstraints``: strip, lengths, pattern; its ``AfterValidator`` functions) are read from
it and applied to a whole column of a batch with C-level calls (``map`` over ``str.strip``,
``len``, the compiled pattern's ``fullmatch``), not a model per row. A field of another kind
(a date) is validated by pydantic itself, once per distinct value of the column (a file's dates
are few), through a ``TypeAdapter`` of the field.

The fast path only **accepts**: a value it is not sure of (one with spaces to strip, a pattern
it does not match, a validator that raises, a type other than ``str``) is not judged by it; its
row is validated by the schema itself, by pydantic (the caller's slow path), which gives the
value or the refusal with its usual code. So the fast path can only be narrower than the schema,
never wider nor different: a value it accepts is the value pydantic gives
(``tests/test_bulk_columns.py`` checks both on random rows). Where it is narrower on purpose:
- Python's ``str.strip`` strips more characters than pydantic-core's (``\\x1c``-``\\x1f`` too),
  so a value that ``str.strip`` leaves unchanged is unchanged by pydantic's; one it would change
  goes to pydantic;
- a pattern is matched by Python's ``re`` with ``fullmatch``; the schema's patterns (keys,
  sectors, emails) hold only classes where ``re`` is at least as strict as pydantic-core's Rust
  engine (``\\s`` holds more characters in ``re``).

An ``AfterValidator`` function may say on which values it changes nothing with an attribute
``unchanged`` (a predicate, e.g. ``str.isprintable`` for the control-character check): a column
whose every value passes it is not run through the function.
"""
from __future__ import annotations

import re
from operator import eq
from typing import Annotated, Any, Optional, Union, get_args, get_origin

from pydantic import AfterValidator, ConfigDict, StringConstraints, TypeAdapter, ValidationError
from pydantic_core import PydanticUndefined

#: A value the fast path does not accept (its row goes to the schema's own validation).
FAIL = object()
#: Distinct values remembered per cached column (a file's dates), a bound on memory.
CACHED = 100_000


def _unwrapped(annotation: Any, metadata: list) -> tuple[Any, list]:
    """``(base type, metadata)`` of a field, ``Optional`` and ``Annotated`` taken apart."""
    meta = list(metadata)
    while True:
        origin = get_origin(annotation)
        if origin is Union:
            args = [a for a in get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation, meta
            annotation = args[0]
        elif origin is Annotated:
            base, *more = get_args(annotation)
            annotation, meta = base, list(more) + meta
        else:
            return annotation, meta


class _Text:
    """A ``str`` field with pydantic's string constraints and after-validators, checked in Python."""

    def __init__(self, constraints: list, afters: list, strip: bool):
        self.strip = strip
        self.min = self.max = None
        self.pattern = None
        for c in constraints:
            self.strip = self.strip or bool(c.strip_whitespace)
            if c.min_length is not None:
                self.min = max(self.min or 0, c.min_length)
            if c.max_length is not None:
                self.max = c.max_length if self.max is None else min(self.max, c.max_length)
            if c.pattern is not None:
                self.pattern = re.compile(c.pattern if isinstance(c.pattern, str) else c.pattern.pattern).fullmatch
        self.afters = afters

    def all(self, values: list) -> list | None:
        """The column validated (every value a non-empty ``str``), or None when any value is not
        surely valid. A column of few distinct values (a channel, a sector) is checked on those."""
        if type(values[0]) is not str or len(set(map(type, values))) != 1:
            return None  # pydantic's to say what another type becomes
        if len(values) > 16:
            few = set(values)
            if len(few) * 4 < len(values):
                few = list(few)
                checked = self.all(few)
                if checked is None:
                    return None
                if checked != few:  # a validator changed some value (once per distinct value)
                    return list(map(dict(zip(few, checked)).__getitem__, values))
                return values
        if self.strip and not all(map(eq, values, map(str.strip, values))):
            return None  # something to strip: pydantic's to say what is left
        lengths = None
        if self.min is not None and self.min > 1:  # an empty cell never reaches here; 1 holds for the rest
            lengths = list(map(len, values))
            if min(lengths) < self.min:
                return None
        if self.max is not None and max(lengths if lengths is not None else map(len, values)) > self.max:
            return None
        if self.pattern is not None and not all(map(self.pattern, values)):
            return None
        for fn in self.afters:
            unchanged = getattr(fn, "unchanged", None)
            if unchanged is not None and all(map(unchanged, values)):
                continue
            try:
                values = list(map(fn, values))
            except Exception:  # noqa: BLE001 - a refusal: pydantic says which, on the slow path
                return None
        return values

    def one(self, value: Any) -> Any:
        got = self.all([value])
        return FAIL if got is None else got[0]


class _Cached:
    """A field of any other type: validated by pydantic (a ``TypeAdapter`` of the field), once per
    distinct value of the column."""

    def __init__(self, adapter: TypeAdapter):
        self.adapter = adapter
        self.seen: dict[Any, Any] = {}

    def one(self, value: Any) -> Any:
        seen = self.seen
        try:
            got = seen.get(value, seen)
        except TypeError:  # unhashable
            return FAIL
        if got is seen:
            try:
                got = self.adapter.validate_python(value)
            except ValidationError:
                got = FAIL
            if len(seen) >= CACHED:
                seen.clear()
            seen[value] = got
        return got

    def all(self, values: list) -> list | None:
        seen = self.seen
        try:
            for v in set(values) - seen.keys():
                self.one(v)
            out = list(map(seen.__getitem__, values))
        except (TypeError, KeyError):  # unhashable values, or the cache cleared while filling it
            out = [self.one(v) for v in values]
        return None if FAIL in out else out


class Columns:
    """The fast checks of a schema's fields, by name (:meth:`column`); ``defaults`` holds each
    field's value when absent (a required field: :data:`FAIL`)."""

    def __init__(self, fields: dict[str, Any], required: tuple[str, ...], config: ConfigDict):
        strip = bool(config.get("str_strip_whitespace"))
        self.checks: dict[str, _Text | _Cached] = {}
        self.defaults: dict[str, Any] = {}
        for name, f in fields.items():
            base, meta = _unwrapped(f.annotation, f.metadata)
            constraints = [x for x in meta if isinstance(x, StringConstraints)]
            afters = [x.func for x in meta if isinstance(x, AfterValidator)]
            plain = all(getattr(c, a) is None for c in constraints
                        for a in ("to_upper", "to_lower", "strict", "ascii_only"))
            if base is str and plain and len(constraints) + len(afters) == len(meta):
                self.checks[name] = _Text(constraints, afters, strip)
            else:
                t = Annotated[(base, *meta)] if meta else base
                self.checks[name] = _Cached(TypeAdapter(Optional[t] if _optional(f.annotation) else t,
                                                        config=config))
            default = f.default if f.default is not PydanticUndefined else None
            self.defaults[name] = FAIL if name in required else default

    def column(self, name: str, cells: list) -> tuple[list, list[int]]:
        """``(values, positions not accepted)`` of one column's cells (an empty cell: absent,
        the field's default; a position not accepted holds :data:`FAIL`)."""
        check, default = self.checks[name], self.defaults[name]
        empty = "" in cells
        present = [c for c in cells if c != ""] if empty else cells
        got = check.all(present) if present else []
        unsure = got is None
        if unsure:  # some value not surely valid: which ones
            got = [check.one(v) for v in present]
        if empty:
            it = iter(got)
            got = [default if c == "" else next(it) for c in cells]
        if unsure or (empty and default is FAIL):
            return got, [i for i, v in enumerate(got) if v is FAIL]
        return got, []


def _optional(annotation: Any) -> bool:
    return get_origin(annotation) is Union and type(None) in get_args(annotation)
