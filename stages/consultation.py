"""Stage 2, *Consulta sobre temas a tratar*: announced, inclusive, answered consultation."""
from __future__ import annotations

from i18n import N_

from .base import Criterion, Records, Stage
from .chronology import TimeRule, settings_of


def _announced(r: Records) -> list:
    if not r.channels:
        return []  # reported by at_least_one_channel
    return [c.key for c in r.channels
            if c.announced_on is None or c.opens_on is None or c.announced_on >= c.opens_on]


def _excluded(r: Records) -> list:
    return [] if any(c.aimed_at_excluded for c in r.channels) else ["excluded_groups"]


def _unanswered(r: Records) -> list:
    """Inputs without a reasoned response; one hidden for a recorded reason (spam, insult,
    personal data) is answered by that reason."""
    return [i.key for i in r.inputs if not getattr(i, "hidden_reason", None)
            and (not i.disposition or not (i.rationale or "").strip())]


def _dates(*dates) -> list:
    return [d for d in dates if d is not None]


#: The dates of the consultation agree: a channel is announced before it opens and opens before
#: it closes; an input is received while its channel is open (late only where the channel takes
#: late inputs, and then flagged); an input is answered on or after the day it was received.
TIME_RULES: tuple[TimeRule, ...] = (
    TimeRule("channel_dates_in_order",
             N_("A channel is announced, then opens, then closes: announced {announced_on}, opens {opens_on}, "
                "closes {closes_on}."),
             lambda announced_on=None, opens_on=None, closes_on=None, **_:
             _dates(announced_on, opens_on, closes_on) == sorted(_dates(announced_on, opens_on, closes_on))),
    TimeRule("input_inside_channel_window",
             N_("The input is dated {received_on}, outside the channel's window ({opens_on} to {closes_on}); "
                "a channel takes late inputs only if it says so."),
             lambda received_on, opens_on=None, closes_on=None, accepts_late=False, **_:
             (opens_on is None or received_on >= opens_on)
             and (closes_on is None or received_on <= closes_on or accepts_late)),
    TimeRule("answer_after_input",
             N_("Input {input} was received on {received_on}; it cannot be answered before that ({answered_on})."),
             lambda received_on, answered_on, **_: answered_on >= received_on),
)


def _open_too_short(r: Records) -> list:
    """The consultation has been open at least the minimum number of days by now."""
    opens = [c.opens_on for c in r.channels if c.opens_on]
    if not opens or r.today is None:
        return []  # no dated channel: reported by the announcement criterion
    first = min(opens)
    closes = [c.closes_on for c in r.channels if c.closes_on]
    last = min(max(closes), r.today) if closes and len(closes) == len(r.channels) else r.today
    need = settings_of(r.process)["consultation_min_days"]
    return [] if (last - first).days >= need else [f"{(last - first).days} / {need}"]


def _notice_too_short(r: Records) -> list:
    """The consultation was announced at least the minimum notice before it first opened."""
    dated = [c for c in r.channels if c.opens_on and c.announced_on]
    if not dated:
        return []
    first_open = min(c.opens_on for c in dated)
    first_announced = min(c.announced_on for c in dated)
    need = settings_of(r.process)["consultation_notice_days"]
    gap = (first_open - first_announced).days
    return [] if gap >= need else [f"{gap} / {need}"]


STAGE = Stage(
    name="consultation",
    records=("open_channel", "record_input", "import_inputs", "answer_input", "add_theme", "prioritise_themes"),
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
        Criterion("consultation_open_long_enough",
                  N_("The consultation has not been open long enough (days open / days required): {items}."),
                  _open_too_short),
        Criterion("consultation_announced_in_advance",
                  N_("The consultation was not announced long enough before it opened "
                     "(days of notice / days required): {items}."),
                  _notice_too_short),
    ),
)
