"""Why a reminder is or is not sent: stable codes with Spanish and English messages."""
from __future__ import annotations

from stages.base import Reason, Text

WHY: dict[str, Text] = {
    # the planner
    "due": Text("se envía ahora", "goes out now"),
    "not_yet_due": Text("aún no toca: {due_at}", "not yet due: {due_at}"),
    "superseded": Text("sustituido por un aviso posterior de la misma serie",
                       "superseded by a later reminder of the same series"),
    "date_passed": Text("la fecha ya pasó; un aviso para esa fecha no se envía tarde",
                        "the date has passed; a notice for that date is not sent late"),
    "process_closed": Text("el proceso está cerrado", "the process is closed"),
    "process_suspended": Text("el proceso está suspendido", "the process is suspended"),
    "not_in_stage": Text("no aplica en la etapa «{stage}»", "does not apply in stage '{stage}'"),
    "kind_off": Text("este tipo de aviso está desactivado en el proceso",
                     "this kind of reminder is switched off for the process"),
    "muted": Text("la persona pidió no recibir avisos", "the person asked to receive no reminders"),
    "no_email": Text("la persona no tiene correo registrado", "the person has no email address"),
    "activity_completed": Text("la actividad se reportó concluida", "the activity was reported completed"),
    "session_held": Text("la sesión ya se realizó o se cerró", "the session has already taken place or was closed"),
    "minutes_published": Text("la minuta ya se publicó", "the minutes are published"),
    "period_reported": Text("la dependencia ya reportó el avance de este periodo",
                            "the agency has already reported this period"),
    "nothing_to_report": Text("no hay nada pendiente que avisar", "nothing is pending"),
    # the outbox
    "pending": Text("en cola de envío", "queued for sending"),
    "claimed": Text("enviándose", "being sent"),
    "sent": Text("ya enviado ({sent_at})", "already sent ({sent_at})"),
    "failed": Text("falló el envío: {error}", "sending failed: {error}"),
    "cancelled": Text("cancelado antes de enviarse: {error}", "cancelled before sending: {error}"),
}


def why(code: str, **details) -> Reason:
    return Reason(code, WHY[code], details)
