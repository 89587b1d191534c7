"""Web and API writes carry the fact's date: the API's ``at`` (ISO 8601 with its offset) and the
workspace's "Fecha del hecho" (a local date and time, read in the process's time zone), parsed
and refused as an apply file's ``at`` is; leaving the form's field as shown means now."""
from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from builders import complete_stage, process_at
from webkit import PASSWORD, audit_count, client, csrf_of, sign_in

from reads import status as queries
from workflow.credentials import collecting

MX = ZoneInfo("America/Mexico_City")


def _local(moment: dt.datetime) -> str:
    return moment.astimezone(MX).isoformat(timespec="seconds")


def _api(p, sqlite_db, clock):
    """A client and the coordinator's token, made by the server as the coordinator asks for it."""
    with collecting() as issued:
        p("set_credentials", actor="coord", handle="coord", new_token=True)
    return client(sqlite_db, clock), {"Authorization": f"Bearer {issued[0].value}"}


def test_the_api_records_a_past_fact_with_its_date_and_when_it_was_recorded(sqlite_db, clock):
    p = process_at(sqlite_db, clock, "consultation")
    c, auth = _api(p, sqlite_db, clock)
    clock.advance(days=3)  # three days later the coordinator records what was agreed two days ago
    then = clock.now() - dt.timedelta(days=2)
    r = c.post("/api/processes/p/actions/add_theme", json={"key": "agua", "name": "Agua", "at": then.isoformat()},
               headers=auth)
    assert r.status_code == 200, r.json()
    last = queries.history(sqlite_db, "p")[-1]
    assert last["action"] == "add_theme"
    assert last["at"] == _local(then) and last["recorded_at"] == _local(clock.now())
    # without ``at`` an action is dated now
    c.post("/api/processes/p/actions/add_theme", json={"key": "luz", "name": "Luz"}, headers=auth)
    assert queries.history(sqlite_db, "p")[-1]["at"] == _local(clock.now())


def test_the_api_refuses_a_bad_date_of_the_fact_as_an_apply_file_does_and_writes_nothing(sqlite_db, clock):
    p = process_at(sqlite_db, clock, "consultation")
    c, auth = _api(p, sqlite_db, clock)
    clock.advance(days=1)
    before = audit_count(sqlite_db)
    cases = {
        (clock.now() + dt.timedelta(hours=1)).isoformat(): "time_in_future",
        (clock.now() - dt.timedelta(days=30)).isoformat(): "time_goes_backwards",  # before the last action
        "2026-03-01T10:00:00": "invalid_field",  # no offset: needs_timezone
        "el martes": "invalid_field",  # not_a_date
        "1700-01-01T10:00:00+00:00": "invalid_field",  # out_of_calendar
    }
    for at, code in cases.items():
        r = c.post("/api/processes/p/actions/add_theme", json={"key": "agua", "name": "Agua", "at": at}, headers=auth)
        assert r.status_code == 400 and r.json()["reasons"][0]["code"] == code, (at, r.json())
    problems = [c.post("/api/processes/p/actions/add_theme", json={"key": "x", "name": "X", "at": at},
                       headers=auth).json()["reasons"][0]["details"]["problem"]
                for at in ("2026-03-01T10:00:00", "el martes", 7)]
    assert problems == ["needs_timezone", "not_a_date", "not_a_date"]
    # what is done only as it is recorded takes no date
    r = c.post("/api/processes/p/actions/set_credentials", json={"handle": "coord", "new_token": True,
                                                                  "at": clock.now().isoformat()}, headers=auth)
    assert r.status_code == 400 and r.json()["reasons"][0]["details"]["problem"] == "not_dated"
    assert "se hace en el momento en que se registra" in r.json()["reasons"][0]["message"]
    assert audit_count(sqlite_db) == before


def test_a_dated_api_write_is_held_to_the_rules_of_time(sqlite_db, clock):
    """Attendance dated before its session began is refused; dated during it, recorded then."""
    p = process_at(sqlite_db, clock, "consultation")
    c, auth = _api(p, sqlite_db, clock)
    clock.advance(days=5)
    starts = (clock.now() - dt.timedelta(days=2)).replace(microsecond=0)
    convened = c.post("/api/processes/p/actions/convene_session", headers=auth, json={
        "key": "S9", "scheduled_for": starts.isoformat(), "place": "Sala", "agenda": ["Orden del día"],
        "at": (starts - dt.timedelta(days=1)).isoformat()})
    assert convened.status_code == 200, convened.json()
    early = c.post("/api/processes/p/actions/record_attendance", headers=auth, json={
        "session": "S9", "members": ["gob", "garante", "osc"], "at": (starts - dt.timedelta(minutes=30)).isoformat()})
    assert early.status_code == 409 and early.json()["reasons"][0]["code"] == "session_has_started"
    on_time = c.post("/api/processes/p/actions/record_attendance", headers=auth, json={
        "session": "S9", "members": ["gob", "garante", "osc"], "at": (starts + dt.timedelta(minutes=5)).isoformat()})
    assert on_time.status_code == 200 and on_time.json()["result"]["quorate"] is True
    assert queries.history(sqlite_db, "p")[-1]["at"] == _local(starts + dt.timedelta(minutes=5))


def test_the_openapi_document_offers_at_only_to_actions_that_record_a_fact(sqlite_db, clock):
    doc = client(sqlite_db, clock).get("/openapi.json").json()["components"]["schemas"]
    assert doc["AddTheme"]["properties"]["at"]["format"] == "date-time"
    assert "at" not in doc["SetCredentials"]["properties"]
    listed = {a["name"]: a["dated"] for a in client(sqlite_db, clock).get("/api/actions").json()}
    assert listed["decide"] is True and listed["set_credentials"] is False and listed["submit_input"] is False


# --- the workspace's "Fecha del hecho" --------------------------------------------------------


def _signed_in(sqlite_db, clock, days_later: int):
    """The coordinator signed in ``days_later`` days after the process's last action."""
    p = process_at(sqlite_db, clock, "consultation")
    p("set_credentials", actor="coord", handle="coord", password=PASSWORD)
    clock.advance(days=days_later)
    c = client(sqlite_db, clock)
    assert sign_in(c, "p", "coord").status_code == 303
    return p, c


def _shown(page: str) -> tuple[str, str]:
    at = re.search(r'<input type="datetime-local" id="f-at" name="at" value="([^"]*)"', page)
    shown = re.search(r'<input type="hidden" name="at_shown" value="([^"]*)"', page)
    assert at and shown, "no date of the fact in the form"
    return at.group(1), shown.group(1)


def _submit(c, action: str, data: dict):
    page = c.get(f"/w/p/do/{action}")
    return page, c.post(f"/w/p/do/{action}", data={**data, "csrf": csrf_of(page.text)})


def test_the_form_offers_the_date_of_the_fact_defaulting_to_now_and_leaving_it_means_now(sqlite_db, clock):
    p, c = _signed_in(sqlite_db, clock, days_later=1)
    page = c.get("/w/p/do/add_theme")
    assert "Fecha del hecho" in page.text and "America/Mexico_City" in page.text
    at, shown = _shown(page.text)
    assert at == shown == clock.now().astimezone(MX).strftime("%Y-%m-%dT%H:%M")
    clock.advance(minutes=3)  # the form is sent a while later, untouched: the fact is now
    r = c.post("/w/p/do/add_theme", data={"key": "agua", "name": "Agua", "at": at, "at_shown": shown,
                                           "csrf": csrf_of(page.text)})
    assert r.status_code == 303
    assert queries.history(sqlite_db, "p")[-1]["at"] == _local(clock.now())
    # an action done only as it is recorded has no such field
    assert 'name="at"' not in c.get("/w/p/do/set_credentials").text


def test_the_form_records_a_past_fact_in_the_process_time_zone(sqlite_db, clock):
    p, c = _signed_in(sqlite_db, clock, days_later=2)
    yesterday = (clock.now() - dt.timedelta(days=1)).astimezone(MX).replace(second=0, microsecond=0)
    page, r = _submit(c, "add_theme", {"key": "agua", "name": "Agua", "at": yesterday.strftime("%Y-%m-%dT%H:%M")})
    assert r.status_code == 303, r.text
    last = queries.history(sqlite_db, "p")[-1]
    assert last["at"] == yesterday.isoformat(timespec="seconds") and last["recorded_at"] == _local(clock.now())


def test_the_form_refuses_a_future_fact_says_why_keeps_the_value_and_writes_nothing(sqlite_db, clock):
    p, c = _signed_in(sqlite_db, clock, days_later=1)
    before = audit_count(sqlite_db)
    tomorrow = (clock.now() + dt.timedelta(days=1)).astimezone(MX).strftime("%Y-%m-%dT%H:%M")
    page, r = _submit(c, "add_theme", {"key": "agua", "name": "Agua", "at": tomorrow})
    assert r.status_code == 400 and "time_in_future" in r.text
    assert "no se registran hechos futuros" in r.text
    assert _shown(r.text)[0] == tomorrow  # what was typed is kept
    long_ago = "2020-01-01T10:00"
    page, r = _submit(c, "add_theme", {"key": "agua", "name": "Agua", "at": long_ago})
    assert r.status_code == 400 and "time_goes_backwards" in r.text
    page, r = _submit(c, "add_theme", {"key": "agua", "name": "Agua", "at": "ayer"})
    assert r.status_code == 400 and "invalid_field" in r.text and 'aria-invalid="true"' in r.text
    assert audit_count(sqlite_db) == before


def test_a_form_dated_before_its_session_began_is_refused_by_the_rules_of_time(sqlite_db, clock):
    """Attendance recorded through the form for a time before the session began: refused with
    the same reason as anywhere else; dated during it: recorded then."""
    p, c = _signed_in(sqlite_db, clock, days_later=3)
    starts = (clock.now() - dt.timedelta(days=1)).astimezone(MX).replace(second=0, microsecond=0)
    page, r = _submit(c, "convene_session", {"key": "S9", "scheduled_for": starts.strftime("%Y-%m-%dT%H:%M"),
                                             "place": "Sala", "agenda": "Orden del día",
                                             "at": (starts - dt.timedelta(hours=20)).strftime("%Y-%m-%dT%H:%M")})
    assert r.status_code == 303, r.text
    before = audit_count(sqlite_db)
    early = (starts - dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    page, r = _submit(c, "record_attendance", {"session": "S9", "members": ["gob", "garante", "osc"], "present": "on",
                                               "at": early})
    assert r.status_code == 409 and "session_has_started" in r.text and audit_count(sqlite_db) == before
    during = starts + dt.timedelta(minutes=10)
    page, r = _submit(c, "record_attendance", {"session": "S9", "members": ["gob", "garante", "osc"], "present": "on",
                                               "at": during.strftime("%Y-%m-%dT%H:%M")})
    assert r.status_code == 303
    assert queries.history(sqlite_db, "p")[-1]["at"] == during.isoformat(timespec="seconds")


def test_the_inbox_answer_records_a_response_agreed_in_an_earlier_meeting(sqlite_db, clock):
    """The inbox's answer form has the same date of the fact: left as shown it means now; a past
    time records the response when the meeting agreed it; a future one is refused on the inbox."""
    p = process_at(sqlite_db, clock, "consultation")
    complete_stage(p, "consultation")
    p("record_input", key="i2", channel="web", text="Agua potable en las colonias", received_on="2026-02-18")
    p("record_input", key="i3", channel="web", text="Transparencia en compras", received_on="2026-02-18")
    p("set_credentials", actor="coord", handle="coord", password=PASSWORD)
    clock.advance(days=3)
    c = client(sqlite_db, clock)
    assert sign_in(c, "p", "coord").status_code == 303
    page = c.get("/w/p/inbox").text
    assert "Fecha del hecho" in page and "America/Mexico_City" in page
    at, shown = _shown(page)
    assert at == shown == clock.now().astimezone(MX).strftime("%Y-%m-%dT%H:%M")
    answer = {"disposition": "not_adopted", "rationale": "Fuera de alcance", "next": "/w/p/inbox", "back": "1"}
    before = audit_count(sqlite_db)
    tomorrow = (clock.now() + dt.timedelta(days=1)).astimezone(MX).strftime("%Y-%m-%dT%H:%M")
    r = c.post("/w/p/do/answer_input", data={**answer, "input": "i2", "at": tomorrow, "at_shown": shown,
                                             "csrf": csrf_of(page)})
    assert r.status_code == 303 and r.headers["location"] == "/w/p/inbox"
    assert "no se registran hechos futuros" in c.get("/w/p/inbox").text and audit_count(sqlite_db) == before
    meeting = (clock.now() - dt.timedelta(days=1)).astimezone(MX).replace(second=0, microsecond=0)
    r = c.post("/w/p/do/answer_input", data={**answer, "input": "i2", "at": meeting.strftime("%Y-%m-%dT%H:%M"),
                                             "at_shown": shown, "csrf": csrf_of(page)})
    assert r.status_code == 303
    last = queries.history(sqlite_db, "p")[-1]
    assert last["action"] == "answer_input" and last["at"] == meeting.isoformat(timespec="seconds")
    assert last["recorded_at"] == _local(clock.now())
    page = c.get("/w/p/inbox").text  # the next input; its form untouched: the response is dated now
    at, shown = _shown(page)
    clock.advance(minutes=2)
    r = c.post("/w/p/do/answer_input", data={**answer, "input": "i3", "at": at, "at_shown": shown,
                                             "csrf": csrf_of(page)})
    assert r.status_code == 303 and queries.history(sqlite_db, "p")[-1]["at"] == _local(clock.now())


def _fields_of(page: str) -> dict[str, str]:
    """Every "date of the fact" of a page: its id and the value it shows."""
    found = re.findall(r'<input type="datetime-local" id="(f-[\w-]*at)" name="at" value="([^"]*)"', page)
    ids = [i for i, _ in found]
    assert len(ids) == len(set(ids)), "two fields of one page share an id"
    return dict(found)


def test_the_session_screen_records_attendance_motions_and_the_close_on_their_date(sqlite_db, clock):
    """Every form of the session screen is of a dated action: each has its own date of the fact;
    attendance is one form whose buttons name the member, so the date is said once."""
    p, c = _signed_in(sqlite_db, clock, days_later=0)
    p("set_credentials", actor="osc", handle="osc", password=PASSWORD)
    key = p.session(present=["gob", "garante"])
    started = clock.now()  # the session began: the two arrived
    clock.advance(hours=3)  # recorded three hours later
    assert sign_in(c, "p", "coord").status_code == 303
    here = f"/w/p/sessions/{key}"
    page = c.get(here).text
    fields = _fields_of(page)
    now = clock.now().astimezone(MX).strftime("%Y-%m-%dT%H:%M")
    assert {"f-attendance-at", "f-motion-at", "f-adjourn-at"} <= set(fields) and set(fields.values()) == {now}
    arrived = (started + dt.timedelta(minutes=20)).astimezone(MX).replace(second=0, microsecond=0)
    r = c.post("/w/p/do/record_attendance", data={"session": key, "arrives": "osc", "next": here, "back": "1",
                                                  "at": arrived.strftime("%Y-%m-%dT%H:%M"), "at_shown": now,
                                                  "csrf": csrf_of(page)})
    assert r.status_code == 303 and r.headers["location"] == here
    last = queries.history(sqlite_db, "p")[-1]
    assert (last["action"], last["at"]) == ("record_attendance", arrived.isoformat(timespec="seconds"))
    page = c.get(here).text
    assert re.search(r'id="member-osc".*?presente', page, re.S) and 'name="leaves" value="osc"' in page
    # a motion put at its time; the decision's and the vote's forms carry the field too
    put = arrived + dt.timedelta(minutes=5)
    r = c.post("/w/p/do/propose_decision", data={"session": key, "kind": "general", "text": "Calendario",
                                                 "next": here, "back": "1", "at": put.strftime("%Y-%m-%dT%H:%M"),
                                                 "at_shown": now, "csrf": csrf_of(page)})
    assert r.status_code == 303 and queries.history(sqlite_db, "p")[-1]["at"] == put.isoformat(timespec="seconds")
    d = re.search(r'id="decision-(D\d+)"', c.get(here).text).group(1)
    assert f"f-decide-{d}-at" in _fields_of(c.get(here).text)
    member = client(sqlite_db, clock)
    assert sign_in(member, "p", "osc").status_code == 303
    assert f"f-vote-{d}-at" in _fields_of(member.get(here).text)
    # a time after now is refused on the screen, and nothing is written
    before = audit_count(sqlite_db)
    later = (clock.now() + dt.timedelta(hours=2)).astimezone(MX).strftime("%Y-%m-%dT%H:%M")
    page = c.get(here).text
    r = c.post("/w/p/do/close_session", data={"session": key, "next": here, "back": "1", "at": later,
                                              "at_shown": now, "csrf": csrf_of(page)})
    assert audit_count(sqlite_db) == before and "no se registran hechos futuros" in (
        r.text if r.status_code != 303 else c.get(r.headers["location"]).text)


def test_the_plan_page_proposes_and_redrafts_on_their_date(sqlite_db, clock):
    from builders import draft_commitment

    p, c = _signed_in(sqlite_db, clock, days_later=0)
    complete_stage(p, "consultation")
    for stage in ("consultation", "sensitization", "planning", "causes"):
        if p.stage == stage:
            if stage != "consultation":
                complete_stage(p, stage)
            p.move()
    assert p.stage == "commitments"
    draft_commitment(p)
    key = p.session()
    clock.advance(hours=1)
    assert sign_in(c, "p", "coord").status_code == 303
    page = c.get("/w/p/plan").text
    fields = _fields_of(page)
    assert {"f-approve-at", "f-c1-at"} <= set(fields)
    put = (clock.now() - dt.timedelta(minutes=50)).astimezone(MX).replace(second=0, microsecond=0)
    r = c.post("/w/p/do/propose_decision", data={"kind": "approve_commitments", "session": key, "commitments": "c1",
                                                 "next": "/w/p/plan", "back": "1", "at": put.strftime("%Y-%m-%dT%H:%M"),
                                                 "at_shown": fields["f-approve-at"], "csrf": csrf_of(page)})
    assert r.status_code == 303
    assert queries.history(sqlite_db, "p")[-1]["at"] == put.isoformat(timespec="seconds")
    d = re.search(r'id="pending-(D\d+)"', c.get("/w/p/plan").text).group(1)
    p("decide", decision=d)
    # an amendment proposed from the commitment's own form, dated when the secretariat put it
    clock.advance(hours=1)
    assert sign_in(c, "p", "coord").status_code == 303
    page = c.get("/w/p/plan").text
    shown = _fields_of(page)["f-c1-at"]
    when = (clock.now() - dt.timedelta(minutes=30)).astimezone(MX).replace(second=0, microsecond=0)
    data = {"session": key, "title": "Tabuladores abiertos y auditados", "problem": "Brecha",
            "cause": "Tabuladores opacos", "objective": "Reducir la brecha", "axes": ["transparency"],
            "ambition": "proactive", "outcome": "Tabuladores publicados", "end_date": "2026-12-31",
            "agencies": ["igualdad"], "action_lines": "Publicar", "reason": "Auditoría", "at_shown": shown,
            "csrf": csrf_of(page)}
    before = audit_count(sqlite_db)
    r = c.post("/w/p/plan/c1/amend", data={**data, "at": "mañana"})
    assert r.status_code == 303 and audit_count(sqlite_db) == before
    assert "Fecha del hecho" in c.get("/w/p/plan").text
    r = c.post("/w/p/plan/c1/amend", data={**data, "at": when.strftime("%Y-%m-%dT%H:%M")})
    assert r.status_code == 303
    last = queries.history(sqlite_db, "p")[-1]
    assert (last["action"], last["at"]) == ("propose_decision", when.isoformat(timespec="seconds"))
