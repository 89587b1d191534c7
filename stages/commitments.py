"""Stage 6, *Creación de compromisos*: each chosen solution written as a commitment."""
from __future__ import annotations

from i18n import N_

from .base import Criterion, Records, Stage, empty_fields

AXES = ("transparency", "participation", "accountability", "innovation")
CORE_AXES = ("transparency", "participation", "accountability")
AMBITION = ("structural", "proactive", "innovative")
FIELDS = ("title", "problem", "cause", "objective", "axes", "ambition", "outcome", "end_date",
          "agencies", "action_lines")


def _solution_without_commitment(r: Records) -> list:
    drafted = {(c.solution_key or "") for c in r.commitments}
    return [f"{t.key}/{s['key']}" for t in r.problem_trees for s in (t.solutions or [])
            if s.get("key") not in drafted]


def _incomplete(r: Records) -> list:
    return [f"{c.key} ({', '.join(gaps)})" for c in r.commitments if (gaps := empty_fields(c, FIELDS))]


def _no_core_axis(r: Records) -> list:
    return [c.key for c in r.commitments if not set(c.axes or []) & set(CORE_AXES)]


def _outside_term(r: Records) -> list:
    end = r.term_end
    return [c.key for c in r.commitments if c.end_date is not None and c.end_date > end]


def _comments_unanswered(r: Records) -> list:
    """Public comments on the draft commitments without a reasoned response (a hidden one is
    answered by its recorded reason)."""
    return [i.key for i in r.inputs if getattr(i, "kind", "input") == "comment"
            and not getattr(i, "hidden_reason", None) and (not i.disposition or not (i.rationale or "").strip())]


def _not_approved(r: Records) -> list:
    if not r.commitments:
        return ["commitments"]
    return [c.key for c in r.commitments if c.status != "agreed"]


STAGE = Stage(
    name="commitments",
    records=("draft_commitment", "answer_input"),  # answer_input: the public comments on the draft
    reads=("commitments", "problem_trees", "inputs"),
    decisions=("approve_commitments", "amend_commitment", "open_public_comment"),
    criteria=(
        Criterion("every_solution_has_commitment",
                  N_("Chosen solutions with no commitment drafted: {items}."),
                  _solution_without_commitment),
        Criterion("commitments_complete",
                  N_("Incomplete commitments: {items}."),
                  _incomplete),
        Criterion("commitments_advance_core_value",
                  N_("Commitments with no transparency, participation or accountability axis: {items}."),
                  _no_core_axis),
        Criterion("commitments_end_within_term",
                  N_("Commitments that end after the process's term: {items}."),
                  _outside_term),
        Criterion("public_comments_answered",
                  N_("Public comments on the draft commitments without a reasoned response: {items}."),
                  _comments_unanswered),
        Criterion("commitments_approved_by_decision",
                  N_("Commitments not approved by a decision of the secretariat: {items}."),
                  _not_approved),
    ),
)
