"""Stage 2, *Consulta sobre temas a tratar*: announced, inclusive, answered consultation."""
from __future__ import annotations

from i18n import N_

from .base import Criterion, Records, Stage


def _announced(r: Records) -> list:
    if not r.channels:
        return []  # reported by at_least_one_channel
    return [c.key for c in r.channels
            if c.announced_on is None or c.opens_on is None or c.announced_on >= c.opens_on]


def _excluded(r: Records) -> list:
    return [] if any(c.aimed_at_excluded for c in r.channels) else ["excluded_groups"]


def _unanswered(r: Records) -> list:
    return [i.key for i in r.inputs if not i.disposition or not (i.rationale or "").strip()]


STAGE = Stage(
    name="consultation",
    records=("open_channel", "record_input", "answer_input", "add_theme", "prioritise_themes"),
    reads=("channels", "inputs", "themes"),
    criteria=(
        Criterion("at_least_one_channel",
                  N_("No consultation channel has been opened."),
                  lambda r: [] if r.channels else ["channels"]),
        Criterion("consultation_announced_before_opening",
                  N_("These channels were not announced before they opened: {items}."),
                  _announced),
        Criterion("channel_for_excluded_groups",
                  N_("No channel is aimed at traditionally excluded groups."),
                  _excluded),
        Criterion("inputs_received",
                  N_("No input has been recorded."),
                  lambda r: [] if r.inputs else ["inputs"]),
        Criterion("themes_prioritised",
                  N_("No theme has been prioritised."),
                  lambda r: [] if r.priority_themes else ["themes"]),
        Criterion("every_input_answered",
                  N_("Inputs without a reasoned response (disposition and rationale): {items}."),
                  _unanswered),
    ),
)
