"""People change: a person's details are updated by an action (the email stays private), a
person who left can be added again, and ``cocrea init`` takes the coordinator's email.
On SQLite and PostgreSQL; refusals change nothing."""
from __future__ import annotations

import json

from builders import Proc
from click.testing import CliRunner
from snapshots import refused
from sqlmodel import Session, select

from cli.main import main
from reads import public
from storage import make_engine
from storage import models as m


def person(db, handle: str, slug: str = "p") -> m.Person:
    with Session(db) as s:
        process = s.exec(select(m.Process).where(m.Process.slug == slug)).one()
        return s.exec(select(m.Person).where(m.Person.process_id == process.id, m.Person.handle == handle)).one()


def audit_payloads(db, action: str) -> list[str]:
    with Session(db) as s:
        return [e.body for e in s.exec(select(m.AuditEntry).where(m.AuditEntry.action == action))]


def test_a_coordinator_updates_a_persons_details_and_the_email_stays_private(db, clock):
    p = Proc(db, clock)
    result = p("update_person", handle="osc", name="Red Ciudadana de Jalisco, A.C.", organisation="Red Ciudadana",
               email="nueva@example.org", lang="en")
    assert result == {"person": "osc", "changed": ["email", "lang", "name", "organisation"]}
    row = person(db, "osc")
    assert (row.name, row.organisation, row.email, row.lang) == ("Red Ciudadana de Jalisco, A.C.", "Red Ciudadana",
                                                                 "nueva@example.org", "en")
    (body,) = audit_payloads(db, "update_person")
    assert "nueva@example.org" not in body and "Red Ciudadana" in body
    view = public.public_view(db, "p", clock=clock)
    assert "nueva@example.org" not in json.dumps(view)
    assert {"handle": "osc", "name": "Red Ciudadana de Jalisco, A.C.", "organisation": "Red Ciudadana",
            "sector": "civil_society"}.items() <= next(x for s in view["secretariat"]["sectors"]
                                                       for x in s["members"] if x["handle"] == "osc").items()
    p("update_person", handle="osc", forget_email=True)
    assert person(db, "osc").email is None


def test_updates_that_mean_nothing_are_refused(db, clock):
    p = Proc(db, clock)
    p("add_agency", key="salud", name="Secretaría de Salud")
    p("add_agency", key="igualdad", name="Secretaría de Igualdad")
    p("add_person", handle="enlace", name="Enlace", role="liaison", agency="salud")
    refused(db, lambda: p("update_person", handle="osc", name="Integrante osc"), "nothing_to_update")
    exc = refused(db, lambda: p("update_person", handle="osc", agency="salud"), "invalid_field")
    assert exc.reasons[0].details["problem"] == "not_for_role"
    assert exc.messages("es")[0] == "«agency» no se aplica a integrante del secretariado."
    exc = refused(db, lambda: p("update_person", handle="osc", email="a@example.org", forget_email=True),
                  "invalid_field")
    assert exc.reasons[0].details["problem"] == "contradicts"
    refused(db, lambda: p("update_person", handle="nadie", name="X"), "not_found")
    refused(db, lambda: p("update_person", actor="gob", handle="gob", name="Otro"), "actor_not_allowed")
    assert p("update_person", handle="enlace", agency="igualdad")["changed"] == ["agency"]


def test_a_person_who_left_can_be_added_again(db, clock):
    p = Proc(db, clock)
    refused(db, lambda: p("add_person", handle="osc", name="Otra", role="member", sector="civil_society"),
            "duplicate_key")
    p("remove_person", handle="osc", reason="La organización dejó el secretariado")
    assert person(db, "osc").active is False
    again = p("add_person", handle="osc", name="Red Ciudadana", role="member", sector="civil_society",
              organisation="Red Ciudadana")
    assert again["rejoined"] is True
    row = person(db, "osc")
    assert (row.active, row.left_at, row.name) == (True, None, "Red Ciudadana")
    session = p.session()  # the returned member counts again in the quorum
    assert p.decide("general", session=session, text="Calendario")["status"] == "adopted"


def test_init_takes_the_coordinators_email(tmp_path, monkeypatch):
    monkeypatch.delenv("COCREA_LANG", raising=False)
    url = f"sqlite:///{tmp_path / 'cocrea.db'}"
    result = CliRunner().invoke(main, ["--db", url, "init", "--template", "inai_local", "--slug", "jalisco",
                                       "--name", "Ejercicio local Jalisco", "--coordinator", "ana",
                                       "--coordinator-email", "ana@example.org"])
    assert result.exit_code == 0, result.output
    db = make_engine(url)
    assert person(db, "ana", "jalisco").email == "ana@example.org"
    assert all("ana@example.org" not in body for body in audit_payloads(db, "create_process"))
    bad = CliRunner().invoke(main, ["--db", url, "init", "--template", "inai_local", "--slug", "otro",
                                    "--name", "Otro", "--coordinator", "ana", "--coordinator-email", "no es correo"])
    assert bad.exit_code == 2 and "coordinator_email" in bad.output
