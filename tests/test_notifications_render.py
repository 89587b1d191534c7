"""Templates, MIME and iCalendar: every kind in both languages, parsed back by the standard library."""
from __future__ import annotations

import asyncio
import datetime as dt
import email
import re
from email.policy import default
from types import SimpleNamespace as NS

import pytest
from icalendar import Calendar
from jinja2 import UndefinedError

from notifications import ical
from notifications.config import ConfigError, load
from notifications.mime import Mail, build, clean_header
from notifications.planner import due_reminders
from notifications.render import Identity, Renderer, environment
from notifications.transport import EmlTransport, PermanentFailure
from stages import Records
from stages.reminders import RULES

MX = dt.timezone(dt.timedelta(hours=-6))


def rich_records() -> Records:
    """One of everything a reminder can be about."""
    process = NS(id=1, slug="jal", name="Ejercicio local Jalisco", stage="monitoring", suspended_from=None,
                 timezone="America/Mexico_City", starts_on=dt.date(2026, 1, 15), term_months=12, settings={},
                 created_at=dt.datetime(2026, 1, 15, tzinfo=MX))
    people = [NS(id=1, handle="coord", name="Coordinación", role="coordinator", email="c@example.org", lang="es",
                 agency_id=None, sector=None, active=True),
              NS(id=2, handle="coord-en", name="Coordination", role="coordinator", email="ce@example.org", lang="en",
                 agency_id=None, sector=None, active=True),
              NS(id=3, handle="enlace", name="Enlace", role="liaison", email="l@example.org", lang="es", agency_id=10,
                 sector=None, active=True),
              NS(id=4, handle="liaison", name="Liaison", role="liaison", email="le@example.org", lang="en",
                 agency_id=10, sector=None, active=True),
              NS(id=5, handle="gob", name="Gobierno", role="member", email="g@example.org", lang="es",
                 agency_id=None, sector="government", active=True)]
    session = NS(id=7, key="S7", scheduled_for=dt.datetime(2026, 9, 25, 11, tzinfo=MX), place="Palacio",
                 agenda=["Avances", "Asuntos generales"], extraordinary=True, justification="Urgencia",
                 closed_at=None, minutes_ref=None, minutes_published_at=None)
    held = NS(id=8, key="S6", scheduled_for=dt.datetime(2026, 9, 1, 11, tzinfo=MX), place="Palacio", agenda=["x"],
              extraordinary=False, justification=None, closed_at=dt.datetime(2026, 9, 1, 13, tzinfo=MX),
              minutes_ref=None, minutes_published_at=None, closed_seq=41, closed_head="5f" * 32)
    activity = NS(id=20, key="a1", title="Publicar tabuladores", deliverable="Portal", agency_id=10, commitment_id=30,
                  start_date=dt.date(2026, 6, 1), end_date=dt.date(2026, 9, 30), status="in_progress", percent=40,
                  accepted_at=dt.datetime(2026, 5, 1, tzinfo=MX))
    channel = NS(id=3, key="web", name="Encuesta", kind="online", opens_on=None, closes_on=dt.date(2026, 10, 5))
    return Records(process=process, people=people, sessions=[session, held], activities=[activity],
                   agencies=[NS(id=10, key="igualdad", name="Secretaría de Igualdad")],
                   commitments=[NS(id=30, key="c1", title="Tabuladores abiertos")], channels=[channel])


def contexts() -> dict[tuple[str, str], tuple[str, dict]]:
    """(kind, lang) -> (key, context), from the planner over a few months."""
    r = rich_records()
    found: dict[tuple[str, str], tuple[str, dict]] = {}
    day = dt.datetime(2026, 9, 1, 10, tzinfo=MX)
    while day < dt.datetime(2027, 1, 20, tzinfo=MX):
        for stage in ("monitoring", "consultation"):
            r.process.stage = stage
            for p in due_reminders(r, day):
                found.setdefault((p.kind, p.lang), (p.key, p.context))
        day += dt.timedelta(days=1)
    return found


CONTEXTS = contexts()


def test_every_kind_is_planned_in_both_languages():
    assert {k for k, _ in CONTEXTS} == {r.kind for r in RULES}
    assert {lang for _, lang in CONTEXTS} == {"es", "en"}


@pytest.mark.parametrize("kind, lang", sorted(CONTEXTS))
def test_every_kind_renders_and_parses_back(kind, lang):
    key, ctx = CONTEXTS[(kind, lang)]
    renderer = Renderer(Identity("avisos@cocrea.example", "Cocrea Jalisco"))
    rendered, data = renderer.message(key=key, kind=kind, lang=lang, to="x@example.org", to_name="Persona Ñandú",
                                      context=ctx)
    assert rendered.subject and "\n" not in rendered.subject
    msg = email.message_from_bytes(data, policy=default)
    assert msg["Subject"] == rendered.subject and msg["Message-ID"] == f"<{key}@cocrea.example>"
    assert msg["To"].addresses[0].display_name == "Persona Ñandú"
    text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = msg.get_body(("html",)).get_content()
    greeting, why, auto = (("Hola, ", "Recibe este correo porque", "Aviso automático de cocrea") if lang == "es"
                           else ("Hello ", "You receive this email because", "An automatic notice from cocrea"))
    assert text.startswith(greeting) and why in text and auto in text
    assert f'<html lang="{lang}">' in html and why in html
    assert "  \n" not in text and "\n\n\n" not in text  # tidy whitespace
    attachments = [a.get_filename() for a in msg.iter_attachments()]
    assert attachments == ([("sesion.ics" if lang == "es" else "session.ics")] if kind == "session_notice" else [])


def test_spanish_reads_as_spanish():
    _, ctx = CONTEXTS[("activity_upcoming", "es")]
    r = Renderer().render("activity_upcoming", "es", ctx)
    assert r.subject == "Faltan 14 días para que venza la actividad «Publicar tabuladores»"
    assert "vence el 30 de septiembre de 2026, dentro de 14 días." in r.text
    assert "Avance registrado: 40 % (en curso)" in r.text
    _, ctx = CONTEXTS[("session_notice", "es")]
    r = Renderer().render("session_notice", "es", ctx)
    assert r.subject == "Sesión extraordinaria S7 del secretariado: viernes 25 de septiembre de 2026, 11:00 h"
    assert "Recibe este correo porque coordina el secretariado" in r.text


def _variant(kind: str, lang: str, **fields) -> dict:
    _, ctx = CONTEXTS[(kind, lang)]
    return {**ctx, **fields}


@pytest.mark.parametrize("lang, one, many", [("es", "1 día", "2 días"), ("en", "1 day", "2 days")])
def test_day_counts_agree_with_the_number(lang, one, many):
    render = Renderer().render
    for kind, field in (("activity_overdue", "days_overdue"), ("activity_escalation", "days_overdue"),
                        ("minutes_pending", "days_since"), ("term_end", "days_left"),
                        ("activity_upcoming", "days_left"), ("consultation_closing", "days_left")):
        texts = {n: render(kind, lang, _variant(kind, lang, **{field: n})) for n in (1, 2)}
        two = texts[2].subject + texts[2].text
        assert many in two, (kind, two)
        if kind not in ("activity_upcoming", "consultation_closing"):  # 1 day ahead reads "tomorrow"
            assert one in texts[1].subject + texts[1].text, kind
        for r in texts.values():
            assert not re.search(r"\b1 (días|days)\b", r.subject + r.text + r.html), kind
    es = render("term_end", "es", _variant("term_end", "es", days_left=1))
    assert es.subject == "Falta 1 día para que termine el plazo del proceso «Ejercicio local Jalisco»"
    _, ctx = CONTEXTS[("consultation_closing", "es")]
    assert "se ha registrado 1 aportación" in render("consultation_closing", "es", {**ctx, "inputs_count": 1}).text
    assert "Aún no se ha registrado ninguna" in render("consultation_closing", "es", {**ctx, "inputs_count": 0}).text


def test_codes_are_shown_by_their_names():
    render = Renderer().render
    ctx = _variant("session_notice", "es")
    member = render("session_notice", "es", {**ctx, "recipient": {**ctx["recipient"], "role": "member",
                                                                   "sector": "civil_society"}})
    assert "Sector que representa: sociedad civil." in member.text and "civil_society" not in member.html
    coord = render("minutes_pending", "es", _variant("minutes_pending", "es"))
    assert "con la acción «Configurar los recordatorios»" in coord.text  # not configure_reminders
    assert "fue clausurada el" in coord.text  # a secretariat session is clausurada, never "cerrada"
    assert "publish_minutes" not in coord.text and "configure_reminders" not in coord.html
    liaison = render("activity_upcoming", "en", _variant("activity_upcoming", "en"))
    assert 'with the action "Report progress" (activity a1)' in liaison.text and "report_progress" not in liaison.html
    assert "Progress recorded: 40% (in progress)" in liaison.text
    ctx = _variant("term_end", "es")
    suspended = {**ctx, "process": {**ctx["process"], "stage": "suspended", "current_stage": "consultation",
                                    "suspended": True}}
    assert "Etapa actual: Consulta sobre temas a tratar (el proceso está suspendido)." in render(
        "term_end", "es", suspended).text
    for kind, lang in CONTEXTS:
        r = render(kind, lang, CONTEXTS[(kind, lang)][1])
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", r.subject + r.text), (kind, lang)


def test_html_escapes_what_people_wrote_and_text_keeps_it():
    ctx = _variant("activity_overdue", "es")
    ctx = {**ctx, "activity": {**ctx["activity"], "title": "<b>Tabuladores</b> & más"}}
    r = Renderer().render("activity_overdue", "es", ctx)
    assert "«<strong>&lt;b&gt;Tabuladores&lt;/b&gt; &amp; más</strong>»" in r.html and "<b>" not in r.html
    assert "La actividad «<b>Tabuladores</b> & más» venció el 30 de septiembre de 2026" in r.text


def test_one_environment_per_language_made_once():
    assert environment("es") is environment("es") and environment("en") is not environment("es")
    renderer = Renderer()
    _, ctx = CONTEXTS[("activity_overdue", "en")]
    renderer.render("activity_overdue", "en", ctx)
    compiled = dict(renderer._cache)
    renderer.render("activity_overdue", "en", ctx)
    assert renderer._cache == compiled and all(t is compiled[k] for k, t in renderer._cache.items())


def test_missing_fields_fail_loudly():
    _, ctx = CONTEXTS[("activity_overdue", "es")]
    broken = {k: v for k, v in ctx.items() if k != "activity"}
    with pytest.raises(UndefinedError):
        Renderer().render("activity_overdue", "es", broken)


def test_header_values_cannot_carry_line_breaks():
    assert clean_header("Hola\r\nBcc: x@example.org\x00") == "Hola Bcc: x@example.org"
    data = build(Mail(sender="a@example.org", sender_name="A\nB", to="b@example.org", to_name="Eve\r\nX-Evil: 1",
                      subject="Asunto\r\nBcc: victim@example.org", text="t", html="<p>h</p>", message_id="k.1@x"))
    head = data.split(b"\r\n\r\n", 1)[0].decode()
    assert all(not line.startswith(("Bcc", "X-Evil")) for line in head.split("\r\n"))
    msg = email.message_from_bytes(data, policy=default)
    assert msg["Subject"] == "Asunto Bcc: victim@example.org" and msg["Bcc"] is None


def test_the_session_notice_carries_the_session_as_a_published_event():
    _, ctx = CONTEXTS[("session_notice", "es")]
    (ics,) = Renderer(Identity("avisos@cocrea.example")).render("session_notice", "es", ctx).attachments
    assert ics.filename == "sesion.ics" and ics.content_type == "text/calendar; method=PUBLISH"
    cal = Calendar.from_ical(ics.data)
    assert cal["METHOD"] == "PUBLISH" and cal["VERSION"] == "2.0"
    (event,) = cal.walk("VEVENT")
    assert event["UID"] == "session.jal.S7@cocrea.example"  # the UID of earlier versions: no duplicate events
    assert event.decoded("DTSTART") == dt.datetime(2026, 9, 25, 17, tzinfo=dt.timezone.utc)  # 11:00 in Mexico City
    assert event.decoded("DTEND") - event.decoded("DTSTART") == ical.DEFAULT_DURATION
    assert event["SUMMARY"] == "Sesión S7 — Ejercicio local Jalisco" and event["LOCATION"] == "Palacio"
    assert event["DESCRIPTION"] == "1. Avances\n2. Asuntos generales"
    assert event["STATUS"] == "CONFIRMED"


def test_calendar_text_is_escaped_folded_and_free_of_control_characters():
    event = ical.session_event(uid="s@x", starts_at=dt.datetime(2026, 3, 10, 11, tzinfo=MX),
                               summary="Sesión; con, comas\x00\x0b", place="Palacio\r\nde Gobierno\x1f",
                               agenda=["Revisión de compromisos ñ " * 10, "Otro\x07 asunto"],
                               stamp=dt.datetime(2026, 3, 7, tzinfo=dt.timezone.utc))
    data = ical.calendar([event], method="PUBLISH")
    lines = data.split(b"\r\n")
    assert lines[-1] == b"" and all(len(line) <= 75 for line in lines) and len(lines) > 16  # folded
    assert not any(c < 0x20 and c != 0x09 for line in lines for c in line)
    unfolded = data.decode().replace("\r\n ", "")
    assert "SUMMARY:Sesión\\; con\\, comas\r\n" in unfolded and "DTSTART:20260310T170000Z" in unfolded
    (parsed,) = Calendar.from_ical(data).walk("VEVENT")
    assert parsed["SUMMARY"] == "Sesión; con, comas" and parsed["LOCATION"] == "Palacio\nde Gobierno"
    assert parsed["DESCRIPTION"] == "1. " + "Revisión de compromisos ñ " * 10 + "\n2. Otro asunto"


def test_eml_folder_is_written_atomically_and_a_repeat_overwrites(tmp_path):
    lane = EmlTransport(tmp_path / "out").lane()
    asyncio.run(lane.send("a@example.org", "b@example.org", b"one", "k.1"))
    asyncio.run(lane.send("a@example.org", "b@example.org", b"two", "k.1"))
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["k.1.eml"]
    assert (tmp_path / "out" / "k.1.eml").read_bytes() == b"two"
    with pytest.raises(PermanentFailure):
        asyncio.run(lane.send("a@example.org", "not an address", b"x", "k.2"))


def test_mail_settings_from_a_file_and_the_environment(tmp_path):
    toml = tmp_path / "cocrea.toml"
    toml.write_text('[smtp]\nhost = "smtp.example.org"\nsecurity = "tls"\nuser = "u"\npassword = "s3cr3t-pw"\n'
                    '[delivery]\nbatch = 50\nmax_attempts = 3\n', encoding="utf-8")
    c = load(toml, env={})
    assert (c.smtp.host, c.smtp.effective_port, c.smtp.security, c.delivery.batch, c.delivery.max_attempts) == (
        "smtp.example.org", 465, "tls", 50, 3)
    assert "s3cr3t-pw" not in repr(c.smtp) and c.smtp.describe() == "smtp://u@smtp.example.org:465 (tls)"
    c = load(toml, env={"COCREA_SMTP_PORT": "2525", "COCREA_SMTP_SECURITY": "starttls"})
    assert (c.smtp.effective_port, c.smtp.security) == (2525, "starttls")
    yaml_file = tmp_path / "cocrea.yaml"
    yaml_file.write_text("smtp:\n  host: mail.local\n  security: none\n", encoding="utf-8")
    assert load(yaml_file, env={}).smtp.effective_port == 25
    assert not load(None, env={"COCREA_OUTBOX_DIR": str(tmp_path)}).smtp.uses_smtp  # no host: .eml files
    with pytest.raises(ConfigError, match="security"):
        load(None, env={"COCREA_SMTP_HOST": "h", "COCREA_SMTP_SECURITY": "ssl3"})
    with pytest.raises(ConfigError, match="password"):
        load(None, env={"COCREA_SMTP_HOST": "h", "COCREA_SMTP_USER": "u"})


def test_the_templates_say_nothing_outside_gettext():
    """Every word of the emails is in a {% trans %} block or _(): the templates hold no text of their own."""
    from notifications.render import TEMPLATES

    left = {}
    for path in sorted(TEMPLATES.iterdir()):
        source = path.read_text(encoding="utf-8")
        source = re.sub(r"{%\+? trans.*?{% endtrans \+?%}", " ", source, flags=re.DOTALL)
        source = re.sub(r"{{.*?}}|{%.*?%}|<[^>]*>", " ", source, flags=re.DOTALL)
        words = re.findall(r"[^\W\d_]{2,}", source)
        if words:
            left[path.name] = words
    assert left == {}


def test_no_other_catalogue_says_our_messages_differently():
    """The domains share one chain of translations: the same English (and context) in another
    area's catalogue must read the same, or one area would show the other's words."""
    from i18n import DOMAINS, catalog

    def read(domain: str) -> dict:
        return {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m.string
                for m in catalog.read("es", domain) if m.id}

    ours = read("notifications")
    differ = [(domain, key) for domain in DOMAINS if domain != "notifications" and catalog.po_path("es", domain).exists()
              for key, text in read(domain).items() if key in ours and ours[key] != text]
    assert differ == []


def test_quoted_printable_line_by_line_is_b2a_qp_of_the_whole():
    """mime._qp encodes each distinct line once per process; its bytes are those of b2a_qp on
    the whole text (soft breaks, trailing spaces, a lone dot, '=' and non-ASCII, the last line)."""
    import binascii
    import random

    from notifications.mime import _qp

    def whole(text: str) -> bytes:
        body = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
        return binascii.b2a_qp(body.encode("utf-8"), istext=True)

    rng = random.Random(9)
    pieces = ["a", " ", "\t", "=", ".", "\n", "\r", "\r\n", "é", "—", "\x00", "x" * 70, '<p style="a:b">']
    texts = ["", "\n", ".", ".\n", "a \n", "a ", "x" * 200, "x" * 75 + " \n" + "y" * 80, "—   " + "x" * 140]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randrange(30))) for _ in range(20_000)]
    for text in texts:
        assert _qp(text) == whole(text), repr(text)
