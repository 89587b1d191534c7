"""What every command shares: the database it works on, the reader's language, and how a
refusal becomes a message and an exit code (0 done; 1 internal error; 2 bad input; 3 refused
by the process rules; 4 audit chain broken)."""
from __future__ import annotations

import functools
import sys
from typing import Any

import click

import migrations
from stages.errors import CocreaError
from storage import make_engine
from storage.db import database_url

LABELS = {
    "es": {"db": "Base de datos", "stage": "Etapa", "suspended": "suspendido (desde «{0}»)", "closed": "cerrado",
           "next": "Siguiente paso", "ready": "listo: se puede proponer al secretariado",
           "unmet": "Criterios por cumplir", "refused": "Rechazado", "invalid": "Datos no válidos",
           "internal": "Error interno", "applied": "{0} acciones aplicadas", "audit_ok": "Bitácora íntegra: {0} entradas verificadas",
           "audit_bad": "La bitácora NO se verifica", "term": "Plazo", "seated": "Sectores con asiento",
           "withdrawn": "Sectores retirados", "created": "Proceso creado", "none": "ninguno",
           "stopped": "Se detuvo en la acción {0} ({1})"},
    "en": {"db": "Database", "stage": "Stage", "suspended": "suspended (from '{0}')", "closed": "closed",
           "next": "Next move", "ready": "ready: can be put to the secretariat",
           "unmet": "Criteria still unmet", "refused": "Refused", "invalid": "Invalid input",
           "internal": "Internal error", "applied": "{0} actions applied", "audit_ok": "Audit trail intact: {0} entries verified",
           "audit_bad": "The audit trail does NOT verify", "term": "Term", "seated": "Seated sectors",
           "withdrawn": "Withdrawn sectors", "created": "Process created", "none": "none",
           "stopped": "Stopped at action {0} ({1})"},
}


class Ctx:
    def __init__(self, db: str | None, lang: str):
        self.url = database_url(db)
        self.lang = lang
        self._engine = None

    def t(self, key: str, *args: Any) -> str:
        return LABELS[self.lang][key].format(*args)

    @property
    def engine(self):
        if self._engine is None:
            self._engine = make_engine(self.url)
            migrations.upgrade(self._engine)
        return self._engine


def fail(ctx: Ctx, exc: CocreaError, prefix: str = "") -> None:
    head = ctx.t("invalid") if exc.exit_code == 2 else ctx.t("audit_bad") if exc.exit_code == 4 else ctx.t("refused")
    click.echo(f"{prefix}{head}:", err=True)
    for r in exc.reasons:
        click.echo(f"  - [{r.code}] {r.message(ctx.lang)}", err=True)
    sys.exit(exc.exit_code)


def guard(fn):
    """Errors of the project to their message and exit code; anything else is an internal error."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        ctx: Ctx = click.get_current_context().obj
        try:
            return fn(*args, **kwargs)
        except CocreaError as exc:
            fail(ctx, exc)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # an internal error: say so, exit 1
            click.echo(f"{ctx.t('internal')}: {type(exc).__name__}: {exc}", err=True)
            sys.exit(1)
    return wrapper
