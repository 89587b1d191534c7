"""Read a stored process back and list every place its record breaks a rule of time.

The rules are those of ``stages.TIME_RULES`` (checked here on what was stored, not on what an action
was given) plus what the engine guarantees about order: the audit trail never goes back, a fact is
recorded no earlier than it happened, a decision, a vote or an attendance falls inside its session
(after it began, not after it closed). Used by the example's test and the property tests: a record
the engine accepted must come back with no break.
"""
from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from stages import TIME_RULES, Records
from stages.chronology import local_today
from stages.monitoring import expected_final, implementation_period
from storage import models as m


def _check(found: list[str], code: str, **facts) -> None:
    reason = TIME_RULES[code].check(**facts)
    if reason is not None:
        found.append(f"{code}: {reason.message('en')}")


def breaks(engine, slug: str, now: dt.datetime) -> list[str]:
    """Every break of a time rule in process ``slug``'s stored record, as of ``now`` (empty: none)."""
    found: list[str] = []
    with Session(engine) as db:
        p = db.exec(select(m.Process).where(m.Process.slug == slug)).one()
        tz = p.timezone
        today = local_today(now, tz)

        def day(moment: dt.datetime) -> dt.date:
            return local_today(moment, tz)

        def rows(model):
            return list(db.exec(select(model).where(model.process_id == p.id)))

        trail = list(db.exec(select(m.AuditEntry).where(m.AuditEntry.process_id == p.id).order_by(m.AuditEntry.seq)))
        for before, after in zip(trail, trail[1:]):
            if after.at < before.at:
                found.append(f"audit_goes_back: entry {after.seq} ({after.at}) before entry {before.seq} ({before.at})")
        for e in trail:
            if e.at > now:
                found.append(f"audit_in_future: entry {e.seq} at {e.at}")
            if e.recorded_at is not None and e.recorded_at < e.at:
                found.append(f"recorded_before_it_happened: entry {e.seq}")

        sessions = {s.id: s for s in rows(m.SecretariatSession)}
        for s in sessions.values():
            if s.closed_at is not None:
                _check(found, "session_has_started", session=s.key, starts=s.scheduled_for, now=s.closed_at)
        for d in rows(m.Decision):
            s = sessions[d.session_id]
            for moment in (d.proposed_at, d.decided_at):
                if moment is None:
                    continue
                _check(found, "session_has_started", session=s.key, starts=s.scheduled_for, now=moment)
                if s.closed_at is not None and moment > s.closed_at:
                    found.append(f"after_session_closed: decision {d.key} at {moment}, {s.key} closed {s.closed_at}")
            for v in db.exec(select(m.Vote).where(m.Vote.decision_id == d.id)):
                _check(found, "session_has_started", session=s.key, starts=s.scheduled_for, now=v.cast_at)
        for a in db.exec(select(m.Attendance).where(m.Attendance.session_id.in_(list(sessions) or [0]))):
            s = sessions[a.session_id]
            _check(found, "session_has_started", session=s.key, starts=s.scheduled_for, now=a.arrived_at)

        for d in rows(m.Declaration):
            _check(found, "fact_not_in_future", what="declaration", date=d.signed_on, today=today)
        channels = {c.id: c for c in rows(m.Channel)}
        for c in channels.values():
            _check(found, "channel_dates_in_order", announced_on=c.announced_on, opens_on=c.opens_on,
                   closes_on=c.closes_on)
        for i in rows(m.Input):
            c = channels[i.channel_id]
            _check(found, "fact_not_in_future", what="input", date=i.received_on, today=today)
            _check(found, "input_inside_channel_window", received_on=i.received_on, opens_on=c.opens_on,
                   closes_on=c.closes_on, accepts_late=c.accepts_late)
            if i.late != bool(c.closes_on and i.received_on > c.closes_on):
                found.append(f"late_flag: input {i.key} received {i.received_on}, channel closes {c.closes_on}")
            if i.answered_at is not None:
                _check(found, "answer_after_input", input=i.key, received_on=i.received_on,
                       answered_on=day(i.answered_at))
        for s in rows(m.SensitizationSession):
            _check(found, "fact_not_in_future", what="sensitization_session", date=s.held_on, today=today)

        activities = {a.id: a for a in rows(m.Activity)}
        last: dict[int, int] = {}
        dated: dict[int, dt.date] = {}
        for r in sorted(rows(m.ProgressReport), key=lambda r: (r.recorded_at, r.id)):
            a = activities[r.activity_id]
            _check(found, "progress_in_date_order", activity=a.key, reported_on=r.reported_on,
                   last=dated.get(a.id))
            dated[a.id] = r.reported_on
            _check(found, "fact_not_in_future", what="progress_report", date=r.reported_on, today=day(r.recorded_at))
            _check(found, "progress_after_activity_start", activity=a.key, reported_on=r.reported_on,
                   start_date=a.start_date)
            _check(found, "completed_means_full", status=r.status, percent=r.percent)
            _check(found, "progress_never_drops_without_reason", activity=a.key, percent=r.percent,
                   previous=last.get(a.id, 0), reason=r.reason)
            last[a.id] = r.percent
        for a in activities.values():
            _check(found, "completed_means_full", status=a.status, percent=a.percent)
        starts_on, ends_on = implementation_period(p, Records(process=p).term_end)
        for e in rows(m.PublicEvent):
            _check(found, "fact_not_in_future", what="public_event", date=e.held_on, today=today)
            _check(found, "event_inside_implementation", held_on=e.held_on, starts_on=starts_on, ends_on=ends_on)
        for c in rows(m.Commitment):
            if c.final_status is None:
                continue
            percents = [a.percent for a in activities.values() if a.commitment_id == c.id]
            _check(found, "final_status_agrees_with_progress", commitment=c.key, status=c.final_status,
                   expected=expected_final(percents), decision=c.final_decision_id)
    return found
