"""Building the email bytes: headers sanitised, text and HTML parts, optional attachments.

Written by hand rather than with ``email.message.EmailMessage``, because the standard library
builds the same session notice one to two orders of magnitude slower
(``benchmarks/bench_mime.py``; on a shared 2-core machine, medians: 21 ms against 0.29 ms per
message), and sending hundreds of reminders a second leaves no room for that. Tests parse its
output back with the standard library to hold it to the RFCs.

Header injection: every header value built from data (names, subjects, addresses) goes
through :func:`clean_header`, which removes CR, LF and every other control character, so
no value can start a new header; non-ASCII text is sent as RFC 2047 encoded words.
"""
from __future__ import annotations

import binascii
import functools
import itertools
import re
import uuid
from dataclasses import dataclass, field
from email.utils import formataddr, formatdate

from stages.errors import BadAddress

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u0085]+")
_ADDR = re.compile(r"^[^@\s<>()\[\],;:\\\"]+@[A-Za-z0-9.-]+$")
MAX_HEADER = 300


def clean_header(value: str, limit: int = MAX_HEADER) -> str:
    """One line of text: control characters become spaces, runs of spaces collapse."""
    value = str(value)
    if not value.isprintable():  # CR, LF, NUL, U+2028 ... are not printable; most values skip the regex
        value = _CONTROL.sub(" ", value)
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def check_address(addr: str) -> str:
    addr = (addr or "").strip()
    if not _ADDR.match(addr) or len(addr) > 254:
        raise BadAddress(addr)
    return addr


def encoded_words(value: str) -> str:
    """RFC 2047 ``=?utf-8?b?...?=`` words of at most 75 characters, folded with CRLF SP.

    Each word holds whole characters (at most 45 UTF-8 bytes, 60 base64 characters), as many as
    fit: the UTF-8 bytes are cut every 45, each cut moved back to the start of its character.
    ``email.header.Header`` does the same at ~1.5 ms per subject; this takes microseconds.
    """
    data = value.encode("utf-8")
    words, start = [], 0
    while True:
        end = start + 45
        if end >= len(data):
            words.append(data[start:])
            break
        while data[end] & 0xC0 == 0x80:  # a continuation byte: the character starts before
            end -= 1
        words.append(data[start:end])
        start = end
    return "\r\n ".join("=?utf-8?b?" + binascii.b2a_base64(w, newline=False).decode("ascii") + "?=" for w in words)


def encode_header(value: str) -> str:
    value = clean_header(value)
    return value if value.isascii() else encoded_words(value)


@functools.lru_cache(maxsize=4096)
def address(name: str | None, addr: str) -> str:
    addr = check_address(addr)
    name = clean_header(name or "", 120)
    if not name:
        return addr
    return formataddr((name, addr)) if name.isascii() else f"{encoded_words(name)} <{addr}>"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. 'text/calendar; method=PUBLISH'
    data: bytes


@dataclass
class Mail:
    sender: str
    sender_name: str
    to: str
    to_name: str
    subject: str
    text: str
    html: str
    message_id: str  # without angle brackets
    lang: str = "es"
    attachments: list[Attachment] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


def _qp(text: str) -> bytes:
    """Quoted-printable of ``text`` with CRLF line ends: the bytes of ``binascii.b2a_qp(..., istext=True)``
    on the whole, made line by line. b2a_qp's encoding of a line depends on that line alone, given
    CRLF ends (the last line, without one, is encoded after an empty line then removed: the first
    line end is what tells b2a_qp its soft breaks are CRLF), so each distinct line is encoded once
    per process: most lines of a reminder (the layout, the HTML's styles) are the same in every
    message of a kind (measured: ~22 -> ~8 µs a reminder; ``tests/test_notifications_render.py``
    holds it to b2a_qp)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    last = lines.pop()
    if not lines:  # one line, no line end: b2a_qp's soft breaks are then LF (kept as they were)
        return binascii.b2a_qp(last.encode("utf-8"), istext=True)
    cache = _QP_LINES
    if len(cache) > _QP_CACHE_SIZE:
        cache.clear()
    out = []
    for line in lines:
        encoded = cache.get(line)
        if encoded is None:
            encoded = cache[line] = binascii.b2a_qp((line + "\r\n").encode("utf-8"), istext=True)
        out.append(encoded)
    if last:
        out.append(binascii.b2a_qp(("\r\n" + last).encode("utf-8"), istext=True)[2:])
    return b"".join(out)


_QP_LINES: dict[str, bytes] = {}
_QP_CACHE_SIZE = 20_000


def _b64(data: bytes) -> bytes:
    raw = binascii.b2a_base64(data, newline=False)
    return b"\r\n".join(raw[i:i + 76] for i in range(0, len(raw), 76))


def _part(content_type: str, body: bytes, encoding: str, extra: str = "") -> bytes:
    head = f"Content-Type: {content_type}\r\nContent-Transfer-Encoding: {encoding}\r\n{extra}\r\n"
    return head.encode("ascii") + body


#: A multipart boundary: ``=_`` never occurs in quoted-printable (``=`` starts a hex escape there) nor
#: in base64, the only encodings of the parts, so a boundary only has to differ from the other
#: boundaries of its message: a counter, after a random prefix drawn once per process (a uuid4 a
#: message read the system's random source each time).
_BOUNDARY_PREFIX = f"=_cocrea_{uuid.uuid4().hex[:16]}"
_BOUNDARIES = itertools.count()


def _multipart(subtype: str, parts: list[bytes]) -> tuple[str, bytes]:
    boundary = f"{_BOUNDARY_PREFIX}{next(_BOUNDARIES):016x}"
    sep = f"--{boundary}\r\n".encode()
    body = b"".join(sep + p + b"\r\n" for p in parts) + f"--{boundary}--\r\n".encode()
    return f'multipart/{subtype}; boundary="{boundary}"', body


@functools.lru_cache(maxsize=64)
def _cached_date(date: float) -> str:
    return formatdate(date, usegmt=True)


def _date(date: float | None) -> str:
    return formatdate(None, usegmt=True) if date is None else _cached_date(date)


def build(mail: Mail, date: float | None = None) -> bytes:
    """The message as bytes, CRLF line endings, ready for SMTP ``DATA``."""
    alternative = [_part('text/plain; charset="utf-8"', _qp(mail.text), "quoted-printable"),
                   _part('text/html; charset="utf-8"', _qp(mail.html), "quoted-printable")]
    ctype, body = _multipart("alternative", alternative)
    if mail.attachments:
        parts = [f"Content-Type: {ctype}\r\n\r\n".encode() + body]
        for a in mail.attachments:
            name = re.sub(r"[^A-Za-z0-9._-]", "_", a.filename) or "adjunto"
            parts.append(_part(f'{a.content_type}; charset="utf-8"; name="{name}"', _b64(a.data), "base64",
                               f'Content-Disposition: attachment; filename="{name}"\r\n'))
        ctype, body = _multipart("mixed", parts)
    message_id = clean_header(mail.message_id).strip("<>").replace(" ", "")
    headers = [
        ("From", address(mail.sender_name, mail.sender)),
        ("To", address(mail.to_name, mail.to)),
        ("Subject", encode_header(mail.subject)),
        ("Date", _date(date)),
        ("Message-ID", f"<{message_id}>"),
        ("MIME-Version", "1.0"),
        ("Content-Language", clean_header(mail.lang, 8)),
        ("Auto-Submitted", "auto-generated"),
        ("X-Auto-Response-Suppress", "All"),
        *((clean_header(k, 60).replace(" ", "-"), encode_header(v)) for k, v in mail.headers.items()),
        ("Content-Type", ctype),
    ]
    head = "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return head.encode("ascii") + body
