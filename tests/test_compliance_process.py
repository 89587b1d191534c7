"""Compliance of processes built through the real actions, on SQLite and PostgreSQL.

A national plan that meets every requirement; the same plan with one requirement broken at
a time fails exactly that rule; the guide's history (the 2011 plan, the 2017 walk-out).
"""
from __future__ import annotations

import copy
import datetime as dt

import pytest
from builders import process_at
from compliant_process import BREAKERS, ENFORCED, REPORT_AT, P, apply, apply_until_refused, broken, script

from compliance.rules import RULES
from reads import checks
from stages.base import add_months


def test_the_compliant_plan_meets_every_requirement(db):
    apply(db, script())
    for ruleset in ("ogp-2022", "ogp-2017"):
        report = checks.report(db, P, as_of=REPORT_AT, ruleset=ruleset)
        assert report.failing() == [], ruleset
        assert report.counts()["met"] == report.counts()["total"] == len(RULES) - 1, ruleset
        assert report.compliant and not report.contrary["flag"]
    assert report.process.stage == "closed"


@pytest.mark.parametrize("rule_id", sorted(BREAKERS))
def test_breaking_one_requirement_fails_exactly_that_rule(db, rule_id):
    apply(db, broken(rule_id))
    report = checks.report(db, P, as_of=REPORT_AT)
    assert report.failing() == [rule_id]
    assert {o.status for o in report.outcomes if o.rule.id != rule_id} == {"met"}
    failed = next(o for o in report.outcomes if o.rule.id == rule_id)
    assert failed.result.missing_total > 0


@pytest.mark.parametrize("rule_id", sorted(ENFORCED))
def test_rules_the_engine_enforces_stop_the_process_at_the_stage_move(sqlite_db, rule_id):
    exc = apply_until_refused(sqlite_db, broken(rule_id))
    assert exc is not None and ENFORCED[rule_id][1] in exc.codes


def test_with_the_gate_on_a_broken_basic_requirement_stops_the_process_at_its_stage_end(sqlite_db):
    """The compliant plan runs with the gate on (the template's default); without its website,
    the process cannot leave the declaration."""
    exc = apply_until_refused(sqlite_db, broken("website", gate=True))
    assert exc is not None and "compliance_website" in exc.codes
    assert checks.report(sqlite_db, P, as_of=REPORT_AT).process.stage == "declaration"


def test_every_rule_is_either_breakable_through_actions_or_enforced_by_the_engine():
    assert set(BREAKERS) | set(ENFORCED) == {r.id for r in RULES}
    assert not set(BREAKERS) & set(ENFORCED)


def test_acting_contrary_to_process_lists_its_causes(sqlite_db):
    steps = broken("implementation-progress")
    for x in steps:
        if x["action"] == "record_plan_history":
            x.update(previous_plan_ended_on="2025-03-31", previous_plan_acted_contrary=True)
    steps = [x for x in steps if not (x["action"] == "publish_document" and x.get("kind") == "website")]
    apply(sqlite_db, steps)
    report = checks.report(sqlite_db, P, as_of=REPORT_AT)
    assert sorted(report.failing()) == ["implementation-progress", "plan-cadence", "website"]
    c = report.contrary_dict("es")
    assert c["flag"] and c["procedural_review"]
    assert [x["code"] for x in c["causes"]] == ["late_plan", "minimum_requirement", "no_progress"]
    assert c["causes"][1]["rules"] == ["website"]
    assert "12 meses" in c["causes"][0]["message"]


# --- the guide's history -------------------------------------------------------------------

def test_2011_first_plan_presented_by_government_alone_fails_joint_approval(db, clock):
    """2011: the government presented the plan without the organisations' agreement."""
    members = [("gob", "government"), ("osc", "civil_society")]
    p = process_at(db, clock, "commitments", slug="mx-2011", template="federal", members=members,
                   quorum={"sectors": {"government": 1}, "min_members": 0})
    p("add_agency", key="sfp", name="Secretaría de la Función Pública")
    p("draft_commitment", key="c1", title="Portal de obligaciones de transparencia", problem="Opacidad", cause="Sin datos",
      objective="Publicar", axes=["transparency"], ambition="structural", outcome="Portal", end_date="2027-01-01",
      agencies=["sfp"], action_lines=["Publicar"])
    p.decide("approve_commitments", present=["gob"])
    p("publish_document", kind="plan", title="Primer plan de acción 2011", ref="https://example.org/plan-2011.pdf")
    report = checks.report(db, "mx-2011", clock=clock)
    assert "non-government-approval" in report.failing()
    rule = report.as_dict("es")["groups"][0]["rules"][3]
    assert rule["id"] == "non-government-approval" and rule["status"] == "not_met"
    assert "sin integrantes no gubernamentales presentes" in rule["missing"][0]["note"]
    assert "non-government-approval" in report.contrary_dict("es")["causes"][0]["rules"]


def test_with_the_tripartite_secretariat_the_2011_plan_cannot_be_approved(db, clock):
    p = process_at(db, clock, "commitments", slug="stt")
    p("add_agency", key="sfp", name="SFP")
    p("draft_commitment", key="c1", title="Portal", problem="Opacidad", cause="Sin datos", objective="Publicar",
      axes=["transparency"], ambition="structural", outcome="Portal", end_date="2026-12-01", agencies=["sfp"],
      action_lines=["Publicar"])
    key = p.session(present=["gob", "garante"])
    d = p("propose_decision", session=key, kind="approve_commitments")["decision"]
    assert p.refused("decide", decision=d).codes == ["session_not_quorate"]


def _last_session(db, slug):
    from sqlmodel import Session, select

    from storage.models import Process, SecretariatSession
    with Session(db) as s:
        pid = s.exec(select(Process.id).where(Process.slug == slug)).one()
        return max(x.scheduled_for for x in s.exec(select(SecretariatSession).where(SecretariatSession.process_id == pid)))


def test_2017_walkout_secretariat_stops_meeting_and_fails_cadence_after_six_months(db, clock):
    """2017: civil society left the STT; it never met again in that administration."""
    p = process_at(db, clock, "routes", slug="stt-2017", template="federal")
    p("withdraw_sector", actor="osc", sector="civil_society", reason="Vigilancia digital ilegal de participantes")
    assert p.stage == "suspended"
    last = _last_session(db, "stt-2017")
    before = checks.report(db, "stt-2017", as_of=last + dt.timedelta(days=150))
    assert before.statuses()["forum-cadence"] == "met"
    six = dt.datetime.combine(add_months(last.date(), 6), last.time(), tzinfo=dt.timezone.utc)
    after = checks.report(db, "stt-2017", as_of=six + dt.timedelta(days=1))
    assert after.statuses()["forum-cadence"] == "not_met"
    assert "forum-cadence" in after.contrary["causes"][0][1]
    assert after.as_dict("es")["process"]["stage"] == "suspended"


# --- as of a past date ---------------------------------------------------------------------

def _until(steps, moment):
    return [x for x in steps if dt.datetime.fromisoformat(x["at"]) <= moment]


@pytest.mark.parametrize("day", ["2026-01-31", "2026-03-18", "2026-05-20", "2026-12-31"])
def test_report_as_of_a_past_date_matches_the_report_taken_that_day(db, day):
    moment = checks.end_of_day(dt.date.fromisoformat(day), "America/Mexico_City")
    steps = script()
    apply(db, _until(steps, moment))
    then = checks.report(db, P, as_of=moment).as_dict("es")
    apply(db, [x for x in steps if dt.datetime.fromisoformat(x["at"]) > moment])
    rebuilt = checks.report(db, P, as_of=moment).as_dict("es")
    assert rebuilt == then
    assert checks.report(db, P, as_of=REPORT_AT).as_dict("es") != then


def test_timeline_shows_when_the_process_fell_out_of_compliance(sqlite_db):
    apply(sqlite_db, broken("forum-cadence"))  # no session between 2026-10-01 and 2027-06-25
    points = checks.timeline(sqlite_db, P, until=REPORT_AT)
    status = {p["date"]: p["statuses"]["forum-cadence"] for p in points}
    assert status["2027-03-31"] == "met" and status["2027-04-30"] == "not_met" and status["2027-07-01"] == "not_met"
    stages = {p["date"]: p["stage"] for p in points}
    assert stages["2026-01-31"] == "consultation" and stages["2026-02-28"] == "consultation"
    assert stages["2027-07-01"] == "closed"


def test_plain_rows_read_as_the_objects_do(db):
    """The reads that change nothing take the records as plain rows (``load_records(plain=True)``,
    named tuples made from the driver's rows): every table of the compliant plan reads the same
    values, of the same types (a boolean is not 1, a time is aware UTC), in the same order, as
    ORM objects, but for the personal data, left out; on SQLite and PostgreSQL."""
    from sqlmodel import Session

    from storage import load_records, process_by_slug
    from storage.records import TABLES

    apply(db, script())
    with Session(db) as s:
        p = process_by_slug(s, P)
        objects, plain = load_records(s, p), load_records(s, p, plain=True)
        again = load_records(s, p, ("inputs",), plain=True)
    filled, times = 0, 0
    for name in TABLES:
        rows = getattr(plain, name)
        assert [tuple((type(v), v) for v in r) for r in rows] == [
            tuple((type(getattr(o, f)), getattr(o, f)) for f in r._fields)
            for o, r in zip(getattr(objects, name), rows)], name
        assert len(rows) == len(getattr(objects, name)), name
        filled += bool(rows)
        stamps = [v for r in rows for v in r if isinstance(v, dt.datetime)]
        assert all(v.tzinfo is dt.timezone.utc for v in stamps), name
        times += len(stamps)
    assert filled >= 15 and times > 50  # the plan fills most tables: the comparison is not vacuous
    plain.inputs[0].themes.append("changed")  # a JSON value is the row's own, as json.loads makes it
    assert "changed" not in again.inputs[0].themes and "changed" not in plain.inputs[1].themes
    fields = {*plain.inputs[0]._fields, *plain.people[0]._fields}
    assert fields & {"contact_name", "contact_email", "profile", "source_digest", "email"} == set()  # personal data


@pytest.mark.parametrize("variant", ["compliant", *sorted(BREAKERS)])
def test_an_advance_reads_only_what_its_gate_and_stage_declare_and_says_what_the_whole_report_says(sqlite_db, variant):
    """Before each decision of the plan (and of each plan breaking one requirement, with the gate
    on: the move is refused), the move's blockers from only the tables ``workflow.moves.reads_for``
    loads are those the whole record gives, and the gate's are the failing basic requirements
    due at the stage's end in the full compliance report."""
    from sqlmodel import Session

    from compliance.gates import closing_report
    from compliance.model import NOT_ENOUGH_DATA, NOT_MET
    from reads import checks
    from compliance.rulesets import gate_enabled
    from stages import STAGE_NAMES
    from stages.errors import CocreaError
    from storage import load_records, process_by_slug
    from workflow import engine

    steps = script() if variant == "compliant" else broken(variant, gate=True)
    checked = 0
    for item in copy.deepcopy(steps):
        if item["action"] == "decide":
            with Session(sqlite_db) as s:
                p = process_by_slug(s, P)
                if p.stage in STAGE_NAMES[:-1]:
                    now = dt.datetime.fromisoformat(item["at"])
                    needed = engine.reads_for(p, "advance")
                    assert needed is not None
                    part = engine.blockers(load_records(s, p, needed, now=now, plain=True), "advance", now=now)
                    whole = load_records(s, p, None, now=now, plain=True)
                    assert [r.code for r in part] == [r.code for r in engine.blockers(whole, "advance", now=now)]
                    page = checks.judged(whole, now)  # the page's report: the move's takes its records' indexes
                    for event in ("advance", "close"):
                        assert ([(r.code, r.details) for r in engine.blockers(whole, event, now=now, like=page.facts)]
                                == [(r.code, r.details) for r in engine.blockers(whole, event, now=now)])
                    report = closing_report(whole, now)
                    gate = [o.rule.code for o in report.outcomes if o.level == "basic" and o.rule.due in (p.stage, "*")
                            and o.status in (NOT_MET, NOT_ENOUGH_DATA)] if gate_enabled(p) else []
                    assert [r.code for r in part if r.code in gate] == gate
                    checked += 1
        try:
            apply(sqlite_db, [item])
        except CocreaError:
            break
    assert checked
