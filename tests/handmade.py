"""Hand-made :class:`stages.Records` for pure tests of exit criteria: plain objects, no database.

``row(**fields)`` is any record; ``records(**lists)`` a tripartite process starting on
2026-01-15 with a 12-month term (so the term ends on 2027-01-15) holding those lists.
``unmet(stage, records)`` lists the codes of the unmet criteria, in the stage's order.
"""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from stages import BY_NAME, Records

TRIPARTITE = {"government": 1, "guarantor": 1, "civil_society": 1}
START = dt.date(2026, 1, 15)


def row(**fields: Any) -> SimpleNamespace:
    return SimpleNamespace(**fields)


def process(**fields: Any) -> SimpleNamespace:
    base = dict(stage="declaration", suspended_from=None, quorum={"sectors": dict(TRIPARTITE), "min_members": 0},
                starts_on=START, term_months=12)
    return SimpleNamespace(**{**base, **fields})


def records(process_fields: dict | None = None, **lists: list) -> Records:
    return Records(process=process(**(process_fields or {})), **lists)


def unmet(stage: str, r: Records) -> list[str]:
    return [reason.code for reason in BY_NAME[stage].unmet(r)]


def items(stage: str, r: Records, code: str) -> list[str]:
    """The offending items reported for ``code`` (``[]`` when it is met)."""
    for reason in BY_NAME[stage].unmet(r):
        if reason.code == code:
            return reason.details["items"]
    return []


def criteria_codes(stage: str) -> set[str]:
    return {c.code for c in BY_NAME[stage].criteria}


def edit(obj: Any, **fields: Any) -> None:
    """Change fields of a hand-made record in place (for one-line mutations in tables)."""
    for name, value in fields.items():
        setattr(obj, name, value)
