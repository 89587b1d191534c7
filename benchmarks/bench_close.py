"""Benchmark: what the close of a process costs to check, against its stage's criteria alone.

Since issue 10 a close agrees with the compliance report (a process acting contrary to process is
closed only by a decision saying so: ``compliance.gates.close_reasons``), so ``blockers(close)``
runs the whole report, as the compliance gate already did for every stage move. Measured on the
tests' compliant national plan (``tests/compliant_process.py``), applied up to its closing
decision; CPU time per check, min / median / max over ``--repeat`` runs, the two interleaved:
  criteria  the monitoring stage's exit criteria over the tables they read
  close     ``workflow.engine.blockers(records, "close")`` over the tables it reads

    PYTHONPATH=. .venv/bin/python benchmarks/bench_close.py [--repeat 30]
"""
from __future__ import annotations

import argparse
import copy
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from compliant_process import REPORT_AT, P, script  # noqa: E402
from sqlmodel import Session, SQLModel  # noqa: E402

import storage.models  # noqa: E402,F401  (registers every table)
from stages import BY_NAME  # noqa: E402
from stages.clock import FixedClock  # noqa: E402
from storage import load_records, process_by_slug  # noqa: E402
from storage.db import make_engine  # noqa: E402
from workflow import actions, engine  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    db = make_engine(f"sqlite:///{tempfile.mkdtemp()}/bench.db")
    SQLModel.metadata.create_all(db)
    actions.apply_many(db, [x for x in copy.deepcopy(script()) if x.get("decision") != "S10-D1"],
                       clock=FixedClock(REPORT_AT))

    def once(close: bool) -> float:
        start = time.process_time()
        with Session(db) as s:
            p = process_by_slug(s, P)
            if close:
                engine.blockers(load_records(s, p, engine.reads_for(p, "close"), now=REPORT_AT), "close", now=REPORT_AT)
            else:
                BY_NAME["monitoring"].unmet(load_records(s, p, BY_NAME["monitoring"].reads, now=REPORT_AT))
        return (time.process_time() - start) * 1000

    times: dict[str, list[float]] = {"criteria": [], "close": []}
    for _ in range(args.repeat):
        times["criteria"].append(once(False))
        times["close"].append(once(True))
    for label, xs in times.items():
        print(f"{label}: min {min(xs):.2f} ms, median {statistics.median(xs):.2f} ms, max {max(xs):.2f} ms CPU")


if __name__ == "__main__":
    main()
