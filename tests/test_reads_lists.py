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
