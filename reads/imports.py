"""What the bulk imports leave behind, read back: the files written out in the format the imports
read (``cocrea export``), and the proof that one row belongs to an imported file.

:func:`export_activities` writes an agency's progress sheet: its activities with their current
progress, which its liaison fills and uploads (``import_progress``).

:func:`export_inputs` writes a process's consultation inputs as ``import_inputs`` reads them,
without the citizens' contact data (:data:`workflow.actions.bulk.PRIVATE`) and without the
inputs a coordinator hid; importing the file back adds nothing. Rows stream from the database
to the file (:meth:`storage.plain.Reader.stream`): memory does not grow with the inputs. It reads
plain rows (:mod:`storage.plain`), so the command line's quick reader writes the file without
importing SQLAlchemy or the import action (issue 9: ``cocrea export inputs`` under 0.3 s); the
file's columns are :data:`storage.sheets.EXPORTED_INPUTS`, checked against the action's.

:func:`prove` gives an imported input's digest (the leaf of its row), its place in the file, its
audit path (RFC 6962) and the Merkle root that the import's audit entry holds, so that anyone
holding the row can check it was in the file, with any RFC 6962 implementation.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from stages.errors import Refused, not_found, reason
from storage import sheets
from storage.plain import Reader, reading

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

#: The columns of an exported inputs file: ``import_inputs``' own, less the private ones.
INPUT_COLUMNS = sheets.EXPORTED_INPUTS
#: Rows fetched from the database at a time while a file is written.
STREAM = 5000


def export_inputs(db: Engine | Reader, slug: str, f: Any, fmt: str) -> int:
    """Write the process's inputs (not hidden, no contact data) to ``f`` as ``fmt`` (csv, xlsx);
    the number of rows written. ``db``: an engine, or the command line's quick reader (plain
    rows through the driver: neither SQLAlchemy nor the schemas are imported)."""
    written = 0
    keys: dict[str, dict[int, str]] = {"channel": {}, "theme": {}}

    def key(r: Reader, table: str, id_: int | None) -> str | None:  # the joins: a channel's, a theme's key
        if id_ is None:
            return None
        known = keys[table]
        if id_ not in known:
            known.update(r.rows(table, "id", [id_], columns=("id", "key")))
        return known.get(id_)

    def rows(r: Reader, process_id: int):
        nonlocal written
        for batch in r.stream("input", ("key", "channel_id", "text", "sector", "received_on", "theme_id",
                                        "hidden_reason"), {"process_id": [process_id], "kind": ["input"]},
                              size=STREAM):
            for k, channel_id, text, sector, received_on, theme_id, hidden in batch:
                channel = key(r, "channel", channel_id)
                if hidden is not None or channel is None:  # hidden by a coordinator; a comment (no channel)
                    continue
                written += 1
                yield k, channel, text, sector, received_on, key(r, "theme", theme_id)

    with reading(db) as r:
        process = r.process(slug)
        for table in keys:
            keys[table].update(r.rows(table, "process_id", [process.id], columns=("id", "key")))
        sheets.write(f, fmt, INPUT_COLUMNS, rows(r, process.id))
    return written


def __getattr__(name: str):
    """``PROGRESS_SHEET``, the columns of an agency's progress sheet: what identifies and describes
    each activity, then its current progress to be changed (``import_progress`` reads ``activity``
    and the progress columns). Given on first use: it is the import action's, whose module an
    export of inputs does not import."""
    if name != "PROGRESS_SHEET":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from workflow.actions import bulk

    return ("activity",) + bulk.PROGRESS_SHOWN + tuple(c for c in bulk.PROGRESS_COLUMNS if c != "activity")


#: The formats a sheet is written in (``storage.sheets``).
FORMATS = sheets.FORMATS
#: The largest progress sheet the workspace takes (an agency's sheet of hundreds of rows is tens of KB).
SHEET_MAX_BYTES = 1024 * 1024


def sheet_agencies(db_engine: Engine, slug: str, handle: str) -> list[dict[str, str]]:
    """The agencies whose progress sheet ``handle`` may download and upload: none unless it may
    import one (``import_progress``'s roles); a liaison, its own agency; a coordinator, every one."""
    from sqlalchemy import select
    from sqlmodel import Session

    from storage import models as m
    from storage import process_by_slug
    from workflow.actions import ACTIONS

    with Session(db_engine) as db:
        process = process_by_slug(db, slug)
        me = db.execute(select(m.Person).where(m.Person.process_id == process.id, m.Person.handle == handle,
                                               m.Person.active.is_(True))).scalar_one_or_none()
        if me is None or me.role not in ACTIONS["import_progress"].roles:
            return []
        query = select(m.Agency.key, m.Agency.name).where(m.Agency.process_id == process.id).order_by(m.Agency.name)
        if me.role == "liaison":
            query = query.where(m.Agency.id == me.agency_id)
        return [{"key": k, "name": n} for k, n in db.execute(query)]


def export_activities(db_engine: Engine, slug: str, agency: str, f: Any, fmt: str) -> int:
    """Write agency ``agency``'s activities, with their current progress, to ``f`` as ``fmt``: the
    sheet a liaison fills and uploads (``import_progress``); the number of activities written.
    ``reported_on``, ``evidence_ref`` and ``reason`` are left empty, to be filled."""
    from sqlalchemy import select
    from sqlmodel import Session

    from storage import models as m
    from storage import process_by_slug

    a, c, ag = m.Activity, m.Commitment, m.Agency
    with Session(db_engine) as db:
        process = process_by_slug(db, slug)
        found = db.execute(select(ag.id).where(ag.process_id == process.id, ag.key == agency)).scalar_one_or_none()
        if found is None:
            raise not_found("agency", agency)
        rows = db.execute(select(a.key, c.key, a.title, a.deliverable, a.start_date, a.end_date, a.status, a.percent)
                          .join(c, c.id == a.commitment_id).where(a.process_id == process.id, a.agency_id == found)
                          .order_by(c.key, a.key)).all()
    values = [{"activity": key, "commitment": commitment, "title": title, "deliverable": deliverable,
               "agency": agency, "start_date": start, "end_date": end, "status": status, "percent": percent}
              for key, commitment, title, deliverable, start, end, status, percent in rows]
    columns = __getattr__("PROGRESS_SHEET")
    sheets.write(f, fmt, columns, ([v.get(col, "") for col in columns] for v in values))
    return len(values)


def _leaves(db: Session, import_id: int) -> bytes:
    from sqlalchemy import select

    from storage.imports import BulkImportDigests

    return b"".join(db.execute(select(BulkImportDigests.digests).where(BulkImportDigests.import_id == import_id)
                               .order_by(BulkImportDigests.chunk)).scalars())


def prove(db_engine: Engine, slug: str, key: str, import_key: str | None = None) -> dict[str, Any]:
    """The proof that input ``key`` was a row of the file imported by ``import_key`` (default: the
    import that added it): its leaf, index (0-based, in the file's order), the tree's size, the
    audit path from the leaf up, and the root recorded in the import's audit entry; ``verified``
    says whether they agree (:func:`workflow.merkle.verify_inclusion`)."""
    from sqlalchemy import select
    from sqlmodel import Session

    from storage import models as m
    from storage import process_by_slug

    from storage.imports import BulkImport
    from workflow import merkle
    from workflow.actions import bulk

    with Session(db_engine) as db:
        process = process_by_slug(db, slug)
        row = db.execute(select(m.Input).where(m.Input.process_id == process.id, m.Input.key == key)).scalar_one_or_none()
        if row is None:
            raise not_found("input", key)
        where = (BulkImport.key == import_key) if import_key else (BulkImport.id == row.import_id)
        imp = db.execute(select(BulkImport).where(BulkImport.process_id == process.id, where)).scalar_one_or_none()
        if imp is None:
            if import_key:
                raise not_found("import", import_key)
            raise Refused([reason("input_not_imported", input=key)])
        channel = db.get(m.Channel, row.channel_id) if row.channel_id else None
        themes = dict(db.execute(select(m.Theme.id, m.Theme.key).where(m.Theme.process_id == process.id)).all())
        leaves = _leaves(db, imp.id)
        entry = _entry_of(db, process.id, imp.key)
    # the values it was imported with: as stored (the text as received, before its contact data
    # was masked), its theme as imported (an answer may have changed
    # it since: each theme of the process is tried, the current one first)
    base = (row.key, channel.key if channel else None, row.original_text or row.text, row.sector, row.received_on.isoformat(),
            row.contact_name, row.contact_email)
    candidates = [themes.get(row.theme_id)] + [t for t in [None, *themes.values()] if t != themes.get(row.theme_id)]
    for theme in candidates:
        leaf = merkle.leaf_hash(bulk.encode(base + (theme,)))
        index = _aligned(leaves, leaf)
        if index is not None:
            break
    else:
        raise Refused([reason("input_not_provable", input=key, file=imp.key)])
    size = len(leaves) // 32
    tree = [leaves[j:j + 32] for j in range(0, len(leaves), 32)]
    path = merkle.inclusion_path(tree, index)
    root = entry["result"]["merkle_root"]
    return {"input": key, "import": imp.key, "file_name": imp.file_name, "file_sha256": imp.file_sha256,
            "audit_seq": entry["seq"], "leaf": leaf.hex(), "index": index, "size": size,
            "path": [p.hex() for p in path], "merkle_root": root,
            "verified": merkle.verify_inclusion(leaf, index, size, path, bytes.fromhex(root))}


def _aligned(leaves: bytes, leaf: bytes) -> int | None:
    """The index of ``leaf`` among the 32-byte leaves, or None."""
    at = leaves.find(leaf)
    while at != -1 and at % 32:
        at = leaves.find(leaf, at + 1)
    return None if at == -1 else at // 32


def _entry_of(db: Session, process_id: int, import_key: str) -> dict[str, Any]:
    """The audit entry of the import (its body and place in the chain): the root as the trail holds it."""
    from sqlalchemy import select

    from storage import models as m

    for seq, body in db.execute(select(m.AuditEntry.seq, m.AuditEntry.body).where(
            m.AuditEntry.process_id == process_id, m.AuditEntry.action == "import_inputs")
            .order_by(m.AuditEntry.seq.desc())):
        data = json.loads(body)
        if (data.get("result") or {}).get("import") == import_key:
            return {**data, "seq": seq}
    raise not_found("import", import_key)
