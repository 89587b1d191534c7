"""Persistence: SQLModel tables, engines, and loading a process's records.

The names below are imported on first use (:func:`__getattr__`), not with the package: a quick
read (:mod:`storage.plain`, the command line's ``status``) imports neither SQLAlchemy nor SQLModel.
"""
from __future__ import annotations

import importlib

#: name -> the module of this package that defines it.
_HOMES = {"database_url": "settings", "describe": "db", "is_sqlite": "db", "make_engine": "db",
          "transaction": "db", "load_records": "records", "process_by_slug": "lookup", "PRIVATE_FIELDS": "models"}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'storage' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
