"""Stage 1, *Sumarse a gobierno abierto*: declaration of political will and the secretariat."""
from __future__ import annotations

from i18n import N_

from .base import Criterion, Records, Stage


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
    records=("sign_declaration",),
    reads=("declarations", "people", "withdrawals"),
    criteria=(
        Criterion(
            "declaration_signed_by_executive_and_guarantor",
            N_("The declaration signed by the executive and the guarantor body, with date and document, is missing."),
            _declaration_signed,
        ),
        Criterion(
            "secretariat_installed_with_required_sectors",
            N_("The secretariat has no seated member for these required sectors: {items:sector}."),
            _secretariat_installed,
        ),
    ),
)
