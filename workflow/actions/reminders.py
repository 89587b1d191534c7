"""The ``configure_reminders`` action: a process's reminder offsets, cadences and exclusions.

The rules live in :mod:`stages.reminders`, the planning and delivery in :mod:`notifications`.
"""
from __future__ import annotations

from typing import Annotated, Literal, Optional

from pydantic import Field
from sqlmodel import select

from i18n import D_
from stages.errors import not_found
from stages.reminders import BY_KIND, MAX_DAYS, effective_settings
from storage.models import Person

from ..engine import Context
from ..schemas import Key, Schema

Days = Annotated[list[Annotated[int, Field(ge=0, le=MAX_DAYS)]], Field(max_length=12)]
#: The kinds that may be switched off: not the record's witnesses (``ReminderRule.witness``).
Kind = Literal[tuple(k for k, rule in BY_KIND.items() if not rule.witness)]  # type: ignore[valid-type]


class ConfigureReminders(Schema):
    """Only the fields given change; ``reset`` first returns every setting to its default."""

    reset: bool = Field(False, description=D_("back to the defaults before applying the fields given"))
    send_hour: Optional[Annotated[int, Field(ge=0, le=23)]] = Field(None, description=D_("local hour reminders go out"))
    activity_before_days: Optional[Days] = Field(None, description=D_("liaisons: days before an activity's end date"))
    activity_on_day: Optional[bool] = Field(None, description=D_("liaisons: on the end date"))
    activity_overdue_days: Optional[Days] = Field(None, description=D_("liaisons: days after the end date"))
    escalation_after_days: Optional[Days] = Field(None, description=D_("coordinators: days overdue"))
    session_before_days: Optional[Days] = Field(None, description=D_("secretariat: days before a session"))
    minutes_after_days: Optional[Days] = Field(
        None, description=D_("secretariat: days after a session without minutes"))
    consultation_before_days: Optional[Days] = Field(None, description=D_("coordinators: days before a channel closes"))
    term_before_days: Optional[Days] = Field(None, description=D_("coordinators: days before the term ends"))
    progress_every_months: Optional[Annotated[int, Field(ge=0, le=12)]] = Field(
        None, description=D_("progress report cadence in months (0: none)"))
    progress_before_days: Optional[Days] = Field(None, description=D_("liaisons: days before a progress report is due"))
    digest_weekday: Optional[Annotated[int, Field(ge=0, le=6)]] = Field(None, description=D_("0 Monday ... 6 Sunday"))
    digest_horizon_days: Optional[Annotated[int, Field(ge=1, le=MAX_DAYS)]] = None
    off: Optional[list[Kind]] = Field(None, description=D_("kinds of reminder switched off"))
    muted: Optional[list[Key]] = Field(None, description=D_("handles of people who receive no reminders"))


def configure_reminders(ctx: Context, d: ConfigureReminders):
    """Set the process's reminder offsets, cadences and exclusions (recorded in the audit trail)."""
    given = d.model_dump(exclude_none=True, exclude={"reset"})
    for handle in given.get("muted", []):
        if ctx.db.exec(select(Person).where(Person.process_id == ctx.process.id, Person.handle == handle)).first() is None:
            raise not_found("person", handle)
    for name in list(given):
        if isinstance(given[name], list) and name not in ("off", "muted"):
            given[name] = sorted(set(given[name]), reverse=True)
    current = {} if d.reset else dict((ctx.process.settings or {}).get("reminders") or {})
    current.update(given)
    ctx.process.settings = {**(ctx.process.settings or {}), "reminders": current}
    ctx.db.add(ctx.process)
    return {"reminders": {k: v for k, v in effective_settings(ctx.process.settings).items()
                          if k in current or d.reset}}
