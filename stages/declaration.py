"""Stage 1, *Sumarse a gobierno abierto*: declaration of political will and the secretariat."""
from __future__ import annotations

from .base import Criterion, Records, Stage, Text


def _declaration_signed(r: Records) -> list:
    for d in r.declarations:
        sectors = {s.get("sector") for s in (d.signatories or [])}
        if d.signed_on and d.document_ref and {"government", "guarantor"} <= sectors:
            return []
    return ["declaration"]


def _secretariat_installed(r: Records) -> list:
    withdrawn = r.withdrawn_sectors()
    seated: dict[str, int] = {}
    for m in r.members:
        seated[m.sector] = seated.get(m.sector, 0) + 1
    return [s for s, need in r.required_sectors.items()
            if s in withdrawn or seated.get(s, 0) < max(need, 1)]


STAGE = Stage(
    name="declaration",
    title=Text("Sumarse a gobierno abierto", "Joining open government"),
    records=("sign_declaration",),
    criteria=(
        Criterion(
            "declaration_signed_by_executive_and_guarantor",
            Text("Falta la declaratoria firmada por el ejecutivo y el órgano garante, con fecha y documento.",
                 "The declaration signed by the executive and the guarantor body, with date and document, is missing."),
            _declaration_signed,
        ),
        Criterion(
            "secretariat_installed_with_required_sectors",
            Text("El secretariado no tiene asiento ocupado por estos sectores requeridos: {items}.",
                 "The secretariat has no seated member for these required sectors: {items}."),
            _secretariat_installed,
        ),
    ),
)
