"""Whether a move can happen now, and what it needs to read to know: the rules of a change of
stage, asked by :func:`workflow.engine.move` before it moves and by the reads that show what
blocks the next move (``reads.status``, ``reads.public``, ``reads.workspace``).

Apart from the engine (which writes) so that a read imports neither SQLAlchemy nor the actions;
the compliance checker is imported only for the moves that ask it (``advance``, ``close``).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from stages import BY_NAME, Records
from stages.errors import reason

from . import machine


def blockers(records: Records, event: str, target: str | None = None, reason_text: str = "",
             now: dt.datetime | None = None, *, contrary: bool = False, like: Any = None) -> list:
    """Every reason the move cannot happen now (empty when it can); with a compliance gate,
    also the failing basic requirements due at the end of the stage; for a close, a process
    acting contrary to process without a decision saying so (``contrary``: this close is the
    effect of such a decision; :func:`compliance.gates.move_reasons`). ``like``: the facts of a
    compliance report already judged on these records (``compliance.facts.Facts``), whose indexes
    the move's report takes."""
    process = records.process
    state = process.stage
    if not machine.allowed(state, event, target if event != "resume" else process.suspended_from):
        if event == "reopen" and target and state in BY_NAME and target in BY_NAME:
            return [reason("reopen_needs_earlier_stage", stage=state, target=target)]
        return [reason("move_not_allowed", event=event, stage=state)]
    if event in ("advance", "close"):
        from compliance.gates import move_reasons

        return BY_NAME[state].unmet(records) + move_reasons(records, event, now, contrary=contrary, like=like)
    if event == "resume":
        withdrawn = sorted(records.withdrawn_sectors() & set(records.required_sectors))
        return [reason("required_sector_withdrawn", items=withdrawn)] if withdrawn else []
    if event == "reopen" and not reason_text.strip():
        return [reason("reason_required")]
    return []


def reads_for(process: Any, event: str) -> tuple[str, ...] | None:
    """The tables :func:`blockers` reads for ``event`` from where ``process`` is: the stage's exit
    criteria's (``Stage.reads``) and, with a compliance gate, its rules' (``compliance.gates.gate_reads``);
    ``None``: all of them, for the compliance report a close agrees with, which reads the whole record."""
    if event in ("advance", "close") and process.stage in BY_NAME:
        from compliance.gates import gate_reads
        from compliance.rulesets import gate_enabled

        if event == "close":
            return None
        own = BY_NAME[process.stage].reads
        if not gate_enabled(process):
            return own
        gated = gate_reads(process)
        return None if gated is None else tuple(sorted(set(own) | set(gated)))
    return ("withdrawals",) if event == "resume" else ()
