"""The error tree. Every refusal carries its reasons (code, message es/en, details).

::

    CocreaError                    exit 1  internal error (a bug, a broken database)
    ├── InvalidInput               exit 2  bad input: schema, unknown reference, bad file
    │   └── NotFound               exit 2  no such process / session / member ...
    ├── Refused                    exit 3  refused by the process rules
    │   ├── NotAllowed             exit 3  the actor may not do this
    │   └── TransitionBlocked      exit 3  a stage move with unmet exit criteria
    └── AuditBroken                exit 4  the audit chain does not verify

A refusal is raised inside the action's transaction, so the database is left exactly as
it was.
"""
from __future__ import annotations

from typing import Any, Iterable

from stages.base import Reason, Text

from .reasons import MESSAGES


def reason(code: str, **details: Any) -> Reason:
    """A reason from the message catalogue (``stages.reasons``)."""
    return Reason(code, MESSAGES[code], details)


class CocreaError(Exception):
    exit_code = 1

    def __init__(self, reasons: Iterable[Reason] | Reason | str):
        if isinstance(reasons, str):
            reasons = [Reason("internal_error", Text(reasons, reasons))]
        elif isinstance(reasons, Reason):
            reasons = [reasons]
        self.reasons: list[Reason] = list(reasons)
        super().__init__("; ".join(r.message("en") for r in self.reasons))

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.reasons]

    def messages(self, lang: str = "es") -> list[str]:
        return [r.message(lang) for r in self.reasons]

    def as_dict(self, lang: str = "es") -> dict[str, Any]:
        return {"error": type(self).__name__, "reasons": [r.as_dict(lang) for r in self.reasons]}


class InvalidInput(CocreaError):
    exit_code = 2


class NotFound(InvalidInput):
    pass


class Refused(CocreaError):
    exit_code = 3


class NotAllowed(Refused):
    pass


class TransitionBlocked(Refused):
    pass


class AuditBroken(CocreaError):
    exit_code = 4


def refuse(code: str, **details: Any) -> Refused:
    return Refused([reason(code, **details)])


def not_found(kind: str, key: Any) -> NotFound:
    return NotFound([reason("not_found", kind=kind, key=key)])
