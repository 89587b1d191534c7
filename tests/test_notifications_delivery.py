"""The delivery guarantee: stored once, claimed by one worker, sent once — and the one
duplicate no design avoids over SMTP (killed after the server accepted, before the mark)."""
from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from alembic import command
from builders import process_at
from mailserver import smtp_server
from sqlalchemy import delete
from sqlmodel import Session, select

import migrations
from notifications import outbox, snapshot
from notifications.planner import due_reminders
from storage.models import Process
from storage.outbox import OutboxMessage

ROOT = Path(__file__).resolve().parents[1]
LEASE = dt.timedelta(minutes=5)


def build(db, clock, activities: int = 10, liaisons: int = 3):
    """A process in routes with ``activities`` activities due on 31 March for ``liaisons`` liaisons."""
    p = process_at(db, clock, "routes")
    for n in range(liaisons):
        p("add_person", handle=f"enlace{n}", name=f"Enlace {n}", role="liaison", agency="igualdad",
          email=f"enlace{n}@example.org")
    for n in range(activities):
        p("plan_activity", key=f"a{n}", commitment="c1", title=f"Actividad {n}", deliverable="Entregable",
          agency="igualdad", start_date="2026-02-01", end_date="2026-03-31")
    clock.set(dt.datetime(2026, 3, 24, 10, tzinfo=dt.timezone(dt.timedelta(hours=-6))))
    with db.begin() as conn:  # the notices of the sessions that built the process are not under test here
        conn.execute(delete(OutboxMessage.__table__))
    return p


def all_rows(db) -> list[OutboxMessage]:
    with Session(db) as s:
        return list(s.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def due_now(db, clock):
    with Session(db) as s:
        proc = s.exec(select(Process)).first()
        return due_reminders(snapshot.load(s, proc), clock.now())


def test_planning_twice_stores_once_and_claims_are_exclusive(db, clock):
    build(db, clock, activities=4, liaisons=2)
    due = due_now(db, clock)
    assert len(due) == 8
    with db.begin() as conn:
        assert outbox.enqueue(conn, due, clock.now()) == 8
    with db.begin() as conn:
        assert outbox.enqueue(conn, due, clock.now()) == 0
    assert outbox.sweep(db, clock.now()).added == 0
    now = clock.now()
    first = outbox.claim(db, "w1", now, limit=5, lease=LEASE)
    second = outbox.claim(db, "w2", now, limit=5, lease=LEASE)
    assert len(first) == 5 and len(second) == 3 and not {r["id"] for r in first} & {r["id"] for r in second}
    assert outbox.claim(db, "w3", now, limit=5, lease=LEASE) == []
    # Only the claimant marks; a lease that expired returns the row to the pool.
    assert outbox.mark_sent(db, "w2", [first[0]["id"]], now) == 0
    assert outbox.mark_sent(db, "w1", [first[0]["id"]], now) == 1
    later = now + LEASE + dt.timedelta(seconds=1)
    again = outbox.claim(db, "w3", later, limit=10, lease=LEASE)
    assert {r["id"] for r in again} == {r["id"] for r in first[1:] + second}
    assert {r["attempts"] for r in again} == {2}
    assert outbox.mark_sent(db, "w1", [first[1]["id"]], later) == 0
    # several at once, and the time reads back as the aware UTC moment it was
    assert outbox.mark_sent(db, "w3", [r["id"] for r in again[:3]], later) == 3
    sent = {r.id: r for r in all_rows(db) if r.status == "sent"}
    assert set(sent) == {first[0]["id"]} | {r["id"] for r in again[:3]}
    assert sent[first[0]["id"]].sent_at == now and sent[again[0]["id"]].sent_at == later
    assert sent[again[0]["id"]].sent_at.utcoffset() == dt.timedelta(0)
    assert all(r.lease_until is None and r.last_error is None for r in sent.values())


def test_two_concurrent_claimers_never_share_a_row(db, clock):
    build(db, clock, activities=30, liaisons=3)
    outbox.sweep(db, clock.now())
    total = len(all_rows(db))
    got: dict[str, list[int]] = {"a": [], "b": [], "c": []}

    def claimer(name: str) -> None:
        while batch := outbox.claim(db, name, clock.now(), limit=3, lease=LEASE):
            got[name] += [r["id"] for r in batch]

    threads = [threading.Thread(target=claimer, args=(n,)) for n in got]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    claimed = [i for ids in got.values() for i in ids]
    assert len(claimed) == len(set(claimed)) == total


# --- processes killed and processes in parallel -----------------------------------------

def cli(url: str, *args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "cli", "--db", url, "reminders", *args],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def smtp_env(port: int, concurrency: int = 1, config: Path | None = None) -> dict[str, str]:
    env = {"COCREA_SMTP_HOST": "127.0.0.1", "COCREA_SMTP_PORT": str(port), "COCREA_SMTP_SECURITY": "none",
           "COCREA_SMTP_FROM": "avisos@cocrea.example", "COCREA_SMTP_CONCURRENCY": str(concurrency)}
    if config:
        env["COCREA_CONFIG"] = str(config)
    return env


@pytest.mark.parametrize("when, concurrency", [("before_reply", 1), ("after_reply", 1), ("before_reply", 3)])
def test_a_sender_killed_mid_batch_and_restarted_delivers_every_reminder(sqlite_db, clock, when, concurrency):
    build(sqlite_db, clock, activities=12, liaisons=3)
    command.stamp(migrations.config(sqlite_db), "head")
    url = str(sqlite_db.url)
    at = clock.now().isoformat()
    with smtp_server() as (host, port, server):
        victim: dict[str, subprocess.Popen] = {}

        def kill_at_tenth(message) -> None:
            if len(server.messages) == 10 and "proc" in victim:
                if when == "before_reply":  # accepted by the server, its 250 never reaches the sender
                    os.kill(victim["proc"].pid, signal.SIGKILL)
                else:  # killed a moment after the 250: before or after its mark commits
                    threading.Timer(0.002, os.kill, (victim["proc"].pid, signal.SIGKILL)).start()

        server.on_message = kill_at_tenth
        victim["proc"] = proc = cli(url, "send", "--at", at, env=smtp_env(port, concurrency))
        proc.wait(timeout=120)
        assert proc.returncode == -signal.SIGKILL, proc.stderr.read()
        first_run = len(server.messages)
        rows = all_rows(sqlite_db)
        assert 10 <= first_run < len(rows) and any(r.status == "claimed" for r in rows)

        # Restarted once the dead worker's lease has expired: it picks up where that one stopped.
        server.on_message = None
        later = (clock.now() + LEASE + dt.timedelta(minutes=1)).isoformat()
        restart = cli(url, "send", "--at", later, "--json", env=smtp_env(port, concurrency))
        out, err = restart.communicate(timeout=120)
        assert restart.returncode == 0, err

    rows = all_rows(sqlite_db)
    keys = {f"<{r.key}@cocrea.example>" for r in rows}
    assert {r.status for r in rows} == {"sent"} and len(rows) == 36  # 12 activities x 3 liaisons
    received = server.by_id()
    assert set(received) == keys                                 # every reminder delivered
    duplicates = {k: len(v) for k, v in received.items() if len(v) > 1}
    assert sum(duplicates.values()) - len(duplicates) <= concurrency   # at most one per connection that died
    if when == "before_reply" and concurrency == 1:
        assert list(duplicates.values()) == [2]                 # the documented case, exactly once
        assert server.messages[9].message_id in duplicates      # the message whose 250 was lost


def test_two_workers_against_postgresql_send_each_reminder_once(clock, tmp_path):
    from conftest import PG_URL, _pg_state, _truncate, pg_or_skip

    db = pg_or_skip()
    _truncate(db)
    build(db, clock, activities=60, liaisons=4)
    command.stamp(migrations.config(db), "head")
    url = f"{PG_URL}?options=-csearch_path%3D{_pg_state['schema']}"
    config = tmp_path / "mail.toml"
    config.write_text("[delivery]\nbatch = 7\n", encoding="utf-8")
    at = clock.now().isoformat()
    with smtp_server() as (host, port, server):
        sessions: set = set()
        real = server.handle_DATA

        async def both_workers_in(server_, session, envelope):
            # Hold the first messages until connections of both workers are in, so that their
            # claims truly overlap; then everything flows.
            sessions.add(id(session))
            deadline = time.monotonic() + 30
            while len(sessions) < 3 and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            return await real(server_, session, envelope)

        server.handle_DATA = both_workers_in
        workers = [cli(url, "send", "--at", at, "--json", env=smtp_env(port, 2, config)) for _ in range(2)]
        results = [w.communicate(timeout=180) for w in workers]
        assert [w.returncode for w in workers] == [0, 0], results

    rows = all_rows(db)
    assert len(rows) == 60 * 4 and {r.status for r in rows} == {"sent"}
    received = server.by_id()
    assert {k: len(v) for k, v in received.items() if len(v) > 1} == {}   # no duplicates
    assert set(received) == {f"<{r.key}@cocrea.example>" for r in rows}   # none lost
    assert len({r.claimed_by for r in rows}) == 2                          # both workers delivered


def test_marks_committed_on_several_connections_send_each_reminder_once(db, clock, monkeypatch):
    """``sender.MARK_CONNECTIONS`` above one (PostgreSQL: a mark arriving during a commit starts its
    own on a free connection): every reminder is sent once and marked sent."""
    from mailserver import mail_config, tick

    from notifications import sender

    build(db, clock, activities=12, liaisons=3)
    monkeypatch.setattr(sender, "MARK_CONNECTIONS", 3)
    opened: list[int] = []
    real = outbox.connect_marks

    async def counting(engine, bind, count=1):
        conns = await real(engine, bind, count)
        opened.append(len(conns))
        return conns

    monkeypatch.setattr(outbox, "connect_marks", counting)
    with smtp_server() as (host, port, server):
        result = tick(db, clock, mail_config(host, port, concurrency=3))
    rows = all_rows(db)
    assert len(rows) == 36 and {r.status for r in rows} == {"sent"} and result["sent"] == 36
    assert sorted(len(v) for v in server.by_id().values()) == [1] * 36
    assert opened == [3 if db.dialect.name == "postgresql" else 0]


def test_a_worker_cut_off_from_postgresql_mid_send_sets_it_right_without_waiting_for_the_lease(clock):
    """The database connections of a running worker are cut (what a database restart or a network
    cut does) right as the SMTP server accepts its 7th message: the message on its way on each
    connection is finished, the run stops, and as soon as the database answers the rows the server
    accepted are marked sent and the others given back at once, not after their 5-minute lease.
    The next tick sends the rest: every reminder once, none twice."""
    import uuid

    from conftest import PG_URL, _pg_state, _truncate, pg_or_skip
    from mailserver import mail_config
    from sqlalchemy import text

    from notifications.worker import Worker
    from storage import make_engine

    shared = pg_or_skip()
    _truncate(shared)
    build(shared, clock, activities=8, liaisons=3)
    name = f"cocrea-cut-{uuid.uuid4().hex[:8]}"
    worker_db = make_engine(f"{PG_URL}?options=-csearch_path%3D{_pg_state['schema']}&application_name={name}")
    cuts: list[int] = []
    try:
        with smtp_server() as (host, port, server):
            def cut_at_the_seventh(received) -> None:
                if len(server.messages) == 7 and not cuts:
                    with shared.connect() as c:
                        cuts.append(c.execute(text("select count(pg_terminate_backend(pid)) from pg_stat_activity "
                                                   "where application_name = :n"), {"n": name}).scalar_one())

            server.on_message = cut_at_the_seventh
            worker = Worker(worker_db, mail_config(host, port, concurrency=2), clock=clock, worker="w-cut")
            from sqlalchemy.exc import DBAPIError

            with pytest.raises(DBAPIError) as cut_off:  # the run stops: its database went away
                worker.tick()
            assert cut_off.value.connection_invalidated
            assert cuts and cuts[0] >= 1   # the worker's connections were cut mid-send
            rows = all_rows(shared)
            sent_keys = {f"<{r.key}@cocrea.example>" for r in rows if r.status == "sent"}
            # at once, not after the lease: nothing still held, and every message the server accepted is marked
            assert {r.status for r in rows} <= {"sent", "pending"}, {(r.key, r.status) for r in rows}
            assert sent_keys == set(server.by_id()) and len(sent_keys) >= 7
            assert not worker.leftover

            worker.tick()                    # the same worker, a moment later: the rest
        rows = all_rows(shared)
        assert len(rows) == 8 * 3 and {r.status for r in rows} == {"sent"}
        received = server.by_id()
        assert {k: len(v) for k, v in received.items() if len(v) > 1} == {}   # none twice
        assert set(received) == {f"<{r.key}@cocrea.example>" for r in rows}   # none lost
        assert {r.claimed_by for r in rows} == {"w-cut"}
    finally:
        worker_db.dispose()
