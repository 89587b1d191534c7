"""Who holds the secretariat's seats: a non-government seat held by an organisation whose kind
puts the seat's independence at risk (a business confederation in the civil-society seat, as
in Morelos) is flagged.

Which sectors' seats must be independent (``independent_sectors``) and which kinds of
organisation put that at risk (``independence_risk_kinds``) are settings; a member's
``organisation_kind`` is recorded with ``add_person`` or ``update_person``.
"""
from __future__ import annotations

from i18n import N_, NN_

from .facts import Facts
from .model import Item, Result, counted, met, not_applicable, not_enough_data, not_met


def seat_independence(f: Facts) -> Result:
    risky, independent = set(f.s["independence_risk_kinds"]), set(f.s["independent_sectors"])
    members = [p for p in f.members_at(f.as_of) if p.sector in independent]
    if not members:
        return not_applicable(N_("No seat of a sector that must be independent is held now."))
    unclear = [p for p in members if getattr(p, "organisation_kind", None) == "other"]
    if unclear:
        return not_enough_data(
            NN_("{count} seat that must be independent is held by an organisation of an unstated kind.",
                "{count} seats that must be independent are held by organisations of an unstated kind."),
            count=len(unclear), missing=[Item("member", p.handle) for p in unclear],
            next_step=N_("Record what kind of organisation holds each seat ('{action:action}')."),
            action="update_person")
    flagged = [p for p in members if getattr(p, "organisation_kind", None) in risky]
    evidence = [Item("member", p.handle, note=N_("{organisation}, {kind:organisation_kind}"),
                     fields={"organisation": getattr(p, "organisation", None) or p.handle, "kind": p.organisation_kind})
                for p in flagged]
    if not flagged:
        seated = len(members)
        held = [Item("member", p.handle, fields={"organisation": getattr(p, "organisation", None) or p.handle},
                     note=N_("{organisation}")) for p in members]
        return met(N_("On {date}: {seated}, none held by an organisation whose kind puts its independence at risk."),
                   date=f.iso(f.as_of), evidence=held,
                   seated=counted(NN_("{count} seat that must be independent", "{count} seats that must be independent"),
                                  seated))
    return not_met(NN_("On {date}, {count} seat that must be independent is held by an organisation whose kind puts "
                       "its independence at risk (e.g. a business organisation in the civil-society seat).",
                       "On {date}, {count} seats that must be independent are held by organisations whose kind puts "
                       "their independence at risk (e.g. a business organisation in the civil-society seat)."),
                   date=f.iso(f.as_of), count=len(flagged), missing=evidence,
                   next_step=N_("Seat organisations of the sector itself (independent civil society), or record "
                                "why the secretariat accepts the risk."))
