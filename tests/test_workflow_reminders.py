"""configure_reminders (an audited action), the reminders commands, and the worker."""
from __future__ import annotations

import datetime as dt
import email
import json
import threading
import time
from email.policy import default

from alembic import command
from builders import process_at
from click.testing import CliRunner
from mailserver import mail_config, smtp_server
from sqlalchemy import delete
from sqlmodel import Session, select

import migrations
from cli.main import main
from cli.reminders import kind_title
from notifications.worker import Worker
from reads import status as queries
from stages.errors import InvalidInput, NotAllowed, NotFound
from storage.outbox import OutboxMessage

MX = dt.timezone(dt.timedelta(hours=-6))


def in_routes(db, clock):
    p = process_at(db, clock, "routes")
    p("add_person", handle="enlace", name="Enlace Igualdad", role="liaison", agency="igualdad",
      email="enlace@example.org")
    p("plan_activity", key="a1", commitment="c1", title="Publicar tabuladores", deliverable="Portal",
      agency="igualdad", start_date="2026-02-01", end_date="2026-03-31")
    with db.begin() as conn:  # the notices of the sessions that built the process are not under test here
        conn.execute(delete(OutboxMessage.__table__))
    return p


def test_configure_reminders_is_an_audited_coordinator_action(db, clock):
    p = in_routes(db, clock)
    result = p("configure_reminders", activity_before_days=[10, 3, 10], off=["weekly_digest"], muted=["gob"])
    assert result["reminders"] == {"activity_before_days": [10, 3], "off": ["weekly_digest"], "muted": ["gob"]}
    last = queries.history(db, p.slug)[-1]
    assert (last["action"], last["actor"], last["payload"]["activity_before_days"]) == (
        "configure_reminders", "coord", [10, 3, 10])
    from reads import reminders as rem
    plan = rem.plan(db, p.slug, dt.datetime(2026, 3, 21, 10, tzinfo=MX))
    due = [(r["kind"], r["due_on"]) for r in plan["reminders"] if r["status"] == "due"]
    assert due == [("activity_upcoming", "2026-03-21")]                     # 10 days before, no longer 14
    assert plan["changed"] == ["activity_before_days", "muted", "off"]

    assert isinstance(p.refused("configure_reminders", actor="gob", send_hour=8), NotAllowed)
    bad = p.refused("configure_reminders", activity_before_days=[-1])
    assert isinstance(bad, InvalidInput) and bad.codes == ["invalid_field"]
    assert isinstance(p.refused("configure_reminders", off=["no_such_kind"]), InvalidInput)
    assert isinstance(p.refused("configure_reminders", muted=["nadie"]), NotFound)
    assert p("configure_reminders", reset=True)["reminders"]["activity_before_days"] == [14, 7, 1]


def test_plan_send_and_status_commands_write_eml_files_without_smtp(sqlite_db, clock, tmp_path):
    p = in_routes(sqlite_db, clock)
    command.stamp(migrations.config(sqlite_db), "head")
    runner = CliRunner()
    env = {"COCREA_SMTP_HOST": "", "COCREA_OUTBOX_DIR": str(tmp_path / "outbox"), "COCREA_CONFIG": ""}
    url = str(sqlite_db.url)

    out = runner.invoke(main, ["--db", url, "reminders", "plan", p.slug, "--at", "2026-03-24T10:00-06:00"], env=env)
    assert out.exit_code == 0, out.output
    rows = [line for line in out.output.splitlines() if line[:1] in "→·✓"]
    upcoming = kind_title("activity_upcoming", "es")

    def row(day: str) -> str:
        return next(line for line in rows if line[2:12] == day and f"  {upcoming} " in line)

    assert row("2026-03-24").startswith("→ ") and row("2026-03-24").endswith("  se envía ahora")
    assert "  sustituido" in row("2026-03-17")
    assert row("2026-03-30").endswith("  aún no toca: 2026-03-30T09:00-06:00")
    assert "activity_upcoming" not in out.output and "not_yet_due" not in out.output  # kinds and statuses in words
    en = runner.invoke(main, ["--db", url, "--lang", "en", "reminders", "plan", p.slug, "--at",
                              "2026-03-24T10:00-06:00", "--json"], env=env)
    statuses = {(r["kind"], r["due_on"], r["recipient"]): r for r in json.loads(en.output)["reminders"]}
    assert statuses[("activity_escalation", "2026-04-07", "coord")]["why"] == "the person has no email address"

    sent = runner.invoke(main, ["--db", url, "reminders", "send", "--at", "2026-03-24T10:00-06:00", "--json"], env=env)
    assert sent.exit_code == 0, sent.output
    result = json.loads(sent.output)
    assert result["sent"] == 1 and result["transport"].startswith(".eml → ")
    (eml,) = (tmp_path / "outbox").iterdir()
    msg = email.message_from_bytes(eml.read_bytes(), policy=default)
    assert msg["To"] == "Enlace Igualdad <enlace@example.org>" and eml.name == f"{msg['X-Cocrea-Reminder']}.eml"
    again = json.loads(runner.invoke(main, ["--db", url, "reminders", "send", "--at", "2026-03-24T11:00-06:00",
                                            "--json"], env=env).output)
    assert again["sent"] == 0 and len(list((tmp_path / "outbox").iterdir())) == 1

    after = runner.invoke(main, ["--db", url, "reminders", "plan", p.slug, "--at", "2026-03-24T12:00-06:00"], env=env)
    assert "  ya enviado (2026-03-24T16:00+00:00)" in after.output
    status = runner.invoke(main, ["--db", url, "reminders", "status", p.slug], env=env)
    assert f"  {upcoming}: 1 enviado" in status.output


def test_worker_ticks_with_apscheduler_and_a_restarted_worker_catches_up(sqlite_db, clock):
    p = in_routes(sqlite_db, clock)
    p("add_person", handle="ana", name="Ana", role="coordinator", email="ana@example.org")
    with smtp_server() as (host, port, server):
        config = mail_config(host, port)

        def run_until(count: int) -> None:
            stop = threading.Event()
            worker = Worker(sqlite_db, config, clock=clock, every=0.05)
            thread = threading.Thread(target=worker.run, kwargs={"stop": stop})
            thread.start()
            deadline = time.monotonic() + 30
            while len(server.messages) < count and time.monotonic() < deadline:
                time.sleep(0.02)
            stop.set()
            thread.join(timeout=30)
            assert not thread.is_alive() and worker.ticks >= 1

        clock.set(dt.datetime(2026, 3, 17, 10, tzinfo=MX))   # 14 days before 31 March
        run_until(1)
        assert [m.message["X-Cocrea-Reminder"].split(".")[0] for m in server.messages] == ["activity_upcoming"]

        # Down from 17 March to 8 April: 7 days before, 1 day before, the day, overdue +1, +7 and the
        # escalation all came due meanwhile. The restarted worker sends the latest of each series.
        clock.set(dt.datetime(2026, 4, 8, 10, tzinfo=MX))
        run_until(3)
        time.sleep(0.2)
    late = sorted((m.message["X-Cocrea-Reminder"].split(".")[0], m.rcpt_tos[0]) for m in server.messages[1:])
    assert late == [("activity_escalation", "ana@example.org"), ("activity_overdue", "enlace@example.org")]
    assert "hace 8 días" in str(server.messages[1].message["Subject"]) + str(server.messages[2].message["Subject"])
    with Session(sqlite_db) as s:
        left = {(r.kind, r.status, (r.last_error or "").split(":")[0]) for r in s.exec(select(OutboxMessage))
                if r.status != "sent"}
    # Ana was added in February, when the builder's sessions were over: nothing was left to cancel
    assert left == set()


def test_worker_once_from_the_command_line(sqlite_db, clock, tmp_path):
    in_routes(sqlite_db, clock)
    command.stamp(migrations.config(sqlite_db), "head")
    env = {"COCREA_SMTP_HOST": "", "COCREA_OUTBOX_DIR": str(tmp_path / "outbox"), "COCREA_CONFIG": ""}
    out = CliRunner().invoke(main, ["--db", str(sqlite_db.url), "worker", "--once"], env=env)
    assert out.exit_code == 0, out.output
    assert json.loads(out.output.strip().splitlines()[-1])["claimed"] >= 0
    bad = CliRunner().invoke(main, ["--db", str(sqlite_db.url), "worker", "--once"],
                             env={**env, "COCREA_SMTP_HOST": "h", "COCREA_SMTP_SECURITY": "ssl3"})
    assert bad.exit_code == 5 and "security" in bad.output


def test_nothing_is_sent_for_a_closed_process(sqlite_db, clock):
    from reads import reminders as rem

    p = process_at(sqlite_db, clock, "closed")
    plan = rem.plan(sqlite_db, p.slug, clock.now() + dt.timedelta(days=400))
    assert plan["reminders"] and not [r for r in plan["reminders"] if r["status"] == "due"]
    assert {r["why"] for r in plan["reminders"] if r["status"] not in ("sent", "pending", "cancelled")} == {
        "el proceso está cerrado"}


def _queued(db) -> list[str]:
    with Session(db) as s:
        return sorted(r.kind for r in s.exec(select(OutboxMessage)))


def test_an_action_queues_only_the_reminders_of_what_it_touched_and_the_sweep_the_rest(db, clock):
    from notifications import outbox

    p = in_routes(db, clock)
    clock.set(dt.datetime(2026, 3, 24, 10, tzinfo=MX))  # a1 ends 31 March: 7 days before is due
    p("add_indicator", key="ind1", commitment="c1", name="Tabuladores publicados", kind="result")
    assert _queued(db) == []  # an indicator makes no reminder due; time did, and time is the sweep's
    assert outbox.sweep(db, clock.now()).added == 1 and _queued(db) == ["activity_upcoming"]
    clock.set(dt.datetime(2026, 3, 30, 10, tzinfo=MX))  # 1 day before
    p("plan_activity", key="a1", commitment="c1", title="Publicar tabuladores", deliverable="Portal y acta",
      agency="igualdad", start_date="2026-02-01", end_date="2026-03-31")
    assert _queued(db) == ["activity_upcoming"] * 2  # the activity's own reminders, at once
    assert outbox.sweep(db, clock.now()).added == 0  # nothing twice


def test_an_activity_action_queues_the_reminders_of_that_activity_only(db, clock):
    from notifications import outbox

    p = in_routes(db, clock)
    p("plan_activity", key="a2", commitment="c1", title="Publicar padrones", deliverable="Portal",
      agency="igualdad", start_date="2026-02-01", end_date="2026-03-31")
    with db.begin() as conn:
        conn.execute(delete(OutboxMessage.__table__))
    clock.set(dt.datetime(2026, 3, 24, 10, tzinfo=MX))  # a1 and a2 end 31 March: 7 days before is due for both
    p("accept_activity", actor="enlace", activity="a2")
    with Session(db) as s:
        queued = sorted(r.key.split(".")[2] for r in s.exec(select(OutboxMessage)))
    assert len(queued) == 1 and queued[0].startswith("activity-")  # a2's, not a1's
    assert outbox.sweep(db, clock.now()).added == 1 and len(_queued(db)) == 2  # a1's: the sweep's


def test_a_move_queues_the_reminders_of_the_rules_it_starts_and_the_sweep_the_rest(db, clock):
    from builders import complete_stage

    from notifications import outbox

    p = process_at(db, clock, "routes")
    complete_stage(p, "routes")
    with db.begin() as conn:
        conn.execute(delete(OutboxMessage.__table__))
    ends = dt.date.fromisoformat(str(p.d("2026-09-30")))  # a1's end: 7 days before, its reminder is due, by time
    clock.set(dt.datetime.combine(ends - dt.timedelta(days=7), dt.time(10), MX))
    p.move("advance")  # to monitoring: the activities' reminders applied before the move as after it
    assert "activity_upcoming" not in _queued(db)
    outbox.sweep(db, clock.now())
    assert "activity_upcoming" in _queued(db)


def test_generated_keys_do_not_depend_on_the_number_of_rows(db, clock):
    p = process_at(db, clock, "consultation")
    p.on("2026-01-21")
    p("open_channel", key="c9", kind="online", name="En línea", online=True, announced_on="2026-01-20",
      opens_on="2026-01-20", closes_on="2026-03-01")
    first = p("record_input", channel="c9", text="Una", received_on="2026-01-21")["input"]
    p("record_input", key=f"i{int(first[1:]) + 1}", channel="c9", text="Con clave propia", received_on="2026-01-21")
    third = p("record_input", channel="c9", text="Otra", received_on="2026-01-21")["input"]
    assert int(third[1:]) == int(first[1:]) + 2  # the key given by hand is skipped, not reused


def _progress_due_keys(db) -> list[str]:
    with Session(db) as s:
        return sorted(r.key for r in s.exec(select(OutboxMessage)) if r.kind == "progress_report_due")


def test_a_progress_report_queues_the_agency_reminder_it_makes_due_and_the_sweep_the_one_its_peers_do(db, clock):
    """Issue 9: a progress report re-plans only its activity (its cost does not grow with the agency's
    other activities). The agency's report reminder due because another activity is unreported is
    due by the calendar: the sweep stores it, once; the one the report itself makes due (an activity
    reopened with its last report before the period began) the report stores at once, once."""
    from builders import complete_stage

    from notifications import outbox

    p = process_at(db, clock, "routes")
    p("plan_activity", key="a2", commitment="c1", title="Publicar padrones", deliverable="Portal",
      agency="igualdad", start_date=p.d("2026-06-01"), end_date=p.d("2026-11-30"))
    complete_stage(p, "routes")  # a1 too (1 June to 30 September), both of igualdad, accepted
    p("accept_activity", actor="enlace", activity="a2")
    p.move("advance")  # to monitoring: monthly progress reports due on the 15th, reminders 3 days before
    report = {"actor": "enlace", "evidence_ref": "avance.pdf"}
    p.on(p.d("2026-06-10"))
    p("report_progress", activity="a2", status="completed", percent=100, reported_on=p.d("2026-06-10"), **report)
    p.on(p.d("2026-07-12"))  # the report due 15 July (the period began 15 June): its reminder is due
    with db.begin() as conn:
        conn.execute(delete(OutboxMessage.__table__))
    # a1 unreported since the period began: the agency's reminder is due; a report of a1 does not make it due
    p("report_progress", activity="a1", status="in_progress", percent=40, reported_on=p.d("2026-07-12"), **report)
    assert _progress_due_keys(db) == []  # a1 reported, a2 completed: the agency has nothing left to report
    # a2 reopened: its last report (10 June) is before the period began: the report makes the reminder due
    p("report_progress", activity="a2", status="in_progress", percent=90, reported_on=p.d("2026-06-10"),
      reason="Se reabre: falta publicar el padrón de julio", **report)
    queued = _progress_due_keys(db)
    assert len(queued) == 1 and ".agency-" in queued[0]  # at once, by the action
    assert outbox.sweep(db, clock.now()).added == 0 and _progress_due_keys(db) == queued  # not twice

    p.on(p.d("2026-08-12"))  # the report due 15 August (the period began 15 July): a2 unreported since
    with db.begin() as conn:
        conn.execute(delete(OutboxMessage.__table__))
    p("report_progress", activity="a1", status="in_progress", percent=60, reported_on=p.d("2026-08-12"), **report)
    assert _progress_due_keys(db) == []  # due because of a2, by the calendar: not this report's
    assert outbox.sweep(db, clock.now()).added >= 1
    queued = _progress_due_keys(db)
    assert len(queued) == 1 and ".agency-" in queued[0] and p.d("2026-08-12").replace("-", "") in queued[0]
    assert outbox.sweep(db, clock.now()).added == 0 and _progress_due_keys(db) == queued  # once
