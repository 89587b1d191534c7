"""The vocabulary of compliance checking: statuses, evidence items, results and rules.

A rule reads only a process's own records (through :class:`compliance.facts.Facts`) and
returns a :class:`Result`: one of four statuses, the evidence it used and the evidence that
is missing, and what to do next. There is no silent pass: a rule that cannot decide says
``not_enough_data`` and names what it lacks.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from i18n import Msg

if TYPE_CHECKING:  # pragma: no cover
    from .facts import Facts

MET, NOT_MET, NOT_APPLICABLE, NOT_ENOUGH_DATA = "met", "not_met", "not_applicable", "not_enough_data"
STATUSES = (MET, NOT_MET, NOT_APPLICABLE, NOT_ENOUGH_DATA)
LEVELS = ("basic", "advanced")
#: The 2017 grid: phase of the cycle x component.
PHASES = ("throughout", "development", "implementation")
COMPONENTS = ("dissemination", "dialogue", "ownership")
#: The 2022 standards (1-5), plus commitment design (IRM) and the plan calendar.
STANDARD_GROUPS = ("1", "2", "3", "4", "5", "commitments", "process")
#: Evidence and missing items listed per result; the rest is counted.
CAP = 25


@dataclass(frozen=True)
class Item:
    """A piece of evidence (or of missing evidence): what it is, its key, date and link."""

    kind: str
    key: str
    date: str | None = None
    ref: str | None = None
    note: Msg | None = None
    fields: dict = field(default_factory=dict)

    def as_dict(self, lang: str = "es") -> dict[str, Any]:
        return {"kind": self.kind, "key": self.key, "date": self.date, "ref": self.ref,
                "note": self.note.render(lang, **self.fields) if self.note is not None else None}


@dataclass(frozen=True)
class Result:
    """What a rule found. ``final``: a failure that waiting or acting now cannot undo."""

    status: str
    summary: Msg
    details: dict = field(default_factory=dict)
    evidence: tuple[Item, ...] = ()
    evidence_total: int = 0
    missing: tuple[Item, ...] = ()
    missing_total: int = 0
    next_step: Msg | None = None
    final: bool = False
    pending: bool = False

    def message(self, lang: str = "es") -> str:
        return self.summary.render(lang, **self.details)

    def next_message(self, lang: str = "es") -> str | None:
        return self.next_step.render(lang, **self.details) if self.next_step else None


def capped(rows: Sequence[Any], make: Callable[[Any], Item], limit: int = CAP) -> tuple[tuple[Item, ...], int]:
    """Items for the first ``limit`` rows, and how many rows there are in all."""
    return tuple(make(r) for r in rows[:limit]), len(rows)


def result(status: str, summary: Msg, *, evidence: Iterable[Item] | tuple = (), missing: Iterable[Item] | tuple = (),
           evidence_total: int | None = None, missing_total: int | None = None, next_step: Msg | None = None,
           final: bool = False, **details: Any) -> Result:
    ev, mi = tuple(evidence), tuple(missing)
    return Result(status, summary, details, ev[:CAP], len(ev) if evidence_total is None else evidence_total,
                  mi[:CAP], len(mi) if missing_total is None else missing_total, next_step, final)


def met(summary: Msg, **kw: Any) -> Result:
    return result(MET, summary, **kw)


def not_met(summary: Msg, **kw: Any) -> Result:
    return result(NOT_MET, summary, **kw)


def not_applicable(summary: Msg, **kw: Any) -> Result:
    return result(NOT_APPLICABLE, summary, **kw)


def not_enough_data(summary: Msg, **kw: Any) -> Result:
    return result(NOT_ENOUGH_DATA, summary, **kw)


def as_pending(r: Result, due_title: Msg) -> Result:
    """A failure of a requirement that is not due yet: reported as not applicable, for now."""
    return replace(r, status=NOT_APPLICABLE, pending=True, details={**r.details, "_due": due_title})


@dataclass(frozen=True)
class Rule:
    """One checkable requirement.

    ``standard``: the 2022 group it serves; ``phase``/``component``: its cell in the 2017
    grid; ``level``: basic or advanced by default (a rule set may change it); ``due``: the
    stage at whose end it must be met (``None``: it runs on the calendar, ``"*"``: every
    stage); ``reads``: the records it uses; ``settings``: the thresholds it reads.
    """

    id: str
    title: Msg
    condition: Msg
    standard: str
    phase: str
    component: str
    level: str
    due: str | None
    reads: tuple[str, ...]
    settings: tuple[str, ...]
    check: Callable[["Facts"], Result]

    @property
    def code(self) -> str:
        return "compliance_" + self.id.replace("-", "_")
