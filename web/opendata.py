"""Open-data renderings of the public view: CSV tables, an Atom feed, an iCalendar feed.

Pure functions of the dict built by :func:`reads.public.public_view`, so they can only
publish what that view holds (no personal data).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any, Iterable
from xml.sax.saxutils import escape, quoteattr

from reads.public import table

from .i18n import label, ui

#: Spreadsheets run cells starting with these as formulas: such values get a leading quote.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def to_csv(view: dict, name: str) -> str:
    rows = table(view, name)
    out = io.StringIO()
    columns = list(dict.fromkeys(k for row in rows for k in row)) or ["key"]
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in columns})
    return out.getvalue()


# --- Atom ------------------------------------------------------------------------------

def _instant(value: str | None, tz_fallback: str = "T00:00:00Z") -> str:
    """RFC 3339 from our ISO strings (dates become midnight UTC)."""
    if not value:
        return "1970-01-01T00:00:00Z"
    if len(value) == 10:
        return value + tz_fallback
    return dt.datetime.fromisoformat(value).astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def atom(view: dict, base_url: str, lang: str) -> str:
    """Repository updates and stage moves, newest first."""
    p = view["process"]
    page = f"{base_url}/p/{p['slug']}"
    entries: list[tuple[str, str, str, str, str | None]] = []  # (updated, id, title, summary, link)
    for item in view["repository"]:
        title = f"{label(lang, item['kind'])}: {item['title']}" if item["title"] else label(lang, item["kind"])
        link = item["ref"] if item["ref"].startswith(("http://", "https://")) else None
        entries.append((_instant(item["at"]), f"{page}#{item['id']}", title, item["ref"], link))
    for m in view["moves"]:
        title = f"{ui(lang, 'stage')}: {label(lang, m['event'])} → {label(lang, m['to'])}"
        entries.append((_instant(m["at"]), f"{page}#move-{m['at']}-{m['event']}", title, m["reason"] or "", None))
    entries.sort(key=lambda e: e[0], reverse=True)
    updated = entries[0][0] if entries else _instant(p["created_at"])
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{lang}">',
           f"<title>{escape(p['name'])} — {escape(ui(lang, 'repository'))}</title>",
           f"<id>{escape(page)}</id>", f"<updated>{updated}</updated>",
           f"<link rel=\"alternate\" type=\"text/html\" href={quoteattr(page)}/>",
           f"<link rel=\"self\" type=\"application/atom+xml\" href={quoteattr(page + '/feed.atom')}/>",
           "<author><name>cocrea</name></author>"]
    for when, ident, title, summary, link in entries:
        out.append("<entry>")
        out.append(f"<id>{escape(ident)}</id><updated>{when}</updated><title>{escape(title)}</title>")
        out.append(f"<link rel=\"alternate\" href={quoteattr(link or page)}/>")
        if summary:
            out.append(f"<summary>{escape(summary)}</summary>")
        out.append("</entry>")
    out.append("</feed>")
    return "\n".join(out) + "\n"


# --- iCalendar (RFC 5545) ---------------------------------------------------------------

def _ical_text(value: str) -> str:
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _fold(line: str) -> Iterable[str]:
    """Lines of at most 75 octets, continuation lines starting with a space."""
    data = line.encode("utf-8")
    first = True
    while data:
        limit = 75 if first else 74
        cut = min(limit, len(data))
        while cut < len(data) and (data[cut] & 0xC0) == 0x80:  # never split a UTF-8 sequence
            cut -= 1
        yield ("" if first else " ") + data[:cut].decode("utf-8")
        data, first = data[cut:], False


def _utc_stamp(value: str) -> str:
    return dt.datetime.fromisoformat(value).astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def ical(view: dict, base_url: str, lang: str) -> str:
    """Sessions (timed), and deadlines as all-day events: channels, activities, commitments, events, term."""
    p = view["process"]
    slug, page = p["slug"], f"{base_url}/p/{p['slug']}"
    stamp = _utc_stamp(view["process"]["created_at"]) if p["created_at"] else "19700101T000000Z"
    events: list[dict[str, str]] = []
    for s in view["sessions"]:
        start = dt.datetime.fromisoformat(s["scheduled_for"])
        events.append({"UID": f"session-{s['key']}@{slug}.cocrea", "DTSTART": _utc_stamp(s["scheduled_for"]),
                       "DTEND": (start + dt.timedelta(hours=2)).astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ"),
                       "SUMMARY": f"{ui(lang, 'session')} {s['key']} — {p['name']}", "LOCATION": s["place"],
                       "DESCRIPTION": "\n".join(s["agenda"])})

    def day(uid: str, when: str | None, summary: str) -> None:
        if when:
            d = dt.date.fromisoformat(when[:10])
            events.append({"UID": f"{uid}@{slug}.cocrea", "DTSTART;VALUE=DATE": d.strftime("%Y%m%d"),
                           "DTEND;VALUE=DATE": (d + dt.timedelta(days=1)).strftime("%Y%m%d"), "SUMMARY": summary})

    for c in view["consultation"]["channels"]:
        day(f"channel-{c['key']}-opens", c["opens_on"], f"{ui(lang, 'opens')}: {c['name']}")
        day(f"channel-{c['key']}-closes", c["closes_on"], f"{ui(lang, 'closes')}: {c['name']}")
    for a in view["activities"]:
        day(f"activity-{a['key']}-ends", a["end_date"], f"{ui(lang, 'activity')} {a['key']}: {a['title']}")
    for c in view["commitments"]:
        day(f"commitment-{c['key']}-ends", c["end_date"], f"{ui(lang, 'ends')}: {c['title']}")
    for e in view["public_events"]:
        day(f"event-{e['key']}", e["held_on"], f"{ui(lang, 'public_events')}: {label(lang, e['kind'])}")
    day("term-ends", p["term_ends_on"], f"{ui(lang, 'term')}: {p['name']}")

    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//cocrea//public calendar//ES", "CALSCALE:GREGORIAN",
             f"X-WR-CALNAME:{_ical_text(p['name'])}"]
    for e in events:
        lines.append("BEGIN:VEVENT")
        lines.append(f"DTSTAMP:{stamp}")
        for k, v in e.items():
            if k in ("SUMMARY", "LOCATION", "DESCRIPTION"):
                if v:
                    lines.append(f"{k}:{_ical_text(v)}")
            else:
                lines.append(f"{k}:{v}")
        lines.append(f"URL:{page}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(f + "\r\n" for line in lines for f in _fold(line))
