"""Property-based, time as a rule: random sequences of dated actions (facts dated in the past, today
or the future, sessions that begin before or after now, inputs inside and outside their channel's
window, channels corrected, events in and out of the term, progress that rises, falls or claims to
be complete, final statuses, activities re-planned after a reopening, time passing, explicit ``at`` times before the last entry or after now)
never leave a record that breaks a rule of time, and every refusal leaves the database exactly as it
was.

It drives the property test's ``World`` (tests/test_workflow_properties.py: every action checked as
it runs, a refused one against a snapshot of every table), and after every step reads the whole
record back with ``tests/chronology.py``: ``breaks(...) == []``. Derandomized: the same examples on
every run.
"""
from __future__ import annotations

import datetime as dt
import itertools

from chronology import breaks
from hypothesis import HealthCheck, Phase, event, given, note, settings
from hypothesis import strategies as st
from snapshots import wipe
from test_workflow_properties import ATTENDANCE, QUORUMS, World

from reads import status as queries
from stages import STAGE_NAMES
from stages.chronology import local_today
from stages.clock import FixedClock
from stages.errors import CocreaError

DAYS = st.integers(min_value=-60, max_value=5)  # a fact's date, in days from today
HOURS = st.sampled_from([-72, -25, -2, 0, 1, 3, 30, 200])  # a session's start, in hours from now
PERCENT = st.sampled_from([0, 10, 30, 60, 99, 100])
CHANNELS = st.sampled_from(["web", "asamblea", "radio", "nuevo"])

STEP = st.one_of(
    st.tuples(st.just("move"), ATTENDANCE),  # fill the stage and propose its next move (how a process goes on)
    st.tuples(st.just("wait"), st.sampled_from([1, 6, 30, 24 * 7, 24 * 40])),
    st.tuples(st.just("input"), CHANNELS, DAYS),
    st.tuples(st.just("channel"), CHANNELS, DAYS, DAYS, DAYS, st.booleans()),
    st.tuples(st.just("answer"), st.integers(min_value=0, max_value=5)),
    st.tuples(st.just("event"), st.sampled_from(["midterm", "closing"]), DAYS),
    st.tuples(st.just("sensitization"), DAYS),
    st.tuples(st.just("declaration"), DAYS),
    st.tuples(st.just("report"), st.sampled_from(["not_started", "in_progress", "completed", "delayed"]), PERCENT,
              DAYS, st.booleans()),
    st.tuples(st.just("final"), st.sampled_from(["fulfilled", "partially_fulfilled", "not_fulfilled"])),
    st.tuples(st.just("activity"), DAYS),
    st.tuples(st.just("replan"), DAYS),
    st.tuples(st.just("reopen"), st.sampled_from(["consultation", "routes"])),
    st.tuples(st.just("session"), HOURS, st.sampled_from(["attend", "propose", "decide", "close"])),
    st.tuples(st.just("at"), st.sampled_from([-600, -1, 0, 1, 600])),
)


class Timed(World):
    """The World, with dated steps: each may be refused; none may leave a break of a time rule."""

    counter = itertools.count(1)

    def today(self, days: int = 0) -> str:
        return (local_today(self.clock.now(), "America/Mexico_City") + dt.timedelta(days=days)).isoformat()

    def key(self, prefix: str) -> str:
        return f"{prefix}{next(self.counter)}"

    def step_move(self, present):
        self.step_progress(present)

    def step_wait(self, hours):
        self.clock.advance(hours=hours)

    def step_input(self, channel, days):
        self("record_input", key=self.key("in"), channel=channel, text="Aportación", received_on=self.today(days))

    def step_channel(self, channel, announced, opens, closes, late):
        self("open_channel", key=channel, kind="online", name=f"Canal {channel}", online=True, accepts_late=late,
             announced_on=self.today(announced), opens_on=self.today(opens), closes_on=self.today(closes))

    def step_answer(self, n):
        inputs = [e["result"]["input"] for e in queries.history(self.db, self.slug)
                  if e["action"] == "record_input" and isinstance(e["result"], dict)]
        if inputs:
            self("answer_input", input=inputs[n % len(inputs)], disposition="merged", rationale="Se integra")

    def step_event(self, kind, days):
        self("hold_public_event", key=self.key("ev"), kind=kind, held_on=self.today(days), minutes_ref="m.pdf")

    def step_sensitization(self, days):
        self("record_sensitization_session", key=self.key("sen"), held_on=self.today(days),
             topics=["how_it_works"], sectors={"academia": 3})

    def step_declaration(self, days):
        self("sign_declaration", signed_on=self.today(days), document_ref="d.pdf",
             signatories=[{"name": "G", "role": "Ejecutivo", "sector": "government"}])

    def step_report(self, status, percent, days, with_reason):
        self("report_progress", actor="enlace", activity="a1", status=status, percent=percent,
             reported_on=self.today(days), evidence_ref="e.pdf", reason="Se corrigió la medición" if with_reason else "")

    def step_final(self, status):
        self("set_final_status", commitment="c1", status=status)

    def step_activity(self, days):
        key = self.key("act")
        self("plan_activity", key=key, commitment="c1", title="Otra actividad", deliverable="d", agency="igualdad",
             start_date=self.today(days), end_date=self.today(days + 30))
        self("accept_activity", actor="enlace", activity=key)

    def step_replan(self, days):
        self("plan_activity", key="a1", commitment="c1", title="Publicar", deliverable="Portal", agency="igualdad",
             start_date=self.today(days), end_date=self.today(days + 60))

    def step_session(self, hours, then):
        key = self.key("T")
        starts = self.clock.now() + dt.timedelta(hours=hours)
        self("convene_session", key=key, scheduled_for=starts.isoformat(), place="Sala", agenda=["Orden"])
        self("record_attendance", session=key, members=self.active_members())
        if then in ("propose", "decide"):
            d = self("propose_decision", session=key, kind="general", text="Acuerdo")["decision"]
            if then == "decide":
                self("decide", decision=d)
        if then == "close":
            self("close_session", session=key, minutes_ref="acta.pdf")

    def step_at(self, minutes):
        self("add_agency", key=self.key("ag"), name="Dependencia", at=self.clock.now() + dt.timedelta(minutes=minutes))


@settings(max_examples=40, deadline=None, derandomize=True, phases=[Phase.generate, Phase.shrink],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(start=st.sampled_from(["consultation", "consultation", "monitoring", "monitoring", *STAGE_NAMES]),
       steps=st.lists(STEP, min_size=1, max_size=16))
def test_random_dated_actions_never_break_a_rule_of_time(db, start, steps):
    wipe(db)
    world = Timed(db, FixedClock(dt.datetime(2026, 1, 15, 15, tzinfo=dt.timezone.utc)), start, QUORUMS[0])
    if start == "consultation":
        world.step_fill()  # its channels (open 4 February to 4 March) and a first input
    assert breaks(db, "p", world.clock.now()) == []
    for step in steps:
        kind, *args = step
        try:
            getattr(world, f"step_{kind}")(*args)
        except CocreaError:
            pass  # refused: World checked that nothing changed
        found = breaks(db, "p", world.clock.now())
        assert found == [], (step, found)
        world.check_audit()
    for code in world.refusals:
        event(f"refused: {code}")
    note(f"applied {dict(world.applied)}; refused {dict(world.refusals)}")


# --- what the property found: corrections that would leave a recorded fact out of its rule ----------

def test_a_channel_correction_keeps_its_inputs_inside_its_window(db, clock):
    from builders import complete_stage, process_at
    from snapshots import refused

    p = process_at(db, clock, "consultation")
    complete_stage(p, "consultation")  # input i1 received 18 February through "web" (open 4 February to 4 March)
    web = {"key": "web", "kind": "online", "name": "En línea", "online": True, "announced_on": "2026-01-21",
           "opens_on": "2026-02-04"}
    refused(db, lambda: p("open_channel", **web, closes_on="2026-02-10"), "input_inside_channel_window")
    p("open_channel", **web, closes_on="2026-02-10", accepts_late=True)  # it takes late inputs: i1 is now late
    assert breaks(db, "p", clock.now()) == []
    p("open_channel", **web, closes_on="2026-03-04")  # back inside its window: no longer late
    assert breaks(db, "p", clock.now()) == []


def test_progress_reported_after_the_final_status_keeps_them_in_agreement(db, clock):
    from builders import process_at
    from snapshots import refused

    p = process_at(db, clock, "monitoring")
    p.on("2026-10-01")
    p("report_progress", actor="enlace", activity="a1", status="completed", percent=100, reported_on="2026-10-01",
      evidence_ref="e.pdf")
    p("set_final_status", commitment="c1", status="fulfilled")
    refused(db, lambda: p("report_progress", actor="enlace", activity="a1", status="in_progress", percent=50,
                          reported_on="2026-10-01", evidence_ref="e.pdf", reason="Se revisó la medición"),
            "final_status_agrees_with_progress")
    assert breaks(db, "p", clock.now()) == []


def test_a_replanned_activity_still_starts_before_its_progress_reports(db, clock):
    from builders import process_at
    from snapshots import refused

    p = process_at(db, clock, "monitoring")
    p.on("2026-07-01")
    p("report_progress", actor="enlace", activity="a1", status="in_progress", percent=40, reported_on="2026-07-01",
      evidence_ref="e.pdf")
    p.move("reopen", target="routes", reason="Replantear la ruta")
    activity = {"key": "a1", "commitment": "c1", "title": "Publicar", "deliverable": "Portal", "agency": "igualdad",
                "end_date": "2026-11-30"}
    refused(db, lambda: p("plan_activity", **activity, start_date="2026-08-01"), "progress_after_activity_start")
    p("plan_activity", **activity, start_date="2026-06-15")
    assert breaks(db, "p", clock.now()) == []
