"""A process lived day by day with the injected clock: the reminders that reach people, and
when, match the rules; suspension, rescheduling and completion stop or move them."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from builders import process_at
from mailserver import mail_config, smtp_server, tick
from sqlmodel import Session, select

from storage.models import Activity, Agency

MX = ZoneInfo("America/Mexico_City")


@pytest.fixture
def smtp():
    with smtp_server() as server:
        yield server


def day_at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), MX)


def test_the_reminder_timeline_of_a_process(db, clock, smtp):
    host, port, server = smtp
    config = mail_config(host, port)
    p = process_at(db, clock, "routes")
    p("add_person", handle="ana", name="Ana (coordinación)", role="coordinator", email="ana@example.org")
    p("add_person", handle="enlace", name="Enlace Igualdad", role="liaison", agency="igualdad",
      email="enlace@example.org")
    for key, end in (("a1", "2026-03-31"), ("a2", "2026-04-20")):
        p("plan_activity", key=key, commitment="c1", title=f"Actividad {key}", deliverable="Entregable",
          agency="igualdad", start_date="2026-02-01", end_date=end)
        p("accept_activity", actor="enlace", activity=key)
    p("add_indicator", key="r1", commitment="c1", name="Brecha medida", kind="result")
    tick(db, clock, config)  # the notices of the sessions held so far
    server.messages.clear()

    received: list[tuple[str, str, str, str]] = []
    server.on_message = lambda m: received.append(
        (clock.now().astimezone(MX).date().isoformat(), m.message["X-Cocrea-Reminder"].split(".")[0],
         m.rcpt_tos[0].split("@")[0], m.message["X-Cocrea-Reminder"].split(".")[2]))
    def convene(key: str, day: str) -> None:
        p("convene_session", key=key, scheduled_for=day_at(dt.date.fromisoformat(day), 11).isoformat(),
          place="Sala", agenda=["Orden del día"])

    def meet(key: str, kind: str, **payload) -> None:
        clock.set(day_at(clock.now().astimezone(MX).date(), 11))
        p("record_attendance", session=key, members=p.members)
        p.decide(kind, session=key, **payload)

    events = {
        "2026-03-20": lambda: p("withdraw_sector", sector="civil_society", reason="Retiro por vigilancia ilegal"),
        # a secretariat session is convened the day before it meets (the worker's tick that day sends its notice)
        "2026-03-26": lambda: (p("return_sector", sector="civil_society", reason="Acuerdo de garantías"),
                               convene("R", "2026-03-27")),
        "2026-03-27": lambda: meet("R", "resume", reason="Regresa sociedad civil"),
        "2026-04-08": lambda: (p("plan_activity", key="a2", commitment="c1", title="Actividad a2",
                                 deliverable="Entregable", agency="igualdad", start_date="2026-02-01",
                                 end_date="2026-05-05"),
                               p("accept_activity", actor="enlace", activity="a2")),
        "2026-04-14": lambda: convene("M", "2026-04-15"),
        "2026-04-15": lambda: meet("M", "advance"),
        "2026-04-27": lambda: p("report_progress", actor="enlace", activity="a2", status="completed", percent=100,
                                reported_on="2026-04-27", evidence_ref="https://example.org/a2.pdf"),
    }
    day = dt.date(2026, 3, 10)
    while day <= dt.date(2026, 5, 10):
        clock.set(day_at(day))
        if day.isoformat() in events:
            events[day.isoformat()]()
        tick(db, clock, config)
        day += dt.timedelta(days=1)
    assert p.stage == "monitoring"

    # Subjects are named by row id ("activity-<id>", "agency-<id>"); ids depend on the database.
    with Session(db) as session:
        subject = {f"activity-{a.id}": a.key for a in session.exec(select(Activity))}
        subject.update({f"agency-{g.id}": f"agency:{g.key}" for g in session.exec(select(Agency))})
    liaison = [(d, k, subject.get(s, s)) for d, k, r, s in received if r == "enlace"]
    assert liaison == [
        ("2026-03-17", "activity_upcoming", "a1"),     # 14 days before 31 March
        # 24 March (7 days before) falls while the process is suspended: nothing is sent ...
        ("2026-03-27", "activity_upcoming", "a1"),     # ... until it resumes: the latest due point, once
        ("2026-03-30", "activity_upcoming", "a1"),     # 1 day before
        ("2026-03-31", "activity_due_today", "a1"),
        ("2026-04-01", "activity_overdue", "a1"),
        ("2026-04-06", "activity_upcoming", "a2"),     # 14 days before 20 April ...
        ("2026-04-07", "activity_overdue", "a1"),      # 7 days overdue
        ("2026-04-15", "progress_report_due", "agency:igualdad"),  # monitoring: the report due on the 15th
        ("2026-04-21", "activity_upcoming", "a2"),     # ... moved to 5 May on 8 April: 14 days before the new date
        # a2 is reported completed on 27 April: its remaining reminders (28 April ...) stop.
    ], liaison
    coordinator = [(d, k) for d, k, r, s in received if r == "ana"]
    assert coordinator == [
        ("2026-03-26", "session_notice"),               # the session convened to resume (while suspended)
        # Monday 23 March: suspended, no digest (a missed digest is not sent late)
        ("2026-03-30", "weekly_digest"),
        ("2026-04-06", "weekly_digest"),
        ("2026-04-07", "activity_escalation"),          # a1 overdue past 7 days
        ("2026-04-13", "weekly_digest"),
        ("2026-04-14", "session_notice"),               # the session that moves to monitoring, convened the day before
        ("2026-04-20", "weekly_digest"),
        ("2026-04-27", "weekly_digest"),
        ("2026-05-04", "weekly_digest"),
    ], coordinator
    members = sorted((d, k, r) for d, k, r, s in received if r in ("gob", "garante", "osc"))
    assert members == sorted((d, "session_notice", r) for d in ("2026-03-26", "2026-04-14")
                             for r in ("gob", "garante", "osc"))
    assert len(received) == len(liaison) + len(coordinator) + len(members)
    assert len({m.message_id for m in server.messages}) == len(server.messages)  # nothing twice
