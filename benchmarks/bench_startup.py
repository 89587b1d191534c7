"""Benchmark: how long the read commands take to start and answer, against a raw read of the same rows.

Each contender is a whole command in a fresh interpreter, as a user runs it (issue 9: ``--help``
and the read commands under 0.3 s). Wall (``perf_counter`` around the child) and the child's CPU
(user + system, from ``getrusage(RUSAGE_CHILDREN)``), interleaved (the order alternates each
repeat), ``--repeat`` times, min / median / max, and each command's ratio to the raw baseline of
the same repeat.

Databases: the demo's (``cocrea demo``: a closed process, 131 actions) and the same example
applied up to its consultation (an open stage: ``status`` evaluates its exit criteria and the
compliance gate, so the compliance checker is imported and the whole record read).

Baselines (same run):
  python   ``python -c pass``: the interpreter's own start, the floor of any command
  raw      ``python -c "import sqlite3; ..."``: the rows ``status`` reads (process by slug, its
           people, withdrawals and stage changes) with the standard library's driver, printed
  raw-all  the same for every row of the process's records (what ``status`` of an open stage reads)
  raw-log  the same for the audit entries (what ``history`` and ``audit verify`` read)
  raw psycopg / psycopg2 (with ``--db``): the status rows with each PostgreSQL driver (the quick
           reads take psycopg2 when it is installed)
  python: the engine's imports  ``python -c "import workflow.actions, reads.replay, ..."``: what a
           replay of the trail imports before it applies an entry, the floor of the ``full:`` commands

Commands: ``--help``; ``status`` (closed, open), ``history``, ``audit verify`` (one process, all),
``check`` (today, ``--as-of`` after the last fact), ``ruleset list``, ``reminders plan`` and
``status``, ``export inputs`` (plain rows to the import's CSV); and, marked ``full:``, those that
replay the audit trail through the actions (they import SQLAlchemy and the engine for the scratch
database; the live one is read through the quick reader): ``check --as-of`` a past moment and
``--timeline``, ``audit verify --deep`` (the same replay, compared with the live tables).

    PYTHONPATH=. python benchmarks/bench_startup.py [--repeat 7] [--quick] [--db postgresql://...] [--src DIR]
        [--against DIR] [--only SUBSTRINGS]

``--src DIR``: run the commands from another source tree (e.g. ``git archive main | tar -x -C DIR``),
to measure "before" with the same script. ``--against DIR``: run each command from both trees in
the same run, interleaved (before and after in the same minutes), the other's marked ``[DIR's name]``.

With ``--db postgresql://...`` the two databases are also made there (a schema of their own,
dropped at the end) and the commands are measured against them too (raw: the same reads with psycopg).
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
COCREA = [PY, "-m", "cli"]
SLUG = "jalisco-2025"

RAW_STATUS = """
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
p = c.execute("select * from process where slug = ?", ("jalisco-2025",)).fetchone()
n = 0
for t in ("person", "sectorwithdrawal", "stage_change"):
    n += len(c.execute(f"select * from {t} where process_id = ? order by id", (p[0],)).fetchall())
print(p[1], n)
"""
RAW_ALL = """
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
p = c.execute("select * from process where slug = ?", ("jalisco-2025",)).fetchone()
tables = [r[0] for r in c.execute("select name from sqlite_master where type = 'table'")]
n = 0
for t in tables:
    cols = [r[1] for r in c.execute(f"pragma table_info({t})")]
    if "process_id" in cols and "id" in cols:
        n += len(c.execute(f"select * from {t} where process_id = ? order by id", (p[0],)).fetchall())
print(p[1], n)
"""
RAW_LOG = """
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
p = c.execute("select * from process where slug = ?", ("jalisco-2025",)).fetchone()
rows = c.execute("select * from audit_entry where process_id = ? order by seq", (p[0],)).fetchall()
print(p[1], len(rows))
"""
#: What any replay of the trail imports before it applies one entry: the actions (the engine, over
#: SQLAlchemy and SQLModel), the tables, the replay and the compliance report and its renderings.
ENGINE_IMPORTS = "import workflow.actions, reads.replay, reads.deep, compliance.render, compliance.timeline"
PG_RAW = """
import psycopg, sys
c = psycopg.connect(sys.argv[1])
p = c.execute("select * from process where slug = %s", ("jalisco-2025",)).fetchone()
n = 0
for t in TABLES:
    n += len(c.execute(f"select * from {t} where process_id = %s order by id", (p[0],)).fetchall())
print(p[1], n)
"""

PG2_RAW = """
import psycopg2, sys
c = psycopg2.connect(sys.argv[1])
cur = c.cursor()
cur.execute("select * from process where slug = %s", ("jalisco-2025",))
p = cur.fetchone()
n = 0
for t in TABLES:
    cur.execute(f"select * from {t} where process_id = %s order by id", (p[0],))
    n += len(cur.fetchall())
print(p[1], n)
"""


def run(cmd: list[str], env: dict) -> tuple[float, float]:
    """Wall and CPU (user + system) of one child process, which must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=env["HOME"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)}: exit {done.returncode}\n{done.stderr.decode()[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def spread(values: list[float], scale: float = 1.0, digits: int = 3) -> str:
    return f"{min(values) * scale:.{digits}f} / {statistics.median(values) * scale:.{digits}f} / " \
           f"{max(values) * scale:.{digits}f}"


def make_databases(tmp: Path, env: dict, pg: str | None) -> dict[str, str]:
    """The demo's closed process, and the example up to its consultation: their URLs."""
    import yaml

    from cli.demo import EXAMPLE

    closed = tmp / "closed.db"
    subprocess.run([*COCREA, "demo", "--db-file", str(closed)], env=env, cwd=tmp, check=True, stdout=subprocess.DEVNULL)
    first = tmp / "first.yaml"
    first.write_text(yaml.safe_dump(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))[:47], allow_unicode=True),
                     encoding="utf-8")
    urls = {"closed": f"sqlite:///{closed}", "open": f"sqlite:///{tmp / 'open.db'}"}
    subprocess.run([*COCREA, "--db", urls["open"], "apply", str(first)], env=env, cwd=tmp, check=True,
                   stdout=subprocess.DEVNULL)
    if pg:
        for name in ("closed", "open"):
            url = f"{pg}?options=-csearch_path%3D{SCHEMA[name]}"
            subprocess.run([*COCREA, "--db", url, "apply", str(EXAMPLE if name == "closed" else first)], env=env,
                           cwd=tmp, check=True, stdout=subprocess.DEVNULL)
            urls[f"pg-{name}"] = url
    return urls


SCHEMA = {name: f"bench_startup_{name}_{uuid.uuid4().hex[:6]}" for name in ("closed", "open")}


def pg_schemas(pg: str, create: bool) -> None:
    import psycopg

    with psycopg.connect(pg, autocommit=True) as c:
        for schema in SCHEMA.values():
            c.execute(f'CREATE SCHEMA "{schema}"' if create else f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def contenders(urls: dict[str, str]) -> dict[str, list[str]]:
    closed, opened = (urls[k].removeprefix("sqlite:///") for k in ("closed", "open"))
    out = {
        "python -c pass": [PY, "-c", "pass"],
        "raw: status rows (closed)": [PY, "-c", RAW_STATUS, closed],
        "raw: all records (open)": [PY, "-c", RAW_ALL, opened],
        "raw: audit entries (closed)": [PY, "-c", RAW_LOG, closed],
        "python: the engine's imports": [PY, "-c", ENGINE_IMPORTS],
        "cocrea --help": [*COCREA, "--help"],
    }
    for db in [k for k in urls if k.endswith("closed")] + [k for k in urls if k.endswith("open")]:
        base = [*COCREA, "--db", urls[db]]
        out[f"status ({db})"] = [*base, "status", SLUG]
        if db.endswith("closed"):
            out[f"status --json ({db})"] = [*base, "status", SLUG, "--json"]
            out[f"history ({db})"] = [*base, "history", SLUG]
            out[f"audit verify ({db})"] = [*base, "audit", "verify", SLUG]
            out[f"check ({db})"] = [*base, "check", SLUG]
            out[f"ruleset list ({db})"] = [*base, "ruleset", "list", SLUG]
            out[f"audit verify, all ({db})"] = [*base, "audit", "verify"]
            out[f"check --as-of later ({db})"] = [*base, "check", SLUG, "--as-of", "2100-01-01"]
            out[f"reminders plan ({db})"] = [*base, "reminders", "plan", SLUG, "--at", "2025-03-10T10:00-06:00"]
            out[f"reminders status ({db})"] = [*base, "reminders", "status", SLUG]
            out[f"export inputs ({db})"] = [*base, "export", "inputs", SLUG, "inputs.csv"]
            # a past rebuilt by replaying the trail through the actions (the engine, into a scratch database)
            out[f"full: check --as-of past ({db})"] = [*base, "check", SLUG, "--as-of", "2025-03-01"]
            out[f"full: check --timeline ({db})"] = [*base, "check", SLUG, "--timeline"]
            out[f"full: audit verify --deep ({db})"] = [*base, "audit", "verify", SLUG, "--deep"]
        if db.startswith("pg-") and db.endswith("open"):
            tables = ["person", "sectorwithdrawal", "stage_change"]
            out[f"raw psycopg: status rows ({db})"] = [PY, "-c", f"TABLES = {tables!r}\n" + PG_RAW,
                                                       urls[db].replace("postgresql+psycopg", "postgresql")]
            if importlib.util.find_spec("psycopg2") is not None:  # the quick reads' driver when installed
                out[f"raw psycopg2: status rows ({db})"] = [PY, "-c", f"TABLES = {tables!r}\n" + PG2_RAW,
                                                            urls[db].replace("postgresql+psycopg", "postgresql")]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--quick", action="store_true", help="3 repeats")
    ap.add_argument("--db", default="sqlite", help="sqlite, or a postgresql:// URL to measure there too")
    ap.add_argument("--src", default=str(ROOT), help="the source tree whose cocrea is measured (default: this one)")
    ap.add_argument("--only", help="comma-separated substrings: measure only the contenders that contain one")
    ap.add_argument("--against", metavar="DIR", help="another source tree (e.g. main's): each cocrea command is "
                    "also run from it, marked [DIR's name], interleaved with the same run's")
    a = ap.parse_args()
    repeat = 3 if a.quick else a.repeat
    pg = a.db if a.db.startswith("postgresql") else None
    tmp = Path(tempfile.mkdtemp(prefix="bench_startup_"))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp), "COCREA_LANG": "es",
           "PYTHONPATH": a.src}
    if pg:
        pg_schemas(pg, create=True)
    try:
        urls = make_databases(tmp, env, pg)
        cmds = contenders(urls)
        if a.only:
            keep = a.only.split(",")
            cmds = {k: v for k, v in cmds.items() if k.startswith(("python", "raw")) or any(s in k for s in keep)}
        envs = {name: env for name in cmds}
        if a.against:  # the same commands from the other tree, in the same run
            other = {**env, "PYTHONPATH": a.against}
            tag = Path(a.against).name
            for name, cmd in list(cmds.items()):
                if not name.startswith("raw"):
                    cmds[f"{name} [{tag}]"], envs[f"{name} [{tag}]"] = cmd, other
        load = os.getloadavg()
        print(f"bench_startup: {a.src}{' against ' + a.against if a.against else ''}; python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
              f"{load[0]:.2f}/{load[1]:.2f}/{load[2]:.2f} at the start; {repeat} repeats, interleaved")
        for name, cmd in cmds.items():  # one warm-up each (file caches, .pyc), not counted
            run(cmd, envs[name])
        names = list(cmds)
        walls: dict[str, list[float]] = {n: [] for n in names}
        cpus: dict[str, list[float]] = {n: [] for n in names}
        for r in range(repeat):
            for name in (names if r % 2 == 0 else names[::-1]):
                w, c = run(cmds[name], envs[name])
                walls[name].append(w)
                cpus[name].append(c)
        load = os.getloadavg()
        raw = "raw: status rows (closed)"
        print(f"load average at the end {load[0]:.2f}/{load[1]:.2f}/{load[2]:.2f}")
        print(f"{'command':<58} {'wall s (min/med/max)':<24} {'CPU s (min/med/max)':<24} CPU / raw (median)")
        for name in names:
            ratio = statistics.median(c / b for c, b in zip(cpus[name], cpus[raw]))
            print(f"{name:<58} {spread(walls[name]):<24} {spread(cpus[name]):<24} {ratio:.2f}")
        under = [n for n in names if not n.startswith(("python", "raw"))
                 and statistics.median(walls[n]) < 0.3]
        over = [n for n in names if not n.startswith(("python", "raw")) and n not in under]
        print(f"SUMMARY startup: median wall under 0.3 s: {', '.join(under) or 'none'}; "
              f"not: {', '.join(over) or 'none'}; "
              f"raw status rows {statistics.median(walls[raw]):.3f} s wall, "
              f"python -c pass {statistics.median(walls['python -c pass']):.3f} s wall")
    finally:
        if pg:
            pg_schemas(pg, create=False)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
