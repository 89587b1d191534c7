"""Evidence items for the records rules cite: keys, dates, links; never personal data."""
from __future__ import annotations

from typing import Any

from i18n import Msg, Verbatim

from .facts import Facts
from .model import Item


def plain(text: str) -> Msg:
    """Msg recorded by people (a title, a rationale): shown as written in both languages."""
    return Verbatim(text)


def document(f: Facts, d: Any, why: Msg | None = None, **fields: Any) -> Item:
    return Item("document", d.key, f.iso(d.published_at), d.ref, why or plain(f"{d.kind}: {d.title}"), fields)


def session(f: Facts, s: Any, why: Msg | None = None, **fields: Any) -> Item:
    return Item("session", s.key, f.iso(s.scheduled_for), s.minutes_ref, why, fields)


def channel(c: Any, why: Msg | None = None, **fields: Any) -> Item:
    return Item("channel", c.key, c.opens_on.isoformat() if c.opens_on else None, None,
                why or plain(f"{c.name} ({c.kind})"), fields)


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
