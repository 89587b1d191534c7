"""Rendering a reminder: one set of jinja2 templates, translated through gettext, into email bytes.

``templates/<kind>.subject.txt``, ``<kind>.txt`` and ``<kind>.html`` (extending ``_layout.txt``
/ ``_layout.html``, whose footer says why the reader receives the email and how to stop it)
hold English source text in ``{% trans %}`` blocks (``jinja2.ext.i18n`` syntax, always
``trimmed``; plurals with ``{% pluralize %}``); the Spanish is in the ``notifications``
catalogue (``i18n/locale/es/LC_MESSAGES/notifications.po``). There is one
:class:`~jinja2.Environment` per language, made once: :class:`CompiledTranslations` translates
each ``{% trans %}`` block when a template is compiled, so a compiled template is the email as
if it had been written in that language, and rendering a message looks up no translation.
Filters bound to the language: ``date`` / ``weekday_date`` (dates in words), ``label(kind)``
(a code's name from :mod:`stages.vocabulary`; the context carries codes), ``labels`` and
``either`` (a list of names, "a, b o c"), ``translated`` (a message of this module), ``b``
(bold in HTML, plain in text).

HTML is autoescaped, text is not; every template runs under ``StrictUndefined``, so a missing
field fails loudly instead of printing nothing. A session notice carries the session as an
iCalendar attachment.

Why one module: the environment, its compile-time translation, the way templates are loaded
(plain include fragments inlined) and rendered (on the reminder's own context) are one
rendering path whose output the tests hold byte for byte; split, each part's reason would live
away from the others it depends on.
"""
from __future__ import annotations

import datetime as dt
import functools
import gettext as _gettext
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, nodes, pass_eval_context, select_autoescape
from jinja2.ext import InternationalizationExtension
from jinja2.runtime import new_context
from markupsafe import Markup, escape

from i18n import LOCALE, N_, NC_, SOURCE, lang_or_default, translations
from stages import vocabulary
from stages.errors import Misuse
from stages.participation import MAIL_KINDS
from stages.reminders import BY_KIND

from . import ical
from .mime import Attachment, Mail, build, clean_header

TEMPLATES = Path(__file__).parent / "templates"

MONTHS = (NC_("month name", "January"), NC_("month name", "February"), NC_("month name", "March"), NC_("month name", "April"),
          NC_("month name", "May"), NC_("month name", "June"), NC_("month name", "July"), NC_("month name", "August"),
          NC_("month name", "September"), NC_("month name", "October"), NC_("month name", "November"),
          NC_("month name", "December"))
WEEKDAYS = (NC_("weekday", "Monday"), NC_("weekday", "Tuesday"), NC_("weekday", "Wednesday"),
            NC_("weekday", "Thursday"), NC_("weekday", "Friday"), NC_("weekday", "Saturday"),
            NC_("weekday", "Sunday"))
# Translators: a date in words; {month} is a month's name.
DATE = NC_("date", "{day} {month} {year}")
# Translators: a date in words with its weekday; {date} is the date above.
WEEKDAY_DATE = NC_("date", "{weekday} {date}")
# Translators: the session's title in the attached calendar file.
SESSION_SUMMARY = N_("Session {key} — {process}")
# Translators: the name of the attached calendar file (ASCII letters only).
SESSION_FILE = N_("session.ics")
# Translators: the last two of a list of alternatives ("a, b or c").
ALTERNATIVES = NC_("list", "{items} or {last}")


def alternatives(names: list[str], lang: str) -> str:
    """``["a", "b", "c"]`` as "a, b or c" in ``lang``."""
    if len(names) < 2:
        return "".join(names)
    return ALTERNATIVES.render(lang, items=", ".join(names[:-1]), last=names[-1])


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


@functools.lru_cache(maxsize=4096)
def long_date(value: Any, lang: str, weekday: bool = False) -> str:
    """``value`` (a date or an ISO string) in words in ``lang``: "30 de septiembre de 2026"."""
    d = _day(value)
    text = DATE.render(lang, day=d.day, month=MONTHS[d.month - 1].render(lang), year=d.year)
    return WEEKDAY_DATE.render(lang, weekday=WEEKDAYS[d.weekday()].render(lang), date=text) if weekday else text


@pass_eval_context
def bold(eval_ctx: Any, value: Any) -> Any:
    """Emphasis in HTML (the value escaped); the value as it is in text."""
    return Markup(f"<strong>{escape(value)}</strong>") if eval_ctx.autoescape else value


@functools.cache
def template_translations(lang: str) -> _gettext.NullTranslations:
    """The ``notifications`` catalogue of ``lang`` first, then every other: the same English
    words translated differently in another area's catalogue do not leak into the emails."""
    path = LOCALE / lang / "LC_MESSAGES" / "notifications.mo"
    if lang == SOURCE or not path.exists():
        return translations(lang)
    with path.open("rb") as fp:
        own = _gettext.GNUTranslations(fp)
    own.add_fallback(translations(lang))
    return own


_FIELD = re.compile(r"%\((\w+)\)[sd]|%%")


class CompiledTranslations(InternationalizationExtension):
    """``jinja2.ext.i18n`` whose ``{% trans %}`` blocks are translated when a template is compiled.

    Each environment speaks one language, so a message's translation is known at compile time:
    the compiled template holds the translated text with the message's fields in place, exactly
    as if the template had been written in that language (fields escaped in HTML like any
    ``{{ value }}``), and rendering looks nothing up. A plural message holds each of its forms
    and chooses one by the count when rendered. Extraction (``python -m i18n update``) and the
    syntax are those of ``jinja2.ext.i18n``.
    """

    def _make_node(self, singular: str, plural: str | None, context: str | None, variables: dict,
                   plural_expr: Any, vars_referenced: bool, num_called_num: bool) -> nodes.Node:
        t = self.environment.compiled_translations  # type: ignore[attr-defined]
        if plural_expr is None:
            return nodes.Output(_pieces(t.pgettext(context, singular) if context else t.gettext(singular),
                                        variables))
        forms = plural_forms(t, singular, plural or singular, context)
        index = nodes.Filter(plural_expr, "_plural_index", [], [], None, None)

        def form(i: int) -> list[nodes.Node]:
            return [nodes.Output(_pieces(forms[i], variables))]

        def when(i: int) -> nodes.Expr:
            return nodes.Compare(index, [nodes.Operand("eq", nodes.Const(i))])

        return nodes.If(when(0), form(0), [nodes.If(when(i), form(i), [], []) for i in range(1, len(forms) - 1)],
                        form(len(forms) - 1))


def _pieces(text: str, variables: dict) -> list[nodes.Node]:
    """A translated message as template text and its fields' expressions, in order."""
    out: list[nodes.Node] = []
    pos = 0
    for m in _FIELD.finditer(text):
        if m.start() > pos:
            out.append(nodes.TemplateData(text[pos:m.start()]))
        out.append(nodes.TemplateData("%") if m.group() == "%%" else variables[m.group(1)])
        pos = m.end()
    if pos < len(text):
        out.append(nodes.TemplateData(text[pos:]))
    return out


def plural_rule(t: _gettext.NullTranslations):
    """The catalogue's plural rule (count -> form index); English's where there is no catalogue."""
    return getattr(t, "plural", None) or (lambda n: int(n != 1))


def plural_forms(t: _gettext.NullTranslations, singular: str, plural: str, context: str | None) -> list[str]:
    """Every form of a plural message, by form index."""
    rule, forms = plural_rule(t), {}
    for n in range(200):
        forms.setdefault(rule(n), t.npgettext(context, singular, plural, n) if context
                         else t.ngettext(singular, plural, n))
    return [forms[i] for i in sorted(forms)]


class _Environment(Environment):
    """Jinja's environment, reading a field of a dict (``activity.title``: the context is dicts) as
    the item first: jinja's own ``getattr`` asks the attribute first, and a dict's miss raises an
    exception each time (about 40 a reminder; measured ~1 µs each). Anything else, and a key the
    dict lacks, as jinja does (so an absent field is still ``StrictUndefined``)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            found = obj.get(attribute, _ABSENT)
            if found is not _ABSENT:
                return found
        return super().getattr(obj, attribute)


_ABSENT = object()

_INCLUDE = re.compile(r'^{% include "([\w.]+)" %}\n', re.M)
_SCOPED = re.compile(r"{%-?\s*(?:set|block|extends|macro|import|from|include)\b")


class _InliningLoader(FileSystemLoader):
    """The templates as written, each ``{% include "x" %}`` alone on its line replaced by the text
    of ``x`` when ``x`` is a plain fragment (no ``set``, ``block``, ``macro``, import or include of
    its own, ends with a newline): what the include would print, with no context copied and no
    template called per message (an include costs a context copy and a nested generator; 4 a
    reminder). The line's newline goes with the tag, as ``trim_blocks`` drops it; the fragment
    starts at a line's start, as at its file's start; its own last newline ends it as it did."""

    def get_source(self, environment: Environment, template: str):
        source, filename, uptodate = super().get_source(environment, template)
        return _INCLUDE.sub(lambda m: self._fragment(environment, m), source), filename, uptodate

    def _fragment(self, environment: Environment, m: re.Match) -> str:
        text = super().get_source(environment, m.group(1))[0]
        return m.group() if _SCOPED.search(text) or not text.endswith("\n") else text


@functools.cache
def environment(lang: str, path: Path = TEMPLATES) -> Environment:
    """The environment of ``lang``: its translations installed and its filters bound to it."""
    env = _Environment(loader=_InliningLoader(str(path)), undefined=StrictUndefined,
                      autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False,
                                                   default=False),
                      extensions=[CompiledTranslations],
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                      auto_reload=False)  # templates are package data: no stat() per render
    env.policies["ext.i18n.trimmed"] = True
    t = template_translations(lang)
    env.extend(compiled_translations=t)
    del env.globals["_"]  # no gettext at render time: every {% trans %} is translated when compiled
    rule = plural_rule(t)

    def _plural_index(n: int) -> int:
        return rule(n)

    def date(value: Any) -> str:
        return long_date(value, lang, False)

    def weekday_date(value: Any) -> str:
        return long_date(value, lang, True)

    @functools.lru_cache(maxsize=1024)
    def label(code: Any, kind: str) -> str:
        return vocabulary.label(kind, code, lang)

    def labels(codes: Any, kind: str) -> list[str]:
        return [label(c, kind) for c in codes]

    def either(names: list[str]) -> str:
        return alternatives(names, lang)

    def translated(msgid: str) -> str:
        return t.gettext(msgid)

    # On constant arguments ("report_progress"|label("action")) these are applied when compiled.
    env.filters.update(date=date, weekday_date=weekday_date, label=label, labels=labels, either=either,
                       translated=translated, b=bold, _plural_index=_plural_index)
    return env


def _render(template: Template, ctx: dict[str, Any]) -> str:
    """``template.render(ctx)`` on ``ctx`` itself: jinja's ``render`` copies the context and the
    environment's globals (``range``, ``dict``, ``cycler`` ... none of which the emails use) into a
    new dict at each call, three times a reminder; ``ctx`` is the reminder's own (built by
    :meth:`Renderer.render`) and no template writes into it (a template's ``set`` goes to its own
    variables). Errors are raised as ``render`` raises them."""
    env = template.environment
    try:
        return "".join(template.root_render_func(new_context(env, template.name, template.blocks, ctx, True)))
    except Exception:
        env.handle_exception()
        raise  # not reached: handle_exception raises


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
        self.path = path
        self._cache: dict[tuple[str, str], Any] = {}

    def _template(self, lang: str, name: str):
        tpl = self._cache.get((lang, name))
        if tpl is None:
            tpl = self._cache[(lang, name)] = environment(lang, self.path).get_template(name)
        return tpl

    def render(self, kind: str, lang: str, context: dict[str, Any]) -> Rendered:
        if kind not in BY_KIND and kind not in MAIL_KINDS:
            raise Misuse(f"no reminder kind {kind!r}")
        lang = lang_or_default(lang)
        ctx = {**context, "lang": lang, "kind": kind}
        subject = clean_header(_render(self._template(lang, f"{kind}.subject.txt"), ctx))
        ctx["subject"] = subject
        text = _render(self._template(lang, f"{kind}.txt"), ctx)
        html = _render(self._template(lang, f"{kind}.html"), ctx)
        attachments: tuple[Attachment, ...] = ()
        if kind == "session_notice":
            attachments = (self.session_ics(ctx),)
        return Rendered(subject, text, html, attachments)

    def session_ics(self, ctx: dict[str, Any]) -> Attachment:
        s, p = ctx["session"], ctx["process"]
        lang = ctx["lang"]
        event = ical.session_event(
            uid=f"session.{p['slug']}.{s['key']}@{self.identity.message_domain}",
            starts_at=dt.datetime.fromisoformat(s["starts_at"]),
            summary=SESSION_SUMMARY.render(lang, key=s["key"], process=p["name"]), place=s["place"],
            agenda=s["agenda"], stamp=dt.datetime.fromisoformat(ctx["today"] + "T00:00:00+00:00"))
        data = ical.calendar([event], method="PUBLISH")
        return Attachment(SESSION_FILE.render(lang), "text/calendar; method=PUBLISH", data)

    def message(self, *, key: str, kind: str, lang: str, to: str, to_name: str, context: dict[str, Any],
                date: float | None = None, headers: dict[str, str] | None = None) -> tuple[Rendered, bytes]:
        """Render and build the email; its Message-ID is the reminder's idempotency key."""
        r = self.render(kind, lang, context)
        mail = Mail(sender=self.identity.address, sender_name=self.identity.name, to=to, to_name=to_name,
                    subject=r.subject, text=r.text, html=r.html, lang=lang,
                    message_id=f"{key}@{self.identity.message_domain}", attachments=list(r.attachments),
                    headers={"X-Cocrea-Reminder": key, **(headers or {})})
        return r, build(mail, date)
