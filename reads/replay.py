"""A process as it was at a past moment, rebuilt from its audit trail.

Rows are changed in place by later actions (channels and drafts are corrected, decisions
taken, inputs answered, the quorum and settings changed), so no table's own timestamps can
say what was true at a past date. The audit trail can: every applied action is there, in
order, with its time, actor and validated payload. :func:`replay` verifies the chain, then
applies the process's entries up to the moment, through the same actions, into a fresh
in-memory SQLite database, planning no reminders (``engine.run(plan=False)``: no replay reads
its outbox). Personal data is redacted in the trail; it is dropped from the
replayed payloads, which compliance never reads. Credentials are not replayed
(:data:`NOT_REPLAYED`). :mod:`reads.deep` compares a whole replay with the live tables.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Iterator

from sqlalchemy.engine import Engine
from sqlalchemy.schema import CreateIndex, CreateTable
from sqlmodel import SQLModel

from stages import Records
from stages.clock import FixedClock
from stages.errors import AuditBroken, CocreaError, NotFound, reason
from storage import make_engine
from storage.plain import Reader, reading
from workflow import actions, audit, engine


#: Actions not replayed: they write only what the trail cannot rebuild (credentials: their
#: secrets are never in it) and what no replay reads.
NOT_REPLAYED = frozenset({"set_credentials"})


def _drop_redacted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_redacted(v) for k, v in value.items() if v != audit.REDACTED}
    if isinstance(value, list):
        return [_drop_redacted(v) for v in value]
    return value


def _entries(db_engine: Engine | Reader, slug: str) -> tuple[str, list]:
    """The process's audit entries in order (plain rows), once its chain is verified
    (:func:`workflow.audit.chain_problems`, what :func:`workflow.audit.verify` runs)."""
    with reading(db_engine) as db:
        p = db.process(slug)
        entries = db.rows("audit_entry", "process_id", [p.id], order_by="seq")
        problems = audit.chain_problems(entries, p)
        if problems:
            raise AuditBroken(problems)
        return p.slug, entries


def _imported_rows(source: Engine | Reader, process_id: int, key: str | None) -> Iterator[dict]:
    """The inputs an import added, as rows of an inputs file (without the private contact data,
    which the trail does not keep either), read as they are replayed (plain rows, a batch at a time)."""
    with reading(source) as db:
        imp = db.select("bulk_import", ("id",), {"process_id": [process_id], "key": [key]})
        if not imp:
            return
        channels = {r.id: r.key for r in db.rows("channel", "process_id", [process_id], columns=("id", "key"))}
        themes = {r.id: r.key for r in db.rows("theme", "process_id", [process_id], columns=("id", "key"))}
        for batch in db.stream("input", ("key", "channel_id", "text", "sector", "received_on", "theme_id"),
                               {"import_id": [imp[0].id]}):
            for r in batch:
                yield {"key": r.key, "channel": channels[r.channel_id], "text": r.text, "sector": r.sector,
                       "received_on": r.received_on, "theme": themes.get(r.theme_id)}


def _create_tables(engine: Engine) -> None:
    """The tables of ``SQLModel.metadata`` in a fresh in-memory database: their DDL compiled for its
    dialect and run as one script on the driver's connection. What ``create_all`` writes, without
    its per-table existence checks (the database is new) and per-statement execution (a third of the
    replay's set-up)."""
    dialect, script = engine.dialect, []
    for table in SQLModel.metadata.sorted_tables:
        script.append(str(CreateTable(table).compile(dialect=dialect)))
        script += [str(CreateIndex(index).compile(dialect=dialect)) for index in table.indexes]
    with engine.connect() as conn:
        conn.connection.driver_connection.executescript(";\n".join(script))


class Replay:
    """An in-memory copy of one process that can be moved forward in time. The trail (and an
    import's rows) is read from ``db_engine``: an engine, or a quick :class:`~storage.plain.Reader`
    (the command line's: no second connection, no SQLAlchemy engine over the live database)."""

    def __init__(self, db_engine: Engine | Reader, slug: str):
        self.slug, self._entries = _entries(db_engine, slug)
        self._source = db_engine
        self._next = 0
        self._read: tuple[int, Records | None] | None = None  # the records last read, and at which entry
        self.engine = make_engine("sqlite://")
        _create_tables(self.engine)

    def until(self, moment: dt.datetime) -> "Replay":
        """Apply every entry at or before ``moment`` not applied yet."""
        while self._next < len(self._entries) and self._entries[self._next].at <= moment:
            e = self._entries[self._next]
            if e.action in NOT_REPLAYED:
                self._next += 1
                continue
            body = json.loads(e.body)
            payload = _drop_redacted(body["payload"])
            action = actions.ACTIONS.get(e.action)
            if action is not None and not action.replayed:  # contact data only: nothing compliance reads
                self._next += 1
                continue
            generated = (body.get("result") or {}).get(action.result_key) if action and action.result_key else None
            if isinstance(generated, str) and "key" not in payload:
                payload["key"] = generated  # the key the action generated then, given back
            if e.action == "import_inputs":  # the file is not in the trail: its rows are the inputs it added
                payload["rows"] = _imported_rows(self._source, e.process_id, (body.get("result") or {}).get("import"))
            if e.action == "import_progress":  # the sheet is not in the trail: its changes are
                payload["rows"] = [{"activity": c["activity"], **c["after"]}
                                   for c in (body.get("result") or {}).get("changes", [])]
            try:
                # the past is replayed at its own time; no reminders planned: no replay reads its outbox
                target = None if e.action == "create_process" else self.slug
                if action is None:  # refused as unknown, as any apply
                    actions.apply(self.engine, e.action, payload, actor=e.actor, process=target, clock=FixedClock(e.at))
                engine.run(self.engine, action, dict(payload), actor=e.actor, process=target, clock=FixedClock(e.at),
                           plan=False)
            except CocreaError as exc:
                raise CocreaError([reason("replay_failed", at=moment.isoformat(), seq=e.seq, action=e.action,
                                          problem="; ".join(exc.messages("es")))]) from exc
            self._next += 1
        return self

    def records(self) -> Records | None:
        """The replayed process's records now, as plain rows (:class:`storage.plain.Reader`, what
        ``check`` of today judges); None: it was not created yet. No entry applied since the last
        read: the same object (a month without facts in a timeline is not read again)."""
        if self._read is not None and self._read[0] == self._next:
            return self._read[1]
        with reading(self.engine) as db:
            try:
                found = db.records(db.process(self.slug))
            except NotFound:
                found = None
        self._read = (self._next, found)
        return found

    def close(self) -> None:
        self.engine.dispose()


def records_as_of(db_engine: Engine | Reader, slug: str, moment: dt.datetime) -> Records | None:
    """The process's records as they were at ``moment`` (None: it did not exist yet)."""
    r = Replay(db_engine, slug)
    try:
        return r.until(moment).records()
    finally:
        r.close()


def walk(db_engine: Engine | Reader, slug: str, moments: list[dt.datetime]) -> Iterator[tuple[dt.datetime, Records | None]]:
    """The records at each of ``moments`` (in order), replaying the trail once."""
    r = Replay(db_engine, slug)
    try:
        for moment in sorted(moments):
            yield moment, r.until(moment).records()
    finally:
        r.close()
