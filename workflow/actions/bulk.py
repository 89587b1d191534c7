"""What arrives in bulk, each file in one action: ``import_inputs``, consultation inputs from a
CSV or XLSX file (an online form's export, a spreadsheet), validated and written in batches; and
``import_progress``, an agency's progress sheet, each row held to ``report_progress``'s rules
(:func:`workflow.actions.monitoring.progress_checked`). Both have a dry run (``ctx.dry_run``):
every problem by row and what would be written, in a transaction the engine rolls back.

Each row is held to the rules of ``record_input`` (its fields are that action's schema, its dates
the same time rules), with ``key`` required: it is the row's external id (the form's response
id), which makes the import idempotent. A row whose key is already recorded with the same
content is counted as present and not added again, so importing the same file twice adds
nothing; a key recorded with other content refuses the file. Any bad row refuses the whole
file, naming its row numbers (the header is row 1), and the database stays as it was.

A row's text is stored as ``record_input`` stores it (one place: :func:`.consultation.published`):
emails and phone numbers typed into it masked in ``text`` (what is published and exported), the
text as received kept privately in ``Input.original_text`` when it held any. A recorded row is
the same content when the file's text is the one received (its original, or its text when it held
no contact data) or the one published (a file written by ``cocrea export inputs`` reads back as
present); any other text is a conflict, even one differing only in a masked email or phone.

One audit entry per import holds the file's SHA-256, its row count and the Merkle root
(RFC 6962, :mod:`workflow.merkle`) of the rows' digests; the digests are stored in the file's
order (``storage.imports``), so one row can be proved to be in the file later
(``reads.imports.prove``). A row's digest is the leaf hash of its values as received
``key, channel, text, sector, received_on, contact_name, contact_email, theme`` joined by the
unit separator U+001F, an absent value empty (:func:`encode`): the text is the file's, before
any masking (its stored original), so that whoever holds the file's row computes its leaf.

Rows are read as they stream from the file (``storage.sheets``) and written :data:`BATCH` at a
time, with SQLAlchemy Core ``executemany`` (SQLite) or ``COPY`` (PostgreSQL: in a savepoint, by
the writer's one thread while the next batch is read and checked): memory does not grow with the
file. A batch is checked a column at a time (:func:`_checked`: the schema's own
constraints, read from it by :mod:`workflow.columns`, applied to each column with C-level calls;
any row those checks do not accept is validated by pydantic, which gives its value or its
refusal), and a batch without a problem, a repeated key or an unknown channel or theme is
written from its columns; any other batch goes row by row (``slow_batch``), naming each problem.

Why one module: both imports (inputs and progress) share the file reading,
the batching, the Merkle tree and the one audit entry; apart, each would copy them.
"""
from __future__ import annotations

import gc
import hashlib
import json
import os
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from itertools import chain, compress, islice, repeat
from operator import itemgetter
from typing import Annotated, Any, Iterable, Iterator, NamedTuple, Optional

from pydantic import AfterValidator, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError
from sqlalchemy import bindparam, func, insert, select
from typing_extensions import NotRequired, Required, TypedDict

from i18n import D_
from stages import TIME_RULES
from stages.errors import CocreaError, InvalidInput, Refused, in_row, not_found, reason
from stages.base import Reason
from storage import models as m
from storage import sheets
from storage.imports import CHUNK, BulkImport, BulkImportDigests

from .. import columns, merkle
from .. import schemas as s
from ..engine import Context, validate
from .consultation import is_late, published, published_all
from .lookup import next_key, today
from .monitoring import progress_checked, record_progress

#: Rows validated, checked and written at a time.
BATCH = 5000
#: Bad rows named one by one in a refusal or a dry run (every one, up to this bound on memory);
#: the rest are counted.
SHOWN = 10_000
#: Rows a dry run names among those it would add (the rest are counted).
NAMED = 100
#: Rows written after which, on PostgreSQL, the table's statistics are checked (:func:`_analyzed`).
STATISTICS = 2 * BATCH
#: PostgreSQL's SQLSTATE of a unique violation (a key already recorded, met by ``COPY``).
UNIQUE_VIOLATION = "23505"
#: The columns of an inputs file (``record_input``'s fields); ``key`` and ``channel`` (unless
#: the action names one for every row), ``text`` and ``received_on`` are required.
COLUMNS = tuple(s.RecordInput.model_fields)
REQUIRED = ("key", "text", "received_on")
#: Personal data of the citizens who wrote: imported, never exported.
PRIVATE = ("contact_name", "contact_email")
#: The stored values of an input, in the order of its leaf (:func:`encode`).
CANON = ("key", "channel", "text", "sector", "received_on", "contact_name", "contact_email", "theme")


def _readable(value: Any) -> Any:
    """A file opened for reading in binary (never a path: an action does not open files by name,
    so no request can make the server read one of its own)."""
    if value is not None and not callable(getattr(value, "readinto", None)):
        raise PydanticCustomError("not_a_file", "an open binary file is expected")
    return value


class ImportInputs(s.Schema):
    file: Annotated[Optional[Any], AfterValidator(_readable)] = Field(None, exclude=True, description=D_(
        "the CSV or XLSX file, opened (first row: the column names, those of record_input; key required)"))
    rows: Optional[Any] = Field(None, exclude=True, description=D_(
        "instead of a file: the rows, as mappings of the same columns"))
    name: Optional[s.Short] = Field(None, description=D_("the file's name as recorded (default: the file's own)"))
    channel: Optional[s.Key] = Field(None, description=D_("channel of the rows that do not name one"))


#: A row's configuration (a schema's: ``s.Schema``).
ROW_CONFIG = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _row_type() -> TypeAdapter:
    """``list`` of rows with ``record_input``'s fields and constraints (one place for them), ``key``
    required: validated a batch at a time by pydantic-core."""
    fields: dict[str, Any] = {}
    for name, f in s.RecordInput.model_fields.items():
        t = Annotated[(f.annotation, *f.metadata)] if f.metadata else f.annotation
        fields[name] = Required[t] if name in REQUIRED else NotRequired[t]
    row = TypedDict("InputRow", fields)  # type: ignore[misc]
    row.__pydantic_config__ = ROW_CONFIG  # type: ignore[attr-defined]
    return TypeAdapter(list[row])


ROWS = _row_type()
#: The same fields' checks a column at a time (derived from the same schema): the fast path,
#: which accepts only what ``ROWS`` accepts, as it gives it; a row it does not accept is
#: validated by ``ROWS`` (:func:`_checked`).
FAST = columns.Columns(s.RecordInput.model_fields, REQUIRED, ROW_CONFIG)


class _Source:
    """The rows of the file (or of ``rows``) as ``(row number, {column: value})``, empty cells
    left out and empty rows skipped; a row with more cells than the header comes as
    ``(row number, its problem)``. ``sha256`` is the file's digest once every row has been read."""

    def __init__(self, d: Any, columns: tuple[str, ...], required: tuple[str, ...]):
        self.d, self.columns, self.required = d, columns, required
        self.sheet: sheets.Sheet | None = None
        self.header: list[str] | None = None  # a file's columns, once its first row is read
        self.sha = hashlib.sha256()
        self.name = d.name or os.path.basename(str(getattr(d.file, "name", "") or ""))

    @property
    def sha256(self) -> str:
        return self.sheet.sha256 if self.sheet is not None else self.sha.hexdigest()

    def rows(self) -> Iterator[tuple[int, dict | Reason]]:
        if self.d.file is not None:
            yield from self._file(self.d.file)
        else:
            yield from self._given(self.d.rows or [])

    def _header(self, header: list[str]) -> list[str]:
        header = [h.strip().lower() for h in header]
        unknown = [h for h in header if h not in self.columns]
        if unknown:
            raise InvalidInput([reason("import_columns_unknown", columns=", ".join(unknown),
                                       known=", ".join(self.columns))])
        missing = [c for c in self.required if c not in header]
        if missing:
            raise InvalidInput([reason("import_columns_missing", columns=", ".join(missing))])
        return header

    def _file(self, raw: Any) -> Iterator[tuple[int, dict | Reason]]:
        self.sheet = sheets.Sheet(raw)
        cells_of = iter(self.sheet.rows())
        header = next(cells_of, None)
        if not header:
            raise InvalidInput([reason("import_empty_file")])
        header = self.header = self._header(header)
        width = len(header)
        for n, cells in enumerate(cells_of, 2):
            if not cells:
                continue  # an empty row (a spreadsheet's trailing ones)
            if len(cells) > width:
                yield n, reason("import_row_too_long", cells=len(cells), columns=width)
            else:
                yield n, ({h: v for h, v in zip(header, cells) if v != ""} if "" in cells
                          else dict(zip(header, cells)))

    def batches(self, size: int) -> Iterator[tuple[list[int], list[list], dict[int, list]]]:
        """The rows a batch at a time, as ``(row numbers, cells, problems)``: each row's cells in
        the order of :attr:`header` (a file's columns; :attr:`columns` for given rows), as many as
        the columns (an empty cell: ``""``); a row too long is a problem by its place in the
        batch (its cells empty). Empty rows are skipped (their numbers kept)."""
        if self.d.file is None:
            self.header = None
            for batch in _batches(self._given(self.d.rows or []), size):
                numbers = [n for n, _ in batch]
                yield numbers, [[r.get(c, "") for c in self.columns] for _, r in batch], {}
            return
        self.sheet = sheets.Sheet(self.d.file)
        read = self.sheet.batches(size)
        first = next(read, None)
        if not first or not first[0]:
            raise InvalidInput([reason("import_empty_file")])
        header = self.header = self._header(first[0])
        width = len(header)
        n = 2
        for batch in chain([first[1:]], read):
            numbers = list(range(n, n + len(batch)))
            n += len(batch)
            if not batch or set(map(len, batch)) == {width}:  # the common batch: every row full
                yield numbers, batch, {}
                continue
            kept: list[int] = []
            cells: list[list] = []
            problems: dict[int, list] = {}
            for number, row in zip(numbers, batch):
                if not row:
                    continue  # an empty row (a spreadsheet's trailing ones)
                if len(row) > width:
                    problems[len(kept)] = [reason("import_row_too_long", cells=len(row), columns=width)]
                    row = []
                kept.append(number)
                cells.append(row + [""] * (width - len(row)) if len(row) < width else row)
            yield kept, cells, problems

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


class _Channel(NamedTuple):
    key: str
    id: int
    opens_on: Any
    closes_on: Any
    accepts_late: bool


def encode(canon: tuple) -> bytes:
    """A row's stored values as the bytes of its leaf: joined by the unit separator (U+001F),
    an absent value empty. No stored value can hold that character (text refuses control
    characters, keys and addresses their patterns) nor be empty, so the encoding is one-to-one."""
    return "\x1f".join([v or "" for v in canon]).encode()


class _Writer:
    """``executemany`` of one INSERT of ``columns`` in that order, the statement's text made once
    for the connection's dialect (on PostgreSQL, ``COPY ... FROM STDIN`` through psycopg's
    ``cursor.copy``, on the action's connection and in its transaction), with the values already
    in the driver's form (the column types' own bind processors, applied once per distinct value
    by the caller through :meth:`value`): Core without its per-row work. Rows are given as tuples of ``columns`` (:meth:`__call__`) or as
    the columns themselves (:meth:`columns_of`)."""

    def __init__(self, conn: Any, table: Any, columns: tuple[str, ...], unique: tuple[str, ...] = ()):
        self.conn = conn
        self.sql_new: str | None = None
        dialect = conn.dialect
        compiled = insert(table).values({c: bindparam(c) for c in columns}).compile(dialect=dialect)
        # Columns the INSERT also sets from their Python-side defaults (e.g. ``Input.kind``):
        # executemany on the driver does not compute them, so they are computed here, once; those
        # the server fills with the same default (``server_default``) are left to it.
        named = list(compiled.positiontup) if dialect.positional else list(compiled.binds)
        extra = tuple(name for name in named if name not in columns and table.c[name].server_default is None)
        self.processors = {c: table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns + extra}
        self.extra = tuple(self.value(name, _default(table.c[name])) for name in extra)
        self.columns = columns + extra
        quote = dialect.identifier_preparer.quote
        listed = ", ".join(quote(c) for c in self.columns)
        self.copy = self.sql = self.driver = None
        self.thread: ThreadPoolExecutor | None = None
        if dialect.name == "postgresql":  # COPY, PostgreSQL's own bulk path, on the action's connection
            self.copy = f"COPY {quote(table.name)} ({listed}) FROM STDIN"
            self.driver = conn.connection.driver_connection  # psycopg's, in the action's transaction
        elif dialect.paramstyle == "qmark":  # SQLite: the parameters in the order of the tuples
            self.sql = f"INSERT INTO {quote(table.name)} ({listed}) VALUES ({', '.join('?' * len(self.columns))})"
            if unique:  # rows whose unique columns are taken are left out, and counted (``new_columns_of``)
                self.sql_new = f"{self.sql} ON CONFLICT ({', '.join(quote(c) for c in unique)}) DO NOTHING"
        else:
            self.sql = str(insert(table).values({c: bindparam(c) for c in self.columns}).compile(dialect=dialect))

    def value(self, column: str, value: Any) -> Any:
        proc = self.processors[column]
        return proc(value) if proc is not None and value is not None else value

    def columns_of(self, *values: Iterable) -> None:
        """Write the rows whose columns are ``values`` (each an iterable in the rows' order)."""
        self._write(list(zip(*values, *map(repeat, self.extra))))

    def new_columns_of(self, *values: Iterable) -> int | None:
        """Write the rows of :meth:`columns_of` whose unique columns no row holds yet; how many
        were written. SQLite: ``INSERT ... ON CONFLICT DO NOTHING``, the others left as they are.
        PostgreSQL: ``COPY`` in a savepoint, which cannot leave a row out: every row written, or,
        when a row's unique columns are taken (a unique violation), none (rolled back to the
        savepoint, the transaction goes on) and None. None (nothing written) elsewhere."""
        rows = list(zip(*values, *map(repeat, self.extra)))
        if self.sql_new is not None:
            return self.conn.exec_driver_sql(self.sql_new, rows).rowcount
        if self.copy is None:
            return None
        try:
            with self.driver.transaction():  # a savepoint: the action's transaction is already open
                self._copy(rows)
        except Exception as exc:
            if getattr(exc, "sqlstate", None) != UNIQUE_VIOLATION:
                raise
            return None
        return len(rows)

    def submit(self, *values: Iterable) -> Future:
        """:meth:`new_columns_of`, whose result the future gives. On PostgreSQL it runs in the
        writer's one thread, so that the server writes a batch (and checks its foreign keys)
        while the caller reads and checks the next one; the caller touches the connection only
        once the future is done (:meth:`close` waits for it). Elsewhere it runs here, now."""
        if self.copy is None:
            done: Future = Future()
            done.set_result(self.new_columns_of(*values))
            return done
        if self.thread is None:
            self.thread = ThreadPoolExecutor(1, thread_name_prefix="cocrea-copy")
        return self.thread.submit(self.new_columns_of, *values)

    def close(self) -> None:
        """The writer's thread ended, once what it was writing is written (or has failed)."""
        if self.thread is not None:
            self.thread.shutdown(wait=True)
            self.thread = None

    def __call__(self, rows: list[tuple]) -> None:
        self._write([r + self.extra for r in rows] if self.extra else rows)

    def _write(self, rows: list[tuple]) -> None:
        if self.copy is not None:
            return self._copy(rows)
        if self.conn.dialect.paramstyle != "qmark":
            rows = [dict(zip(self.columns, r)) for r in rows]  # type: ignore[misc]
        self.conn.exec_driver_sql(self.sql, rows)

    def _copy(self, rows: list[tuple]) -> None:
        with self.driver.cursor() as cur, cur.copy(self.copy) as copy:
            write = copy.write_row
            for r in rows:
                write(r)


def _present_query(dialect: str) -> tuple[Any, Any]:
    """The query of the inputs already recorded under some keys, and how it takes the keys: as ONE
    parameter (a JSON array read by ``json_each`` on SQLite, an array ``unnest``-ed on PostgreSQL),
    so that a batch of thousands of keys is not expanded into as many parameters at each
    execution, and each key is looked up in the (process, key) index, whatever the process holds."""
    cols = m.Input.__table__.c
    shown = (cols.key, cols.channel_id, cols.text, cols.original_text, cols.sector, cols.received_on, cols.contact_name,
             cols.contact_email, cols.theme_id, cols.id)
    if dialect == "postgresql":  # each key of the unnested array looked up by its own index probe (LATERAL)
        from sqlalchemy import String, true
        from sqlalchemy.dialects.postgresql import ARRAY

        given = list
        each = func.unnest(bindparam("keys", type_=ARRAY(String))).table_valued("value").render_derived().alias("k")
        one = select(*shown).where(cols.process_id == bindparam("pid"), cols.key == each.c.value).limit(1).lateral("i")
        query = select(*one.c).select_from(each.join(one, true()))
    else:  # SQLite: the keys of a JSON array (json_each), each searched in the (process, key) index
        given = json.dumps
        each = func.json_each(bindparam("keys")).table_valued("value")
        query = select(*shown).where(cols.process_id == bindparam("pid"), cols.key.in_(select(each.c.value)))
    return query, given


def _recorded(conn: Any, query: Any, keys_param: Any, pid: int, keys: list[str], channel_key: dict,
              theme_key: dict, upto: int | None = None) -> dict[str, tuple]:
    """The inputs of the process already recorded under some of ``keys`` (those whose id is at most
    ``upto``, if given): key -> (its values as received, in the order of :data:`CANON` (the text's
    original where it held contact data), its stored original text, its stored text)."""
    if not keys:
        return {}
    return {k: ((k, channel_key.get(ch_id), original or text, sector, rec.isoformat(), name, email,
                 theme_key.get(theme_id)), original, text)
            for k, ch_id, text, original, sector, rec, name, email, theme_id, id_ in conn.execute(
                query, {"pid": pid, "keys": keys_param(keys)}) if upto is None or id_ <= upto}


def _against_recorded(canon: tuple, stored: tuple, original: str | None, text: str, full: bool,
                      compared: tuple[int, ...]) -> tuple[bool, bool]:
    """A row whose key is recorded, against what was recorded: (it conflicts, its leaf is the
    stored values). The row is compared as it was received (with the original text where the
    stored text was masked), on every column when the file states them all, else on ``compared``;
    a row that agrees takes the stored values for its leaf when they are not its own."""
    given = canon if original is None or canon[2] != text else canon[:2] + (original,) + canon[3:]
    if given != stored if full else any(given[i] != stored[i] for i in compared):
        return True, False
    return False, not full or given is not canon


def _analyzed(conn: Any, table: Any, rows: int) -> None:
    """PostgreSQL: the table analysed (in the action's transaction, which sees its own rows) if its
    statistics say it holds fewer rows than this import has written. With statistics of an empty
    table, the planner looks a key up through the index on ``process_id`` and filters each of the
    process's rows (all costs look alike on no rows): measured, one batch's lookup ran for minutes
    at 1,000,000 rows. Analysed, it takes the (process, key) unique index. Analysing needs the
    table's owner; without it PostgreSQL only warns."""
    quote = conn.dialect.identifier_preparer.quote
    known = conn.exec_driver_sql(f"SELECT reltuples FROM pg_class WHERE oid = '{quote(table.name)}'::regclass").scalar()
    if known is None or known < rows:
        conn.exec_driver_sql(f"ANALYZE {quote(table.name)}")


def _blank(values: list) -> list:
    """``values`` with ``None`` as ``""`` (as :func:`encode` joins them)."""
    return ["" if v is None else v for v in values] if None in values else values


def _default(column: Any) -> Any:
    """The value a column's Python-side default gives (None when it has none)."""
    default = column.default
    if default is None:
        return None
    return default.arg(None) if callable(default.arg) else default.arg


def _batches(it: Iterator, size: int) -> Iterator[list]:
    while batch := list(islice(it, size)):
        yield batch


def _checked(header: list[str], cells: list[list], problems: dict[int, list]) -> dict[str, list]:
    """The batch's values by column (every column of :data:`COLUMNS`, each a list in the batch's
    order; an absent value: the field's default), validated by the schema's checks a column at a
    time (:data:`FAST`); a row the fast checks do not accept is validated by pydantic itself
    (:data:`ROWS`, as a mapping of its non-empty cells): its values, or its reasons added to
    ``problems`` (by its place in the batch)."""
    size = len(cells)
    values: dict[str, list] = {}
    unsure: set[int] = set()
    for i, name in enumerate(header):
        values[name], bad = FAST.column(name, list(map(itemgetter(i), cells)))
        unsure.update(bad)
    for name in COLUMNS:
        if name not in values:
            values[name] = [FAST.defaults[name]] * size
    for i in sorted(unsure - problems.keys()):  # the slow path: pydantic's values, or which problem
        given = {h: v for h, v in zip(header, cells[i]) if v != ""}
        try:
            row = ROWS.validate_python([given])[0]
        except ValidationError as exc:
            problems[i] = s.validation_reasons([{**e, "loc": e["loc"][1:]} for e in exc.errors()])
            continue
        for name in COLUMNS:
            values[name][i] = row.get(name, FAST.defaults[name])
    return values


def import_inputs(ctx: Context, d: ImportInputs):
    """Import consultation inputs from a CSV or XLSX file (an online form's export, a spreadsheet), each row
    checked as record_input would; idempotent by the rows' keys (their external ids). Any bad row
    refuses the whole file, naming its rows. The audit entry holds the file's digest, its row
    count and the Merkle root of its rows' digests, which are kept to prove any row later."""
    if (d.file is None) == (d.rows is None):
        raise InvalidInput([reason("options_together", options="file | rows")])
    with _collector_paused():
        return _import_inputs(ctx, d)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while rows stream through (and resumed after, if
    it ran before): each row allocates a few short-lived containers that form no cycle (freed by
    reference counting), yet they trigger the collector every few hundred allocations, which then
    scans each batch's live rows again and again; measured, that was a quarter of the import's
    CPU (docs/imports.md). Memory stays bounded (peak RSS 88 MiB at 1,000,000 rows, as at 100,000):
    the rows are freed by reference counting; a cycle, if any, is collected once it resumes. The
    pause is the process's: a server's other threads go without cycle collection meanwhile."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


def _import_inputs(ctx: Context, d: ImportInputs) -> dict:
    pid = ctx.process.id
    db = ctx.db
    channels = {c.key: _Channel(c.key, c.id, c.opens_on, c.closes_on, c.accepts_late)
                for c in db.execute(select(m.Channel).where(m.Channel.process_id == pid)).scalars()}
    if d.channel and d.channel not in channels:
        raise not_found("channel", d.channel)
    channel_key = {c.id: c.key for c in channels.values()}
    themes = dict(db.execute(select(m.Theme.key, m.Theme.id).where(m.Theme.process_id == pid)).all())
    theme_key = {v: k for k, v in themes.items()}
    day = today(ctx)
    future, window = TIME_RULES["fact_not_in_future"], TIME_RULES["input_inside_channel_window"]

    source = _Source(d, COLUMNS, REQUIRED + (() if d.channel else ("channel",)))
    record = BulkImport(process_id=pid, key=next_key(ctx, BulkImport, "imp"), kind="inputs",
                        file_name=source.name, file_sha256="", rows=0, added=0, present=0, merkle_root="", at=ctx.now)
    db.add(record)
    db.flush()
    conn = db.connection()
    table, cols = m.Input.__table__, m.Input.__table__.c
    write = _Writer(conn, table, ("process_id", "key", "channel_id", "text", "sector", "contact_name", "contact_email",
                                  "received_on", "late", "theme_id", "import_id", "original_text"),
                    unique=("process_id", "key"))
    tree = merkle.Root()
    leaves = bytearray()
    chunk = 0
    bad: list = []
    bad_rows = rows = added = present = 0
    adding: list[tuple[int, str]] = []  # (row, key) of the first rows added, for a dry run
    #: (channel, date) -> (refusal or None, the date as text, as stored, late as stored, the channel's id): the time rules are
    #: asked once per channel and date, not once per row
    dated: dict[tuple[str, Any], tuple] = {}

    def flag(n: int, r) -> None:
        nonlocal bad_rows
        bad_rows += 1
        if len(bad) < SHOWN:
            bad.append(in_row(n, r))

    def judged(ch: _Channel, received) -> tuple:
        refusal = future.check(what="input", date=received, today=day) or window.check(
            received_on=received, opens_on=ch.opens_on, closes_on=ch.closes_on, accepts_late=ch.accepts_late)
        return refusal, received.isoformat(), write.value("received_on", received), \
            write.value("late", is_late(ch, received)), ch.id

    default_channel, import_id = d.channel, record.id

    def slow_batch(numbers, problems, keys, chans, texts, sectors, names, emails, recs, topics) -> list[bytes]:
        """A batch with a problem, a duplicate key or an unknown channel or theme: row by row, each
        problem named; the good rows written (a later row repeating one is seen as such). Its leaves."""
        nonlocal present, added
        new: dict[str, tuple[int, tuple, tuple]] = {}  # key -> (row, canonical values, insert parameters)
        order: list[tuple] = []  # the canonical values of the batch's good rows, in the file's order
        for i, n in enumerate(numbers):
            if i in problems:
                flag(n, problems[i][0])
                continue
            ch = channels.get(chans[i])
            if ch is None:
                flag(n, not_found("channel", chans[i]).reasons[0])
                continue
            received = recs[i]
            when = dated.get((ch.key, received))
            if when is None:
                when = dated[(ch.key, received)] = judged(ch, received)
            if when[0] is not None:
                flag(n, when[0])
                continue
            theme = topics[i]
            if theme is not None and theme not in themes:
                flag(n, not_found("theme", theme).reasons[0])
                continue
            key, text = keys[i], texts[i]
            canon = (key, ch.key, text, sectors[i], when[1], names[i], emails[i], theme)
            order.append(canon)
            if key in new:
                if new[key][1] != canon:
                    flag(n, reason("import_key_conflict", key=key))
                else:
                    present += 1
                continue
            original, shown = published(text)  # as record_input stores it: masked, the original kept privately
            new[key] = (n, canon, (pid, key, ch.id, shown, sectors[i], names[i], emails[i], when[2], when[3],
                                   themes[theme] if theme else None, import_id, original))
        found = []
        for k, stored in _recorded(conn, present_rows, keys_param, pid, list(new), channel_key, theme_key).items():
            n, canon, _ = new.pop(k)
            found.append((n, k, canon, *stored))
        recorded = against(found)
        if new:  # written even once a row is bad, so that a later row repeating one is seen as such;
            # a refused file (or a dry run) is rolled back whole
            write([params for _, _, params in new.values()])
            added += len(new)
            if len(adding) < NAMED:
                adding.extend((n, k) for k, (n, _, _) in islice(new.items(), NAMED - len(adding)))
        # each row's leaf: its values as received (the file's, or those recorded before)
        return merkle.leaf_hashes([encode(recorded.get(c[0], c)) for c in order] if recorded
                                  else [encode(c) for c in order])
    present_rows, keys_param = _present_query(conn.dialect.name)
    last_id = f"SELECT max(id) FROM {conn.dialect.identifier_preparer.quote(table.name)}"
    theme_id = {None: None, **themes}
    compared: tuple[int, ...] = ()
    full = True
    stale = True if conn.dialect.name == "postgresql" else None  # the planner's statistics, checked once

    def against(found: list[tuple]) -> dict[str, tuple]:
        """Rows whose key was recorded before, each ``(row, key, canonical values, stored values,
        original text, text)``, judged against the record (:func:`_against_recorded`): a conflict is
        flagged, the others counted present. Returns key -> stored values of the rows whose leaf is
        the row as received, not as published (the file does not state them all)."""
        nonlocal present
        recorded: dict[str, tuple] = {}
        for n, k, canon, stored, original, text in found:
            conflict, keep = _against_recorded(canon, stored, original, text, full, compared)
            if conflict:
                flag(n, reason("import_key_conflict", key=k))
            else:
                present += 1
                if keep:
                    recorded[k] = stored
        return recorded

    def into_tree(batch_leaves: list[bytes]) -> None:
        """A batch's leaves into the tree and the stored digests (the file's order), once its rows
        are written; the connection is free (no write under way)."""
        nonlocal leaves, chunk, stale
        tree.extend(batch_leaves)
        leaves += b"".join(batch_leaves)
        if stale is not None and added >= STATISTICS:
            _analyzed(conn, table, added)
            stale = None
        while len(leaves) >= CHUNK * 32:
            conn.execute(insert(BulkImportDigests.__table__), [{"import_id": record.id, "chunk": chunk,
                                                                "digests": bytes(leaves[:CHUNK * 32])}])
            del leaves[:CHUNK * 32]
            chunk += 1

    def settled(numbers, keys, canons, columns_, batch_leaves, upto, written) -> None:
        """A common batch once its write is done (``written``: :meth:`_Writer.new_columns_of`'s
        answer): the keys it found recorded (SQLite: those it left out; PostgreSQL: any, when
        the COPY met one, none written) looked up, judged against the record and the rest
        written; then its leaves stored."""
        nonlocal added
        taken = {} if written == len(keys) else _recorded(conn, present_rows, keys_param, pid, keys, channel_key,
                                                         theme_key, upto)
        place = {k: i for i, k in enumerate(keys)} if taken else {}
        recorded = against([(numbers[place[k]], k, canons[place[k]], *stored) for k, stored in taken.items()])
        if recorded:
            batch_leaves = merkle.leaf_hashes([encode(recorded.get(c[0], c)) for c in canons])
        if taken:  # the rows recorded before are not written again
            keep = [k not in taken for k in keys]
            fresh = list(compress(zip(numbers, keys), keep))
            if written is None:
                columns_ = [list(compress(c, keep)) if isinstance(c, list) else c for c in columns_]
        else:
            fresh = zip(numbers, keys)
        if written is None and columns_[1]:
            write.columns_of(*columns_)
            written = len(columns_[1])
        added += written or 0
        if written and len(adding) < NAMED:
            adding.extend(islice(fresh, NAMED - len(adding)))
        into_tree(batch_leaves)

    pending: tuple | None = None  # a common batch being written: (its settled() arguments, the write's future)

    def settle() -> None:
        """The batch being written, if any, waited for and settled: after it the connection is free."""
        nonlocal pending
        if pending is not None:
            (args, future), pending = pending, None
            settled(*args, future.result())

    try:
        for numbers, cells, problems in source.batches(BATCH):
            if not compared:  # the header is read: the columns the file states
                stated = set(source.header or CANON) | ({"channel"} if default_channel else set())
                #: the stored values compared with a row whose key is recorded: those of the columns the
                #: file has (a file without the contact columns, as exported, says nothing about them)
                compared = tuple(i for i, c in enumerate(CANON) if c in stated)
                full = len(compared) == len(CANON)
            rows += len(numbers)
            v = _checked(source.header or list(COLUMNS), cells, problems)
            keys, chans, texts, sectors, names, emails, recs, topics = (v[c] for c in COLUMNS)
            if default_channel and None in chans:
                chans = [c if c is not None else default_channel for c in chans]
            # the common batch (every row valid, known channels and themes, its dates inside the time
            # rules, no key twice): checked and written a column at a time
            common = not problems and set(chans) <= channels.keys() and set(topics) <= theme_id.keys() \
                and len(set(keys)) == len(keys) and bool(keys)
            if common:
                for pair in set(zip(chans, recs)) - dated.keys():
                    dated[pair] = judged(channels[pair[0]], pair[1])
                whens = list(map(dated.__getitem__, zip(chans, recs)))
                common = not any(map(itemgetter(0), whens))
            if not common:
                settle()
                into_tree(slow_batch(numbers, problems, keys, chans, texts, sectors, names, emails, recs, topics))
                continue
            isos = list(map(itemgetter(1), whens))
            canons = list(zip(keys, chans, texts, sectors, isos, names, emails, topics))
            originals, shown = published_all(texts)  # as record_input stores it: masked, the original kept
            columns_ = [repeat(pid), keys, list(map(itemgetter(4), whens)), shown, sectors, names, emails,
                        list(map(itemgetter(2), whens)), list(map(itemgetter(3), whens)),
                        list(map(theme_id.__getitem__, topics)), repeat(import_id), originals]
            # the leaves of the rows as received (encode() a column at a time); those of rows found
            # recorded are made again from the record (settled)
            batch_leaves = merkle.leaf_hashes(list(map(str.encode, map("\x1f".join, zip(
                keys, chans, texts, sectors, isos, _blank(names), _blank(emails), _blank(topics))))))
            settle()
            # SQLite: the batch written at once, the rows whose key is recorded left out by the INSERT
            # (and only then looked up, among the inputs recorded before it); PostgreSQL: COPY in a
            # savepoint, in the writer's thread while the next batch is read, the keys looked up
            # only if it meets one recorded
            upto = conn.exec_driver_sql(last_id).scalar() or 0 if write.sql_new else None
            pending = ((numbers, keys, canons, columns_, batch_leaves, upto), write.submit(*columns_))
        settle()
    finally:
        write.close()  # a write under way finished (or failed) before the connection is given back
    bad.sort(key=lambda r: r.details["row"])
    problems = bad + ([reason("more_bad_rows", count=bad_rows - len(bad))] if bad_rows > len(bad) else [])
    if ctx.dry_run:
        # what the import would write (were the file without problems), and every problem
        return {"dry_run": True, "file_sha256": source.sha256, "rows": rows, "added": added, "present": present,
                "adding": adding, "bad_rows": bad_rows, "problems": problems, "merkle_root": tree.digest().hex()}
    if bad:
        invalid = any(r.code in ("invalid_field", "not_found") for r in bad)
        raise (InvalidInput if invalid else Refused)(problems)
    if leaves:
        conn.execute(insert(BulkImportDigests.__table__), [{"import_id": record.id, "chunk": chunk,
                                                            "digests": bytes(leaves)}])
    root = tree.digest().hex()
    record.file_sha256, record.rows, record.added, record.present, record.merkle_root = (
        source.sha256, rows, added, present, root)
    db.add(record)
    return {"import": record.key, "file_sha256": record.file_sha256, "rows": rows, "added": added,
            "present": present, "merkle_root": root}


# --- an agency's progress sheet ---------------------------------------------------------------

#: The columns of a progress sheet the import reads: ``report_progress``'s fields; ``reported_on``
#: left empty is today.
PROGRESS_COLUMNS = tuple(s.ReportProgress.model_fields)
PROGRESS_REQUIRED = ("activity", "status", "percent")
#: The columns an exported sheet also shows, to be read by people and ignored by the import.
PROGRESS_SHOWN = ("commitment", "title", "deliverable", "agency", "start_date", "end_date")


class ImportProgress(s.Schema):
    file: Annotated[Optional[Any], AfterValidator(_readable)] = Field(None, exclude=True, description=D_(
        "the progress sheet, opened (CSV or XLSX, as exported by 'cocrea export activities')"))
    rows: Optional[Any] = Field(None, exclude=True, description=D_(
        "instead of a file: the rows, as mappings of the same columns"))
    name: Optional[s.Short] = Field(None, description=D_("the file's name as recorded (default: the file's own)"))


def import_progress(ctx: Context, d: ImportProgress):
    """Report the progress of many activities from an agency's sheet (CSV or XLSX, as exported), each
    row held to every rule of report_progress; rows that change nothing are left out. Any bad row
    refuses the whole sheet, naming its rows. One audit entry holds the file's digest, its row
    count and every change (before and after)."""
    if (d.file is None) == (d.rows is None):
        raise InvalidInput([reason("options_together", options="file | rows")])
    source = _Source(d, PROGRESS_COLUMNS + PROGRESS_SHOWN, PROGRESS_REQUIRED)
    latest: dict[int, str] = {}  # activity id -> the evidence of its latest report
    for activity_id, evidence in ctx.db.execute(
            select(m.ProgressReport.activity_id, m.ProgressReport.evidence_ref)
            .where(m.ProgressReport.process_id == ctx.process.id).order_by(m.ProgressReport.id)):
        latest[activity_id] = evidence
    day = today(ctx).isoformat()
    changes: list[dict] = []
    problems: list = []
    rows = unchanged = 0
    for n, row in source.rows():
        rows += 1
        if isinstance(row, Reason):
            problems.append(in_row(n, row))
            continue
        given = {c: row[c] for c in PROGRESS_COLUMNS if c in row}
        given.setdefault("reported_on", day)
        try:
            report = validate(s.ReportProgress, given)
            activity = progress_checked(ctx, report)
        except CocreaError as exc:
            problems.extend(in_row(n, r) for r in exc.reasons)
            continue
        if (report.status, report.percent) == (activity.status, activity.percent) and \
                report.evidence_ref in ("", latest.get(activity.id, "")) and not report.reason:
            unchanged += 1  # as it stands: nothing to report (a sheet uploaded twice changes nothing)
            continue
        before = {"status": activity.status, "percent": activity.percent}
        try:
            record_progress(ctx, activity, report)
        except CocreaError as exc:
            problems.extend(in_row(n, r) for r in exc.reasons)
            continue
        latest[activity.id] = report.evidence_ref
        changes.append({"row": n, "activity": activity.key, "title": activity.title, "before": before,
                        "after": report.model_dump(mode="json", exclude={"activity"})})
    result = {"file_sha256": source.sha256, "rows": rows, "changed": len(changes), "unchanged": unchanged,
              "changes": changes}
    if ctx.dry_run:  # what it would write, and every problem
        return {"dry_run": True, **result, "problems": problems}
    if problems:
        invalid = any(r.code in ("invalid_field", "not_found") for r in problems)
        raise (InvalidInput if invalid else Refused)(problems)
    return result
