"""The page's latest news counts each day's reasoned responses: the former read (the newest 5,000
answer times read and formatted, a day beyond them counted short) against
``reads.public.response_days`` (two aggregate queries a day, the newest 5 days, exact), on a
SQLite file with N answered inputs (default 50,000), interleaved, 7 repeats; wall and CPU.

    PYTHONPATH=. python benchmarks/bench_news.py [N]
"""
import datetime as dt, os, statistics, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from sqlmodel import SQLModel, Session, select
from storage import make_engine, process_by_slug
from storage.models import Input
from stages.clock import FixedClock
from builders import process_at, complete_stage
from reads.public import response_days, Fmt

N = int(sys.argv[1]) if len(sys.argv) > 1 else 50000
path = os.path.join(tempfile.mkdtemp(), "news.db")
eng = make_engine(f"sqlite:///{path}")
SQLModel.metadata.create_all(eng)
clock = FixedClock(dt.datetime(2026, 1, 15, 16, 0, tzinfo=dt.timezone.utc))
p = process_at(eng, clock, "consultation"); complete_stage(p, "consultation")
T = Input.__table__
with eng.begin() as c:
    row = dict(c.execute(select(T).limit(1)).mappings().one())
    row.pop("id")
    base = dt.datetime(2026, 2, 19, 12, 0, tzinfo=dt.timezone.utc)
    rows = []
    for i in range(N):
        r = dict(row); r["key"] = f"b{i}"; r["answered_at"] = base + dt.timedelta(minutes=3 * i); rows.append(r)
    c.execute(T.insert(), rows)

def old():
    with Session(eng) as db:
        pr = process_by_slug(db, "p"); f = Fmt(pr.timezone)
        return [f.at(at) for at in db.exec(select(Input.answered_at).where(
            Input.process_id == pr.id, Input.hidden_reason.is_(None), Input.disposition.is_not(None),
            Input.answered_at.is_not(None)).order_by(Input.answered_at.desc()).limit(5000))]

def new():
    with Session(eng) as db:
        return response_days(db, process_by_slug(db, "p"))

res = {"old": [], "new": []}
for rep in range(7):
    for name, fn in ((("old", old), ("new", new)) if rep % 2 == 0 else (("new", new), ("old", old))):
        w, c0 = time.perf_counter(), time.process_time(); fn(); res[name].append((time.perf_counter() - w, time.process_time() - c0))
print("N", N, "load", os.getloadavg())
for name, xs in res.items():
    wall = sorted(x[0] * 1000 for x in xs); cpu = sorted(x[1] * 1000 for x in xs)
    print(f"{name}: wall ms min/med/max {wall[0]:.1f}/{statistics.median(wall):.1f}/{wall[-1]:.1f}  cpu ms {cpu[0]:.1f}/{statistics.median(cpu):.1f}/{cpu[-1]:.1f}")
print("days", [(d.day.isoformat(), d.count) for d in new()])
