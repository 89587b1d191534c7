"""Files given as evidence of progress: checked, stored once by their SHA-256, served once cited.

A file is bookkeeping like a sign-in (``storage.accounts``), not a fact of the process: the fact
is the progress report that cites it, recorded by ``report_progress`` (its action, its audit
entry) with the file's address, which holds its hash. So the trail proves which file was cited,
and :func:`published` serves a file only when a progress report of its process cites it.

Limits: at most :data:`MAX_BYTES`; only the types in :data:`TYPES`, recognised by their name's
extension *and* their first bytes (a renamed executable is refused); text must be UTF-8.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from stages.errors import InvalidInput
from storage import process_by_slug, transaction
from storage.accounts import EvidenceFile
from storage.models import ProgressReport

MAX_BYTES = 10 * 1024 * 1024
#: extension -> (content type, the bytes it starts with; None: UTF-8 text)
TYPES: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", (b"PK\x03\x04",)),
    "csv": ("text/csv; charset=utf-8", None),
    "txt": ("text/plain; charset=utf-8", None),
}
PATH = "/evidencia/"
#: The types a browser may show in its own window (checked by their first bytes when given: a
#: document or a picture, never markup or a script); any other file is downloaded, never opened.
INLINE = frozenset({"application/pdf", "image/png", "image/jpeg"})


@dataclass(frozen=True)
class Stored:
    sha256: str
    name: str
    content_type: str
    size: int


class EvidenceRefused(InvalidInput):
    """A file that cannot be kept: ``code`` (``evidence_empty``, ``evidence_too_large``,
    ``evidence_type``) and its details; the web says it in words."""

    def __init__(self, code: str, **details):
        super().__init__(code)  # its message is the web's (``web.i18n``), where files are given
        self.code, self.details = code, details


def check(name: str, data: bytes) -> str:
    """The content type of an acceptable file; :class:`EvidenceRefused` otherwise."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if len(data) == 0:
        raise EvidenceRefused("evidence_empty", name=name)
    if len(data) > MAX_BYTES:
        raise EvidenceRefused("evidence_too_large", name=name, limit=MAX_BYTES // (1024 * 1024))
    kind = TYPES.get(ext)
    if kind is None or not (data.startswith(kind[1]) if kind[1] else _utf8(data)):
        raise EvidenceRefused("evidence_type", name=name, kinds=", ".join(sorted(TYPES)))
    return kind[0]


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in data


def store(engine: Engine, slug: str, name: str, data: bytes, handle: str, now: dt.datetime) -> Stored:
    """Check and keep a file (once per process and content); its SHA-256 names it."""
    name = (name or "evidencia").replace("/", "_").replace("\\", "_")[-200:]
    content_type = check(name, data)
    digest = hashlib.sha256(data).hexdigest()
    with transaction(engine) as db:
        process = process_by_slug(db, slug)
        found = db.exec(select(EvidenceFile).where(EvidenceFile.process_id == process.id,
                                                   EvidenceFile.sha256 == digest)).first()
        if found is None:
            db.add(EvidenceFile(process_id=process.id, sha256=digest, name=name, content_type=content_type,
                                size=len(data), data=data, uploaded_by=handle, uploaded_at=now))
    return Stored(digest, name, content_type, len(data))


def address(public_url: str, slug: str, stored: Stored) -> str:
    from urllib.parse import quote

    return f"{public_url}{PATH}{quote(slug)}/{stored.sha256}/{quote(stored.name)}"


def published(read_engine: Engine, slug: str, sha256: str) -> tuple[str, str, bytes] | None:
    """(name, content type, bytes) of a file a progress report of the process cites; else None."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        return None
    with Session(read_engine) as db:
        try:
            process = process_by_slug(db, slug)
        except Exception:  # no such process: nothing to serve
            return None
        row = db.exec(select(EvidenceFile).where(EvidenceFile.process_id == process.id,
                                                 EvidenceFile.sha256 == sha256)).first()
        if row is None:
            return None
        cited = db.exec(select(ProgressReport.id).where(ProgressReport.process_id == process.id,
                                                        ProgressReport.evidence_ref.contains(sha256))).first()
        return (row.name, row.content_type, row.data) if cited else None
