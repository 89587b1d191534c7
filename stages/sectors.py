"""Sector names as shown to people. Sectors are data; unknown ones show their code."""
from __future__ import annotations

from .base import Text

SECTORS: dict[str, Text] = {
    "government": Text("gobierno (poder ejecutivo)", "government (executive)"),
    "guarantor": Text("órgano garante", "guarantor body"),
    "civil_society": Text("sociedad civil", "civil society"),
    "legislature": Text("poder legislativo", "legislature"),
    "judiciary": Text("poder judicial", "judiciary"),
    "municipality": Text("municipio", "municipality"),
    "academia": Text("academia", "academia"),
    "business": Text("sector empresarial", "business"),
    "citizen": Text("ciudadanía", "citizens"),
}


def sector_label(code: str, lang: str = "es") -> str:
    text = SECTORS.get(code)
    return text.render(lang) if text else code
