"""Compliance reads: the report of a process now or as of a past date, and its timeline.

Wires storage, the audit replay and the pure checker (``compliance``); writes nothing.
:func:`report` of today reads through :func:`storage.plain.reading`, so the command line can
give it a quick :class:`storage.plain.Reader` (no SQLAlchemy); a past moment is rebuilt from
the audit trail (read through the same reader) by the actions, into a scratch database.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from compliance import report as compliance_report
from compliance import rulesets
from compliance.report import Report
from stages.base import add_months
from stages.clock import Clock, SystemClock
from stages.errors import InvalidInput, not_found, reason
from storage.plain import Reader, reading

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from storage.models import Process


def end_of_day(day: dt.date, timezone: str) -> dt.datetime:
    """The last instant of ``day`` in the process's time zone, in UTC."""
    local = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=ZoneInfo(timezone))
    return (local - dt.timedelta(microseconds=1)).astimezone(dt.timezone.utc)


def parse_as_of(value: str, timezone: str) -> dt.datetime:
    try:
        if len(value) == 10:
            return end_of_day(dt.date.fromisoformat(value), timezone)
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput([reason("bad_as_of", value=value)]) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment.astimezone(dt.timezone.utc)



def _run(records, moment: dt.datetime, ruleset: str | None, like: Report | None = None) -> Report:
    """``like``: a report of the same records at another moment, whose indexes of the records are
    taken (:attr:`compliance.facts.Facts.RECORD_ONLY`)."""
    try:
        rs = rulesets.resolve(records.process, ruleset)
    except rulesets.RuleSetInvalid as exc:
        raise InvalidInput(exc.reasons) from None
    return compliance_report.run(records, moment, ruleset=rs, like=like.facts if like is not None else None)


def judged(records, moment: dt.datetime, ruleset: str | None = None) -> Report:
    """The compliance report of ``records`` read now (``moment``: now), as :func:`report` gives it."""
    return _run(records, moment.astimezone(dt.timezone.utc), ruleset)


def process_timezone(db_engine: Engine | Reader, slug: str) -> str:
    with reading(db_engine) as db:
        return db.process(slug).timezone


def report(db_engine: Engine | Reader, slug: str, *, as_of: dt.datetime | None = None, ruleset: str | None = None,
           clock: Clock | None = None) -> Report:
    """The compliance report now, or as of a moment (past moments are rebuilt from the audit trail,
    read through ``db_engine`` too: a quick :class:`~storage.plain.Reader` will do)."""
    moment = (as_of or (clock or SystemClock()).now()).astimezone(dt.timezone.utc)
    with reading(db_engine) as db:
        p = db.process(slug)
        if p.audit_at is None or moment >= p.audit_at:  # nothing happened since: today's rows are that moment's rows
            return _run(db.records(p), moment, ruleset)
    from . import replay

    records = replay.records_as_of(db_engine, slug, moment)
    if records is None:
        raise not_found("process", f"{slug} @ {moment.isoformat()}")
    return _run(records, moment, ruleset)


def month_ends(start: dt.date, end: dt.date, timezone: str) -> list[dt.datetime]:
    out, day = [], dt.date(start.year, start.month, 1)
    while day <= end:
        last = add_months(day, 1) - dt.timedelta(days=1)
        out.append(end_of_day(min(last, end), timezone))
        day = add_months(day, 1)
    return out


def timeline(db_engine: Engine | Reader, slug: str, *, ruleset: str | None = None, clock: Clock | None = None,
             until: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The status of every rule at the end of each month since the process was created,
    rebuilt from the audit trail: when each requirement was met, and when it stopped being."""
    from . import replay

    now = (until or (clock or SystemClock()).now()).astimezone(dt.timezone.utc)
    with reading(db_engine) as db:
        p = db.process(slug)
        tz, created = p.timezone, p.created_at
    start = created.astimezone(ZoneInfo(tz)).date()
    moments = month_ends(start, now.astimezone(ZoneInfo(tz)).date(), tz)
    moments[-1] = min(moments[-1], now)
    out, rep = [], None
    for moment, records in replay.walk(db_engine, slug, moments):
        if records is None:
            continue
        rep = _run(records, moment, ruleset, like=rep)  # a month without facts: the same records
        out.append({"as_of": moment.isoformat(), "date": rep.facts.iso(moment), "stage": records.process.stage,
                    "statuses": rep.statuses(), "counts": rep.counts(), "compliant": rep.compliant})
    return out


def load_process(db_engine: Engine | Reader, slug: str) -> Process:
    with reading(db_engine) as db:
        return db.process(slug)
