"""A new process walked from its creation to its close through the web workspace alone.

After installation (``cocrea init --admin``, the administrator typing their own password) no
command and no action call: the administrator creates the process at ``/admin``; its coordinator,
invited by email, chooses a password with the one-time link; the members and an agency's liaison
are invited the same way; the members vote on the session screen from their phones; the liaison
accepts its activity with its official letter and reports progress; the coordinator walks every
stage to the close. Only the test clock moves time (facts are recorded on the day they happen).

Every workspace page seen is audited with axe-core (no serious or critical violation), shot at a
desktop width and at 390 px (under the test's ``tmp_path``), and at 390 px nothing scrolls
sideways (``document.documentElement.scrollWidth <= 390``).
"""
from __future__ import annotations

import datetime as dt
import email
import re
from email import policy
from pathlib import Path

import pytest
from test_web_browser import ARGS  # noqa: F401  (the same browser flags)
from test_web_browser import browser  # noqa: F401  (the fixture)
from webkit import PASSWORD, app_for, live_server

from notifications.config import MailConfig, SmtpSettings
from storage.db import make_engine

SLUG = "plan-de-accion-local-de-prueba"
MX = dt.timezone(dt.timedelta(hours=-6))
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
#: Members of the secretariat: handle, name, sector.
MEMBERS = [("gob", "Secretaría General de Gobierno", "government"),
           ("garante", "Instituto de Transparencia", "guarantor"),
           ("osc", "Colectivo Ciudadano", "civil_society")]


class Walker:
    """One person in their own browser context (their own cookies), over the real pages."""

    def __init__(self, browser, url: str, shots: Path, name: str, viewport: dict = DESKTOP):
        self.ctx = browser.new_context(viewport=viewport)
        self.page = self.ctx.new_page()
        self.url, self.shots, self.name, self.viewport = url, shots, name, viewport
        self.dialogs: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.seen: list[str] = []

    def goto(self, path: str):
        self.page.goto(self.url + path)
        return self.page

    def look(self, label: str, desktop: bool = True) -> None:
        """The page now shown: axe-core at both widths (``desktop=False``: at 390 px only), a
        screenshot at each, and at 390 px nothing wider than the screen."""
        from axe_playwright_python.sync_playwright import Axe

        page = self.page
        for width, size in ((("desktop", DESKTOP),) if desktop else ()) + (("390", PHONE),):
            page.set_viewport_size(size)
            result = Axe().run(page)
            bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                   for v in result.response["violations"] if v["impact"] in ("serious", "critical")]
            assert not bad, (label, width, page.url, bad)
            if width == "390":
                scroll = page.evaluate("() => document.documentElement.scrollWidth")
                assert scroll <= 390, (label, page.url, scroll)
            safe = re.sub(r"[^a-z0-9-]+", "-", f"{self.name}-{len(self.seen):02d}-{label}".lower()).strip("-")
            page.screenshot(path=str(self.shots / f"{safe}-{width}.png"), full_page=True)
        page.set_viewport_size(self.viewport)
        self.seen.append(label)

    def sign_in(self, handle: str, password: str = PASSWORD) -> None:
        page = self.goto("/login")
        page.select_option("select[name=process]", SLUG)
        page.fill("input[name=handle]", handle)
        page.fill("input[name=password]", password)
        page.click("main form button[type=submit]")
        page.wait_for_url(f"{self.url}/w/{SLUG}")

    def redeem(self, link: str, code: str, password: str = PASSWORD) -> None:
        """Choose one's own password with the one-time link and code of an invitation."""
        page = self.goto("/acceso" + link.split("/acceso", 1)[1])
        page.fill("input[name=code]", code)
        page.fill("input[name=password]", password)
        page.fill("input[name=repeat]", password)
        page.click("main form button[type=submit]")
        page.wait_for_url(f"{self.url}/w/{SLUG}")

    def act(self, action: str, query: str = "", look: str | None = None, **fields):
        """Fill the action's form as a person would and send it; the page after, with no refusal."""
        page = self.goto(f"/w/{SLUG}/do/{action}{query}")
        for key, value in fields.items():
            target = page.locator(f'main form.form [name="{key}"]')
            if isinstance(value, bool):
                target.set_checked(value)
            elif isinstance(value, list):
                for v in value:
                    page.check(f'main form.form [name="{key}"][value="{v}"]')
            elif target.first.evaluate("e => e.tagName") == "SELECT":
                target.select_option(value)
            else:
                target.fill(value)
        if look:
            self.look(look)
        page.click("main form.form > button[type=submit]")
        page.wait_for_load_state()
        assert page.locator("#reasons, .notice-refused").count() == 0, page.locator("main").inner_text()[:2000]
        return page

    def flash(self) -> str:
        return self.page.locator(".flash").first.inner_text()


def _on(clock, day: str, hour: int = 10) -> None:
    """The site lives on ``day`` (Mexico's time): what happened that day can be recorded."""
    when = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), MX)
    clock.set(max(when, clock.now()))


def _invitation(mail: Path, address: str) -> tuple[str, str]:
    """(one-time code, link) of the newest invitation emailed to ``address``."""
    for eml in sorted(mail.iterdir(), key=lambda f: f.stat().st_mtime_ns, reverse=True):
        message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
        if message["To"].addresses[0].addr_spec == address:
            body = message.get_body(("plain",)).get_content()
            code = re.search(r"\b[0-9A-Z]{4}(?:-[0-9A-Z]{4}){3}\b", body).group(0)
            return code, re.search(r"http\S+/acceso\?\S+", body).group(0)
    raise AssertionError(f"no email to {address}")


@pytest.fixture
def installed(tmp_path, clock, monkeypatch):
    """What installing does: ``cocrea init --admin admin`` (the administrator types a password)."""
    from click.testing import CliRunner

    from cli.main import main

    monkeypatch.delenv("COCREA_DATABASE_URL", raising=False)
    url = f"sqlite:///{tmp_path / 'cocrea.db'}"
    done = CliRunner().invoke(main, ["--db", url, "init", "--admin", "admin", "--admin-name", "Administración"],
                              input=f"{PASSWORD}\n{PASSWORD}\n")
    assert done.exit_code == 0, done.output
    engine = make_engine(url)
    mail = tmp_path / "mail"
    with live_server(app_for(engine, clock, mail=MailConfig(SmtpSettings(outbox_dir=str(mail))))) as site:
        yield site, mail
    engine.dispose()


def _session_screen(person: Walker):
    page = person.goto(f"/w/{SLUG}")
    page.click("#sessions h3 a")
    return page


def _vote_all(members: dict, clock_day_sign_in: bool, position: str = "for") -> None:
    """Each member, on their phone, votes on the newest open motion of the session screen."""
    for handle, member in members.items():
        if clock_day_sign_in:
            member.sign_in(handle)
        page = _session_screen(member)
        motion = page.locator("article.motion.open").last
        motion.locator(f"button[value={position}]").click()
        page.wait_for_load_state()
        assert page.locator(".notice-refused").count() == 0, page.locator("main").inner_text()[:1500]


def _decide_newest(coord: Walker, expect: str = "Decisión adoptada") -> str:
    page = _session_screen(coord)
    page.locator("article.motion.open").last.locator("form[action$='/do/decide'] button").click()
    page.wait_for_load_state()
    said = page.locator(".flash").first.inner_text()
    assert said.startswith(expect), said
    return said


def _move(coord: Walker, event: str = "advance", reason: str = "Criterios cumplidos") -> None:
    """Propose a stage move from the dashboard's panel, then take it on the session screen."""
    page = coord.goto(f"/w/{SLUG}")
    form = page.locator(f"#move-{event} form")
    form.locator('[name="reason"]').fill(reason)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert coord.flash().startswith("Se sometió la propuesta a la sesión"), coord.flash()
    _decide_newest(coord)


def _stage(coord: Walker) -> str:
    return coord.goto(f"/w/{SLUG}").locator("main > p").first.locator("strong").inner_text()


def test_a_new_process_from_its_creation_to_its_close_through_the_workspace(installed, browser, clock, tmp_path):
    (url, mail), shots = installed, tmp_path / "shots"
    shots.mkdir()

    # --- the administrator creates the process and invites its coordinator
    admin = Walker(browser, url, shots, "admin")
    page = admin.goto("/admin")
    page.fill("#a-handle", "admin")
    page.fill("#a-password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(url + "/admin")
    page.fill("#f-name", "Plan de Acción Local de Prueba")
    page.check("#t-inai_local")
    page.fill("#f-coordinator_name", "Laura Méndez")
    page.fill("#f-coordinator_email", "laura@example.org")
    admin.look("administration")
    page.click("#create-process > button[type=submit]")
    assert page.locator("#invited").is_visible()
    admin.look("process created")
    coord = Walker(browser, url, shots, "coordinator")
    coord.redeem(_invitation(mail, "laura@example.org")[1], _invitation(mail, "laura@example.org")[0])
    coord.look("first dashboard")

    # --- the coordinator invites the secretariat's members; each chooses their own password
    members: dict[str, Walker] = {}
    for handle, name, sector in MEMBERS:
        page = coord.act("add_person", handle=handle, name=name, role="member", sector=sector,
                         email=f"{handle}@example.org", look="add a person" if handle == "gob" else None)
        assert page.locator(f"#sent-{handle}").is_visible()
        members[handle] = Walker(browser, url, shots, f"member-{handle}", viewport=PHONE)
        code, link = _invitation(mail, f"{handle}@example.org")
        members[handle].redeem(link, code)
    members["gob"].look("member dashboard")

    # --- a session convened a week ahead; on its day, members arrive on its screen
    coord.act("convene_session", place="Palacio de Gobierno", scheduled_for="2026-01-22T10:00",
              agenda="Instalación del Secretariado Técnico Local\nDeclaratoria", look="convene a session")
    _on(clock, "2026-01-22")
    coord.sign_in("laura-mendez")
    page = _session_screen(coord)
    for handle, name, _ in MEMBERS:
        page.click(f"#member-{handle} button")
        page.wait_for_load_state()
    assert page.locator("#quorate").is_visible()
    coord.look("session screen")
    # the secretariat lifts the compliance gate by a decision (this test walks the workspace, not
    # the standards: tests/test_compliance_*), with its reason; every member votes for it
    coord.act("propose_decision", query="?kind=lift_compliance_gate", session="S1",
              reason="Ejercicio de prueba del espacio de trabajo", look="motion form")
    _vote_all(members, clock_day_sign_in=True)
    members["osc"].look("session screen after voting")
    assert _decide_newest(coord).startswith("Decisión adoptada por consenso")

    # --- declaration
    coord.act("sign_declaration", signed_on="2026-01-22", document_ref="https://example.net/declaratoria.pdf",
              look="sign the declaration", **{
                  "signatories.0.name": "Gobernador", "signatories.0.role": "Ejecutivo",
                  "signatories.0.sector": "government", "signatories.1.name": "Comisionada presidenta",
                  "signatories.1.role": "Órgano garante", "signatories.1.sector": "guarantor"})
    _move(coord, reason="Declaratoria firmada y secretariado instalado")
    assert "Consulta sobre temas" in _stage(coord)

    # --- consultation: channels, themes, inputs answered (and one hidden) from the inbox
    coord.act("open_channel", name="Consulta en línea", kind="online", online=True, announced_on="2026-01-22",
              opens_on="2026-02-05", closes_on="2026-03-05", look="open a channel")
    coord.act("open_channel", name="Asambleas comunitarias", kind="assembly", aimed_at_excluded=True,
              announced_on="2026-01-22", opens_on="2026-02-05", closes_on="2026-03-05")
    coord.act("add_theme", name="Brecha salarial de género")
    coord.act("add_theme", name="Agua potable")
    _on(clock, "2026-02-19")
    coord.sign_in("laura-mendez")
    coord.act("record_input", channel="consulta-en-linea", text="Compre relojes baratos aquí", received_on="2026-02-19",
              look="record an input")
    coord.act("record_input", channel="consulta-en-linea", text="Publicar los tabuladores de sueldos por género",
              received_on="2026-02-19")
    page = coord.goto(f"/w/{SLUG}/inbox")
    coord.look("inbox")
    assert "Compre relojes" in page.locator("article.card blockquote").inner_text()  # the oldest first
    page.locator("#hide summary").click()
    page.select_option("#f-hide-reason", "spam")
    page.click("#hide button[type=submit]")
    page.wait_for_load_state()
    hidden = page.locator("#hidden").inner_text()
    assert "Publicidad no deseada" in hidden and "Compre relojes" in hidden
    assert "Publicar los tabuladores" in page.locator("article.card blockquote").inner_text()  # the next one
    page.select_option("#answer [name=disposition]", "adopted")
    page.select_option("#answer [name=theme]", "brecha-salarial-de-genero")
    page.fill("#answer [name=rationale]", "Se integra al tema de la brecha salarial")
    page.click("#answer button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#inbox-done").is_visible()
    coord.look("inbox answered")
    page = coord.goto(f"/w/{SLUG}/do/prioritise_themes")
    page.locator('[name="themes"]').first.select_option("brecha-salarial-de-genero")
    page.click("main form.form > button[type=submit]")
    _move(coord, reason="Consulta concluida y temas priorizados")
    assert "Sensibilización" in _stage(coord)

    # --- sensitization, planning, causes
    _on(clock, "2026-02-20")
    coord.sign_in("laura-mendez")
    coord.act("record_sensitization_session", held_on="2026-02-20", place="Universidad Estatal",
              topics=["what_is_open_government", "what_is_expected_of_each_actor", "how_the_plan_will_be_built",
                      "how_it_works", "how_it_worked_elsewhere", "what_it_is_and_is_not"],
              look="sensitization session", **{"sectors.government": "3", "sectors.guarantor": "1",
                                                 "sectors.civil_society": "5"})
    _move(coord)
    _on(clock, "2026-04-10")
    coord.sign_in("laura-mendez")
    coord.act("plan_working_table", theme="brecha-salarial-de-genero", methodology="Árbol de problemas",
              call_ref="https://example.net/convocatoria.pdf", facilitator="Facilitación imparcial",
              held_on="2026-04-10", **{"sectors.government": "2", "sectors.civil_society": "3"})
    _move(coord)
    coord.act("record_problem_tree", theme="brecha-salarial-de-genero", problem="Brecha salarial de 18 %",
              effects="Menor ingreso de las mujeres", look="problem tree", **{
                  "causes.0.text": "Tabuladores opacos", "causes.0.strategic": True,
                  "causes.1.text": "Promociones discrecionales", "solutions.0.key": "sol1",
                  "solutions.0.text": "Publicar y auditar tabuladores"})
    _move(coord)
    assert "Creación de compromisos" in _stage(coord)

    # --- commitments: drafted, approved on the plan page, every member votes for, then taken
    coord.act("add_agency", name="Secretaría de Igualdad Sustantiva")
    coord.act("draft_commitment", theme="brecha-salarial-de-genero", solution="sol1", title="Tabuladores abiertos",
              problem="Brecha salarial", cause="Tabuladores opacos", objective="Reducir la brecha",
              axes=["transparency", "participation"], ambition="innovative", outcome="Tabuladores publicados",
              end_date="2026-12-31", agencies=["secretaria-de-igualdad-sustantiva"],
              action_lines="Diagnóstico\nPublicación", look="draft a commitment")
    page = coord.goto(f"/w/{SLUG}/plan")
    coord.look("plan")
    page.click("#approve button[type=submit]")
    page.wait_for_load_state()
    _vote_all(members, clock_day_sign_in=True)
    assert _decide_newest(coord).startswith("Decisión adoptada por consenso: aprobar")
    coord.goto(f"/w/{SLUG}/plan")
    coord.look("plan approved")
    _move(coord)
    assert "Ruta de implementación" in _stage(coord)

    # --- routes: the agency's liaison, invited by email, accepts its activity with the oficio
    page = coord.act("add_person", handle="enlace", name="Enlace de Igualdad", role="liaison",
                     agency="secretaria-de-igualdad-sustantiva", email="enlace@example.org")
    assert page.locator("#sent-enlace").is_visible()
    coord.act("plan_activity", commitment="tabuladores-abiertos", title="Publicar tabuladores",
              deliverable="Portal de tabuladores", agency="secretaria-de-igualdad-sustantiva",
              start_date="2026-06-01", end_date="2026-09-30")
    coord.act("add_indicator", commitment="tabuladores-abiertos", name="Brecha medida", kind="result",
              baseline="18 %", target="12 %")
    liaison = Walker(browser, url, shots, "liaison", viewport=PHONE)
    code, link = _invitation(mail, "enlace@example.org")
    liaison.redeem(link, code)
    page = liaison.goto(f"/w/{SLUG}")
    liaison.look("liaison dashboard")
    activity = page.locator("section.activity").first
    activity.locator("[name=document_ref]").fill("Oficio SIS/123/2026")
    activity.locator("form[action$='/do/accept_activity'] button").click()
    page.wait_for_load_state()
    assert "Oficio SIS/123/2026" in liaison.goto(f"/w/{SLUG}").locator("section.activity").first.inner_text()
    _move(coord)
    assert "Seguimiento" in _stage(coord)

    # --- monitoring: public events, the liaison's progress, the final status, the close
    _on(clock, "2026-07-01")
    coord.sign_in("laura-mendez")
    coord.act("hold_public_event", kind="midterm", held_on="2026-07-01", minutes_ref="https://example.net/minuta1.pdf",
              look="public event")
    _on(clock, "2026-10-01")
    liaison.sign_in("enlace")
    page = liaison.goto(f"/w/{SLUG}")
    form = page.locator("section.activity").first.locator("form[action$='/do/report_progress']")
    form.locator("[name=status]").select_option("completed")
    form.locator("[name=percent]").fill("100")
    form.locator("[name=evidence_ref]").fill("https://example.net/tabuladores.pdf")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "100 %" in liaison.goto(f"/w/{SLUG}").locator("section.activity").first.inner_text()
    liaison.look("liaison after reporting")
    liaison.goto(f"/w/{SLUG}/reminders")
    liaison.look("liaison reminders")
    _on(clock, "2026-12-01")
    coord.sign_in("laura-mendez")
    coord.act("hold_public_event", kind="closing", held_on="2026-12-01", minutes_ref="https://example.net/minuta2.pdf")
    coord.act("set_final_status", commitment="tabuladores-abiertos", status="fulfilled", look="final status")
    page = coord.goto(f"/w/{SLUG}")
    form = page.locator("#move-close form")
    form.locator('[name="reason"]').fill("Plan cumplido")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    _vote_all(members, clock_day_sign_in=True)
    assert _decide_newest(coord).startswith("Decisión adoptada por consenso")
    assert _stage(coord) == "cerrado"

    # --- every task page of the closed process, and the public page says it is closed
    for path, label in (("", "dashboard closed"), ("/history", "history"), ("/audit", "audit"),
                        ("/reminders", "reminders"), ("/account", "account"), ("/plan", "plan closed"),
                        ("/inbox", "inbox closed")):
        coord.goto(f"/w/{SLUG}{path}")
        coord.look(label)
        if path == "/audit":
            assert coord.page.locator("#audit-ok").is_visible()
    if coord.goto(f"/w/{SLUG}").locator("#sessions h3 a").count():
        _session_screen(coord)
        coord.look("session screen closed")
    public = admin.goto(f"/p/{SLUG}").locator("main").inner_text()
    assert "errado" in public and "@example.org" not in public
    for person in (admin, coord, liaison, *members.values()):
        assert person.dialogs == []
    assert len(list(shots.iterdir())) == 2 * sum(len(p.seen) for p in (admin, coord, liaison, *members.values()))


def test_every_action_form_is_accessible_and_fits_a_phone(tmp_path, clock, browser):  # noqa: F811
    """Every action's form of the workspace (and a motion's form for each kind of decision), as
    a coordinator sees it in a process with records of every kind: no serious or critical axe
    violation and nothing wider than 390 px."""
    from builders import process_at
    from sqlmodel import SQLModel

    from workflow.actions import ACTIONS
    from workflow.actions.decisions import KINDS

    engine = make_engine(f"sqlite:///{tmp_path / 'forms.db'}")
    SQLModel.metadata.create_all(engine)
    p = process_at(engine, clock, "monitoring", slug=SLUG)
    p("set_credentials", actor="coord", handle="coord", password=PASSWORD)
    shots = tmp_path / "shots"
    shots.mkdir()
    with live_server(app_for(engine, clock)) as url:
        coord = Walker(browser, url, shots, "form", viewport=PHONE)
        coord.sign_in("coord")
        paths = [f"/do/{n}" for n, a in sorted(ACTIONS.items()) if not a.public and not a.creates_process]
        paths += [f"/do/propose_decision?kind={k}" for k in KINDS]
        paths += ["/do/propose_decision?kind=amend_commitment&commitment=c1"]
        for path in paths:
            coord.goto(f"/w/{SLUG}{path}")
            assert coord.page.locator("main h1").count() == 1, path
            coord.look(path.removeprefix("/do/"), desktop=False)
    engine.dispose()
    assert len(list(shots.iterdir())) == len(paths)
