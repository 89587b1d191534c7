"""What arrives in bulk: ``import_inputs``, consultation inputs from a CSV file (an online
form's export, a spreadsheet), validated and written in batches in one action.

Each row is held to the rules of ``record_input`` (its fields are that action's schema, its dates
the same time rules), with ``key`` required: it is the row's external id (the form's response
id), which makes the import idempotent. A row whose key is already recorded with the same
content is counted as present and not added again, so importing the same file twice adds
nothing; a key recorded with other content refuses the file. Any bad row refuses the whole
file, naming its row numbers (the header is row 1), and the database stays as it was.

One audit entry per import holds the file's SHA-256, its row count and the Merkle root
(RFC 6962, :mod:`workflow.merkle`) of the rows' digests; the digests are stored in the file's
order (``storage.imports``), so one row can be proved to be in the file later
(``reads.imports.prove``). A row's digest is the leaf hash of the canonical JSON of its stored
values: ``[key, channel, text, sector, received_on, contact_name, contact_email, theme]``.

Rows are read as they stream from the file and written with SQLAlchemy Core ``executemany``,
:data:`BATCH` at a time: memory does not grow with the file.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from itertools import islice
from typing import Annotated, Any, Iterable, Iterator, Optional

from pydantic import AfterValidator, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError
from sqlalchemy import insert, select
from typing_extensions import NotRequired, Required, TypedDict

from i18n import D_
from stages import TIME_RULES
from stages.errors import InvalidInput, Refused, in_row, not_found, reason
from storage import models as m
from storage.imports import CHUNK, BulkImport, BulkImportDigests

from .. import merkle
from .. import schemas as s
from ..engine import Context
from .consultation import is_late
from .lookup import next_key, today

#: Rows validated, checked and written at a time.
BATCH = 5000
#: Bad rows named one by one in a refusal; the rest are counted.
SHOWN = 20
#: The columns of an inputs file (``record_input``'s fields); ``key`` and ``channel`` (unless
#: the action names one for every row), ``text`` and ``received_on`` are required.
COLUMNS = tuple(s.RecordInput.model_fields)
REQUIRED = ("key", "text", "received_on")


def _readable(value: Any) -> Any:
    """A file opened for reading in binary (never a path: an action does not open files by name,
    so no request can make the server read one of its own)."""
    if value is not None and not callable(getattr(value, "readinto", None)):
        raise PydanticCustomError("not_a_file", "an open binary file is expected")
    return value


class ImportInputs(s.Schema):
    file: Annotated[Optional[Any], AfterValidator(_readable)] = Field(None, exclude=True, description=D_(
        "the CSV file, opened (UTF-8, first row: the column names, those of record_input; key required)"))
    rows: Optional[Any] = Field(None, exclude=True, description=D_(
        "instead of a file: the rows, as mappings of the same columns"))
    name: Optional[s.Short] = Field(None, description=D_("the file's name as recorded (default: the file's own)"))
    channel: Optional[s.Key] = Field(None, description=D_("channel of the rows that do not name one"))


def _row_type() -> TypeAdapter:
    """``list`` of rows with ``record_input``'s fields and constraints (one place for them), ``key``
    required: validated a batch at a time by pydantic-core."""
    fields: dict[str, Any] = {}
    for name, f in s.RecordInput.model_fields.items():
        t = Annotated[(f.annotation, *f.metadata)] if f.metadata else f.annotation
        fields[name] = Required[t] if name in REQUIRED else NotRequired[t]
    row = TypedDict("InputRow", fields)  # type: ignore[misc]
    row.__pydantic_config__ = ConfigDict(extra="forbid", str_strip_whitespace=True)  # type: ignore[attr-defined]
    return TypeAdapter(list[row])


ROWS = _row_type()


class _Digesting(io.RawIOBase):
    """A binary file that hashes what is read from it."""

    def __init__(self, f: Any):
        self.f, self.sha = f, hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        n = self.f.readinto(b)
        self.sha.update(memoryview(b)[:n])
        return n


class _Source:
    """The rows of the file (or of ``rows``) as ``(row number, {column: value})``, empty cells
    left out; ``sha256`` is the file's digest once every row has been read."""

    def __init__(self, d: ImportInputs):
        self.d = d
        self.sha = hashlib.sha256()
        self.name = d.name or os.path.basename(str(getattr(d.file, "name", "") or ""))

    @property
    def sha256(self) -> str:
        return self.sha.hexdigest()

    def rows(self) -> Iterator[tuple[int, dict]]:
        if self.d.file is not None:
            yield from self._csv(self.d.file)
        else:
            yield from self._given(self.d.rows or [])

    def _header(self, header: list[str]) -> list[str]:
        header = [h.strip().lower() for h in header]
        unknown = [h for h in header if h not in COLUMNS]
        if unknown:
            raise InvalidInput([reason("import_columns_unknown", columns=", ".join(unknown), known=", ".join(COLUMNS))])
        missing = [c for c in REQUIRED + (() if self.d.channel else ("channel",)) if c not in header]
        if missing:
            raise InvalidInput([reason("import_columns_missing", columns=", ".join(missing))])
        return header

    def _csv(self, raw: Any) -> Iterator[tuple[int, dict]]:
        digesting = _Digesting(raw)
        self.sha = digesting.sha
        with io.TextIOWrapper(io.BufferedReader(digesting, 1 << 20), encoding="utf-8-sig", newline="") as text:
            reader = csv.reader(text)
            try:
                header = next(reader, None)
                if header is None:
                    raise InvalidInput([reason("import_empty_file")])
                header = self._header(header)
                for n, cells in enumerate(reader, 2):
                    yield n, {h: v for h, v in zip(header, cells) if v != ""}
            except (UnicodeDecodeError, csv.Error) as exc:
                raise InvalidInput([reason("bad_file", problem=str(exc).splitlines()[0])]) from None

    def _given(self, rows: Iterable[Any]) -> Iterator[tuple[int, dict]]:
        header: list[str] | None = None
        for n, row in enumerate(rows, 2):
            if not isinstance(row, dict):
                raise InvalidInput([reason("bad_file_item", item=n - 1)])
            row = {k: v for k, v in row.items() if v is not None and v != ""}
            if header is None or not set(row) <= set(header):
                header = self._header(list(row))
            self.sha.update(json.dumps(row, ensure_ascii=False, sort_keys=True, default=str).encode() + b"\n")
            yield n, row


def _batches(it: Iterator, size: int) -> Iterator[list]:
    while batch := list(islice(it, size)):
        yield batch


def _validated(batch: list[tuple[int, dict]]) -> list[tuple[int, dict | None, list]]:
    """``(row number, validated row or None, reasons)`` for each row of the batch."""
    try:
        return [(n, row, []) for (n, _), row in zip(batch, ROWS.validate_python([r for _, r in batch]))]
    except ValidationError:
        pass
    out = []
    for n, r in batch:  # the slow path, only for a batch with a bad row: which rows, and why
        try:
            out.append((n, ROWS.validate_python([r])[0], []))
        except ValidationError as exc:
            errors = [{**e, "loc": e["loc"][1:]} for e in exc.errors()]
            out.append((n, None, s.validation_reasons(errors)))
    return out


def import_inputs(ctx: Context, d: ImportInputs):
    """Import consultation inputs from a CSV file (an online form's export, a spreadsheet), each row
    checked as record_input would; idempotent by the rows' keys (their external ids). Any bad row
    refuses the whole file, naming its rows. The audit entry holds the file's digest, its row
    count and the Merkle root of its rows' digests, which are kept to prove any row later."""
    if (d.file is None) == (d.rows is None):
        raise InvalidInput([reason("options_together", options="file | rows")])
    pid = ctx.process.id
    db = ctx.db
    channels = {c.key: c for c in db.execute(select(m.Channel).where(m.Channel.process_id == pid)).scalars()}
    if d.channel and d.channel not in channels:
        raise not_found("channel", d.channel)
    channel_key = {c.id: c.key for c in channels.values()}
    themes = dict(db.execute(select(m.Theme.key, m.Theme.id).where(m.Theme.process_id == pid)).all())
    theme_key = {v: k for k, v in themes.items()}
    day = today(ctx)
    future, window = TIME_RULES["fact_not_in_future"], TIME_RULES["input_inside_channel_window"]

    source = _Source(d)
    record = BulkImport(process_id=pid, key=next_key(ctx, BulkImport, "imp"), kind="inputs",
                        file_name=source.name, file_sha256="", rows=0, added=0, present=0, merkle_root="", at=ctx.now)
    db.add(record)
    db.flush()
    conn = db.connection()
    table, cols = m.Input.__table__, m.Input.__table__.c
    tree = merkle.Root()
    leaves = bytearray()
    chunk = 0
    bad: list = []
    bad_rows = rows = added = present = 0

    def flag(n: int, r) -> None:
        nonlocal bad_rows
        bad_rows += 1
        if len(bad) < SHOWN:
            bad.append(in_row(n, r))

    for batch in _batches(source.rows(), BATCH):
        new: dict[str, tuple[int, tuple, dict]] = {}  # key -> (row, canonical values, insert parameters)
        for n, row, problems in _validated(batch):
            rows += 1
            if problems:
                for r in problems[:1]:
                    flag(n, r)
                continue
            ch = channels.get(row.get("channel") or d.channel)
            if ch is None:
                flag(n, not_found("channel", row.get("channel")).reasons[0])
                continue
            received = row["received_on"]
            if not future.holds(date=received, today=day):
                flag(n, future.check(what="input", date=received, today=day))
                continue
            if not window.holds(received_on=received, opens_on=ch.opens_on, closes_on=ch.closes_on,
                                accepts_late=ch.accepts_late):
                flag(n, window.check(received_on=received, opens_on=ch.opens_on, closes_on=ch.closes_on,
                                     accepts_late=ch.accepts_late))
                continue
            theme = row.get("theme")
            if theme is not None and theme not in themes:
                flag(n, not_found("theme", theme).reasons[0])
                continue
            key, sector = row["key"], row.get("sector", "citizen")
            canon = (key, ch.key, row["text"], sector, received.isoformat(), row.get("contact_name"),
                     row.get("contact_email"), theme)
            leaf = merkle.leaf_hash(json.dumps(canon, ensure_ascii=False, separators=(",", ":")).encode())
            tree.add(leaf)
            leaves += leaf
            if key in new:
                if new[key][1] != canon:
                    flag(n, reason("import_key_conflict", key=key))
                else:
                    present += 1
                continue
            new[key] = (n, canon, {"process_id": pid, "key": key, "channel_id": ch.id, "text": row["text"],
                                   "sector": sector, "contact_name": canon[5], "contact_email": canon[6],
                                   "received_on": received, "late": is_late(ch, received),
                                   "theme_id": themes.get(theme) if theme else None, "import_id": record.id})
        if new:  # keys recorded before (or in an earlier batch): the same content, or a conflict
            for k, ch_id, text, sector, rec, name, email, theme_id in conn.execute(
                    select(cols.key, cols.channel_id, cols.text, cols.sector, cols.received_on, cols.contact_name,
                           cols.contact_email, cols.theme_id).where(cols.process_id == pid, cols.key.in_(list(new)))):
                n, canon, _ = new.pop(k)
                if canon != (k, channel_key.get(ch_id), text, sector, rec.isoformat(), name, email,
                             theme_key.get(theme_id)):
                    flag(n, reason("import_key_conflict", key=k))
                else:
                    present += 1
        if bad:
            continue  # a refused file: the rest is only read for its rows' problems
        if new:
            conn.execute(insert(table), [params for _, _, params in new.values()])
            added += len(new)
        while len(leaves) >= CHUNK * 32:
            conn.execute(insert(BulkImportDigests.__table__), [{"import_id": record.id, "chunk": chunk,
                                                                "digests": bytes(leaves[:CHUNK * 32])}])
            del leaves[:CHUNK * 32]
            chunk += 1
    if bad:
        bad.sort(key=lambda r: r.details["row"])
        more = [reason("more_bad_rows", count=bad_rows - len(bad))] if bad_rows > len(bad) else []
        invalid = any(r.code in ("invalid_field", "not_found") for r in bad)
        raise (InvalidInput if invalid else Refused)(bad + more)
    if leaves:
        conn.execute(insert(BulkImportDigests.__table__), [{"import_id": record.id, "chunk": chunk,
                                                            "digests": bytes(leaves)}])
    root = tree.digest().hex()
    record.file_sha256, record.rows, record.added, record.present, record.merkle_root = (
        source.sha256, rows, added, present, root)
    db.add(record)
    return {"import": record.key, "file_sha256": record.file_sha256, "rows": rows, "added": added,
            "present": present, "merkle_root": root}
