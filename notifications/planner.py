"""Which reminders are due now: a pure function of a process's records, its settings and a clock.

:func:`due_reminders` returns one :class:`Planned` per reminder to send now;
:func:`plan` returns every reminder point it considered, each with why it is or is not
sent (``not_yet_due``, ``superseded``, ``suspended_process``, ``no_email`` ...), for
``cocrea reminders plan``. Both read the rules in :mod:`stages.reminders`.

Time: a reminder's point is a local date (the anchor date plus its offset, in the process's
timezone); it is due from ``send_hour`` local time that day (a witness of the record, the head
at a session's close, is due from the instant of the close, whatever the hour). Within one series (same rule
family, subject and person) only the latest due point is sent; earlier due points are
superseded, and an advance notice whose date has passed is not sent late (``date_passed``).
Because the result depends only on the records and the clock, editing a date re-plans what
is due, and running the planner twice plans the same keys.

Why one module: planning is one pure function (:func:`due_reminders`); its helpers (the moment,
the people, one subject function per anchor) share private types and are used nowhere else, so
apart they would only ever be read together.
"""
from __future__ import annotations

import datetime as dt
import functools
import gc
from contextlib import contextmanager
from bisect import bisect_right
from collections import defaultdict, namedtuple
from dataclasses import dataclass
from types import MappingProxyType, SimpleNamespace
from typing import Any, Callable, Iterable, Iterator, Mapping
from zoneinfo import ZoneInfo

from stages import CLOSED, SUSPENDED, Records, add_months
from stages.errors import Reason
from stages.errors import Misuse
from stages.reminders import RULES, ReminderRule, effective_settings

from .reasons import why

UTC = dt.timezone.utc
DAY = dt.timedelta(days=1)
_NEVER = dt.date.min  # the last report of an activity never reported
LIST_LIMIT = 50  # items listed in one email (digest, progress report); the rest are counted


_FIELDS = ("key", "kind", "series", "process_id", "subject", "label", "due_on", "due_at", "person_id", "handle",
           "email", "lang", "status", "details", "make_context")
#: The details of a reminder without any (most): one shared, read-only.
NO_DETAILS: Mapping[str, Any] = MappingProxyType({})


#: A named tuple of the fields, whose field accessors :class:`Planned` takes (C descriptors).
_Fields = namedtuple("_Fields", _FIELDS)


class Planned(tuple):
    """One reminder point for one person, with its status (``due`` or why not): a tuple of the
    fields ``_FIELDS``, read by name (``p.key``, ``p.email`` ...).

    A tuple, not a dataclass: planning builds tens of thousands at once, and a tuple subclass with
    no ``__new__`` of its own is made in one C call (``Planned(fields)``), not through a Python
    ``__init__`` (measured: 84,000 in about half the time); :meth:`of` makes one by field names.
    ``make_context`` builds the template's fields from this reminder (called with it): one
    callable shared by many reminders (every activity reminder of a plan shares one), not one
    closure each. ``context``, the template's fields, is an attribute, not a field: ``None`` (the
    class's) until given or built (:meth:`template_context`); only the instances that have one pay
    for it (an instance dictionary)."""

    _fields = _FIELDS
    context: dict | None = None

    @classmethod
    def of(cls, key: str, kind: str, series: str, process_id: int, subject: str, label: str, due_on: dt.date,
           due_at: dt.datetime, person_id: int, handle: str, email: str | None, lang: str, status: str,
           details: Mapping[str, Any] | None = None, make_context: Callable[["Planned"], dict] | None = None,
           context: dict | None = None) -> "Planned":
        self = cls((key, kind, series, process_id, subject, label, due_on, due_at, person_id, handle, email, lang,
                    status, details or NO_DETAILS, make_context))
        if context is not None:
            self.context = context
        return self

    def __repr__(self) -> str:
        return "Planned(" + ", ".join(f"{name}={value!r}" for name, value in zip(_FIELDS, self)) + ")"

    @property
    def reason(self) -> Reason:
        return why(self.status, **self.details)

    def template_context(self) -> dict:
        """The template's fields, built on first use (planning thousands need none of them)."""
        if self.context is None and self.make_context is not None:
            self.context = self.make_context(self)
        return self.context or {}


for _name in _FIELDS:  # p.key reads item 0 ..., as a named tuple's fields do
    setattr(Planned, _name, vars(_Fields)[_name])


#: Young objects above which :func:`bulk` (``promote``) hands them to the oldest generation.
PROMOTE_AFTER = 10_000


@contextmanager
def bulk(promote: bool = False) -> Iterator[None]:
    """No cyclic garbage collection while tens of thousands of objects are built at once (the
    reminders, the rows they are planned from): none of them is garbage, and each collection
    the allocations trigger would walk every object of the program (measured: planning 20,000
    activities took twice as long with it). Reference counting frees as ever; the collector runs
    again at the end. With ``promote``, what was built is handed to the collector's oldest
    generation (``gc.freeze`` then ``gc.unfreeze``, two list splices), not left young: the next
    young collection would otherwise walk all of it at once (~130,000 objects after planning
    100,000 activities, ~20 ms) only to find no cycle; a reminder's objects are acyclic and die by
    reference counting once stored or sent. Whatever else was young goes along, its cycles (if
    any) freed at the next full collection instead of the next young one; so only when more than
    :data:`PROMOTE_AFTER` objects are young (a sweep's plan, not an action's few reminders)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            # A sweep's plan, not an action's few; and never when something else froze objects (a
            # server before forking): unfreezing would hand its objects back to the collector too.
            if promote and gc.get_count()[0] > PROMOTE_AFTER and gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def reminder_key(kind: str, process_id: int, subject: str, due_on: dt.date, person_id: int) -> str:
    """The idempotency key: rule, subject, due date, recipient. Also the Message-ID's left part."""
    return f"{kind}.{process_id}.{subject}.{due_on:%Y%m%d}.{person_id}"


def due_reminders(records: Records, now: dt.datetime, settings: dict | None = None, *,
                  contexts: bool = True, anchors: frozenset[str] | None = None,
                  activities: frozenset[int] | None = None) -> list[Planned]:
    """The reminders to send now; with ``contexts=False`` their template fields are built
    only when :meth:`Planned.template_context` is first called. ``anchors`` limits the plan to
    the rules counting from those dates (what an action touched); ``None``: every rule.
    ``activities`` (ids) limits each activity's own reminders to those activities (an agency's
    report counts every activity of ``records``: after an action, the touched ones alone, which
    plans a part of what is due, see ``notifications.snapshot``)."""
    found: list[Planned] = []
    with bulk(promote=True):
        for batch in _plan(records, now, settings, full=False, anchors=anchors, activities=activities):
            found += batch
    if contexts:
        for p in found:
            p.template_context()
    return found


def plan(records: Records, now: dt.datetime, settings: dict | None = None) -> list[Planned]:
    """Every reminder point considered now, due or not, with the reason."""
    return [p for batch in _plan(records, now, settings, full=True) for p in batch]


# --- the moment and the people ----------------------------------------------------------


class _Moment:
    def __init__(self, process: Any, settings: dict, now: dt.datetime):
        if now.tzinfo is None:
            raise Misuse("the planner needs a timezone-aware now")
        self.tz = ZoneInfo(process.timezone)
        self.now = now.astimezone(UTC)
        local = self.now.astimezone(self.tz)
        self.today = local.date()
        self.send_hour = int(settings["send_hour"])
        self.last_due_day = self.today if local.hour >= self.send_hour else self.today - DAY
        self._due_at: dict[dt.date, dt.datetime] = {}
        self._ymd: dict[dt.date, str] = {}

    def ymd(self, day: dt.date) -> str:
        """``day`` as the key writes it (``reminder_key``), computed once per day."""
        found = self._ymd.get(day)
        if found is None:
            found = self._ymd[day] = f"{day:%Y%m%d}"
        return found

    def due_at(self, day: dt.date) -> dt.datetime:
        found = self._due_at.get(day)
        if found is None:
            found = self._due_at[day] = dt.datetime.combine(day, dt.time(self.send_hour), self.tz).astimezone(UTC)
        return found

    def local_date(self, when: dt.datetime) -> dt.date:
        return when.astimezone(self.tz).date()


@dataclass(slots=True)
class _Subject:
    """Something reminders are about, with its anchor dates and how to describe it."""

    id: str
    label: str
    anchors: list[dt.date]
    people: Callable[[str], list]
    context: Callable[[dt.date, Any, str], dict]
    stop: str | None = None
    stop_for: Callable[[dt.date], str | None] | None = None  # per anchor (periodic subjects)
    #: The instant of the anchor, for a witness: its email is due from that instant, whatever
    #: the hour (not from ``send_hour``): the record leaves the building as soon as it is made.
    at: dt.datetime | None = None


def _people(records: Records) -> tuple[list, list, dict[int, list]]:
    active = [p for p in records.people if p.active]
    coordinators = [p for p in active if p.role == "coordinator"]
    secretariat = [p for p in active if p.role in ("member", "coordinator")]
    liaisons: dict[int, list] = {}
    for p in active:
        if p.role == "liaison" and p.agency_id is not None:
            liaisons.setdefault(p.agency_id, []).append(p)
    return coordinators, secretariat, liaisons


# --- the planner ------------------------------------------------------------------------


#: The rules by anchor, and by series within each anchor, in the order of ``RULES``.
_BY_ANCHOR: dict[str, dict[str, list[ReminderRule]]] = {}
for _rule in RULES:
    _BY_ANCHOR.setdefault(_rule.anchor, {}).setdefault(_rule.series, []).append(_rule)


def _plan(records: Records, now: dt.datetime, settings: dict | None, full: bool,
          anchors: frozenset[str] | None = None, activities: frozenset[int] | None = None) -> Iterator[list[Planned]]:
    """The reminders planned, in lists (one per anchor when due only; per subject and series with ``full``)."""
    settings = settings if settings is not None else effective_settings(records.process.settings)
    moment = _Moment(records.process, settings, now)
    builder = _Subjects(records, settings, moment, activities)
    muted = set(settings.get("muted") or ())
    for anchor, series in _BY_ANCHOR.items():
        if anchors is not None and anchor not in anchors:
            continue
        gates = {rule.kind: _gate(rule, records.process, settings) for rules in series.values() for rule in rules}
        if not full and all(gates.values()):
            continue
        offsets = {name: [(order, rule, offset) for order, rule in enumerate(series_rules)
                          for offset in rule.offsets(settings)] for name, series_rules in series.items()}
        if full:
            for subject in builder.subjects(anchor):
                for name, series_rules in series.items():
                    yield list(_series(subject, name, series_rules, offsets[name], gates, moment, muted, records, full))
            continue
        # Due only: per series, its open points by offset; a subject of one anchor date has at most one
        # due point per series, the last open one at or before today (a bisection, not a list of points).
        plans, until = _open_points(series, gates, offsets, moment)
        if not plans:
            continue
        found: list[Planned] = []
        pid = records.process.id
        if anchor == "activity_end":  # most reminders: one pass over the rows, no subject built
            builder.activities_due(found, plans, until, muted)
            yield found
            continue
        for subject in builder.subjects(anchor, due=True, until=until):
            for name, series_rules, offs, open_points in plans:
                if series_rules[0].witness or len(subject.anchors) != 1:  # witnesses, periodic subjects: few
                    found.extend(_series(subject, name, series_rules, offsets[name], gates, moment, muted, records,
                                         False))
                else:
                    _due_series(found, subject, name, series_rules[0].audience, offs, open_points, moment, muted, pid)
        yield found


def _open_points(series: dict[str, list[ReminderRule]], gates: dict, offsets: dict,
                 moment: _Moment) -> tuple[list, Any]:
    """Per series of one anchor, its open points sorted by (offset, order); and the latest anchor
    date with a point due now (``None`` when a witness, due from its instant, has no such bound)."""
    plans = []
    for name, series_rules in series.items():
        open_points = sorted((offset, order, rule) for order, rule, offset in offsets[name] if gates[rule.kind] is None)
        if open_points:
            plans.append((name, series_rules, [p[0] for p in open_points], open_points))
    if not plans or any(rules[0].witness for _, rules, _, _ in plans):
        return plans, None
    return plans, max(moment.last_due_day - dt.timedelta(days=offs[0]) for _, _, offs, _ in plans)


@dataclass(frozen=True)
class DueReads:
    """What planning the reminders due at one moment reads of a process's activities
    (``snapshot.load(..., due=now)``), from the rules' offsets and gates: each activity not
    completed ending on or before ``until`` (``None``: no activity at all), and, when the
    agencies' progress reports are open (``progress``), of every other open activity only its
    agency, start date and last report (the report's rule asks whether one such activity exists)."""

    until: dt.date | None
    progress: bool


def due_reads(process: Any, now: dt.datetime, settings: dict | None = None) -> DueReads:
    """The :class:`DueReads` of ``process`` at ``now``; derived from ``stages.reminders.RULES``
    as :func:`due_reminders` applies them (the activities' own reminders and the digest's horizon)."""
    settings = settings if settings is not None else effective_settings(process.settings)
    moment = _Moment(process, settings, now)
    bounds: list[dt.date] = []
    progress = False
    for anchor, series in _BY_ANCHOR.items():
        gates = {rule.kind: _gate(rule, process, settings) for rules in series.values() for rule in rules}
        if all(gates.values()):
            continue
        if anchor == "activity_end":
            offsets = {name: [(order, rule, offset) for order, rule in enumerate(series_rules)
                              for offset in rule.offsets(settings)] for name, series_rules in series.items()}
            plans, until = _open_points(series, gates, offsets, moment)
            if plans:
                bounds.append(until)
        elif anchor == "weekly" and settings.get("digest_weekday") is not None:  # it lists overdue and upcoming
            bounds.append(moment.today + dt.timedelta(days=_horizon(settings)))
        elif anchor == "progress_due":
            progress = int(settings.get("progress_every_months") or 0) > 0
    return DueReads(max(bounds) if bounds else None, progress)


def _horizon(settings: dict) -> int:
    return int(settings.get("digest_horizon_days") or 14)


def _due_series(found: list[Planned], subject: _Subject, series: str, audience: str, offs: list[int],
                open_points: list, moment: _Moment, muted: set, pid: int) -> None:
    """Append to ``found`` what :func:`_series` plans due for a subject of one anchor date,
    without listing its points."""
    if subject.stop:
        return
    anchor = subject.anchors[0]
    due = _due_point(open_points, offs, anchor, moment)
    if due is None or (subject.stop_for is not None and subject.stop_for(anchor)):
        return
    kind, _, day = due
    sid, label, context = subject.id, subject.label, subject.context
    prefix = f"{kind}.{pid}.{sid}.{moment.ymd(day)}."  # reminder_key's format
    due_at = moment.due_at(day)
    for person in subject.people(audience):
        if not person.email or person.handle in muted:
            continue
        found.append(Planned((prefix + str(person.id), kind, series, pid, sid, label, day, due_at, person.id,
                               person.handle, person.email, person.lang or "es", "due", NO_DETAILS,
                               functools.partial(_context_of, context, anchor, person, kind))))


def _context_of(context: Callable[[dt.date, Any, str], dict], anchor: dt.date, person: Any, kind: str,
                _planned: Planned) -> dict:
    """A subject's template fields for one point and person (``Planned.make_context``)."""
    return context(anchor, person, kind)


def _due_point(open_points: list, offs: list[int], anchor: dt.date, moment: _Moment) -> tuple[str, int, dt.date] | None:
    """The point :func:`_due_series` sends for an anchor date with no stop: (kind, offset, day), or ``None``."""
    i = bisect_right(offs, (moment.last_due_day - anchor).days) - 1
    if i < 0:
        return None
    offset, _, rule = open_points[i]
    if rule.stale_after_date and offset <= 0 and anchor < moment.today:
        return None  # date_passed
    return rule.kind, offset, anchor + dt.timedelta(days=offset)


def opened_by_move(process: Any, before: str, suspended_before: str | None) -> frozenset[str]:
    """The anchors of the rules a stage move opened: closed where the process was (``before``,
    ``suspended_before``), open where it is now. Only those can make something due at the move
    itself; a rule open on both sides is due with time (the sweep's), one closed by the move
    stops."""
    settings = effective_settings(process.settings)
    was = SimpleNamespace(stage=before, suspended_from=suspended_before)
    return frozenset(rule.anchor for rule in RULES
                     if _gate(rule, was, settings) is not None and _gate(rule, process, settings) is None)


def _gate(rule: ReminderRule, process: Any, settings: dict) -> Reason | None:
    if rule.witness:  # the record's witnesses hear of every session closed, whatever the stage
        return None
    if process.stage == CLOSED:
        return why("closed_process")
    suspended = process.stage == SUSPENDED
    if suspended and not rule.while_suspended:
        return why("suspended_process")
    stage = process.suspended_from if suspended else process.stage
    if rule.stages and stage not in rule.stages and not suspended:
        return why("not_for_this_stage", stage=stage)
    if rule.kind in (settings.get("off") or ()):
        return why("kind_off")
    return None


def _series(subject: _Subject, series: str, rules: list[ReminderRule], offsets: list, gates: dict,
            moment: _Moment, muted: set, records: Records, full: bool) -> Iterator[Planned]:
    points = [(anchor + dt.timedelta(days=offset), order, rule, offset, anchor)
              for order, rule, offset in offsets for anchor in subject.anchors]
    open_points = [p for p in points if gates[p[2].kind] is None]
    witness_at = subject.at if rules[0].witness else None

    def due_now(day: dt.date) -> bool:
        return witness_at <= moment.now if witness_at is not None else day <= moment.last_due_day

    due = [p for p in open_points if due_now(p[0])]
    chosen = max(due, key=lambda p: (p[0], p[1])) if due else None
    verdict: str | None = None
    details: dict = {}
    if chosen is not None:
        day, _, rule, offset, anchor = chosen
        verdict = subject.stop or (subject.stop_for(anchor) if subject.stop_for else None)
        if verdict is None and rule.stale_after_date and offset <= 0 and anchor < moment.today:
            verdict = "date_passed"
    if not full and (chosen is None or verdict is not None):
        return
    people = subject.people(rules[0].audience)
    if rules[0].witness:  # the coordinators cannot silence the record's witnesses
        muted = set()
    if not full:
        day, _, rule, offset, anchor = chosen  # type: ignore[misc]
        for person in people:
            if person.handle in muted or not person.email:
                continue
            yield _entry(records, moment, subject, rule, series, day, person, "due", {}, None,
                         functools.partial(_context_of, subject.context, anchor, person, rule.kind), at=witness_at)
        return
    for point in sorted(points, key=lambda p: (p[0], p[1])):
        day, _, rule, offset, anchor = point
        gate = gates[rule.kind]
        for person in people:
            if gate is not None:
                status, details = gate.code, gate.details
            elif subject.stop:
                status, details = subject.stop, {}
            elif person.handle in muted:
                status, details = "muted", {}
            elif not person.email:
                status, details = "no_email", {}
            elif not due_now(day):
                local = (witness_at or moment.due_at(day)).astimezone(moment.tz)
                status, details = "not_yet_due", {"due_at": local.isoformat(timespec="minutes")}
            elif point is not chosen:
                status, details = "superseded", {}
            elif verdict:
                status, details = verdict, {}
            else:
                status, details = "due", {}
            ctx = subject.context(anchor, person, rule.kind) if status == "due" else None
            yield _entry(records, moment, subject, rule, series, day, person, status, details, ctx, at=witness_at)


def _entry(records: Records, moment: _Moment, subject: _Subject, rule: ReminderRule, series: str, day: dt.date,
           person: Any, status: str, details: dict, context: dict | None,
           make_context: Callable[[Planned], dict] | None = None, at: dt.datetime | None = None) -> Planned:
    pid = records.process.id
    return Planned.of(key=reminder_key(rule.kind, pid, subject.id, day, person.id), kind=rule.kind, series=series,
                      process_id=pid, subject=subject.id, label=subject.label, due_on=day,
                      due_at=at.astimezone(UTC) if at is not None else moment.due_at(day),
                      person_id=person.id, handle=person.handle, email=person.email, lang=person.lang or "es",
                      status=status, details=details, context=context, make_context=make_context)


# --- subjects, one function per anchor --------------------------------------------------


class _Subjects:
    def __init__(self, records: Records, settings: dict, moment: _Moment, activities: frozenset[int] | None = None):
        self.r, self.settings, self.m, self.only = records, settings, moment, activities
        self.coordinators, self.secretariat, self.liaisons = _people(records)
        self.agencies = {a.id: a for a in records.agencies}
        self.commitments = {c.id: c for c in records.commitments}
        self._audiences: dict[int | None, Callable[[str], list]] = {}
        self._by_subject: dict[str, Any] | None = None  # for the activities' template fields, when first asked
        self._people: dict[int, Any] = {}

    def subjects(self, anchor: str, due: bool = False, until: dt.date | None = None) -> Iterable[_Subject]:
        """The subjects of one anchor; ``due``: only those that can have a reminder due (their
        reminders not stopped; an anchor date at or before ``until``, where one date is all)."""
        if anchor == "activity_end":
            return self._activity_end(due, until)
        return getattr(self, f"_{anchor}")()

    def audience(self, agency_id: int | None = None) -> Callable[[str], list]:
        found = self._audiences.get(agency_id)
        if found is not None:
            return found

        def people(audience: str) -> list:
            if audience == "liaisons":
                return self.liaisons.get(agency_id, []) if agency_id is not None else []
            return self.coordinators if audience == "coordinators" else self.secretariat
        self._audiences[agency_id] = people
        return people

    # common context: codes (stage, sector, role, status) stay codes; the templates show their names
    def base(self, kind: str, person: Any, due_on: dt.date | None = None) -> dict:
        p = self.r.process
        agency = self.agencies.get(person.agency_id) if person.agency_id else None
        return {
            "kind": kind, "lang": person.lang or "es", "today": self.m.today.isoformat(),
            "process": {"name": p.name, "slug": p.slug, "stage": p.stage, "timezone": p.timezone,
                        "current_stage": p.suspended_from if p.stage == SUSPENDED else p.stage,
                        "suspended": p.stage == SUSPENDED},
            "recipient": {"name": person.name, "handle": person.handle, "role": person.role,
                          "agency": agency.name if agency else None, "sector": person.sector or None},
        }

    def activity_item(self, a: Any) -> dict:
        agency = self.agencies.get(a.agency_id)
        commitment = self.commitments.get(a.commitment_id)
        return {"key": a.key, "title": a.title, "deliverable": a.deliverable,
                "start_date": a.start_date.isoformat() if a.start_date else None,
                "end_date": a.end_date.isoformat() if a.end_date else None,
                "status": a.status, "percent": a.percent, "accepted": a.accepted_at is not None,
                "agency": agency.name if agency else None,
                "commitment": {"key": commitment.key, "title": commitment.title} if commitment else None,
                "days_left": (a.end_date - self.m.today).days if a.end_date else None}

    def session_item(self, s: Any) -> dict:
        local = s.scheduled_for.astimezone(self.m.tz)
        offset = local.strftime("%z")
        return {"key": s.key, "date": local.date().isoformat(), "time": local.strftime("%H:%M"),
                "utc_offset": f"UTC{offset[0].replace('-', '−')}{offset[1:3]}:{offset[3:]}",
                "starts_at": s.scheduled_for.astimezone(UTC).isoformat(), "place": s.place,
                "agenda": list(s.agenda or []), "extraordinary": bool(s.extraordinary),
                "justification": s.justification or "",
                "closed_on": self.m.local_date(s.closed_at).isoformat() if s.closed_at else None}

    # anchors --------------------------------------------------------------------
    def _activity_end(self, due: bool = False, until: dt.date | None = None) -> Iterator[_Subject]:
        only = self.only
        for a in self.r.activities:
            end = a.end_date
            if end is None or (only is not None and a.id not in only):
                continue
            completed = a.status == "completed"
            if due and (completed or (until is not None and end > until)):
                continue  # its reminders stopped, or none of its points is due yet
            yield _Subject(f"activity-{a.id}", f"{a.key}: {a.title}", [end], self.audience(a.agency_id),
                           functools.partial(self._activity_context, a),
                           stop="activity_completed" if completed else None)

    def activities_due(self, found: list[Planned], plans: list, until: dt.date, muted: set) -> None:
        """Append to ``found`` the due reminders of the activities, as :func:`_due_series` plans
        them for the subjects of :meth:`_activity_end` (``due=True``), in the same order: per
        activity, per series. The point due is looked up per series and end date (many
        activities share one), and each series' recipients are filtered once per agency."""
        m, pid, only = self.m, self.r.process.id, self.only
        lang = {p.id: p.lang or "es" for p in self.r.people}

        def sendable(people: list) -> list:
            return [(str(p.id), p.id, p.handle, p.email, lang[p.id]) for p in people
                    if p.email and p.handle not in muted]

        series = []
        for name, series_rules, offs, open_points in plans:
            audience = series_rules[0].audience
            by_agency = ({agency: sendable(people) for agency, people in self.liaisons.items()}
                         if audience == "liaisons" else None)
            everyone = [] if audience == "liaisons" else sendable(self.audience()(audience))
            series.append((name, offs, open_points, by_agency, everyone))

        def points_at(end: dt.date) -> tuple:
            """The series with a point due for an activity ending on ``end``, with that point."""
            found_here = []
            for name, offs, open_points, by_agency, everyone in series:
                due = _due_point(open_points, offs, end, m)
                if due is not None:
                    kind, _, day = due
                    found_here.append((name, f"{kind}.{pid}.", f".{m.ymd(day)}.", kind, day, m.due_at(day),
                                       by_agency, everyone))
            return tuple(found_here)

        by_end: dict[dt.date, tuple] = {}
        context, add, planned, no_details = self._activity_planned_context, found.append, Planned, NO_DETAILS
        for a in self.r.activities:
            end = a.end_date
            if end is None or end > until or a.status == "completed" or (only is not None and a.id not in only):
                continue
            points = by_end.get(end)
            if points is None:
                points = by_end[end] = points_at(end)
            sid = label = None
            for name, head, tail, kind, day, due_at, by_agency, everyone in points:
                people = everyone if by_agency is None else by_agency.get(a.agency_id, ())
                if not people:
                    continue
                if sid is None:
                    sid, label = f"activity-{a.id}", f"{a.key}: {a.title}"
                for person_key, person_id, handle, email, person_lang in people:  # key: reminder_key's format
                    add(planned((f"{head}{sid}{tail}{person_key}", kind, name, pid, sid, label, day, due_at, person_id,
                                 handle, email, person_lang, "due", no_details, context)))

    def _activity_planned_context(self, planned: Planned) -> dict:
        """The template fields of an activity reminder planned by :meth:`activities_due`."""
        if self._by_subject is None:
            self._by_subject = {f"activity-{a.id}": a for a in self.r.activities if a.end_date is not None}
            self._people = {p.id: p for p in self.r.people}
        a = self._by_subject[planned.subject]
        return self._activity_context(a, a.end_date, self._people[planned.person_id], planned.kind)

    def _activity_context(self, a: Any, anchor: dt.date, person: Any, kind: str) -> dict:
        item = self.activity_item(a)
        return {**self.base(kind, person), "activity": item, "commitment": item["commitment"],
                "agency": {"key": self.agencies[a.agency_id].key, "name": item["agency"]}
                if a.agency_id in self.agencies else None,
                "days_left": item["days_left"], "days_overdue": -item["days_left"]}

    def _session_date(self) -> Iterator[_Subject]:
        for s in self.r.sessions:
            held = s.closed_at is not None or s.scheduled_for <= self.m.now

            def context(anchor: dt.date, person: Any, kind: str, s: Any = s) -> dict:
                return {**self.base(kind, person), "session": self.session_item(s),
                        "days_left": (anchor - self.m.today).days}

            yield _Subject(f"session-{s.id}", f"{s.key}", [self.m.local_date(s.scheduled_for)], self.audience(),
                           context, stop="session_held" if held else None)

    def _session_closed(self) -> Iterator[_Subject]:
        for s in self.r.sessions:
            if s.closed_at is None:
                continue

            def context(anchor: dt.date, person: Any, kind: str, s: Any = s) -> dict:
                return {**self.base(kind, person), "session": self.session_item(s),
                        "days_since": (self.m.today - anchor).days}

            yield _Subject(f"minutes-{s.id}", f"{s.key}", [self.m.local_date(s.closed_at)], self.audience(), context,
                           stop="minutes_published" if (s.minutes_published_at or s.minutes_ref) else None)

    def _session_record(self) -> Iterator[_Subject]:
        for s in self.r.sessions:
            head = getattr(s, "closed_head", None)
            if s.closed_at is None or not head:
                continue

            def context(anchor: dt.date, person: Any, kind: str, s: Any = s) -> dict:
                p = self.r.process
                return {**self.base(kind, person), "session": self.session_item(s),
                        "record": {"seq": s.closed_seq, "head": s.closed_head,
                                   "command": f"cocrea audit verify {p.slug} --expect {s.closed_head}"}}

            yield _Subject(f"record-{s.id}", f"{s.key}", [self.m.local_date(s.closed_at)], self.audience(), context,
                           at=s.closed_at)

    def _channel_close(self) -> Iterator[_Subject]:
        for c in self.r.channels:
            if c.closes_on is None:
                continue

            def context(anchor: dt.date, person: Any, kind: str, c: Any = c) -> dict:
                return {**self.base(kind, person),
                        "channel": {"key": c.key, "name": c.name, "kind": c.kind, "closes_on": c.closes_on.isoformat(),
                                    "opens_on": c.opens_on.isoformat() if c.opens_on else None},
                        "inputs_count": sum(1 for i in self.r.inputs if i.channel_id == c.id),
                        "days_left": (anchor - self.m.today).days}

            yield _Subject(f"channel-{c.id}", f"{c.key}: {c.name}", [c.closes_on], self.audience(), context)

    def _term_end(self) -> Iterator[_Subject]:
        end = self.r.term_end
        p = self.r.process

        def context(anchor: dt.date, person: Any, kind: str) -> dict:
            return {**self.base(kind, person), "term": {"starts_on": p.starts_on.isoformat(), "ends_on": end.isoformat(),
                                                        "months": p.term_months},
                    "days_left": (anchor - self.m.today).days}

        yield _Subject(f"process-{p.id}", p.slug, [end], self.audience(), context)

    def _pending_until(self, days: int) -> bool:
        """Whether an open activity ends by ``days`` from today (or is overdue): the digest's first
        question, answered at the first one found."""
        horizon = self.m.today + dt.timedelta(days=days)
        return any(a.end_date is not None and a.end_date <= horizon and a.status != "completed"
                   for a in self.r.activities)

    def _progress_due(self) -> Iterator[_Subject]:
        every = int(self.settings.get("progress_every_months") or 0)
        if every <= 0:
            return
        start = self.r.process.starts_on
        months = (self.m.today.year - start.year) * 12 + self.m.today.month - start.month
        k_now = max(months // every, 1)
        periods = [add_months(start, k * every) for k in range(max(k_now - 1, 1), k_now + 3)]
        previous = {d: add_months(start, (k - 1) * every) for k, d in
                    zip(range(max(k_now - 1, 1), k_now + 3), periods)}
        reported: dict[int, dt.date] = {}
        for rep in self.r.progress_reports:
            if rep.activity_id not in reported or rep.reported_on > reported[rep.activity_id]:
                reported[rep.activity_id] = rep.reported_on
        by_agency: dict[int, list] = defaultdict(list)  # no list made per activity (setdefault's)
        for a in self.r.activities:
            if a.agency_id is not None and a.status != "completed":
                by_agency[a.agency_id].append(a)
        for agency_id, acts in by_agency.items():
            agency = self.agencies.get(agency_id)

            def open_at(due: dt.date, acts: list = acts) -> list:
                return [a for a in acts if a.start_date is None or a.start_date <= due]

            def stop_for(due: dt.date, acts: list = acts) -> str | None:
                """Due while one activity open by ``due`` has no report since the period began (the
                first such one ends the walk: most agencies have one at their first activity)."""
                since, pending = previous[due], False
                for a in acts:
                    if a.start_date is None or a.start_date <= due:
                        if reported.get(a.id, _NEVER) <= since:
                            return None
                        pending = True
                return "period_reported" if pending else "nothing_to_report"

            def context(anchor: dt.date, person: Any, kind: str, open_at: Callable = open_at,
                        agency: Any = agency) -> dict:
                pending = open_at(anchor)
                return {**self.base(kind, person), "agency": {"key": agency.key, "name": agency.name},
                        "report_due_on": anchor.isoformat(), "days_left": (anchor - self.m.today).days,
                        "period_start": previous[anchor].isoformat(),
                        "activities": [self.activity_item(a) for a in pending[:LIST_LIMIT]],
                        "activities_count": len(pending)}

            yield _Subject(f"agency-{agency_id}", agency.key if agency else str(agency_id), periods,
                           self.audience(agency_id), context, stop_for=stop_for)

    def _weekly(self) -> Iterator[_Subject]:
        weekday = self.settings.get("digest_weekday")
        if weekday is None:
            return
        last = self.m.last_due_day - dt.timedelta(days=(self.m.last_due_day.weekday() - int(weekday)) % 7)
        created = self.m.local_date(self.r.process.created_at) if self.r.process.created_at else last
        anchors = [d for d in (last, last + 7 * DAY) if d >= created]
        p = self.r.process

        def digest() -> dict:  # what is pending; sorted only for the email's text (``context``)
            horizon = self.m.today + dt.timedelta(days=_horizon(self.settings))
            acts = [a for a in self.r.activities if a.end_date and a.status != "completed"]
            overdue = [a for a in acts if a.end_date < self.m.today]
            upcoming = [a for a in acts if self.m.today <= a.end_date <= horizon]
            return {"overdue": overdue, "upcoming": upcoming, **digest_others()}

        def digest_others() -> dict:
            horizon = self.m.today + dt.timedelta(days=_horizon(self.settings))
            sessions = [s for s in self.r.sessions if s.closed_at is None and
                        self.m.now < s.scheduled_for and self.m.local_date(s.scheduled_for) <= horizon]
            minutes = [s for s in self.r.sessions if s.closed_at is not None and not (s.minutes_published_at or s.minutes_ref)]
            consulting = (p.suspended_from if p.stage == SUSPENDED else p.stage) == "consultation"
            channels = [c for c in self.r.channels
                        if consulting and c.closes_on and self.m.today <= c.closes_on <= horizon]
            return {"sessions": sessions, "minutes": minutes, "channels": channels}

        made: list[dict] = []

        def found() -> dict:  # the email's lists, made when its text is: planning asks only whether any
            if not made:
                made.append(digest() if p.stage != CLOSED else {})
            return made[0]

        def context(anchor: dt.date, person: Any, kind: str) -> dict:
            d = found()
            overdue = sorted(d["overdue"], key=lambda a: (a.end_date, a.key))
            upcoming = sorted(d["upcoming"], key=lambda a: (a.end_date, a.key))
            sessions = sorted(d["sessions"], key=lambda s: s.scheduled_for)
            channels = sorted(d["channels"], key=lambda c: c.closes_on)
            return {**self.base(kind, person), "horizon_days": _horizon(self.settings),
                    "term_ends_on": self.r.term_end.isoformat(),
                    "activities_total": len(self.r.activities),
                    "overdue": [self.activity_item(a) for a in overdue[:LIST_LIMIT]],
                    "overdue_count": len(overdue),
                    "upcoming": [self.activity_item(a) for a in upcoming[:LIST_LIMIT]],
                    "upcoming_count": len(upcoming),
                    "sessions": [self.session_item(s) for s in sessions[:LIST_LIMIT]],
                    "minutes": [self.session_item(s) for s in d["minutes"][:LIST_LIMIT]],
                    "channels": [{"key": c.key, "name": c.name, "closes_on": c.closes_on.isoformat()}
                                 for c in channels[:LIST_LIMIT]]}

        empty = p.stage == CLOSED or not (self._pending_until(_horizon(self.settings)) or any(digest_others().values()))
        yield _Subject(f"digest-{p.id}", p.slug, anchors, self.audience(), context,
                       stop="nothing_to_report" if empty else None)
