"""Reminders through a real SMTP server on loopback (aiosmtpd), on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

import pytest
from builders import process_at
from click.testing import CliRunner
from icalendar import Calendar
from mailserver import Recorder, free_port, mail_config, smtp_server, tick
from sqlmodel import Session, select

from reads import reminders as rem
from storage.outbox import OutboxMessage

DOMAIN = "cocrea.example"


@pytest.fixture
def smtp():
    with smtp_server() as server:
        yield server


def body(message, subtype: str) -> str:
    """A text part, decoded, with the wire's CRLF line ends as newlines."""
    return message.get_body((subtype,)).get_content().replace("\r\n", "\n")


def rows(db) -> dict[str, OutboxMessage]:
    with Session(db) as s:
        return {r.key: r for r in s.exec(select(OutboxMessage))}


def convene(p, key: str = "S9", days: int = 2, **kw) -> None:
    when = p.clock.now() + dt.timedelta(days=days)
    p("convene_session", key=key, scheduled_for=when.isoformat(), place="Sala de juntas, Palacio de Gobierno",
      agenda=["Instalación del secretariado", "Calendario de la consulta"], **kw)


def test_a_session_notice_arrives_once_to_each_member_with_both_parts_and_the_calendar(db, clock, smtp):
    host, port, server = smtp
    config = mail_config(host, port)
    p = process_at(db, clock, "consultation")
    p("add_person", handle="acad", name="Academia UdeG", role="member", sector="academia", email="acad@example.org",
      lang="en")
    tick(db, clock, config)
    server.messages.clear()

    starts = clock.now() + dt.timedelta(days=2)
    convene(p)
    result = tick(db, clock, config)
    assert result["sent"] == 4 and tick(db, clock, config)["sent"] == 0  # a second sweep sends nothing again

    got = {m.rcpt_tos[0]: m for m in server.messages}
    assert sorted(got) == ["acad@example.org", "garante@example.org", "gob@example.org", "osc@example.org"]
    es, en = got["gob@example.org"].message, got["acad@example.org"].message
    key = es["X-Cocrea-Reminder"]
    assert es["Message-ID"] == f"<{key}@{DOMAIN}>" and key.startswith("session_notice.")
    assert str(es["Subject"]).startswith("Sesión S9 del secretariado: ")
    assert str(en["Subject"]).startswith("Session S9 of the secretariat: ")
    assert es["To"] == "Integrante gob <gob@example.org>" and es["From"] == f"cocrea <avisos@{DOMAIN}>"
    assert es["Auto-Submitted"] == "auto-generated" and es["Content-Language"] == "es"
    text = body(es, "plain")
    html = body(es, "html")
    assert "Orden del día:\n  1. Instalación del secretariado\n  2. Calendario de la consulta" in text
    assert "Lugar: Sala de juntas, Palacio de Gobierno" in text
    assert "<li>Instalación del secretariado</li>" in html
    assert "porque integra el secretariado" in text and "pida a la coordinación" in text  # why, and how to stop
    (ics,) = [part for part in es.iter_attachments()]
    assert ics.get_content_type() == "text/calendar" and ics.get_filename() == "sesion.ics"
    cal = Calendar.from_ical(ics.get_content())
    (event,) = cal.walk("VEVENT")
    assert cal["METHOD"] == "PUBLISH" and event["UID"] == f"session.p.S9@{DOMAIN}"
    start = event.decoded("DTSTART")
    assert start.utcoffset() == dt.timedelta(0) and start == starts
    assert event["SUMMARY"] == "Sesión S9 — Proceso p" and event["LOCATION"] == "Sala de juntas, Palacio de Gobierno"
    assert event["DESCRIPTION"] == "1. Instalación del secretariado\n2. Calendario de la consulta"
    assert body(en, "plain").startswith("Hello Academia UdeG,")
    assert [a.get_filename() for a in en.iter_attachments()] == ["session.ics"]
    stored = rows(db)[key]
    assert stored.status == "sent" and stored.attempts == 1 and stored.subject == "S9"  # what it is about


def test_temporary_failures_are_retried_with_backoff_until_delivered(db, clock, smtp):
    host, port, server = smtp
    config = mail_config(host, port)
    p = process_at(db, clock, "consultation")
    tick(db, clock, config)
    server.messages.clear()
    server.rcpt_codes["gob@example.org"] = [451, 452]   # refused twice at RCPT TO
    server.data_codes["osc@example.org"] = [421]         # the server closes the channel at DATA, once
    convene(p)
    first = tick(db, clock, config)
    assert first["sent"] == 1 and first["retried"] == 2   # garante now; gob and osc later
    gob = next(r for r in rows(db).values() if r.recipient == "gob@example.org" and r.kind == "session_notice"
               and r.subject == "S9")
    assert gob.status == "pending" and gob.attempts == 1 and gob.last_error.startswith("451")
    assert gob.next_attempt_at == clock.now() + dt.timedelta(minutes=1)

    assert tick(db, clock, config)["claimed"] == 0        # not before the backoff
    clock.advance(minutes=1)
    second = tick(db, clock, config)
    assert second["sent"] == 1 and second["retried"] == 1  # osc delivered; gob refused again
    assert rows(db)[gob.key].next_attempt_at == clock.now() + dt.timedelta(minutes=2)  # the delay doubles
    clock.advance(minutes=2)
    assert tick(db, clock, config)["sent"] == 1
    delivered = [m.rcpt_tos[0] for m in server.messages]
    assert sorted(delivered) == ["garante@example.org", "gob@example.org", "osc@example.org"]  # each once
    final = rows(db)[gob.key]
    assert final.status == "sent" and final.attempts == 3 and final.last_error is None


def test_permanent_failures_are_recorded_and_shown_by_status(db, clock, smtp):
    host, port, server = smtp
    p = process_at(db, clock, "consultation")
    config = mail_config(host, port, max_attempts=2)
    tick(db, clock, config)
    server.rcpt_codes["gob@example.org"] = [550]
    server.rcpt_codes["garante@example.org"] = [451] * 5
    convene(p)
    tick(db, clock, config)
    clock.advance(minutes=1)
    tick(db, clock, config)
    by_recipient = {r.recipient: r for r in rows(db).values() if r.status == "failed"}
    assert by_recipient["gob@example.org"].last_error.startswith("550 5.1.1")
    assert by_recipient["gob@example.org"].attempts == 1                      # never retried
    assert by_recipient["garante@example.org"].attempts == 2                  # gave up after max_attempts
    assert "451" in by_recipient["garante@example.org"].last_error
    assert ("gob@example.org", 550) in server.refused and "gob@example.org" not in {
        m.rcpt_tos[0] for m in server.messages if "S9" in str(m.message["Subject"])}
    status = rem.status(db, p.slug)
    assert sorted(f["error"][:14] for f in status["failed"]) == ["2 intentos / a", "550 5.1.1 no s"]
    assert status["counts"]["session_notice"]["failed"] == 2


def test_status_command_lists_failures(sqlite_db, clock, smtp, tmp_path, monkeypatch):
    from cli.main import main

    host, port, server = smtp
    p = process_at(sqlite_db, clock, "consultation")
    tick(sqlite_db, clock, mail_config(host, port))
    server.rcpt_codes["osc@example.org"] = [554]
    convene(p)
    tick(sqlite_db, clock, mail_config(host, port))
    url = str(sqlite_db.url)
    from alembic import command

    import migrations
    command.stamp(migrations.config(sqlite_db), "head")
    out = CliRunner().invoke(main, ["--db", url, "reminders", "status", p.slug])
    assert out.exit_code == 0, out.output
    from cli.reminders import kind_title

    assert f"  {kind_title('session_notice', 'es')}: " in out.output and "1 fallido" in out.output
    assert "554" in out.output and "session_notice:" not in out.output


def test_a_server_that_is_down_delays_delivery_and_loses_nothing(sqlite_db, clock):
    port = free_port()
    config = mail_config("127.0.0.1", port)
    p = process_at(sqlite_db, clock, "consultation")
    convene(p)
    down = tick(sqlite_db, clock, config)
    # the three members' notices wait for the server; the builder's own sessions, already held, are cancelled
    assert down["sent"] == 0 and down["retried"] == 3 and down["retried"] + down["cancelled"] == down["claimed"]
    waiting = [r for r in rows(sqlite_db).values() if r.status == "pending"]
    assert waiting and all(r.last_error.startswith("connection") for r in waiting)
    from aiosmtpd.controller import Controller
    server = Recorder()
    controller = Controller(server, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        clock.advance(minutes=1)
        up = tick(sqlite_db, clock, config)
    finally:
        controller.stop()
    assert up["sent"] == len(waiting) == len(server.messages)
    assert len({m.message_id for m in server.messages}) == len(waiting)


def test_user_data_cannot_inject_headers_and_html_is_escaped(sqlite_db, clock, smtp):
    host, port, server = smtp
    p = process_at(sqlite_db, clock, "consultation")
    p("add_person", handle="mallory", name="Mallory\r\nBcc: victim@example.org", role="member", sector="academia",
      email="mallory@example.org")
    tick(sqlite_db, clock, mail_config(host, port))
    server.messages.clear()
    when = clock.now() + dt.timedelta(days=1)
    p("convene_session", key="S9", scheduled_for=when.isoformat(), place="<b>Sala</b>\r\nX-Evil: 1",
      agenda=["<script>alert(1)</script>"])
    tick(sqlite_db, clock, mail_config(host, port))
    (m,) = [m for m in server.messages if m.rcpt_tos == ["mallory@example.org"]]
    assert m.message["Bcc"] is None and m.message["X-Evil"] is None
    assert "Bcc" not in m.raw.split(b"\r\n\r\n")[0].decode().replace("Bcc: victim", "")
    assert m.message["To"].addresses[0].addr_spec == "mallory@example.org"
    assert "victim@example.org" not in m.rcpt_tos
    html = body(m.message, "html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert "&lt;b&gt;Sala&lt;/b&gt;" in html
    assert "<script>alert(1)</script>" in body(m.message, "plain")


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for 127.0.0.1, made with the openssl command (Debian's
    ``openssl`` package, a dependency of ``ca-certificates``)."""
    import subprocess

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


def test_starttls_and_login_against_a_server_that_requires_them(sqlite_db, clock, certificate):
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    from notifications.config import DeliveryPolicy, MailConfig, SmtpSettings

    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins: list[tuple[str, bool]] = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (auth_data.login, auth_data.password) == (b"avisos", b"s3cr3t")
        logins.append((auth_data.login.decode(), ok))
        return AuthResult(success=ok, handled=False)

    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port(), tls_context=context,
                            require_starttls=True, auth_required=True, authenticator=authenticator)
    controller.start()
    try:
        p = process_at(sqlite_db, clock, "consultation")

        def config(password: str) -> MailConfig:
            return MailConfig(SmtpSettings(host="127.0.0.1", port=controller.port, security="starttls", user="avisos",
                                           password=password, sender="avisos@cocrea.example", ca_file=str(cert)),
                              DeliveryPolicy())

        convene(p)
        refused = tick(sqlite_db, clock, config("wrong"))
        assert refused["sent"] == 0 and refused["retried"] > 0 and logins[0] == ("avisos", False)
        assert all("SMTPAuthenticationError" in r.last_error for r in rows(sqlite_db).values() if r.status == "pending")
        clock.advance(minutes=1)
        accepted = tick(sqlite_db, clock, config("s3cr3t"))
        assert accepted["sent"] == refused["retried"] == len(recorder.messages)
        assert ("avisos", True) in logins
    finally:
        controller.stop()


def test_a_lane_ends_its_message_only_after_the_mark_and_keeps_its_content_intact(smtp):
    """The sender's wait for the last mark (``before_data``) comes after the envelope and the content
    and before the final dot: the server holds nothing accepted until it returns, gets the bytes as
    sent (a line starting with a dot, bare line ends), and, when the wait fails, discards the
    message; a refusal at the end of the content is classified and the connection kept."""
    import asyncio

    from notifications.config import SmtpSettings
    from notifications.transport import SmtpLane
    from stages.errors import PermanentFailure, TemporaryFailure

    host, port, server = smtp
    lane = SmtpLane(SmtpSettings(host=host, port=port, security="none", sender="avisos@cocrea.example"))
    data = b"Subject: prueba\r\nMessage-ID: <k1@cocrea.example>\r\n\r\n.una linea con punto\nsegunda\r\n..dos\r\nfin"
    seen: list[int] = []

    async def run() -> None:
        async def mark() -> None:
            seen.append(len(server.messages))  # nothing accepted yet while the mark commits

        await lane.send("avisos@cocrea.example", "gob@example.org", data, "k1", before_data=mark)

        async def lost() -> None:
            raise ConnectionError("database unreachable")

        with pytest.raises(ConnectionError):
            await lane.send("avisos@cocrea.example", "osc@example.org", data.replace(b"k1", b"k2"), "k2",
                            before_data=lost)
        server.data_codes["osc@example.org"] = [550, 451]
        with pytest.raises(PermanentFailure, match="^550"):
            await lane.send("avisos@cocrea.example", "osc@example.org", data, "k3", before_data=mark)
        kept = lane.smtp
        with pytest.raises(TemporaryFailure, match="^451"):
            await lane.send("avisos@cocrea.example", "osc@example.org", data, "k4", before_data=mark)
        await lane.send("avisos@cocrea.example", "osc@example.org", data.replace(b"k1", b"k5"), "k5", before_data=mark)
        assert lane.smtp is kept  # refusals at the end of the content keep the connection
        await lane.close()

    asyncio.run(run())
    assert seen == [0, 1, 1, 1]
    assert [m.message_id for m in server.messages] == ["<k1@cocrea.example>", "<k5@cocrea.example>"]  # k2 discarded
    assert server.messages[0].raw.replace(b"\r\n", b"\n") == data.replace(b"\r\n", b"\n") + b"\n"
