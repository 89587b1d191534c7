"""A real browser (Debian's chromium, headless, driven by Playwright) through the whole app.

A coordinator walks a process from declaration to monitoring with the workspace's forms, a
member votes, the coordinator resets a liaison's access and the liaison chooses a password with
the one-time code it received by email, accepts an activity and reports progress, and a citizen
reads the public page on a phone. Each page is audited with axe-core (no serious or critical
violation), markup typed into the forms is shown as text and never runs, and screenshots
are saved in ``test-artifacts/``.
"""
from __future__ import annotations

import datetime as dt
import email
import re
from email import policy
from pathlib import Path

import pytest
from conftest import chromium_or_skip
from sqlmodel import SQLModel
from webkit import PASSWORD, app_for, live_server

from notifications.config import MailConfig, SmtpSettings
from storage.db import make_engine
from workflow import actions

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'
MEMBERS = [("gob", "government"), ("garante", "guarantor"), ("osc", "civil_society")]
#: The declaration's signatories and a problem tree's causes and solutions, as their tables are filled in.
SIGNATORIES = {"signatories.0.name": "Gobernador", "signatories.0.role": "Ejecutivo", "signatories.0.sector": "government",
               "signatories.1.name": "Comisionada", "signatories.1.role": "Órgano garante",
               "signatories.1.sector": "guarantor"}
CAUSES_AND_SOLUTIONS = {"causes.0.text": "Tabuladores opacos", "causes.0.strategic": True,
                        "causes.1.text": "Promociones discrecionales", "solutions.0.key": "sol1",
                        "solutions.0.text": "Publicar y auditar tabuladores"}

@pytest.fixture
def site(tmp_path, clock):
    engine = make_engine(f"sqlite:///{tmp_path / 'cocrea.db'}")
    SQLModel.metadata.create_all(engine)

    def do(action, actor="coord", **payload):
        clock.advance(minutes=1)
        return actions.apply(engine, action, payload, actor=actor,
                             process="p" if action != "create_process" else None, clock=clock)

    # What `cocrea init` and `cocrea user set-password` do before anyone opens a browser.
    do("create_process", slug="p", name="Ejercicio local de prueba", template="inai_local", starts_on="2026-01-15",
       coordinator_name="Coordinación del STL", coordinator_email="coord@example.org",
       compliance_gate=False)  # the workspace is tested here, not the standards (tests/test_compliance_*)
    for handle, sector in MEMBERS:
        do("add_person", handle=handle, name=f"Integrante {handle}", role="member", sector=sector,
           email=f"{handle}@example.org")
    for handle in ("coord", "gob"):
        do("set_credentials", actor=handle, handle=handle, password=PASSWORD)  # each their own
    mail = MailConfig(SmtpSettings(outbox_dir=str(tmp_path / "mail")))
    with live_server(app_for(engine, clock, mail=mail)) as url:
        yield url, engine
    engine.dispose()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    chromium = chromium_or_skip()
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
        yield b
        b.close()


class Person:
    """One browser context (one person's cookies) with helpers over the real forms."""

    def __init__(self, browser, url, **context):
        self.ctx = browser.new_context(**context)
        self.page = self.ctx.new_page()
        self.url = url
        self.dialogs: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def goto(self, path):
        self.page.goto(self.url + path)
        return self.page

    def sign_in(self, handle, password=PASSWORD):
        page = self.goto("/login")
        page.select_option("select[name=process]", "p")
        page.fill("input[name=handle]", handle)
        page.fill("input[name=password]", password)
        page.click("main form button[type=submit]")
        page.wait_for_url(self.url + "/w/p")

    def redeem(self, handle, code, password=PASSWORD):
        """Choose a password with a one-time code, on the page its email links to."""
        page = self.goto(f"/acceso?process=p&handle={handle}")
        page.fill("input[name=code]", code)
        page.fill("input[name=password]", password)
        page.fill("input[name=repeat]", password)
        self.audit("one-time code page")
        page.click("main form button[type=submit]")
        page.wait_for_url(self.url + "/w/p")

    def act(self, action, ok=True, **fields):
        page = self.goto(f"/w/p/do/{action}")
        for key, value in fields.items():
            if isinstance(value, bool):
                page.set_checked(f'[name="{key}"]', value)
            elif isinstance(value, list):
                for v in value:
                    page.check(f'[name="{key}"][value="{v}"]')
            elif page.locator(f'[name="{key}"]').evaluate("e => e.tagName") == "SELECT":
                page.select_option(f'[name="{key}"]', value)
            else:
                page.fill(f'[name="{key}"]', value)
        page.click("main form.form > button[type=submit]")
        if ok:
            assert page.url == self.url + "/w/p", page.locator("#reasons").inner_text()
            return page.locator(".flash").inner_text()
        return page

    def propose(self, event, **extra):
        page = self.goto("/w/p")
        form = page.locator(f"#move-{event} form")
        for key, value in extra.items():
            form.locator(f'[name="{key}"]').fill(value) if key == "reason" else form.locator(
                f'[name="{key}"]').select_option(value)
        form.locator("button[type=submit]").click()
        assert page.locator(".flash").inner_text().startswith("Se sometió la propuesta a la sesión")
        return newest_decision(page)

    def decide(self, decision, ok=True):
        page = self.goto("/w/p")
        page.click(f"#decision-{decision} form[action$='/do/decide'] button")
        if ok:
            assert page.url == self.url + "/w/p", page.locator("#reasons").inner_text()
        return page

    def move(self, event="advance", **extra):
        return self.decide(self.propose(event, **extra))

    def shot(self, name, full_page=True):
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)

    def audit(self, label):
        from axe_playwright_python.sync_playwright import Axe

        result = Axe().run(self.page)
        bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
               for v in result.response["violations"] if v["impact"] in ("serious", "critical")]
        assert not bad, (label, bad)

    def stage(self):
        return self.goto("/api/processes/p/status") and self.page.evaluate(
            "() => JSON.parse(document.body.innerText).stage")


def newest_decision(page) -> str:
    """The key of the newest open decision on the dashboard (the page says no keys)."""
    return page.locator("#sessions li.decision").last.get_attribute("id").removeprefix("decision-")


def _on(clock, day: str, hour: int = 12, *people: tuple) -> None:
    """The site lives up to ``day``: what happened that day can be recorded (the clock only moves forward).
    Days pass, so sign-ins end for inactivity: ``people`` (person, handle) sign in again."""
    when = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), dt.timezone(dt.timedelta(hours=-6)))
    clock.set(max(when, clock.now()))
    for person, handle in people:
        person.sign_in(handle)


def test_a_process_from_declaration_to_monitoring_in_the_browser(site, browser, clock):
    url, engine = site
    coord = Person(browser, url, viewport={"width": 1280, "height": 900})
    coord.sign_in("coord")
    coord.audit("dashboard")

    # --- declaration
    _on(clock, "2026-01-20", 12, (coord, "coord"))
    coord.act("sign_declaration", signed_on="2026-01-20", document_ref="https://example.net/declaratoria.pdf",
              **SIGNATORIES)
    coord.act("convene_session", key="S1", scheduled_for="2026-01-27T10:00", place="Palacio de Gobierno",
              agenda="Instalación del STL\nPaso a la consulta")
    _on(clock, "2026-01-27", 10, (coord, "coord"))  # the session begins (it stays open for the whole exercise)
    coord.act("record_attendance", session="S1", members=["gob", "garante", "osc"])
    coord.move("advance", reason="Declaratoria firmada y STL instalado")
    assert coord.stage() == "consultation"

    # --- consultation: the panel lists the unmet criteria, and a refused move shows the same
    dash = coord.goto("/w/p")
    panel = dash.locator("#move-advance").inner_text()
    assert "at_least_one_channel" in panel and "channel_for_excluded_groups" in panel
    coord.shot("workspace-unmet-criteria")
    coord.audit("dashboard with unmet criteria")
    d = coord.propose("advance")
    refused = coord.decide(d, ok=False)
    assert refused.locator("#reasons").is_visible()
    codes = refused.locator("#reasons .code").all_inner_texts()
    assert codes == ["at_least_one_channel", "channel_for_excluded_groups", "inputs_received", "themes_prioritised"]
    coord.shot("refused-move")
    coord.audit("refused move")
    # a refused form keeps what was typed
    page = coord.act("add_theme", ok=False, key="mal clave", name="Tema que se conserva")
    assert page.locator('[name="name"]').input_value() == "Tema que se conserva"
    assert page.locator('[name="key"]').get_attribute("aria-invalid") == "true"
    coord.audit("refused form")

    _on(clock, "2026-02-01", 12, (coord, "coord"))
    coord.act("open_channel", key="web", kind="online", name="Consulta en línea", online=True,
              announced_on="2026-02-01", opens_on="2026-02-15", closes_on="2026-03-15")
    coord.act("open_channel", key="asamblea", kind="assembly", name="Asambleas comunitarias", aimed_at_excluded=True,
              announced_on="2026-02-01", opens_on="2026-02-20", closes_on="2026-03-10")
    coord.act("add_theme", key="genero", name=f"Brecha salarial {XSS}", description=f"Descripción {XSS}")
    _on(clock, "2026-03-01", 12, (coord, "coord"))
    coord.act("record_input", key="i1", channel="web", text=f"Igualdad salarial {XSS}", received_on="2026-03-01",
              contact_name="Ana Pérez", contact_email="ana@example.org")
    coord.act("answer_input", input="i1", disposition="adopted", theme="genero", rationale=f"Prioritario {XSS}")
    coord.act("prioritise_themes", themes="genero")
    coord.decide(d)  # the same motion, now that its criteria are met
    assert coord.stage() == "sensitization"

    # --- sensitization, planning, causes
    _on(clock, "2026-03-20", 12, (coord, "coord"))
    coord.act("record_sensitization_session", key="sen1", held_on="2026-03-20", place="Universidad",
              topics=["what_is_open_government", "what_is_expected_of_each_actor", "how_the_plan_will_be_built",
                      "how_it_works", "how_it_worked_elsewhere", "what_it_is_and_is_not"],
              **{"sectors.government": "3", "sectors.guarantor": "1", "sectors.civil_society": "5"})
    coord.move()
    coord.act("plan_working_table", key="mesa1", theme="genero", methodology="Árbol de problemas",
              call_ref="https://example.net/convocatoria.pdf", facilitator="Facilitación imparcial",
              held_on="2026-04-10", **{"sectors.government": "2", "sectors.civil_society": "3"})
    coord.move()
    coord.act("record_problem_tree", key="arbol1", theme="genero", problem=f"Brecha salarial de 18 % {XSS}",
              effects="Menor ingreso de las mujeres\nDesconfianza", **CAUSES_AND_SOLUTIONS)
    coord.move()
    assert coord.stage() == "commitments"

    # --- commitments: drafted, approved jointly (a member votes), then routes
    coord.act("add_agency", key="igualdad", name="Secretaría de Igualdad Sustantiva")
    coord.act("draft_commitment", key="c1", theme="genero", solution="sol1", title="Tabuladores abiertos",
              problem="Brecha salarial", cause="Tabuladores opacos", objective="Reducir la brecha",
              axes=["transparency", "participation"], ambition="innovative", outcome="Tabuladores publicados",
              end_date="2026-12-31", agencies=["igualdad"], action_lines="Diagnóstico\nPublicación")
    approve = coord.act("propose_decision", session="S1", kind="approve_commitments", reason="Plan conjunto")
    approve = newest_decision(coord.goto("/w/p"))
    member = Person(browser, url, viewport={"width": 1024, "height": 800})
    member.sign_in("gob")
    vote = member.goto("/w/p")
    assert vote.locator(f"#decision-{approve} form.vote").is_visible()
    assert vote.locator("#moves").count() == 0  # no move panel for a member
    vote.click(f"#decision-{approve} button[value=for]")
    assert "Integrante gob: a favor" in member.goto("/w/p").locator(f"#decision-{approve}").inner_text()
    member.shot("member-vote")
    member.audit("member dashboard")
    coord.decide(approve)
    coord.move()
    assert coord.stage() == "routes"

    coord.act("add_person", handle="enlace", name="Enlace de Igualdad", role="liaison", agency="igualdad",
              email="enlace@example.org", invite=False)  # its access is reset below instead
    done = coord.act("set_credentials", ok=False, handle="enlace", reset_access=True)
    assert done.locator("#sent-enlace").is_visible() and done.locator("#access-code").count() == 0
    coord.audit("access reset")
    (eml,) = list((Path(engine.url.database).parent / "mail").iterdir())
    message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["To"].addresses[0].addr_spec == "enlace@example.org"
    code = re.search(r"\b[0-9A-Z]{4}(?:-[0-9A-Z]{4}){3}\b", message.get_body(("plain",)).get_content()).group(0)
    coord.act("plan_activity", key="a1", commitment="c1", title="Publicar tabuladores", deliverable="Portal",
              agency="igualdad", start_date="2026-06-01", end_date="2026-09-30")
    coord.act("add_indicator", key="r1", commitment="c1", name="Brecha medida", kind="result", baseline="18 %",
              target="12 %")
    liaison = Person(browser, url, viewport={"width": 1024, "height": 800})
    liaison.redeem("enlace", code)  # signed in with the password it chose
    page = liaison.goto("/w/p")
    page.click("#activity-a1 form[action$='/do/accept_activity'] button")
    assert "aceptada" in liaison.goto("/w/p").locator("#activity-a1").inner_text()
    coord.move()
    assert coord.stage() == "monitoring"

    # --- monitoring: the liaison reports progress with evidence
    _on(clock, "2026-07-15", 12, (liaison, "enlace"), (coord, "coord"))
    page = liaison.goto("/w/p")
    form = page.locator("#activity-a1 form[action$='/do/report_progress']")
    form.locator("[name=status]").select_option("in_progress")
    form.locator("[name=percent]").fill("60")
    form.locator("[name=evidence_ref]").fill("https://example.net/evidencia-a1.pdf")
    form.locator("[name=reported_on]").fill("2026-07-15")
    form.locator("button[type=submit]").click()
    assert "60 %" in liaison.goto("/w/p").locator("#activity-a1").inner_text()
    liaison.shot("liaison-progress")
    liaison.audit("liaison dashboard")

    # --- a citizen reads the public page, on a phone, without signing in
    citizen = Person(browser, url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = citizen.goto("/p/p")
    assert page.locator(".timeline li[aria-current=step]").inner_text().startswith("8")
    assert page.locator("#progress-overall").get_attribute("value") == "60"
    assert page.locator("#tree-arbol1 .causes li.strategic").inner_text().startswith("Tabuladores opacos")
    text = page.locator("main").inner_text()
    assert "<script>window.__xss = 1</script>" in text  # shown as text
    assert page.evaluate("() => window.__xss") is None  # never run
    assert page.locator("main script").count() == 0 and page.locator("main img").count() == 0
    assert "Ana Pérez" not in page.content() and "@example.org" not in page.content()
    citizen.shot("public-phone")
    citizen.audit("public page (phone)")
    # no horizontal scrolling of the page itself on a phone
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.goto(url + "/idioma/en?next=/p/p")
    assert "Monitoring" in page.locator(".timeline").inner_text()
    citizen.audit("public page in English")
    # reading works without JavaScript
    nojs = Person(browser, url, viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    page = nojs.goto("/p/p")
    assert page.locator("#commitment-c1 h3").inner_text().startswith("Tabuladores abiertos")
    page.locator("#commitment-c1 summary").click()  # <details> opens without scripts
    route = page.locator("#commitment-c1 details a")  # its activities are on its own page
    assert route.is_visible()
    route.click()
    assert page.url.endswith("/p/p/compromisos/c1") and page.locator("#activities .activity").first.is_visible()
    assert page.locator("#progress-activity-1").get_attribute("value") == "60"
    nojs.shot("public-desktop-nojs")
    for person in (coord, member, liaison, citizen, nojs):
        assert person.dialogs == []


def test_keyboard_alone_reaches_the_content_and_signs_in(site, browser):
    url, _ = site
    person = Person(browser, url, viewport={"width": 1280, "height": 900})
    page = person.goto("/p/p")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    page = person.goto("/login")
    page.focus("select[name=process]")
    page.keyboard.press("Tab")
    page.keyboard.type("coord")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(url + "/w/p")
    person.audit("login by keyboard")


def test_the_session_screen_during_a_meeting(site, browser, clock):
    """The coordinator runs a session from its screen: members arrive by name, a motion is put,
    a member votes from a phone, the outcome shown before and after the decision."""
    url, engine = site
    coord = Person(browser, url, viewport={"width": 1280, "height": 900})
    coord.sign_in("coord")
    _on(clock, "2026-01-20", 12, (coord, "coord"))
    coord.act("convene_session", scheduled_for="2026-01-27T10:00", place="Palacio de Gobierno",
              agenda="Instalación del STL\nCalendario")
    _on(clock, "2026-01-27", 10, (coord, "coord"))
    page = coord.goto("/w/p")
    page.click("#sessions h3 a")
    screen = page.url
    assert page.locator("#quorum-gaps").is_visible()
    for handle, _ in MEMBERS:
        page.click(f"#member-{handle} button")
        assert page.url == screen
    assert page.locator("#quorate").is_visible()
    assert "presente" in page.locator("#member-osc").inner_text()
    page.fill("#motion-text", "Calendario de sesiones ordinarias")
    page.click("#new-motion button[type=submit]")
    assert "Si se decidiera ahora: Decisión adoptada por consenso" in page.locator(".motion .preview").inner_text()
    coord.shot("session-screen")
    coord.audit("session screen")
    member = Person(browser, url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    member.sign_in("gob")
    mpage = member.goto(screen.removeprefix(url))
    mpage.click(".motion button[value=against]")
    assert mpage.url == screen
    assert "en contra" in mpage.locator(".motion table.votes").inner_text()
    assert mpage.evaluate("() => document.documentElement.scrollWidth <= 391")
    member.shot("session-screen-phone")
    member.audit("session screen (phone)")
    page = coord.goto(screen.removeprefix(url))
    assert "Rechazada: objetó Integrante gob" in page.locator(".motion .preview").inner_text()
    page.click(".motion form[action$='/do/decide'] button")
    assert page.url == screen
    assert page.locator(".notice-refused").inner_text().startswith("Rechazada: objetó Integrante gob")
    assert page.locator(".motion .outcome").inner_text().startswith("Rechazada: objetó Integrante gob")
    coord.shot("session-screen-decided")
    coord.audit("session screen after the decision")


@pytest.fixture
def served(tmp_path, clock):
    """A live server over a process built with the test builders; ``serve(stage)`` -> (url, proc)."""
    import contextlib

    from builders import process_at

    engine = make_engine(f"sqlite:///{tmp_path / 'built.db'}")
    SQLModel.metadata.create_all(engine)
    stack = contextlib.ExitStack()

    def serve(stage):
        p = process_at(engine, clock, stage)
        for handle in ("coord", "gob", "osc"):
            p("set_credentials", actor=handle, handle=handle, password=PASSWORD)
        return stack.enter_context(live_server(app_for(engine, clock))), p

    with stack:
        yield serve
    engine.dispose()


def test_the_inbox_in_the_browser(served, browser):
    from builders import complete_stage

    url, p = served("consultation")
    complete_stage(p, "consultation")
    p("record_input", key="i2", channel="asamblea", text="Agua potable en las colonias del norte",
      received_on="2026-02-18")
    p("record_input", key="i3", channel="web", text="Transparencia en compras " * 12, received_on="2026-02-18")
    coord = Person(browser, url, viewport={"width": 1280, "height": 900})
    coord.sign_in("coord")
    page = coord.goto("/w/p")
    page.click("nav.tasks a[href$='/inbox']")
    assert "Agua potable" in page.locator("#input-i2").inner_text()
    coord.shot("inbox")
    coord.audit("inbox")
    page.select_option("#answer [name=disposition]", "adopted")
    page.select_option("#answer [name=theme]", "agua")
    page.fill("#answer [name=rationale]", "Se integra al tema del agua")
    page.click("#answer button[type=submit]")
    assert page.url.endswith("/w/p/inbox") and page.locator("#input-i3").is_visible()
    page.select_option("#answer [name=disposition]", "not_adopted")
    page.fill("#answer [name=rationale]", "Fuera del alcance del plan")
    page.click("#answer button[type=submit]")
    assert page.locator("#inbox-done").is_visible()
    phone = Person(browser, url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.sign_in("coord")
    assert phone.goto("/w/p").evaluate("() => document.documentElement.scrollWidth <= 391")


def test_the_plan_page_in_the_browser(served, browser):
    url, p = served("commitments")
    p("add_agency", key="igualdad", name="Secretaría de Igualdad")
    p("add_agency", key="finanzas", name="Secretaría de Finanzas")
    p("draft_commitment", key="c1", theme="genero", solution="sol1", title="Tabuladores abiertos",
      problem="Brecha", cause="Tabuladores opacos", objective="Reducir la brecha", axes=["transparency"],
      ambition="proactive", outcome="Tabuladores publicados", end_date="2026-12-31", agencies=["igualdad"],
      action_lines=["Publicar"])
    key = p.session()
    coord = Person(browser, url, viewport={"width": 1280, "height": 900})
    coord.sign_in("coord")
    page = coord.goto("/w/p/plan")
    page.click("#approve button[type=submit]")
    assert page.url.endswith("/w/p/plan") and page.locator("#pending .card").count() == 1
    page.click("#pending a")
    page.click(".motion form[action$='/do/decide'] button")
    assert page.locator(".motion .outcome").last.inner_text().startswith("Decisión adoptada por consenso: aprobar")
    page = coord.goto("/w/p/plan")
    page.click("#commitment-c1 details.edit summary")
    page.fill("#f-c1-title", "Tabuladores abiertos y auditados")
    page.check("#commitment-c1 [name=agencies][value=finanzas]")
    page.fill("#amend-c1-reason", "Se suma Finanzas")
    page.click("#commitment-c1 details.edit button[type=submit]")
    pending = page.locator("#pending").inner_text()
    assert "Tabuladores abiertos y auditados" in pending and "Secretaría de Finanzas" in pending
    coord.shot("plan-amendment")
    coord.audit("plan page")
    assert key


def test_history_audit_and_reminders_pages_in_the_browser(served, browser):
    url, p = served("routes")
    coord = Person(browser, url, viewport={"width": 1280, "height": 900})
    coord.sign_in("coord")
    for name, check in (("history", "ol.history li"), ("audit", "#audit-ok"), ("reminders", "#send-due")):
        page = coord.goto("/w/p")
        page.click(f"nav.tasks a[href$='/{name}']")
        page.wait_for_url(f"{url}/w/p/{name}")  # the click returns once the navigation commits, not loads
        assert page.locator(check).first.is_visible()
        coord.shot(f"workspace-{name}")
        coord.audit(f"{name} page")
    phone = Person(browser, url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.sign_in("coord")
    for name in ("history", "audit", "reminders"):
        page = phone.goto(f"/w/p/{name}")
        assert page.evaluate("() => document.documentElement.scrollWidth <= 391"), name
    phone.shot("workspace-audit-phone")


def test_an_administrator_creates_a_process_in_the_browser(tmp_path, browser, clock):
    """No process yet: an administrator creates one from the web, and its coordinator, invited by
    email, chooses a password with the one-time link and reaches the workspace."""
    from workflow import signin

    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    SQLModel.metadata.create_all(engine)
    signin.create_admin(engine, "admin", "Administración", PASSWORD, clock.now())
    mail = MailConfig(SmtpSettings(outbox_dir=str(tmp_path / "mail")))
    with live_server(app_for(engine, clock, mail=mail)) as url:
        admin = Person(browser, url, viewport={"width": 1280, "height": 900})
        page = admin.goto("/admin")
        page.fill("#a-handle", "admin")
        page.fill("#a-password", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url(url + "/admin")
        page.fill("#f-name", "Plan local de Oaxaca")
        page.check("#t-inai_local")
        page.check("#s-academia")
        page.fill("#s-civil_society-min", "2")
        page.fill("#f-coordinator_name", "Laura Méndez")
        page.fill("#f-coordinator_email", "laura@example.org")
        admin.audit("administration")
        admin.shot("admin-create-process")
        page.click("#create-process > button[type=submit]")
        assert page.locator("#invited").is_visible()
        admin.shot("admin-created")
        (eml,) = list((tmp_path / "mail").iterdir())
        body = email.message_from_bytes(eml.read_bytes(), policy=policy.default).get_body(("plain",)).get_content()
        code = re.search(r"\b[0-9A-Z]{4}(?:-[0-9A-Z]{4}){3}\b", body).group(0)
        link = re.search(r"http\S+/acceso\?\S+", body).group(0)
        coord = Person(browser, url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        page = coord.goto(link.split("/acceso", 1)[1].join(["/acceso", ""]))
        page.fill("input[name=code]", code)
        page.fill("input[name=password]", "mi-propia-contraseña")
        page.fill("input[name=repeat]", "mi-propia-contraseña")
        page.click("main form button[type=submit]")
        page.wait_for_url(url + "/w/plan-local-de-oaxaca")
        assert "Laura Méndez" in page.locator("main").inner_text()
        assert page.evaluate("() => document.documentElement.scrollWidth <= 391")
        coord.shot("first-coordinator-dashboard-phone")
        coord.audit("first coordinator's dashboard")
    engine.dispose()


def test_a_liaison_reports_progress_with_a_file_in_the_browser(served, browser, tmp_path):
    import hashlib

    url, p = served("monitoring")
    p.on("2026-07-15")
    p("set_credentials", actor="enlace", handle="enlace", password=PASSWORD)
    evidence = tmp_path / "avance-julio.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% avance de julio\n" + b"0" * 500)
    liaison = Person(browser, url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    liaison.sign_in("enlace")
    page = liaison.goto("/w/p")
    assert "Compromiso: Tabuladores abiertos" in page.locator("#activities").inner_text()
    form = page.locator("#activity-a1 form[action$='/do/report_progress']")
    form.locator("[name=status]").select_option("in_progress")
    form.locator("[name=percent]").fill("45")
    form.locator("[name=evidence_file]").set_input_files(str(evidence))
    form.locator("button[type=submit]").click()
    page.wait_for_url(url + "/w/p")
    link = page.locator("#activity-a1 ul.reports a").first
    href = link.get_attribute("href")
    digest = hashlib.sha256(evidence.read_bytes()).hexdigest()
    assert f"/evidencia/p/{digest}/avance-julio.pdf" in href
    assert page.request.get(href.replace("http://127.0.0.1:8000", url)).body() == evidence.read_bytes()
    assert page.evaluate("() => document.documentElement.scrollWidth <= 391")
    liaison.shot("liaison-evidence-file-phone")
    liaison.audit("liaison dashboard with a file report")


def test_a_liaison_reports_with_the_progress_sheet_in_the_browser(served, browser, tmp_path):
    import csv
    import io

    from reads.imports import PROGRESS_SHEET, export_activities

    url, p = served("monitoring")
    p.on("2026-07-15")
    p("set_credentials", actor="enlace", handle="enlace", password=PASSWORD)
    out = io.BytesIO()
    export_activities(p.db, "p", "igualdad", out, "csv")
    rows = list(csv.DictReader(io.StringIO(out.getvalue().decode())))
    rows[0].update(status="in_progress", percent="35")
    sheet = tmp_path / "avance.csv"
    with sheet.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, PROGRESS_SHEET)
        w.writeheader()
        w.writerows(rows)
    for viewport, phone in (({"width": 1280, "height": 900}, False), ({"width": 390, "height": 844}, True)):
        liaison = Person(browser, url, viewport=viewport, is_mobile=phone, has_touch=phone)
        liaison.sign_in("enlace")
        page = liaison.goto("/w/p")
        page.click("#progress-sheet-link")
        assert page.url.endswith("/w/p/progress-sheet") and page.locator("#downloads a").count() == 2
        liaison.audit("progress sheet page")
        page.set_input_files("#sheet-file", str(sheet))
        page.click("#upload button[type=submit]")
        assert page.locator("#changes tbody tr").count() == 1 and page.locator("#confirm").is_visible()
        assert "en curso, 35 %" in page.locator("#changes").inner_text()
        assert page.evaluate("() => document.documentElement.scrollWidth <= 391") or not phone
        liaison.shot("liaison-progress-sheet-dry-run" + ("-phone" if phone else ""))
        liaison.audit("progress sheet dry run")
        if phone:
            page.click("#confirm button[type=submit]")
            page.wait_for_url(url + "/w/p")
            assert "Se registró la hoja de avances" in page.locator(".flash").inner_text()
