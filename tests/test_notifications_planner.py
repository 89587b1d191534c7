"""The planner as a pure function: hand-built records, a clock given as data."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace as NS

import pytest

from notifications.planner import due_reminders, plan
from stages import Records
from stages.errors import SpecError
from stages.reminders import DEFAULT_SETTINGS, RULES, effective_settings, validate_rules

MX = dt.timezone(dt.timedelta(hours=-6))  # America/Mexico_City has no DST since 2022


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=MX)


def records(stage: str = "monitoring", settings: dict | None = None, **extra) -> Records:
    process = NS(id=1, slug="p", name="Proceso", stage=stage, suspended_from=None, timezone="America/Mexico_City",
                 starts_on=dt.date(2026, 1, 15), term_months=12, settings={"reminders": settings or {}},
                 created_at=at("2026-01-15"))
    people = [
        NS(id=1, handle="coord", name="Coordinación", role="coordinator", email="coord@example.org", lang="es",
           agency_id=None, sector=None, active=True),
        NS(id=2, handle="gob", name="Gobierno", role="member", email="gob@example.org", lang="en",
           agency_id=None, sector="government", active=True),
        NS(id=3, handle="enlace", name="Enlace", role="liaison", email="enlace@example.org", lang="es",
           agency_id=10, sector=None, active=True),
        NS(id=4, handle="sin-correo", name="Sin correo", role="liaison", email=None, lang="es",
           agency_id=10, sector=None, active=True),
        NS(id=5, handle="baja", name="Dado de baja", role="liaison", email="baja@example.org", lang="es",
           agency_id=10, sector=None, active=False),
    ]
    activity = NS(id=20, key="a1", title="Publicar tabuladores", deliverable="Portal", agency_id=10, commitment_id=30,
                  start_date=dt.date(2026, 6, 1), end_date=dt.date(2026, 9, 30), status="in_progress", percent=40,
                  accepted_at=at("2026-05-01"))
    base = dict(people=people, agencies=[NS(id=10, key="igualdad", name="Secretaría de Igualdad")],
                commitments=[NS(id=30, key="c1", title="Tabuladores abiertos")], activities=[activity])
    base.update(extra)
    return Records(process=process, **base)


def due(r: Records, when: dt.datetime) -> list[tuple[str, str, str]]:
    return sorted((p.kind, p.handle, p.due_on.isoformat()) for p in due_reminders(r, when))


def test_rules_are_data_with_defaults_and_validated():
    validate_rules(("routes", "monitoring", "consultation", "declaration", "sensitization", "planning", "causes",
                    "commitments"))
    with pytest.raises(SpecError, match="unknown stages"):
        validate_rules(("declaration",))
    assert {r.kind for r in RULES} >= {"activity_upcoming", "activity_due_today", "activity_overdue",
                                       "activity_escalation", "weekly_digest", "session_notice", "minutes_pending",
                                       "consultation_closing", "term_end", "progress_report_due"}
    assert effective_settings({"reminders": {"activity_before_days": [3], "unknown": 1}})["activity_before_days"] == [3]
    assert DEFAULT_SETTINGS["activity_before_days"] == [14, 7, 1] and DEFAULT_SETTINGS["escalation_after_days"] == [7]


@pytest.mark.parametrize("day, hour, expected", [
    ("2026-09-15", 10, []),                                                  # 15 days before: nothing
    ("2026-09-16", 8, []),                                                   # the day, before the send hour
    ("2026-09-16", 9, [("activity_upcoming", "enlace", "2026-09-16")]),      # 14 days before, from 09:00
    ("2026-09-23", 10, [("activity_upcoming", "enlace", "2026-09-23")]),     # 7
    ("2026-09-29", 10, [("activity_upcoming", "enlace", "2026-09-29")]),     # 1
    ("2026-09-30", 10, [("activity_due_today", "enlace", "2026-09-30")]),    # on the day
    ("2026-10-01", 10, [("activity_overdue", "enlace", "2026-10-01")]),      # 1 after
    ("2026-10-07", 10, [("activity_escalation", "coord", "2026-10-07"),      # 7 after: liaison and escalation
                        ("activity_overdue", "enlace", "2026-10-07")]),
])
def test_activity_reminders_follow_the_default_offsets(day, hour, expected):
    r = records(progress_reports=[NS(activity_id=20, reported_on=dt.date(2026, 12, 1))])
    found = [d for d in due(r, at(day, hour)) if d[0] != "weekly_digest" and d[0] != "progress_report_due"]
    assert found == expected


def test_only_the_latest_point_of_a_series_is_due_and_why_the_others_are_not():
    r = records()
    # A worker down from 20 September to 2 October catches up with one overdue notice, not five.
    when = at("2026-10-02")
    assert [d for d in due(r, when) if d[0].startswith("activity")] == [("activity_overdue", "enlace", "2026-10-01")]
    by_key = {(p.kind, p.due_on.isoformat(), p.handle): p for p in plan(r, when)}
    assert by_key[("activity_upcoming", "2026-09-23", "enlace")].status == "superseded"
    assert by_key[("activity_overdue", "2026-10-07", "enlace")].status == "not_yet_due"
    assert by_key[("activity_overdue", "2026-10-01", "sin-correo")].status == "no_email"
    assert "baja" not in {p.handle for p in plan(r, when)}  # people who left get nothing
    reason = by_key[("activity_overdue", "2026-10-07", "enlace")].reason
    assert reason.code == "not_yet_due" and "2026-10-07T09:00" in reason.message("es")


def test_an_advance_notice_is_not_sent_after_its_date():
    r = records(settings={"activity_overdue_days": [], "activity_on_day": False})
    points = {p.due_on.isoformat(): p.status for p in plan(r, at("2026-10-02")) if p.handle == "enlace"
              and p.kind.startswith("activity")}
    assert points["2026-09-29"] == "date_passed"
    assert not [d for d in due(r, at("2026-10-02")) if d[0].startswith("activity")]


def test_completion_suspension_closing_and_stage_stop_reminders():
    when = at("2026-09-23")
    done = records(activities=[NS(**{**vars(records().activities[0]), "status": "completed"})])
    assert {p.status for p in plan(done, when) if p.kind == "activity_upcoming"} == {"activity_completed"}
    suspended = records(stage="suspended")
    suspended.process.suspended_from = "monitoring"
    assert {p.status for p in plan(suspended, when) if p.kind == "activity_upcoming"} == {"suspended_process"}
    assert {p.status for p in plan(records(stage="closed"), when)} == {"closed_process"}
    planning = records(stage="planning")
    assert {p.reason.message("en") for p in plan(planning, when) if p.kind == "activity_upcoming"} == {
        "does not apply in the stage 'Planning the working tables'"}
    assert {p.reason.message("es") for p in plan(planning, when) if p.kind == "activity_upcoming"} == {
        "no aplica en la etapa «Planeación de los trabajos»"}


def test_settings_change_offsets_switch_kinds_off_and_mute_people():
    r = records(settings={"activity_before_days": [10], "off": ["activity_escalation"], "muted": ["enlace"]})
    statuses = {(p.kind, p.due_on.isoformat(), p.handle): p.status for p in plan(r, at("2026-10-07"))}
    assert ("activity_upcoming", "2026-09-20", "enlace") in statuses
    assert ("activity_upcoming", "2026-09-16", "enlace") not in statuses
    assert statuses[("activity_escalation", "2026-10-07", "coord")] == "kind_off"
    assert statuses[("activity_overdue", "2026-10-07", "enlace")] == "muted"


def test_session_notice_three_days_before_with_the_agenda_even_while_suspended():
    session = NS(id=7, key="S7", scheduled_for=at("2026-03-10", 11), place="Sala de cabildo",
                 agenda=["Instalación", "Reglas"], extraordinary=False, justification=None, closed_at=None,
                 minutes_ref=None, minutes_published_at=None)
    r = records(stage="suspended", sessions=[session])
    r.process.suspended_from = "consultation"
    assert [d for d in due(r, at("2026-03-06")) if d[0] == "session_notice"] == []
    found = [p for p in due_reminders(r, at("2026-03-07")) if p.kind == "session_notice"]
    assert sorted(p.handle for p in found) == ["coord", "gob"]
    ctx = found[0].context
    assert ctx["session"]["agenda"] == ["Instalación", "Reglas"] and ctx["session"]["time"] == "11:00"
    assert ctx["session"]["utc_offset"] == "UTC−06:00" and ctx["days_left"] == 3
    session.closed_at = at("2026-03-10", 14)
    assert {p.status for p in plan(r, at("2026-03-08")) if p.kind == "session_notice"} == {"session_held"}


def test_minutes_pending_until_published():
    session = NS(id=7, key="S7", scheduled_for=at("2026-03-10", 11), place="Sala", agenda=["x"], extraordinary=False,
                 justification=None, closed_at=at("2026-03-10", 14), minutes_ref=None, minutes_published_at=None)
    r = records(sessions=[session])
    assert [d for d in due(r, at("2026-03-17")) if d[0] == "minutes_pending"] == [
        ("minutes_pending", "coord", "2026-03-17"), ("minutes_pending", "gob", "2026-03-17")]
    session.minutes_ref = "minuta.pdf"
    assert not [d for d in due(r, at("2026-03-17")) if d[0] == "minutes_pending"]


def test_progress_reports_monthly_until_the_period_is_reported():
    r = records()
    # Reports are due monthly from the start of the term (the 15th); 3 days before and on the day.
    assert [d for d in due(r, at("2026-07-12")) if d[0] == "progress_report_due"] == [
        ("progress_report_due", "enlace", "2026-07-12")]
    assert [d for d in due(r, at("2026-07-15")) if d[0] == "progress_report_due"] == [
        ("progress_report_due", "enlace", "2026-07-15")]
    reported = records(progress_reports=[NS(activity_id=20, reported_on=dt.date(2026, 7, 1))])
    assert {(p.handle, p.status) for p in plan(reported, at("2026-07-12")) if p.kind == "progress_report_due"
            and p.due_on == dt.date(2026, 7, 12)} == {("enlace", "period_reported"), ("sin-correo", "no_email")}
    before_start = records()
    assert not [d for d in due(before_start, at("2026-05-12")) if d[0] == "progress_report_due"]  # not started yet


def test_consultation_closing_and_term_end_reach_the_coordinators():
    channel = NS(id=3, key="web", name="Encuesta", kind="online", opens_on=dt.date(2026, 2, 1),
                 closes_on=dt.date(2026, 3, 15))
    r = records(stage="consultation", channels=[channel], inputs=[NS(id=1, channel_id=3)])
    found = [p for p in due_reminders(r, at("2026-03-08")) if p.kind == "consultation_closing"]
    assert [(p.handle, p.context["inputs_count"], p.context["days_left"]) for p in found] == [("coord", 1, 7)]
    term = [d for d in due(records(), at("2026-12-16")) if d[0] == "term_end"]
    assert term == [("term_end", "coord", "2026-12-16")]  # 30 days before 15 January 2027


def test_weekly_digest_on_mondays_only_when_something_is_pending():
    r = records()
    monday = at("2026-09-21")  # the activity is due within 14 days
    assert [d for d in due(r, monday) if d[0] == "weekly_digest"] == [("weekly_digest", "coord", "2026-09-21")]
    ctx = next(p.context for p in due_reminders(r, monday) if p.kind == "weekly_digest")
    assert ctx["upcoming_count"] == 1 and ctx["overdue_count"] == 0
    assert not [d for d in due(r, at("2026-09-23")) if d[0] == "weekly_digest"]  # a missed digest is not sent late
    quiet = records(activities=[])
    assert {p.status for p in plan(quiet, monday) if p.kind == "weekly_digest"} <= {"nothing_to_report",
                                                                                     "not_yet_due"}


def test_keys_are_stable_and_change_with_the_date():
    r = records()
    first = [p.key for p in due_reminders(r, at("2026-09-23"))]
    assert first == [p.key for p in due_reminders(r, at("2026-09-23", 18))]
    moved = records(activities=[NS(**{**vars(records().activities[0]), "end_date": dt.date(2026, 10, 1)})])
    assert set(first) != {p.key for p in due_reminders(moved, at("2026-09-24"))}
    assert first[0].startswith("activity_upcoming.1.activity-20.20260923.")


def test_a_big_plan_goes_to_the_oldest_generation_and_objects_frozen_by_others_stay_frozen():
    """``planner.bulk(promote=True)``: past ``PROMOTE_AFTER`` young objects, what was built is not
    left for the next young collection to walk; objects someone else froze are never unfrozen."""
    import gc

    from notifications.planner import PROMOTE_AFTER, bulk

    was_enabled = gc.isenabled()
    gc.enable()  # a run that turned the collector off would make the promotion moot: on, for this test
    try:
        with bulk(promote=True):
            made = [[i] for i in range(PROMOTE_AFTER + 1000)]
        assert gc.get_count()[0] < 1000 and gc.isenabled() and len(made) == PROMOTE_AFTER + 1000
        gc.freeze()
        try:
            frozen = gc.get_freeze_count()
            with bulk(promote=True):
                more = [[i] for i in range(PROMOTE_AFTER + 1000)]
            assert gc.get_freeze_count() == frozen and len(more) == PROMOTE_AFTER + 1000  # left young, as before
        finally:
            gc.unfreeze()
    finally:
        if not was_enabled:
            gc.disable()
