"""Chaos (issue 12): three senders on one PostgreSQL, SIGKILLed at random points while they
send, the SMTP server refusing every recipient for a while, their database connections cut at
random moments (``pg_terminate_backend``), and the database server itself crashed and started
again in the middle of the send. Nothing is lost, and the duplicates are counted and stay
within the documented bound (docs/reminders.md): at most one per open SMTP connection of each
sender killed or cut off (a restart cuts every sender).

The server is a private cluster of this test (``tests/pgcluster.py``: initdb into a temporary
folder, a free port), so it can be stopped and started without touching the shared one.

Each round runs three ``cocrea reminders send --at T`` processes at once (a sweep and a
delivery each), T moving on by more than a lease per round, so that rows a killed sender held
are taken over by the next round. ``COCREA_CHAOS_SEED`` replays a run; ``COCREA_CHAOS_MESSAGES``
sets how many reminders come due (default 100; e.g. 10000 for the full run, see
docs/reminders.md for the figures measured).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from builders import process_at
from mailserver import Recorder, smtp_server
from pgcluster import private_postgres
from sqlalchemy import delete, text
from sqlmodel import Session, select

import migrations
from storage import make_engine
from storage.outbox import OutboxMessage
from workflow import actions

ROOT = Path(__file__).resolve().parents[1]
LEASE = dt.timedelta(minutes=5)
CONCURRENCY = 2      # SMTP connections per sender: the bound is this many duplicates per kill
SENDERS = 3
CHAOS_ROUNDS = 3     # rounds with kills; then rounds without, until everything is sent
REFUSING_ROUNDS = 1  # the server answers 451 to every recipient in the first rounds
MESSAGES = int(os.environ.get("COCREA_CHAOS_MESSAGES", "100"))


class Flaky(Recorder):
    """aiosmtpd's recorder, refusing every recipient with 451 while ``refusing`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.refusing = False
        self.refusals = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refusing:
            with self.lock:
                self.refusals += 1
            return "451 4.3.2 try again later (chaos)"
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


def shape(messages: int) -> tuple[int, int]:
    """Activities and liaisons giving ``messages`` reminders due on 24 March (one per pair)."""
    liaisons = 4 if messages <= 400 else 100
    return -(-messages // liaisons), liaisons


def build(db, clock, activities: int, liaisons: int):
    p = process_at(db, clock, "routes")

    def apply(action: str, **payload) -> None:  # dated (``at``): queues nothing, so building stays linear
        clock.advance(minutes=1)
        actions.apply(db, action, payload, actor="coord", process="p", clock=clock, at=clock.now())

    for n in range(liaisons):
        apply("add_person", handle=f"enlace{n}", name=f"Enlace {n}", role="liaison", agency="igualdad",
              email=f"enlace{n}@example.org")
    for n in range(activities):
        apply("plan_activity", key=f"a{n}", commitment="c1", title=f"Actividad {n}", deliverable="Entregable",
              agency="igualdad", start_date="2026-02-01", end_date="2026-03-31")
    clock.set(dt.datetime(2026, 3, 24, 10, tzinfo=dt.timezone(dt.timedelta(hours=-6))))
    with db.begin() as conn:  # the notices of the sessions that built the process are not under test
        conn.execute(delete(OutboxMessage.__table__))


def rows(db) -> list[OutboxMessage]:
    with Session(db) as s:
        return list(s.exec(select(OutboxMessage)))


def test_senders_killed_at_random_while_the_server_refuses_lose_nothing(clock, tmp_path):
    with private_postgres() as cluster:
        chaos_run(cluster, clock, tmp_path)


def chaos_run(cluster, clock, tmp_path):
    seed = int(os.environ.get("COCREA_CHAOS_SEED", random.randrange(10**6)))
    rng = random.Random(seed)
    db = make_engine(cluster.url)
    migrations.upgrade(db)
    activities, liaisons = shape(MESSAGES)
    build(db, clock, activities, liaisons)  # activities x liaisons reminders come due on 24 March
    expected = activities * liaisons
    name = f"cocrea_chaos_{rng.randrange(16**8):08x}"  # the senders' connections, and only theirs
    url = f"{cluster.url}?application_name={name}"
    config = tmp_path / "mail.toml"
    config.write_text("[delivery]\nbatch = 15\nbackoff_seconds = 60\nmax_attempts = 8\n", encoding="utf-8")
    started = time.monotonic()
    kills = cuts = 0
    # the database crashes and comes back once, when this many messages have been received
    # (whichever round that is: the senders may all have been killed before it)
    restart_at = rng.randint(45, max(46, int(expected * 0.8)))
    restarted = threading.Event()
    exits: dict[int, int] = {}
    live: list[subprocess.Popen] = []
    lock = threading.Lock()

    def kill_one(why: str) -> None:
        nonlocal kills
        with lock:
            running = [p for p in live if p.poll() is None]
            if running:
                victim = rng.choice(running)
                os.kill(victim.pid, signal.SIGKILL)
                kills += 1

    def cut() -> None:
        nonlocal cuts
        try:
            with db.connect() as conn:
                ended = conn.execute(text("select count(pg_terminate_backend(pid)) from pg_stat_activity "
                                          "where application_name = :name"), {"name": name}).scalar_one()
        except Exception:  # noqa: BLE001 - the server is restarting: nothing cut by us
            return
        cuts += 1 if ended else 0

    def restart() -> None:
        cluster.restart(down=rng.uniform(0.5, 3.0))  # a crash: every backend killed, recovery on start
        restarted.set()

    handler = Flaky()
    with smtp_server(handler) as (host, port, server):
        env = {**os.environ, "PYTHONPATH": str(ROOT), "COCREA_SMTP_HOST": host, "COCREA_SMTP_PORT": str(port),
               "COCREA_SMTP_SECURITY": "none", "COCREA_SMTP_FROM": "avisos@cocrea.example",
               "COCREA_SMTP_CONCURRENCY": str(CONCURRENCY), "COCREA_CONFIG": str(config)}
        for r in range(30):
            chaos = r < CHAOS_ROUNDS
            handler.refusing = r < REFUSING_ROUNDS
            # kill points: at random message counts of this round (mid-send), and at random moments
            # (claiming, connecting, marking)
            base = len(server.messages)
            points = rng.sample(range(base + 16, base + 40), 2) if chaos and not handler.refusing else []
            faults = {n: kill_one for n in points}  # two kills at random message counts
            if r == REFUSING_ROUNDS:  # the first round that delivers: the connections cut early in it
                faults[base + rng.randint(3, 15)] = cut

            def on_message(message, faults=faults) -> None:
                count = len(server.messages)
                fault = faults.get(count)
                if fault is not None:
                    threading.Thread(target=fault, args=("message",) if fault is kill_one else ()).start()
                if count == restart_at:
                    threading.Thread(target=restart).start()

            server.on_message = on_message
            at = (clock.now() + r * (LEASE + dt.timedelta(minutes=1))).isoformat()
            with lock:
                live[:] = [subprocess.Popen([sys.executable, "-m", "cli", "--db", url, "reminders", "send", "--at", at,
                                             "--json"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                            stderr=subprocess.PIPE, text=True) for _ in range(SENDERS)]
            timers = ([threading.Timer(rng.uniform(0.5, 4.0), kill_one, ("moment",)) for _ in range(2)]
                      + [threading.Timer(rng.uniform(0.5, 6.0), cut)]) if chaos else []
            for t in timers:
                t.start()
            outputs = [p.communicate(timeout=180 + expected * 0.1) for p in live]
            for t in timers:
                t.cancel()
            for p, (out, err) in zip(live, outputs):
                # done, killed, or cut off from the database (said as such): never an internal error
                assert p.returncode in (0, -signal.SIGKILL, 5), err
                assert p.returncode != 5 or "[database_unreachable]" in err, err
                exits[p.returncode] = exits.get(p.returncode, 0) + 1
            server.on_message = None
            if restart_at <= len(server.messages):
                assert restarted.wait(120), "the database did not come back"
            if not chaos and {row.status for row in rows(db)} == {"sent"}:
                break
        elapsed = time.monotonic() - started

    final = rows(db)
    keys = {f"<{row.key}@cocrea.example>" for row in final}
    received = server.by_id()
    duplicates = sum(len(copies) - 1 for copies in received.values())
    lost = len(keys - set(received))
    bound = (kills + (cuts + cluster.restarts) * SENDERS) * CONCURRENCY
    report = (f"seed {seed}: {len(final)} reminders, {r + 1} rounds, {kills} senders killed, "
              f"{cuts} cuts of their database connections, {cluster.restarts} database restarts "
              f"(at message {restart_at}), exit codes {dict(sorted(exits.items()))}, "
              f"{handler.refusals} recipients refused, {len(server.messages)} messages received, "
              f"{lost} lost, {duplicates} duplicates (bound {bound}), {elapsed:.0f} s")
    print(report)
    db.dispose()
    assert len(final) == expected and {row.status for row in final} == {"sent"}, report   # nothing failed or stuck
    assert lost == 0 and set(received) == keys, report                                      # nothing lost
    assert handler.refusals > 0 and kills > 0 and cuts > 0, report                          # the chaos happened
    assert cluster.restarts == 1, report                                                    # the restart too
    assert duplicates <= bound, report                                                      # within the bound
    (tmp_path / "chaos.json").write_text(json.dumps({"seed": seed, "report": report}), encoding="utf-8")
