"""Stage 7, *Ruta de implementación para cada compromiso*: work plans and indicators."""
from __future__ import annotations

from i18n import N_

from .base import Criterion, Records, Stage


def _no_activities(r: Records) -> list:
    with_acts = {a.commitment_id for a in r.activities}
    return [c.key for c in r.commitments if c.id not in with_acts]


def _bad_schedule(r: Records) -> list:
    start, end = r.process.starts_on, r.term_end
    return [a.key for a in r.activities
            if a.agency_id is None or a.start_date is None or a.end_date is None
            or not (start <= a.start_date <= a.end_date <= end)]


def _not_accepted(r: Records) -> list:
    return [a.key for a in r.activities if a.accepted_at is None]


def _no_result_indicator(r: Records) -> list:
    with_result = {i.commitment_id for i in r.indicators if i.kind == "result"}
    return [c.key for c in r.commitments if c.id not in with_result]


STAGE = Stage(
    name="routes",
    records=("plan_activity", "accept_activity", "add_indicator"),
    reads=("activities", "commitments", "indicators"),
    decisions=("amend_commitment",),
    criteria=(
        Criterion("every_commitment_has_activities",
                  N_("Commitments with no activity in their work plan: {items}."),
                  _no_activities),
        Criterion("activities_scheduled_within_term",
                  N_("Activities without a responsible agency or with dates outside the term: {items}."),
                  _bad_schedule),
        Criterion("activities_accepted_by_agency",
                  N_("Activities not formally accepted by their agency: {items}."),
                  _not_accepted),
        Criterion("every_commitment_has_result_indicator",
                  N_("Commitments without a result indicator (not only management ones): {items}."),
                  _no_result_indicator),
    ),
)
