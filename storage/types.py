"""Column types: UTC datetimes that round-trip the same on SQLite and PostgreSQL (JSON is read by
:func:`storage.plain.loads_json`); and :class:`Table`, the base of the tables."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel
from sqlmodel.main import SQLModelConfig

from stages.errors import Misuse

UTC = dt.timezone.utc


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC; refuses naive input so no local time slips in."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise Misuse("naive datetime given; cocrea stores timezone-aware UTC only")
        return value.astimezone(UTC).replace(tzinfo=None)

    def bind_processor(self, dialect):
        """:meth:`process_bind_param` and the dialect's own conversion as one function (TypeDecorator
        chains them; SQLite's builds its text from a dict of seven fields): on SQLite, when its text is
        the one ``isoformat(" ", "microseconds")`` writes of a naive time (SQLAlchemy's default format,
        checked here on a probe), that text is written directly."""
        impl = self.impl_instance.dialect_impl(dialect).bind_processor(dialect)
        probe = dt.datetime(2026, 1, 2, 3, 4, 5, 6)
        text = impl is not None and impl(probe) == probe.isoformat(" ", "microseconds")

        def process(value):
            if value is None:
                return None
            if value.tzinfo is None:
                raise Misuse("naive datetime given; cocrea stores timezone-aware UTC only")
            value = value.astimezone(UTC).replace(tzinfo=None)
            if text:
                return value.isoformat(" ", "microseconds")
            return value if impl is None else impl(value)
        return process

    def result_processor(self, dialect, coltype):
        """Aware UTC from what the driver gives, as one function (a read of many rows calls it
        once a value; TypeDecorator's ``process_result_value`` chains three calls, and
        ``datetime.replace`` is several times slower than building the aware value directly):
        SQLite's text is read with a UTC offset; a driver's naive datetime gets UTC attached."""
        impl = self.impl_instance.result_processor(dialect, coltype)
        parse, combine = dt.datetime.fromisoformat, dt.datetime.combine

        def process(value):
            if value is None:
                return None
            if value.__class__ is str:
                try:
                    return parse(value + "+00:00")
                except ValueError:  # not SQLAlchemy's storage format: the dialect's own reading
                    value = impl(value) if impl else parse(value)
            return combine(value, value.timetz(), UTC)
        return process


class Table(SQLModel):
    """The base of the tables (``class Process(Table, table=True)``): a table's pydantic validator and
    serializer are built at their first use (``defer_build``), not at import. Rows are made by
    SQLAlchemy and by the actions (which validate their payloads with ``workflow.schemas``), so a
    command no longer builds some forty validators it never runs (~15% of the tables' import)."""

    model_config = SQLModelConfig(defer_build=True)
