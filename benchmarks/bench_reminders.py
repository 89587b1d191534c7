"""Reminders benchmark (run on demand, not a test):

1. Planning: a process with 100,000 activities (end dates spread over the year); load the
   snapshot, compute what is due, store it in the outbox (the sweep), then sweep again
   (everything already stored). Compared with a raw Core insert of the same rows.
2. Delivery: 10,000 due reminders delivered by cocrea's sender (claim, re-check against the
   records, render es/en templates, send on persistent connections, mark each sent) to an
   aiosmtpd server in another process on loopback; compared with a raw aiosmtplib loop at
   the same concurrency sending the same number of pre-built messages of the same size,
   measured in the same run (raw before and after; the mean is the baseline).

    PYTHONPATH=. python benchmarks/bench_reminders.py [--activities 100000] [--messages 10000]
        [--concurrency 8] [--db sqlite|postgresql://...]

Setup rows are written directly with Core (a benchmark fixture, not product code).
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiosmtplib
from sqlalchemy import delete, func, insert, select, text, update
from sqlmodel import Session, SQLModel

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from notifications import outbox, snapshot  # noqa: E402
from notifications.config import DeliveryPolicy, SmtpSettings  # noqa: E402
from notifications.planner import due_reminders  # noqa: E402
from notifications.render import Identity, Renderer  # noqa: E402
from notifications.sender import Sender  # noqa: E402
from notifications.transport import SmtpTransport  # noqa: E402
from storage import models as m  # noqa: E402
from storage.db import make_engine  # noqa: E402
from workflow import actions  # noqa: E402
from stages.clock import FixedClock  # noqa: E402

MX = dt.timezone(dt.timedelta(hours=-6))
NOW = dt.datetime(2026, 6, 15, 10, tzinfo=MX)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_engine(db: str):
    if db == "sqlite":
        path = Path(tempfile.mkdtemp()) / "bench.db"
        engine = make_engine(f"sqlite:///{path}")
    else:
        engine = make_engine(db)
        with engine.begin() as c:
            c.execute(text("DROP SCHEMA IF EXISTS cocrea_bench CASCADE"))
            c.execute(text("CREATE SCHEMA cocrea_bench"))
        engine = make_engine(db + ("&" if "?" in db else "?") + "options=-csearch_path%3Dcocrea_bench")
    SQLModel.metadata.create_all(engine)
    return engine


def build(engine, activities: int, agencies: int, due_all: bool) -> int:
    """A process in monitoring with ``activities`` activities, one liaison per agency."""
    clock = FixedClock(dt.datetime(2026, 1, 15, 10, tzinfo=MX))
    def apply(action: str, **payload) -> None:
        actions.apply(engine, action, payload, actor="coord", process="bench", clock=clock)

    actions.apply(engine, "create_process", {"slug": "bench", "name": "Benchmark", "template": "inai_local",
                                              "starts_on": "2026-01-15", "coordinator_name": "Coordinación",
                                              "coordinator_email": "coord@example.org"}, actor="coord", clock=clock)
    with Session(engine) as s:
        pid = s.execute(select(m.Process.id)).scalar_one()
    for n in range(agencies):
        apply("add_agency", key=f"ag{n}", name=f"Secretaría {n}")
        apply("add_person", handle=f"enlace{n}", name=f"Enlace {n}", role="liaison", agency=f"ag{n}",
              email=f"enlace{n}@example.org", lang="es" if n % 2 else "en")
    rng = random.Random(7)
    with engine.begin() as c:
        agency_ids = list(c.execute(select(m.Agency.id).where(m.Agency.process_id == pid)).scalars())
        c.execute(insert(m.Commitment.__table__), [{"process_id": pid, "key": f"c{n}", "title": f"Compromiso {n}",
                                                    "axes": [], "agencies": [], "action_lines": [], "status": "agreed",
                                                    "version": 1} for n in range(100)])
        commitment_ids = list(c.execute(select(m.Commitment.id)).scalars())
        rows = []
        for n in range(activities):
            end = NOW.date() + dt.timedelta(days=7) if due_all else dt.date(2026, 2, 1) + dt.timedelta(days=rng.randrange(330))
            rows.append({"process_id": pid, "key": f"a{n}", "commitment_id": commitment_ids[n % 100],
                         "title": f"Actividad {n}: publicar los datos abiertos del programa", "deliverable": "Portal",
                         "agency_id": agency_ids[n % len(agency_ids)], "start_date": dt.date(2026, 2, 1),
                         "end_date": end, "status": "in_progress", "percent": 30})
        for start in range(0, len(rows), 20000):
            c.execute(insert(m.Activity.__table__), rows[start:start + 20000])
        c.execute(update(m.Process.__table__).values(stage="monitoring"))  # fixture: skip the eight stages
    return pid


def bench_planning(db: str, activities: int) -> None:
    engine = fresh_engine(db)
    t = time.perf_counter()
    build(engine, activities, agencies=100, due_all=False)
    setup = time.perf_counter() - t
    now = NOW.astimezone(dt.timezone.utc)
    with Session(engine) as s:
        proc = s.execute(select(m.Process)).scalar_one()
        t0 = time.perf_counter()
        records = snapshot.load(s, proc)
        t1 = time.perf_counter()
        due = due_reminders(records, now, contexts=False)
        t2 = time.perf_counter()
        for p in due:
            p.template_context()
        t2b = time.perf_counter()
    t3 = time.perf_counter()
    swept = outbox.sweep(engine, now)
    t4 = time.perf_counter()
    again = outbox.sweep(engine, now)
    t5 = time.perf_counter()
    # Raw baseline: the same rows inserted with a plain Core insert into an empty copy.
    rows = [outbox.row_of(p, now) for p in due]
    with engine.begin() as c:
        c.execute(delete(outbox.T))
    t6 = time.perf_counter()
    with engine.begin() as c:
        for start in range(0, len(rows), outbox.CHUNK):
            c.execute(insert(outbox.T), rows[start:start + outbox.CHUNK])
    t7 = time.perf_counter()
    print(f"\n== Planning, {activities:,} activities ({db.split('?')[0]}; setup {setup:.1f} s)")
    print(f"  load snapshot          {t1 - t0:7.3f} s   {activities / (t1 - t0):>12,.0f} activities/s")
    print(f"  plan (pure, keys)      {t2 - t1:7.3f} s   {activities / (t2 - t1):>12,.0f} activities/s  -> {len(due):,} due")
    print(f"  + template fields      {t2b - t2:7.3f} s   {len(due) / (t2b - t2):>12,.0f} reminders/s (built at send time)")
    print(f"  sweep (load+plan+store){t4 - t3:7.3f} s   {activities / (t4 - t3):>12,.0f} activities/s  "
          f"-> {swept.added:,} stored")
    print(f"  sweep again (all kept) {t5 - t4:7.3f} s   {activities / (t5 - t4):>12,.0f} activities/s  "
          f"-> {again.added} stored")
    print(f"  raw Core insert of the same {len(rows):,} rows: {t7 - t6:.3f} s "
          f"(load + raw insert = {(t1 - t0) + (t7 - t6):.2f} s of the sweep's {t4 - t3:.2f} s)")


def cpu_of(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured(fn, server_pid: int) -> tuple[float, float, float]:
    """(wall seconds, this process's CPU seconds, the server's CPU seconds) of ``fn()``."""
    c0, s0, t0 = time.process_time(), cpu_of(server_pid), time.perf_counter()
    fn()
    return time.perf_counter() - t0, time.process_time() - c0, cpu_of(server_pid) - s0


def start_server(port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                             "-c", "aiosmtpd.handlers.Sink"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("aiosmtpd did not start")


async def raw_loop(port: int, messages: int, concurrency: int, payload: bytes) -> float:
    async def lane(count: int) -> None:
        smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
        await smtp.connect()
        for _ in range(count):
            await smtp.sendmail("avisos@cocrea.example", ["enlace@example.org"], payload)
        await smtp.quit()

    share = [messages // concurrency + (1 if i < messages % concurrency else 0) for i in range(concurrency)]
    t = time.perf_counter()
    await asyncio.gather(*(lane(n) for n in share))
    return time.perf_counter() - t


def bench_delivery(db: str, messages: int, concurrency: int) -> None:
    engine = fresh_engine(db)
    build(engine, messages, agencies=min(messages, 200), due_all=True)
    clock = FixedClock(NOW)
    with engine.begin() as c:
        c.execute(delete(outbox.T))
    swept = outbox.sweep(engine, clock.now())
    assert swept.added >= messages, swept
    # Keep exactly `messages` rows pending (the digest and any extra point are left out).
    with engine.begin() as c:
        keep = select(outbox.T.c.id).where(outbox.T.c.kind == "activity_upcoming").order_by(outbox.T.c.id).limit(messages)
        c.execute(delete(outbox.T).where(outbox.T.c.id.not_in(keep.scalar_subquery())))
        assert c.execute(select(func.count()).select_from(outbox.T)).scalar() == messages
        sample = c.execute(select(outbox.T).limit(1)).first()
    renderer = Renderer(Identity("avisos@cocrea.example"))
    with Session(engine) as s:
        proc = s.execute(select(m.Process)).scalar_one()
        planned = {p.key: p for p in due_reminders(snapshot.load(s, proc), clock.now())}[sample.key]
    _, payload = renderer.message(key=sample.key, kind=planned.kind, lang=planned.lang, to=planned.email,
                                  to_name="Enlace", context=planned.context)
    port = free_port()
    server = start_server(port)
    result = {}
    try:
        raw1, raw1_cpu, raw1_srv = measured(lambda: asyncio.run(raw_loop(port, messages, concurrency, payload)),
                                            server.pid)
        settings = SmtpSettings(host="127.0.0.1", port=port, security="none", sender="avisos@cocrea.example",
                                concurrency=concurrency)
        sender = Sender(engine, SmtpTransport(settings), renderer, clock=clock,
                        policy=DeliveryPolicy(batch=500), concurrency=concurrency)
        ours, ours_cpu, ours_srv = measured(lambda: result.update(stats=sender.run()), server.pid)
        raw2, raw2_cpu, raw2_srv = measured(lambda: asyncio.run(raw_loop(port, messages, concurrency, payload)),
                                            server.pid)
        stats = result["stats"]
    finally:
        server.terminate()
        server.wait()
    with engine.connect() as c:
        sent = c.execute(select(func.count()).select_from(outbox.T).where(outbox.T.c.status == "sent")).scalar()
    assert stats.sent == sent == messages, (stats, sent)
    raw = (raw1 + raw2) / 2
    print(f"\n== Delivery, {messages:,} messages of ~{len(payload):,} bytes, concurrency {concurrency} "
          f"({db.split('?')[0]}; aiosmtpd Sink in another process)")
    us = 1e6 / messages
    print(f"  raw aiosmtplib loop    {raw1:6.2f} s / {raw2:6.2f} s   {messages / raw:>8,.0f} msg/s (mean)   "
          f"client CPU {(raw1_cpu + raw2_cpu) / 2 * us:5.0f} µs/msg, server CPU {(raw1_srv + raw2_srv) / 2 * us:5.0f} µs/msg")
    print(f"  cocrea sender          {ours:6.2f} s            {messages / ours:>8,.0f} msg/s          "
          f"client CPU {ours_cpu * us:5.0f} µs/msg, server CPU {ours_srv * us:5.0f} µs/msg")
    print(f"  ratio cocrea / raw     {raw / ours:.2f}   (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--activities", type=int, default=100_000)
    ap.add_argument("--messages", type=int, default=10_000)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--db", default="sqlite", help="sqlite (a temporary file) or a postgresql:// URL")
    ap.add_argument("--only", choices=("planning", "delivery"))
    a = ap.parse_args()
    print(f"python {sys.version.split()[0]}, aiosmtplib {aiosmtplib.__version__}, {os.cpu_count()} CPUs")
    if a.only != "delivery":
        bench_planning(a.db, a.activities)
    if a.only != "planning":
        bench_delivery(a.db, a.messages, a.concurrency)


if __name__ == "__main__":
    main()
