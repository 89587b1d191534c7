"""A citizen in a real browser (Debian's chromium through Playwright), on a phone's width:
takes part through the form, confirms the email from the link that arrived at a real SMTP server
(aiosmtpd), receives the reasoned response there, follows the process (confirming it by its own
link) and stops the emails with the link of one. axe-core finds no serious or critical violation on any of these pages, and no
page scrolls sideways at 390 px."""
from __future__ import annotations

import dataclasses
import re

import pytest
from builders import online_consultation
from conftest import chromium_or_skip
from mailserver import mail_config, smtp_server, tick
from sqlmodel import Session, SQLModel, select
from webkit import app_for, live_server

from storage.db import make_engine
from storage.models import Input

EMAIL = "lucia.citizen@example.net"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture
def site(tmp_path, clock):
    engine = make_engine(f"sqlite:///{tmp_path / 'cocrea.db'}")
    SQLModel.metadata.create_all(engine)
    p = online_consultation(engine, clock)
    p("add_theme", key="agua", name="Agua potable")
    p.on("2026-02-12")
    with live_server(app_for(engine, clock)) as url:
        yield url, p
    engine.dispose()


@pytest.fixture
def phone():
    from playwright.sync_api import sync_playwright

    chromium = chromium_or_skip()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
        ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        yield ctx.new_page()
        browser.close()


def audit(page, label):
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page)
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
           for v in result.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, (label, bad)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, (label, "scrolls sideways")


def worker_tick(db, clock, config) -> None:
    """One tick of the worker, in its own thread (Playwright's sync API holds this thread's event loop)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        pool.submit(tick, db, clock, config).result()


def body(message) -> str:
    return message.message.get_body(preferencelist=("plain",)).get_content()


def test_a_citizen_takes_part_confirms_receives_the_response_and_stops_the_emails(site, phone, clock):
    url, p = site
    with smtp_server() as (host, port, handler):
        config = dataclasses.replace(mail_config(host, port), public_url=url)
        page = phone
        page.goto(url + "/p/p")
        page.click("#take-part a[href$='/participa']")
        audit(page, "participation form")
        page.fill("#f-text", "Que publiquen los tabuladores de sueldos del agua <b>ya</b>")
        page.check("#f-theme-1")
        page.select_option("#f-profile-age_range", "30_44")
        page.fill("#f-email", EMAIL)
        page.click("#participate button[type=submit]")  # the notice is not accepted: the browser stops it
        assert "/gracias" not in page.url
        page.check("#f-privacy")
        page.click("#participate button[type=submit]")
        page.wait_for_url(re.compile(r".*/participa/gracias.*"))
        assert "i1" in page.locator("#received").inner_text()
        audit(page, "thanks")
        with Session(p.db) as s:
            row = s.exec(select(Input).where(Input.key == "i1")).one()
        assert row.text.endswith("<b>ya</b>") and row.themes == ["agua"] and row.profile == {"age_range": "30_44"}

        worker_tick(p.db, clock, config)
        (confirm,) = [m for m in handler.messages if m.rcpt_tos == [EMAIL]]
        link = re.search(rf"{re.escape(url)}/p/p/confirmar/\S+", body(confirm)).group()
        page.goto(link)
        audit(page, "confirmation page")
        page.click("main form button[type=submit]")
        assert page.locator("#done").is_visible()

        p("answer_input", input="i1", disposition="adopted", rationale="Se incluye en la mesa del agua")
        clock.advance(minutes=5)
        worker_tick(p.db, clock, config)
        answer = [m for m in handler.messages if m.rcpt_tos == [EMAIL]][-1]
        assert "Se incluye en la mesa del agua" in body(answer)
        page.goto(url + "/p/p")
        assert "<b>ya</b>" in page.locator("#consultation").inner_text()  # shown as text, never as markup
        assert EMAIL not in page.content()

        page.goto(url + "/p/p/seguir")
        audit(page, "follow form")
        page.fill("#f-email", EMAIL)
        page.check("#f-privacy")
        page.click("#follow button[type=submit]")
        assert page.locator("#following").is_visible()
        worker_tick(p.db, clock, config)  # following asks its own confirmation, the address confirmed or not
        ask = [m for m in handler.messages if m.rcpt_tos == [EMAIL]][-1]
        page.goto(re.search(rf"{re.escape(url)}/p/p/seguir/confirmar/\S+", body(ask)).group())
        audit(page, "follow confirmation page")
        page.click("main form button[type=submit]")
        assert page.locator("#done").is_visible()

        stop = answer.message["List-Unsubscribe"].strip("<>")
        page.goto(stop)
        audit(page, "unsubscribe page")
        page.click("main form button[type=submit]")
        assert page.locator("#done").is_visible()
