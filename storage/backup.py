"""Backups of a cocrea database and restoring one (``cocrea backup`` / ``cocrea restore``).

- **SQLite**: SQLite's online backup API (``sqlite3.Connection.backup``), a consistent copy
  taken while the app keeps running (one read transaction under WAL). The backup is itself a
  SQLite file. Restoring copies it back the same way, page by page, into the configured file.
- **PostgreSQL**: ``pg_dump --format=custom`` of the schema cocrea lives in (the connection's
  ``current_schema()``), a consistent snapshot too. Restoring turns it into SQL with
  ``pg_restore`` and runs it with ``psql`` in **one transaction**, after dropping the schema
  it replaces: a restore that fails leaves the database as it was. A backup holds its schema by
  name and is restored into the schema of that name.

Nothing is overwritten without being told (``replace``): an existing backup file, a database
that already holds cocrea tables. The password never goes on a command line (``PGPASSWORD``).
Written to a temporary file beside the target, then renamed: a half-written backup never
carries the target's name. A backup holds personal data and password hashes: it is readable
by its owner only (mode 0600, as ``mkstemp`` makes it).
"""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL, Engine

from stages.errors import ConfigError, InvalidInput, reason

from .db import SCHEMA_TABLES, describe, sqlite_path

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
KINDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def kind_of(path: Path) -> str | None:
    """``sqlite``, ``postgresql`` (a pg_dump custom archive) or None, from the file's first bytes."""
    with path.open("rb") as f:
        head = f.read(16)
    return "sqlite" if head.startswith(SQLITE_MAGIC) else "postgresql" if head.startswith(PG_MAGIC) else None


def _refuse_existing(path: Path, replace: bool) -> None:
    if path.exists() and not replace:
        raise InvalidInput([reason("file_exists", path=str(path), flag="--replace")])


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise ConfigError([reason("tool_missing", tool=name)])
    return found


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and the environment that carries it."""
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(tool: str, args: list[str], env: dict[str, str], **kw) -> subprocess.CompletedProcess:
    done = subprocess.run([_tool(tool), *args], env=env, capture_output=True, **kw)
    if done.returncode != 0:
        err = done.stderr.decode("utf-8", "replace") if isinstance(done.stderr, bytes) else done.stderr
        problem = next((line for line in err.splitlines() if line.strip()), f"exit {done.returncode}")
        raise ConfigError([reason("tool_failed", tool=tool, problem=problem.strip())])
    return done


def _temporary_beside(target: Path) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    return Path(name)


def backup(engine: Engine, target: Path, *, replace: bool = False) -> dict:
    """Write a backup of ``engine``'s database to ``target``; what was written."""
    target = Path(target).resolve()
    _refuse_existing(target, replace)
    if not target.parent.is_dir():
        raise InvalidInput([reason("bad_file", problem=f"{target.parent}: no such folder")])
    part = _temporary_beside(target)
    try:
        if engine.dialect.name == "sqlite":
            source = sqlite_path(str(engine.url))
            src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
            dst = sqlite3.connect(part)
            try:
                src.backup(dst)  # all pages in one step: one consistent snapshot
            finally:
                dst.close()
                src.close()
            kind = "sqlite"
        else:
            with engine.connect() as conn:
                schema = conn.execute(text("select current_schema()")).scalar_one()
            dsn, env = _libpq(engine.url)
            _run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", f"--schema={schema}",
                             f"--file={part}", f"--dbname={dsn}"], env)
            kind = "postgresql"
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)
    return {"file": str(target), "kind": kind, "bytes": target.stat().st_size}


def restore(engine: Engine, source: Path, *, replace: bool = False) -> dict:
    """Restore the backup ``source`` into ``engine``'s database (which must hold no cocrea
    tables unless ``replace``). Returns what was restored; the caller migrates and verifies."""
    source = Path(source).resolve()
    if not source.is_file():
        raise InvalidInput([reason("bad_file", problem=f"{source}: no such file")])
    kind = kind_of(source)
    if kind is None:
        raise InvalidInput([reason("not_a_backup", path=str(source))])
    if kind != engine.dialect.name:
        raise InvalidInput([reason("backup_other_database", path=str(source), made_from=KINDS[kind],
                                   database=KINDS.get(engine.dialect.name, engine.dialect.name))])
    if kind == "sqlite":
        return _restore_sqlite(engine, source, replace)
    return _restore_postgresql(engine, source, replace)


def _sqlite_tables(conn: sqlite3.Connection) -> set[str]:
    return {n for (n,) in conn.execute("select name from sqlite_master where type = 'table'")}


def _restore_sqlite(engine: Engine, source: Path, replace: bool) -> dict:
    target = sqlite_path(str(engine.url))
    src = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)
    try:
        if not _sqlite_tables(src) & set(SCHEMA_TABLES):
            raise InvalidInput([reason("not_a_backup", path=str(source))])
        engine.dispose()  # no pooled connection of ours holds the file while it is replaced
        dst = sqlite3.connect(target, timeout=30)
        try:
            if _sqlite_tables(dst) & set(SCHEMA_TABLES) and not replace:
                raise InvalidInput([reason("database_not_empty", where=str(target), flag="--replace")])
            src.backup(dst)  # under the destination's write lock: readers see the old or the new
        finally:
            dst.close()
    finally:
        src.close()
    return {"file": str(source), "kind": "sqlite", "into": str(target)}


def _restore_postgresql(engine: Engine, source: Path, replace: bool) -> dict:
    dsn, env = _libpq(engine.url)
    script = _run("pg_restore", ["--no-owner", "--no-privileges", "--file=-", str(source)], env).stdout
    found = re.search(rb"^CREATE SCHEMA ([A-Za-z_][A-Za-z0-9_$]*|\"[^\"]+\");$", script, re.M)
    schema = found.group(1).decode().strip('"') if found else "public"
    with engine.connect() as conn:
        current = conn.execute(text("select current_schema()")).scalar()
        tables = conn.execute(text("select count(*) from information_schema.tables where table_schema = :s"),
                              {"s": schema}).scalar_one()
    if current is not None and current != schema:  # restored there, it would not be the database cocrea reads
        raise InvalidInput([reason("backup_other_schema", path=str(source), schema=schema, current=current)])
    if tables and not replace:
        where = describe(engine.url.render_as_string(hide_password=False))
        raise InvalidInput([reason("database_not_empty", where=f"{where} ({schema})", flag="--replace")])
    engine.dispose()
    quoted = '"' + schema.replace('"', '""') + '"'
    with tempfile.NamedTemporaryFile("wb", suffix=".sql") as sql:
        sql.write(script)
        sql.flush()
        # one transaction: the old schema is dropped only if the whole backup goes in
        _run("psql", ["--no-psqlrc", "--quiet", "--single-transaction", "-v", "ON_ERROR_STOP=1", f"--dbname={dsn}",
                      "-c", f"DROP SCHEMA IF EXISTS {quoted} CASCADE", "-f", sql.name], env)
    return {"file": str(source), "kind": "postgresql", "into": schema}
