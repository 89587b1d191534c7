"""Reads for a signed-in person's workspace: what they may do now and what stands in the way.

Nothing here decides anything new: the moves and their unmet criteria come from
:func:`workflow.moves.blockers`, quorum from :mod:`workflow.governance`, who may do what
from ``ACTIONS[name].roles`` and :func:`workflow.engine.check_state`, the same calls the
engine makes when the action is applied. The web page shows them before anyone presses a
button; the engine still checks everything again when they do.

Why one module: everything the workspace shows a person is read under the same
rules as the engine applies them (roles, state, blockers) and the same choices of references.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from slugify import slugify

from i18n import gettext
from stages import BY_NAME, STAGE_NAMES, SUSPENDED, vocabulary
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
        # a process acting contrary to process is closed by the decision that says so, with its reason
        contrary = event == "close" and any(u.code == "close_contrary_needs_decision" for u in unmet)
        out.append({"event": event, "kind": "close_contrary_to_process" if contrary else event,
                    "targets": [{"stage": t, "title": BY_NAME[t].title.render(lang)} for t in targets],
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
        gaps = governance.quorum_gaps(rule, governance.counting(present, people.values(), withdrawn), s.key)
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
                              "present": sorted(p.name for p in present), "i_am_present": me in present,
                              "quorum_gaps": [g.as_dict(lang) for g in gaps], "decisions": decisions})

    my_activities, my_commitments = [], []
    if me.role == "liaison":
        my_commitments = liaison_commitments(r, me, tz)
        my_activities = [a for c in my_commitments for a in c["activities"]]

    choices = form_choices(r, me, lang)
    return {
        "process": {"slug": process.slug, "name": process.name, "stage": process.stage,
                    "stage_title": BY_NAME[process.stage].title.render(lang) if process.stage in BY_NAME else process.stage,
                    "suspended_from": process.suspended_from},
        "me": {"handle": me.handle, "name": me.name, "role": me.role, "sector": me.sector},
        "moves": moves(r, lang), "open_sessions": open_sessions, "my_activities": my_activities,
        "my_commitments": my_commitments,
        "actions": available_actions(process, me.role), "choices": choices,
        "names": {p.handle: p.name for p in r.people},
    }


# --- what a form offers to choose: every reference by its name ---------------------------------

#: Fields that name something of the process, for every action (``handle`` only where it names
#: someone who exists: it is a new key in ``add_person``).
REFERENCES = {"session", "decision", "activity", "commitment", "commitments", "theme", "themes", "channel",
              "agency", "agencies", "input", "members", "member", "muted", "sector", "solution"}
HANDLE_CHOOSERS = {"set_credentials", "remove_person"}
#: Actions whose new row is named by a key made from one of its fields when none is given:
#: action -> (key field, field the key is made from, the records it must differ from).
KEYED: dict[str, tuple[str, str, str]] = {
    "add_agency": ("key", "name", "agencies"), "open_channel": ("key", "name", "channels"),
    "add_theme": ("key", "name", "themes"), "draft_commitment": ("key", "title", "commitments"),
    "plan_activity": ("key", "title", "activities"), "add_indicator": ("key", "name", "indicators"),
    "add_person": ("handle", "name", "people"), "publish_document": ("key", "title", "documents"),
    "create_process": ("slug", "name", "processes"),
}
#: A generated key's length: room is left for a ``-2`` suffix under the schema's 64 characters.
KEY_LENGTH = 40


def new_key(name: str, taken: set[str], fallback: str = "x") -> str:
    """A key made from ``name`` (``Secretaría de Salud`` -> ``secretaria-de-salud``), different
    from every key in ``taken`` (``-2``, ``-3``... added when it is not)."""
    base = slugify(name or "", max_length=KEY_LENGTH, word_boundary=True) or fallback
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    return key


def _choice(value: str, label: str, detail: str = "", when: str | None = None) -> dict[str, Any]:
    return {"value": value, "label": label, "detail": detail, "when": when}


def _short(text: str, limit: int = 90) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def form_choices(r, me, lang: str = "es", action: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """What each reference field offers, by name (``value``: the key the action receives;
    ``label``: the name people read; ``detail``: what tells two alike apart; ``when``: an ISO date
    the page shows in its words). The one place every workspace form gets its lists from."""
    tz = ZoneInfo(r.process.timezone)
    sessions = {s.id: s for s in r.sessions}
    themes = {t.id: t for t in r.themes}
    channels = {c.id: c for c in r.channels}
    commitments = {c.id: c for c in r.commitments}
    agencies = {a.id: a for a in r.agencies}

    def session(s) -> dict[str, Any]:
        return _choice(s.key, s.place or s.key, "", s.scheduled_for.astimezone(tz).isoformat(timespec="minutes"))

    def decision(d) -> dict[str, Any]:
        what = d.payload.get("text") or (BY_NAME[d.payload["target"]].title.render(lang)
                                         if d.payload.get("target") in BY_NAME else "") or d.reason
        s = sessions.get(d.session_id)
        label = vocabulary.label("decision_kind", d.kind, lang) + (f": {_short(what, 60)}" if what else "")
        return _choice(d.key, label, s.place if s else "",
                       s.scheduled_for.astimezone(tz).isoformat(timespec="minutes") if s else None)

    def person(p) -> dict[str, Any]:
        detail = vocabulary.label("sector", p.sector, lang) if p.sector else vocabulary.label("role", p.role, lang)
        if p.role == "liaison" and p.agency_id in agencies:
            detail = agencies[p.agency_id].name
        return _choice(p.handle, p.name, detail)

    open_sessions = [s for s in r.sessions if s.closed_at is None]
    if action == "publish_minutes":
        chosen_sessions = sorted(r.sessions, key=lambda s: (s.minutes_published_at is not None, s.scheduled_for))
    else:
        chosen_sessions = open_sessions or list(r.sessions)
    if action == "set_final_status":
        decisions = [d for d in r.decisions if d.status == "adopted"]
    else:
        decisions = [d for d in r.decisions if d.status == "open" and sessions.get(d.session_id)
                     and sessions[d.session_id].closed_at is None]
    members = [p for p in r.people if p.role == "member" and p.active]
    activities = [a for a in r.activities if me is None or me.role != "liaison" or a.agency_id == me.agency_id]
    withdrawn = r.withdrawn_sectors()
    if action == "return_sector":
        sectors = sorted(withdrawn)
    elif action == "record_input":
        sectors = list(vocabulary.TERMS["sector"])
    else:
        sectors = sorted({*r.required_sectors, *(p.sector for p in r.people if p.sector)} - (
            withdrawn if action == "withdraw_sector" else set()))
    solutions = [(tree, s) for tree in r.problem_trees for s in (tree.solutions or []) if s.get("key")]
    out: dict[str, list[dict[str, Any]]] = {
        "session": [session(s) for s in chosen_sessions],
        "decision": [decision(d) for d in decisions],
        "activity": [_choice(a.key, a.title, commitments[a.commitment_id].title if a.commitment_id in commitments
                             else "") for a in activities],
        "commitment": [_choice(c.key, c.title, vocabulary.label("commitment_status", c.status, lang))
                       for c in r.commitments],
        "theme": [_choice(t.key, t.name)
                  for t in sorted(r.themes, key=lambda t: (t.priority is None, t.priority or 0))],
        "channel": [_choice(c.key, c.name, vocabulary.label("channel_kind", c.kind, lang)) for c in r.channels],
        "agency": [_choice(a.key, a.name) for a in r.agencies],
        "input": [_choice(i.key, _short(i.text), channels[i.channel_id].name if i.channel_id in channels else "",
                          i.received_on.isoformat())
                  for i in sorted(r.inputs, key=lambda i: (bool(i.disposition), i.received_on, i.id))],
        "member": [person(p) for p in members],
        "muted": [person(p) for p in r.people if p.active],
        "sector": [_choice(code, vocabulary.label("sector", code, lang)) for code in sectors],
        "solution": [_choice(s["key"], _short(s.get("text", "")), themes[tree.theme_id].name
                             if tree.theme_id in themes else "") for tree, s in solutions],
    }
    # a mapping's keys, one box each: the sectors (citizens count only where people attend) and
    # the compliance settings (the value in force and the default, to keep or override)
    out["sectors"] = [_choice(code, vocabulary.label("sector", code, lang)) for code in vocabulary.TERMS["sector"]
                      if code != "citizen" or action in ("record_sensitization_session", "plan_working_table")]
    if action == "configure_compliance":
        from compliance.settings import SETTINGS

        overridden = ((r.process.settings or {}).get("compliance") or {}).get("settings") or {}
        out["settings"] = [{**_choice(s.name, s.text.render(lang), _setting_detail(
            lang, s.default, overridden.get(s.name))), "kind": s.kind} for s in SETTINGS.values()]
    out["members"], out["themes"] = out["member"], out["theme"]
    out["commitments"], out["agencies"] = out["commitment"], out["agency"]
    if action in HANDLE_CHOOSERS:
        out["handle"] = [person(p) for p in r.people if p.active]
    return out


def _setting_detail(lang: str, default: Any, now: Any) -> str:
    def shown(v: Any) -> str:
        return ", ".join(str(x) for x in v) if isinstance(v, list) else str(v)

    text = gettext(lang, "Default: {value}.").format(value=shown(default))
    if now is not None:
        text += " " + gettext(lang, "This process uses: {value}.").format(value=shown(now))
    return text + " " + gettext(lang, "Left empty, it does not change.")


def setting_values(typed: dict[str, str]) -> dict[str, Any]:
    """Compliance settings as typed in their boxes, in the shape each takes (a number, a list of
    numbers or names separated by commas, a stage); the action checks each value."""
    from compliance.settings import SETTINGS

    out: dict[str, Any] = {}
    for name, text in typed.items():
        kind = SETTINGS[name].kind if name in SETTINGS else "str"
        items = [t.strip() for t in text.split(",") if t.strip()]
        if kind == "int":
            out[name] = int(text) if text.strip().lstrip("-").isdigit() else text
        elif kind == "int_list":
            out[name] = [int(t) if t.isdigit() else t for t in items]
        elif kind == "str_list":
            out[name] = items
        else:
            out[name] = text.strip()
    return out


def choices(db_engine: Engine, slug: str, handle: str, action: str | None = None, lang: str = "es",
            clock: Clock | None = None) -> dict[str, list[dict[str, Any]]]:
    """:func:`form_choices` for the signed-in ``handle`` of process ``slug``."""
    with Session(db_engine) as db:
        process = process_by_slug(db, slug)
        r = load_records(db, process, now=(clock or SystemClock()).now())
    me = next((p for p in r.people if p.handle == handle and p.active), None)
    return form_choices(r, me, lang, action)


def fact_time(db_engine: Engine, slug: str, clock: Clock | None = None) -> dict[str, str]:
    """A form's "date of the fact": the process's time zone (a local date and time is read there)
    and the local time now, to the minute (the field's default: leaving it means now)."""
    with Session(db_engine) as db:
        timezone = process_by_slug(db, slug).timezone
    now = (clock or SystemClock()).now().astimezone(ZoneInfo(timezone))
    return {"timezone": timezone, "now": now.strftime("%Y-%m-%dT%H:%M")}


def taken_keys(db_engine: Engine, slug: str, action: str) -> set[str]:
    """The keys a new row of ``action`` must differ from (:data:`KEYED`)."""
    if action not in KEYED:
        return set()
    with Session(db_engine) as db:
        process = process_by_slug(db, slug)
        r = load_records(db, process)
    rows = getattr(r, KEYED[action][2])
    field = KEYED[action][0]
    return {getattr(row, "handle" if field == "handle" else "key") for row in rows}


def people_names(db_engine: Engine, slug: str) -> dict[str, str]:
    """Everyone's name by handle (who objected, who voted: said by name)."""
    from storage.models import Person

    with Session(db_engine) as db:
        process = process_by_slug(db, slug)
        return {p.handle: p.name for p in db.exec(select(Person).where(Person.process_id == process.id))}


# --- the live session screen --------------------------------------------------------------------


def session_view(db_engine: Engine, slug: str, key: str, handle: str, lang: str = "es",
                 clock: Clock | None = None) -> dict[str, Any]:
    """One secretariat session as its screen shows it during the meeting: who is present (by name
    and sector), the quorum sector by sector, each open motion with every member's vote and what
    deciding it now would give (the same count ``decide`` makes: :func:`governance.outcome`), and
    the decisions already taken in it."""
    from workflow.actions.decisions import KINDS

    with Session(db_engine) as db:
        process = process_by_slug(db, slug)
        r = load_records(db, process, now=(clock or SystemClock()).now())
    session = next((s for s in r.sessions if s.key == key), None)
    if session is None:
        raise not_found("session", key)
    me = next((p for p in r.people if p.handle == handle and p.active), None)
    if me is None:
        raise not_found("person", handle)
    tz = ZoneInfo(process.timezone)
    people = {p.id: p for p in r.people}
    withdrawn = r.withdrawn_sectors()
    attendance = [a for a in r.attendance if a.session_id == session.id]
    present = governance.present_members(attendance, people, withdrawn)
    counted = governance.counting(present, people.values(), withdrawn)  # who makes quorum and votes
    present_ids = {p.id for p in present}
    arrived = {a.person_id for a in attendance}
    rule = governance.QuorumRule.of(process.quorum or {})
    members = []
    for p in sorted(r.members, key=lambda p: (p.sector or "", p.name)):
        state = "present" if p.id in present_ids else ("left" if p.id in arrived else "absent")
        if p.sector in withdrawn:
            state = "withdrawn"
        members.append({"handle": p.handle, "name": p.name, "sector": p.sector, "state": state,
                        "stands_by": state == "present" and p.id not in {c.id for c in counted}})
    by_sector: dict[str, int] = defaultdict(int)
    for p in counted:
        by_sector[p.sector] += 1
    quorum_rows = [{"sector": s, "needed": max(n, 1), "present": by_sector.get(s, 0),
                    "met": by_sector.get(s, 0) >= max(n, 1), "withdrawn": s in withdrawn}
                   for s, n in rule.sectors.items()]
    gaps = governance.quorum_gaps(rule, counted, session.key)
    move_unmet = {m["event"]: m["unmet"] for m in moves(r, lang)} if process.stage not in ("closed",) else {}

    decisions = []
    for d in sorted((d for d in r.decisions if d.session_id == session.id), key=lambda d: d.id):
        votes = {v.person_id: v.position for v in r.votes if v.decision_id == d.id}
        kind = KINDS.get(d.kind)
        item: dict[str, Any] = {
            "key": d.key, "kind": d.kind, "rule": d.rule, "status": d.status, "reason": d.reason,
            "text": d.payload.get("text"), "target": d.payload.get("target"),
            "commitments": [c.title for c in r.commitments if c.key in (d.payload.get("commitments") or [])],
            "commitment": next((c.title for c in r.commitments if c.key == d.payload.get("commitment")), None),
            "votes": [{"handle": p.handle, "name": p.name, "sector": p.sector, "position": votes.get(p.id),
                       "present": p.id in present_ids} for p in sorted(r.members, key=lambda p: (p.sector or "", p.name))],
            "my_vote": votes.get(me.id), "tally": d.tally or {},
            "decided_at": d.decided_at.astimezone(tz).isoformat(timespec="minutes") if d.decided_at else None,
        }
        if d.status == "open":
            adopted, tally = governance.outcome(d.rule, counted, votes, bool(kind and kind.joint), rule.sectors)
            item["preview"] = {"status": "adopted" if adopted else "rejected", "tally": tally}
            item["unmet"] = move_unmet.get(d.kind, []) if d.kind in machine.EVENTS else []
        decisions.append(item)
    return {
        "process": {"slug": process.slug, "name": process.name, "stage": process.stage},
        "session": {"key": session.key, "place": session.place, "agenda": list(session.agenda or []),
                    "scheduled_for": session.scheduled_for.astimezone(tz).isoformat(timespec="minutes"),
                    "extraordinary": session.extraordinary, "justification": session.justification,
                    "closed": session.closed_at is not None, "minutes_ref": session.minutes_ref},
        "me": {"handle": me.handle, "name": me.name, "role": me.role, "present": me.id in present_ids},
        "members": members, "quorum": {"rows": quorum_rows, "min_members": rule.min_members,
                                       "present": len(present), "gaps": [g.as_dict(lang) for g in gaps]},
        "decisions": decisions, "names": {p.handle: p.name for p in r.people},
    }


# --- the inbox of inputs ------------------------------------------------------------------------


def inbox_view(db_engine: Engine, slug: str, handle: str, lang: str = "es", clock: Clock | None = None) -> dict:
    """The inputs still without a reasoned response, oldest first (the first is answered now),
    and how many were answered. Contacts are private and never shown."""
    with Session(db_engine) as db:
        process = process_by_slug(db, slug)
        r = load_records(db, process, now=(clock or SystemClock()).now())
    me = next((p for p in r.people if p.handle == handle and p.active), None)
    channels = {c.id: c for c in r.channels}
    themes = {t.id: t for t in r.themes}
    def shown(i) -> dict[str, Any]:
        return {"key": i.key, "text": i.text, "channel": channels[i.channel_id].name if i.channel_id in channels
                else "", "sector": i.sector, "received_on": i.received_on.isoformat(), "late": i.late,
                "theme": i.theme_id and themes[i.theme_id].key, "theme_name": i.theme_id and themes[i.theme_id].name,
                "hidden_reason": i.hidden_reason, "hidden_note": i.hidden_note,
                "hidden_at": i.hidden_at.astimezone(tz).date().isoformat() if i.hidden_at else None}

    tz = ZoneInfo(process.timezone)
    ordered = sorted(r.inputs, key=lambda i: (i.received_on, i.id))
    # a hidden input (spam, insult, personal data) is answered by the reason it was hidden for
    pending = [shown(i) for i in ordered if not i.disposition and not i.hidden_reason]
    hidden = [shown(i) for i in sorted((i for i in ordered if i.hidden_reason and i.hidden_at),
                                       key=lambda i: i.hidden_at, reverse=True)]
    hidden += [shown(i) for i in ordered if i.hidden_reason and not i.hidden_at]
    return {"process": {"slug": process.slug, "name": process.name, "stage": process.stage},
            "pending": pending, "hidden": hidden, "total": len(r.inputs),
            "answered": sum(1 for i in r.inputs if i.disposition and not i.hidden_reason),
            "choices": form_choices(r, me, lang, "answer_input")}


# --- the plan: its commitments, their approval and amendments ----------------------------------


def _diff(before: dict, after: dict) -> list[dict[str, Any]]:
    """The fields that differ, in the commitment's order: (field, before, after)."""
    from stages.commitments import FIELDS

    return [{"field": f, "before": before.get(f), "after": after.get(f)} for f in FIELDS
            if f in after and before.get(f) != after.get(f)]


def plan_view(db_engine: Engine, slug: str, handle: str, lang: str = "es", clock: Clock | None = None) -> dict:
    """The commitments as the plan page shows them: their current fields, their status and
    version, the difference each version made, and the plan decisions still open (an approval:
    which commitments; an amendment: the difference it would make)."""
    from workflow.actions.plan import commitment_fields

    with Session(db_engine) as db:
        process = process_by_slug(db, slug)
        r = load_records(db, process, now=(clock or SystemClock()).now())
    me = next((p for p in r.people if p.handle == handle and p.active), None)
    agencies = {a.key: a.name for a in r.agencies}
    versions: dict[int, list] = defaultdict(list)
    for v in sorted(r.commitment_versions, key=lambda v: (v.commitment_id, v.version)):
        versions[v.commitment_id].append(v)
    by_key = {c.key: c for c in r.commitments}
    commitments = []
    for c in r.commitments:
        fields = commitment_fields(c)
        themes = {t.id: t.key for t in r.themes}
        fields["theme"] = themes.get(c.theme_id)
        history, previous = [], None
        for v in versions[c.id]:
            if previous is not None:
                history.append({"version": v.version, "changes": _diff(previous, v.fields)})
            previous = v.fields
        commitments.append({"key": c.key, "title": c.title, "status": c.status, "version": c.version,
                            "fields": fields, "agency_names": [agencies.get(a, a) for a in c.agencies or []],
                            "history": history})
    open_decisions = []
    sessions = {s.id: s for s in r.sessions}
    for d in r.decisions:
        if d.status != "open" or d.kind not in ("approve_commitments", "amend_commitment"):
            continue
        item = {"key": d.key, "kind": d.kind, "session": sessions[d.session_id].place if d.session_id in sessions
                else "", "session_key": sessions[d.session_id].key if d.session_id in sessions else ""}
        if d.kind == "approve_commitments":
            keys = d.payload.get("commitments") or [c.key for c in r.commitments if c.status == "draft"]
            item["commitments"] = [by_key[k].title for k in keys if k in by_key]
        else:
            c = by_key.get(d.payload.get("commitment"))
            item["commitment"] = c.title if c else d.payload.get("commitment")
            item["changes"] = _diff(commitment_fields(c), d.payload.get("changes") or {}) if c else []
        open_decisions.append(item)
    return {"process": {"slug": process.slug, "name": process.name, "stage": process.stage},
            "commitments": commitments, "open_decisions": open_decisions, "agencies": agencies,
            "choices": form_choices(r, me, lang, "propose_decision")}


def quorum_now(db_engine: Engine, slug: str) -> dict[str, Any]:
    """The process's quorum rule in force (what a motion to change it starts from)."""
    with Session(db_engine) as db:
        rule = governance.QuorumRule.of(process_by_slug(db, slug).quorum or {})
    return {"sectors": dict(rule.sectors), "min_members": rule.min_members}


def commitment_now(db_engine: Engine, slug: str, key: str) -> dict:
    """A commitment's current fields (what an amendment is compared with)."""
    from workflow.actions.plan import commitment_fields

    with Session(db_engine) as db:
        process = process_by_slug(db, slug)
        r = load_records(db, process)
    c = next((c for c in r.commitments if c.key == key), None)
    if c is None:
        raise not_found("commitment", key)
    return commitment_fields(c)


# --- the history, the audit chain and the reminders of a process -------------------------------


def audit_state(db_engine: Engine, slug: str, lang: str = "es") -> dict[str, Any]:
    """Whether the process's audit chain verifies (:func:`reads.status.verify_audit`), with its
    length, its newest hash (to publish: it anchors the chain up to there) and every problem."""
    from stages.errors import AuditBroken

    from .status import verify_audit

    with Session(db_engine) as db:
        process = process_by_slug(db, slug)
        head, seq, at = process.audit_head, process.audit_seq, process.audit_at
        tz = process.timezone
    try:
        checked = verify_audit(db_engine, slug)[slug]
        problems: list[dict] = []
    except AuditBroken as exc:
        checked, problems = seq, [r.as_dict(lang) for r in exc.reasons]
    return {"ok": not problems, "entries": checked, "head": head,
            "at": at.astimezone(ZoneInfo(tz)).isoformat(timespec="minutes") if at else None, "problems": problems}


#: How a reminder's status is grouped on its page.
REMINDER_GROUPS = {"due": "due", "pending": "queued", "claimed": "queued", "sent": "sent", "failed": "failed",
                   "cancelled": "failed", "not_yet_due": "planned"}


def reminders_view(db_engine: Engine, slug: str, lang: str = "es", clock: Clock | None = None,
                   handle: str | None = None) -> dict[str, Any]:
    """The process's reminders: each one planned, due, sent or failed, and why; counts by group
    (``handle``: only those of that person)."""
    from stages.reminders import BY_KIND

    from . import reminders

    now = (clock or SystemClock()).now()
    planned = reminders.plan(db_engine, slug, at=now, lang=lang)
    names = people_names(db_engine, slug)
    items = []
    for r in planned["reminders"]:
        if handle is not None and r["recipient"] != handle:
            continue
        group = REMINDER_GROUPS.get(r["status"], "skipped")
        items.append({**r, "group": group, "recipient_name": names.get(r["recipient"], r["recipient"]),
                      "kind_title": BY_KIND[r["kind"]].title.render(lang) if r["kind"] in BY_KIND else r["kind"]})
    order = {"failed": 0, "due": 1, "queued": 2, "planned": 3, "sent": 4, "skipped": 5}
    items.sort(key=lambda r: (order[r["group"]], r["due_on"]))
    counts: dict[str, int] = defaultdict(int)
    for r in items:
        counts[r["group"]] += 1
    return {"at": planned["at"], "reminders": items, "counts": dict(counts)}


def liaison_commitments(r, me, tz) -> list[dict[str, Any]]:
    """What an agency liaison works on: the commitments with an activity of its agency, each with
    its indicators and those activities (deliverable, dates, acceptance and its official letter,
    progress) and every progress report made on them, newest first."""
    people = {p.handle: p.name for p in r.people}
    reports: dict[int, list] = defaultdict(list)
    for rep in sorted(r.progress_reports, key=lambda x: (x.reported_on, x.id), reverse=True):
        reports[rep.activity_id].append({"reported_on": rep.reported_on.isoformat(), "status": rep.status,
                                         "percent": rep.percent, "evidence_ref": rep.evidence_ref, "reason": rep.reason,
                                         "by": people.get(rep.reported_by, rep.reported_by)})
    out = []
    for c in r.commitments:
        mine = [a for a in r.activities if a.commitment_id == c.id and a.agency_id == me.agency_id]
        if not mine:
            continue
        out.append({
            "key": c.key, "title": c.title, "objective": c.objective, "outcome": c.outcome,
            "end_date": c.end_date.isoformat() if c.end_date else None,
            "indicators": [{"name": i.name, "kind": i.kind, "baseline": i.baseline, "target": i.target}
                           for i in r.indicators if i.commitment_id == c.id],
            "activities": [{"key": a.key, "title": a.title, "deliverable": a.deliverable, "commitment": c.title,
                            "start_date": a.start_date.isoformat() if a.start_date else None,
                            "end_date": a.end_date.isoformat() if a.end_date else None,
                            "accepted": a.accepted_at is not None,
                            "accepted_at": a.accepted_at.astimezone(tz).date().isoformat() if a.accepted_at else None,
                            "acceptance_ref": a.acceptance_ref, "status": a.status, "percent": a.percent,
                            "reports": reports.get(a.id, [])} for a in mine],
        })
    return out


def key_names(db_engine: Engine, slug: str) -> dict[str, dict[str, str]]:
    """What each key of the process names, by the field a result gives it in (``session``: its
    place and date, ``theme``: its name, ``input``: the start of its text...): results said in
    words name things, never keys. ``person``: people by name."""
    with Session(db_engine) as db:
        process = process_by_slug(db, slug)
        r = load_records(db, process)
    tz = ZoneInfo(process.timezone)

    def session(s) -> str:
        when = s.scheduled_for.astimezone(tz)
        return f"{s.place or s.key}, {when:%Y-%m-%d %H:%M}"

    trees = {t.key: t for t in r.problem_trees}
    themes = {t.id: t.name for t in r.themes}
    return {
        "person": {p.handle: p.name for p in r.people},
        "session": {s.key: session(s) for s in r.sessions},
        "theme": {t.key: t.name for t in r.themes},
        "channel": {c.key: c.name for c in r.channels},
        "input": {i.key: _short(i.text, 60) for i in r.inputs},
        "commitment": {c.key: c.title for c in r.commitments},
        "activity": {a.key: a.title for a in r.activities},
        "agency": {a.key: a.name for a in r.agencies},
        "indicator": {i.key: i.name for i in r.indicators},
        "document": {d.key: d.title for d in r.documents},
        "problem_tree": {k: _short(t.problem, 60) for k, t in trees.items()},
        "working_table": {w.key: themes.get(w.theme_id, w.key) for w in r.working_tables},
    }
