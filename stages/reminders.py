"""Reminder rules, as data: who is reminded of what, how long before or after which date.

A rule names its ``kind`` (also its template), its ``audience``, the ``anchor`` date it is
counted from (an activity's end date, a session's date ...), the process setting that holds
its offsets in days, and the stages in which it applies. The planner
(``notifications.planner``) reads these rules; nothing here does I/O.

Offsets and cadences are settings of each process (``Process.settings["reminders"]``,
changed by the ``configure_reminders`` action); :data:`DEFAULT_SETTINGS` holds the defaults
and :func:`effective_settings` merges a process's overrides over them.

Rules of one ``series`` remind the same person of the same thing: when several of its
points are due at once (a worker that was down for a week), only the latest is sent and
the earlier ones are *superseded*, so nobody gets "due in 7 days" and "due tomorrow" in the
same minute.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from i18n import N_, Msg

from .errors import SpecError

#: Who receives a rule's reminders.
AUDIENCES: dict[str, Msg] = {
    "liaisons": N_("liaisons of the responsible agency"),
    "coordinators": N_("the secretariat's coordinators"),
    "secretariat": N_("secretariat members and coordinators"),
}

#: The dates a rule can count from (the planner knows how to find each).
ANCHORS: dict[str, Msg] = {
    "activity_end": N_("the activity's end date"),
    "session_date": N_("the session's date"),
    "session_closed": N_("the date the session was closed"),
    "session_record": N_("the session's close, with the head of the audit trail at that moment"),
    "channel_close": N_("the consultation channel's closing date"),
    "term_end": N_("the end of the process's term"),
    "progress_due": N_("the periodic progress report's due date"),
    "weekly": N_("the digest's weekday"),
}


@dataclass(frozen=True)
class ReminderRule:
    """One kind of reminder.

    ``setting`` names the process setting with the offsets in days (a list of day counts,
    or ``True``/``False`` for "on the day"); ``direction`` is -1 for days before the anchor,
    +1 for days after, 0 for on the day. ``stages`` empty means every open stage;
    ``while_suspended`` rules keep running while the process is suspended (the sessions that
    may resume it).
    """

    kind: str
    title: Msg
    audience: str
    anchor: str
    setting: str
    direction: int
    series: str
    stages: tuple[str, ...] = ()
    while_suspended: bool = False
    stale_after_date: bool = True  # a notice for a date (offset <= 0) is not sent once that date has passed
    #: A witness of the record: sent even when the process is closed, and never switched off (by
    #: the coordinators, whose records it witnesses); a person may still ask to be ``muted``.
    witness: bool = False

    def offsets(self, settings: Mapping[str, Any]) -> tuple[int, ...]:
        """Days from the anchor (negative: before), from the process's settings."""
        value = settings.get(self.setting)
        if self.direction == 0:  # "on the day": a flag, or the digest's weekday (0 is Monday)
            return () if value is None or value is False else (0,)
        return tuple(sorted({self.direction * int(d) for d in (value or ())}))


ROUTES_AND_MONITORING = ("routes", "monitoring")

RULES: tuple[ReminderRule, ...] = (
    ReminderRule("activity_upcoming", N_("Activity coming due"),
                 "liaisons", "activity_end", "activity_before_days", -1, "activity", ROUTES_AND_MONITORING),
    ReminderRule("activity_due_today", N_("Activity due today"),
                 "liaisons", "activity_end", "activity_on_day", 0, "activity", ROUTES_AND_MONITORING),
    ReminderRule("activity_overdue", N_("Activity overdue"),
                 "liaisons", "activity_end", "activity_overdue_days", 1, "activity", ROUTES_AND_MONITORING),
    ReminderRule("activity_escalation", N_("Overdue activity: escalation"),
                 "coordinators", "activity_end", "escalation_after_days", 1, "activity_escalation",
                 ROUTES_AND_MONITORING),
    ReminderRule("session_notice", N_("Session notice"),
                 "secretariat", "session_date", "session_before_days", -1, "session_notice",
                 while_suspended=True),
    ReminderRule("minutes_pending", N_("Minutes still unpublished"),
                 "secretariat", "session_closed", "minutes_after_days", 1, "minutes_pending",
                 while_suspended=True),
    ReminderRule("session_record", N_("The record at a session's close"),
                 "secretariat", "session_record", "record_on_close", 0, "session_record",
                 while_suspended=True, stale_after_date=False, witness=True),
    ReminderRule("consultation_closing", N_("Consultation closing"),
                 "coordinators", "channel_close", "consultation_before_days", -1, "consultation_closing",
                 ("consultation",)),
    ReminderRule("term_end", N_("End of the process's term"),
                 "coordinators", "term_end", "term_before_days", -1, "term_end"),
    ReminderRule("progress_report_due", N_("Progress report due"),
                 "liaisons", "progress_due", "progress_before_days", -1, "progress_report", ("monitoring",)),
    ReminderRule("weekly_digest", N_("Weekly digest of deadlines"),
                 "coordinators", "weekly", "digest_weekday", 0, "weekly_digest"),
)

BY_KIND: dict[str, ReminderRule] = {r.kind: r for r in RULES}

#: Defaults of every setting; a process overrides any of them.
DEFAULT_SETTINGS: dict[str, Any] = {
    "send_hour": 9,                      # local hour (process timezone) at which a day's reminders go out
    "activity_before_days": [14, 7, 1],  # liaisons, before the activity's end date
    "activity_on_day": True,             # liaisons, on the end date
    "activity_overdue_days": [1, 7],     # liaisons, after the end date while not completed
    "escalation_after_days": [7],        # coordinators, overdue past this threshold
    "session_before_days": [3],          # secretariat, before a convened session (with .ics)
    "minutes_after_days": [7],           # secretariat, minutes still unpublished after a held session
    "record_on_close": True,             # secretariat, the audit trail's head when a session is closed (a witness)
    "consultation_before_days": [7, 1],  # coordinators, before a consultation channel closes
    "term_before_days": [60, 30, 7, 0],  # coordinators, before the process's target end (0: on the day)
    "progress_every_months": 1,          # cadence of progress reports, counted from the start of the term
    "progress_before_days": [3, 0],      # liaisons, before each progress report is due
    "digest_weekday": 0,                 # coordinators' weekly digest: 0 Monday ... 6 Sunday; null: none
    "digest_horizon_days": 14,           # the digest lists what falls due within this many days
    "off": [],                           # kinds switched off for the process
    "muted": [],                         # handles of people who receive no reminders
}

#: Bounds the settings are validated against (the action's schema uses them).
DAY_LIST_SETTINGS = ("activity_before_days", "activity_overdue_days", "escalation_after_days",
                     "session_before_days", "minutes_after_days", "consultation_before_days",
                     "term_before_days", "progress_before_days")
MAX_DAYS = 366


def effective_settings(process_settings: Mapping[str, Any] | None) -> dict[str, Any]:
    """The defaults with the process's overrides (``settings["reminders"]``) on top."""
    overrides = dict((process_settings or {}).get("reminders") or {})
    return {**DEFAULT_SETTINGS, **{k: v for k, v in overrides.items() if k in DEFAULT_SETTINGS}}


def validate_rules(stage_names: tuple[str, ...]) -> None:
    """Rules refer to known stages, audiences, anchors and settings; a series is one audience."""
    series: dict[str, tuple[str, str]] = {}
    for rule in RULES:
        unknown = set(rule.stages) - set(stage_names)
        if unknown:
            raise SpecError(f"reminder {rule.kind}: unknown stages {sorted(unknown)}")
        if rule.audience not in AUDIENCES or rule.anchor not in ANCHORS or rule.setting not in DEFAULT_SETTINGS:
            raise SpecError(f"reminder {rule.kind}: unknown audience, anchor or setting")
        if not rule.kind.replace("_", "").isalnum() or rule.kind != rule.kind.lower():
            raise SpecError(f"reminder kind {rule.kind!r} is not snake_case")
        if series.setdefault(rule.series, (rule.audience, rule.anchor)) != (rule.audience, rule.anchor):
            raise SpecError(f"reminder series {rule.series} mixes audiences or anchors")
    if len(BY_KIND) != len(RULES):
        raise SpecError("reminder kinds used twice")
