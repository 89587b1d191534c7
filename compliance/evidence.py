"""Evidence items for the records rules cite: keys, dates, links; never personal data."""
from __future__ import annotations

from typing import Any

from i18n import Msg, N_, Verbatim

from .facts import Facts
from .model import Item


#: A document or a channel as the evidence lists it: its kind by name, then its title.
DOCUMENT = N_("{kind:document_kind}: {title}")
CHANNEL = N_("{name} ({kind:channel_kind})")
#: A document that should be there and is not.
WANTED = N_("a public document of kind '{kind:document_kind}'")


def plain(text: str) -> Msg:
    """Msg recorded by people (a title, a rationale): shown as written in both languages."""
    return Verbatim(text)


def document(f: Facts, d: Any, why: Msg | None = None, **fields: Any) -> Item:
    if why is None:
        why, fields = DOCUMENT, {"kind": d.kind, "title": d.title}
    return Item("document", d.key, f.iso(d.published_at), d.ref, why, fields)


def wanted_document(kind: str, date: str | None = None) -> Item:
    """What is missing: a public document of ``kind`` (a code of the ``document_kind`` vocabulary)."""
    return Item("document", kind, date, name=WANTED, fields={"kind": kind})


def session(f: Facts, s: Any, why: Msg | None = None, **fields: Any) -> Item:
    return Item("session", s.key, f.iso(s.scheduled_for), s.minutes_ref, why, fields)


def channel(c: Any, why: Msg | None = None, **fields: Any) -> Item:
    if why is None:
        why, fields = CHANNEL, {"name": c.name, "kind": c.kind}
    return Item("channel", c.key, c.opens_on.isoformat() if c.opens_on else None, None, why, fields)


def input_(i: Any, why: Msg | None = None, **fields: Any) -> Item:
    """A consultation input by key and date only: its text may hold personal data."""
    return Item("input", i.key, i.received_on.isoformat() if i.received_on else None, None, why, fields)


def commitment(c: Any, why: Msg | None = None, **fields: Any) -> Item:
    return Item("commitment", c.key, c.end_date.isoformat() if getattr(c, "end_date", None) else None, None,
                why or plain(c.title), fields)


def activity(a: Any, why: Msg | None = None, **fields: Any) -> Item:
    return Item("activity", a.key, a.end_date.isoformat() if a.end_date else None, None, why or plain(a.title), fields)


def decision(f: Facts, d: Any, why: Msg | None = None, **fields: Any) -> Item:
    return Item("decision", d.key, f.iso(d.decided_at), None, why, fields)


def sector(name: str, why: Msg | None = None, **fields: Any) -> Item:
    return Item("sector", name, None, None, why, fields)


def stage(name: str, why: Msg | None = None, **fields: Any) -> Item:
    return Item("stage", name, None, None, why, fields)


def setting(name: str, value: Any, why: Msg | None = None) -> Item:
    return Item("setting", name, None, None, why or plain(str(value)), {})
