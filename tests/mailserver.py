"""A real SMTP server on loopback for tests: aiosmtpd's Controller on a free port.

The handler records every accepted message (parsed with the standard library) and can
inject replies: ``handler.rcpt_codes[address] = [451, 451]`` answers the next two RCPT TO
for that address with 451, ``handler.data_codes[address] = [550]`` refuses the next DATA.
``handler.on_message`` is called with each accepted message before the server answers 250.
"""
from __future__ import annotations

import email
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default
from typing import Callable, Iterator

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes

    @property
    def message_id(self) -> str:
        return self.message["Message-ID"]


class Recorder:
    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.rcpt_codes: dict[str, list[int]] = {}
        self.data_codes: dict[str, list[int]] = {}
        self.on_message: Callable[[Received], None] | None = None
        self.lock = threading.Lock()
        self.refused: list[tuple[str, int]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            codes = self.rcpt_codes.get(address)
            code = codes.pop(0) if codes else None
            if code:
                self.refused.append((address, code))
        if code:
            return f"{code} {'4.2.1 try again later' if code < 500 else '5.1.1 no such mailbox'} (injected)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                codes = self.data_codes.get(rcpt)
                if codes:
                    code = codes.pop(0)
                    self.refused.append((rcpt, code))
                    return f"{code} {'4.3.0 temporary problem' if code < 500 else '5.7.1 message rejected'} (injected)"
            received = Received(envelope.mail_from, list(envelope.rcpt_tos),
                                email.message_from_bytes(envelope.content, policy=default), envelope.content)
            self.messages.append(received)
        if self.on_message:
            self.on_message(received)
        return "250 Message accepted for delivery"

    def by_id(self) -> dict[str, list[Received]]:
        out: dict[str, list[Received]] = {}
        for m in self.messages:
            out.setdefault(m.message_id, []).append(m)
        return out


@contextmanager
def smtp_server(handler: Recorder | None = None) -> Iterator[tuple[str, int, Recorder]]:
    handler = handler or Recorder()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield "127.0.0.1", controller.port, handler
    finally:
        controller.stop()


def mail_config(host: str | None, port: int | None, **delivery):
    """Mail settings pointing at the test server (no host: .eml files)."""
    from notifications.config import DeliveryPolicy, MailConfig, SmtpSettings

    smtp = SmtpSettings(host=host, port=port, security="none", sender="avisos@cocrea.example",
                        sender_name="cocrea", concurrency=delivery.pop("concurrency", 2))
    return MailConfig(smtp, DeliveryPolicy(**delivery))


def tick(db, clock, config) -> dict:
    """One worker tick (sweep, then delivery) at the clock's time."""
    from notifications.worker import Worker
    from workflow.retention import purge_due

    return Worker(db, config, clock=clock, worker="test-worker", purge=purge_due).tick()
