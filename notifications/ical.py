"""iCalendar (RFC 5545) events for sessions and deadlines, written with the ``icalendar`` library.

``icalendar`` writes the content lines: it escapes TEXT values (backslash, comma, semicolon,
newline), writes date-times in UTC with ``Z`` and dates as ``VALUE=DATE``, and folds lines at
75 octets with CRLF. This module only decides what an event holds:

- :func:`session_event`: the one VEVENT of a secretariat session, attached to its notice
  (:mod:`notifications.render`, in a ``METHOD:PUBLISH`` calendar: added to the reader's
  calendar as information, with no invitation to answer) and listed in the public calendar
  of the process (:func:`web.opendata.ical`);
- :func:`event`: any VEVENT (the public calendar's all-day deadlines use it too);
- :func:`calendar`: the VCALENDAR around them, as bytes;
- :func:`clean_text`: drops the characters that neither RFC 5545 TEXT nor XML 1.0 allow (the
  Atom feed uses it as well).
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Iterable, Sequence

from icalendar import Calendar, Event

PRODID = "-//cocrea//recordatorios//ES"
#: A session is convened with a start only; calendars show it this long.
DEFAULT_DURATION = dt.timedelta(hours=2)

#: Neither XML 1.0 (``Char``) nor an iCalendar TEXT value (no CONTROL but tab) may hold these.
_UNSAFE = re.compile("[^\t\n\x20-\x7e\x80-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean_text(text: str) -> str:
    """``text`` without control characters (tab and newline kept; CR LF and CR become LF)."""
    return _UNSAFE.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n"))


def _moment(value: dt.date) -> dt.date:
    """Date-times in UTC (written with ``Z``); dates stay dates (all-day events)."""
    return value.astimezone(dt.timezone.utc) if isinstance(value, dt.datetime) else value


def event(*, uid: str, stamp: dt.datetime, start: dt.date, end: dt.date, summary: str, location: str = "",
          description: str = "", url: str | None = None) -> Event:
    """One VEVENT; empty texts are left out."""
    e = Event()
    e.add("uid", uid)
    e.add("dtstamp", _moment(stamp))
    e.add("dtstart", _moment(start))
    e.add("dtend", _moment(end))
    e.add("summary", clean_text(summary))
    if location:
        e.add("location", clean_text(location))
    if description:
        e.add("description", clean_text(description))
    if url:
        e.add("url", url)
    return e


def session_event(*, uid: str, starts_at: dt.datetime, summary: str, place: str, agenda: Sequence[str],
                  stamp: dt.datetime, url: str | None = None) -> Event:
    """A convened session: from its start for :data:`DEFAULT_DURATION`, its numbered agenda as
    the description."""
    e = event(uid=uid, stamp=stamp, start=starts_at, end=starts_at + DEFAULT_DURATION, summary=summary,
              location=place, description="\n".join(f"{n}. {item}" for n, item in enumerate(agenda, 1)), url=url)
    e.add("status", "CONFIRMED")
    e.add("transp", "OPAQUE")
    return e


def calendar(events: Iterable[Event], *, prodid: str = PRODID, method: str | None = None,
             name: str | None = None) -> bytes:
    """A VCALENDAR of ``events``, folded, CRLF line ends; ``name`` is the calendar's display name."""
    cal = Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", prodid)
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", clean_text(name))
    for e in events:
        cal.add_component(e)
    return cal.to_ical()
