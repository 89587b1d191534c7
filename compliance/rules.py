"""Every rule the checker knows, in one explicit ordered registry (no registration by import).

Each rule states its pass condition (``condition``), the 2022 standard it serves, its cell
in the 2017 grid (phase x component), its default level, the stage at whose end it is due,
the records it reads and the settings it uses. Rule sets (``compliance.rulesets``) pick
rules from here and may change their level and settings.
"""
from __future__ import annotations

from stages import STAGE_NAMES
from stages.base import Text as T

from . import rules_cycle as cy
from . import rules_development as dv
from . import rules_implementation as im
from .model import COMPONENTS, LEVELS, PHASES, STANDARD_GROUPS, Rule
from .settings import SETTINGS


def _r(id, title, condition, standard, phase, component, level, due, reads, settings, check) -> Rule:
    return Rule(id, title, condition, standard, phase, component, level, due, tuple(reads), tuple(settings), check)


RULES: tuple[Rule, ...] = (
    _r("forum-mixed", T("Secretariado mixto con los sectores requeridos", "Mixed secretariat with the required sectors"),
       T("Antes de iniciar la consulta hay al menos un integrante de gobierno y uno no gubernamental, y todos los sectores requeridos tienen asiento.",
         "Before the consultation starts there is at least one government and one non-government member, and every required sector is seated."),
       "1", "throughout", "ownership", "basic", "declaration", ("people", "withdrawals", "stage_changes"),
       ("government_sectors",), cy.forum_mixed),
    _r("forum-cadence", T("El secretariado sesiona con regularidad", "The secretariat meets regularly"),
       T("Desde la instalación hasta hoy (o el cierre) no pasan más de {forum_max_gap_months} meses entre sesiones celebradas.",
         "From installation to now (or the close) no more than {forum_max_gap_months} months pass between sessions held."),
       "1", "throughout", "dialogue", "basic", None, ("sessions", "attendance"), ("forum_max_gap_months",), cy.forum_cadence),
    _r("forum-rules-public", T("Reglas del secretariado públicas", "The secretariat's rules are public"),
       T("Las reglas de funcionamiento y participación del secretariado están publicadas (documento público tipo «rules»).",
         "The secretariat's operating and participation rules are published (a public document of kind 'rules')."),
       "1", "throughout", "ownership", "basic", "declaration", ("documents",), (), cy.forum_rules_public),
    _r("non-government-approval", T("Plan aprobado con el acuerdo de sociedad civil", "Plan approved with civil society's agreement"),
       T("Cada versión acordada de cada compromiso se aprobó por decisión con integrantes no gubernamentales presentes y sin su objeción (consenso), o con su voto a favor por sector (mayoría).",
         "Every agreed version of every commitment was approved by a decision with non-government members present and not objecting (consensus), or voting for it by sector (majority)."),
       "1", "development", "ownership", "basic", "commitments", ("commitments", "commitment_versions", "decisions", "people"),
       ("government_sectors",), dv.non_government_approval),
    _r("website", T("Página pública del proceso", "Public page of the process"),
       T("Una página web pública del proceso (documento tipo «website» con URL) existe desde antes de iniciar la consulta.",
         "A public web page of the process (a document of kind 'website' with a URL) exists from before the consultation starts."),
       "2", "throughout", "dissemination", "basic", "declaration", ("documents", "stage_changes"), (), cy.website),
    _r("repository-cadence", T("Repositorio actualizado", "Repository kept up to date"),
       T("Todo periodo de {repository_window_months} meses del ciclo tiene al menos {repository_min_updates} publicaciones fechadas en el repositorio.",
         "Every {repository_window_months}-month window of the cycle has at least {repository_min_updates} dated publications in the repository."),
       "2", "throughout", "dissemination", "basic", None, ("documents",), ("repository_min_updates", "repository_window_months"),
       cy.repository_cadence),
    _r("stage-evidence", T("Evidencia pública de cada etapa", "Public evidence of every stage"),
       T("Cada etapa concluida tiene al menos un documento público atribuido a ella.",
         "Every ended stage has at least one public document attributed to it."),
       "2", "throughout", "dissemination", "advanced", "*", ("documents", "stage_changes"), (), cy.stage_evidence),
    _r("minutes-published", T("Minutas públicas de las sesiones", "Public minutes of the sessions"),
       T("La minuta de cada sesión cerrada se publica dentro de {minutes_max_days} días.",
         "The minutes of every closed session are published within {minutes_max_days} days."),
       "2", "throughout", "dissemination", "advanced", None, ("sessions",), ("minutes_max_days",), cy.minutes_published),
    _r("materials-before-meetings", T("Información antes de cada sesión", "Information before each session"),
       T("El orden del día y los materiales de cada sesión se publican antes de la sesión (al menos {materials_notice_hours} h antes).",
         "Each session's agenda and materials are published before it (at least {materials_notice_hours} h before)."),
       "2", "throughout", "dissemination", "basic", None, ("sessions",), ("materials_notice_hours",), cy.materials_before_meetings),
    _r("progress-reported", T("Avances reportados con regularidad", "Progress reported regularly"),
       T("Durante la implementación, ninguna actividad iniciada pasa más de {progress_max_months} meses sin reporte de avance hasta concluir.",
         "During implementation, no started activity goes more than {progress_max_months} months without a progress report until it is completed."),
       "2", "implementation", "dissemination", "advanced", None, ("activities", "progress_reports", "stage_changes"),
       ("progress_max_months", "implementation_starts_at"), im.progress_reported),
    _r("timeline-notice", T("Calendario publicado con anticipación", "Timeline published in advance"),
       T("El calendario y las formas de participar se publican al menos {timeline_notice_days} días antes de la primera actividad de consulta.",
         "The timeline and ways to take part are published at least {timeline_notice_days} days before the first consultation activity."),
       "3", "development", "dissemination", "basic", "consultation", ("documents", "channels"), ("timeline_notice_days",),
       dv.timeline_notice),
    _r("outreach", T("Difusión de la consulta", "Outreach about the consultation"),
       T("Al menos {outreach_min_activities} actividad(es) de difusión registradas antes del cierre de la consulta.",
         "At least {outreach_min_activities} outreach activit(y/ies) recorded before the consultation closes."),
       "3", "development", "dissemination", "basic", "consultation", ("documents", "channels"), ("outreach_min_activities",),
       dv.outreach),
    _r("channels", T("Canales en línea y presenciales", "Online and in-person channels"),
       T("La consulta tiene al menos un canal en línea y uno presencial.",
         "The consultation has at least one online and one in-person channel."),
       "3", "development", "dialogue", "basic", "consultation", ("channels",), (), dv.channels),
    _r("channel-excluded-groups", T("Canal para grupos excluidos", "A channel for excluded groups"),
       T("Al menos un canal de consulta se dirige a grupos tradicionalmente excluidos.",
         "At least one consultation channel is aimed at traditionally excluded groups."),
       "3", "development", "dialogue", "advanced", "consultation", ("channels",), (), dv.channel_excluded_groups),
    _r("open-participation", T("Participación abierta a cualquier persona", "Participation open to anyone"),
       T("Al menos una actividad de consulta está abierta a cualquier persona.",
         "At least one consultation activity is open to anyone."),
       "3", "development", "dialogue", "advanced", "consultation", ("channels",), (), dv.open_participation),
    _r("consultation-period", T("Periodo razonable y diversidad de aportaciones", "A reasonable period and a range of stakeholders"),
       T("La consulta recibe aportaciones durante al menos {consultation_min_days} días, de al menos {consultation_min_sectors} sectores.",
         "The consultation takes input for at least {consultation_min_days} days, from at least {consultation_min_sectors} sectors."),
       "3", "development", "dialogue", "basic", "consultation", ("channels", "inputs"),
       ("consultation_min_days", "consultation_min_sectors"), dv.consultation_period),
    _r("inputs-documented", T("Aportaciones documentadas", "Inputs documented"),
       T("Un informe público de la consulta (tipo «consultation_report», sin datos personales) se publica después de la última aportación.",
         "A public consultation report (kind 'consultation_report', personal data removed) is published after the last input."),
       "4", "development", "dissemination", "basic", "consultation", ("inputs", "documents"), (), dv.inputs_documented),
    _r("reasoned-response", T("Respuesta razonada a cada aportación", "A reasoned response to every input"),
       T("Cada aportación tiene disposición (adoptada, integrada, no adoptada) y justificación, registradas antes de publicar el plan.",
         "Every input has a disposition (adopted, merged, not adopted) and a rationale, recorded before the plan is published."),
       "4", "development", "dissemination", "basic", "consultation", ("inputs", "documents"), (), dv.reasoned_response),
    _r("implementation-dialogue", T("Diálogo con sociedad civil durante la implementación", "Dialogue with civil society during implementation"),
       T("Durante la implementación, el secretariado sesiona con sociedad civil al menos {implementation_min_sessions_per_year} veces por año.",
         "During implementation, the secretariat meets with civil society at least {implementation_min_sessions_per_year} times a year."),
       "5", "implementation", "dialogue", "basic", None, ("sessions", "attendance", "people", "stage_changes"),
       ("implementation_min_sessions_per_year", "implementation_starts_at", "government_sectors"), im.implementation_dialogue),
    _r("commitment-template", T("Ficha completa de cada compromiso", "A complete template for every commitment"),
       T("Cada compromiso acordado tiene problema, objetivo, resultado esperado, ejes, fecha de término, dependencia, al menos un hito y una línea base.",
         "Every agreed commitment has a problem, objective, expected result, axes, end date, agency, at least one milestone and a baseline."),
       "commitments", "development", "ownership", "advanced", "routes", ("commitments", "activities", "indicators"), (),
       dv.commitment_template),
    _r("milestones-verifiable", T("Hitos verificables", "Verifiable milestones"),
       T("Cada actividad tiene un entregable verificable, dependencia responsable, y fechas con inicio <= término dentro del plazo del plan.",
         "Every activity has a verifiable deliverable, a responsible agency, and dates with start <= end inside the plan's term."),
       "commitments", "development", "ownership", "basic", "routes", ("activities",), (), dv.milestones_verifiable),
    _r("relevance", T("Relevancia a los valores de OGP", "Relevance to OGP values"),
       T("Cada compromiso avanza transparencia, participación ciudadana o rendición de cuentas (la innovación cuenta solo junto a uno de ellos).",
         "Every commitment advances transparency, civic participation or accountability (innovation counts only on top of one)."),
       "commitments", "development", "ownership", "basic", "commitments", ("commitments",), (), dv.relevance),
    _r("result-indicators", T("Indicadores de resultado", "Result indicators"),
       T("La ruta de cada compromiso acordado tiene al menos un indicador de resultado, no solo de gestión.",
         "Every agreed commitment's route has at least one result indicator, not only management ones."),
       "commitments", "implementation", "ownership", "advanced", "routes", ("commitments", "indicators"), (), dv.result_indicators),
    _r("plan-cadence", T("Nuevo plan a tiempo", "New plan on time"),
       T("El plan se publica dentro de los {plan_cadence_months} meses siguientes al fin del plan anterior.",
         "The plan is published within {plan_cadence_months} months of the previous plan's end."),
       "process", "throughout", "ownership", "basic", None, ("process.settings.plan_history", "documents"),
       ("plan_cadence_months",), cy.plan_cadence),
    _r("plan-duration", T("Duración admitida del plan", "Allowed plan duration"),
       T("La duración del plan es una de las admitidas por el conjunto de reglas: {plan_durations_months} meses.",
         "The plan's duration is one the rule set allows: {plan_durations_months} months."),
       "process", "throughout", "ownership", "basic", None, ("process.term_months",), ("plan_durations_months",), cy.plan_duration),
    _r("implementation-progress", T("Avance en la implementación", "Implementation progress"),
       T("Al final del plan, al menos un compromiso pasó de «no iniciado».",
         "By the end of the plan, at least one commitment moved past 'not started'."),
       "process", "implementation", "ownership", "basic", "monitoring", ("commitments", "activities", "progress_reports"),
       ("implementation_starts_at",), im.implementation_progress),
    _r("declaration-signed", T("Declaratoria firmada", "Declaration signed"),
       T("La declaratoria de voluntad política está firmada por el ejecutivo y el órgano garante, con fecha y documento.",
         "The declaration of political will is signed by the executive and the guarantor body, with date and document."),
       "process", "throughout", "ownership", "basic", "declaration", ("declarations",), (), cy.declaration_signed),
)

BY_ID: dict[str, Rule] = {r.id: r for r in RULES}


def _validate() -> None:
    ids = [r.id for r in RULES]
    if len(ids) != len(set(ids)):
        raise ValueError("rule ids used twice")
    for r in RULES:
        if r.standard not in STANDARD_GROUPS or r.phase not in PHASES or r.component not in COMPONENTS:
            raise ValueError(f"rule {r.id}: bad grouping")
        if r.level not in LEVELS:
            raise ValueError(f"rule {r.id}: bad level")
        if r.due not in (None, "*", *STAGE_NAMES):
            raise ValueError(f"rule {r.id}: bad due stage {r.due}")
        unknown = set(r.settings) - set(SETTINGS)
        if unknown:
            raise ValueError(f"rule {r.id}: unknown settings {sorted(unknown)}")


_validate()
