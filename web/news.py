"""What happened in a process, as news: one list, newest first, read from the public view.

The Atom feed carries every item; the process page opens with the newest few. The items are the
events the weekly digest to followers counts (``notifications.citizens.changes``): stage moves,
sessions convened and their minutes, documents published, reasoned responses given (one item per
day), progress reported on the commitments' activities; and the evidence kept in the repository.
Titles name things by their names (a commitment by its title, an activity by its title), never by
an internal key.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, NamedTuple
from urllib.parse import quote
from zoneinfo import ZoneInfo

from i18n import gettext, ngettext
from stages import vocabulary

from .i18n import date_text, stage_name


class News(NamedTuple):
    at: dt.datetime
    ident: str      #: a fragment of the process page, unique in the process (the Atom entry's id)
    title: str
    summary: str
    link: str | None  #: where it is read: a document's URL, a page of this site (relative), or none


def instant(value: str | None) -> dt.datetime:
    """An ISO date or time of the view as an aware instant (a bare day: its midnight in UTC)."""
    if not value:
        return dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    if len(value) == 10:
        return dt.datetime.combine(dt.date.fromisoformat(value), dt.time(), dt.timezone.utc)
    return dt.datetime.fromisoformat(value).astimezone(dt.timezone.utc)


def _url(ref: str) -> str | None:
    return ref if ref.startswith(("http://", "https://")) else None


def news(view: dict[str, Any], lang: str, answered: list[str] | None = None) -> list[News]:
    """Every item of news of the process ``view`` (:func:`reads.public.public_view`), newest first;
    ``answered``: when responses were given (:func:`reads.public.recent_responses`), for a view
    that does not list the inputs."""
    p = view["process"]
    base = f"/p/{quote(p['slug'])}"
    items: list[News] = []
    for doc in view["repository"]:
        kind = vocabulary.label("document_kind", doc["kind"], lang)
        title = f"{kind}: {doc['title']}" if doc["title"] else kind
        if doc["kind"] == "minutes":
            title = gettext(lang, "Minutes of session {key}").format(key=doc["title"])
        items.append(News(instant(doc["at"]), doc["id"], title, doc["ref"], _url(doc["ref"])))
    for m in view["moves"]:
        title = gettext(lang, "Stage move: {event} → {stage}").format(
            event=vocabulary.label("event", m["event"], lang), stage=stage_name(lang, m["to"]))
        items.append(News(instant(m["at"]), f"move-{m['at']}-{m['event']}", title, m["reason"] or "", None))
    for s in view["sessions"]:
        if s.get("convened_at"):
            title = gettext(lang, "Session {key} convened for {when}, {place}").format(
                key=s["key"], when=date_text(s["scheduled_for"], lang), place=s["place"])
            items.append(News(instant(s["convened_at"]), f"session-{s['key']}", title, "; ".join(s["agenda"]),
                              f"{base}#session-{s['key']}"))
    if answered is None:
        answered = [i["answered_at"] for i in view["consultation"]["inputs"] if i["disposition"] and i["answered_at"]]
    items += _responses(view, lang, base, answered)
    titles = {a["key"]: a["title"] for a in view["activities"]}
    commitment_of = {a["key"]: a["commitment"] for a in view["activities"]}
    counted: dict[str, int] = defaultdict(int)
    for rep in view["progress_reports"]:
        counted[rep["activity"]] += 1
        title = gettext(lang, "Progress of \u201c{activity}\u201d: {percent} % ({status})").format(
            activity=titles.get(rep["activity"], ""), percent=rep["percent"],
            status=vocabulary.label("activity_status", rep["status"], lang))
        commitment = commitment_of.get(rep["activity"])
        items.append(News(instant(rep["recorded_at"] or rep["reported_on"]),
                          f"progress/{rep['activity']}/{counted[rep['activity']]}", title, rep["evidence_ref"] or "",
                          f"{base}/compromisos/{quote(commitment)}" if commitment else None))
    items.sort(key=lambda n: n.at, reverse=True)
    return items


def _responses(view: dict[str, Any], lang: str, base: str, answered: list[str]) -> list[News]:
    """One item per day on which inputs received their reasoned response."""
    tz = ZoneInfo(view["process"]["timezone"])
    by_day: dict[dt.date, list[dt.datetime]] = defaultdict(list)
    for when in answered:
        at = instant(when)
        by_day[at.astimezone(tz).date()].append(at)
    return [News(max(ats), f"responses-{day.isoformat()}",
                 ngettext(lang, "{n} input received its reasoned response", "{n} inputs received their reasoned response",
                          len(ats)).format(n=len(ats)), "", f"{base}#inputs")
            for day, ats in sorted(by_day.items())]
