"""Persistence: SQLModel tables, engines, and loading a process's records."""
from .db import database_url, describe, is_sqlite, make_engine, transaction
from .lookup import process_by_slug
from .models import PRIVATE_FIELDS
from .records import load_records

__all__ = ["database_url", "describe", "is_sqlite", "make_engine", "transaction", "load_records", "process_by_slug",
           "PRIVATE_FIELDS"]
