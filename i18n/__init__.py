"""Text people read, from gettext catalogues: Spanish first, English as the source language.

The code holds English message ids; the Spanish text lives in ``i18n/locale/es/LC_MESSAGES/
<domain>.po`` (one domain per area, so translators and engineers can work on them apart) and
is compiled to ``.mo`` beside it (``python -m i18n compile``; a test fails when a ``.mo`` is
stale or a message of the code has no Spanish translation).

Two ways to say something:

- now, in a language: ``gettext(lang, "Stage")``, ``ngettext(lang, "{n} seat", "{n} seats", n)``,
  ``pgettext(lang, "session", "closed")``;
- later (data that is rendered when a reader's language is known): ``N_("...")``,
  ``NN_("{count} seat", "{count} seats")`` (the number comes from the field ``count``),
  ``NC_("context", "...")``. These make a :class:`Msg`; ``msg.render(lang, **fields)``.

Messages are ``str.format`` templates; their fields are filled after translation. Nothing
here knows the domain: labels of the domain's codes live in :mod:`stages.vocabulary`.
"""
from __future__ import annotations

import functools
import gettext as _gettext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LANGS = ("es", "en")
DEFAULT = "es"
SOURCE = "en"  # the language of the message ids
LOCALE = Path(__file__).parent / "locale"
DOMAINS = ("core", "compliance", "notifications", "web", "cli")


def lang_or_default(lang: str | None) -> str:
    return lang if lang in LANGS else DEFAULT


@functools.cache
def translations(lang: str) -> _gettext.NullTranslations:
    """Every domain of ``lang`` chained into one; the source language needs none."""
    lang = lang_or_default(lang)
    chain: _gettext.NullTranslations | None = None
    for domain in DOMAINS:
        path = LOCALE / lang / "LC_MESSAGES" / f"{domain}.mo"
        if lang == SOURCE or not path.exists():
            continue
        with path.open("rb") as fp:
            t = _gettext.GNUTranslations(fp)
        if chain is None:
            chain = t
        else:
            chain.add_fallback(t)
    return chain or _gettext.NullTranslations()


def gettext(lang: str, msgid: str) -> str:
    return translations(lang).gettext(msgid)


def ngettext(lang: str, singular: str, plural: str, n: int) -> str:
    return translations(lang).ngettext(singular, plural, n)


def pgettext(lang: str, context: str, msgid: str) -> str:
    return translations(lang).pgettext(context, msgid)


def npgettext(lang: str, context: str, singular: str, plural: str, n: int) -> str:
    return translations(lang).npgettext(context, singular, plural, n)


@dataclass(frozen=True)
class Msg:
    """A message to be translated when it is shown: an id, an optional plural and context.

    ``count`` names the field whose number chooses the plural form.
    """

    msgid: str
    plural: str | None = None
    context: str | None = None
    count: str = "count"

    def text(self, lang: str, n: int | None = None) -> str:
        """The template in ``lang`` (fields not filled)."""
        t = translations(lang)
        if self.plural is not None:
            n = 1 if n is None else n
            return (t.npgettext(self.context, self.msgid, self.plural, n) if self.context
                    else t.ngettext(self.msgid, self.plural, n))
        return t.pgettext(self.context, self.msgid) if self.context else t.gettext(self.msgid)

    def render(self, lang: str = DEFAULT, **fields: Any) -> str:
        n = fields.get(self.count)
        template = self.text(lang, n if isinstance(n, int) else None)
        try:
            return template.format(**fields)
        except (KeyError, IndexError):
            return template


class Verbatim(Msg):
    """Text written by people (a title, a rationale): shown as written in every language."""

    def __init__(self, text: str):
        super().__init__(text.replace("{", "{{").replace("}", "}}"))

    def text(self, lang: str, n: int | None = None) -> str:
        return self.msgid


class Given(Msg):
    """Text people wrote in several languages (``{"es": ..., "en": ...}``): each reader gets
    theirs, or the first one given."""

    def __init__(self, texts: dict[str, str]):
        texts = {k: str(v) for k, v in texts.items() if v}
        super().__init__(next(iter(texts.values()), "").replace("{", "{{").replace("}", "}}"))
        object.__setattr__(self, "texts", texts)

    def text(self, lang: str, n: int | None = None) -> str:
        chosen = self.texts.get(lang) or self.texts.get(DEFAULT) or next(iter(self.texts.values()), "")
        return chosen.replace("{", "{{").replace("}", "}}")


class Lazy(Msg):
    """A message made when the language is known, from other messages: ``Lazy(lambda lang: ...)``."""

    def __init__(self, make):
        super().__init__("")
        object.__setattr__(self, "make", make)

    def text(self, lang: str, n: int | None = None) -> str:
        return self.make(lang).replace("{", "{{").replace("}", "}}")


def D_(text: str) -> str:
    """Marks English text that must stay a plain string where it is written (a schema field's
    description, read by pydantic and OpenAPI) and is translated where it is shown:
    ``gettext(lang, description)``."""
    return text


def N_(msgid: str) -> Msg:
    """A message translated later."""
    return Msg(msgid)


def NN_(singular: str, plural: str, count: str = "count") -> Msg:
    """A message with plural forms, translated later; ``count`` names the field holding the number."""
    return Msg(singular, plural, count=count)


def NC_(context: str, msgid: str) -> Msg:
    """A message in a context (the same English words that Spanish says differently), translated later."""
    return Msg(msgid, context=context)


#: How Babel finds the messages in the code (``python -m i18n extract``): name -> argument spec.
KEYWORDS = {
    "N_": None, "NN_": (1, 2), "NC_": ((1, "c"), 2), "D_": None,
    "gettext": (2,), "ngettext": (2, 3), "pgettext": ((2, "c"), 3), "npgettext": ((2, "c"), 3, 4),
    "_": None,  # templates (jinja2.ext.i18n)
}

__all__ = ["LANGS", "DEFAULT", "Msg", "Verbatim", "Given", "Lazy", "D_", "N_", "NN_", "NC_", "gettext", "ngettext", "pgettext", "npgettext",
           "translations", "lang_or_default"]
