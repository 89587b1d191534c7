"""Why a reminder is or is not sent: stable codes, with messages in English translated in the
``notifications`` catalogue (codes among the details shown by their names, ``{stage:stage}``)."""
from __future__ import annotations

from i18n import N_, Msg
from stages.errors import Reason

WHY: dict[str, Msg] = {
    # the planner
    "due": N_("goes out now"),
    "not_yet_due": N_("not yet due: {due_at}"),
    "superseded": N_("superseded by a later reminder of the same series"),
    "date_passed": N_("the date has passed; a notice for that date is not sent late"),
    "closed_process": N_("the process is closed"),
    "suspended_process": N_("the process is suspended"),
    "not_for_this_stage": N_("does not apply in the stage '{stage:stage}'"),
    "kind_off": N_("this kind of reminder is switched off for the process"),
    "muted": N_("the person asked to receive no reminders"),
    "no_email": N_("the person has no email address"),
    "activity_completed": N_("the activity was reported completed"),
    "session_held": N_("the session has already taken place or was closed"),
    "minutes_published": N_("the minutes are published"),
    "period_reported": N_("the agency has already reported this period"),
    "nothing_to_report": N_("nothing is pending"),
    # the outbox
    "pending": N_("queued for sending"),
    "claimed": N_("being sent"),
    "sent": N_("already sent ({sent_at})"),
    "failed": N_("sending failed: {error}"),
    "cancelled": N_("cancelled before sending: {error}"),
}


def why(code: str, **details) -> Reason:
    return Reason(code, WHY[code], details)
