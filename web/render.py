"""Jinja2 templates (autoescaped, StrictUndefined), one environment per language.

Each environment has gettext installed for its language (``jinja2.ext.i18n``, newstyle:
``{{ _("Stage") }}``, ``{% trans count=n %}...{% pluralize %}...{% endtrans %}``) and the
helpers the pages share, bound to that language: ``label(kind, code)`` (a code's name from
:mod:`stages.vocabulary`), ``stage(code)``, ``when(iso)``, the form fields' labels, options
and hints. The environments are made once and kept.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

import i18n as text
from stages import vocabulary

from . import i18n

TEMPLATES = Path(__file__).parent / "templates"
#: The other language of the site, named in itself (the switch on every page).
SWITCH = {"es": ("en", "English"), "en": ("es", "Español")}


def when(value: str | None, lang: str = "es") -> Markup:
    """``<time>`` for an ISO date or date-time string, readable in the page's language."""
    if not value:
        return Markup("")
    shown = i18n.date_text(value, lang)
    if shown == value:
        return Markup.escape(value)
    return Markup('<time datetime="{0}">{1}</time>').format(value, shown)


def is_link(ref: str | None) -> bool:
    return bool(ref) and str(ref).startswith(("https://", "http://"))


@functools.cache
def environment(lang: str) -> Environment:
    """The templates' environment for ``lang``, with its translations installed (made once)."""
    lang = text.lang_or_default(lang)
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      extensions=["jinja2.ext.i18n"])
    env.policies["ext.i18n.trimmed"] = True  # as the messages are extracted (i18n.catalog)
    env.install_gettext_translations(text.translations(lang), newstyle=True)
    env.globals.update(
        lang=lang, switch=SWITCH[lang], is_link=is_link,
        when=lambda value: when(value, lang),
        when_text=lambda value: i18n.date_text(value, lang),
        label=lambda kind, code: vocabulary.label(kind, code, lang),
        stage=lambda code: i18n.stage_name(lang, code),
        field_label=lambda name, action=None: i18n.field_label(lang, name, action),
        option_label=lambda action, name, code: i18n.option_label(lang, action, name, code),
        option_kind=i18n.option_kind,
        field_hint=lambda action, f, listed=False: i18n.field_hint(lang, action, f, listed),
        table_name=lambda code: i18n.table_name(lang, code),
    )
    env.filters["urlq"] = lambda s: quote(str(s), safe="")
    env.filters["headline"] = lambda s: str(s)[:1].upper() + str(s)[1:]  # a label (lower case) opening a heading
    return env


def render(template: str, **context: Any) -> str:
    lang = text.lang_or_default(context.pop("lang", None))
    return environment(lang).get_template(template).render(lang=lang, **context)
