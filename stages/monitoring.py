"""Stage 8, *Seguimiento y monitoreo*: progress, public events, final status."""
from __future__ import annotations

from .base import Criterion, Records, Stage, Text

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
    title=Text("Seguimiento y monitoreo", "Monitoring"),
    records=("report_progress", "hold_public_event", "set_final_status"),
    decisions=("amend_commitment",),
    criteria=(
        Criterion("progress_reported_for_every_activity",
                  Text("Actividades sin ningún reporte de avance: {items}.", "Activities with no progress report: {items}."),
                  _unreported),
        Criterion("midterm_event_held",
                  Text("No se ha realizado el evento público de medio término.", "The public mid-term event has not been held."),
                  _event("midterm")),
        Criterion("closing_event_held",
                  Text("No se ha realizado el evento público de cierre.", "The public closing event has not been held."),
                  _event("closing")),
        Criterion("event_minutes_published",
                  Text("Eventos públicos sin minuta publicada: {items}.", "Public events without published minutes: {items}."),
                  _minutes),
        Criterion("final_status_for_every_commitment",
                  Text("Compromisos sin estado final (cumplido, parcialmente cumplido, no cumplido): {items}.",
                       "Commitments without a final status (fulfilled, partially fulfilled, not fulfilled): {items}."),
                  _no_final),
    ),
)
