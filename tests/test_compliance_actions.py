"""The actions around compliance: the gate, rule sets of one's own, threshold overrides,
the plan's history and the IRM-style assessment."""
from __future__ import annotations

import pytest
from builders import Proc, complete_stage
from compliant_process import REPORT_AT, P, apply, script

from reads import checks
from stages.clock import FixedClock
from stages.errors import InvalidInput, Refused, TransitionBlocked
from workflow import actions


def _propose_advance(p: Proc) -> str:
    key = p.session()
    return p("propose_decision", session=key, kind="advance")["decision"]


def test_gate_refuses_to_leave_a_stage_with_failing_basic_requirements(db, clock):
    p = Proc(db, clock)
    complete_stage(p, "declaration")
    p("configure_compliance", gate=True)
    d = _propose_advance(p)
    exc = p.refused("decide", decision=d)
    assert isinstance(exc, TransitionBlocked)
    assert exc.codes == ["compliance_forum_rules_public", "compliance_website"]
    es = exc.messages("es")
    assert es[0].startswith("Requisito básico no cumplido, exigido para salir de la etapa: Reglas del secretariado públicas")
    assert exc.messages("en")[1].startswith("Basic requirement not met, required to leave the stage: Public page")
    assert p.stage == "declaration"
    p("publish_document", kind="rules", title="Reglas", ref="https://example.org/reglas.pdf")
    p("publish_document", kind="website", title="Sitio", ref="https://example.org/")
    assert p("decide", decision=d)["stage"] == "consultation"


def test_gate_lists_compliance_reasons_with_the_stage_criteria_and_status_shows_them(db, clock):
    p = Proc(db, clock)
    p("configure_compliance", gate=True)
    unmet = p.unmet()
    assert unmet == ["declaration_signed_by_executive_and_guarantor", "compliance_forum_rules_public",
                     "compliance_website", "compliance_declaration_signed"]


def test_the_gate_is_on_by_default_in_every_template(db, clock):
    from stages import TEMPLATES

    assert all(t.compliance_gate for t in TEMPLATES.values())
    for n, template in enumerate(TEMPLATES):
        actions.apply(db, "create_process", {"slug": f"t{n}", "name": "P", "template": template,
                                             "coordinator_name": "Coordinación"}, actor="coord", clock=clock)
        assert "compliance_website" in [u["code"] for u in checks_status(db, f"t{n}", clock)]


def checks_status(db, slug, clock):
    from reads import status

    return status.status(db, slug, clock=clock)["unmet"]


def test_only_a_decision_of_the_secretariat_lifts_the_gate_and_the_public_page_says_why(db, clock):
    from reads import public

    p = Proc(db, clock, gate=True)
    complete_stage(p, "declaration")
    exc = p.refused("configure_compliance", gate=False)
    assert exc.codes == ["compliance_gate_lifted_only_by_decision"] and exc.exit_code == 3
    assert "solo una decisión del secretariado" in exc.messages("es")[0]
    session = p.session()
    assert p.refused("propose_decision", session=session, kind="lift_compliance_gate").codes == ["reason_required"]
    assert p.refused("propose_decision", session=session, kind="lift_compliance_gate", reason="x",
                     text="y").codes == ["not_for_this_kind"]
    d = p("propose_decision", session=session, kind="lift_compliance_gate",
          reason="El sitio del gobierno estatal está en mantenimiento hasta marzo")["decision"]
    p("cast_vote", actor="osc", decision=d, position="against")
    assert p("decide", decision=d)["status"] == "rejected"
    assert "compliance_website" in p.unmet()  # still on
    result = p.decide("lift_compliance_gate", session=session,
                      reason="El sitio del gobierno estatal está en mantenimiento hasta marzo")
    assert result["status"] == "adopted" and result["gate"] is False
    assert "compliance_website" not in p.unmet()
    view = public.public_view(db, "p", clock=clock)["process"]["compliance_gate"]
    assert view["on"] is False and view["lifted"]["decision"] == result["decision"]
    assert view["lifted"]["reason"].startswith("El sitio del gobierno")
    assert p.refused("propose_decision", session=session, kind="lift_compliance_gate",
                     reason="otra vez").codes == ["compliance_gate_already_off"]
    assert p.move()["stage"] == "consultation"  # basic requirements unmet, but the gate is lifted
    p("configure_compliance", gate=True)  # turning it on again needs no decision
    assert public.public_view(db, "p", clock=clock)["process"]["compliance_gate"] == {"on": True, "lifted": None}


def test_a_process_created_without_the_gate_says_so_in_public(sqlite_db, clock):
    from reads import public
    from webkit import client

    p = Proc(sqlite_db, clock)  # gate=False, explicitly, as the tests of other rules do
    gate = public.public_view(sqlite_db, "p", clock=clock)["process"]["compliance_gate"]
    assert gate["on"] is False and gate["lifted"]["at_creation"] is True
    page = client(sqlite_db, clock).get("/p/p").text
    assert "desde que se creó el proceso (no por una decisión del secretariado)" in page
    p("configure_compliance", gate=True)
    assert "Compuerta de cumplimiento activa" in client(sqlite_db, clock).get("/p/p").text


def test_gate_ignores_advanced_rules_and_rules_that_run_on_the_calendar(db, clock):
    p = Proc(db, clock, template="federal")
    complete_stage(p, "declaration")
    p("publish_document", kind="rules", title="Reglas", ref="https://example.org/reglas.pdf")
    p("publish_document", kind="website", title="Sitio", ref="https://example.org/")
    p("configure_compliance", gate=True)
    p.move()
    complete_stage(p, "consultation")  # one sector gave input; no outreach, no consultation report
    d = _propose_advance(p)
    codes = p.refused("decide", decision=d).codes
    # the consultation lived its dates (announced 1 Feb, open 15 Feb): the timeline's notice is judged too
    assert codes == ["compliance_timeline_notice", "compliance_outreach", "compliance_consultation_period",
                     "compliance_inputs_documented"]
    assert "compliance_open_participation" not in codes  # advanced
    assert "compliance_forum_cadence" not in codes  # calendar


def test_compliance_configuration_is_refused_once_the_process_is_closed(sqlite_db):
    apply(sqlite_db, script())
    apply_one = lambda **kw: actions.apply(sqlite_db, "configure_compliance", kw, actor="coord", process=P)  # noqa: E731
    with pytest.raises(Refused) as closed:
        apply_one(settings={"forum_max_gap_months": 3})
    assert closed.value.codes == ["process_closed"]


def test_settings_override_changes_the_verdict_and_can_be_removed(db, clock):
    p = Proc(db, clock, template="federal")
    complete_stage(p, "declaration")
    p.move()
    report = checks.report(db, p.slug, clock=clock)
    assert report.statuses()["plan-duration"] == "met"
    out = p("configure_compliance", settings={"plan_durations_months": [48]})
    assert out["settings"] == {"plan_durations_months": [48]}
    assert checks.report(db, p.slug, clock=clock).statuses()["plan-duration"] == "not_met"
    p("configure_compliance", settings={"plan_durations_months": None})
    assert checks.report(db, p.slug, clock=clock).statuses()["plan-duration"] == "met"
    with pytest.raises(InvalidInput) as bad:
        p("configure_compliance", settings={"forum_max_gap_months": "seis", "no_such": 1})
    assert bad.value.codes == ["compliance_bad_setting", "compliance_bad_setting"]
    with pytest.raises(InvalidInput) as unknown:
        p("configure_compliance", ruleset="ogp-2099")
    assert unknown.value.codes == ["compliance_unknown_ruleset"]


def test_a_secretariat_registers_its_own_ruleset(db, clock):
    p = Proc(db, clock, template="federal")
    definition = {"name": "mx-stt", "version": "2026.1", "title": {"es": "Reglas del STT", "en": "STT rules"},
                  "base": "ogp-2022", "remove": ["open-participation"], "levels": {"stage-evidence": "basic"},
                  "settings": {"forum_max_gap_months": 3}}
    out = p("register_ruleset", ruleset=definition, use=True)
    assert out == {"ruleset": "mx-stt", "version": "2026.1", "rules": 26, "in_use": True}
    report = checks.report(db, p.slug, clock=clock)
    assert report.ruleset.name == "mx-stt" and report.ruleset.source == "custom"
    assert "open-participation" not in report.statuses()
    assert dict(report.ruleset.rules)["stage-evidence"] == "basic"
    assert report.ruleset.settings["forum_max_gap_months"] == 3
    assert report.as_dict("en")["ruleset"]["title"] == "STT rules"
    with pytest.raises(InvalidInput) as bad:
        p("register_ruleset", ruleset={"name": "ogp-2022", "version": 1, "rules": ["no-such-rule", "website"],
                                       "settings": {"forum_max_gap_months": -1}})
    assert sorted(bad.value.codes) == ["compliance_bad_ruleset", "compliance_bad_setting", "compliance_unknown_rule"]


def test_plan_history_needs_the_previous_end_unless_first(db, clock):
    p = Proc(db, clock, template="federal")
    with pytest.raises(InvalidInput) as bad:
        p("record_plan_history", first_plan=False)
    assert bad.value.codes == ["previous_plan_end_required"]
    p("record_plan_history", first_plan=True)
    assert checks.report(db, p.slug, clock=clock).statuses()["plan-cadence"] == "not_applicable"


def test_irm_assessment_shows_derived_and_recorded_values(db):
    apply(db, script())
    with pytest.raises(InvalidInput) as empty:
        actions.apply(db, "assess_commitment", {"commitment": "c1"}, actor="coord", process=P, clock=FixedClock(REPORT_AT))
    assert empty.value.codes == ["assessment_empty"]
    actions.apply(db, "assess_commitment", {"commitment": "c1", "potential_for_results": "substantial",
                                            "potential_impact": "transformative", "early_results": "major",
                                            "notes": "Abrió los tabuladores"}, actor="coord", process=P, clock=FixedClock(REPORT_AT))
    c = checks.report(db, P, as_of=REPORT_AT).as_dict("es")["commitments"][0]
    f = c["fields"]
    assert (f["verifiability"]["value"], f["verifiability"]["source"]) == ("verifiable", "derived")
    assert (f["relevance"]["value"], f["relevance"]["source"]) == ("relevant", "derived")
    assert (f["completion"]["value"], f["completion"]["source"]) == ("complete", "derived")
    assert (f["potential_for_results"]["label"], f["potential_for_results"]["source"]) == ("sustancial", "recorded")
    assert f["early_results"]["label"] == "importante" and f["early_results"]["source_label"] == "registrado por el secretariado"
    assert f["starred"]["value"] is True
    assert c["notes"] == "Abrió los tabuladores"
    amb = c["ambition"]
    assert amb["level"] == "proactive" and "Datos abiertos" in amb["examples"]["transparency"]
    assert amb["next_level"] == "innovative"
    assert "Portales de transparencia con insumos ciudadanos" in amb["next_examples"]["transparency"]
    assert "Cocreación multiactor" in amb["next_examples"]["participation"]


def test_irm_completion_is_derived_from_progress_reports(db, clock):
    from builders import process_at
    p = process_at(db, clock, "monitoring")
    c = checks.report(db, p.slug, clock=clock).as_dict("en")["commitments"][0]["fields"]
    assert c["completion"]["value"] == "no_evidence" and c["completion"]["label"] == "no evidence available"
    assert c["potential_for_results"]["value"] is None
    p.on("2026-07-01")
    p("report_progress", actor="enlace", activity="a1", status="in_progress", percent=30, reported_on="2026-07-01")
    c = checks.report(db, p.slug, clock=clock).as_dict("en")["commitments"][0]["fields"]
    assert c["completion"]["value"] == "limited"
    p.on("2026-08-01")
    p("report_progress", actor="enlace", activity="a1", status="in_progress", percent=70, reported_on="2026-08-01")
    assert checks.report(db, p.slug, clock=clock).as_dict("en")["commitments"][0]["fields"]["completion"]["value"] == "substantial"


def test_only_agreed_commitments_are_assessed(db, clock):
    from builders import process_at
    p = process_at(db, clock, "commitments")
    p("add_agency", key="x", name="X")
    p("draft_commitment", key="c9", title="Borrador")
    assert p.refused("assess_commitment", commitment="c9", early_results="marginal").codes == ["commitment_not_agreed"]
