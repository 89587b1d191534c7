"""Stage 4, *Planeación de los trabajos*: a working table per priority theme."""
from __future__ import annotations

from i18n import N_

from .base import Criterion, Records, Stage, empty_fields

TABLE_FIELDS = ("methodology", "call_ref", "facilitator", "held_on")


def _theme_without_table(r: Records) -> list:
    with_table = {t.theme_id for t in r.working_tables}
    return [t.key for t in r.priority_themes if t.id not in with_table]


def _incomplete(r: Records) -> list:
    return [f"{t.key} ({', '.join(gaps)})" for t in r.working_tables if (gaps := empty_fields(t, TABLE_FIELDS))]


def _single_sector(r: Records) -> list:
    return [t.key for t in r.working_tables if len([s for s, n in (t.sectors or {}).items() if n]) < 2]


STAGE = Stage(
    name="planning",
    records=("plan_working_table",),
    reads=("themes", "working_tables"),
    criteria=(
        Criterion("working_table_per_priority_theme",
                  N_("Priority themes without a working table: {items}."),
                  _theme_without_table),
        Criterion("working_tables_complete",
                  N_("Working tables missing methodology, call, facilitator or date: {items}."),
                  _incomplete),
        Criterion("working_tables_multisector",
                  N_("Working tables with participants from a single sector: {items}."),
                  _single_sector),
    ),
)
