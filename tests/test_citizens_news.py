"""The news of a process: one builder of what changed (``stages.news.events``), read by the Atom
feed, the page's opening and the weekly digest; each day's reasoned responses are counted whole,
by aggregate queries when the inputs are not read, from the inputs when a view reads them all."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from builders import complete_stage, process_at
from webkit import atom_entries, client

MX = ZoneInfo("America/Mexico_City")


def answered_on_many_days(db, clock):
    """A consultation whose inputs are answered on eight local days, two answers of them at 23:10
    and 00:10 where the process is (the same day in UTC, two days there)."""
    p = process_at(db, clock, "consultation")
    complete_stage(p, "consultation")  # one answer on 18 February
    n = 0
    for day in range(19, 27):
        p.clock.set(dt.datetime(2026, 2, day, 0, 0, tzinfo=MX))  # two actions an hour each, from 01:00
        for _ in range(day - 17):  # 2, 3, ... answers a day: each day's count is its own
            n += 1
            p("record_input", key=f"n{n}", channel="web", text=f"Aporte {n}", received_on=f"2026-02-{day:02d}")
            p("answer_input", input=f"n{n}", disposition="adopted", rationale="Se incorpora", theme="agua")
    p.clock.set(dt.datetime(2026, 2, 27, 21, 10, tzinfo=MX))
    p("record_input", key="late", channel="web", text="De noche", received_on="2026-02-27")  # 22:10
    p("answer_input", input="late", disposition="adopted", rationale="A las 23:10", theme="agua")  # 23:10
    p("record_input", key="night", channel="web", text="De madrugada", received_on="2026-02-28")  # 00:10, the next day
    p("answer_input", input="night", disposition="adopted", rationale="A las 01:10", theme="agua")  # 01:10
    return p


def test_the_page_counts_each_days_responses_whole_as_the_feed_does(db, clock):
    from reads.public import NEWS_DAYS, public_view, response_days
    from sqlmodel import Session
    from stages import news
    from storage import process_by_slug

    answered_on_many_days(db, clock)
    full = public_view(db, "p")  # every input read
    paged = public_view(db, "p", inputs=False)  # the page's: counted by the database
    assert [e for e in full["news"] if e["kind"] == "responses"][:NEWS_DAYS] == \
        [e for e in paged["news"] if e["kind"] == "responses"]
    assert full["news"][:NEWS_DAYS] == paged["news"][:NEWS_DAYS]
    # the evening and the night are two days where the process is, though one day in UTC
    days = {e["id"]: e["count"] for e in paged["news"] if e["kind"] == "responses"}
    assert days["responses-2026-02-27"] == 1 and days["responses-2026-02-28"] == 1
    assert days["responses-2026-02-26"] == 9 and days["responses-2026-02-25"] == 8
    with Session(db) as s:
        p = process_by_slug(s, "p")
        every = response_days(s, p, days=100)
    inputs = full["consultation"]["inputs"]
    expected = news.per_day((dt.datetime.fromisoformat(i["answered_at"]) for i in inputs if i["answered_at"]),
                            "America/Mexico_City")
    assert [(d.day, d.count, d.latest) for d in every] == [(d.day, d.count, d.latest) for d in reversed(expected)]
    # the page opens with them
    home = client(db, clock).get("/p/p").text
    latest = home[home.index('id="latest-title"'):home.index('id="toc-title"')]
    assert "1 aportación recibió su respuesta razonada" in latest


def test_the_feed_and_the_digest_read_one_list_of_events(db, clock):
    """Every kind of event the digest counts is an entry of the feed, with the same count, for
    a week with a move, a session and its minutes, a document, inputs and responses, an agreed
    commitment and progress."""
    from notifications.citizens import changes, week_of
    from sqlmodel import Session
    from storage import process_by_slug

    p = process_at(db, clock, "monitoring")
    p.on("2026-08-03")  # Monday
    p("report_progress", actor="enlace", activity="a1", status="in_progress", percent=40, reported_on="2026-08-03",
      evidence_ref="https://example.net/evidencia-a1.pdf")
    p("publish_document", kind="report", title="Informe de avance", ref="https://example.net/avance.pdf")
    key = p.session()
    p("close_session", session=key)
    p("publish_minutes", session=key, ref="https://example.net/acta.pdf")
    p.on("2026-08-10")
    with Session(db) as s:
        _, start, end = week_of(p.clock.now(), "America/Mexico_City")
        week = changes(s, process_by_slug(s, "p"), start, end)
    entries = [e for e in atom_entries(client(db, clock).get("/p/p/feed.atom").content) if start <= e["updated"] < end]
    kinds = {e["id"].split("#", 1)[1].split("/")[0].split("-")[0] for e in entries}
    assert week["progress"] == 1 and week["convened"] and week["minutes"] and week["documents"]
    assert {"progress", "session", "minutes", "document", "evidence"} <= kinds
    assert len(week["convened"]) == sum(k.startswith("session") for k in
                                        (e["id"].split("#", 1)[1] for e in entries))
    assert not week["moves"] and not any("#move-" in e["id"] for e in entries)


def test_the_views_that_read_every_input_count_the_same_days_as_the_aggregates(db, clock):
    """The public view and the page read every input: they count the newest days of responses
    and of inputs received from them (``reads.public._days_read``), the same days, counts and
    instants as the aggregate queries (``response_days``, ``received_days``): hidden inputs and
    inputs without a response left out, the evening and the night two days where the process is."""
    from sqlmodel import Session

    from reads.public import _days_read, received_days, response_days
    from storage import load_records, process_by_slug

    p = answered_on_many_days(db, clock)
    p("record_input", key="waiting", channel="web", text="Sin respuesta", received_on="2026-02-28")
    p("record_input", key="hidden", channel="web", text="Publicidad", received_on="2026-02-28")
    p("answer_input", input="hidden", disposition="not_adopted", rationale="No corresponde", theme="agua")
    p("hide_input", input="hidden", reason="spam")
    with Session(db) as s:
        process = process_by_slug(s, "p")
        records = load_records(s, process, plain=True)
        for days in (1, 5, 100):
            read = _days_read(records, days)
            assert read["response_days"] == response_days(s, process, days), days
            assert read["received_days"] == received_days(s, process, days), days
    assert len(_days_read(records, 100)["response_days"]) == 11
    assert [d.count for d in _days_read(records, 100)["received_days"]][:2] == [2, 1]  # the hidden one left out
