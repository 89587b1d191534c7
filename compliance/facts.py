"""Facts derived from a process's records, shared by the rules and computed once per check.

Nothing here touches a database: :class:`Facts` wraps a :class:`stages.Records` snapshot,
the resolved settings, the moment the check speaks for (``as_of``) and, for a gate, the
stage being left (which counts as ended *now*).
"""
from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from functools import cached_property, lru_cache
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from stages import BY_NAME, CLOSED, STAGE_NAMES, SUSPENDED, Records
from stages.base import add_months
from stages.errors import Misuse

UTC = dt.timezone.utc
IN_PERSON_KINDS = ("workshop", "regional_table", "suggestion_box", "assembly")
ENDING_EVENTS = ("advance", "close")


def plus_months(when: dt.datetime, months: int) -> dt.datetime:
    day = add_months(when.date(), months)
    return when.replace(year=day.year, month=day.month, day=day.day)


@lru_cache(maxsize=4096)
def months_after(day: dt.date, months: int) -> dt.date:
    """``add_months`` memoised: calendar rules ask it for the same few dates thousands of times."""
    return add_months(day, months)


def is_url(ref: str | None) -> bool:
    return bool(ref) and ref.strip().lower().startswith(("https://", "http://"))


def criterion(stage: str, code: str):
    """A stage's exit criterion, so a rule reuses the one place that rule lives."""
    for c in BY_NAME[stage].criteria:
        if c.code == code:
            return c
    raise Misuse(f"no exit criterion {stage}.{code}")


class Facts:
    #: The indexes made of the records alone (neither the moment, the settings nor the stage left
    #: change them): a Facts given ``like`` another of the same records takes those it has made.
    RECORD_ONLY = frozenset({"people_by_id", "people_by_handle", "attendance_by_session", "undated_docs", "agreed",
                             "activities_by_commitment", "progress_by_activity", "latest_progress"})

    def __init__(self, records: Records, settings: dict[str, Any], as_of: dt.datetime, leaving: str | None = None,
                 like: "Facts | None" = None):
        if as_of.tzinfo is None:
            raise Misuse("as_of must be timezone-aware")
        self.r = records
        self.s = settings
        self.as_of = as_of.astimezone(UTC)
        self.leaving = leaving
        self.tz = ZoneInfo(getattr(records.process, "timezone", None) or "America/Mexico_City")
        if like is not None and like.r is records:  # e.g. the page's report, then the next move's
            self.__dict__.update({k: v for k, v in like.__dict__.items() if k in self.RECORD_ONLY})

    # --- time --------------------------------------------------------------------------
    def day(self, when: dt.datetime | dt.date | None) -> dt.date | None:
        if when is None:
            return None
        if isinstance(when, dt.datetime):
            return when.astimezone(self.tz).date()
        return when

    def iso(self, when: dt.datetime | dt.date | None) -> str | None:
        d = self.day(when)
        return d.isoformat() if d else None

    @cached_property
    def today(self) -> dt.date:
        return self.as_of.astimezone(self.tz).date()

    # --- stages ------------------------------------------------------------------------
    @cached_property
    def changes(self) -> list:
        return sorted((c for c in self.r.stage_changes if c.at is None or c.at <= self.as_of),
                      key=lambda c: (c.at or self.as_of, getattr(c, "id", 0) or 0))

    @cached_property
    def position(self) -> int:
        """Index of the current stage; 8 when closed; a suspended process keeps its stage."""
        p = self.r.process
        stage = p.suspended_from if p.stage == SUSPENDED else p.stage
        if stage == CLOSED:
            return len(STAGE_NAMES)
        return STAGE_NAMES.index(stage) if stage in STAGE_NAMES else 0

    def passed(self, stage: str) -> bool:
        """The stage has ended (or is being left now, for a gate)."""
        return self.leaving == stage or STAGE_NAMES.index(stage) < self.position

    def reached(self, stage: str) -> bool:
        return STAGE_NAMES.index(stage) <= self.position

    def entered(self, stage: str) -> dt.datetime | None:
        for c in self.changes:
            if c.to_stage == stage:
                return c.at
        return None

    def left(self, stage: str) -> dt.datetime | None:
        if self.leaving == stage:
            return self.as_of
        found = None
        for c in self.changes:
            if c.from_stage == stage and c.event in ENDING_EVENTS:
                found = c.at
        return found if self.passed(stage) else None

    @cached_property
    def closed_at(self) -> dt.datetime | None:
        if self.r.process.stage != CLOSED and self.leaving != STAGE_NAMES[-1]:
            return None
        if self.leaving == STAGE_NAMES[-1]:
            return self.as_of
        return next((c.at for c in reversed(self.changes) if c.to_stage == CLOSED), self.as_of)

    @property
    def end(self) -> dt.datetime:
        """Where calendar rules stop counting: the close, or the moment of the check."""
        return self.closed_at or self.as_of

    @cached_property
    def start(self) -> dt.datetime:
        created = getattr(self.r.process, "created_at", None)
        if created is not None:
            return created
        return self.changes[0].at if self.changes else self.as_of

    @cached_property
    def term_end(self) -> dt.date:
        return self.r.term_end

    # --- people ------------------------------------------------------------------------
    @cached_property
    def people_by_id(self) -> dict:
        return {p.id: p for p in self.r.people}

    @cached_property
    def people_by_handle(self) -> dict:
        return {p.handle: p for p in self.r.people}

    @cached_property
    def government_sectors(self) -> frozenset:
        return frozenset(self.s["government_sectors"])

    def is_government(self, sector: str | None) -> bool:
        return sector in self.government_sectors

    def withdrawn_at(self, when: dt.datetime) -> set[str]:
        return {w.sector for w in self.r.withdrawals
                if w.withdrawn_at is not None and w.withdrawn_at <= when
                and (w.returned_at is None or w.returned_at > when)}

    def members_at(self, when: dt.datetime) -> list:
        withdrawn = self.withdrawn_at(when)
        return [p for p in self.r.people
                if p.role == "member" and p.joined_at is not None and p.joined_at <= when
                and (p.left_at is None or p.left_at > when) and p.sector not in withdrawn]

    # --- sessions ----------------------------------------------------------------------
    @cached_property
    def attendance_by_session(self) -> dict[int, list]:
        out: dict[int, list] = defaultdict(list)
        for a in self.r.attendance:
            out[a.session_id].append(a)
        return out

    @cached_property
    def sessions_due(self) -> list:
        """Sessions whose date has come, by date."""
        return sorted((s for s in self.r.sessions if s.scheduled_for is not None and s.scheduled_for <= self.as_of),
                      key=lambda s: s.scheduled_for)

    @cached_property
    def held_sessions(self) -> list:
        """Sessions that met: attendance recorded, or closed."""
        return [s for s in self.sessions_due if self.attendance_by_session.get(s.id) or s.closed_at is not None]

    @cached_property
    def unknown_sessions(self) -> list:
        """Sessions whose date has passed with neither attendance nor closing recorded."""
        return [s for s in self.sessions_due if not self.attendance_by_session.get(s.id) and s.closed_at is None]

    def sectors_present(self, session) -> set[str]:
        return {self.people_by_id[a.person_id].sector for a in self.attendance_by_session.get(session.id, [])
                if a.person_id in self.people_by_id}

    # --- documents ---------------------------------------------------------------------
    @cached_property
    def public_docs(self) -> list:
        return sorted((d for d in self.r.documents
                       if d.public and d.published_at is not None and d.published_at <= self.as_of),
                      key=lambda d: d.published_at)

    @cached_property
    def undated_docs(self) -> list:
        return [d for d in self.r.documents if d.public and d.published_at is None]

    @cached_property
    def docs_by_kind(self) -> dict[str, list]:
        out: dict[str, list] = defaultdict(list)
        for d in self.public_docs:
            out[d.kind].append(d)
        return out

    def docs(self, kind: str) -> list:
        return self.docs_by_kind.get(kind, [])

    @cached_property
    def plan_published_at(self) -> dt.datetime | None:
        plans = self.docs("plan")
        return plans[0].published_at if plans else None

    # --- commitments and routes --------------------------------------------------------
    @cached_property
    def agreed(self) -> list:
        return [c for c in self.r.commitments if c.status == "agreed"]

    @cached_property
    def activities_by_commitment(self) -> dict[int, list]:
        out: dict[int, list] = defaultdict(list)
        for a in self.r.activities:
            out[a.commitment_id].append(a)
        return out

    @cached_property
    def latest_progress(self) -> dict[int, Any]:
        """The latest progress report of each activity (by report date, then recording time)."""
        return {aid: reports[-1] for aid, reports in self.progress_by_activity.items()}

    @cached_property
    def progress_by_activity(self) -> dict[int, list]:
        """Each activity's progress reports, oldest first."""
        out: dict[int, list] = defaultdict(list)
        for p in sorted(self.r.progress_reports, key=_report_order):
            out[p.activity_id].append(p)
        return out

    @cached_property
    def consultation_end(self) -> dt.date | None:
        """The last day input could be given: channels' closing, else the stage's end."""
        closes = [c.closes_on for c in self.r.channels]
        if closes and all(closes):
            return max(closes)
        left = self.left("consultation")
        return self.day(left) if left else None


def _report_order(p: Any) -> tuple:
    return (p.reported_on or dt.date.min, p.recorded_at or dt.datetime.min.replace(tzinfo=UTC), getattr(p, "id", 0) or 0)


def count_in(sorted_times: list, lo: Any, hi: Any, *, lo_open: bool = False) -> int:
    """How many of ``sorted_times`` fall in [lo, hi] (or (lo, hi])."""
    left = bisect.bisect_right(sorted_times, lo) if lo_open else bisect.bisect_left(sorted_times, lo)
    return bisect.bisect_right(sorted_times, hi) - left


def keys(rows: Iterable[Any]) -> list[str]:
    return [str(getattr(r, "key", r)) for r in rows]
