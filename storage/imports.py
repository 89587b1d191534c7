"""Files imported in bulk (``import_inputs``): what each file was, and the digest of each row.

One :class:`BulkImport` per applied import: the file's name and SHA-256, its row count, how
many rows were added and how many were already present, and the Merkle root (RFC 6962) of the
rows' digests, which the import's audit entry also holds. The rows' digests themselves (the
tree's leaves, 32 bytes each, in the file's order) are kept in chunks
(:class:`BulkImportDigests`), so that any single row can later be proved to belong to the file
the audit entry names (``reads.imports.prove``) without keeping the file.
"""
# No ``from __future__ import annotations``: pydantic would evaluate every field's annotation from
# its text when the class is built; here they are objects already (branch boot: the schemas' import
# 40% shorter, the tables' 7%).
import datetime as dt
from typing import Optional

from sqlalchemy import Column, LargeBinary, UniqueConstraint
from sqlmodel import Field

from .types import Table, UTCDateTime

#: Leaves (row digests) per stored chunk.
CHUNK = 4096


class BulkImport(Table, table=True):
    __tablename__ = "bulk_import"
    __table_args__ = (UniqueConstraint("process_id", "key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    process_id: int = Field(foreign_key="process.id", index=True)
    key: str
    kind: str  # inputs
    file_name: str = ""
    file_sha256: str = Field(max_length=64)
    rows: int
    added: int
    present: int
    merkle_root: str = Field(max_length=64)
    at: Optional[dt.datetime] = Field(default=None, sa_column=Column(UTCDateTime(), nullable=False))


class BulkImportDigests(Table, table=True):
    """Rows ``chunk * CHUNK`` to ``chunk * CHUNK + n - 1`` (0-based, in the file's order) of an
    import: their leaf hashes, concatenated."""
    __tablename__ = "bulk_import_digests"
    import_id: int = Field(foreign_key="bulk_import.id", primary_key=True)
    chunk: int = Field(primary_key=True)
    digests: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


