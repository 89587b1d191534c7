"""Open-data renderings of the public view: CSV tables, an Atom feed, an iCalendar feed.

Pure functions of the dict built by :func:`reads.public.public_view`, so they can only
publish what that view holds (no personal data). The CSV is written by the standard
library's ``csv``; the Atom feed by ``feedgen`` (which builds it with lxml, so it escapes
the XML); the calendar by ``icalendar``, through :mod:`notifications.ical` (escaping, UTC
date-times, line folding), whose ``session_event`` is also the VEVENT of the session notice
email. Every text goes through :func:`notifications.ical.clean_text` first: control
characters, which neither XML nor iCalendar allow, are dropped. Links are made from the
configured public address (``base_url``), never from the request's Host header.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from feedgen.feed import FeedGenerator

from i18n import gettext
from notifications.ical import calendar, clean_text, event, session_event
from reads.public import table
from stages import vocabulary

from .news import instant, news

PRODID = "-//cocrea//public calendar//ES"
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


# --- Atom (feedgen) ---------------------------------------------------------------------

def atom(view: dict, base_url: str, lang: str) -> bytes:
    """The process's news (:func:`web.news.news` of :func:`reads.public.feed_view`: every event, the
    weekly digest's and the repository's), newest first."""
    p = view["process"]
    page = f"{base_url}/p/{p['slug']}"
    entries = [(n.at, f"{page}#{n.ident}", n.title, n.summary,
                n.link if n.link is None or n.link.startswith(("http://", "https://")) else f"{base_url}{n.link}")
               for n in news(view, lang)]
    feed = FeedGenerator()
    feed.language(lang)
    feed.title(clean_text(f"{p['name']} — {gettext(lang, 'Document repository')}"))
    head = view["audit"]
    if head["head"]:  # the record's head, published with every copy of the feed a reader keeps
        feed.subtitle(gettext(lang, "Head of the audit trail: entry {seq}, SHA-256 {head}").format(
            seq=head["seq"], head=head["head"]))
    feed.id(page)
    feed.updated(entries[0][0] if entries else instant(p["created_at"]))
    feed.link(href=page, rel="alternate", type="text/html")
    feed.link(href=f"{page}/feed.atom", rel="self", type="application/atom+xml")
    feed.author(name="cocrea")
    feed.generator("cocrea")
    for when, ident, title, summary, link in entries:
        entry = feed.add_entry(order="append")
        entry.id(clean_text(ident))
        entry.updated(when)
        entry.title(clean_text(title))
        entry.link(href=clean_text(link or page), rel="alternate")
        if summary:
            entry.summary(clean_text(summary))
    return feed.atom_str()


# --- iCalendar (icalendar, through notifications.ical) ---------------------------------

def ical(view: dict, base_url: str, lang: str) -> bytes:
    """Sessions (timed), and deadlines as all-day events: channels, activities, commitments, events, term."""
    p = view["process"]
    slug, page = p["slug"], f"{base_url}/p/{p['slug']}"
    stamp = instant(p["created_at"])
    events = [session_event(uid=f"session-{s['key']}@{slug}.cocrea",
                            starts_at=dt.datetime.fromisoformat(s["scheduled_for"]),
                            summary=gettext(lang, "Session {key} — {process}").format(key=s["key"], process=p["name"]),
                            place=s["place"],
                            agenda=s["agenda"], stamp=stamp, url=page)
              for s in view["sessions"]]

    def day(uid: str, when: str | None, summary: str) -> None:
        if when:
            d = dt.date.fromisoformat(when[:10])
            events.append(event(uid=f"{uid}@{slug}.cocrea", stamp=stamp, start=d, end=d + dt.timedelta(days=1),
                                summary=summary, url=page))

    for c in view["consultation"]["channels"]:
        day(f"channel-{c['key']}-opens", c["opens_on"], gettext(lang, "Opens: {channel}").format(channel=c["name"]))
        day(f"channel-{c['key']}-closes", c["closes_on"], gettext(lang, "Closes: {channel}").format(channel=c["name"]))
    for a in view["activities"]:
        day(f"activity-{a['key']}-ends", a["end_date"],
            gettext(lang, "Activity {key}: {title}").format(key=a["key"], title=a["title"]))
    for c in view["commitments"]:
        day(f"commitment-{c['key']}-ends", c["end_date"],
            gettext(lang, "Commitment ends: {title}").format(title=c["title"]))
    for e in view["public_events"]:
        day(f"event-{e['key']}", e["held_on"], vocabulary.label("public_event", e["kind"], lang))
    day("term-ends", p["term_ends_on"], gettext(lang, "End of the term: {process}").format(process=p["name"]))
    return calendar(events, prodid=PRODID, name=p["name"])
