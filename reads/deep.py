"""The deep check: the live rows of a process against its audit trail replayed.

The hash chain proves the trail was not altered, but not that the tables still say what the
trail says: an ``UPDATE process SET stage = 'closed'`` or a ``DELETE FROM vote`` made around
the engine leaves the chain intact. :func:`differences` replays the whole trail through the
actions into a fresh in-memory database (:class:`reads.replay.Replay`) and compares every table
of the process with the live one, row by row and column by column.

Rows are matched by what names them, not by their ids (which differ in a fresh database): the
process by its slug, a row with a key by its key (a person by its handle), a vote by its
decision and person, rows without a name by their order of creation among those of the same
parent (``attendance S1/gob #2``). A reference to another row is compared as that row's name.

Not compared, and why (:data:`NOT_COMPARED`, :data:`COLUMNS_NOT_COMPARED`): the trail itself
(``audit_entry``, verified link by link) and the head kept on the process row (checked against
the chain by :func:`workflow.audit.verify`); credentials (``account``: the trail never holds a
secret); the bookkeeping of signing in and the outbox (not facts of the process); and the
columns of personal data (``storage.models.PRIVATE_FIELDS``: redacted in the trail). Two kinds of
columns are the replay's own and are checked against the trail itself instead: a session's head at
its close (:func:`closing_heads`), an import's file digest and Merkle root (:func:`import_results`:
the file is not in the trail).
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Iterable

from sqlalchemy import Table
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from stages.errors import reason
from storage.models import PRIVATE_FIELDS
from storage.plain import Reader, reading

from .replay import Replay

#: Tables not rebuilt from the trail.
NOT_COMPARED = frozenset({"audit_entry", "account", "sign_in_session", "sign_in_device", "sign_in_limit", "outbox",
                          # bookkeeping the trail does not hold: the keys of applied items, the rows'
                          # digests of an import (its root is in the entry), citizens' contact data
                          # (redacted), evidence files (their hash is in the report that cites them)
                          "applied_key", "bulk_import_digests", "citizen_contact", "evidence_file"})
#: Columns not rebuilt from the trail: the chain's head on the process row, and personal data.
COLUMNS_NOT_COMPARED: dict[str, frozenset[str]] = {
    "process": frozenset({"audit_seq", "audit_head", "audit_at", "counters"}),
    # the head at a session's close is the replay's own (its entries redact personal data differently):
    # checked against the live trail instead (:func:`closing_heads`)
    "secretariat_session": frozenset({"closed_seq", "closed_head"}),
    # an import's file is not in the trail: the replay imports the rows it added, without the contact
    # data its leaves hold, so its digest and root are the replay's own: checked against the entry's
    # result instead (:func:`import_results`)
    "bulk_import": frozenset({"file_sha256", "merkle_root"}),
}
for _model, _columns in PRIVATE_FIELDS.items():
    _name = _model.__tablename__
    COLUMNS_NOT_COMPARED[_name] = COLUMNS_NOT_COMPARED.get(_name, frozenset()) | frozenset(_columns)
#: What names a row of a table without a key of its own (then numbered in order of creation).
NAMED_BY: dict[str, tuple[str, ...]] = {
    "attendance": ("session_id", "person_id"),
    "commitment_version": ("commitment_id", "version"),
    "progress_report": ("activity_id",),
    "commitment_assessment": ("commitment_id",),
    "sectorwithdrawal": ("sector",),
}
#: How many differences are listed per process (the rest are counted).
LIMIT = 200


def _identity(table: Table) -> tuple[tuple[str, ...], bool]:
    """(the columns naming a row, whether they name it alone: a unique key)."""
    for constraint in table.constraints:
        columns = [c.name for c in getattr(constraint, "columns", [])]
        if constraint.__class__.__name__ == "UniqueConstraint" and columns:
            return tuple(c for c in columns if c != "process_id"), True
    return NAMED_BY.get(table.name, ()), False


def _owned(table: Table) -> tuple[str, Table] | None:
    """How a table's rows belong to a process: (``process_id``, None) or (a column, the parent table)."""
    if "process_id" in table.c:
        return "process_id", None
    for column in table.c:
        for fk in column.foreign_keys:
            parent = fk.column.table
            if "process_id" in parent.c and not column.nullable:
                return column.name, parent
    return None


def _display(value: Any) -> str:
    if value is None:
        return "∅"
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    text = repr(value) if not isinstance(value, str) else f"«{value}»"
    return text if len(text) <= 80 else text[:79] + "…"


def snapshot(db_engine: Engine | Reader, slug: str) -> dict[str, dict[str, dict[str, Any]]]:
    """Every compared row of one process: ``{table: {name: {column: value}}}``, references as names.
    Read as plain rows (:class:`storage.plain.Reader`: the values SQLAlchemy gives, without its
    per-row work)."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    names: dict[str, dict[Any, str]] = {}
    with reading(db_engine) as db:
        pid = db.process(slug).id
        for table in SQLModel.metadata.sorted_tables:
            if table.name in NOT_COMPARED:
                continue
            columns = [c.name for c in table.c]
            if table.name == "process":
                found = db.select(table.name, columns, {"id": [pid]})
            else:
                owner = _owned(table)
                if owner is None:
                    continue
                column, parent = owner
                ids = [pid] if parent is None else [r.id for r in db.rows(parent.name, "process_id", [pid],
                                                                          columns=("id",))]
                found = db.select(table.name, columns, {column: ids})
            identity, unique = ([("slug",), True] if table.name == "process" else _identity(table))
            skip = COLUMNS_NOT_COMPARED.get(table.name, frozenset()) | {"id", "process_id"}
            refs = {c.name: next(iter(c.foreign_keys)).column.table.name for c in table.c if c.foreign_keys}
            rows: dict[str, dict[str, Any]] = {}
            seen: dict[tuple, int] = {}
            names[table.name] = {}
            for row in found:
                values = {}
                for name, value in zip(columns, row):
                    if name in refs and value is not None and name != "process_id":
                        value = names.get(refs[name], {}).get(value, f"?{value}")  # another process's row
                    values[name] = value
                parts = tuple(str(values[c]) for c in identity)
                seen[parts] = seen.get(parts, 0) + 1
                label = "/".join(parts) if unique else " ".join(("/".join(parts), f"#{seen[parts]}")).strip()
                names[table.name][row.id] = label
                rows[label] = {k: v for k, v in values.items() if k not in skip}
            out[table.name] = rows
    return out


def compare(slug: str, live: dict, trail: dict) -> list:
    """Every difference between two snapshots, as reasons naming the process, table, row and column."""
    found = []
    for table in live.keys() | trail.keys():
        have, want = live.get(table, {}), trail.get(table, {})
        for label in want:
            if label not in have:
                found.append(reason("deep_row_missing", process=slug, table=table, key=label))
        for label, row in have.items():
            if label not in want:
                found.append(reason("deep_row_extra", process=slug, table=table, key=label))
                continue
            for column, value in row.items():
                expected = want[label].get(column)
                if value != expected:
                    found.append(reason("deep_value_differs", process=slug, table=table, key=label, column=column,
                                        live=_display(value), trail=_display(expected)))
    order = {t.name: i for i, t in enumerate(SQLModel.metadata.sorted_tables)}
    found.sort(key=lambda r: (order.get(r.details["table"], 0), r.details["key"], r.details.get("column", "")))
    return found


def closing_heads(db_engine: Engine | Reader, slug: str) -> list:
    """Each session's head at its close against the trail: the entry its ``close_session`` links to."""
    found = []
    with reading(db_engine) as db:
        pid = db.process(slug).id
        closes = {e.session_key: (e.seq - 1, e.prev_hash) for e in db.select(
            "audit_entry", ("session_key", "seq", "prev_hash"), {"process_id": [pid], "action": ["close_session"]},
            order_by="seq")}
        for s in db.rows("secretariat_session", "process_id", [pid], columns=("key", "closed_seq", "closed_head")):
            want = closes.get(s.key, (None, None))
            for column, have, expected in (("closed_seq", s.closed_seq, want[0]), ("closed_head", s.closed_head, want[1])):
                if have != expected:
                    found.append(reason("deep_value_differs", process=slug, table="secretariat_session", key=s.key,
                                        column=column, live=_display(have), trail=_display(expected)))
    return found


def import_results(db_engine: Engine | Reader, slug: str) -> list:
    """Each import's file digest and Merkle root against the result its ``import_inputs`` entry holds."""
    found = []
    with reading(db_engine) as db:
        pid = db.process(slug).id
        results = {}
        for (body,) in db.select("audit_entry", ("body",), {"process_id": [pid], "action": ["import_inputs"]},
                                 order_by="seq"):
            result = json.loads(body).get("result")
            if isinstance(result, dict) and result.get("import"):
                results[result["import"]] = result
        for row in db.rows("bulk_import", "process_id", [pid], columns=("key", "file_sha256", "merkle_root")):
            want = results.get(row.key, {})
            for column in ("file_sha256", "merkle_root"):
                if getattr(row, column) != want.get(column):
                    found.append(reason("deep_value_differs", process=slug, table="bulk_import", key=row.key,
                                        column=column, live=_display(getattr(row, column)),
                                        trail=_display(want.get(column))))
    return found


def differences(db_engine: Engine | Reader, slug: str) -> tuple[list, int]:
    """(every row of ``slug`` that differs from its trail replayed, the rows compared).

    The chain is verified first (:class:`Replay` raises :class:`AuditBroken` when it is not)."""
    replay = Replay(db_engine, slug)
    try:
        replay.until(dt.datetime.max.replace(tzinfo=dt.timezone.utc))
        trail = snapshot(replay.engine, slug)
    finally:
        replay.close()
    with reading(db_engine) as db:  # one read of the live rows
        live = snapshot(db, slug)
        found = compare(slug, live, trail) + closing_heads(db, slug) + import_results(db, slug)
    if len(found) > LIMIT:
        found = found[:LIMIT] + [reason("deep_more_differences", process=slug, count=len(found) - LIMIT)]
    return found, sum(len(rows) for rows in live.values())


def check(db_engine: Engine | Reader, slugs: Iterable[str]) -> tuple[list, dict[str, int]]:
    """:func:`differences` of several processes: (every difference, rows compared per process)."""
    problems, rows = [], {}
    for slug in slugs:
        found, n = differences(db_engine, slug)
        problems += found
        rows[slug] = n
    return problems, rows
