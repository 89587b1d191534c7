"""MIME benchmark: the hand-written builder (``notifications.mime.build``) against the standard
library's ``email.message.EmailMessage`` building the same message (run on demand, not a test).

The message is a session notice as the reminders send it: Spanish subject and names (encoded
words), a text and an HTML part as ``multipart/alternative``, and an iCalendar attachment. Each
repeat builds ``--messages`` messages with one builder, then the other (the order alternates);
the figure is microseconds per message, min / median / max over the repeats.

    .venv/bin/python benchmarks/bench_mime.py --messages 2000 --repeat 7
"""
from __future__ import annotations

import argparse
import statistics
import time
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate

from notifications.mime import Attachment, Mail, build

TEXT = "Sesión ordinaria del Secretariado Técnico Local.\nOrden del día: avance de compromisos.\n" * 6
HTML = "<p>Sesión ordinaria del <b>Secretariado Técnico Local</b>.</p><p>Orden del día: avance.</p>" * 6
ICS = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:PUBLISH\r\nBEGIN:VEVENT\r\nUID:s1@cocrea\r\n"
       "DTSTART:20260310T170000Z\r\nSUMMARY:Sesión S1\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode()


def mail(n: int) -> Mail:
    return Mail(sender="avisos@example.org", sender_name="Cocreación Jalisco", to=f"persona{n}@example.org",
                to_name="Integrante Núñez", subject="Aviso: sesión S1 el 10 de marzo", text=TEXT, html=HTML,
                message_id=f"m{n}@cocrea.example.org",
                attachments=[Attachment("sesion.ics", "text/calendar; method=PUBLISH", ICS)])


def stdlib(m: Mail, date: float) -> bytes:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = Address(m.sender_name, addr_spec=m.sender)
    msg["To"] = Address(m.to_name, addr_spec=m.to)
    msg["Subject"] = m.subject
    msg["Date"] = formatdate(date)
    msg["Message-ID"] = f"<{m.message_id}>"
    msg["Content-Language"] = m.lang
    msg.set_content(m.text)
    msg.add_alternative(m.html, subtype="html")
    for a in m.attachments:
        maintype, subtype = a.content_type.split(";")[0].split("/")
        msg.add_attachment(a.data, maintype=maintype, subtype=subtype, filename=a.filename)
    return msg.as_bytes()


def run(builder, mails: list[Mail], date: float) -> float:
    start = time.perf_counter()
    for m in mails:
        builder(m, date)
    return (time.perf_counter() - start) / len(mails) * 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    mails = [mail(n) for n in range(args.messages)]
    date = time.time()
    builders = {"cocrea (notifications.mime)": lambda m, d: build(m, d), "stdlib (EmailMessage)": stdlib}
    figures: dict[str, list[float]] = {name: [] for name in builders}
    for r in range(args.repeat):
        for name in (list(builders) if r % 2 == 0 else list(reversed(builders))):
            figures[name].append(run(builders[name], mails, date))
    for name, xs in figures.items():
        print(f"{name:28} µs/message  min {min(xs):8.1f}  median {statistics.median(xs):8.1f}  max {max(xs):8.1f}")
    ratio = statistics.median(figures["stdlib (EmailMessage)"]) / statistics.median(figures["cocrea (notifications.mime)"])
    print(f"stdlib / cocrea (medians): {ratio:.1f}x")


if __name__ == "__main__":
    main()
