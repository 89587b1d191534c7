"""``cocrea backup`` and ``cocrea restore``: parse, call :mod:`storage.backup`, verify, print."""
from __future__ import annotations

from pathlib import Path

import click

from i18n import D_, gettext, ngettext

from .context import Ctx, guard
from .text import Command, argument, option

KINDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _verified(lang: str, engine) -> str:
    from reads import status as queries

    n = sum(queries.verify_audit(engine).values())  # AuditBroken, exit 4, if it does not verify
    return ngettext(lang, "Audit trail intact: {count} entry verified", "Audit trail intact: {count} entries verified",
                    n).format(count=n)


@click.command(cls=Command, help=D_("Back up the database to FILE. SQLite: a consistent copy made while the app runs "
                                    "(online backup); PostgreSQL: pg_dump of cocrea's schema."))
@argument("file")
@option("--replace", is_flag=True, help=D_("overwrite FILE if it exists"))
@click.pass_obj
@guard
def backup(ctx: Ctx, file: str, replace: bool) -> None:
    from storage.backup import backup as make

    click.echo(ctx.described())
    done = make(ctx.engine, Path(file), replace=replace)
    click.echo(gettext(ctx.lang, "Backup written: {file} ({kind}, {size} bytes).").format(
        file=done["file"], kind=KINDS[done["kind"]], size=done["bytes"]))
    click.echo(_verified(ctx.lang, ctx.engine))


@click.command(cls=Command, help=D_("Restore a backup made by 'cocrea backup' into the database, then verify its "
                                    "audit trail. A database that already holds data is replaced only with "
                                    "--replace."))
@argument("file")
@option("--replace", is_flag=True, help=D_("replace the data the database holds (it is lost)"))
@click.pass_obj
@guard
def restore(ctx: Ctx, file: str, replace: bool) -> None:
    import migrations
    from storage.backup import restore as put_back
    from storage.db import open_database

    click.echo(ctx.described())
    engine = open_database(ctx.url, create=True)  # not migrated first: the backup brings its own schema
    done = put_back(engine, Path(file), replace=replace)
    migrations.upgrade(engine)  # a backup of an older version is brought up to date
    from workflow.signin import end_every_session

    end_every_session(engine)  # sign-ins of the backup's time do not come back to life
    click.echo(gettext(ctx.lang, "Backup restored: {file} ({kind}).").format(file=done["file"], kind=KINDS[done["kind"]]))
    click.echo(_verified(ctx.lang, engine))
