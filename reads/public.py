"""The public view of a process: everything the OGP standards ask to publish, nothing personal.

:func:`public_view` reads one process and returns a plain dict (JSON-ready: strings, numbers,
lists) that the web pages, the open-data downloads, the feeds and the API all render. It is
built field by field from the rows, never by dumping them, so the columns listed in
``storage.models.PRIVATE_FIELDS`` (people's emails, the names and emails of citizens who sent
inputs, credential hashes) cannot leak: they are never read here.

Times are ISO 8601 in the process's time zone; dates are ISO dates.

Why one module: what may be published is decided in one place, so that one reading shows that
no personal column is read; :func:`build` is long because it lists every published section.
"""
from __future__ import annotations

import bisect
import datetime as dt
import gc
import heapq
from collections import Counter, defaultdict
from contextlib import contextmanager
from functools import cache
from typing import Any, Iterator
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlalchemy import func
from sqlmodel import Session, select

from stages import BY_NAME, CLOSED, STAGE_NAMES, SUSPENDED, Records, vocabulary
from stages.clock import Clock, SystemClock
from stages import news, participation
from stages.base import no_cyclic_gc
from stages.chronology import local_today
from stages.sensitization import QUESTIONS
from notifications.citizens import DIGEST_TABLES
from storage import load_records, process_by_slug
from storage.models import Input, Process
from storage.plain import reading
from storage.records import TABLES as TABLES_READ
from workflow import engine

from . import checks
from .status import next_event

#: The tables offered as CSV/JSON downloads, in the order they are listed.
TABLES = ("moves", "members", "sessions", "decisions", "channels", "themes", "inputs", "problem_trees",
          "commitments", "activities", "indicators", "progress_reports", "public_events", "repository", "audit")

ACTIVITY_STATUSES = ("completed", "in_progress", "delayed", "not_started")


def version(db_engine: Engine, slug: str) -> str | None:
    """The hash of the process's last audit entry: changes with every write (ETag, cache key)."""
    with Session(db_engine) as db:
        return process_by_slug(db, slug).audit_head


def processes(db_engine: Engine, lang: str = "es") -> list[dict[str, Any]]:
    with Session(db_engine) as db:
        return [{"slug": p.slug, "name": p.name, "stage": p.stage, "stage_title": _stage_title(p.stage, lang),
                 "starts_on": p.starts_on.isoformat(), "template": p.template}
                for p in db.exec(select(Process).order_by(Process.id))]


def public_view(db_engine: Engine, slug: str, lang: str = "es", clock: Clock | None = None,
                inputs: bool = True) -> dict[str, Any]:
    """The whole public record; ``inputs=False``: what the process page shows (:func:`build` with
    ``whole=False``: a summary, each commitment's route on its own page), without the list of
    inputs (read a page at a time: :mod:`reads.lists`), their counts taken by the database, and
    the inputs not read at all unless the next move's criteria need them."""
    with Session(db_engine) as db:
        p = process_by_slug(db, slug)
        now = (clock or SystemClock()).now()
        if inputs:
            # many acyclic rows and dicts: the collector paused from the read to the view built, and the
            # rows freed (by their counts) before it runs again: no collection scans them, nor the view
            with _view_kept():
                records = load_records(db, p, now=now, plain=True)
                view = build(records, lang, counts=_counted(records) | _days_read(records))
                del records
            return view
        event = next_event(p.stage)
        needed = engine.reads_for(p, event) if event else ()
        skip = () if needed is None or "inputs" in needed else ("inputs",)
        records = load_records(db, p, [t for t in TABLES_READ if t not in skip], now=now, plain=True)
        counts = input_counts(db, p.id) | {"response_days": response_days(db, p), "received_days": received_days(db, p)}
        with no_cyclic_gc():
            return build(records, lang, counts=counts, listed=False, whole=False)


@contextmanager
def _view_kept() -> Iterator[None]:
    """:func:`stages.base.no_cyclic_gc`, and the view it leaves alive (tens of thousands of
    acyclic dicts and lists, all young) not scanned by the collection that the collector's first
    allocation once resumed would set off (10-15 ms of ~200 at 1,000 commitments): every tracked object
    is moved to the oldest generation (``gc.freeze`` then ``gc.unfreeze``, unless something else
    keeps objects frozen), scanned at the next full collection if still alive; the view is freed
    by its counts when dropped."""
    was = gc.isenabled()
    with no_cyclic_gc():
        yield
        if was and not gc.get_freeze_count():
            gc.freeze()
            gc.unfreeze()


#: How many commitments the process page lists at a time.
COMMITMENTS_PER_PAGE = 50


def page_view(db_engine: Engine, slug: str, lang: str = "es", clock: Clock | None = None,
              commitments_page: int = 1) -> tuple[dict[str, Any], Any, dict[str, Any]]:
    """What the process page shows, from one read of the process's records: its view
    (:func:`build` with ``whole=False``: a summary; the inputs counted, not listed: they are read a
    page at a time, :mod:`reads.lists`), its commitments a page at a time (``commitments``: page
    ``commitments_page`` of :data:`COMMITMENTS_PER_PAGE`; ``commitment_pages``: that page, how
    many pages, how many commitments), the compliance report of ``clock``'s now
    (:func:`reads.checks.report`'s, judged on the same rows) and taking part today
    (:func:`participation_view`'s). Every row is read: the report and the next move's criteria
    judge the whole record."""
    with Session(db_engine) as db:
        p = process_by_slug(db, slug)
        now = (clock or SystemClock()).now()
        records = load_records(db, p, now=now, plain=True)
        with no_cyclic_gc():
            report = checks.judged(records, now)  # first: the next move's report takes its facts' indexes
            view = build(records, lang, counts=_counted(records) | _days_read(records), listed=False, whole=False,
                         like=report.facts)
            total = len(view["commitments"])
            pages = max(1, -(-total // COMMITMENTS_PER_PAGE))
            at = min(max(1, commitments_page), pages)
            view["commitments"] = view["commitments"][(at - 1) * COMMITMENTS_PER_PAGE:at * COMMITMENTS_PER_PAGE]
            view["commitment_pages"] = {"page": at, "pages": pages, "total": total, "per_page": COMMITMENTS_PER_PAGE}
            return view, report, _taking_part(records, lang)


def _counted(r: Records) -> dict[str, Any]:
    """The counts of :func:`input_counts`, taken from the inputs read (the same numbers, without
    asking the database again)."""
    shown = [i for i in r.inputs if not i.hidden_reason]
    return {"total": len(shown), "answered": sum(1 for i in shown if i.disposition and i.rationale),
            "per_theme": Counter(i.theme_id for i in shown),
            "hidden": dict(sorted(Counter(i.hidden_reason for i in r.inputs if i.hidden_reason).items()))}


#: How many of the newest events of each kind the view carries (``news``): enough for the page's
#: latest news (``NEWS_DAYS`` items at most); the days of inputs received and of reasoned
#: responses, when the view does not list the inputs, each counted whole by the database. The
#: Atom feed carries every event (:func:`feed_view`).
NEWS_DAYS = 5


def feed_view(db_engine: Engine, slug: str, clock: Clock | None = None) -> dict[str, Any]:
    """What the Atom feed carries: the process's name and audit head, and every event of
    :func:`stages.news.events`, newest first, built from the tables the weekly digest reads
    (``notifications.citizens.DIGEST_TABLES``): the feed carries every event the digest counts."""
    with Session(db_engine) as db:
        p = process_by_slug(db, slug)
        r = load_records(db, p, DIGEST_TABLES, now=(clock or SystemClock()).now(), plain=True)
        f = Fmt(p.timezone)
        with no_cyclic_gc():
            happened = news.events(r)
            return {"process": {"slug": p.slug, "name": p.name, "created_at": f.at(p.created_at)},
                    "news": [news.as_dict(e, p.timezone) for e in reversed(happened)], "audit": audit_head(p, f.at)}


def response_days(db: Session, p: Process, days: int = NEWS_DAYS) -> list[news.Day]:
    """The newest ``days`` local days on which inputs received their reasoned response, each with
    how many and the latest instant, newest first. Two aggregate queries a day (the latest response
    before the day already counted, then that day's count), whatever the number of inputs."""
    answered = (Input.process_id == p.id, Input.hidden_reason.is_(None), Input.disposition.is_not(None),
                Input.answered_at.is_not(None))
    out: list[news.Day] = []
    before = None
    for _ in range(days):
        latest = db.exec(select(func.max(Input.answered_at)).where(
            *answered, *([Input.answered_at < before] if before else []))).one()
        if latest is None:
            break
        latest = _aware(latest)
        day = latest.astimezone(ZoneInfo(p.timezone)).date()
        start, end = news.midnight(day, p.timezone), news.midnight(day + dt.timedelta(days=1), p.timezone)
        count = db.exec(select(func.count()).select_from(Input).where(
            *answered, Input.answered_at >= start, Input.answered_at < end)).one()
        out.append(news.Day(day, count, latest))
        before = start
    return out


def received_days(db: Session, p: Process, days: int = NEWS_DAYS) -> list[news.Day]:
    """The newest ``days`` days on which inputs were received, each with how many, newest first:
    one aggregate query (``received_on`` is a date)."""
    rows = db.exec(select(Input.received_on, func.count()).where(
        Input.process_id == p.id, Input.hidden_reason.is_(None)).group_by(Input.received_on)
        .order_by(Input.received_on.desc()).limit(days)).all()
    return [news.Day(day, n, news.midnight(day, p.timezone)) for day, n in rows]


def _days_read(r: Records, days: int = NEWS_DAYS) -> dict[str, list[news.Day]]:
    """:func:`response_days` and :func:`received_days` of the inputs read (``r.inputs``: every
    one), without asking the database again: the same days, counts and instants, from the times
    sorted once (each day's responses counted by bisection, not by converting each time to the
    zone's day). ``tests/test_citizens_news.py`` pins them to the aggregates'."""
    tz = r.process.timezone
    zone = ZoneInfo(tz)
    shown = [i for i in r.inputs if i.hidden_reason is None]
    answered = sorted(i.answered_at for i in shown if i.disposition is not None and i.answered_at is not None)
    responses: list[news.Day] = []
    before = len(answered)
    while before and len(responses) < days:
        latest = answered[before - 1]
        day = latest.astimezone(zone).date()
        start, end = news.midnight(day, tz), news.midnight(day + dt.timedelta(days=1), tz)
        first = bisect.bisect_left(answered, start, 0, before)
        responses.append(news.Day(day, bisect.bisect_left(answered, end) - first, latest))
        before = first
    received = heapq.nlargest(days, Counter(i.received_on for i in shown).items())
    return {"response_days": responses,
            "received_days": [news.Day(day, n, news.midnight(day, tz)) for day, n in received]}


def _aware(at: dt.datetime | str) -> dt.datetime:
    """``max()`` of a UTC column as an aware instant (SQLite may hand back the stored text)."""
    if isinstance(at, str):
        at = dt.datetime.fromisoformat(at)
    return at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)


def input_counts(db: Session, process_id: int) -> dict[str, Any]:
    """How many inputs are shown, how many with a reasoned response, how many per theme id, and how
    many were hidden per reason: four aggregates."""
    i = Input
    shown = (i.process_id == process_id, i.hidden_reason.is_(None))  # hidden inputs are counted apart, by reason
    total = db.exec(select(func.count()).select_from(i).where(*shown)).one()
    answered = db.exec(select(func.count()).select_from(i).where(
        *shown, i.disposition.is_not(None), i.rationale.is_not(None), i.rationale != "")).one()
    per_theme = dict(db.exec(select(i.theme_id, func.count()).where(*shown).group_by(i.theme_id)).all())
    hidden = dict(sorted(db.exec(select(i.hidden_reason, func.count()).where(
        i.process_id == process_id, i.hidden_reason.is_not(None)).group_by(i.hidden_reason)).all()))
    return {"total": total, "answered": answered, "per_theme": per_theme, "hidden": hidden}


def participation_view(db_engine: Engine, slug: str, lang: str = "es", clock: Clock | None = None) -> dict[str, Any]:
    """Taking part on this site today (``clock``'s day where the process is): the online channels
    open, upcoming and closed, the other channels for those who take part otherwise, the themes,
    what the form asks and the privacy notice. Nothing personal."""
    with Session(db_engine) as db:
        p = process_by_slug(db, slug)
        return _taking_part(load_records(db, p, ("channels", "themes", "commitments"), now=(clock or SystemClock()).now(),
                                         plain=True), lang)


def _taking_part(r: Records, lang: str) -> dict[str, Any]:
    """:func:`participation_view` of the records ``r`` (pure)."""
    p = r.process
    today = local_today(r.now, p.timezone)
    empty: dict[str, list] = {"open": [], "upcoming": [], "closed": []}
    by_state = participation.web_channels(r.channels, today) if p.stage not in (CLOSED, SUSPENDED) else empty
    web = {c.key for cs in by_state.values() for c in cs}
    settings = participation.settings(p)
    period = participation.comment_period(p)
    comments_open = bool(period and period["opens_on"] <= today <= period["closes_on"] and p.stage == "commitments")
    drafts = [{"key": c.key, "title": c.title, "problem": c.problem, "objective": c.objective}
              for c in r.commitments if c.status == "draft"]

    def one(c) -> dict[str, Any]:
        state = ("closed" if c.closes_on is not None and c.closes_on < today else
                 "upcoming" if c.opens_on is not None and today < c.opens_on else "open")
        return {"key": c.key, "name": c.name, "kind": c.kind, "opens_on": Fmt.day(c.opens_on),
                "closes_on": Fmt.day(c.closes_on), "announced_on": Fmt.day(c.announced_on), "state": state,
                "place": c.place, "schedule": c.schedule, "instructions": c.instructions}
    # the other channels: those still to come or open first (by when they open), the closed after
    others = sorted((c for c in r.channels if c.key not in web),
                    key=lambda c: (one(c)["state"] == "closed", c.opens_on or dt.date.min, c.id))
    return {"process": {"slug": p.slug, "name": p.name, "stage": p.stage}, "today": today.isoformat(),
            **{state: [one(c) for c in cs] for state, cs in by_state.items()},
            # a closed or suspended process takes no part: no channel is offered
            "other_channels": [one(c) for c in others] if p.stage not in (CLOSED, SUSPENDED) else [],
            "themes": [{"key": t.key, "name": t.name} for t in r.themes],
            "comments": {"open": comments_open and bool(drafts), "drafts": drafts if comments_open else [],
                         "opens_on": period["opens_on"].isoformat() if period else None,
                         "closes_on": period["closes_on"].isoformat() if period else None},
            "ask": settings["ask"], "limits": settings["limits"],
            "privacy_notice": settings["privacy_notice"] or participation.DEFAULT_PRIVACY_NOTICE.render(lang),
            "max_length": participation.WEB_INPUT_MAX}


def upcoming(view: dict[str, Any], clock: Clock | None = None) -> dict[str, Any]:
    """What comes next in the public ``view``, as of ``clock``: the next session convened (not
    closed, not past) and the nearest deadline (a channel opening or closing, an activity's end,
    the end of the term), each ``None`` when there is none. Pure: reads the view only."""
    now = (clock or SystemClock()).now()
    today = local_today(now, view["process"]["timezone"]).isoformat()
    if view["process"]["closed"]:
        return {"session": None, "deadline": None}
    sessions = sorted((s for s in view["sessions"] if not s["closed_at"] and s["scheduled_for"]
                       and dt.datetime.fromisoformat(s["scheduled_for"]) >= now), key=lambda s: s["scheduled_for"])
    # a suspended process takes no part: its channels' dates wait
    channels = [] if view["process"]["stage"] == SUSPENDED else view["consultation"]["channels"]
    dates = [(c["opens_on"], "channel_opens", c["name"]) for c in channels]
    dates += [(c["closes_on"], "channel_closes", c["name"]) for c in channels]
    ends = view.get("activity_ends")  # the page's view: a day per ending, else every activity
    dates += ([(a["end_date"], "activity_ends", a["title"]) for a in ends] if ends is not None else
              [(a["end_date"], "activity_ends", a["title"]) for a in view["activities"] if a["status"] != "completed"])
    dates.append((view["process"]["term_ends_on"], "term_ends", view["process"]["name"]))
    ahead = sorted(d for d in dates if d[0] and d[0] >= today)
    return {"session": sessions[0] if sessions else None,
            "deadline": dict(zip(("on", "kind", "name"), ahead[0])) if ahead else None}


def _input_rows(inputs: list, channels: dict, commitments: dict, themes: dict, f: Fmt, lang: str) -> list[dict]:
    """The public list of ``inputs`` (the contact fields are personal data: never read here).
    What many inputs share (a channel, a commitment, a theme, a sector: the values taken from
    them) is looked up once and made once, a row to copy, not once per input."""
    none = (None, None)
    by_channel = {k: (c.key, c.name) for k, c in channels.items()}
    by_commitment = {k: (c.key, c.title) for k, c in commitments.items()}
    by_theme = {k: (t.key, t.name) for k, t in themes.items()}
    shared: dict[tuple, dict] = {}
    day, out = cache(f.day), []
    add = out.append
    for start in range(0, len(inputs), MASKED_TOGETHER):
        # a run of inputs none of whose texts is masked is not masked one by one; its times written at once
        run = inputs[start:start + MASKED_TOGETHER]
        texts, rationales = [i.text for i in run], [i.rationale for i in run]
        if not participation.masks_nothing([t for t in texts + rationales if t]):
            texts, rationales = list(map(participation.mask, texts)), list(map(participation.mask, rationales))
        for i, text, rationale, answered_at in zip(run, texts, rationales, f.ats([i.answered_at for i in run])):
            like = (i.channel_id, i.commitment_id, i.theme_id, i.sector)
            row = shared.get(like)
            if row is None:  # the keys in the order of the row; each input's own values set below
                channel, channel_name = by_channel.get(i.channel_id, none)
                commitment, commitment_title = by_commitment.get(i.commitment_id, none)
                theme, theme_name = by_theme.get(i.theme_id, none)
                row = shared[like] = {
                    "key": None, "channel": channel, "channel_name": channel_name, "kind": None,
                    "commitment": commitment, "commitment_title": commitment_title, "text": None,
                    "sector": i.sector, "sector_label": vocabulary.label("sector", i.sector, lang), "received_on": None,
                    "theme": theme, "theme_name": theme_name, "themes": None,
                    "disposition": None, "rationale": None, "answered_at": None}
            row = row.copy()
            row["key"], row["kind"], row["text"], row["received_on"] = i.key, i.kind, text, day(i.received_on)
            row["themes"], row["disposition"], row["rationale"] = list(i.themes or []), i.disposition, rationale
            row["answered_at"] = answered_at
            add(row)
    return out


#: How many inputs :func:`_input_rows` asks at once whether any of their texts is to be masked.
MASKED_TOGETHER = 64


def _stage_title(stage: str, lang: str) -> str:
    return BY_NAME[stage].title.render(lang) if stage in BY_NAME else stage


#: Each minute of a day as :meth:`Fmt.at` writes it after the date.
_MINUTES = tuple(f"T{h:02d}:{m:02d}" for h in range(24) for m in range(60))


#: Each time zone's offset by UTC day (:meth:`Fmt._offset`) and each local day's date, kept from
#: one view to the next (each view of a process asks the same few hundred days again); each
#: emptied past :data:`_DAYS_KEPT` days.
_OFFSETS: dict[str, dict[int, tuple[dt.timedelta, str] | None]] = {}
_DAYS: dict[int, str] = {}
_DAYS_KEPT = 100_000


class Fmt:
    """Times and dates as the view writes them, in the process's time zone. The whole view writes
    tens of thousands of times: :meth:`at` looks up, once per UTC day, the zone's offset all that
    day (when it has one: no change of offset within it) and, once per local day, its date, and
    writes each time from them (``datetime.astimezone`` and ``isoformat`` cost ~4 times more)."""

    def __init__(self, tz: str):
        self.tz = ZoneInfo(tz)
        self._offsets = _OFFSETS.setdefault(tz, {})
        self._days = _DAYS
        for kept in (self._offsets, self._days):
            if len(kept) > _DAYS_KEPT:
                kept.clear()

    def _offset(self, ordinal: int) -> tuple[dt.timedelta, str] | None:
        """The zone's offset over the whole UTC day ``ordinal`` and how ``isoformat`` writes it;
        ``None`` when the offset changes that day."""
        start = dt.datetime.fromordinal(ordinal).replace(tzinfo=dt.timezone.utc)
        first = start.astimezone(self.tz)
        last = (start + dt.timedelta(days=1, microseconds=-1)).astimezone(self.tz)
        if first.utcoffset() != last.utcoffset():
            return None
        return first.utcoffset(), first.isoformat(timespec="minutes")[16:]

    def at(self, when: dt.datetime | None) -> str | None:
        """``when`` (aware) in the zone, to the minute: ``when.astimezone(tz).isoformat(timespec="minutes")``."""
        return self.ats((when,))[0]

    def ats(self, whens) -> list[str | None]:
        """:meth:`at` of each of ``whens``: a column of times written at once (what each time
        looks up bound once, not once a time)."""
        offsets, days, minutes, utc, out = self._offsets, self._days, _MINUTES, dt.timezone.utc, []
        add = out.append
        for when in whens:
            if when is None:
                add(None)
                continue
            if when.tzinfo is not utc:
                when = when.astimezone(utc)
            ordinal = when.toordinal()
            found = offsets.get(ordinal, 0)
            if found == 0:
                found = offsets[ordinal] = self._offset(ordinal)
            if found is None:  # the offset changes that day
                add(when.astimezone(self.tz).isoformat(timespec="minutes"))
                continue
            local = when + found[0]
            day = days.get(local.toordinal())
            if day is None:
                day = days[local.toordinal()] = local.date().isoformat()
            add(day + minutes[local.hour * 60 + local.minute] + found[1])
        return out

    @staticmethod
    def day(when: dt.date | None) -> str | None:
        return when.isoformat() if when else None


def build(r: Records, lang: str = "es", counts: dict[str, Any] | None = None, listed: bool = True,
          whole: bool = True, like: Any = None) -> dict[str, Any]:
    """The public dict of one process from its records (pure: no I/O); ``counts``: the inputs'
    counts when taken by the database (:func:`input_counts`, and the newest days of inputs received
    and responses given, :func:`received_days`, :func:`response_days`: then ``news`` carries those
    days only, enough for the newest :data:`NEWS_DAYS` items), ``listed=False``: no list of inputs.

    ``whole=False``: what the process page shows, a summary. Each commitment with its progress and
    how many activities (its activities, their reports and its indicators are on its own page,
    :func:`commitment_view`); the progress counted over every activity; no list of activities,
    indicators or progress reports (``activities`` is empty; ``activity_ends``: each day an
    activity not completed ends, with the first title by name, for the next date); the
    repository's newest :data:`REPOSITORY_ITEMS` items (``repository_total``: how many in all)."""
    p, f = r.process, Fmt(r.process.timezone)
    people = {x.id: x for x in r.people}
    agencies = {a.id: a for a in r.agencies}
    themes = {t.id: t for t in r.themes}
    channels = {c.id: c for c in r.channels}
    sessions = {s.id: s for s in r.sessions}
    decisions = {d.id: d for d in r.decisions}
    commitments = {c.id: c for c in r.commitments}

    event = next_event(p.stage)
    # as of the records' now (the page's clock); ``like``: the facts of a compliance report of ``r`` already judged
    unmet = engine.blockers(r, event, now=r.now, like=like) if event else []

    # --- where it stands ------------------------------------------------------------------
    moves = [{"event": c.event, "from": c.from_stage, "to": c.to_stage, "at": f.at(c.at), "reason": c.reason,
              "decision": decisions[c.decision_id].key if c.decision_id in decisions else None}
             for c in r.stage_changes]
    entered: dict[str, list[str]] = defaultdict(list)
    left: dict[str, list[str]] = defaultdict(list)
    for c in r.stage_changes:
        if c.to_stage in BY_NAME:
            entered[c.to_stage].append(f.at(c.at))
        if c.from_stage in BY_NAME:
            left[c.from_stage].append(f.at(c.at))
    here = p.suspended_from if p.stage == SUSPENDED else p.stage
    here_index = STAGE_NAMES.index(here) if here in STAGE_NAMES else len(STAGE_NAMES)
    timeline = []
    for i, name in enumerate(STAGE_NAMES):
        state = "done" if i < here_index else "current" if i == here_index else "upcoming"
        timeline.append({"stage": name, "number": i + 1, "title": _stage_title(name, lang), "state": state,
                         "entered": entered.get(name, []), "left": left.get(name, [])})

    # --- secretariat ----------------------------------------------------------------------
    withdrawn = r.withdrawn_sectors()
    required = r.required_sectors
    members = [x for x in r.people if x.role == "member"]
    sector_names = list(dict.fromkeys([*required, *(m.sector for m in members if m.sector)]))
    sectors = []
    for code in sector_names:
        seated = [m for m in members if m.sector == code and m.active]
        sectors.append({"sector": code, "label": vocabulary.label("sector", code, lang), "required": code in required,
                        "min_present": required.get(code), "seated": len(seated), "withdrawn": code in withdrawn,
                        "members": [_person(m) for m in seated]})
    secretariat = {
        "quorum": {"sectors": dict(required), "min_members": int((p.quorum or {}).get("min_members") or 0)},
        "sectors": sectors,
        "former_members": [_person(m) | {"left_at": f.at(m.left_at)} for m in members if not m.active],
        "coordinators": [_person(x) for x in r.people if x.role == "coordinator" and x.active],
        "withdrawals": [{"sector": w.sector, "label": vocabulary.label("sector", w.sector, lang), "at": f.at(w.withdrawn_at),
                         "reason": w.reason, "returned_at": f.at(w.returned_at), "return_reason": w.return_reason}
                        for w in r.withdrawals],
    }

    # --- sessions and decisions ---------------------------------------------------------------
    attended: dict[int, list[str]] = defaultdict(list)
    attended_names: dict[int, list[str]] = defaultdict(list)  # people by their names on the pages
    for a in r.attendance:
        person = people.get(a.person_id)
        if person and person.handle not in attended[a.session_id]:
            attended[a.session_id].append(person.handle)
            attended_names[a.session_id].append(person.name or person.handle)
    decision_rows = [{
        "key": d.key, "session": sessions[d.session_id].key if d.session_id in sessions else None, "kind": d.kind,
        "rule": d.rule, "status": d.status, "reason": d.reason, "proposed_at": f.at(d.proposed_at),
        "decided_at": f.at(d.decided_at), "target": d.payload.get("target"), "text": d.payload.get("text"),
        "commitments": d.payload.get("commitments") or ([d.payload["commitment"]] if d.payload.get("commitment") else []),
        "tally": d.tally or {},
    } for d in r.decisions]
    titles = {c.key: c.title for c in r.commitments}
    for d in decision_rows:
        d["commitment_titles"] = [titles.get(k, k) for k in d["commitments"]]
    by_session: dict[str, list[str]] = defaultdict(list)
    for d in decision_rows:
        by_session[d["session"]].append(d["key"])
    session_rows = [{
        "key": s.key, "scheduled_for": f.at(s.scheduled_for), "place": s.place, "agenda": list(s.agenda or []),
        "extraordinary": s.extraordinary, "justification": s.justification, "convened_at": f.at(s.convened_at),
        "closed_at": f.at(s.closed_at), "minutes_ref": s.minutes_ref, "minutes_published_at": f.at(s.minutes_published_at),
        "closed_seq": s.closed_seq, "closed_head": s.closed_head,
        "attendance": attended.get(s.id, []), "attendance_names": attended_names.get(s.id, []),
        "decisions": by_session.get(s.key, []),
    } for s in r.sessions]

    # --- consultation -------------------------------------------------------------------------
    # Hidden inputs: counted by reason, their text kept unpublished. With ``counts`` (taken by the
    # database) the inputs are read only when listed.
    shown = [i for i in r.inputs if not i.hidden_reason] if counts is None or listed else []
    inputs_per_theme = counts["per_theme"] if counts else Counter(i.theme_id for i in shown)
    consultation = {
        "channels": [{"key": c.key, "kind": c.kind, "name": c.name, "online": c.online,
                      "aimed_at_excluded": c.aimed_at_excluded, "open_to_all": c.open_to_all,
                      "announced_on": f.day(c.announced_on), "opens_on": f.day(c.opens_on),
                      "closes_on": f.day(c.closes_on), "place": c.place, "schedule": c.schedule,
                      "instructions": c.instructions} for c in r.channels],
        "themes": [{"key": t.key, "name": t.name, "description": t.description, "priority": t.priority,
                    "inputs": inputs_per_theme.get(t.id, 0)}
                   for t in sorted(r.themes, key=lambda t: (t.priority is None, t.priority or 0, t.id))],
        # Input.contact_name / contact_email are personal data: never read here.
        "inputs": _input_rows(shown if listed else [], channels, commitments, themes, f, lang),
        "hidden": counts["hidden"] if counts else dict(sorted(Counter(i.hidden_reason for i in r.inputs
                                                                       if i.hidden_reason).items())),
    }
    consultation["answered"] = counts["answered"] if counts else sum(
        1 for i in consultation["inputs"] if i["disposition"] and i["rationale"])
    consultation["input_count"] = counts["total"] if counts else len(consultation["inputs"])

    sensitization = [{"key": s.key, "held_on": f.day(s.held_on), "place": s.place,
                      "topics": [{"code": t, "title": QUESTIONS[t].render(lang) if t in QUESTIONS else t}
                                 for t in (s.topics or [])],
                      "sectors": dict(s.sectors or {})} for s in r.sensitization_sessions]
    working_tables = [{"key": w.key, "theme": themes[w.theme_id].key if w.theme_id in themes else None,
                       "theme_name": themes[w.theme_id].name if w.theme_id in themes else "",
                       "methodology": w.methodology, "call_ref": w.call_ref, "facilitator": w.facilitator,
                       "held_on": f.day(w.held_on), "sectors": dict(w.sectors or {})} for w in r.working_tables]
    problem_trees = [{"key": t.key, "theme": themes[t.theme_id].key if t.theme_id in themes else None,
                      "theme_name": themes[t.theme_id].name if t.theme_id in themes else "",
                      "problem": t.problem,
                      "causes": [{"text": c.get("text", ""), "strategic": bool(c.get("strategic"))} for c in t.causes or []],
                      "effects": list(t.effects or []),
                      "solutions": [{"key": s.get("key"), "text": s.get("text", "")} for s in t.solutions or []],
                      "sdg_targets": list(t.sdg_targets or [])} for t in r.problem_trees]

    # --- commitments, routes, progress -----------------------------------------------------
    commitment_rows, activity_rows, indicator_rows, progress, (report_rows, evidence) = _route(
        r.commitments, r.activities, r.progress_reports if whole else [], r.indicators if whole else [],
        themes, agencies, f, whole)

    governance_record = _governance_record(r, f, lang)
    # what changed, newest first: the newest of each kind from the one list the feed
    # (:func:`feed_view`), the page's news and the weekly digest read
    happened = news.events(r, (counts or {}).get("response_days"), (counts or {}).get("received_days"),
                           newest=NEWS_DAYS)

    public_events = [{"key": e.key, "kind": e.kind, "held_on": f.day(e.held_on), "place": e.place,
                      "minutes_ref": e.minutes_ref} for e in r.public_events]

    return {
        "process": {"slug": p.slug, "name": p.name, "template": p.template, "stage": p.stage,
                    "stage_title": _stage_title(p.stage, lang) if p.stage in BY_NAME else p.stage,
                    "suspended_from": p.suspended_from, "closed": p.stage == CLOSED,
                    "starts_on": p.starts_on.isoformat(), "term_ends_on": r.term_end.isoformat(),
                    "timezone": p.timezone, "ruleset": p.ruleset, "spec_version": p.spec_version,
                    "created_at": f.at(p.created_at), "compliance_gate": _gate(p, f),
                    "closed_contrary": _closed_contrary(p, f)},
        "lang": lang,
        "next_move": event, "unmet": [u.as_dict(lang) for u in unmet],
        "timeline": timeline, "moves": moves,
        "declarations": [{"signed_on": f.day(d.signed_on), "document_ref": d.document_ref,
                          "signatories": [{"name": s.get("name"), "role": s.get("role"), "sector": s.get("sector"),
                                           "sector_label": vocabulary.label("sector", s.get("sector") or "", lang)}
                                          for s in d.signatories or []]} for d in r.declarations],
        "secretariat": secretariat,
        "agencies": [{"key": a.key, "name": a.name,
                      "liaisons": [x.name for x in r.people if x.role == "liaison" and x.active and x.agency_id == a.id]}
                     for a in r.agencies],
        "sessions": session_rows, "decisions": decision_rows,
        "consultation": consultation, "sensitization": sensitization, "working_tables": working_tables,
        "problem_trees": problem_trees, "commitments": commitment_rows, "activities": activity_rows,
        "indicators": indicator_rows, "progress": progress,
        "progress_reports": report_rows, "public_events": public_events,
        **({} if whole else {"activity_ends": _activity_ends(r.activities)}),
        **_repository(r, f, evidence, whole),
        "governance_record": governance_record,
        "news": [news.as_dict(e, p.timezone) for e in reversed(happened)],
        "audit": audit_head(p, f.at),
    }


def audit_head(p: Process, at=None) -> dict[str, Any]:
    """The head of the process's audit chain, to be published: its newest entry's number, hash
    and time. Anyone who keeps it can later check that the trail still holds it
    (``cocrea audit verify SLUG --expect HASH``): entries rewritten or removed after it cannot hide."""
    when = p.audit_at
    return {"process": p.slug, "seq": p.audit_seq, "head": p.audit_head,
            "at": (at(when) if at else when.isoformat()) if when else None, "algorithm": "sha256"}


def _governance_record(r: Records, f: Fmt, lang: str) -> list[dict[str, Any]]:
    """The secretariat's governance as it happened, oldest first: sectors withdrawing and
    returning, walk-outs and returns, and filings under OGP's Response Policy with where they stand."""
    tz = f.tz
    items = []
    for w in r.withdrawals:
        items.append({"kind": "withdrawal", "date": w.withdrawn_at.astimezone(tz).date().isoformat(), "sector": w.sector,
                      "organisation": None, "concern": w.reason, "status": None, "status_on": None, "outcome": ""})
        if w.returned_at:
            items.append({"kind": "sector_return", "date": w.returned_at.astimezone(tz).date().isoformat(),
                          "sector": w.sector, "organisation": None, "concern": w.return_reason or "", "status": None,
                          "status_on": None, "outcome": ""})
    for e in r.governance_events:
        items.append({"key": e.key, "kind": e.kind, "date": f.day(e.occurred_on), "sector": e.sector,
                      "organisation": e.organisation, "concern": e.concern, "status": e.status,
                      "status_on": f.day(e.status_on), "outcome": e.outcome})
    for item in items:
        item.setdefault("key", None)
        item["kind_label"] = vocabulary.label("governance_event", item["kind"], lang)
        item["sector_label"] = vocabulary.label("sector", item["sector"], lang) if item["sector"] else ""
        item["status_label"] = vocabulary.label("filing_status", item["status"], lang) if item["status"] else ""
    items.sort(key=lambda x: x["date"] or "")
    return items


def _gate(p: Process, f: Fmt) -> dict[str, Any]:
    """Whether unmet basic requirements block leaving a stage; if not, since when and why: the
    decision that lifted the gate, or its being off since the process was created."""
    conf = (p.settings or {}).get("compliance") or {}
    lifted = conf.get("lifted") or None
    out: dict[str, Any] = {"on": bool(conf.get("gate")), "lifted": None}
    if not out["on"] and lifted:
        at = dt.datetime.fromisoformat(lifted["at"]) if lifted.get("at") else None
        out["lifted"] = {"decision": lifted.get("decision"), "reason": lifted.get("reason") or "",
                         "at": f.at(at), "at_creation": bool(lifted.get("at_creation"))}
    return out


def _closed_contrary(p: Process, f: Fmt) -> dict[str, Any] | None:
    """A process closed acting contrary to process: the secretariat's decision, when, why, and
    the compliance report's causes that day (their requirements by id)."""
    done = ((p.settings or {}).get("compliance") or {}).get("closed_contrary")
    if not done:
        return None
    return {"decision": done["decision"], "reason": done["reason"], "at": f.at(dt.datetime.fromisoformat(done["at"])),
            "causes": list(done.get("causes") or []), "rules": list(done.get("rules") or [])}


def _person(x) -> dict[str, Any]:
    # Person.email is personal data: never read here.
    return {"handle": x.handle, "name": x.name, "organisation": x.organisation, "sector": x.sector,
            "organisation_kind": x.organisation_kind, "seat_role": x.seat_role}


def _mean(values) -> int:
    values = list(values)
    return round(sum(values) / len(values)) if values else 0


#: How many of the repository's newest items the process page lists (the open data has them all).
REPOSITORY_ITEMS = 50


def _repository(r: Records, f: Fmt, evidence_rows: list[dict], whole: bool = True) -> dict[str, Any]:
    """``repository``: every dated public document and piece of evidence (``evidence_rows``, made
    by :func:`_route` in its pass over the reports), newest first;
    ``whole=False``: the newest :data:`REPOSITORY_ITEMS` (the evidence picked among the progress
    reports before any item is made of them) and ``repository_total``, how many in all."""
    items = [{"at": f.at(d.published_at), "kind": d.kind, "title": d.title, "ref": d.ref, "stage": d.stage,
              "id": f"document/{d.key}"} for d in r.documents if d.public]
    for d in r.declarations:
        items.append({"at": f.day(d.signed_on), "kind": "declaration", "title": "", "ref": d.document_ref,
                      "stage": "declaration", "id": f"declaration/{d.signed_on.isoformat()}"})
    for s in r.sessions:
        if s.minutes_ref:
            items.append({"at": f.at(s.minutes_published_at or s.closed_at), "kind": "minutes", "title": s.key,
                          "ref": s.minutes_ref, "stage": None, "id": f"minutes/{s.key}"})
    for e in r.public_events:
        if e.minutes_ref:
            items.append({"at": f.day(e.held_on), "kind": f"event_{e.kind}", "title": "", "ref": e.minutes_ref,
                          "stage": "monitoring", "id": f"event/{e.key}"})
    if whole:
        items.extend(evidence_rows)
        items.sort(key=lambda x: x["at"] or "", reverse=True)
        return {"repository": items}
    # the page: the n-th report of each activity counted over every report, items made of the newest only
    activities = {a.id: a for a in r.activities}
    nth: dict[int, int] = {}
    evidence, stamps, never = [], [], dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    for rep in r.progress_reports:
        n = nth[rep.activity_id] = nth.get(rep.activity_id, 0) + 1
        if rep.evidence_ref and rep.activity_id in activities:
            evidence.append((n, rep))
            stamps.append(rep.recorded_at or never)
    total = len(items) + len(evidence)
    # formatted: the newest only, ties in the reports' order (a stable sort, mostly one run reversed)
    for i in sorted(range(len(stamps)), key=stamps.__getitem__, reverse=True)[:REPOSITORY_ITEMS]:
        n, rep = evidence[i]
        a = activities[rep.activity_id]
        items.append({"at": f.at(rep.recorded_at), "kind": "evidence", "title": a.title, "ref": rep.evidence_ref,
                      "stage": "monitoring", "id": f"evidence/{a.key}/{n}"})
    items.sort(key=lambda x: x["at"] or "", reverse=True)
    return {"repository": items[:REPOSITORY_ITEMS], "repository_total": total}


def _activity_ends(activities) -> list[dict[str, str]]:
    """Each day an activity not completed ends, oldest first, with the first of their titles by name."""
    first: dict[dt.date, str] = {}
    for a in activities:
        if a.status != "completed" and a.end_date and (a.end_date not in first or a.title < first[a.end_date]):
            first[a.end_date] = a.title
    return [{"end_date": day.isoformat(), "title": first[day]} for day in sorted(first)]


def _route(commitments: list, activities: list, reports: list, indicators: list, themes: dict, agencies: dict,
           f: Fmt, whole: bool = True) -> tuple[list[dict], list[dict], list[dict], dict[str, Any],
                                                tuple[list[dict], list[dict]]]:
    """The commitments' rows, their activities' (each with its progress reports) and indicators',
    the progress over all the activities given, and, made in the same pass over the reports, the
    flat rows of the reports (``progress_reports`` of the open data) and the repository's items of
    their evidence; ``whole=False``: no row of an activity, an indicator or a report (a commitment's
    progress and count of activities still over every activity)."""
    by_id = {c.id: c for c in commitments}
    agency_by_key = {a.key: a for a in agencies.values()}
    percents: dict[int, list[int]] = defaultdict(list)
    activities_by_commitment: dict[int, list[str]] = defaultdict(list)
    activity_rows: list[dict] = []
    report_rows: list[dict] = []
    evidence_rows: list[dict] = []
    if not whole:
        for a in activities:
            percents[a.commitment_id].append(a.percent)
    else:
        # what many rows share looked up once (a commitment's key, an agency, a day: a plan spans a
        # few hundred days), the times written a column at a time; each report's row made once, in
        # its activity's, and its values written once for the flat row and the evidence's item
        day, none, no_reports = cache(f.day), (None, None), ()
        key_of = {c.id: c.key for c in commitments}
        agency_of = {k: (a.key, a.name) for k, a in agencies.items()}
        reports_of: dict[int, list[dict]] = defaultdict(list)
        for x, recorded_at in zip(reports, f.ats([x.recorded_at for x in reports])):
            reports_of[x.activity_id].append({"status": x.status, "percent": x.percent, "evidence_ref": x.evidence_ref,
                                              "reported_on": day(x.reported_on), "recorded_at": recorded_at})
        add_activity, add_report, add_evidence = activity_rows.append, report_rows.append, evidence_rows.append
        for a, accepted_at in zip(activities, f.ats([a.accepted_at for a in activities])):
            percents[a.commitment_id].append(a.percent)
            agency, agency_name = agency_of.get(a.agency_id, none)
            key, commitment, title = a.key, key_of.get(a.commitment_id), a.title
            nested = reports_of.get(a.id)
            if nested is None:
                nested = []
            else:
                for n, rep in enumerate(nested, 1):
                    add_report({"activity": key, "commitment": commitment, "agency": agency, **rep})
                    if rep["evidence_ref"]:
                        add_evidence({"at": rep["recorded_at"], "kind": "evidence", "title": title,
                                      "ref": rep["evidence_ref"], "stage": "monitoring", "id": f"evidence/{key}/{n}"})
            add_activity({"key": key, "commitment": commitment, "title": title, "deliverable": a.deliverable,
                          "agency": agency, "agency_name": agency_name, "start_date": day(a.start_date),
                          "end_date": day(a.end_date), "accepted_at": accepted_at, "status": a.status,
                          "percent": a.percent, "reports": nested})
            activities_by_commitment[a.commitment_id].append(key)
    indicators_by_commitment: dict[int, list[dict]] = defaultdict(list)
    indicator_rows = []
    for i in indicators:
        row = {"key": i.key, "commitment": by_id[i.commitment_id].key if i.commitment_id in by_id else None,
               "name": i.name, "kind": i.kind, "baseline": i.baseline, "target": i.target}
        indicator_rows.append(row)
        indicators_by_commitment[i.commitment_id].append(row)
    commitment_rows = []
    for c in commitments:
        commitment_rows.append({
            "key": c.key, "title": c.title, "theme": themes[c.theme_id].key if c.theme_id in themes else None,
            "solution": c.solution_key, "problem": c.problem, "cause": c.cause, "objective": c.objective,
            "axes": list(c.axes or []), "ambition": c.ambition, "outcome": c.outcome, "end_date": f.day(c.end_date),
            "agencies": [{"key": k, "name": agency_by_key[k].name if k in agency_by_key else k} for k in c.agencies or []],
            "action_lines": list(c.action_lines or []), "status": c.status, "version": c.version,
            "final_status": c.final_status, "progress": _mean(percents.get(c.id, [])),
            "activities": activities_by_commitment.get(c.id, []), "activity_count": len(percents.get(c.id, [])),
            "indicators": indicators_by_commitment.get(c.id, []),
        })
    status_counts = Counter(a.status for a in activities)
    progress = {"overall": _mean(a.percent for a in activities), "activities": len(activities),
                "by_status": {s: status_counts.get(s, 0) for s in ACTIVITY_STATUSES},
                "final_status": dict(Counter(c.final_status for c in commitments if c.final_status))}
    return commitment_rows, activity_rows, indicator_rows, progress, (report_rows, evidence_rows)


def commitment_view(db_engine: Engine, slug: str, key: str, lang: str = "es") -> dict[str, Any] | None:
    """One commitment of the process ``slug`` for its own page, or ``None``: the process's name,
    the commitment (its indicators), its activities with their progress reports, in the shapes of
    :func:`public_view`; read by bounded queries (this commitment's rows, the process's agencies)."""
    with reading(db_engine) as db:
        p = db.process(slug)
        found = [c for c in db.rows("commitment", "key", [key]) if c.process_id == p.id]
        if not found:
            return None
        c = found[0]
        activities = db.rows("activity", "commitment_id", [c.id])
        reports = db.rows("progress_report", "activity_id", [a.id for a in activities])
        indicators = db.rows("indicator", "commitment_id", [c.id])
        agencies = {a.id: a for a in db.rows("agency", "process_id", [p.id])}
        themes = {t.id: t for t in db.rows("theme", "id", [c.theme_id])} if c.theme_id else {}
        f = Fmt(p.timezone)
        rows, activity_rows, _, _, _ = _route([c], activities, reports, indicators, themes, agencies, f)
        return {"process": {"slug": p.slug, "name": p.name, "timezone": p.timezone}, "lang": lang,
                "commitment": rows[0], "activities": activity_rows}


def table(view: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """One flat table of the public view, for CSV (lists joined with '; ')."""
    if name == "audit":
        return [dict(view["audit"])]
    if name == "members":
        rows = [{"sector": s["sector"], "required": s["required"], "withdrawn": s["withdrawn"], **m}
                for s in view["secretariat"]["sectors"] for m in s["members"]]
    elif name in ("channels", "themes", "inputs"):
        rows = view["consultation"][name]
    else:
        rows = view[name]
    return [{k: _flat(v) for k, v in row.items() if k not in ("reports", "indicators")} for row in rows]


def _flat(value: Any) -> Any:
    if isinstance(value, list):
        return "; ".join(_flat(v) if not isinstance(v, dict) else str(v.get("key") or v.get("text") or v.get("name") or v)
                         for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}={_flat(v)}" for k, v in value.items())
    return value
