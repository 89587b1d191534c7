"""Reminders benchmark (run on demand, not a test):

1. Planning: a process in monitoring with 100,000 activities (end dates spread over the year).
   Measured interleaved, ``--repeat`` times (min / median / max): planning = load the
   reminder snapshot as the sweep reads it + compute what is due (``notifications.snapshot.load``
   with ``due=now``: only the rows that can be due, + ``notifications.planner.due_reminders``), against a raw driver-level SELECT of the due rows
   (sqlite3 / psycopg; using the product's indexes on activity (process_id, end_date) and
   (process_id, agency_id, end_date), migration 0015): the (activity, recipient) pairs that have a due activity reminder now (open
   activity ending within 14 days or overdue, joined to its agency's liaisons; overdue by 7
   days or more, joined to the coordinators). Aim: planning <= 2x the SELECT. Then, once:
   the sweep (load + plan + store in the outbox), the sweep again (everything already
   stored), and a raw Core insert of the same rows.
2. Delivery: 10,000 due reminders delivered by cocrea's sender (claim, re-check against the
   records, render es/en templates, send on persistent connections, mark each sent) to an
   aiosmtpd server in another process on loopback; compared with a raw aiosmtplib loop at
   the same concurrency sending the same number of pre-built messages of the same size,
   measured in the same run (raw before and after; the mean is the baseline). The raw loop
   sends ``sendmail``'s commands with the addresses quoted and the content made ready once
   (``raw_loop``), as cocrea's lanes do; the ``SMTP.sendmail`` loop, the baseline before, is
   run after them for reference.

    PYTHONPATH=. python benchmarks/bench_reminders.py [--activities 100000] [--messages 10000]
        [--concurrency 8] [--repeat 5] [--db sqlite|postgresql://...] [--only planning|delivery] [--quick]

Setup rows are written directly with Core (a benchmark fixture, not product code).

Why one module: a benchmark is one script run on demand: its fixture, its raw baseline and its
report read top to bottom.
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
import gc
import time
from pathlib import Path

import aiosmtplib
from sqlalchemy import delete, func, insert, select, update
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (Database, Spread, conditions, cpu_of, db_date, fmt_ratio, free_port, interleave,  # noqa: E402
                     measure)

from notifications import outbox, snapshot  # noqa: E402
from notifications.config import DeliveryPolicy, SmtpSettings  # noqa: E402
from notifications.planner import due_reminders  # noqa: E402
from notifications.render import Identity, Renderer  # noqa: E402
from notifications.sender import Sender  # noqa: E402
from notifications.transport import SmtpTransport  # noqa: E402
from storage import models as m  # noqa: E402
from workflow import actions  # noqa: E402
from stages.clock import FixedClock  # noqa: E402

MX = dt.timezone(dt.timedelta(hours=-6))
NOW = dt.datetime(2026, 6, 15, 10, tzinfo=MX)


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


#: The due windows of the default reminder settings (stages.reminders.DEFAULT_SETTINGS):
#: activity_before_days [14, 7, 1] and escalation_after_days [7].
UPCOMING_DAYS, ESCALATION_DAYS = 14, 7


def due_select(db: Database) -> str:
    mk = db.mark
    cols = "a.id, a.key, a.title, a.end_date, a.agency_id, p.id, p.email, p.lang"
    return (f"SELECT {cols} FROM activity a JOIN person p ON p.process_id = a.process_id AND p.agency_id = a.agency_id "
            f"WHERE a.process_id = {mk} AND a.end_date <= {mk} AND a.status <> 'completed' AND p.role = 'liaison' "
            f"AND p.active AND p.email IS NOT NULL "
            f"UNION ALL SELECT {cols} FROM activity a JOIN person p ON p.process_id = a.process_id "
            f"WHERE a.process_id = {mk} AND a.end_date <= {mk} AND a.status <> 'completed' AND p.role = 'coordinator' "
            f"AND p.active AND p.email IS NOT NULL")


def bench_planning(url: str, activities: int, repeat: int) -> dict:
    with Database(url, "rem_plan") as db:
        engine = db.engine
        t = time.perf_counter()
        pid = build(engine, activities, agencies=100, due_all=False)
        setup = time.perf_counter() - t
        conn = db.raw()
        cur = conn.cursor()
        # The indexes this query uses are the product's (migration 0015): per liaison, its agency's
        # activities by end date (ix_activity_process_agency_end); for the coordinators, all by end
        # date (ix_activity_process_end). Statistics, as a deployed database would have them:
        for ddl in ("ANALYZE",):
            cur.execute(ddl)
            if db.dialect == "postgresql":
                conn.commit()
        now = NOW.astimezone(dt.timezone.utc)
        today = NOW.date()
        sql = due_select(db)
        params = (pid, db_date(db, today + dt.timedelta(days=UPCOMING_DAYS)),
                  pid, db_date(db, today - dt.timedelta(days=ESCALATION_DAYS)))
        found: dict = {}

        def raw(_r):
            gc.collect()
            sample, rows = measure(lambda: (cur.execute(sql, params), cur.fetchall())[1])
            if db.dialect == "postgresql":
                conn.commit()
            found["raw"] = len(rows)
            return sample

        def planning(_r):
            gc.collect()

            def run():
                with Session(engine) as s:
                    proc = s.execute(select(m.Process)).scalar_one()
                    return due_reminders(snapshot.load(s, proc, inputs=False, due=now), now, contexts=False)
            sample, due = measure(run)
            found["due"] = due
            return sample

        res = interleave({"raw": raw, "planning": planning}, repeat)
        due = found["due"]
        activity_due = sum(1 for p in due if p.kind.startswith("activity_"))
        r_wall, p_wall = Spread([x.wall for x in res["raw"]]), Spread([x.wall for x in res["planning"]])
        r_cpu, p_cpu = Spread([x.cpu for x in res["raw"]]), Spread([x.cpu for x in res["planning"]])
        print(f"\n== Planning, {activities:,} activities ({db.describe()}; setup {setup:.1f} s), "
              f"min / median / max over {repeat} repeats, interleaved")
        print(f"  raw indexed SELECT of the due rows  wall {r_wall.fmt()}  CPU {r_cpu.fmt()}  -> {found['raw']:,} rows")
        print(f"  planning (snapshot.load + due)      wall {p_wall.fmt()}  CPU {p_cpu.fmt()}  -> {len(due):,} due, "
              f"{activity_due:,} of them activity reminders")
        if activity_due != found["raw"]:
            print(f"  NOTE: the SELECT returns {found['raw']:,} rows, the planner {activity_due:,} activity reminders: "
                  "the baseline does not match the planner's rules exactly")
        print(f"  (the other {len(due) - activity_due:,} due reminders are per agency / per process: progress reports, "
              "term end, digest; the SELECT leaves them out)")
        ratio = p_wall.ratio(r_wall)
        print(f"  ratio planning / SELECT: wall {fmt_ratio(ratio)}  CPU {fmt_ratio(p_cpu.ratio(r_cpu))}   (aim <= 2)")

        # Once: the sweep (load + plan + store) and a raw insert of the same rows.
        with Session(engine) as s:
            proc = s.execute(select(m.Process)).scalar_one()
            t1 = time.perf_counter()
            due = due_reminders(snapshot.load(s, proc), now, contexts=False)  # whole: the template fields below
            t2 = time.perf_counter()
            for p in due:
                p.template_context()
            t2b = time.perf_counter()
        t3 = time.perf_counter()
        swept = outbox.sweep(engine, now)
        t4 = time.perf_counter()
        again = outbox.sweep(engine, now)
        t5 = time.perf_counter()
        rows = [outbox.row_of(p, now) for p in due]
        with engine.begin() as c:
            c.execute(delete(outbox.T))
        t6 = time.perf_counter()
        with engine.begin() as c:
            for start in range(0, len(rows), outbox.CHUNK):
                c.execute(insert(outbox.T), rows[start:start + outbox.CHUNK])
        t7 = time.perf_counter()
        print(f"  once: load + plan {t2 - t1:.3f} s; + template fields {t2b - t2:.3f} s "
              f"({len(due) / max(t2b - t2, 1e-9):,.0f} reminders/s, built at send time)")
        print(f"  once: sweep (load+plan+store) {t4 - t3:.3f} s -> {swept.added:,} stored; sweep again (all kept) "
              f"{t5 - t4:.3f} s -> {again.added} stored; Core insert of the same {len(rows):,} rows {t7 - t6:.3f} s; "
              f"sweep / (SELECT + insert) = {(t4 - t3) / (r_wall.median + (t7 - t6)):.1f}")
    return {"ratio": ratio, "cpu_ratio": p_cpu.ratio(r_cpu)}


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


async def raw_loop(port: int, messages: int, concurrency: int, payload: bytes, how: str = "commands") -> float:
    """The raw aiosmtplib loop: ``concurrency`` persistent connections sending the same pre-built
    message. ``commands`` (the baseline): the commands ``sendmail`` sends (``MAIL`` with ``SIZE``,
    ``RCPT``, ``DATA``, the content and the dot in one write), the addresses quoted and the content
    made ready for the wire (aiosmtplib's own line-end and dot rules) once, not per message: what
    cocrea's lanes do (``notifications.transport``), so the baseline stays the fastest honest loop.
    ``sendmail``: ``SMTP.sendmail`` per message (which parses both addresses twice and rewrites the
    content twice a message), the baseline until branch ``mark``."""
    from aiosmtplib.protocol import PERIOD_REGEX, normalize_message_line_endings

    sender, recipient = "avisos@cocrea.example", "enlace@example.org"
    content = PERIOD_REGEX.sub(b"..", normalize_message_line_endings(payload)) + b".\r\n"
    mail_from, rcpt_to = b"FROM:<" + sender.encode() + b">", b"TO:<" + recipient.encode() + b">"
    size = b"SIZE=%d" % (len(content) - 3)

    async def lane(count: int) -> None:
        smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
        await smtp.connect()
        if how == "sendmail":
            for _ in range(count):
                await smtp.sendmail(sender, [recipient], payload)
        else:
            await smtp.ehlo()
            for _ in range(count):
                assert (await smtp.execute_command(b"MAIL", mail_from, size)).code == 250
                assert (await smtp.execute_command(b"RCPT", rcpt_to)).code == 250
                assert (await smtp.execute_command(b"DATA")).code == 354
                smtp.protocol.write(content)
                assert (await smtp.protocol.read_response(timeout=smtp.timeout)).code == 250
        await smtp.quit()

    share = [messages // concurrency + (1 if i < messages % concurrency else 0) for i in range(concurrency)]
    t = time.perf_counter()
    await asyncio.gather(*(lane(n) for n in share))
    return time.perf_counter() - t


def bench_delivery(url: str, messages: int, concurrency: int) -> float:
    with Database(url, "rem_send") as database:
        return _delivery(database, messages, concurrency)


def _delivery(database: Database, messages: int, concurrency: int) -> float:
    engine = database.engine
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
        old, old_cpu, _ = measured(lambda: asyncio.run(raw_loop(port, messages, concurrency, payload, "sendmail")),
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
          f"({database.describe()}; aiosmtpd Sink in another process)")
    us = 1e6 / messages
    print(f"  raw aiosmtplib loop    {raw1:6.2f} s / {raw2:6.2f} s   {messages / raw:>8,.0f} msg/s (mean)   "
          f"client CPU {(raw1_cpu + raw2_cpu) / 2 * us:5.0f} µs/msg, server CPU {(raw1_srv + raw2_srv) / 2 * us:5.0f} µs/msg")
    print(f"  cocrea sender          {ours:6.2f} s            {messages / ours:>8,.0f} msg/s          "
          f"client CPU {ours_cpu * us:5.0f} µs/msg, server CPU {ours_srv * us:5.0f} µs/msg")
    print(f"  ratio cocrea / raw     {raw / ours:.2f}   (throughput; aim >= 0.8; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    print(f"  (for reference: the raw loop through SMTP.sendmail, after: {old:6.2f} s, client CPU "
          f"{old_cpu * us:5.0f} µs/msg; cocrea / it {old / ours:.2f})")
    return raw / ours


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--activities", type=int, default=100_000)
    ap.add_argument("--messages", type=int, default=10_000)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=5, help="repeats of the planning comparison")
    ap.add_argument("--db", default="sqlite", help="sqlite (a temporary file) or a postgresql:// URL")
    ap.add_argument("--only", choices=("planning", "delivery"))
    ap.add_argument("--quick", action="store_true", help="10,000 activities, 1,000 messages, 3 repeats")
    a = ap.parse_args()
    if a.quick:
        a.activities, a.messages, a.repeat = 10_000, 1_000, 3
    db_name = "PostgreSQL" if a.db.startswith("postgresql") else "SQLite"
    print(f"bench_reminders: aiosmtplib {aiosmtplib.__version__}; {conditions()}")
    line = [f"SUMMARY bench_reminders [{db_name}]:"]
    if a.only != "delivery":
        plan = bench_planning(a.db, a.activities, a.repeat)
        line.append(f"planning {a.activities:,} activities / indexed SELECT of the due rows = "
                    f"{plan['ratio'].median:.1f}x wall, {plan['cpu_ratio'].median:.1f}x CPU (aim <= 2);")
    if a.only != "planning":
        ratio = bench_delivery(a.db, a.messages, a.concurrency)
        line.append(f"delivery {a.messages:,} messages cocrea/raw aiosmtplib throughput {ratio:.2f} (aim >= 0.8)")
    print("\n" + " ".join(line))


if __name__ == "__main__":
    main()
