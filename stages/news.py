"""What changed in a process: the one list of its public events, built from its records.

The Atom feed and the opening of the process page (``web/news.py``, through the public view
``reads.public``) and the weekly digest to followers (``notifications.citizens.changes``) are
all read from :func:`events`, so they cannot disagree on what happened: the feed carries every
event, the digest counts those of its week. Pure: no I/O, no text (the callers word the events
in the reader's language).

An event names things by their keys and titles, never a person: stage moves, sessions convened
and their minutes, documents published, declarations signed, public events' records, inputs
received and reasoned responses given (one event per local day each, with how many), progress
reported on the commitments' activities and its evidence, commitments agreed or amended.
"""
from __future__ import annotations

import datetime as dt
import heapq
from collections import defaultdict
from typing import Any, Iterable, NamedTuple
from zoneinfo import ZoneInfo

from .base import NotLoaded, Records

#: The kinds of event, in the order a day's events are listed.
KINDS = ("move", "convened", "minutes", "document", "declaration", "event_record", "received", "responses",
         "agreed", "progress", "evidence")


class Event(NamedTuple):
    at: dt.datetime       #: aware; a bare day's event: its midnight where the process is
    kind: str             #: one of :data:`KINDS`
    ident: str            #: unique in the process (the Atom entry's fragment)
    subject: dict         #: what the event names: keys, titles, references, a count


class Day(NamedTuple):
    """How many things of one kind happened on one local day, and the latest instant of them."""
    day: dt.date
    count: int
    latest: dt.datetime


def per_day(instants: Iterable[dt.datetime], timezone: str) -> list[Day]:
    """Instants grouped by their local day, oldest day first."""
    tz = ZoneInfo(timezone)
    by_day: dict[dt.date, list[dt.datetime]] = defaultdict(list)
    for at in instants:
        by_day[at.astimezone(tz).date()].append(at)
    return [Day(day, len(ats), max(ats)) for day, ats in sorted(by_day.items())]


def midnight(day: dt.date, timezone: str) -> dt.datetime:
    """The start of ``day`` where the process is, as an aware instant in UTC."""
    return dt.datetime.combine(day, dt.time(0), ZoneInfo(timezone)).astimezone(dt.timezone.utc)


def events(r: Records, responses: list[Day] | None = None, received: list[Day] | None = None,
           newest: int | None = None) -> list[Event]:
    """Every public event of the process, oldest first. ``responses`` and ``received``: the
    reasoned responses and the inputs received per day, when counted by the database (then
    ``r.inputs`` need not be loaded); by default counted from ``r.inputs`` (hidden inputs left out).
    ``newest``: only the newest ``newest`` events of each kind (the page's latest news: what it
    opens with is among them), the many rows (progress reports, commitment versions) picked
    before any event is made of them; the same events as the whole list's newest of each kind."""
    p = r.process
    tz = p.timezone
    zone = ZoneInfo(tz)

    def local(at: dt.datetime) -> str:
        return at.astimezone(zone).isoformat(timespec="minutes")

    out: list[Event] = []
    for c in r.stage_changes:
        out.append(Event(c.at, "move", f"move-{local(c.at)}-{c.event}",
                         {"event": c.event, "from": c.from_stage, "to": c.to_stage, "reason": c.reason or ""}))
    for s in r.sessions:
        if s.convened_at:
            out.append(Event(s.convened_at, "convened", f"session-{s.key}",
                             {"key": s.key, "scheduled_for": local(s.scheduled_for) if s.scheduled_for else None,
                              "place": s.place, "agenda": list(s.agenda or [])}))
        if s.minutes_ref and (s.minutes_published_at or s.closed_at):
            out.append(Event(s.minutes_published_at or s.closed_at, "minutes", f"minutes/{s.key}",
                             {"key": s.key, "ref": s.minutes_ref}))
    for d in r.documents:
        if d.public and d.published_at:
            out.append(Event(d.published_at, "document", f"document/{d.key}",
                             {"type": d.kind, "title": d.title, "ref": d.ref}))
    for d in r.declarations:
        out.append(Event(midnight(d.signed_on, tz), "declaration", f"declaration/{d.signed_on.isoformat()}",
                         {"ref": d.document_ref}))
    for e in r.public_events:
        if e.minutes_ref:
            out.append(Event(midnight(e.held_on, tz), "event_record", f"event/{e.key}",
                             {"type": e.kind, "ref": e.minutes_ref}))
    if responses is None or received is None:
        shown = [i for i in r.inputs if not i.hidden_reason]
        if responses is None:
            responses = per_day((i.answered_at for i in shown if i.disposition and i.answered_at), tz)
        if received is None:
            received = [Day(d.day, d.count, midnight(d.day, tz))
                        for d in per_day((midnight(i.received_on, tz) for i in shown if i.received_on), tz)]
    for d in received:
        out.append(Event(midnight(d.day, tz), "received", f"received-{d.day.isoformat()}", {"count": d.count}))
    for d in responses:
        out.append(Event(d.latest, "responses", f"responses-{d.day.isoformat()}", {"count": d.count}))
    if not isinstance(r.commitment_versions, NotLoaded):
        titles = {c.id: (c.key, c.title) for c in r.commitments}
        versions = r.commitment_versions
        if newest is not None:  # the newest by time, then by id (the order of ties in the whole list)
            versions = sorted(heapq.nlargest(newest, versions, key=lambda v: (v.recorded_at.timestamp(), v.id)),
                              key=lambda v: v.id)
        for v in versions:
            key, title = titles.get(v.commitment_id, ("", ""))
            out.append(Event(v.recorded_at, "agreed", f"agreed/{key}/{v.version}",
                             {"commitment": key, "title": title, "version": v.version}))
    activities = {a.id: a for a in r.activities}
    commitments = {c.id: c.key for c in r.commitments}
    counted: dict[int, int] = defaultdict(int)

    def reported(rep) -> dt.datetime:
        return rep.recorded_at or midnight(rep.reported_on, tz)

    kept = None
    if newest is not None:  # the newest reports, and the newest with evidence, by time then id
        keyed = [((rep.recorded_at or midnight(rep.reported_on, tz)).timestamp(), rep.id, bool(rep.evidence_ref))
                 for rep in r.progress_reports]
        kept = {k[1] for k in heapq.nlargest(newest, keyed)}
        kept |= {k[1] for k in heapq.nlargest(newest, (k for k in keyed if k[2]))}
    for rep in r.progress_reports:
        a = activities.get(rep.activity_id)
        counted[rep.activity_id] += 1  # the n-th report of its activity, counted over every report
        if a is None or (kept is not None and rep.id not in kept):
            continue
        at = reported(rep)
        subject = {"activity": a.key, "title": a.title, "commitment": commitments.get(a.commitment_id),
                   "status": rep.status, "percent": rep.percent, "ref": rep.evidence_ref or ""}
        n = counted[rep.activity_id]
        out.append(Event(at, "progress", f"progress/{a.key}/{n}", subject))
        if rep.evidence_ref:
            out.append(Event(at, "evidence", f"evidence/{a.key}/{n}", subject))
    order = {kind: n for n, kind in enumerate(KINDS)}
    out.sort(key=lambda e: (e.at.timestamp(), order[e.kind]))  # a float: aware times of many zones compare slowly
    if newest is None:
        return out
    seen: dict[str, int] = defaultdict(int)
    kept_events = []
    for e in reversed(out):
        seen[e.kind] += 1
        if seen[e.kind] <= newest:
            kept_events.append(e)
    return kept_events[::-1]


def between(found: list[Event], start: dt.datetime, end: dt.datetime) -> list[Event]:
    """The events from ``start`` (included) to ``end`` (excluded)."""
    return [e for e in found if start <= e.at < end]


def as_dict(e: Event, timezone: str) -> dict[str, Any]:
    """One event, JSON-ready (its time in ISO 8601 where the process is)."""
    return {"kind": e.kind, "at": e.at.astimezone(ZoneInfo(timezone)).isoformat(timespec="minutes"),
            "id": e.ident, **e.subject}
