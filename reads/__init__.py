"""The read side: typed views of a process shared by the CLI, the web pages and the API.

Nothing here writes a fact of a process (only the actions do); :mod:`.accounts` also keeps the
bookkeeping of signing in (sessions, sign-in limits), which is not one. Modules: :mod:`.status` (where a process stands, its history, the audit
check), :mod:`.public` (everything the standards ask to publish, nothing personal),
:mod:`.workspace` (what a signed-in person may do now), :mod:`.checks` (the compliance report,
also as of a past date through :mod:`.replay`), :mod:`.reminders`, :mod:`.accounts`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def reader_engine(engine: Engine) -> Engine:
    """For a SQLite file, a second engine whose read transactions never take the write lock
    (WAL readers see the last commit); any other database reads through ``engine`` itself."""
    from storage import is_sqlite, make_engine

    if not is_sqlite(engine) or engine.url.database in (None, "", ":memory:"):
        return engine
    return make_engine(engine.url.render_as_string(hide_password=False), read_only=True)
