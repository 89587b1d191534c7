"""Engine benchmark: N processes driven declaration -> closed through the actions, against raw
SQL transactions writing exactly the same rows, and a stage move against SpiffWorkflow.

The action sequence is ``tests/compliant_process.py`` (98 actions, 8 of them stage-moving
``decide``), imported, renamed per process. In one run, on the same database kind:

1. capture: the script is applied once through ``workflow.actions.apply_many`` (one action at
   a time) into a scratch database; after each action every table is read back and diffed, so
   we know the rows that action inserted, updated or deleted (audit entries and reminder
   outbox rows included).
2. engine vs raw, interleaved per process (the order alternates), in fresh databases each
   repeat: the engine applies the script for process k; the raw baseline replays the captured
   rows of process k (ids, keys and slug shifted to be its own) as plain driver SQL
   (``sqlite3`` / ``psycopg``): per action one transaction = lock the process row (``BEGIN
   IMMEDIATE`` on SQLite as the product does; ``SELECT ... FOR UPDATE`` on PostgreSQL) +
   ``executemany`` INSERT per table + UPDATE by id + COMMIT. Statements and parameters are
   built before the clock starts, as a hand-written program would have them. The row counts
   of both databases are compared after the first repeat.
3. SpiffWorkflow (in the same database as the engine, same repeat): an 8-user-task BPMN
   process per cocrea process; one move = SELECT the serialized workflow row (FOR UPDATE on
   PostgreSQL) + deserialize + complete the ready user task + engine steps + serialize +
   UPDATE + COMMIT, through the raw driver (the leanest Spiff persistence we could write).
   Compared with cocrea's stage-moving ``decide`` (7 advances and the close).
4. writers (``--writers 1,2,4``): the same N processes split over W worker processes
   (multiprocessing, spawn) on different cocrea processes at once, engine and raw, each in a
   fresh database; throughput in actions per second of wall time and the ratio W/1.

CPU is ``time.process_time()`` of the client process (the PostgreSQL server's CPU is reported
apart, from /proc of our backends: the server runs on this machine). Figures are min / median
/ max over ``--repeat`` repeats; ratios are taken within a repeat.

    PYTHONPATH=. python benchmarks/bench_engine.py [--processes 20] [--repeat 3]
        [--db sqlite|postgresql://...] [--writers 1,2,4] [--quick]

Why one module: a benchmark is one script run on demand: its fixture, its raw baseline and its
report read top to bottom.
"""
from __future__ import annotations

import argparse
import copy
import gc
import multiprocessing as mp
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (METADATA, Database, Spread, compliant_clock, compliant_script, conditions,  # noqa: E402
                     count_rows, fmt_ratio, json_param, server_cpu, track_backends)

from workflow import actions  # noqa: E402

TABLES = [t.name for t in METADATA.sorted_tables if "id" in t.c]  # applied_key (keyed by its key): the script writes none
STRIDE = 1_000_000  # id offset between the raw copies of the captured process
SPIFF_TABLE = "bench_spiff_workflow"


# --- 1. capture the rows each action writes -------------------------------------------------


@dataclass
class Captured:
    action: str
    inserts: list  # [(table, columns, [row tuple ...])] in dependency order
    updates: list  # [(table, id, {column: value})]
    deletes: list  # [(table, id)]
    moves_stage: bool
    process_id: int


def _snapshot(conn) -> dict:
    cur = conn.cursor()
    out = {}
    for t in TABLES:
        cur.execute(f'SELECT * FROM "{t}" ORDER BY id')
        cols = [d[0] for d in cur.description]
        i = cols.index("id")
        out[t] = (cols, {row[i]: tuple(row) for row in cur.fetchall()})
    cur.close()
    return out


def capture(url: str) -> list[Captured]:
    """Apply the script once, action by action, and diff every table after each action."""
    steps = compliant_script("capture")
    clock = compliant_clock()
    out: list[Captured] = []
    with Database(url, "capture") as db:
        conn = db.raw(autocommit=True)
        before = _snapshot(conn)
        for item in steps:
            actions.apply_many(db.engine, [copy.deepcopy(item)], clock=clock)
            after = _snapshot(conn)
            inserts, updates, deletes = [], [], []
            for t in TABLES:
                cols, new = after[t]
                old = before[t][1]
                added = [new[i] for i in sorted(new.keys() - old.keys())]
                if added:
                    inserts.append((t, cols, added))
                for i in sorted(new.keys() & old.keys()):
                    if new[i] != old[i]:
                        updates.append((t, i, {c: v for c, v, o in zip(cols, new[i], old[i]) if v != o}))
                deletes += [(t, i) for i in sorted(old.keys() - new.keys())]
            pid = next(iter(after["process"][1]))
            out.append(Captured(item["action"], inserts, updates, deletes[::-1],
                                item["action"] == "decide" and any(t == "stage_change" for t, _, _ in inserts), pid))
            before = after
    return out


# --- 2. the raw replay ------------------------------------------------------------------------


def _remap_rules() -> tuple[dict, dict]:
    """Per table: columns holding ids (primary key and foreign keys: shifted by an offset) and
    single-column unique text columns (process.slug, outbox.key ...: given a suffix)."""
    ids, uniques = {}, {}
    for t in METADATA.sorted_tables:
        ids[t.name] = {c.name for c in t.c if c.primary_key or c.foreign_keys}
        single = {c.name for c in t.c if c.unique}
        single |= {list(ix.columns)[0].name for ix in t.indexes if ix.unique and len(ix.columns) == 1}
        single |= {list(u.columns)[0].name for u in t.constraints
                   if u.__class__.__name__ == "UniqueConstraint" and len(u.columns) == 1}
        uniques[t.name] = {n for n in single if n not in ids[t.name]}
    return ids, uniques


def raw_plan(db: Database, captured: list[Captured], k: int) -> list[list[tuple[str, list, bool]]]:
    """For copy ``k`` of the captured process: per action, the statements and parameters."""
    ids, uniques = _remap_rules()
    off, suffix, mk = k * STRIDE, f"~{k}", db.mark
    lock = f"SELECT id FROM process WHERE id = {mk}" + (" FOR UPDATE" if db.dialect == "postgresql" else "")

    def value(table: str, col: str, v):
        if v is None:
            return None
        if col in ids[table]:
            return v + off
        if col in uniques[table]:
            return f"{v}{suffix}"
        return json_param(db, v)

    plan = []
    for c in captured:
        stmts: list[tuple[str, list, bool]] = []
        if c.action != "create_process":
            stmts.append((lock, [c.process_id + off], False))
        for t, i in c.deletes:
            stmts.append((f'DELETE FROM "{t}" WHERE id = {mk}', [i + off], False))
        for t, cols, rows in c.inserts:
            names = ", ".join(f'"{x}"' for x in cols)
            sql = f'INSERT INTO "{t}" ({names}) VALUES ({", ".join([mk] * len(cols))})'
            stmts.append((sql, [tuple(value(t, col, v) for col, v in zip(cols, row)) for row in rows], True))
        for t, i, changed in c.updates:
            sets = ", ".join(f'"{col}" = {mk}' for col in changed)
            stmts.append((f'UPDATE "{t}" SET {sets} WHERE id = {mk}',
                          [*(value(t, col, v) for col, v in changed.items()), i + off], False))
        plan.append(stmts)
    return plan


def run_raw_action(db: Database, conn, stmts) -> None:
    db.begin(conn)
    cur = conn.cursor()
    for sql, params, many in stmts:
        if many:
            cur.executemany(sql, params)
        else:
            cur.execute(sql, params)
    cur.close()
    db.commit(conn)


# --- 3. SpiffWorkflow -------------------------------------------------------------------------


class Spiff:
    """An 8-user-task BPMN process (one task per cocrea stage), persisted per move."""

    def __init__(self, db: Database, conn):
        from SpiffWorkflow.bpmn.parser import BpmnParser
        from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
        from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
        from SpiffWorkflow.util.task import TaskState

        n = 8
        tasks = "".join(f'<bpmn:userTask id="stage{i}" name="Stage {i}"><bpmn:incoming>f{i}</bpmn:incoming>'
                        f'<bpmn:outgoing>f{i + 1}</bpmn:outgoing></bpmn:userTask>' for i in range(1, n + 1))
        flows = "".join(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{"start" if i == 1 else f"stage{i - 1}"}" '
                        f'targetRef="{"end" if i == n + 1 else f"stage{i}"}"/>' for i in range(1, n + 2))
        xml = ('<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
               'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://bpmn.io/schema/bpmn">'
               '<bpmn:process id="cocreation" isExecutable="true"><bpmn:startEvent id="start"><bpmn:outgoing>f1'
               f'</bpmn:outgoing></bpmn:startEvent>{tasks}<bpmn:endEvent id="end"><bpmn:incoming>f{n + 1}'
               f'</bpmn:incoming></bpmn:endEvent>{flows}</bpmn:process></bpmn:definitions>')
        parser = BpmnParser()
        parser.add_bpmn_str(xml.encode())
        self.spec, self.n = parser.get_spec("cocreation"), n
        self.Workflow, self.ready = BpmnWorkflow, TaskState.READY
        self.serializer = BpmnWorkflowSerializer()
        self.db, self.conn, mk = db, conn, db.mark
        conn.cursor().execute(f"CREATE TABLE IF NOT EXISTS {SPIFF_TABLE} (id INTEGER PRIMARY KEY, process TEXT, "
                              "state TEXT NOT NULL)")
        if db.dialect == "postgresql":
            conn.commit()
        self.select = f"SELECT state FROM {SPIFF_TABLE} WHERE id = {mk}" + (
            " FOR UPDATE" if db.dialect == "postgresql" else "")
        self.update = f"UPDATE {SPIFF_TABLE} SET state = {mk} WHERE id = {mk}"
        self.insert = f"INSERT INTO {SPIFF_TABLE} (id, process, state) VALUES ({mk}, {mk}, {mk})"

    def start(self, wid: int, name: str) -> int:
        wf = self.Workflow(self.spec)
        wf.do_engine_steps()
        state = self.serializer.serialize_json(wf)
        self.db.begin(self.conn)
        self.conn.cursor().execute(self.insert, (wid, name, state))
        self.db.commit(self.conn)
        return len(state)

    def move(self, wid: int) -> None:
        self.db.begin(self.conn)
        cur = self.conn.cursor()
        cur.execute(self.select, (wid,))
        wf = self.serializer.deserialize_json(cur.fetchone()[0])
        task = wf.get_next_task(state=self.ready, manual=True)
        task.run()
        wf.do_engine_steps()
        cur.execute(self.update, (self.serializer.serialize_json(wf), wid))
        cur.close()
        self.db.commit(self.conn)

    def completed(self, wid: int) -> bool:
        cur = self.conn.cursor()
        cur.execute(f"SELECT state FROM {SPIFF_TABLE} WHERE id = {self.db.mark}", (wid,))
        done = self.serializer.deserialize_json(cur.fetchone()[0]).is_completed()
        if self.db.dialect == "postgresql":
            self.conn.commit()
        return done


# --- the measured run -------------------------------------------------------------------------


def _timed(fn, *a, **kw) -> tuple[float, float]:
    c0, t0 = time.process_time(), time.perf_counter()
    fn(*a, **kw)
    return time.process_time() - c0, time.perf_counter() - t0


def engine_items(k: int) -> list[dict]:
    return compliant_script(f"p{k}")


def one_repeat(url: str, captured: list[Captured], n: int, r: int) -> dict:
    """Engine, raw and Spiff for processes 0..n-1, interleaved per process, in fresh databases."""
    moving = [i for i, c in enumerate(captured) if c.moves_stage]
    clock = compliant_clock()
    acc = {k: [0.0, 0.0, 0] for k in ("engine", "raw", "decide", "spiff", "srv_engine", "srv_raw")}
    with Database(url, "engine") as edb, Database(url, "raw") as rdb:
        backends = track_backends(edb.engine)
        rconn = rdb.raw()
        sconn = edb.raw()
        spiff = Spiff(edb, sconn)
        raw_pid = [rconn.info.backend_pid] if rdb.dialect == "postgresql" else []
        plans = [raw_plan(rdb, captured, k + 1) for k in range(n)]
        items = [[[copy.deepcopy(x)] for x in engine_items(k)] for k in range(n)]

        def engine(k: int) -> None:
            s0 = server_cpu(backends)
            for i, item in enumerate(items[k]):
                cpu, wall = _timed(actions.apply_many, edb.engine, item, clock=clock)
                acc["engine"][0] += cpu
                acc["engine"][1] += wall
                acc["engine"][2] += 1
                if i in moving:
                    acc["decide"][0] += cpu
                    acc["decide"][1] += wall
                    acc["decide"][2] += 1
            acc["srv_engine"][0] += server_cpu(backends) - s0

        def raw(k: int) -> None:
            s0 = server_cpu(raw_pid)
            for stmts in plans[k]:
                cpu, wall = _timed(run_raw_action, rdb, rconn, stmts)
                acc["raw"][0] += cpu
                acc["raw"][1] += wall
                acc["raw"][2] += 1
            acc["srv_raw"][0] += server_cpu(raw_pid) - s0

        def spiff_run(k: int) -> None:
            spiff.start(k + 1, f"p{k}")
            for _ in range(spiff.n):
                cpu, wall = _timed(spiff.move, k + 1)
                acc["spiff"][0] += cpu
                acc["spiff"][1] += wall
                acc["spiff"][2] += 1

        contenders = [engine, raw, spiff_run]
        for k in range(n):
            for fn in (contenders if (k + r) % 2 == 0 else contenders[::-1]):
                gc.collect()  # no contender pays for another's garbage
                fn(k)
        assert all(spiff.completed(k + 1) for k in range(n)), "a Spiff workflow did not complete"
        check = None
        if r == 0:
            e_rows = count_rows(edb.engine, TABLES)
            r_rows = count_rows(rdb.engine, TABLES)
            check = (e_rows, r_rows)
    out = {k: (v[0] / v[2] if v[2] else 0.0, v[1] / v[2] if v[2] else 0.0) for k, v in acc.items()
           if not k.startswith("srv")}
    out["srv_engine"] = acc["srv_engine"][0] / max(acc["engine"][2], 1)
    out["srv_raw"] = acc["srv_raw"][0] / max(acc["raw"][2], 1)
    out["actions"] = acc["engine"][2]
    out["moves"] = acc["decide"][2]
    out["check"] = check
    return out


# --- 4. writers -------------------------------------------------------------------------------


def _worker(kind: str, info: dict, ks: list[int], captured, barrier, queue) -> None:
    """One writer: its share of the processes, engine or raw, after everyone is ready."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    db = Database.attach(**info)
    try:
        clock = compliant_clock()
        if kind == "engine":
            backends = track_backends(db.engine)
            work = [[[copy.deepcopy(x)] for x in engine_items(k)] for k in ks]
            with db.engine.connect():
                pass  # the pool's first connection, before the clock starts
        else:
            conn = db.raw()
            backends = [conn.info.backend_pid] if db.dialect == "postgresql" else []
            work = [raw_plan(db, captured, k + 1) for k in ks]
        barrier.wait()
        c0, s0 = time.process_time(), server_cpu(backends)
        count = 0
        for per_process in work:
            for x in per_process:
                if kind == "engine":
                    actions.apply_many(db.engine, x, clock=clock)
                else:
                    run_raw_action(db, conn, x)
                count += 1
        queue.put((count, time.process_time() - c0, server_cpu(backends) - s0, time.monotonic()))
    finally:
        db.close()


def parallel(url: str, kind: str, writers: int, n: int, captured) -> dict:
    ctx = mp.get_context("spawn")
    with Database(url, f"w{writers}{kind[0]}") as db:
        barrier, queue = ctx.Barrier(writers + 1), ctx.Queue()
        shares = [list(range(w, n, writers)) for w in range(writers)]
        procs = [ctx.Process(target=_worker, args=(kind, db.info(), ks, captured, barrier, queue)) for ks in shares]
        for p in procs:
            p.start()
        barrier.wait(timeout=300)
        t0 = time.monotonic()
        results = [queue.get(timeout=3600) for _ in procs]
        for p in procs:
            p.join()
        if any(p.exitcode for p in procs):
            raise RuntimeError(f"a {kind} writer failed")
    wall = max(r[3] for r in results) - t0
    actions_done = sum(r[0] for r in results)
    return {"tput": actions_done / wall, "wall": wall, "client_cpu": sum(r[1] for r in results),
            "server_cpu": sum(r[2] for r in results), "actions": actions_done}


# --- main -------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--processes", type=int, default=20, help="cocrea processes driven declaration -> closed")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--db", default="sqlite", help="sqlite (a temporary file) or a postgresql:// URL "
                                                   "(a schema of its own is created and dropped)")
    ap.add_argument("--writers", default="1,2,4", help="writer counts for the throughput phase; '' to skip")
    ap.add_argument("--quick", action="store_true",
                    help="2 processes, 2 repeats, writers 1,2 run once (a check that it works, not figures)")
    a = ap.parse_args()
    writer_repeat = a.repeat
    if a.quick:
        a.processes, a.repeat, writer_repeat = min(a.processes, 2), min(a.repeat, 2), 1
        a.writers = "1,2" if a.writers == "1,2,4" else a.writers
    writers = [int(w) for w in a.writers.split(",") if w.strip()]
    db_name = "PostgreSQL" if a.db.startswith("postgresql") else "SQLite"
    print(f"bench_engine: {a.processes} processes x {len(compliant_script('x'))} actions, {a.repeat} repeats, {db_name}")
    with Database(a.db, "probe") as probe:
        print(conditions(probe))

    t0 = time.perf_counter()
    captured = capture(a.db)
    n_ins = sum(len(rows) for c in captured for _, _, rows in c.inserts)
    n_upd = sum(len(c.updates) for c in captured)
    print(f"captured the rows of {len(captured)} actions ({n_ins} inserted, {n_upd} updated, "
          f"{sum(len(c.deletes) for c in captured)} deleted; {sum(c.moves_stage for c in captured)} stage moves) "
          f"in {time.perf_counter() - t0:.1f} s")

    reps = []
    for r in range(a.repeat):
        reps.append(one_repeat(a.db, captured, a.processes, r))
        x = reps[-1]
        print(f"  repeat {r + 1}: engine {x['engine'][0] * 1e3:.2f} ms CPU/action, raw {x['raw'][0] * 1e3:.3f}, "
              f"decide(move) {x['decide'][0] * 1e3:.2f}, spiff move {x['spiff'][0] * 1e3:.2f}  "
              f"(load {os.getloadavg()[0]:.2f})")
    e_rows, r_rows = reps[0]["check"]
    diff = {t: (e_rows[t], r_rows[t]) for t in TABLES if e_rows[t] != r_rows[t]}
    print(f"rows written, engine vs raw after repeat 1: {sum(e_rows.values())} vs {sum(r_rows.values())}"
          + (f"; DIFFERENT: {diff}" if diff else " (every table the same count)"))

    def col(key: str, i: int) -> Spread:
        return Spread([x[key][i] for x in reps])

    e_cpu, e_wall, r_cpu, r_wall = col("engine", 0), col("engine", 1), col("raw", 0), col("raw", 1)
    d_cpu, d_wall, s_cpu, s_wall = col("decide", 0), col("decide", 1), col("spiff", 0), col("spiff", 1)
    print(f"\n== Per action, {reps[0]['actions']} actions a repeat (min / median / max over {a.repeat} repeats)")
    print(f"  engine  CPU {e_cpu.fmt()}   wall {e_wall.fmt()}")
    print(f"  raw SQL CPU {r_cpu.fmt(digits=3)}   wall {r_wall.fmt(digits=3)}")
    print(f"  ratio engine/raw: CPU {fmt_ratio(e_cpu.ratio(r_cpu))}   wall {fmt_ratio(e_wall.ratio(r_wall))}   (aim <= 3)")
    if db_name == "PostgreSQL":
        srv_e, srv_r = Spread([x["srv_engine"] for x in reps]), Spread([x["srv_raw"] for x in reps])
        print(f"  PostgreSQL server CPU (our backends): engine {srv_e.fmt()}  raw {srv_r.fmt(digits=3)}  "
              f"ratio {fmt_ratio(srv_e.ratio(srv_r))}")
        print("  (raw wall far above raw CPU: each commit waits for the WAL flush, synchronous_commit=on)")
    print(f"\n== Per stage move ({reps[0]['moves']} a repeat: cocrea 'decide' that moves the stage; "
          f"Spiff: select + deserialize + complete + serialize + update + commit)")
    print(f"  cocrea decide  CPU {d_cpu.fmt()}   wall {d_wall.fmt()}")
    print(f"  SpiffWorkflow  CPU {s_cpu.fmt()}   wall {s_wall.fmt()}   (raw driver, same database)")
    print(f"  cocrea is faster by spiff/cocrea: CPU {fmt_ratio(s_cpu.ratio(d_cpu))}   wall {fmt_ratio(s_wall.ratio(d_wall))}"
          f"   (aim >= 3; below 1 means cocrea is slower)")

    scaling = {}
    if writers:
        print(f"\n== Writers: {a.processes} processes split over W worker processes, each on its own cocrea processes "
              f"(spawned; fresh database per run; engine and raw alternate)")
        for w in writers:
            runs = {"engine": [], "raw": []}
            for r in range(writer_repeat):
                for kind in (("engine", "raw") if r % 2 == 0 else ("raw", "engine")):
                    runs[kind].append(parallel(a.db, kind, w, a.processes, captured))
            scaling[w] = runs
            for kind in ("engine", "raw"):
                t = Spread([x["tput"] for x in runs[kind]])
                med = sorted(runs[kind], key=lambda x: x["tput"])[len(runs[kind]) // 2]
                busy = (med["client_cpu"] + med["server_cpu"]) / med["wall"]
                print(f"  W={w} {kind:6} {t.fmt(1, 'actions/s', 0)}   CPU busy (client+server)/wall = {busy:.2f} cores "
                      f"of {os.cpu_count()}  (client {med['client_cpu'] / med['wall']:.2f}, "
                      f"server {med['server_cpu'] / med['wall']:.2f})")
        if 1 in scaling and len(scaling) > 1:
            top = max(scaling)
            for kind in ("engine", "raw"):
                one = Spread([x["tput"] for x in scaling[1][kind]])
                many = Spread([x["tput"] for x in scaling[top][kind]])
                print(f"  {kind}: throughput {top} writers / 1 writer = {fmt_ratio(many.ratio(one))}"
                      + ("   (aim >= 3)" if kind == "engine" else ""))
        if 1 in scaling:
            med1 = sorted(scaling[1]["engine"], key=lambda x: x["tput"])[len(scaling[1]["engine"]) // 2]
            busy1 = (med1["client_cpu"] + med1["server_cpu"]) / med1["wall"]
            print(f"  CPU ceiling: 1 engine writer keeps {busy1:.2f} cores busy (client + "
                  + ("our PostgreSQL backends" if db_name == "PostgreSQL" else "SQLite, in the client")
                  + f"); on {os.cpu_count()} idle cores W writers can reach at most ~{os.cpu_count() / busy1:.1f}x the "
                  "1-writer throughput, less with the machine's other load")
        print(f"  what limits it here: {os.cpu_count()} cores shared by the client writers"
              + (", the PostgreSQL backends" if db_name == "PostgreSQL" else "")
              + " and the other work on the machine (see the load average); once (client + server) CPU per wall "
              "second nears the core count, more writers cannot add throughput: with 2 cores, 3x from 4 writers needs "
              "1 writer to keep less than 2/3 of a core busy, i.e. to spend most of its time waiting (commit flushes). "
              + ("On SQLite every write transaction takes the database lock (BEGIN IMMEDIATE): writers queue."
                 if db_name == "SQLite" else "Row locks do not conflict (each writer has its own processes)."))

    e_ratio = e_cpu.ratio(r_cpu).median
    s_ratio = s_cpu.ratio(d_cpu).median
    line = (f"SUMMARY bench_engine [{db_name}, {a.processes} processes, {a.repeat} repeats]: engine/raw CPU per action "
            f"{e_ratio:.1f}x (aim <= 3), wall {e_wall.ratio(r_wall).median:.1f}x; stage move spiff/cocrea CPU "
            f"{s_ratio:.2f}x (aim >= 3)")
    if 1 in scaling and len(scaling) > 1:
        top = max(scaling)
        sc = Spread([x["tput"] for x in scaling[top]["engine"]]).ratio(Spread([x["tput"] for x in scaling[1]["engine"]]))
        line += f"; throughput {top}/1 writers {sc.median:.2f}x (aim >= 3 with 4)"
    print("\n" + line)


if __name__ == "__main__":
    main()
