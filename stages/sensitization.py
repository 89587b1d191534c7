"""Stage 3, *Sensibilización entre actores estratégicos*."""
from __future__ import annotations

from i18n import N_, Msg

from .base import Criterion, Records, Stage

#: The guide's key questions ("Algunos puntos clave"), by stable code.
QUESTIONS: dict[str, Msg] = {
    "what_is_open_government": N_("What is open government?"),
    "what_is_expected_of_each_actor": N_("What is expected of each actor, and why?"),
    "how_the_plan_will_be_built": N_("How will the action plan be built?"),
    "how_it_works": N_("How does it work?"),
    "how_it_worked_elsewhere": N_("How has it worked elsewhere?"),
    "what_it_is_and_is_not": N_("What open government is and is not?"),
}


def _uncovered(r: Records) -> list:
    covered = {t for s in r.sensitization_sessions for t in (s.topics or [])}
    return [q for q in QUESTIONS if q not in covered]


def _sectors_absent(r: Records) -> list:
    seen = {sector for s in r.sensitization_sessions for sector, n in (s.sectors or {}).items() if n}
    return [s for s in r.required_sectors if s not in seen]


STAGE = Stage(
    name="sensitization",
    records=("record_sensitization_session",),
    reads=("sensitization_sessions",),
    criteria=(
        Criterion("sensitization_session_held",
                  N_("No sensitization session has been held."),
                  lambda r: [] if r.sensitization_sessions else ["sessions"]),
        Criterion("sensitization_questions_covered",
                  N_("Guide questions not covered: {items}."),
                  _uncovered),
        Criterion("sensitization_attended_by_required_sectors",
                  N_("Required sectors that attended no sensitization session: {items:sector}."),
                  _sectors_absent),
    ),
)
