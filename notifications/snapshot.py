"""The records the planner reads, loaded with SQLAlchemy Core (no ORM objects); on PostgreSQL the
sweep's due activities, most of the rows, straight from the driver's cursor (``_due_activities``).

The planner needs a process's people, agencies, commitments, activities, progress reports,
sessions, channels and inputs; rows come back as read-only named tuples (``collections.namedtuple``,
made from SQLAlchemy Core rows: reading a field of one is ~5x cheaper than of a Core ``Row``, and the
planner reads several fields of every activity), several times faster than ORM objects (it runs
inside every action and over 100,000 activities).

An action that touched some activities re-plans only theirs (``activities``): those rows (and
their reports), their agencies and their commitments, nothing that grows with the process. An
agency's progress report is then planned from the touched activities alone, as if they were all
the agency's open activities: what they make due is due (one open activity started by the due
date without a report since the period began is enough, and the reminder's key names the agency,
not its activities), so the action stores the reminder it made due itself (an activity planned,
or reopened by a report dated in the previous period); one due because of the agency's other
activities is due by the calendar, not by the action: the worker's sweep stores it, as every
other activity's reminders (``docs/reminders.md``). The text of a reminder planned this way lists
only the touched activities: an action only stores what is due, the sender re-plans the whole
process before writing it.

The sweep reads only what can be due now (``due``, :func:`notifications.planner.due_reads`, derived
from the rules' offsets): the open activities ending up to the latest date whose reminders (or the
digest) can be due, and for the progress reports of the agencies one open activity per
(agency, start date, last report) among the others: the report's rule asks only whether an open
activity started by the due date has no report since the period began, which one of each tells.
Such records plan the same due reminders, and hold only what planning reads (no commitment, the
activities' planning columns): the sweep and the actions store these reminders, the sender re-plans
the whole process before writing one.
"""
from __future__ import annotations

from collections import namedtuple
from functools import lru_cache, partial
from operator import attrgetter
import datetime as dt
from typing import Iterable

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session

from stages import Records
from storage import models as m

from .planner import bulk, due_reads

_TABLES = {"people": m.Person, "agencies": m.Agency, "commitments": m.Commitment, "activities": m.Activity,
           "progress_reports": m.ProgressReport, "sessions": m.SecretariatSession, "channels": m.Channel}
#: What the rules counting from each anchor read (``stages.reminders.ANCHORS``); people always.
_ACTIVITIES = ("agencies", "commitments", "activities")
ANCHOR_TABLES: dict[str, tuple[str, ...]] = {
    "activity_end": _ACTIVITIES, "progress_due": (*_ACTIVITIES, "progress_reports"),
    "session_date": ("sessions",), "session_closed": ("sessions",), "session_record": ("sessions",),
    "channel_close": ("channels",),
    "term_end": (), "weekly": (),
}


def load(db: Session, process: m.Process, anchors: frozenset[str] | None = None, *, inputs: bool = True,
         activities: Iterable[int] | None = None, due: dt.datetime | None = None) -> Records:
    """The rows the planner reads; with ``anchors``, only those the rules of these anchors need
    (an action re-plans what it touched); ``inputs=False`` skips the input counts of the
    consultation reminders' text (planning does not need them); ``activities`` (ids), only the
    activity rows those re-plan (see the module's doc); ``due`` (a moment): only the activity rows
    the reminders due then read (see the module's doc; for storing them, not for their text).
    Progress reports come as the latest date reported per activity: all the planner reads of them."""
    names = set(_TABLES) if anchors is None else {"people"}.union(*(ANCHOR_TABLES[a] for a in anchors))
    scope = _activity_scope(db, process, set(activities)) if activities is not None and "activities" in names else None
    window = due_reads(process, due) if due is not None and scope is None and "activities" in names else None
    rows = {}
    for name in names - {"progress_reports"}:
        table = _TABLES[name].__table__
        if name == "activities" and window is not None:
            rows[name] = _due_activities(db, process, window) if window.until is not None else []
            continue
        if name == "commitments" and window is not None:  # read by the text alone (the sender reloads)
            rows[name] = []
            continue
        query = select(table).where(table.c.process_id == process.id)
        if scope is not None and name in scope:
            query = query.where(scope[name])
        rows[name] = _tuples(db.execute(query.order_by(table.c.id)))
    if "progress_reports" in names:
        t = m.ProgressReport.__table__
        if window is not None:
            rows["progress_reports"] = _due_reports(db, process, window, rows)
        else:
            ids = [a.id for a in rows["activities"]] if scope is not None else None
            # scoped, by activity alone: SQLite would otherwise walk every report of the process
            where = t.c.process_id == process.id if ids is None else t.c.activity_id.in_(ids)
            query = select(t.c.activity_id, func.max(t.c.reported_on).label("reported_on")).where(where)
            query = query.group_by(t.c.activity_id)
            rows["progress_reports"] = _tuples(db.execute(query))
    if inputs and (anchors is None or "channel_close" in anchors):
        t = m.Input.__table__
        rows["inputs"] = _tuples(db.execute(select(t.c.id, t.c.channel_id).where(t.c.process_id == process.id)))
    return Records(process=process, **rows)


def _windowed(process: m.Process, until: dt.date | None):
    a = m.Activity.__table__
    return and_(a.c.process_id == process.id, a.c.status != "completed", a.c.end_date <= until)


_by_id = attrgetter("id")

#: The columns of an activity the due reminders read (their text reads more: the sender reloads).
_DUE_COLUMNS = ("id", "key", "title", "agency_id", "start_date", "end_date", "status")


def _due_activities(db: Session, process: m.Process, window) -> list:
    """The open activities ending by ``window.until`` (the columns planning reads), by id.

    On PostgreSQL, the most rows planning reads (tens of thousands) go from the driver's cursor
    to named tuples, in the session's transaction: psycopg gives these columns' values as
    SQLAlchemy would (ints, text, dates), without a SQLAlchemy row for each first."""
    a = m.Activity.__table__
    query = select(*(a.c[name] for name in _DUE_COLUMNS)).where(_windowed(process, window.until)).order_by(a.c.id)
    conn = db.connection()
    if conn.dialect.name != "postgresql":  # SQLite's dates are text: its SQLAlchemy type reads them
        return _tuples(conn.execute(query))
    compiled = query.compile(dialect=conn.dialect)
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(compiled.string, compiled.params)
        with bulk():
            return list(map(_maker(_DUE_COLUMNS), cursor.fetchall()))
    finally:
        cursor.close()


def _last_reports(process: m.Process):
    r = m.ProgressReport.__table__
    return (select(r.c.activity_id, func.max(r.c.reported_on).label("reported_on"))
            .where(r.c.process_id == process.id).group_by(r.c.activity_id).subquery())


def _due_reports(db: Session, process: m.Process, window, rows: dict) -> list:
    """The last report of each activity read, and, for the agencies' progress reports, one open
    activity of each (agency, start date, last report) outside the window, appended to
    ``rows["activities"]`` with only those fields (its end date left empty: no reminder of its own
    is read from it)."""
    a, r = m.Activity.__table__, m.ProgressReport.__table__
    found = rows["activities"]
    reports: list = []
    if found:  # from the process's reports (as the representatives' read below), not per activity read
        query = (select(r.c.activity_id, func.max(r.c.reported_on).label("reported_on"))
                 .select_from(r.join(a, a.c.id == r.c.activity_id))
                 .where(r.c.process_id == process.id, _windowed(process, window.until)).group_by(r.c.activity_id))
        reports = _tuples(db.execute(query))
    if not window.progress:
        return reports
    last = _last_reports(process)
    query = (select(func.min(a.c.id).label("id"), a.c.agency_id, a.c.start_date, last.c.reported_on)
             .select_from(a.outerjoin(last, last.c.activity_id == a.c.id))
             .where(a.c.process_id == process.id, a.c.status != "completed", a.c.agency_id.is_not(None))
             .group_by(a.c.agency_id, a.c.start_date, last.c.reported_on))
    if window.until is not None:  # the others are read whole
        query = query.where(or_(a.c.end_date.is_(None), a.c.end_date > window.until))
    kind = _row_type(_DUE_COLUMNS)
    blank = dict.fromkeys(kind._fields)
    for row in db.execute(query):
        found.append(kind(**{**blank, "id": row.id, "agency_id": row.agency_id,
                             "start_date": row.start_date, "status": "open"}))
        if row.reported_on is not None:
            reports.append(_row_type(("activity_id", "reported_on"))(row.id, row.reported_on))
    found.sort(key=_by_id)  # as read whole: an agency's first open activity comes first (two sorted runs)
    return reports


@lru_cache(maxsize=64)
def _row_type(fields: tuple[str, ...]) -> type:
    return namedtuple("Row", fields)


@lru_cache(maxsize=64)
def _maker(fields: tuple[str, ...]):
    """Makes a named tuple of ``fields`` from a row's values in one C call (``_make`` is Python)."""
    return partial(tuple.__new__, _row_type(fields))


def _tuples(result) -> list:
    """The result's rows as named tuples of its columns."""
    make = _maker(tuple(result.keys()))
    with bulk():
        return list(map(make, result.all()))


def _activity_scope(db: Session, process: m.Process, ids: set[int]) -> dict:
    """The conditions that keep only the rows re-planning ``ids`` reads, per table: those activities,
    their agencies and commitments (none of their agencies' other activities: see the module's doc)."""
    a = m.Activity.__table__
    rows = db.execute(select(a.c.agency_id, a.c.commitment_id).where(a.c.process_id == process.id,
                                                                      a.c.id.in_(ids))).all()
    agency_ids = {row.agency_id for row in rows if row.agency_id is not None}
    commitment_ids = {row.commitment_id for row in rows if row.commitment_id is not None}
    return {"activities": a.c.id.in_(ids), "agencies": m.Agency.__table__.c.id.in_(agency_ids),
            "commitments": m.Commitment.__table__.c.id.in_(commitment_ids)}
