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
    SMTPRecipientsRefused,
    SMTPResponseException,
    SMTPServerDisconnected,
    SMTPStatus,
)

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


#: Awaited by a lane after the envelope (MAIL, RCPT) and the content, before the final dot at which
#: the server accepts the message: the sender's wait for the previous message's "sent" mark, so no
#: message is accepted before it is committed. It may carry ``ready()``: true when it would not wait.
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


class _SMTP(aiosmtplib.SMTP):
    """aiosmtplib's client, awaiting ``before_data`` (once) before the end of the message's
    content: ``DATA`` and the content go out meanwhile, and the server accepts the message only at
    the line holding a single dot, sent once ``before_data`` has returned (if it raises, the
    connection is dropped and the server discards the message). When ``before_data.ready()`` says
    there is nothing to wait for, it is awaited first and the message sent as aiosmtplib sends it
    (content and dot in one write: one packet less for the server to read). ``sendmail``'s own
    envelope (its size and encoding options) is kept; the content is sent as aiosmtplib sends it
    (CRLF line ends, a leading dot doubled)."""

    before_data: BeforeData | None = None

    async def data(self, message: Any, *args: Any, **kwargs: Any) -> Any:
        hook, self.before_data = self.before_data, None
        if hook is None:
            return await super().data(message, *args, **kwargs)
        ready = getattr(hook, "ready", None)
        if ready is not None and ready():  # nothing to wait for: the message in one piece, as aiosmtplib sends it
            await hook()
            return await super().data(message, *args, **kwargs)
        if isinstance(message, str):
            message = message.encode("ascii")
        content = _LEADING_DOT.sub(b"..", _LINE_ENDS.sub(b"\r\n", message))
        if not content.endswith(b"\r\n"):
            content += b"\r\n"
        start = await self.execute_command(b"DATA")
        if start.code != SMTPStatus.start_input:
            raise _classify(start.code, start.message)  # as SmtpLane.send classifies aiosmtplib's
        self.protocol.write(content)  # type: ignore[union-attr]  # connected: DATA was answered
        await hook()
        done = await self.execute_command(b".")
        if done.code != SMTPStatus.completed:
            raise _classify(done.code, done.message)
        return done


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
        """Send one message; ``before_data`` is awaited once the envelope is accepted and the
        content written, before the final dot (not at all when the envelope or ``DATA`` fails); if it
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

        async def hook() -> None:
            try:
                await before_data()  # type: ignore[misc]
            except BaseException as exc:
                hook_failed.append(exc)
                raise

        hook.ready = getattr(before_data, "ready", None)  # type: ignore[attr-defined]
        self.smtp.before_data = hook if before_data is not None else None
        try:
            await self.smtp.sendmail(sender, [recipient], data)
        except SMTPRecipientsRefused as exc:
            first = exc.recipients[0]
            raise _classify(first.code, first.message) from None
        except DeliveryFailure as exc:  # a reply to DATA or to the final dot (_SMTP.data), classified
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
        finally:
            if self.smtp is not None:
                self.smtp.before_data = None

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
