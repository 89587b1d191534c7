"""Alembic migrations of cocrea's schema; run with ``cocrea db upgrade``.

Alembic is imported only when a migration runs: a command on a database already at the newest
revision checks that with one small read (:func:`upgrade`), so reads start without it.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Engine

HERE = Path(__file__).parent


def config(engine: "Engine") -> "Config":
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["engine"] = engine
    return cfg


def newest() -> str:
    """The newest revision: migrations are numbered files, ``versions/0015_<what>.py`` holding
    revision ``'0015'`` (``tests/test_migrations.py`` holds Alembic's head to it)."""
    return max(p.name.split("_", 1)[0] for p in (HERE / "versions").glob("[0-9]*_*.py"))


def upgrade(engine: "Engine", revision: str = "head") -> None:
    """Bring the schema to ``revision``; to the head, nothing is imported or run when the database
    is there already."""
    if revision == "head" and _stored(engine) == newest():
        return
    from alembic import command

    command.upgrade(config(engine), revision)


def _stored(engine: "Engine") -> str | None:
    """The revision the database says it is at (``None``: none recorded, or more than one)."""
    from sqlalchemy import inspect

    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):  # in the default schema, as Alembic looks
            return None
        found = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    return found[0] if len(found) == 1 else None


def current(engine: "Engine") -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
