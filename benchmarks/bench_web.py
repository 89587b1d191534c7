"""Public process page under load: 100 commitments, 50 concurrent clients on loopback.

Seeds a SQLite file with a process in monitoring (100 commitments, each with an accepted
activity, a result indicator and a progress report, all through the real actions), serves
it with uvicorn in a separate process on 127.0.0.1, and fires requests from 50 concurrent
httpx clients: first at ``/healthz`` (a trivial endpoint of the same app: the baseline),
then at the public page ``/p/<slug>`` with the page cache on (as served), then with the
cache off (every request reads the database and renders the template). Reports requests
per second and p50/p99 latency, and each as a ratio to the baseline of the same run.

Bounded: each phase stops after ``--requests`` requests or ``--seconds`` seconds.

    python benchmarks/bench_web.py [--requests 3000] [--seconds 30] [--clients 50]
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

from _common import free_port  # noqa: E402

SLUG = "bench"
SERVER = """
import sys
from storage.db import make_engine
from web import create_app
import uvicorn
app = create_app(make_engine(sys.argv[1]), secret_key="bench-secret")
app.state.cache.enabled = sys.argv[3] == "cache"
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", access_log=False)
"""


def seed(url: str, commitments: int) -> None:
    from builders import complete_stage, process_at
    from sqlmodel import SQLModel

    from storage.db import make_engine
    from stages.clock import FixedClock

    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    clock = FixedClock(dt.datetime(2026, 1, 15, 16, 0, tzinfo=dt.timezone.utc))
    p = process_at(engine, clock, "commitments", slug=SLUG)
    complete_stage(p, "commitments")  # c1, agreed
    for n in range(2, commitments + 1):
        p("draft_commitment", key=f"c{n}", title=f"Compromiso {n}: datos abiertos de la política pública {n}",
          problem="Información dispersa", cause="Sin estándar de publicación", objective="Publicar y usar datos",
          axes=["transparency", "participation"], ambition="proactive", outcome="Datos publicados y usados",
          end_date="2026-12-31", agencies=["igualdad"], action_lines=["Diagnóstico", "Publicación"])
    p.decide("approve_commitments")
    p.move()
    complete_stage(p, "routes")  # liaison, a1 for c1, accepted, indicator
    for n in range(2, commitments + 1):
        p("plan_activity", key=f"a{n}", commitment=f"c{n}", title=f"Publicar datos {n}", deliverable="Portal",
          agency="igualdad", start_date="2026-06-01", end_date="2026-11-30")
        p("accept_activity", actor="enlace", activity=f"a{n}")
        p("add_indicator", key=f"r{n}", commitment=f"c{n}", name="Uso de los datos", kind="result", target="+20 %")
    p.move()
    for n in range(1, commitments + 1):
        p("report_progress", actor="enlace", activity=f"a{n}", status="in_progress", percent=(n * 7) % 101,
          reported_on="2026-08-01", evidence_ref=f"https://example.net/evidencia-{n}.pdf")
    engine.dispose()


def start(url: str, cache: bool) -> tuple[subprocess.Popen, str]:
    import httpx

    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", SERVER, url, str(port), "cache" if cache else "nocache"], env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("server did not start")


async def load(url: str, requests: int, seconds: float, clients: int) -> dict:
    import httpx

    latencies: list[float] = []
    errors = 0
    remaining = requests
    stop_at = time.perf_counter() + seconds

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal remaining, errors
        while remaining > 0 and time.perf_counter() < stop_at:
            remaining -= 1
            t0 = time.perf_counter()
            r = await client.get(url)
            latencies.append(time.perf_counter() - t0)
            if r.status_code != 200:
                errors += 1

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        for _ in range(min(clients, 20)):  # warm up: connections open, first render done
            await client.get(url)
        t0 = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(clients)))
        elapsed = time.perf_counter() - t0
    latencies.sort()
    return {"requests": len(latencies), "errors": errors, "rps": len(latencies) / elapsed,
            "p50_ms": 1000 * statistics.median(latencies), "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=3000)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--commitments", type=int, default=100)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        t0 = time.perf_counter()
        seed(url, args.commitments)
        print(f"seeded {args.commitments} commitments in {time.perf_counter() - t0:.1f} s")
        rows = []
        for label, path, cache in (("trivial /healthz", "/healthz", True),
                                   ("public page (cached)", f"/p/{SLUG}", True),
                                   ("public page (no cache)", f"/p/{SLUG}", False)):
            proc, base = start(url, cache)
            try:
                probe = __import__("httpx").get(base + path)
                size = probe.num_bytes_downloaded  # on the wire (gzip when the client accepts it)
                result = asyncio.run(load(base + path, args.requests, args.seconds, args.clients))
            finally:
                proc.terminate()
                proc.wait(timeout=20)
            rows.append((label, size, result))
        base_rps, base_p99 = rows[0][2]["rps"], rows[0][2]["p99_ms"]
        print(f"{args.clients} concurrent clients on loopback, one uvicorn worker, SQLite (WAL)")
        print(f"{'endpoint':<24} {'wire B':>8} {'requests':>8} {'errors':>6} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
              f" {'req/s ratio':>11} {'p99 ratio':>9}")
        for label, size, r in rows:
            print(f"{label:<24} {size:>8} {r['requests']:>8} {r['errors']:>6} {r['rps']:>8.0f} {r['p50_ms']:>8.1f}"
                  f" {r['p99_ms']:>8.1f} {r['rps'] / base_rps:>11.3f} {r['p99_ms'] / base_p99:>9.1f}")


if __name__ == "__main__":
    main()
