"""Citizens taking part on the public site: pure rules and data (no I/O).

- which online channel is open on a day, and when the next one opens;
- the self-identification a process may ask (all optional), the reasons to hide an input,
  the limits against abuse and the default privacy notice (aviso de privacidad, LGPDPPSO);
- contact data typed into free text (an email address, a phone number): found, to ask the
  citizen to remove it, and masked wherever an input's text is published.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from i18n import N_

#: What a process may ask a participant about themselves; every answer is optional.
PROFILE_FIELDS = ("sector", "organisation", "state", "gender", "age_range")
#: The closed answers of the profile questions that have them.
GENDERS = ("woman", "man", "non_binary", "other", "not_said")
AGE_RANGES = ("under_18", "18_29", "30_44", "45_59", "60_plus")
#: Why a coordinator may hide an input; the text is kept, the public page counts them by reason.
HIDE_REASONS = ("spam", "insult", "personal_data")
#: The kinds of input: the consultation's, and comments on the draft commitments.
INPUT_KINDS = ("input", "comment")

#: The emails sent to citizens (``notifications.citizens``): the link confirming an address, the
#: link confirming that the address follows the process, the reasoned response to an input, the
#: weekly digest of a process followed.
MAIL_KINDS = ("email_confirmation", "follow_confirmation", "input_answer", "process_digest")

#: Limits per day and process, kept in the database (they hold across web processes).
DEFAULT_LIMITS = {"per_address": 10, "per_email": 5}
#: Days the citizens' contact data is kept after the process closes (then ``purge_contact_data``).
DEFAULT_RETENTION_DAYS = 180
#: The reason recorded when the contact data is purged (the retention period is over).
RETENTION_REASON = "plazo de conservación vencido"
#: The longest input a citizen may send through the web form, in characters.
WEB_INPUT_MAX = 4000

# Translators: the default privacy notice shown before a citizen sends an input (Mexican law).
DEFAULT_PRIVACY_NOTICE = N_(
    "Simplified privacy notice. The secretariat of this open government process, through its "
    "guarantor body, is responsible for the personal data you give in this form (your email address "
    "and, if you choose to give them, your sector, organisation, state, gender and age range). They "
    "are used only to confirm your address, to send you the reasoned response to your input and, if "
    "you ask for it, the news of the process; the answers about yourself are counted only in "
    "anonymous statistics. They are never published nor transferred, except where a competent "
    "authority requires it by law. Your input's text is published without your personal data. You "
    "may exercise your rights of access, rectification, cancellation and opposition (ARCO) before the "
    "guarantor body, in the terms of the General Law on the Protection of Personal Data Held by "
    "Obligated Subjects (LGPDPPSO).")

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# A phone number: ten to thirteen digits, possibly grouped by spaces, dots, dashes or parentheses, with an
# optional +country prefix (55 1234 5678, (33) 3615-1234, +52 1 55 1234 5678).
_PHONE = re.compile(r"(?<![\w])(?:\+\d{1,3}[\s.-]?)?(?:\(?\d{1,4}\)?[\s.-]?){2,5}\d{2,4}(?![\w])")
EMAIL_MASK = "[correo oculto]"
PHONE_MASK = "[teléfono oculto]"


def _is_phone(match: str) -> bool:
    """Ten to thirteen digits (a Mexican number, with or without the country's code), and not
    a run of years ("2025-2026 y 2027")."""
    groups = re.findall(r"\d+", match)
    if all(len(g) == 4 and g[:2] in ("19", "20") for g in groups):
        return False
    return 10 <= sum(len(g) for g in groups) <= 13


def contact_data(text: str) -> list[str]:
    """The kinds of contact data found in ``text``: ``"email"``, ``"phone"`` (empty: none)."""
    found = []
    if _EMAIL.search(text or ""):
        found.append("email")
    if any(_is_phone(m.group()) for m in _PHONE.finditer(_EMAIL.sub(" ", text or ""))):
        found.append("phone")
    return found


#: What any email or phone number holds: an ``@``, or ten characters or more of digits and their
#: separators from a digit to a digit. A text without it is returned as is, without the costlier
#: patterns (a search over many inputs masks each one it reads).
_MAYBE = re.compile(r"\d[\d\s().+-]{8,}\d")


def mask(text: str | None) -> str | None:
    """``text`` with every email address and phone number replaced by a mark."""
    if not text or ("@" not in text and not _MAYBE.search(text)):  # the ``@`` by ``in``: a third of the time
        return text
    out = _EMAIL.sub(EMAIL_MASK, text)
    return _PHONE.sub(lambda m: PHONE_MASK if _is_phone(m.group()) else m.group(), out)


def masks_nothing(texts: list[str]) -> bool:
    """Whether :func:`mask` returns every one of ``texts`` as is: its fast path asked once of the
    texts joined by a character that is none of ``_MAYBE``'s (a match in one text is a match in
    the joined texts, so none in them is none in any)."""
    joined = "\x00".join(texts)
    return "@" not in joined and not _MAYBE.search(joined)


def settings(process: Any) -> dict[str, Any]:
    """The process's participation settings, defaults filled in."""
    own = dict(((getattr(process, "settings", None) or {}).get("participation")) or {})
    limits = {**DEFAULT_LIMITS, **{k: int(v) for k, v in (own.get("limits") or {}).items() if k in DEFAULT_LIMITS}}
    return {"ask": [f for f in own.get("ask", list(PROFILE_FIELDS)) if f in PROFILE_FIELDS],
            "privacy_notice": own.get("privacy_notice") or "", "limits": limits,
            "retention_days": int(own.get("retention_days", DEFAULT_RETENTION_DAYS))}


def retention_ends(process: Any, closed_at: dt.datetime) -> dt.date:
    """The first day (where the process is) the citizens' contact data of a process closed at
    ``closed_at`` may be purged: its retention days after the day of the close."""
    day = closed_at.astimezone(ZoneInfo(process.timezone)).date()
    return day + dt.timedelta(days=settings(process)["retention_days"])


def comment_period(process: Any) -> dict[str, dt.date] | None:
    """The period the secretariat opened the draft commitments for public comment (the latest
    ``open_public_comment`` decision), or ``None``."""
    period = (getattr(process, "settings", None) or {}).get("public_comment")
    if not period:
        return None
    return {"opens_on": dt.date.fromisoformat(period["opens_on"]),
            "closes_on": dt.date.fromisoformat(period["closes_on"])}


def open_on(channel: Any, day: dt.date) -> bool:
    """Whether ``channel`` takes inputs on ``day`` (inside its window; undated ends are open)."""
    return ((channel.opens_on is None or channel.opens_on <= day)
            and (channel.closes_on is None or day <= channel.closes_on))


def is_online(channel: Any) -> bool:
    return channel.kind == "online" or bool(channel.online)


def web_channels(channels: Iterable[Any], day: dt.date) -> dict[str, list]:
    """The dated online channels by state on ``day``: ``open``, ``upcoming``, ``closed``."""
    out: dict[str, list] = {"open": [], "upcoming": [], "closed": []}
    for c in channels:
        if not is_online(c) or c.opens_on is None:  # a web form needs a window that opens
            continue
        if open_on(c, day):
            out["open"].append(c)
        elif c.opens_on is not None and day < c.opens_on:
            out["upcoming"].append(c)
        else:
            out["closed"].append(c)
    out["upcoming"].sort(key=lambda c: c.opens_on)
    return out
