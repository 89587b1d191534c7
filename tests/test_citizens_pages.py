"""The public pages a citizen reads, through the real app over a real database: how else to take
part when the online consultation is closed (each channel's place, date and instructions, as the
coordinator records them), a commitment's own page, the process page opening with what a citizen
can do now, and no internal key, code or handle on any public page of a whole process."""
from __future__ import annotations

import pytest
from builders import process_at
from webkit import client


@pytest.fixture
def site(db, clock):
    p = process_at(db, clock, "consultation")
    p.on("2026-01-21")
    p("open_channel", key="web", kind="online", name="Consulta en línea", online=True, announced_on="2026-01-21",
      opens_on="2026-02-04", closes_on="2026-03-04")
    p("open_channel", key="foro", kind="assembly", name="Foro en Guadalajara", aimed_at_excluded=True,
      announced_on="2026-01-21", opens_on="2026-03-10", closes_on="2026-03-10",
      place="Biblioteca Iberoamericana, Pedro Moreno 1, Guadalajara", schedule="de 10:00 a 14:00",
      instructions="Entrada libre; registro en la puerta con una identificación")
    p("open_channel", key="buzon", kind="suggestion_box", name="Buzón en presidencia municipal",
      announced_on="2026-01-21", opens_on="2026-01-25", closes_on="2026-01-30", place="Planta baja del palacio")
    return p


def test_a_channel_records_its_place_schedule_and_instructions(site):
    from reads.public import participation_view

    v = participation_view(site.db, "p", clock=site.clock)
    (foro,) = [c for c in v["other_channels"] if c["key"] == "foro"]
    assert (foro["place"], foro["schedule"], foro["instructions"], foro["state"]) == (
        "Biblioteca Iberoamericana, Pedro Moreno 1, Guadalajara", "de 10:00 a 14:00",
        "Entrada libre; registro en la puerta con una identificación", "upcoming")
    # a correction through the same action changes them
    site("open_channel", key="foro", kind="assembly", name="Foro en Guadalajara", announced_on="2026-01-21",
         opens_on="2026-03-10", closes_on="2026-03-10", place="Auditorio del ITESO", schedule="de 9:00 a 13:00")
    v = participation_view(site.db, "p", clock=site.clock)
    (foro,) = [c for c in v["other_channels"] if c["key"] == "foro"]
    assert (foro["place"], foro["instructions"]) == ("Auditorio del ITESO", "")


def test_when_the_online_channel_has_closed_the_page_says_so_and_how_else(site, db, clock):
    site.on("2026-03-05")
    c = client(db, clock)
    page = c.get("/p/p/participa").text
    assert 'id="closed"' in page and 'id="participate"' not in page
    assert "La consulta en línea cerró el" in page
    other = page[page.index('id="other-title"'):page.index('id="past-title"')]
    assert "Foro en Guadalajara" in other and "Biblioteca Iberoamericana, Pedro Moreno 1, Guadalajara" in other
    assert "de 10:00 a 14:00" in other and "registro en la puerta" in other and "Dónde" in other
    # the closed suggestion box is listed apart, as closed
    past = page[page.index('id="past-title"'):]
    assert "Buzón en presidencia municipal" in past and "Buzón" not in other
    home = c.get("/p/p").text
    take_part = home[home.index('id="take-part"'):home.index("</aside>")]
    assert "Foro en Guadalajara" in take_part and "Biblioteca Iberoamericana" in take_part
    c.cookies.set("cocrea_lang", "en")
    page = c.get("/p/p/participa").text
    assert "The online consultation closed on" in page and "Other ways to take part" in page and "Where" in page


def test_before_the_online_channel_opens_the_page_says_when(site, db, clock):
    c = client(db, clock)
    page = c.get("/p/p/participa").text
    assert 'id="opens"' in page and "abre el" in page
    assert 'id="channel-foro"' in page and 'id="channel-buzon"' in page
