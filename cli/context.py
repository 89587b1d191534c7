"""What every command shares: the database it works on, the reader's language, and how a
refusal becomes a message and an exit code (0 done; 1 internal error; 2 bad input; 3 refused
by the process rules; 4 audit chain broken; 5 a setting that cannot be used).

Only the commands that may create a database (``init``, ``db upgrade``, ``demo``, ``apply``,
``serve``, ``worker``) say so (:meth:`Ctx.creating`); every other one refuses a database that does
not exist (``no_database``, exit 5) instead of creating an empty one to read.

The engine, the migrations and the storage are imported when a command first needs the
database, not before: ``cocrea --help`` reads none of them. The read commands read through
:attr:`Ctx.reader`: the database driver alone when it can (:mod:`storage.plain`), so they
start without SQLAlchemy (issue 9).
"""
from __future__ import annotations

import functools
import select
import sys

import click

from i18n import gettext
from stages.errors import CocreaError


class Ctx:
    def __init__(self, db: str | None, lang: str):
        self.db = db
        self.lang = lang
        self._url: str | None = None
        self._engine = None
        self._reader = None
        self.may_create = False

    def creating(self) -> "Ctx":
        """This command may create the database it is given (a command that writes)."""
        self.may_create = True
        return self

    @property
    def url(self) -> str:
        if self._url is None:
            from storage.settings import database_url

            self._url = database_url(self.db)
        return self._url

    @url.setter
    def url(self, value: str) -> None:
        self._url = value

    @property
    def engine(self):
        if self._engine is None:
            import migrations
            from storage.db import open_database

            self._engine = open_database(self.url, create=self.may_create)  # ConfigError, exit 5
            migrations.upgrade(self._engine)
        return self._engine

    @property
    def reader(self):
        """What a read command reads with (``reads.status`` takes either): a
        :class:`storage.plain.Reader` over the driver alone when the database is a SQLite file or a
        PostgreSQL one at the newest migration; otherwise the engine, which migrates an older
        database or says why it cannot be used."""
        if self._reader is None:
            import migrations
            from storage.plain import open_reader

            found = open_reader(self.url, migrations.newest()) if self._engine is None else None
            self._reader = found if found is not None else self.engine
        return self._reader

    def close(self) -> None:
        """End the quick reader's read transaction and connection (the command is done)."""
        if self._reader is not None and self._reader is not self._engine:
            self._reader.close()
        self._reader = None

    def described(self) -> str:
        """``Base de datos: SQLite: ./cocrea.db``."""
        from storage import describe

        return gettext(self.lang, "Database: {where}").format(where=describe(self.url))

    def people(self, process: str | None) -> dict[str, tuple[str, str | None]]:
        """Names and sectors of a process's people by handle (one small read), to show people by name."""
        if not process:
            return {}
        from storage.plain import reading

        with reading(self.reader) as db:
            rows = db.rows("person", "process_id", [db.process(process).id], columns=("handle", "name", "sector"))
            return {handle: (name, sector) for handle, name, sector in rows}


def fail(ctx: Ctx, exc: CocreaError, prefix: str = "") -> None:
    head = (gettext(ctx.lang, "Invalid input") if exc.exit_code == 2
            else gettext(ctx.lang, "The audit trail does NOT verify") if exc.exit_code == 4
            else gettext(ctx.lang, "A setting cannot be used") if exc.exit_code == 5
            else gettext(ctx.lang, "Refused"))
    click.echo(f"{prefix}{head}:", err=True)
    for r in exc.reasons:
        click.echo(f"  - [{r.code}] {r.message(ctx.lang)}", err=True)
    sys.exit(exc.exit_code)


def _connection_lost(ctx: Ctx, exc: Exception):
    """A :class:`ConfigError` (``database_unreachable``) when ``exc`` is the database connection
    lost during the command (the server restarted or stopped), or a new connection the command
    opened being refused (an operational error raised by no statement: the pool connecting);
    None for anything else."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    if not (isinstance(exc, DBAPIError)
            and (exc.connection_invalidated or (isinstance(exc, OperationalError) and exc.statement is None))):
        return None
    from stages.errors import ConfigError, reason
    from storage import describe

    problem = str(exc.orig or exc).strip().splitlines()
    return ConfigError([reason("database_unreachable", where=describe(ctx.url),
                               problem=problem[0] if problem else type(exc).__name__)])


def _reader_gone() -> bool:
    """Whether our own output is what broke (the reader of a pipe stopped reading), not a socket."""
    try:
        fd = sys.stdout.fileno()
        poll = select.poll()
        poll.register(fd, select.POLLOUT)
        gone = any(event & select.POLLERR for _, event in poll.poll(0))  # a pipe without its reader
    except (OSError, ValueError, AttributeError):  # no real file behind stdout
        return False
    return gone


def guard(fn):
    """Errors of the project to their message and exit code; anything else is an internal error."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        ctx: Ctx = click.get_current_context().obj
        try:
            return fn(*args, **kwargs)
        except CocreaError as exc:
            fail(ctx, exc)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # an internal error: say so, exit 1
            if isinstance(exc, BrokenPipeError) and _reader_gone():
                raise  # ``| head``: the reader left; click stops quietly, as for the commands it runs alone
            lost = _connection_lost(ctx, exc)
            if lost is not None:  # the database went away mid-command: said as such, exit 5
                fail(ctx, lost)
            head = gettext(ctx.lang, "Internal error")
            click.echo(f"{head}: {type(exc).__name__}: {exc}", err=True)
            sys.exit(1)
    return wrapper
