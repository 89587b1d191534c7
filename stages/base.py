"""The shape every stage spec has: pure data and pure functions, no I/O.

A stage declares what it records (the actions allowed while the process is in it) and its
exit criteria. A criterion has a stable snake_case code that states a fact true when met
(``every_input_answered``), a message in Spanish and English for when it is unmet, and a
check: a pure function of :class:`Records` returning the offending items (empty when met).

An unmet criterion is a :class:`~stages.errors.Reason`, the same reason an error carries.
Nothing here imports the rest of the project; storage fills :class:`Records` from the
database, tests may build one by hand.
"""
from __future__ import annotations

import calendar
import datetime as dt
import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence
from zoneinfo import ZoneInfo

from i18n import Msg

from . import vocabulary
from .errors import Misuse, Reason


class NotLoaded:
    """Stands for a table of :class:`Records` that was not read: any use of it is a bug (a
    criterion reading what its stage did not declare in ``Stage.reads``), and says so."""

    def __init__(self, name: str):
        self.name = name

    def _fail(self, *_: Any) -> Any:
        raise Misuse(f"records.{self.name} was not loaded (add it to the stage's reads)")

    __iter__ = __len__ = __bool__ = __getitem__ = __contains__ = _fail


@dataclass
class Records:
    """Everything recorded about one process, as plain objects with attributes.

    Each list holds rows of the process only. ``process`` carries ``quorum``
    (``{"sectors": {sector: min_present}, "min_members": n}``), ``starts_on`` and
    ``term_months``.
    """

    process: Any
    people: list = field(default_factory=list)
    withdrawals: list = field(default_factory=list)
    sessions: list = field(default_factory=list)
    attendance: list = field(default_factory=list)
    decisions: list = field(default_factory=list)
    votes: list = field(default_factory=list)
    documents: list = field(default_factory=list)
    declarations: list = field(default_factory=list)
    channels: list = field(default_factory=list)
    inputs: list = field(default_factory=list)
    themes: list = field(default_factory=list)
    sensitization_sessions: list = field(default_factory=list)
    working_tables: list = field(default_factory=list)
    problem_trees: list = field(default_factory=list)
    commitments: list = field(default_factory=list)
    agencies: list = field(default_factory=list)
    activities: list = field(default_factory=list)
    indicators: list = field(default_factory=list)
    progress_reports: list = field(default_factory=list)
    public_events: list = field(default_factory=list)
    stage_changes: list = field(default_factory=list)
    commitment_versions: list = field(default_factory=list)
    commitment_assessments: list = field(default_factory=list)
    governance_events: list = field(default_factory=list)
    #: The moment the records are judged at (a move's time, a read's now): time rules need it.
    now: dt.datetime | None = None

    # Derived views used by several criteria -------------------------------------------
    @property
    def required_sectors(self) -> dict[str, int]:
        return dict((self.process.quorum or {}).get("sectors") or {})

    @property
    def members(self) -> list:
        return [p for p in self.people if p.role == "member" and p.active]

    def withdrawn_sectors(self) -> set[str]:
        return {w.sector for w in self.withdrawals if w.returned_at is None}

    @property
    def priority_themes(self) -> list:
        return sorted((t for t in self.themes if t.priority is not None), key=lambda t: t.priority)

    @property
    def today(self) -> dt.date | None:
        """The date of ``now`` where the process is (``None`` when no moment was given)."""
        if self.now is None:
            return None
        return self.now.astimezone(ZoneInfo(getattr(self.process, "timezone", None) or "America/Mexico_City")).date()

    @property
    def term_end(self) -> dt.date:
        return add_months(self.process.starts_on, self.process.term_months)


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic collector while the records of a large process are read or judged:
    that makes many acyclic objects, and every collection would rescan all the rows read."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


Check = Callable[[Records], Sequence[Any]]


@dataclass(frozen=True)
class Criterion:
    """An exit criterion: ``check`` returns the offending items; empty means met.

    ``text`` may use ``{items}`` for the offending items and ``{count}`` for their number.
    """

    code: str
    text: Msg
    check: Check

    def evaluate(self, records: Records) -> Reason | None:
        offending = list(self.check(records))
        if not offending:
            return None
        items = [str(x) for x in offending if x is not True]
        return Reason(self.code, self.text, {"items": items, "count": len(offending)})


@dataclass(frozen=True)
class Stage:
    """One of the eight stages: its name, title, what it allows and its exit criteria.

    ``records``: the actions of stage content, recorded only while the process is in this
    stage. ``decisions``: the plan's decision kinds the secretariat may take in it (moves,
    the quorum rule and general agreements may be decided in any open stage). ``reads``: the
    tables of :class:`Records` its criteria read (a stage move loads only those).
    """

    name: str
    records: tuple[str, ...]
    criteria: tuple[Criterion, ...]
    reads: tuple[str, ...]
    decisions: tuple[str, ...] = ()

    @property
    def title(self) -> Msg:
        """The guide's name of the stage (:mod:`stages.vocabulary`)."""
        return vocabulary.TERMS["stage"][self.name]

    def unmet(self, records: Records) -> list[Reason]:
        return [r for c in self.criteria if (r := c.evaluate(records)) is not None]


def missing(condition: bool, item: Any = True) -> list:
    """``[item]`` when ``condition`` is true: a one-item offending list, else empty."""
    return [item] if condition else []


def empty_fields(obj: Any, names: Sequence[str]) -> list[str]:
    """Names of the fields of ``obj`` that are empty (None, '' or an empty collection)."""
    return [n for n in names if getattr(obj, n, None) in (None, "", [], {}, ())]
