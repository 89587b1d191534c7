"""Instance administrators create a process from the web and invite its first coordinator by email;
the coordinator chooses their own password with the one-time link. Real app, real SQLite file."""
from __future__ import annotations

import datetime as dt
import email
import re
from email import policy

from sqlmodel import Session, select
from webkit import PASSWORD, audit_count, client, csrf_of

from notifications.config import MailConfig, SmtpSettings
from reads import accounts
from workflow import signin
from storage.models import Person, Process


def _admin_client(db, clock, tmp_path):
    signin.create_admin(db, "admin", "Administración", PASSWORD, clock.now())
    c = client(db, clock, mail=MailConfig(SmtpSettings(outbox_dir=str(tmp_path / "mail"))))
    page = c.get("/admin/login")
    assert c.post("/admin/login", data={"handle": "admin", "password": "otra-cosa-mala",
                                        "csrf": csrf_of(page.text)}).status_code == 401
    r = c.post("/admin/login", data={"handle": "admin", "password": PASSWORD, "csrf": csrf_of(page.text)})
    assert r.status_code == 303 and r.headers["location"] == "/admin"
    return c


def test_an_administrator_creates_a_process_and_invites_its_coordinator(sqlite_db, clock, tmp_path):
    assert client(sqlite_db, clock).get("/admin").headers["location"] == "/admin/login"
    c = _admin_client(sqlite_db, clock, tmp_path)
    page = c.get("/admin").text
    # each template explained; sectors to tick with their minimum
    for t in ("federal", "inai_local", "ogp_local"):
        assert f'id="t-{t}-help"' in page
    assert "guía del INAI" in page and 'name="sectors" value="civil_society" checked' in page
    r = c.post("/admin/processes", data={
        "name": "Plan de Acción Local de Oaxaca 2027", "template": "inai_local", "starts_on": "2026-02-01",
        "sectors": ["government", "guarantor", "civil_society", "academia"], "min_government": "1",
        "min_guarantor": "1", "min_civil_society": "2", "min_academia": "1", "min_members": "5",
        "coordinator_name": "Laura Méndez", "coordinator_email": "laura@example.org", "csrf": csrf_of(page)})
    assert r.status_code == 200 and 'id="invited"' in r.text, r.text[-3000:]
    assert "'laura-mendez'" in r.text or "«laura-mendez»" in r.text or "laura-mendez" in r.text
    with Session(sqlite_db) as s:
        p = s.exec(select(Process)).one()
        coordinator = s.exec(select(Person).where(Person.process_id == p.id)).one()
    assert p.slug == "plan-de-accion-local-de-oaxaca-2027" and p.template == "inai_local"
    assert p.settings["compliance"] == {"gate": True}  # on, as in every template: the form does not ask
    assert p.quorum == {"sectors": {"government": 1, "guarantor": 1, "civil_society": 2, "academia": 1},
                        "min_members": 5}
    assert (coordinator.handle, coordinator.role) == ("laura-mendez", "coordinator")
    # the invitation: a one-time link to choose one's own password; nobody else saw the code
    (eml,) = list((tmp_path / "mail").iterdir())
    message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    body = message.get_body(("plain",)).get_content()
    assert message["To"].addresses[0].addr_spec == "laura@example.org" and "invit" in message["Subject"].lower()
    code = re.search(r"\b[0-9A-Z]{4}(?:-[0-9A-Z]{4}){3}\b", body).group(0)
    assert code not in r.text
    assert "/acceso?process=plan-de-accion-local-de-oaxaca-2027&handle=laura-mendez" in body
    coord = client(sqlite_db, clock)
    page = coord.get("/acceso?process=plan-de-accion-local-de-oaxaca-2027&handle=laura-mendez")
    r = coord.post("/acceso", data={"process": p.slug, "handle": "laura-mendez", "code": code,
                                    "password": "mi-propia-contraseña", "repeat": "mi-propia-contraseña",
                                    "csrf": csrf_of(page.text)})
    assert r.status_code == 303 and r.headers["location"] == f"/w/{p.slug}"
    assert coord.get(f"/w/{p.slug}").status_code == 200


def test_a_refused_creation_keeps_what_was_typed_and_writes_nothing(sqlite_db, clock, tmp_path):
    c = _admin_client(sqlite_db, clock, tmp_path)
    page = c.get("/admin").text
    before = audit_count(sqlite_db)
    r = c.post("/admin/processes", data={"name": "Ejercicio sin sectores", "template": "federal",
                                         "coordinator_name": "Ana", "csrf": csrf_of(page)})
    assert r.status_code == 400 and "Elija al menos un sector" in r.text and 'value="Ejercicio sin sectores"' in r.text
    r = c.post("/admin/processes", data={"name": "Otro", "template": "federal", "sectors": "government",
                                         "min_government": "0", "coordinator_name": "Ana", "csrf": csrf_of(page)})
    assert r.status_code == 400 and 'class="reasons"' in r.text
    assert audit_count(sqlite_db) == before
    # no one signed in to a process is an administrator
    assert client(sqlite_db, clock).post("/admin/processes", data={"name": "x"}).status_code == 303


def test_cocrea_init_with_an_administrator_leaves_an_instance_ready_for_the_web(tmp_path, clock, monkeypatch):
    from click.testing import CliRunner

    from cli.main import main
    from storage.db import make_engine

    monkeypatch.delenv("COCREA_DATABASE_URL", raising=False)
    url = f"sqlite:///{tmp_path / 'cocrea.db'}"
    runner = CliRunner()
    typo = runner.invoke(main, ["--db", url, "init", "--admin", "ana"], input=f"{PASSWORD}\notra-cosa\n"
                         f"{PASSWORD}\n{PASSWORD}\n")
    assert typo.exit_code == 0, typo.output  # the repetition differed: asked again
    assert typo.output.count("Repita la contraseña") == 2  # asked for again
    assert typo.output.count("«ana» ya puede entrar a la administración en /admin.") == 1
    engine = make_engine(url)
    assert accounts.admin_authenticate(engine, "ana", PASSWORD) is not None
    assert accounts.admin_authenticate(engine, "ana", "otra-cosa") is None
    c = client(engine, clock)
    page = c.get("/admin/login")
    r = c.post("/admin/login", data={"handle": "ana", "password": PASSWORD, "csrf": csrf_of(page.text)})
    assert r.status_code == 303 and r.headers["location"] == "/admin"
    assert c.get("/admin").status_code == 200
    # a name without a handle is refused; a bad handle creates nobody
    alone = runner.invoke(main, ["--db", url, "init", "--admin-name", "Ana"])
    assert alone.exit_code == 2 and "--admin" in alone.output
    bad = runner.invoke(main, ["--db", url, "init", "--admin", "Ana López"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert bad.exit_code == 2
    assert accounts.admin_authenticate(engine, "Ana López", PASSWORD) is None
    engine.dispose()
