"""Stage 8, *Seguimiento y monitoreo*: progress, public events, final status."""
from __future__ import annotations

from i18n import N_

from .base import Criterion, Records, Stage

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


STAGE = Stage(
    name="monitoring",
    records=("report_progress", "hold_public_event", "set_final_status"),
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
