"""A small DSL over the real actions, for tests: every call goes through ``actions.apply``."""
from __future__ import annotations

import datetime as dt
from typing import Any

from reads import status as queries
from stages.errors import CocreaError
from workflow import actions

COORD = "coord"
MX = dt.timezone(dt.timedelta(hours=-6))
TRIPARTITE = [("gob", "government"), ("garante", "guarantor"), ("osc", "civil_society")]
BASE_START = dt.date(2026, 1, 15)


class Proc:
    """A process under test, driven only through actions, its clock moved one hour per action.

    ``gate``: the compliance gate (on in every template). The stages' content here meets their
    exit criteria, not every basic requirement of the standards, so the tests of other rules
    create their process with the gate off, explicitly (``create_process``'s ``compliance_gate``,
    which the public page shows as never on); the gate's own tests turn it on."""

    def __init__(self, db, clock, slug: str = "p", template: str = "inai_local", members=TRIPARTITE,
                 quorum: dict | None = None, starts_on: str = "2026-01-15", gate: bool = False):
        self.db, self.clock, self.slug = db, clock, slug
        #: The stages' content (``complete_stage``) is written for a term starting 2026-01-15; a process
        #: starting on another day lives it on the same days after its start (``d``).
        self.shift = dt.date.fromisoformat(starts_on) - BASE_START
        payload = {"slug": slug, "name": f"Proceso {slug}", "template": template, "starts_on": starts_on,
                   "coordinator_name": "Coordinación", "compliance_gate": gate}
        if quorum:
            payload["quorum"] = quorum
        actions.apply(db, "create_process", payload, actor=COORD, clock=clock)
        self.members = [h for h, _ in members]
        for handle, sector in members:
            self(action="add_person", handle=handle, name=f"Integrante {handle}", role="member", sector=sector,
                 email=f"{handle}@example.org")
        self.n_sessions = 0

    def __call__(self, action: str, actor: str = COORD, **payload: Any) -> dict:
        self.clock.advance(hours=1)
        return actions.apply(self.db, action, payload, actor=actor, process=self.slug, clock=self.clock)

    def refused(self, action: str, actor: str = COORD, **payload: Any) -> CocreaError:
        try:
            self(action, actor, **payload)
        except CocreaError as exc:
            return exc
        raise AssertionError(f"{action} was not refused")

    @property
    def stage(self) -> str:
        return queries.status(self.db, self.slug, clock=self.clock)["stage"]

    def status(self, lang: str = "es") -> dict:
        return queries.status(self.db, self.slug, lang, clock=self.clock)

    def unmet(self) -> list[str]:
        return [u["code"] for u in self.status()["unmet"]]

    def d(self, day: str) -> str:
        """``day`` of the base calendar (a term starting 2026-01-15), on this process's calendar."""
        return (dt.date.fromisoformat(day) + self.shift).isoformat()

    def on(self, day: str) -> None:
        """Live up to ``day`` (10:00 in Mexico City): facts of that day can be recorded now.
        The clock only moves forward."""
        when = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(10), MX)
        if when > self.clock.now():
            self.clock.set(when)

    def session(self, present: list[str] | None = None, **kw: Any) -> str:
        """A session convened now for tomorrow; the clock then lives up to it (its next actions happen in it)."""
        self.n_sessions += 1
        key = f"S{self.n_sessions}"
        when = self.clock.now() + dt.timedelta(days=1)
        self("convene_session", key=key, scheduled_for=when.isoformat(), place="Sala", agenda=["Orden del día"], **kw)
        self.clock.set(when - dt.timedelta(hours=1))  # the next action, an hour later, is at its start
        attending = self.members if present is None else present
        if attending:
            self("record_attendance", session=key, members=attending)
        return key

    def decide(self, kind: str, present: list[str] | None = None, session: str | None = None,
               votes: dict[str, str] | None = None, rule: str = "consensus", **payload: Any) -> dict:
        key = session or self.session(present)
        d = self("propose_decision", session=key, kind=kind, rule=rule, **payload)["decision"]
        for member, position in (votes or {}).items():
            self("cast_vote", actor=member, decision=d, position=position)
        return self("decide", decision=d)

    def move(self, kind: str = "advance", **kw: Any) -> dict:
        return self.decide(kind, **kw)

    def close(self, **kw: Any) -> dict:
        """Close the process: the stages' content here does not meet every basic requirement of the
        standards, so when the compliance report finds the process acting contrary to process the
        close is the secretariat's decision saying so, with its reason."""
        if "close_contrary_needs_decision" in self.unmet():
            return self.decide("close_contrary_to_process", reason="Cierre con requisitos básicos incumplidos", **kw)
        return self.move("close", **kw)


def complete_stage(p: Proc, stage: str) -> None:
    """Record content that meets every exit criterion of ``stage``."""
    FILL[stage](p)


def _declaration(p: Proc) -> None:
    p.on(p.d("2026-01-20"))
    p("sign_declaration", signed_on=p.d("2026-01-20"), document_ref="decl.pdf",
      signatories=[{"name": "Gobernador", "role": "Ejecutivo", "sector": "government"},
                   {"name": "Comisionada", "role": "Órgano garante", "sector": "guarantor"}])


def _consultation(p: Proc) -> None:
    p.on(p.d("2026-01-21"))  # announced two weeks before it opens, open from 4 February to 4 March
    p("open_channel", key="web", kind="online", name="En línea", online=True, announced_on=p.d("2026-01-21"),
      opens_on=p.d("2026-02-04"), closes_on=p.d("2026-03-04"))
    p("open_channel", key="asamblea", kind="assembly", name="Asambleas", aimed_at_excluded=True,
      announced_on=p.d("2026-01-21"), opens_on=p.d("2026-02-04"), closes_on=p.d("2026-03-04"))
    p("add_theme", key="genero", name="Brecha salarial de género")
    p("add_theme", key="agua", name="Agua")
    p.on(p.d("2026-02-18"))  # two weeks open: the consultation may end
    p("record_input", key="i1", channel="web", text="Igualdad salarial", received_on=p.d("2026-02-18"),
      contact_name="Ana Pérez", contact_email="ana@example.org")
    p("answer_input", input="i1", disposition="adopted", rationale="Tema prioritario", theme="genero")
    p("prioritise_themes", themes=["genero"])


def _sensitization(p: Proc) -> None:
    from stages.sensitization import QUESTIONS
    p.on(p.d("2026-02-19"))
    p("record_sensitization_session", key="sen1", held_on=p.d("2026-02-19"), topics=list(QUESTIONS),
      sectors={"government": 3, "guarantor": 1, "civil_society": 5})


def _planning(p: Proc) -> None:
    p("plan_working_table", key="mesa-genero", theme="genero", methodology="Árbol de problemas", call_ref="conv.pdf",
      facilitator="Facilitadora", held_on=p.d("2026-04-10"), sectors={"government": 2, "civil_society": 3})


def _causes(p: Proc) -> None:
    p("record_problem_tree", key="arbol-genero", theme="genero", problem="Brecha salarial",
      causes=[{"text": "Tabuladores opacos", "strategic": True}], effects=["Menor ingreso"],
      solutions=[{"key": "sol1", "text": "Publicar tabuladores"}])


def draft_commitment(p: Proc) -> None:
    """The agency ``igualdad`` and the draft commitment ``c1`` ("Tabuladores abiertos"), in commitments."""
    p("add_agency", key="igualdad", name="Secretaría de Igualdad")
    p("draft_commitment", key="c1", theme="genero", solution="sol1", title="Tabuladores abiertos",
      problem="Brecha", cause="Tabuladores opacos", objective="Reducir la brecha", axes=["transparency"],
      ambition="proactive", outcome="Tabuladores publicados", end_date=p.d("2026-12-31"), agencies=["igualdad"],
      action_lines=["Publicar"])


def open_comments(p: Proc, days: int = 10) -> tuple[dt.date, dt.date]:
    """The secretariat opens the public comment period on the draft plan from today for ``days``
    days; returns its first and last day."""
    today = p.clock.now().astimezone(MX).date()
    until = today + dt.timedelta(days=days)
    p.decide("open_public_comment", opens_on=today.isoformat(), closes_on=until.isoformat())
    return today, until


def online_consultation(db, clock, slug: str = "p", **kw: Any) -> Proc:
    """A process in consultation with its online channel ``web`` ("Consulta en línea"), announced on
    21 January, open from 4 February to 4 March; the clock on 21 January."""
    p = process_at(db, clock, "consultation", slug=slug, **kw)
    p.on("2026-01-21")
    p("open_channel", key="web", kind="online", name="Consulta en línea", online=True, announced_on="2026-01-21",
      opens_on="2026-02-04", closes_on="2026-03-04")
    return p


def _commitments(p: Proc) -> None:
    draft_commitment(p)
    p.decide("approve_commitments")


def _routes(p: Proc) -> None:
    p("add_person", handle="enlace", name="Enlace Igualdad", role="liaison", agency="igualdad",
      email="enlace@example.org")
    p("plan_activity", key="a1", commitment="c1", title="Publicar", deliverable="Portal", agency="igualdad",
      start_date=p.d("2026-06-01"), end_date=p.d("2026-09-30"))
    p("accept_activity", actor="enlace", activity="a1")
    p("add_indicator", key="r1", commitment="c1", name="Brecha medida", kind="result")


def _monitoring(p: Proc) -> None:
    p.on(p.d("2026-07-01"))
    p("hold_public_event", key="medio", kind="midterm", held_on=p.d("2026-07-01"), minutes_ref="minuta1.pdf")
    p.on(p.d("2026-10-01"))
    p("report_progress", actor="enlace", activity="a1", status="completed", percent=100,
      reported_on=p.d("2026-10-01"),
      evidence_ref="evidencia.pdf")
    p.on(p.d("2026-12-01"))
    p("hold_public_event", key="cierre", kind="closing", held_on=p.d("2026-12-01"), minutes_ref="minuta2.pdf")
    p("set_final_status", commitment="c1", status="fulfilled")


FILL = {"declaration": _declaration, "consultation": _consultation, "sensitization": _sensitization,
        "planning": _planning, "causes": _causes, "commitments": _commitments, "routes": _routes,
        "monitoring": _monitoring}


def process_at(db, clock, stage: str, **kw: Any) -> Proc:
    """A process moved, through real decisions, to ``stage`` (or ``closed``)."""
    from stages import STAGE_NAMES

    p = Proc(db, clock, **kw)
    for name in STAGE_NAMES:
        if name == stage:
            return p
        complete_stage(p, name)
        p.close() if name == "monitoring" else p.move("advance")
    assert stage == "closed"
    return p
