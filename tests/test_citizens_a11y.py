"""Every public page a citizen reads, in a real browser (Debian's chromium through Playwright), at
a desktop's width and a phone's (390 px): axe-core finds no serious or critical violation, and no
page scrolls sideways on the phone. The pages come from three processes: the whole example
(closed: the process page, its compliance report, each commitment's page, taking part closed),
one whose online consultation is open (the form), and one whose draft plan is open for comment."""
from __future__ import annotations

import datetime as dt

import pytest
from builders import draft_commitment, online_consultation, open_comments, process_at
from click.testing import CliRunner
from conftest import chromium_or_skip
from sqlmodel import Session, select
from webkit import app_for, live_server

from cli.demo import EXAMPLE
from cli.main import main
from storage import make_engine
from storage import models as m

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
WHOLE = "jalisco-2025"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from stages.clock import FixedClock

    clock = FixedClock(dt.datetime(2026, 1, 15, 16, 0, tzinfo=dt.timezone.utc))
    url = f"sqlite:///{tmp_path_factory.mktemp('a11y') / 'cocrea.db'}"
    result = CliRunner().invoke(main, ["--db", url, "apply", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    engine = make_engine(url)
    # a consultation open online, and a draft plan open for comment
    q = online_consultation(engine, clock, slug="consulta")
    q("open_channel", key="foro", kind="assembly", name="Foro en Guadalajara", announced_on="2026-01-21",
      opens_on="2026-03-10", closes_on="2026-03-10", place="Biblioteca Iberoamericana, Guadalajara",
      schedule="de 10:00 a 14:00", instructions="Entrada libre; registro en la puerta")
    q("add_theme", key="agua", name="Agua potable")
    q.on("2026-02-12")
    c = process_at(engine, q.clock, "commitments", slug="plan")
    draft_commitment(c)
    open_comments(c)
    with Session(engine) as s:
        pid = s.exec(select(m.Process).where(m.Process.slug == WHOLE)).one().id
        keys = [k for k in s.exec(select(m.Commitment.key).where(m.Commitment.process_id == pid))]
    pages = {"index": "/"}
    for slug in (WHOLE, "consulta", "plan"):
        pages |= {f"{slug} process": f"/p/{slug}", f"{slug} participa": f"/p/{slug}/participa",
                  f"{slug} seguir": f"/p/{slug}/seguir", f"{slug} cumplimiento": f"/p/{slug}/cumplimiento"}
    pages |= {f"commitment {k}": f"/p/{WHOLE}/compromisos/{k}" for k in keys}
    pages |= {"plan comentar": "/p/plan/comentar", "plan commitment": "/p/plan/compromisos/c1",
              "consulta comentar": "/p/consulta/comentar"}
    with live_server(app_for(engine, c.clock)) as base:
        yield base, pages
    engine.dispose()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    chromium = chromium_or_skip()
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def phone(browser):
    """A page of a new browser context at a phone's width (touch, mobile), closed after the test."""
    ctx = browser.new_context(viewport=WIDTHS["phone"], is_mobile=True, has_touch=True)
    try:
        yield ctx.new_page()
    finally:
        ctx.close()


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_every_public_page_passes_axe_and_fits_a_phone(site, browser, width):
    from axe_playwright_python.sync_playwright import Axe

    base, pages = site
    phone = width == "phone"
    ctx = browser.new_context(viewport=WIDTHS[width], is_mobile=phone, has_touch=phone)
    page = ctx.new_page()
    axe, problems, seen = Axe(), [], 0
    try:
        for lang in ("es", "en"):
            ctx.add_cookies([{"name": "cocrea_lang", "value": lang, "url": base}])
            for label, path in pages.items():
                response = page.goto(base + path)
                assert response.status == 200, (label, path, response.status)
                seen += 1
                result = axe.run(page)
                bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                       for v in result.response["violations"] if v["impact"] in ("serious", "critical")]
                if bad:
                    problems.append((lang, label, bad))
                if phone:
                    wide = page.evaluate("() => document.documentElement.scrollWidth")
                    if wide > 390:
                        problems.append((lang, label, f"scrolls sideways: {wide} px"))
    finally:
        ctx.close()
    assert seen >= 2 * 18
    assert problems == [], problems


def test_on_a_phone_a_checkbox_stands_beside_its_label(site, phone):
    """The privacy consent and the themes: the box and the start of its label on one line at 390 px
    (a long label wraps beside its box instead of falling under it)."""
    base, _ = site
    page = phone
    page.goto(base + "/p/consulta/participa")
    for box in ("#f-privacy",):
        label = page.locator(f"label[for='{box[1:]}']").bounding_box()
        check = page.locator(box).bounding_box()
        assert label["y"] <= check["y"] + check["height"] / 2 <= label["y"] + label["height"], (box, check, label)
        assert check["x"] + check["width"] <= label["x"]


def test_the_compliance_report_page_is_styled_within_the_sites_policy(site, phone):
    """The report keeps its own style sheet (it is also a file to publish); the page's policy lets
    in that sheet alone, by its hash, so it does not show as bare text."""
    import base64
    import hashlib
    import re

    base, _ = site
    page = phone
    response = page.goto(f"{base}/p/{WHOLE}/cumplimiento")
    style = re.search(r"<style>(.*?)</style>", response.text(), re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    policy = response.headers["content-security-policy"]
    assert f"'sha256-{digest}'" in policy and "script-src 'none'" in policy
    assert "system-ui" in page.evaluate("() => getComputedStyle(document.body).fontFamily")
    badge = page.locator(".badge").first
    assert badge.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"


def test_the_compliance_report_links_back_to_the_process_page(site, phone):
    base, _ = site
    page = phone
    page.goto(f"{base}/p/{WHOLE}/cumplimiento")
    back = page.locator("nav.back a")
    assert back.inner_text() == "← Volver a la página del proceso"
    back.click()
    page.wait_for_url(f"{base}/p/{WHOLE}")
    assert page.locator("#now").count() == 1  # the process page, opening with today in the process


def _right_edge_lightness(browser, png: bytes, band: int = 6) -> float:
    """The mean lightness (0-255) of the rightmost ``band`` pixels of a screenshot, read back in
    the browser (a canvas on a blank page: the site's policy is not in the way)."""
    import base64

    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        page.set_content("<canvas></canvas>")
        return page.evaluate("""async ([src, band]) => {
            const img = new Image(); img.src = src; await img.decode();
            const c = document.querySelector('canvas'); c.width = img.width; c.height = img.height;
            const g = c.getContext('2d'); g.drawImage(img, 0, 0);
            const d = g.getImageData(img.width - band, 0, band, img.height).data;
            let sum = 0; for (let i = 0; i < d.length; i += 4) sum += (d[i] + d[i + 1] + d[i + 2]) / 3;
            return sum / (d.length / 4); }""", ["data:image/png;base64," + base64.b64encode(png).decode(), band])
    finally:
        ctx.close()


def test_on_a_phone_a_wide_table_shows_that_it_scrolls(site, phone, browser):
    """A table wider than a phone scrolls inside its box; a shadow on its right edge says more of it
    is hidden there, and goes once the table is scrolled to its end."""
    base, _ = site
    page = phone
    page.goto(f"{base}/p/{WHOLE}")
    box = page.locator("#decisions .scroll")
    box.scroll_into_view_if_needed()
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")  # it does scroll sideways
    hidden_right = _right_edge_lightness(browser, box.screenshot())
    box.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
    at_the_end = _right_edge_lightness(browser, box.screenshot())
    assert hidden_right < at_the_end - 15, (hidden_right, at_the_end)
