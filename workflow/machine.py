"""The stage machine: the only module that imports ``transitions``.

One shared :class:`transitions.Machine` is built once from ``stages.STAGES`` with
``auto_transitions=False`` (no ``to_<state>`` shortcut) and fired on small plain objects
that are never registered with it (no machine or model is built per action, and SQLModel
rows cannot be ``transitions`` models). Events:

- ``advance``: each stage to the next one only;
- ``suspend``: any open stage to ``suspended`` (the stage left is remembered by the caller);
- ``resume``: ``suspended`` back to the stage left (``target`` must name it);
- ``reopen``: any stage to an earlier one (``target``);
- ``close``: ``monitoring`` to ``closed``.

Invalid moves raise; guards here only select the destination. Exit criteria and governance
are checked by the engine before firing, so refusals carry every reason.
"""
from __future__ import annotations

from dataclasses import dataclass

from transitions import Machine, MachineError

from stages import CLOSED, EVENTS, STAGE_NAMES, SUSPENDED
from stages.errors import InvalidMove

STATES = (*STAGE_NAMES, SUSPENDED, CLOSED)


def _is_target(dest: str):
    def condition(target: str | None = None, **_: object) -> bool:
        return target == dest
    condition.__name__ = f"target_is_{dest}"
    return condition


def _transitions() -> list[dict]:
    moves: list[dict] = []
    for here, nxt in zip(STAGE_NAMES, STAGE_NAMES[1:]):
        moves.append({"trigger": "advance", "source": here, "dest": nxt})
    for i, here in enumerate(STAGE_NAMES):
        moves.append({"trigger": "suspend", "source": here, "dest": SUSPENDED})
        moves.append({"trigger": "resume", "source": SUSPENDED, "dest": here, "conditions": [_is_target(here)]})
        for earlier in STAGE_NAMES[:i]:
            moves.append({"trigger": "reopen", "source": here, "dest": earlier, "conditions": [_is_target(earlier)]})
    moves.append({"trigger": "close", "source": STAGE_NAMES[-1], "dest": CLOSED})
    return moves


MACHINE = Machine(model=None, states=list(STATES), transitions=_transitions(), initial=STAGE_NAMES[0],
                  auto_transitions=False, ignore_invalid_triggers=False)


@dataclass
class Position:
    """The plain object the machine moves: a copy of the process's stage."""
    state: str


def fire(state: str, event: str, target: str | None = None) -> str:
    """The state after ``event`` from ``state``; raises :class:`InvalidMove` if none exists."""
    if event not in EVENTS:
        raise InvalidMove(event, state, target)
    position = Position(state)
    try:
        moved = MACHINE.events[event].trigger(position, target=target)
    except MachineError:
        raise InvalidMove(event, state, target) from None
    if not moved:
        raise InvalidMove(event, state, target)
    return position.state


def allowed(state: str, event: str, target: str | None = None) -> bool:
    try:
        fire(state, event, target)
        return True
    except InvalidMove:
        return False
