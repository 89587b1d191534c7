"""What happened in a process, as news: one list, newest first, in the reader's language.

The events are not chosen here: they are the public view's ``news`` (``reads.public``), built by
:func:`stages.news.events`, the same builder the weekly digest to followers reads
(``notifications.citizens.changes``). This module only words them: a title, a summary and a
link each. The Atom feed carries every item; the process page opens with the newest few. Titles
name things by their names (a commitment by its title, an activity by its title), never by an
internal key. The feed words every event (``reads.public.feed_view``); the public view carries
the newest of each kind (``reads.public.NEWS_DAYS``), enough for the page's opening.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple
from urllib.parse import quote

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


def news(view: dict[str, Any], lang: str) -> list[News]:
    """The items of news of ``view``, newest first: its events (``view["news"]``, built by
    :func:`stages.news.events`) in words. The feed's view (:func:`reads.public.feed_view`) carries
    every event; the public view (:func:`reads.public.public_view`) the newest of each kind
    (``reads.public.NEWS_DAYS``): enough for the page's opening."""
    base = f"/p/{quote(view['process']['slug'])}"
    items = [News(instant(e["at"]), e["id"], *_words(e, lang, base)) for e in view["news"]]
    # a title may open with a label of the vocabulary (lower case inside a sentence): a headline
    items = [n._replace(title=n.title[:1].upper() + n.title[1:]) for n in items]
    items.sort(key=lambda n: n.at, reverse=True)
    return items


def _words(e: dict[str, Any], lang: str, base: str) -> tuple[str, str, str | None]:
    """An event's title, summary and link."""
    kind = e["kind"]
    if kind == "move" and e["event"] == "advance":
        return gettext(lang, "The process moved to the stage \u201c{stage}\u201d").format(
            stage=stage_name(lang, e["to"])), e["reason"], None
    if kind == "move" and e["event"] == "close":
        return gettext(lang, "The process closed"), e["reason"], None
    if kind == "move":
        return (gettext(lang, "Stage move: {event} → {stage}").format(
            event=vocabulary.label("event", e["event"], lang), stage=stage_name(lang, e["to"])), e["reason"], None)
    if kind == "convened":
        return (gettext(lang, "Session {key} convened for {when}, {place}").format(
            key=e["key"], when=date_text(e["scheduled_for"], lang), place=e["place"]),
            "; ".join(e["agenda"]), f"{base}#session-{e['key']}")
    if kind == "minutes":
        return gettext(lang, "Minutes of session {key}").format(key=e["key"]), e["ref"], _url(e["ref"])
    if kind == "declaration":
        return gettext(lang, "The declaration of joining open government was signed"), e["ref"], _url(e["ref"])
    if kind in ("document", "event_record"):
        label = vocabulary.label("document_kind", e["type"] if kind == "document" else f"event_{e['type']}", lang)
        if kind == "document" and e["type"] == "minutes":
            title = gettext(lang, "Minutes of session {key}").format(key=e["title"])
        else:
            title = f"{label}: {e['title']}" if e.get("title") else label
        return title, e["ref"], _url(e["ref"])
    if kind == "received":
        return (ngettext(lang, "{n} input received", "{n} inputs received", e["count"]).format(n=e["count"]),
                "", f"{base}#inputs")
    if kind == "responses":
        return (ngettext(lang, "{n} input received its reasoned response", "{n} inputs received their reasoned response",
                         e["count"]).format(n=e["count"]), "", f"{base}#inputs")
    if kind == "agreed":
        return (gettext(lang, "Commitment agreed: \u201c{title}\u201d (version {version})").format(
            title=e["title"], version=e["version"]), "", f"{base}/compromisos/{quote(e['commitment'])}")
    link = f"{base}/compromisos/{quote(e['commitment'])}" if e["commitment"] else None
    if kind == "evidence":
        return vocabulary.label("document_kind", "evidence", lang) + f": {e['title']}", e["ref"], _url(e["ref"]) or link
    return (gettext(lang, "Progress of \u201c{activity}\u201d: {percent} % ({status})").format(
        activity=e["title"], percent=e["percent"], status=vocabulary.label("activity_status", e["status"], lang)),
        e["ref"], link)
