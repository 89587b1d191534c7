"""Reads for a signed-in person's workspace: what they may do now and what stands in the way.

Nothing here decides anything new: the moves and their unmet criteria come from
:func:`workflow.engine.blockers`, quorum from :mod:`workflow.governance`, who may do what
from ``ACTIONS[name].roles`` and :func:`workflow.engine.check_state`, the same calls the
engine makes when the action is applied. The web page shows them before anyone presses a
button; the engine still checks everything again when they do.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from stages import BY_NAME, STAGE_NAMES, SUSPENDED
from stages.clock import Clock, SystemClock
from stages.errors import CocreaError, not_found
from storage import load_records, process_by_slug
from storage.models import Process
from workflow import engine, governance, machine
from workflow.actions import ACTIONS

from .status import next_event


def available_actions(process: Process, role: str) -> list[str]:
    """Actions this role may perform in the process's current state (the engine's own gates)."""
    names = []
    for name, action in ACTIONS.items():
        if action.creates_process or role not in action.roles:
            continue
        try:
            engine.check_state(action, process)
        except CocreaError:
            continue
        names.append(name)
    return names


def moves(records, lang: str = "es") -> list[dict[str, Any]]:
    """Each stage move possible from here, with every unmet criterion (empty: it can be decided)."""
    state = records.process.stage
    out = []
    candidates: list[tuple[str, list[str]]] = []
    if state in STAGE_NAMES:
        candidates.append((next_event(state), []))
        candidates.append(("suspend", []))
        earlier = list(STAGE_NAMES[:STAGE_NAMES.index(state)])
        if earlier:
            candidates.append(("reopen", earlier))
    elif state == SUSPENDED:
        candidates.append(("resume", []))
    for event, targets in candidates:
        target = targets[-1] if targets else None
        unmet = engine.blockers(records, event, target)
        out.append({"event": event, "targets": [{"stage": t, "title": BY_NAME[t].title.render(lang)} for t in targets],
                    "unmet": [u.as_dict(lang) for u in unmet],
                    "destination": _destination(state, event, target, records.process.suspended_from)})
    return out


def _destination(state: str, event: str, target: str | None, suspended_from: str | None) -> str | None:
    try:
        return machine.fire(state, event, suspended_from if event == "resume" else target)
    except machine.InvalidMove:
        return None


def workspace_view(db_engine: Engine, slug: str, handle: str, lang: str = "es", clock: Clock | None = None) -> dict[str, Any]:
    with Session(db_engine) as db:
        process = process_by_slug(db, slug)
        r = load_records(db, process, now=(clock or SystemClock()).now())
    people = {p.id: p for p in r.people}
    me = next((p for p in r.people if p.handle == handle and p.active), None)
    if me is None:
        raise not_found("person", handle)
    withdrawn = r.withdrawn_sectors()
    tz = ZoneInfo(process.timezone)
    rule = governance.QuorumRule.of(process.quorum or {})
    attendance: dict[int, list] = defaultdict(list)
    for a in r.attendance:
        attendance[a.session_id].append(a)
    votes: dict[int, dict[str, str]] = defaultdict(dict)
    for v in r.votes:
        if v.person_id in people:
            votes[v.decision_id][people[v.person_id].handle] = v.position
    move_unmet = {m["event"]: m["unmet"] for m in moves(r, lang)}

    open_sessions = []
    for s in r.sessions:
        if s.closed_at is not None:
            continue
        present = governance.present_members(attendance[s.id], people, withdrawn)
        gaps = governance.quorum_gaps(rule, present, s.key)
        decisions = []
        for d in r.decisions:
            if d.session_id != s.id or d.status != "open":
                continue
            decisions.append({"key": d.key, "kind": d.kind, "rule": d.rule, "reason": d.reason,
                              "target": d.payload.get("target"), "text": d.payload.get("text"),
                              "votes": votes.get(d.id, {}), "my_vote": votes.get(d.id, {}).get(me.handle),
                              "unmet": move_unmet.get(d.kind, []) if d.kind in machine.EVENTS else []})
        open_sessions.append({"key": s.key, "place": s.place,
                              "scheduled_for": s.scheduled_for.astimezone(tz).isoformat(timespec="minutes"),
                              "agenda": list(s.agenda or []), "extraordinary": s.extraordinary,
                              "present": sorted(p.handle for p in present), "i_am_present": me in present,
                              "quorum_gaps": [g.as_dict(lang) for g in gaps], "decisions": decisions})

    my_activities = []
    if me.role == "liaison":
        commitments = {c.id: c.key for c in r.commitments}
        for a in r.activities:
            if a.agency_id == me.agency_id:
                my_activities.append({"key": a.key, "title": a.title, "commitment": commitments.get(a.commitment_id),
                                      "start_date": a.start_date.isoformat() if a.start_date else None,
                                      "end_date": a.end_date.isoformat() if a.end_date else None,
                                      "accepted": a.accepted_at is not None, "status": a.status, "percent": a.percent})

    own_activities = [a.key for a in r.activities if me.role != "liaison" or a.agency_id == me.agency_id]
    choices = {
        "session": [s["key"] for s in open_sessions] or [s.key for s in r.sessions],
        "decision": [d["key"] for s in open_sessions for d in s["decisions"]],
        "activity": own_activities,
        "commitment": [c.key for c in r.commitments], "commitments": [c.key for c in r.commitments],
        "theme": [t.key for t in r.themes], "themes": [t.key for t in r.themes],
        "channel": [c.key for c in r.channels],
        "agency": [a.key for a in r.agencies], "agencies": [a.key for a in r.agencies],
        "input": [i.key for i in sorted(r.inputs, key=lambda i: bool(i.disposition))],
        "members": [p.handle for p in r.people if p.role == "member" and p.active],
        "member": [p.handle for p in r.people if p.role == "member" and p.active],
        "handle": [p.handle for p in r.people if p.active],
        "sector": sorted({*r.required_sectors, *(p.sector for p in r.people if p.sector)}),
    }
    return {
        "process": {"slug": process.slug, "name": process.name, "stage": process.stage,
                    "stage_title": BY_NAME[process.stage].title.render(lang) if process.stage in BY_NAME else process.stage,
                    "suspended_from": process.suspended_from},
        "me": {"handle": me.handle, "name": me.name, "role": me.role, "sector": me.sector},
        "moves": moves(r, lang), "open_sessions": open_sessions, "my_activities": my_activities,
        "actions": available_actions(process, me.role), "choices": choices,
    }
