"""Growth benchmark: does the cost of one action, or of one read, grow with the process?

1. ``record_input`` (through ``workflow.actions.apply``) on a process in consultation that
   already holds 1k, 10k, 100k inputs (``--sizes``; the existing rows are written with a Core
   bulk insert, a fixture). At each size ``--actions`` actions are timed in ``--repeat`` blocks,
   each block interleaved with a block of raw driver transactions doing what recording an
   input minimally needs, in the same database: lock the process row (reading the audit chain
   head kept on it), look up the channel, INSERT the input, INSERT a hash-chained audit entry
   (JSON body + SHA-256), UPDATE the head on the process row, COMMIT.
2. Reads at 10 and 1,000 commitments (``--commitments``; 10 activities, 2 indicators and 1
   progress report per commitment) and each size of inputs, process in monitoring:
   ``cocrea status`` (``reads.status.status``), ``cocrea check`` as JSON
   (``reads.checks.report`` + ``as_dict`` + ``json.dumps``) and the public page's data
   (``reads.public.public_view``: read + build, no HTML), each against a raw driver read of
   the same rows (every row of the process's records: what the three load today), and,
   for reference, the same raw read with inputs as two counts (what a read showing totals needs).
   The ``page`` timed is the process page as its route makes it (``web.public_pages.process_html``:
   the page's view, the compliance report and taking part from one read of the records, the
   first page of inputs, the HTML rendered). Why every row is the honest baseline of both: the
   public view (the JSON of the process) shows the whole record; the page lists 50 commitments
   and 50 inputs with their totals, but it also shows the compliance report of today and the next
   move's unmet criteria (on this fixture, monitoring with the compliance gate on), both judged
   on every row, the inputs included. ``raw-page`` (every other row, the inputs as counts and a
   page of 50) is printed for reference: what a page showing no judgement of the record would read.

3. Other common actions (``--only actions``): ``report_progress`` (a liaison, through the
   engine) on a process in monitoring holding 1/10 of each size in activities (50 agencies,
   one progress report each), against a raw transaction doing what it minimally needs (lock the
   process row with its audit head, read the activity, INSERT the report, UPDATE the activity,
   INSERT the audit entry, UPDATE the head, COMMIT); and ``answer_input`` at each size of
   unanswered inputs (engine CPU only: its raw twin is record_input's).

Printed: min / median / max over the repeats, ratio to raw (within each repeat), and the curve
(median cost at each size / median cost at the smallest size; aim: flat within 20 %).

    PYTHONPATH=. python benchmarks/bench_growth.py [--sizes 1000,10000,100000]
        [--commitments 10,1000] [--actions 200] [--repeat 3] [--db sqlite|postgresql://...]
        [--only record_input|actions|reads] [--quick]

Why one module: one question (does a cost grow with the process?) asked of three kinds of work
that share the fixtures, the timing and the one SUMMARY line; apart, their curves would no longer
be printed side by side.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import hashlib
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (Database, Spread, add_inputs, build_plan, conditions, db_date, db_datetime,  # noqa: E402
                     fmt_ratio, interleave, measure, peak_rss_mib, raw_read_records, reset_peak_rss)

from reads import checks, public  # noqa: E402
from reads import status as queries  # noqa: E402
from workflow import actions  # noqa: E402
from stages.clock import FixedClock  # noqa: E402
from web.public_pages import process_html  # noqa: E402

MX = dt.timezone(dt.timedelta(hours=-6))
FIRST_AT = dt.datetime(2026, 3, 1, 10, 0, tzinfo=MX)  # consultation open (2026-02-16 .. 03-16)
CLOCK = FixedClock(dt.datetime(2027, 6, 30, 12, 0, tzinfo=MX))


# --- 1. record_input --------------------------------------------------------------------------


class Recorder:
    """Record inputs through the engine or as raw transactions, on one process, one time line."""

    def __init__(self, db: Database, slug: str, pid: int):
        self.db, self.slug, self.pid = db, slug, pid
        self.n = 0
        self.conn = db.raw()
        mk = db.mark
        lock = " FOR UPDATE" if db.dialect == "postgresql" else ""
        self.sql_lock = f"SELECT id, audit_seq, audit_head FROM process WHERE slug = {mk}{lock}"
        self.sql_channel = f'SELECT id FROM channel WHERE process_id = {mk} AND "key" = {mk}'
        self.sql_head = f"UPDATE process SET audit_seq = {mk}, audit_head = {mk}, audit_at = {mk} WHERE id = {mk}"
        self.sql_input = (f'INSERT INTO input (process_id, "key", channel_id, text, sector, contact_name, contact_email, '
                          f'received_on, late) VALUES ({", ".join([mk] * 9)})')
        self.sql_audit = (f"INSERT INTO audit_entry (process_id, seq, at, actor, action, session_key, reason, body, "
                          f'prev_hash, hash) VALUES ({", ".join([mk] * 10)})')

    def _next(self) -> tuple[int, dt.datetime]:
        self.n += 1
        return self.n, FIRST_AT + dt.timedelta(seconds=self.n)

    @staticmethod
    def payload(n: int, prefix: str) -> dict:
        return {"key": f"{prefix}{n}", "channel": "ch0", "text": f"Aportación {n}: publicar el padrón de beneficiarios",
                "sector": "citizen", "received_on": "2026-03-01", "contact_name": "Persona participante",
                "contact_email": f"{prefix}{n}@correo.example"}

    def engine(self) -> None:
        n, when = self._next()
        actions.apply(self.db.engine, "record_input", self.payload(n, "e"), actor="coord", process=self.slug,
                      clock=CLOCK, at=when)

    def raw(self) -> None:
        n, when = self._next()
        d, db, conn = self.payload(n, "r"), self.db, self.conn
        db.begin(conn)
        cur = conn.cursor()
        cur.execute(self.sql_lock, (self.slug,))
        pid, seq, prev = cur.fetchone()
        seq, prev = (seq or 0) + 1, prev or "0" * 64
        cur.execute(self.sql_channel, (pid, d["channel"]))
        channel_id = cur.fetchone()[0]
        cur.execute(self.sql_input, (pid, d["key"], channel_id, d["text"], d["sector"], d["contact_name"],
                                     d["contact_email"], db_date(db, dt.date.fromisoformat(d["received_on"])), False))
        at_utc = when.astimezone(dt.timezone.utc)
        body = json.dumps({"seq": seq, "process": pid, "at": at_utc.isoformat(), "actor": "coord",
                           "action": "record_input", "payload": {**d, "contact_name": "-", "contact_email": "-"},
                           "result": {"input": d["key"]}, "session": None, "reason": "", "prev": prev},
                          sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        digest = hashlib.sha256(body.encode()).hexdigest()
        cur.execute(self.sql_audit, (pid, seq, db_datetime(db, at_utc), "coord", "record_input", None, "", body, prev,
                                     digest))
        cur.execute(self.sql_head, (seq, digest, db_datetime(db, at_utc), pid))
        cur.close()
        db.commit(conn)


def count_inputs(db: Database, pid: int) -> int:
    conn = db.raw(autocommit=True)
    cur = conn.cursor()
    cur.execute(f"SELECT count(*) FROM input WHERE process_id = {db.mark}", (pid,))
    n = cur.fetchone()[0]
    conn.close()
    return n


def bench_record_input(url: str, sizes: list[int], n_actions: int, repeat: int) -> dict:
    print(f"\n== 1. record_input at {', '.join(f'{s:,}' for s in sizes)} existing inputs "
          f"({n_actions} engine actions per size in {repeat} blocks, each interleaved with a raw block)")
    out = {}
    with Database(url, "growth_rec") as db:
        t0 = time.perf_counter()
        plan = build_plan(db.engine, slug="crece", stage="consultation", commitments=0, activities=0, inputs=0,
                          sessions=10, evidence=20)
        rec = Recorder(db, plan.slug, plan.process_id)
        per_block = max(n_actions // repeat, 1)
        for size in sizes:
            t1 = time.perf_counter()
            add_inputs(db.engine, plan, size)
            present = count_inputs(db, plan.process_id)
            grow = time.perf_counter() - t1

            def block(fn):
                def run(_r):
                    gc.collect()
                    sample, _ = measure(lambda: [fn() for _ in range(per_block)])
                    return sample
                return run

            res = interleave({"raw": block(rec.raw), "engine": block(rec.engine)}, repeat)
            e_cpu = Spread([s.cpu / per_block for s in res["engine"]])
            e_wall = Spread([s.wall / per_block for s in res["engine"]])
            r_cpu = Spread([s.cpu / per_block for s in res["raw"]])
            r_wall = Spread([s.wall / per_block for s in res["raw"]])
            out[size] = (e_cpu, e_wall, r_cpu, r_wall)
            print(f"  {present:>9,} inputs present (fixture grown in {grow:.1f} s): engine CPU {e_cpu.fmt()}  "
                  f"wall {e_wall.fmt()} | raw CPU {r_cpu.fmt(digits=3)}  wall {r_wall.fmt(digits=3)} | "
                  f"engine/raw CPU {fmt_ratio(e_cpu.ratio(r_cpu))}")
        print(f"  (setup and growth {time.perf_counter() - t0:.0f} s)")
    base = out[sizes[0]]
    print("  curve, median per-action cost at each size / at the smallest (aim: <= 1.20):")
    for size in sizes:
        e_cpu, e_wall, r_cpu, r_wall = out[size]
        print(f"    {size:>9,}: engine CPU {e_cpu.median / base[0].median:6.2f}  wall {e_wall.median / base[1].median:6.2f}"
              f"   raw CPU {r_cpu.median / base[2].median:6.2f}  wall {r_wall.median / base[3].median:6.2f}")
    return out


# --- 2. reads ---------------------------------------------------------------------------------


READS = ("status", "check", "public", "page")


def bench_reads(url: str, sizes: list[int], commitments: list[int], repeat: int) -> dict:
    print(f"\n== 2. reads at {', '.join(map(str, commitments))} commitments x "
          f"{', '.join(f'{s:,}' for s in sizes)} inputs ({repeat} repeats, interleaved)")
    out: dict = {}
    for c in commitments:
        with Database(url, f"growth_read{c}") as db:
            t0 = time.perf_counter()
            plan = build_plan(db.engine, slug=f"lee{c}", stage="monitoring", commitments=c, activities=10 * c,
                              inputs=0, agencies=min(50, max(c, 1)))
            conn = db.raw()
            reset_peak_rss()
            print(f"  {c} commitments, {10 * c} activities: fixture in {time.perf_counter() - t0:.1f} s")
            for size in sizes:
                add_inputs(db.engine, plan, size)
                rows: dict = {}

                def timed(fn):
                    def run(_r):
                        gc.collect()
                        sample, result = measure(fn)
                        rows.setdefault(fn.__name__, result)
                        return sample
                    return run

                def raw():
                    return raw_read_records(db, conn, plan.process_id)

                def raw_counts():
                    return raw_read_records(db, conn, plan.process_id, inputs="count")

                def status():
                    return queries.status(db.engine, plan.slug, "en")

                def check():
                    return len(json.dumps(checks.report(db.engine, plan.slug, as_of=plan.as_of).as_dict("en"),
                                          ensure_ascii=False))

                def public_page():
                    return public.public_view(db.engine, plan.slug, "es")

                def page():  # the process page as its route makes it: view, report, inputs' page, HTML
                    return len(process_html(db.engine, plan.slug, "es", CLOCK))

                def raw_page():
                    return raw_read_records(db, conn, plan.process_id, inputs="page")

                for warm in (raw, status, check, public_page, page):  # once, untimed: imports, templates compiled
                    warm()
                res = interleave({"raw": timed(raw), "raw_counts": timed(raw_counts), "raw_page": timed(raw_page),
                                  "status": timed(status), "check": timed(check), "public": timed(public_page),
                                  "page": timed(page)}, repeat)
                out[(c, size)] = res
                raw_w = Spread([s.wall for s in res["raw"]])
                raw_c = Spread([s.cpu for s in res["raw"]])
                print(f"    {size:>9,} inputs: raw read of {rows['raw']:,} rows {raw_w.fmt()} wall, CPU {raw_c.fmt()} "
                      f"(inputs as counts: {Spread([s.wall for s in res['raw_counts']]).fmt()}; as counts and "
                      f"a page of 50: {Spread([s.wall for s in res['raw_page']]).fmt()})")
                for name in READS:
                    w = Spread([s.wall for s in res[name]])
                    cpu = Spread([s.cpu for s in res[name]])
                    print(f"      {name:7} wall {w.fmt()}  CPU {cpu.fmt()}  / raw (wall) {fmt_ratio(w.ratio(raw_w))}"
                          f" (CPU {fmt_ratio(cpu.ratio(raw_c))})"
                          f"  / raw-with-counts {fmt_ratio(w.ratio(Spread([s.wall for s in res['raw_counts']])))}"
                          + (f"  / raw-page {fmt_ratio(w.ratio(Spread([s.wall for s in res['raw_page']])))}"
                             f" (CPU {fmt_ratio(cpu.ratio(Spread([s.cpu for s in res['raw_page']])))})"
                             if name == "page" else ""))
            print(f"    peak resident memory of this process at {c} commitments (fixture growth and all reads): "
                  f"{peak_rss_mib():.0f} MiB")
    print("  curve, median at each size / at the smallest size, wall and client CPU (aim: <= 1.20), "
          "and wall / raw read at that size:")
    for c in commitments:
        for name in ("raw", *READS):
            base_w = Spread([s.wall for s in out[(c, sizes[0])][name]]).median
            base_c = Spread([s.cpu for s in out[(c, sizes[0])][name]]).median
            cells = []
            for size in sizes:
                w = Spread([s.wall for s in out[(c, size)][name]])
                cpu = Spread([s.cpu for s in out[(c, size)][name]])
                vs = "" if name == "raw" else f", {w.ratio(Spread([s.wall for s in out[(c, size)]['raw']])).median:.1f}x raw"
                cells.append(f"{size:,}: {w.median / base_w:.2f} / {cpu.median / base_c:.2f}{vs}")
            print(f"    {c:>5} commitments {name:7} " + "   ".join(cells))
    return out


# --- 3. other actions -------------------------------------------------------------------------


class Reporter:
    """report_progress through the engine or as raw transactions, one activity of agency 0 after another."""

    def __init__(self, db: Database, slug: str, activities: int):
        self.db, self.slug, self.activities, self.n = db, slug, activities, 0
        self.conn = db.raw()
        mk = db.mark
        lock = " FOR UPDATE" if db.dialect == "postgresql" else ""
        self.sql_lock = f"SELECT id, audit_seq, audit_head FROM process WHERE slug = {mk}{lock}"
        self.sql_activity = f'SELECT id, agency_id, start_date, percent FROM activity WHERE process_id = {mk} AND "key" = {mk}'
        self.sql_report = (f"INSERT INTO progress_report (process_id, activity_id, status, percent, evidence_ref, "
                           f"reported_on, reason, reported_by, recorded_at) VALUES ({', '.join([mk] * 9)})")
        self.sql_update = f"UPDATE activity SET status = {mk}, percent = {mk} WHERE id = {mk}"
        self.sql_audit = (f"INSERT INTO audit_entry (process_id, seq, at, actor, action, session_key, reason, body, "
                          f'prev_hash, hash) VALUES ({", ".join([mk] * 10)})')
        self.sql_head = f"UPDATE process SET audit_seq = {mk}, audit_head = {mk}, audit_at = {mk} WHERE id = {mk}"

    def _next(self) -> dict:
        self.n += 1
        key = f"a{(50 * self.n) % self.activities}"  # agency 0's activities (enlace0's), in turn
        return {"activity": key, "status": "in_progress", "percent": 50 + self.n % 50, "reported_on": "2027-02-01",
                "evidence_ref": "https://example.org/avance.pdf", "reason": "Revisión del avance"}

    def engine(self) -> None:
        actions.apply(self.db.engine, "report_progress", self._next(), actor="enlace0", process=self.slug, clock=CLOCK)

    def raw(self) -> None:
        d, db, conn = self._next(), self.db, self.conn
        now = CLOCK.now().astimezone(dt.timezone.utc)
        db.begin(conn)
        cur = conn.cursor()
        cur.execute(self.sql_lock, (self.slug,))
        pid, seq, prev = cur.fetchone()
        seq, prev = (seq or 0) + 1, prev or "0" * 64
        cur.execute(self.sql_activity, (pid, d["activity"]))
        aid = cur.fetchone()[0]
        cur.execute(self.sql_report, (pid, aid, d["status"], d["percent"], d["evidence_ref"],
                                      db_date(db, dt.date.fromisoformat(d["reported_on"])), d["reason"], "enlace0",
                                      db_datetime(db, now)))
        cur.execute(self.sql_update, (d["status"], d["percent"], aid))
        body = json.dumps({"seq": seq, "process": pid, "at": now.isoformat(), "actor": "enlace0",
                           "action": "report_progress", "payload": d, "result": d, "session": None, "reason": "",
                           "prev": prev}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        digest = hashlib.sha256(body.encode()).hexdigest()
        cur.execute(self.sql_audit, (pid, seq, db_datetime(db, now), "enlace0", "report_progress", None, "", body,
                                     prev, digest))
        cur.execute(self.sql_head, (seq, digest, db_datetime(db, now), pid))
        cur.close()
        db.commit(conn)


def bench_actions(url: str, sizes: list[int], n_actions: int, repeat: int) -> dict:
    print(f"\n== 3. report_progress at {', '.join(f'{s // 10:,}' for s in sizes)} activities and answer_input at "
          f"{', '.join(f'{s:,}' for s in sizes)} unanswered inputs ({n_actions} actions per size in {repeat} blocks)")
    per_block = max(n_actions // repeat, 1)
    out: dict = {}

    def block(fn):
        def run(_r):
            gc.collect()
            sample, _ = measure(lambda: [fn() for _ in range(per_block)])
            return sample
        return run

    for size in sizes:
        acts = max(size // 10, 50)
        with Database(url, f"growth_act{size}") as db:
            plan = build_plan(db.engine, slug="sigue", stage="monitoring", commitments=max(acts // 10, 1),
                              activities=acts, inputs=0, agencies=50, sessions=10, evidence=20)
            rep = Reporter(db, plan.slug, acts)
            res = interleave({"raw": block(rep.raw), "engine": block(rep.engine)}, repeat)
            e_cpu = Spread([x.cpu / per_block for x in res["engine"]])
            r_cpu = Spread([x.cpu / per_block for x in res["raw"]])
            out[("report_progress", size)] = (e_cpu, r_cpu)
            print(f"  report_progress, {acts:>7,} activities: engine CPU {e_cpu.fmt()} | raw CPU {r_cpu.fmt(digits=3)}"
                  f" | engine/raw CPU {fmt_ratio(e_cpu.ratio(r_cpu))}")
        with Database(url, f"growth_ans{size}") as db:
            plan = build_plan(db.engine, slug="responde", stage="consultation", commitments=0, activities=0, inputs=0,
                              sessions=10, evidence=20)
            add_inputs(db.engine, plan, size, answered=False)
            n = iter(range(size))

            def answer():
                actions.apply(db.engine, "answer_input", {"input": f"i{next(n)}", "disposition": "adopted",
                                                         "rationale": "Se integra al plan"}, actor="coord",
                              process=plan.slug, clock=CLOCK)
            res = interleave({"engine": block(answer)}, repeat)
            e_cpu = Spread([x.cpu / per_block for x in res["engine"]])
            out[("answer_input", size)] = (e_cpu, None)
            print(f"  answer_input, {size:>9,} inputs: engine CPU {e_cpu.fmt()}")
    print("  curve, median engine CPU per action at each size / at the smallest (aim: <= 1.20):")
    for name in ("report_progress", "answer_input"):
        base = out[(name, sizes[0])][0].median
        print(f"    {name:16} " + "   ".join(f"{s:,}: {out[(name, s)][0].median / base:.2f}" for s in sizes))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000", help="existing inputs, comma-separated")
    ap.add_argument("--commitments", default="10,1000", help="commitments for the reads, comma-separated")
    ap.add_argument("--actions", type=int, default=200, help="record_input actions timed at each size")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--db", default="sqlite", help="sqlite (a temporary file) or a postgresql:// URL")
    ap.add_argument("--only", choices=("record_input", "reads", "actions"))
    ap.add_argument("--quick", action="store_true", help="sizes 1000,10000; commitments 10,100; 30 actions; 2 repeats")
    a = ap.parse_args()
    if a.quick:
        a.sizes, a.commitments, a.actions, a.repeat = "1000,10000", "10,100", 30, 2
    sizes = sorted(int(s) for s in a.sizes.split(","))
    commitments = sorted(int(c) for c in a.commitments.split(","))
    db_name = "PostgreSQL" if a.db.startswith("postgresql") else "SQLite"
    with Database(a.db, "probe") as probe:
        print(f"bench_growth ({db_name}): {conditions(probe)}")
    summary = [f"SUMMARY bench_growth [{db_name}, sizes {'/'.join(map(str, sizes))}]:"]
    if a.only in (None, "record_input"):
        rec = bench_record_input(a.db, sizes, a.actions, a.repeat)
        first, last = rec[sizes[0]], rec[sizes[-1]]
        summary.append(f"record_input CPU {sizes[-1]:,}/{sizes[0]:,} = {last[0].median / first[0].median:.2f} "
                       f"(aim <= 1.2), engine/raw CPU at {sizes[-1]:,} = {last[0].ratio(last[2]).median:.0f}x;")
    if a.only in (None, "actions"):
        acts = bench_actions(a.db, sizes, a.actions, a.repeat)
        for name in ("report_progress", "answer_input"):
            summary.append(f"{name} CPU {sizes[-1]:,}/{sizes[0]:,} = "
                           f"{acts[(name, sizes[-1])][0].median / acts[(name, sizes[0])][0].median:.2f};")
    if a.only in (None, "reads"):
        reads = bench_reads(a.db, sizes, commitments, a.repeat)
        for name in READS:
            cells = []
            for c in commitments:
                lo = Spread([s.cpu for s in reads[(c, sizes[0])][name]])
                hi = Spread([s.cpu for s in reads[(c, sizes[-1])][name]])
                hi_w = Spread([s.wall for s in reads[(c, sizes[-1])][name]])
                raw_hi = Spread([s.wall for s in reads[(c, sizes[-1])]["raw"]])
                cells.append(f"{c} commitments: CPU curve {hi.median / lo.median:.1f}, {hi_w.median:.2f} s wall = "
                             f"{hi_w.ratio(raw_hi).median:.1f}x raw")
            summary.append(f"{name} at {sizes[-1]:,} inputs ({'; '.join(cells)});")
    print("\n" + " ".join(summary) + " aims: curve <= 1.2, reads <= 3x raw")


if __name__ == "__main__":
    main()
