"""Where messages go: an SMTP server (aiosmtplib), or a folder of .eml files.

A transport hands out *lanes*; a lane sends one message at a time and keeps its SMTP
connection open between messages (it saves the connection, TLS handshake and login of
every message but the first). Failures are classified for the sender:

- :class:`TemporaryFailure`: a 4xx reply, a refused or dropped connection, a timeout, a
  failed login or TLS negotiation — retried later with backoff;
- :class:`PermanentFailure`: a 5xx reply to the message (unknown mailbox, rejected
  content) or an address that cannot be sent to — recorded as failed, not retried.
"""
from __future__ import annotations

import asyncio
import os
import re
import uuid
from pathlib import Path
from typing import Any, Awaitable, Callable, Protocol

import aiosmtplib
from aiosmtplib import (
    SMTPException,
    SMTPNotSupported,
    SMTPResponseException,
    SMTPServerDisconnected,
    SMTPStatus,
    SMTPTimeoutError,
)
from aiosmtplib.email import quote_address

from stages.errors import (
    BadAddress,
    DeliveryFailure,
    PermanentFailure,
    TemporaryFailure,
)

from .config import SmtpSettings
from .mime import check_address


def _classify(code: int, message: str) -> DeliveryFailure:
    text = f"{code} {message}".strip()
    return PermanentFailure(text, code) if 500 <= code < 600 else TemporaryFailure(text, code)


#: Awaited by a lane after the envelope (MAIL, RCPT) and ``DATA``, before the content and the final
#: dot at which the server accepts the message: the sender's wait for the previous message's "sent"
#: mark, so no message is accepted before it is committed.
BeforeData = Callable[[], Awaitable[None]]


class Lane(Protocol):
    async def send(self, sender: str, recipient: str, data: bytes, key: str,
                   before_data: BeforeData | None = None) -> None: ...

    async def close(self) -> None: ...


class Transport(Protocol):
    concurrency: int

    def lane(self) -> Lane: ...

    def describe(self) -> str: ...


_LINE_ENDS = re.compile(rb"(?:\r\n|\n|\r(?!\n))")
_LEADING_DOT = re.compile(rb"(?m)^\.")


def wire(message: bytes) -> bytes:
    """The content of a message as it goes out after ``DATA``, without the final dot: CRLF line
    ends, a leading dot doubled, ending with CRLF (what aiosmtplib's ``data`` makes of it). A message
    that is already so (cocrea's are: ``mime.build`` writes CRLF, and quoted-printable and base64
    lines never start with a dot) is returned as it is, found by three scans in C instead of two
    regular-expression rewrites of the whole message."""
    crlf = message.count(b"\r\n")
    if (message.count(b"\n") == crlf == message.count(b"\r") and message.endswith(b"\r\n")
            and not message.startswith(b".") and b"\n." not in message):
        return message
    content = _LEADING_DOT.sub(b"..", _LINE_ENDS.sub(b"\r\n", message))
    return content if content.endswith(b"\r\n") else content + b"\r\n"


#: The envelope addresses as they go on ``MAIL FROM:`` and ``RCPT TO:``, quoted by aiosmtplib's own
#: ``quote_address`` (which parses the address with ``email.utils.parseaddr``: ~13% of a message's
#: client CPU when ``sendmail`` did it twice a message); kept per address, the same few recur.
_QUOTED: dict[str, bytes] = {}


def quoted(address: str) -> bytes:
    q = _QUOTED.get(address)
    if q is None:
        if len(_QUOTED) >= 4096:
            _QUOTED.clear()
        q = _QUOTED[address] = quote_address(address).encode("ascii")
    return q


class _SMTP(aiosmtplib.SMTP):
    """aiosmtplib's client with one mail transaction of one recipient (:meth:`transact`) made of
    its commands (``MAIL``, ``RCPT``, ``DATA``; ``SIZE`` when the server offers it, as ``sendmail``
    gives it), the addresses quoted once (:func:`quoted`) and the content ready for the wire
    (:func:`wire`). ``before_data`` is awaited (once) after ``DATA`` is answered, before the
    content and the line holding a single dot, at which the server accepts the message, go out
    in one write (if it raises, the connection is dropped and the server discards the message).
    Measured: holding the content back too costs less than writing it before the wait and the
    dot after it (one write and one read of the server less a message; benchmarks/RESULTS.md,
    "Branch mark"). A refused command is classified (:func:`_classify`), the envelope reset
    (``RSET``) as ``sendmail`` resets it."""

    async def transact(self, mail_from: bytes, rcpt_to: bytes, content: bytes,
                       before_data: BeforeData | None = None) -> None:
        await self._ehlo_or_helo_if_needed()
        size = (b"SIZE=%d" % len(content),) if self.supports_extension("size") else ()
        reply = await self.execute_command(b"MAIL", b"FROM:" + mail_from, *size)
        if reply.code != SMTPStatus.completed:
            await self._refused(reply)
        reply = await self.execute_command(b"RCPT", b"TO:" + rcpt_to)
        if reply.code not in (SMTPStatus.completed, SMTPStatus.will_forward):
            await self._refused(reply)
        reply = await self.execute_command(b"DATA")
        if reply.code != SMTPStatus.start_input:
            await self._refused(reply)
        if before_data is not None:
            await before_data()
        self._write(content + b".\r\n")  # content and final dot in one write
        try:
            reply = await self.protocol.read_response(timeout=self.timeout)  # type: ignore[union-attr]
        except (SMTPServerDisconnected, SMTPTimeoutError):
            self.close()
            raise
        if reply.code != SMTPStatus.completed:
            await self._refused(reply)

    def _write(self, data: bytes) -> None:
        if self.protocol is None:
            raise TemporaryFailure("disconnected: connection lost")
        self.protocol.write(data)

    async def _refused(self, reply: Any) -> None:
        """Raise the classified refusal, the envelope reset first (not after a 421: closing)."""
        if reply.code != 421 and self.is_connected:
            try:
                await self.rset()
            except (SMTPException, OSError, asyncio.TimeoutError):
                pass
        raise _classify(reply.code, reply.message)


class SmtpLane:
    """One persistent SMTP connection, opened on first use and reopened after a failure."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self.smtp: _SMTP | None = None

    async def _connect(self) -> _SMTP:
        s = self.settings
        smtp = _SMTP(hostname=s.host, port=s.effective_port, use_tls=s.security == "tls",
                               start_tls=True if s.security == "starttls" else False, timeout=s.timeout,
                               username=s.user, password=s.password, cert_bundle=s.ca_file)
        try:
            await smtp.connect()
        except SMTPException as exc:
            smtp.close()
            raise TemporaryFailure(f"connection: {type(exc).__name__}: {exc}",
                                   getattr(exc, "code", None)) from None
        except (OSError, asyncio.TimeoutError) as exc:
            raise TemporaryFailure(f"connection: {type(exc).__name__}: {exc}") from None
        return smtp

    async def send(self, sender: str, recipient: str, data: bytes, key: str,
                   before_data: BeforeData | None = None) -> None:
        """Send one message; ``before_data`` is awaited once the envelope and ``DATA`` are accepted,
        before the content and the final dot (not at all when the envelope or ``DATA`` fails); if it
        raises, the connection is dropped (the server discards the unfinished message) and the
        error goes to the caller."""
        try:
            recipient = check_address(recipient)
            if not recipient.isascii():
                raise BadAddress(recipient)
        except BadAddress:
            raise PermanentFailure(f"dirección no válida / invalid address: {recipient!r}") from None
        if self.smtp is None or not self.smtp.is_connected:
            self.smtp = await self._connect()
        hook_failed: list[BaseException] = []
        hook: BeforeData | None = None
        if before_data is not None:
            async def hook() -> None:
                try:
                    await before_data()
                except BaseException as exc:
                    hook_failed.append(exc)
                    raise

        try:
            await self.smtp.transact(quoted(sender), quoted(recipient), wire(data), hook)
        except DeliveryFailure as exc:  # a refused command (_SMTP.transact), classified
            if exc.code in (421,):  # the server is closing the channel
                await self._drop()
            raise
        except SMTPServerDisconnected as exc:
            await self._drop()
            raise TemporaryFailure(f"disconnected: {exc}") from None
        except SMTPResponseException as exc:
            if exc.code in (421,):  # the server is closing the channel
                await self._drop()
            raise _classify(exc.code, exc.message) from None
        except (SMTPNotSupported, SMTPException, OSError, asyncio.TimeoutError) as exc:
            await self._drop()
            if hook_failed:
                raise
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from None
        except BaseException:
            await self._drop()  # the sender's wait failed (or was cancelled) inside the transaction
            raise

    async def _drop(self) -> None:
        if self.smtp is not None:
            self.smtp.close()
        self.smtp = None

    async def close(self) -> None:
        if self.smtp is not None and self.smtp.is_connected:
            try:
                await self.smtp.quit()
            except (SMTPException, OSError, asyncio.TimeoutError):
                self.smtp.close()
        self.smtp = None


class SmtpTransport:
    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self.concurrency = settings.concurrency

    def lane(self) -> SmtpLane:
        return SmtpLane(self.settings)

    def describe(self) -> str:
        return self.settings.describe()


class EmlLane:
    """Writes ``<key>.eml`` atomically (temporary file, fsync, rename): a repeated delivery
    of the same reminder rewrites the same file, so the folder never holds a duplicate."""

    def __init__(self, folder: Path):
        self.folder = folder

    async def send(self, sender: str, recipient: str, data: bytes, key: str,
                   before_data: BeforeData | None = None) -> None:
        try:
            check_address(recipient)
        except BadAddress:
            raise PermanentFailure(f"dirección no válida / invalid address: {recipient!r}") from None
        if before_data is not None:
            await before_data()
        name = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in key)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.folder / f".{name}.{uuid.uuid4().hex}.tmp"
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.folder / f"{name}.eml")
        except OSError as exc:
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from None

    async def close(self) -> None:
        return None


class EmlTransport:
    concurrency = 1

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)

    def lane(self) -> EmlLane:
        return EmlLane(self.folder)

    def describe(self) -> str:
        return f".eml → {self.folder.resolve()}"


def transport_for(settings: SmtpSettings) -> SmtpTransport | EmlTransport:
    """SMTP when a host is configured; otherwise the .eml folder (nothing leaves the machine)."""
    return SmtpTransport(settings) if settings.uses_smtp else EmlTransport(settings.outbox_dir)
