"""Several people acting on one process at once: every write lands, one after the other, each at
its own time, or is refused for a reason of the domain, never for the clock."""
from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import yaml
from alembic import command
from builders import Proc
from sqlmodel import Session, select

import migrations
from reads import status as queries
from stages.clock import SystemClock
from stages.errors import CocreaError
from storage.models import Agency, AuditEntry
from workflow import actions


def test_two_hundred_parallel_writes_on_one_process_all_land_in_order(db, clock):
    p = Proc(db, clock)  # built in the past (the fixture's clock); the writes come now, from the system clock

    def add(n: int) -> str:
        try:
            actions.apply(db, "add_agency", {"key": f"dep{n}", "name": f"Dependencia {n}"}, actor="coord",
                          process=p.slug, clock=SystemClock())
            return "ok"
        except CocreaError as exc:
            return ",".join(exc.codes)

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(add, range(200)))
    assert outcomes == ["ok"] * 200
    with Session(db) as s:
        assert len(s.exec(select(Agency)).all()) == 200
        times = [e.at for e in s.exec(select(AuditEntry).order_by(AuditEntry.seq))]
    assert times == sorted(times)  # the trail's times never go back
    assert queries.verify_audit(db, p.slug) == {p.slug: len(times)}


def test_two_apply_files_on_one_process_at_once_both_finish(sqlite_db, clock, tmp_path):
    p = Proc(sqlite_db, clock)
    command.stamp(migrations.config(sqlite_db), "head")  # built with create_all: the schema is current
    url = sqlite_db.url.render_as_string(hide_password=False)
    files = []
    for who in ("a", "b"):
        items = [{"action": "add_agency", "actor": "coord", "process": p.slug, "key": f"{who}{n}",
                  "name": f"Dependencia {who}{n}"} for n in range(25)]
        path = tmp_path / f"{who}.yaml"
        path.write_text(yaml.safe_dump(items), encoding="utf-8")
        files.append(path)
    runs = [subprocess.Popen([sys.executable, "-m", "cli", "--db", url, "apply", str(f)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for f in files]
    outputs = [r.communicate(timeout=120) for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outputs
    with Session(sqlite_db) as s:
        assert len(s.exec(select(Agency)).all()) == 50



def test_a_pooled_connection_the_server_dropped_while_idle_is_replaced_before_use(clock):
    """The server dropped the pool's connection (a restart) while it sat idle, a moment ago: the
    next action sees the server's notice on the socket, pings it (``storage.db.PING_AFTER_IDLE``)
    and runs on a fresh connection, without an error."""
    import psycopg
    from conftest import PG_URL, _truncate, pg_or_skip
    from sqlalchemy import text

    engine = pg_or_skip()
    _truncate(engine)
    p = Proc(engine, clock)
    engine.dispose()  # the pool holds one connection from here: the one dropped below
    with engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with psycopg.connect(PG_URL, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", (pid,))
        while other.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()[0]:
            pass  # until the backend has gone (its notice then on the pooled connection's socket)
    actions.apply(engine, "add_agency", {"key": "after-restart", "name": "Dependencia"}, actor="coord",
                  process=p.slug, clock=SystemClock())
    with Session(engine) as s:
        assert s.exec(select(Agency).where(Agency.key == "after-restart")).one()
