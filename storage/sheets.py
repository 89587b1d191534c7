"""The two formats of the files that are imported and exported in bulk: CSV (UTF-8, a byte-order
mark accepted) and XLSX (Office Open XML, what spreadsheets save). One place reads both and
writes both, so an exported file is read back as it was written.

:func:`read` gives a file's rows as lists of text cells (trailing empty cells left out), in
bounded memory: CSV as it streams, XLSX through openpyxl's read-only mode (rows parsed one by
one from the zipped XML). It also gives the file's SHA-256: of the bytes read as they stream
(CSV), or of the whole file read once before it is opened (XLSX, whose zip is read out of
order). The format is told by the file's first bytes (an XLSX is a zip), never by its name.

:func:`write` writes a header and rows; XLSX cells are written as text cells, so a spreadsheet
program never evaluates a value that begins with ``=`` (a formula written by a participant).
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from itertools import islice
from operator import itemgetter
from typing import Any, Iterable, Iterator

from stages.errors import InvalidInput, reason

#: The formats, by the file names' extensions.
FORMATS = ("csv", "xlsx")
#: The columns of an inputs file as ``cocrea export inputs`` writes it: those ``import_inputs``
#: reads (``workflow.actions.bulk.COLUMNS``, the fields of its schema, in order) less the
#: citizens' contact data (``bulk.PRIVATE``). Written here so that an export imports neither the
#: schemas nor SQLAlchemy; ``tests/test_bulk_import.py`` checks it is what ``bulk`` gives.
EXPORTED_INPUTS = ("key", "channel", "text", "sector", "received_on", "theme")
_ZIP = b"PK\x03\x04"


def format_of(name: str) -> str:
    """The format a file name asks for (its extension); refused unless CSV or XLSX."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in FORMATS:
        raise InvalidInput([reason("sheet_format_unknown", name=name, formats=", ".join(FORMATS))])
    return ext


class _Digesting(io.RawIOBase):
    """A binary file that hashes what is read from it."""

    def __init__(self, f: Any, sha: Any):
        self.f, self.sha = f, sha

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        n = self.f.readinto(b)
        self.sha.update(memoryview(b)[:n])
        return n


def _trimmed(cells: list[str]) -> list[str]:
    n = len(cells)
    while n and cells[n - 1] == "":
        n -= 1
    return cells if n == len(cells) else cells[:n]


def _text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class Sheet:
    """The rows of a binary file opened for reading; ``sha256`` once they have all been read."""

    def __init__(self, raw: Any):
        self.raw = raw
        self.sha = hashlib.sha256()

    @property
    def sha256(self) -> str:
        return self.sha.hexdigest()

    def rows(self) -> Iterator[list[str]]:
        """Each row's cells as text, trailing empty cells left out (an empty row: ``[]``)."""
        for batch in self.batches(1000):
            yield from batch

    def batches(self, size: int) -> Iterator[list[list[str]]]:
        """The rows of :meth:`rows`, ``size`` at a time (a CSV's read by the C reader a batch at a
        time, without a Python step per row where no row ends with an empty cell)."""
        buffered = io.BufferedReader(_Digesting(self.raw, self.sha), 1 << 20)
        if buffered.peek(4)[:4] == _ZIP:
            rows = self._xlsx(buffered)
            while batch := list(islice(rows, size)):
                yield batch
            return
        with io.TextIOWrapper(buffered, encoding="utf-8-sig", newline="") as text:
            reader = csv.reader(text)
            while True:
                try:
                    batch = list(islice(reader, size))
                except (UnicodeDecodeError, csv.Error) as exc:
                    raise InvalidInput([reason("bad_file", problem=str(exc).splitlines()[0])]) from None
                if not batch:
                    return
                # an empty row is [], one ending with empty cells is trimmed: checked for the batch at once
                if not (min(map(len, batch)) and all(map(itemgetter(-1), batch))):
                    batch = [_trimmed(cells) for cells in batch]
                yield batch

    def _xlsx(self, buffered: io.BufferedReader) -> Iterator[list[str]]:
        import zipfile

        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        while buffered.read(1 << 20):  # the whole file through the digest, once
            pass
        try:
            self.raw.seek(0)
            book = load_workbook(self.raw, read_only=True, data_only=True)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, InvalidFileException) as exc:
            raise InvalidInput([reason("bad_file", problem=(str(exc).splitlines() or ["xlsx"])[0])]) from None
        try:
            for values in book.worksheets[0].iter_rows(values_only=True):
                yield _trimmed([_text(v) for v in values])
        finally:
            book.close()


def write(f: Any, fmt: str, header: Iterable[str], rows: Iterable[Iterable[Any]]) -> None:
    """Write a header and rows to the binary file ``f`` as CSV (UTF-8) or XLSX (text cells)."""
    if fmt == "csv":
        text = io.TextIOWrapper(f, encoding="utf-8", newline="", write_through=True)
        out = csv.writer(text)
        out.writerow(header)
        out.writerows([_text(v) for v in row] for row in rows)
        text.flush()
        text.detach()
        return
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet()

    def cell(value: Any) -> Any:
        c = WriteOnlyCell(sheet, value=_text(value))
        c.data_type = "s"  # text, never a formula
        return c

    sheet.append([cell(h) for h in header])
    for row in rows:
        sheet.append([cell(v) for v in row])
    book.save(f)
