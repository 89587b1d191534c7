"""Sectors, sessions, quorum, consensus and the extraordinary majority counted by sector.

Pure functions over rows; the one place these rules live.

- Who counts (:func:`counting`): of the members present, each holder and spokesperson of a
  sector's seat; an alternate only in place of an absent holder or spokesperson of its sector
  (:data:`SEAT_ROLES`). Quorum and votes count only them; an alternate present beside its
  seat's holders is there, with no vote of its own.
- A session is quorate when every required sector has at least its minimum of members
  who count present (arrived, not left, sector not withdrawn) and, if set, the total reaches
  ``min_members``.
- Consensus (default): adopted when no present member votes ``against``; abstentions and
  silence do not block.
- Majority (extraordinary sessions with a written justification only): each sector with
  present members takes one position, the majority of its present members (a tie, or
  nobody voting, is an abstention); adopted when more sectors are for than against.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from stages import vocabulary
from stages.errors import Reason
from stages.errors import reason
from stages.reasons import MESSAGES

#: Each part in a sector's seat: whether it holds the seat (``True``: counts toward quorum and
#: votes whenever present) or stands in for one who does (``False``: counts only in place of an
#: absent holder or spokesperson of its sector). A member recorded before seats had parts holds its seat.
SEAT_ROLES: dict[str, bool] = {"holder": True, "spokesperson": True, "alternate": False}
POSITIONS = ("for", "against", "abstain")
RULES = ("consensus", "majority")


@dataclass(frozen=True)
class QuorumRule:
    sectors: dict[str, int]
    min_members: int = 0

    @classmethod
    def of(cls, quorum: dict) -> "QuorumRule":
        return cls(dict(quorum.get("sectors") or {}), int(quorum.get("min_members") or 0))


def present_members(attendance: Iterable, people_by_id: dict, withdrawn: set[str]) -> list:
    """Members present now: attended, not left, active, their sector not withdrawn."""
    present = {}
    for a in attendance:
        p = people_by_id.get(a.person_id)
        if p is None or p.role != "member" or not p.active or p.sector in withdrawn:
            continue
        if a.left_at is None:
            present[p.id] = p
        else:
            present.pop(p.id, None)
    return list(present.values())


def holds_seat(person) -> bool:
    return SEAT_ROLES[person.seat_role or "holder"]


def counting(present: list, people: Iterable, withdrawn: set[str]) -> list:
    """The members present who count toward quorum and whose votes count: every holder and
    spokesperson present; alternates, in the order they arrived, each in place of one holder or
    spokesperson of its sector who is seated (active, sector not withdrawn) and not present."""
    here = {p.id for p in present}
    vacant = Counter(p.sector for p in people if p.role == "member" and p.active and p.sector not in withdrawn
                     and holds_seat(p) and p.id not in here)
    out = []
    for p in present:
        if holds_seat(p):
            out.append(p)
        elif vacant[p.sector] > 0:
            vacant[p.sector] -= 1
            out.append(p)
    return out


def quorum_gaps(rule: QuorumRule, present: list, session_key: str) -> list[Reason]:
    """Empty when quorate; otherwise one reason listing every gap."""
    by_sector = Counter(p.sector for p in present)
    gaps = [reason("quorum_sector_missing", sector=s, present=by_sector.get(s, 0), needed=max(n, 1))
            for s, n in rule.sectors.items() if by_sector.get(s, 0) < max(n, 1)]
    if rule.min_members and len(present) < rule.min_members:
        gaps.append(reason("quorum_members_missing", present=len(present), needed=rule.min_members))
    if not gaps:
        return []
    return [QuorumReason("session_not_quorate", MESSAGES["session_not_quorate"],
                         {"session": session_key, "gaps": [g.code for g in gaps],
                          "missing_sectors": [g.details["sector"] for g in gaps if "sector" in g.details]},
                         tuple(gaps))]


class QuorumReason(Reason):
    """A quorum refusal that lists each gap (a reason of its own) in the reader's language."""

    def __init__(self, code, text, details, gaps: tuple[Reason, ...]):
        super().__init__(code, text, details)
        object.__setattr__(self, "gaps", gaps)

    def message(self, lang: str = "es") -> str:
        return vocabulary.render(self.text, lang, session=self.details["session"],
                                 items="; ".join(g.message(lang) for g in self.gaps))


def tally(rule: str, present: list, votes: dict[int, str]) -> tuple[bool, dict]:
    """(adopted, tally) for a decision taken now; ``votes`` maps person id to position."""
    counted = {p.id: votes.get(p.id, "abstain") for p in present}
    if rule == "consensus":
        objections = sorted(p.handle for p in present if counted[p.id] == "against")
        return not objections, {"rule": "consensus", "present": sorted(p.handle for p in present),
                                "objections": objections}
    sectors: dict[str, str] = {}
    for sector in sorted({p.sector for p in present}):
        c = Counter(counted[p.id] for p in present if p.sector == sector)
        sectors[sector] = "for" if c["for"] > c["against"] else "against" if c["against"] > c["for"] else "abstain"
    n_for = sum(1 for v in sectors.values() if v == "for")
    n_against = sum(1 for v in sectors.values() if v == "against")
    return n_for > n_against, {"rule": "majority", "sectors": sectors, "for": n_for, "against": n_against,
                               "present": sorted(p.handle for p in present)}


def outcome(rule: str, present: list, votes: dict[int, str], joint: bool = False,
            required_sectors: Iterable[str] = ()) -> tuple[bool, dict]:
    """(adopted, tally) of a decision taken now, as :func:`tally`; a ``joint`` decision (the
    plan's) taken by majority also needs every required sector for (else the tally names those
    that were not: ``joint_agreement_missing``). Used by ``decide`` and by the session screen's
    preview, so both count the same way."""
    adopted, counted = tally(rule, present, votes)
    if adopted and joint and rule == "majority":
        required = set(required_sectors)
        against = sorted(sec for sec, pos in counted["sectors"].items() if sec in required and pos != "for")
        if against:
            adopted, counted["joint_agreement_missing"] = False, against
    return adopted, counted
