"""The vocabulary of compliance checking: statuses, evidence items, results and rules.

A rule reads only a process's own records (through :class:`compliance.facts.Facts`) and
returns a :class:`Result`: one of four statuses, the evidence it used and the evidence that
is missing, and what to do next. There is no silent pass: a rule that cannot decide says
``not_enough_data`` and names what it lacks.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from i18n import Lazy, Msg
from stages import vocabulary

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


def show(msg: Msg, lang: str, fields: dict) -> str:
    """``msg`` in ``lang``: codes by their names (``{field:kind}``), plurals by the number, and
    fields that are messages themselves (a counted phrase, a list of names) said in ``lang`` too."""
    shown = {k: (v.render(lang) if isinstance(v, Msg) else v) for k, v in fields.items()}
    if ":" in msg.msgid or any(isinstance(v, (list, tuple, set)) for v in shown.values()):
        return vocabulary.render(msg, lang, **shown)
    return msg.render(lang, **shown)  # no code to name, nothing to join: plain str.format is enough


def counted(msg: Msg, n: int, **fields: Any) -> Msg:
    """A plural phrase bound to its number, to be said inside another message:
    ``counted(NN_("{count} member", "{count} members"), 3)``."""
    return Lazy(lambda lang: vocabulary.render(msg, lang, count=n, **fields))


def named(names: dict[str, Msg], codes: Iterable[str]) -> Msg:
    """Codes of a local vocabulary (``names``: code -> Msg) joined by their names in the reader's language."""
    codes = list(codes)
    return Lazy(lambda lang: ", ".join(names[c].render(lang) if c in names else c for c in codes))




#: Items known to the public by their number (the minutes cite them; an input's author has its number),
#: or shown by what they are (a sector, a stage, a period).
NUMBERED = frozenset({"session", "decision", "input", "sector", "stage", "gap", "window", "setting", "declaration",
                      "plan", "sectors"})


@dataclass(frozen=True)
class Item:
    """A piece of evidence (or of missing evidence): what it is, its key, date and link.

    ``name``: what the item is, in words, when its key is not something a reader knows it by
    (what is missing: "an online channel", "the plan's term"); otherwise the item is its kind
    and its key ("session S3"); a sector or a stage is shown by its name ("civil society").
    """

    kind: str
    key: str
    date: str | None = None
    ref: str | None = None
    note: Msg | None = None
    fields: dict = field(default_factory=dict)
    name: Msg | None = None

    def text(self, lang: str = "es") -> str:
        from .messages import KIND, SPAN, STAGE_ITEM

        if self.name is not None:
            return show(self.name, lang, self.fields)
        if self.kind == "sector":
            return vocabulary.label("sector", self.key, lang)
        if self.kind == "stage":
            return vocabulary.render(STAGE_ITEM, lang, stage=self.key)
        kind = KIND[self.kind].render(lang) if self.kind in KIND else self.kind
        if self.kind in ("window", "gap") and self.key.count("/") == 1:
            start, end = self.key.split("/")
            key = SPAN.render(lang, start=start, end=end)
        else:
            key = self.key
        return f"{kind} {key}"

    def public_text(self, lang: str = "es") -> str:
        """:meth:`text` for the public page: an item known by an internal key (an activity, a
        commitment, a document, a member...) is its kind alone, its note naming it (its title,
        an organisation) and its date dating it; sessions, decisions and inputs keep their numbers, which the minutes and
        the participants use."""
        if self.name is not None or self.kind in NUMBERED:
            return self.text(lang)
        from .messages import KIND

        return KIND[self.kind].render(lang) if self.kind in KIND else self.kind

    def as_dict(self, lang: str = "es") -> dict[str, Any]:
        return {"kind": self.kind, "key": self.key, "text": self.text(lang), "date": self.date, "ref": self.ref,
                "note": show(self.note, lang, self.fields) if self.note is not None else None,
                "label": self.public_text(lang)}


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
        return show(self.summary, lang, self.details)

    def next_message(self, lang: str = "es") -> str | None:
        return show(self.next_step, lang, self.details) if self.next_step else None


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
