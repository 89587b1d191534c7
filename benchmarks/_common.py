"""Fixtures and measuring helpers shared by the benchmarks (not product code, never in tests).

Product code is imported only through its stable entry points: ``workflow.actions``,
``stages.clock.FixedClock``, ``storage.make_engine``, ``storage.models`` (the table
classes), ``reads.status``, ``reads.checks``, ``reads.public`` and ``notifications``.

What is here:
- ``Database``: a fresh place for a benchmark's rows (a new SQLite file, or a schema of its
  own on PostgreSQL, dropped at the end), with the product's engine and a raw driver
  connection (``sqlite3`` / ``psycopg``) configured like the product's (WAL, synchronous=NORMAL,
  foreign keys, ``BEGIN IMMEDIATE`` on SQLite).
- ``measure`` / ``interleave`` / ``Spread``: wall (``perf_counter``) and client CPU
  (``process_time``) of a call; several contenders run in alternating order each repeat;
  min / median / max.
- ``build_plan``: a whole process written with SQLAlchemy Core bulk inserts (NOT through the
  actions), sized by commitments / activities / inputs; ``add_inputs`` grows its inputs.
- ``raw_read_records``: the driver-level read of every row a process owns that the rules read
  (what ``cocrea status`` / ``check`` / the public page load today), the baseline of the reads.
- ``compliant_script``: the full valid action sequence of ``tests/compliant_process.py``
  (imported, not copied), renamed to a slug of our own.

Why one module: the fixtures and measuring helpers every benchmark shares (databases, timing,
reports); benchmarks are run on demand, never imported by the product.
"""
from __future__ import annotations

import contextlib
import copy
import datetime as dt
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

ROOT = Path(__file__).resolve().parents[1]
for _p in (str(ROOT), str(ROOT / "tests")):
    if _p not in sys.path:
        sys.path.insert(0, _p)

from sqlalchemy import insert, select, text  # noqa: E402

from storage import make_engine  # noqa: E402
from storage import models as m  # noqa: E402

UTC = dt.timezone.utc
METADATA = m.Process.metadata
SECTORS = ["government", "guarantor", "civil_society", "academia", "business", "municipality"]
STAGES = ["declaration", "consultation", "sensitization", "planning", "causes", "commitments", "routes", "monitoring"]


# --- the machine ---------------------------------------------------------------------------


def conditions(db: "Database | None" = None) -> str:
    """One line: what the figures were taken on (load average included: others share the machine)."""
    import sqlalchemy

    load = os.getloadavg()
    where = db.describe() if db else ""
    return (f"python {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}, {os.cpu_count()} CPUs, "
            f"load average {load[0]:.2f}/{load[1]:.2f}/{load[2]:.2f} (1/5/15 min; other work shares the machine)"
            + (f"; {where}" if where else ""))


# --- databases -------------------------------------------------------------------------------


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


def _psycopg_url(url: str) -> str:
    """A libpq URL (psycopg's), from a SQLAlchemy one."""
    return "postgresql://" + url.split("://", 1)[1]


@dataclass
class Database:
    """A fresh database for one benchmark phase: ``url`` is ``sqlite`` or a postgresql:// URL."""

    url: str
    label: str = "bench"
    engine: Any = None
    path: Path | None = None
    schema: str | None = None
    _tmp: Any = None
    _raw: list = field(default_factory=list)
    _owner: bool = True

    def __post_init__(self) -> None:
        if self.engine == "attach":  # an existing database (another process made it): see attach()
            self.engine = make_engine(self.sqlalchemy_url)
            return
        if is_postgres(self.url):
            self.schema = f"bench_{self.label}_{uuid.uuid4().hex[:8]}"
            with contextlib.closing(self.raw_admin()) as c:
                c.execute(f'CREATE SCHEMA "{self.schema}"')
            sep = "&" if "?" in self.url else "?"
            self.engine = make_engine(f"{self.url}{sep}options=-csearch_path%3D{self.schema}")
        else:
            self._tmp = tempfile.TemporaryDirectory(prefix=f"bench_{self.label}_")
            self.path = Path(self._tmp.name) / "bench.db"
            self.engine = make_engine(f"sqlite:///{self.path}")
        METADATA.create_all(self.engine)

    def info(self) -> dict:
        """What another process needs to ``attach`` to this database."""
        return {"url": self.url, "path": str(self.path) if self.path else None, "schema": self.schema}

    @classmethod
    def attach(cls, url: str, path: str | None, schema: str | None) -> "Database":
        """This database, from another process (it is not created, and ``close`` drops nothing)."""
        return cls(url=url, label="attached", engine="attach", path=Path(path) if path else None, schema=schema,
                   _owner=False)

    @property
    def dialect(self) -> str:
        return "postgresql" if self.schema else "sqlite"

    @property
    def sqlalchemy_url(self) -> str:
        """A URL that ``storage.make_engine`` turns into an engine on this database (other processes)."""
        if self.schema:
            sep = "&" if "?" in self.url else "?"
            return f"{self.url}{sep}options=-csearch_path%3D{self.schema}"
        return f"sqlite:///{self.path}"

    @property
    def mark(self) -> str:
        """The driver's parameter placeholder."""
        return "%s" if self.schema else "?"

    def describe(self) -> str:
        if self.schema:
            with contextlib.closing(self.raw_admin()) as c:
                settings = {k: c.execute(f"SHOW {k}").fetchone()[0]
                            for k in ("server_version", "synchronous_commit", "fsync", "shared_buffers")}
            return (f"PostgreSQL {settings.pop('server_version').split()[0]} on "
                    f"{self.url.split('@')[-1].split('?')[0]} ({', '.join(f'{k}={v}' for k, v in settings.items())})")
        return f"SQLite {sqlite3.sqlite_version} file (WAL, synchronous=NORMAL, as the product's engine)"

    def raw_admin(self):
        import psycopg

        return psycopg.connect(_psycopg_url(self.url).split("?")[0], autocommit=True)

    def raw(self, autocommit: bool = False):
        """A driver connection set up like the product's: same pragmas, same schema."""
        if self.schema:
            import psycopg

            conn = psycopg.connect(_psycopg_url(self.url).split("?")[0], autocommit=autocommit,
                                   options=f"-c search_path={self.schema}")
        else:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
            for pragma in ("journal_mode=WAL", "busy_timeout=30000", "foreign_keys=ON", "synchronous=NORMAL"):
                conn.execute(f"PRAGMA {pragma}")
        self._raw.append(conn)
        return conn

    def begin(self, conn) -> None:
        """Open a write transaction on a raw connection (``BEGIN IMMEDIATE`` on SQLite, as the product)."""
        if self.schema:
            return  # psycopg opens one at the first statement (autocommit off)
        conn.execute("BEGIN IMMEDIATE")

    def commit(self, conn) -> None:
        if self.schema:
            conn.commit()
        else:
            conn.execute("COMMIT")

    def close(self) -> None:
        for conn in self._raw:
            with contextlib.suppress(Exception):
                conn.close()
        self._raw.clear()
        if self.engine is not None:
            self.engine.dispose()
        if self.schema and self._owner:
            with contextlib.closing(self.raw_admin()) as c:
                c.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')  # ours only
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> "Database":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def json_param(db: Database, value: Any) -> Any:
    """A value ready for the raw driver: JSON columns need wrapping with psycopg."""
    if db.schema and isinstance(value, (dict, list)):
        from psycopg.types.json import Json

        return Json(value)
    return value


def db_datetime(db: Database, when: dt.datetime) -> Any:
    """An aware datetime as the product's column type stores it (naive UTC; text on SQLite)."""
    naive = when.astimezone(UTC).replace(tzinfo=None)
    return naive if db.schema else naive.strftime("%Y-%m-%d %H:%M:%S.%f")


def db_date(db: Database, day: dt.date) -> Any:
    return day if db.schema else day.isoformat()


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Sample:
    wall: float
    cpu: float


def measure(fn: Callable[[], Any]) -> tuple[Sample, Any]:
    """Wall and this process's CPU of ``fn()``."""
    c0, t0 = time.process_time(), time.perf_counter()
    out = fn()
    return Sample(time.perf_counter() - t0, time.process_time() - c0), out


@dataclass
class Spread:
    values: list[float]

    @property
    def min(self) -> float:
        return min(self.values)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def max(self) -> float:
        return max(self.values)

    def fmt(self, scale: float = 1e3, unit: str = "ms", digits: int = 2) -> str:
        return (f"{self.min * scale:.{digits}f} / {self.median * scale:.{digits}f} / {self.max * scale:.{digits}f} "
                f"{unit}")

    def ratio(self, other: "Spread") -> "Spread":
        """Per-repeat ratios self/other (same repeat, so the same load), as a spread."""
        return Spread([a / b if b else float("inf") for a, b in zip(self.values, other.values)])


def fmt_ratio(r: Spread) -> str:
    return f"{r.min:.2f} / {r.median:.2f} / {r.max:.2f}"


def interleave(contenders: dict[str, Callable[[int], Any]], repeat: int) -> dict[str, list]:
    """Run each contender once per repeat, in alternating order (forward, then reversed ...),
    so that a change of load during the run hits all of them alike. ``contender(r)`` returns
    whatever it measured; the lists are in repeat order."""
    names = list(contenders)
    out: dict[str, list] = {n: [] for n in names}
    for r in range(repeat):
        for name in (names if r % 2 == 0 else names[::-1]):
            out[name].append(contenders[name](r))
    return out


def free_port() -> int:
    """A free TCP port on loopback, for a server a benchmark starts."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_of(pid: int) -> float:
    """User + system CPU seconds of a process on this machine (Linux /proc), 0 if gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _status_mib(field: str) -> float:
    line = next(x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith(field + ":"))
    return int(line.split()[1]) / 1024


def rss_mib() -> float:
    """This process's resident memory now (Linux /proc/self/status VmRSS)."""
    return _status_mib("VmRSS")


def peak_rss_mib() -> float:
    """This process's peak resident memory since the last ``reset_peak_rss`` (VmHWM). Not
    ``ru_maxrss``: on Linux it keeps the parent's peak across fork + exec, and cannot be reset."""
    return _status_mib("VmHWM")


def reset_peak_rss() -> None:
    """Start the peak over from the current RSS (Linux clear_refs, value 5). Imports leave a peak
    behind that is not the work's: argon2 hashes a dummy password at import (64 MiB)."""
    Path("/proc/self/clear_refs").write_text("5")


# --- the tables a process owns -----------------------------------------------------------------

#: Rows of a process that no rule reads: the audit trail, the reminder outbox, credentials.
#: Tables of a process that are not its records (``storage.load_records`` reads none of them): the trail,
#: the outbox, imports' provenance, applied keys, citizens' contacts, evidence files, sign-in bookkeeping.
NOT_RECORDS = {"audit_entry", "outbox", "account", "bulk_import", "bulk_import_digests", "applied_key",
               "citizen_contact", "evidence_file", "sign_in_device", "sign_in_session"}


def record_tables() -> list[tuple[str, str | None, str | None]]:
    """(table, parent table, foreign key column) for every table of a process's records: tables
    with a ``process_id`` column, and tables that hang off one of them by a foreign key
    (attendance -> session, vote -> decision, commitment_version -> commitment)."""
    owned = [t for t in METADATA.sorted_tables if "process_id" in t.c and t.name not in NOT_RECORDS]
    names = {t.name for t in owned}
    out: list[tuple[str, str | None, str | None]] = [(t.name, None, None) for t in owned]
    for t in METADATA.sorted_tables:
        if t.name in names or t.name in NOT_RECORDS or t.name == "process" or "process_id" in t.c:
            continue
        for col in t.c:
            parents = [fk.column.table.name for fk in col.foreign_keys]
            if parents and parents[0] in names:
                out.append((t.name, parents[0], col.name))
                break
    return out


def raw_read_records(db: Database, conn, process_id: int, *, inputs: str = "rows") -> int:
    """Driver-level read of the process row and every row of its records (no ORM objects);
    returns how many rows were read. ``inputs="count"`` reads the consultation inputs as two
    counts (all, answered) instead of as rows: what a read that shows totals needs;
    ``inputs="page"``: those counts, the count per theme and the first 50 inputs (the public page)."""
    mk = db.mark
    cur = conn.cursor()
    cur.execute(f"SELECT * FROM process WHERE id = {mk}", (process_id,))
    n = len(cur.fetchall())
    for table, parent, fk in record_tables():
        if table == "input" and inputs in ("count", "page"):
            cur.execute(f"SELECT count(*), count(answered_at) FROM input WHERE process_id = {mk}", (process_id,))
            n += len(cur.fetchall())
            if inputs == "page":  # what a page showing 50 inputs and the counts per theme reads
                cur.execute(f"SELECT theme_id, count(*) FROM input WHERE process_id = {mk} GROUP BY theme_id",
                            (process_id,))
                n += len(cur.fetchall())
                cur.execute(f"SELECT * FROM input WHERE process_id = {mk} ORDER BY id LIMIT 50", (process_id,))
        elif parent is None:
            cur.execute(f'SELECT * FROM "{table}" WHERE process_id = {mk} ORDER BY id', (process_id,))
        else:
            cur.execute(f'SELECT c.* FROM "{table}" c JOIN "{parent}" p ON c."{fk}" = p.id '
                        f'WHERE p.process_id = {mk} ORDER BY c.id', (process_id,))
        n += len(cur.fetchall())
    cur.close()
    if db.schema:
        conn.commit()  # end the read transaction
    return n


# --- a whole process, written with Core bulk inserts (not through the actions) --------------


def at(day: dt.date, hour: int = 17) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=UTC)


@dataclass
class Plan:
    process_id: int
    slug: str
    channel_ids: list[int]
    as_of: dt.datetime
    inputs: int = 0


def build_plan(engine, *, slug: str = "grande", stage: str = "closed", commitments: int = 500,
               activities: int = 10_000, inputs: int = 50_000, members: int = 24, agencies: int = 50,
               sessions: int = 60, evidence: int = 200, channels: int = 10) -> Plan:
    """A national plan written with SQLAlchemy Core bulk inserts (a benchmark fixture, not
    product code): applying ~100,000 actions one transaction at a time would take hours.
    It has a coordinator ``coord`` (with e-mail), members of every sector, agencies, sessions
    with attendance and minutes, an adopted decision approving the plan, the documents the
    rules ask for, consultation channels open 2026-02-16 .. 2026-03-16, answered inputs,
    commitments with versions and indicators, accepted activities with two progress reports
    each, and the public events. ``stage`` is where the process stands (moves recorded up to it)."""
    rnd = random.Random(7)
    start, close = dt.date(2026, 1, 15), dt.date(2027, 12, 20)
    with engine.begin() as c:
        pid = c.execute(insert(m.Process).returning(m.Process.id), [dict(
            slug=slug, name="Plan nacional grande", template="federal", stage=stage, starts_on=start,
            term_months=24, timezone="America/Mexico_City", spec_version="2026.1", ruleset="ogp-2022",
            quorum={"sectors": {"government": 1, "guarantor": 1, "civil_society": 1}, "min_members": 0},
            settings={"plan_history": {"first_plan": False, "previous_plan_ended_on": "2025-12-31"}},
            created_at=at(dt.date(2026, 1, 10)))]).scalar_one()
        def person(handle: str, name: str, role: str, email: str | None = None, sector: str | None = None,
                   agency_id: int | None = None) -> dict:
            return dict(process_id=pid, handle=handle, name=name, role=role, email=email, sector=sector,
                        agency_id=agency_id, joined_at=at(dt.date(2026, 1, 10)), active=True, lang="es")

        people = [person("coord", "Coordinación", "coordinator", email="coord@example.org")]
        people += [person(f"m{i}", f"Integrante {i}", "member", sector=SECTORS[i % len(SECTORS)]) for i in range(members)]
        c.execute(insert(m.Person), people)
        member_ids = list(c.execute(select(m.Person.id).where(m.Person.process_id == pid, m.Person.role == "member"))
                          .scalars())
        c.execute(insert(m.Agency), [dict(process_id=pid, key=f"ag{i}", name=f"Dependencia {i}") for i in range(agencies)])
        agency_ids = list(c.execute(select(m.Agency.id).where(m.Agency.process_id == pid).order_by(m.Agency.id))
                          .scalars())
        c.execute(insert(m.Person), [person(f"enlace{i}", f"Enlace {i}", "liaison", email=f"enlace{i}@example.org",
                                            agency_id=a) for i, a in enumerate(agency_ids)])
        upto = STAGES.index(stage) if stage in STAGES else len(STAGES) - 1
        days = [dt.date(2026, 1, 20), dt.date(2026, 3, 20), dt.date(2026, 4, 10), dt.date(2026, 4, 20),
                dt.date(2026, 5, 1), dt.date(2026, 6, 1), dt.date(2026, 7, 1)]
        moves = [dict(process_id=pid, event="create", from_stage=None, to_stage="declaration", at=at(dt.date(2026, 1, 10), 16))]
        moves += [dict(process_id=pid, event="advance", from_stage=a, to_stage=b, at=at(d, 18))
                  for a, b, d in list(zip(STAGES, STAGES[1:], days))[:upto]]
        if stage == "closed":
            moves.append(dict(process_id=pid, event="close", from_stage="monitoring", to_stage="closed", at=at(close, 18)))
        c.execute(insert(m.StageChange), moves)
        session_days = [dt.date(2026, 1, 10) + dt.timedelta(days=12 * k) for k in range(sessions)]
        if sessions:
            c.execute(insert(m.SecretariatSession), [dict(
                process_id=pid, key=f"S{k}", scheduled_for=at(d, 16), place="Sala", agenda=["Orden"],
                extraordinary=False, convened_at=at(d - dt.timedelta(days=7)),
                agenda_published_at=at(d - dt.timedelta(days=7)), closed_at=at(d, 19),
                minutes_ref=f"https://example.org/acta-{k}.pdf", minutes_published_at=at(d, 20))
                for k, d in enumerate(session_days)])
        session_ids = list(c.execute(select(m.SecretariatSession.id).where(m.SecretariatSession.process_id == pid)
                                     .order_by(m.SecretariatSession.id)).scalars())
        if session_ids:
            c.execute(insert(m.Attendance), [dict(session_id=s, person_id=p, arrived_at=at(session_days[k], 16),
                                                  left_at=at(session_days[k], 19))
                                             for k, s in enumerate(session_ids) for p in member_ids])
        decision_id = None
        if session_ids and commitments:
            decision_id = c.execute(insert(m.Decision).returning(m.Decision.id), [dict(
                process_id=pid, session_id=session_ids[min(10, len(session_ids) - 1)], key="D-approve",
                kind="approve_commitments", payload={}, rule="consensus", status="adopted", reason="",
                proposed_at=at(dt.date(2026, 5, 20)), decided_at=at(dt.date(2026, 5, 20), 18),
                tally={"rule": "consensus", "present": [p["handle"] for p in people if p["role"] == "member"],
                       "objections": []})]).scalar_one()
        kinds = ["website", "rules", "timeline", "outreach", "consultation_report", "plan"]
        published = {"website": dt.date(2026, 1, 12), "rules": dt.date(2026, 1, 12), "timeline": dt.date(2026, 1, 21),
                     "outreach": dt.date(2026, 1, 25), "consultation_report": dt.date(2026, 3, 20)}
        docs = [dict(process_id=pid, key=f"doc-{k}", kind=k, title=k, ref=f"https://example.org/{k}.pdf",
                     stage="declaration" if k in ("website", "rules") else "consultation", public=True,
                     published_at=at(published.get(k, dt.date(2026, 6, 5)))) for k in kinds]
        docs += [dict(process_id=pid, key=f"ev{i}", kind="evidence", title=f"Evidencia {i}",
                      ref=f"https://example.org/ev{i}.pdf", stage=STAGES[min(i * 8 // max(evidence, 1), 7)], public=True,
                      published_at=at(dt.date(2026, 1, 15) + dt.timedelta(days=3 * i))) for i in range(evidence)]
        c.execute(insert(m.Document), docs)
        c.execute(insert(m.Channel), [dict(process_id=pid, key=f"ch{i}", kind=["online", "assembly", "workshop"][i % 3],
                                           name=f"Canal {i}", online=i % 3 == 0, aimed_at_excluded=i == 1,
                                           open_to_all=True, announced_on=dt.date(2026, 1, 21),
                                           opens_on=dt.date(2026, 2, 16), closes_on=dt.date(2026, 3, 16))
                                      for i in range(channels)])
        channel_ids = list(c.execute(select(m.Channel.id).where(m.Channel.process_id == pid).order_by(m.Channel.id))
                           .scalars())
        if commitments:
            c.execute(insert(m.Commitment), [dict(
                process_id=pid, key=f"c{i}", title=f"Compromiso {i}", problem="Problema", cause="Causa",
                objective="Objetivo", axes=["transparency", "participation"], ambition="proactive", outcome="Resultado",
                end_date=dt.date(2027, 12, 1), agencies=[f"ag{i % agencies}"], action_lines=["Línea"], status="agreed",
                version=1, final_status="fulfilled" if stage == "closed" else None) for i in range(commitments)])
            commitment_ids = list(c.execute(select(m.Commitment.id).where(m.Commitment.process_id == pid)
                                            .order_by(m.Commitment.id)).scalars())
            c.execute(insert(m.CommitmentVersion), [dict(commitment_id=cid, version=1, fields={}, decision_id=decision_id,
                                                         recorded_at=at(dt.date(2026, 5, 20), 18))
                                                    for cid in commitment_ids])
            c.execute(insert(m.Indicator), [dict(process_id=pid, key=f"ind{i}-{k}", commitment_id=cid, name="Indicador",
                                                 kind=kind, baseline="2025", target="2027")
                                            for i, cid in enumerate(commitment_ids)
                                            for k, kind in enumerate(("result", "management"))])
            per = max(activities // commitments, 1)
            done = stage == "closed"
            c.execute(insert(m.Activity), [dict(
                process_id=pid, key=f"a{i}", commitment_id=commitment_ids[min(i // per, commitments - 1)],
                title=f"Actividad {i}", deliverable="Entregable", agency_id=agency_ids[i % agencies],
                start_date=dt.date(2026, 8, 1), end_date=dt.date(2027, 11, 30), accepted_at=at(dt.date(2026, 6, 10)),
                accepted_by="enlace", status="completed" if done else "in_progress", percent=100 if done else 50)
                for i in range(activities)])
            activity_ids = list(c.execute(select(m.Activity.id).where(m.Activity.process_id == pid)).scalars())
            reports = []
            for aid in activity_ids:
                reports.append(dict(process_id=pid, activity_id=aid, status="in_progress", percent=rnd.randint(10, 90),
                                    evidence_ref="https://example.org/av.pdf", reported_on=dt.date(2027, 1, 15),
                                    reported_by="enlace", recorded_at=at(dt.date(2027, 1, 15))))
                if done:
                    reports.append(dict(process_id=pid, activity_id=aid, status="completed", percent=100,
                                        evidence_ref="https://example.org/av2.pdf", reported_on=dt.date(2027, 6, 15),
                                        reported_by="enlace", recorded_at=at(dt.date(2027, 6, 15))))
            for i in range(0, len(reports), 20_000):
                c.execute(insert(m.ProgressReport), reports[i:i + 20_000])
        if stage in ("monitoring", "closed"):
            c.execute(insert(m.PublicEvent), [dict(process_id=pid, key=k, kind=k, held_on=d,
                                                   minutes_ref="https://example.org/m.pdf")
                                              for k, d in (("midterm", dt.date(2027, 1, 20)),
                                                           ("closing", dt.date(2027, 12, 10)))])
        c.execute(insert(m.Declaration), [dict(process_id=pid, signed_on=dt.date(2026, 1, 12),
                                               document_ref="https://example.org/d.pdf",
                                               signatories=[{"name": "E", "role": "E", "sector": "government"},
                                                            {"name": "G", "role": "G", "sector": "guarantor"}])])
    as_of = at(dt.date(2028, 1, 5)) if stage == "closed" else at(dt.date(2027, 6, 30))
    plan = Plan(pid, slug, channel_ids, as_of)
    add_inputs(engine, plan, inputs)
    return plan


def input_row(process_id: int, channel_ids: list[int], i: int, answered: bool = True) -> dict:
    return dict(process_id=process_id, key=f"i{i}", channel_id=channel_ids[i % len(channel_ids)],
                text=f"Aportación {i}: publicar los datos del programa social en formato abierto",
                sector=SECTORS[i % len(SECTORS)], contact_name="Persona participante",
                contact_email=f"p{i}@correo.example", received_on=dt.date(2026, 2, 16) + dt.timedelta(days=i % 28),
                disposition="adopted" if answered else None, rationale="Se integra" if answered else None,
                answered_at=at(dt.date(2026, 3, 17)) if answered else None)


def add_inputs(engine, plan: Plan, upto: int, answered: bool = True, chunk: int = 20_000) -> None:
    """Grow the process's fixture inputs (keys ``i<n>``) to ``upto`` with Core bulk inserts."""
    table = m.Input.__table__
    for lo in range(plan.inputs, upto, chunk):
        hi = min(lo + chunk, upto)
        with engine.begin() as c:
            c.execute(insert(table), [input_row(plan.process_id, plan.channel_ids, i, answered) for i in range(lo, hi)])
    plan.inputs = max(plan.inputs, upto)


def count_rows(engine, tables: Iterable[str]) -> dict[str, int]:
    with engine.connect() as c:
        return {t: c.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables}


# --- the full valid action sequence ----------------------------------------------------------


def compliant_script(slug: str) -> list[dict]:
    """The actions of ``tests/compliant_process.py`` (a national plan declaration -> closed that
    meets every requirement), for a process named ``slug``; and the clock they are applied with."""
    import compliant_process as cp

    steps = copy.deepcopy(cp.script())
    for item in steps:
        if "process" in item:
            item["process"] = slug
        if item["action"] == "create_process":
            item["slug"] = slug
    return steps


def compliant_clock():
    import compliant_process as cp

    from stages.clock import FixedClock

    return FixedClock(cp.REPORT_AT)


# --- PostgreSQL server CPU -------------------------------------------------------------------


def track_backends(engine) -> list[int]:
    """The PostgreSQL backend pids of ``engine``'s connections, as they are opened (the server
    runs on this machine, so their CPU can be read from /proc)."""
    from sqlalchemy import event

    pids: list[int] = []
    if engine.dialect.name == "postgresql":
        engine.dispose()  # connections opened before this listener would go unseen
        @event.listens_for(engine, "connect")
        def _pid(dbapi_conn, _record):
            pids.append(dbapi_conn.info.backend_pid)
    return pids


def server_cpu(pids: Iterable[int]) -> float:
    return sum(cpu_of(p) for p in set(pids))
