"""Jinja2 templates (autoescaped, StrictUndefined) and the filters the pages share."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from stages import BY_NAME, vocabulary

from . import i18n

TEMPLATES = Path(__file__).parent / "templates"
MONTHS = {"es": ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"],
          "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]}


def when(value: str | None, lang: str = "es") -> Markup:
    """``<time>`` for an ISO date or date-time string, readable in the page's language."""
    if not value:
        return Markup("")
    try:
        if len(value) == 10:
            d = dt.date.fromisoformat(value)
            text = f"{d.day} {MONTHS[lang][d.month - 1]} {d.year}"
        else:
            t = dt.datetime.fromisoformat(value)
            text = f"{t.day} {MONTHS[lang][t.month - 1]} {t.year}, {t:%H:%M}"
    except ValueError:
        return Markup.escape(value)
    return Markup('<time datetime="{0}">{1}</time>').format(value, text)


def stage_name(lang: str, code: str | None) -> str:
    """A stage's title (the guide's name), or the label of ``suspended``/``closed``."""
    if code in BY_NAME:
        return BY_NAME[code].title.render(lang)
    return i18n.label(lang, code)


def is_link(ref: str | None) -> bool:
    return bool(ref) and str(ref).startswith(("https://", "http://"))


def make_env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(label=i18n.label, field_label=i18n.field_label, action_title=i18n.action_title,
                       ui=i18n.ui, sector_label=lambda code, lang="es": vocabulary.label("sector", code, lang), is_link=is_link, when=when)
    env.filters["urlq"] = lambda s: quote(str(s), safe="")
    return env


ENV = make_env()


def render(template: str, **context: Any) -> str:
    lang = context.get("lang", "es")
    context.setdefault("t", lambda key, *args: i18n.ui(lang, key, *args))
    context.setdefault("L", lambda value: i18n.label(lang, value))
    context.setdefault("S", lambda code: stage_name(lang, code))
    return ENV.get_template(template).render(**context)
