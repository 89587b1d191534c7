"""A national plan that meets every requirement, as the list of actions a secretariat would
apply (``cocrea apply`` reads the same shape), and one-change variations that break exactly
one requirement each.

Dates are explicit (process time zone, -06:00): the plan runs 2026-01-15 to 2028-01-15 and
closes on 2027-06-25; the report is read on 2027-07-01.
"""
from __future__ import annotations

import copy
import datetime as dt
from typing import Any, Callable

from stages.clock import FixedClock
from stages.errors import CocreaError
from workflow import actions

P = "mx"
COORD = "coord"
MEMBERS = [("gob", "government"), ("garante", "guarantor"), ("osc1", "civil_society"), ("osc2", "civil_society"),
           ("udg", "academia")]
ALL = [h for h, _ in MEMBERS]
GOV_ONLY = ["gob", "garante"]
REPORT_AT = dt.datetime(2027, 7, 1, 18, 0, tzinfo=dt.timezone.utc)
SESSIONS = [("S1", "2026-01-20", ["advance"]), ("S2", "2026-03-20", ["advance"]), ("S3", "2026-04-10", ["advance"]),
            ("S4", "2026-04-20", ["advance"]), ("S5", "2026-05-01", ["advance"]),
            ("S6", "2026-05-20", ["approve_commitments", "advance"]), ("S7", "2026-07-01", ["advance"]),
            ("S8", "2026-10-01", []), ("S9", "2027-02-01", []), ("S10", "2027-06-25", ["close"])]


def at(day: str, time: str = "10:00") -> str:
    return f"{day}T{time}:00-06:00"


def step(action: str, when: str, actor: str = COORD, **payload: Any) -> dict:
    return {"action": action, "actor": actor, "process": P, "at": when, **payload}


def doc(kind: str, when: str, key: str, **kw: Any) -> dict:
    return step("publish_document", when, key=key, kind=kind, title=f"{kind} {key}", ref=f"https://example.org/mx/{key}.pdf", **kw)


def session_steps(key: str, day: str, decisions: list[str], present: list[str] = ALL) -> list[dict]:
    convene = (dt.date.fromisoformat(day) - dt.timedelta(days=7)).isoformat()
    out = [step("convene_session", at(convene, "09:00"), key=key, scheduled_for=at(day), place="Sala", agenda=["Orden del día"]),
           step("record_attendance", at(day, "10:00"), session=key, members=list(present))]
    for n, kind in enumerate(decisions, 1):
        out += [step("propose_decision", at(day, f"10:{10 * n:02d}"), key=f"{key}-D{n}", session=key, kind=kind),
                step("decide", at(day, f"10:{10 * n + 5:02d}"), decision=f"{key}-D{n}")]
    out.append(step("close_session", at(day, "12:00"), session=key, minutes_ref=f"https://example.org/mx/acta-{key}.pdf"))
    return out


def script() -> list[dict]:
    s = [{"action": "create_process", "actor": COORD, "at": at("2026-01-10", "09:00"), "slug": P, "name": "Plan de acción MX",
          "template": "federal", "starts_on": "2026-01-15", "coordinator_name": "Coordinación"},
         step("record_plan_history", at("2026-01-10", "09:01"), first_plan=False, previous_plan_ended_on="2025-12-31")]
    s += [step("add_person", at("2026-01-10", "09:05"), handle=h, name=f"Integrante {h}", role="member", sector=sec)
          for h, sec in MEMBERS]
    for agency in ("igualdad", "finanzas"):
        s += [step("add_agency", at("2026-01-10", "09:10"), key=agency, name=f"Secretaría de {agency}"),
              step("add_person", at("2026-01-10", "09:11"), handle=f"enlace-{agency}", name=f"Enlace {agency}",
                   role="liaison", agency=agency)]
    s += [doc("website", at("2026-01-12", "10:00"), "website"), doc("rules", at("2026-01-12", "10:01"), "reglas"),
          step("sign_declaration", at("2026-01-12", "10:02"), signed_on="2026-01-12", document_ref="https://example.org/mx/decl.pdf",
               signatories=[{"name": "Ejecutivo", "role": "Presidencia", "sector": "government"},
                            {"name": "Garante", "role": "Pleno", "sector": "guarantor"}]),
          doc("declaration", at("2026-01-12", "10:03"), "declaratoria"),
          doc("timeline", at("2026-01-21", "10:00"), "calendario"),
          step("open_channel", at("2026-01-21", "10:01"), key="web", kind="online", name="Consulta en línea", online=True,
               announced_on="2026-01-21", opens_on="2026-02-16", closes_on="2026-03-16"),
          step("open_channel", at("2026-01-21", "10:02"), key="asamblea", kind="assembly", name="Asambleas comunitarias",
               aimed_at_excluded=True, announced_on="2026-01-21", opens_on="2026-02-16", closes_on="2026-03-16"),
          doc("outreach", at("2026-01-25"), "difusion"),
          step("record_input", at("2026-03-01", "10:00"), key="i1", channel="web", text="Igualdad salarial",
               received_on="2026-03-01", contact_name="Ana Pérez", contact_email="ana@example.org"),
          step("record_input", at("2026-03-01", "10:01"), key="i2", channel="asamblea", text="Publicar tabuladores",
               sector="civil_society", received_on="2026-03-01"),
          step("add_theme", at("2026-03-16", "10:00"), key="genero", name="Brecha salarial de género"),
          step("answer_input", at("2026-03-16", "10:01"), input="i1", disposition="adopted", rationale="Tema prioritario", theme="genero"),
          step("answer_input", at("2026-03-16", "10:02"), input="i2", disposition="merged", rationale="Se integra al tema", theme="genero"),
          step("prioritise_themes", at("2026-03-16", "10:03"), themes=["genero"]),
          doc("consultation_report", at("2026-03-17"), "informe-consulta"),
          step("record_sensitization_session", at("2026-03-25", "10:00"), key="sen1", held_on="2026-03-25",
               topics=["what_is_open_government", "what_is_expected_of_each_actor", "how_the_plan_will_be_built",
                       "how_it_works", "how_it_worked_elsewhere", "what_it_is_and_is_not"],
               sectors={"government": 3, "guarantor": 1, "civil_society": 5}),
          doc("report", at("2026-03-25", "11:00"), "sensibilizacion"),
          step("plan_working_table", at("2026-04-11", "10:00"), key="mesa", theme="genero", methodology="Árbol de problemas",
               call_ref="https://example.org/mx/convocatoria.pdf", facilitator="Facilitación imparcial", held_on="2026-04-15",
               sectors={"government": 2, "civil_society": 3}),
          doc("report", at("2026-04-11", "11:00"), "planeacion"),
          step("record_problem_tree", at("2026-04-21", "10:00"), key="arbol", theme="genero", problem="Brecha salarial",
               causes=[{"text": "Tabuladores opacos", "strategic": True}], effects=["Menor ingreso"],
               solutions=[{"key": "sol1", "text": "Publicar tabuladores"}]),
          doc("report", at("2026-04-21", "11:00"), "causas"),
          step("draft_commitment", at("2026-05-05", "10:00"), key="c1", theme="genero", solution="sol1",
               title="Tabuladores abiertos", problem="Brecha salarial de 18%", cause="Tabuladores opacos",
               objective="Reducir la brecha", axes=["transparency", "participation"], ambition="proactive",
               outcome="Tabuladores publicados y auditados", end_date="2027-06-01", agencies=["igualdad", "finanzas"],
               action_lines=["Publicar", "Auditar"]),
          doc("report", at("2026-05-05", "11:00"), "compromisos"),
          doc("plan", at("2026-06-05"), "plan"),
          step("plan_activity", at("2026-06-06", "10:00"), key="a1", commitment="c1", title="Publicar tabuladores",
               deliverable="Tabuladores en datos abiertos", agency="igualdad", start_date="2026-07-15", end_date="2027-05-01"),
          step("plan_activity", at("2026-06-06", "10:01"), key="a2", commitment="c1", title="Auditoría ciudadana",
               deliverable="Informe de auditoría", agency="finanzas", start_date="2026-08-01", end_date="2027-04-30"),
          step("accept_activity", at("2026-06-06", "10:02"), actor="enlace-igualdad", activity="a1"),
          step("accept_activity", at("2026-06-06", "10:03"), actor="enlace-finanzas", activity="a2"),
          step("add_indicator", at("2026-06-06", "10:04"), key="r1", commitment="c1", name="Brecha medida", kind="result",
               baseline="2025: 18%", target="10%"),
          doc("evidence", at("2026-06-06", "11:00"), "rutas"),
          doc("report", at("2026-10-05"), "avance-1"),
          step("report_progress", at("2026-12-01", "10:00"), actor="enlace-igualdad", activity="a1", status="in_progress",
               percent=40, reported_on="2026-12-01", evidence_ref="https://example.org/mx/a1-1.pdf"),
          step("report_progress", at("2026-12-01", "10:01"), actor="enlace-finanzas", activity="a2", status="in_progress",
               percent=30, reported_on="2026-12-01", evidence_ref="https://example.org/mx/a2-1.pdf"),
          step("hold_public_event", at("2027-02-15"), key="medio", kind="midterm", held_on="2027-02-15",
               minutes_ref="https://example.org/mx/minuta-medio.pdf"),
          doc("report", at("2027-03-01"), "avance-2"),
          step("report_progress", at("2027-04-30"), actor="enlace-finanzas", activity="a2", status="completed", percent=100,
               reported_on="2027-04-30", evidence_ref="https://example.org/mx/a2-2.pdf"),
          step("report_progress", at("2027-05-01"), actor="enlace-igualdad", activity="a1", status="completed", percent=100,
               reported_on="2027-05-01", evidence_ref="https://example.org/mx/a1-2.pdf"),
          step("hold_public_event", at("2027-06-10", "10:00"), key="cierre", kind="closing", held_on="2027-06-10",
               minutes_ref="https://example.org/mx/minuta-cierre.pdf"),
          step("set_final_status", at("2027-06-10", "11:00"), commitment="c1", status="fulfilled")]
    for key, day, decisions in SESSIONS:
        s += session_steps(key, day, decisions)
    return ordered(s)


def ordered(steps: list[dict]) -> list[dict]:
    """In time order (stable): the engine refuses an action dated before the last one."""
    return sorted(steps, key=lambda x: dt.datetime.fromisoformat(x["at"]))


def apply(db, steps: list[dict]) -> None:
    # Applied as the secretariat would on the report day: the engine refuses future-dated actions.
    actions.apply_many(db, copy.deepcopy(steps), clock=FixedClock(REPORT_AT))


def apply_until_refused(db, steps: list[dict]) -> CocreaError | None:
    for item in copy.deepcopy(steps):
        try:
            actions.apply_many(db, [item], clock=FixedClock(REPORT_AT))
        except CocreaError as exc:
            return exc
    return None


# --- one change each ------------------------------------------------------------------------

def _find(s: list[dict], **match: Any) -> dict:
    found = [x for x in s if all(x.get(k) == v for k, v in match.items())]
    assert len(found) == 1, (match, len(found))
    return found[0]


def _without(s: list[dict], **match: Any) -> list[dict]:
    target = _find(s, **match)
    return [x for x in s if x is not target]


def _set(s: list[dict], match: dict, **changes: Any) -> list[dict]:
    _find(s, **match).update(changes)
    return ordered(s)


def _quorum_without_civil_society(s: list[dict]) -> None:
    _find(s, action="create_process")["quorum"] = {"sectors": {"government": 1, "guarantor": 1}, "min_members": 0}


def _late_civil_society(s: list[dict]) -> list[dict]:
    _quorum_without_civil_society(s)
    for h in ("osc1", "osc2", "udg"):
        _find(s, action="add_person", handle=h)["at"] = at("2026-01-25", "09:00")
    _find(s, action="record_attendance", session="S1")["members"] = GOV_ONLY
    return ordered(s)


def _government_approves_alone(s: list[dict]) -> list[dict]:
    _quorum_without_civil_society(s)
    _find(s, action="record_attendance", session="S6")["members"] = GOV_ONLY
    return s


def _gov_only_in(*sessions: str) -> Callable[[list[dict]], list[dict]]:
    def change(s: list[dict]) -> list[dict]:
        for key in sessions:
            _find(s, action="record_attendance", session=key)["members"] = GOV_ONLY
        return s
    return change


def _drop_session(key: str) -> Callable[[list[dict]], list[dict]]:
    return lambda s: [x for x in s if x.get("session") != key and x.get("key") != key]


def _short_consultation(s: list[dict]) -> list[dict]:
    for key in ("web", "asamblea"):
        _find(s, action="open_channel", key=key)["closes_on"] = "2026-02-25"
    for key in ("i1", "i2"):
        _find(s, action="record_input", key=key)["received_on"] = "2026-02-20"
    return s


def _a1_reported_once(s: list[dict]) -> list[dict]:
    return _without(s, action="report_progress", activity="a1", status="in_progress")


def _no_progress(s: list[dict]) -> list[dict]:
    for x in s:
        if x["action"] == "report_progress":
            x.update(status="not_started", percent=0)
    _find(s, action="set_final_status")["status"] = "not_fulfilled"
    return s


#: rule id -> a change to the compliant script that breaks that rule (and only it).
BREAKERS: dict[str, Callable[[list[dict]], list[dict]]] = {
    "forum-mixed": _late_civil_society,
    "forum-cadence": _drop_session("S9"),
    "forum-rules-public": lambda s: _without(s, action="publish_document", kind="rules"),
    "non-government-approval": _government_approves_alone,
    "website": lambda s: _without(s, action="publish_document", kind="website"),
    "repository-cadence": lambda s: _without(s, action="publish_document", key="avance-2"),
    "stage-evidence": lambda s: _without(s, action="publish_document", key="sensibilizacion"),
    "minutes-published": lambda s: _set(s, {"action": "close_session", "session": "S3"}, minutes_ref=None),
    "materials-before-meetings": lambda s: _set(s, {"action": "convene_session", "key": "S4"},
                                                at=at("2026-04-20", "09:30"), scheduled_for=at("2026-04-20", "09:00")),
    "progress-reported": _a1_reported_once,
    "timeline-notice": lambda s: _set(s, {"action": "publish_document", "kind": "timeline"}, at=at("2026-02-10")),
    "outreach": lambda s: _without(s, action="publish_document", kind="outreach"),
    "channels": lambda s: _set(s, {"action": "open_channel", "key": "asamblea"}, online=True),
    "open-participation": lambda s: [x.update(open_to_all=False) for x in s if x["action"] == "open_channel"] and s,
    "inputs-documented": lambda s: _without(s, action="publish_document", kind="consultation_report"),
    "reasoned-response": lambda s: ordered(s + [doc("plan", at("2026-03-10"), "borrador-plan")]),
    "implementation-dialogue": _gov_only_in("S8", "S9"),
    "commitment-template": lambda s: _set(s, {"action": "add_indicator", "key": "r1"}, baseline=""),
    "plan-cadence": lambda s: _set(s, {"action": "record_plan_history"}, previous_plan_ended_on="2025-03-31"),
    "plan-duration": lambda s: _set(s, {"action": "create_process"}, term_months=36),
    "seat-independence": lambda s: _set(s, {"action": "add_person", "handle": "osc1"}, organisation_kind="business",
                                        organisation="Confederación Patronal"),
    "implementation-progress": _no_progress,
}

#: Rules the engine itself enforces as exit criteria: breaking them stops the process at
#: the stage move, with the criterion's code. rule id -> (change, criterion code).
ENFORCED: dict[str, tuple[Callable[[list[dict]], list[dict]], str]] = {
    "channel-excluded-groups": (lambda s: _set(s, {"action": "open_channel", "key": "asamblea"}, aimed_at_excluded=False),
                                "channel_for_excluded_groups"),
    "relevance": (lambda s: _set(s, {"action": "draft_commitment", "key": "c1"}, axes=["innovation"]),
                  "commitments_advance_core_value"),
    "milestones-verifiable": (lambda s: _set(s, {"action": "plan_activity", "key": "a2"}, end_date="2028-03-01"),
                              "activities_scheduled_within_term"),
    "result-indicators": (lambda s: _set(s, {"action": "add_indicator", "key": "r1"}, kind="management"),
                          "every_commitment_has_result_indicator"),
    "declaration-signed": (lambda s: _without(s, action="sign_declaration"), "declaration_signed_by_executive_and_guarantor"),
    "consultation-period": (_short_consultation, "consultation_open_long_enough"),
}


#: The broken rules that make the process act contrary to process (OGP's causes: a late plan, a
#: basic requirement of the minimum standards missed, no progress): its close is then the
#: secretariat's decision to close it acting contrary to process, with its reason. A plain close
#: of these is refused, and that decision for any other is refused: either way the test fails if
#: this list is wrong.
ACTS_CONTRARY = frozenset({
    "channels", "forum-cadence", "forum-mixed", "forum-rules-public", "implementation-dialogue",
    "implementation-progress", "inputs-documented", "materials-before-meetings", "non-government-approval",
    "outreach", "plan-cadence", "reasoned-response", "repository-cadence", "timeline-notice", "website"})
CONTRARY_REASON = "El plan concluyó su periodo; el secretariado lo cierra y reconoce los requisitos incumplidos"


def close_contrary(s: list[dict]) -> list[dict]:
    """The closing session's decision is to close the process acting contrary to process."""
    _find(s, action="propose_decision", key="S10-D1").update(kind="close_contrary_to_process", reason=CONTRARY_REASON)
    return s


def broken(rule_id: str, gate: bool = False, plain_close: bool = False) -> list[dict]:
    """The compliant script with one rule broken. The compliance gate (on by default) would stop
    a process that breaks a basic requirement at its stage's end, so a process that got that far
    broken was created without it (``gate=False``, explicit, and shown so on its public page).
    A process that then acts contrary to process is closed by a decision saying so, unless
    ``plain_close``."""
    s = copy.deepcopy(script())
    _find(s, action="create_process")["compliance_gate"] = gate
    change = BREAKERS[rule_id] if rule_id in BREAKERS else ENFORCED[rule_id][0]
    s = change(s)
    if rule_id in ACTS_CONTRARY and not plain_close:
        close_contrary(s)
    return ordered(s)
