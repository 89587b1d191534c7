"""Messages for governance, permission and input reasons (stage criteria carry their own)."""
from stages.base import Text

MESSAGES: dict[str, Text] = {
    # input
    "not_found": Text("No existe {kind} «{key}».", "There is no {kind} '{key}'."),
    "invalid_field": Text("Dato no válido en «{field}»: {problem}.", "Invalid value in '{field}': {problem}."),
    "unknown_action": Text("La acción «{action}» no existe. Acciones: {known}.", "There is no action '{action}'. Actions: {known}."),
    "bad_file": Text("No se pudo leer el archivo: {problem}.", "The file could not be read: {problem}."),
    "duplicate_key": Text("Ya existe {kind} con la clave «{key}».", "There is already a {kind} with key '{key}'."),
    "time_in_future": Text("La fecha de la acción ({at}) es posterior a este momento ({now}); no se registran hechos futuros.",
                           "The action's time ({at}) is later than now ({now}); future events are not recorded."),
    "time_goes_backwards": Text("La fecha de la acción ({at}) es anterior al último registro de la bitácora ({last}).",
                                "The action's time ({at}) is before the last audit entry ({last})."),
    # who may do what
    "actor_unknown": Text("«{actor}» no participa en el proceso.", "'{actor}' takes no part in the process."),
    "actor_not_allowed": Text("«{actor}» ({role}) no puede ejecutar «{action}»; pueden: {allowed}.",
                              "'{actor}' ({role}) may not perform '{action}'; allowed: {allowed}."),
    "vote_only_for_self": Text("Cada integrante vota solo por sí: «{actor}» no puede votar por «{member}».",
                               "Members vote only for themselves: '{actor}' cannot vote for '{member}'."),
    "only_members_vote": Text("Solo votan integrantes del secretariado; «{actor}» es {role}.",
                              "Only secretariat members vote; '{actor}' is a {role}."),
    "voter_not_present": Text("«{actor}» no está presente en la sesión {session}.", "'{actor}' is not present at session {session}."),
    "liaison_other_agency": Text("«{actor}» es enlace de otra dependencia; la actividad {activity} es de «{agency}».",
                                 "'{actor}' is the liaison of another agency; activity {activity} belongs to '{agency}'."),
    # process state
    "process_closed": Text("El proceso está cerrado; no admite cambios.", "The process is closed; it accepts no changes."),
    "process_suspended": Text("El proceso está suspendido (desde la etapa «{stage}»); solo se pueden registrar sesiones y decisiones del secretariado.",
                              "The process is suspended (from stage '{stage}'); only secretariat sessions and decisions can be recorded."),
    "not_in_stage": Text("«{action}» se registra en la etapa «{allowed}»; el proceso está en «{stage}».",
                         "'{action}' is recorded in stage '{allowed}'; the process is in '{stage}'."),
    "move_not_allowed": Text("No se puede «{event}» desde «{stage}».", "Cannot '{event}' from '{stage}'."),
    "reopen_needs_earlier_stage": Text("Solo se puede reabrir una etapa anterior a «{stage}»; «{target}» no lo es.",
                                       "Only a stage before '{stage}' can be reopened; '{target}' is not."),
    "reason_required": Text("Hace falta una razón escrita.", "A written reason is required."),
    "required_sector_withdrawn": Text("Sectores requeridos retirados del secretariado: {items}.",
                                      "Required sectors withdrawn from the secretariat: {items}."),
    "sector_already_withdrawn": Text("El sector «{sector}» ya se había retirado.", "Sector '{sector}' has already withdrawn."),
    "sector_not_withdrawn": Text("El sector «{sector}» no está retirado.", "Sector '{sector}' has not withdrawn."),
    # sessions and decisions
    "session_closed": Text("La sesión {session} ya se cerró.", "Session {session} is closed."),
    "session_not_quorate": Text("La sesión {session} no tiene quórum: {items}.", "Session {session} is not quorate: {items}."),
    "quorum_sector_missing": Text("falta {sector} (presentes {present} de {needed})", "{sector} missing ({present} of {needed} present)"),
    "quorum_members_missing": Text("faltan integrantes (presentes {present} de {needed})", "members missing ({present} of {needed} present)"),
    "majority_only_in_extraordinary_session": Text(
        "La votación por mayoría solo procede en sesión extraordinaria con justificación escrita; la sesión {session} no lo es.",
        "A majority vote is allowed only in an extraordinary session with a written justification; session {session} is not one."),
    "extraordinary_needs_justification": Text("Una sesión extraordinaria requiere justificación escrita.",
                                              "An extraordinary session requires a written justification."),
    "decision_not_open": Text("La decisión {decision} ya fue tomada ({status}).", "Decision {decision} was already taken ({status})."),
    "decision_kind_not_in_stage": Text("Una decisión «{kind}» no procede en la etapa «{stage}».",
                                       "A '{kind}' decision is not possible in stage '{stage}'."),
    "decision_stale": Text("La decisión {decision} ({kind}) se propuso con el proceso en «{proposed_in}» y ahora está en "
                           "«{stage}»: el proceso cambió desde la propuesta; propóngala de nuevo.",
                           "Decision {decision} ({kind}) was proposed while the process was in '{proposed_in}' and it "
                           "is now in '{stage}': the process moved since; propose it again."),
    "no_commitments_to_approve": Text("No hay compromisos en borrador que aprobar.", "There are no draft commitments to approve."),
    "commitment_agreed_needs_decision": Text("El compromiso {commitment} ya fue acordado: solo cambia por decisión del secretariado (amend_commitment).",
                                             "Commitment {commitment} is agreed: it changes only by a decision of the secretariat (amend_commitment)."),
    "commitment_lacks_civil_society": Text("Ningún integrante de sociedad civil presente respaldó el plan: {detail}.",
                                           "No civil-society member present endorsed the plan: {detail}."),
    "activity_not_accepted": Text("La actividad {activity} aún no ha sido aceptada por su dependencia.",
                                  "Activity {activity} has not been accepted by its agency yet."),
    "dates_out_of_order": Text("La fecha de inicio ({start}) es posterior a la de término ({end}).",
                               "The start date ({start}) is after the end date ({end})."),
}

MESSAGES.update({
    "audit_hash_mismatch": Text("Bitácora: la entrada {seq} fue alterada (su hash no coincide).",
                                "Audit: entry {seq} was altered (its hash does not match)."),
    "audit_link_broken": Text("Bitácora: la entrada {seq} no enlaza con la anterior.",
                              "Audit: entry {seq} does not link to the previous one."),
    "audit_sequence_gap": Text("Bitácora: se esperaba la entrada {expected} y aparece la {seq} (faltan o sobran entradas).",
                               "Audit: expected entry {expected}, found {seq} (entries missing or added)."),
    "audit_columns_altered": Text("Bitácora: las columnas de la entrada {seq} no coinciden con su contenido firmado.",
                                  "Audit: the columns of entry {seq} do not match its signed body."),
})

MESSAGES.update({
    "credentials_only_own": Text("«{actor}» solo puede cambiar sus propias credenciales, no las de «{handle}».",
                                 "'{actor}' may change only their own credentials, not those of '{handle}'."),
    "credentials_nothing_to_set": Text("Indique una contraseña, un token o la revocación del token.",
                                       "Give a password, a token, or revoke the token."),
})

# compliance actions (workflow/actions/compliance.py)
MESSAGES.update({
    "commitment_not_agreed": Text("El compromiso {commitment} aún no está acordado: la valoración tipo IRM es de compromisos del plan.",
                                  "Commitment {commitment} is not agreed yet: IRM-style assessment is for the plan's commitments."),
    "assessment_empty": Text("Indique al menos una valoración (potential_for_results, potential_impact o early_results).",
                             "Give at least one judgement (potential_for_results, potential_impact or early_results)."),
    "previous_plan_end_required": Text("Si no es el primer plan, indique cuándo terminó el anterior (previous_plan_ended_on).",
                                       "If this is not the first plan, give the previous plan's end date (previous_plan_ended_on)."),
    "nothing_to_configure": Text("No se indicó ningún cambio (ruleset, gate o settings).",
                                 "No change was given (ruleset, gate or settings)."),
})

MESSAGES.update({
    "replay_failed": Text("No se pudo reconstruir el proceso al {at}: la entrada {seq} de la bitácora ({action}) no se pudo repetir: {problem}.",
                          "The process could not be rebuilt as of {at}: audit entry {seq} ({action}) could not be replayed: {problem}."),
    "bad_as_of": Text("Fecha no válida para --as-of: «{value}» (AAAA-MM-DD o fecha y hora ISO).",
                      "Invalid --as-of date: '{value}' (YYYY-MM-DD or an ISO date and time)."),
})
