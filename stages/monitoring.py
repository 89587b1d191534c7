"""Stage 8, *Seguimiento y monitoreo*: progress, public events, final status."""
from __future__ import annotations

import datetime as dt

from i18n import N_

from .base import Criterion, Records, Stage
from .chronology import TimeRule, settings_of

FINAL_STATUS = ("fulfilled", "partially_fulfilled", "not_fulfilled")


def _unreported(r: Records) -> list:
    reported = {p.activity_id for p in r.progress_reports}
    return [a.key for a in r.activities if a.id not in reported]


def _event(kind: str):
    return lambda r: [] if any(e.kind == kind for e in r.public_events) else [kind]


def _minutes(r: Records) -> list:
    return [e.key for e in r.public_events if not e.minutes_ref]


def _no_final(r: Records) -> list:
    return [c.key for c in r.commitments if c.final_status not in FINAL_STATUS]


def expected_final(percents: list[int]) -> str:
    """The final status a commitment's activities support: all complete, some progress, none."""
    if percents and all(p >= 100 for p in percents):
        return "fulfilled"
    return "partially_fulfilled" if any(p > 0 for p in percents) else "not_fulfilled"


#: What is reported agrees with itself and with time: a report follows its activity's start and
#: the activity's previous report (so the latest by date is the activity's state, and a drop by
#: date is a drop);
#: a completed activity is at 100 %; a percentage does not go down without a reason; the public
#: events fall in the implementation period; a final status agrees with the activities (or the
#: secretariat decided otherwise, with its reasons).
TIME_RULES: tuple[TimeRule, ...] = (
    TimeRule("progress_after_activity_start",
             N_("Activity {activity} starts on {start_date}; progress cannot be reported for {reported_on}."),
             lambda reported_on, start_date=None, **_: start_date is None or reported_on >= start_date),
    TimeRule("progress_in_date_order",
             N_("Activity {activity} already has a progress report dated {last}; a report for {reported_on} "
                "would rewrite its history: reports are recorded in the order of their dates."),
             lambda reported_on, last=None, **_: last is None or reported_on >= last),
    TimeRule("completed_means_full",
             N_("An activity reported as completed is at 100 %, not {percent} %."),
             lambda status, percent, **_: status != "completed" or percent == 100),
    TimeRule("progress_never_drops_without_reason",
             N_("Activity {activity} was at {previous} %; reporting {percent} % needs a written reason."),
             lambda percent, previous, reason="", **_: percent >= previous or bool(reason.strip())),
    TimeRule("event_inside_implementation",
             N_("A public event is held within the implementation period ({starts_on} to {ends_on}), "
                "not on {held_on}."),
             lambda held_on, starts_on, ends_on, **_: starts_on <= held_on <= ends_on),
    TimeRule("final_status_agrees_with_progress",
             N_("The activities of commitment {commitment} support «{expected:final_status}», not "
                "«{status:final_status}»; another status needs a decision of the secretariat that says why."),
             lambda status, expected, decision=None, **_: status == expected or decision is not None),
)


def implementation_period(process, term_end) -> tuple:
    """From the start of the term to its end plus the closing event's grace."""
    return process.starts_on, term_end + dt.timedelta(days=settings_of(process)["closing_event_grace_days"])


STAGE = Stage(
    name="monitoring",
    records=("report_progress", "import_progress", "hold_public_event", "set_final_status"),
    reads=("activities", "commitments", "progress_reports", "public_events"),
    decisions=("amend_commitment",),
    criteria=(
        Criterion("progress_reported_for_every_activity",
                  N_("Activities with no progress report: {items}."),
                  _unreported),
        Criterion("midterm_event_held",
                  N_("The public mid-term event has not been held."),
                  _event("midterm")),
        Criterion("closing_event_held",
                  N_("The public closing event has not been held."),
                  _event("closing")),
        Criterion("event_minutes_published",
                  N_("Public events without published minutes: {items}."),
                  _minutes),
        Criterion("final_status_for_every_commitment",
                  N_("Commitments without a final status (fulfilled, partially fulfilled, not fulfilled): {items}."),
                  _no_final),
    ),
)
