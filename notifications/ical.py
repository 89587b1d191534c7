"""An iCalendar (RFC 5545) event for a convened session, attached to its notice.

``METHOD:PUBLISH``: the event is added to the reader's calendar as information, with no
invitation to answer. Text is escaped (backslash, comma, semicolon, newline) and lines are
folded at 75 octets with CRLF, as the RFC requires.
"""
from __future__ import annotations

import datetime as dt

PRODID = "-//cocrea//recordatorios//ES"
DEFAULT_DURATION = dt.timedelta(hours=2)


def escape(text: str) -> str:
    return (str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets, never splitting a character."""
    out, current, size = [], [], 0
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > 75:
            out.append("".join(current))
            current, size = [" "], 1
        current.append(ch)
        size += n
    out.append("".join(current))
    return "\r\n".join(out)


def _utc(when: dt.datetime) -> str:
    return when.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def session_event(*, uid: str, starts_at: dt.datetime, summary: str, location: str, description: str,
                  stamp: dt.datetime, duration: dt.timedelta = DEFAULT_DURATION) -> bytes:
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{escape(uid)}",
        f"DTSTAMP:{_utc(stamp)}",
        f"DTSTART:{_utc(starts_at)}",
        f"DTEND:{_utc(starts_at + duration)}",
        f"SUMMARY:{escape(summary)}",
        f"LOCATION:{escape(location)}",
        f"DESCRIPTION:{escape(description)}",
        "STATUS:CONFIRMED", "TRANSP:OPAQUE",
        "END:VEVENT", "END:VCALENDAR",
    ]
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")
