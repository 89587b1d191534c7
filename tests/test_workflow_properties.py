"""Property-based: random sequences of actions, valid and invalid, never leave a process in a
state the rules forbid, and every refused action leaves the database exactly as it was.

Each example starts from an empty database (rows deleted, schema kept) and a tripartite
process with five members moved, through real decisions, to a random stage; then it runs a
random list of steps: filling the current stage's
content, decisions of every kind in sessions with random attendance, votes and rules,
attendance changes, sector withdrawals and returns, members leaving and joining, content
for the wrong stage, and malformed payloads. After every action it checks:

- refused: every table's rows are unchanged, and no audit entry was added;
- applied: exactly one audit entry was added, by that actor, for that action;
- the stage is one of the ten states; suspended iff ``suspended_from`` is set;
- stage changes chain (each starts where the last ended) and each is a machine move;
- every stage change was taken by an adopted decision of a quorate session, except the
  automatic suspension when a required sector withdraws;
- an advance or a close happened with every exit criterion of the stage left met; closed
  only from monitoring;

and after every step that the audit chain verifies.

The examples are derandomized (the same 40 on every run, so the suite is reproducible); see
what they cover with ``pytest tests/test_workflow_properties.py --hypothesis-show-statistics``.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter

from builders import FILL, Proc, process_at
from hypothesis import HealthCheck, Phase, event, given, note, settings
from hypothesis import strategies as st
from snapshots import diff, rows, snapshot, wipe
from sqlmodel import Session, select

from reads import status as queries
from stages import BY_NAME, STAGE_NAMES
from stages.clock import FixedClock
from stages.errors import CocreaError
from storage import load_records
from storage import models as m
from workflow import actions, machine

MEMBERS = [("gob", "government"), ("garante", "guarantor"), ("osc1", "civil_society"), ("osc2", "civil_society"),
           ("udg", "academia")]
HANDLES = [h for h, _ in MEMBERS]
ACTORS = ["coord", *HANDLES, "enlace", "intruso"]
SECTORS = ["government", "guarantor", "civil_society", "academia"]
KINDS = ["advance", "suspend", "resume", "reopen", "close", "close_contrary_to_process", "approve_commitments",
         "amend_commitment", "set_quorum_rule", "general"]
#: The decision kinds that make a stage move other than the one they are named after.
MOVES_AS = {"close_contrary_to_process": "close"}
QUORUMS = [{"sectors": {"government": 1, "guarantor": 1, "civil_society": 1}, "min_members": 0},
           {"sectors": {"government": 1, "guarantor": 1, "civil_society": 2}, "min_members": 0},
           {"sectors": {"government": 1, "guarantor": 1, "civil_society": 1}, "min_members": 4},
           {"sectors": {"government": 1, "guarantor": 1}, "min_members": 0}]
LATER = "2026-06-01T10:00:00-06:00"

# A malformed or impossible call: (actor, action, payload), refused whatever the state.
BAD = [
    ("coord", "add_person", {"handle": "x"}),
    ("coord", "add_person", {"handle": "gob", "name": "Otra vez", "role": "member", "sector": "government"}),
    ("coord", "add_person", {"handle": "y", "name": "Sin sector", "role": "member"}),
    ("coord", "convene_session", {"scheduled_for": "mañana", "place": "Sala", "agenda": ["a"]}),
    ("coord", "convene_session", {"scheduled_for": LATER, "place": "Sala", "agenda": ["a"], "extraordinary": True}),
    ("coord", "convene_session", {"scheduled_for": LATER, "place": "Sala", "agenda": []}),
    ("coord", "record_attendance", {"session": "S999", "members": ["gob"]}),
    ("coord", "record_attendance", {"session": "S1", "members": ["coord"]}),
    ("coord", "propose_decision", {"session": "S1", "kind": "fly"}),
    ("coord", "propose_decision", {"session": "S1", "kind": "reopen", "reason": "x"}),
    ("coord", "propose_decision", {"session": "S1", "kind": "general"}),
    ("gob", "cast_vote", {"decision": "D1", "position": "maybe"}),
    ("gob", "cast_vote", {"decision": "D1", "position": "for", "member": "osc1"}),
    ("coord", "cast_vote", {"decision": "D1", "position": "for"}),
    ("coord", "decide", {"decision": "D404"}),
    ("coord", "add_agency", {"key": "bad key!", "name": "x"}),
    ("coord", "sign_declaration", {"signed_on": "2026-13-45", "signatories": [], "document_ref": "d"}),
    ("coord", "record_input", {"channel": "web", "text": "x", "received_on": "2026-03-01", "contact_email": "no"}),
    ("coord", "open_channel", {"key": "w", "kind": "online", "name": "x", "opens_on": "2026-03-01",
                               "closes_on": "2026-02-01"}),
    ("coord", "draft_commitment", {"key": "c9", "title": "x", "agencies": ["nope"]}),
    ("coord", "plan_activity", {"commitment": "c404", "title": "x", "deliverable": "y", "agency": "igualdad",
                                "start_date": "2026-06-01", "end_date": "2026-07-01"}),
    ("coord", "return_sector", {"sector": "business", "reason": "x"}),
    ("gob", "withdraw_sector", {"sector": "civil_society", "reason": "no es su sector"}),
    ("intruso", "add_agency", {"key": "sfp", "name": "SFP"}),
    ("coord", "fly", {}),
    ("gob", "add_agency", {"key": "sfp", "name": "SFP"}),
    ("enlace", "decide", {"decision": "D1"}),
]

# Well-formed content for some stage; refused in every other one.
CONTENT = [
    ("open_channel", {"key": "radio", "kind": "other", "name": "Radio comunitaria", "aimed_at_excluded": True,
                      "announced_on": "2026-02-01", "opens_on": "2026-02-10"}),
    ("add_theme", {"key": "salud", "name": "Salud"}),
    ("prioritise_themes", {"themes": ["genero"]}),
    ("record_sensitization_session", {"held_on": "2026-03-01", "topics": ["how_it_works"], "sectors": {"academia": 3}}),
    ("plan_working_table", {"theme": "genero", "methodology": "m", "call_ref": "c", "facilitator": "f",
                            "held_on": "2026-04-01", "sectors": {"government": 1}}),
    ("record_problem_tree", {"theme": "genero", "problem": "p", "causes": [{"text": "c"}], "effects": ["e"]}),
    ("draft_commitment", {"key": "c2", "title": "Segundo compromiso", "axes": ["innovation"]}),
    ("plan_activity", {"commitment": "c1", "title": "Otra", "deliverable": "d", "agency": "igualdad",
                       "start_date": "2026-06-01", "end_date": "2026-08-01"}),
    ("add_indicator", {"commitment": "c1", "name": "Gestión", "kind": "management"}),
    ("hold_public_event", {"kind": "midterm", "held_on": "2026-07-01"}),
    ("set_final_status", {"commitment": "c1", "status": "not_fulfilled"}),
    ("publish_document", {"kind": "report", "title": "Informe", "ref": "informe.pdf"}),
]

members = st.sampled_from(HANDLES)
ATTENDANCE = st.one_of(st.none(), st.none(), st.lists(members, unique=True))  # None: every member present
SECTOR_ACTORS = ["coord", "coord", "osc1", "gob", "udg", "enlace"]  # mostly allowed, sometimes not
STEP = st.one_of(
    st.just(("fill",)),
    st.just(("next_move",)),
    *[st.tuples(st.just("progress"), ATTENDANCE)] * 3,
    st.tuples(st.just("decide"), st.sampled_from(KINDS), st.one_of(st.none(), st.lists(members, unique=True)),
              st.dictionaries(st.sampled_from(ACTORS), st.sampled_from(["for", "against", "abstain"]), max_size=3),
              st.sampled_from(["consensus", "majority"]), st.booleans(), st.sampled_from(STAGE_NAMES),
              st.booleans(), st.sampled_from(range(len(QUORUMS)))),
    st.tuples(st.just("attend"), st.lists(members, min_size=1, max_size=3, unique=True), st.booleans()),
    st.tuples(st.just("withdraw"), st.sampled_from(SECTORS), st.sampled_from(SECTOR_ACTORS)),
    st.tuples(st.just("return"), st.sampled_from(SECTORS), st.sampled_from(SECTOR_ACTORS)),
    st.tuples(st.just("remove"), members),
    st.tuples(st.just("join"), st.sampled_from(SECTORS)),
    st.tuples(st.just("vote"), st.sampled_from(ACTORS), st.sampled_from(["for", "against", "abstain"])),
    st.just(("decide_last",)),
    st.just(("close_session",)),
    st.tuples(st.just("bad"), st.sampled_from(range(len(BAD)))),
    st.tuples(st.just("content"), st.sampled_from(range(len(CONTENT)))),
    st.just(("backwards",)),
    st.just(("walkout",)),
    st.just(("comeback",)),
    st.tuples(st.just("reopen"), st.sampled_from(STAGE_NAMES)),
)


class World(Proc):
    """A process under random actions: every action is checked as it runs."""

    def __init__(self, db, clock, start: str, quorum: dict):
        # reach the starting stage through real decisions (as test_workflow_lifecycle does)
        setup = process_at(db, clock, start, slug="p", members=MEMBERS, quorum=quorum)
        self.db, self.clock, self.slug, self.members = db, clock, "p", list(HANDLES)
        self.n_sessions, self.joined, self.shift = setup.n_sessions, 0, setup.shift
        self.applied, self.refusals = Counter(), Counter()
        self.state = snapshot(db)
        self.seen_changes = 1
        self.changes_at_start = len(self.state["stage_change"])
        for n in range(2, len(self.state["stage_change"]) + 1):
            self.check_stage_changes("decide", upto=n, criteria=False)

    def __call__(self, action: str, actor: str = "coord", at: dt.datetime | None = None, **payload):
        self.clock.advance(minutes=37)
        entries = len(self.state["audit_entry"])
        try:
            result = actions.apply(self.db, action, payload, actor=actor, process=self.slug, clock=self.clock, at=at)
        except CocreaError as exc:
            after = snapshot(self.db)
            assert diff(self.state, after) == {}, f"refused {action} ({exc.codes}) changed the database"
            self.refusals[exc.codes[0]] += 1
            raise
        self.state = snapshot(self.db)
        trail = rows(self.state, "audit_entry")
        assert len(trail) == entries + 1, f"{action} appended {len(trail) - entries} audit entries"
        assert (trail[-1]["actor"], trail[-1]["action"]) == (actor, action)
        self.applied[action] += 1
        self.check_stage_changes(action)
        return result

    def soft(self, action: str, actor: str = "coord", **payload):
        """Run an action whose refusal is an expected outcome; returns its result or None."""
        try:
            return self(action, actor, **payload)
        except CocreaError:
            return None

    # --- invariants ------------------------------------------------------------------
    def check_stage_changes(self, action: str, upto: int | None = None, criteria: bool = True) -> None:
        [process] = rows(self.state, "process")
        stage, suspended_from, quorum = process["stage"], process["suspended_from"], process["quorum"]
        if isinstance(quorum, str):  # SQLite's driver returns JSON as text
            quorum = json.loads(quorum)
        assert stage in machine.STATES
        assert (stage == "suspended") == (suspended_from is not None)
        assert suspended_from in (None, *STAGE_NAMES)
        changes = rows(self.state, "stage_change")
        assert changes[0]["event"] == "create" and changes[0]["to_stage"] == STAGE_NAMES[0]
        for before, after in zip(changes, changes[1:]):
            assert after["from_stage"] == before["to_stage"]
        assert changes[-1]["to_stage"] == stage
        upto = upto or len(changes)
        new = changes[self.seen_changes:upto]
        assert len(new) <= 1, "one action moved the stage twice"
        self.seen_changes = upto
        if not new:
            return
        [change] = new
        event, before, after = change["event"], change["from_stage"], change["to_stage"]
        assert machine.fire(before, event, after if event in ("reopen", "resume") else None) == after
        if change["decision_id"] is None:
            # the moves without a decision: a required sector's walk-out, or its last member leaving,
            # suspends at once
            assert action in ("withdraw_sector", "remove_person") and event == "suspend"
            if action == "withdraw_sector":
                assert rows(self.state, "sectorwithdrawal")[-1]["sector"] in quorum["sectors"]
            else:
                people = rows(self.state, "person")
                gone = max((p for p in people if not p["active"]), key=lambda p: p["left_at"])
                assert gone["sector"] in quorum["sectors"]
                assert not [p for p in people if p["active"] and p["sector"] == gone["sector"]]
        else:
            assert action == "decide"
            decision = next(d for d in rows(self.state, "decision") if d["id"] == change["decision_id"])
            tally = decision["tally"] if isinstance(decision["tally"], dict) else json.loads(decision["tally"])
            assert (decision["status"], MOVES_AS.get(decision["kind"], decision["kind"])) == ("adopted", event)
            people = {p["handle"]: p for p in rows(self.state, "person")}
            present = [people[h] for h in tally["present"]]
            assert all(p["role"] == "member" and p["active"] for p in present)
            by_sector = Counter(p["sector"] for p in present)
            for sector, need in quorum["sectors"].items():
                assert by_sector[sector] >= max(need, 1), f"{event} without quorum: {sector}"
            assert len(present) >= quorum.get("min_members", 0)
        if event in ("advance", "close") and criteria:
            with Session(self.db) as s:
                records = load_records(s, s.exec(select(m.Process)).one())
            assert BY_NAME[before].unmet(records) == []
        if after == "closed":
            assert before == "monitoring"

    def check_audit(self) -> None:
        assert queries.verify_audit(self.db, self.slug) == {self.slug: len(self.state["audit_entry"])}

    # --- steps -------------------------------------------------------------------------
    def active_members(self) -> list[str]:
        with Session(self.db) as s:
            return [p.handle for p in s.exec(select(m.Person).where(m.Person.role == "member", m.Person.active))]

    def last_key(self, model) -> str | None:
        with Session(self.db) as s:
            row = s.exec(select(model).order_by(model.id.desc())).first()
            return row.key if row else None

    def run(self, step: tuple) -> None:
        kind, *args = step
        try:
            getattr(self, f"step_{kind}")(*args)
        except CocreaError:
            pass  # refused: already checked to have changed nothing

    def step_fill(self):
        with Session(self.db) as s:
            process = s.exec(select(m.Process)).one()
        stage = process.suspended_from or process.stage
        if stage in FILL:
            FILL[stage](self)

    def step_next_move(self, present=None):
        stage = queries.status(self.db, self.slug)["next_move"] or "advance"
        active = self.active_members()
        self.members = active if present is None else [h for h in present if h in active]
        self.decide(stage)

    def step_progress(self, present):
        """Fill the stage, then propose its next move (to everyone, or to whoever came): how a
        process moves on."""
        try:
            self.step_fill()
        except CocreaError:
            pass  # e.g. content recorded already (duplicate keys): the criteria may still be met
        self.step_next_move(present)

    def step_walkout(self):
        """Civil society leaves the secretariat (2017): a required sector, so the process suspends."""
        self("withdraw_sector", actor="osc1", sector="civil_society", reason="Vigilancia digital ilegal")

    def step_comeback(self):
        """Civil society returns, then the secretariat decides to resume."""
        self.soft("return_sector", actor="osc1", sector="civil_society", reason="Garantías acordadas")
        self.step_next_move()

    def step_reopen(self, target):
        """Everyone present decides to reopen ``target``, with a written reason."""
        self.members = self.active_members()
        self.decide("reopen", target=target, reason="Revisar lo acordado")

    def step_decide(self, kind, present, votes, rule, extraordinary, target, with_reason, quorum):
        extra = {"extraordinary": True, "justification": "Urgencia"} if extraordinary else {}
        active = self.active_members()
        session = self.session(present=active if present is None else [h for h in present if h in active], **extra)
        payload = {"session": session, "kind": kind, "rule": rule}
        if with_reason:
            payload["reason"] = "Motivo escrito"
        payload.update({"reopen": {"target": target}, "general": {"text": "Acuerdo"},
                        "set_quorum_rule": {"quorum": QUORUMS[quorum]},
                        "amend_commitment": {"commitment": "c1", "changes": {"title": "Título enmendado"}},
                        }.get(kind, {}))
        decision = self("propose_decision", **payload)["decision"]
        for actor, position in votes.items():
            self.soft("cast_vote", actor=actor, decision=decision, position=position)
        self("decide", decision=decision)

    def step_attend(self, handles, present):
        session = self.last_key(m.SecretariatSession)
        if session:
            self("record_attendance", session=session, members=handles, present=present)

    def step_withdraw(self, sector, actor):
        self("withdraw_sector", actor=actor, sector=sector, reason="Se retira")

    def step_return(self, sector, actor):
        self("return_sector", actor=actor, sector=sector, reason="Regresa")

    def step_remove(self, handle):
        self("remove_person", handle=handle, reason="Deja su asiento")

    def step_join(self, sector):
        self.joined += 1
        self("add_person", handle=f"nuevo{self.joined}", name="Nuevo integrante", role="member", sector=sector,
             email=f"nuevo{self.joined}@example.org")

    def step_vote(self, actor, position):
        decision = self.last_key(m.Decision)
        if decision:
            self("cast_vote", actor=actor, decision=decision, position=position)

    def step_decide_last(self):
        decision = self.last_key(m.Decision)
        if decision:
            self("decide", decision=decision)

    def step_close_session(self):
        session = self.last_key(m.SecretariatSession)
        if session:
            self("close_session", session=session, minutes_ref="acta.pdf")

    def step_bad(self, n):
        actor, action, payload = BAD[n]
        try:
            self(action, actor, **payload)
        except CocreaError:
            return
        raise AssertionError(f"{action} {payload} by {actor} was applied")

    def step_content(self, n):
        action, payload = CONTENT[n]
        self(action, **payload)

    def step_backwards(self):
        # dated before the last audit entry (a run of refusals moves the clock, not the trail)
        with Session(self.db) as s:
            last = s.exec(select(m.Process)).one().audit_at
        self("add_agency", at=last - dt.timedelta(minutes=1), key="atras", name="Fecha pasada")
        raise AssertionError("an action dated before the last audit entry was applied")


@settings(max_examples=40, deadline=None, derandomize=True, phases=[Phase.generate, Phase.shrink],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(start=st.sampled_from(STAGE_NAMES), quorum=st.sampled_from(range(len(QUORUMS) - 1)),
       steps=st.lists(STEP, min_size=1, max_size=20))
def test_random_actions_keep_the_rules(db, start, quorum, steps):
    wipe(db)  # a fresh database for every example (hypothesis reuses the fixture)
    world = World(db, FixedClock(dt.datetime(2026, 1, 15, 15, tzinfo=dt.timezone.utc)), start, QUORUMS[quorum])
    for step in steps:
        world.run(step)
        world.check_audit()
    stage = queries.status(db, "p")
    event(f"ended {stage['stage']}")
    event(f"stage changes during the steps: {len(stage['moves']) - world.changes_at_start}")
    for move in {c["event"] for c in stage["moves"][world.changes_at_start:]}:
        event(f"moved by {move}")
    for code in world.refusals:
        event(f"refused: {code}")
    note(f"stage {stage['stage']}; applied {dict(world.applied)}; refused {dict(world.refusals)}")
