"""Rendering a reminder: jinja2 templates per kind and language, into email bytes.

``templates/<lang>/<kind>.subject.txt``, ``<kind>.txt`` and ``<kind>.html`` (extending
``_layout.txt`` / ``_layout.html``, whose footer says why the reader receives the email and
how to stop it). HTML is autoescaped, text is not; every template runs under
``StrictUndefined``, so a missing field fails loudly instead of printing nothing. A session
notice carries the session as an iCalendar attachment.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)

from stages.reminders import BY_KIND

from . import ical
from .mime import Attachment, Mail, build, clean_header

TEMPLATES = Path(__file__).parent / "templates"
LANGS = ("es", "en")

MONTHS = {"es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
                 "noviembre", "diciembre"),
          "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                 "November", "December")}
WEEKDAYS = {"es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
            "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")}
STATUS = {"es": {"not_started": "sin iniciar", "in_progress": "en curso", "completed": "concluida",
                 "delayed": "con retraso"},
          "en": {"not_started": "not started", "in_progress": "in progress", "completed": "completed",
                 "delayed": "delayed"}}


def _lang(ctx: Any) -> str:
    lang = ctx.get("lang", "es")
    return lang if lang in LANGS else "es"


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


@functools.lru_cache(maxsize=4096)
def _long(value: Any, lang: str, weekday: bool) -> str:
    d = _day(value)
    month = MONTHS[lang][d.month - 1]
    text = f"{d.day} de {month} de {d.year}" if lang == "es" else f"{d.day} {month} {d.year}"
    return f"{WEEKDAYS[lang][d.weekday()]} {text}" if weekday else text


@pass_context
def long_date(ctx: Any, value: Any) -> str:
    return _long(value, _lang(ctx), False)


@pass_context
def weekday_date(ctx: Any, value: Any) -> str:
    return _long(value, _lang(ctx), True)


@pass_context
def days(ctx: Any, n: int) -> str:
    n = abs(int(n))
    if _lang(ctx) == "en":
        return "1 day" if n == 1 else f"{n} days"
    return "1 día" if n == 1 else f"{n} días"


@pass_context
def status_label(ctx: Any, value: str) -> str:
    return STATUS[_lang(ctx)].get(value, value)


def environment(path: Path = TEMPLATES) -> Environment:
    env = Environment(loader=FileSystemLoader(str(path)), undefined=StrictUndefined,
                      autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False,
                                                   default=False),
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                      auto_reload=False)  # templates are package data: no stat() per render
    env.filters.update(date=long_date, weekday_date=weekday_date, days=days, status=status_label)
    return env


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class Identity:
    """Who the reminders come from; the Message-ID domain defaults to the address's."""

    address: str = "cocrea@localhost"
    name: str = "cocrea"
    domain: str = ""

    @property
    def message_domain(self) -> str:
        return self.domain or self.address.rpartition("@")[2] or "localhost"


class Renderer:
    def __init__(self, identity: Identity | None = None, path: Path = TEMPLATES):
        self.identity = identity or Identity()
        self.env = environment(path)
        self._cache: dict[str, Any] = {}

    def _template(self, name: str):
        tpl = self._cache.get(name)
        if tpl is None:
            tpl = self._cache[name] = self.env.get_template(name)
        return tpl

    def render(self, kind: str, lang: str, context: dict[str, Any]) -> Rendered:
        if kind not in BY_KIND:
            raise KeyError(f"no reminder kind {kind!r}")
        lang = lang if lang in LANGS else "es"
        ctx = {**context, "lang": lang, "kind": kind}
        subject = clean_header(self._template(f"{lang}/{kind}.subject.txt").render(ctx))
        ctx["subject"] = subject
        text = self._template(f"{lang}/{kind}.txt").render(ctx)
        html = self._template(f"{lang}/{kind}.html").render(ctx)
        attachments: tuple[Attachment, ...] = ()
        if kind == "session_notice":
            attachments = (self.session_ics(ctx),)
        return Rendered(subject, text, html, attachments)

    def session_ics(self, ctx: dict[str, Any]) -> Attachment:
        s, p = ctx["session"], ctx["process"]
        lang = ctx["lang"]
        head = "Sesión" if lang == "es" else "Session"
        event = ical.session_event(
            uid=f"session.{p['slug']}.{s['key']}@{self.identity.message_domain}",
            starts_at=dt.datetime.fromisoformat(s["starts_at"]),
            summary=f"{head} {s['key']} — {p['name']}", place=s["place"], agenda=s["agenda"],
            stamp=dt.datetime.fromisoformat(ctx["today"] + "T00:00:00+00:00"))
        data = ical.calendar([event], method="PUBLISH")
        return Attachment("sesion.ics" if lang == "es" else "session.ics", "text/calendar; method=PUBLISH", data)

    def message(self, *, key: str, kind: str, lang: str, to: str, to_name: str, context: dict[str, Any],
                date: float | None = None) -> tuple[Rendered, bytes]:
        """Render and build the email; its Message-ID is the reminder's idempotency key."""
        r = self.render(kind, lang, context)
        mail = Mail(sender=self.identity.address, sender_name=self.identity.name, to=to, to_name=to_name,
                    subject=r.subject, text=r.text, html=r.html, lang=lang,
                    message_id=f"{key}@{self.identity.message_domain}", attachments=list(r.attachments),
                    headers={"X-Cocrea-Reminder": key})
        return r, build(mail, date)
