"""The error tree: everything the project raises. Every error carries its reasons (a stable
code, a message in the reader's language, the facts behind it) and an exit code.

::

    CocreaError                    exit 1  internal error (a bug, a broken database)
    ├── SpecError                  exit 1  the project's own definitions disagree (raised at import)
    ├── Misuse                     exit 1  code called against its contract (a naive time, a table not loaded)
    ├── InvalidMove                exit 1  the machine was asked for a move that does not exist
    ├── InvalidInput               exit 2  bad input: schema, unknown reference, bad file
    │   ├── NotFound               exit 2  no such process / session / member ...
    │   ├── RuleSetInvalid         exit 2  a compliance rule set that cannot be used
    │   └── BadAddress             exit 2  an email address that cannot be used in a message
    ├── Refused                    exit 3  refused by the process rules
    │   ├── NotAllowed             exit 3  the actor may not do this
    │   └── TransitionBlocked      exit 3  a stage move with unmet exit criteria
    ├── AuditBroken                exit 4  the audit chain does not verify
    ├── ConfigError                exit 5  a setting (database, mail) that cannot be used
    └── DeliveryFailure                    a reminder not delivered (kept on its outbox row)
        ├── TemporaryFailure               4xx, connection lost: retried
        └── PermanentFailure               5xx, bad address: not retried

A refusal is raised inside the action's transaction, so the database is left exactly as
it was.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from i18n import Msg

from . import vocabulary
from .reasons import FIELD_PROBLEMS, MESSAGES


@dataclass(frozen=True)
class Reason:
    """Why something is refused or unmet: a stable code, a message, the facts behind it.

    The message is rendered in the reader's language when asked; codes among the details are
    shown by their names where the message says their kind (:mod:`stages.vocabulary`).
    """

    code: str
    text: Msg
    details: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "es") -> str:
        return vocabulary.render(self.text, lang, **self.details)

    def as_dict(self, lang: str = "es") -> dict[str, Any]:
        return {"code": self.code, "message": self.message(lang), "details": self.details}


def reason(code: str, **details: Any) -> Reason:
    """A reason from the message catalogue (``stages.reasons``)."""
    return Reason(code, MESSAGES[code], details)


class CocreaError(Exception):
    exit_code = 1

    def __init__(self, reasons: Iterable[Reason] | Reason | str):
        if isinstance(reasons, str):
            reasons = [Reason("internal_error", Msg(reasons))]
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


class SpecError(CocreaError):
    """The project's own definitions (stages, rules, reminders, actions) disagree: a bug, found at import."""


class Misuse(CocreaError):
    """Code called against its contract (a naive datetime where a time must say its zone, a table of
    :class:`~stages.Records` read that was not loaded, an unknown kind): a bug in the caller."""


class InvalidMove(CocreaError):
    """A move the machine does not have; the engine asks ``blockers`` first, so this is a bug."""

    def __init__(self, event: str, state: str, target: str | None):
        self.event, self.state, self.target = event, state, target
        super().__init__(f"{event} from {state} (target {target}) is not a move")


class RuleSetInvalid(InvalidInput):
    """A compliance rule set that cannot be used (unknown rule, bad level, bad setting...)."""


class BadAddress(InvalidInput):
    """An address that cannot be put in a header or an SMTP envelope."""

    def __init__(self, address: str):
        self.address = address
        super().__init__([reason("bad_address", address=address)])


class ConfigError(CocreaError):
    """A setting that cannot be used; the message names it. ``problem`` is a text (reason
    ``bad_setting``) or the reasons themselves (``no_database``, ``database_unreachable``...)."""
    exit_code = 5

    def __init__(self, problem: "str | Reason | Iterable[Reason]"):
        super().__init__([reason("bad_setting", problem=problem)] if isinstance(problem, str) else problem)


class DeliveryFailure(CocreaError):
    """A message the mail server did not take; ``code`` is its SMTP reply code, if any."""

    def __init__(self, message: str, code: int | None = None):
        super().__init__([reason("delivery_failed", problem=message)])
        self.code = code
        self.args = (message,)


class TemporaryFailure(DeliveryFailure):
    pass


class PermanentFailure(DeliveryFailure):
    pass


def refuse(code: str, **details: Any) -> Refused:
    return Refused([reason(code, **details)])


def not_found(kind: str, key: Any) -> NotFound:
    """``kind``: a code of the ``thing`` vocabulary (process, session, agency...)."""
    return NotFound([reason("not_found", kind=kind, key=key)])


def field_reason(field: str, problem: str, **details: Any) -> Reason:
    """An ``invalid_field`` reason: ``problem`` (a key of ``FIELD_PROBLEMS``) says what is wrong."""
    return Reason("invalid_field", FIELD_PROBLEMS[problem], {"field": field, "problem": problem, **details})


def invalid_field(field: str, problem: str, **details: Any) -> InvalidInput:
    return InvalidInput([field_reason(field, problem, **details)])


@dataclass(frozen=True)
class RowReason(Reason):
    """A reason about one row of an imported file: ``Fila 12: <the row's reason>``. Its code and
    details are the row's reason's, with ``row`` (the row's number in the file, the header
    being row 1)."""

    inner: Reason | None = None

    def message(self, lang: str = "es") -> str:
        inner = self.inner.message(lang) if self.inner is not None else ""
        return Reason(self.code, self.text, {"row": self.details.get("row"), "problem": inner}).message(lang)


def in_row(row: int, inner: Reason) -> RowReason:
    return RowReason(inner.code, MESSAGES["in_row"], {"row": row, **inner.details}, inner)
