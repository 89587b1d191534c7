"""Time as a rule: every fact has its own date, and dates agree with each other.

A fact's date (a session held, an input received, a report made, an event held) is what the
public record shows; the audit trail keeps both that date and when it was recorded. Rules here
are data like the exit criteria: a stable code, a message, and a pure check of the dates
involved (``holds(**facts) -> bool``). The actions call :func:`require` with the facts; a
refusal names the rule and leaves the database as it was. Rules that belong to one stage live
beside its criteria (``TIME_RULES`` of ``stages/<stage>.py``); :data:`RULES` gathers them all.

The numbers (minimum days a consultation stays open, notice before it opens, grace after the
term for the closing event) are settings: defaults here, a template's own values, then the
process's (``process.settings["chronology"]``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, Mapping
from zoneinfo import ZoneInfo

from i18n import N_, Msg

from .errors import Reason
from .errors import Refused
from .templates import TEMPLATES

#: The numbers of the time rules: defaults (from STANDARDS.md where it gives one).
DEFAULTS: dict[str, int] = {
    "consultation_min_days": 14,     # STANDARDS 3.3: input gathered over a reasonable period (default 14 days) [R]
    "consultation_notice_days": 14,  # STANDARDS 3.1: timeline and ways to take part published >= 14 days before [R]
    "closing_event_grace_days": 90,  # the closing event may follow the term's end by this many days
}


def settings_of(process: Any) -> dict[str, int]:
    """The numbers for ``process``: defaults, then its template's, then its own."""
    template = TEMPLATES.get(getattr(process, "template", None) or "")
    own = dict(((getattr(process, "settings", None) or {}).get("chronology")) or {})
    return {**DEFAULTS, **dict(template.chronology if template else {}),
            **{k: int(v) for k, v in own.items() if k in DEFAULTS}}


@dataclass(frozen=True)
class TimeRule:
    """A rule of time: ``holds(**facts)`` is true when the dates agree."""

    code: str
    text: Msg
    holds: Callable[..., bool]

    def check(self, **facts: Any) -> Reason | None:
        return None if self.holds(**facts) else Reason(self.code, self.text, {k: _show(v) for k, v in facts.items()})


def _show(value: Any) -> Any:
    """A fact as a message shows it: a date in ISO form, a missing one as a dash (never "None")."""
    if value is None:
        return "—"
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


#: Rules of every stage (the governance of sessions and the present/future line).
GENERAL: tuple[TimeRule, ...] = (
    TimeRule("fact_not_in_future",
             N_("{what:fact} is dated {date}, after today ({today}): a fact is recorded once it has happened."),
             lambda date, today, **_: date <= today),
    TimeRule("session_has_started",
             N_("Session {session} begins at {starts}; it cannot be recorded as under way before then (now: {now})."),
             lambda starts, now, **_: now >= starts),
)


def require(rules: Mapping[str, TimeRule], code: str, **facts: Any) -> None:
    """Refuse, naming the rule, unless the facts agree."""
    found = rules[code].check(**facts)
    if found is not None:
        raise Refused([found])


def local_today(now: dt.datetime, timezone: str) -> dt.date:
    """The date it is at ``now`` where the process is."""
    return now.astimezone(ZoneInfo(timezone)).date()
