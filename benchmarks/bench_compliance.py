"""Benchmark: checking a large process against its rule set.

A national plan with 500 commitments, 10,000 activities and 50,000 consultation inputs
(plus 20,000 progress reports, sessions, attendance, documents...). The rows are written
with SQLAlchemy Core bulk inserts, NOT through the actions: applying ~100,000 actions one
transaction at a time would take hours, and the check only reads.

Measured in the same run, same database:
  read   storage.load_records(process): every row the rules need, as ORM objects
  check  what `cocrea check --format json` does: read + every rule + IRM assessment + JSON
Printed: the medians and check / read (goal: under 2), and the rules alone / read.

    PYTHONPATH=. python benchmarks/bench_compliance.py [--db URL] [--repeat 5]
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select, text
from sqlmodel import Session, SQLModel

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from compliance import render, run  # noqa: E402
from storage import load_records, make_engine  # noqa: E402
from storage import models as m  # noqa: E402

UTC = dt.timezone.utc
N_COMMITMENTS, N_ACTIVITIES, N_INPUTS = 500, 10_000, 50_000
SECTORS = ["government", "guarantor", "civil_society", "academia", "business", "municipality"]


def at(day: dt.date, hour: int = 17) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=UTC)


def build(engine) -> tuple[int, dt.datetime]:
    rnd = random.Random(7)
    start = dt.date(2026, 1, 15)
    close = dt.date(2027, 12, 20)
    with engine.begin() as c:
        pid = c.execute(insert(m.Process).returning(m.Process.id), [dict(
            slug="grande", name="Plan nacional grande", template="federal", stage="closed", starts_on=start,
            term_months=24, timezone="America/Mexico_City", spec_version="2026.1", ruleset="ogp-2022",
            quorum={"sectors": {"government": 1, "guarantor": 1, "civil_society": 1}, "min_members": 0},
            settings={"plan_history": {"first_plan": False, "previous_plan_ended_on": "2025-12-31"}},
            created_at=at(dt.date(2026, 1, 10)))]).scalar_one()
        people = [dict(process_id=pid, handle=f"m{i}", name=f"Integrante {i}", role="member",
                       sector=SECTORS[i % len(SECTORS)], joined_at=at(dt.date(2026, 1, 10)), active=True, lang="es")
                  for i in range(24)]
        c.execute(insert(m.Person), people)
        person_ids = list(c.execute(select(m.Person.id).where(m.Person.process_id == pid)).scalars())
        agencies = [dict(process_id=pid, key=f"ag{i}", name=f"Dependencia {i}") for i in range(50)]
        c.execute(insert(m.Agency), agencies)
        agency_ids = list(c.execute(select(m.Agency.id).where(m.Agency.process_id == pid)).scalars())
        stages = ["declaration", "consultation", "sensitization", "planning", "causes", "commitments", "routes",
                  "monitoring"]
        moves = [dict(process_id=pid, event="create", from_stage=None, to_stage="declaration", at=at(dt.date(2026, 1, 10), 16))]
        days = [dt.date(2026, 1, 20), dt.date(2026, 3, 20), dt.date(2026, 4, 10), dt.date(2026, 4, 20),
                dt.date(2026, 5, 1), dt.date(2026, 6, 1), dt.date(2026, 7, 1)]
        moves += [dict(process_id=pid, event="advance", from_stage=a, to_stage=b, at=at(d, 18))
                  for a, b, d in zip(stages, stages[1:], days)]
        moves.append(dict(process_id=pid, event="close", from_stage="monitoring", to_stage="closed", at=at(close, 18)))
        c.execute(insert(m.StageChange), moves)
        session_days = [dt.date(2026, 1, 10) + dt.timedelta(days=12 * k) for k in range(60)]
        c.execute(insert(m.SecretariatSession), [dict(
            process_id=pid, key=f"S{k}", scheduled_for=at(d, 16), place="Sala", agenda=["Orden"], extraordinary=False,
            convened_at=at(d - dt.timedelta(days=7)), agenda_published_at=at(d - dt.timedelta(days=7)),
            closed_at=at(d, 19), minutes_ref=f"https://example.org/acta-{k}.pdf", minutes_published_at=at(d, 20))
            for k, d in enumerate(session_days)])
        session_ids = list(c.execute(select(m.SecretariatSession.id).where(m.SecretariatSession.process_id == pid)
                                     .order_by(m.SecretariatSession.id)).scalars())
        c.execute(insert(m.Attendance), [dict(session_id=s, person_id=p, arrived_at=at(session_days[k], 16),
                                              left_at=at(session_days[k], 19))
                                         for k, s in enumerate(session_ids) for p in person_ids])
        c.execute(insert(m.Decision), [dict(process_id=pid, session_id=session_ids[10], key="D-approve",
                                            kind="approve_commitments", payload={}, rule="consensus", status="adopted",
                                            reason="", proposed_at=at(dt.date(2026, 5, 20)),
                                            decided_at=at(dt.date(2026, 5, 20), 18),
                                            tally={"rule": "consensus", "present": [p["handle"] for p in people],
                                                   "objections": []})])
        decision_id = c.execute(select(m.Decision.id).where(m.Decision.process_id == pid)).scalar_one()
        kinds = ["website", "rules", "timeline", "outreach", "consultation_report", "plan"]
        docs = [dict(process_id=pid, key=f"doc-{k}", kind=k, title=k, ref=f"https://example.org/{k}.pdf",
                     stage="declaration" if k in ("website", "rules") else "consultation", public=True,
                     published_at=at({"website": dt.date(2026, 1, 12), "rules": dt.date(2026, 1, 12),
                                      "timeline": dt.date(2026, 1, 21), "outreach": dt.date(2026, 1, 25),
                                      "consultation_report": dt.date(2026, 3, 20)}.get(k, dt.date(2026, 6, 5))))
                for k in kinds]
        docs += [dict(process_id=pid, key=f"ev{i}", kind="evidence", title=f"Evidencia {i}", ref=f"https://example.org/ev{i}.pdf",
                      stage=stages[min(i * 8 // 200, 7)], public=True,
                      published_at=at(dt.date(2026, 1, 15) + dt.timedelta(days=3 * i))) for i in range(200)]
        c.execute(insert(m.Document), docs)
        c.execute(insert(m.Channel), [dict(process_id=pid, key=f"ch{i}", kind=["online", "assembly", "workshop"][i % 3],
                                           name=f"Canal {i}", online=i % 3 == 0, aimed_at_excluded=i == 1, open_to_all=True,
                                           announced_on=dt.date(2026, 1, 21), opens_on=dt.date(2026, 2, 16),
                                           closes_on=dt.date(2026, 3, 16)) for i in range(10)])
        channel_ids = list(c.execute(select(m.Channel.id).where(m.Channel.process_id == pid)).scalars())
        c.execute(insert(m.Input), [dict(process_id=pid, key=f"i{i}", channel_id=channel_ids[i % 10], text="Aportación",
                                         sector=SECTORS[i % len(SECTORS)], contact_name="Persona", received_on=
                                         dt.date(2026, 2, 16) + dt.timedelta(days=i % 28), disposition="adopted",
                                         rationale="Se integra", answered_at=at(dt.date(2026, 3, 17)))
                                    for i in range(N_INPUTS)])
        c.execute(insert(m.Commitment), [dict(process_id=pid, key=f"c{i}", title=f"Compromiso {i}", problem="Problema",
                                              cause="Causa", objective="Objetivo", axes=["transparency", "participation"],
                                              ambition="proactive", outcome="Resultado", end_date=dt.date(2027, 12, 1),
                                              agencies=[f"ag{i % 50}"], action_lines=["Línea"], status="agreed", version=1,
                                              final_status="fulfilled") for i in range(N_COMMITMENTS)])
        commitment_ids = list(c.execute(select(m.Commitment.id).where(m.Commitment.process_id == pid)
                                        .order_by(m.Commitment.id)).scalars())
        c.execute(insert(m.CommitmentVersion), [dict(commitment_id=cid, version=1, fields={}, decision_id=decision_id,
                                                     recorded_at=at(dt.date(2026, 5, 20), 18)) for cid in commitment_ids])
        c.execute(insert(m.Indicator), [dict(process_id=pid, key=f"ind{i}-{k}", commitment_id=cid, name="Indicador",
                                             kind=kind, baseline="2025", target="2027")
                                        for i, cid in enumerate(commitment_ids) for k, kind in enumerate(("result", "management"))])
        per = N_ACTIVITIES // N_COMMITMENTS
        c.execute(insert(m.Activity), [dict(process_id=pid, key=f"a{i}", commitment_id=commitment_ids[i // per],
                                            title=f"Actividad {i}", deliverable="Entregable", agency_id=agency_ids[i % 50],
                                            start_date=dt.date(2026, 8, 1), end_date=dt.date(2027, 11, 30),
                                            accepted_at=at(dt.date(2026, 6, 10)), accepted_by="enlace", status="completed",
                                            percent=100) for i in range(N_ACTIVITIES)])
        activity_ids = list(c.execute(select(m.Activity.id).where(m.Activity.process_id == pid)).scalars())
        reports = []
        for aid in activity_ids:
            reports.append(dict(process_id=pid, activity_id=aid, status="in_progress", percent=rnd.randint(10, 90),
                                evidence_ref="https://example.org/av.pdf", reported_on=dt.date(2027, 1, 15),
                                reported_by="enlace", recorded_at=at(dt.date(2027, 1, 15))))
            reports.append(dict(process_id=pid, activity_id=aid, status="completed", percent=100,
                                evidence_ref="https://example.org/av2.pdf", reported_on=dt.date(2027, 6, 15),
                                reported_by="enlace", recorded_at=at(dt.date(2027, 6, 15))))
        c.execute(insert(m.ProgressReport), reports)
        c.execute(insert(m.PublicEvent), [dict(process_id=pid, key=k, kind=k, held_on=d, minutes_ref="https://example.org/m.pdf")
                                          for k, d in (("midterm", dt.date(2027, 1, 20)), ("closing", dt.date(2027, 12, 10)))])
        c.execute(insert(m.Declaration), [dict(process_id=pid, signed_on=dt.date(2026, 1, 12), document_ref="https://example.org/d.pdf",
                                               signatories=[{"name": "E", "role": "E", "sector": "government"},
                                                            {"name": "G", "role": "G", "sector": "guarantor"}])])
    return pid, at(dt.date(2028, 1, 5))


def read(engine, pid):
    with Session(engine) as s:
        return load_records(s, s.get(m.Process, pid))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", help="SQLAlchemy URL (default: a new SQLite file in a temporary directory)")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    url = args.db or f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    engine, cleanup = _engine(url)
    SQLModel.metadata.create_all(engine)
    t0 = time.perf_counter()
    pid, as_of = build(engine)
    built = time.perf_counter() - t0
    with engine.connect() as c:
        rows = {t: c.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in
                ("commitment", "activity", "input", "progress_report", "attendance", "document")}
    print(f"database: {engine.dialect.name}; rows written with Core bulk inserts, not through actions ({built:.1f} s): {rows}")

    reads, checks, rules = [], [], []
    report = out = None
    for _ in range(args.repeat):
        gc.collect()
        t = time.perf_counter()
        records = read(engine, pid)
        reads.append(time.perf_counter() - t)
        del records
        gc.collect()

        t = time.perf_counter()
        records = read(engine, pid)
        t_rules = time.perf_counter()
        report = run(records, as_of)
        out = render(report, "json")
        done = time.perf_counter()
        checks.append(done - t)
        rules.append(done - t_rules)
        del records, report
        gc.collect()
    report = run(read(engine, pid), as_of)
    r, c_, k = statistics.median(reads), statistics.median(checks), statistics.median(rules)
    print(f"summary: {report.summary_line('en')}")
    print(f"json report: {len(out) / 1024:.0f} KiB")
    print(f"read (load_records)      median {r * 1000:8.1f} ms   over {args.repeat} runs")
    print(f"check (read+rules+json)  median {c_ * 1000:8.1f} ms")
    print(f"rules + IRM + json alone median {k * 1000:8.1f} ms")
    print("per run (read, check): " + ", ".join(f"({a * 1000:.0f}, {b * 1000:.0f})" for a, b in zip(reads, checks)))
    print(f"ratio check / read = {c_ / r:.2f}  (goal < 2);  rules / read = {k / r:.2f}")
    engine.dispose()
    cleanup()
    tmp.cleanup()


def _engine(url: str):
    """A fresh place for the rows: the SQLite file is new; on PostgreSQL, a schema of its own."""
    if not url.startswith("postgresql"):
        return make_engine(url), lambda: None
    import uuid

    from sqlalchemy import event
    schema = f"cocrea_bench_{uuid.uuid4().hex[:10]}"
    base = make_engine(url)
    with base.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(url)

    @event.listens_for(engine, "connect")
    def _search_path(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute(f'SET search_path TO "{schema}"')
        cur.close()
        dbapi_conn.commit()

    def cleanup():
        with base.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        base.dispose()
    return engine, cleanup


if __name__ == "__main__":
    main()
