"""Long lists a page at a time: the same rows as the public view, searchable, with totals."""
from __future__ import annotations

import pytest

from reads import lists, public
from tests.builders import process_at


@pytest.fixture
def monitoring(db, clock):
    return process_at(db, clock, "monitoring")


def test_each_list_pages_the_public_views_rows(db, clock, monitoring):
    p = monitoring
    view = public.public_view(db, "p", "es", clock=clock)
    expected = {"inputs": view["consultation"]["inputs"], "activities": view["activities"],
                "progress_reports": [{k: v for k, v in r.items()} for r in view["progress_reports"]]}
    for name in lists.LISTS:
        got = lists.page(db, "p", name, lang="es")
        assert got["items"] == expected[name], name
        assert got["total"] == got["all"] == len(expected[name]) and got["pages"] == 1


def test_pages_search_and_totals(db, clock):
    from tests.test_bulk_import import consultation, csv_bytes, rows, run

    p = consultation(db, clock)
    run(p, csv_bytes(rows(30)))  # 31 inputs: i1, then form-0 .. form-29
    second = lists.page(db, "p", "inputs", page=2, per_page=10)
    assert [i["key"] for i in second["items"]] == [f"form-{n}" for n in range(9, 19)]
    assert (second["total"], second["all"], second["pages"]) == (31, 31, 4)
    assert "contact_email" not in second["items"][0] and "contact_name" not in second["items"][0]
    found = lists.page(db, "p", "inputs", q="PROPUESTA 1", per_page=5)
    assert (found["total"], found["all"], found["pages"], len(found["items"])) == (11, 31, 3, 5)
    assert lists.page(db, "p", "inputs", page=99)["items"] == []
    none = lists.page(db, "p", "inputs", q="100%_")  # LIKE's wildcards are searched as text
    assert (none["total"], none["all"], none["items"], none["pages"]) == (0, 31, [], 1)
    assert lists.page(db, "p", "inputs", q="p3@correo")["total"] == 0  # contact data is not searched


def test_the_api_serves_each_list_a_page_at_a_time(sqlite_db, clock):
    from tests.test_bulk_import import consultation, csv_bytes, rows, run
    from tests.webkit import client

    p = consultation(sqlite_db, clock)
    run(p, csv_bytes(rows(30)))
    c = client(sqlite_db, clock)
    r = c.get("/api/processes/p/inputs", params={"page": 2, "per_page": 10, "q": "propuesta"})
    assert r.status_code == 200
    body = r.json()
    assert (body["total"], body["all"], body["pages"], body["page"]) == (30, 31, 3, 2)
    assert [i["key"] for i in body["items"]] == [f"form-{n}" for n in range(10, 20)]
    assert "p12@correo.example" not in r.text
    assert c.get("/api/processes/p/inputs", params={"per_page": 500}).status_code in (400, 422)
    assert c.get("/api/processes/nadie/activities").status_code == 404
    assert c.get("/api/processes/p/progress_reports").json()["all"] == 0


def test_the_public_page_shows_the_inputs_a_page_at_a_time(sqlite_db, clock):
    from tests.test_bulk_import import consultation, csv_bytes, rows, run
    from tests.webkit import client

    p = consultation(sqlite_db, clock)
    run(p, csv_bytes(rows(60)))  # 61 inputs
    c = client(sqlite_db, clock)
    first = c.get("/p/p").text
    assert "de 61 aportaciones" in first and "Página 1 de 2" in first
    assert "<td>form-48</td>" in first and "<td>form-49</td>" not in first  # i1, form-0 .. form-48: 50 on page 1
    assert 'href="/p/p?page=2#inputs"' in first and "p3@correo.example" not in first
    second = c.get("/p/p?page=2").text
    assert "<td>form-49</td>" in second and "<td>form-59</td>" in second and "<td>form-48</td>" not in second
    found = c.get("/p/p", params={"q": "Propuesta 5"}).text
    assert "11 aportaciones contienen «Propuesta 5»" in found and "<td>form-55</td>" in found and "<td>form-6</td>" not in found
    assert c.get("/p/p", params={"q": "<script>"}).text.count("<script>") == c.get("/p/p").text.count("<script>")


@pytest.mark.parametrize("zone", ["America/Mexico_City", "Europe/Madrid", "America/Santiago", "Australia/Lord_Howe",
                                  "Asia/Kathmandu", "America/St_Johns", "UTC"])
def test_the_views_times_are_the_zones_local_time_to_the_minute(zone):
    """``public.Fmt.at`` writes a time from its UTC day's offset (and the local day's date): the
    same text as ``astimezone`` + ``isoformat``, on the days the offset changes too, before 1900
    (offsets in seconds) and for times given in another zone."""
    import datetime as dt
    import random
    from zoneinfo import ZoneInfo

    f, tz, utc, rnd = public.Fmt(zone), ZoneInfo(zone), dt.timezone.utc, random.Random(9)
    times = [dt.datetime(1890, 1, 1, tzinfo=utc) + dt.timedelta(seconds=rnd.randrange(160 * 365 * 86400))
             for _ in range(5000)]
    times += [dt.datetime(2021, 3, 27, tzinfo=utc) + dt.timedelta(minutes=m) for m in range(0, 4 * 1440, 7)]
    times += [dt.datetime(2021, 10, 30, tzinfo=utc) + dt.timedelta(minutes=m) for m in range(0, 4 * 1440, 7)]
    times += [t.astimezone(ZoneInfo("Asia/Tokyo")) for t in times[:200]]
    assert [f.at(t) for t in times] == [t.astimezone(tz).isoformat(timespec="minutes") for t in times]
    assert f.at(None) is None


def test_the_views_inputs_are_masked_where_a_run_of_them_holds_contact_data():
    """``_input_rows`` asks each run of ``MASKED_TOGETHER`` inputs once whether a text is to be
    masked: an email or a phone number anywhere in a run is masked, the other texts are as written."""
    import datetime as dt
    from collections import namedtuple

    from stages.participation import mask

    row = namedtuple("row", "key channel_id commitment_id theme_id kind text sector received_on themes disposition "
                            "rationale answered_at")
    n = 3 * public.MASKED_TOGETHER + 5
    texts = {i: f"Propuesta {i} sobre el agua" for i in range(n)}
    texts[public.MASKED_TOGETHER + 6] = "Escriban a vecinos@example.org"
    texts[n - 1] = "Llamen al 33 1234 5678 por favor"
    rationale = {2 * public.MASKED_TOGETHER: "Respondido a ana@example.org"}
    inputs = [row(f"i{i}", None, None, None, "written", texts[i], None, dt.date(2026, 2, 5), [], None,
                  rationale.get(i, "Gracias"), None) for i in range(n)]
    out = public._input_rows(inputs, {}, {}, {}, public.Fmt("America/Mexico_City"), "es")
    assert [o["text"] for o in out] == [mask(texts[i]) for i in range(n)]
    assert [o["rationale"] for o in out] == [mask(rationale.get(i, "Gracias")) for i in range(n)]
    assert sum(o["text"] != texts[i] for i, o in enumerate(out)) == 2
    assert out[2 * public.MASKED_TOGETHER]["rationale"] != rationale[2 * public.MASKED_TOGETHER]
