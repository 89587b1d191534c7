"""Searching the inputs of a big process (``?q=`` on the page and the API): what it costs to
match only the published (masked) text, against the raw SQL search it replaced.

The process is written with Core bulk inserts (``_common.build_plan``, ``add_inputs``): every
input's text holds the search's common word, some hold an email or a phone (which masked, must not
be found). For each query, ``reads.lists.page`` (count, page of 50) is timed in ``--repeat``
blocks interleaved with a raw driver search doing what the page did before: one ``COUNT`` of the
rows whose stored text matches and one ``SELECT ... LIMIT 50`` (which a search for a planted email
answers wrongly: it finds it). Printed: min / median / max and the ratio within each repeat.

    PYTHONPATH=. python benchmarks/bench_search.py [--inputs 100000] [--repeat 5] [--db sqlite|postgresql://...]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import text, update  # noqa: E402

from _common import Database, Spread, add_inputs, build_plan, conditions, fmt_ratio, interleave, measure  # noqa: E402

from reads import lists  # noqa: E402
from storage import models as m  # noqa: E402

QUERIES = {"common word (every input)": "publicar", "one input": "aportación 4242:",
           "a planted email": "juana.perez@correo.mx", "a mark (every input read)": "oculto"}
RAW = ("SELECT count(*) FROM input WHERE process_id = :p AND hidden_reason IS NULL AND "
       "(lower(key) LIKE :q OR lower(text) LIKE :q OR lower(rationale) LIKE :q)",
       "SELECT key, text, rationale FROM input WHERE process_id = :p AND hidden_reason IS NULL AND "
       "(lower(key) LIKE :q OR lower(text) LIKE :q OR lower(rationale) LIKE :q) ORDER BY id LIMIT 50")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--inputs", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--db", default="sqlite")
    args = ap.parse_args()
    db = Database(args.db, label="search")
    plan = build_plan(db.engine, slug="grande", commitments=10, activities=100, inputs=1000)
    add_inputs(db.engine, plan, args.inputs)
    with db.engine.begin() as c:  # one input in a hundred holds an email and a phone
        for n in range(0, args.inputs, 100):
            c.execute(update(m.Input).where(m.Input.process_id == plan.process_id, m.Input.key == f"i{n}")
                      .values(text=f"Escriban a juana.perez@correo.mx o al 33 3615 1234 (aportación {n})"))
    print(conditions(db))
    print(f"{args.inputs} inputs, {args.inputs // 100} with an email and a phone typed in; page of 50; "
          f"{args.repeat} repeats\n")
    for label, q in QUERIES.items():
        def ours(_r, q=q):
            sample, out = measure(lambda: lists.page(db.engine, "grande", "inputs", q=q))
            return sample.wall, out["total"]

        def raw(_r, q=q):
            def run():
                with db.engine.connect() as c:
                    needle = f"%{q.lower()}%"
                    total = c.execute(text(RAW[0]), {"p": plan.process_id, "q": needle}).scalar()
                    c.execute(text(RAW[1]), {"p": plan.process_id, "q": needle}).all()
                    return total
            sample, total = measure(run)
            return sample.wall, total
        runs = interleave({"ours": ours, "raw": raw}, args.repeat)
        mine, base = Spread([w for w, _ in runs["ours"]]), Spread([w for w, _ in runs["raw"]])
        print(f"{label} (q={q!r}): found {runs['ours'][0][1]} (raw SQL: {runs['raw'][0][1]})")
        print(f"  lists.page {mine.fmt()}   raw {base.fmt()}   ratio {fmt_ratio(mine.ratio(base))}")
    db.close()


if __name__ == "__main__":
    main()
