"""A complete INAI local exercise, declaration to closed, in the spirit of the guide's cases.

A Jalisco-like secretariat (eleven members in eight sectors), a consultation with an
inclusive channel, three themes (the gender pay gap, public transport, open contracting),
commitments, routes, monitoring. Each step is an action as ``cocrea apply`` reads it; two
steps are expected to be refused, to show why.
"""
from __future__ import annotations

from typing import Any, Iterator

from i18n import N_, Msg
from stages.templates import TRIPARTITE

P = "jalisco-2025"
COORD = "coordinacion"
MEMBERS = [
    ("gob", "Secretaría de Planeación del Estado", "government"),
    ("itei", "Instituto de Transparencia (ITEI)", "guarantor"),
    ("gdl", "Ayuntamiento de Guadalajara", "municipality"),
    ("congreso", "Congreso del Estado", "legislature"),
    ("judicial", "Poder Judicial del Estado", "judiciary"),
    ("osc1", "Colectivo Ciudadano por la Transparencia", "civil_society"),
    ("osc2", "Red de Mujeres Jaliscienses", "civil_society"),
    ("udg", "Universidad de Guadalajara", "academia"),
    ("iteso", "ITESO", "academia"),
    ("canaco", "Cámara de Comercio", "business"),
    ("coparmex", "Coparmex Jalisco", "business"),
]
ALL = [h for h, _, _ in MEMBERS]
THEMES = [("brecha", "Brecha salarial de género"), ("transporte", "Transporte público"),
          ("contratos", "Contrataciones abiertas")]


def _at(day: str, hour: int = 10) -> str:
    return f"{day}T{hour:02d}:00:00-06:00"


def step(action: str, day: str, hour: int = 10, actor: str = COORD, **payload: Any) -> dict:
    return {"action": action, "actor": actor, "process": P, "at": _at(day, hour), **payload}


def session(key: str, day: str, agenda: list[str], present: list[str], decisions: list[dict]) -> Iterator[dict]:
    yield step("convene_session", day, 9, key=key, scheduled_for=_at(day, 10), place="Palacio de Gobierno",
               agenda=agenda)
    yield step("record_attendance", day, 10, session=key, members=present)
    for n, d in enumerate(decisions, 1):
        yield step("propose_decision", day, 11, key=f"{key}-D{n}", session=key, **d)
        yield step("decide", day, 11, decision=f"{key}-D{n}")
    yield step("close_session", day, 13, session=key, minutes_ref=f"https://example.org/jalisco/acta-{key.lower()}.pdf")


def evidence(stage: str, day: str, title: str, kind: str = "evidence") -> dict:
    """A public document of the stage: what the standards call the repository's evidence."""
    slug = title.lower().replace(" ", "-")
    return step("publish_document", day, 12, kind=kind, title=title, stage=stage,
                ref=f"https://example.org/jalisco/{slug}.pdf")


def script() -> Iterator[tuple[str | Msg, dict, bool]]:
    """(what it shows, action, expected to be refused); what a refused step shows is a message
    for the reader (the other labels only mark the script's parts)."""
    yield "crear", {"action": "create_process", "actor": COORD, "at": _at("2025-01-15", 9), "slug": P,
                    "name": "Ejercicio local de Gobierno Abierto Jalisco 2025", "template": "inai_local",
                    "starts_on": "2025-01-15", "coordinator_name": "Coordinación del STL",
                    "coordinator_email": "coordinacion@example.org",
                    "quorum": {"sectors": dict(TRIPARTITE), "min_members": 6}}, False
    for h, name, sector in MEMBERS:
        yield "secretariado", step("add_person", "2025-01-15", handle=h, name=name, role="member", sector=sector,
                                   organisation=name, email=f"{h}@example.org"), False
    for key, name in [("semujeres", "Secretaría de Igualdad Sustantiva"), ("movilidad", "Secretaría de Transporte"),
                      ("finanzas", "Secretaría de la Hacienda Pública")]:
        yield "dependencias", step("add_agency", "2025-01-15", key=key, name=name), False
        yield "dependencias", step("add_person", "2025-01-15", handle=f"enlace-{key}", name=f"Enlace {name}",
                                   role="liaison", agency=key, email=f"enlace-{key}@example.org"), False
    yield "declaración", step("sign_declaration", "2025-01-20", signed_on="2025-01-20",
                              document_ref="https://example.org/jalisco/declaratoria.pdf",
                              signatories=[{"name": "Gobernador del Estado", "role": "Ejecutivo", "sector": "government"},
                                           {"name": "Presidencia del ITEI", "role": "Órgano garante", "sector": "guarantor"}]), False
    yield "declaración", step("publish_document", "2025-01-20", kind="rules", title="Reglas de operación del STL",
                              ref="https://example.org/jalisco/reglas.pdf"), False
    yield "declaración", step("publish_document", "2025-01-20", kind="timeline", title="Calendario y formas de participar",
                              ref="https://example.org/jalisco/calendario.pdf"), False
    yield "declaración", step("publish_document", "2025-01-20", kind="website", title="Micrositio del ejercicio",
                              ref="https://gobiernoabierto.jalisco.example/"), False
    yield "declaración", step("record_plan_history", "2025-01-20", first_plan=True), False
    for s in session("S1", "2025-01-27", ["Instalación del STL", "Paso a la consulta"], ALL,
                     [{"kind": "advance", "reason": "Declaratoria firmada y STL instalado"}]):
        yield "declaración", s, False

    # consultation
    yield "consulta", step("open_channel", "2025-02-01", key="web", kind="online", name="Consulta en línea",
                           online=True, announced_on="2025-02-01", opens_on="2025-02-16", closes_on="2025-03-15"), False
    yield "consulta", step("open_channel", "2025-02-01", key="mesas", kind="regional_table", name="Mesas regionales",
                           announced_on="2025-02-01", opens_on="2025-02-16", closes_on="2025-03-15"), False
    yield "consulta", step("open_channel", "2025-02-01", key="wixarika", kind="assembly",
                           name="Asambleas comunitarias wixárika (sin internet, en lengua propia)", aimed_at_excluded=True,
                           announced_on="2025-02-01", opens_on="2025-02-20", closes_on="2025-03-10"), False
    yield "consulta", step("publish_document", "2025-02-05", kind="outreach", stage="consultation",
                           title="Difusión en radio comunitaria y carteles en oficinas de gobierno",
                           ref="https://example.org/jalisco/difusion.pdf"), False
    inputs = [("i1", "web", "Las mujeres ganan menos por el mismo trabajo en el gobierno estatal.", "citizen"),
              ("i2", "mesas", "Las rutas de camión no llegan a las colonias periféricas.", "civil_society"),
              ("i3", "wixarika", "Las comunidades no saben en qué se gastan los contratos de caminos.", "citizen"),
              ("i4", "web", "Publicar los tabuladores de sueldos por sexo.", "academia")]
    for key, ch, text, sector in inputs:
        yield "consulta", step("record_input", "2025-03-01", key=key, channel=ch, text=text, sector=sector,
                               received_on="2025-03-01", contact_name="Persona participante",
                               contact_email=f"{key}@correo.example"), False
    for key, name in THEMES:
        yield "consulta", step("add_theme", "2025-03-16", key=key, name=name), False
    yield "consulta", step("prioritise_themes", "2025-03-16", themes=[k for k, _ in THEMES]), False
    for key, theme in [("i1", "brecha"), ("i2", "transporte"), ("i3", "contratos")]:
        yield "consulta", step("answer_input", "2025-03-17", input=key, disposition="adopted", theme=theme,
                               rationale="Se integra como tema prioritario del plan."), False
    yield "consulta", evidence("consultation", "2025-03-17", "Informe de aportaciones y respuestas razonadas",
                               kind="consultation_report"), False
    yield ("consulta: se intenta avanzar con una aportación sin respuesta razonada",
           step("convene_session", "2025-03-18", 9, key="S2", scheduled_for=_at("2025-03-18"), place="ITEI",
                agenda=["Resultados de la consulta"]), False)
    yield "consulta", step("record_attendance", "2025-03-18", session="S2", members=ALL), False
    yield "consulta", step("propose_decision", "2025-03-18", 11, key="S2-D1", session="S2", kind="advance"), False
    yield N_("moving on is proposed while input i4 has no reasoned response"), step("decide", "2025-03-18", 11, decision="S2-D1"), True
    yield "consulta", step("answer_input", "2025-03-18", 12, input="i4", disposition="merged", theme="brecha",
                           rationale="Se integra al compromiso de brecha salarial."), False
    yield "consulta", step("decide", "2025-03-18", 12, decision="S2-D1"), False
    yield "consulta", step("close_session", "2025-03-18", 13, session="S2", minutes_ref="https://example.org/jalisco/acta-s2.pdf"), False

    # sensitization
    yield "sensibilización", step("record_sensitization_session", "2025-03-25", key="sen1", held_on="2025-03-25",
                                  place="Universidad de Guadalajara",
                                  topics=["what_is_open_government", "what_is_expected_of_each_actor",
                                          "how_the_plan_will_be_built", "how_it_works", "how_it_worked_elsewhere",
                                          "what_it_is_and_is_not"],
                                  sectors={"government": 12, "guarantor": 4, "civil_society": 18, "academia": 9}), False
    yield "sensibilización", evidence("sensitization", "2025-03-26", "Memoria de la sesión de sensibilización"), False
    yield ("sensibilización: sesión sin sociedad civil presente",
           step("convene_session", "2025-04-01", 9, key="S3", scheduled_for=_at("2025-04-01"), place="Congreso",
                agenda=["Paso a la planeación"]), False)
    yield "sensibilización", step("record_attendance", "2025-04-01", session="S3",
                                  members=[h for h in ALL if h not in ("osc1", "osc2")]), False
    yield "sensibilización", step("propose_decision", "2025-04-01", 11, key="S3-D1", session="S3", kind="advance"), False
    yield N_("moving on is proposed in a session without civil society present"), step("decide", "2025-04-01", 11, decision="S3-D1"), True
    yield "sensibilización", step("record_attendance", "2025-04-01", 12, session="S3", members=["osc1"]), False
    yield "sensibilización", step("decide", "2025-04-01", 12, decision="S3-D1"), False
    yield "sensibilización", step("close_session", "2025-04-01", 13, session="S3",
                                  minutes_ref="https://example.org/jalisco/acta-s3.pdf"), False

    # planning
    for n, (key, _) in enumerate(THEMES, 1):
        yield "planeación", step("plan_working_table", "2025-04-08", key=f"mesa-{key}", theme=key,
                                 methodology="Árbol de problemas y matriz de soluciones", facilitator="Facilitación imparcial (UdeG)",
                                 call_ref=f"https://example.org/jalisco/convocatoria-{key}.pdf", held_on=f"2025-04-{14 + n}",
                                 sectors={"government": 3, "civil_society": 4, "academia": 2}), False
    yield "planeación", evidence("planning", "2025-04-09", "Metodología y convocatorias de las mesas"), False
    for s in session("S4", "2025-04-13", ["Paso a causas"], ALL, [{"kind": "advance"}]):
        yield "planeación", s, False

    # causes
    trees = {
        "brecha": ("Brecha salarial de 18% entre mujeres y hombres en el servicio público estatal",
                   ["Tabuladores opacos", "Promociones discrecionales"], ["Menor ingreso de las mujeres"],
                   "Publicar y auditar tabuladores por sexo"),
        "transporte": ("Rutas sin información pública ni participación de usuarias",
                       ["Concesiones sin datos abiertos"], ["Colonias periféricas aisladas"],
                       "Datos abiertos de rutas y contraloría ciudadana"),
        "contratos": ("Contratos de obra rural sin información para las comunidades",
                      ["Expedientes no publicados"], ["Obras inconclusas"],
                      "Contrataciones abiertas con testigos comunitarios"),
    }
    for key, (problem, causes, effects, solution) in trees.items():
        yield "causas", step("record_problem_tree", "2025-04-20", key=f"arbol-{key}", theme=key, problem=problem,
                             causes=[{"text": c, "strategic": i == 0} for i, c in enumerate(causes)], effects=effects,
                             solutions=[{"key": f"sol-{key}", "text": solution}], sdg_targets=["5.1", "16.6"]), False
    yield "causas", evidence("causes", "2025-04-21", "Árboles de problemas de las mesas"), False
    for s in session("S5", "2025-04-27", ["Paso a compromisos"], ALL, [{"kind": "advance"}]):
        yield "causas", s, False

    # commitments
    agencies = {"brecha": "semujeres", "transporte": "movilidad", "contratos": "finanzas"}
    for key, (problem, causes, _, solution) in trees.items():
        yield "compromisos", step("draft_commitment", "2025-05-06", key=f"c-{key}", theme=key, solution=f"sol-{key}",
                                  title=solution, problem=problem, cause=causes[0], objective=f"Reducir: {problem.lower()}",
                                  axes=["transparency", "participation"], ambition="innovative",
                                  outcome="Indicador publicado trimestralmente con línea base 2025",
                                  end_date="2025-12-31", agencies=[agencies[key]],
                                  action_lines=["Diagnóstico", "Publicación", "Seguimiento ciudadano"]), False
    yield "compromisos", evidence("commitments", "2025-05-07", "Borrador del plan de acción", kind="plan"), False
    for s in session("S6", "2025-05-13", ["Aprobación conjunta de compromisos", "Paso a rutas"], ALL,
                     [{"kind": "approve_commitments"}, {"kind": "advance"}]):
        yield "compromisos", s, False

    # routes
    for key, agency in agencies.items():
        for n, (title, start, end) in enumerate([("Diagnóstico y línea base", "2025-06-01", "2025-07-31"),
                                                 ("Publicación en datos abiertos", "2025-08-01", "2025-11-30")], 1):
            yield "rutas", step("plan_activity", "2025-05-20", key=f"a-{key}-{n}", commitment=f"c-{key}", title=title,
                                deliverable=f"{title} publicado", agency=agency, start_date=start, end_date=end), False
    for key, agency in agencies.items():
        for n in (1, 2):
            yield "rutas", step("accept_activity", "2025-05-22", actor=f"enlace-{agency}", activity=f"a-{key}-{n}",
                                document_ref=f"oficio-{agency}-{n}"), False
        yield "rutas", step("add_indicator", "2025-05-22", key=f"ind-{key}-r", commitment=f"c-{key}",
                            name="Cambio medido en el problema", kind="result", baseline="2025", target="-20%"), False
        yield "rutas", step("add_indicator", "2025-05-22", key=f"ind-{key}-g", commitment=f"c-{key}",
                            name="Reuniones de seguimiento", kind="management", target="6"), False
    yield "rutas", evidence("routes", "2025-05-23", "Planes de trabajo aceptados por las dependencias"), False
    for s in session("S7", "2025-05-27", ["Paso a seguimiento"], ALL, [{"kind": "advance"}]):
        yield "rutas", s, False

    # monitoring
    progress = {1: ("2025-07-31", "completed", 100), 2: ("2025-11-30", "completed", 100)}
    for n in (1, 2):
        day, status, percent = progress[n]
        if n == 2:
            yield "seguimiento", step("hold_public_event", "2025-08-20", key="medio-termino", kind="midterm",
                                      held_on="2025-08-20",
                                      minutes_ref="https://example.org/jalisco/minuta-medio-termino.pdf"), False
            for s in session("S8", "2025-09-10", ["Presentación de avances a sociedad civil"], ALL, []):
                yield "seguimiento", s, False
        for key, agency in agencies.items():
            partial = key == "transporte" and n == 2
            yield "seguimiento", step("report_progress", day, actor=f"enlace-{agency}", activity=f"a-{key}-{n}",
                                      status="in_progress" if partial else status, percent=60 if partial else percent,
                                      reported_on=day, evidence_ref=f"https://example.org/jalisco/evidencia-{key}-{n}.pdf"), False
    yield "seguimiento", step("hold_public_event", "2025-12-10", key="cierre", kind="closing", held_on="2025-12-10",
                              minutes_ref="https://example.org/jalisco/minuta-cierre.pdf"), False
    yield "seguimiento", evidence("monitoring", "2025-12-10", "Informe final de cumplimiento", kind="report"), False
    for key, status in [("brecha", "fulfilled"), ("transporte", "partially_fulfilled"), ("contratos", "fulfilled")]:
        yield "seguimiento", step("set_final_status", "2025-12-11", commitment=f"c-{key}", status=status), False
    for s in session("S9", "2025-12-15", ["Cierre del ejercicio"], ALL, [{"kind": "close"}]):
        yield "seguimiento", s, False
