"""Sensitization, planning and causes: sensitization sessions, working tables, problem trees."""
from __future__ import annotations

from storage import models as m

from .. import schemas as s
from ..engine import Context
from .lookup import get, not_in_future, upsert


def record_sensitization_session(ctx: Context, d: s.RecordSensitizationSession):
    """Record a sensitization session: questions covered and attendance by sector."""
    not_in_future(ctx, "sensitization_session", d.held_on)
    row = upsert(ctx, m.SensitizationSession, d.key, "sen", held_on=d.held_on, place=d.place,
                  topics=list(d.topics), sectors=dict(d.sectors))
    return {"sensitization_session": row.key}


def plan_working_table(ctx: Context, d: s.PlanWorkingTable):
    """Plan a working table for a theme: methodology, call, facilitator, date, sectors."""
    theme = get(ctx, m.Theme, d.theme, "theme")
    row = upsert(ctx, m.WorkingTable, d.key, "mesa", theme_id=theme.id, methodology=d.methodology,
                  call_ref=d.call_ref, facilitator=d.facilitator, held_on=d.held_on, sectors=dict(d.sectors))
    return {"working_table": row.key}


def record_problem_tree(ctx: Context, d: s.RecordProblemTree):
    """Record a theme's problem tree: problem, causes (strategic ones marked), effects, solutions."""
    theme = get(ctx, m.Theme, d.theme, "theme")
    row = upsert(ctx, m.ProblemTree, d.key, "arbol", theme_id=theme.id, problem=d.problem,
                  causes=[c.model_dump() for c in d.causes], effects=list(d.effects),
                  solutions=[x.model_dump() for x in d.solutions], sdg_targets=list(d.sdg_targets))
    return {"problem_tree": row.key}

