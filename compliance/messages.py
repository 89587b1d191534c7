"""Labels and reasons of the compliance report, in Spanish (default) and English."""
from __future__ import annotations

from stages.base import Text

STATUS = {
    "met": Text("Cumple", "Met"),
    "not_met": Text("No cumple", "Not met"),
    "not_applicable": Text("No aplica", "Not applicable"),
    "not_enough_data": Text("Sin datos suficientes", "Not enough data"),
}
PENDING = Text("aún no exigible: vence {due}", "not due yet: due {due}")
LEVEL = {"basic": Text("básico", "basic"), "advanced": Text("avanzado", "advanced")}
PHASE = {
    "throughout": Text("A lo largo del ciclo", "Throughout the cycle"),
    "development": Text("Durante el desarrollo del plan de acción", "During development of the action plan"),
    "implementation": Text("Durante la implementación, monitoreo y reporte",
                           "During implementation, monitoring and reporting"),
}
COMPONENT = {
    "dissemination": Text("Difusión de información", "Dissemination of information"),
    "dialogue": Text("Espacios y plataformas de diálogo y cocreación", "Spaces and platforms for dialogue and co-creation"),
    "ownership": Text("Apropiación y toma de decisiones conjunta", "Co-ownership and joint decision-making"),
}
PHASE_SHORT = {"throughout": Text("Todo el ciclo", "Whole cycle"), "development": Text("Desarrollo del plan", "Plan development"),
               "implementation": Text("Implementación", "Implementation")}
COMPONENT_SHORT = {"dissemination": Text("Difusión", "Dissemination"), "dialogue": Text("Diálogo", "Dialogue"),
                   "ownership": Text("Apropiación", "Co-ownership")}
STANDARD = {
    "1": Text("Estándar 1. Espacio de diálogo y colaboración permanente (foro multiactor; el secretariado)",
              "Standard 1. A space for ongoing dialogue and collaboration (the multi-stakeholder forum; the secretariat)"),
    "2": Text("Estándar 2. Información abierta, accesible y oportuna sobre actividades y avances",
              "Standard 2. Open, accessible and timely information about activities and progress"),
    "3": Text("Estándar 3. Oportunidades incluyentes e informadas de participación en la cocreación",
              "Standard 3. Inclusive and informed opportunities for public participation during co-creation"),
    "4": Text("Estándar 4. Respuesta razonada y diálogo continuo durante la cocreación",
              "Standard 4. A reasoned response and ongoing dialogue during co-creation"),
    "5": Text("Estándar 5. Diálogo y colaboración incluyentes durante la implementación y el monitoreo",
              "Standard 5. Inclusive dialogue and collaboration during implementation and monitoring"),
    "commitments": Text("Diseño de los compromisos (criterios del IRM y de la guía)",
                        "Design of the commitments (IRM and guide criteria)"),
    "process": Text("Calendario del plan y avance (criterios de actuación contraria al proceso)",
                    "Plan calendar and progress (acting-contrary-to-process criteria)"),
}
STAGE_END = {
    "declaration": Text("al terminar la etapa de declaratoria", "when the declaration stage ends"),
    "consultation": Text("al terminar la consulta", "when the consultation ends"),
    "sensitization": Text("al terminar la sensibilización", "when sensitization ends"),
    "planning": Text("al terminar la planeación", "when planning ends"),
    "causes": Text("al terminar el análisis de causas", "when the causes stage ends"),
    "commitments": Text("al terminar la creación de compromisos", "when the commitments stage ends"),
    "routes": Text("al terminar las rutas de implementación", "when the routes stage ends"),
    "monitoring": Text("al cerrar el seguimiento", "when monitoring closes"),
}
KIND = {
    "session": Text("sesión", "session"), "document": Text("documento", "document"),
    "decision": Text("decisión", "decision"), "channel": Text("canal", "channel"),
    "input": Text("aportación", "input"), "commitment": Text("compromiso", "commitment"),
    "activity": Text("actividad", "activity"), "indicator": Text("indicador", "indicator"),
    "progress_report": Text("reporte de avance", "progress report"), "sector": Text("sector", "sector"),
    "member": Text("integrante", "member"), "stage": Text("etapa", "stage"), "gap": Text("intervalo", "gap"),
    "window": Text("periodo", "window"), "setting": Text("ajuste", "setting"),
    "declaration": Text("declaratoria", "declaration"), "plan": Text("plan", "plan"),
    "sectors": Text("sectores", "sectors"),
}
LABELS = {
    "title": Text("Cumplimiento de los estándares de participación y cocreación",
                  "Compliance with the participation and co-creation standards"),
    "ruleset": Text("Conjunto de reglas", "Rule set"), "as_of": Text("Al", "As of"),
    "stage": Text("Etapa", "Stage"), "summary": Text("Resumen", "Summary"),
    "evidence": Text("Evidencia", "Evidence"), "missing": Text("Falta", "Missing"),
    "next": Text("Siguiente paso", "Next step"), "more": Text("y {n} más", "and {n} more"),
    "level": Text("Nivel", "Level"), "requirement": Text("Requisito", "Requirement"),
    "status": Text("Estado", "Status"), "contrary": Text("Actuación contraria al proceso (criterio de OGP)",
                                                         "Acting contrary to process (OGP criterion)"),
    "contrary_yes": Text("Sí: el proceso actúa contrario al proceso por estas causas:",
                         "Yes: the process acts contrary to process for these causes:"),
    "contrary_no": Text("No: ninguna de las tres causas se presenta.", "No: none of the three causes is present."),
    "review": Text("Segundo plan consecutivo en esta situación: procede una revisión de procedimiento de OGP.",
                   "Second plan in a row in this situation: OGP's procedural review applies."),
    "commitments": Text("Compromisos: valoración al estilo del IRM", "Commitments: IRM-style assessment"),
    "derived": Text("derivado de los registros", "derived from the records"),
    "recorded": Text("registrado por el secretariado", "recorded by the secretariat"),
    "not_recorded": Text("sin registrar", "not recorded"),
    "ambition": Text("Nivel de ambición (guía)", "Ambition level (guide)"),
    "examples": Text("Ejemplos de la tabla «Niveles de apertura en un Gobierno Abierto»",
                     "Examples from the table 'Niveles de apertura en un Gobierno Abierto'"),
    "to_raise": Text("Para subir a «{level}»", "To reach '{level}'"),
    "generated": Text("Generado por cocrea a partir de los registros del proceso; sin datos personales.",
                      "Generated by cocrea from the process's own records; no personal data."),
    "grid": Text("Cuadro por fase y componente", "Grid by phase and component"),
    "compliant": Text("Cumple todos los requisitos básicos exigibles.", "Meets every basic requirement due."),
    "not_compliant": Text("No cumple {n} requisito(s) básico(s).", "{n} basic requirement(s) not met."),
    "ned_basic": Text("{n} requisito(s) básico(s) sin datos suficientes.", "{n} basic requirement(s) without enough data."),
    "line": Text("{met} cumplen, {not_met} no cumplen, {not_applicable} no aplican, {not_enough_data} sin datos suficientes; "
                 "{total} requisitos ({ruleset} v{version}, al {as_of}).",
                 "{met} met, {not_met} not met, {not_applicable} not applicable, {not_enough_data} not enough data; "
                 "{total} requirements ({ruleset} v{version}, as of {as_of})."),
    "to_do": Text("Por atender", "To do"),
    "closed": Text("cerrado", "closed"), "suspended": Text("suspendido", "suspended"),
}
CONTRARY = {
    "late_plan": Text("(a) No se publicó un nuevo plan dentro de los {months} meses siguientes al fin del anterior.",
                      "(a) No new plan was published within {months} months of the previous plan's end."),
    "minimum_requirement": Text("(b) No cumple requisitos mínimos: {rules}.", "(b) Minimum requirements missed: {rules}."),
    "no_progress": Text("(c) Ningún compromiso muestra avance en su implementación.",
                        "(c) No commitment shows any implementation progress."),
}
IRM = {
    "verifiability": Text("Verificabilidad", "Verifiability"),
    "relevance": Text("Relevancia a los valores de OGP", "Relevance to OGP values"),
    "potential_for_results": Text("Potencial de resultados", "Potential for results"),
    "potential_impact": Text("Impacto potencial (escala anterior)", "Potential impact (older scale)"),
    "completion": Text("Nivel de cumplimiento", "Completion"),
    "early_results": Text("Resultados tempranos (¿abrió el gobierno?)", "Early results (did it open government?)"),
    "starred": Text("Compromiso estelar (informes anteriores)", "Starred commitment (older reports)"),
    "notes": Text("Notas", "Notes"),
}
VALUES = {
    "verifiable": Text("verificable", "verifiable"), "not_verifiable": Text("no verificable", "not verifiable"),
    "relevant": Text("relevante", "relevant"), "not_relevant": Text("no relevante", "not relevant"),
    "unclear": Text("poco claro", "unclear"), "modest": Text("modesto", "modest"),
    "substantial": Text("sustancial", "substantial"),
    "none": Text("ninguno", "none"), "minor": Text("menor", "minor"), "moderate": Text("moderado", "moderate"),
    "transformative": Text("transformador", "transformative"),
    "no_evidence": Text("sin evidencia", "no evidence available"), "not_started": Text("no iniciado", "not started"),
    "limited": Text("limitado", "limited"), "complete": Text("completo", "complete"),
    "worsened": Text("empeoró", "worsened"), "did_not_change": Text("no cambió", "did not change"),
    "marginal": Text("marginal", "marginal"), "major": Text("importante", "major"),
    "outstanding": Text("sobresaliente", "outstanding"),
    "yes": Text("sí", "yes"), "no": Text("no", "no"),
    "transparency": Text("transparencia y acceso a la información", "transparency and access to information"),
    "participation": Text("participación ciudadana", "civic participation"),
    "accountability": Text("rendición de cuentas", "public accountability"),
    "innovation": Text("innovación cívica y tecnológica", "civic and technological innovation"),
    "structural": Text("estructural", "structural"), "proactive": Text("proactivo", "proactive"),
    "innovative": Text("innovador", "innovative"),
}
MESSAGES = {
    "bad_setting": Text("Ajuste de cumplimiento no válido «{setting}»: {problem}.",
                        "Invalid compliance setting '{setting}': {problem}."),
    "unknown_ruleset": Text("No existe el conjunto de reglas «{ruleset}». Disponibles: {known}.",
                            "There is no rule set '{ruleset}'. Available: {known}."),
    "bad_ruleset": Text("Conjunto de reglas no válido: {problem}.", "Invalid rule set: {problem}."),
    "unknown_rule": Text("El conjunto de reglas nombra una regla que no existe: «{rule}». Reglas: {known}.",
                         "The rule set names a rule that does not exist: '{rule}'. Rules: {known}."),
    "gate": Text("Requisito básico no cumplido, exigido para salir de la etapa: {text}",
                 "Basic requirement not met, required to leave the stage: {text}"),
}
