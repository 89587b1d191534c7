"""Stage 3, *Sensibilización entre actores estratégicos*."""
from __future__ import annotations

from .base import Criterion, Records, Stage, Text

#: The guide's key questions ("Algunos puntos clave"), by stable code.
QUESTIONS: dict[str, Text] = {
    "what_is_open_government": Text("¿Qué es Gobierno Abierto?", "What is open government?"),
    "what_is_expected_of_each_actor": Text("¿Qué se espera de cada actor, por qué es importante?",
                                            "What is expected of each actor, and why?"),
    "how_the_plan_will_be_built": Text("¿Cómo será el proceso de construcción del Plan de Acción?",
                                       "How will the action plan be built?"),
    "how_it_works": Text("¿Cómo funciona?", "How does it work?"),
    "how_it_worked_elsewhere": Text("¿Cómo ha funcionado en otros lados?", "How has it worked elsewhere?"),
    "what_it_is_and_is_not": Text("¿Qué sí es Gobierno Abierto y qué no lo es?",
                                  "What open government is and is not?"),
}


def _uncovered(r: Records) -> list:
    covered = {t for s in r.sensitization_sessions for t in (s.topics or [])}
    return [q for q in QUESTIONS if q not in covered]


def _sectors_absent(r: Records) -> list:
    seen = {sector for s in r.sensitization_sessions for sector, n in (s.sectors or {}).items() if n}
    return [s for s in r.required_sectors if s not in seen]


STAGE = Stage(
    name="sensitization",
    title=Text("Sensibilización entre actores estratégicos", "Sensitization of strategic actors"),
    records=("record_sensitization_session",),
    criteria=(
        Criterion("sensitization_session_held",
                  Text("No se ha realizado ninguna sesión de sensibilización.", "No sensitization session has been held."),
                  lambda r: [] if r.sensitization_sessions else ["sessions"]),
        Criterion("sensitization_questions_covered",
                  Text("Preguntas de la guía sin tratar: {items}.", "Guide questions not covered: {items}."),
                  _uncovered),
        Criterion("sensitization_attended_by_required_sectors",
                  Text("Sectores requeridos que no asistieron a la sensibilización: {items}.",
                       "Required sectors that attended no sensitization session: {items}."),
                  _sectors_absent),
    ),
)
