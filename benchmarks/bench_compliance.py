"""Benchmark: checking a large process against its rule set, against a raw read of its rows.

A national plan with 500 commitments, 10,000 activities and 50,000 consultation inputs
(plus progress reports, sessions, attendance, documents ...), closed. The rows are written
with SQLAlchemy Core bulk inserts (``benchmarks/_common.build_plan``), NOT through the
actions: applying ~100,000 actions one transaction at a time would take hours, and the check
only reads.

Measured in the same run, same database, interleaved, ``--repeat`` times (min / median / max):
  raw    a driver-level read (sqlite3 / psycopg cursors, no ORM objects) of the process row
         and every row of its records: the rows the check reads
  check  what ``cocrea check --format json`` does: ``reads.checks.report`` (read + every
         rule + IRM assessment) + ``as_dict`` + ``json.dumps``
Printed: check / raw per repeat (aim <= 3, issue 9: reads within 3x a raw read of the rows).

    PYTHONPATH=. python benchmarks/bench_compliance.py [--db sqlite|postgresql://...] [--repeat 5]
        [--commitments 500] [--activities 10000] [--inputs 50000] [--quick]
"""
from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (Database, Spread, build_plan, conditions, count_rows, fmt_ratio, interleave,  # noqa: E402
                     measure, peak_rss_mib, raw_read_records, reset_peak_rss, rss_mib)

from reads import checks  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default="sqlite", help="sqlite (a temporary file) or a postgresql:// URL")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--commitments", type=int, default=500)
    ap.add_argument("--activities", type=int, default=10_000)
    ap.add_argument("--inputs", type=int, default=50_000)
    ap.add_argument("--quick", action="store_true", help="50 commitments, 1,000 activities, 5,000 inputs, 3 repeats")
    a = ap.parse_args()
    if a.quick:
        a.commitments, a.activities, a.inputs, a.repeat = 50, 1_000, 5_000, 3
    db_name = "PostgreSQL" if a.db.startswith("postgresql") else "SQLite"
    with Database(a.db, "compliance") as db:
        t0 = time.perf_counter()
        plan = build_plan(db.engine, commitments=a.commitments, activities=a.activities, inputs=a.inputs)
        built = time.perf_counter() - t0
        rows = count_rows(db.engine, ("commitment", "activity", "input", "progress_report", "attendance", "document"))
        print(f"bench_compliance: {conditions(db)}")
        print(f"rows written with Core bulk inserts, not through actions ({built:.1f} s): {rows}")
        conn = db.raw()
        seen: dict = {}
        rss0 = rss_mib()
        reset_peak_rss()

        def raw(_r):
            gc.collect()
            sample, n = measure(lambda: raw_read_records(db, conn, plan.process_id))
            seen["rows"] = n
            return sample

        def check(_r):
            gc.collect()

            def run():
                report = checks.report(db.engine, plan.slug, as_of=plan.as_of)
                return report, json.dumps(report.as_dict("en"), ensure_ascii=False, indent=2)
            sample, (report, out) = measure(run)
            seen["report"], seen["json"] = report, out
            return sample

        res = interleave({"raw": raw, "check": check}, a.repeat)
    r_wall, c_wall = Spread([x.wall for x in res["raw"]]), Spread([x.wall for x in res["check"]])
    r_cpu, c_cpu = Spread([x.cpu for x in res["raw"]]), Spread([x.cpu for x in res["check"]])
    print(f"summary of the report: {seen['report'].summary_line('en')}")
    print(f"json report: {len(seen['json']) / 1024:.0f} KiB")
    print(f"min / median / max over {a.repeat} repeats, interleaved:")
    print(f"  raw read of {seen['rows']:,} rows (driver, no ORM)  wall {r_wall.fmt()}  CPU {r_cpu.fmt()}")
    print(f"  check (report + as_dict + json)        wall {c_wall.fmt()}  CPU {c_cpu.fmt()}")
    ratio = c_wall.ratio(r_wall)
    print(f"  ratio check / raw: wall {fmt_ratio(ratio)}  CPU {fmt_ratio(c_cpu.ratio(r_cpu))}   (aim <= 3)")
    print(f"  peak resident memory of this process while measuring: {peak_rss_mib():.0f} MiB "
          f"({rss0:.0f} MiB before; raw and check runs included)")
    print(f"\nSUMMARY bench_compliance [{db_name}, {a.commitments} commitments / {a.activities:,} activities / "
          f"{a.inputs:,} inputs]: check {c_wall.median:.2f} s = {ratio.median:.1f}x a raw read of the same "
          f"{seen['rows']:,} rows (aim <= 3)")


if __name__ == "__main__":
    main()
