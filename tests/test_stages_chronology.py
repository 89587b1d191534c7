"""Time as a rule (``stages/chronology.py`` and each stage's ``TIME_RULES``): every rule met and
broken by the facts it is given, and a refusal through a real action that changes nothing."""
from __future__ import annotations

import datetime as dt

import pytest
from builders import Proc
from snapshots import refused

from stages import TIME_RULES
from stages.chronology import require
from stages.errors import Refused

D = dt.date.fromisoformat
T = dt.datetime.fromisoformat

#: (code, facts that agree, facts that do not): one pair per rule at least.
CASES = [
    ("fact_not_in_future", dict(what="input", date=D("2026-03-01"), today=D("2026-03-01")),
     dict(what="input", date=D("2026-03-02"), today=D("2026-03-01"))),
    ("session_has_started", dict(session="S1", starts=T("2026-03-01T10:00+00:00"), now=T("2026-03-01T10:00+00:00")),
     dict(session="S1", starts=T("2026-03-01T10:00+00:00"), now=T("2026-03-01T09:59+00:00"))),
    ("channel_dates_in_order", dict(announced_on=D("2026-01-21"), opens_on=D("2026-02-04"), closes_on=D("2026-03-04")),
     dict(announced_on=D("2026-02-05"), opens_on=D("2026-02-04"), closes_on=D("2026-03-04"))),
    ("channel_dates_in_order", dict(announced_on=None, opens_on=D("2026-02-04"), closes_on=None),
     dict(announced_on=None, opens_on=D("2026-02-04"), closes_on=D("2026-02-03"))),
    ("input_inside_channel_window", dict(received_on=D("2026-03-04"), opens_on=D("2026-02-04"), closes_on=D("2026-03-04")),
     dict(received_on=D("2026-03-05"), opens_on=D("2026-02-04"), closes_on=D("2026-03-04"))),
    ("input_inside_channel_window",
     dict(received_on=D("2026-03-05"), opens_on=D("2026-02-04"), closes_on=D("2026-03-04"), accepts_late=True),
     dict(received_on=D("2026-02-03"), opens_on=D("2026-02-04"), closes_on=D("2026-03-04"), accepts_late=True)),
    ("answer_after_input", dict(input="i1", received_on=D("2026-02-10"), answered_on=D("2026-02-10")),
     dict(input="i1", received_on=D("2026-02-10"), answered_on=D("2026-02-09"))),
    ("progress_after_activity_start", dict(activity="a1", reported_on=D("2026-07-01"), start_date=D("2026-07-01")),
     dict(activity="a1", reported_on=D("2026-06-30"), start_date=D("2026-07-01"))),
    ("completed_means_full", dict(status="in_progress", percent=40), dict(status="completed", percent=90)),
    ("progress_in_date_order", dict(activity="a1", reported_on=D("2026-10-01"), last=D("2026-10-01")),
     dict(activity="a1", reported_on=D("2026-09-30"), last=D("2026-10-01"))),
    ("progress_never_drops_without_reason", dict(activity="a1", percent=30, previous=50, reason="Se replanteó"),
     dict(activity="a1", percent=30, previous=50, reason="  ")),
    ("event_inside_implementation", dict(held_on=D("2027-01-10"), starts_on=D("2026-01-15"), ends_on=D("2027-04-15")),
     dict(held_on=D("2027-04-16"), starts_on=D("2026-01-15"), ends_on=D("2027-04-15"))),
    ("final_status_agrees_with_progress",
     dict(commitment="c1", status="not_fulfilled", expected="partially_fulfilled", decision="D3"),
     dict(commitment="c1", status="fulfilled", expected="partially_fulfilled")),
]


@pytest.mark.parametrize("code,agree,disagree", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_each_time_rule_holds_and_breaks(code, agree, disagree):
    require(TIME_RULES, code, **agree)
    with pytest.raises(Refused) as caught:
        require(TIME_RULES, code, **disagree)
    assert caught.value.codes == [code]
    for lang in ("es", "en"):  # the message reads with the facts, in each language
        message = caught.value.messages(lang)[0]
        assert "{" not in message and "None" not in message and message


def test_every_time_rule_is_covered():
    assert {code for code, _, _ in CASES} == set(TIME_RULES)
    assert all(code == code.lower() and code.replace("_", "").isalnum() for code in TIME_RULES)


def test_a_fact_dated_after_today_is_refused_and_changes_nothing(db, clock):
    p = Proc(db, clock)
    tomorrow = (clock.now() + dt.timedelta(days=2)).date().isoformat()
    exc = refused(db, lambda: p("sign_declaration", signed_on=tomorrow, document_ref="decl.pdf",
                                signatories=[{"name": "Gobernador", "role": "Ejecutivo", "sector": "government"}]),
                  "fact_not_in_future")
    assert exc.exit_code == 3


def test_a_session_is_under_way_only_once_it_began(db, clock):
    p = Proc(db, clock)
    starts = clock.now() + dt.timedelta(days=1)
    p("convene_session", key="S1", scheduled_for=starts.isoformat(), place="Sala", agenda=["Orden del día"])
    exc = refused(db, lambda: p("record_attendance", session="S1", members=p.members), "session_has_started")
    assert "S1" in exc.messages("es")[0]
    clock.set(starts)
    p("record_attendance", session="S1", members=p.members)
