"""Time is data: actions carry their time, never in the future and never before the last one."""
from __future__ import annotations

import datetime as dt

from builders import COORD, Proc
from snapshots import refused

from stages.clock import FixedClock
from workflow import actions

UTC = dt.timezone.utc


def test_an_action_dated_after_now_is_refused_and_changes_nothing(db, clock):
    p = Proc(db, clock)
    tomorrow = clock.now() + dt.timedelta(days=1)
    exc = refused(db, lambda: actions.apply(db, "add_agency", {"key": "sfp", "name": "SFP"}, actor=COORD,
                                            process=p.slug, clock=clock, at=tomorrow), "time_in_future")
    assert exc.exit_code == 2
    assert "posterior a este momento" in exc.messages("es")[0]
    assert "later than now" in exc.messages("en")[0]


def test_an_action_dated_before_any_calendar_we_keep_is_refused_and_changes_nothing(db, clock):
    p = Proc(db, clock)
    year_one = dt.datetime(1, 1, 2, tzinfo=UTC)
    exc = refused(db, lambda: actions.apply(db, "add_agency", {"key": "sfp", "name": "SFP"}, actor=COORD,
                                            process=p.slug, clock=clock, at=year_one), "invalid_field")
    assert exc.exit_code == 2
    assert "entre 1900 y 2199" in exc.messages("es")[0] and "«at»" in exc.messages("es")[0]


def test_an_action_dated_in_the_past_is_recorded_at_that_time(db, clock):
    p = Proc(db, clock)
    last = p.status()["moves"][-1]["at"]
    later = clock.now() + dt.timedelta(days=30)
    actions.apply(db, "add_agency", {"key": "sfp", "name": "SFP"}, actor=COORD, process=p.slug,
                  clock=FixedClock(later + dt.timedelta(days=1)), at=later)
    from reads import status as queries

    entry = queries.history(db, p.slug)[-1]
    assert entry["action"] == "add_agency"
    assert dt.datetime.fromisoformat(entry["at"]) == later
    assert dt.datetime.fromisoformat(entry["at"]) > dt.datetime.fromisoformat(last)


def test_an_action_dated_before_the_last_audit_entry_is_refused(db, clock):
    p = Proc(db, clock)
    earlier = clock.now() - dt.timedelta(days=1)
    refused(db, lambda: actions.apply(db, "add_agency", {"key": "sfp", "name": "SFP"}, actor=COORD,
                                      process=p.slug, clock=clock, at=earlier), "time_goes_backwards")
