"""The planner plans exactly what it planned before its due-only fast path (issue 9).

``tests/planner_before.py`` is the planner of main 836d3ff, verbatim. On generated processes
(stages, suspensions, settings, people with and without email, muted, activities with and
without dates, completed or not, progress reports, sessions held, closed, witnessed, channels)
and generated moments, both must return the same reminders, field by field and in the same
order: keys, recipients, labels, due dates and instants, series, and the same template fields;
``plan`` (every point, with its reason) the same too; and the same with ``anchors`` and
``activities`` scoping, as actions call it. On the database: the sweep's read plans exactly what
every row plans, and an action's read of the activities it touched plans a part of it that holds
every reminder of those activities.
"""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace as NS

from hypothesis import HealthCheck, given, settings, strategies as st

import planner_before as before
from notifications import planner as now_planner
from stages import Records
from stages.reminders import ANCHORS, RULES

MX = dt.timezone(dt.timedelta(hours=-6))
BASE = dt.date(2026, 1, 15)
STAGES = ["declaration", "consultation", "routes", "monitoring", "monitoring", "routes", "commitments", "suspended",
          "closed"]
FIELDS = ("key", "kind", "series", "process_id", "subject", "label", "due_on", "due_at", "person_id", "handle",
          "email", "lang", "status", "details")


def day(n: int) -> dt.date:
    return BASE + dt.timedelta(days=n)


def moment(n: int, hour: int) -> dt.datetime:
    return dt.datetime.combine(day(n), dt.time(hour), MX)


days = st.lists(st.integers(0, 40), min_size=1, max_size=3) | st.just([])
offsets = st.fixed_dictionaries({}, optional={
    "send_hour": st.integers(0, 23), "activity_before_days": days, "activity_on_day": st.booleans(),
    "activity_overdue_days": days, "escalation_after_days": days, "session_before_days": days,
    "minutes_after_days": days, "consultation_before_days": days, "term_before_days": days,
    "progress_every_months": st.integers(0, 3), "progress_before_days": days,
    "digest_weekday": st.one_of(st.none(), st.integers(0, 6)), "digest_horizon_days": st.integers(1, 30),
    "off": st.lists(st.sampled_from([r.kind for r in RULES]), max_size=2),
    "muted": st.lists(st.sampled_from(["p1", "p2", "p3", "p4"]), max_size=2)})


@st.composite
def processes(draw) -> tuple[Records, dt.datetime]:
    stage = draw(st.sampled_from(STAGES))
    process = NS(id=1, slug="p", name="Proceso", stage=stage,
                 suspended_from=draw(st.sampled_from(["routes", "monitoring", "consultation"])) if stage == "suspended"
                 else None, timezone="America/Mexico_City", starts_on=BASE, term_months=draw(st.integers(1, 12)),
                 settings={"reminders": draw(offsets)}, created_at=moment(draw(st.integers(0, 30)), 10))
    agencies = [NS(id=10 + i, key=f"ag{i}", name=f"Agencia {i}") for i in range(3)]
    commitments = [NS(id=30 + i, key=f"c{i}", title=f"Compromiso {i}") for i in range(2)]
    people = []
    for i in range(draw(st.integers(0, 8))):
        role = draw(st.sampled_from(["coordinator", "member", "liaison", "observer"]))
        people.append(NS(id=i + 1, handle=f"p{i}", name=f"Persona {i}", role=role,
                         email=draw(st.sampled_from([f"p{i}@example.org"] * 4 + [None, ""])),
                         lang=draw(st.sampled_from(["es", "en", None])),
                         agency_id=draw(st.sampled_from([10, 11, 12, None])) if role == "liaison" else None,
                         sector=draw(st.sampled_from([None, "government"])),
                         active=draw(st.sampled_from([True, True, True, False]))))
    activities = []
    for i in range(draw(st.integers(0, 12))):
        start = draw(st.one_of(st.none(), st.integers(0, 200)))
        activities.append(NS(id=100 + i, key=f"a{i}", title=f"Actividad {i}", deliverable="Portal",
                             agency_id=draw(st.sampled_from([10, 11, 12, None])), commitment_id=draw(
                                 st.sampled_from([30, 31, None])),
                             start_date=day(start) if start is not None else None,
                             end_date=draw(st.one_of(st.none(), st.integers(0, 300).map(day))),
                             status=draw(st.sampled_from(["in_progress", "not_started", "completed", "late"])),
                             percent=10, accepted_at=None))
    reports = [NS(activity_id=a.id, reported_on=draw(st.integers(0, 300).map(day)))
               for a in activities if draw(st.booleans())]
    sessions = []
    for i in range(draw(st.integers(0, 3))):
        held = draw(st.integers(0, 300))
        closed = draw(st.one_of(st.none(), st.integers(0, 5)))
        closed_at = moment(held + closed, draw(st.integers(0, 23))) if closed is not None else None
        sessions.append(NS(id=200 + i, key=f"S{i}", scheduled_for=moment(held, 11), place="Sala", agenda=["x"],
                           extraordinary=False, justification=None, closed_at=closed_at,
                           minutes_ref=draw(st.sampled_from([None, "minuta.pdf"])), minutes_published_at=None,
                           closed_seq=7 if closed_at else None,
                           closed_head=draw(st.sampled_from([None, "abc123"])) if closed_at else None))
    channels = [NS(id=300 + i, key=f"ch{i}", name=f"Canal {i}", kind="online", opens_on=None,
                   closes_on=draw(st.one_of(st.none(), st.integers(0, 300).map(day))))
                for i in range(draw(st.integers(0, 2)))]
    inputs = [NS(id=i, channel_id=c.id) for i, c in enumerate(channels)]
    when = moment(draw(st.integers(-5, 330)), draw(st.integers(0, 23)))
    return Records(process=process, people=people, agencies=agencies, commitments=commitments, activities=activities,
                   progress_reports=reports, sessions=sessions, channels=channels, inputs=inputs), when


def shown(planned: list, contexts: bool = True) -> list:
    return [(tuple(getattr(p, f) for f in FIELDS), p.template_context() if contexts else None) for p in planned]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(processes(), st.one_of(st.none(), st.sets(st.sampled_from(sorted(ANCHORS)), min_size=1)),
       st.one_of(st.none(), st.sets(st.integers(100, 111))))
def test_the_planner_plans_what_it_planned_before(case, anchors, only):
    records, when = case
    anchors = frozenset(anchors) if anchors is not None else None
    only = frozenset(only) if only is not None else None
    new = now_planner.due_reminders(records, when, contexts=False, anchors=anchors, activities=only)
    old = before.due_reminders(records, when, contexts=False, anchors=anchors, activities=only)
    assert shown(new) == shown(old)
    assert len({p.key for p in new}) == len(new)  # no key twice
    if anchors is None and only is None:
        assert shown(now_planner.plan(records, when)) == shown(before.plan(records, when))


def _generated_process(db, clock) -> int:
    """A process in monitoring with 5 agencies, 300 generated activities (agency, dates, status)
    and 120 progress reports; its id."""
    import random

    from builders import complete_stage, process_at
    from sqlalchemy import insert, select as core_select

    from storage import models as m

    p = process_at(db, clock, "routes")
    complete_stage(p, "routes")
    p.move("advance")  # to monitoring: every activity rule and the progress reports apply
    for n in range(2, 6):
        p("add_agency", key=f"ag{n}", name=f"Secretaría {n}")
        p("add_person", handle=f"enlace{n}", name=f"Enlace {n}", role="liaison", agency=f"ag{n}",
          email=f"e{n}@example.org")
    rng = random.Random(9)
    with db.begin() as conn:
        pid = conn.execute(core_select(m.Process.id)).scalar_one()
        agencies = list(conn.execute(core_select(m.Agency.id)).scalars()) + [None]
        commitment = conn.execute(core_select(m.Commitment.id)).scalars().first()
        conn.execute(insert(m.Activity.__table__), [
            {"process_id": pid, "key": f"g{n}", "commitment_id": commitment, "title": f"Actividad {n}",
             "deliverable": "Portal", "agency_id": rng.choice(agencies),
             "start_date": rng.choice([None, day(rng.randrange(300))]),
             "end_date": rng.choice([None, day(rng.randrange(400))]),
             "status": rng.choice(["in_progress", "not_started", "completed", "late"]), "percent": 10}
            for n in range(300)])
        ids = list(conn.execute(core_select(m.Activity.id)).scalars())
        conn.execute(insert(m.ProgressReport.__table__), [
            {"process_id": pid, "activity_id": rng.choice(ids), "reported_on": day(rng.randrange(400)),
             "status": "in_progress", "percent": 20, "reported_by": "enlace", "recorded_at": clock.now()}
            for _ in range(120)])
    return pid


def test_the_sweep_reads_only_what_can_be_due_and_plans_the_same(db, clock):
    """``snapshot.load(..., due=now)`` (the sweep's and the actions' read: the open activities ending
    within the rules' window, one open activity per (agency, start date, last report) for the
    progress reports) plans exactly the due reminders of the whole records, at every moment."""
    from sqlalchemy import update
    from sqlmodel import Session

    from notifications import snapshot
    from storage import models as m

    pid = _generated_process(db, clock)

    def compare(when: dt.datetime) -> int:
        with Session(db) as s:
            proc = s.get(m.Process, pid)
            records = snapshot.load(s, proc)
            whole = now_planner.due_reminders(records, when, contexts=False)
            windowed = snapshot.load(s, proc, inputs=False, due=when)
            assert len(windowed.activities) < len(records.activities)  # it reads less
            assert shown(now_planner.due_reminders(windowed, when, contexts=False), False) == shown(whole, False)
        return len(whole)

    assert sum(compare(moment(n, hour)) for n in range(0, 400, 7) for hour in (8, 10)) > 100
    for reminders in ({"digest_weekday": None},  # the activities' own window, not the digest's horizon
                      {"activity_before_days": [], "activity_on_day": False, "digest_weekday": None,
                       "progress_every_months": 2, "progress_before_days": [5]}):  # overdue, reports
        with db.begin() as conn:
            conn.execute(update(m.Process.__table__).values(settings={"reminders": reminders}))
        assert sum(compare(moment(n, 10)) for n in range(0, 400, 3)) > 0


def test_an_action_on_activities_stores_a_part_of_what_is_due_and_all_of_theirs(db, clock):
    """What an action on some activities plans (``snapshot.load(..., activities=ids)``: those
    activities alone, not their agencies' other ones; issue 9) is due in the whole records (the
    sender, which re-plans the whole process, sends it), and holds every reminder of those
    activities themselves; the rest (an agency's report due because of its other activities) is
    the sweep's, which plans exactly the whole records' (the test above)."""
    import random

    from sqlalchemy import select as core_select
    from sqlmodel import Session

    from notifications import snapshot
    from storage import models as m

    pid = _generated_process(db, clock)
    rng = random.Random(11)
    anchors = frozenset({"activity_end", "progress_due"})  # what an action on activities plans
    with Session(db) as s:
        ids = list(s.execute(core_select(m.Activity.id).where(m.Activity.process_id == pid)).scalars())
        proc = s.get(m.Process, pid)
        whole_records = snapshot.load(s, proc)
        scoped_total = agency_total = 0
        for n in range(0, 400, 5):
            when = moment(n, rng.choice((8, 10)))
            whole = {p.key: p for p in now_planner.due_reminders(whole_records, when, contexts=False,
                                                                 anchors=anchors)}
            for _ in range(3):
                touched = frozenset(rng.sample(ids, rng.choice((1, 2, 5))))
                records = snapshot.load(s, proc, anchors, inputs=False, activities=touched, due=when)
                assert {a.id for a in records.activities} == touched  # nothing that grows with the agency
                scoped = now_planner.due_reminders(records, when, contexts=False, anchors=anchors,
                                                   activities=touched)
                keys = {p.key for p in scoped}
                assert len(keys) == len(scoped) and keys <= set(whole)  # due: nothing the sender drops
                for p in scoped:
                    assert shown([p], False) == shown([whole[p.key]], False)
                own = {k for k, p in whole.items() if p.subject in {f"activity-{i}" for i in touched}}
                assert own <= keys  # the touched activities' own reminders, at once
                scoped_total += len(keys)
                agency_total += sum(1 for p in scoped if p.subject.startswith("agency-"))
        assert scoped_total > 20 and agency_total > 0
