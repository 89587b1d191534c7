"""Reads: where a process stands, what blocks its next move, its history. No writes.

:func:`status` and :func:`history` read through :func:`storage.plain.reading`: from an engine
(the web app) or from a :class:`storage.plain.Reader` (the command line, which then imports
neither SQLAlchemy nor the engine); the answer is the same (``tests/test_plain_reads.py``).
What blocks a move is :func:`workflow.moves.blockers`, imported only when there is a move.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable
from zoneinfo import ZoneInfo

from stages import BY_NAME, CLOSED, STAGE_NAMES, SUSPENDED
from stages.clock import Clock, SystemClock
from stages.errors import AuditBroken, InvalidInput, NotFound, not_found, reason
from storage.columns import COLUMNS
from storage.plain import Reader, reading

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def next_event(stage: str) -> str | None:
    if stage == STAGE_NAMES[-1]:
        return "close"
    if stage in STAGE_NAMES:
        return "advance"
    if stage == SUSPENDED:
        return "resume"
    return None


def status(db_engine: Engine | Reader, slug: str, lang: str = "es", clock: Clock | None = None) -> dict[str, Any]:
    """Where the process stands now (``clock``: the system's by default) and what blocks its next move."""
    with reading(db_engine) as db:
        p = db.process(slug)
        event = next_event(p.stage)
        needed: tuple[str, ...] | None = ()
        if event:  # a move to weigh: the stage machine (and, for its gate, the checker) is imported only then
            from workflow import moves

            needed = moves.reads_for(p, event)
        r = db.records(p, None if needed is None else {*needed, "people", "withdrawals", "stage_changes"},
                       now=(clock or SystemClock()).now())
        unmet = moves.blockers(r, event) if event else []
        withdrawn = sorted(r.withdrawn_sectors())
        seated: dict[str, int] = {}
        for mbr in r.members:
            seated[mbr.sector] = seated.get(mbr.sector, 0) + 1
        stage = BY_NAME.get(p.stage)
        return {
            "process": p.slug, "name": p.name, "template": p.template, "stage": p.stage,
            "stage_title": stage.title.render(lang) if stage else p.stage,
            "stage_number": STAGE_NAMES.index(p.stage) + 1 if p.stage in STAGE_NAMES else None,
            "suspended_from": p.suspended_from, "closed": p.stage == CLOSED,
            "starts_on": p.starts_on.isoformat(), "term_ends_on": r.term_end.isoformat(),
            "timezone": p.timezone, "spec_version": p.spec_version, "ruleset": p.ruleset,
            "quorum": p.quorum, "seated": seated, "withdrawn_sectors": withdrawn,
            "next_move": event, "ready": event is not None and not unmet,
            "unmet": [u.as_dict(lang) for u in unmet],
            "moves": [{"event": c.event, "from": c.from_stage, "to": c.to_stage, "at": _local(c.at, p.timezone),
                       "reason": c.reason} for c in r.stage_changes],
        }


def _local(when, tz: str) -> str:
    return when.astimezone(ZoneInfo(tz)).isoformat(timespec="seconds")


def history(db_engine: Engine | Reader, slug: str) -> list[dict[str, Any]]:
    import json

    with reading(db_engine) as db:
        p = db.process(slug)
        out = []
        for e in db.rows("audit_entry", "process_id", [p.id], order_by="seq",
                         columns=[c for c, _ in COLUMNS["audit_entry"]]):
            body = json.loads(e.body)
            out.append({"seq": e.seq, "at": _local(e.at, p.timezone),
                        "recorded_at": _local(e.recorded_at or e.at, p.timezone), "actor": e.actor, "action": e.action,
                        "session": e.session_key, "reason": e.reason, "payload": body["payload"],
                        "result": body["result"], "hash": e.hash})
        return out


def verify_audit(db_engine: Engine, slug: str | None = None) -> dict[str, int]:
    """Entries checked per process; raises :class:`AuditBroken` with every problem found."""
    return {name: found["entries"] for name, found in verify_record(db_engine, slug).items()}


def verify_record(db_engine: Engine | Reader, slug: str | None = None, expect: Iterable[str] = (),
                  deep: bool = False) -> dict[str, dict[str, Any]]:
    """Verify the chain of one process (or of every one); per process, the entries checked and
    the head to publish (``seq``, ``head``, ``at`` in UTC).

    ``expect``: heads published earlier. Each must be an entry of a chain checked (of ``slug``'s
    when one is given): a chain whose newest entries were rewritten with recomputed hashes, or
    removed, no longer holds the head published before. Each found is listed under its process's
    ``expected``, with the entries recorded after it.

    ``deep``: also replay each trail into a fresh database and compare every table with the live
    one (:mod:`reads.deep`): a row changed, deleted or added around the actions is named (table,
    row, column); each process gets ``deep_rows``, the rows compared.

    Raises :class:`AuditBroken` with every problem found, each naming its process.

    Through a :class:`storage.plain.Reader` (the command line), the chains and ``deep`` (the
    replay reads the trail through it); a process that is not found (its trail may be there without it),
    or a trail left without its process, raises :class:`NotFound` for the caller to ask again
    with its engine, which names it."""
    wanted = [_audit_hash(h) for h in expect]
    if isinstance(db_engine, Reader):
        checked = _verify_quick(db_engine, slug, wanted)  # raises AuditBroken: then no replay, as below
        if deep:
            _deep(db_engine, checked)
        return checked
    from sqlmodel import Session, select

    from storage import process_by_slug
    from storage.models import AuditEntry, Process
    from workflow import audit

    with Session(db_engine) as db:
        try:
            processes = [process_by_slug(db, slug)] if slug else list(db.exec(select(Process).order_by(Process.id)))
        except NotFound:  # no such process; but if its trail is still there, its row was deleted
            gone = [r for r in audit.orphans(db, db.exec(select(Process.id)).all()) if r.details["process"] == slug]
            if gone:
                raise AuditBroken(gone) from None
            raise
        checked, problems = {}, []
        for p in processes:
            problems += audit.verify(db, p)
            checked[p.slug] = _head(p, len(db.exec(select(AuditEntry.id).where(AuditEntry.process_id == p.id)).all()))
        by_id = {p.id: p for p in processes}
        if not slug:  # every process: and no trail left behind by a process deleted around the actions
            problems += audit.orphans(db, by_id)
        problems += _expected(wanted, slug, checked, by_id, lambda h: db.exec(
            select(AuditEntry.process_id, AuditEntry.seq)
            .where(AuditEntry.hash == h, AuditEntry.process_id.in_(list(by_id)))).first())
    if problems:
        raise AuditBroken(problems)
    if deep:
        _deep(db_engine, checked)
    return checked


def _deep(db: Engine | Reader, checked: dict[str, dict[str, Any]]) -> None:
    """The deep check of the processes whose chains are intact (:mod:`reads.deep`): ``deep_rows``
    added to each, or :class:`AuditBroken` naming every difference."""
    from . import deep as deep_check

    found, rows = deep_check.check(db, list(checked))
    if found:
        raise AuditBroken(found)
    for name, n in rows.items():
        checked[name]["deep_rows"] = n


def _verify_quick(db: Reader, slug: str | None, wanted: list[str]) -> dict[str, dict[str, Any]]:
    """:func:`verify_record` of one process (or of every one), read through a quick
    :class:`storage.plain.Reader`. A trail whose process is not there (one named, or entries of a
    process deleted around the actions) raises :class:`NotFound`: the full way names it."""
    from workflow.audit import chain_problems

    columns = [c for c, _ in COLUMNS["audit_entry"]]
    if slug:
        processes = [db.process(slug)]
        entries = db.rows("audit_entry", "process_id", [processes[0].id], order_by="seq", columns=columns)
    else:
        processes = db.every("process", [c for c, _ in COLUMNS["process"]])
        entries = db.every("audit_entry", columns, order_by="process_id, seq")
    by_id = {p.id: p for p in processes}
    chains: dict[int, list] = {p.id: [] for p in processes}
    for e in entries:
        if e.process_id not in chains:
            raise not_found("process", f"#{e.process_id}")
        chains[e.process_id].append(e)
    checked, problems = {}, []
    for p in processes:
        problems += chain_problems(chains[p.id], p)
        checked[p.slug] = _head(p, len(chains[p.id]))
    problems += _expected(wanted, slug, checked, by_id,
                          lambda h: next(((e.process_id, e.seq) for e in entries if e.hash == h), None))
    if problems:
        raise AuditBroken(problems)
    return checked


def _head(p, entries: int) -> dict[str, Any]:
    """A process's chain as checked: its entries and the head to publish."""
    return {"entries": entries, "seq": p.audit_seq, "head": p.audit_head,
            "at": p.audit_at.isoformat() if p.audit_at else None, "expected": []}


def _expected(wanted: list[str], slug: str | None, checked: dict, by_id: dict, find) -> list:
    """Each head published earlier, found (``find(hash)``: its process id and seq, or None) in the
    chains checked and listed under its process; the problems of those not found."""
    problems = []
    for h in dict.fromkeys(wanted):
        found = find(h)
        if found is None:
            problems.append(reason("audit_expected_missing", process=slug, hash=h) if slug else
                            reason("audit_expected_nowhere", hash=h, processes=", ".join(checked) or "-"))
            continue
        p = by_id[found[0]]
        checked[p.slug]["expected"].append({"hash": h, "seq": found[1], "after": p.audit_seq - found[1]})
    return problems


def _audit_hash(value: str) -> str:
    h = value.strip().lower()
    if len(h) != 64 or any(c not in "0123456789abcdef" for c in h):
        raise InvalidInput([reason("bad_audit_hash", value=value[:80])])
    return h


def processes(db_engine: Engine) -> list[dict[str, str]]:
    from sqlmodel import Session, select

    from storage.models import Process

    with Session(db_engine) as db:
        return [{"process": p.slug, "name": p.name, "stage": p.stage}
                for p in db.exec(select(Process).order_by(Process.id))]
